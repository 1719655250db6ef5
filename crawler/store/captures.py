"""Scrapy extension that records every capture in the store as the WARC writer writes it.

It listens to ``warc_written`` (crawler/warc/signals.py), sent after a download's records
are written and flushed, and records the response or revisit record in ``captures``: URL,
time, status, WARC file, offset, length, record id, payload digest, revisit profile and
original, and the headers later crawls need (``ETag``, ``Last-Modified`` for conditional
requests; ``Location`` of redirects). A 404/410 or a redirect to the home page of a
stored article marks it gone, a later answer clears the mark (crawler/store/capture_rows.py).

Rows are written in batches, one transaction for up to ``CAPTURES_BATCH`` of them or every
``CAPTURES_FLUSH_SECONDS`` (a transaction per page was a third of an archive-only crawl's
time, docs/performance.md); before an article is stored, the store pipeline flushes them
(:func:`flush_captures`: what it stores cites its capture), and the crawl's end flushes the
rest. A kill -9 loses at most the rows of that last moment: their records are in the WARC.

Off with ``STORE_CAPTURES_ENABLED = False`` (and when ``WARC_ENABLED`` is off: nothing is
written to record). A store that fails is logged and counted (``captures/errors``); the
archive is never held back by it.
"""

from __future__ import annotations

import logging
import time
import weakref
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from crawler.store.capture_rows import CaptureRow
from crawler.store.errors import StoreError
from crawler.store.shared import crawl_store, crawl_writer
from crawler.store.writer import WriterCalls
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


#: The recorder of each running crawler (for :func:`flush_captures`).
_RECORDERS: weakref.WeakKeyDictionary[Crawler, CaptureRecorder] = weakref.WeakKeyDictionary()


def flush_captures(crawler: Crawler) -> None:
    """Write the captures the crawler's recorder holds (if any) now."""
    recorder = _RECORDERS.get(crawler)
    if recorder is not None:
        recorder.flush()


class CaptureRecorder:
    """Records captures and gone marks (see the module docstring)."""

    def __init__(self, crawler: Crawler, batch: int = 64, seconds: float = 0.5) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.batch = batch
        self.seconds = seconds
        self._store: Store | None = None
        self._broken = False
        self._pending: list[tuple[CaptureRow, str | None]] = []  # (row, Location for the log)
        self._since = 0.0
        self._timer: LoopingCall | None = None
        #: Batches in the writer process, with what to count and log when they are written.
        self._writes: WriterCalls[list[tuple[CaptureRow, str | None]]] = WriterCalls(self._written)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureRecorder:
        settings = crawler.settings
        if not settings.getbool("STORE_CAPTURES_ENABLED", True):
            raise NotConfigured("STORE_CAPTURES_ENABLED is off")
        if not settings.getbool("WARC_ENABLED", True):
            raise NotConfigured("WARC_ENABLED is off: no captures to record")
        batch = settings.getint("CAPTURES_BATCH", 64)
        seconds = settings.getfloat("CAPTURES_FLUSH_SECONDS", 0.5)
        if batch < 1 or seconds <= 0:
            raise ValueError(f"CAPTURES_BATCH={batch!r} must be at least 1 and "
                             f"CAPTURES_FLUSH_SECONDS={seconds!r} above 0")
        recorder = cls(crawler, batch, seconds)
        crawler.signals.connect(recorder.written, signal=warc_written)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        _RECORDERS[crawler] = recorder
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        self._timer = LoopingCall(self._flush_old)
        self._timer.start(self.seconds, now=False)

    def spider_closed(self, spider: Spider) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.flush()
        self._writes.drain()

    def _flush_old(self) -> None:
        if self._pending and time.monotonic() - self._since >= self.seconds:
            self.flush()

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
        """``warc_written`` handler: queue the capture; write the batch when it is full."""
        if self._open() is None:
            return
        if not self._pending:
            self._since = time.monotonic()
        self._pending.append((self.row(written, response, request, spider.name),
                              _header(response.headers, b"Location")))
        if len(self._pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Write the queued captures in one transaction (in the store writer process when the
        crawl has one: crawler/store/writer.py); count and log what they said."""
        pending, self._pending = self._pending, []
        if not pending or self._store is None:
            return
        rows = [row for row, _ in pending]
        writer = crawl_writer(self.crawler)
        if writer is None:
            try:
                events = self._store.record_captures(rows)
            except StoreError as exc:
                self._failed(pending, exc)
            else:
                self._recorded(pending, events)
            return
        self._writes.submit(writer, pending, "record_captures", rows)

    def _written(self, pending: list[tuple[CaptureRow, str | None]], outcome: Any) -> None:
        """A batch the writer process wrote (or failed to)."""
        if isinstance(outcome, BaseException):
            self._failed(pending, outcome)
        else:
            self._recorded(pending, outcome)

    def _failed(self, pending: list[tuple[CaptureRow, str | None]], exc: BaseException) -> None:
        self.stats.inc_value("captures/errors", len(pending))
        logger.error("%d capture(s) not recorded (they are in the archive): %s", len(pending), exc)

    def _recorded(self, pending: list[tuple[CaptureRow, str | None]], events: list[str | None]) -> None:
        self.stats.inc_value("captures/recorded", len(pending))
        for (row, location), event in zip(pending, events, strict=True):
            if event == "gone":
                self.stats.inc_value("store/gone")
                logger.warning("Article gone: %s answered %d%s", row.url, row.status,
                               f" -> {location}" if (row.status or 0) < 400 else "")
            elif event == "back":
                self.stats.inc_value("store/back")
                logger.info("Article back: %s answered %d again", row.url, row.status)
