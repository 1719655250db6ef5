"""`scrapy demo`: crawl the bundled mock outlets on loopback and summarise the result."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.config import Config
from crawler.mock import MockOutlets
from crawler.summary import summarise

#: Politeness off for loopback: the mocks are ours.
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_TIMES": 1,
    "LOG_LEVEL": "WARNING",
}


class Command(ScrapyCommand):
    """Run every spider against the mock outlets, then print what was archived and stored."""

    requires_project = True

    def short_desc(self) -> str:
        return "Crawl the bundled mock outlets (no internet) and print a summary"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--spider", action="append", default=[],
                            help="only this spider (repeatable); default: every spider")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        for key, value in FAST.items():  # project settings outrank a command's defaults
            if self.settings.getpriority(key) < SETTINGS_PRIORITIES["cmdline"]:
                self.settings.set(key, value, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None and self.crawler_process is not None
        config = Config.from_settings(self.settings)
        names = opts.spider or sorted(self.crawler_process.spider_loader.list())
        with MockOutlets() as mocks:
            for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
                os.environ[var] = mocks.proxy_url
            os.environ["no_proxy"] = os.environ["NO_PROXY"] = ""
            crawlers: dict[str, Any] = {}
            for name in names:
                crawler = self.crawler_process.create_crawler(name)
                crawlers[name] = crawler
                self.crawler_process.crawl(crawler)
            self.crawler_process.start()
        stats = {name: c.stats.get_stats() for name, c in crawlers.items()}
        print(summarise(config, stats, archive_dir=Path(config.archive_dir)))
