"""Filtered, streaming reads of the store (crawler/store/query.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event

import crawler.store.store as store_module
from crawler.items import Article, Image
from crawler.store import Store, StoreError
from crawler.store.query import Bound, describe_selection, parse_bound, select_articles
from crawler.store.store import SHANGHAI
from tests.test_store import Clock, store_uri  # noqa: F401 (store_uri is a fixture)


@pytest.fixture
def store(store_uri: str) -> Iterator[Store]:  # noqa: F811 (the imported fixture)
    with Store.open(store_uri) as opened:
        yield opened


def _add(store: Store, name: str, *, outlet: str = "a", section: str | None = None,
         published_at: str | None = None, title: str | None = None, text: str = "") -> None:
    store.upsert_article(
        Article(
            url=f"https://example.cn/{name}",
            outlet=outlet,
            title=title if title is not None else name,
            section=section,
            published_at=published_at,
            text=text,
            images=[Image(f"https://example.cn/{name}.jpg", name)],
        )
    )


def _titles(articles: Iterator[dict]) -> list[str]:
    return [a["title"] for a in articles]


@pytest.fixture
def days(store: Store) -> Store:
    """Articles around the Shanghai day 2024-05-01 (= 2024-04-30T16:00Z .. 2024-05-01T16:00Z)."""
    _add(store, "before", published_at="2024-04-30T23:59:59+08:00")
    _add(store, "first-instant", published_at="2024-05-01T00:00:00+08:00")
    _add(store, "utc-late", published_at="2024-05-01T15:59:59Z")  # 23:59:59 in Shanghai
    _add(store, "next-day", published_at="2024-05-02T00:00:00+08:00")
    _add(store, "naive-noon", published_at="2024-05-01T12:00:00")  # Shanghai time
    _add(store, "undated")
    return store


def test_since_and_until_are_shanghai_days(days: Store) -> None:
    assert _titles(select_articles(days, since="2024-05-01", until="2024-05-01")) == [
        "first-instant",
        "naive-noon",
        "utc-late",
    ]
    assert _titles(select_articles(days, since="2024-05-02")) == ["next-day"]
    assert _titles(select_articles(days, until="2024-04-30")) == ["before"]
    assert _titles(select_articles(days, since=date(2024, 5, 1), until=date(2024, 5, 1))) == [
        "first-instant",
        "naive-noon",
        "utc-late",
    ]


def test_full_times_are_inclusive_instants(days: Store) -> None:
    got = select_articles(days, since="2024-05-01T12:00:00+08:00", until="2024-05-01T15:59:59+00:00")
    assert _titles(got) == ["naive-noon", "utc-late"]
    noon = datetime(2024, 5, 1, 4, 0, tzinfo=UTC)
    assert _titles(select_articles(days, since=noon, until=noon)) == ["naive-noon"]


def test_without_bounds_undated_articles_come_last(days: Store) -> None:
    assert _titles(select_articles(days)) == [
        "before", "first-instant", "naive-noon", "utc-late", "next-day", "undated",
    ]
    assert _titles(select_articles(days, newest_first=True)) == [
        "next-day", "utc-late", "naive-noon", "first-instant", "before", "undated",
    ]
    assert _titles(select_articles(days, newest_first=True, limit=2)) == ["next-day", "utc-late"]


def test_outlet_section_and_query_filters(store: Store) -> None:
    _add(store, "a1", outlet="nmgnews", section="要闻", title="乌兰察布市召开会议", published_at="2024-05-01")
    _add(store, "a2", outlet="nmgnews", section="盟市", text="会议在乌兰察布举行。",
         published_at="2024-05-02")
    _add(store, "b1", outlet="gmw", section="要闻", title="COVID report", published_at="2024-05-03")
    _add(store, "b2", outlet="gmw", section="要闻", text="a covid note", published_at="2024-05-04")
    _add(store, "b3", outlet="gmw", title="100% 完成", published_at="2024-05-05")

    assert _titles(select_articles(store, outlet="nmgnews")) == ["乌兰察布市召开会议", "a2"]
    assert _titles(select_articles(store, section="要闻")) == ["乌兰察布市召开会议", "COVID report", "b2"]
    assert _titles(select_articles(store, outlet="gmw", section="要闻")) == ["COVID report", "b2"]
    assert _titles(select_articles(store, query="乌兰察布")) == ["乌兰察布市召开会议", "a2"]
    # Case-sensitive, on both engines (SQLite's LIKE would ignore ASCII case).
    assert _titles(select_articles(store, query="COVID")) == ["COVID report"]
    assert _titles(select_articles(store, query="covid")) == ["b2"]
    # LIKE wildcards are plain characters here.
    assert _titles(select_articles(store, query="%")) == ["100% 完成"]
    assert _titles(select_articles(store, query="_")) == []
    assert _titles(select_articles(store, outlet="gmw", query="乌兰察布")) == []
    assert _titles(select_articles(store, outlet="none")) == []
    assert _titles(select_articles(store, query="")) == [
        "乌兰察布市召开会议", "a2", "COVID report", "b2", "100% 完成",
    ]


def test_store_method_and_articles_are_complete(store: Store) -> None:
    _add(store, "x", outlet="o", section="s", published_at="2024-05-01T08:00:00+08:00", text="正文")
    got = list(store.select_articles(outlet="o"))
    assert got == [store.get_article("https://example.cn/x")]
    assert got[0]["images"] == [{"url": "https://example.cn/x.jpg", "caption": "x"}]


def test_reads_in_batches_with_their_images(store: Store) -> None:
    for n in range(23):
        _add(store, f"n{n:02d}", published_at=f"2024-05-01T{n:02d}:00:00+08:00")
    image_queries: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        if "FROM images" in statement:
            image_queries.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        got = list(select_articles(store, batch_size=5))
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert [a["title"] for a in got] == [f"n{n:02d}" for n in range(23)]
    assert all(a["images"] == [{"url": f"{a['url']}.jpg", "caption": a["title"]}] for a in got)
    assert len(image_queries) == 5  # ceil(23 / 5): one batch at a time


def test_abandoned_selection_releases_its_connection(store: Store) -> None:
    for n in range(6):
        _add(store, f"n{n}")
    iterator = select_articles(store, batch_size=2)
    assert next(iterator)["title"] == "n0"
    iterator.close()
    gc.collect()
    assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_describe_selection(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr(store_module, "_utcnow", clock)
    assert describe_selection(store) == describe_selection(store, outlet="a")
    assert describe_selection(store).count == 0
    assert describe_selection(store).last_seen is None
    _add(store, "old", published_at="2024-05-01")
    first = clock.now
    clock.advance(60)
    _add(store, "new", published_at="2024-05-03")
    clock.advance(60)
    _add(store, "old", published_at="2024-05-01")  # seen again: the latest last_seen
    selection = describe_selection(store)
    assert selection.count == 2
    assert selection.last_seen == clock.now
    # With a limit, over the newest articles only (what the outlet feeds contain).
    limited = describe_selection(store, limit=1)
    assert limited.count == 1
    assert limited.last_seen == first + timedelta(seconds=60)
    oldest = describe_selection(store, newest_first=False, limit=1)  # "old", seen again last
    assert oldest.count == 1
    assert oldest.last_seen == clock.now
    assert describe_selection(store, since="2024-05-02").count == 1


@pytest.mark.parametrize(
    ("value", "end", "expected"),
    [
        ("2024-05-01", False, Bound(datetime(2024, 5, 1, tzinfo=SHANGHAI), inclusive=True)),
        ("2024-05-01", True, Bound(datetime(2024, 5, 2, tzinfo=SHANGHAI), inclusive=False)),
        (" 2024-05-01 ", False, Bound(datetime(2024, 5, 1, tzinfo=SHANGHAI), inclusive=True)),
        ("2024-05-01T08:00:00", True, Bound(datetime(2024, 5, 1, 8, tzinfo=SHANGHAI), inclusive=True)),
        ("2024-05-01T00:00:00Z", False, Bound(datetime(2024, 5, 1, tzinfo=UTC), inclusive=True)),
        (
            datetime(2024, 5, 1, 8, tzinfo=timezone(timedelta(hours=-5))),
            True,
            Bound(datetime(2024, 5, 1, 13, tzinfo=UTC), inclusive=True),
        ),
    ],
)
def test_parse_bound(value: str | datetime, end: bool, expected: Bound) -> None:
    assert parse_bound(value, name="since", end=end) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-13-01", "'2024-13-01' is not a valid date: month must be in 1..12"),
        ("2024-02-30", "'2024-02-30' is not a valid date"),
        ("yesterday", "'yesterday' is not a date (YYYY-MM-DD"),
        ("05/01/2024", "'05/01/2024' is not a date"),
        ("", "'' is not a date"),
    ],
)
def test_bad_bounds_name_the_input(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"^--since ") as raised:
        parse_bound(value, name="--since", end=False)
    assert message in str(raised.value)


def test_bad_filters_fail_before_reading(store: Store) -> None:
    _add(store, "x", published_at="2024-05-01")
    with pytest.raises(ValueError, match="since '2024-05-03' is after until '2024-05-01'"):
        select_articles(store, since="2024-05-03", until="2024-05-01")
    with pytest.raises(ValueError, match="until 'soon'"):
        select_articles(store, until="soon")
    with pytest.raises(ValueError, match="batch_size"):
        select_articles(store, batch_size=0)
    assert _titles(select_articles(store, since="2024-05-01", until="2024-05-01")) == ["x"]
    same = "2024-05-01T08:00:00+08:00"
    assert _titles(select_articles(store, since=same, until=same)) == []


def test_store_failure_is_a_store_error(store: Store) -> None:
    _add(store, "x")
    store.engine.dispose()
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE images")
    with pytest.raises(StoreError, match="cannot read articles from"):
        list(select_articles(store))
