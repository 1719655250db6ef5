"""Filtered, streaming reads of the article store (exports, feeds).

:func:`select_articles` yields articles in batches from one read transaction, with a
server-side cursor on PostgreSQL (``stream_results`` + ``yield_per``) and pysqlite's lazy
cursor on SQLite, so memory stays at one batch whatever the number of articles.

Time bounds are on ``published_utc``: a ``YYYY-MM-DD`` day is an Asia/Shanghai day,
``since`` includes it from 00:00 and ``until`` includes all of it (up to, not including,
00:00 of the next day). Full ISO 8601 times are instants (naive ones in Shanghai time),
``until`` then inclusive. Articles without a publication time are left out whenever a
bound is given. ``query`` is full-text search (crawler/store/fulltext.py): every
whitespace-separated term must occur, case-sensitively, in the title or text (or their
simplified forms), through SQLite's FTS5 trigram index or PostgreSQL's pg_trgm index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import SQLAlchemyError

from crawler.store.errors import StoreError
from crawler.store.fulltext import match_conditions
from crawler.store.schema import articles, images
from crawler.store.store import SHANGHAI, _article_dict, _describe

if TYPE_CHECKING:
    from crawler.store.store import Store

_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Bound:
    """A time bound on ``published_utc``: the instant and whether it is included."""

    at: datetime
    inclusive: bool


@dataclass(frozen=True)
class Selection:
    """What a filter selects, without reading the articles: how many, and the latest
    ``last_seen`` among them (None when nothing is selected)."""

    count: int
    last_seen: datetime | None


def parse_bound(value: str | date | datetime, *, name: str, end: bool) -> Bound:
    """Read a ``since`` (``end=False``) or ``until`` (``end=True``) bound.

    Accepts a ``date`` or ``YYYY-MM-DD`` (an Asia/Shanghai day; ``until`` covers the
    whole day), or an aware/naive ``datetime`` or ISO 8601 time (naive = Shanghai).
    Raises ValueError naming ``name`` and the value.
    """
    day: date | None = None
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str) and _DAY_RE.match(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"{name} {value!r} is not a valid date: {exc}") from None
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"{name} {value!r} is not a date (YYYY-MM-DD, a Shanghai day) "
                "or an ISO 8601 time (e.g. 2024-05-01T08:00:00+08:00)"
            ) from None
    else:
        raise ValueError(f"{name} {value!r} is not a date or time")
    if day is not None:
        start = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
        if end:
            return Bound(start + timedelta(days=1), inclusive=False)
        return Bound(start, inclusive=True)
    assert moment is not None
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return Bound(moment, inclusive=True)


def _conditions(
    dialect: str,
    *,
    outlet: str | None,
    section: str | None,
    since: str | date | datetime | None,
    until: str | date | datetime | None,
    query: str | None,
) -> list[ColumnElement[bool]]:
    """WHERE conditions for the filters; raises ValueError for bad bounds."""
    where: list[ColumnElement[bool]] = []
    if outlet is not None:
        where.append(articles.c.outlet == outlet)
    if section is not None:
        where.append(articles.c.section == section)
    low = parse_bound(since, name="since", end=False) if since is not None else None
    high = parse_bound(until, name="until", end=True) if until is not None else None
    if low is not None and high is not None and low.at >= high.at and not (
        low.at == high.at and high.inclusive
    ):
        raise ValueError(f"since {since!r} is after until {until!r}: nothing can match")
    column = articles.c.published_utc
    if low is not None:
        where.append(column >= low.at.astimezone(UTC))
    if high is not None:
        at = high.at.astimezone(UTC)
        where.append(column <= at if high.inclusive else column < at)
    where.extend(match_conditions(dialect, query))
    return where


def _order(newest_first: bool) -> tuple[Any, ...]:
    """ORDER BY of a selection: by publication time then id; undated articles last."""
    if newest_first:
        return (articles.c.published_utc.desc().nulls_last(), articles.c.id.desc())
    return (articles.c.published_utc.asc().nulls_last(), articles.c.id.asc())


def select_articles(
    store: Store,
    *,
    outlet: str | None = None,
    section: str | None = None,
    since: str | date | datetime | None = None,
    until: str | date | datetime | None = None,
    query: str | None = None,
    newest_first: bool = False,
    limit: int | None = None,
    batch_size: int = 500,
) -> Iterator[dict[str, Any]]:
    """Yield the selected articles (dicts as :meth:`Store.get_article` returns them).

    Order: by ``published_utc`` then id, oldest first (or newest first), articles without
    a publication time last either way. ``limit`` caps the number. Raises ValueError for
    bad bounds (before reading anything) and :class:`StoreError` when the store fails.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    where = _conditions(store.dialect, outlet=outlet, section=section, since=since, until=until, query=query)
    stmt: Select[Any] = select(articles).where(*where).order_by(*_order(newest_first))
    if limit is not None:
        stmt = stmt.limit(limit)
    return _stream(store, stmt, batch_size)


def _stream(store: Store, stmt: Select[Any], batch_size: int) -> Iterator[dict[str, Any]]:
    """Run ``stmt`` and yield article dicts, reading rows and images one batch at a time."""
    try:
        with (
            store._read() as conn,
            conn.execution_options(stream_results=True, yield_per=batch_size).execute(stmt) as result,
        ):
            # Closed explicitly (``with``) so that an abandoned iteration also
            # closes PostgreSQL's server-side cursor before the transaction ends.
            for batch in result.mappings().partitions():
                by_article: dict[int, list[Any]] = {row["id"]: [] for row in batch}
                image_rows = conn.execute(
                    select(images.c.article_id, images.c.url, images.c.caption)
                    .where(images.c.article_id.in_(list(by_article)))
                    .order_by(images.c.article_id, images.c.position)
                )
                for image in image_rows:
                    by_article[image.article_id].append(image)
                for row in batch:
                    yield _article_dict(row, by_article[row["id"]])
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read articles from {store.uri!r}: {_describe(exc)}") from exc


def describe_selection(
    store: Store,
    *,
    outlet: str | None = None,
    section: str | None = None,
    since: str | date | datetime | None = None,
    until: str | date | datetime | None = None,
    query: str | None = None,
    newest_first: bool = True,
    limit: int | None = None,
) -> Selection:
    """Count the articles a filter selects and find their latest ``last_seen``.

    With ``limit``, both are over the articles ``select_articles(newest_first=newest_first,
    limit=limit)`` yields.
    """
    where = _conditions(store.dialect, outlet=outlet, section=section, since=since, until=until, query=query)
    chosen = select(articles.c.last_seen).where(*where)
    if limit is not None:  # the same articles select_articles yields
        chosen = chosen.order_by(*_order(newest_first)).limit(limit)
    subquery = chosen.subquery()
    stmt = select(func.count(), func.max(subquery.c.last_seen))
    try:
        with store._read() as conn:
            count, last_seen = conn.execute(stmt).one()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot count articles in {store.uri!r}: {_describe(exc)}") from exc
    if isinstance(last_seen, str):  # max() over a TypeDecorator column comes back raw
        last_seen = datetime.fromisoformat(last_seen).astimezone(UTC)
    return Selection(int(count), last_seen)
