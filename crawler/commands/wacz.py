"""`scrapy wacz [PATH ...] [-o OUT.wacz]`: package WARC files (default: ARCHIVE_DIR) as WACZ 1.1.1."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.config import Config
from crawler.store import Store, StoreError
from crawler.warc.wacz import Page, write_wacz


class Command(ScrapyCommand):
    """Package archives with their CDXJ index and one page entry per stored article."""

    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[options] [DIR|FILE.warc.gz ...]"

    def short_desc(self) -> str:
        return "Package WARC files as a WACZ (archive/, indexes/, pages/, datapackage.json)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", default=None, help="WACZ file to write "
                            "(default: ARCHIVE_DIR/archive-TIMESTAMP.wacz)")
        parser.add_argument("--title", default="", help="datapackage title")
        parser.add_argument("--description", default="", help="datapackage description")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        config = Config.from_settings(self.settings)
        targets = [Path(a) for a in args] or [config.archive_dir]
        warcs: list[Path] = []
        indexes: list[Path] = []
        for target in targets:
            if target.is_dir():
                warcs.extend(sorted(target.glob("*.warc.gz")))
                indexes.extend(sorted((target / "indexes").glob("*.cdxj")))
            elif target.is_file() and target.name.endswith((".warc.gz", ".warc")):
                warcs.append(target)
            else:
                raise UsageError(f"{target}: not a directory or a .warc.gz file", print_help=False)
        if not warcs:
            raise UsageError(f"no WARC file in {', '.join(map(str, targets))}", print_help=False)
        names = {w.name for w in warcs}
        pages: list[Page] = []
        try:
            with Store.open(config.store_uri) as store:
                for art in store.iter_articles():
                    if art["warc_file"] in names:
                        pages.append(Page(url=art["url"], ts="", title=art["title"], file=art["warc_file"],
                                          offset=art["warc_offset"]))
        except StoreError as exc:
            print(f"No pages from the store ({exc}); pages/pages.jsonl lists none")
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        out = Path(opts.output) if opts.output else config.archive_dir / f"archive-{stamp}.wacz"
        package = write_wacz(out, warcs, pages, indexes=indexes, title=opts.title,
                             description=opts.description)
        size = sum(r["bytes"] for r in package["resources"])
        print(f"WACZ {out}: {len(warcs)} WARC files, {len(pages)} pages, {size / 1e6:.2f} MB of content")
