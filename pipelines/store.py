"""Store pipeline: writes every Article to the database named by STORE_URI.

Each article is one transaction with its versions (``edit`` when the page changed), its
near-duplicate fingerprint and reprint links (``DEDUPE_ENABLED``, ``DEDUPE_THRESHOLD``;
crawler/store/reprints.py): a killed crawl loses at most the article being written.
"""

from __future__ import annotations

import errno
import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from crawler.dedupe import DEFAULT_THRESHOLD
from crawler.items import Article
from crawler.store import Store, StoreError
from crawler.store.capture_rows import is_home_page
from crawler.store.captures import flush_captures
from crawler.store.shared import crawl_store

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


class StorePipeline:
    """Upserts articles, one transaction each, so a killed crawl loses at most one."""

    def __init__(self, crawler: Crawler, threshold: float | None) -> None:
        self.crawler = crawler
        self.threshold = threshold
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        threshold: float | None = None
        if settings.getbool("DEDUPE_ENABLED", True):
            threshold = settings.getfloat("DEDUPE_THRESHOLD", DEFAULT_THRESHOLD)
            if not 0 < threshold <= 1:
                raise ValueError(f"DEDUPE_THRESHOLD={threshold!r} must be above 0 and at most 1")
        return cls(crawler, threshold)

    def open_spider(self, spider: Spider | None = None) -> None:
        self.store = crawl_store(self.crawler)
        logger.info("Storing articles in %s", self.store.uri)

    def stop_full(self, exc: StoreError) -> None:
        """The database's disk is full: stop the crawl once (reason ``disk_full``), clearly.

        Each article is one transaction, so the failed one left nothing half-written; the
        pages are in the WARC files, and `scrapy replay` stores them once there is space.
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

    def process_item(self, item: object, spider: Spider | None = None) -> object:
        if isinstance(item, Article) and self.store is not None:
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
            names = tuple(getattr(self.crawler.spider, "outlet_names", ()) or ())
            # The captures of its pages first: telling an edit from a re-extraction reads them.
            flush_captures(self.crawler)
            try:
                done = self.store.upsert(item, outlet_names=names, reprint_threshold=self.threshold)
            except StoreError as exc:
                # The page stays in the WARC: a replay can store it once the cause is fixed.
                self.crawler.stats.inc_value(f"store/errors/{item.outlet}")
                if disk_full(exc):
                    self.stop_full(exc)
                raise DropItem(f"not stored: {exc}") from exc
            self.crawler.stats.inc_value(f"articles/stored/{item.outlet}")
            stats = self.crawler.stats
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
        return item
