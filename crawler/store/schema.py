"""Tables of the article store, in SQLAlchemy Core, portable across SQLite and PostgreSQL.

This module describes the schema *as of the newest migration*; the database itself is
only ever changed by the alembic revisions in ``crawler/store/migrations/versions``.
A test compares a migrated database with this metadata, so the two cannot drift apart.

Timestamps are stored as fixed-width UTC ISO 8601 text (``2024-05-01T02:03:04.000000Z``,
see :class:`UTCTimestamp`) rather than ``DateTime(timezone=True)``: SQLite has no
timestamp type and SQLAlchemy's ``DateTime`` there drops the offset and reads back
naive values, while PostgreSQL reads back values converted to the session time zone.
The text form is byte-identical on both engines, reads back as the same aware UTC
``datetime``, and sorts lexicographically in chronological order, so range queries
and ``ORDER BY`` work the same everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

#: Width of a stored timestamp: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``.
TIMESTAMP_WIDTH = 27

#: Constraint and index names are explicit and predictable, which SQLite batch
#: migrations need to alter or drop a constraint later.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def format_utc(value: datetime) -> str:
    """Render an aware datetime as fixed-width UTC text ending in ``Z``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"timestamp {value!r} has no time zone")
    text = value.astimezone(UTC).isoformat(timespec="microseconds")
    return text.removesuffix("+00:00") + "Z"


