"""Which URLs the store has captures of, answered in memory (a filter before a look-up).

Every request asked the store for the latest capture of its URL (crawler/middlewares/
conditional.py); for a URL never captured, most of a first crawl and every new article of
a later one, that read transaction was pure cost on the reactor's thread. The filter holds
a 64-bit BLAKE2b hash of each captured URL, loaded once per crawl into a sorted numpy array
(8 bytes a URL: 40 MB for five million) plus the URLs this crawl archives. A URL not in it
has no capture to look up; a hash collision only costs the look-up it would have made
anyway. Captures written meanwhile by another process (a distributed crawl's other workers)
are not seen: such a URL is fetched without validators and archived in full, which is valid.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np


def url_hash(url: str) -> int:
    """The 64-bit hash a URL is known by."""
    return int.from_bytes(hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "little")


class CapturedUrls:
    """A set of URLs with captures: the store's at load time, and those added since."""

    def __init__(self, urls: Iterable[str] = ()) -> None:
        hashes = np.fromiter((url_hash(u) for u in urls), dtype=np.uint64)
        self._loaded = np.unique(hashes)  # sorted
        self._added: set[int] = set()

    def __len__(self) -> int:
        return len(self._loaded) + len(self._added)

    def __contains__(self, url: object) -> bool:
        if not isinstance(url, str):
            return False
        key = url_hash(url)
        if key in self._added:
            return True
        at = int(np.searchsorted(self._loaded, np.uint64(key)))
        return at < len(self._loaded) and int(self._loaded[at]) == key

    def add(self, url: str) -> None:
        """A capture of ``url`` was just archived."""
        self._added.add(url_hash(url))
