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
    Column,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
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

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("outlet", Text, nullable=False),
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
