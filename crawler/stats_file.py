"""Extension that writes the crawl's final stats as JSON (setting ``STATS_FILE``).

Scheduled crawls and tests read it instead of scraping the log.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


class StatsFile:
    """Dumps ``crawler.stats`` to ``STATS_FILE`` when the spider closes."""

    def __init__(self, crawler: Crawler, path: Path | None) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("STATS_FILE")
        ext = cls(crawler, Path(path) if path else None)
        if not path:  # off by default; stays silent rather than warn on every crawl
            return ext
        # after the core stats (finish_time, finish_reason) are set
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed, weak=False)
        return ext

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.path is None:
            return
        stats = {k: _jsonable(v) for k, v in self.crawler.stats.get_stats().items()}
        stats["finish_reason"] = reason
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(json.dumps(stats, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)
