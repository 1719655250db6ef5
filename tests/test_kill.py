"""``kill -9`` at random points of a crawl loses nothing that was complete.

Two kills: of the crawl's whole process group (the OOM killer, a power cut of the tree),
which leaves the WARC file ``.open`` for ``scrapy mend`` to cut after its last complete
record; and of the crawl process alone, after which its WARC writer process
(crawler/warc/writer.py) finishes what it was handed and closes the file itself. After
each: every record is valid (digests included), every stored article cites an existing
complete record of its own URL, and a re-crawl into the same archive and store completes the
set with no duplicate article. The kill points are drawn from a seeded RNG (pages served
before the kill), so a failure replays exactly.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.mock import MockOutlets
from tests.archive_checks import archive_records, index_urls, store_agrees
from tests.conftest import FAST, REPO, proxy_env

SEED = 20261123
BASE = "http://inews.nmgnews.com.cn"
LIST = f"{BASE}/killed/"
BIG_LIST = f"{BASE}/killed-big/"
ARTICLES = 24


def _article(i: int, extra: str = "") -> bytes:
    title = f"中断测试稿件第{i}号"
    text = f"呼和浩特市第{i}次试验：强行终止的抓取不丢失任何完整记录。" * 6
    return (
        f"<html><head><title>{title}-内蒙古新闻网</title></head><body>"
        '<div class="crumbs">首页 > 内蒙古新闻 > 正文</div>'
        f'<h1 class="article-title">{title}</h1>'
        '<div class="article-infos"><time class="date">2025年07月01日 10:00</time>'
        ' <span class="source">来源：内蒙古日报</span></div>'
        f'<div class="article-content"><p>{text}</p></div>{extra}</body></html>'
    ).encode()


def _install(mocks: MockOutlets) -> list[str]:
    urls = [f"{BASE}/system/2025/07/01/0330{i:05d}.shtml" for i in range(ARTICLES)]
    links = "".join(f'<li><a href="{u}">x</a></li>' for u in urls)
    mocks.add_route(LIST, body=f"<html><body><ul>{links}</ul></body></html>".encode())
    for i, url in enumerate(urls):
        mocks.add_route(url, body=_article(i), delay=0.25)  # pages keep coming while we kill
    return urls


def _start(mocks: MockOutlets, out: Path, column: str) -> subprocess.Popen[bytes]:
    settings = {**FAST, "CONCURRENT_REQUESTS_PER_DOMAIN": "2", "ARCHIVE_DIR": str(out), "STATS_FILE": ""}
    cmd = [sys.executable, "-m", "scrapy", "crawl", "nmgnews", "-a", f"columns={column}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    with (out.parent / "crawl.log").open("ab") as log:  # the child keeps its own copy of the fd
        return subprocess.Popen(cmd, cwd=REPO, env=proxy_env(mocks.proxy_url), stdout=subprocess.DEVNULL,
                                stderr=log, start_new_session=True)  # its own group, to kill whole


def _kill(proc: subprocess.Popen[bytes], *, group: bool) -> None:
    """``kill -9`` the crawl process, or its whole process group (writer and workers too)."""
    if group:
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL


def _closed_by_the_writer(out: Path) -> None:
    """The crawl alone was killed: its WARC writer closes the file (no ``.open``) by itself."""
    deadline = time.monotonic() + 60
    while list(out.glob("*.open")):  # the WARC file and its index sidecar
        assert time.monotonic() < deadline, "the WARC writer did not close the file of its killed crawl"
        time.sleep(0.05)


def _reap(proc: subprocess.Popen[bytes]) -> None:
    """Whatever of the crawl's process group outlived it (extraction workers, store writer)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _mend(out: Path) -> str:
    res = subprocess.run([sys.executable, "-m", "scrapy", "mend", str(out), "-s", f"ARCHIVE_DIR={out}"],
                         cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stdout + res.stderr[-2000:]
    return res.stdout


def _served(mocks: MockOutlets, urls: set[str]) -> int:
    return sum(1 for _m, u, _s in mocks.served if u in urls)


@pytest.mark.slow
def test_kill_9_at_random_points_then_mend_and_recrawl(mocks: MockOutlets, tmp_path: Path) -> None:
    urls = _install(mocks)
    out = tmp_path / "archive"
    store_uri = f"sqlite:///{out / 'articles.sqlite'}"
    points = sorted(random.Random(SEED).sample(range(2, ARTICLES - 4), 4))
    kept_before: set[str] = set()
    for n, k in enumerate(points):
        mocks.clear_served()
        proc = _start(mocks, out, LIST)
        deadline = time.monotonic() + 120
        while _served(mocks, set(urls)) < k:
            assert proc.poll() is None, (tmp_path / "crawl.log").read_text()[-3000:]
            assert time.monotonic() < deadline, f"the crawl never served {k} articles"
            time.sleep(0.02)
        group = n % 2 == 0
        _kill(proc, group=group)
        if group:
            assert list(out.glob("*.warc.gz.open")), "killed with its writer: its WARC file is still .open"
            report = _mend(out)
            assert "mended:" in report or "complete:" in report, report
        else:
            _closed_by_the_writer(out)
            assert "Nothing to mend" in _mend(out)
        _reap(proc)
        records = archive_records(out)  # nothing .open, every record valid
        stored = store_agrees(store_uri, records)
        now = {a["url"] for a in stored}
        assert kept_before <= now, "an article stored before a kill was lost"
        kept_before = now
        assert index_urls(out) == sorted(
            r.url for r in records.values() if r.rec_type in ("response", "revisit"))

    # a plain re-crawl into the same archive and store completes the set
    mocks.clear_served()
    proc = _start(mocks, out, LIST)
    proc.wait(300)
    assert proc.returncode == 0, (tmp_path / "crawl.log").read_text()[-3000:]
    records = archive_records(out)
    stored = store_agrees(store_uri, records)
    assert sorted(a["url"] for a in stored) == sorted(urls)  # each once: no duplicate articles
    assert all(a["title"].startswith("中断测试稿件第") for a in stored)
    assert index_urls(out) == sorted(
            r.url for r in records.values() if r.rec_type in ("response", "revisit"))


def _kill_while_the_big_record_is_written(mocks: MockOutlets, out: Path, *, group: bool) -> tuple[str, Path]:
    """A 48 MB page takes a while to gzip into the WARC: kill while its record grows."""
    rng = random.Random(SEED)
    big = f"{BASE}/system/2025/07/02/033900001.shtml"
    blob = rng.randbytes(36 << 20).hex()[: 48 << 20]  # hex compresses to about half: still big
    mocks.add_route(BIG_LIST, body=f'<html><body><a href="{big}">big</a></body></html>'.encode())
    mocks.add_route(big, body=_article(999, f"<!-- {blob} -->"))
    mocks.clear_served()
    proc = _start(mocks, out, BIG_LIST)
    try:
        deadline = time.monotonic() + 120
        while not any(u == big for _m, u, _s in mocks.served):
            assert proc.poll() is None and time.monotonic() < deadline, "the big page was never asked for"
            time.sleep(0.02)
        (warc,) = out.glob("*.warc.gz.open")
        start = warc.stat().st_size
        while warc.stat().st_size < start + (1 << 20):  # its record is being written
            assert proc.poll() is None and time.monotonic() < deadline, "the big record was never written"
            time.sleep(0.005)
    finally:
        _kill(proc, group=group)
    if not group:
        _closed_by_the_writer(out)
    _reap(proc)
    return big, warc


@pytest.mark.slow
def test_kill_9_with_the_writer_while_a_record_is_written_is_cut_by_mend(mocks: MockOutlets,
                                                                          tmp_path: Path) -> None:
    out = tmp_path / "archive"
    big, warc = _kill_while_the_big_record_is_written(mocks, out, group=True)
    size = warc.stat().st_size
    report = _mend(out)
    final = warc.with_name(warc.name.removesuffix(".open"))
    assert f"mended: {final} (" in report and "bytes at offset" in report, report
    assert final.stat().st_size < size
    records = archive_records(out)
    with final.open("rb") as fh:
        urls = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)]
    assert big not in urls and BIG_LIST in urls  # the list page's pair is whole, the big one gone
    assert len(records) == len(urls)


@pytest.mark.slow
def test_kill_9_of_the_crawl_alone_lets_the_writer_finish_the_record(mocks: MockOutlets,
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "archive"
    big, warc = _kill_while_the_big_record_is_written(mocks, out, group=False)
    final = warc.with_name(warc.name.removesuffix(".open"))
    assert "Nothing to mend" in _mend(out)
    records = archive_records(out)  # every record valid, digests included
    with final.open("rb") as fh:
        urls = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)]
    assert big in urls and BIG_LIST in urls  # the page downloaded before the kill is archived whole
    assert len(records) == len(urls)
    assert index_urls(out) == sorted(r.url for r in records.values() if r.rec_type == "response")
