"""Near-duplicate fingerprints of article texts: reprints and mirrors across outlets.

:func:`fingerprint` makes a datasketch MinHash over the character 3-grams of the
normalised text (simplified when the page was not); :func:`similarity` estimates the
Jaccard similarity of two fingerprints; :meth:`Fingerprint.buckets` are its LSH buckets,
persisted by the store (``minhash_bands``) so near-duplicates are found across crawls.
The threshold and how it was chosen: docs/dedupe.md (measured by bench/reprint_threshold.py).
"""

from __future__ import annotations

from crawler.dedupe.fingerprint import (
    DEFAULT_THRESHOLD,
    MIN_CHARS,
    SCHEME,
    Fingerprint,
    fingerprint,
    similarity,
    text_for_fingerprint,
)
from crawler.dedupe.normalize import normalise, shingles

__all__ = [
    "DEFAULT_THRESHOLD",
    "MIN_CHARS",
    "SCHEME",
    "Fingerprint",
    "fingerprint",
    "normalise",
    "shingles",
    "similarity",
    "text_for_fingerprint",
]
