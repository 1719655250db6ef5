"""`scrapy report [--since D] [-o FILE]`: the crawl report as one self-contained HTML page."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.config import Config
from crawler.report import write_report


class Command(ScrapyCommand):
    """Charts of articles, e-paper issues, errors, drift and archive size from ARCHIVE_DIR and the store."""

    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if self.settings.getpriority("LOG_LEVEL") < SETTINGS_PRIORITIES["cmdline"]:
            self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")  # a report, not a crawl log

    def syntax(self) -> str:
        return "[--since YYYY-MM-DD] [-o FILE]"

    def short_desc(self) -> str:
        return "Write an HTML report of the crawls (articles, e-paper issues, errors, archive size)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="only days from this one on (UTC+8)")
        parser.add_argument("-o", "--output", metavar="FILE",
                            help="where to write the page (default: ARCHIVE_DIR/report.html)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        since = None
        if opts.since:
            try:
                since = date.fromisoformat(opts.since)
            except ValueError as exc:
                raise UsageError(f"--since {opts.since!r} is not a date (YYYY-MM-DD)") from exc
        config = Config.from_settings(self.settings)
        out = Path(opts.output) if opts.output else config.archive_dir / "report.html"
        data = write_report(config.archive_dir, config.store_uri, out, since)
        print(f"Report written to {out} ({len(data.runs)} crawls, {len(data.outlets())} outlets, "
              f"{len(data.problems)} problems)")
