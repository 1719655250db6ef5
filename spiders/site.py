"""Any site we have no spider for: archive it whole, extract what looks like an article.

    scrapy crawl site -a url=https://www.example-group.com.cn/ [-a scope=host|domain|prefix]
                      [-a depth=3] [-a min_chars=120]

- ``url`` (required): where to start; an absolute http(s) URL.
- ``scope`` (default ``host``): which links are followed (crawler/discovery/scope.py).
- ``depth`` (default 3): link hops from ``url``; 0 fetches ``url`` alone. Pages listed by a
  sitemap or a feed count as one hop.
- ``min_chars`` (default 120): shortest article body (crawler/discovery/article_rule.py).

Discovery, before any page but ``url`` is followed: robots.txt ``Sitemap:`` lines (read from
the robots.txt that Scrapy's robots middleware fetches anyway, so it is fetched once),
``/sitemap.xml``, sitemap indexes and gzip sitemaps, and the RSS/Atom feeds that pages
announce with ``<link rel="alternate">``. Links found meanwhile wait until discovery is
done, so what sitemaps and feeds say about a page is known when it is read.

Every page fetched is archived (the WARC writer does that for every download). A page
that looks like an article (dated, with a body, not a list) becomes an Article through
the generic extractor; a news sitemap's ``news:publication_date`` / ``news:title`` or a
feed's date / title fill in what the page lacks (layer ``sitemap`` or ``feed``).

``Article.outlet`` is the start URL's registrable domain (``example-group.com.cn``; an IP
address or bare host name as is), not the spider name: every site crawled this way is an
outlet of its own, and ``www.`` and other subdomains of one site are one outlet.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor

from crawler.discovery import (
    DiscoveryError,
    Scope,
    feed_links,
    judge_page,
    parse_feed,
    parse_sitemap,
    registrable_domain,
    sitemap_urls_from_robots,
)
from crawler.discovery.article_rule import MIN_BODY_CHARS
from crawler.extract.generic import META_TITLE
from crawler.items import Article
from crawler.spider import ArchiveSpider
from crawler.zh.dates import date_from_url

logger = logging.getLogger(__name__)

DEFAULT_DEPTH = 3
#: Discovery requests go first: their answers decide how pages are read.
DISCOVERY_PRIORITY = 10
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Hint:
    """What a sitemap or feed says about a page: title and publication date."""

    title: str | None = None
    published_at: str | None = None
    published_raw: str | None = None
    layer: str = "sitemap"


def _int_arg(name: str, value: str | int, minimum: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DiscoveryError(f"{name}: {value!r} is not a whole number") from None
    if number < minimum:
        raise DiscoveryError(f"{name}: {number} is below {minimum}")
    return number


class SiteSpider(ArchiveSpider):
    """Generic archival crawl of one site (see the module docstring)."""

    name = "site"

    def __init__(self, url: str | None = None, scope: str = "host", depth: str | int = DEFAULT_DEPTH,
                 min_chars: str | int = MIN_BODY_CHARS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scope = Scope.of(url or "", scope)  # DiscoveryError names the bad argument
        # Redirects stay on the site (crawler/middlewares/redirect_scope.py), dont_filter or not.
        self.allowed_domains = [self.scope.domain]
        self.start_url = (url or "").strip()
        self.depth = _int_arg("depth", depth, 0)
        self.min_chars = _int_arg("min_chars", min_chars, 1)
        self.outlet = registrable_domain(urlsplit(self.start_url).hostname or "")
        self.hints: dict[str, Hint] = {}
        self.links = LinkExtractor(tags=("a", "area"), attrs=("href",), unique=True)
        self._asked: set[str] = set()
        self._discovering = 0
        self._held: list[scrapy.Request] = []

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.robots_seen, signal=signals.response_received)
        crawler.signals.connect(spider._scraped, signal=signals.item_scraped)
        return spider

    def _scraped(self, item: Any, spider: scrapy.Spider, **_: Any) -> None:
        """Count stored articles under the spider's name too (``articles/stored/site``): the
        pipelines count them by outlet, which here is the site's domain, and the crawl summary
        looks them up by spider."""
        if spider is self and isinstance(item, Article):
            self.crawler.stats.inc_value(f"articles/stored/{self.name}")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.depth >= 1:
            root = urljoin(self.start_url, "/")
            if not self.settings.getbool("ROBOTSTXT_OBEY"):
                # Obeying, the robots middleware fetches it; robots_seen reads it either way.
                req = self._discovery(urljoin(root, "/robots.txt"), self._robots_fetched)
                if req:
                    yield req
            req = self._discovery(urljoin(root, "/sitemap.xml"), self.parse_sitemap)
            if req:
                yield req
        # allow_offsite: the start URL may redirect to the site's new home (re-scoped in parse_page)
        yield scrapy.Request(self.start_url, callback=self.parse_page, errback=self.on_error,
                             cb_kwargs={"depth": 0}, meta={"allow_offsite": True})

    # -- discovery bookkeeping -------------------------------------------------------
    def _discovery(self, url: str, callback: Any) -> scrapy.Request | None:
        """A sitemap/feed/robots request, once per URL, on the site's registrable domain."""
        host = urlsplit(url).hostname or ""
        if url in self._asked or registrable_domain(host) != self.scope.domain:
            return None
        self._asked.add(url)
        self._discovering += 1
        # dont_filter: a request the dupe filter dropped would never call back and
        # discovery would never end; _asked already keeps each URL to one fetch.
        return scrapy.Request(url, callback=callback, errback=self._discovery_failed, dont_filter=True,
                              priority=DISCOVERY_PRIORITY)

    def _done(self) -> Iterator[scrapy.Request]:
        """One discovery request answered; when none is left, release the held pages."""
        self._discovering -= 1
        if self._discovering == 0 and self._held:
            held, self._held = self._held, []
            logger.info("Discovery done for %s: %d hinted pages, following %d held links",
                        self.start_url, len(self.hints), len(held))
            yield from held

    def _emit(self, requests: Iterable[scrapy.Request]) -> Iterator[scrapy.Request]:
        if self._discovering > 0:
            self._held.extend(requests)
        else:
            yield from requests

    def _page(self, url: str, depth: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_page, errback=self.on_error,
                              cb_kwargs={"depth": depth})

    def _discovery_failed(self, failure: Any) -> Iterator[scrapy.Request]:
        self.on_error(failure)
        yield from self._done()

    # -- robots.txt, sitemaps, feeds -------------------------------------------------------
    def robots_seen(self, response: Response, request: scrapy.Request, spider: scrapy.Spider) -> None:
        """``response_received`` handler: queue the sitemaps a robots.txt of the site names."""
        parts = urlsplit(response.url)
        if spider is not self or parts.path != "/robots.txt" or response.status != 200:
            return
        if registrable_domain(parts.hostname or "") != self.scope.domain or self.depth < 1:
            return
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            req = self._discovery(url, self.parse_sitemap)
            if req is not None:
                self.crawler.stats.inc_value("site/sitemaps/from_robots")
                self.crawler.engine.crawl(req)

    def _robots_fetched(self, response: Response) -> Iterator[scrapy.Request]:
        yield from self._done()  # robots_seen has read it already

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """A sitemap index (more sitemaps) or a urlset (pages, with news hints)."""
        try:
            doc = parse_sitemap(response.body, response.url)
        except DiscoveryError as exc:
            self.crawler.stats.inc_value("site/sitemaps/unreadable")
            logger.warning("Sitemap skipped: %s", exc)
            yield from self._done()
            return
        self.crawler.stats.inc_value("site/sitemaps/parsed")
        pages = []
        for entry in doc.entries:
            if doc.kind == "sitemapindex":
                req = self._discovery(entry.url, self.parse_sitemap)
                if req is not None:
                    yield req
            elif self.scope.allows(entry.url):
                if entry.news_title or entry.news_published_at:
                    self._hint(entry.url, Hint(entry.news_title, entry.news_published_at,
                                               entry.news_published_raw, "sitemap"))
                pages.append(self._page(entry.url, 1))
        yield from self._emit(pages)
        yield from self._done()

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """An RSS/Atom feed: its items are pages, their titles and dates hints."""
        try:
            entries = parse_feed(response.body, response.url)
        except DiscoveryError as exc:
            self.crawler.stats.inc_value("site/feeds/unreadable")
            logger.warning("Feed skipped: %s", exc)
            yield from self._done()
            return
        self.crawler.stats.inc_value("site/feeds/parsed")
        pages = []
        for entry in entries:
            if self.scope.allows(entry.url):
                self._hint(entry.url, Hint(entry.title, entry.published_at, entry.published_raw, "feed"))
                pages.append(self._page(entry.url, 1))
        yield from self._emit(pages)
        yield from self._done()

    def _hint(self, url: str, hint: Hint) -> None:
        """Keep the first hint for a page (sitemaps are read first); fill its gaps from later ones."""
        old = self.hints.get(url)
        if old is None:
            self.hints[url] = hint
        elif not old.title and hint.title:
            self.hints[url] = replace(old, title=hint.title)

    # -- pages -----------------------------------------------------------------------
    def parse_page(self, response: Response, depth: int) -> Iterator[Article | scrapy.Request]:
        """Follow the page's links and feeds (within depth and scope); yield it if an article."""
        if self.is_truncated(response) or not self._is_html(response) or self.unreadable(response):
            return
        page, decoded = self.decoded(response)
        if depth == 0 and not self.scope.allows(response.url):
            # The start URL redirected (http → https, x.cn → www.x.cn): the site is where it went.
            logger.info("%s redirected to %s: scope %s now around it", self.start_url, response.url,
                        self.scope.kind)
            self.scope = Scope.of(response.url, self.scope.kind)
            self.allowed_domains = [self.scope.domain]
        if depth < self.depth:
            for feed in feed_links(page, page.url):
                req = self._discovery(feed, self.parse_feed)
                if req is not None:
                    yield req
            links = [link.url for link in self.links.extract_links(page)]
            yield from self._emit(self._page(u, depth + 1) for u in links if self.scope.allows(u))
        article = self.article(response, page, decoded)
        if article is not None:
            yield article

    @staticmethod
    def _is_html(response: Response) -> bool:
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").split(";")[0].strip().lower()
        if ctype:
            return ctype in _HTML_TYPES
        return isinstance(response, TextResponse) or response.body.lstrip()[:1] == b"<"

    def _hint_for(self, response: Response) -> Hint | None:
        for url in (response.url, *response.meta.get("redirect_urls", ())):
            if url in self.hints:
                return self.hints[url]
        return None

    def article(self, response: Response, page: TextResponse, decoded: Any) -> Article | None:
        """The generic Article of a page that passes the article rule, with hints applied."""
        article = self.generic(response, page, decoded)
        hint = self._hint_for(response)
        if article.published_at:
            dated_by: str | None = article.layers.get("published_at", "page")
        elif hint is not None and hint.published_at:
            dated_by = hint.layer
        elif date_from_url(response.url):
            dated_by = "url"
        else:
            dated_by = None
        verdict = judge_page(decoded.text, dated_by=dated_by, min_chars=self.min_chars)
        self.crawler.stats.inc_value(f"site/pages/{verdict.reason}")
        logger.debug("%s: %s (dated by %s, %d body chars, %.0f%% link text)", response.url, verdict.reason,
                     verdict.dated_by, verdict.body_chars, 100 * verdict.link_share)
        if not verdict.is_article:
            return None
        article.outlet = self.outlet
        if hint is not None:
            if not article.published_at and hint.published_at:
                article.published_at, article.published_raw = hint.published_at, hint.published_raw
                article.layers["published_at"] = article.layers["published_raw"] = hint.layer
            if hint.title and not self._has_headline(page):
                article.title = hint.title
                article.layers["title"] = hint.layer
        return article

    @staticmethod
    def _has_headline(page: TextResponse) -> bool:
        """Whether the page names itself: one ``<h1>`` with text, or a CMS title ``<meta>``.
        Otherwise the generic title is the ``<title>`` element, often the site's name."""
        h1 = [t for t in (" ".join(h.xpath(".//text()").getall()).strip() for h in page.xpath("//h1")) if t]
        keys = {(m.attrib.get("name") or m.attrib.get("property") or "").strip().lower()
                for m in page.xpath("//meta") if (m.attrib.get("content") or "").strip()}
        return len(h1) == 1 or bool(keys & set(META_TITLE))
