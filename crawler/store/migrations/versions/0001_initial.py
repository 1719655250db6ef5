"""Initial schema: articles and their images.

Revision ID: 0001
Revises:
Create Date: 2025-11-23

Types are spelled out here rather than imported from ``crawler.store.schema`` so that
this revision keeps creating the same tables when the schema module moves on.
Timestamps are fixed-width UTC ISO text (``String(27)``, see ``UTCTimestamp``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``articles`` and ``images``."""
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("outlet", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kicker", sa.Text(), nullable=True),
        sa.Column("subtitle", sa.Text(), nullable=True),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("edition_date", sa.Text(), nullable=True),
        sa.Column("page_number", sa.Text(), nullable=True),
        sa.Column("page_name", sa.Text(), nullable=True),
        sa.Column("published_at", sa.Text(), nullable=True),
        sa.Column("published_utc", sa.String(length=27), nullable=True),
        sa.Column("published_raw", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("is_reprint", sa.Boolean(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("correspondents", sa.JSON(), nullable=False),
        sa.Column("organisation", sa.Text(), nullable=True),
        sa.Column("editor", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("title_simplified", sa.Text(), nullable=True),
        sa.Column("text_simplified", sa.Text(), nullable=True),
        sa.Column("pages", sa.JSON(), nullable=False),
        sa.Column("charset", sa.Text(), nullable=True),
        sa.Column("charset_reason", sa.Text(), nullable=True),
        sa.Column("warc_file", sa.Text(), nullable=True),
        sa.Column("warc_offset", sa.BigInteger(), nullable=True),
        sa.Column("warc_record_id", sa.Text(), nullable=True),
        sa.Column("extractor_version", sa.Text(), nullable=True),
        sa.Column("layers", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("first_seen", sa.String(length=27), nullable=False),
        sa.Column("last_seen", sa.String(length=27), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("url", name="uq_articles_url"),
    )
    op.create_index("ix_articles_outlet_published_utc", "articles", ["outlet", "published_utc"])
    op.create_index("ix_articles_published_utc", "articles", ["published_utc"])
    op.create_table(
        "images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_images_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_images"),
        sa.UniqueConstraint("article_id", "position", name="uq_images_article_id_position"),
    )


def downgrade() -> None:
    """Refuse: the archive's tables are never dropped by a migration."""
    raise NotImplementedError(
        "the initial schema is not downgraded; remove the database file or schema "
        "by hand if you really mean to discard the archive"
    )
