"""`scrapy mend [DIR|FILE ...]`: repair WARC files left ``.open`` by a killed crawl."""

from __future__ import annotations

import argparse
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.config import Config
from crawler.warc.mend import mend_file, open_files


class Command(ScrapyCommand):
    """Keep every complete record of ``*.warc.gz.open`` files, cut the partial one, rename."""

    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[DIR|FILE ...]"

    def short_desc(self) -> str:
        return "Mend WARC files left .open by a killed crawl (default: ARCHIVE_DIR)"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        archive_dir = Config.from_settings(self.settings).archive_dir
        targets = [Path(a) for a in args] or [archive_dir]
        for target in targets:
            if not target.exists():
                raise UsageError(f"{target}: no such file or directory", print_help=False)
        files = open_files(targets)
        if not files:
            print(f"Nothing to mend: no *.warc.gz.open file in {', '.join(map(str, targets))}")
            return
        failed = 0
        for path in files:
            result = mend_file(path, archive_dir if path.parent.resolve() == archive_dir.resolve()
                               else path.parent)
            print(result)
            failed += result.status in ("damaged", "refused")
        self.exitcode = 1 if failed else 0
