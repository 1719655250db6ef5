"""The ``outlets`` table: one row per outlet an article was stored for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from crawler.store.schema import outlets


def ensure_outlet(conn: Connection, name: str, names: Sequence[str], now: datetime) -> None:
    """Insert the outlet if new; refresh ``last_seen`` (and ``names``, when given)."""
    dialect_insert = sqlite.insert if conn.dialect.name == "sqlite" else postgresql.insert
    stmt = dialect_insert(outlets).values(name=name, names=list(names), first_seen=now, last_seen=now)
    set_: dict[str, object] = {"last_seen": stmt.excluded.last_seen}
    if names:
        set_["names"] = stmt.excluded.names
    conn.execute(stmt.on_conflict_do_update(index_elements=[outlets.c.name], set_=set_))


def outlet_names(conn: Connection, names: Sequence[str]) -> dict[str, list[str]]:
    """How each of the named outlets calls itself (its ``names``)."""
    rows = conn.execute(select(outlets.c.name, outlets.c.names).where(outlets.c.name.in_(list(names))))
    return {row.name: list(row.names or []) for row in rows}


def touch_outlet(conn: Connection, name: str, now: datetime) -> None:
    """Refresh an existing outlet's ``last_seen``."""
    conn.execute(update(outlets).where(outlets.c.name == name).values(last_seen=now))
