"""Articles whose every page the server answered 304 Not Modified: seen again, not extracted again.

Runs before extraction. The conditional middleware (crawler/middlewares/conditional.py)
answers a 304 with the archived response, so the spider reads the page as before and
yields its Article; when every page of it is in :func:`not_modified_urls` and the article
is stored, only its ``last_seen`` is marked and the item is dropped (at DEBUG level; stat
``store/not_modified``). An article not stored yet goes on to be extracted and stored.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem

from crawler.items import Article
from crawler.middlewares.conditional import not_modified_urls
from crawler.store import StoreError
from crawler.store.shared import crawl_store, crawl_writer

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


class NotModifiedPipeline:
    """See the module docstring."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NotModifiedPipeline:
        return cls(crawler)

    async def process_item(self, item: object, spider: Spider | None = None) -> object:
        if not isinstance(item, Article):
            return item
        answered = not_modified_urls(self.crawler)
        pages = item.pages or [item.url]
        if not answered or not all(url in answered for url in pages):
            return item
        try:
            store = crawl_store(self.crawler)
            writer = crawl_writer(self.crawler)
            if writer is None:
                seen = store.mark_seen(item.url)
            else:  # after the writes asked before, off the reactor's thread
                future = writer.submit("mark_seen", item.url)
                await asyncio.wait([asyncio.wrap_future(future)])
                seen = writer.result(future)
        except StoreError:
            return item  # the store pipeline will report the store's trouble
        if not seen:
            return item
        self.crawler.stats.inc_value("store/not_modified")
        raise DropItem(f"unchanged since the last crawl (304 Not Modified): {item.url}", log_level="DEBUG")
