"""The ``captures`` table (every fetch written to the archive) and the gone marks it drives.

A capture is recorded right after its WARC records are written and flushed, in one
transaction with what it says about a stored article: a 404/410, or a redirect to the
site's home page, marks the article gone (``articles.gone_at``/``gone_status`` and a
``gone_marks`` row); a later 2xx or 304 clears the mark and closes that row
(``back_at``). Nothing is deleted.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from sqlalchemy import Connection, insert, select, update

from crawler.discovery.scope import registrable_domain
from crawler.store.schema import articles, captures, gone_marks

GONE_STATUSES = (404, 410)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_HOME_PATH = re.compile(r"^/?((index|default|home)\.(s?html?|php|jsp|aspx?))?$", re.IGNORECASE)


@dataclass(frozen=True)
class CaptureRow:
    """One fetch as the WARC writer archived it (a response or a revisit record)."""

    url: str
    fetched_at: datetime
    status: int | None
    record_type: str
    warc_file: str
    warc_offset: int
    warc_length: int
    record_id: str
    payload_digest: str | None = None
    profile: str | None = None
    refers_to: str | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    location: str | None = None
    truncated: str | None = None
    spider: str | None = None


@dataclass(frozen=True)
class CaptureRef:
    """A capture read back from the store."""

    id: int
    url: str
    fetched_at: datetime
    status: int | None
    record_type: str
    profile: str | None
    refers_to: str | None
    warc_file: str
    warc_offset: int
    warc_length: int
    record_id: str
    payload_digest: str | None
    etag: str | None
    last_modified: str | None
    truncated: str | None


_REF_COLUMNS = [captures.c[name] for name in CaptureRef.__dataclass_fields__]


def is_home_page(url: str) -> bool:
    """Whether ``url`` is a site's home page (``/``, ``/index.html``, …), never an article."""
    parts = urlsplit(url)
    return not parts.query and bool(_HOME_PATH.match(parts.path or "/"))


def redirects_home(url: str, location: str | None) -> bool:
    """Whether a redirect from ``url`` to ``location`` lands on the site's home page."""
    if not location:
        return False
    target = urlsplit(urljoin(url, location.strip()))
    source = urlsplit(url)
    if not target.hostname or not source.hostname:
        return False
    if registrable_domain(target.hostname) != registrable_domain(source.hostname):
        return False
    if not _HOME_PATH.match(target.path or "/"):
        return False
    # A site's own root redirecting (http -> https, / -> /index.html) is not a removal.
    return bool(source.path.strip("/")) and not _HOME_PATH.match(source.path or "/")


def is_gone(status: int | None, url: str, location: str | None) -> bool:
    """Whether a capture says the page at ``url`` was removed."""
    if status in GONE_STATUSES:
        return True
    return status in REDIRECT_STATUSES and redirects_home(url, location)


def record_capture(conn: Connection, row: CaptureRow) -> tuple[int, str | None]:
    """Insert the capture; mark or clear its article's gone mark. Returns (id, ``gone``/``back``/None)."""
    inserted = conn.execute(insert(captures).values(**asdict(row)).returning(captures.c.id))
    capture_id: int = inserted.scalar_one()
    article = conn.execute(select(articles.c.id, articles.c.gone_at)
                           .where(articles.c.url == row.url)).first()
    if article is None:
        return capture_id, None
    return capture_id, _mark(conn, article.id, article.gone_at is not None, row, capture_id)


def record_captures(conn: Connection, rows: list[CaptureRow]) -> list[str | None]:
    """Insert captures in order (one statement); the gone/back event of each (or None).

    Rows of URLs without a stored article, most of a first crawl, cost nothing more than
    their share of the insert.
    """
    if not rows:
        return []
    conn.execute(insert(captures), [asdict(row) for row in rows])
    urls = sorted({row.url for row in rows})
    stored = {a.url: [a.id, a.gone_at is not None] for a in conn.execute(
        select(articles.c.id, articles.c.url, articles.c.gone_at).where(articles.c.url.in_(urls)))}
    events: list[str | None] = []
    for row in rows:
        article = stored.get(row.url)
        if article is None:
            events.append(None)
            continue
        capture_id = conn.execute(select(captures.c.id)
                                  .where(captures.c.record_id == row.record_id)).scalar_one()
        event = _mark(conn, article[0], article[1], row, capture_id)
        if event is not None:
            article[1] = event == "gone"
        events.append(event)
    return events


