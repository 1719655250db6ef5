"""The export formats by name, and :func:`export`: articles to a file, atomically."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from crawler.export import atom, csvfile, jsonfeed, jsonl, rss
from crawler.export.atomic import atomic_output
from crawler.export.feeds import FeedInfo
from crawler.export.rows import STORE_COLUMNS


@dataclass(frozen=True)
class ExportOptions:
    """How to write: the columns of tabular formats, a BOM for CSV, the Parquet row
    group size, and the feed-level metadata of feed formats."""

    columns: Sequence[str] = STORE_COLUMNS
    bom: bool = False
    batch_size: int = 500
    feed: FeedInfo | None = None


Writer = Callable[[Iterable[Mapping[str, Any]], BinaryIO, ExportOptions], int]


def _parquet(articles: Iterable[Mapping[str, Any]], out: BinaryIO, options: ExportOptions) -> int:
    # Imported here: pyarrow is heavy, and every crawl imports this module (outlet feeds).
    from crawler.export import parquetfile

    return parquetfile.write(articles, out, options.columns, batch_size=options.batch_size)


def _feed(options: ExportOptions) -> FeedInfo:
    if options.feed is None:
        raise ValueError("a feed format needs ExportOptions.feed (title, id, updated)")
    return options.feed


@dataclass(frozen=True)
class Format:
    """One export format: its name, file extension, media type and writer."""

    name: str
    extension: str
    media_type: str
    is_feed: bool
    writer: Writer


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("jsonl", ".jsonl", "application/jsonl", False,
               lambda a, out, o: jsonl.write(a, out, o.columns)),
        Format("csv", ".csv", "text/csv", False,
               lambda a, out, o: csvfile.write(a, out, o.columns, bom=o.bom)),
        Format("parquet", ".parquet", "application/vnd.apache.parquet", False, _parquet),
        Format("atom", ".atom", "application/atom+xml", True,
               lambda a, out, o: atom.write(a, out, _feed(o))),
        Format("rss", ".rss", "application/rss+xml", True,
               lambda a, out, o: rss.write(a, out, _feed(o))),
        Format("jsonfeed", ".json", "application/feed+json", True,
               lambda a, out, o: jsonfeed.write(a, out, _feed(o))),
    )
}

_BY_EXTENSION = {f.extension: f.name for f in FORMATS.values()} | {".xml": "rss", ".ndjson": "jsonl"}


def get_format(name: str) -> Format:
    """The format called ``name``; ValueError naming it and the known ones otherwise."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown export format {name!r} (known: {', '.join(FORMATS)})") from None


def guess_format(path: Path) -> str | None:
    """The format a file name suggests (``out.csv`` -> ``csv``), or None."""
    return _BY_EXTENSION.get(path.suffix.lower())


def export(articles: Iterable[Mapping[str, Any]], path: Path, fmt: str, options: ExportOptions) -> int:
    """Write ``articles`` to ``path`` in format ``fmt``; return how many were written.

    The file appears at ``path`` only when complete (see :mod:`crawler.export.atomic`);
    on any error the destination is left as it was.
    """
    writer = get_format(fmt).writer
    with atomic_output(path) as out:
        return writer(articles, out, options)
