"""The article store: upsert and read extracted articles in SQLite or PostgreSQL.

The schema is created and upgraded only by the alembic revisions in
``crawler/store/migrations``; :meth:`Store.open` runs them to head on every open
(a no-op when already there) and never drops or recreates a table.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, Self

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Connection,
    Engine,
    RowMapping,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    SQLAlchemyError,
)

from crawler.dedupe import DEFAULT_THRESHOLD, SCHEME, Fingerprint, fingerprint, text_for_fingerprint
from crawler.items import EXPORT_FIELDS, Article, Image
from crawler.store.errors import StoreError
from crawler.store.history import HistoryMethods
from crawler.store.outlets import ensure_outlet
from crawler.store.reprints import Linked, link_reprints
from crawler.store.schema import articles, fingerprints, images, metadata
from crawler.store.versions import (
    PROVENANCE,
    REEXTRACTION,
    Upserted,
    change_reason,
    changed_fields,
    keep_version,
    stored_fields,
    text_diff,
    versions_of,
)

logger = logging.getLogger(__name__)
# alembic reports every migration check at INFO; a crawl log has better things to say.
logging.getLogger("alembic").setLevel(logging.WARNING)

#: The alembic script directory, shipped inside the ``crawler`` package.
MIGRATIONS_DIR = Path(__file__).with_name("migrations")

#: Seconds a SQLite connection waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT = 30.0
#: Seconds to wait for a PostgreSQL server (unless the URI sets ``connect_timeout``).
PG_CONNECT_TIMEOUT = 10
#: How long an outlet's ``last_seen`` may lag behind its newest article.
OUTLET_REFRESH = timedelta(minutes=1)
#: Key of the PostgreSQL advisory lock that serialises concurrent migrations.
PG_MIGRATION_LOCK = 0x63_72_61_77_6C_65_72  # "crawler"

#: Offset assumed for a ``published_at`` without one (China has no DST).
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

#: Alembic keeps a module-global context, so migrations in one process run one at a time.
_MIGRATE_LOCK = threading.Lock()

_OPTIONAL_TEXT = (
    "kicker",
    "subtitle",
    "section",
    "published_at",
    "published_raw",
    "source",
    "organisation",
    "editor",
    "charset",
    "charset_reason",
    "warc_file",
    "warc_record_id",
    "extractor_version",
)
_TEXT_LISTS = ("authors", "correspondents", "pages", "flags")
#: Article fields kept in ``articles`` columns of the same name.
ARTICLE_COLUMNS: tuple[str, ...] = tuple(name for name in EXPORT_FIELDS if name != "images")


def _utcnow() -> datetime:
    """Current time in UTC (a function so tests can control the clock)."""
    return datetime.now(UTC)


def _json_dumps(value: Any) -> str:
    """Serialise JSON columns with Chinese left readable."""
    return json.dumps(value, ensure_ascii=False)


def mask_uri(uri: str) -> str:
    """The URI with any password replaced by ``***``, for messages and logs."""
    try:
        return make_url(uri).render_as_string(hide_password=True)
    except Exception:  # unparsable: mask what looks like user:password@
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", uri)


def alembic_config(uri: str | None = None, connection: Connection | None = None) -> Config:
    """An alembic ``Config`` for the store's migrations, without any ``alembic.ini``.

    Pass ``connection`` to migrate on it (what :meth:`Store.open` does), or ``uri``
    to let ``env.py`` connect by itself (for ``command.revision(autogenerate=True)``).
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if uri is not None:
        config.set_main_option("sqlalchemy.url", uri.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def published_utc(published_at: str | None) -> datetime | None:
    """The UTC instant of an ISO 8601 ``published_at``; naive values are Shanghai time.

    Returns None (and logs a warning) when the value cannot be read as ISO 8601.
    """
    if not published_at:
        return None
    try:
        moment = datetime.fromisoformat(published_at)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=SHANGHAI)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        logger.warning("published_at %r is not ISO 8601; published_utc left empty", published_at)
        return None


