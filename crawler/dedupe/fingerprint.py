"""MinHash fingerprints of article texts and their LSH buckets (datasketch).

A fingerprint is the MinHash (``NUM_PERM`` permutations, datasketch's ``affine32``
scheme, fixed seed, so the same text always gives the same bytes) of the set of
character 3-grams of the normalised text. Two fingerprints estimate the Jaccard
similarity of the two 3-gram sets (standard error about 0.044 at 128 permutations).

The LSH index cuts the signature into ``LSH_BANDS`` bands of ``LSH_ROWS`` values; two
texts are candidates when one band is equal. The band layout is datasketch's optimum for
``LSH_THRESHOLD`` with false negatives weighted 0.9 (recall first: candidates are then
checked against the real threshold), see docs/dedupe.md. ``SCHEME`` names all of it and is
stored with every fingerprint: a store whose fingerprints were made otherwise needs them
made again.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from hashlib import sha1
from typing import TYPE_CHECKING

import numpy as np
from datasketch import MinHash, MinHashLSH

from crawler.dedupe.normalize import SHINGLE_SIZE, normalise

if TYPE_CHECKING:
    from crawler.items import Article

NUM_PERM = 128
SEED = 20260
HASH_SCHEME = "affine32"
#: Shortest normalised text (characters) that gets a fingerprint: shorter ones (captions,
#: one-line briefs) share too much boilerplate with unrelated stories to say anything.
MIN_CHARS = 60
#: Estimated Jaccard similarity from which a text of another outlet is a copy (docs/dedupe.md).
DEFAULT_THRESHOLD = 0.4
#: Where the LSH band layout is tuned (datasketch's optimum, false negatives weighted 0.9).
LSH_THRESHOLD = 0.4
_LSH = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM, weights=(0.1, 0.9))
LSH_BANDS: int = _LSH.b
LSH_ROWS: int = _LSH.r
SCHEME = (f"minhash-{HASH_SCHEME}-c{SHINGLE_SIZE}-p{NUM_PERM}-s{SEED}"
          f"-b{LSH_BANDS}r{LSH_ROWS}")


@dataclass(frozen=True)
class Fingerprint:
    """A MinHash signature (``NUM_PERM`` uint32 values) and the number of shingles behind it."""

    values: tuple[int, ...]
    shingles: int
    scheme: str = SCHEME

    def to_bytes(self) -> bytes:
        """The signature as little-endian uint32 values (what the store keeps)."""
        return np.asarray(self.values, dtype="<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, shingles: int, scheme: str = SCHEME) -> Fingerprint:
        """Read back :meth:`to_bytes`; raises ValueError for a signature of the wrong size."""
        if len(data) != NUM_PERM * 4:
            raise ValueError(f"a {scheme} signature has {NUM_PERM * 4} bytes, got {len(data)}")
        return cls(tuple(int(v) for v in np.frombuffer(data, dtype="<u4")), shingles, scheme)

    def buckets(self) -> list[tuple[int, str]]:
        """(band, bucket) of each LSH band: the hash of that band's values."""
        raw = self.to_bytes()
        step = LSH_ROWS * 4  # bytes of one band's uint32 values
        return [(band, hashlib.sha1(raw[band * step : (band + 1) * step]).hexdigest()[:16])
                for band in range(LSH_BANDS)]


def text_for_fingerprint(article: Article) -> str:
    """The text compared: the simplified text when the page was not simplified Chinese."""
    return article.text_simplified or article.text or ""


def fingerprint(text: str) -> Fingerprint | None:
    """The fingerprint of ``text``, or None when its normalised form is under ``MIN_CHARS``."""
    normal = normalise(text)
    if len(normal) < MIN_CHARS:
        return None
    grams = _utf8_shingles(normal)
    # datasketch's default hash (sha1_hash32: the first 4 bytes of SHA-1, little-endian), the
    # digests joined and read as one array, of which every fifth uint32 is a digest's first.
    hashes = np.frombuffer(b"".join([sha1(g).digest() for g in grams]), dtype="<u4")[::5]
    return Fingerprint(tuple(_signature(hashes).tolist()), len(grams))


#: A character of other than three bytes in UTF-8 (Han and full-width text has none).
_NOT_THREE_BYTES = re.compile("[^\u0800-\uffff]")


def _utf8_shingles(normal: str) -> set[bytes]:
    """The UTF-8 bytes of each of :func:`shingles` (as many: UTF-8 is one-to-one).

    Cut from the text's bytes at once, not encoded one shingle at a time: where every
    character is three bytes, at every third byte; otherwise at the characters' byte offsets.
    """
    if len(normal) < SHINGLE_SIZE:
        return {normal.encode("utf-8")} if normal else set()
    data = normal.encode("utf-8")
    if not _NOT_THREE_BYTES.search(normal):
        width = 3 * SHINGLE_SIZE
        return {data[i:i + width] for i in range(0, len(data) - width + 3, 3)}
    points = np.frombuffer(normal.encode("utf-32-le"), dtype="<u4")
    ends = np.cumsum(1 + (points >= 0x80) + (points >= 0x800) + (points >= 0x10000)).tolist()
    starts = [0, *ends[:-SHINGLE_SIZE]]
    return {data[i:j] for i, j in zip(starts, ends[SHINGLE_SIZE - 1:], strict=True)}


#: Shingles permuted at once: bounds the (NUM_PERM × chunk) uint32 scratch array to 1 MiB.
_CHUNK = 2048


def _signature(hashes: np.ndarray) -> np.ndarray:
    """datasketch's ``affine32`` MinHash of the 32-bit hashes (tests/test_dedupe.py: equal).

    Written out here because ``MinHash.update_batch`` made a list of ints and two fresh
    (shingles × NUM_PERM) arrays per text (their page faults cost more than the arithmetic):
    over half a fingerprint's time. Same steps: MurmurHash3's 32-bit finaliser mixes each
    hash, then permutation k maps it to ``a_k * h + b_k mod 2**32``; the signature is the
    minimum of each permutation over the shingles.
    """
    a, b = _permutations()
    mixed = _fmix32(hashes)
    signature = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    for start in range(0, len(mixed), _CHUNK):
        permuted = np.multiply.outer(a, mixed[start:start + _CHUNK])  # uint32: wraps mod 2**32
        permuted += b[:, None]
        np.minimum(signature, permuted.min(axis=1), out=signature)
    return signature


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser (fmix32), element-wise; multiplication wraps mod 2**32."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The scheme's permutations as uint32 (datasketch draws them from ``SEED`` for every MinHash)."""
    a, b = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=HASH_SCHEME).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard similarity of the two texts' 3-gram sets (0 to 1)."""
    if a.scheme != b.scheme:
        raise ValueError(f"fingerprints of different schemes cannot be compared: {a.scheme} vs {b.scheme}")
    left = np.asarray(a.values, dtype=np.uint32)
    right = np.asarray(b.values, dtype=np.uint32)
    return float(np.count_nonzero(left == right)) / NUM_PERM
