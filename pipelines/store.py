"""Store pipeline: writes every Article to the database named by STORE_URI."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem

from crawler.config import Config
from crawler.items import Article
from crawler.store import Store, StoreError

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class StorePipeline:
    """Upserts articles, one transaction each, so a killed crawl loses at most one."""

    def __init__(self, crawler: Crawler, uri: str) -> None:
        self.crawler = crawler
        self.uri = uri
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler, Config.from_settings(crawler.settings).store_uri)

    def open_spider(self, spider: Spider | None = None) -> None:
        self.store = Store.open(self.uri)
        logger.info("Storing articles in %s", self.uri)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.store is not None:
            self.store.close()

    def process_item(self, item: object, spider: Spider | None = None) -> object:
        if isinstance(item, Article) and self.store is not None:
            try:
                self.store.upsert_article(item)
            except StoreError as exc:
                # The page stays in the WARC: a replay can store it once the cause is fixed.
                self.crawler.stats.inc_value(f"store/errors/{item.outlet}")
                raise DropItem(f"not stored: {exc}") from exc
            self.crawler.stats.inc_value(f"articles/stored/{item.outlet}")
        return item
