"""Server faults from the mocks, all in one crawl: each gets a clear log line and a counter,
what came over the wire is archived as it came (or not at all when nothing came), nothing
half-read is extracted, and the crawl goes on to the good page at the end.

Covered elsewhere (see docs/reliability.md): 429 with Retry-After and 503 storms with
Retry-After in tests/test_politeness.py; a truncated body (WARC-Truncated), a plain 500, a
reset before any byte and a GBK page under a UTF-8 header in tests/test_bad_input.py.
"""

from __future__ import annotations

import gzip
import random

import brotli
import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.mock import MockOutlets
from tests.archive_checks import archive_records, store_agrees
from tests.conftest import Crawl, run_crawl

BASE = "http://inews.nmgnews.com.cn"
LIST = f"{BASE}/faultstorm/"
MAXSIZE = 2_000_000


def page(n: int) -> str:
    return f"{BASE}/system/2025/09/01/0350000{n:02d}.shtml"


GOOD, RESET_MID, TRUNCATED, DRIP, HUGE, GZIP_BOMB, BR_BOMB, LONG_CL, SHORT_CL, BINARY, BAD_CHARSET, \
    MIXED, EMPTY, NO_CONTENT, FAKE_GZIP, LOOP_A, LOOP_B, SELF_LOOP = (page(n) for n in range(1, 19))
STORM = [page(n) for n in range(20, 26)]
STORM_CODES = [500, 502, 503, 504, 503, 500]
TEXT = "包头市今年新建改建城市道路八十公里，市住建局负责人介绍了工程进展。"


def article(title: str, text: str = TEXT, extra: str = "") -> str:
    return (
        "<html><head><title>" + title + "-内蒙古新闻网</title></head><body>"
        '<div class="crumbs">首页 > 内蒙古新闻 > 正文</div>'
        f'<h1 class="article-title">{title}</h1>'
        '<div class="article-infos"><time class="date">2025年09月01日 08:00</time>'
        ' <span class="source">来源：内蒙古日报</span></div>'
        f'<div class="article-content"><p>{text}</p><p>{text}再次强调。</p>{extra}</div>'
        "</body></html>"
    )


