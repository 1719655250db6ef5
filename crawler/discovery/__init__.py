"""Finding pages of a site that has no spider: sitemaps, feeds, crawl scope, article test.

- :mod:`~crawler.discovery.sitemaps`: sitemaps and sitemap indexes (plain or gzip), Google
  News sitemap ``news:title`` / ``news:publication_date`` kept; robots.txt ``Sitemap:`` lines.
- :mod:`~crawler.discovery.feeds`: RSS/Atom feeds and the ``<link rel=alternate>`` that
  announce them.
- :mod:`~crawler.discovery.scope`: which URLs a crawl of one site may follow
  (``host``, ``domain``, ``prefix``) and the registrable domain that names the outlet.
- :mod:`~crawler.discovery.article_rule`: whether a fetched page is an article.

XML is parsed without entity expansion and without external entities or DTDs (see each
module); a document that tries either is refused or read without them, never expanded.
"""

from crawler.discovery.article_rule import ArticleVerdict, judge_page
from crawler.discovery.errors import DiscoveryError
from crawler.discovery.feeds import FeedEntry, feed_links, parse_feed
from crawler.discovery.scope import SCOPES, Scope, registrable_domain
from crawler.discovery.sitemaps import SitemapDoc, SitemapEntry, parse_sitemap, sitemap_urls_from_robots

__all__ = [
    "SCOPES",
    "ArticleVerdict",
    "DiscoveryError",
    "FeedEntry",
    "Scope",
    "SitemapDoc",
    "SitemapEntry",
    "feed_links",
    "judge_page",
    "parse_feed",
    "parse_sitemap",
    "registrable_domain",
    "sitemap_urls_from_robots",
]
