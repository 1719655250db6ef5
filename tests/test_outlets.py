"""One test over every outlet: crawl its mock, compare each article with its expected JSON,
and check that the archive holds every fetch and the store points at the right records.

An outlet is ``tests/outlets/<spider>/`` with ``site.json``, its pages and ``expected/*.json``.
An optional ``crawl.json`` says how to crawl it when its name is not a spider's or the spider
needs arguments: ``{"spider": "site", "args": {"url": "http://…/", "scope": "host"}}`` (both
keys optional; ``spider`` defaults to the directory name). ``scrapy demo`` reads it too.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.mock import MockOutlets
from crawler.store import Store
from tests.conftest import OUTLETS, PYWB_BIN, Crawl, run_crawl

OUTLET_NAMES = sorted(p.name for p in OUTLETS.iterdir() if (p / "expected").is_dir())
_CRAWLS: dict[str, Crawl] = {}


def crawl_spec(outlet: str) -> tuple[str, list[str]]:
    """The spider that crawls ``outlet`` and its ``-a`` arguments, from its crawl.json if any."""
    path = OUTLETS / outlet / "crawl.json"
    spec = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    args = [part for key, value in spec.get("args", {}).items() for part in ("-a", f"{key}={value}")]
    return spec.get("spider", outlet), args


def expected_articles(outlet: str) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((OUTLETS / outlet / "expected").glob("*.json"))]


@pytest.fixture(scope="module")
def crawl_of(mocks: MockOutlets, tmp_path_factory: pytest.TempPathFactory):
    """Crawl an outlet's mock once per test module (with a feed export alongside)."""

    def get(outlet: str) -> Crawl:
        if outlet not in _CRAWLS:
            out = tmp_path_factory.mktemp(f"crawl-{outlet}")
            start = len(mocks.served)
            spider, args = crawl_spec(outlet)
            crawl = run_crawl(spider, out, mocks.proxy_url, *args, "-o", str(out / "items.jsonl"))
            crawl.served = list(mocks.served[start:])  # type: ignore[attr-defined]
            _CRAWLS[outlet] = crawl
        return _CRAWLS[outlet]

    return get


def _warc_index(crawl: Crawl) -> dict[str, list[tuple[str, dict, object]]]:
    """URL → [(record type, warc headers, http headers)] over all WARC files of the crawl."""
    index: dict[str, list] = {}
    for path in crawl.warcs():
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                url = rec.rec_headers.get_header("WARC-Target-URI")
                if url:
                    index.setdefault(url, []).append((rec.rec_type, rec.rec_headers, rec.http_headers))
    return index


@pytest.mark.parametrize("outlet", OUTLET_NAMES)
def test_every_article_every_field(outlet: str, crawl_of) -> None:
    crawl = crawl_of(outlet)
    with Store.open(crawl.store_uri) as store:
        # The crawl has a store of its own; the site spider names articles by domain, not "mirror".
        stored = {a["url"]: a for a in store.iter_articles()}
        for exp in expected_articles(outlet):
            got = stored.get(exp["url"])
            assert got is not None, f"{exp['url']} not stored; stored: {sorted(stored)}"
            for key, value in exp.items():
                if key.startswith("_"):  # metadata of the fixture (``_crawl_only``), not a field
                    continue
                assert got[key] == value, f"{exp['url']} field {key!r}"
    spider, _args = crawl_spec(outlet)
    assert crawl.stats.get(f"drift/{spider}", 0) == 0, "template drift on the outlet's own mock"


@pytest.mark.parametrize("outlet", OUTLET_NAMES)
def test_archive_is_complete_and_valid(outlet: str, crawl_of) -> None:
    crawl = crawl_of(outlet)
    index = _warc_index(crawl)
    served = {url for _method, url, _status in crawl.served}  # type: ignore[attr-defined]
    assert served, "the crawl made no request"
    missing = sorted(u for u in served if not any(t == "response" for t, _w, _h in index.get(u, [])))
    assert not missing, f"fetched but not archived: {missing}"
    for url, recs in index.items():
        types = sorted(t for t, _w, _h in recs)
        assert types.count("request") == types.count("response"), url
    assert any(u.endswith("/robots.txt") for u in index), "robots.txt fetches are archived"
    statuses = {h.get_statuscode() for recs in index.values() for t, _w, h in recs if t == "response"}
    assert {"200", "301", "404"} <= statuses
    for path in crawl.warcs():
        check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        with gzip.open(path) as fh:
            assert fh.read(9) == b"WARC/1.1\r"
    assert not list(crawl.out.glob("*.open"))


@pytest.mark.parametrize("outlet", OUTLET_NAMES)
def test_store_points_at_the_right_records(outlet: str, crawl_of, mocks: MockOutlets) -> None:
    crawl = crawl_of(outlet)
    with Store.open(crawl.store_uri) as store:
        articles = list(store.iter_articles())
    assert articles
    for art in articles:
        path = crawl.out / art["warc_file"]
        with path.open("rb") as fh:
            fh.seek(art["warc_offset"])
            rec = next(iter(ArchiveIterator(fh)))
            assert rec.rec_type == "response"
            assert rec.rec_headers.get_header("WARC-Record-ID") == art["warc_record_id"]
            assert rec.rec_headers.get_header("WARC-Target-URI") == art["url"]
            assert rec.raw_stream.read() == mocks.body_for(art["url"])


@pytest.mark.parametrize("outlet", OUTLET_NAMES)
def test_feed_export(outlet: str, crawl_of) -> None:
    crawl = crawl_of(outlet)
    lines = [json.loads(line) for line in (crawl.out / "items.jsonl").read_text("utf-8").splitlines()]
    urls = {exp["url"] for exp in expected_articles(outlet)}
    assert urls <= {item["url"] for item in lines}
    assert all("body_html" not in item for item in lines)
    assert all(item["text"] and item["title"] for item in lines)


@pytest.mark.parametrize("outlet", OUTLET_NAMES)
def test_pywb_replays_archived_pages(outlet: str, crawl_of, mocks: MockOutlets, tmp_path: Path) -> None:
    """pywb indexes the crawl's WARC files and replays articles byte for byte (``id_`` mode)."""
    import socket
    import time
    import urllib.request

    crawl = crawl_of(outlet)
    bindir = PYWB_BIN
    subprocess.run([bindir / "wb-manager", "init", "c"], cwd=tmp_path, check=True, capture_output=True)
    subprocess.run([bindir / "wb-manager", "add", "c", *map(str, crawl.warcs())], cwd=tmp_path,
                   check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([bindir / "wayback", "-b", "127.0.0.1", "-p", str(port)], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        urls = [exp["url"] for exp in expected_articles(outlet)][:3]
        for url in urls:
            replay = f"http://127.0.0.1:{port}/c/2100id_/{url}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    with opener.open(replay, timeout=10) as resp:
                        body = resp.read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            assert body == mocks.body_for(url), url
    finally:
        server.terminate()
        server.wait(10)