def _mark(conn: Connection, article_id: int, is_marked: bool, row: CaptureRow, capture_id: int) -> str | None:
    """Mark the article gone, or clear its mark, as the capture says; the event or None."""
    if is_gone(row.status, row.url, row.location):
        if is_marked:
            return None
        conn.execute(update(articles).where(articles.c.id == article_id)
                     .values(gone_at=row.fetched_at, gone_status=row.status))
        conn.execute(insert(gone_marks).values(article_id=article_id, gone_at=row.fetched_at,
                                               status=row.status, location=row.location,
                                               capture_id=capture_id))
        return "gone"
    answered = row.status is not None and (200 <= row.status < 300 or row.status == 304)
    if is_marked and answered:
        conn.execute(update(articles).where(articles.c.id == article_id)
                     .values(gone_at=None, gone_status=None))
        conn.execute(update(gone_marks)
                     .where(gone_marks.c.article_id == article_id, gone_marks.c.back_at.is_(None))
                     .values(back_at=row.fetched_at, back_capture_id=capture_id))
        return "back"
    return None


def _ref(row: Any) -> CaptureRef | None:
    return CaptureRef(**dict(row)) if row is not None else None


def original_capture(conn: Connection, url: str, digest: str) -> CaptureRef | None:
    """The earliest complete 2xx response record of ``url`` whose payload has ``digest``."""
    query = (select(*_REF_COLUMNS)
             .where(captures.c.url == url, captures.c.payload_digest == digest,
                    captures.c.record_type == "response", captures.c.truncated.is_(None),
                    captures.c.status >= 200, captures.c.status < 300)
             .order_by(captures.c.fetched_at, captures.c.id).limit(1))
    return _ref(conn.execute(query).mappings().first())


def latest_capture(conn: Connection, url: str) -> CaptureRef | None:
    """The most recent capture of ``url``."""
    query = (select(*_REF_COLUMNS).where(captures.c.url == url)
             .order_by(captures.c.fetched_at.desc(), captures.c.id.desc()).limit(1))
    return _ref(conn.execute(query).mappings().first())


def by_record_id(conn: Connection, record_id: str) -> CaptureRef | None:
    """The capture of a WARC record id."""
    query = select(*_REF_COLUMNS).where(captures.c.record_id == record_id)
    return _ref(conn.execute(query).mappings().first())


def payload_of(conn: Connection, capture: CaptureRef) -> CaptureRef | None:
    """The response record holding a capture's payload: itself, or a revisit's original."""
    seen: set[str] = set()
    current: CaptureRef | None = capture
    while current is not None and current.record_type == "revisit":
        if not current.refers_to or current.refers_to in seen:
            return None
        seen.add(current.refers_to)
        current = by_record_id(conn, current.refers_to)
    return current


def captures_of(conn: Connection, url: str) -> list[CaptureRef]:
    """Every capture of ``url``, oldest first."""
    query = select(*_REF_COLUMNS).where(captures.c.url == url).order_by(captures.c.fetched_at, captures.c.id)
    return [CaptureRef(**dict(row)) for row in conn.execute(query).mappings()]


def gone_history(conn: Connection, url: str) -> list[dict[str, Any]]:
    """The gone marks of the article at ``url``, oldest first."""
    query = (select(gone_marks.c.gone_at, gone_marks.c.status, gone_marks.c.location, gone_marks.c.back_at)
             .join(articles, articles.c.id == gone_marks.c.article_id)
             .where(articles.c.url == url).order_by(gone_marks.c.gone_at, gone_marks.c.id))
    return [dict(row) for row in conn.execute(query).mappings()]
