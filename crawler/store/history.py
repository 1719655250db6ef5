"""What the store remembers besides the current articles: captures, gone marks, reprint links.

:class:`HistoryMethods` is mixed into :class:`crawler.store.Store`; each method is one
transaction over the functions of capture_rows.py and reprints.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import SQLAlchemyError

from crawler.store import capture_rows, reprints
from crawler.store.errors import StoreError
from crawler.store.outlets import touch_outlet
from crawler.store.schema import articles

if TYPE_CHECKING:
    from crawler.store.capture_rows import CaptureRef, CaptureRow
    from crawler.store.captured_urls import CapturedUrls
    from crawler.store.search import Hit


def _describe(exc: BaseException) -> str:
    from crawler.store.store import _describe as describe  # store imports this module

    return describe(exc)


def _utcnow() -> datetime:
    from crawler.store import store as store_module  # the clock tests replace

    return store_module._utcnow()


class HistoryMethods:
    """Captures, gone marks, reprint links and search (see the module docstring)."""

    uri: str

    def _read(self) -> AbstractContextManager[Connection]:  # provided by Store
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Connection]:  # provided by Store
        raise NotImplementedError

    def _reading(self, what: str, run: Any) -> Any:
        try:
            with self._read() as conn:
                return run(conn)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read {what} from {self.uri!r}: {_describe(exc)}") from exc

    # -- captures ------------------------------------------------------------------
    def record_capture(self, row: CaptureRow) -> tuple[int, str | None]:
        """Record one fetch; returns its id and ``gone``/``back`` when it changed an article's mark."""
        try:
            with self._write() as conn:
                return capture_rows.record_capture(conn, row)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot record the capture of {row.url!r} ({row.warc_file} @{row.warc_offset}) "
                             f"in {self.uri!r}: {_describe(exc)}") from exc

    def record_captures(self, rows: list[CaptureRow]) -> list[str | None]:
        """Record fetches in one transaction, in order; each one's ``gone``/``back`` event or None."""
        try:
            with self._write() as conn:
                return capture_rows.record_captures(conn, rows)
        except SQLAlchemyError as exc:
            first, last = rows[0], rows[-1]
            raise StoreError(f"cannot record {len(rows)} capture(s) ({first.url!r} … {last.url!r}, "
                             f"{first.warc_file} @{first.warc_offset}…) in {self.uri!r}: {_describe(exc)}"
                             ) from exc

    def captured_urls(self) -> CapturedUrls:
        """Every URL with a capture, as an in-memory filter (crawler/store/captured_urls.py)."""
        from crawler.store.captured_urls import CapturedUrls
        from crawler.store.schema import captures

        def load(conn: Connection) -> CapturedUrls:
            rows = conn.execution_options(stream_results=True, yield_per=10_000).execute(
                select(captures.c.url).distinct())
            return CapturedUrls(row.url for row in rows)

        return self._reading("captured URLs", load)

    def original_capture(self, url: str, digest: str) -> CaptureRef | None:
        """The earliest complete 2xx response record of ``url`` with payload ``digest``."""
        return self._reading(f"captures of {url!r}", lambda c: capture_rows.original_capture(c, url, digest))

    def latest_capture(self, url: str) -> CaptureRef | None:
        """The most recent capture of ``url``."""
        return self._reading(f"captures of {url!r}", lambda c: capture_rows.latest_capture(c, url))

    def payload_capture(self, capture: CaptureRef) -> CaptureRef | None:
        """The response record holding a capture's payload (a revisit's original)."""
        return self._reading(f"the original of {capture.record_id}",
                             lambda c: capture_rows.payload_of(c, capture))

    def captures_of(self, url: str) -> list[CaptureRef]:
        """Every capture of ``url``, oldest first."""
        return self._reading(f"captures of {url!r}", lambda c: capture_rows.captures_of(c, url))

    def iter_captures(self) -> Iterator[CaptureRef]:
        """Every capture, in the order recorded."""
        from crawler.store.schema import captures

        rows = self._reading("captures", lambda c: c.execute(
            select(*capture_rows._REF_COLUMNS).order_by(captures.c.id)).mappings().all())
        for row in rows:
            yield capture_rows.CaptureRef(**dict(row))

    def gone_history(self, url: str) -> list[dict[str, Any]]:
        """Each time the article at ``url`` was found gone: ``gone_at``, ``status``, ``location``,
        ``back_at``."""
        return self._reading(f"gone marks of {url!r}", lambda c: capture_rows.gone_history(c, url))

    def status_of(self, url: str) -> dict[str, Any] | None:
        """``first_seen``, ``last_seen``, ``gone_at`` and ``gone_status`` of the article at ``url``."""
        query = select(articles.c.first_seen, articles.c.last_seen, articles.c.gone_at, articles.c.gone_status
                       ).where(articles.c.url == url)
        row = self._reading(f"{url!r}", lambda c: c.execute(query).mappings().first())
        return dict(row) if row is not None else None

    def mark_seen(self, url: str) -> bool:
        """An article seen again unchanged (a 304): ``last_seen`` = now. False if it is not stored."""
        now = _utcnow()
        try:
            with self._write() as conn:
                found = conn.execute(select(articles.c.outlet).where(articles.c.url == url))
                outlet = found.scalar_one_or_none()
                if outlet is None:
                    return False
                conn.execute(update(articles).where(articles.c.url == url).values(last_seen=now))
                touch_outlet(conn, outlet, now)
                return True
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot mark {url!r} as seen in {self.uri!r}: {_describe(exc)}") from exc

    # -- reprints and search ---------------------------------------------------------
    def reprint_link(self, url: str) -> dict[str, Any] | None:
        """The original the article at ``url`` copies: ``original_url``, ``similarity``, …; or None."""
        return self._reading(f"the reprint link of {url!r}", lambda c: reprints.link_dict(c, url))

    def copies_of(self, url: str) -> list[dict[str, Any]]:
        """The articles linked as copies of the one at ``url``: ``url``, ``outlet``, ``similarity``."""
        return self._reading(f"copies of {url!r}", lambda c: reprints.copies_of(c, url))

    def search(self, query: str, *, outlet: str | None = None, since: str | date | datetime | None = None,
               until: str | date | datetime | None = None, limit: int = 20) -> list[Hit]:
        """Ranked full-text search; see :func:`crawler.store.search.search`."""
        from crawler.store.search import search  # search imports the store module

        return search(self, query, outlet=outlet, since=since, until=until, limit=limit)  # type: ignore[arg-type]
