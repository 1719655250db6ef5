"""RSS 2.0 feeds (RSS Advisory Board spec), written item by item.

Streamed with lxml's incremental writer for the reason given in :mod:`crawler.export.atom`.

Per item: ``title``, ``link``, ``guid isPermaLink="false"`` (urn:uuid of the URL),
``pubDate`` (RFC 822 with ``+0800``), ``dcterms:modified`` (the updated time, W3C-DTF with
``+08:00``: RSS has no element of its own for it), one ``dc:creator`` per reporter (RSS's
``author`` must be an e-mail address), ``category`` (section), ``description`` (the
summary), ``content:encoded`` (HTML paragraphs) and the archive extension elements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from email.utils import format_datetime
from typing import Any, BinaryIO

from lxml import etree

from crawler.export.feeds import (
    ARCHIVE_NS,
    GENERATOR,
    GENERATOR_VERSION,
    Entry,
    FeedInfo,
    entries,
    home_url,
    peek,
    shanghai,
    xml_text,
)

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
_NSMAP = {"atom": ATOM_NS, "content": CONTENT_NS, "dc": DC_NS, "dcterms": DCTERMS_NS, "archive": ARCHIVE_NS}
SPEC_URL = "https://www.rssboard.org/rss-specification"


def _el(xf: Any, tag: str, text: str | None = None, ns: str | None = None, **attrib: str) -> None:
    """Write one element (namespaces are declared once, on ``rss``)."""
    name = f"{{{ns}}}{tag}" if ns else tag
    with xf.element(name, {k: xml_text(v) for k, v in attrib.items()}):
        if text:
            xf.write(xml_text(text))


def _text(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _item(xf: Any, entry: Entry) -> None:
    with xf.element("item"):
        _el(xf, "title", entry.title)
        _el(xf, "link", entry.url)
        _el(xf, "guid", entry.id, isPermaLink="false")
        if entry.published is not None:
            _el(xf, "pubDate", format_datetime(entry.published))
        _el(xf, "modified", entry.updated.isoformat(), ns=DCTERMS_NS)
        for name in entry.authors:
            _el(xf, "creator", name, ns=DC_NS)
        if entry.section:
            _el(xf, "category", entry.section)
        if entry.summary:
            _el(xf, "description", entry.summary)
        _el(xf, "encoded", entry.content_html, ns=CONTENT_NS)
        for key, value in entry.archive_fields().items():
            _el(xf, key, _text(value), ns=ARCHIVE_NS)
    xf.write("\n")


def write(articles: Iterable[Mapping[str, Any]], out: BinaryIO, info: FeedInfo) -> int:
    """Write an RSS 2.0 feed of ``articles`` to ``out``; return the number of items."""
    first, items = peek(entries(articles, info))
    # <link> is required: the site, else a placeholder that says there is none.
    site = home_url(info, first) or "about:blank"
    count = 0
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("rss", {"version": "2.0"}, nsmap=_NSMAP), xf.element("channel"):
            xf.write("\n")
            _el(xf, "title", info.title)
            _el(xf, "link", site)
            _el(xf, "description", info.description or info.title)
            _el(xf, "language", info.language)
            _el(xf, "lastBuildDate", format_datetime(shanghai(info.updated)))
            _el(xf, "generator", f"{GENERATOR} {GENERATOR_VERSION}")
            _el(xf, "docs", SPEC_URL)
            if info.self_url:
                _el(xf, "link", ns=ATOM_NS, rel="self", type="application/rss+xml", href=info.self_url)
            xf.write("\n")
            for entry in items:
                _item(xf, entry)
                count += 1
    out.write(b"\n")
    return count
