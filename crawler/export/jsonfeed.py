"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), written item by item.

The feed object is written by hand around the ``items`` array so that items are
serialised one at a time (``json.dump`` of the whole feed would need every item in
memory). One item per line.

Per item: ``id`` (urn:uuid of the URL), ``url``, ``title``, ``summary``, ``content_html``
(HTML paragraphs) and ``content_text`` (the text as stored), ``date_published`` and
``date_modified`` (RFC 3339, +08:00), ``authors``, ``tags`` (section), ``image`` (first
image), ``language``, and the archive facts in an ``_archive`` object: JSON Feed 1.1's
extension rule is a key that starts with an underscore, which readers that do not know it
ignore.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO

from crawler.export.feeds import (
    GENERATOR,
    GENERATOR_VERSION,
    Entry,
    FeedInfo,
    entries,
    home_url,
    peek,
    shanghai,
)

VERSION = "https://jsonfeed.org/version/1.1"


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def item(entry: Entry, language: str) -> dict[str, Any]:
    """The JSON Feed item of an entry."""
    result: dict[str, Any] = {"id": entry.id, "url": entry.url, "title": entry.title}
    if entry.summary:
        result["summary"] = entry.summary
    result["content_html"] = entry.content_html
    result["content_text"] = entry.text
    if entry.published is not None:
        result["date_published"] = entry.published.isoformat()
    result["date_modified"] = entry.updated.isoformat()
    if entry.authors:
        result["authors"] = [{"name": name} for name in entry.authors]
    if entry.section:
        result["tags"] = [entry.section]
    if entry.image:
        result["image"] = entry.image
    result["language"] = language
    result["_archive"] = entry.archive_fields()
    return result


def write(articles: Iterable[Mapping[str, Any]], out: BinaryIO, info: FeedInfo) -> int:
    """Write a JSON Feed 1.1 of ``articles`` to ``out``; return the number of items."""
    first, items = peek(entries(articles, info))
    head: dict[str, Any] = {"version": VERSION, "title": info.title}
    site = home_url(info, first)
    if site:
        head["home_page_url"] = site
    if info.self_url:
        head["feed_url"] = info.self_url
    if info.description:
        head["description"] = info.description
    head["authors"] = [{"name": info.author}]
    head["language"] = info.language
    head["_archive"] = {
        "id": info.id,
        "updated": shanghai(info.updated).isoformat(),
        "generator": f"{GENERATOR} {GENERATOR_VERSION}",
    }
    out.write(_dumps(head)[:-1] + b',"items":[')
    count = 0
    for entry in items:
        out.write(b"\n" if count == 0 else b",\n")
        out.write(_dumps(item(entry, info.language)))
        count += 1
    out.write(b"\n]}\n")
    return count
