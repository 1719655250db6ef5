"""Keep Python's cyclic garbage collector off the objects a crawl starts with (``GC_FREEZE``).

A crawl process holds several hundred thousand long-lived objects once Scrapy, lxml,
trafilatura, SQLAlchemy and the spiders are imported and set up. Every full collection
walked all of them: on the benchmark's end-to-end crawl (docs/performance.md) the collector
took 1.5 s of the crawl process's 10 s of CPU, its ten full collections about 95 ms each,
each one a pause of the reactor. ``gc.freeze()`` moves what exists when the engine starts into
the permanent generation, which collections skip; what the crawl itself allocates is
collected as before. Measured on that crawl: collector time 1.5–1.8 s → 0.7–0.95 s.

The frozen objects are given back to the collector (``gc.unfreeze()``) when the last running
engine of the process stops, so nothing stays uncollectable after a crawl (``scrapy replay``
runs several crawlers in one process).

Forked children (the extraction workers, the store writer, the WARC writer) call :func:`freeze_inherited`
first: what they inherit from the crawl process is then never walked by their collector,
which also leaves those shared pages uncopied (a collection writes to every object it
visits, and each write copies a page the child shares with its parent).
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: Engines of this process running with the start-up objects frozen.
_running = 0


def freeze_inherited() -> None:
    """In a forked child: keep the collector off everything inherited from the parent."""
    gc.freeze()


class GcFreeze:
    """Freezes the collector's view of start-up objects while the engine runs."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcFreeze:
        if not crawler.settings.getbool("GC_FREEZE", True):
            raise NotConfigured("GC_FREEZE is off")
        ext = cls()
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def __init__(self) -> None:
        self.frozen = False

    def engine_started(self) -> None:
        global _running
        gc.freeze()
        _running += 1
        self.frozen = True

    def engine_stopped(self) -> None:
        global _running
        if not self.frozen:
            return
        self.frozen = False
        _running -= 1
        if _running == 0:
            gc.unfreeze()
