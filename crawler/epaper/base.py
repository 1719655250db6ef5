"""The Founder e-paper spider: walks issues by date, pages, stories; one article per story.

A paper is a few class attributes (see ``spiders/whrb.py``)::

    class WhrbSpider(EpaperSpider):
        name = "whrb"
        outlet_names = ("乌海日报",)
        base = "https://szb.wuhainews.org.cn/paper/pc"
        family = PC_LAYOUT
        first_page = "node_01.html"

or, for a paper that changed template, ``editions`` valid from a date (``spiders/gmrb.py``).

Arguments: ``-a date=YYYY-MM-DD[,YYYY-MM-DD…]`` or ``-a since=… [-a until=…]``; default
today in Asia/Shanghai. An issue's entry page answering 404 means "no issue that day":
counted (``epaper/issues/missing/<spider>``), not an error.

Each issue is gathered whole before its articles are emitted, so that a story continued
on another page (转版) becomes one article: every request of an issue is tracked and the
last one to finish (callback or errback) assembles and yields the issue's articles.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.distributed import META_LOCAL
from crawler.epaper.assemble import Part, assemble
from crawler.epaper.cleanup import continuation, not_a_story
from crawler.epaper.dates import issue_dates
from crawler.epaper.markup import links, same_host, text
from crawler.epaper.model import Edition, Family, PageInfo, PageLink
from crawler.epaper.single import extract_story
from crawler.epaper.story import edition_fields, story_article
from crawler.items import Article
from crawler.spider import ArchiveSpider, Fetch
from crawler.zh.credits import parse_editor

logger = logging.getLogger(__name__)


@dataclass
class Issue:
    """One issue being crawled: its open requests and the story parts gathered so far."""

    day: date
    edition: Edition
    pending: int = 0
    requested: set[str] = field(default_factory=set)
    parts: list[Part] = field(default_factory=list)
    editors: dict[str, str] = field(default_factory=dict)
    pages: int = 0
    date_raw: str | None = None

    @property
    def key(self) -> str:
        return self.day.isoformat()


def _bare(url: str) -> str:
    return url.split("#")[0].split("?")[0]


class EpaperSpider(ArchiveSpider):
    """Base of the Founder e-paper spiders; subclasses are configuration."""

    #: URL prefix before the date part, template family and entry page of an issue.
    base: ClassVar[str] = ""
    family: ClassVar[Family | None] = None
    first_page: ClassVar[str] = ""
    #: Papers that changed template: editions with ``valid_from`` (the latest that applies wins).
    editions: ClassVar[tuple[Edition, ...]] = ()

    def __init__(self, date: str | None = None, since: str | None = None, until: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.days = issue_dates(date, since, until)
        self.issues: dict[str, Issue] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A paper's ``allowed_domains`` default to the hosts of its editions."""
        super().__init_subclass__(**kwargs)
        if "allowed_domains" not in cls.__dict__ and (cls.editions or cls.base):
            cls.allowed_domains = sorted({urlsplit(e.base).hostname or "" for e in cls.all_editions()})

    @classmethod
    def all_editions(cls) -> tuple[Edition, ...]:
        """``editions``, or the one made of ``family``, ``base`` and ``first_page``."""
        if cls.editions:
            return cls.editions
        if cls.family is None or not cls.base or not cls.first_page:
            raise TypeError(f"{cls.__name__}: set base, family and first_page, or editions")
        return (Edition(cls.family, cls.base, cls.first_page),)

    @classmethod
    def edition_for(cls, day: date) -> Edition:
        """The edition in force on ``day``: the one with the latest ``valid_from`` not after it."""
        valid = [e for e in cls.all_editions() if e.valid_from is None or e.valid_from <= day]
        if not valid:
            raise ValueError(f"{cls.name}: no edition is valid on {day}")
        return max(valid, key=lambda e: e.valid_from or date.min)

    @classmethod
    def handles(cls, url: str) -> bool:
        """Story pages of the paper (not its 版面 pages, PDFs or images)."""
        bare = _bare(url)
        return super().handles(url) and any(e.family.article_re.search(bare) for e in cls.all_editions())

    @classmethod
    def extract_page(cls, response: Response, fetch: Fetch | None = None) -> Article | None:
        """One story without a crawl (``scrapy extract``, replay): see :mod:`crawler.epaper.single`."""
        return extract_story(cls, response, fetch)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for day in self.days:
            issue = Issue(day, self.edition_for(day))
            if self.distributed:
                # A shared queue: whichever worker takes the entry page opens the issue
                # (``_front_issue``) and keeps the rest of it (``_track``) to itself.
                yield scrapy.Request(issue.edition.first_page_url(day), callback=self.parse_front,
                                     errback=self.front_failed, dont_filter=True,
                                     cb_kwargs={"day": issue.key})
                continue
            self.issues[issue.key] = issue
            request = self._track(issue, issue.edition.first_page_url(day), self.parse_front,
                                  errback=self.front_failed)
            if request is not None:
                yield request

    # -- bookkeeping ---------------------------------------------------------------------
    def _track(self, issue: Issue, url: str, callback: Callable[..., Any],
               errback: Callable[[Failure], Any] | None = None, **kwargs: Any) -> scrapy.Request | None:
        """A request that the issue waits for (None if the issue asked for it already).

        ``dont_filter``: the issue de-duplicates its own URLs; a request dropped silently by
        the dupefilter would leave the issue waiting forever.
        """
        if _bare(url) in issue.requested:
            return None
        issue.requested.add(_bare(url))
        issue.pending += 1
        # Distributed: the issue lives in this worker's memory, so its requests stay here.
        meta = {META_LOCAL: True} if self.distributed else None
        return scrapy.Request(url, callback=callback, errback=errback or self.failed, dont_filter=True,
                              cb_kwargs={"day": issue.key, **kwargs}, meta=meta)

    def _front_issue(self, day: str) -> Issue:
        """The issue whose entry page answered; opened here if another worker queued that page."""
        issue = self.issues.get(day)
        if issue is None:  # distributed: start() did not open it on this worker
            when = date.fromisoformat(day)
            issue = Issue(when, self.edition_for(when), pending=1)
            issue.requested.add(_bare(issue.edition.first_page_url(when)))
            self.issues[issue.key] = issue
        return issue

    def _guarded(self, issue: Issue, response: Response, work: Callable[[], list[Any]]) -> Iterator[Any]:
        """Run ``work``, then count the request done; the last one yields the issue's articles."""
        try:
            produced = work()
        except Exception:
            # An unforeseen page must not cost the rest of the issue: logged with its
            # traceback and counted, and the issue's other stories are still emitted.
            self.crawler.stats.inc_value(f"errors/{self.name}/parse")
            logger.exception("%s: cannot parse %s (issue of %s)", self.name, response.url, issue.key)
            produced = []
        yield from produced
        yield from self._done(issue)

    def _done(self, issue: Issue) -> list[Article]:
        issue.pending -= 1
        if issue.pending > 0:
            return []
        del self.issues[issue.key]
        if not issue.pages:
            return []
        articles, joined = assemble(issue.parts)
        for article in articles:
            editor = issue.editors.get(article.page_number or "")
            if editor and not article.editor:
                article.editor = editor
        stats = self.crawler.stats
        stats.inc_value(f"epaper/articles/{self.name}", len(articles))
        stats.inc_value(f"epaper/joined/{self.name}", joined)
        logger.info("%s issue of %s: %d pages, %d articles (%d continued parts joined)",
                    self.name, issue.key, issue.pages, len(articles), joined)
        return articles

    def closed(self, reason: str) -> None:
        for issue in self.issues.values():
            if self.distributed:  # its entry page went back on the shared queue: redone elsewhere
                self.crawler.stats.inc_value(f"epaper/issues/handed_back/{self.name}")
                logger.info("%s issue of %s unfinished (%s): handed back to the shared queue",
                            self.name, issue.key, reason)
                continue
            self.crawler.stats.inc_value(f"epaper/issues/unfinished/{self.name}")
            logger.error("%s issue of %s unfinished (%s): %d requests unaccounted, %d stories not emitted",
                         self.name, issue.key, reason, issue.pending, len(issue.parts))

    # -- issue and pages -----------------------------------------------------------------
    def front_failed(self, failure: Failure) -> Iterator[Article]:
        """The entry page failed: a 404 is a day without an issue, anything else an error."""
        issue = self._front_issue(failure.request.cb_kwargs["day"])  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        if response is not None and response.status in (404, 410):
            self.crawler.stats.inc_value(f"epaper/issues/missing/{self.name}")
            logger.info("%s: no issue on %s (HTTP %d at %s)", self.name, issue.key, response.status,
                        response.url)
        else:
            self.on_error(failure)
        yield from self._done(issue)

    def failed(self, failure: Failure) -> Iterator[Article]:
        """A page or story of an issue failed: logged and counted; the issue goes on."""
        self.on_error(failure)
        yield from self._done(self.issues[failure.request.cb_kwargs["day"]])  # type: ignore[attr-defined]

    def parse_front(self, response: Response, day: str) -> Iterator[Any]:
        """The issue's entry page: its page list, and the entry page itself if it is one."""
        issue = self._front_issue(day)
        yield from self._guarded(issue, response, lambda: self._front(issue, response))

    def _front(self, issue: Issue, response: Response) -> list[Any]:
        if issue.edition.family.date_path(issue.day) not in response.url:
            # Some installs redirect a day without an issue to the latest one: not this issue.
            self.crawler.stats.inc_value(f"epaper/issues/missing/{self.name}")
            logger.warning("%s: the issue of %s was redirected to %s; not crawled as that day's",
                           self.name, issue.key, response.url)
            return []
        self.crawler.stats.inc_value(f"epaper/issues/found/{self.name}")
        page, _ = self.decoded(response)
        info = issue.edition.family.read_page(page)
        page_links = info.links if info else []
        if not page_links:
            self.drift(response, "no page list (第01版：…) on the issue's entry page")
            found = [u for u, _t in links(page, "//a")
                     if same_host(u, page.url) and issue.edition.family.page_re.search(_bare(u))]
            page_links = [PageLink(f"{n:02d}", None, u) for n, u in enumerate(found or [page.url], 1)]
        issue.date_raw = info.date_raw if info else None
        out: list[Any] = []
        for link in page_links:
            if _bare(link.url) == _bare(response.url):
                out += self._page(issue, response, page, info, link)
            else:
                out.append(self._track(issue, link.url, self.parse_page, number=link.number, name=link.name))
        return [r for r in out if r is not None]

    def parse_page(self, response: Response, day: str, number: str, name: str | None) -> Iterator[Any]:
        """One page (版) of the issue: its PDF, its image and its stories."""
        issue = self.issues[day]

        def work() -> list[Any]:
            page, _ = self.decoded(response)
            info = issue.edition.family.read_page(page)
            return self._page(issue, response, page, info, PageLink(number, name, response.url))

        yield from self._guarded(issue, response, work)

    def _page(self, issue: Issue, response: Response, page: TextResponse, info: PageInfo | None,
              link: PageLink) -> list[Any]:
        issue.pages += 1
        self.crawler.stats.inc_value(f"epaper/pages/{self.name}")
        if "dataloss" in response.flags:
            logger.warning("%s: page %s cut short; following the links it has", self.name, response.url)
        family = issue.edition.family
        stories = info.articles if info else []
        if not stories:
            found = [(u, t) for u, t in links(page, "//a | //area")
                     if same_host(u, page.url) and family.article_re.search(_bare(u))]
            if found or info is None:
                self.drift(response, f"the {family.name} page markup lists no stories"
                           + (f" but the page links {len(found)}" if found else ""))
            stories = found
        out: list[Any] = []
        for kind, url in (("pdf", info.pdf if info else None), ("image", info.image if info else None)):
            if url:
                out.append(scrapy.Request(url, callback=self.parse_asset, errback=self.on_error,
                                          cb_kwargs={"kind": kind}, meta={"allow_offsite": True}))
        for order, (url, title) in enumerate(stories):
            if not_a_story(title) == "credit" and (editor := parse_editor(title)):
                issue.editors.setdefault(link.number, editor)
            out.append(self._track(issue, url, self.parse_article, page=link.number, name=link.name,
                                   order=order))
        return out

    def parse_asset(self, response: Response, kind: str) -> None:
        """A page's PDF or image: archived by the WARC writer; checked to be what it claims."""
        self.crawler.stats.inc_value(f"epaper/assets/{kind}/{self.name}")
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        ok = response.body.startswith(b"%PDF-") if kind == "pdf" else ctype.startswith("image/")
        if not ok:
            self.crawler.stats.inc_value(f"epaper/assets/unexpected/{self.name}")
            logger.warning("%s: expected a page %s at %s, got %s", self.name, kind, response.url,
                           ctype or "no Content-Type")

    # -- stories -------------------------------------------------------------------------
    def parse_article(self, response: Response, day: str, page: str, name: str | None,
                      order: int) -> Iterator[Any]:
        """One story page: a part of an article, kept until the whole issue is in."""
        issue = self.issues[day]

        def work() -> list[Any]:
            if not self.is_truncated(response):
                part = self._part(issue, response, page, name, order)
                if part is not None:
                    issue.parts.append(part)
            return []

        yield from self._guarded(issue, response, work)

    def _part(self, issue: Issue, response: Response, page_no: str, name: str | None,
              order: int) -> Part | None:
        page, decoded = self.decoded(response)
        fields = issue.edition.family.read_article(page)
        if fields is None:
            self.drift(response, f"the story page matches no {issue.edition.family.name} markup")
            article = self.generic(response, page, decoded)
            article.flags.append("drift")
            for key, value in edition_fields(issue.day, page_no, name).items():
                setattr(article, key, value)
            return Part(article, page_no, order)
        kind = not_a_story(fields.title)
        if kind is not None:
            self.crawler.stats.inc_value(f"epaper/skipped/{kind}/{self.name}")
            if kind == "credit" and (editor := parse_editor(fields.title)):
                issue.editors.setdefault(page_no, editor)
            return None
        continues_on, continued_from = continuation(text(fields.body))
        article = story_article(type(self), response, decoded, fields, day=issue.day, page=page_no, name=name,
                                date_raw=issue.date_raw)
        return Part(article, page_no, order, continues_on, continued_from)
