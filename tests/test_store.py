"""Tests of the article store, on SQLite and on PostgreSQL.

PostgreSQL cases use ``STORE_TEST_PG_URI`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``), each in a fresh schema that
is dropped afterwards. Without a reachable server they are skipped, except under
``CI=true``, where they fail.
"""

from __future__ import annotations

import functools
import gc
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from dataclasses import asdict, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, select, text

import crawler.store.store as store_module
from crawler.items import EXPORT_FIELDS, TRANSIENT_FIELDS, Article, Image
from crawler.store import Store, StoreError
from crawler.store.schema import articles, include_object, metadata
from crawler.store.store import alembic_config, published_utc

REPO = Path(__file__).resolve().parents[1]
PG_URI = os.environ.get(
    "STORE_TEST_PG_URI",
    f"postgresql+psycopg://postgres@{os.environ.get('TEST_PG_HOST', '127.0.0.1')}:5432/test",
)
PG_HOWTO = (
    "start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` "
    "(or `docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test "
    "postgres:16`), or point STORE_TEST_PG_URI at another server"
)


# -- fixtures ------------------------------------------------------------------------


@functools.cache
def _pg_problem() -> str | None:
    """Why the test PostgreSQL server cannot be used, or None if it can."""
    engine = create_engine(PG_URI, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        return " ".join(str(getattr(exc, "orig", None) or exc).split())
    finally:
        engine.dispose()
    return None


def _pg_unavailable(problem: str) -> None:
    """Skip (locally) or fail (under CI=true) a PostgreSQL case."""
    message = f"PostgreSQL not reachable at {PG_URI} ({problem}); {PG_HOWTO}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true requires PostgreSQL: {message}", pytrace=False)
    pytest.skip(message)


def _with_search_path(uri: str, schema: str) -> str:
    """``uri`` with the connection option that puts ``schema`` first on the search_path."""
    separator = "&" if "?" in uri else "?"
    return f"{uri}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_uri(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URI of an empty store: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store' / 'articles.sqlite'}"
        return
    problem = _pg_problem()
    if problem:
        _pg_unavailable(problem)
    schema = f"test_store_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_URI)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield _with_search_path(PG_URI, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(store_uri: str) -> Iterator[Store]:
    """An open store, closed after the test."""
    with Store.open(store_uri) as opened:
        yield opened


class Clock:
    """A controllable replacement for the store's clock."""

    def __init__(self) -> None:
        self.now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Make the store's timestamps deterministic."""
    fake = Clock()
    monkeypatch.setattr(store_module, "_utcnow", fake)
    return fake


def full_article(url: str = "https://www.news.cn/politics/20240501/abc/c.html") -> Article:
    """An article with every field set, Chinese text included."""
    return Article(
        url=url,
        outlet="xinhua",
        title="习近平同法国总统马克龙会谈",
        kicker="新华社快讯",
        subtitle="双方同意加强“一带一路”合作",
        section="时政",
        published_at="2024-05-01T10:30:00+08:00",
        published_raw="2024年05月01日 10:30:00",
        source="新华社",
        is_reprint=True,
        authors=["王小明", "李华"],
        correspondents=["张三（巴黎）"],
        organisation="新华通讯社",
        editor="赵六",
        text="新华社巴黎5月1日电\n\n第一段。\n\n第二段：引号“”与emoji😀。",
        images=[
            Image("https://img.news.cn/1.jpg", "图为会谈现场。新华社记者 摄"),
            Image("https://img.news.cn/2.jpg", None),
        ],
        pages=[url, url.replace("c.html", "c_2.html")],
        charset="gb18030",
        charset_reason="meta charset gb2312 widened to gb18030",
        warc_file="xinhua-20240501-00001.warc.gz",
        warc_offset=5_000_000_000,
        warc_record_id="<urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e>",
        extractor_version="1.2.3",
        layers={"title": "selector", "published_at": "meta", "text": "trafilatura"},
        flags=["reprint", "multipage"],
        body_html=["<div>transient</div>"],
    )


def expected_fields(article: Article) -> dict[str, Any]:
    """What get_article should return for ``article``, minus id and timestamps."""
    data = asdict(article)
    for name in TRANSIENT_FIELDS:
        del data[name]
    return data


# -- round trip ----------------------------------------------------------------------


