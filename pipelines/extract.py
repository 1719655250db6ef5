"""Extraction pipeline: turns the spider's selector fields and container HTML into a clean Article.

Extraction is CPU work (trafilatura, the Chinese rules); done on the reactor's thread it
stalls downloads, archiving and storing. With ``EXTRACT_WORKERS`` > 0 (default: one per
core) :func:`crawler.extract.article.finish` runs in a pool of worker processes and the
pipeline awaits it, so the crawl goes on meanwhile; ``EXTRACT_WORKERS = 0`` runs it inline.
Both give the same Article (the item is pickled there and back; a dataclass of plain values).

The workers (:class:`crawler.forked.Pool`: no thread in the crawl process) are forked when
the spider opens, before the crawl starts threads of its own: fork needs no re-import
(workers are ready in milliseconds) and they see the code exactly as the crawling process
has it. They ignore SIGINT/SIGTERM: the crawl owns them, finishes the items in flight on a
graceful stop, then shuts the pool down. One pool serves every crawler of a process
(``scrapy replay`` runs several at once).
"""

from __future__ import annotations

import logging
import os
from dataclasses import fields
from typing import TYPE_CHECKING

from itemadapter import ItemAdapter

from crawler.dedupe import fingerprint, text_for_fingerprint
from crawler.extract.article import finish
from crawler.forked import Pool, PoolBroken
from crawler.items import Article

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def extract_workers(value: object) -> int:
    """``EXTRACT_WORKERS`` as a count: None/empty means one per core, 0 inline."""
    if value in (None, ""):
        return os.cpu_count() or 1
    try:
        count = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        count = -1
    if count < 0:
        raise ValueError(f"EXTRACT_WORKERS: {value!r} is not a number of worker processes (0 = inline)")
    return count


def finish_in_worker(article: Article, outlet_names: tuple[str, ...], min_chars: int,
                     with_fingerprint: bool = False) -> Article:
    """Runs in a worker: the module's ``finish`` (looked up at call time) on a copy of the item,
    and the near-duplicate fingerprint of its text when the store will want it."""
    finish(article, outlet_names=outlet_names, min_chars=min_chars)
    if with_fingerprint:
        article.fingerprint = fingerprint(text_for_fingerprint(article))
    return article


class _SharedPool:
    """One pool of workers per process, opened by the first pipeline and closed by the last."""

    pool: Pool | None = None
    users = 0

    @classmethod
    def acquire(cls, workers: int) -> Pool:
        if cls.pool is None:
            cls.pool = Pool(finish_in_worker, workers, name="extract")
        cls.users += 1
        return cls.pool

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users <= 0 and cls.pool is not None:
            cls.pool.close()
            cls.pool, cls.users = None, 0


class ExtractPipeline:
    """Runs :func:`crawler.extract.article.finish` on every Article (in worker processes)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.min_chars = crawler.settings.getint("EXTRACT_MIN_CHARS", 20)
        self.workers = extract_workers(crawler.settings.get("EXTRACT_WORKERS"))
        self.pool: Pool | None = None
        #: The store links reprints (pipelines/store.py): make their fingerprints here, off
        #: the reactor's thread, in the workers (MinHash of every 3-gram, ~2 ms an article).
        self.fingerprints = crawler.settings.getbool("DEDUPE_ENABLED", True)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        if self.workers > 0:
            self.pool = _SharedPool.acquire(self.workers)
            self.crawler.stats.set_value("extract/workers", self.workers)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.pool is not None:
            self.pool = None
            _SharedPool.release()

    async def process_item(self, item: object, spider: Spider | None = None) -> object:
        if not isinstance(item, Article):
            return item
        names = tuple(getattr(self.crawler.spider, "outlet_names", ()))
        if self.pool is None:
            finish_in_worker(item, names, self.min_chars, self.fingerprints)
        else:
            await self._finish_in_pool(item, names)
        stats = self.crawler.stats
        stats.inc_value(f"articles/extracted/{item.outlet}")
        for flag in item.flags:
            stats.inc_value(f"articles/flag/{flag}")
        return ItemAdapter(item).item

    async def _finish_in_pool(self, item: Article, names: tuple[str, ...]) -> None:
        """Finish ``item`` in a worker and copy the result back (the item keeps its identity)."""
        assert self.pool is not None
        try:
            done = await self.pool.call(item, names, self.min_chars, self.fingerprints)
        except PoolBroken:
            # A worker died (killed, out of memory): say so once, extract inline from now on.
            logger.error("EXTRACT_WORKERS: a worker process died; extracting on the main process "
                         "for the rest of the crawl (at %s)", item.url)
            self.crawler.stats.inc_value("extract/pool_broken")
            self.pool = None
            _SharedPool.release()
            finish_in_worker(item, names, self.min_chars, self.fingerprints)
            return
        for field in fields(Article):
            setattr(item, field.name, getattr(done, field.name))
