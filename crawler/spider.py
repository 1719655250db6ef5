"""What every outlet spider shares: decoding, provenance, drift warnings, error counting,
and (``PagedArticleSpider``) articles that run over several pages."""

from __future__ import annotations

import codecs
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy.http import HtmlResponse, TextResponse

from crawler.config import file_part
from crawler.distributed import is_distributed
from crawler.encoding import Decoded, decode_html
from crawler.extract.generic import generic_article
from crawler.extract.images import find_images
from crawler.items import Article
from crawler.warc.browser import HTTP_META_KEY
from crawler.warc.extension import META_KEY

if TYPE_CHECKING:
    from twisted.python.failure import Failure

    from crawler.warc.files import WarcRef

logger = logging.getLogger(__name__)

#: Gives the response for a later page of an article (``scrapy extract``, evaluation), or None.
Fetch = Callable[[str], "scrapy.http.Response | None"]


class DecodedPage(HtmlResponse):
    """An HtmlResponse whose selector does not point back at it.

    Scrapy's ``Selector`` keeps its response (``selector.response``) and the response caches
    its selector: a reference cycle, so every parsed page (its body, its text, its lxml tree)
    waited for the cyclic garbage collector instead of going when its callback returned. In
    the benchmark's end-to-end crawl that was about half of the crawl process's collector time
    (docs/performance.md). Nothing reads ``selector.response`` once the selector is built.
    """

    @property
    def selector(self) -> scrapy.Selector:
        selector = super().selector
        selector.response = None
        return selector


def decode_response(response: scrapy.http.Response) -> tuple[TextResponse, Decoded]:
    """The response re-decoded with :func:`crawler.encoding.decode_html` (no crawl needed)."""
    ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
    result = decode_html(response.body, ctype)
    page = DecodedPage(url=response.url, status=response.status, headers=response.headers,
                       body=response.body, encoding=result.charset, request=response.request,
                       flags=response.flags)
    return page, result


#: Control bytes other than tab, LF, FF and CR.
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in (9, 10, 12, 13))


def unreadable_body(body: bytes) -> str | None:
    """Why ``body`` cannot be read as a page (empty, binary), or None when it can.

    Binary: over 1% of the first 8 kB are control bytes other than tab, CR, LF and FF (text
    has next to none; random bytes about 11%) and those bytes are neither UTF-8 nor GB18030
    (a page with stray control characters is still text). UTF-16 (with a BOM) is text.
    """
    if not body.strip():
        return "empty body"
    head = body[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))  # C, not a loop over bytes
    if controls > len(head) // 100 and not any(_decodes(head, c) for c in ("utf-8", "gb18030")):
        return f"binary content: {controls} control bytes in the first {len(head)}"
    return None


def _decodes(head: bytes, charset: str) -> bool:
    """Whether ``head`` is valid ``charset`` (a character cut at its end is fine)."""
    try:
        codecs.getincrementaldecoder(charset)().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


