"""Archives written by other tools, and broken ones, replay: same articles, damage reported.

The corpus (tests/corpus/build.py) holds the nmgnews mock's pages as wget, warcprox, pywb,
Browsertrix, ArchiveWeb.page and Heritrix write them, plus broken records; a wget run
against the mocks adds a real third-party archive.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.mock import MockOutlets
from crawler.replay.archive import Archive
from crawler.replay.body import scrapy_reads_brotli
from crawler.store import Store
from tests.conftest import REPO, proxy_env
from tests.corpus.build import write_other_tools
from tests.test_outlets import expected_articles

#: Fields that name the WARC record: they differ from the live crawl's by nature.
PROVENANCE = ("warc_file", "warc_offset", "warc_record_id")


def replay(paths: list[Path], out: Path, proxy_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``scrapy replay`` in a subprocess, with the proxy env pointing at the mocks (to catch leaks)."""
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "scrapy", "replay", *map(str, paths), *args,
           "-s", f"ARCHIVE_DIR={out}", "-s", f"STATS_FILE={out / 'stats.json'}", "-s", "LOG_LEVEL=INFO"]
    return subprocess.run(cmd, cwd=REPO, env=proxy_env(proxy_url), capture_output=True, text=True,
                          timeout=300, check=False)


COLUMNS = ("served", "not archived", "variants", "revisits", "articles", "leaked")


def summary_rows(stdout: str) -> dict[str, dict[str, int]]:
    """The per-crawl table of the replay summary: label -> column -> count."""
    rows: dict[str, dict[str, int]] = {}
    for line in stdout.splitlines():
        parts = line.rsplit(None, len(COLUMNS))
        if len(parts) == len(COLUMNS) + 1 and all(p.isdigit() for p in parts[1:]):
            rows[parts[0].strip()] = dict(zip(COLUMNS, map(int, parts[1:]), strict=True))
    return rows


def assert_expected_articles(store_uri: str, outlet: str = "nmgnews") -> None:
    with Store.open(store_uri) as store:
        stored = {a["url"]: a for a in store.iter_articles(outlet)}
    for exp in expected_articles(outlet):
        got = stored.get(exp["url"])
        assert got is not None, f"{exp['url']} not replayed; got {sorted(stored)}"
        for key, value in exp.items():
            if key not in PROVENANCE:
                assert got[key] == value, f"{exp['url']} field {key!r}"


def test_corpus_of_other_writers_and_broken_files_replays(mocks: MockOutlets, tmp_path: Path) -> None:
    corpus = write_other_tools(tmp_path / "corpus")
    before = len(mocks.served)
    proc = replay([corpus.directory], tmp_path / "out", mocks.proxy_url)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(mocks.served) == before, "a replay sent requests to the (mock) network"
    assert_expected_articles(f"sqlite:///{tmp_path / 'out' / 'articles.sqlite'}")
    for name, offset, words in corpus.problems:  # every broken record named by file and offset
        line = next((ln for ln in proc.stdout.splitlines() if f"{name} @{offset}:" in ln), None)
        assert line is not None, f"{name} @{offset} not reported:\n{proc.stdout}"
        assert words in line, line
    assert f"{len(corpus.problems)} broken records (skipped)" in proc.stdout
    row = summary_rows(proc.stdout)["nmgnews (URL)"]
    assert row["revisits"] == 5 and row["leaked"] == 0 and row["not archived"] == 1  # the dead link


def test_every_kind_of_file_is_read(tmp_path: Path) -> None:
    """Revisits resolve across files, bodies decode, ARC and whole-file gzip read."""
    corpus = write_other_tools(tmp_path)
    archive = Archive.build([tmp_path])
    from tests.corpus import build

    routes = build.routes()
    for url in [*build.REVISIT_10, *build.REVISIT_018, build.BROWSERTRIX_REVISIT, build.CHUNKED,
                build.BROTLI, build.DEFLATE, build.CHUNKED_GZIP, *build.WHOLE, build.ARC, build.BROWSERTRIX]:
        capture, how = archive.lookup(url)
        assert capture is not None and how == "exact", url
        assert capture.source.name != "wget-1.0.warc.gz", f"{url}: the later capture must win"
        got = archive.load(capture)
        body = got.body
        encoding = dict((k.lower(), v) for k, v in got.headers).get("content-encoding")
        if url == build.BROTLI and not scrapy_reads_brotli():  # decoded by the replay itself
            assert ("X-Archived-Content-Encoding", "br") in got.headers and encoding is None
        if encoding == "br":
            import brotli
            body = brotli.decompress(body)
        elif encoding == "deflate":
            import zlib
            body = zlib.decompress(body)
        expected = routes[url].wire_body
        if routes[url].headers and ("Content-Encoding", "gzip") in routes[url].headers:
            assert encoding == "gzip"
        assert body == expected, url
        if capture.rec_type == "revisit":
            assert got.revisit_of is not None and got.revisit_of.source.name == "wget-1.0.warc.gz"
    for url in build.BROKEN:  # broken latest captures skipped: the earlier good one answers
        capture, _ = archive.lookup(url)
        assert capture is not None and capture.source.name not in ("broken.warc.gz", "broken-plain.warc")
    assert sorted((p.label.rsplit("/", 1)[-1], p.offset) for p in archive.problems) == sorted(
        (n, o) for n, o, _w in corpus.problems)


