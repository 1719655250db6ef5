"""Outlets, captures, gone marks, edit diffs, near-duplicate fingerprints, reprint links, search.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Types are spelled out (see 0001); timestamps are fixed-width UTC ISO text.

Full-text search is made here and kept outside ``crawler.store.schema.metadata``:

* SQLite: ``articles_fts``, an FTS5 table with the ``trigram`` tokenizer (case-sensitive,
  like the substring filter it replaces) over ``title``, ``text``, ``title_simplified``
  and ``text_simplified``, with ``articles`` as its external content, kept in sync by
  three triggers. A later migration that recreates ``articles`` (a SQLite batch
  migration copies and drops the table, and its triggers with it) must run
  :func:`create_sqlite_triggers` again.
* PostgreSQL: a ``pg_trgm`` GIN index on the four columns joined by newlines (the
  expression :data:`PG_DOCUMENT`, which queries must repeat verbatim to use the index).
  ``pg_trgm`` is created if missing; where the role may not create it, the index is left
  out with a warning and search still works (by scanning).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger("alembic.runtime.migration")

SEARCH_COLUMNS = ("title", "text", "title_simplified", "text_simplified")
#: The document the PostgreSQL trigram index covers (crawler/store/search.py repeats it).
PG_DOCUMENT = " || chr(10) || ".join(f"coalesce({c}, '')" for c in SEARCH_COLUMNS)


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.String(length=27), nullable=nullable)


def upgrade() -> None:
    """Create the new tables, add the new columns, build the search index."""
    _outlets()
    with op.batch_alter_table("articles", recreate="auto") as batch:
        batch.add_column(_ts("gone_at"))
        batch.add_column(sa.Column("gone_status", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_articles_outlet_outlets", "outlets", ["outlet"], ["name"])
    with op.batch_alter_table("article_versions") as batch:
        batch.add_column(sa.Column("diff", sa.Text(), nullable=True))
    _captures()
    _near_duplicates()
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_search()
    else:
        _postgres_search()


def _outlets() -> None:
    op.create_table(
        "outlets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        _ts("first_seen", nullable=False),
        _ts("last_seen", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outlets"),
        sa.UniqueConstraint("name", name="uq_outlets_name"),
    )
    # Every outlet that already has articles.
    op.execute(
        "INSERT INTO outlets (name, names, first_seen, last_seen) "
        "SELECT outlet, '[]', min(first_seen), max(last_seen) FROM articles GROUP BY outlet"
    )


def _captures() -> None:
    op.create_table(
        "captures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        _ts("fetched_at", nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("record_type", sa.Text(), nullable=False),
        sa.Column("profile", sa.Text(), nullable=True),
        sa.Column("refers_to", sa.Text(), nullable=True),
        sa.Column("warc_file", sa.Text(), nullable=False),
        sa.Column("warc_offset", sa.BigInteger(), nullable=False),
        sa.Column("warc_length", sa.BigInteger(), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=False),
        sa.Column("payload_digest", sa.Text(), nullable=True),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("truncated", sa.Text(), nullable=True),
        sa.Column("spider", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_captures"),
        sa.UniqueConstraint("record_id", name="uq_captures_record_id"),
    )
    op.create_index("ix_captures_url_fetched_at", "captures", ["url", "fetched_at"])
    op.create_index("ix_captures_url_payload_digest", "captures", ["url", "payload_digest"])
    op.create_table(
        "gone_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        _ts("gone_at", nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("capture_id", sa.Integer(), nullable=False),
        _ts("back_at"),
        sa.Column("back_capture_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name="fk_gone_marks_article_id_articles",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["capture_id"], ["captures.id"], name="fk_gone_marks_capture_id_captures"),
        sa.ForeignKeyConstraint(["back_capture_id"], ["captures.id"],
                                name="fk_gone_marks_back_capture_id_captures"),
        sa.PrimaryKeyConstraint("id", name="pk_gone_marks"),
    )
    op.create_index("ix_gone_marks_article_id", "gone_marks", ["article_id"])


def _near_duplicates() -> None:
    op.create_table(
        "fingerprints",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.Text(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("shingles", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name="fk_fingerprints_article_id_articles",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", name="pk_fingerprints"),
    )
    op.create_table(
        "minhash_bands",
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name="fk_minhash_bands_article_id_articles",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("band", "bucket", "article_id", name="pk_minhash_bands"),
    )
    op.create_index("ix_minhash_bands_article_id", "minhash_bands", ["article_id"])
    op.create_table(
        "reprint_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("copy_id", sa.Integer(), nullable=False),
        sa.Column("original_id", sa.Integer(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        _ts("linked_at", nullable=False),
        sa.CheckConstraint("copy_id <> original_id", name="ck_reprint_links_not_self"),
        sa.ForeignKeyConstraint(["copy_id"], ["articles.id"], name="fk_reprint_links_copy_id_articles",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["original_id"], ["articles.id"],
                                name="fk_reprint_links_original_id_articles", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_reprint_links"),
        sa.UniqueConstraint("copy_id", name="uq_reprint_links_copy_id"),
    )
    op.create_index("ix_reprint_links_original_id", "reprint_links", ["original_id"])


def create_sqlite_triggers() -> None:
    """The triggers that keep ``articles_fts`` in step with ``articles``."""
    cols = ", ".join(SEARCH_COLUMNS)
    new = ", ".join(f"new.{c}" for c in SEARCH_COLUMNS)
    old = ", ".join(f"old.{c}" for c in SEARCH_COLUMNS)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in SEARCH_COLUMNS)
    op.execute(f"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
               f"INSERT INTO articles_fts (rowid, {cols}) VALUES (new.id, {new}); END")
    delete = f"INSERT INTO articles_fts (articles_fts, rowid, {cols}) VALUES ('delete', old.id, {old});"
    op.execute(f"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN {delete} END")
    op.execute(f"CREATE TRIGGER articles_fts_update AFTER UPDATE ON articles WHEN {changed} BEGIN "
               f"INSERT INTO articles_fts (articles_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); "
               f"INSERT INTO articles_fts (rowid, {cols}) VALUES (new.id, {new}); END")


def _sqlite_search() -> None:
    op.execute(
        f"CREATE VIRTUAL TABLE articles_fts USING fts5({', '.join(SEARCH_COLUMNS)}, "
        "content='articles', content_rowid='id', tokenize='trigram case_sensitive 1')"
    )
    create_sqlite_triggers()
    op.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")


_TRGM_SCHEMA = sa.text(
    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    "WHERE e.extname = 'pg_trgm'")


def _install_pg_trgm(bind: sa.Connection) -> str | None:
    """The schema of ``pg_trgm``, installed now if missing (in ``public`` where allowed, so that
    dropping a store's own schema never drops the extension other stores use); None if it cannot be."""
    schema = bind.execute(_TRGM_SCHEMA).scalar()
    if schema is not None:
        return str(schema)
    problem = ""
    for statement in ("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public",
                      "CREATE EXTENSION IF NOT EXISTS pg_trgm"):
        try:
            with bind.begin_nested():
                bind.execute(sa.text(statement))
            return str(bind.execute(_TRGM_SCHEMA).scalar_one())
        except sa.exc.DBAPIError as exc:
            problem = " ".join(str(exc.orig).split())
    logger.warning("cannot create extension pg_trgm (%s): full-text search will scan the articles "
                   "instead of using a trigram index; a superuser can run CREATE EXTENSION pg_trgm, "
                   "then create the index ix_articles_search of migration 0003", problem)
    return None


def _postgres_search() -> None:
    schema = _install_pg_trgm(op.get_bind())
    if schema is not None:
        opclass = f'"{schema}".gin_trgm_ops'
        op.execute(f"CREATE INDEX ix_articles_search ON articles USING gin (({PG_DOCUMENT}) {opclass})")


def downgrade() -> None:
    """Refuse: the captures, gone marks and links are part of the archive's record."""
    raise NotImplementedError("0003 is not downgraded: captures, gone marks and reprint links would be lost")
