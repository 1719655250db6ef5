"""内蒙古新闻网 (nmgnews.com.cn): column lists → articles, both templates, multi-page.

Templates (shared/outlets.md §1.2), chosen by what the page holds:
- ``V2025``: ``.article-title``, ``.article-infos time.date``, ``.article-content``; UTF-8
  sent without a charset.
- ``V2019``: ``#div2`` title, ``#div3`` date (two-digit year) and 来源, ``#div_content``
  body, ``#div4`` editor, ``#news_more_page_div_id`` pager; GB2312/GBK bytes.
A page matching neither is drift: logged, counted, extracted generically.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse

from crawler.spider import PagedArticleSpider, PageFields

ARTICLE_RE = re.compile(r"nmgnews\.com\.cn/system/\d{4}/\d{2}/\d{2}/\d{6,}\.s?html?$")
PAGE_RE = re.compile(r"nmgnews\.com\.cn/system/\d{4}/\d{2}/\d{2}/\d{6,}(?:_\d+)?\.s?html?$")
SITE_SUFFIX = re.compile(r"\s*[-_|–—]\s*内蒙古新闻网.*$")

DEFAULT_COLUMNS = (
    "https://inews.nmgnews.com.cn/nmgxw/",
    "https://china.nmgnews.com.cn/ywsd/",
    "http://ztpd.nmgnews.com.cn/cxzy/cxzyjxs/",
)


def _text(sel: Selector | list[Selector] | None) -> str:
    if not sel:
        return ""
    node = sel[0] if isinstance(sel, list) else sel
    return re.sub(r"\s+", " ", " ".join(node.xpath(".//text()").getall())).strip()


def _section(page: TextResponse) -> str | None:
    """The column: the last breadcrumb item before 正文."""
    for crumb in page.xpath("//*[contains(text(), '您当前的位置') or contains(@class, 'crumb') "
                            "or contains(@class, 'position')]"):
        parts = [p.strip() for p in re.split(r"[>＞»]", _text(crumb)) if p.strip()]
        parts = [re.sub(r"\s*正文$", "", p).strip() for p in parts]
        parts = [p for p in parts if p and not p.startswith("您当前的位置")]
        if parts:
            return parts[-1]
    return None


class V2025:
    """The template in use since about 2025."""

    @staticmethod
    def read(page: TextResponse) -> PageFields | None:
        title = page.css(".article-title")
        body = page.css(".article-content")
        if not title or not body:
            return None
        infos = _text(page.css(".article-infos"))
        source = re.search(r"来源[:：]\s*(\S+)", infos)
        editor = page.xpath("//*[contains(@class, 'editor')]")
        return PageFields(
            title=_text(title),
            published_raw=_text(page.css(".article-infos time.date, .article-infos .date")) or infos,
            source=source.group(1) if source else None,
            editor=_text(editor) or None,
            body=body[0],
        )


class V2019:
    """The template of about 2008-2019 (GB2312/GBK)."""

    @staticmethod
    def read(page: TextResponse) -> PageFields | None:
        title = page.css("#div2")
        body = page.css("#div_content")
        if not title or not body:
            return None
        line = _text(page.css("#div3"))
        source = re.search(r"来源[:：]\s*(\S+)", line)
        return PageFields(
            title=_text(title),
            published_raw=line or None,
            source=source.group(1) if source else None,
            editor=_text(page.css("#div4")) or None,
            body=body[0],
        )


TEMPLATES = (V2025, V2019)


class NmgnewsSpider(PagedArticleSpider):
    """Crawls column lists (following ``a.next``) and archives every article."""

    name = "nmgnews"
    allowed_domains = ("nmgnews.com.cn",)
    outlet_names = ("内蒙古新闻网", "本网")
    templates = TEMPLATES
    drift_what = "neither the 2025 nor the 2019 article template matches"

    def __init__(self, columns: str | None = None, max_list_pages: str | int = 50, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.columns = [c.strip() for c in columns.split(",")] if columns else list(DEFAULT_COLUMNS)
        for url in self.columns:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"columns: {url!r} is not an http(s) URL")
        self.max_list_pages = int(max_list_pages)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.columns:
            yield scrapy.Request(url, callback=self.parse_list, errback=self.on_error,
                                 cb_kwargs={"depth": 1})

    # -- lists -------------------------------------------------------------------
    def parse_list(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        """Article links of a column page, then its ``a.next`` page."""
        page, _ = self.decoded(response)
        found = 0
        for href in page.css("a::attr(href)").getall():
            url = page.urljoin(href.strip())
            if ARTICLE_RE.search(url.split("?")[0]):
                found += 1
                yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error)
        self.crawler.stats.inc_value(f"lists/pages/{self.name}")
        if not found:
            self.drift(response, "a column page with no article links")
        nxt = page.css("a.next::attr(href)").get()
        if nxt is None:
            nxt = page.xpath("//a[normalize-space(text())='下一页']/@href").get()
        if nxt and depth < self.max_list_pages:
            yield scrapy.Request(page.urljoin(nxt), callback=self.parse_list, errback=self.on_error,
                                 cb_kwargs={"depth": depth + 1})

    # -- articles (the page walk is PagedArticleSpider's) -------------------------------
    _section = staticmethod(_section)

    @staticmethod
    def _title(title: str) -> str:
        return SITE_SUFFIX.sub("", title)

    @staticmethod
    def _next_page(page: TextResponse) -> str | None:
        """The pager's 下一页 (``#news_more_page_div_id``, 2019 template)."""
        href = page.xpath("//*[@id='news_more_page_div_id']//a[normalize-space(.)='下一页']/@href").get()
        return page.urljoin(href) if href else None

    @classmethod
    def handles(cls, url: str) -> bool:
        """Article pages (``/system/YYYY/MM/DD/0NNNNNNNN[_NN].shtml``) of any nmgnews host
        but the e-paper's (szb.nmgnews.com.cn serves 内蒙古日报: outlets.md §4)."""
        return bool(PAGE_RE.search(url.split("?")[0])) and "//szb." not in url
