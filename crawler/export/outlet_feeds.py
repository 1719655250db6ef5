"""Extension: after each crawl, rewrite a feed of each crawled outlet's latest articles.

None of our outlets has a working RSS feed of its own; a scheduled crawl with this
extension keeps one current: ``{ARCHIVE_DIR}/feeds/{outlet}.atom`` (and ``.rss``,
``.json`` for the other formats in ``OUTLET_FEEDS_FORMATS``), holding the newest
``OUTLET_FEEDS_LIMIT`` articles of the outlet in the store, newest first. Each file is
replaced atomically, so a feed reader polling it never sees half a feed.

Settings: ``OUTLET_FEEDS_ENABLED`` (default False), ``OUTLET_FEEDS_FORMATS`` (default
``["atom"]``; any of ``atom``, ``rss``, ``jsonfeed``), ``OUTLET_FEEDS_LIMIT`` (default
100), ``OUTLET_FEEDS_BASE_URL`` (where ``feeds/`` is published, for the feeds' self
links; default none). Stats: ``outlet_feeds/written``, ``outlet_feeds/entries/{outlet}``,
``outlet_feeds/errors``. A failure is logged and counted; it never fails the crawl.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.config import Config, ConfigError
from crawler.export.feeds import FeedInfo, feed_id, now
from crawler.export.formats import FORMATS, ExportOptions, export
from crawler.items import Article
from crawler.store import Store, StoreError
from crawler.store.query import describe_selection, select_articles

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_OUTLET_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class OutletFeedsConfig:
    """The extension's settings, validated."""

    feeds_dir: Path
    store_uri: str
    formats: tuple[str, ...]
    limit: int
    base_url: str | None

    @classmethod
    def from_settings(cls, settings: Any) -> OutletFeedsConfig:
        """Read and check the OUTLET_FEEDS_* settings; ConfigError names the bad one."""
        config = Config.from_settings(settings)
        formats = tuple(settings.getlist("OUTLET_FEEDS_FORMATS", ["atom"]))
        feed_formats = [name for name, f in FORMATS.items() if f.is_feed]
        for name in formats:
            if name not in feed_formats:
                raise ConfigError(
                    f"OUTLET_FEEDS_FORMATS has {name!r}; expected some of {', '.join(feed_formats)}"
                )
        if not formats:
            raise ConfigError(f"OUTLET_FEEDS_FORMATS is empty; expected some of {', '.join(feed_formats)}")
        try:
            limit = settings.getint("OUTLET_FEEDS_LIMIT", 100)
        except (TypeError, ValueError) as exc:
            value = settings.get("OUTLET_FEEDS_LIMIT")
            raise ConfigError(f"OUTLET_FEEDS_LIMIT={value!r} is not a number") from exc
        if limit < 1:
            raise ConfigError(f"OUTLET_FEEDS_LIMIT={limit} must be at least 1")
        base_url = settings.get("OUTLET_FEEDS_BASE_URL") or None
        return cls(
            feeds_dir=config.archive_dir / "feeds",
            store_uri=config.store_uri,
            formats=formats,
            limit=limit,
            base_url=str(base_url).rstrip("/") if base_url else None,
        )


class OutletFeeds:
    """Writes per-outlet feeds on ``spider_closed`` (setting ``OUTLET_FEEDS_ENABLED``)."""

    def __init__(self, crawler: Crawler, config: OutletFeedsConfig) -> None:
        self.crawler = crawler
        self.config = config
        self.outlets: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OutletFeeds:
        if not crawler.settings.getbool("OUTLET_FEEDS_ENABLED"):
            raise NotConfigured("OUTLET_FEEDS_ENABLED is off")
        ext = cls(crawler, OutletFeedsConfig.from_settings(crawler.settings))
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_scraped(self, item: Any, spider: Spider) -> None:
        """Note the outlet of every article that made it through the pipelines."""
        if isinstance(item, Article):
            self.outlets.add(item.outlet)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Rewrite the feeds of the outlets this crawl touched (and of the spider's own)."""
        stats = self.crawler.stats
        assert stats is not None
        outlets = sorted(self.outlets | {spider.name})
        try:
            store = Store.open(self.config.store_uri)
        except StoreError as exc:
            logger.error("outlet feeds not written: %s", exc)
            stats.inc_value("outlet_feeds/errors")
            return
        with store:
            for outlet in outlets:
                if not _OUTLET_RE.match(outlet):
                    logger.error("outlet feeds: outlet name %r cannot be a file name; skipped", outlet)
                    stats.inc_value("outlet_feeds/errors")
                    continue
                try:
                    written = self.write_outlet(store, outlet, _display_name(spider, outlet))
                except (StoreError, OSError, ValueError) as exc:
                    logger.error("outlet feeds for %s not written: %s", outlet, exc)
                    stats.inc_value("outlet_feeds/errors")
                    continue
                if written is not None:
                    stats.inc_value("outlet_feeds/written", len(self.config.formats))
                    stats.set_value(f"outlet_feeds/entries/{outlet}", written)

    def write_outlet(self, store: Store, outlet: str, name: str) -> int | None:
        """Write every configured feed of one outlet; the number of entries, or None if
        the store has no article of it (no feed is written then)."""
        selection = describe_selection(store, outlet=outlet, limit=self.config.limit)
        if selection.count == 0:
            return None
        self.config.feeds_dir.mkdir(parents=True, exist_ok=True)
        count = 0
        for fmt in self.config.formats:
            filename = f"{outlet}{FORMATS[fmt].extension}"
            info = FeedInfo(
                title=f"{name} ({outlet})" if name != outlet else outlet,
                id=feed_id(f"outlet={outlet}"),
                updated=selection.last_seen or now(),
                description=(
                    f"The latest {self.config.limit} articles of {name} in the nmg-news-archiver "
                    "archive; each entry cites the WARC record it came from."
                ),
                self_url=f"{self.config.base_url}/{filename}" if self.config.base_url else None,
            )
            articles = select_articles(store, outlet=outlet, newest_first=True, limit=self.config.limit)
            path = self.config.feeds_dir / filename
            count = export(articles, path, fmt, ExportOptions(feed=info))
            logger.info("outlet feed %s: %d entries", path, count)
        return count


def _display_name(spider: Spider, outlet: str) -> str:
    """The outlet's own name (``outlet_names[0]`` of its spider), else the outlet id."""
    names = getattr(spider, "outlet_names", None)
    if outlet == spider.name and names:
        return str(names[0])
    return outlet
