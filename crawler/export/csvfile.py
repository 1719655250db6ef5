"""CSV (RFC 4180, UTF-8, optionally with a BOM for Excel): one article per row.

Cells follow the writing and reading rules of :mod:`crawler.export.rows` (lists and
mappings as JSON, formula guard). Line ends are CRLF, as RFC 4180 and Excel expect;
text cells keep their own line breaks inside quotes. Read back with
:func:`read_articles`, or any CSV reader plus the reading rule.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from crawler.export.rows import STORE_COLUMNS, flatten, unflatten


def write(
    articles: Iterable[Mapping[str, Any]],
    out: BinaryIO,
    columns: Sequence[str] = STORE_COLUMNS,
    *,
    bom: bool = False,
) -> int:
    """Write a header and one row per article; return the number of rows."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if bom else "utf-8", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow(columns)
        count = 0
        for article in articles:
            writer.writerow(flatten(article, columns))
            count += 1
        text.flush()
    finally:
        text.detach()  # the caller owns (and closes) ``out``
    return count


def read_articles(path: Path) -> Iterator[dict[str, Any]]:
    """Read a CSV export back into article dicts (with or without a BOM)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            yield unflatten(row)
