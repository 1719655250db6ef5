"""`scrapy wacz`: WACZ 1.1.1 packages, streamed to disk, valid for py-wacz, replayable in pywb."""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import time
import tracemalloc
import urllib.request
import zipfile
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.mock import MockOutlets
from crawler.store import Store
from crawler.warc.wacz import Page, write_wacz
from tests.conftest import PYWB_BIN, REPO
from tests.test_outlets import crawl_of  # noqa: F401  (fixture)
from tests.test_replay import articles
from tests.test_replay_corpus import replay

BIN = Path(sys.executable).parent


def pywb_fetch(root: Path, coll: str, url: str) -> bytes:
    """The archived body of ``url`` as pywb replays it (``id_`` mode) from ``root/collections``."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([PYWB_BIN / "wayback", "-b", "127.0.0.1", "-p", str(port)], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with opener.open(f"http://127.0.0.1:{port}/{coll}/2100id_/{url}", timeout=10) as resp:
                    return resp.read()
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(10)


def make_wacz(crawl_out: Path, out: Path) -> subprocess.CompletedProcess[str]:
    store = f"STORE_URI=sqlite:///{crawl_out / 'articles.sqlite'}"
    return subprocess.run([sys.executable, "-m", "scrapy", "wacz", str(crawl_out), "-o", str(out),
                           "-s", store, "--title", "nmgnews"],
                          cwd=REPO, capture_output=True, text=True, check=False, timeout=300)


def test_wacz_of_a_crawl_is_valid_complete_and_replays(crawl_of, mocks: MockOutlets, tmp_path: Path) -> None:  # noqa: F811
    crawl = crawl_of("nmgnews")
    wacz = tmp_path / "nmgnews.wacz"
    proc = make_wacz(crawl.out, wacz)
    assert proc.returncode == 0, proc.stderr[-2000:]
    check = subprocess.run([BIN / "wacz", "validate", "-f", str(wacz)], capture_output=True, text=True)
    assert check.returncode == 0 and "the passed WACZ is valid" in check.stdout, check.stdout + check.stderr
    with zipfile.ZipFile(wacz) as zf:
        names = zf.namelist()
        package = json.loads(zf.read("datapackage.json"))
        digest = json.loads(zf.read("datapackage-digest.json"))
        assert digest == {"path": "datapackage.json",
                          "hash": "sha256:" + hashlib.sha256(zf.read("datapackage.json")).hexdigest()}
        assert package["wacz_version"] == "1.1.1" and package["profile"] == "data-package"
        warcs = [f"archive/{p.name}" for p in crawl.warcs()]
        assert sorted(names) == sorted([*warcs, "indexes/index.cdx", "pages/pages.jsonl", "datapackage.json",
                                        "datapackage-digest.json"])
        for res in package["resources"]:
            data = zf.read(res["path"])
            assert res["bytes"] == len(data) and res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        for name in warcs:
            assert zf.getinfo(name).compress_type == zipfile.ZIP_STORED
            assert zf.read(name) == (crawl.out / name.split("/")[1]).read_bytes()
        index = zf.read("indexes/index.cdx")
        assert index == next((crawl.out / "indexes").glob("*.cdxj")).read_bytes()
        lines = [json.loads(x) for x in zf.read("pages/pages.jsonl").decode("utf-8").splitlines()]
    assert lines[0] == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    with Store.open(crawl.store_uri) as store:
        stored = {a["url"]: a for a in store.iter_articles()}
    assert {p["url"]: p["title"] for p in lines[1:]} == {u: a["title"] for u, a in stored.items()}
    assert all(len(p["ts"]) == 20 and p["ts"].endswith("Z") for p in lines[1:])
    # pywb 2.10 loads the WACZ and replays an article byte for byte
    subprocess.run([PYWB_BIN / "wb-manager", "init", "w"], cwd=tmp_path, check=True, capture_output=True)
    # pywb 2.10 reads a WACZ with --unpack-wacz: it copies the WARCs out and merges our index.cdx
    subprocess.run([PYWB_BIN / "wb-manager", "add", "--unpack-wacz", "w", str(wacz)], cwd=tmp_path,
                   check=True, capture_output=True)
    url = lines[1]["url"]
    assert pywb_fetch(tmp_path, "w", url) == mocks.body_for(url)
    # and our own replay reads it in place: the same articles, provenance included
    out = tmp_path / "replay"
    rep = replay([wacz], out, mocks.proxy_url)
    assert rep.returncode == 0, rep.stderr[-2000:]
    assert articles(f"sqlite:///{out / 'articles.sqlite'}") == articles(crawl.store_uri)


def test_packaging_streams_instead_of_reading_files_into_memory(tmp_path: Path) -> None:
    warc = tmp_path / "big.warc.gz"
    body = os.urandom(24 << 20)  # incompressible, 24 MB
    with warc.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "application/pdf")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("https://epaper.example.cn/a.pdf", "response",
                                            payload=io.BytesIO(body), length=len(body), http_headers=http))
    del body
    tracemalloc.start()
    write_wacz(tmp_path / "big.wacz", [warc], [Page("https://epaper.example.cn/a.pdf", "", "PDF")])
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = warc.stat().st_size
    assert peak < 8 << 20, f"peak {peak / 1e6:.1f} MB while packaging a {size / 1e6:.0f} MB WARC"
    with zipfile.ZipFile(tmp_path / "big.wacz") as zf:
        assert zf.getinfo(f"archive/{warc.name}").file_size == warc.stat().st_size
