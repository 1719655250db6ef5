"""The two things the lease scheduler needs from Scrapy's engine that no public API gives.

Scrapy has no signal for "the engine is done with this request" (downloaded, every
redirect or retry queued, the callback or errback run, its items through the pipelines);
the engine keeps each request in ``ExecutionEngine._slot.inprogress`` until exactly then.
And an idle engine looks at its scheduler only every five seconds; a worker whose shared
queue just got work from another worker should look sooner (``_slot.nextcall``). Both are
private attributes of Scrapy 2.13-2.19, kept in this one module. If an upgrade moves them,
these functions raise :class:`EngineMismatch` (and the crawls of tests/test_distributed.py
fail) rather than ack requests too early.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class EngineMismatch(RuntimeError):
    """This Scrapy's engine lacks what :mod:`crawler.distributed.engine` relies on."""


def _slot(crawler: Crawler) -> Any | None:
    """The engine's slot; None before the engine opens the spider or after it closed it."""
    engine = getattr(crawler, "engine", None)
    if engine is None:
        return None
    if not hasattr(engine, "_slot"):
        raise EngineMismatch("Scrapy's ExecutionEngine._slot is gone: "
                             "crawler/distributed/engine.py must follow this Scrapy version")
    return engine._slot


def in_progress(crawler: Crawler) -> set[Request]:
    """The requests the engine is still working on (none before it opens or after it closes)."""
    slot = _slot(crawler)
    if slot is None:
        return set()
    busy = getattr(slot, "inprogress", None)
    if not isinstance(busy, set):
        raise EngineMismatch("Scrapy's ExecutionEngine._slot.inprogress is gone: "
                             "crawler/distributed/engine.py must follow this Scrapy version")
    return busy


def wake(crawler: Crawler) -> None:
    """Ask the engine to look at its scheduler now (soon, on the reactor) rather than in 5 s."""
    slot = _slot(crawler)
    if slot is None or getattr(slot, "closing", None) is not None:
        return
    nextcall = getattr(slot, "nextcall", None)
    if nextcall is None or not callable(getattr(nextcall, "schedule", None)):
        raise EngineMismatch("Scrapy's ExecutionEngine._slot.nextcall is gone: "
                             "crawler/distributed/engine.py must follow this Scrapy version")
    nextcall.schedule()


def scheduler_of(crawler: Crawler) -> Any | None:
    """The crawl's scheduler once the engine has opened the spider (``engine.scheduler`` in 2.19)."""
    slot = _slot(crawler)
    return getattr(slot, "scheduler", None) if slot is not None else None
