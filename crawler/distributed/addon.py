"""Add-on: ``-s REDIS_URL=redis://…`` alone switches a crawl to distributed mode.

Without ``REDIS_URL`` it changes nothing. With it, the scheduler becomes
:class:`~crawler.distributed.scheduler.LeasedScheduler` (scrapy-redis's, with leases), the
duplicate filter scrapy-redis's ``RFPDupeFilter`` (fingerprints in Redis), and
:class:`~crawler.distributed.middleware.DistributedSpiderMiddleware` joins the spider
middlewares. Settings given above the add-on level (command line, spider) still win.
"""

from __future__ import annotations

import importlib.util

from scrapy.settings import Settings

from crawler.distributed import is_distributed
from crawler.distributed.middleware import DistributedSpiderMiddleware

SCHEDULER = "crawler.distributed.scheduler.LeasedScheduler"
DUPEFILTER = "scrapy_redis.dupefilter.RFPDupeFilter"
#: After StartSpiderMiddleware (25), before the rest: sees what the engine will get.
MIDDLEWARE_ORDER = 30


class DistributedUnavailable(RuntimeError):
    """``REDIS_URL`` is set but distributed mode cannot run; the message says why."""


class Distributed:
    """Scrapy add-on: shared queue and duplicate filter in Redis when ``REDIS_URL`` is set."""

    def update_settings(self, settings: Settings) -> None:
        if not is_distributed(settings):
            return
        if importlib.util.find_spec("scrapy_redis") is None:
            raise DistributedUnavailable(
                "REDIS_URL is set but scrapy-redis is not installed: "
                "pip install 'nmg-news-archiver[distributed]' (or unset REDIS_URL)")
        if settings.get("JOBDIR"):
            raise DistributedUnavailable(
                f"REDIS_URL and JOBDIR={settings.get('JOBDIR')!r} are both set: a distributed crawl keeps "
                "its queue and its seen requests in Redis and resumes from there; drop JOBDIR")
        settings.set("SCHEDULER", SCHEDULER, priority="addon")
        settings.set("DUPEFILTER_CLASS", DUPEFILTER, priority="addon")
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", DistributedSpiderMiddleware,
                                                MIDDLEWARE_ORDER)
