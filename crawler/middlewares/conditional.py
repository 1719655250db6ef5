"""Conditional requests: ask a server whether a page changed since the last capture.

A downloader middleware. Before a GET goes out, the store's latest capture of its URL is
looked up; if that was a complete 200 (or a 304) whose payload is in the archive and the
server gave validators, the request carries ``If-None-Match`` (the ``ETag``) and/or
``If-Modified-Since`` (the ``Last-Modified``), and remembers the capture
(``request.meta[CONDITIONAL_META]``).

How a 304 reaches the spider: the WARC writer archives it first (``response_downloaded``
fires before any ``process_response``) as a server-not-modified revisit of that capture.
Then this middleware answers the request with the archived response (the original's
status, headers and body as received, flagged ``not-modified``): Scrapy's
HttpErrorMiddleware would drop a 304, and a list page must still give its links. The URL is
added to :func:`not_modified_urls`; ``pipelines/not_modified.py`` then treats an article
whose pages were all answered 304 as unchanged: ``last_seen`` is marked and it is not
extracted again. If the archived record cannot be read, the request is sent again without
validators (``conditional/refetched``).

Settings: ``CONDITIONAL_ENABLED`` (default True). Off in a replay (``REPLAY_PATHS``) and
without an archive (``WARC_ENABLED`` off). ``request.meta["conditional"] = False`` skips one
request. Stats: ``conditional/sent``, ``conditional/not_modified``, ``conditional/refetched``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from scrapy.exceptions import NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator

from crawler.config import Config
from crawler.store.errors import StoreError
from crawler.store.shared import crawl_store
from crawler.warc.files import OPEN_SUFFIX
from crawler.warc.revisit import CONDITIONAL_META, FIRST_CAPTURE_META, Original
from crawler.warc.signals import Written, warc_written

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from crawler.store import Store
    from crawler.store.capture_rows import CaptureRef
    from crawler.store.captured_urls import CapturedUrls

logger = logging.getLogger(__name__)

#: request.meta key: where the payload of the capture a conditional request was made against is.
PAYLOAD_META = "conditional_payload"
VALIDATORS = (b"If-None-Match", b"If-Modified-Since")
NOT_MODIFIED_FLAG = "not-modified"

_NOT_MODIFIED: WeakKeyDictionary[Crawler, set[str]] = WeakKeyDictionary()


def not_modified_urls(crawler: Crawler) -> set[str]:
    """URLs answered 304 Not Modified in this crawl (and served from the archive)."""
    return _NOT_MODIFIED.setdefault(crawler, set())


class ArchivedRecordError(Exception):
    """An archived response cannot be read back; the message names file and offset."""


def archived_response(archive_dir: Path, capture: CaptureRef, request: Request) -> Response:
    """The response a capture's response record holds, as received (body still content-coded)."""
    path = archive_dir / capture.warc_file
    if not path.exists():
        path = path.with_name(path.name + OPEN_SUFFIX)  # written earlier in this same crawl
    where = f"{capture.warc_file} @{capture.warc_offset}"
    try:
        with path.open("rb") as fh:
            fh.seek(capture.warc_offset)
            record = next(iter(ArchiveIterator(fh)))
            if record.rec_headers.get_header("WARC-Record-ID") != capture.record_id:
                raise ArchivedRecordError(f"{where}: not record {capture.record_id}")
            http = record.http_headers
            body = record.raw_stream.read()
    except (OSError, StopIteration, ValueError) as exc:
        raise ArchivedRecordError(f"{where}: {type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # warcio's own parse errors have no common base
        raise ArchivedRecordError(f"{where}: {type(exc).__name__}: {exc}") from exc
    if http is None or not (http.get_statuscode() or "").isdigit():
        raise ArchivedRecordError(f"{where}: no HTTP response in the record")
    headers = Headers([(k.encode("latin-1"), v.encode("latin-1")) for k, v in http.headers])
    cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
    return cls(url=request.url, status=int(http.get_statuscode()), headers=headers, body=body,
               request=request, flags=[NOT_MODIFIED_FLAG], protocol=http.protocol or None)


class ConditionalMiddleware:
    """See the module docstring."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.archive_dir = Config.from_settings(crawler.settings).archive_dir
        self._store: Store | None = None
        self._broken = False
        self._captured: CapturedUrls | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalMiddleware:
        settings = crawler.settings
        if not settings.getbool("CONDITIONAL_ENABLED", True):
            raise NotConfigured("CONDITIONAL_ENABLED is off")
        if settings.getlist("REPLAY_PATHS"):
            raise NotConfigured("a replay asks no server")
        if not settings.getbool("WARC_ENABLED", True):
            raise NotConfigured("WARC_ENABLED is off: a 304 could not be answered from the archive")
        middleware = cls(crawler)
        crawler.signals.connect(middleware.written, signal=warc_written)
        return middleware

    def written(self, written: Written, **_: Any) -> None:
        """``warc_written``: the URL has a capture now."""
        if self._captured is not None:
            self._captured.add(written.url)

    def _open(self) -> Store | None:
        if self._store is None and not self._broken:
            try:
                store = crawl_store(self.crawler)
                self._captured = store.captured_urls()
                self._store = store
            except StoreError as exc:
                self._broken = True
                logger.error("Conditional requests off: %s", exc)
        return self._store

    def _basis(self, request: Request) -> CaptureRef | None:
        """The capture whose payload a 304 for the request's URL would confirm, if it has
        validators. Marks a URL the store has never captured (FIRST_CAPTURE_META)."""
        store = self._open()
        if store is None:
            return None
        url = request.url
        if self._captured is not None and url not in self._captured:
            request.meta[FIRST_CAPTURE_META] = True
            return None
        try:
            latest = store.latest_capture(url)
            if latest is None:
                request.meta[FIRST_CAPTURE_META] = True
                return None
            if latest.status not in (200, 304) or not (latest.etag or latest.last_modified):
                return None
            payload = store.payload_capture(latest)
        except StoreError as exc:
            logger.error("No conditional request for %s: %s", url, exc)
            return None
        if payload is None or payload.truncated or payload.status != 200:
            return None
        return latest if latest.record_id == payload.record_id else _with_validators(payload, latest)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """Add validators from the latest capture of the URL (see the module docstring)."""
        request.meta.pop(FIRST_CAPTURE_META, None)  # a redirect's copy of meta speaks of another URL
        if request.method != "GET" or request.meta.get("conditional") is False:
            return
        if any(name in request.headers for name in VALIDATORS):
            return
        basis = self._basis(request)
        if basis is None:
            return
        if basis.etag:
            request.headers[b"If-None-Match"] = basis.etag
        if basis.last_modified:
            request.headers[b"If-Modified-Since"] = basis.last_modified
        request.meta[CONDITIONAL_META] = Original(basis.record_id, basis.url, basis.fetched_at,
                                                  basis.payload_digest)
        request.meta[PAYLOAD_META] = basis
        self.stats.inc_value("conditional/sent")

    def process_response(self, request: Request, response: Response, spider: Spider | None = None
                         ) -> Response | Request:
        """A 304 to our conditional request: answer with the archived response."""
        basis = request.meta.get(PAYLOAD_META)
        if response.status != 304 or basis is None:
            return response
        try:
            archived = archived_response(self.archive_dir, basis, request)
        except ArchivedRecordError as exc:
            logger.error("304 for %s but its archived response cannot be read (%s): fetching it again",
                         request.url, exc)
            self.stats.inc_value("conditional/refetched")
            return _unconditional(request)
        not_modified_urls(self.crawler).add(request.url)
        self.stats.inc_value("conditional/not_modified")
        logger.debug("Not modified since %s: %s", basis.fetched_at, request.url)
        return archived


def _with_validators(payload: CaptureRef, latest: CaptureRef) -> CaptureRef:
    """The payload capture carrying the latest capture's validators (a 304's revisit has them)."""
    from dataclasses import replace

    return replace(payload, etag=latest.etag, last_modified=latest.last_modified)


def _unconditional(request: Request) -> Request:
    """The request again, without validators."""
    meta: dict[str, Any] = {k: v for k, v in request.meta.items()
                            if k not in (CONDITIONAL_META, PAYLOAD_META)}
    meta["conditional"] = False
    again = request.replace(meta=meta, dont_filter=True)
    for name in VALIDATORS:
        if name in again.headers:
            del again.headers[name]
    return again
