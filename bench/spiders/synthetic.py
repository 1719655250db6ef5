"""The benchmark's synthetic outlet (bench/site.py), crawled on the project's real road.

Built like spiders/nmgnews.py: column lists followed through ``a.next``, one article
template as a small class, two-page articles through ``#pager``. Runs with
``-s SPIDER_MODULES=spiders,bench.spiders -a start=http://127.0.0.1:PORT/n2000/``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from crawler.spider import PagedArticleSpider, PageFields

ARTICLE_RE = re.compile(r"/system/\d{4}/\d{2}/\d{2}/\d{9}\.shtml$")
COLUMNS = 4


def _text(page: TextResponse, css: str) -> str:
    return re.sub(r"\s+", " ", " ".join(page.css(css + " ::text").getall())).strip()


class Template:
    """The synthetic outlet's only article template."""

    @staticmethod
    def read(page: TextResponse) -> PageFields | None:
        body = page.css(".article-content")
        title = _text(page, ".article-title")
        if not body or not title:
            return None
        source = re.search(r"来源[:：]\s*(\S+)", _text(page, ".article-infos"))
        return PageFields(
            title=title,
            published_raw=_text(page, ".article-infos time.date") or None,
            source=source.group(1) if source else None,
            editor=_text(page, ".editor") or None,
            body=body[0],
        )


class SyntheticSpider(PagedArticleSpider):
    """Column lists → articles of the synthetic outlet served by bench/nginx.py."""

    name = "synthetic"
    allowed_domains = ("127.0.0.1",)
    outlet_names = ("内蒙古新闻门户",)
    templates = (Template,)
    drift_what = "the synthetic article template does not match"

    def __init__(self, start: str = "", list_priority: str | int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not start.startswith("http://127.0.0.1:"):
            raise ValueError(f"start: {start!r} is not the benchmark's outlet on http://127.0.0.1:PORT/…")
        self.start_base = start.rstrip("/") + "/"
        #: Priority of the next list page. 0 (as spiders/nmgnews.py): Scrapy's LIFO queue walks
        #: the list chain first and holds the articles' requests; -1: a page's articles first.
        self.list_priority = int(list_priority)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for column in range(COLUMNS):
            yield scrapy.Request(f"{self.start_base}col{column}/index.html", callback=self.parse_list,
                                 errback=self.on_error)

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        """Article links of a list page, then its ``a.next`` page."""
        page, _ = self.decoded(response)
        for href in page.css("ul.news-list a::attr(href)").getall():
            url = page.urljoin(href)
            if ARTICLE_RE.search(url):
                yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error)
        nxt = page.css("a.next::attr(href)").get()
        if nxt:
            yield scrapy.Request(page.urljoin(nxt), callback=self.parse_list, errback=self.on_error,
                                 priority=self.list_priority)

    @staticmethod
    def _next_page(page: TextResponse) -> str | None:
        href = page.css("#pager a::attr(href)").get()
        return page.urljoin(href) if href else None
