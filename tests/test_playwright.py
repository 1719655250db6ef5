"""JavaScript pages: rendered in Chromium only where asked, archived as the browser fetched them.

One crawl (``scrapy crawl site -a render_js=1``) of a mock site whose article text and
links are inserted by JavaScript from a JSON endpoint; then the article, every WARC record,
warcio's check and pywb's replay are looked at. Needs Debian's chromium (``make chromium``):
skipped without it, except in CI.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.mock import MockOutlets
from crawler.store import Store
from tests.conftest import PYWB_BIN, Crawl, run_crawl

HOST = "js.nmg-demo.cn"
START = f"http://{HOST}/news/2025/04/16/1001.html"  # 301 to https, inside the browser
PAGE = START.replace("http:", "https:")
SECOND = f"https://{HOST}/news/2025/04/17/1002.html"  # linked only from the JS-inserted text
BROKEN = f"https://{HOST}/news/2025/04/18/1003.html"  # the server drops the connection
SCRIPT = f"https://{HOST}/static/app.js"
STYLE = f"https://{HOST}/static/site.css"
API = f"https://{HOST}/api/article/1001.json"
SLOW_API = f"https://{HOST}/api/article/1002.json"
PARAGRAPHS = [
    "4月16日，呼和浩特市春季义务植树活动在大青山南坡启动，数千名市民参加了当天的植树劳动。",
    "据介绍，今年全市计划完成营造林面积三十万亩，重点推进城市周边生态绿化和防护林建设。",
    "活动现场，志愿者们分工协作，挖坑、扶苗、培土、浇水，一株株树苗整齐排列在山坡上。",
]
#: The served HTML has an empty article box: its text comes from the JSON, by JavaScript.
HTML = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title} - 示例新闻网</title>
<link rel="stylesheet" href="/static/site.css"><script src="/static/app.js"></script></head>
<body><h1>{title}</h1><p class="date">{date}</p>
<div id="article" data-src="{api}"></div><ul id="related"></ul></body></html>"""
JS = """document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("article");
  fetch(box.dataset.src).then(function (r) { return r.json(); }).then(function (data) {
    data.paragraphs.forEach(function (text) {
      var p = document.createElement("p"); p.textContent = text; box.appendChild(p);
    });
    data.related.forEach(function (href) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = href; a.textContent = "相关新闻"; li.appendChild(a);
      document.getElementById("related").appendChild(li);
    });
  });
});
""".encode()
CSS = b"h1 { font-size: 2em; }\n" * 20
IDLE_TIMEOUT = 3.0
SLOW = 6.0  # the second page's JSON: longer than IDLE_TIMEOUT


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: `make chromium` installs Debian's package")
        pytest.skip("chromium not installed (`make chromium`; make test installs it)")
    return path


def serve(mock: MockOutlets) -> None:
    """The mock site: two pages whose text arrives by fetch(), script, gzip style, robots.txt."""
    mock.add_route(START, status=301, headers=[("Location", PAGE)])
    mock.add_route(PAGE, body=HTML.format(title="呼和浩特春季植树活动启动", date="2025-04-16 10:21",
                                          api="/api/article/1001.json").encode())
    mock.add_route(SECOND, body=HTML.format(title="第二篇", date="2025-04-17 09:00",
                                            api="/api/article/1002.json").encode())
    mock.add_route(BROKEN, fault="reset")
    mock.add_route(SCRIPT, body=JS, headers=[("Content-Type", "application/javascript; charset=utf-8")])
    mock.add_route(STYLE, body=CSS, headers=[("Content-Type", "text/css")], gzip=True)
    # ensure_ascii: the article's characters are not in any served byte, only in the DOM.
    data = {"paragraphs": PARAGRAPHS, "related": ["/news/2025/04/17/1002.html", "/news/2025/04/18/1003.html"]}
    mock.add_route(API, body=json.dumps(data).encode(), headers=[("Content-Type", "application/json")])
    mock.add_route(SLOW_API, body=json.dumps({"paragraphs": ["迟到"], "related": []}).encode(),
                   headers=[("Content-Type", "application/json")], delay=SLOW)
    for scheme in ("http", "https"):
        mock.add_route(f"{scheme}://{HOST}/robots.txt", body=b"User-agent: *\nAllow: /\n",
                       headers=[("Content-Type", "text/plain")])


@dataclass
class Rec:
    type: str
    url: str
    headers: dict[str, str]
    http: list[tuple[str, str]]
    status: str | None
    payload: bytes
    file: str
    offset: int


@dataclass
class JsCrawl:
    crawl: Crawl
    mock: MockOutlets
    seconds: float
    records: list[Rec]

    def responses(self, url: str) -> list[Rec]:
        return [r for r in self.records if r.type == "response" and r.url == url]

    def one(self, rec_type: str, url: str) -> Rec:
        found = [r for r in self.records if r.type == rec_type and r.url == url]
        assert len(found) == 1, (rec_type, url, len(found))
        return found[0]

    def request_of(self, response: Rec) -> Rec:
        found = [r for r in self.records if r.type == "request"
                 and r.headers.get("WARC-Concurrent-To") == response.headers["WARC-Record-ID"]]
        assert len(found) == 1, response.url
        return found[0]