def test_round_trip_every_field(store: Store, clock: Clock) -> None:
    article = full_article()
    article_id = store.upsert_article(article)

    got = store.get_article(article.url)

    assert got is not None
    assert set(got) == {*EXPORT_FIELDS, "id", "first_seen", "last_seen"}
    assert got["id"] == article_id
    assert got["first_seen"] == got["last_seen"] == clock.now
    assert got["first_seen"].tzinfo is not None
    assert {k: v for k, v in got.items() if k in EXPORT_FIELDS} == expected_fields(article)
    assert got["published_at"] == "2024-05-01T10:30:00+08:00"  # kept verbatim
    assert type(got["is_reprint"]) is bool
    assert list(got["layers"]) == list(article.layers)  # key order kept too


def test_minimal_article_round_trip(store: Store) -> None:
    article = Article(url="https://example.cn/a", outlet="example")
    store.upsert_article(article)
    got = store.get_article(article.url)
    assert got is not None
    assert {k: v for k, v in got.items() if k in EXPORT_FIELDS} == expected_fields(article)


def test_unknown_url_gives_none(store: Store) -> None:
    assert store.get_article("https://example.cn/missing") is None


def test_published_utc_is_stored_as_sortable_utc_text(store: Store) -> None:
    store.upsert_article(full_article())
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT published_utc, first_seen FROM articles")).one()
        in_range = conn.execute(
            select(articles.c.url).where(
                articles.c.published_utc >= datetime(2024, 5, 1, 2, 30, tzinfo=UTC),
                articles.c.published_utc < datetime(2024, 5, 1, 2, 31, tzinfo=UTC),
            )
        ).all()
    assert raw[0] == "2024-05-01T02:30:00.000000Z"
    assert len(raw[1]) == 27
    assert raw[1].endswith("Z")
    assert len(in_range) == 1


def test_every_exported_field_has_a_column() -> None:
    stored = {name for name in EXPORT_FIELDS if name != "images"}
    assert stored <= set(articles.c.keys())
    assert {f.name for f in fields(Article)} == {*EXPORT_FIELDS, *TRANSIENT_FIELDS}