def parse_utc(text: str) -> datetime:
    """Read back a timestamp written by :func:`format_utc` as an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


class UTCTimestamp(TypeDecorator[datetime]):
    """Aware datetime stored as fixed-width UTC ISO text; see the module docstring."""

    impl = String(TIMESTAMP_WIDTH)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Convert an aware datetime to stored text."""
        if value is None:
            return None
        if isinstance(value, str):  # already in stored form, e.g. a range bound
            return format_utc(parse_utc(value))
        return format_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Convert stored text to an aware UTC datetime."""
        return None if value is None else parse_utc(value)


metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: Every outlet an article was stored for: a spider's name, or the registrable domain of a
#: site crawled by the ``site`` spider. ``names`` is how the outlet calls itself in 来源
#: lines and bylines (the spider's ``outlet_names``), so a reprint can be told from its original.
outlets = Table(
    "outlets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("names", JSON, nullable=False),
    Column("first_seen", UTCTimestamp, nullable=False),
    Column("last_seen", UTCTimestamp, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("outlet", Text, ForeignKey("outlets.name"), nullable=False),
    Column("title", Text, nullable=False),
    Column("kicker", Text),
    Column("subtitle", Text),
    Column("section", Text),
    Column("edition_date", Text),
    Column("page_number", Text),
    Column("page_name", Text),
    # ISO 8601 exactly as the item has it (with +08:00) ...
    Column("published_at", Text),
    # ... and the same instant in UTC, for sorting and range queries.
    Column("published_utc", UTCTimestamp),
    Column("published_raw", Text),
    Column("source", Text),
    Column("is_reprint", Boolean, nullable=False),
    Column("authors", JSON, nullable=False),
    Column("correspondents", JSON, nullable=False),
    Column("organisation", Text),
    Column("editor", Text),
    Column("text", Text, nullable=False),
    Column("title_simplified", Text),
    Column("text_simplified", Text),
    Column("pages", JSON, nullable=False),
    Column("charset", Text),
    Column("charset_reason", Text),
    Column("warc_file", Text),
    Column("warc_offset", BigInteger),
    Column("warc_record_id", Text),
    Column("extractor_version", Text),
    Column("layers", JSON, nullable=False),
    Column("flags", JSON, nullable=False),
    Column("first_seen", UTCTimestamp, nullable=False),
    Column("last_seen", UTCTimestamp, nullable=False),
    # Set while the article's URL answers 404/410 or redirects to the site's home page
    # (the capture that said so: ``gone_marks``); cleared when it answers again.
    Column("gone_at", UTCTimestamp),
    Column("gone_status", Integer),
    # Serves lookups by outlet and per-outlet iteration in publication order.
    Index(None, "outlet", "published_utc"),
    Index(None, "published_utc"),
)

images = Table(
    "images",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "article_id",
        Integer,
        ForeignKey("articles.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("position", Integer, nullable=False),
    Column("url", Text, nullable=False),
    Column("caption", Text),
    UniqueConstraint("article_id", "position"),
)

#: Earlier versions of an article, kept when a newer one replaces it (re-extraction from
#: the archive with a newer extractor; later also edits and other reasons). ``fields``
#: holds every exported field of the replaced version, images included, as JSON.
article_versions = Table(
    "article_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "article_id",
        Integer,
        ForeignKey("articles.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("version", Integer, nullable=False),
    Column("extractor_version", Text),
    Column("reason", Text, nullable=False),
    Column("fields", JSON, nullable=False),
    # When the replaced version was last stored, and when it was replaced.
    Column("seen_at", UTCTimestamp),
    Column("replaced_at", UTCTimestamp, nullable=False),
    # Unified diff of title and text from this version to the one that replaced it.
    Column("diff", Text),
    UniqueConstraint("article_id", "version"),
)

#: Every fetch written to the archive: one row per response or revisit record.
#: ``payload_digest`` is the digest of the payload the capture stands for (for a
#: server-not-modified revisit, the original's). ``refers_to`` is the record id of a
#: revisit's original. ``etag``/``last_modified`` are the validators conditional
#: requests send back; ``location`` the target of a redirect.
captures = Table(
    "captures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False),
    Column("fetched_at", UTCTimestamp, nullable=False),
    Column("status", Integer),
    Column("record_type", Text, nullable=False),
    Column("profile", Text),
    Column("refers_to", Text),
    Column("warc_file", Text, nullable=False),
    Column("warc_offset", BigInteger, nullable=False),
    Column("warc_length", BigInteger, nullable=False),
    Column("record_id", Text, nullable=False, unique=True),
    Column("payload_digest", Text),
    Column("content_type", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("location", Text),
    Column("truncated", Text),
    Column("spider", Text),
    Index(None, "url", "fetched_at"),
    Index(None, "url", "payload_digest"),
)

#: Each time a stored article's URL was found gone (404/410, or a redirect to the home
#: page), and when it came back (``back_at``); ``articles.gone_at`` mirrors the open mark.
gone_marks = Table(
    "gone_marks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("gone_at", UTCTimestamp, nullable=False),
    Column("status", Integer, nullable=False),
    Column("location", Text),
    Column("capture_id", Integer, ForeignKey("captures.id"), nullable=False),
    Column("back_at", UTCTimestamp),
    Column("back_capture_id", Integer, ForeignKey("captures.id")),
    Index(None, "article_id"),
)

#: MinHash signature of an article's normalised text (crawler/dedupe), ``scheme`` naming
#: how it was made (shingle size, permutations, seed, LSH bands).
fingerprints = Table(
    "fingerprints",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("scheme", Text, nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Column("shingles", Integer, nullable=False),
)

#: The LSH index of the signatures: one row per (band, bucket) an article falls in.
#: Articles sharing a bucket in any band are candidate near-duplicates.
minhash_bands = Table(
    "minhash_bands",
    metadata,
    Column("band", Integer, nullable=False),
    Column("bucket", Text, nullable=False),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    PrimaryKeyConstraint("band", "bucket", "article_id"),
    Index(None, "article_id"),
)

#: A reprint or mirror (``copy_id``) and the earliest known original it copies, with the
#: estimated Jaccard similarity of their texts' character 3-grams.
reprint_links = Table(
    "reprint_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("copy_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("original_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("similarity", Float, nullable=False),
    Column("method", Text, nullable=False),
    Column("linked_at", UTCTimestamp, nullable=False),
    CheckConstraint("copy_id <> original_id", name="not_self"),
    Index(None, "original_id"),
)

#: Search objects made by migration 0003 outside this metadata (SQLite's FTS5 table and its
#: shadow tables, PostgreSQL's trigram index); schema comparisons leave them out.
SEARCH_OBJECTS_PREFIX = "articles_fts"
SEARCH_INDEX = "ix_articles_search"


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic ``include_object`` hook: leave the full-text search objects out of comparisons."""
    return not (name and (name.startswith(SEARCH_OBJECTS_PREFIX) or name == SEARCH_INDEX))