def _describe(exc: BaseException) -> str:
    """A one-line account of a database error, without SQLAlchemy's boilerplate."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    message = str(cause).split("\n(Background on this error", 1)[0]
    return " ".join(message.split()) or type(cause).__name__


def _text_problem(name: str, value: object, *, optional: bool = False) -> str | None:
    """Why ``value`` cannot be stored as text, or None if it can."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        wanted = "str or None" if optional else "str"
        return f"{name} must be {wanted}, got {type(value).__name__}"
    if "\x00" in value:
        return f"{name} contains a NUL character at position {value.index(chr(0))}"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"{name} contains an unencodable character at position {exc.start}"
    return None


def _article_problems(article: Article) -> list[str]:
    """Everything about ``article`` that the store cannot keep faithfully."""
    problems: list[str] = []

    def check(problem: str | None) -> None:
        if problem:
            problems.append(problem)

    for name in ("url", "outlet"):
        value = getattr(article, name)
        check(_text_problem(name, value))
        if isinstance(value, str) and not value.strip():
            problems.append(f"{name} must not be empty")
    for name in ("title", "text"):
        check(_text_problem(name, getattr(article, name)))
    for name in _OPTIONAL_TEXT:
        check(_text_problem(name, getattr(article, name), optional=True))
    if not isinstance(article.is_reprint, bool):
        problems.append(f"is_reprint must be bool, got {type(article.is_reprint).__name__}")
    offset = article.warc_offset
    if offset is not None and (isinstance(offset, bool) or not isinstance(offset, int)):
        problems.append(f"warc_offset must be int or None, got {type(offset).__name__}")
    elif offset is not None and not 0 <= offset < 2**63:
        problems.append(f"warc_offset {offset} is out of range")
    for name in _TEXT_LISTS:
        value = getattr(article, name)
        if not isinstance(value, list):
            problems.append(f"{name} must be a list, got {type(value).__name__}")
            continue
        for index, item in enumerate(value):
            check(_text_problem(f"{name}[{index}]", item))
    if not isinstance(article.layers, dict):
        problems.append(f"layers must be a dict, got {type(article.layers).__name__}")
    else:
        for key, value in article.layers.items():
            check(_text_problem(f"layers key {key!r}", key))
            check(_text_problem(f"layers[{key!r}]", value))
    if not isinstance(article.images, list):
        problems.append(f"images must be a list, got {type(article.images).__name__}")
    else:
        for index, image in enumerate(article.images):
            if not isinstance(image, Image):
                problems.append(f"images[{index}] must be an Image, got {type(image).__name__}")
                continue
            check(_text_problem(f"images[{index}].url", image.url))
            check(_text_problem(f"images[{index}].caption", image.caption, optional=True))
    return problems


def _article_row(article: Article) -> dict[str, Any]:
    """The ``articles`` column values of ``article`` (without the store's timestamps)."""
    row = {name: getattr(article, name) for name in ARTICLE_COLUMNS}
    row["published_utc"] = published_utc(article.published_at)
    return row


class _Prepared(NamedTuple):
    """An article checked and turned into what its upsert writes."""

    article: Article
    row: dict[str, Any]
    fingerprint: Fingerprint | None
    new_fields: dict[str, Any]


def _prepare(article: object, uri: str, reprint_threshold: float | None) -> _Prepared:
    """``article`` checked (StoreError naming it and each problem) and its row, fingerprint
    (made by the extraction pipeline, or here) and content fields."""
    if not isinstance(article, Article):
        raise StoreError(f"cannot store {type(article).__name__} in {uri!r}: expected an Article")
    problems = _article_problems(article)
    if problems:
        raise StoreError(f"cannot store article {article.url!r} in {uri!r}: {'; '.join(problems)}")
    row = _article_row(article)
    fp = None
    if reprint_threshold is not None:
        made = article.fingerprint
        fp = made if isinstance(made, Fingerprint) else fingerprint(text_for_fingerprint(article))
    new_fields = {**row, "images": [{"url": i.url, "caption": i.caption} for i in article.images]}
    return _Prepared(article, row, fp, new_fields)


