"""Atom 1.0 (RFC 4287) feeds, written entry by entry.

Written with lxml's incremental ``etree.xmlfile`` rather than feedgen: feedgen (the
well-kept generator for Atom and RSS) builds the whole document as one lxml tree before
serialising it, so a 100k-article export would hold every entry's full text in memory.
Here each element goes to the file as it is written; no tree is built. (No ``xml:lang``:
the incremental writer mis-declares the ``xml`` prefix; RSS and JSON Feed carry the language.)

Per entry: ``id`` (urn:uuid of the URL), ``title``, ``link rel=alternate``, ``published``,
``updated`` (+08:00), one ``author`` per reporter, ``category`` (section), ``source``
(the original outlet of a reprint, as its ``title``), ``summary`` (text), ``content``
(HTML paragraphs), and the archive extension elements (see :mod:`crawler.export.feeds`).
The feed has an ``author`` so that entries without reporters stay valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
_NSMAP = {None: ATOM_NS, "archive": ARCHIVE_NS}


def _el(xf: Any, tag: str, text: str | None = None, ns: str = ATOM_NS, **attrib: str) -> None:
    """Write one element with text and attributes (namespaces declared once, on the feed)."""
    with xf.element(f"{{{ns}}}{tag}", {k: xml_text(v) for k, v in attrib.items()}):
        if text:
            xf.write(xml_text(text))


def _person(xf: Any, name: str) -> None:
    with xf.element(f"{{{ATOM_NS}}}author"):
        _el(xf, "name", name)


def _text(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _entry(xf: Any, entry: Entry) -> None:
    with xf.element(f"{{{ATOM_NS}}}entry"):
        _el(xf, "id", entry.id)
        _el(xf, "title", entry.title, type="text")
        _el(xf, "link", rel="alternate", type="text/html", href=entry.url)
        if entry.published is not None:
            _el(xf, "published", entry.published.isoformat())
        _el(xf, "updated", entry.updated.isoformat())
        for name in entry.authors:
            _person(xf, name)
        if entry.section:
            _el(xf, "category", term=entry.section)
        if entry.is_reprint and entry.source:
            with xf.element(f"{{{ATOM_NS}}}source"):
                _el(xf, "title", entry.source, type="text")
        if entry.summary:
            _el(xf, "summary", entry.summary, type="text")
        _el(xf, "content", entry.content_html, type="html")
        for key, value in entry.archive_fields().items():
            _el(xf, key, _text(value), ns=ARCHIVE_NS)
    xf.write("\n")


def _head(xf: Any, info: FeedInfo, first: Entry | None) -> None:
    """The feed's own elements, which RFC 4287 puts before the entries."""
    _el(xf, "id", info.id)
    _el(xf, "title", info.title, type="text")
    if info.description:
        _el(xf, "subtitle", info.description, type="text")
    _el(xf, "updated", shanghai(info.updated).isoformat())
    _person(xf, info.author)
    site = home_url(info, first)
    if site:
        _el(xf, "link", rel="alternate", type="text/html", href=site)
    if info.self_url:
        _el(xf, "link", rel="self", type="application/atom+xml", href=info.self_url)
    _el(xf, "generator", GENERATOR, version=GENERATOR_VERSION)
    xf.write("\n")


def write(articles: Iterable[Mapping[str, Any]], out: BinaryIO, info: FeedInfo) -> int:
    """Write an Atom feed of ``articles`` to ``out``; return the number of entries."""
    first, items = peek(entries(articles, info))
    count = 0
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{ATOM_NS}}}feed", nsmap=_NSMAP):
            xf.write("\n")
            _head(xf, info, first)
            for entry in items:
                _entry(xf, entry)
                count += 1
    out.write(b"\n")
    return count
