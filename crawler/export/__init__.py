"""Exports and feeds of stored articles: JSON Lines, CSV, Parquet, Atom, RSS 2.0, JSON Feed 1.1.

``scrapy export`` (crawler/commands/export.py) writes any of them from the store; the
:class:`~crawler.export.outlet_feeds.OutletFeeds` extension keeps per-outlet feeds current
after each crawl; :mod:`crawler.export.scrapy_exporters` makes Scrapy's own CSV and XML
feed exports of a crawl (``-o out.csv``) flatten articles the same way.
"""

from __future__ import annotations

from crawler.export.feeds import FeedInfo, feed_id, stable_id
from crawler.export.formats import FORMATS, ExportOptions, Format, export, get_format, guess_format

__all__ = [
    "FORMATS",
    "ExportOptions",
    "FeedInfo",
    "Format",
    "export",
    "feed_id",
    "get_format",
    "guess_format",
    "stable_id",
]
