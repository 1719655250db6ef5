"""The article store: extracted articles in SQLite or PostgreSQL, schema kept by alembic."""

from __future__ import annotations

from crawler.store.errors import StoreError
from crawler.store.store import Store
from crawler.store.versions import Upserted

__all__ = ["Store", "StoreError", "Upserted"]
