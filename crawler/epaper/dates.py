"""Which issues an e-paper crawl walks: ``-a date=…`` or ``-a since=… -a until=…``, default today."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from crawler.zh.dates import TZ

#: Longest range one crawl may walk; a typo (since=2002 for 2022) should not queue 7000 days.
MAX_DAYS = 3660


class DateArgumentError(ValueError):
    """A date argument of an e-paper spider is wrong; the message names the argument."""


def _parse(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise DateArgumentError(f"{name}={value!r} is not a date: expected YYYY-MM-DD") from None


def today_in_china() -> date:
    """Today's date in Asia/Shanghai, where the papers are printed."""
    return datetime.now(TZ).date()


def issue_dates(
    date_arg: str | None = None, since: str | None = None, until: str | None = None,
    *, today: date | None = None,
) -> list[date]:
    """The issue dates to crawl, oldest first.

    ``date_arg``: one date or several, comma-separated (``2022-06-02,2026-03-12``).
    ``since``/``until``: an inclusive range; ``until`` defaults to today. Neither: today
    (Asia/Shanghai). Raises :class:`DateArgumentError` naming the bad argument.
    """
    today = today or today_in_china()
    if date_arg is not None and (since is not None or until is not None):
        raise DateArgumentError("date cannot be combined with since/until: give one date list or a range")
    if date_arg is not None:
        items = [item for item in date_arg.split(",") if item.strip()]
        if not items:
            raise DateArgumentError(f"date={date_arg!r} names no date: expected YYYY-MM-DD[,YYYY-MM-DD…]")
        return sorted({_parse("date", item) for item in items})
    if since is None and until is not None:
        raise DateArgumentError(f"until={until!r} needs since=YYYY-MM-DD (the first issue to crawl)")
    if since is None:
        return [today]
    first = _parse("since", since)
    last = _parse("until", until) if until is not None else today
    if first > last:
        raise DateArgumentError(f"since={first} is after until={last}")
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise DateArgumentError(
            f"since={first} until={last} spans {days} days, more than {MAX_DAYS}: split the backfill")
    return list(_walk(first, last))


def _walk(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
