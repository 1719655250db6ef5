"""Downloader middleware that sends asked-for requests to the browser and archives what it did.

For a request to render (crawler/browser.py decides) it sets scrapy-playwright's meta:
``playwright``, a page event handler per finished request (each network exchange is written
as a response + request pair as soon as it finishes, crawler/warc/browser.py), and a last
page method that waits for the network to go quiet (``PLAYWRIGHT_IDLE_TIMEOUT`` seconds at
most) and for those writes. The WARC extension leaves scrapy-playwright's responses alone:
their body is the rendered DOM, not what the server sent.

When the page is back, the DOM the spider will read is written as a ``resource`` record
(``urn:dom:{URL}``, UTF-8) concurrent to the document's response record, and the spider
gets that DOM as an ``HtmlResponse`` in UTF-8 with ``meta["warc"]`` at the DOM record and
``meta["warc_http"]`` at the document's response record.

A rendered request whose document is not an HTML page (a PDF, which Chromium's viewer
replaces with its own page; a download; a sitemap, feed or text file) is fetched again
without the browser, so the spider and the archive get the bytes the server sent.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.http.request import NO_CALLBACK

from crawler.browser import RENDER_KEY, rendering_enabled, spider_renders, yes_no
from crawler.warc.browser import HTTP_META_KEY, BrowserArchive, Exchange, read_exchange
from crawler.warc.extension import META_KEY, WarcExtension
from crawler.warc.files import WarcRef, WarcRotator

if TYPE_CHECKING:
    from playwright.async_api import Page
    from playwright.async_api import Request as PlaywrightRequest
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

#: request.meta key of the page's :class:`PageCapture` while it is in the browser.
CAPTURE_KEY = "browser_capture"
HTML_TYPES = ("text/html", "application/xhtml+xml", "")
#: scrapy-playwright meta keys this middleware extends for the time of one download.
_PAGE_KEYS = ("playwright_page_event_handlers", "playwright_page_methods")
#: Seconds to wait for the archive writes of a page that failed.
_DRAIN_AFTER_FAILURE = 30.0
_MISSING = object()
#: meta the browser's attempt left (not the operator's download_timeout etc.).
_ATTEMPT_KEYS = {"download_latency", "download_slot", META_KEY, HTTP_META_KEY}


def _web(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


class PageCapture:
    """The network exchanges of one rendered page, archived as each one finishes."""

    def __init__(self, archive: BrowserArchive, stats: StatsCollector, idle_timeout: float) -> None:
        self.archive = archive
        self.stats = stats
        self.idle_timeout = idle_timeout
        self.tasks: list[asyncio.Future[None]] = []
        #: Main-frame navigations (redirect hops, then the document) and their records.
        self.documents: list[tuple[Exchange, WarcRef | None]] = []
        #: The scrapy-playwright meta values this capture replaced (put back afterwards).
        self.saved: dict[str, Any] = {}

    # -- page events (called by Playwright in the reactor's asyncio loop) ----------------
    def on_request_finished(self, request: PlaywrightRequest) -> None:
        if _web(request.url):
            self.tasks.append(asyncio.ensure_future(self._archive(request)))

    def on_request_failed(self, request: PlaywrightRequest) -> None:
        if _web(request.url):
            self.stats.inc_value("browser/failed")
            logger.debug("Browser request failed (%s): %s", request.failure, request.url)

    async def _archive(self, request: PlaywrightRequest) -> None:
        from playwright.async_api import Error as PlaywrightError

        try:
            navigation = request.is_navigation_request()
            document = navigation and request.frame.parent_frame is None
            ex = await read_exchange(request, document=document)
        except PlaywrightError as exc:
            self.stats.inc_value("browser/lost")
            logger.warning("Browser exchange not archived, the page went away first (%s): %s",
                           exc.message, request.url)
            return
        if ex is None:
            return
        if document and not 300 <= ex.status < 400 and ex.mime not in HTML_TYPES:
            self.documents.append((ex, None))  # not a page: fetched again without the browser
            return
        if navigation and ex.mime == "application/pdf":
            ex.body = None  # Chromium hands over its PDF viewer's page, not the PDF
        ref = self.archive.write_exchange(ex)
        if document:
            self.documents.append((ex, ref))

    # -- end of the page -------------------------------------------------------------------
    async def settle(self, page: Page) -> None:
        """Last page method: wait for the network to go quiet, then for the archive writes."""
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        try:
            await page.wait_for_load_state("networkidle", timeout=self.idle_timeout * 1000)
        except PlaywrightTimeout:
            self.stats.inc_value("browser/busy")
            logger.info("Network still busy after %g s (PLAYWRIGHT_IDLE_TIMEOUT): DOM of %s taken as is",
                        self.idle_timeout, page.url)
        await self.drain()

    async def drain(self) -> None:
        """Wait until every exchange seen so far is written (or given up)."""
        while pending := [t for t in self.tasks if not t.done()]:
            await asyncio.wait(pending)

    def document(self) -> tuple[Exchange, WarcRef | None] | None:
        """The page's document: the last main-frame navigation that is not a redirect."""
        return next(((ex, ref) for ex, ref in reversed(self.documents) if not 300 <= ex.status < 400), None)

    def attach(self, meta: dict[str, Any], spider: object) -> None:
        """Hook into scrapy-playwright through ``meta`` (the spider's own handlers/methods kept)."""
        from scrapy_playwright.page import PageMethod

        for key in _PAGE_KEYS:
            self.saved[key] = meta.get(key, _MISSING)
        handlers = dict(meta.get("playwright_page_event_handlers") or {})
        for event, mine in (("requestfinished", self.on_request_finished),
                            ("requestfailed", self.on_request_failed)):
            theirs = handlers.get(event)
            handlers[event] = mine if theirs is None else _both(theirs, mine, spider)
        meta["playwright_page_event_handlers"] = handlers
        methods = meta.get("playwright_page_methods") or []
        settle = PageMethod(self.settle)
        if isinstance(methods, dict):
            meta["playwright_page_methods"] = {**methods, "archive_settle": settle}
        else:
            meta["playwright_page_methods"] = [*methods, settle]

    def restore(self, meta: dict[str, Any]) -> None:
        """Put back the spider's own scrapy-playwright meta (ours holds closures)."""
        for key, value in self.saved.items():
            if value is _MISSING:
                meta.pop(key, None)
            else:
                meta[key] = value


