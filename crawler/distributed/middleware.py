"""Spider middleware of distributed mode: seeds pushed once, local requests tied to their lease.

Every worker walks its spider's ``start()``; each start request is marked a *seed*, and the
scheduler pushes a seed only if no worker pushed it before (one atomic step in Redis), so
with three workers started alike each e-paper date or portal column is queued once, by
whichever worker came first; a worker started later (or restarted) adds only what is new.
Until a worker has walked its whole ``start()``, the crawl is not over (``C:seeding``).

A request a callback yields with ``meta[META_LOCAL]`` stays on this worker; it is given
the lease of the response it came from, so that lease is acked only once the local work
is done too (see :mod:`crawler.distributed.scheduler`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request

from crawler.distributed import META_LEASE, META_LOCAL, META_SEED
from crawler.distributed.engine import scheduler_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


class DistributedSpiderMiddleware:
    """Marks start requests as seeds; gives worker-local requests their parent's lease."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        scheduler = scheduler_of(self.crawler)
        if scheduler is None or not hasattr(scheduler, "seeding_done"):
            raise RuntimeError("DistributedSpiderMiddleware needs crawler.distributed.scheduler."
                               "LeasedScheduler as SCHEDULER (enable it with REDIS_URL)")
        if scheduler.is_finished_before():
            return
        try:
            async for item in start:
                if isinstance(item, Request):
                    item.meta[META_SEED] = True
                else:
                    logger.warning("start() yielded an item (%s): in distributed mode every worker "
                                   "yields it", type(item).__name__)
                yield item
        finally:
            scheduler.seeding_done()

    @staticmethod
    def _tie(output: Any, lease: str | None) -> Any:
        if isinstance(output, Request) and output.meta.get(META_LOCAL) and lease is not None:
            output.meta.setdefault(META_LEASE, lease)
        return output

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        lease = response.meta.get(META_LEASE)
        for output in result:
            yield self._tie(output, lease)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]
                                          ) -> AsyncIterator[Any]:
        lease = response.meta.get(META_LEASE)
        async for output in result:
            yield self._tie(output, lease)