class ArchiveSpider(scrapy.Spider):
    """Base of the outlet spiders.

    Subclasses set ``name``, ``outlet_names`` (how the outlet calls itself in bylines
    and 来源 lines) and parse pages; they build items with :meth:`new_article`.

    **One article page without a crawl.** ``scrapy extract`` and ``scripts/evaluate.py``
    read an archived or stored page with the outlet's own rules through two classmethods,
    which every outlet spider implements (the crawl callbacks call the same code, so
    both paths give the same Article):

    * ``handles(url) -> bool``: whether ``url`` is one of the outlet's article pages
      (default: its host is in ``allowed_domains``); the generic path reads the rest.
    * ``extract_page(response, fetch=None) -> Article | None``: the Article of one
      article page, *unfinished* (selector fields, ``body_html``, ``images``; the
      pipeline's :func:`crawler.extract.article.finish` does the rest), built with
      :meth:`article_for`. A multi-page article asks ``fetch(url)`` for each later page
      (a response, or None: then flag ``incomplete-pages``). Return None when the
      outlet's markup does not match (template drift): the caller falls back to the
      generic extractor and flags ``drift``. A spider without page rules (``site``)
      does not define it: callers test ``getattr(cls, "extract_page", None)``.

    The response may not come from a crawl: decode it with :func:`decode_response`,
    use no ``self``/``crawler``, and read ``response.meta`` only through :meth:`attach`.
    """

    outlet_names: tuple[str, ...] = ()
    #: Render every page in headless Chromium (``-a render_js=1`` too; docs/javascript.md).
    render_js: bool | str = False

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        """The spider, remembering its ``-a`` arguments (warcinfo ``spider-args``, for replay)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        # ``-a name=…`` renames a Scrapy spider; the name is part of WARC, index and stats file names.
        file_part(spider.name, "spider name (-a name)")
        spider.spider_args = dict(kwargs)
        return spider

    @property
    def distributed(self) -> bool:
        """Whether this crawl shares its queue with other workers (``REDIS_URL``, crawler/distributed).

        Requests that must stay with this worker (state kept in the spider's memory) carry
        ``meta[crawler.distributed.META_LOCAL]``; all others may be fetched by any worker.
        """
        crawler = getattr(self, "crawler", None)
        return crawler is not None and is_distributed(crawler.settings)

    @classmethod
    def handles(cls, url: str) -> bool:
        """Whether ``url`` belongs to this outlet (its host is in ``allowed_domains``)."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in getattr(cls, "allowed_domains", ()) or ())

    @classmethod
    def article_for(cls, response: scrapy.http.Response, decoded: Decoded, **fields: Any) -> Article:
        """An Article of this outlet for ``response`` with provenance (crawl or not)."""
        article = Article(url=response.url, outlet=cls.name, pages=[response.url], **fields)
        return cls.attach(article, response, decoded)

    def decoded(self, response: scrapy.http.Response) -> tuple[TextResponse, Decoded]:
        """The response re-decoded with :func:`crawler.encoding.decode_html`."""
        page, result = decode_response(response)
        if result.lossy:
            self.crawler.stats.inc_value(f"decode/lossy/{self.name}")
            logger.warning("No charset decodes %s cleanly; text is lossy (%s)",
                           response.url, result.reason)
        return page, result

    def new_article(self, response: scrapy.http.Response, decoded: Decoded, **fields: Any) -> Article:
        """An Article carrying the page's WARC provenance and decoding decision."""
        return self.article_for(response, decoded, **fields)

    def generic(self, response: scrapy.http.Response, page: TextResponse, decoded: Decoded) -> Article:
        """The generic extractor's Article for a page the outlet rules cannot read."""
        article = generic_article(page, decoded, outlet=self.name, url=response.url)
        return self.attach(article, response, decoded)

    @staticmethod
    def attach(article: Article, response: scrapy.http.Response, decoded: Decoded) -> Article:
        """Record where the article came from: WARC record and charset decision."""
        try:
            ref: WarcRef | None = response.meta.get(META_KEY)
        except AttributeError:  # a response built outside a crawl, without a request
            ref = None
        article.charset, article.charset_reason = decoded.charset, decoded.reason
        if decoded.lossy and "lossy-decode" not in article.flags:
            article.flags.append("lossy-decode")
        if ref is not None:
            article.warc_file, article.warc_offset, article.warc_record_id = (
                ref.file, ref.offset, ref.record_id)
            if response.meta.get(HTTP_META_KEY) is not None and "rendered" not in article.flags:
                article.flags.append("rendered")  # ref is the DOM record (docs/javascript.md)
        return article

    def unreadable(self, response: scrapy.http.Response) -> bool:
        """An empty or binary body (under any Content-Type) is archived but not extracted."""
        why = unreadable_body(response.body)
        if why is None:
            return False
        self.crawler.stats.inc_value(f"pages/unreadable/{self.name}")
        logger.warning("Not an HTML page (%s) at %s: archived, not extracted", why, response.url)
        return True

    def is_truncated(self, response: scrapy.http.Response) -> bool:
        """A page cut short is archived but not extracted (it would store half a story)."""
        if "dataloss" in response.flags:
            self.crawler.stats.inc_value(f"pages/truncated/{self.name}")
            logger.error("Truncated response from %s: archived, not extracted", response.url)
            return True
        return False

    def drift(self, response: scrapy.http.Response, what: str) -> None:
        """Say loudly that the outlet's markup no longer matches what the spider expects."""
        self.crawler.stats.inc_value(f"drift/{self.name}")
        logger.warning("Template drift at %s (%s): %s; falling back to generic extraction",
                       self.name, response.url, what)

    def on_error(self, failure: Failure) -> None:
        """Errback: one clear line and a counter per failed request; the crawl goes on."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        response = getattr(failure.value, "response", None)
        kind = f"http_{response.status}" if response is not None else failure.type.__name__
        self.crawler.stats.inc_value(f"errors/{self.name}/{kind}")
        # A dead link is the site's doing, not a fault of the crawl.
        level = logging.WARNING if kind in ("http_404", "http_410") else logging.ERROR
        logger.log(level, "Request failed (%s): %s", kind, url)


@dataclass
class PageFields:
    """What an outlet's article template reads off one page (``body`` None: nothing read)."""

    title: str
    published_raw: str | None
    source: str | None
    editor: str | None
    body: Selector | None


class Template(Protocol):
    """An article template: reads a page in its markup, None for any other page."""

    @staticmethod
    def read(page: TextResponse) -> PageFields | None: ...


class PagedArticleSpider(ArchiveSpider):
    """Base of outlet spiders whose articles may run over several pages linked by a pager.

    A subclass sets ``templates`` (tried in order; the first that reads a page wins) and
    ``drift_what`` (the drift message when none does), and implements the hooks:

    * ``_next_page(page) -> str | None``: the absolute URL of the page after ``page``;
    * ``_title(title) -> str``: the template's title cleaned (default: as read);
    * ``_section(page) -> str | None``: the column, from the breadcrumb (default: None).

    ``_first_page(response, page, decoded, fields)`` (the first page's Article) and
    ``_add_page(article, page, fields)`` (a later page's body, its new images and the editor
    if still missing) may be overridden. In return the subclass gets the crawl callbacks
    ``parse_article`` → ``parse_more`` (errback ``more_failed``) and the crawl-less
    ``extract_page``: both walk the pages the same way, stop at a page the article has
    already, and flag ``incomplete-pages`` when a later page fails or is truncated, keeping
    what was read.
    """

    templates: ClassVar[tuple[type[Template], ...]] = ()
    drift_what: ClassVar[str] = "no article template matches"

    # -- hooks -------------------------------------------------------------------------
    @staticmethod
    def _next_page(page: TextResponse) -> str | None:
        raise NotImplementedError

    @staticmethod
    def _title(title: str) -> str:
        return title

    @staticmethod
    def _section(page: TextResponse) -> str | None:
        return None

    @classmethod
    def _first_page(cls, response: scrapy.http.Response, page: TextResponse, decoded: Decoded,
                    fields: PageFields) -> Article:
        """The Article of an article's first page, as its template read it."""
        article = cls.article_for(
            response, decoded, title=cls._title(fields.title), section=cls._section(page),
            published_raw=fields.published_raw, source=fields.source, editor=fields.editor,
        )
        if fields.body is not None:
            article.body_html.append(fields.body.get())
            article.images.extend(find_images(fields.body, page.url))
        return article

    @classmethod
    def _fields(cls, page: TextResponse) -> PageFields | None:
        """What the first matching template reads off the page, or None (drift)."""
        return next((f for f in (t.read(page) for t in cls.templates) if f is not None), None)

    @staticmethod
    def _add_page(article: Article, page: TextResponse, fields: PageFields) -> None:
        """A later page's body, new images and (if still missing) editor join the article."""
        if fields.body is not None:
            article.body_html.append(fields.body.get())
            seen = {x.url for x in article.images}
            for image in find_images(fields.body, page.url):
                if image.url not in seen:
                    seen.add(image.url)
                    article.images.append(image)
        if not article.editor and fields.editor:
            article.editor = fields.editor

    # -- without a crawl -----------------------------------------------------------------
    @classmethod
    def extract_page(cls, response: scrapy.http.Response, fetch: Fetch | None = None) -> Article | None:
        """One article (all its pages, through ``fetch``) without a crawl; None on drift."""
        page, decoded = decode_response(response)
        fields = cls._fields(page)
        if fields is None or fields.body is None:
            return None
        article = cls._first_page(response, page, decoded, fields)
        nxt = cls._next_page(page)
        while nxt and nxt not in article.pages:
            more = fetch(nxt) if fetch is not None else None
            if more is None:
                article.flags.append("incomplete-pages")
                break
            article.pages.append(more.url)
            more_page, _ = decode_response(more)
            more_fields = cls._fields(more_page)
            if more_fields is not None:
                cls._add_page(article, more_page, more_fields)
            nxt = cls._next_page(more_page)
        return article

    # -- in a crawl ----------------------------------------------------------------------
    def _read(self, response: scrapy.http.Response) -> tuple[TextResponse, Decoded, PageFields]:
        page, decoded = self.decoded(response)
        fields = self._fields(page)
        if fields is not None:
            return page, decoded, fields
        self.drift(response, self.drift_what)
        return page, decoded, PageFields(title="", published_raw=None, source=None, editor=None, body=None)

    def parse_article(self, response: scrapy.http.Response) -> Iterator[Article | scrapy.Request]:
        """First page of an article: fields, body, then the next page if any."""
        if self.is_truncated(response) or self.unreadable(response):
            return
        page, decoded, fields = self._read(response)
        if fields.body is None:
            article = self.generic(response, page, decoded)
            article.flags.append("drift")
        else:
            article = self._first_page(response, page, decoded, fields)
        yield from self._continue(page, article)

    def _continue(self, page: TextResponse, article: Article) -> Iterator[Article | scrapy.Request]:
        nxt = self._next_page(page)
        if nxt and nxt not in article.pages:
            yield scrapy.Request(nxt, callback=self.parse_more, errback=self.more_failed,
                                 cb_kwargs={"article": article})
        else:
            yield article

    def parse_more(self, response: scrapy.http.Response, article: Article
                   ) -> Iterator[Article | scrapy.Request]:
        """A later page of a multi-page article: its body joins the first page's."""
        article.pages.append(response.url)
        if self.is_truncated(response) or self.unreadable(response):
            article.flags.append("incomplete-pages")
            yield article
            return
        page, _decoded, fields = self._read(response)
        self._add_page(article, page, fields)
        yield from self._continue(page, article)

    def more_failed(self, failure: Failure) -> Iterator[Article]:
        """A later page failed: keep what we have, flagged, rather than lose the article."""
        self.on_error(failure)
        article: Article = failure.request.cb_kwargs["article"]  # type: ignore[attr-defined]
        article.flags.append("incomplete-pages")
        yield article
