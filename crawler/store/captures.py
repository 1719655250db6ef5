"""Scrapy extension that records every capture in the store as the WARC writer writes it.

It listens to ``warc_written`` (crawler/warc/signals.py), sent after a download's records
are written and flushed, and records the response or revisit record in ``captures``: URL,
time, status, WARC file, offset, length, record id, payload digest, revisit profile and
original, and the headers later crawls need (``ETag``, ``Last-Modified`` for conditional
requests; ``Location`` of redirects). A 404/410 or a redirect to the home page of a
stored article marks it gone, a later answer clears the mark (crawler/store/capture_rows.py).

Off with ``STORE_CAPTURES_ENABLED = False`` (and when ``WARC_ENABLED`` is off: nothing is
written to record). A store that fails is logged and counted (``captures/errors``); the
archive is never held back by it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler.store.capture_rows import CaptureRow
from crawler.store.errors import StoreError
from crawler.store.shared import crawl_store
from crawler.warc.signals import SERVER_NOT_MODIFIED, Written, warc_written

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from crawler.store import Store

logger = logging.getLogger(__name__)


def _header(headers: Any, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1").strip() if value else None


class CaptureRecorder:
    """Records captures and gone marks (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self._store: Store | None = None
        self._broken = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureRecorder:
        settings = crawler.settings
        if not settings.getbool("STORE_CAPTURES_ENABLED", True):
            raise NotConfigured("STORE_CAPTURES_ENABLED is off")
        if not settings.getbool("WARC_ENABLED", True):
            raise NotConfigured("WARC_ENABLED is off: no captures to record")
        recorder = cls(crawler)
        crawler.signals.connect(recorder.written, signal=warc_written)
        return recorder

    def _open(self) -> Store | None:
        if self._store is None and not self._broken:
            try:
                self._store = crawl_store(self.crawler)
            except StoreError as exc:
                self._broken = True
                logger.error("Captures not recorded: %s", exc)
        return self._store

    @staticmethod
    def row(written: Written, response: Response, request: Request, spider_name: str) -> CaptureRow:
        """The ``captures`` row of one download."""
        headers = response.headers
        etag, last_modified = _header(headers, b"ETag"), _header(headers, b"Last-Modified")
        if written.profile == SERVER_NOT_MODIFIED:
            # What the server confirmed: the validators the request carried, unless it sent new ones.
            etag = etag or _header(request.headers, b"If-None-Match")
            last_modified = last_modified or _header(request.headers, b"If-Modified-Since")
        return CaptureRow(
            url=written.url, fetched_at=written.date, status=written.status, record_type=written.record_type,
            warc_file=written.ref.file, warc_offset=written.ref.offset, warc_length=written.ref.length,
            record_id=written.ref.record_id, payload_digest=written.payload_digest, profile=written.profile,
            refers_to=written.refers_to, content_type=_header(headers, b"Content-Type"), etag=etag,
            last_modified=last_modified, location=_header(headers, b"Location"), truncated=written.truncated,
            spider=spider_name,
        )

    def written(self, written: Written, response: Response, request: Request, spider: Spider) -> None:
        """``warc_written`` handler: record the capture (one transaction)."""
        store = self._open()
        if store is None:
            return
        try:
            _, event = store.record_capture(self.row(written, response, request, spider.name))
        except StoreError as exc:
            self.stats.inc_value("captures/errors")
            logger.error("Capture not recorded (it is in the archive): %s", exc)
            return
        self.stats.inc_value("captures/recorded")
        if event == "gone":
            self.stats.inc_value("store/gone")
            logger.warning("Article gone: %s answered %d%s", written.url, written.status,
                           f" -> {_header(response.headers, b'Location')}" if written.status < 400 else "")
        elif event == "back":
            self.stats.inc_value("store/back")
            logger.info("Article back: %s answered %d again", written.url, written.status)
