"""E-paper edition labels: ``《光明日报》（ 2025年02月12日 04版）``, ``第05版：冰点周刊``.

Hand-written: these are fixed print conventions, not dates a date library reads.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DATED = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日\s*(?:第\s*)?(?P<n>\d{1,3})\s*版"
)
_NAMED = re.compile(r"第?\s*(?P<n>\d{1,3})\s*版\s*[:：]\s*(?P<name>[^\s，,。;；()（）\[\]【】|]{1,20})")


@dataclass(frozen=True)
class Edition:
    """Issue date (``YYYY-MM-DD``), page number (two digits, ``"04"``) and page name."""

    date: str | None = None
    page_number: str | None = None
    page_name: str | None = None


def parse_edition(text: str) -> Edition | None:
    """The edition a line names, or None: ``（2026年07月29日 05版）`` gives date and
    number, ``第05版：冰点周刊`` number and name."""
    norm = unicodedata.normalize("NFKC", text)
    dated, named = _DATED.search(norm), _NAMED.search(norm)
    if not dated and not named:
        return None
    date = None
    if dated:
        date = f"{int(dated['y']):04d}-{int(dated['m']):02d}-{int(dated['d']):02d}"
    number = (dated or named)["n"]  # type: ignore[index]
    return Edition(date=date, page_number=f"{int(number):02d}", page_name=named["name"] if named else None)
