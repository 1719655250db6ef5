"""The JavaScript-page machinery without a browser: records, settings, the middleware's decisions.

tests/test_playwright.py runs the real thing in Chromium.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy_playwright.page import PageMethod
from warcio.archiveiterator import ArchiveIterator

from crawler.browser import HANDLER, BrowserAddon, browser_proxy, launch_options, yes_no
from crawler.browser_capture import CAPTURE_KEY, BrowserMiddleware, PageCapture
from crawler.warc.browser import (
    DOM_PREFIX,
    HTTP_META_KEY,
    BrowserArchive,
    Exchange,
    _pairs,
    dom_record,
    exchange_records,
)
from crawler.warc.files import WarcRotator

WHEN = datetime(2025, 4, 16, 2, 21, 0, 123456, tzinfo=UTC)


def exchange(**changes: Any) -> Exchange:
    fields: dict[str, Any] = {
        "url": "https://www.example.cn/news/a.html?id=7&p=2", "method": "GET", "status": 200,
        "reason": "OK", "protocol": "HTTP/1.1",
        "response_headers": [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "5")],
        "body": b"hello", "request_headers": [("Accept", "*/*"), ("User-Agent", "nmg-news-archiver/0.1")],
        "request_body": b"", "started": WHEN, "ip_address": "127.0.0.1",
    }
    fields.update(changes)
    return Exchange(**fields)


def rotator(tmp_path: Path) -> WarcRotator:
    return WarcRotator(tmp_path, prefix="t", warcinfo={"software": "test"})


def read_back(tmp_path: Path, rot: WarcRotator) -> list[Any]:
    """(type, WARC headers, HTTP status line, HTTP headers, payload) of every record written."""
    rot.close()
    out = []
    for path in rot.closed_files:
        check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                http = rec.http_headers
                line = None if http is None else (
                    f"{http.protocol} {http.statusline}" if rec.rec_type == "request" else http.statusline)
                out.append((rec.rec_type, rec.rec_headers, line,
                            list(http.headers) if http else [], rec.raw_stream.read()))
    return out


# -- records -------------------------------------------------------------------------------

def test_exchange_is_a_response_and_request_pair(tmp_path: Path) -> None:
    rot = rotator(tmp_path)
    archive = BrowserArchive(lambda: rot)
    ex = exchange(
        status=302, reason="Moved Temporarily",  # Chromium's reason phrase, not the standard one
        response_headers=[("Location", "/b.html"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"),
                          ("Content-Disposition", "attachment; filename=新闻.pdf"),
                          ("Transfer-Encoding", "chunked")],
        body=b"moved", method="POST", request_body=b"q=1",
        request_headers=[("Content-Type", "application/x-www-form-urlencoded"),
                         ("Proxy-Authorization", "Basic c2VjcmV0")],
    )
    ref = archive.write_exchange(ex)
    assert ref is not None
    (info, resp, req) = read_back(tmp_path, rot)
    assert info[0] == "warcinfo"
    rtype, rh, status, headers, payload = resp
    assert (rtype, status, payload) == ("response", "302 Moved Temporarily", b"moved")
    assert rh.get_header("WARC-Record-ID") == ref.record_id
    assert rh.get_header("WARC-Date") == "2025-04-16T02:21:00.123456Z"
    assert rh.get_header("WARC-IP-Address") == "127.0.0.1"
    assert rh.get_header("WARC-Warcinfo-ID") == info[1].get_header("WARC-Record-ID")
    assert headers == [("Location", "/b.html"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"),
                       # archived as its UTF-8 bytes, which warcio reads back as UTF-8
                       ("Content-Disposition", "attachment; filename=新闻.pdf"),
                       ("X-Crawler-Transfer-Encoding", "chunked")]
    qtype, qh, line, qheaders, qbody = req
    assert (qtype, line, qbody) == ("request", "POST /news/a.html?id=7&p=2 HTTP/1.1", b"q=1")
    assert qh.get_header("WARC-Concurrent-To") == ref.record_id
    assert qh.get_header("WARC-Date") == rh.get_header("WARC-Date")
    assert qheaders == [("Host", "www.example.cn"), ("Content-Type", "application/x-www-form-urlencoded")]


def test_decoded_body_renames_content_encoding_and_length() -> None:
    from warcio.recordbuilder import RecordBuilder

    ex = exchange(response_headers=[("Content-Encoding", "br"), ("Content-Length", "3"),
                                    ("Content-Type", "text/css")], body=b"h1{color:red}")
    resp, _ = exchange_records(RecordBuilder(warc_version="1.1"), ex, None)
    assert resp.http_headers.headers == [("X-Crawler-Content-Encoding", "br"),
                                         ("X-Crawler-Content-Length", "3"), ("Content-Type", "text/css")]
    plain = exchange(response_headers=[("Content-Encoding", "identity"), ("Content-Length", "5")])
    resp, _ = exchange_records(RecordBuilder(warc_version="1.1"), plain, None)
    assert resp.http_headers.headers == [("Content-Encoding", "identity"), ("Content-Length", "5")]


def test_missing_body_is_marked_truncated_unless_empty() -> None:
    from warcio.recordbuilder import RecordBuilder

    builder = RecordBuilder(warc_version="1.1")
    gone = exchange(status=301, reason="Moved Permanently", body=None,
                    response_headers=[("Location", "/x"), ("Content-Length", "120")])
    resp, _ = exchange_records(builder, gone, None)
    assert resp.rec_headers.get_header("WARC-Truncated") == "unspecified"
    empty = exchange(status=301, reason="Moved Permanently", body=None,
                     response_headers=[("Location", "/x"), ("Content-Length", "0")])
    resp, _ = exchange_records(builder, empty, None)
    assert resp.rec_headers.get_header("WARC-Truncated") is None


def test_pseudo_headers_are_dropped() -> None:
    array = [{"name": ":status", "value": "200"}, {"name": "content-type", "value": "text/html"},
             {"name": "x-note", "value": "新"}]
    assert _pairs(array) == [("content-type", "text/html"), ("x-note", "新")]


def test_dom_record() -> None:
    from warcio.recordbuilder import RecordBuilder

    rec = dom_record(RecordBuilder(warc_version="1.1"), url="https://a.cn/x.html", html="<p>新</p>".encode(),
                     date=WHEN, concurrent_to="<urn:uuid:1>", warcinfo_id="<urn:uuid:0>")
    assert rec.rec_type == "resource"
    h = rec.rec_headers
    assert h.get_header("WARC-Target-URI") == DOM_PREFIX + "https://a.cn/x.html"
    assert rec.content_type == "text/html; charset=utf-8"
    assert (h.get_header("WARC-Concurrent-To"), h.get_header("WARC-Warcinfo-ID")) == ("<urn:uuid:1>",
                                                                                     "<urn:uuid:0>")


def test_nothing_is_written_without_an_archive() -> None:
    archive = BrowserArchive(lambda: None)
    assert archive.write_exchange(exchange()) is None
    assert archive.write_dom(url="https://a.cn/", html=b"<p></p>", concurrent_to=None) is None


# -- settings ------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (True, True), (False, False), (None, False), (1, True), (0, False), ("1", True), ("Yes", True),
    ("on", True), ("0", False), ("false", False), ("", False)])
def test_yes_no(value: Any, expected: bool) -> None:
    assert yes_no(value, "render_js") is expected


def test_yes_no_names_the_bad_value() -> None:
    with pytest.raises(ValueError, match=r"spider site render_js: 'maybe' is not a yes/no value"):
        yes_no("maybe", "spider site render_js")


def project_settings(**values: Any) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for key, value in values.items():
        settings.set(key, value, priority="cmdline")
    return settings


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY",
                "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_browser_proxy_from_environment(no_proxy_env: pytest.MonkeyPatch) -> None:
    assert browser_proxy() is None
    no_proxy_env.setenv("https_proxy", "http://me:p%40ss@127.0.0.1:3128")
    no_proxy_env.setenv("no_proxy", "localhost,.internal")
    assert browser_proxy() == {"server": "http://127.0.0.1:3128", "username": "me", "password": "p@ss",
                               "bypass": "localhost,.internal"}


def test_launch_options(no_proxy_env: pytest.MonkeyPatch) -> None:
    no_proxy_env.setenv("http_proxy", "http://127.0.0.1:8080")
    options = launch_options(project_settings(PLAYWRIGHT_BROWSER_EXECUTABLE=sys.executable))
    root = ["--no-sandbox"] if os.geteuid() == 0 else []
    assert options == {
        "headless": True, "executable_path": sys.executable, "proxy": {"server": "http://127.0.0.1:8080"},
        "args": ["--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", *root]}
    # The operator's PLAYWRIGHT_LAUNCH_OPTIONS win, key by key.
    mine = launch_options(project_settings(PLAYWRIGHT_BROWSER_EXECUTABLE=sys.executable,
                                           PLAYWRIGHT_LAUNCH_OPTIONS={"headless": False, "slow_mo": 5}))
    assert (mine["headless"], mine["slow_mo"], mine["executable_path"]) == (False, 5, sys.executable)


def test_missing_browser_is_a_clear_error(tmp_path: Path, no_proxy_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match=rf"PLAYWRIGHT_BROWSER_EXECUTABLE: {tmp_path}/chromium is not an "
                                         r"executable file; install Debian's chromium"):
        launch_options(project_settings(PLAYWRIGHT_BROWSER_EXECUTABLE=str(tmp_path / "chromium")))
    with pytest.raises(ValueError, match="PLAYWRIGHT_LAUNCH_OPTIONS executable_path: /nope is not"):
        launch_options(project_settings(PLAYWRIGHT_LAUNCH_OPTIONS={"executable_path": "/nope"}))


def handlers_and_middlewares(settings: Settings) -> tuple[dict[str, Any], dict[Any, Any]]:
    return settings.getdict("DOWNLOAD_HANDLERS"), settings.getdict("DOWNLOADER_MIDDLEWARES")


@pytest.mark.parametrize(("render_js", "enabled", "browser"), [
    (False, False, False), ("1", False, True), (False, True, True), ("0", False, False)])
def test_addon_installs_the_browser_only_when_rendering(
        render_js: Any, enabled: bool, browser: bool, no_proxy_env: pytest.MonkeyPatch) -> None:
    settings = project_settings(PLAYWRIGHT_ENABLED=enabled, PLAYWRIGHT_BROWSER_EXECUTABLE=sys.executable)
    crawler = SimpleNamespace(spider=SimpleNamespace(name="site", render_js=render_js))
    BrowserAddon(crawler).update_settings(settings)  # type: ignore[arg-type]
    handlers, middlewares = handlers_and_middlewares(settings)
    assert middlewares[BrowserMiddleware] == 580  # always: it is idle for plain requests
    assert (handlers.get("http"), handlers.get("https")) == ((HANDLER, HANDLER) if browser else (None, None))
    assert settings.getbool("PLAYWRIGHT_ENABLED") is browser
    if browser:
        assert settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["executable_path"] == sys.executable
    else:
        assert settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS") == {}


# -- the middleware ------------------------------------------------------------------------

def middleware(tmp_path: Path, *, render_js: Any = False, enabled: bool = True
               ) -> tuple[BrowserMiddleware, WarcRotator]:
    settings = project_settings(PLAYWRIGHT_ENABLED=enabled)
    crawler = SimpleNamespace(settings=settings, spider=SimpleNamespace(name="t", render_js=render_js),
                              extensions=SimpleNamespace(middlewares=[]))
    crawler.stats = MemoryStatsCollector(crawler)  # type: ignore[arg-type]
    mw = BrowserMiddleware(crawler)  # type: ignore[arg-type]
    rot = rotator(tmp_path)
    mw.archive = BrowserArchive(lambda: rot, crawler.stats)
    return mw, rot


def cb(response: Response) -> None:
    """A spider callback."""


def test_which_requests_are_rendered(tmp_path: Path) -> None:
    mw, _ = middleware(tmp_path, render_js="1")
    assert mw.wants(Request("https://a.cn/", callback=cb))
    assert not mw.wants(Request("https://a.cn/robots.txt", callback=NO_CALLBACK))
    assert not mw.wants(Request("https://a.cn/", callback=cb, meta={"render_js": False}))
    assert not mw.wants(Request("data:,x", callback=cb))
    plain, _ = middleware(tmp_path / "p")
    assert not plain.wants(Request("https://a.cn/", callback=cb))
    assert plain.wants(Request("https://a.cn/", callback=cb, meta={"render_js": True}))
    assert plain.wants(Request("https://a.cn/", callback=cb, meta={"playwright": True}))
    with pytest.raises(ValueError, match=r"meta render_js of https://a.cn/: 'perhaps' is not a yes/no"):
        plain.wants(Request("https://a.cn/", callback=cb, meta={"render_js": "perhaps"}))


def test_render_asked_while_disabled_is_an_error_not_a_loss(tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    mw, _ = middleware(tmp_path, enabled=False)
    with caplog.at_level(logging.ERROR, logger="crawler.browser_capture"):
        for _ in range(2):
            request = Request("https://a.cn/", callback=cb, meta={"render_js": True})
            assert mw.process_request(request) is None
            assert "playwright" not in request.meta  # fetched (and archived) by Scrapy's handler
    assert [r.getMessage() for r in caplog.records] == [
        "https://a.cn/ asks for JavaScript rendering (meta render_js) but PLAYWRIGHT_ENABLED is off: "
        "fetched without a browser (set -s PLAYWRIGHT_ENABLED=True)"]
    assert mw.stats.get_value("browser/not_enabled") == 2


async def _spider_method(page: Any) -> None:
    """A page method of the spider's own."""


