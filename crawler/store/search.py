"""Ranked full-text search of the store (``scrapy search``); matching rules: crawler/store/fulltext.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from crawler.store.errors import StoreError
from crawler.store.fulltext import score, terms
from crawler.store.query import _conditions
from crawler.store.schema import articles, reprint_links
from crawler.store.store import _describe

if TYPE_CHECKING:
    from crawler.store.store import Store

#: Characters of context on each side of the first hit in a snippet.
SNIPPET_CONTEXT = 30


@dataclass(frozen=True)
class Hit:
    """One matching article."""

    url: str
    outlet: str
    published_at: str | None
    title: str
    snippet: str
    score: int
    gone_at: datetime | None
    reprint_of: str | None   # URL of the original, when the article is a linked copy
    id: int


def snippet(title: str, text: str, words: list[str], context: int = SNIPPET_CONTEXT) -> str:
    """The text around the first occurrence of a term (the text's start if only the title has one)."""
    flat = " ".join(text.split())
    spots = [(flat.find(w), w) for w in words if w in flat]
    if not spots:
        return flat[: 2 * context] + ("…" if len(flat) > 2 * context else "")
    at, word = min(spots)
    start, end = max(0, at - context), min(len(flat), at + len(word) + context)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def search(store: Store, query: str, *, outlet: str | None = None, since: str | date | datetime | None = None,
           until: str | date | datetime | None = None, limit: int = 20) -> list[Hit]:
    """Articles matching every term of ``query``, best first (score, then newest, then id).

    Raises ValueError for an empty query, a bad limit or bad bounds, and
    :class:`StoreError` when the store fails.
    """
    words = terms(query)
    if not words:
        raise ValueError(f"search query {query!r} has no terms")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    where = _conditions(store.dialect, outlet=outlet, section=None, since=since, until=until, query=query)
    rank = score(query).label("score")
    original = articles.alias("original")
    stmt = (
        select(articles.c.id, articles.c.url, articles.c.outlet, articles.c.published_at, articles.c.title,
               articles.c.title_simplified, articles.c.text, articles.c.text_simplified, articles.c.gone_at,
               original.c.url.label("original_url"), rank)
        .select_from(articles.outerjoin(reprint_links, reprint_links.c.copy_id == articles.c.id)
                     .outerjoin(original, original.c.id == reprint_links.c.original_id))
        .where(*where)
        .order_by(rank.desc(), articles.c.published_utc.desc().nulls_last(), articles.c.id)
        .limit(limit)
    )
    try:
        with store._read() as conn:
            rows: list[Any] = conn.execute(stmt).mappings().all()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot search {store.uri!r} for {query!r}: {_describe(exc)}") from exc
    hits = []
    for row in rows:
        title = row["title_simplified"] or row["title"]
        body = row["text_simplified"] or row["text"] or ""
        hits.append(Hit(url=row["url"], outlet=row["outlet"], published_at=row["published_at"], title=title,
                        snippet=snippet(title, body, words), score=int(row["score"]), gone_at=row["gone_at"],
                        reprint_of=row["original_url"], id=row["id"]))
    return hits