def install(mocks: MockOutlets) -> dict[str, bytes]:
    """The fault pages; returns the bodies some assertions compare with the archive."""
    rng = random.Random(2025)
    html = [("Content-Type", "text/html; charset=utf-8")]
    bodies = {
        GZIP_BOMB: gzip.compress(b"\0" * (64 << 20), mtime=0),        # 64 MB of zeros in ~64 kB
        BR_BOMB: brotli.compress(b"<p>" + b"\0" * (256 << 20)),      # 256 MB in a few hundred bytes
        BINARY: rng.randbytes(20_000),
        SHORT_CL: article("只读到声明长度的页面").encode(),
        MIXED: (article("混合编码的页面").encode("utf-8")[:-200]
                + "内蒙古自治区党委召开常委会议，传达学习重要讲话精神。".encode("gbk") * 3
                + article("混合编码的页面").encode("utf-8")[-200:]),
    }
    links = [GOOD, RESET_MID, TRUNCATED, DRIP, HUGE, GZIP_BOMB, BR_BOMB, LONG_CL, SHORT_CL, BINARY,
             BAD_CHARSET, MIXED, EMPTY, NO_CONTENT, FAKE_GZIP, LOOP_A, SELF_LOOP, *STORM]
    # the good page is linked last: the crawl must reach it through everything else
    mocks.add_route(LIST, body="".join(f'<a href="{u}">x</a>' for u in [*links[1:], GOOD]).encode())
    mocks.add_route(GOOD, body=article("风暴之后的正常稿件").encode())
    mocks.add_route(RESET_MID, body=article("中途被重置的页面", TEXT * 50).encode(), fault="reset-mid")
    mocks.add_route(TRUNCATED, body=article("中途断开的页面", TEXT * 50).encode(), fault="truncate")
    mocks.add_route(DRIP, body=article("一滴一滴发送的页面").encode(), drip=0.5)  # ~2 kB: 16 s
    mocks.add_route(HUGE, body=article("超大页面", "大" * (MAXSIZE // 2)).encode())
    mocks.add_route(GZIP_BOMB, body=bodies[GZIP_BOMB], headers=[*html, ("Content-Encoding", "gzip")])
    mocks.add_route(BR_BOMB, body=bodies[BR_BOMB], headers=[*html, ("Content-Encoding", "br")])
    mocks.add_route(LONG_CL, body=article("声明长度过长的页面").encode(), content_length=50_000)
    mocks.add_route(SHORT_CL, body=bodies[SHORT_CL], content_length=300)
    mocks.add_route(BINARY, body=bodies[BINARY])
    mocks.add_route(BAD_CHARSET, body=article("字符集名称无效的页面").encode("gbk"),
                    headers=[("Content-Type", "text/html; charset=x-no-such-charset")])
    mocks.add_route(MIXED, body=bodies[MIXED], headers=[("Content-Type", "text/html")])
    mocks.add_route(EMPTY, body=b"")
    mocks.add_route(NO_CONTENT, status=204, headers=[])
    mocks.add_route(FAKE_GZIP, body=b"this is not gzip at all", headers=[*html, ("Content-Encoding", "gzip")])
    mocks.add_route(LOOP_A, status=302, headers=[("Location", LOOP_B)])
    mocks.add_route(LOOP_B, status=302, headers=[("Location", LOOP_A)])
    mocks.add_route(SELF_LOOP, status=301, headers=[("Location", SELF_LOOP)])
    for url, code in zip(STORM, STORM_CODES, strict=True):
        mocks.add_route(url, status=code, body=b"<html>down</html>", headers=html)
    return bodies


def responses(crawl: Crawl) -> dict[str, list[tuple[str | None, int, bytes]]]:
    """URL -> [(WARC-Truncated, status, payload as archived)] of every response record."""
    out: dict[str, list[tuple[str | None, int, bytes]]] = {}
    for path in crawl.warcs():
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response":
                    out.setdefault(rec.rec_headers.get_header("WARC-Target-URI"), []).append((
                        rec.rec_headers.get_header("WARC-Truncated"),
                        int(rec.http_headers.get_statuscode()), rec.raw_stream.read()))
    return out


@pytest.fixture(scope="module")
def storm(mocks: MockOutlets, tmp_path_factory: pytest.TempPathFactory) -> tuple[Crawl, dict[str, bytes]]:
    bodies = install(mocks)
    out = tmp_path_factory.mktemp("faults")
    crawl = run_crawl("nmgnews", out, mocks.proxy_url, "-a", f"columns={LIST}",
                      settings={"DOWNLOAD_TIMEOUT": "3", "DOWNLOAD_MAXSIZE": str(MAXSIZE)})
    return crawl, bodies


def test_the_crawl_goes_on_and_the_archive_and_store_agree(storm: tuple[Crawl, dict[str, bytes]]) -> None:
    crawl, _ = storm
    assert crawl.stats["finish_reason"] == "finished"
    stored = {a["url"]: a for a in store_agrees(crawl.store_uri, archive_records(crawl.out))}
    assert stored[GOOD]["title"] == "风暴之后的正常稿件"
    assert "Traceback" not in crawl.log
    assert "spider_exceptions/count" not in crawl.stats and "Spider error processing" not in crawl.log


def _served(mocks: MockOutlets, url: str) -> int:
    return sum(1 for _m, u, _s in mocks.served if u == url)


def test_bodies_cut_short_are_archived_marked_and_not_extracted(
        storm: tuple[Crawl, dict[str, bytes]], mocks: MockOutlets) -> None:
    crawl, _ = storm
    got = responses(crawl)
    full = mocks.route_for(TRUNCATED).body
    assert got[TRUNCATED] == [("disconnect", 200, full[: len(full) // 2])]
    # a reset may drop bytes the client had not read yet: what was read, marked, and nothing more
    ((mark, status, body),) = got[RESET_MID]
    full = mocks.route_for(RESET_MID).body
    assert (mark, status) == ("disconnect", 200) and 0 < len(body) < len(full) and full.startswith(body)
    # Content-Length larger than the body: the whole body came, then the close
    assert got[LONG_CL] == [("disconnect", 200, mocks.route_for(LONG_CL).body)]
    assert crawl.stats["pages/truncated/nmgnews"] == 3 and crawl.stats["warc/truncated"] == 3
    for url in (TRUNCATED, RESET_MID, LONG_CL):
        assert f"Truncated response from {url}: archived, not extracted" in crawl.log


def test_content_length_shorter_than_the_body_is_read_as_declared(
        storm: tuple[Crawl, dict[str, bytes]]) -> None:
    crawl, bodies = storm
    assert responses(crawl)[SHORT_CL] == [(None, 200, bodies[SHORT_CL][:300])]
    stored = {a["url"]: a for a in store_agrees(crawl.store_uri, archive_records(crawl.out))}
    assert stored[SHORT_CL]["text"] == "" and {"drift", "empty-text"} <= set(stored[SHORT_CL]["flags"])


def test_slow_drip_times_out_and_is_retried(
        storm: tuple[Crawl, dict[str, bytes]], mocks: MockOutlets) -> None:
    crawl, _ = storm
    assert DRIP not in responses(crawl)  # nothing complete came: nothing to archive
    assert _served(mocks, DRIP) == 2 and crawl.stats["errors/nmgnews/DownloadTimeoutError"] == 1
    assert crawl.stats["retry/reason_count/scrapy.exceptions.DownloadTimeoutError"] == 1
    assert f"Request failed (DownloadTimeoutError): {DRIP}" in crawl.log


def test_a_page_over_download_maxsize_is_not_downloaded(
        storm: tuple[Crawl, dict[str, bytes]], mocks: MockOutlets) -> None:
    crawl, _ = storm
    assert HUGE not in responses(crawl) and _served(mocks, HUGE) == 1
    assert crawl.stats["errors/nmgnews/DownloadCancelledError"] == 1
    size = len(mocks.route_for(HUGE).body)
    assert f"Expected to receive {size} bytes which is larger than download max size ({MAXSIZE})" in crawl.log


def test_decompression_bombs_are_archived_compressed_and_stopped(
        storm: tuple[Crawl, dict[str, bytes]]) -> None:
    crawl, bodies = storm
    got = responses(crawl)
    for url in (GZIP_BOMB, BR_BOMB):
        assert got[url] == [(None, 200, bodies[url])]  # as sent, still compressed
        line = next(x for x in crawl.log.splitlines() if f"Ignored response <200 {url}>" in x)
        assert f"exceeded DOWNLOAD_MAXSIZE ({MAXSIZE} B) during decompression" in line
    assert crawl.stats["errors/nmgnews/IgnoreRequest"] == 2
    assert got[FAKE_GZIP] == [(None, 200, b"this is not gzip at all")]
    assert crawl.stats["errors/nmgnews/BadGzipFile"] == 1


def test_empty_and_binary_bodies_are_archived_not_extracted(storm: tuple[Crawl, dict[str, bytes]]) -> None:
    crawl, bodies = storm
    got = responses(crawl)
    assert got[EMPTY] == [(None, 200, b"")] and got[NO_CONTENT] == [(None, 204, b"")]
    assert got[BINARY] == [(None, 200, bodies[BINARY])]
    stored = {a["url"] for a in store_agrees(crawl.store_uri, archive_records(crawl.out))}
    assert not {EMPTY, NO_CONTENT, BINARY} & stored
    assert crawl.stats["pages/unreadable/nmgnews"] == 3
    assert f"Not an HTML page (empty body) at {EMPTY}" in crawl.log
    assert f"Not an HTML page (empty body) at {NO_CONTENT}" in crawl.log
    assert "Not an HTML page (binary content: " in crawl.log and f"at {BINARY}: archived" in crawl.log


def test_invalid_charsets_and_mixed_encodings_decode_safely(storm: tuple[Crawl, dict[str, bytes]]) -> None:
    crawl, _ = storm
    stored = {a["url"]: a for a in store_agrees(crawl.store_uri, archive_records(crawl.out))}
    bad = stored[BAD_CHARSET]
    assert bad["title"] == "字符集名称无效的页面" and TEXT in bad["text"]
    assert (bad["charset"], bad["flags"]) == ("gb18030", [])
    assert bad["charset_reason"] == "not UTF-8 although HTTP header says x-no-such-charset; strict GB18030"
    mixed = stored[MIXED]
    assert mixed["title"] == "混合编码的页面" and mixed["charset"] == "utf-8"
    assert "lossy-decode" in mixed["flags"] and mixed["text"].startswith("包头市今年新建改建城市道路八")


def test_redirect_loops_end(storm: tuple[Crawl, dict[str, bytes]], mocks: MockOutlets) -> None:
    crawl, _ = storm
    got = responses(crawl)
    for url, code in ((LOOP_A, 302), (LOOP_B, 302), (SELF_LOOP, 301)):
        assert _served(mocks, url) == 1 and [(m, s) for m, s, _b in got[url]] == [(None, code)]
    assert crawl.stats["dupefilter/filtered"] >= 2  # the loop's way back is a request already seen


def test_5xx_storm_is_retried_archived_and_counted(
        storm: tuple[Crawl, dict[str, bytes]], mocks: MockOutlets) -> None:
    crawl, _ = storm
    got = responses(crawl)
    for url, code in zip(STORM, STORM_CODES, strict=True):
        assert _served(mocks, url) == 2  # RETRY_TIMES=1 in the tests
        assert got[url] == [(None, code, b"<html>down</html>")] * 2  # every attempt is evidence
        assert f"Request failed (http_{code}): {url}" in crawl.log
    st = crawl.stats
    assert (st["errors/nmgnews/http_500"], st["errors/nmgnews/http_502"], st["errors/nmgnews/http_503"],
            st["errors/nmgnews/http_504"]) == (2, 1, 2, 1)
