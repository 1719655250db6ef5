"""Store pipeline: writes every Article to the database named by STORE_URI.

An article is written with its versions (``edit`` when the page changed), its near-duplicate
fingerprint and reprint links (``DEDUPE_ENABLED``, ``DEDUPE_THRESHOLD``;
crawler/store/reprints.py), all or nothing. Articles are written in batches: one
transaction for up to ``STORE_BATCH`` of them, at the latest ``STORE_FLUSH_SECONDS`` after
the first one came (a transaction per article was 43 % of an end-to-end crawl's time on the
reactor's thread, its commit a fifth of that: docs/performance.md); the crawl's end writes the
rest. The writing itself happens in the crawl's store writer process when it has one
(crawler/store/writer.py, ``STORE_WRITER``). An item leaves the pipeline once its batch is
committed. A kill -9 loses at most the articles of the batch being gathered: their pages are
in the WARC files, and `scrapy replay` stores them. ``STORE_BATCH = 1`` writes each article
at once.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from crawler.dedupe import DEFAULT_THRESHOLD
from crawler.items import Article
from crawler.store import Store, StoreError
from crawler.store.capture_rows import is_home_page
from crawler.store.captures import flush_captures
from crawler.store.shared import crawl_store, crawl_writer
from crawler.store.versions import Upserted
from crawler.store.writer import WriterCalls

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error it was raised from) says the disk or quota is full:
    ENOSPC/EDQUOT, SQLite's "database or disk is full", PostgreSQL's SQLSTATE 53100."""
    seen: BaseException | None = exc
    for _ in range(16):  # a chain of causes is short; never loop on a cyclic one
        if seen is None:
            break
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "database or disk is full" in str(seen) or getattr(seen, "sqlstate", None) == "53100":
            return True
        seen = seen.__cause__ or getattr(seen, "orig", None) or seen.__context__
    return False


#: Articles gathered for one transaction, each with the future its item awaits.
_Batch = list[tuple[Article, "asyncio.Future[Upserted]"]]


