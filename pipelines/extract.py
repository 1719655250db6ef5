"""Extraction pipeline: turns the spider's selector fields and container HTML into a clean Article."""

from __future__ import annotations

from typing import TYPE_CHECKING

from itemadapter import ItemAdapter

from crawler.extract.article import finish
from crawler.items import Article

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


class ExtractPipeline:
    """Runs :func:`crawler.extract.article.finish` on every Article."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.min_chars = crawler.settings.getint("EXTRACT_MIN_CHARS", 20)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler)

    def process_item(self, item: object, spider: Spider | None = None) -> object:
        if not isinstance(item, Article):
            return item
        names = tuple(getattr(self.crawler.spider, "outlet_names", ()))
        finish(item, outlet_names=names, min_chars=self.min_chars)
        stats = self.crawler.stats
        stats.inc_value(f"articles/extracted/{item.outlet}")
        for flag in item.flags:
            stats.inc_value(f"articles/flag/{flag}")
        return ItemAdapter(item).item