@lru_cache(maxsize=2)
def _upsert_statement(dialect: str) -> Any:
    """INSERT … ON CONFLICT (url) DO UPDATE of an article row (every column of
    :func:`_article_row`, ``first_seen``, ``last_seen`` as parameters), returning its id.

    Built once per dialect: building it per article with the values inside cost more
    than the statement's execution (docs/performance.md).
    """
    dialect_insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    stmt = dialect_insert(articles)
    updates = {name: stmt.excluded[name] for name in (*ARTICLE_COLUMNS, "published_utc", "last_seen")
               if name != "url"}
    upsert = stmt.on_conflict_do_update(index_elements=[articles.c.url], set_=updates)
    return upsert.returning(articles.c.id)


def _article_dict(row: RowMapping, image_rows: Sequence[Any]) -> dict[str, Any]:
    """An article as returned by the read methods."""
    result: dict[str, Any] = {"id": row["id"]}
    for name in EXPORT_FIELDS:
        if name == "images":
            result[name] = [{"url": img.url, "caption": img.caption} for img in image_rows]
        else:
            result[name] = row[name]
    result["first_seen"] = row["first_seen"]
    result["last_seen"] = row["last_seen"]
    return result


def _install_sqlite_hooks(engine: Engine) -> None:
    """WAL, foreign keys and explicit transactions on every SQLite connection.

    pysqlite's own transaction handling is switched off so that SQLAlchemy's
    ``begin`` emits the BEGIN itself: ``BEGIN IMMEDIATE`` for writes (takes the
    write lock up front and waits for it with the busy timeout, instead of failing
    when a read transaction later needs to write) and a plain ``BEGIN`` otherwise.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT * 1000)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: the database stays
            # consistent after any crash (kill -9 included); a power cut may lose the last
            # commits, which `scrapy replay` redoes from the WARC files. FULL made each commit
            # wait for the disk on the reactor's thread, three times a page (docs/performance.md).
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("store_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Store(HistoryMethods):
    """Articles and their images in a SQL database (SQLite or PostgreSQL); captures, gone
    marks, reprint links and search in :class:`~crawler.store.history.HistoryMethods`."""

    def __init__(self, engine: Engine, uri: str) -> None:
        """Wrap an engine whose database is migrated; use :meth:`open` instead."""
        self.engine = engine
        #: Outlet rows this Store wrote (name and names → when): refreshed at most once a
        #: minute, not once an article (docs/performance.md).
        self._outlets_written: dict[tuple[str, tuple[str, ...]], datetime] = {}
        #: The store URI with any password masked.
        self.uri = uri

    def __repr__(self) -> str:
        """Show the (masked) URI."""
        return f"Store({self.uri!r})"

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    # -- opening -----------------------------------------------------------------

    @classmethod
    def open(cls, uri: str) -> Self:
        """Open the store at ``uri`` and bring its schema to the newest revision.

        ``uri`` is ``sqlite:///relative/path.sqlite``, ``sqlite:////abs/path.sqlite``
        or ``postgresql+psycopg://user[:password]@host[:port]/db`` (a bare
        ``postgresql://`` uses psycopg 3). Raises :class:`StoreError` if the URI is
        malformed or unsupported, the database unreachable, or its schema newer
        than this code.
        """
        shown = mask_uri(uri)
        prefix = f"cannot open store {shown!r}"
        try:
            url = make_url(uri)
        except ArgumentError as exc:
            raise StoreError(
                f"{prefix}: not a database URI ({exc}); expected e.g. "
                "sqlite:///archives/articles.sqlite or postgresql+psycopg://user@host/db"
            ) from exc
        backend = url.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise StoreError(
                f"{prefix}: unsupported scheme {url.drivername!r}; the store supports "
                "sqlite:///PATH and postgresql+psycopg://USER@HOST/DB"
            )
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")

        options: dict[str, Any] = {"json_serializer": _json_dumps}
        if backend == "sqlite":
            database = url.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                path = Path(database).expanduser()
                url = url.set(database=str(path))  # sqlite3 itself does not expand ~
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(f"{prefix}: cannot create the directory of {database!r}: {exc}") from exc
            options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT}
        elif "connect_timeout" not in url.query:
            options["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT}
        try:
            engine = create_engine(url, **options)
        except (NoSuchModuleError, ImportError, ArgumentError) as exc:
            raise StoreError(f"{prefix}: driver {url.drivername!r} is not available ({exc})") from exc
        if backend == "sqlite":
            _install_sqlite_hooks(engine)

        store = cls(engine, shown)
        try:
            store._migrate()
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(f"{prefix}: {_describe(exc)}") from exc
        except BaseException:
            engine.dispose()
            raise
        return store

    def _migrate(self) -> None:
        """Upgrade the schema to head in one transaction, refusing unknown revisions."""
        script = ScriptDirectory.from_config(alembic_config())
        known = {revision.revision for revision in script.walk_revisions()}
        heads = set(script.get_heads())
        sqlite_db = self.dialect == "sqlite"
        with _MIGRATE_LOCK, self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            if sqlite_db:
                # Batch migrations copy and drop tables: with foreign keys on, dropping
                # ``articles`` would cascade-delete every image. The pragma only takes
                # effect outside a transaction; integrity is checked before commit.
                raw.execute("PRAGMA foreign_keys = OFF")
            try:
                conn.execution_options(store_write=True)
                with conn.begin():
                    if not sqlite_db:
                        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})
                    current = set(MigrationContext.configure(conn).get_current_heads())
                    self._check_revisions(conn, current, known, heads)
                    if current != heads:
                        logger.info(
                            "migrating store %s from %s to %s",
                            self.uri,
                            sorted(current) or "empty",
                            sorted(heads),
                        )
                        command.upgrade(alembic_config(connection=conn), "heads")
                    if sqlite_db:
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            raise StoreError(
                                f"cannot open store {self.uri!r}: migration left "
                                f"{len(broken)} rows with dangling foreign keys; rolled back"
                            )
            finally:
                if sqlite_db:
                    raw.execute("PRAGMA foreign_keys = ON")

    def _check_revisions(self, conn: Connection, current: set[str], known: set[str], heads: set[str]) -> None:
        """Refuse a database written by newer code, or one not made by this store."""
        unknown = current - known
        if unknown:
            raise StoreError(
                f"cannot open store {self.uri!r}: its schema revision "
                f"{', '.join(sorted(unknown))} is newer than this code knows "
                f"(newest known: {', '.join(sorted(heads))}); it was written by a newer "
                "version of the crawler. Upgrade the crawler; the store was not touched."
            )
        if not current:
            existing = set(inspect(conn).get_table_names()) & set(metadata.tables)
            if existing:
                raise StoreError(
                    f"cannot open store {self.uri!r}: it has table(s) "
                    f"{', '.join(sorted(existing))} but no alembic_version, so it was not "
                    "created by this store; refusing to touch it"
                )

    # -- transactions --------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A connection inside one read transaction (a consistent snapshot)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A connection inside one write transaction, committed on success."""
        with self.engine.connect() as conn:
            conn.execution_options(store_write=True)
            with conn.begin():
                yield conn

    # -- writing -------------------------------------------------------------------

    def upsert_article(self, article: Article) -> int:
        """Insert ``article``, or update the row with its URL; return the row id (see :meth:`upsert`)."""
        return self.upsert(article).id

    def upsert(self, article: Article, *, reason: str = REEXTRACTION, outlet_names: Sequence[str] = (),
               reprint_threshold: float | None = DEFAULT_THRESHOLD) -> Upserted:
        """Insert ``article``, or update the row with its URL; say what changed.

        One transaction: the outlet (``outlet_names``: how it calls itself, when known),
        the article row (``first_seen`` kept, ``last_seen`` set to now), its images
        (replaced), the replaced version when the content changed or the extractor did
        (``article_versions``, with a diff and the reason: ``edit`` when the page changed,
        else ``reason``), and, unless ``reprint_threshold`` is None, its near-duplicate
        fingerprint and reprint links (crawler/store/reprints.py) change together or not at
        all. Content unchanged: the row keeps pointing at the WARC record where that content
        was first archived. Raises :class:`StoreError` for an article with wrongly typed
        fields (before writing anything) or when the database refuses the write.
        """
        done = self.upsert_many([article], reason=reason, outlet_names=outlet_names,
                                reprint_threshold=reprint_threshold)[0]
        if isinstance(done, StoreError):
            raise done
        return done

    def upsert_many(self, batch: Sequence[Article], *, reason: str = REEXTRACTION,
                    outlet_names: Sequence[str] = (), reprint_threshold: float | None = DEFAULT_THRESHOLD,
                    ) -> list[Upserted | StoreError]:
        """:meth:`upsert` each article of ``batch``, in order, in one transaction; the result
        (or the :class:`StoreError`) of each.

        An article with wrongly typed fields gets its error and nothing of it is written.
        When the database refuses the transaction, every article is tried again in a
        transaction of its own, so that only those it refuses fail: the batch is never half
        written, and a good article never fails for a bad neighbour.
        """
        results: list[Upserted | StoreError | None] = [None] * len(batch)
        ready: list[tuple[int, _Prepared]] = []
        for index, article in enumerate(batch):
            try:
                ready.append((index, _prepare(article, self.uri, reprint_threshold)))
            except StoreError as exc:
                results[index] = exc
        names = tuple(outlet_names)
        try:
            written = self._write_batch([p for _, p in ready], reason, names, reprint_threshold)
        except StoreError as exc:
            if len(ready) == 1:
                results[ready[0][0]] = exc
            else:  # one at a time, so that only the articles the database refuses fail
                for index, prepared in ready:
                    try:
                        results[index] = self._write_batch([prepared], reason, names, reprint_threshold)[0]
                    except StoreError as refused:
                        results[index] = refused
        else:
            for (index, _), done in zip(ready, written, strict=True):
                results[index] = done
        assert all(r is not None for r in results)
        return results  # type: ignore[return-value]

    def _write_batch(self, batch: list[_Prepared], reason: str, outlet_names: tuple[str, ...],
                     reprint_threshold: float | None) -> list[Upserted]:
        """Upsert prepared articles in one transaction (see :meth:`upsert`)."""
        if not batch:
            return []
        ensured: dict[tuple[str, tuple[str, ...]], datetime] = {}
        done: list[Upserted] = []
        try:
            with self._write() as conn:
                for prepared in batch:
                    done.append(self._upsert_in(conn, prepared, reason, outlet_names,
                                                reprint_threshold, ensured))
        except SQLAlchemyError as exc:
            what = f"article {batch[0].article.url!r}" if len(batch) == 1 else f"{len(batch)} articles"
            raise StoreError(f"cannot store {what} in {self.uri!r}: {_describe(exc)}") from exc
        self._outlets_written.update(ensured)  # committed: the outlet rows are there
        return done

    def _upsert_in(self, conn: Connection, prepared: _Prepared, reason: str, outlet_names: tuple[str, ...],
                   reprint_threshold: float | None,
                   ensured: dict[tuple[str, tuple[str, ...]], datetime]) -> Upserted:
        """One article's part of a write transaction; ``ensured``: outlet rows it wrote."""
        article, row, fp, new_fields = prepared
        now = _utcnow()
        outlet_key = (article.outlet, outlet_names)
        written_at = ensured.get(outlet_key) or self._outlets_written.get(outlet_key)
        if written_at is None or not timedelta(0) <= now - written_at < OUTLET_REFRESH:
            ensure_outlet(conn, article.outlet, outlet_names, now)
            ensured[outlet_key] = now
        before = stored_fields(conn, article.url)
        version = kept = None
        changed: tuple[str, ...] = ()
        if before is not None:
            old_id, old_fields, seen_at = before
            changed = changed_fields(old_fields, new_fields)
            if not changed and old_fields.get("warc_record_id"):
                row.update({k: old_fields[k] for k in PROVENANCE})
            if changed or old_fields.get("extractor_version") != article.extractor_version:
                kept = change_reason(conn, old_fields, new_fields, default=reason)
                version = keep_version(conn, old_id, old_fields, seen_at=seen_at, replaced_at=now,
                                       reason=kept, diff=text_diff(old_fields, new_fields,
                                                                   old_seen=seen_at, new_seen=now))
        article_id: int = conn.execute(_upsert_statement(self.dialect),
                                       {**row, "first_seen": now, "last_seen": now}).scalar_one()
        # Only SQLite's BEGIN IMMEDIATE makes "not there when read" certain for the whole
        # transaction; PostgreSQL workers may race on one URL.
        new = before is None and self.dialect == "sqlite"
        self._replace_images(conn, article_id, article.images, new=new)
        linked = Linked(None, None)
        if reprint_threshold is not None and (
                before is None or changed or not self._has_fingerprint(conn, article_id)):
            linked = link_reprints(conn, article_id, fp, reprint_threshold, now, new=new,
                                   outlet=article.outlet)
        return Upserted(id=article_id, inserted=before is None, changed=changed, version=version,
                        reason=kept, original_id=linked.original_id, similarity=linked.similarity,
                        links_written=linked.written)

    @staticmethod
    def _has_fingerprint(conn: Connection, article_id: int) -> bool:
        """Whether the article has a fingerprint of the current scheme."""
        found = conn.execute(select(fingerprints.c.scheme).where(fingerprints.c.article_id == article_id))
        return found.scalar_one_or_none() == SCHEME

    def article_versions(self, url: str) -> list[dict[str, Any]]:
        """Earlier versions of the article at ``url``, oldest first.

        Each: ``version`` (1, 2, …), ``extractor_version`` and ``fields`` (every
        exported field, images included) of the replaced version, ``reason``,
        ``seen_at`` (when it was last stored) and ``replaced_at``.
        """
        try:
            with self._read() as conn:
                return versions_of(conn, url)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read versions of {url!r} from {self.uri!r}: {_describe(exc)}") from exc

    def _replace_images(self, conn: Connection, article_id: int, replacing: list[Image], *,
                        new: bool = False) -> None:
        """Replace the images of one article, keeping their order (``new``: it has none yet)."""
        if not new:
            conn.execute(delete(images).where(images.c.article_id == article_id))
        if replacing:
            conn.execute(
                insert(images),
                [
                    {"article_id": article_id, "position": pos, "url": img.url, "caption": img.caption}
                    for pos, img in enumerate(replacing)
                ],
            )

    # -- reading -------------------------------------------------------------------

    def get_article(self, url: str) -> dict[str, Any] | None:
        """The article stored under ``url`` as a dict, or None.

        Keys: every exported Article field (lists and dicts decoded, ``images`` as a
        list of ``{"url", "caption"}``) plus ``id``, ``first_seen`` and ``last_seen``
        (aware UTC datetimes).
        """
        try:
            with self._read() as conn:
                row = conn.execute(select(articles).where(articles.c.url == url)).mappings().first()
                if row is None:
                    return None
                image_rows = conn.execute(
                    select(images.c.url, images.c.caption)
                    .where(images.c.article_id == row["id"])
                    .order_by(images.c.position)
                ).all()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read {url!r} from {self.uri!r}: {_describe(exc)}") from exc
        return _article_dict(row, image_rows)

    def iter_articles(self, outlet: str | None = None, *, batch_size: int = 500) -> Iterator[dict[str, Any]]:
        """Yield articles (as :meth:`get_article` does) by ``published_utc``, then id.

        Articles without a publication time come last. Rows are streamed in
        batches from one read transaction, so the iteration sees one snapshot
        (:func:`crawler.store.query.select_articles` with only an outlet).
        """
        from crawler.store.query import select_articles  # here: query imports this module

        return select_articles(self, outlet=outlet, batch_size=batch_size)

    def count_articles(self, outlet: str | None = None) -> int:
        """How many articles are stored (of ``outlet``, if given)."""
        query = select(func.count()).select_from(articles)
        if outlet is not None:
            query = query.where(articles.c.outlet == outlet)
        try:
            with self._read() as conn:
                return int(conn.execute(query).scalar_one())
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot count articles in {self.uri!r}: {_describe(exc)}") from exc

    def select_articles(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Filtered, streaming read; see :func:`crawler.store.query.select_articles`."""
        from crawler.store.query import select_articles  # here: query imports this module

        return select_articles(self, **filters)

    # -- closing -------------------------------------------------------------------

    def close(self) -> None:
        """Close all pooled connections."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        """Use the store as a context manager that closes it."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()
