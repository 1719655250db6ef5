"""光明网 (gmw.cn): column lists ``node_NNNN.htm`` → articles, both templates, multi-page.

    scrapy crawl gmw [-a columns=URL,URL] [-a since=YYYY-MM-DD] [-a max_list_pages=50]

Columns (shared/outlets.md §2) are paged ``node_NNNN.htm``, ``node_NNNN_2.htm`` … through the
``#displaypagenum`` pager; items are ``.channel-newsGroup li`` with ``.channel-newsTitle a``
and ``.channel-newsTime``. Paging a column stops at the first list page that

- holds an item older than ``since`` (lists run newest first; older items are not fetched), or
- holds only articles already in the store (``STORE_URI``): an incremental crawl stops where
  the last one got to. Articles already stored are not fetched again.

Article templates, chosen by what the page holds:

- ``V2020``: ``h1.u-title``, ``.m-con-time``, ``.m-con-source`` (``来源：<a>光明日报</a>``),
  ``.u-mainText`` / ``#ContentPh``, ``[责编：X]`` in ``.liability``; pager ``#displaypagenum``
  (page 2 is ``content_N_2.htm``, its title ends in ``(2)``).
- ``V2012``: ``h1#articleTitle``, ``#contentMsg`` with ``#pubTime`` and ``#source``,
  ``#contentMain``, ``#contentLiability``.

A page matching neither, or a column page without the list markup, is drift: logged with the
URL, counted (``drift/gmw``), and read by the generic extractor so nothing is lost. The walk
over an article's pages (crawl and ``extract_page``) is :class:`crawler.spider.PagedArticleSpider`'s.
UTF-8 throughout. ``source`` 光明日报 (the newspaper) is a reprint on 光明网, as 内蒙古日报 is on
nmgnews; only 光明网 itself is the outlet.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.http import Response, TextResponse

from crawler.config import Config
from crawler.spider import PagedArticleSpider, PageFields
from crawler.store import Store, StoreError
from crawler.zh.dates import date_from_url, parse_datetime

logger = logging.getLogger(__name__)

ARTICLE_RE = re.compile(r"^https?://[a-z0-9-]+\.gmw\.cn/\d{4}-\d{2}/\d{2}/content_\d+\.htm$")
#: Any page of an article (``content_N_2.htm`` …); epaper.gmw.cn is 光明日报's (spiders/gmrb.py).
PAGE_RE = re.compile(r"^https?://(?!epaper\.)[a-z0-9-]+\.gmw\.cn/\d{4}-\d{2}/\d{2}/content_\d+(?:_\d+)?\.htm$")
COLUMN_RE = re.compile(r"^(?P<base>https?://[a-z0-9-]+\.gmw\.cn/node_\d+)(?:_(?P<n>\d+))?\.htm$")
PAGE_SUFFIX = re.compile(r"\s*[(（]\d+[)）]\s*$")

DEFAULT_COLUMNS = (
    "https://politics.gmw.cn/node_9840.htm",  # 时政要闻
    "https://news.gmw.cn/node_4108.htm",      # 光明导读
)


def _text(sel: Selector | list[Selector] | None) -> str:
    if not sel:
        return ""
    node = sel[0] if isinstance(sel, list) else sel
    return re.sub(r"\s+", " ", " ".join(node.xpath(".//text()").getall())).strip()


def _section(page: TextResponse) -> str | None:
    """The column: the last link of the breadcrumb."""
    links = page.css(".g-crumbs a, #contentBreadcrumbs2 a, .m-crumbs a")
    return (_text(links[-1]) or None) if links else None


class V2020:
    """The current template (RSSHub ``lib/routes/gmw``)."""

    @staticmethod
    def read(page: TextResponse) -> PageFields | None:
        title = page.css("h1.u-title")
        body = page.css(".u-mainText, #ContentPh")
        if not title or not body:
            return None
        return PageFields(
            title=_text(title),
            published_raw=_text(page.css(".m-con-time, #articlePubTime")) or None,
            source=_text(page.css(".m-con-source")) or None,
            editor=_text(page.css("#articleLiability, .liability, .editor")) or None,
            body=body[0],
        )


class V2012:
    """The older template (``#contentMsg``, ``#contentMain``)."""

    @staticmethod
    def read(page: TextResponse) -> PageFields | None:
        body = page.css("#contentMain")
        msg = page.css("#contentMsg")
        if not body or not msg:
            return None
        title = page.css("#articleTitle") or page.xpath("//h1")
        return PageFields(
            title=_text(title),
            published_raw=_text(msg.css("#pubTime")) or None,
            source=_text(msg.css("#source")) or None,
            editor=_text(page.css("#contentLiability")) or None,
            body=body[0],
        )


TEMPLATES = (V2020, V2012)


@dataclass(frozen=True)
class ListItem:
    """An article link of a column page and the day it is dated."""

    url: str
    day: date | None


class GmwSpider(PagedArticleSpider):
    """Crawls 光明网 column lists and archives every article (see the module docstring)."""

    name = "gmw"
    allowed_domains = ("gmw.cn",)
    outlet_names = ("光明网",)
    templates = TEMPLATES
    drift_what = ("neither the current (h1.u-title/.u-mainText) nor the old "
                  "(#contentMsg/#contentMain) article template matches")

    def __init__(self, columns: str | None = None, since: str | None = None,
                 max_list_pages: str | int = 50, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        given = [c.strip() for c in (columns or "").split(",") if c.strip()]
        self.columns = given or list(DEFAULT_COLUMNS)
        for url in self.columns:
            if not COLUMN_RE.match(url):
                raise ValueError(f"columns: {url!r} is not a gmw column URL "
                                 "(https://<channel>.gmw.cn/node_NNNN.htm)")
        try:
            self.since = date.fromisoformat(since) if since else None
        except ValueError:
            raise ValueError(f"since: {since!r} is not a date (YYYY-MM-DD)") from None
        try:
            self.max_list_pages = int(max_list_pages)
        except ValueError:
            raise ValueError(f"max_list_pages: {max_list_pages!r} is not a whole number") from None
        if self.max_list_pages < 1:
            raise ValueError(f"max_list_pages: {self.max_list_pages} is below 1")
        self._store: Store | None = None
        self._store_checked = False

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> GmwSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._close_store, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.columns:
            yield scrapy.Request(url, callback=self.parse_list, errback=self.on_error, cb_kwargs={"depth": 1})

    # -- the store (read only: which articles are archived already) -------------------
    def _known(self, url: str) -> bool:
        if not self._store_checked:
            self._store_checked = True
            uri = Config.from_settings(self.settings).store_uri
            try:
                self._store = Store.open(uri)
            except StoreError as exc:
                logger.error("Cannot read the store to skip known articles (%s); fetching all", exc)
        if self._store is None:
            return False
        parts = urlsplit(url)
        twin = parts._replace(scheme="https" if parts.scheme == "http" else "http").geturl()
        try:
            return any(self._store.get_article(u) is not None for u in (url, twin))
        except StoreError as exc:
            logger.error("Store lookup of %s failed (%s); fetching it", url, exc)
            return False

    def _close_store(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # -- lists -------------------------------------------------------------------
    def _items(self, response: Response, page: TextResponse) -> list[ListItem]:
        """Article links of a column page, with their dates (list date, else URL date)."""
        items: list[ListItem] = []
        seen: set[str] = set()
        for li in page.css(".channel-newsGroup li, .content_left_main li"):
            href = li.css(".channel-newsTitle a::attr(href), .main_title a::attr(href)").get()
            if not href:
                continue
            url = page.urljoin(href.strip())
            if not ARTICLE_RE.match(url.split("?")[0]) or url in seen:
                continue
            seen.add(url)
            when = parse_datetime(_text(li.css(".channel-newsTime, .reading_right")))
            items.append(ListItem(url, when.date() if when else date_from_url(url)))
        if items:
            return items
        fallback = {page.urljoin(h.strip()) for h in page.css("a::attr(href)").getall()}
        found = sorted(u for u in fallback if ARTICLE_RE.match(u.split("?")[0]))
        self.drift(response, "a column page without .channel-newsGroup items"
                   + (f"; {len(found)} article links found anyway" if found else ""))
        return [ListItem(u, date_from_url(u)) for u in found]

    def _next_list(self, page: TextResponse, url: str) -> str | None:
        """The next page of a column: the pager's 下一页, else a link to ``node_N_{k+1}.htm``."""
        href = page.xpath("//*[@id='displaypagenum']//a[normalize-space(.)='下一页']/@href").get()
        if href:
            return page.urljoin(href)
        match = COLUMN_RE.match(url.split("?")[0])
        if not match:
            return None
        wanted = f"{match['base']}_{int(match['n'] or 1) + 1}.htm"
        links = {page.urljoin(h) for h in page.css("a::attr(href)").getall()}
        return wanted if wanted in links else None

    def parse_list(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        """Fetch the new articles of a column page; page on unless ``since`` or the store says stop."""
        page, _ = self.decoded(response)
        self.crawler.stats.inc_value(f"lists/pages/{self.name}")
        items = self._items(response, page)
        older = known = 0
        for item in items:
            if self.since and item.day and item.day < self.since:
                older += 1
                continue
            if self._known(item.url):
                known += 1
                self.crawler.stats.inc_value(f"articles/known/{self.name}")
                continue
            yield scrapy.Request(item.url, callback=self.parse_article, errback=self.on_error)
        nxt = self._next_list(page, response.url)
        if not nxt:
            return
        if older:
            logger.info("%s: %d item(s) older than %s; column not paged further",
                        response.url, older, self.since)
        elif items and known == len(items):
            logger.info("%s: every article already stored; column not paged further", response.url)
        elif depth >= self.max_list_pages:
            logger.info("%s: max_list_pages=%d reached", response.url, self.max_list_pages)
        else:
            yield scrapy.Request(nxt, callback=self.parse_list, errback=self.on_error,
                                 cb_kwargs={"depth": depth + 1})

    # -- articles (the page walk is PagedArticleSpider's) -------------------------------
    _section = staticmethod(_section)

    @staticmethod
    def _title(title: str) -> str:
        """Without the ``(2)`` a later page's title ends in."""
        return PAGE_SUFFIX.sub("", title)

    @staticmethod
    def _next_page(page: TextResponse) -> str | None:
        """The article pager's 下一页 (``#displaypagenum``)."""
        href = page.xpath("//*[@id='displaypagenum']//a[normalize-space(.)='下一页']/@href").get()
        return page.urljoin(href) if href else None

    @classmethod
    def handles(cls, url: str) -> bool:
        """Article pages ``https://<channel>.gmw.cn/YYYY-MM/DD/content_N[_P].htm``, not the
        e-paper's (epaper.gmw.cn is 光明日报, spiders/gmrb.py)."""
        return bool(PAGE_RE.match(url.split("?")[0]))
