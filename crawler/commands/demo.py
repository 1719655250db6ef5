"""`scrapy demo`: crawl the bundled mock outlets on loopback and summarise the result."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.config import Config
from crawler.mock import DEFAULT_OUTLETS_DIR, MockOutlets
from crawler.summary import summarise

#: Politeness off for loopback: the mocks are ours.
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_TIMES": 1,
    "RETRY_BACKOFF_BASE": 0,
    "LOG_LEVEL": "WARNING",
}


def crawl_plans(outlets_dir: Path = DEFAULT_OUTLETS_DIR) -> dict[str, list[dict[str, str]]]:
    """Spider → the ``-a`` arguments of each mock outlet it crawls, from ``<outlet>/crawl.json``.

    ``crawl.json`` (optional) is ``{"spider": "site", "args": {"url": …}}``; both keys are
    optional, ``spider`` defaults to the directory name. tests/test_outlets.py reads it too.
    """
    plans: dict[str, list[dict[str, str]]] = {}
    for path in sorted(outlets_dir.glob("*/crawl.json")):
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
            spider = str(spec.get("spider", path.parent.name))
            args = {str(k): str(v) for k, v in spec.get("args", {}).items()}
        except (OSError, ValueError, AttributeError) as exc:
            raise ValueError(f"{path}: cannot read: {exc}") from exc
        plans.setdefault(spider, []).append(args)
    return plans


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
            plans = crawl_plans()
            for name in names:
                # A spider with crawl.json plans runs once per plan, with its arguments.
                for n, args in enumerate(plans.get(name, [{}])):
                    crawler = self.crawler_process.create_crawler(name)
                    crawlers[name if n == 0 else f"{name}#{n + 1}"] = crawler
                    self.crawler_process.crawl(crawler, **args)
            self.crawler_process.start()
        stats = {name: c.stats.get_stats() for name, c in crawlers.items()}
        print(summarise(config, stats, archive_dir=Path(config.archive_dir)))
