"""`scrapy search QUERY [--outlet X] [--since D] [--until D] [--limit N]`: full-text search of the store.

Every whitespace-separated term of QUERY must occur (case-sensitively) in an article's title
or text, or their simplified forms; ``"quoted words"`` stay one term. Terms of one or two
characters work too (a scan where the trigram index cannot help). Hits are ranked (10 points
per occurrence in a title, 1 in a text, then newest) and printed one block each: score,
outlet, publication date, title, URL, a snippet, and what the store knows of it (gone since,
a reprint of …). ``--json`` prints one JSON object per hit instead.
"""

from __future__ import annotations

import argparse
import json
import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.commands.export import ExportError, open_existing_store
from crawler.config import Config, ConfigError
from crawler.store import StoreError
from crawler.store.fulltext import terms
from crawler.store.query import parse_bound
from crawler.store.schema import format_utc
from crawler.store.search import Hit


def render(hit: Hit, rank: int) -> str:
    """One hit as a block of text."""
    notes = []
    if hit.gone_at is not None:
        notes.append(f"gone since {format_utc(hit.gone_at)}")
    if hit.reprint_of is not None:
        notes.append(f"reprint of {hit.reprint_of}")
    head = f"{rank}. [{hit.score}] {hit.outlet}  {hit.published_at or 'undated'}  {hit.title}"
    lines = [head, f"   {hit.url}", f"   {hit.snippet}"]
    if notes:
        lines.append(f"   ({'; '.join(notes)})")
    return "\n".join(lines)


class Command(ScrapyCommand):
    """Search stored articles."""

    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[--outlet X] [--since D] [--until D] [--limit N] [--json] QUERY"

    def short_desc(self) -> str:
        return "Full-text search (Chinese) of stored articles' titles and texts"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--outlet", help="only this outlet (spider name or site domain)")
        parser.add_argument("--since", metavar="DATE",
                            help="published on or after: YYYY-MM-DD (a Shanghai day) or ISO 8601 time")
        parser.add_argument("--until", metavar="DATE",
                            help="published on or before: YYYY-MM-DD (the whole Shanghai day) or ISO time")
        parser.add_argument("--limit", type=int, default=20, metavar="N", help="at most N hits (default 20)")
        parser.add_argument("--json", action="store_true", help="one JSON object per hit")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if self.settings.getpriority("LOG_LEVEL") < SETTINGS_PRIORITIES["cmdline"]:
            self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        query = " ".join(args)
        if not terms(query):
            raise UsageError("give a QUERY: the words to search for", print_help=False)
        if opts.limit < 1:
            raise UsageError(f"--limit must be at least 1, got {opts.limit}", print_help=False)
        for name in ("since", "until"):
            value = getattr(opts, name)
            if value is not None:
                try:
                    parse_bound(value, name=f"--{name}", end=name == "until")
                except ValueError as exc:
                    raise UsageError(str(exc), print_help=False) from None
        try:
            with open_existing_store(Config.from_settings(self.settings).store_uri) as store:
                hits = store.search(query, outlet=opts.outlet, since=opts.since, until=opts.until,
                                    limit=opts.limit)
        except (ExportError, StoreError, ConfigError, ValueError) as exc:
            print(f"scrapy search: error: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        if opts.json:
            for hit in hits:
                record = {**hit.__dict__, "gone_at": format_utc(hit.gone_at) if hit.gone_at else None}
                print(json.dumps(record, ensure_ascii=False))
            return
        if not hits:
            print(f"no article matches {query!r}", file=sys.stderr)
            return
        print("\n\n".join(render(hit, n) for n, hit in enumerate(hits, 1)))
        print(f"\n{len(hits)} hit{'s' if len(hits) != 1 else ''}" + (" (--limit reached)"
                                                                    if len(hits) == opts.limit else ""),
              file=sys.stderr)
