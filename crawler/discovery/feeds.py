"""RSS and Atom feeds: the entries' links, titles and dates, and the pages that announce feeds.

Reading is feedparser's (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, broken feeds through its loose
parser, any declared charset). Safety: before feedparser sees a byte, lxml parses the feed
with ``resolve_entities=False``, ``load_dtd=False``, ``no_network=True`` and libxml2's size
limits on, and a feed whose DTD declares any entity is refused (:class:`DiscoveryError`):
that is how billion-laughs and external-entity (``SYSTEM "file:///…"``) documents look,
and no real news feed needs one. feedparser itself is given a stream, never a string
(a string may be read as a file name or URL), and it fetches no external DTD.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
from lxml import etree
from parsel import Selector

from crawler.discovery.errors import DiscoveryError
from crawler.zh.dates import parse_datetime, to_iso

__all__ = ["FEED_TYPES", "FeedEntry", "feed_links", "parse_feed"]

#: ``<link rel="alternate" type=…>`` values that announce an RSS or Atom feed.
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
              "text/xml")
#: Largest feed body parsed (a feed of news items is far smaller).
MAX_FEED_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed: absolute link, title, publication date (ISO 8601, +08:00)."""

    url: str
    title: str | None = None
    published_raw: str | None = None
    published_at: str | None = None


def _refuse_entities(body: bytes, url: str) -> None:
    """Raise when the document declares entities; parse nothing else (see module doc)."""
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False,
                             recover=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        root = None
    if root is None:  # not even recoverable XML: feedparser's loose parser gets it, without entities
        return
    dtd = root.getroottree().docinfo.internalDTD
    names = [e.name for e in dtd.iterentities()] if dtd is not None else []
    if names:
        raise DiscoveryError(
            f"{url}: feed declares XML entities {names[:5]} (refused: entity expansion and "
            "external entities are never processed)"
        )


def _published(entry: feedparser.FeedParserDict) -> tuple[str | None, str | None]:
    """Raw and ISO date of an entry. The Chinese date rules read it first: feedparser takes a
    date without a zone (``2022-06-02 08:00``, common in Chinese feeds) as UTC, they take it
    as Asia/Shanghai; feedparser's own reading is the fallback."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not raw:
            continue
        when = parse_datetime(raw)
        parsed = entry.get(f"{key}_parsed")
        if when is None and parsed:
            when = datetime(*parsed[:6], tzinfo=UTC)
        return raw, (to_iso(when) if when else None)
    return None, None


def parse_feed(body: bytes, url: str) -> list[FeedEntry]:
    """The entries of a feed fetched from ``url``, links made absolute, in feed order.

    Raises :class:`DiscoveryError` naming ``url`` for a body that is not a feed, is over
    :data:`MAX_FEED_BYTES`, or declares XML entities.
    """
    if len(body) > MAX_FEED_BYTES:
        raise DiscoveryError(f"{url}: feed of {len(body)} bytes is over the {MAX_FEED_BYTES} limit")
    if not body.strip():
        raise DiscoveryError(f"{url}: empty body, not a feed")
    _refuse_entities(body, url)
    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": url},
                              sanitize_html=True, resolve_relative_uris=True)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise DiscoveryError(f"{url}: not an RSS or Atom feed" + (f" ({reason})" if reason else ""))
    entries: list[FeedEntry] = []
    for entry in parsed.entries:
        link = entry.get("link") or next(
            (lk.get("href") for lk in entry.get("links", []) if lk.get("href")), None)
        if not link:
            continue
        raw, iso = _published(entry)
        title = (entry.get("title") or "").strip() or None
        entries.append(FeedEntry(url=urljoin(url, link.strip()), title=title, published_raw=raw,
                                 published_at=iso))
    return entries


def feed_links(page: Selector, base_url: str) -> list[str]:
    """Absolute URLs of the feeds a page announces with ``<link rel="alternate" type=…>``."""
    found: list[str] = []
    for link in page.xpath("//link[@href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES:
            url = urljoin(base_url, link.attrib["href"].strip())
            if url not in found:
                found.append(url)
    return found