def test_url_variants_resolve(tmp_path: Path) -> None:
    write_other_tools(tmp_path)
    archive = Archive.build([tmp_path])
    url = "https://inews.nmgnews.com.cn/system/2025/04/16/030187652.shtml"
    for variant, how in ((url.replace("https:", "http:"), "scheme"), (url + "?v=1", "query"),
                         (url.replace("inews.", "INEWS."), "surt")):
        capture, found = archive.lookup(variant)
        assert capture is not None and capture.url == url and found == how, variant
    never = "https://inews.nmgnews.com.cn/system/2025/01/01/000000000.shtml"
    assert archive.lookup(never) == (None, "missing")


def _need_wget() -> str:
    wget = shutil.which("wget")
    if wget is None:
        message = "wget is not installed (make test installs it: apt-get install -y wget)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return wget


def test_wget_archive_of_the_mocks_replays(mocks: MockOutlets, tmp_path: Path) -> None:
    wget = _need_wget()
    work = tmp_path / "wget"
    work.mkdir()
    columns = ["https://inews.nmgnews.com.cn/nmgxw/", "https://china.nmgnews.com.cn/ywsd/",
               "http://ztpd.nmgnews.com.cn/cxzy/cxzyjxs/"]
    # --compression=auto: wget reads links out of the gzip-encoded column page too
    proc = subprocess.run([wget, "-r", "-l", "8", "-H", "-D", "nmgnews.com.cn", "--no-check-certificate",
                           "--compression=auto",
                           "-e", "robots=on", "--warc-file=mocks", "--no-warc-keep-log", "-q", *columns],
                          cwd=work, env=proxy_env(mocks.proxy_url), capture_output=True, text=True,
                          timeout=300, check=False)
    warc = work / "mocks.warc.gz"
    assert warc.exists(), proc.stderr[-2000:]
    before = len(mocks.served)
    out = replay([warc], tmp_path / "out", mocks.proxy_url)
    assert out.returncode == 0, out.stderr[-3000:]
    assert len(mocks.served) == before
    assert re.search(r"nmgnews \(URL\)", out.stdout), out.stdout  # the spider found from the URLs
    assert_expected_articles(f"sqlite:///{tmp_path / 'out' / 'articles.sqlite'}")


UNKNOWN_ARTICLE = """<html><head><meta charset="utf-8"><title>锡林郭勒草原迎来返青期 - 草原日报</title>
<meta name="pubdate" content="2025-05-06 09:10"><meta name="author" content="乌云"></head>
<body><div class="nav"><a href="/">首页</a></div><h1>锡林郭勒草原迎来返青期</h1>
<div class="content"><p>近日，锡林郭勒盟各旗县草原陆续进入返青期，牧民们开始为春季放牧做准备。</p>
<p>据气象部门介绍，今年春季降水偏多，草原返青情况好于往年，牧草长势良好。</p></div></body></html>"""
UNKNOWN_MENU = """<html><head><meta charset="utf-8"><title>草原日报 - 首页</title></head>
<body><ul><li><a href="/a.html">新闻</a></li><li><a href="/b.html">图片</a></li></ul></body></html>"""


def test_pages_no_spider_visits_go_to_extract_page_or_the_generic_extractor(
        mocks: MockOutlets, tmp_path: Path) -> None:
    """An archive of bare article pages (no column pages): extract_page, later pages fetched."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from tests.corpus.build import routes

    by_url = routes()
    multi = "http://inews.nmgnews.com.cn/system/2019/07/05/012739043"
    wanted = [f"{multi}.shtml", f"{multi}_02.shtml", f"{multi}_03.shtml",
              "https://inews.nmgnews.com.cn/system/2025/04/16/030187652.shtml"]
    path = tmp_path / "pages.warc.gz"
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for url in wanted:
            route = by_url[url]
            http = StatusAndHeaders("200 OK", list(route.headers), protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(route.wire_body),
                                                length=len(route.wire_body), http_headers=http))
        for url, html in (("https://www.caoyuan.example.cn/2025/05/06/a.html", UNKNOWN_ARTICLE),
                          ("https://www.caoyuan.example.cn/", UNKNOWN_MENU)):
            body = html.encode()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                    protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                http_headers=http))
    proc = replay([path], tmp_path / "out", mocks.proxy_url)
    assert proc.returncode == 0, proc.stderr[-3000:]
    store_uri = f"sqlite:///{tmp_path / 'out' / 'articles.sqlite'}"
    with Store.open(store_uri) as store:
        got = {a["url"]: a for a in store.iter_articles()}
    assert sorted(got) == sorted([wanted[0], wanted[3], "https://www.caoyuan.example.cn/2025/05/06/a.html"])
    for exp in expected_articles("nmgnews"):
        if exp["url"] in got:
            for key, value in exp.items():
                assert got[exp["url"]][key] == value, (exp["url"], key)
    generic = got["https://www.caoyuan.example.cn/2025/05/06/a.html"]
    assert generic["outlet"] == "caoyuan.example.cn" and generic["title"] == "锡林郭勒草原迎来返青期"
    assert generic["published_at"] == "2025-05-06T09:10:00+08:00" and "返青" in generic["text"]
    assert generic["warc_file"] == "pages.warc.gz"
