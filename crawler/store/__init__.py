"""The article store: extracted articles in SQLite or PostgreSQL, schema kept by alembic."""

from __future__ import annotations

from crawler.store.errors import StoreError
from crawler.store.store import Store

__all__ = ["Store", "StoreError"]