def _both(theirs: Any, mine: Any, spider: object) -> Any:
    """One page event handler calling the spider's (a callable or a spider method name) and ours."""
    first = getattr(spider, theirs) if isinstance(theirs, str) else theirs

    def handler(arg: Any) -> Any:
        mine(arg)
        return first(arg)

    return handler


class BrowserMiddleware:
    """Renders the requests that ask for it and archives the browser's work (module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.enabled = rendering_enabled(crawler.settings, crawler.spider)
        self.spider_renders = spider_renders(crawler.spider)
        self.idle_timeout = crawler.settings.getfloat("PLAYWRIGHT_IDLE_TIMEOUT", 10.0)
        self.archive = BrowserArchive(self._rotator, crawler.stats)
        self._warned = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserMiddleware:
        return cls(crawler)

    def _rotator(self) -> WarcRotator | None:
        for ext in self.crawler.extensions.middlewares:
            if isinstance(ext, WarcExtension):
                return ext.rotator
        return None

    def wants(self, request: Request) -> bool:
        """Whether ``request`` is to be rendered (request meta first, then the spider)."""
        if request.callback is NO_CALLBACK or not _web(request.url):
            return False  # robots.txt and other requests that are not the spider's pages
        if RENDER_KEY in request.meta:
            return yes_no(request.meta[RENDER_KEY], f"meta {RENDER_KEY} of {request.url}")
        return bool(request.meta.get("playwright")) or self.spider_renders

    def process_request(self, request: Request) -> None:
        if not self.wants(request):
            return
        if not self.enabled:
            self.stats.inc_value("browser/not_enabled")
            if not self._warned:
                self._warned = True
                logger.error("%s asks for JavaScript rendering (meta %s) but PLAYWRIGHT_ENABLED is off: "
                             "fetched without a browser (set -s PLAYWRIGHT_ENABLED=True)", request.url,
                             RENDER_KEY)
            return
        for key in (META_KEY, HTTP_META_KEY):  # an earlier attempt's records (a retry)
            request.meta.pop(key, None)
        capture = PageCapture(self.archive, self.stats, self.idle_timeout)
        capture.attach(request.meta, self.crawler.spider)
        request.meta[CAPTURE_KEY] = capture
        request.meta["playwright"] = True
        # A 304 would leave the browser nothing to render (crawler/middlewares/conditional.py).
        request.meta.setdefault("conditional", False)
        request.meta.setdefault("playwright_context_kwargs",
                                {"ignore_https_errors": True, "service_workers": "block"})

    async def process_response(self, request: Request, response: Response) -> Response | Request:
        capture: PageCapture | None = request.meta.pop(CAPTURE_KEY, None)
        if capture is None:
            return response
        capture.restore(request.meta)
        if "playwright" not in response.flags:
            return response  # answered by another middleware (replay), not by the browser
        await capture.drain()
        found = capture.document()
        if "playwright_suggested_filename" in request.meta:
            return self._refetch(request, "a download")
        if found is not None and found[0].mime not in HTML_TYPES:
            return self._refetch(request, found[0].mime)
        if not isinstance(response, TextResponse):
            return self._refetch(request, response.headers.get("Content-Type", b"?").decode("latin-1"))
        doc_ref = found[1] if found is not None else None
        if doc_ref is None:
            self.stats.inc_value("browser/no_document")
            logger.warning("The browser's document of %s was not archived; the DOM is archived alone",
                           response.url)
        body = response.text.encode("utf-8")
        dom_ref = self.archive.write_dom(url=response.url, html=body,
                                         concurrent_to=doc_ref.record_id if doc_ref else None)
        if dom_ref is not None:
            request.meta[META_KEY] = dom_ref
        if doc_ref is not None:
            request.meta[HTTP_META_KEY] = doc_ref
        self.stats.inc_value("browser/pages")
        headers = response.headers.copy()
        headers[b"Content-Type"] = b"text/html; charset=utf-8"
        headers.pop(b"Content-Length", None)
        return response.replace(cls=HtmlResponse, body=body, headers=headers, encoding="utf-8")

    async def process_exception(self, request: Request, exception: Exception) -> None:
        capture: PageCapture | None = request.meta.pop(CAPTURE_KEY, None)
        if capture is None:
            return
        capture.restore(request.meta)
        self.stats.inc_value("browser/page_errors")
        try:
            await asyncio.wait_for(capture.drain(), _DRAIN_AFTER_FAILURE)
        except TimeoutError:
            logger.warning("Gave up waiting for the archive writes of %s after %.0f s", request.url,
                           _DRAIN_AFTER_FAILURE)

    def _refetch(self, request: Request, what: str) -> Request:
        """The same request for Scrapy's own handler (the document is not an HTML page)."""
        self.stats.inc_value("browser/refetched")
        logger.info("%s is not an HTML page (%s): fetched again without the browser", request.url, what)
        meta = {k: v for k, v in request.meta.items()
                if not k.startswith(("playwright", "redirect_")) and k not in _ATTEMPT_KEYS}
        meta[RENDER_KEY] = False
        return request.replace(meta=meta, dont_filter=True)
