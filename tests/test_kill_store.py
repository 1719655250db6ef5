"""A crawl killed (SIGKILL) mid-run leaves the store consistent with the archive.

Whatever the store cites (an article's WARC record, a capture's record) must exist, complete
and with valid digests, once `scrapy mend` has closed the files the crawl left ``.open``; no
row is half-written (an article without its fingerprint or images, an FTS index out of step).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.dedupe import MIN_CHARS, normalise
from crawler.mock import MockOutlets
from crawler.store import Store
from tests.conftest import FAST, REPO, proxy_env

SLOW = "https://inews.nmgnews.com.cn/system/2025/09/03/030221196.shtml"
#: Seconds the slow page holds the crawl (it is killed long before).
HOLD = 300.0
WAIT_LIMIT = 120.0


def _count(db: Path, table: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not migrated yet


def _check_record(archive: Path, warc_file: str, offset: int, record_id: str) -> None:
    """The record exists in a closed file, at that offset, complete, with valid digests."""
    path = archive / warc_file
    assert path.is_file(), f"{warc_file} cited by the store is not in the archive"
    with path.open("rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh, check_digests=True)))
        assert record.rec_headers.get_header("WARC-Record-ID") == record_id
        while record.content_stream().read(1 << 16):
            pass
        assert record.digest_checker.passed is not False, record.digest_checker.problems


@pytest.mark.parametrize("after", [("captures", 3), ("articles", 4)], ids=["early", "mid"])
def test_kill_mid_crawl_leaves_store_and_archive_consistent(tmp_path: Path, after: tuple[str, int]) -> None:
    out = tmp_path / "archive"
    db = out / "articles.sqlite"
    table, wanted = after
    with MockOutlets(outlets=["nmgnews"]) as mock:
        route = mock.route_for(SLOW)
        mock.add_route(SLOW, body=route.body, headers=list(route.headers), delay=HOLD)
        cmd = [sys.executable, "-m", "scrapy", "crawl", "nmgnews"]
        for key, value in {**FAST, "ARCHIVE_DIR": str(out), "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}.items():
            cmd += ["-s", f"{key}={value}"]
        proc = subprocess.Popen(cmd, cwd=REPO, env=proxy_env(mock.proxy_url), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
        try:
            deadline = time.monotonic() + WAIT_LIMIT
            while _count(db, table) < wanted:
                assert proc.poll() is None, proc.stderr.read().decode()[-3000:] if proc.stderr else ""
                assert time.monotonic() < deadline, f"the crawl stored no {wanted} {table} in {WAIT_LIMIT}s"
                time.sleep(0.05)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # the crawl and its extraction workers
            proc.wait(timeout=30)
            if proc.stderr:
                proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert list(out.glob("*.warc.gz.open")), "the killed crawl should leave its WARC file open"

    mend = subprocess.run([sys.executable, "-m", "scrapy", "mend", "-s", f"ARCHIVE_DIR={out}"], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    assert mend.returncode == 0, mend.stdout + mend.stderr
    assert not list(out.glob("*.warc.gz.open"))

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    with Store.open(f"sqlite:///{db}") as store:
        articles = list(store.iter_articles())
        captures = list(store.iter_captures())
        assert len(captures) >= wanted if table == "captures" else len(articles) >= wanted
        for capture in captures:
            _check_record(out, capture.warc_file, capture.warc_offset, capture.record_id)
        for article in articles:
            _check_record(out, article["warc_file"], article["warc_offset"], article["warc_record_id"])
            assert any(c.record_id == article["warc_record_id"] for c in store.captures_of(article["url"]))
            assert store.search(article["title"].split()[0][:12])  # in the search index
        with store.engine.connect() as conn:
            fingerprinted = {row[0] for row in conn.exec_driver_sql("SELECT article_id FROM fingerprints")}
            bands = dict(conn.exec_driver_sql(
                "SELECT article_id, count(*) FROM minhash_bands GROUP BY article_id").fetchall())
        long_enough = {a["id"] for a in articles if len(normalise(a["text"])) >= MIN_CHARS}
        assert fingerprinted == long_enough
        assert set(bands) == long_enough and set(bands.values()) <= {42}
