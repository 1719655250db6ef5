"""What the store remembers (SQLite and PostgreSQL): captures, gone marks, versions, outlets, migration."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from crawler.items import Article
from crawler.store import Store, StoreError
from crawler.store.capture_rows import CaptureRow, is_gone, is_home_page, redirects_home
from crawler.store.store import alembic_config
from crawler.warc.signals import IDENTICAL_PAYLOAD
from tests.test_store import Clock, clock, full_article, store, store_uri  # noqa: F401  (fixtures)

URL = "https://inews.nmgnews.com.cn/system/2025/04/16/030187652.shtml"
T0 = datetime(2025, 5, 1, 2, 0, tzinfo=UTC)


def _capture(n: int, status: int = 200, *, url: str = URL, digest: str = "sha1:AAAA", **fields: object
             ) -> CaptureRow:
    return CaptureRow(url=url, fetched_at=T0 + timedelta(hours=n), status=status, record_type="response",
                      warc_file=f"crawl-{n}.warc.gz", warc_offset=100 * n, warc_length=50,
                      record_id=f"<urn:uuid:{n:08d}-0000-0000-0000-000000000000>", payload_digest=digest,
                      **fields)  # type: ignore[arg-type]


def _article(capture: CaptureRow, text_: str = "第一段。\n第二段。") -> Article:
    return Article(url=URL, outlet="nmgnews", title="标题", text=text_, pages=[URL], extractor_version="2",
                   warc_file=capture.warc_file, warc_offset=capture.warc_offset,
                   warc_record_id=capture.record_id)


@pytest.mark.parametrize(("url", "location", "home"), [
    (URL, "https://www.nmgnews.com.cn/", True),
    (URL, "/", True),
    (URL, "/index.shtml", True),
    (URL, "https://www.nmgnews.com.cn/nmgxw/", False),
    ("http://inews.nmgnews.com.cn/system/a.shtml", "https://inews.nmgnews.com.cn/system/a.shtml", False),
    ("http://www.nmgnews.com.cn/", "https://www.nmgnews.com.cn/", False),   # the home page itself
    (URL, "https://www.example.com/", False),                                 # another site
    (URL, None, False),
])
def test_redirects_home(url: str, location: str | None, home: bool) -> None:
    assert redirects_home(url, location) is home


def test_gone_statuses_and_home_pages() -> None:
    assert [is_gone(s, URL, None) for s in (404, 410, 200, 500, 302)] == [True, True, False, False, False]
    assert is_gone(301, URL, "https://www.nmgnews.com.cn/")
    assert is_home_page("https://www.nmgnews.com.cn/") and is_home_page("http://x.cn/index.html")
    assert not is_home_page(URL) and not is_home_page("https://x.cn/?page=2")


def test_a_batch_of_captures_marks_as_one_by_one_would(store: Store) -> None:  # noqa: F811
    """record_captures (what the crawl's recorder writes) gives the events and gone marks
    of the same captures recorded one by one, even several of one URL in one batch."""
    store.record_captures([_capture(1)])
    store.upsert(_article(_capture(1)))
    other = "https://inews.nmgnews.com.cn/system/2025/04/16/other.shtml"
    events = store.record_captures([
        _capture(2, 404, digest="sha1:NOTFOUND"), _capture(3, 410), _capture(4, 200, url=other),
        _capture(5, 200), _capture(6, 302, location="https://www.nmgnews.com.cn/index.shtml"),
    ])
    assert events == ["gone", None, None, "back", "gone"]
    assert [(m["status"], m["back_at"]) for m in store.gone_history(URL)] == [
        (404, T0 + timedelta(hours=5)), (302, None)]
    assert len(store.captures_of(URL)) == 5 and len(store.captures_of(other)) == 1
    assert store.record_captures([]) == []
    with pytest.raises(StoreError, match="cannot record 2 capture"):
        store.record_captures([_capture(7), _capture(7)])  # the same record twice: refused, named
    assert len(store.captures_of(URL)) == 5  # the batch left nothing behind


def test_gone_marks_follow_the_captures(store: Store) -> None:  # noqa: F811
    assert store.record_capture(_capture(1))[1] is None  # no article yet
    store.upsert(_article(_capture(1)))
    assert store.record_capture(_capture(2, 404, digest="sha1:NOTFOUND"))[1] == "gone"
    assert store.record_capture(_capture(3, 410))[1] is None  # gone already: one mark
    assert store.record_capture(_capture(4, 302, location="https://www.nmgnews.com.cn/"))[1] is None
    state = store.status_of(URL)
    assert state is not None and (state["gone_at"], state["gone_status"]) == (T0 + timedelta(hours=2), 404)
    assert store.record_capture(_capture(5, 200))[1] == "back"
    home = "https://www.nmgnews.com.cn/index.shtml"
    assert store.record_capture(_capture(6, 302, location=home))[1] == "gone"
    assert store.gone_history(URL) == [
        {"gone_at": T0 + timedelta(hours=2), "status": 404, "location": None,
         "back_at": T0 + timedelta(hours=5)},
        {"gone_at": T0 + timedelta(hours=6), "status": 302,
         "location": "https://www.nmgnews.com.cn/index.shtml", "back_at": None},
    ]
    assert store.get_article(URL) is not None   # nothing deleted
    assert [c.status for c in store.captures_of(URL)] == [200, 404, 410, 302, 200, 302]


def test_revisit_look_ups(store: Store) -> None:  # noqa: F811
    first = _capture(1, etag='"a"')
    store.record_capture(replace(first, truncated="disconnect", record_id="<urn:uuid:cut>",
                                 fetched_at=T0 - timedelta(days=1)))
    store.record_capture(first)
    store.record_capture(_capture(2, digest="sha1:OTHER"))
    revisit = replace(_capture(3), record_type="revisit", profile=IDENTICAL_PAYLOAD,
                      refers_to=first.record_id)
    store.record_capture(revisit)
    found = store.original_capture(URL, "sha1:AAAA")
    assert found is not None and found.record_id == first.record_id  # complete, earliest, a response
    assert store.original_capture(URL, "sha1:NONE") is None
    assert store.original_capture("https://other.example.cn/", "sha1:AAAA") is None
    latest = store.latest_capture(URL)
    assert latest is not None and latest.record_id == revisit.record_id
    payload = store.payload_capture(latest)
    assert payload is not None and payload.record_id == first.record_id and payload.etag == '"a"'
    with pytest.raises(StoreError, match=r"cannot record the capture of .* \(crawl-1\.warc\.gz @100\)"):
        store.record_capture(first)  # the same record twice: refused, named


def test_versions_say_edit_or_re_extraction(store: Store, clock: Clock) -> None:  # noqa: F811
    first, same_page, changed_page = _capture(1), _capture(2), _capture(3, digest="sha1:BBBB")
    for capture in (first, same_page, changed_page):
        store.record_capture(capture)
    stored = store.upsert(_article(first))
    assert stored.inserted and stored.reason is None

    # The same page again, unchanged: no version, and the article keeps citing the first record.
    clock.advance(60)
    again = store.upsert(_article(same_page))
    assert (again.version, again.changed) == (None, ())
    assert store.get_article(URL)["warc_record_id"] == first.record_id  # type: ignore[index]

    # The same payload read by a newer extractor: a re-extraction.
    clock.advance(60)
    newer = _article(same_page, "第一段。\n第二段，多读了一句。")
    newer.extractor_version = "3"
    done = store.upsert(newer)
    assert (done.version, done.reason) == (1, "re-extraction")

    # Another payload: an edit, with a diff and the time it was seen.
    seen = clock.advance(3600)
    edited = _article(changed_page, "第一段。\n第二段，改过了。")
    edited.extractor_version = "3"
    done = store.upsert(edited)
    assert (done.version, done.reason, done.changed) == (2, "edit", ("text",))
    versions = store.article_versions(URL)
    assert [v["reason"] for v in versions] == ["re-extraction", "edit"]
    assert versions[1]["replaced_at"] == seen
    assert versions[1]["diff"].splitlines() == [
        "--- before (seen 2024-05-01T12:02:00.000000Z)",
        "+++ after (seen 2024-05-01T13:02:00.000000Z)",
        "@@ -3,2 +3,2 @@",
        " 第一段。",
        "-第二段，多读了一句。",
        "+第二段，改过了。",
    ]
    assert store.get_article(URL)["warc_record_id"] == changed_page.record_id  # type: ignore[index]


def test_same_extractor_different_text_is_an_edit_without_captures(store: Store) -> None:  # noqa: F811
    article = full_article()
    store.upsert(article)
    article.text = "改写后的正文。"
    article.warc_record_id = "<urn:uuid:0f8fad5b-d9cb-469f-a165-000000000000>"
    assert store.upsert(article).reason == "edit"


def test_mark_seen(store: Store, clock: Clock) -> None:  # noqa: F811
    store.upsert(_article(_capture(1)))
    later = clock.advance(600)
    assert store.mark_seen(URL) is True
    assert store.status_of(URL)["last_seen"] == later  # type: ignore[index]
    assert store.mark_seen("https://example.cn/none") is False


def test_outlets_are_recorded_with_their_names(store: Store) -> None:  # noqa: F811
    store.upsert(_article(_capture(1)), outlet_names=["内蒙古新闻网", "本网"])
    store.upsert(full_article())  # no names known: an existing list is kept, a new outlet gets []
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT name, names FROM outlets ORDER BY name")).all()
    assert [(name, names if isinstance(names, list) else json.loads(names))
            for name, names in rows] == [("nmgnews", ["内蒙古新闻网", "本网"]), ("xinhua", [])]


def test_migration_from_0002_keeps_and_indexes_existing_articles(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(uri)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(connection=conn), "0002")
            conn.execute(text(
                "INSERT INTO articles (url, outlet, title, is_reprint, authors, correspondents, text, pages, "
                "layers, flags, first_seen, last_seen) VALUES ('https://example.cn/old', 'nmgnews', "
                "'旧文章', 0, '[]', '[]', '草原上的旧文章正文。', '[]', '{}', '[]', "
                "'2024-01-01T00:00:00.000000Z', '2024-02-01T00:00:00.000000Z')"))
    finally:
        engine.dispose()
    with Store.open(uri) as opened:
        assert [h.url for h in opened.search("旧文章")] == ["https://example.cn/old"]
        assert [h.url for h in opened.search("草原")] == ["https://example.cn/old"]
        with opened.engine.connect() as conn:
            assert conn.execute(text("SELECT name, first_seen, last_seen FROM outlets")).all() == [
                ("nmgnews", "2024-01-01T00:00:00.000000Z", "2024-02-01T00:00:00.000000Z")]
        state = opened.status_of("https://example.cn/old")
        assert state is not None and state["gone_at"] is None


def test_the_recorder_writes_captures_in_batches(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from scrapy.utils.test import get_crawler

    from crawler.store.captures import CaptureRecorder, flush_captures
    from crawler.warc.files import WarcRef
    from crawler.warc.signals import Written

    with pytest.raises(ValueError, match="CAPTURES_BATCH=0"):
        CaptureRecorder.from_crawler(get_crawler(settings_dict={"CAPTURES_BATCH": 0}))
    uri = f"sqlite:///{tmp_path / 'a.sqlite'}"
    # Written here, not in a writer process (tests/test_store_writer.py crawls with one).
    crawler = get_crawler(settings_dict={"STORE_URI": uri, "ARCHIVE_DIR": str(tmp_path), "CAPTURES_BATCH": 3,
                                         "STORE_WRITER": False})
    crawler.stats.open_spider()
    recorder = CaptureRecorder.from_crawler(crawler)
    response = SimpleNamespace(headers={})
    spider = SimpleNamespace(name="nmgnews")

    def written(n: int) -> None:
        ref = WarcRef(file="a.warc.gz", offset=n * 10, length=10, record_id=f"<urn:{n}>")
        recorder.written(Written(url=f"{URL}?{n}", date=T0, status=200, record_type="response", ref=ref,
                                 request_ref=ref, payload_digest=None), response, None, spider)  # type: ignore[arg-type]

    with Store.open(uri) as opened:
        for n in range(2):
            written(n)
        assert list(opened.iter_captures()) == []  # queued
        written(2)
        assert len(list(opened.iter_captures())) == 3  # the batch is full: one transaction
        written(3)
        flush_captures(crawler)  # what the store pipeline does before storing an article
        assert [c.url for c in opened.iter_captures()] == [f"{URL}?{n}" for n in range(4)]
    assert crawler.stats.get_value("captures/recorded") == 4
