"""What every feed format says about a feed and its entries (Atom, RSS 2.0, JSON Feed 1.1).

An entry is built from a stored article (or an Article item): a stable id, title, link,
published and updated times in +08:00, authors, the outlet and the original source of
reprints, a summary, the full text as HTML paragraphs, and the WARC record it came from.
The archive-specific facts go into extension elements in :data:`ARCHIVE_NS` (XML feeds)
or an ``_archive`` object (JSON Feed), with the same names everywhere:
``outlet``, ``source``, ``is_reprint``, ``warc_file``, ``warc_offset``, ``warc_record_id``.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from typing import Any
from urllib.parse import urlsplit

from crawler import __version__
from crawler.export.rows import published_moment
from crawler.store.store import SHANGHAI

#: Namespace of the archive's extension elements in Atom and RSS (an identifier only).
ARCHIVE_NS = "urn:nmg-news-archiver:archive:1"
GENERATOR = "nmg-news-archiver"
GENERATOR_VERSION = __version__
#: Length of a summary cut from a long first paragraph (characters, before the ellipsis).
SUMMARY_CHARS = 200

# XML 1.0 forbids most C0 controls and U+FFFE/U+FFFF; lxml refuses them. Feeds are a
# view of the store (which keeps the text as extracted), so they get U+FFFD instead.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def stable_id(url: str) -> str:
    """The id of an article in every feed and export: ``urn:uuid:`` + uuid5(URL namespace, url)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}"


def feed_id(key: str) -> str:
    """A stable id for a feed described by ``key`` (e.g. ``outlet=nmgnews``)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{GENERATOR}:feed:{key}')}"


def xml_text(text: str) -> str:
    """``text`` with characters XML 1.0 cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def shanghai(moment: datetime) -> datetime:
    """The same instant in +08:00."""
    return moment.astimezone(SHANGHAI)


def paragraphs(text: str) -> list[str]:
    """The non-blank paragraphs (lines) of an article's text."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def summarize(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The first paragraph, cut to ``limit`` characters with an ellipsis if longer."""
    parts = paragraphs(text)
    if not parts:
        return ""
    first = parts[0]
    return first if len(first) <= limit else first[:limit].rstrip() + "…"


def content_html(text: str, images: Iterable[Mapping[str, Any]]) -> str:
    """The full text as escaped ``<p>`` paragraphs, then each image as a ``<figure>``."""
    parts = [f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs(text)]
    for image in images:
        src = html.escape(image["url"])
        caption = image.get("caption")
        if caption:
            alt = html.escape(caption)
            parts.append(
                f'<figure><img src="{src}" alt="{alt}"/>'
                f"<figcaption>{html.escape(caption, quote=False)}</figcaption></figure>"
            )
        else:
            parts.append(f'<figure><img src="{src}" alt=""/></figure>')
    return "\n".join(parts)


def site_root(url: str) -> str:
    """``scheme://host/`` of ``url``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


@dataclass(frozen=True)
class FeedInfo:
    """Feed-level metadata. ``updated`` should be the latest entry's ``updated``."""

    title: str
    id: str
    updated: datetime
    description: str = ""
    #: The site the feed is about; default: the first entry's ``scheme://host/``.
    home_url: str | None = None
    #: Where the feed itself is published, if known (``rel="self"`` links).
    self_url: str | None = None
    author: str = GENERATOR
    language: str = "zh-CN"


@dataclass(frozen=True)
class Entry:
    """One article as a feed entry."""

    id: str
    url: str
    title: str
    published: datetime | None
    updated: datetime
    authors: tuple[str, ...]
    outlet: str
    source: str | None
    is_reprint: bool
    section: str | None
    summary: str
    text: str
    content_html: str
    image: str | None
    warc_file: str | None
    warc_offset: int | None
    warc_record_id: str | None

    def archive_fields(self) -> dict[str, str | int | bool]:
        """The archive extension's fields that have a value, in a fixed order."""
        fields: dict[str, str | int | bool | None] = {
            "outlet": self.outlet,
            "source": self.source,
            "is_reprint": self.is_reprint,
            "warc_file": self.warc_file,
            "warc_offset": self.warc_offset,
            "warc_record_id": self.warc_record_id,
        }
        return {k: v for k, v in fields.items() if v is not None}


def make_entry(article: Mapping[str, Any], *, fallback_updated: datetime) -> Entry:
    """The feed entry of a stored article (updated = last_seen, else published, else fallback)."""
    published = published_moment(article.get("published_at"))
    last_seen = article.get("last_seen")
    updated = last_seen or published or fallback_updated
    images = article.get("images") or []
    text = article.get("text") or ""
    return Entry(
        id=stable_id(article["url"]),
        url=article["url"],
        title=article.get("title") or "",
        published=shanghai(published) if published else None,
        updated=shanghai(updated),
        authors=tuple(article.get("authors") or ()),
        outlet=article["outlet"],
        source=article.get("source"),
        is_reprint=bool(article.get("is_reprint")),
        section=article.get("section"),
        summary=summarize(text),
        text=text,
        content_html=content_html(text, images),
        image=images[0]["url"] if images else None,
        warc_file=article.get("warc_file"),
        warc_offset=article.get("warc_offset"),
        warc_record_id=article.get("warc_record_id"),
    )


def entries(articles: Iterable[Mapping[str, Any]], info: FeedInfo) -> Iterator[Entry]:
    """Entries of ``articles``, one at a time."""
    for article in articles:
        yield make_entry(article, fallback_updated=info.updated)


def peek(items: Iterator[Entry]) -> tuple[Entry | None, Iterator[Entry]]:
    """The first item (or None) and an iterator that still yields it."""
    first = next(items, None)
    return first, (chain([first], items) if first is not None else items)


def home_url(info: FeedInfo, first: Entry | None) -> str | None:
    """The feed's site: as given, else the first entry's site root."""
    if info.home_url:
        return info.home_url
    return site_root(first.url) if first is not None else None


def now() -> datetime:
    """The current time in +08:00 (a function so tests can pin it)."""
    return shanghai(datetime.now(UTC))
