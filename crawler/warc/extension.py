"""Scrapy extension that archives every download into WARC files.

It listens to ``response_downloaded``, which fires for real network downloads only,
before any downloader middleware has decompressed the body or edited the headers
(shared/STYLE.md §2), so the records hold what came off the wire: robots.txt,
redirects, errors and pages alike. A replayed response never passes here.

A page fetched again unchanged is written as a revisit record (crawler/warc/revisit.py):
with ``WARC_REVISITS`` on, the store's captures are asked for an earlier response of the
same URL with the same payload digest; a 304 answer to a conditional request is a
server-not-modified revisit of the capture the request was made against. After each
download's records are written and flushed, ``warc_written`` is sent
(crawler/warc/signals.py).

The records are written by a process of their own (``WARC_WRITER``, crawler/warc/writer.py);
:class:`WarcWait`, a downloader middleware nearest the downloader, holds each response
until its records are written, so what comes after sees the archive as it is.
"""

from __future__ import annotations

import json
import logging
import platform
import weakref
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import scrapy
import warcio
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.conf import build_component_list
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from scrapy.utils.misc import load_object
from twisted.internet import defer
from twisted.python.failure import Failure

from crawler import __version__
from crawler.browser import rendering_enabled
from crawler.config import Config
from crawler.warc import cdxj
from crawler.warc.files import WARC_VERSION, WarcRef, WarcRotator, WarcWriteError
from crawler.warc.revisit import CONDITIONAL_META, FIRST_CAPTURE_META, Original, payload_digest
from crawler.warc.signals import IDENTICAL_PAYLOAD, SERVER_NOT_MODIFIED, Written, warc_written
from crawler.warc.writer import Closed, Download, InlineWriter, ProcessWriter

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from crawler.store import Store

logger = logging.getLogger(__name__)

#: request.meta key under which the response record's WarcRef is left for the spider.
META_KEY = "warc"

#: The extension of each running crawler (for :class:`WarcWait`).
_EXTENSIONS: weakref.WeakKeyDictionary[Crawler, WarcExtension] = weakref.WeakKeyDictionary()


