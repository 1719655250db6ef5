"""Revisit records: conditional requests answered 304, identical payloads, and their replay."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Request

from crawler.middlewares.conditional import ArchivedRecordError, _unconditional, archived_response
from crawler.mock import MockOutlets
from crawler.mock.site import make_route
from crawler.store import Store
from crawler.store.capture_rows import CaptureRef
from crawler.warc.revisit import CONDITIONAL_META
from crawler.warc.signals import IDENTICAL_PAYLOAD, SERVER_NOT_MODIFIED
from tests.conftest import OUTLETS, REPO
from tests.store_support import crawl_outlet, new_warcs, records
from tests.test_store import store_uri  # noqa: F401  (fixture)

LIST = "https://inews.nmgnews.com.cn/nmgxw/"
ARTICLE = "https://inews.nmgnews.com.cn/system/2025/04/16/030187652.shtml"
DEAD = "https://inews.nmgnews.com.cn/system/2025/06/20/030204410.shtml"
ETAG = '"v1-030187652"'


def _answer_304_after_first(mock: MockOutlets, url: str) -> None:
    """``url`` answers 200 with an ETag once, then 304 Not Modified."""
    route, body = mock.route_for(url), mock.body_for(url)

    def responder(n: int) -> object:
        if n == 0:
            return make_route(url, body=body, headers=[*route.headers, ("ETag", ETAG)])
        return make_route(url, status=304, headers=[("ETag", ETAG)])

    mock.add_responder(url, responder)


def test_304_is_a_server_not_modified_revisit_and_the_article_is_not_extracted_again(
        store_uri: str, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "archive"
    settings = {"STORE_URI": store_uri}
    with MockOutlets(outlets=["nmgnews"]) as mock:
        for url in (LIST, ARTICLE):
            _answer_304_after_first(mock, url)
        crawl_outlet("nmgnews", out, mock, settings)
        with Store.open(store_uri) as store:
            before = store.get_article(ARTICLE)
            (first,) = store.captures_of(ARTICLE)
            (first_list,) = store.captures_of(LIST)
        mock.clear_served()
        earlier = set(out.glob("*.warc.gz"))
        second = crawl_outlet("nmgnews", out, mock, settings)
        served = {s.url: s for s in mock.served_log if s.method == "GET"}
    (warc,) = new_warcs(out, earlier)

    # The requests were conditional on what the first crawl archived.
    sent = dict(served[ARTICLE].headers)
    assert sent["If-None-Match"] == ETAG
    assert sent["If-Modified-Since"] == "Wed, 16 Apr 2025 02:21:00 GMT"
    assert dict(served[LIST].headers)["If-None-Match"] == ETAG
    assert served[ARTICLE].status == served[LIST].status == 304

    # Archived as server-not-modified revisits of the first crawl's records.
    recs = {r["url"]: r for r in records(warc) if r["type"] in ("response", "revisit")}
    for url, original in ((ARTICLE, first), (LIST, first_list)):
        rec = recs[url]
        assert rec["type"] == "revisit"
        assert rec["warc"].get_header("WARC-Profile") == SERVER_NOT_MODIFIED
        assert rec["warc"].get_header("WARC-Refers-To") == original.record_id
        assert rec["warc"].get_header("WARC-Refers-To-Target-URI") == url
        assert rec["warc"].get_header("WARC-Payload-Digest") is None
        assert rec["http"].get_statuscode() == "304"
        assert rec["payload"] == b""
    # A 404 page identical to last time is archived again in full: only 2xx pages are revisited.
    assert recs[DEAD]["type"] == "response"

    # The list page's links were still followed; the article was only marked seen.
    stats = second.stats
    assert stats["conditional/not_modified"] == 2
    assert stats["store/not_modified"] == 1
    assert stats["articles/extracted/nmgnews"] == 10
    assert stats["warc/revisits/not_modified"] == 2
    with Store.open(store_uri) as store:
        after = store.get_article(ARTICLE)
        assert after is not None and before is not None
        assert after["last_seen"] > before["last_seen"]
        assert {k: v for k, v in after.items() if k != "last_seen"} == {
            k: v for k, v in before.items() if k != "last_seen"}
        assert store.article_versions(ARTICLE) == []
        _, revisit = store.captures_of(ARTICLE)
        assert (revisit.status, revisit.record_type, revisit.refers_to, revisit.etag) == (
            304, "revisit", first.record_id, ETAG)
        assert revisit.payload_digest == first.payload_digest
        assert store.count_articles() == 11


def test_revisits_of_both_profiles_replay(tmp_path: Path) -> None:
    out = tmp_path / "archive"
    with MockOutlets(outlets=["nmgnews"]) as mock:
        _answer_304_after_first(mock, ARTICLE)
        crawl_outlet("nmgnews", out, mock)
        first_warcs = set(out.glob("*.warc.gz"))
        crawl_outlet("nmgnews", out, mock)
    (second,) = new_warcs(out, first_warcs)
    profiles = [r["warc"].get_header("WARC-Profile") for r in records(second) if r["type"] == "revisit"]
    assert profiles.count(SERVER_NOT_MODIFIED) == 1 and profiles.count(IDENTICAL_PAYLOAD) == 21

    # Replay the second crawl's file with the first's beside it: every revisit resolves.
    replayed = tmp_path / "replayed"
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "replay", "-s", f"ARCHIVE_DIR={replayed}", "-s", "LOG_LEVEL=INFO",
         str(second), *map(str, sorted(first_warcs))],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with Store.open(f"sqlite:///{replayed / 'articles.sqlite'}") as store:
        got = {a["url"]: a for a in store.iter_articles()}
    for path in sorted((OUTLETS / "nmgnews" / "expected").glob("*.json")):
        expected = json.loads(path.read_text())
        assert got[expected["url"]]["text"] == expected["text"]
        assert got[expected["url"]]["title"] == expected["title"]
    # The payload came from the first crawl's records: the articles cite them.
    assert {a["warc_file"] for a in got.values()} == {p.name for p in first_warcs}


def test_archived_response_reads_the_original_as_received(tmp_path: Path) -> None:
    out = tmp_path / "archive"
    with MockOutlets(outlets=["nmgnews"]) as mock:
        crawl_outlet("nmgnews", out, mock)
        wire = mock.body_for("https://china.nmgnews.com.cn/ywsd/")  # served gzip-encoded
    with Store.open(f"sqlite:///{out / 'articles.sqlite'}") as store:
        (capture,) = store.captures_of("https://china.nmgnews.com.cn/ywsd/")
    request = Request("https://china.nmgnews.com.cn/ywsd/")
    response = archived_response(out, capture, request)
    assert (response.status, response.body, response.flags) == (200, wire, ["not-modified"])
    assert response.headers[b"Content-Encoding"] == b"gzip"

    missing = CaptureRef(**{**capture.__dict__, "warc_file": "gone.warc.gz"})
    with pytest.raises(ArchivedRecordError, match=r"gone\.warc\.gz @\d+: FileNotFoundError"):
        archived_response(out, missing, request)
    wrong = CaptureRef(**{**capture.__dict__, "record_id": "<urn:uuid:other>"})
    with pytest.raises(ArchivedRecordError, match="not record <urn:uuid:other>"):
        archived_response(out, wrong, request)


def test_a_304_that_cannot_be_answered_from_the_archive_is_fetched_again() -> None:
    request = Request(ARTICLE, headers={"If-None-Match": ETAG, "If-Modified-Since": "x", "Accept": "*/*"},
                      meta={CONDITIONAL_META: object(), "conditional_payload": object(), "keep": 1})
    again = _unconditional(request)
    assert again.dont_filter and again.meta["conditional"] is False and again.meta["keep"] == 1
    assert CONDITIONAL_META not in again.meta and "conditional_payload" not in again.meta
    assert b"If-None-Match" not in again.headers and b"If-Modified-Since" not in again.headers
    assert again.headers[b"Accept"] == b"*/*"


def test_a_url_never_captured_is_marked_so_the_writer_skips_its_lookup(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from scrapy.utils.test import get_crawler

    from crawler.middlewares.conditional import ConditionalMiddleware
    from crawler.store.capture_rows import CaptureRow
    from crawler.warc.files import WarcRef
    from crawler.warc.revisit import FIRST_CAPTURE_META
    from crawler.warc.signals import Written, warc_written

    uri = f"sqlite:///{tmp_path / 'a.sqlite'}"
    with Store.open(uri) as store:
        store.record_capture(CaptureRow(url=LIST, fetched_at=datetime.now(UTC), status=200,
                                        record_type="response", warc_file="x.warc.gz", warc_offset=0,
                                        warc_length=10, record_id="<urn:1>"))
    crawler = get_crawler(settings_dict={"STORE_URI": uri, "ARCHIVE_DIR": str(tmp_path)})
    crawler.stats.open_spider()
    middleware = ConditionalMiddleware.from_crawler(crawler)
    new = Request(ARTICLE)
    middleware.process_request(new)
    assert new.meta[FIRST_CAPTURE_META] is True
    # A redirect to a captured URL copies the first request's meta: the mark must not follow.
    moved = new.replace(url=LIST)
    assert moved.meta[FIRST_CAPTURE_META] is True
    middleware.process_request(moved)
    assert FIRST_CAPTURE_META not in moved.meta
    # What this crawl archives counts as captured from then on.
    ref = WarcRef(file="x.warc.gz", offset=10, length=10, record_id="<urn:2>")
    crawler.signals.send_catch_log(signal=warc_written, written=Written(
        url=ARTICLE, date=datetime.now(UTC), status=200, record_type="response", ref=ref, request_ref=ref,
        payload_digest=None, profile=None, refers_to=None, truncated=None), response=None, request=new,
        spider=None)
    assert middleware._captured is not None and ARTICLE in middleware._captured


def test_captured_urls_filter() -> None:
    from crawler.store.captured_urls import CapturedUrls

    urls = [f"https://example.cn/{i}.html" for i in range(1000)]
    known = CapturedUrls(urls + urls[:10])
    assert len(known) == 1000
    assert all(u in known for u in urls)
    assert not any(f"https://example.cn/{i}.htm" in known for i in range(1000))
    assert "https://example.cn/new" not in known
    known.add("https://example.cn/new")
    assert "https://example.cn/new" in known and "\udcff" not in known and None not in known
    assert "https://example.cn/x" not in CapturedUrls()