def read_records(paths: list[Path]) -> list[Rec]:
    out = []
    for path in paths:
        with path.open("rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                http = rec.http_headers
                out.append(Rec(
                    type=rec.rec_type, url=rec.rec_headers.get_header("WARC-Target-URI") or "",
                    headers=dict(rec.rec_headers.headers),
                    http=list(http.headers) if http is not None else [],
                    status=http.get_statuscode() if http is not None and rec.rec_type == "response" else None,
                    payload=rec.raw_stream.read(), file=path.name, offset=it.get_record_offset(),
                ))
    return out


@pytest.fixture(scope="module")
def js(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JsCrawl]:
    chromium = _chromium()
    out = tmp_path_factory.mktemp("js") / "crawl"
    with MockOutlets(outlets=[]) as mock:
        serve(mock)
        started = time.monotonic()
        crawl = run_crawl("site", out, mock.proxy_url, "-a", f"url={START}", "-a", "depth=1",
                          "-a", "render_js=1", "-o", str(out / "items.jsonl"),
                          settings={"PLAYWRIGHT_BROWSER_EXECUTABLE": chromium,
                                    "PLAYWRIGHT_IDLE_TIMEOUT": str(IDLE_TIMEOUT)})
        seconds = time.monotonic() - started
        print(f"\nJavaScript crawl: {seconds:.1f} s wall, {crawl.stats.get('elapsed_time_seconds', 0):.1f} s "
              "in the crawl")
        yield JsCrawl(crawl=crawl, mock=mock, seconds=seconds, records=read_records(crawl.warcs()))


def test_article_is_the_text_javascript_inserted(js: JsCrawl) -> None:
    items = [json.loads(line) for line in (js.crawl.out / "items.jsonl").read_text("utf-8").splitlines()]
    assert len(items) == 1  # the second page's text never arrived (see the busy-network test)
    item = items[0]
    assert item["url"] == PAGE
    assert item["title"] == "呼和浩特春季植树活动启动"
    assert item["published_at"] == "2025-04-16T10:21:00+08:00"
    assert item["text"] == "\n".join(PARAGRAPHS)
    assert item["flags"] == ["rendered"]
    assert item["charset"] == "utf-8"
    # Provenance: the DOM record it was read from, which names the HTTP document's record.
    dom = js.one("resource", "urn:dom:" + PAGE)
    assert (item["warc_file"], item["warc_offset"], item["warc_record_id"]) == (
        dom.file, dom.offset, dom.headers["WARC-Record-ID"])
    doc = js.one("response", PAGE)
    assert dom.headers["WARC-Concurrent-To"] == doc.headers["WARC-Record-ID"]
    with Store.open(js.crawl.store_uri) as store:
        rows = list(store.iter_articles())
    assert [(r["url"], r["text"], r["warc_record_id"], r["flags"]) for r in rows] == [
        (PAGE, "\n".join(PARAGRAPHS), dom.headers["WARC-Record-ID"], ["rendered"])]


def test_dom_is_a_resource_record_never_a_response(js: JsCrawl) -> None:
    dom = js.one("resource", "urn:dom:" + PAGE)
    assert dom.headers["Content-Type"] == "text/html; charset=utf-8"
    html = dom.payload.decode("utf-8")
    for text in PARAGRAPHS:
        assert f"<p>{text}</p>" in html
    assert '<a href="/news/2025/04/17/1002.html">相关新闻</a>' in html
    assert '<a href="/news/2025/04/18/1003.html">相关新闻</a>' in html
    assert sorted(r.url for r in js.records if r.type == "resource") == sorted(
        ["urn:dom:" + PAGE, "urn:dom:" + SECOND])
    for rec in js.records:
        if rec.type == "response":
            assert PARAGRAPHS[0].encode() not in rec.payload, rec.url
            assert rec.payload != dom.payload


def test_browser_exchanges_are_ordinary_pairs(js: JsCrawl) -> None:
    # Each page loads the script and style again (scrapy-playwright routes every request,
    # which turns Chromium's cache off): one capture per load, as fetched.
    for url, loads in ((PAGE, 1), (API, 1), (SECOND, 1), (SCRIPT, 2)):
        captures = js.responses(url)
        assert len(captures) == loads, url
        for resp in captures:
            assert resp.status == "200"
            assert resp.payload == js.mock.body_for(url), url
            assert resp.headers["WARC-IP-Address"] == "127.0.0.1"
            assert "WARC-Truncated" not in resp.headers
            req = js.request_of(resp)
            assert req.headers["WARC-Date"] == resp.headers["WARC-Date"]
            http = dict(req.http)
            assert http["Host"] == HOST
            agent = http.get("User-Agent") or http.get("user-agent")
            assert agent is not None and agent.startswith("nmg-news-archiver/")
    # The document request carries the crawl's headers and Chromium's own, as sent.
    doc_req = dict(js.request_of(js.one("response", PAGE)).http)
    assert doc_req["Sec-Fetch-Mode"] == "navigate"
    assert doc_req["Accept-Language"] == "en"  # Scrapy's DEFAULT_REQUEST_HEADERS
    # The redirect inside the browser: its own pair, empty body as sent (Content-Length: 0).
    hop = js.one("response", START)
    assert hop.status == "301" and hop.payload == b""
    assert ("Location", PAGE) in hop.http and "WARC-Truncated" not in hop.headers
    # Chromium hands bodies over decoded: the record says so instead of claiming gzip.
    styles = js.responses(STYLE)
    assert len(styles) == 2
    for css in styles:
        assert css.payload == gzip.decompress(js.mock.body_for(STYLE)) == CSS
        names = [name for name, _ in css.http]
        assert ("X-Crawler-Content-Encoding", "gzip") in css.http
        assert "Content-Encoding" not in names and "Content-Length" not in names
        assert ("X-Crawler-Content-Length", str(len(js.mock.body_for(STYLE)))) in css.http


def test_only_pages_go_through_the_browser(js: JsCrawl) -> None:
    """robots.txt and a non-HTML document keep Scrapy's handler; each page is fetched once."""
    served = [(m, u, s) for m, u, s in js.mock.served if HOST in u]
    # Scrapy's handler: no Sec-Fetch headers (Chromium sends them on every request).
    robots = js.one("response", f"http://{HOST}/robots.txt")  # Scrapy keys robots.txt by host
    assert "Sec-Fetch-Mode" not in dict(js.request_of(robots).http)
    # The site's sitemap.xml: the browser saw a text/plain 404, so Scrapy fetched it again and
    # archived that; the browser's copy is not archived.
    sitemap = f"http://{HOST}/sitemap.xml"
    assert [s for m, u, s in served if u == sitemap] == [404, 404]
    nf = js.one("response", sitemap)
    assert nf.status == "404" and "Sec-Fetch-Mode" not in dict(js.request_of(nf).http)
    assert js.crawl.stats["browser/refetched"] == 1
    for url in (START, PAGE, SECOND, API, SLOW_API):
        assert [u for _m, u, _s in served].count(url) == 1, url
    # Everything the site answered is archived, but the JSON the browser gave up waiting for
    # and the favicon Chromium itself may ask for (not a request of the page).
    archived = {r.url for r in js.records if r.type == "response"}
    missing = {u for _m, u, _s in served} - archived - {SLOW_API, BROKEN, f"https://{HOST}/favicon.ico"}
    assert not missing


def test_a_page_that_fails_leaves_a_sound_archive(js: JsCrawl) -> None:
    """The browser's navigation to a page whose server drops the connection fails: the spider's
    errback counts it, nothing of it is archived, and the rest of the crawl is whole (the WARC
    check below covers every file)."""
    assert [s for _m, u, s in js.mock.served if u == BROKEN][:1] == [0]
    assert js.crawl.stats["browser/page_errors"] == 1
    errors = {k: v for k, v in js.crawl.stats.items() if k.startswith("errors/site/")}
    assert errors == {"errors/site/Error": 1, "errors/site/http_404": 1}  # Playwright's Error; the sitemap
    assert not [r for r in js.records if BROKEN in r.url]


def test_busy_network_does_not_hold_the_crawl(js: JsCrawl) -> None:
    """The second page's JSON takes longer than PLAYWRIGHT_IDLE_TIMEOUT: its DOM is taken as is."""
    assert js.crawl.stats["browser/busy"] == 1
    dom = js.one("resource", "urn:dom:" + SECOND)
    assert b"<h1>" in dom.payload and "迟到".encode() not in dom.payload
    assert js.responses(SLOW_API) == []
    assert js.crawl.stats["browser/pages"] == 2
    assert js.crawl.stats["browser/dom"] == 2
    # 301, document, style, script and JSON of the first page; document, style, script of the second
    assert js.crawl.stats["browser/exchanges"] == 8


def test_warc_is_valid_and_replays(js: JsCrawl, tmp_path: Path) -> None:
    for path in js.crawl.warcs():
        check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    assert not list(js.crawl.out.glob("*.open"))
    subprocess.run([PYWB_BIN / "wb-manager", "init", "c"], cwd=tmp_path, check=True, capture_output=True)
    subprocess.run([PYWB_BIN / "wb-manager", "add", "c", *map(str, js.crawl.warcs())], cwd=tmp_path,
                   check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([PYWB_BIN / "wayback", "-b", "127.0.0.1", "-p", str(port)], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        for url in (PAGE, API, SCRIPT):
            deadline = time.monotonic() + 30
            while True:
                try:
                    with opener.open(f"http://127.0.0.1:{port}/c/2100id_/{url}", timeout=10) as resp:
                        body = resp.read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            assert body == js.mock.body_for(url), url
    finally:
        server.terminate()
        server.wait(10)
