"""Earlier versions of articles in the store (SQLite and PostgreSQL): kept on re-extraction."""

from __future__ import annotations

from pathlib import Path

from crawler.store import Store
from tests.test_store import full_article, store, store_uri  # noqa: F401  (fixtures)


def test_new_extractor_version_keeps_the_old_version(store: Store) -> None:  # noqa: F811
    first = full_article()
    first.extractor_version = "1"
    done = store.upsert(first)
    assert done.inserted and done.version is None and done.changed == ()
    again = store.upsert(first)
    assert not again.inserted and again.changed == () and again.version is None  # same version: none kept
    newer = full_article()
    newer.extractor_version = "2"
    newer.title = "新标题"
    newer.images = newer.images[:1]
    done = store.upsert(newer)
    assert done.id == again.id and done.version == 1
    assert set(done.changed) == {"title", "extractor_version", "images"}
    newest = full_article()
    newest.extractor_version = "3"
    assert store.upsert(newest).version == 2
    versions = store.article_versions(first.url)
    assert [v["version"] for v in versions] == [1, 2]
    assert [v["extractor_version"] for v in versions] == ["1", "2"]
    assert versions[0]["fields"]["title"] == first.title and versions[1]["fields"]["title"] == "新标题"
    assert versions[0]["fields"]["images"] == [{"url": i.url, "caption": i.caption} for i in first.images]
    assert versions[0]["fields"]["authors"] == first.authors
    assert all(v["reason"] == "re-extraction" for v in versions)
    assert versions[0]["replaced_at"] <= versions[1]["replaced_at"]
    assert store.get_article(first.url)["extractor_version"] == "3"
    assert store.article_versions("https://example.cn/none") == []


def test_upsert_article_keeps_its_contract(store: Store) -> None:  # noqa: F811
    article_id = store.upsert_article(full_article())
    assert isinstance(article_id, int) and store.count_articles() == 1


def test_versions_survive_reopening(store_uri: str, tmp_path: Path) -> None:  # noqa: F811
    a = full_article()
    a.extractor_version = "1"
    with Store.open(store_uri) as s:
        s.upsert(a)
        a.extractor_version = "2"
        s.upsert(a)
    with Store.open(store_uri) as s:
        assert [v["extractor_version"] for v in s.article_versions(a.url)] == ["1"]
