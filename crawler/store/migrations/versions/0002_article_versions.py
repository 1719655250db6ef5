"""Earlier versions of articles (re-extraction keeps what it replaces).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Types are spelled out (see 0001); timestamps are fixed-width UTC ISO text.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``article_versions``."""
    op.create_table(
        "article_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("extractor_version", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("seen_at", sa.String(length=27), nullable=True),
        sa.Column("replaced_at", sa.String(length=27), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_article_versions_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_article_versions"),
        sa.UniqueConstraint("article_id", "version", name="uq_article_versions_article_id_version"),
    )


def downgrade() -> None:
    """Refuse: dropping the table would discard the earlier versions of articles."""
    raise NotImplementedError("article_versions is not downgraded: it holds earlier versions of articles")
