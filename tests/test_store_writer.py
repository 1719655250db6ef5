"""Articles in batches (Store.upsert_many) and the store writer process (crawler/store/writer.py)."""

from __future__ import annotations

import os
import signal
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.items import Article
from crawler.store import Store, StoreError
from crawler.store.capture_rows import CaptureRow
from crawler.store.versions import Upserted
from crawler.store.writer import StoreWriter, usable
from tests.conftest import MockOutlets, run_crawl
from tests.test_store import full_article, store, store_uri  # noqa: F401  (fixtures)


def _articles(count: int) -> list[Article]:
    return [full_article(f"https://www.news.cn/politics/20240501/abc/c{i}.html") for i in range(count)]


def test_a_batch_is_stored_as_one_article_at_a_time_would_be(store: Store) -> None:  # noqa: F811
    batch = _articles(5)
    batch.append(replace(batch[0], title="改过的标题"))  # the same URL again, edited, in the batch
    done = store.upsert_many(batch)
    assert all(isinstance(d, Upserted) for d in done)
    assert [d.inserted for d in done] == [True] * 5 + [False]  # type: ignore[union-attr]
    assert done[5].changed == ("title",) and done[5].version == 1  # type: ignore[union-attr]
    assert store.count_articles() == 5
    assert store.get_article(batch[0].url)["title"] == "改过的标题"  # type: ignore[index]


def test_a_badly_typed_article_fails_alone(store: Store) -> None:  # noqa: F811
    batch = _articles(3)
    batch[1].title = 42  # type: ignore[assignment]
    done = store.upsert_many(batch)
    assert isinstance(done[1], StoreError) and "title" in str(done[1]) and batch[1].url in str(done[1])
    assert isinstance(done[0], Upserted) and isinstance(done[2], Upserted)
    assert store.count_articles() == 2


def test_an_article_the_database_refuses_fails_alone(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'refusing.sqlite'}"
    batch = _articles(4)
    with Store.open(uri) as opened:
        with opened.engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE TRIGGER refuse BEFORE INSERT ON articles WHEN new.url = "
                                 f"'{batch[2].url}' BEGIN SELECT RAISE(ABORT, 'refused here'); END")
        done = opened.upsert_many(batch)
        assert isinstance(done[2], StoreError) and "refused here" in str(done[2])
        assert batch[2].url in str(done[2])
        assert [isinstance(d, Upserted) for d in done] == [True, True, False, True]
        assert opened.count_articles() == 3
        with pytest.raises(StoreError, match="refused here"):
            opened.upsert(batch[2])


def _capture(url: str, offset: int) -> CaptureRow:
    return CaptureRow(url=url, fetched_at=datetime(2026, 12, 6, tzinfo=UTC), status=200,
                      record_type="response", warc_file="x.warc.gz", warc_offset=offset, warc_length=100,
                      record_id=f"<urn:uuid:{offset}>")


def test_the_writer_process_writes_in_order(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'written.sqlite'}"
    writer = StoreWriter(uri, uri)
    try:
        with Store.open(uri) as reader:
            batch = _articles(3)
            captured = writer.submit("record_captures", [_capture(a.url, i) for i, a in enumerate(batch)])
            stored = writer.submit("upsert_many", batch)
            refused = writer.submit("upsert", replace(batch[0], url=7))
            assert writer.result(captured) == [None, None, None]
            assert [d.inserted for d in writer.result(stored)] == [True, True, True]
            with pytest.raises(StoreError, match="url"):
                writer.result(refused)
            assert reader.count_articles() == 3 and len(list(reader.iter_captures())) == 3
    finally:
        writer.close()


def test_a_dead_writer_says_so_once_and_is_not_used_again(tmp_path: Path, caplog: pytest.LogCaptureFixture
                                                           ) -> None:
    uri = f"sqlite:///{tmp_path / 'dead.sqlite'}"
    writer = StoreWriter(uri, uri)
    try:
        (pid,) = writer._pool._processes  # type: ignore[attr-defined]
        os.kill(pid, signal.SIGKILL)
        future = writer.submit("upsert_many", _articles(1))
        with pytest.raises(StoreError, match="store writer process died"):
            writer.result(future)
        assert usable(writer) is None
        with pytest.raises(StoreError, match="store writer process died"):
            writer.result(writer.submit("upsert_many", _articles(1)))
        assert sum("store writer process died" in r.getMessage() for r in caplog.records) == 1
    finally:
        writer.close()


def test_a_crawl_stores_the_same_with_and_without_the_writer_and_batches(mocks: MockOutlets,
                                                                         tmp_path: Path) -> None:
    stored = {}
    for name, settings in {"writer": {}, "inline": {"STORE_WRITER": "False", "STORE_BATCH": "1"}}.items():
        out = tmp_path / name
        crawl = run_crawl("nmgnews", out, mocks.proxy_url, settings=settings)
        assert crawl.stats["store/inserted"] == crawl.stats["item_scraped_count"] > 5
        assert crawl.stats["captures/recorded"] == crawl.stats["downloader/response_count"]
        with Store.open(f"sqlite:///{out / 'articles.sqlite'}") as opened:
            stored[name] = {a["url"]: {k: v for k, v in a.items()
                                       if k not in ("id", "first_seen", "last_seen", "warc_file",
                                                    "warc_offset", "warc_record_id")}
                            for a in opened.iter_articles()}
    assert stored["writer"] == stored["inline"]
