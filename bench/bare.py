"""Two peers on plain Scrapy (none of the project's settings, extensions or pipelines).

    python -m bench.bare bare  START_URL   # follow the links, read nothing
    python -m bench.bare naive START_URL   # + trafilatura.bare_extraction per article

``bare`` is the framework's ceiling: the same links as the synthetic spider, no archive.
``naive`` is how one would add extraction without thinking about it: trafilatura's
``bare_extraction`` on the whole page, inline in the callback, on the reactor's thread.
Both write Scrapy's final stats as JSON to ``$BENCH_STATS`` when that is set; ``$BENCH_EXTRA``
(JSON) adds settings.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

from bench.spiders.synthetic import ARTICLE_RE, COLUMNS


class BareSpider(scrapy.Spider):
    """Follows list pages, articles and their second pages; extracts nothing (``naive``: trafilatura)."""

    name = "bare"

    def __init__(self, start: str = "", naive: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_base = start.rstrip("/") + "/"
        self.naive = naive

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for column in range(COLUMNS):
            yield scrapy.Request(f"{self.start_base}col{column}/index.html", callback=self.parse_list)

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        for href in response.css("ul.news-list a::attr(href)").getall():
            url = response.urljoin(href)
            if ARTICLE_RE.search(url):
                yield scrapy.Request(url, callback=self.parse_article)
        nxt = response.css("a.next::attr(href)").get()
        if nxt:  # $BENCH_LIST_PRIORITY=-1: a column's articles before its next list page
            yield scrapy.Request(response.urljoin(nxt), callback=self.parse_list,
                                 priority=int(os.environ.get("BENCH_LIST_PRIORITY") or 0))

    def parse_article(self, response: Response) -> Iterator[Any]:
        if self.naive:
            import trafilatura

            doc = trafilatura.bare_extraction(response.text, url=response.url, with_metadata=True)
            if doc is not None:
                yield {"url": response.url, "title": doc.title, "date": doc.date, "author": doc.author,
                       "text": doc.text}
        href = response.css("#pager a::attr(href)").get()
        if href:
            yield scrapy.Request(response.urljoin(href), callback=self.parse_article)


def main(argv: list[str]) -> int:
    mode, start = argv[0], argv[1]
    settings = {"USER_AGENT": f"bench-{mode}", "ROBOTSTXT_OBEY": True, "CONCURRENT_REQUESTS": 16,
                "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "DOWNLOAD_DELAY": 0, "LOG_LEVEL": "INFO"}
    # The benchmark's shared politeness (bench/peers.py SCRAPY_SETTINGS) and framework settings.
    settings.update(json.loads(os.environ.get("BENCH_EXTRA") or "{}"))
    process = CrawlerProcess(settings=settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, start=start, naive=mode == "naive")
    process.start()
    out = os.environ.get("BENCH_STATS")
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(crawler.stats.get_stats(), fh, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
