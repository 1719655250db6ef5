"""Text normalisation and character shingles for near-duplicate detection.

Chinese has no spaces between words, so the text is compared by character n-grams
(3-grams, shared/STYLE.md), after reducing it to what two copies of one story share:
NFKC (full-width letters, digits and punctuation become half-width), lower case, and
only letters and digits kept (punctuation, whitespace, and with them the layout of
paragraphs, differ between copies of the same text).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SHINGLE_SIZE = 3


#: What is not a letter or digit: ``\w`` of a str pattern is ``str.isalnum()`` plus ``_``.
_NOT_ALNUM = re.compile(r"[\W_]+")
#: Runs of anything but CJK Unified Ideographs (U+4E00–U+9FFF).
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")
#: Runs up to this length are folded through a cache (punctuation, digits, short words repeat).
_CACHED_RUN = 16


def normalise(text: str) -> str:
    """``text`` as NFKC, lower-cased, letters and digits only.

    Folded run by run between CJK Unified Ideographs, which every step leaves alone and
    which bound every step: NFKC keeps them as they are, never reorders or composes across
    a starter that composes with nothing (Unicode's quick check "yes", combining class 0),
    and lower-casing's only context rule (final sigma) stops at a character that is neither
    cased nor case-ignorable. So the result is that of folding the whole text at once
    (tests/test_dedupe.py checks every BMP character between and beside ideographs), but
    NFKC no longer rewrites the whole text for its first full-width comma: it was three
    quarters of this function, 0.14 ms an article (docs/performance.md).
    """
    return _NOT_HAN.sub(_fold_match, text)


def _fold_match(match: re.Match[str]) -> str:
    run = match.group()
    return _fold_short(run) if len(run) <= _CACHED_RUN else _fold(run)


def _fold(run: str) -> str:
    """NFKC, lower case, letters and digits only (``_NOT_ALNUM`` in C, not a loop over characters)."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", run).lower())


_fold_short = lru_cache(maxsize=4096)(_fold)


def shingles(normalised: str, size: int = SHINGLE_SIZE) -> set[str]:
    """The set of ``size``-character substrings of an already normalised text."""
    if len(normalised) < size:
        return {normalised} if normalised else set()
    return {normalised[i : i + size] for i in range(len(normalised) - size + 1)}