def test_spider_page_methods_and_handlers_are_kept(tmp_path: Path) -> None:
    mw, _ = middleware(tmp_path, render_js=True)
    own = PageMethod("wait_for_selector", "#article")
    seen: list[Any] = []
    request = Request("https://a.cn/", callback=cb, meta={
        "playwright_page_methods": [own], "playwright_page_event_handlers": {"requestfinished": seen.append}})
    mw.process_request(request)
    capture = request.meta[CAPTURE_KEY]
    assert isinstance(capture, PageCapture)
    assert request.meta["playwright"] is True and request.meta["conditional"] is False
    methods = request.meta["playwright_page_methods"]
    assert methods[0] is own and methods[1].method == capture.settle
    fake = SimpleNamespace(url="data:,x")  # not archived, but the spider's handler still sees it
    request.meta["playwright_page_event_handlers"]["requestfinished"](fake)
    assert seen == [fake] and capture.tasks == []
    as_dict = Request("https://a.cn/", callback=cb, meta={"playwright_page_methods": {"wait": own}})
    mw.process_request(as_dict)
    assert list(as_dict.meta["playwright_page_methods"]) == ["wait", "archive_settle"]
    # Not answered by the browser (a replay): the spider's meta is put back untouched.
    back = asyncio.run(mw.process_response(request, Response("https://a.cn/", request=request)))
    assert back.flags == []
    assert request.meta["playwright_page_methods"] == [own]
    assert request.meta["playwright_page_event_handlers"] == {"requestfinished": seen.append}
    assert CAPTURE_KEY not in request.meta


