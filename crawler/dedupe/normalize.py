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

SHINGLE_SIZE = 3


#: What is not a letter or digit: ``\w`` of a str pattern is ``str.isalnum()`` plus ``_``.
_NOT_ALNUM = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """``text`` as NFKC, lower-cased, letters and digits only."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return _NOT_ALNUM.sub("", folded)  # in C: a loop over characters was 15 % of a fingerprint


def shingles(normalised: str, size: int = SHINGLE_SIZE) -> set[str]:
    """The set of ``size``-character substrings of an already normalised text."""
    if len(normalised) < size:
        return {normalised} if normalised else set()
    return {normalised[i : i + size] for i in range(len(normalised) - size + 1)}
