"""Extension that writes the crawl's final stats as JSON (setting ``STATS_FILE``).

Scheduled crawls and tests read it instead of scraping the log. With ``STATS_FILE`` unset
every crawl writes ``{ARCHIVE_DIR}/stats/{spider}-{start}.json`` (start: UTC
``YYYYMMDDTHHMMSSZ``), which ``scrapy report`` reads; an empty value turns it off.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals

from crawler.config import ConfigError, file_part

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


logger = logging.getLogger(__name__)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


class StatsFile:
    """Dumps ``crawler.stats`` to ``STATS_FILE`` when the spider closes."""

    def __init__(self, crawler: Crawler, path: Path | None, *, default_dir: Path | None = None) -> None:
        self.crawler = crawler
        self.path = path
        #: Where the file goes when ``STATS_FILE`` is unset (named when the spider closes).
        self.default_dir = default_dir

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("STATS_FILE")
        if path is None:  # unset: one file per crawl under ARCHIVE_DIR/stats
            archive_dir = Path(str(crawler.settings.get("ARCHIVE_DIR") or "archives")).expanduser()
            ext = cls(crawler, None, default_dir=archive_dir / "stats")
        else:
            ext = cls(crawler, Path(path) if path else None)
            if not path:  # explicitly empty: off, silently
                return ext
        # after the core stats (finish_time, finish_reason) are set
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed, weak=False)
        return ext

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.path is None and self.default_dir is not None:
            start = self.crawler.stats.get_value("start_time") or datetime.now(UTC)
            try:  # the spider's name is part of the file name: it must not climb out of stats/
                name = file_part(spider.name, "spider name")
            except ConfigError as exc:
                logger.error("crawl stats not written: %s", exc)
                return
            stem = f"{name}-{start.astimezone(UTC):%Y%m%dT%H%M%SZ}"
            self.path = self.default_dir / f"{stem}.json"
            serial = 0
            while self.path.exists():  # two crawls of one spider started in the same second
                serial += 1
                self.path = self.default_dir / f"{stem}-{serial}.json"
        if self.path is None:
            return
        stats = {k: _jsonable(v) for k, v in self.crawler.stats.get_stats().items()}
        stats["finish_reason"] = reason
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        try:
            tmp.write_text(json.dumps(stats, indent=2, sort_keys=True), encoding="utf-8")
        except OSError as exc:  # a full disk: no half-written stats file left behind
            tmp.unlink(missing_ok=True)
            logger.error("crawl stats not written to %s: %s", self.path, exc)
            return
        tmp.replace(self.path)