def rendered(request: Request, html: str, encoding: str = "utf-8", **meta: Any) -> HtmlResponse:
    request.meta.update(meta)
    return HtmlResponse(request.url, status=200, body=html.encode(encoding), encoding=encoding,
                        headers={"Content-Type": f"text/html; charset={encoding}"}, request=request,
                        flags=["playwright"])


def test_rendered_dom_is_archived_and_handed_over_in_utf8(tmp_path: Path) -> None:
    mw, rot = middleware(tmp_path, render_js=True)
    request = Request("https://a.cn/gbk.html", callback=cb)
    mw.process_request(request)
    capture: PageCapture = request.meta[CAPTURE_KEY]
    doc = exchange(url=request.url, document=True, body="<p>旧</p>".encode("gbk"),
                   response_headers=[("Content-Type", "text/html; charset=gbk")])
    capture.documents.append((doc, mw.archive.write_exchange(doc)))
    # scrapy-playwright encodes the DOM back in the page's charset
    response = rendered(request, "<html><body><p>新闻正文</p></body></html>", encoding="gbk")
    out = asyncio.run(mw.process_response(request, response))
    assert isinstance(out, HtmlResponse)
    assert (out.encoding, out.headers[b"Content-Type"], out.text) == (
        "utf-8", b"text/html; charset=utf-8", "<html><body><p>新闻正文</p></body></html>")
    records = read_back(tmp_path, rot)
    (resp,) = [r for r in records if r[0] == "response"]
    (dom,) = [r for r in records if r[0] == "resource"]
    assert resp[4] == "<p>旧</p>".encode("gbk")  # the HTTP document, as the server sent it
    assert dom[4] == out.body
    assert request.meta["warc"].record_id == dom[1].get_header("WARC-Record-ID")
    assert request.meta[HTTP_META_KEY].record_id == resp[1].get_header("WARC-Record-ID")
    assert dom[1].get_header("WARC-Concurrent-To") == resp[1].get_header("WARC-Record-ID")
    assert mw.stats.get_value("browser/dom") == 1


@pytest.mark.parametrize("case", ["pdf", "download"])
def test_non_html_document_is_fetched_again_without_the_browser(tmp_path: Path, case: str) -> None:
    mw, rot = middleware(tmp_path, render_js=True)
    request = Request("https://a.cn/file", callback=cb, meta={"download_timeout": 30})
    mw.process_request(request)
    if case == "pdf":
        capture: PageCapture = request.meta[CAPTURE_KEY]
        capture.documents.append((exchange(url=request.url, document=True,
                                           response_headers=[("Content-Type", "application/pdf")]), None))
        response = rendered(request, "<html><body><embed type='application/pdf'></body></html>",
                            redirect_urls=["https://a.cn/old"])
    else:
        response = rendered(request, "PK", playwright_suggested_filename="file.zip")
    again = asyncio.run(mw.process_response(request, response))
    assert isinstance(again, Request) and again.url == request.url and again.dont_filter
    assert again.meta == {"download_timeout": 30, "conditional": False, "render_js": False}
    assert not mw.wants(again)
    assert [r[0] for r in read_back(tmp_path, rot)] == []  # nothing of the browser's copy
    assert mw.stats.get_value("browser/refetched") == 1
