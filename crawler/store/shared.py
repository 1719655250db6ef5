"""One open store per crawl, shared by the components that need it during the crawl.

The WARC writer (revisit look-ups), the capture recorder, the conditional-request
middleware and the pipelines all use the store named by ``STORE_URI``. They share one
:class:`~crawler.store.Store` (one connection pool, one migration check), opened on first
use and closed when the engine stops.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy import signals

from crawler.config import Config
from crawler.store.store import Store

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

_OPEN: WeakKeyDictionary[Crawler, Store] = WeakKeyDictionary()
_LOCK = threading.Lock()


def crawl_store(crawler: Crawler) -> Store:
    """The crawl's store (opened now if needed); raises StoreError if it cannot be opened."""
    with _LOCK:
        store = _OPEN.get(crawler)
        if store is not None:
            return store
        store = Store.open(Config.from_settings(crawler.settings).store_uri)
        _OPEN[crawler] = store

    def close() -> None:
        with _LOCK:
            opened = _OPEN.pop(crawler, None)
        if opened is not None:
            opened.close()

    crawler.signals.connect(close, signal=signals.engine_stopped, weak=False)
    return store
