"""The crawl process's cyclic garbage collector: kept off the objects a crawl starts with
(``GC_FREEZE``), and run less often while the engine runs (``GC_THRESHOLD``).

A crawl process holds several hundred thousand long-lived objects once Scrapy, lxml,
trafilatura, SQLAlchemy and the spiders are imported and set up. Every full collection
walked all of them: on the benchmark's end-to-end crawl (docs/performance.md) the collector
took 1.5 s of the crawl process's 10 s of CPU, its ten full collections about 95 ms each,
each one a pause of the reactor. ``gc.freeze()`` moves what exists when the engine starts into
the permanent generation, which collections skip; what the crawl itself allocates is
collected as before. Measured on that crawl: collector time 1.5–1.8 s → 0.7–0.95 s.

What was left was mostly young collections: Python collects its youngest generation every
700 new container objects, and a crawl keeps thousands of young ones alive at any time
(queued requests with their meta and headers, responses and items on their way), walked
again by each of some 800 collections while the engine ran. ``GC_THRESHOLD`` (default
20,000 / 10 / 10, for ``gc.set_threshold``) makes that generation 28 times larger: on the
end-to-end crawl, with the spiders' pages no longer in reference cycles
(:class:`crawler.spider.DecodedPage`), the collector's time fell 0.57 → 0.25 s (1,307 → 512
collections, about 500 of them at start-up, before the engine runs). Garbage in cycles
waits longer to be freed; the crawl process's peak RSS stayed 216–220 MB. Forked children
collect with the thresholds the process had before (:func:`freeze_inherited`): their
garbage was not measured with larger ones.

Both are given back (``gc.unfreeze()``, the thresholds as they were) when the last running
engine of the process stops, so nothing stays uncollectable after a crawl (``scrapy replay``
runs several crawlers in one process).

Forked children (the extraction workers, the store writer, the WARC writer) call :func:`freeze_inherited`
first: what they inherit from the crawl process is then never walked by their collector,
which also leaves those shared pages uncopied (a collection writes to every object it
visits, and each write copies a page the child shares with its parent).
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

Thresholds = tuple[int, int, int]
#: ``GC_THRESHOLD`` when the settings do not say (crawler/settings.py sets the same).
DEFAULT_THRESHOLD: Thresholds = (20000, 10, 10)

#: Engines of this process running under this module's collector settings.
_running = 0
#: The thresholds before the first engine changed them (None: unchanged).
_before: Thresholds | None = None


def freeze_inherited() -> None:
    """In a forked child: keep the collector off everything inherited from the parent, and
    collect with the thresholds the process had before a crawl raised them."""
    gc.freeze()
    if _before is not None:
        gc.set_threshold(*_before)


def thresholds(value: Any) -> Thresholds | None:
    """``GC_THRESHOLD`` read: three whole numbers (a list, or ``"20000,10,10"`` from the command
    line), the first above 0; empty (``-s GC_THRESHOLD=``): Python's own. Raises ValueError
    naming the setting."""
    if value in ("", [], ()):
        return None
    parts = value.split(",") if isinstance(value, str) else value if isinstance(value, (list, tuple)) else ()
    try:
        numbers = tuple(int(str(p).strip()) for p in parts)
    except ValueError:
        numbers = ()
    if len(numbers) != 3 or numbers[0] < 1 or min(numbers) < 0:
        raise ValueError(f"GC_THRESHOLD: {value!r} is not three whole numbers for gc.set_threshold "
                         "(the first above 0), such as 20000,10,10; empty for Python's own")
    return numbers[0], numbers[1], numbers[2]


class GcFreeze:
    """Freezes the collector's view of start-up objects and sets its thresholds while the engine runs."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcFreeze:
        freeze = crawler.settings.getbool("GC_FREEZE", True)
        threshold = thresholds(crawler.settings.get("GC_THRESHOLD", DEFAULT_THRESHOLD))
        if not freeze and threshold is None:
            raise NotConfigured("GC_FREEZE is off and GC_THRESHOLD is unset")
        ext = cls(freeze, threshold)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def __init__(self, freeze: bool = True, threshold: Thresholds | None = None) -> None:
        self.freeze = freeze
        self.threshold = threshold
        self.running = False

    def engine_started(self) -> None:
        global _running, _before
        if self.freeze:
            gc.freeze()
        if self.threshold is not None:
            if _before is None:
                _before = gc.get_threshold()
            gc.set_threshold(*self.threshold)
        _running += 1
        self.running = True

    def engine_stopped(self) -> None:
        global _running, _before
        if not self.running:
            return
        self.running = False
        _running -= 1
        if _running == 0:
            gc.unfreeze()
            if _before is not None:
                gc.set_threshold(*_before)
                _before = None
