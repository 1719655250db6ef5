"""`scrapy replay PATH...`: run the spiders and pipelines over archived responses, offline.

PATH: WARC, WARC.gz, ARC, WACZ files or directories of them. The outlet spiders named by
the files' warcinfo (or owning their URLs, or given with ``--spider``) run exactly as in
a live crawl, answered from the archive; then the archived HTML pages no spider visited
go through :class:`crawler.replay.spider.ReplaySpider`. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.conf import arglist_to_dict

from crawler.config import Config
from crawler.replay import archive as archive_mod
from crawler.replay.archive import Archive
from crawler.replay.plan import make_plan
from crawler.replay.sources import SourceError
from crawler.replay.spider import ReplaySpider
from crawler.replay.summary import replay_summary

logger = logging.getLogger(__name__)

GUARD = "crawler.replay.middleware.ReplayGuard"
#: Politeness is for live sites; a replay reads local files.
REPLAY_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "WARC_ENABLED": False,
    "RETRY_BACKOFF_BASE": 0,
}


class Command(ScrapyCommand):
    """Replay archives through the spiders and pipelines."""

    requires_project = True

    def syntax(self) -> str:
        return "[options] PATH [PATH ...]"

    def short_desc(self) -> str:
        return "Re-extract articles from WARC/ARC/WACZ archives (no network)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--spider", default=None, help="run only this outlet spider")
        parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE",
                            help="spider argument (may be repeated)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        try:
            opts.spargs = arglist_to_dict(opts.spargs)
        except ValueError as exc:
            raise UsageError("Invalid -a value, use -a NAME=VALUE", print_help=False) from exc
        for key, value in REPLAY_SETTINGS.items():
            if self.settings.getpriority(key) < SETTINGS_PRIORITIES["cmdline"]:
                self.settings.set(key, value, priority="cmdline")
        handlers = dict(self.settings.getdict("DOWNLOAD_HANDLERS"))
        handlers.update({scheme: GUARD for scheme in ("http", "https", "ftp", "s3")})
        self.settings.set("DOWNLOAD_HANDLERS", handlers, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None and self.crawler_process is not None
        if not args:
            raise UsageError("name at least one archive file or directory", print_help=True)
        paths = [str(Path(a).resolve()) for a in args]
        try:
            archive = Archive.build(paths)
        except SourceError as exc:
            raise UsageError(str(exc), print_help=False) from exc
        archive_mod.register(paths, archive)
        self.settings.set("REPLAY_PATHS", paths, priority="cmdline")
        loader = self.crawler_process.spider_loader
        classes = {name: loader.load(name) for name in loader.list()}
        domains = {name: tuple(getattr(cls, "allowed_domains", None) or ()) for name, cls in classes.items()}
        if opts.spider is not None and opts.spider not in classes:
            known = ", ".join(sorted(classes))
            raise UsageError(f"--spider {opts.spider!r}: no such spider (known: {known})", print_help=False)
        plan = make_plan(archive, domains, opts.spider)
        crawlers: dict[str, Any] = {}
        waits = []
        for name in plan.spiders:
            crawler = self.crawler_process.create_crawler(name)
            crawlers[name] = crawler
            waits.append(self.crawler_process.crawl(crawler, **(opts.spargs or plan.args.get(name, {}))))
        for owner in sorted(plan.pages, key=lambda o: o or ""):
            crawler = self.crawler_process.create_crawler(ReplaySpider)
            crawlers[f"pages of {owner or 'unknown outlets'}"] = crawler
            self.crawler_process.crawl(crawler, paths=paths, owner=owner, owner_cls=classes.get(owner or ""),
                                       domains=domains, wait_for=list(waits))
        if not crawlers:
            logger.warning("Nothing to replay: no spider and no HTML page in %s", ", ".join(paths))
        else:
            self.crawler_process.start()
        stats: dict[str, dict[str, Any]] = {}
        for name, crawler in crawlers.items():
            try:
                stats[name] = crawler.stats.get_stats()
            except RuntimeError:  # the spider could not even start (see the log)
                stats[name] = {"replay/not_started": 1}
        config = Config.from_settings(self.settings)
        print(replay_summary(archive, plan, stats, config.store_uri))
        if sum(int(s.get("replay/leaked", 0)) for s in stats.values()):
            sys.stderr.write("replay: some requests reached a download handler (see the log)\n")
            self.exitcode = 1
