"""Full-text conditions over title and text, for SQLite (FTS5 trigram) and PostgreSQL (pg_trgm).

A query is split into terms at whitespace (``"…"`` keeps a phrase with spaces together);
an article matches when every term occurs, as a case-sensitive substring, in its title,
text, or their simplified forms (``title_simplified``/``text_simplified``, so a page in
traditional characters is found by simplified terms too).

* SQLite: terms of 3 characters or more go to the FTS5 table ``articles_fts`` (tokenizer
  ``trigram``: a phrase of trigrams is exactly a substring). A trigram index cannot
  answer shorter terms, and Chinese words are often 2 characters (草原, 牧民): those are
  matched with ``instr`` over the candidate rows (all rows when no term is long).
* PostgreSQL: every term is ``LIKE '%term%'`` on the expression the ``pg_trgm`` GIN index
  covers (migration 0003); the index serves terms of 3+ characters, shorter ones scan.

Ranking (:func:`score`) is the same arithmetic on both engines: 10 points per occurrence of
a term in a title, 1 per occurrence in a text.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, func, literal_column, or_, select, table, text

from crawler.store.schema import articles

#: Shortest term the trigram indexes can look up.
MIN_INDEXED = 3
SEARCH_COLUMNS = ("title", "text", "title_simplified", "text_simplified")
#: The indexed document of migration 0003, its columns qualified (PostgreSQL matches the
#: expression's structure, so the index serves it; queries may join other tables).
PG_DOCUMENT = " || chr(10) || ".join(f"coalesce(articles.{c}, '')" for c in SEARCH_COLUMNS)
_TERM = re.compile(r'"([^"]+)"|(\S+)')
_FTS = table("articles_fts", literal_column("rowid"))


def terms(query: str | None) -> list[str]:
    """The terms of a query: words split at whitespace, ``"quoted phrases"`` kept whole."""
    if not query:
        return []
    return [quoted or word for quoted, word in _TERM.findall(query) if (quoted or word).strip()]


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _any_column_has(term: str) -> ColumnElement[bool]:
    """``term`` occurs in one of the searched columns (no index: a scan of the candidates)."""
    return or_(*(func.instr(articles.c[c], term) > 0 for c in SEARCH_COLUMNS))


def match_conditions(dialect: str, query: str | None) -> list[ColumnElement[bool]]:
    """WHERE conditions that select the articles matching every term of ``query``."""
    wanted = terms(query)
    if not wanted:
        return []
    if dialect == "sqlite":
        long = [t for t in wanted if len(t) >= MIN_INDEXED]
        where: list[ColumnElement[bool]] = []
        if long:
            expr = " AND ".join(_fts_phrase(t) for t in long)
            matching = select(_FTS.c.rowid).where(text("articles_fts MATCH :fts").bindparams(fts=expr))
            where.append(articles.c.id.in_(matching))
        where.extend(_any_column_has(t) for t in wanted if len(t) < MIN_INDEXED)
        return where
    document = literal_column(f"({PG_DOCUMENT})")
    return [document.like(_like_pattern(t), escape="\\") for t in wanted]


def _occurrences(column: str, term: str) -> ColumnElement[int]:
    value = func.coalesce(articles.c[column], "")
    return (func.length(value) - func.length(func.replace(value, term, ""))) / len(term)


def score(query: str | None) -> ColumnElement[int]:
    """Relevance of a matching article (see the module docstring)."""
    parts: list[ColumnElement[int]] = []
    for term in terms(query):
        parts.append(10 * (_occurrences("title", term) + _occurrences("title_simplified", term)))
        parts.append(_occurrences("text", term) + _occurrences("text_simplified", term))
    if not parts:
        return literal_column("0")
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total
