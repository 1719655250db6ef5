"""Earlier versions of articles: what an update replaced, kept in ``article_versions``.

When an article is stored again and its content differs, or it comes from another
``extractor_version``, the stored version is copied into ``article_versions`` before the
row is updated, with a unified diff of title and text and a reason: ``edit`` when the
page itself changed (another payload, or the same extractor reading different content),
``re-extraction`` when the same archived page was read again by another extractor.
Provenance (the WARC record) is not content: a page captured again unchanged keeps
pointing at the record where that content was first archived.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select

from crawler.store.schema import article_versions, articles, captures, format_utc, images

#: Columns that are bookkeeping, not content: never counted as changes.
NOT_CONTENT = ("id", "first_seen", "last_seen", "published_utc", "gone_at", "gone_status")
#: Where the content was archived: not content either (see the module docstring).
PROVENANCE = ("warc_file", "warc_offset", "warc_record_id")
REEXTRACTION = "re-extraction"
EDIT = "edit"


@dataclass(frozen=True)
class Upserted:
    """What storing one article did."""

    id: int
    inserted: bool
    changed: tuple[str, ...] = ()     # fields whose value differs from the stored version
    version: int | None = None        # number given to the replaced version, if one was kept
    reason: str | None = None         # why that version was kept (``edit``, ``re-extraction``)
    original_id: int | None = None    # the original this article was linked to as a reprint
    similarity: float | None = None   # ... and their estimated similarity
    links_written: int = 0            # reprint links made or moved (this article's cluster)


#: Built once: building the statements for every article stored cost more than running them.
_ARTICLE_BY_URL = select(articles).where(articles.c.url == bindparam("url"))
_IMAGES_OF = (select(images.c.url, images.c.caption).where(images.c.article_id == bindparam("article_id"))
              .order_by(images.c.position))


def stored_fields(conn: Connection, url: str) -> tuple[int, dict[str, Any], datetime] | None:
    """(id, every content field incl. images, last_seen) of the stored article, or None."""
    row = conn.execute(_ARTICLE_BY_URL, {"url": url}).mappings().first()
    if row is None:
        return None
    fields = {k: v for k, v in row.items() if k not in NOT_CONTENT}
    fields["images"] = [{"url": r.url, "caption": r.caption}
                        for r in conn.execute(_IMAGES_OF, {"article_id": row["id"]})]
    return row["id"], fields, row["last_seen"]


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    """Names of the content fields whose values differ, in ``new``'s order."""
    return tuple(k for k, v in new.items()
                 if k not in NOT_CONTENT and k not in PROVENANCE and old.get(k) != v)


def _payload_digest(conn: Connection, record_id: str | None) -> str | None:
    """Payload digest of the capture with this WARC record id, if the store has it."""
    if not record_id:
        return None
    return conn.execute(select(captures.c.payload_digest)
                        .where(captures.c.record_id == record_id)).scalar_one_or_none()


def change_reason(conn: Connection, old: dict[str, Any], new: dict[str, Any], *, default: str) -> str:
    """``edit`` if the page changed, else ``default`` (the same page read again)."""
    old_digest = _payload_digest(conn, old.get("warc_record_id"))
    new_digest = _payload_digest(conn, new.get("warc_record_id"))
    same_payload = (bool(old_digest) and old_digest == new_digest) or (
        bool(old.get("warc_record_id")) and old.get("warc_record_id") == new.get("warc_record_id"))
    same_extractor = old.get("extractor_version") == new.get("extractor_version")
    # A multi-page article may have changed on a later page: only its first is compared.
    if same_payload and (len(new.get("pages") or ()) <= 1 or not same_extractor):
        return default
    if old_digest and new_digest and old_digest != new_digest:
        return EDIT
    return EDIT if same_extractor else default


def _lines(fields: dict[str, Any]) -> list[str]:
    return [str(fields.get("title") or ""), "", *str(fields.get("text") or "").splitlines()]


def text_diff(old: dict[str, Any], new: dict[str, Any], *, old_seen: datetime | None,
              new_seen: datetime) -> str | None:
    """Unified diff of title and text (title first, then a blank line, then the text), or None."""
    lines = difflib.unified_diff(
        _lines(old), _lines(new), lineterm="", n=1,
        fromfile=f"before (seen {format_utc(old_seen) if old_seen else '?'})",
        tofile=f"after (seen {format_utc(new_seen)})",
    )
    text = "\n".join(lines)
    return text or None


def keep_version(conn: Connection, article_id: int, fields: dict[str, Any], *, seen_at: datetime | None,
                 replaced_at: datetime, reason: str, diff: str | None = None) -> int:
    """Copy a replaced version into ``article_versions``; return its version number (1, 2, …)."""
    last = conn.execute(select(func.max(article_versions.c.version))
                        .where(article_versions.c.article_id == article_id)).scalar_one()
    number = int(last or 0) + 1
    conn.execute(insert(article_versions).values(
        article_id=article_id, version=number, extractor_version=fields.get("extractor_version"),
        reason=reason, fields=fields, seen_at=seen_at, replaced_at=replaced_at, diff=diff,
    ))
    return number


def versions_of(conn: Connection, url: str) -> list[dict[str, Any]]:
    """Earlier versions of the article at ``url``, oldest first."""
    query = (select(article_versions).join(articles, articles.c.id == article_versions.c.article_id)
             .where(articles.c.url == url).order_by(article_versions.c.version))
    return [
        {k: row[k] for k in ("version", "extractor_version", "reason", "fields", "seen_at", "replaced_at",
                             "diff")}
        for row in conn.execute(query).mappings()
    ]
