"""The crawl's writes to its store, in a process of their own (``STORE_WRITER``, default on).

Writing articles (upsert, versions, fingerprint, reprint links, full-text index) and
capture rows was, with them batched, still a third of an end-to-end crawl's time on the
reactor's thread, which downloads, archives and schedules every page: docs/performance.md.
A thread does not help (the Python half of each transaction holds the GIL; measured). So
one process, forked when the crawl first opens its store, before the crawl process opens a
connection of its own, makes every write; the crawl process goes on meanwhile and keeps
reading (SQLite in WAL mode: readers never wait for the writer; PostgreSQL: MVCC).

Writes run one at a time in the order they were asked for: the captures of a page are
written before its article (the article cites them, and telling an edit from a
re-extraction reads them). Each call returns a ``concurrent.futures.Future`` of the
:class:`~crawler.store.Store` method's result (or its :class:`StoreError`).

Should the process die (killed, out of memory), the calls in flight fail with a
:class:`StoreError` that says so (their pages are in the WARC: ``scrapy replay`` stores
them), it is logged once, and the crawl writes inline from then on (:func:`usable`).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

from crawler.gc_freeze import freeze_inherited
from crawler.store.errors import StoreError

logger = logging.getLogger(__name__)

#: In the writer process: the store it writes to (opened on its first call).
_STORE: Any = None
_URI = ""


def _init(uri: str) -> None:
    """In the writer: remember the store; stopping is the crawl's business (it drains us);
    the collector stays off what the writer inherits (crawler/gc_freeze.py)."""
    global _URI
    _URI = uri
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    freeze_inherited()


def _ready() -> None:
    """Nothing: submitted once so that the process is forked at once."""


def _call(method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """In the writer: ``Store.<method>(*args, **kwargs)`` on the writer's own store."""
    global _STORE
    if _STORE is None:
        from crawler.store.store import Store

        _STORE = Store.open(_URI)
    return getattr(_STORE, method)(*args, **kwargs)


class StoreWriter:
    """One writer process for one store URI (see the module docstring)."""

    def __init__(self, uri: str, masked_uri: str) -> None:
        self.uri = masked_uri
        self.broken = False
        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                         initializer=_init, initargs=(uri,))
        self._pool.submit(_ready).result()  # fork now, before this process opens the store

    def submit(self, method: str, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run ``Store.<method>`` in the writer after everything asked before."""
        try:
            return self._pool.submit(_call, method, args, kwargs)
        except (BrokenProcessPool, RuntimeError) as exc:
            done: Future[Any] = Future()
            done.set_exception(self.died(exc))
            return done

    def died(self, exc: BaseException) -> StoreError:
        """The error a call gets when the writer died; logged once."""
        if not self.broken:
            self.broken = True
            logger.error("The store writer process died (%s): writes in flight are lost from the "
                         "store (their pages are in the WARC: `scrapy replay` stores them); the "
                         "crawl writes to %s itself from now on", exc or type(exc).__name__, self.uri)
        return StoreError(f"the store writer process died before writing to {self.uri!r}: "
                          f"{exc or type(exc).__name__}")

    def result(self, future: Future[Any]) -> Any:
        """The call's result; raises its StoreError, or one saying the writer died."""
        try:
            return future.result()
        except BrokenProcessPool as exc:
            raise self.died(exc) from exc

    def close(self) -> None:
        """Wait for every write asked for, then stop the process."""
        self._pool.shutdown(wait=True)


Kept = TypeVar("Kept")


class WriterCalls(Generic[Kept]):
    """Calls in the writer, each with what its caller keeps for it; ``done(kept, outcome)``
    (the result, or the exception) runs once per call on the reactor's thread."""

    def __init__(self, done: Callable[[Kept, Any], None]) -> None:
        self._done = done
        self._calls: dict[Future[Any], tuple[StoreWriter, Kept]] = {}

    def submit(self, writer: StoreWriter, kept: Kept, method: str, *args: Any, **kwargs: Any) -> None:
        from twisted.internet import reactor  # the running one (imported late: never install one)

        future = writer.submit(method, *args, **kwargs)
        self._calls[future] = (writer, kept)
        future.add_done_callback(lambda done: reactor.callFromThread(self._finish, done))

    def _finish(self, future: Future[Any]) -> None:
        call = self._calls.pop(future, None)
        if call is None:  # already handled by drain()
            return
        writer, kept = call
        try:
            outcome = writer.result(future)
        except Exception as exc:
            outcome = exc
        self._done(kept, outcome)

    def drain(self) -> None:
        """Wait for every call and handle it now (the crawl is over: counts must be final)."""
        for future in list(self._calls):
            wait([future])
            self._finish(future)


def usable(writer: StoreWriter | None) -> StoreWriter | None:
    """``writer`` unless it died (the caller then writes inline)."""
    return writer if writer is not None and not writer.broken else None
