"""A full disk while writing the WARC files or the store: the crawl stops cleanly, with a clear
message; files stay valid; nothing half-written is left behind as if complete.

The disk is a real small filesystem: a tmpfs mounted for the test (root is needed: CI runs as
root; elsewhere the tests skip with the reason, but under CI=true they fail loudly).
"""

from __future__ import annotations

import errno
import json
import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.mock import MockOutlets
from crawler.warc.files import WarcRotator, WarcWriteError
from crawler.warc.records import build_pair, request_headers, response_headers
from tests.archive_checks import archive_records, index_urls, store_agrees
from tests.conftest import FAST, REPO, proxy_env

BASE = "http://inews.nmgnews.com.cn"
LIST = f"{BASE}/diskfull/"
PAGES = 40


@contextmanager
def small_fs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` for the block; unmounted after."""
    where.mkdir(parents=True, exist_ok=True)
    try:
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
                             capture_output=True, text=True, check=False)
        problem = res.stderr.strip() or f"exit {res.returncode}" if res.returncode else ""
    except FileNotFoundError as exc:
        problem = str(exc)
    if problem:
        reason = f"cannot mount a {size} tmpfs at {where} ({problem}): needs root (CAP_SYS_ADMIN)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the disk-full tests: {reason}")
        pytest.skip(reason)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False, capture_output=True)


def _pair(rot: WarcRotator, i: int, body: bytes) -> list:
    info = rot.prepare()
    url = f"{BASE}/system/2025/06/01/0310{i:05d}.shtml"
    return list(build_pair(
        rot.builder, url=url, date=datetime(2025, 6, 1, 8, 0, i % 60, tzinfo=UTC),
        response_http=response_headers(200, "HTTP/1.1", [(b"Content-Type", [b"text/html"])]),
        response_body=body, warcinfo_id=info,
        request_http=request_headers("GET", url, [], "HTTP/1.1"), request_body=b""))


def test_rotator_on_a_full_disk_keeps_every_complete_record(tmp_path: Path) -> None:
    rng = random.Random(28)
    with small_fs(tmp_path / "fs", "256k") as fs:
        rot = WarcRotator(fs, prefix="full", warcinfo={"software": "t", "isPartOf": "full-1"})
        bodies: list[bytes] = []
        with pytest.raises(WarcWriteError) as info:
            for i in range(100):  # 256 KiB hold about 12 pages of 20 kB that do not compress
                body = rng.randbytes(20_000)
                rot.write_group(_pair(rot, i, body))
                bodies.append(body)
        err = info.value
        (warc,) = fs.glob("*.warc.gz")
        assert err.errno == errno.ENOSPC and err.disk_full and err.kept == warc
        assert str(err).startswith(f"cannot write WARC file {warc.name} in {fs}: No space left on device; "
                                   "cut after its last complete record")
        assert 5 <= len(bodies) < 100 and not list(fs.glob("*.open"))
        # every complete pair reads back byte for byte; the one being written is gone
        with warc.open("rb") as fh:
            read = [(r.rec_type, r.content_stream().read()) for r in ArchiveIterator(fh)]
        assert [t for t, _ in read] == ["warcinfo"] + ["response", "request"] * len(bodies)
        assert [b for t, b in read if t == "response"] == bodies
        records = archive_records(fs)
        assert len(records) == 1 + 2 * len(bodies)
        # its CDXJ sidecar holds exactly the complete responses
        (sidecar,) = rot.closed_indexes
        assert len(sidecar.read_text().splitlines()) == len(bodies) and index_urls(fs) == sorted(
            r.url for r in records.values() if r.rec_type in ("response", "revisit"))
        # nothing more is written, not even after space comes back
        (fs / "filler").unlink(missing_ok=True)
        with pytest.raises(WarcWriteError, match="WARC writing stopped after an earlier error"):
            rot.prepare()
        assert rot.close() is None and sorted(p.name for p in fs.iterdir()) == sorted(
            [warc.name, sidecar.name])


def test_full_before_the_first_record_leaves_an_invalid_file_not_a_warc(tmp_path: Path) -> None:
    with small_fs(tmp_path / "fs", "64k") as fs:
        filler = fs / "filler"
        with pytest.raises(OSError) as full, filler.open("wb") as fh:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
        assert full.value.errno == errno.ENOSPC
        rot = WarcRotator(fs, prefix="empty", warcinfo={"software": "t", "isPartOf": "e-1"})
        with pytest.raises(WarcWriteError) as info:
            rot.prepare()
        err = info.value
        assert err.disk_full and err.kept is not None and err.kept.name.endswith(".warc.gz.invalid")
        assert "no complete record: renamed" in str(err)
        assert not list(fs.glob("*.warc.gz")) and not list(fs.glob("*.open")) and not list(fs.glob("*.cdxj*"))
        assert rot.closed_files == [] and rot.records_written == 0 and rot.bytes_written == 0


# -- whole crawls ---------------------------------------------------------------------------------

def _article(i: int, text: str) -> bytes:
    title = f"满盘测试稿件第{i}号"
    return (
        f"<html><head><title>{title}-内蒙古新闻网</title></head><body>"
        '<div class="crumbs">首页 > 内蒙古新闻 > 正文</div>'
        f'<h1 class="article-title">{title}</h1>'
        '<div class="article-infos"><time class="date">2025年06月01日 09:30</time>'
        ' <span class="source">来源：内蒙古日报</span></div>'
        f'<div class="article-content"><p>{text}</p></div></body></html>'
    ).encode()


def _install(mocks: MockOutlets, chars: int) -> list[str]:
    """A column of PAGES articles, each with ``chars`` random Chinese characters (compress poorly)."""
    rng = random.Random(chars)
    urls = [f"{BASE}/system/2025/06/01/0320{i:05d}.shtml" for i in range(PAGES)]
    links = "".join(f'<li><a href="{u}">x</a></li>' for u in urls)
    mocks.add_route(LIST, body=f"<html><body><ul>{links}</ul></body></html>".encode())
    for i, url in enumerate(urls):
        text = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(chars))
        mocks.add_route(url, body=_article(i, text))
    return urls


def _crawl(mocks: MockOutlets, archive: Path, store_uri: str,
           stats: Path) -> subprocess.CompletedProcess[str]:
    settings = {**FAST, "CONCURRENT_REQUESTS_PER_DOMAIN": "2", "ARCHIVE_DIR": str(archive),
                "STORE_URI": store_uri, "STATS_FILE": str(stats)}
    cmd = [sys.executable, "-m", "scrapy", "crawl", "nmgnews", "-a", f"columns={LIST}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return subprocess.run(cmd, cwd=REPO, env=proxy_env(mocks.proxy_url), capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.mark.slow
def test_warc_disk_full_stops_the_crawl_cleanly(mocks: MockOutlets, tmp_path: Path) -> None:
    urls = _install(mocks, 6_000)  # about 18 kB a page; 256 KiB fill after some 15 pages
    store_uri = f"sqlite:///{tmp_path / 'articles.sqlite'}"
    with small_fs(tmp_path / "fs", "256k") as fs:
        proc = _crawl(mocks, fs, store_uri, tmp_path / "stats.json")
        stats = json.loads((tmp_path / "stats.json").read_text())
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert stats["finish_reason"] == "disk_full"
        assert "WARC writing failed at <" in proc.stderr and "No space left on device" in proc.stderr
        assert "Stopping the crawl (disk_full)" in proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
        records = archive_records(fs)  # no .open file, every record valid
        assert not list(fs.glob("*.tmp*")) and not list(fs.glob("indexes/*.tmp*"))
        archived = {r.url for r in records.values() if r.rec_type == "response"}
        stored = store_agrees(store_uri, records)
        assert 3 <= len(stored) < PAGES and {a["url"] for a in stored} <= archived & set(urls)
        # the index (merged, or the sidecars when even that did not fit) lists every response kept
        assert index_urls(fs) == sorted(
            r.url for r in records.values() if r.rec_type in ("response", "revisit"))
        assert stats["warc/write_errors"] >= 1


@pytest.mark.slow
def test_store_disk_full_stops_the_crawl_cleanly(mocks: MockOutlets, tmp_path: Path) -> None:
    urls = _install(mocks, 8_000)
    archive = tmp_path / "archive"
    with small_fs(tmp_path / "db", "1m") as db:  # the schema, then 2-3 articles of 8000 characters
        store_uri = f"sqlite:///{db / 'articles.sqlite'}"
        proc = _crawl(mocks, archive, store_uri, tmp_path / "stats.json")
        stats = json.loads((tmp_path / "stats.json").read_text())
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert stats["finish_reason"] == "disk_full", proc.stderr[-3000:]
        assert "The article store is full" in proc.stderr and "database or disk is full" in proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
        # the database is intact and every row it holds is whole and points into the archive
        with sqlite3.connect(db / "articles.sqlite") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        records = archive_records(archive)
        stored = store_agrees(store_uri, records)
        assert 1 <= len(stored) < PAGES and {a["url"] for a in stored} <= set(urls)
        assert all(len(a["text"]) >= 8_000 for a in stored)
        assert stats.get("store/disk_full")
