"""The spider-less road of a replay: every archived HTML page the outlet spiders did not visit.

After the outlet spiders have replayed their crawl (their ``start()`` URLs answered from
the archive), the pages no spider asked for remain: pages of archives made by other
tools, or of outlets we have no spider for. One :class:`ReplaySpider` runs per outlet
(``owner``, or None for unknown outlets) so the pipelines see that outlet's names:

- a page of a known outlet goes to the outlet spider's ``extract_page(response, fetch)``
  (one article, its later pages got through ``fetch`` from the archive -> Article or
  None) when the spider has it; otherwise it is counted in ``replay/unvisited/<spider>``;
- a page of an unknown outlet goes through the generic extractor and is kept when
  it has a title and a publication date (what tells an article from a menu page).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from crawler.items import Article
from crawler.replay import archive as archive_mod
from crawler.replay.archive import Archive, ArchiveError
from crawler.replay.middleware import build_response
from crawler.replay.plan import owner_of
from crawler.replay.scan import Capture
from crawler.spider import ArchiveSpider

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5


class ReplaySpider(ArchiveSpider):
    """Extracts archived pages that no outlet spider visited (see the module docstring)."""

    name = "replay"

    def __init__(self, paths: list[str], owner: str | None = None, owner_cls: type[Any] | None = None,
                 domains: dict[str, tuple[str, ...]] | None = None,
                 wait_for: list[Awaitable[Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.paths = paths
        self.owner = owner
        self.owner_cls = owner_cls
        self.domains = domains or {}
        self.wait_for = wait_for or []
        self.outlet_names = tuple(getattr(owner_cls, "outlet_names", ()))
        self._owner_spider: Any = None
        self.archive: Archive

    async def start(self) -> AsyncIterator[Article]:
        """Articles straight from the archive, one page after another (URL order).

        Pages are read here rather than requested: ``extract_page`` may ``fetch`` an
        article's later pages, which must then not be extracted again on their own,
        and that needs the pages taken in order.
        """
        for pending in self.wait_for:  # the outlet spiders' replays come first
            try:
                await (maybe_deferred_to_future(pending) if isinstance(pending, Deferred) else pending)
            except Exception:  # their failure is theirs to report
                logger.debug("a replayed crawl failed", exc_info=True)
        self.archive = archive_mod.shared(self.paths)
        extract = getattr(self.owner_cls, "extract_page", None) if self.owner_cls else None
        for page in self.archive.html_pages():
            if owner_of(page.url, self.domains) != self.owner or not self._take(page):
                continue
            if self.owner is not None and extract is None:
                self.crawler.stats.inc_value(f"replay/unvisited/{self.owner}")
                continue
            response = self._response(page)
            if response is None:
                continue
            for article in self.parse_page(response):
                yield article

    def _take(self, capture: Capture) -> bool:
        """Mark a page as read; False if something read it already."""
        with self.archive.lock:
            if capture.key in self.archive.served:
                return False
            self.archive.served.add(capture.key)
            return True

    def _response(self, capture: Capture) -> Response | None:
        try:
            found = self.archive.load(capture)
        except ArchiveError as exc:
            logger.error("%s", exc)
            return None
        self.crawler.stats.inc_value("replay/served")
        return build_response(found, scrapy.Request(capture.url), decode=True)

    def fetch(self, url: str) -> Response | None:
        """An archived page by URL (redirects followed), for ``extract_page``'s later pages."""
        for _ in range(MAX_REDIRECTS):
            capture, _how = self.archive.lookup(url)
            if capture is None:
                return None
            with self.archive.lock:
                self.archive.served.add(capture.key)
            response = self._response(capture)
            location = response.headers.get(b"Location") if response is not None else None
            if response is None or response.status not in (301, 302, 303, 307, 308) or not location:
                return response
            url = response.urljoin(location.decode("latin-1"))
        return None

    def parse_page(self, response: Response) -> Iterator[Article]:
        """One archived page: the outlet's page extractor, or the generic one."""
        if self.is_truncated(response):
            return
        if self.owner_cls is not None:
            if not self.owner_cls.handles(response.url):
                self.crawler.stats.inc_value(f"replay/unvisited/{self.owner}")
                return
            extract = self.owner_cls.extract_page
            if not inspect.ismethod(extract):  # an instance method: needs a spider
                extract = self._owner().extract_page
            article = extract(response, fetch=self.fetch)
            if article is None and _knows_its_articles(self.owner_cls):
                # an article page its rules cannot read: template drift, read generically
                self.drift(response, f"{self.owner}.extract_page read nothing")
                page, decoded = self.decoded(response)
                article = self.generic(response, page, decoded)
                article.outlet = self.owner or article.outlet
                article.flags.append("drift")
            elif article is None:
                self.crawler.stats.inc_value(f"replay/unvisited/{self.owner}")
        else:
            page, decoded = self.decoded(response)
            host = (urlsplit(response.url).hostname or "unknown").removeprefix("www.")
            article = self.generic(response, page, decoded)
            article.outlet = host
            if not (article.title and article.published_at):
                self.crawler.stats.inc_value("replay/generic/skipped")
                logger.info("Generic extraction: %s has no title or date; not an article", response.url)
                return
            self.crawler.stats.inc_value("replay/generic/articles")
        if article is not None:
            yield article

    def _owner(self) -> Any:
        if self._owner_spider is None and self.owner_cls is not None:
            self._owner_spider = self.owner_cls.from_crawler(self.crawler)
        return self._owner_spider


def _knows_its_articles(spidercls: type[Any]) -> bool:
    """Whether a spider's ``handles`` tells article pages (not just its hosts) apart."""
    own = getattr(spidercls.handles, "__func__", None)
    return own is not None and own is not ArchiveSpider.handles.__func__