class StorePipeline:
    """Upserts articles in batches, each one transaction (see the module docstring)."""

    def __init__(self, crawler: Crawler, threshold: float | None, batch: int = 64,
                 seconds: float = 0.5) -> None:
        self.crawler = crawler
        self.threshold = threshold
        self.batch = batch
        self.seconds = seconds
        self.store: Store | None = None
        self._pending: _Batch = []
        self._timer: asyncio.TimerHandle | None = None
        #: Batches in the writer process; their items wait.
        self._writes: WriterCalls[_Batch] = WriterCalls(self._settle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        threshold: float | None = None
        if settings.getbool("DEDUPE_ENABLED", True):
            threshold = settings.getfloat("DEDUPE_THRESHOLD", DEFAULT_THRESHOLD)
            if not 0 < threshold <= 1:
                raise ValueError(f"DEDUPE_THRESHOLD={threshold!r} must be above 0 and at most 1")
        batch = settings.getint("STORE_BATCH", 64)
        if batch < 1:
            raise ValueError(f"STORE_BATCH={batch!r} must be at least 1 (articles per transaction)")
        seconds = settings.getfloat("STORE_FLUSH_SECONDS", 0.5)
        if not seconds >= 0:
            raise ValueError(f"STORE_FLUSH_SECONDS={seconds!r} must be 0 or more (seconds)")
        return cls(crawler, threshold, batch, seconds)

    def open_spider(self, spider: Spider | None = None) -> None:
        self.store = crawl_store(self.crawler)
        logger.info("Storing articles in %s", self.store.uri)

    def close_spider(self, spider: Spider | None = None) -> None:
        """Write what is gathered and wait for the writer (the crawl is over)."""
        self.flush()
        self._writes.drain()

    def stop_full(self, exc: StoreError) -> None:
        """The database's disk is full: stop the crawl once (reason ``disk_full``), clearly.

        A refused transaction leaves nothing half-written (crawler/store/store.py
        ``upsert_many``); the pages are in the WARC files, and `scrapy replay` stores them
        once there is space.
        """
        stats = self.crawler.stats
        if stats.get_value("store/disk_full"):
            return
        stats.set_value("store/disk_full", str(exc))
        logger.error("The article store is full: %s. Stopping the crawl (disk_full): every stored "
                     "article is intact; free space, then run the crawl again or `scrapy replay` "
                     "the WARC files.", exc)
        assert self.crawler.engine is not None
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="disk_full"))

    async def process_item(self, item: object, spider: Spider | None = None) -> object:
        if not isinstance(item, Article) or self.store is None:
            return item
        if item.warc_file is None and self.crawler.stats.get_value("warc/write_errors"):
            # WARC writing failed (crawler/warc/extension.py): the store must not cite pages
            # that are not in the archive.
            self.crawler.stats.inc_value(f"store/not_archived/{item.outlet}")
            raise DropItem(f"not stored: {item.url} was not archived (WARC writing failed)")
        if is_home_page(item.url):
            # What a removed article's redirect to the home page leaves in a spider's hands.
            self.crawler.stats.inc_value("store/refused/home_page")
            raise DropItem(f"not stored: {item.url} is a site's home page, not an article",
                           log_level="WARNING")
        try:
            done = await self._queue(item)
        except StoreError as exc:
            # The page stays in the WARC: a replay can store it once the cause is fixed.
            self.crawler.stats.inc_value(f"store/errors/{item.outlet}")
            if disk_full(exc):
                self.stop_full(exc)
            raise DropItem(f"not stored: {exc}") from exc
        self._count(item, done)
        return item

    def _queue(self, item: Article) -> asyncio.Future[Upserted]:
        """Add ``item`` to the batch; its future is done when the batch is written."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Upserted] = loop.create_future()
        self._pending.append((item, future))
        if len(self._pending) >= self.batch:
            self.flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.seconds, self.flush)
        return future

    def flush(self) -> None:
        """Write the gathered articles in one transaction (in the store writer process when
        the crawl has one: crawler/store/writer.py) and tell each item how it went."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, []
        if not pending or self.store is None:
            return
        names = tuple(getattr(self.crawler.spider, "outlet_names", ()) or ())
        articles = [item for item, _ in pending]
        # The captures of their pages first: telling an edit from a re-extraction reads them.
        flush_captures(self.crawler)
        writer = crawl_writer(self.crawler)
        if writer is None:
            results: list[Any] | BaseException
            try:
                results = self.store.upsert_many(articles, outlet_names=names,
                                                 reprint_threshold=self.threshold)
            except Exception as exc:  # a bug, not the database: no item may wait for ever
                results = exc
            self._settle(pending, results)
            return
        self._writes.submit(writer, pending, "upsert_many", articles, outlet_names=names,
                            reprint_threshold=self.threshold)

    @staticmethod
    def _settle(pending: _Batch, results: list[Any] | BaseException) -> None:
        """Each item learns how its article went (an exception: the whole batch failed)."""
        if isinstance(results, BaseException):
            results = [results] * len(pending)
        for (_, future), result in zip(pending, results, strict=True):
            if future.done():  # cancelled (the crawl stopped)
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)

    def _count(self, item: Article, done: Upserted) -> None:
        """Stats (and a log line for an edit) of one stored article."""
        stats = self.crawler.stats
        stats.inc_value(f"articles/stored/{item.outlet}")
        stats.inc_value("store/inserted" if done.inserted else
                        "store/updated" if done.changed else "store/unchanged")
        if done.version is not None:
            stats.inc_value("store/versions")
            stats.inc_value(f"store/versions/{done.reason}")
        if done.reason == "edit":
            logger.info("Edited since last seen: %s (%s)", item.url, ", ".join(done.changed))
        if done.links_written:
            stats.inc_value("store/reprint_links", done.links_written)
        for name in done.changed:
            stats.inc_value(f"store/changed/{name}")
