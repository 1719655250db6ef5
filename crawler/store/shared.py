"""One open store per crawl, shared by the components that need it during the crawl.

The WARC writer (revisit look-ups), the capture recorder, the conditional-request
middleware and the pipelines all use the store named by ``STORE_URI``. They share one
:class:`~crawler.store.Store` (one connection pool, one migration check), opened on first
use and closed when the engine stops. With ``STORE_WRITER`` on (the default), the crawl's
writes go through one :class:`~crawler.store.writer.StoreWriter` process, started just
before the store is opened (:func:`crawl_writer`).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy import signals

from crawler.config import Config
from crawler.store.store import Store, mask_uri
from crawler.store.writer import StoreWriter, usable

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

_OPEN: WeakKeyDictionary[Crawler, Store] = WeakKeyDictionary()
_WRITERS: WeakKeyDictionary[Crawler, StoreWriter] = WeakKeyDictionary()
_LOCK = threading.Lock()


def crawl_store(crawler: Crawler) -> Store:
    """The crawl's store (opened now if needed); raises StoreError if it cannot be opened."""
    with _LOCK:
        store = _OPEN.get(crawler)
        if store is not None:
            return store
        uri = Config.from_settings(crawler.settings).store_uri
        writer = None
        if crawler.settings.getbool("STORE_WRITER", True):
            # Forked before this crawl's store is opened here. The writer opens its own and never
            # touches a connection it may inherit (another crawl's, in `scrapy replay`); a forked
            # worker leaves through os._exit, which closes none of them either.
            writer = StoreWriter(uri, mask_uri(uri))
        try:
            store = Store.open(uri)
        except BaseException:
            if writer is not None:
                writer.close()
            raise
        _OPEN[crawler] = store
        if writer is not None:
            _WRITERS[crawler] = writer

    def close() -> None:
        with _LOCK:
            opened = _OPEN.pop(crawler, None)
            writing = _WRITERS.pop(crawler, None)
        if writing is not None:
            writing.close()
        if opened is not None:
            opened.close()

    crawler.signals.connect(close, signal=signals.engine_stopped, weak=False)
    return store


def crawl_writer(crawler: Crawler) -> StoreWriter | None:
    """The crawl's store writer process, if its store is open with one that works; None: write inline."""
    return usable(_WRITERS.get(crawler))
