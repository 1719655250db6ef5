"""`scrapy export`: stored articles to JSON Lines, CSV, Parquet, Atom, RSS 2.0 or JSON Feed 1.1.

    scrapy export --format csv --outlet nmgnews --since 2024-05-01 -o may.csv
    scrapy export --format atom --query 乌兰察布 --until 2024-06-30 -o wlcb.atom

The store is the one the crawl writes (``STORE_URI``, default under ``ARCHIVE_DIR``).
The file appears only when complete. Progress goes to the terminal (stderr) when it is one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.log import configure_logging
from sqlalchemy.engine import make_url

from crawler.config import Config, ConfigError
from crawler.export.atomic import OutputError, check_writable
from crawler.export.feeds import FeedInfo, feed_id, now
from crawler.export.formats import FORMATS, ExportOptions, export, guess_format
from crawler.export.progress import progress
from crawler.store import Store, StoreError
from crawler.store.query import describe_selection, parse_bound, select_articles
from crawler.store.store import mask_uri


class ExportError(Exception):
    """The export cannot run; the message names the input that is wrong."""


def open_existing_store(uri: str) -> Store:
    """Open the store at ``uri``, refusing to create a new, empty SQLite file."""
    try:
        url = make_url(uri)
    except Exception as exc:
        raise ExportError(f"STORE_URI {mask_uri(uri)!r} is not a database URI") from exc
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        if not path.is_file():
            raise ExportError(
                f"no article store at {str(path)!r} (STORE_URI {uri!r}): crawl first, "
                "or point -s STORE_URI=… or -s ARCHIVE_DIR=… at an existing store"
            )
    try:
        return Store.open(uri)
    except StoreError as exc:
        raise ExportError(str(exc)) from exc


def describe_filters(opts: argparse.Namespace) -> str:
    """The filters in words, for titles and feed ids (stable for the same filters)."""
    parts = [
        f"{name}={value}"
        for name, value in (
            ("outlet", opts.outlet),
            ("section", opts.section),
            ("since", opts.since),
            ("until", opts.until),
            ("query", opts.query),
        )
        if value
    ]
    return ", ".join(parts) if parts else "all articles"


class Command(ScrapyCommand):
    """Export stored articles, filtered, to one file."""

    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[--format FORMAT] [--outlet X] [--section S] [--since D] [--until D] [--query Q] -o FILE"

    def short_desc(self) -> str:
        return "Export stored articles to jsonl, csv, parquet, atom, rss or jsonfeed"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--format", "-f", choices=list(FORMATS), metavar="FORMAT",
                            help=f"one of {', '.join(FORMATS)} (default: from the -o file name)")
        parser.add_argument("-o", "--output", metavar="FILE", help="file to write (replaced when complete)")
        parser.add_argument("--outlet", help="only this outlet (spider name, e.g. nmgnews)")
        parser.add_argument("--section", help="only this section (栏目), exactly as stored")
        parser.add_argument("--since", metavar="DATE",
                            help="published on or after: YYYY-MM-DD (a Shanghai day) or ISO 8601 time")
        parser.add_argument("--until", metavar="DATE",
                            help="published on or before: YYYY-MM-DD (the whole Shanghai day) or ISO time")
        parser.add_argument("--query", metavar="TEXT", help="title or text contains TEXT (case-sensitive)")
        parser.add_argument("--newest-first", action="store_true", help="newest articles first")
        parser.add_argument("--limit", type=int, metavar="N", help="at most N articles")
        parser.add_argument("--bom", action="store_true", help="csv: start with a UTF-8 BOM (for Excel)")
        parser.add_argument("--title", help="feeds: feed title (default: from the filters)")
        parser.add_argument("--feed-url", metavar="URL", help="feeds: where the feed will be published")
        parser.add_argument("--home-url", metavar="URL", help="feeds: the site (default: first entry's)")
        parser.add_argument("--batch-size", type=int, default=500, metavar="N",
                            help="articles read per batch and Parquet row group size (default 500)")
        parser.add_argument("-q", "--quiet", action="store_true", help="no summary line")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if self.settings.getpriority("LOG_LEVEL") < SETTINGS_PRIORITIES["cmdline"]:
            self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")

    def _validate(self, args: list[str], opts: argparse.Namespace) -> tuple[str, Path]:
        """Check the arguments before touching the store; UsageError names the bad one."""
        if args:
            raise UsageError(f"unexpected argument(s): {' '.join(args)}", print_help=False)
        if not opts.output:
            raise UsageError("-o FILE is required", print_help=False)
        path = Path(opts.output).expanduser()
        fmt = opts.format or guess_format(path)
        if fmt is None:
            raise UsageError(
                f"cannot tell the format of {opts.output!r} from its name: give --format "
                f"({', '.join(FORMATS)})",
                print_help=False,
            )
        for name in ("since", "until"):
            value = getattr(opts, name)
            if value is not None:
                try:
                    parse_bound(value, name=f"--{name}", end=name == "until")
                except ValueError as exc:
                    raise UsageError(str(exc), print_help=False) from None
        for name in ("limit", "batch_size"):
            value = getattr(opts, name)
            if value is not None and value < 1:
                option = "--" + name.replace("_", "-")
                raise UsageError(f"{option} must be at least 1, got {value}", print_help=False)
        if opts.bom and fmt != "csv":
            raise UsageError(f"--bom is for csv, not {fmt}", print_help=False)
        return fmt, path

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        fmt, path = self._validate(args, opts)
        configure_logging(self.settings)
        try:
            count = self._export(fmt, path, opts)
        except (ExportError, StoreError, OutputError, ConfigError) as exc:
            print(f"scrapy export: error: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        except OSError as exc:
            print(f"scrapy export: error: cannot write {str(path)!r}: {exc.strerror or exc}", file=sys.stderr)
            self.exitcode = 1
            return
        if not opts.quiet:
            print(f"exported {count} article{'s' if count != 1 else ''} ({fmt}) to {path}", file=sys.stderr)

    def _export(self, fmt: str, path: Path, opts: argparse.Namespace) -> int:
        assert self.settings is not None
        check_writable(path)
        config = Config.from_settings(self.settings)
        filters: dict[str, Any] = {
            "outlet": opts.outlet,
            "section": opts.section,
            "since": opts.since,
            "until": opts.until,
            "query": opts.query,
        }
        with open_existing_store(config.store_uri) as store:
            try:
                selection = describe_selection(
                    store, newest_first=opts.newest_first, limit=opts.limit, **filters
                )
            except ValueError as exc:  # e.g. since after until
                raise ExportError(str(exc)) from exc
            what = describe_filters(opts)
            info = FeedInfo(
                title=opts.title or f"nmg-news-archiver: {what}",
                id=feed_id(what),
                updated=selection.last_seen or now(),
                description=f"Archived articles ({what}); each entry cites the WARC record it came from.",
                home_url=opts.home_url,
                self_url=opts.feed_url,
            )
            options = ExportOptions(bom=opts.bom, batch_size=opts.batch_size, feed=info)
            articles = select_articles(
                store, newest_first=opts.newest_first, limit=opts.limit, batch_size=opts.batch_size, **filters
            )
            return export(progress(articles, total=selection.count, what=path.name), path, fmt, options)
