"""Publication dates in Chinese news text and URLs, in Asia/Shanghai time.

Library findings that shaped this module (dateparser 1.5, htmldate 1.11, dateutil):

* ``dateparser.search.search_dates`` reads ``10-07-21 17:18`` (old nmgnews, YY-MM-DD) as
  2021-10-07 even with ``languages=["zh"]``, and returns *now* for a year-less
  ``9月26日``; ``dateparser.parse`` returns None as soon as other words surround the
  date (``发布日期:2022-06-02浏览次数:``) and returns *now* for ``今天`` even with
  ``STRICT_PARSING`` and ``REQUIRE_PARTS``.
* ``dateutil.parser.parse(fuzzy=True)`` turns ``2022年06月02日`` into June 2 of the
  current year and ``《光明日报》（ 2025年02月12日 04版）`` into 2004-02-12.
* ``htmldate.find_date`` turns ``2022年06月02日`` into 2022-01-01 and ``2022-13-45``
  into 2022-01-01.

So dates in text are located and read by the hand-written patterns below; dateparser
is only the fallback for a whole string in a form those patterns do not know
(RFC 2822, English month names), and htmldate reads dates in URLs, with hand-written
patterns for the Founder e-paper forms it misses (``202309/26``, ``_20250212_``).
"""

from __future__ import annotations

import re
import unicodedata
import warnings
import zoneinfo
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from urllib.parse import urlsplit

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")

_TIME = (
    r"(?:\s*(?:(?:星期|周|礼拜)[一二三四五六日天])?\s*(?:T|\s)?\s*"
    r"(?P<H>\d{1,2})\s*[:时点]\s*(?P<M>\d{1,2})\s*分?"
    r"(?:\s*:?\s*(?P<S>\d{1,2})(?:\.\d+)?\s*秒?)?"
    r"(?:\s*(?P<tz>Z|[+-]\d{2}:?\d{2})(?!\d))?)?"
)
_FULL = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*"
    r"(?:年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})(?!\d)\s*[日号]?"
    r"|(?P<sep>[-/.])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2})(?!\d|\.\d))" + _TIME
)
# Old nmgnews template: ``10-07-21 17:18`` is YY-MM-DD (comment and regex of a
# public nmgnews spider); only zero-padded fields with dashes are read this way.
_SHORT = re.compile(r"(?<![\d\-/.])(?P<yy>\d{2})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d\-])" + _TIME)
# Datelines without a year (``9月26日,全市…``): the year comes from year_hint.
_NOYEAR = re.compile(r"(?<![\d年/\-.])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]" + _TIME)

_FALLBACK_SETTINGS = {
    "STRICT_PARSING": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "DATE_ORDER": "YMD",
}


def _tzinfo(text: str | None) -> tzinfo:
    """The tzinfo of an explicit offset (``Z``, ``+0800``), else Asia/Shanghai."""
    if not text:
        return TZ
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _build(year: int, month: int, day: int, match: re.Match[str]) -> datetime | None:
    """A Shanghai datetime from matched parts, or None when they are not a real date."""
    hour = int(match["H"]) if match["H"] else 0
    minute = int(match["M"]) if match["M"] else 0
    second = int(match["S"]) if match["S"] else 0
    try:
        dt = datetime(year, month, day, hour, minute, second, tzinfo=_tzinfo(match["tz"]))
    except ValueError:
        return None
    return dt.astimezone(TZ)


def _candidates(text: str, year_hint: int | None) -> list[tuple[int, datetime | None]]:
    """Every date found in ``text`` with its position (None when invalid)."""
    found: list[tuple[int, datetime | None]] = []
    for m in _FULL.finditer(text):
        month = m["m1"] or m["m2"]
        day = m["d1"] or m["d2"]
        found.append((m.start(), _build(int(m["y"]), int(month), int(day), m)))
    for m in _SHORT.finditer(text):
        yy = int(m["yy"])
        year = 2000 + yy if yy < 70 else 1900 + yy
        found.append((m.start(), _build(year, int(m["m"]), int(m["d"]), m)))
    for m in _NOYEAR.finditer(text):
        dt = _build(year_hint, int(m["m"]), int(m["d"]), m) if year_hint else None
        found.append((m.start(), dt))
    found.sort(key=lambda item: item[0])
    return found


def _fallback(text: str) -> datetime | None:
    """Whole-string parse by dateparser for forms the patterns do not cover."""
    # Only with a 4-digit year: dateparser answers "now" for 今天 even when strict.
    if not re.search(r"(?<!\d)(?:19|20)\d{2}(?!\d)", text) or len(text) > 64:
        return None
    import dateparser  # slow import, needed only here

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = dateparser.parse(text, languages=["zh", "en"], settings=_FALLBACK_SETTINGS)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=TZ)
    return parsed.astimezone(TZ)


def parse_datetime(text: str, *, year_hint: int | None = None) -> datetime | None:
    """Return the first valid publication date/time written in ``text``.

    The result is timezone-aware in Asia/Shanghai (a date alone gives 00:00).
    Two-digit years (``10-07-21``) are read YY-MM-DD. A date without a year is used
    only with ``year_hint``. Invalid dates (``2022-13-45``) are skipped, never raised.
    """
    if not text:
        return None
    norm = unicodedata.normalize("NFKC", text)
    found = _candidates(norm, year_hint)
    for _, dt in found:
        if dt is not None:
            return dt
    if found:
        return None
    return _fallback(norm.strip())


_COMPACT_MONTH = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>\d{2})/(?P<d>\d{2})(?!\d)")
_COMPACT_DAY = re.compile(r"(?<=[_/\-])(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?=[_/\-])")
#: ``/page/2014/1124/1462726.shtml`` (mirror farms, fx361 copies): YYYY/MMDD.
_YEAR_MONTHDAY = re.compile(r"(?<=/)(?P<y>(?:19|20)\d{2})/(?P<m>\d{2})(?P<d>\d{2})(?=/)")


def _htmldate_url(path: str) -> date | None:
    """The ``YYYY/MM/DD``, ``YYYY-MM/DD`` … date of a URL path, read by htmldate."""
    try:
        from htmldate.extractors import extract_url_date
        from htmldate.utils import Extractor

        # htmldate compares with naive datetimes: the bounds must be naive too.
        latest, earliest = datetime(2100, 1, 1), datetime(1990, 1, 1)  # noqa: DTZ001
        options = Extractor(False, latest, earliest, False, "%Y-%m-%d")
        found = extract_url_date(path, options)
    except (ImportError, TypeError, ValueError):  # internal API changed: use the rules
        return None
    return date.fromisoformat(found) if found else None


def date_from_url(url: str) -> date | None:
    """Return the publication date encoded in a news URL, or None.

    htmldate reads ``/2010/07/21/`` and ``/2021-11/30/``; it misses the Founder
    ``layout/202309/26/`` and ``nw.D110000gmrb_20250212_4-01.htm`` forms and the
    ``/2014/1124/`` form of mirror farms, which are read by hand. Query strings and fragments are ignored.
    """
    path = "/" + urlsplit(url).path.lstrip("/")
    found = _htmldate_url(path)
    if found:
        return found
    for pattern in (_COMPACT_MONTH, _COMPACT_DAY, _YEAR_MONTHDAY):
        for m in pattern.finditer(path):
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                continue
    return None


def to_iso(dt: datetime) -> str:
    """ISO 8601 in Asia/Shanghai with seconds precision; naive input is taken as Shanghai."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=TZ)
    return dt.astimezone(TZ).isoformat(timespec="seconds")
