"""Sitemaps (sitemaps.org) and sitemap indexes, plain or gzip, with Google News fields kept.

Parsing is Scrapy's own :class:`scrapy.utils.sitemap.Sitemap`: lxml ``iterparse`` with
``resolve_entities=False`` (an entity reference stays an unexpanded node: no
billion-laughs growth, no ``SYSTEM`` file or URL read), lxml's defaults ``load_dtd=False``
and ``no_network=True`` (no external DTD is fetched), ``huge_tree=False`` (libxml2's size
limits stay on), comments and processing instructions dropped. ``tests/test_discovery.py``
feeds it a billion-laughs document and an external-entity file to hold it to that.

Scrapy keeps only the text of each child of ``<url>``, so a Google News sitemap's
``<news:news>`` block (publication name, ``news:publication_date``, ``news:title``) comes
out as an empty string. :class:`_NewsSitemap` reads that block before Scrapy clears it.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin

from lxml import etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler.discovery.errors import DiscoveryError
from crawler.zh.dates import parse_datetime, to_iso

__all__ = ["MAX_SITEMAP_BYTES", "SitemapDoc", "SitemapEntry", "parse_sitemap", "sitemap_urls_from_robots"]

#: The sitemaps.org limit on an uncompressed sitemap; a gzip that inflates past it is refused.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class SitemapEntry:
    """One ``<url>`` of a urlset, or one ``<sitemap>`` of an index.

    ``news_published_at`` is ``news:publication_date`` as ISO 8601 in Asia/Shanghai
    (a date alone is 00:00); ``news_published_raw`` is what the sitemap said.
    """

    url: str
    lastmod: str | None = None
    news_title: str | None = None
    news_published_raw: str | None = None
    news_published_at: str | None = None
    news_publication: str | None = None
    news_language: str | None = None
    alternates: tuple[str, ...] = ()


@dataclass(frozen=True)
class SitemapDoc:
    """A parsed sitemap: ``urlset`` (pages) or ``sitemapindex`` (more sitemaps)."""

    url: str
    kind: Literal["urlset", "sitemapindex"]
    entries: tuple[SitemapEntry, ...]


def _local(tag: object) -> str:
    return tag.partition("}")[2] or tag if isinstance(tag, str) else ""


def _news_fields(elem: etree._Element) -> dict[str, str]:
    """The ``news:*`` values under a ``<url>`` element (empty when it has none)."""
    out: dict[str, str] = {}
    for news in elem:
        if _local(news.tag) != "news":
            continue
        for child in news.iter():
            name = _local(child.tag)
            text = (child.text or "").strip()
            if name in ("publication_date", "title", "name", "language") and text and name not in out:
                out[name] = text
    return out


class _NewsSitemap(Sitemap):
    """Scrapy's parser, plus the ``<news:news>`` block that it reduces to ``""``."""

    __slots__ = ()

    def _process_sitemap_element(self, elem: etree._Element) -> dict[str, Any] | None:
        news = _news_fields(elem)  # before the base class clears the children
        found = super()._process_sitemap_element(elem)
        if found is not None:
            found["news"] = news
        return found


def _inflate(body: bytes, url: str) -> bytes:
    """The XML of a gzip sitemap (``.xml.gz`` served without Content-Encoding)."""
    try:
        return gunzip(body, max_size=MAX_SITEMAP_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise DiscoveryError(f"{url}: gzip sitemap does not inflate: {exc}") from exc
    except ValueError as exc:  # scrapy's _DecompressionMaxSizeExceeded
        raise DiscoveryError(
            f"{url}: gzip sitemap inflates past {MAX_SITEMAP_BYTES} bytes (the sitemaps.org limit)"
        ) from exc


def _entry(raw: dict[str, Any], base: str) -> SitemapEntry | None:
    loc = (raw.get("loc") or "").strip()
    if not loc:
        return None
    news: dict[str, str] = raw.get("news") or {}
    published_raw = news.get("publication_date")
    when = parse_datetime(published_raw) if published_raw else None
    return SitemapEntry(
        url=urljoin(base, loc),
        lastmod=raw.get("lastmod") or None,
        news_title=news.get("title"),
        news_published_raw=published_raw,
        news_published_at=to_iso(when) if when else None,
        news_publication=news.get("name"),
        news_language=news.get("language"),
        alternates=tuple(urljoin(base, a) for a in raw.get("alternate", ())),
    )


def parse_sitemap(body: bytes, url: str) -> SitemapDoc:
    """Parse a sitemap or sitemap index (gzip or not) fetched from ``url``.

    Raises :class:`DiscoveryError` naming ``url`` when the body is not a sitemap.
    """
    if body[:2] == _GZIP_MAGIC:
        body = _inflate(body, url)
    if len(body) > MAX_SITEMAP_BYTES:
        raise DiscoveryError(f"{url}: sitemap of {len(body)} bytes is over the {MAX_SITEMAP_BYTES} limit")
    if not body.strip():
        raise DiscoveryError(f"{url}: empty body, not a sitemap")
    try:
        doc = _NewsSitemap(body)
        kind = doc.type
        entries = tuple(e for e in (_entry(raw, url) for raw in doc) if e is not None)
    except (etree.XMLSyntaxError, StopIteration) as exc:
        raise DiscoveryError(f"{url}: not well-formed XML: {exc}") from exc
    fatal = [e for e in doc.xmliter.error_log if e.level_name == "FATAL"]
    bomb = [e for e in fatal if "amplification" in e.message]
    if bomb or (fatal and not entries):
        # Scrapy's parser recovers what it can; nothing recovered is worth saying so. An
        # entity bomb ("entity amplification factor exceeded") is refused whatever came
        # before it: lxml 6.2 (libxml2 2.14) recovers the entries ahead of the bomb, earlier
        # versions none; a hostile file's entries are not worth keeping either way.
        first = (bomb or fatal)[0]
        raise DiscoveryError(f"{url}: not well-formed XML: line {first.line}: {first.message}")
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"{url}: root element <{kind}> is neither <urlset> nor <sitemapindex>")
    return SitemapDoc(url=url, kind=kind, entries=entries)
