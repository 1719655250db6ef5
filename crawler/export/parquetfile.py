"""Parquet with typed columns (pyarrow), written one row group per batch.

Types: text ``string`` (required ones not null); ``published_at``, ``first_seen`` and
``last_seen`` ``timestamp[us, tz=Asia/Shanghai]``; ``edition_date`` ``date32``;
``is_reprint`` ``bool``; ``warc_offset`` ``int64``; string lists ``list<string>``;
``images`` ``list<struct<url: string, caption: string>>``; ``layers``
``map<string, string>`` (keeps the order). Row groups hold ``batch_size`` rows, and only
the current one is in memory, so memory does not grow with the number of articles.

Reading rule (what :func:`read_articles` does): timestamps are instants, shown in +08:00
as the store writes ``published_at``; ``edition_date`` back to ``YYYY-MM-DD``; ``layers``
from key/value pairs to a dict. A ``published_at`` or ``edition_date`` that is not ISO
8601 cannot be typed: it is written as null with a warning naming the article (the store
and the other formats keep the text).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from crawler import __version__
from crawler.export.rows import (
    BOOL,
    IMAGES,
    INT,
    JSON_VALUE,
    KINDS,
    STORE_COLUMNS,
    TEXT,
    TEXT_LIST,
    TEXT_MAP,
    TIME,
    plain,
    published_moment,
)
from crawler.store.store import SHANGHAI

logger = logging.getLogger(__name__)

TIMESTAMP = pa.timestamp("us", tz="Asia/Shanghai")
IMAGE = pa.struct([pa.field("url", pa.string(), nullable=False), pa.field("caption", pa.string())])
#: Optional text fields that have a better type than text.
_TYPED_TEXT = {"published_at": TIMESTAMP, "edition_date": pa.date32()}
_TYPES = {
    TEXT: pa.string(),
    BOOL: pa.bool_(),
    INT: pa.int64(),
    TEXT_LIST: pa.list_(pa.string()),
    IMAGES: pa.list_(IMAGE),
    TEXT_MAP: pa.map_(pa.string(), pa.string()),
    TIME: TIMESTAMP,
}


def schema(columns: Sequence[str] = STORE_COLUMNS) -> pa.Schema:
    """The Arrow schema of an export with ``columns``."""
    fields = []
    for name in columns:
        kind = KINDS[name]
        arrow_type = _TYPED_TEXT.get(name) or _TYPES.get(kind, pa.string())
        required = kind in (TEXT, BOOL, TEXT_LIST, IMAGES, TEXT_MAP)
        fields.append(pa.field(name, arrow_type, nullable=not required))
    return pa.schema(fields, metadata={"generator": f"nmg-news-archiver {__version__}"})


def _typed(name: str, value: Any, url: str) -> Any:
    """``value`` as the Python object pyarrow converts to the column's type."""
    if value is None:
        return None
    if name == "published_at":
        moment = published_moment(value)
        if moment is None:
            logger.warning("parquet export: %s published_at %r is not ISO 8601; written as null", url, value)
        return moment
    if name == "edition_date":
        try:
            return date.fromisoformat(value)
        except ValueError:
            logger.warning(
                "parquet export: %s edition_date %r is not YYYY-MM-DD; written as null", url, value
            )
            return None
    if KINDS.get(name) == TEXT_MAP:
        return list(value.items())
    if KINDS.get(name) == JSON_VALUE:
        return json.dumps(plain(value), ensure_ascii=False)
    return plain(value)


def row(article: Mapping[str, Any], columns: Sequence[str] = STORE_COLUMNS) -> dict[str, Any]:
    """The Arrow row of one article."""
    url = article.get("url", "?")
    return {name: _typed(name, article.get(name), url) for name in columns}


def write(
    articles: Iterable[Mapping[str, Any]],
    out: BinaryIO,
    columns: Sequence[str] = STORE_COLUMNS,
    *,
    batch_size: int = 500,
) -> int:
    """Write ``articles`` as Parquet, ``batch_size`` rows per row group; return the count."""
    arrow_schema = schema(columns)
    count = 0
    with pq.ParquetWriter(out, arrow_schema, compression="zstd") as writer:
        rows: list[dict[str, Any]] = []
        for article in articles:
            rows.append(row(article, columns))
            count += 1
            if len(rows) >= batch_size:
                writer.write_table(pa.Table.from_pylist(rows, schema=arrow_schema), row_group_size=batch_size)
                rows = []
        if rows:
            writer.write_table(pa.Table.from_pylist(rows, schema=arrow_schema), row_group_size=batch_size)
    return count


def _article(record: dict[str, Any]) -> dict[str, Any]:
    """Undo the typing of one row (the reading rule)."""
    for name, value in record.items():
        if value is None:
            continue
        if isinstance(value, datetime):
            value = value.astimezone(SHANGHAI)
            record[name] = value.isoformat() if name == "published_at" else value
        elif isinstance(value, date):
            record[name] = value.isoformat()
        elif KINDS.get(name) == TEXT_MAP:
            record[name] = dict(value)
        elif KINDS.get(name) == JSON_VALUE:
            record[name] = json.loads(value)
    return record


def read_articles(path: Path) -> Iterator[dict[str, Any]]:
    """Read a Parquet export back into article dicts, one row group at a time."""
    parquet = pq.ParquetFile(path)
    try:
        for group in range(parquet.num_row_groups):
            for record in parquet.read_row_group(group).to_pylist():
                yield _article(record)
    finally:
        parquet.close()
