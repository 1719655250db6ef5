"""JSON Lines: one article per line, the store's dict as JSON.

Keys are the export columns in order (every Article field, then ``first_seen`` and
``last_seen``); ``images`` are ``{"url", "caption"}`` objects, times ISO 8601 with +08:00,
Chinese left readable (``ensure_ascii=False``). Reading rule: ``json.loads`` each line;
:func:`read_articles` also turns the two times back into datetimes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from crawler.export.rows import KINDS, STORE_COLUMNS, TIME, plain
from crawler.store.store import SHANGHAI


def record(article: Mapping[str, Any], columns: Sequence[str] = STORE_COLUMNS) -> dict[str, Any]:
    """The JSON object of one article."""
    result: dict[str, Any] = {}
    for name in columns:
        value = article.get(name)
        if KINDS.get(name) == TIME and isinstance(value, datetime):
            value = value.astimezone(SHANGHAI).isoformat()
        result[name] = plain(value)
    return result


def write(
    articles: Iterable[Mapping[str, Any]], out: BinaryIO, columns: Sequence[str] = STORE_COLUMNS
) -> int:
    """Write one JSON line per article; return the number written."""
    count = 0
    for article in articles:
        out.write(json.dumps(record(article, columns), ensure_ascii=False).encode("utf-8"))
        out.write(b"\n")
        count += 1
    return count


def read_articles(path: Path) -> Iterator[dict[str, Any]]:
    """Read a JSON Lines export back into article dicts (times as datetimes)."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            for name, value in article.items():
                if KINDS.get(name) == TIME and value is not None:
                    article[name] = datetime.fromisoformat(value)
            yield article