@pytest.mark.parametrize(
    ("published_at", "expected"),
    [
        ("2024-05-01T10:30:00+08:00", datetime(2024, 5, 1, 2, 30, tzinfo=UTC)),
        ("2024-05-01T02:30:00Z", datetime(2024, 5, 1, 2, 30, tzinfo=UTC)),
        ("2024-05-01T10:30:00", datetime(2024, 5, 1, 2, 30, tzinfo=UTC)),  # Shanghai
        ("2024-05-01", datetime(2024, 4, 30, 16, 0, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_published_utc(published_at: str | None, expected: datetime | None) -> None:
    assert published_utc(published_at) == expected


# -- upsert --------------------------------------------------------------------------


def test_upsert_updates_the_one_row_and_replaces_images(store: Store, clock: Clock) -> None:
    first = full_article()
    article_id = store.upsert_article(first)
    first_seen = clock.now

    second = full_article()
    second.title = "更新后的标题"
    second.authors = ["李华"]
    second.layers = {"title": "meta"}
    second.published_at = "2024-05-02T08:00:00+08:00"
    second.warc_offset = None
    second.images = [Image("https://img.news.cn/3.jpg", "新图")]
    later = clock.advance(3600)

    assert store.upsert_article(second) == article_id
    assert store.count_articles() == 1
    got = store.get_article(second.url)
    assert got is not None
    assert {k: v for k, v in got.items() if k in EXPORT_FIELDS} == expected_fields(second)
    assert got["images"] == [{"url": "https://img.news.cn/3.jpg", "caption": "新图"}]
    assert got["first_seen"] == first_seen
    assert got["last_seen"] == later

    second.images = []
    clock.advance(60)
    store.upsert_article(second)
    got = store.get_article(second.url)
    assert got is not None
    assert got["images"] == []
    assert got["first_seen"] == first_seen
    assert got["last_seen"] > later
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM images")).scalar_one() == 0


def test_last_seen_advances_with_real_clock(store: Store) -> None:
    article = full_article()
    store.upsert_article(article)
    before = store.get_article(article.url)
    store.upsert_article(article)
    after = store.get_article(article.url)
    assert before is not None
    assert after is not None
    assert after["first_seen"] == before["first_seen"]
    assert after["last_seen"] > before["last_seen"]


# -- reading many --------------------------------------------------------------------


def _add(store: Store, name: str, outlet: str, published_at: str | None) -> int:
    return store.upsert_article(
        Article(
            url=f"https://example.cn/{name}",
            outlet=outlet,
            title=name,
            published_at=published_at,
            images=[Image(f"https://example.cn/{name}.jpg", name)],
        )
    )


def test_iteration_order_and_outlet_filter(store: Store) -> None:
    _add(store, "late", "a", "2024-05-02T09:00:00+08:00")
    _add(store, "undated", "a", None)
    _add(store, "utc-early", "b", "2024-05-01T00:30:00Z")  # = 08:30 +08:00
    _add(store, "tie-1", "a", "2024-05-01T09:00:00+08:00")
    _add(store, "naive", "b", "2024-05-01T08:00:00")  # Shanghai time
    _add(store, "tie-2", "b", "2024-05-01T01:00:00+00:00")  # same instant as tie-1

    titles = [a["title"] for a in store.iter_articles()]
    assert titles == ["naive", "utc-early", "tie-1", "tie-2", "late", "undated"]
    assert [a["title"] for a in store.iter_articles("a")] == ["tie-1", "late", "undated"]
    assert [a["title"] for a in store.iter_articles("none")] == []
    for article in store.iter_articles():
        assert article["images"] == [{"url": f"{article['url']}.jpg", "caption": article["title"]}]


def test_iteration_in_small_batches(store: Store) -> None:
    for n in range(7):
        _add(store, f"n{n}", "a", f"2024-05-01T{10 + n}:00:00+08:00")
    got = list(store.iter_articles(batch_size=2))
    assert [a["title"] for a in got] == [f"n{n}" for n in range(7)]
    assert all(len(a["images"]) == 1 for a in got)


def test_abandoned_iteration_releases_its_connection(store: Store) -> None:
    for n in range(5):
        _add(store, f"n{n}", "a", None)
    iterator = store.iter_articles(batch_size=2)
    assert next(iterator)["title"] == "n0"
    iterator.close()  # what happens when a consumer stops early
    gc.collect()
    assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert store.count_articles() == 5


def test_counts_per_outlet(store: Store) -> None:
    assert store.count_articles() == 0
    for n in range(3):
        _add(store, f"a{n}", "a", None)
    _add(store, "b0", "b", None)
    _add(store, "a0", "a", None)  # an update, not a new article
    assert store.count_articles() == 4
    assert store.count_articles("a") == 3
    assert store.count_articles("b") == 1
    assert store.count_articles("c") == 0


# -- migrations ----------------------------------------------------------------------


def _revisions(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def test_migrations_are_idempotent(store_uri: str) -> None:
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with Store.open(store_uri) as store:
        assert _revisions(store) == heads
        article_id = store.upsert_article(full_article())
    with Store.open(store_uri) as store:
        assert _revisions(store) == heads
        assert store.count_articles() == 1
        got = store.get_article(full_article().url)
        assert got is not None
        assert got["id"] == article_id
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1


def test_migrated_schema_matches_schema_module(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object})
        assert compare_metadata(context, metadata) == []


def test_newer_schema_is_refused_untouched(store_uri: str) -> None:
    with Store.open(store_uri) as store:
        store.upsert_article(full_article())
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))

    with pytest.raises(StoreError) as raised:
        Store.open(store_uri)
    message = str(raised.value)
    assert "9999_future" in message
    assert "newer" in message
    assert store_uri.split("?")[0].split("://")[1] in message

    engine = create_engine(store_uri)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
                "9999_future"
            )
            assert conn.execute(text("SELECT count(*) FROM articles")).scalar_one() == 1
    finally:
        engine.dispose()


def test_tables_not_made_by_the_store_are_refused(store_uri: str) -> None:
    if store_uri.startswith("sqlite:///"):
        Path(store_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True)
    engine = create_engine(store_uri)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE articles (id INTEGER PRIMARY KEY, url TEXT)"))
        with pytest.raises(StoreError, match="no alembic_version"):
            Store.open(store_uri)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM articles")).scalar_one() == 0
    finally:
        engine.dispose()


def test_concurrent_opens_of_a_new_store(store_uri: str) -> None:
    script = textwrap.dedent(
        """
        import sys
        from crawler.items import Article
        from crawler.store import Store

        with Store.open(sys.argv[1]) as store:
            store.upsert_article(Article(url=f"https://example.cn/{sys.argv[2]}", outlet="x"))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, store_uri, str(n)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(5)
    ]
    outcomes = [(proc.wait(timeout=120), proc.stderr.read() if proc.stderr else "") for proc in procs]
    for proc in procs:
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    assert [code for code, _ in outcomes] == [0] * 5, [err for _, err in outcomes]
    with Store.open(store_uri) as store:
        assert store.count_articles() == 5


# -- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "shown", "reason"),
    [
        ("foo://host/db", "foo://host/db", "unsupported scheme 'foo'"),
        ("mysql://user:pw@host/db", "mysql://user:***@host/db", "unsupported scheme"),
        ("not a uri", "not a uri", "not a database URI"),
        ("", "''", "not a database URI"),
        (
            "postgresql+psycopg://user:s3cret@127.0.0.1:1/db",
            "postgresql+psycopg://user:***@127.0.0.1:1/db",
            "refused",
        ),
    ],
)
def test_bad_uri_is_reported(uri: str, shown: str, reason: str) -> None:
    with pytest.raises(StoreError) as raised:
        Store.open(uri)
    message = str(raised.value)
    assert shown in message
    assert reason in message
    assert "s3cret" not in message
    assert "pw@" not in message


def test_sqlite_path_whose_parent_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("not a directory")
    uri = f"sqlite:///{tmp_path / 'plain' / 'articles.sqlite'}"
    with pytest.raises(StoreError, match="cannot create the directory"):
        Store.open(uri)


def test_sqlite_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"x" * 4096)
    with pytest.raises(StoreError, match="not a database") as raised:
        Store.open(f"sqlite:///{path}")
    assert str(path) in str(raised.value)


def test_sqlite_file_in_a_directory_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "articles.sqlite"
    with Store.open(f"sqlite:///{path}") as store:
        store.upsert_article(full_article())
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    assert path.is_file()


def test_relative_sqlite_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with Store.open("sqlite:///archives/articles.sqlite") as store:
        assert store.count_articles() == 0
    assert (tmp_path / "archives" / "articles.sqlite").is_file()


def test_unavailable_postgres_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true requires PostgreSQL"):
        _pg_unavailable("connection refused")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="start it"):
        _pg_unavailable("connection refused")


# -- failing writes ------------------------------------------------------------------


def _snapshot(store: Store, url: str) -> dict[str, Any]:
    got = store.get_article(url)
    assert got is not None
    return got


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"title": 123}, "title must be str, got int"),
        ({"authors": "王小明"}, "authors must be a list"),
        ({"images": [("https://x/1.jpg", None)]}, "images[0] must be an Image"),
        ({"warc_offset": "12"}, "warc_offset must be int"),
        ({"layers": {"title": 1}}, "layers['title'] must be str"),
        ({"text": "a\x00b"}, "text contains a NUL character"),
        ({"title": "bad \udcff surrogate"}, "title contains an unencodable character"),
        ({"outlet": ""}, "outlet must not be empty"),
    ],
)
def test_invalid_article_is_refused_and_changes_nothing(
    store: Store, change: dict[str, Any], complaint: str
) -> None:
    good = full_article()
    store.upsert_article(good)
    before = _snapshot(store, good.url)

    bad = full_article()
    for name, value in change.items():
        setattr(bad, name, value)
    with pytest.raises(StoreError) as raised:
        store.upsert_article(bad)

    assert complaint in str(raised.value)
    assert good.url in str(raised.value)
    assert _snapshot(store, good.url) == before
    assert store.count_articles() == 1


def test_non_article_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="expected an Article"):
        store.upsert_article({"url": "https://example.cn/a"})  # type: ignore[arg-type]


def test_exception_mid_transaction_rolls_back(
    store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = full_article()
    store.upsert_article(good)
    before = _snapshot(store, good.url)

    original = Store._replace_images

    def replace_then_fail(self: Store, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)  # the article row and images are already changed here
        raise RuntimeError("simulated crash mid-transaction")

    monkeypatch.setattr(Store, "_replace_images", replace_then_fail)
    changed = full_article()
    changed.title = "不应保存"
    changed.images = []
    clock.advance(60)
    with pytest.raises(RuntimeError, match="simulated crash"):
        store.upsert_article(changed)
    with pytest.raises(RuntimeError, match="simulated crash"):
        store.upsert_article(full_article("https://example.cn/new"))

    assert _snapshot(store, good.url) == before
    assert store.count_articles() == 1


def test_database_error_mid_transaction_rolls_back(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    good = full_article()
    store.upsert_article(good)
    before = _snapshot(store, good.url)

    # Let an image without URL past validation: the database refuses it (NOT NULL)
    # after the article row has been updated and the old images deleted.
    monkeypatch.setattr(store_module, "_article_problems", lambda article: [])
    bad = full_article()
    bad.title = "不应保存"
    bad.images = [Image(None, "no url")]  # type: ignore[arg-type]
    with pytest.raises(StoreError) as raised:
        store.upsert_article(bad)

    assert good.url in str(raised.value)
    assert _snapshot(store, good.url) == before
    assert store.count_articles() == 1