class WarcExtension:
    """Writes a response record and its request record for every download."""

    def __init__(self, crawler: Crawler, config: Config) -> None:
        self.crawler = crawler
        self.config = config
        self.stats = crawler.stats
        self.writer: InlineWriter | ProcessWriter | None = None
        self.closed: Closed = ([], [])
        #: Downloads handed to the writer process and not yet written (see WarcWait).
        self.pending: dict[Request, defer.Deferred[None]] = {}
        self.revisits = crawler.settings.getbool("WARC_REVISITS", True)
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcExtension:
        config = Config.from_settings(crawler.settings)
        if not config.warc_enabled:
            raise NotConfigured("WARC_ENABLED is off")
        ext = cls(crawler, config)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        _EXTENSIONS[crawler] = ext
        return ext

    @property
    def rotator(self) -> WarcRotator | None:
        """The rotator, when records are written on the crawl's thread (the browser writes through it)."""
        return self.writer.rotator if isinstance(self.writer, InlineWriter) else None

    def warcinfo(self, spider: Spider) -> dict[str, str]:
        """The warcinfo fields of every file of this crawl."""
        info = {
            "software": (
                f"nmg-news-archiver/{__version__} (Scrapy {scrapy.__version__}, "
                f"warcio {getattr(warcio, '__version__', '?')}, Python {platform.python_version()})"
            ),
            "format": f"WARC File Format {WARC_VERSION}",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "isPartOf": f"{spider.name}-{self.crawl_id}",
            "spider": spider.name,
            "robots": "obey" if self.config.robots_obey else "ignore",
            "operator": self.config.operator,
            "http-header-user-agent": self.config.user_agent,
            "hostname": platform.node(),
            "description": self.config.description or f"Archival crawl of outlet {spider.name}",
        }
        # Arguments a spider records about itself (``spider_args``), so `scrapy replay` reruns it alike.
        args = getattr(spider, "spider_args", None)
        if isinstance(args, dict) and args:
            info["spider-args"] = json.dumps({str(k): str(v) for k, v in args.items()}, ensure_ascii=False)
        return info

    def spider_opened(self, spider: Spider) -> None:
        self.crawl_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        rotator = WarcRotator(
            self.config.archive_dir,
            prefix=self.config.warc_prefix or spider.name,
            warcinfo=self.warcinfo(spider),
            max_size=self.config.warc_max_size,
        )
        if self._process_writer(spider):
            try:
                self.writer = ProcessWriter(rotator)  # forked before this process opens its store below
            except OSError as exc:  # no fork (memory, process limit): archive all the same
                logger.error("WARC records are written on the crawl's thread: no writer process (%s)", exc)
        if self.writer is None:
            self.writer = InlineWriter(rotator)
        if self.revisits:
            from crawler.store import StoreError
            from crawler.store.shared import crawl_store

            try:
                self.store = crawl_store(self.crawler)
            except StoreError as exc:
                logger.error("Revisit records off: %s (every page is archived in full)", exc)

    def _process_writer(self, spider: Spider) -> bool:
        """Whether to write from a process of its own (``WARC_WRITER``; see crawler/warc/writer.py)."""
        settings = self.crawler.settings
        if not settings.getbool("WARC_WRITER", True) or rendering_enabled(settings, spider):
            return False
        middlewares = build_component_list(settings.getwithbase("DOWNLOADER_MIDDLEWARES"))
        if not any(load_object(m) is WarcWait for m in middlewares):  # a path or the class itself
            logger.warning("WARC records are written on the crawl's thread: %s.WarcWait is not in "
                           "DOWNLOADER_MIDDLEWARES (responses would not wait for their records)", __name__)
            return False
        return True

    async def spider_closed(self, spider: Spider) -> None:
        if self.writer is None:
            return
        try:
            self.closed = await maybe_deferred_to_future(self.writer.close())
        except WarcWriteError as exc:  # the writer process died: its files are left .open
            logger.error("WARC files not closed: %s", exc)
            return
        files = [str(p) for p in self.closed[0]]
        self.stats.set_value("warc/files", len(files))
        logger.info("WARC files written: %s", ", ".join(files) or "none")
        self.merge_index(spider)

    def merge_index(self, spider: Spider) -> None:
        """Merge the per-file CDXJ sidecars into ``indexes/{crawl}.cdxj``, sorted; drop them."""
        sidecars = self.closed[1]
        if not sidecars:
            return
        out = self.config.archive_dir / "indexes" / f"{spider.name}-{self.crawl_id}.cdxj"
        try:
            lines = cdxj.merge(sidecars, out)
        except OSError as exc:  # a full disk: the per-file indexes stay, complete, beside the WARCs
            logger.error("CDXJ index %s not written (%s); the per-file indexes %s are kept",
                         out, exc, ", ".join(p.name for p in sidecars))
            return
        for path in sidecars:
            path.unlink()
        self.stats.set_value("warc/index_lines", lines)
        logger.info("CDXJ index: %s (%d lines)", out, lines)

    def _original(self, response: Response, request: Request, digest: str, truncated: str | None
                  ) -> tuple[Original | None, str | None]:
        """The earlier capture this download revisits, and the revisit profile; or (None, None)."""
        conditional = request.meta.get(CONDITIONAL_META)
        if response.status == 304 and isinstance(conditional, Original):
            return conditional, SERVER_NOT_MODIFIED
        if self.store is None or truncated or not response.body or not 200 <= response.status < 300:
            return None, None
        if request.meta.get(FIRST_CAPTURE_META) and request.url == response.url:
            return None, None  # the store had no capture of this URL when the request left
        from crawler.store import StoreError

        try:
            found = self.store.original_capture(response.url, digest)
        except StoreError as exc:
            logger.error("Revisit look-up failed, archiving %s in full: %s", response.url, exc)
            return None, None
        if found is None:
            return None, None
        return Original(found.record_id, found.url, found.fetched_at, found.payload_digest), IDENTICAL_PAYLOAD

    def write_failed(self, exc: WarcWriteError, url: str) -> None:
        """A WARC write failed (disk full, I/O error): say so once and stop the crawl cleanly.

        The rotator closed the file after its last complete record. A signal handler's
        exception is swallowed by ``send_catch_log``, so the spider is closed here (reason
        ``disk_full`` or ``warc_write_error``); responses still in flight are not archived,
        and the store pipeline does not store their articles.
        """
        self.stats.inc_value("warc/write_errors")
        if self.stats.get_value("warc/write_error") is not None:
            logger.error("Not archived (WARC writing stopped): <%s>", url)
            return
        reason = "disk_full" if exc.disk_full else "warc_write_error"
        self.stats.set_value("warc/write_error", str(exc))
        logger.error("WARC writing failed at <%s>: %s. Stopping the crawl (%s): what was archived "
                     "is kept; free space and run the crawl again.", url, exc, reason)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        """Hand one exchange to the writer; :class:`WarcWait` holds the response until it is written."""
        if self.writer is None:  # pragma: no cover - signal before spider_opened
            return
        if "playwright" in response.flags:
            return  # a rendered DOM, not what the server sent: crawler/browser_capture.py archives it
        latency = float(request.meta.get("download_latency") or 0.0)
        started = datetime.now(UTC) - timedelta(seconds=latency)
        truncated = "disconnect" if "dataloss" in response.flags else None
        digest = payload_digest(response.body)
        original, profile = self._original(response, request, digest, truncated)
        if profile == SERVER_NOT_MODIFIED:
            assert original is not None
            digest = original.payload_digest or ""
        download = Download(
            url=response.url, date=started, status=response.status, protocol=response.protocol,
            response_headers=list(response.headers.items()), response_body=response.body,
            method=request.method, request_url=request.url, request_headers=list(request.headers.items()),
            request_body=request.body, ip_address=str(response.ip_address) if response.ip_address else None,
            truncated=truncated, original=original, profile=profile,
            digest=digest if profile == IDENTICAL_PAYLOAD else None,
        )
        writing = self.writer.write(download)
        writing.addCallbacks(self._written, self._failed, callbackArgs=(download, digest, response, request,
                                                                         spider), errbackArgs=(request,))
        if not writing.called:
            self.pending[request] = writing

    def _failed(self, failure: Failure, request: Request) -> None:
        self.pending.pop(request, None)
        failure.trap(WarcWriteError)
        self.write_failed(failure.value, request.url)

    def _written(self, refs: list[WarcRef], download: Download, digest: str, response: Response,
                 request: Request, spider: Spider) -> None:
        """Leave the record's location in ``request.meta``, count it, send ``warc_written``."""
        self.pending.pop(request, None)
        original, profile, truncated = download.original, download.profile, download.truncated
        request.meta[META_KEY] = refs[0]
        self.stats.inc_value("warc/records", 2)
        self.stats.inc_value("warc/bytes", sum(r.length for r in refs))
        if original is not None:
            self.stats.inc_value("warc/revisits")
            self.stats.inc_value("warc/revisits/" + ("not_modified" if profile == SERVER_NOT_MODIFIED
                                                     else "identical"))
        if truncated:
            self.stats.inc_value("warc/truncated")
            logger.warning("Truncated response archived with WARC-Truncated: %s <%s>",
                           truncated, response.url)
        written = Written(
            url=response.url, date=download.date, status=response.status,
            record_type="response" if original is None else "revisit", ref=refs[0], request_ref=refs[1],
            payload_digest=digest or None, profile=profile,
            refers_to=original.record_id if original else None, truncated=truncated,
        )
        self.crawler.signals.send_catch_log(signal=warc_written, written=written, response=response,
                                            request=request, spider=spider)


class WarcWait:
    """Downloader middleware nearest the downloader: a response goes on once it is archived.

    With the writer in its own process (crawler/warc/writer.py), a download's records are
    written while the crawl goes on; everything after this middleware (redirects, the
    spider, the capture rows) finds the record's location in ``request.meta`` as before.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcWait:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Response:
        extension = _EXTENSIONS.get(self.crawler)
        writing = extension.pending.pop(request, None) if extension is not None else None
        if writing is not None:
            await maybe_deferred_to_future(writing)
        return response
