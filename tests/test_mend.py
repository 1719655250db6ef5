"""`scrapy mend`: files left ``.open`` by a killed crawl keep every complete record."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.mock import MockOutlets
from crawler.warc.files import WarcRotator
from crawler.warc.mend import mend_file
from crawler.warc.records import build_pair, request_headers, response_headers
from tests.conftest import FAST, REPO, proxy_env

BIN = Path(sys.executable).parent


def _write(directory: Path, pairs: int) -> tuple[Path, list[int]]:
    """An ``.open`` WARC as a crawl leaves it; returns it and the end offset of every record."""
    rot = WarcRotator(directory, prefix="m", warcinfo={"software": "t", "isPartOf": "m-1"})
    ends: list[int] = []
    for i in range(pairs):
        info = rot.prepare()
        resp, req = build_pair(
            rot.builder, url=f"https://inews.nmgnews.com.cn/system/{i}.shtml",
            date=datetime(2026, 11, 23, 12, 0, i, tzinfo=UTC),
            response_http=response_headers(200, "HTTP/1.1", [(b"Content-Type", [b"text/html"])]),
            response_body=("<p>新闻</p>" * (50 + 37 * i)).encode(), warcinfo_id=info,
            request_http=request_headers("GET", f"https://inews.nmgnews.com.cn/system/{i}.shtml", [],
                                         "HTTP/1.1"),
            request_body=b"")
        refs = rot.write_group([resp, req])
        if not ends:
            ends.append(refs[0].offset)  # the warcinfo ends where the first response starts
        ends.extend(r.offset + r.length for r in refs)
    path = next(directory.glob("*.warc.gz.open"))
    rot._fh.close()  # type: ignore[union-attr]  # killed: never renamed
    rot._cdxj._fh.close()  # type: ignore[union-attr]
    return path, ends


def _records(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in ArchiveIterator(fh))


def test_random_cuts_keep_every_complete_record(tmp_path: Path) -> None:
    rng = random.Random(20261123)
    for n in range(25):
        work = tmp_path / f"cut{n}"
        work.mkdir()
        path, ends = _write(work, 4)
        size = path.stat().st_size
        cut = rng.randrange(1, size)
        with path.open("r+b") as fh:
            fh.truncate(cut)
        kept = [e for e in ends if e <= cut]
        result = mend_file(path, work)
        if not kept:
            assert result.status == "invalid" and result.path.exists() and result.path.stat().st_size == cut
            continue
        final = work / path.name.removesuffix(".open")
        assert result.path == final and not path.exists()
        assert final.stat().st_size == kept[-1], (cut, ends)
        assert result.records == len(kept)
        assert (result.status, result.cut_bytes) == (("mended", cut - kept[-1]) if cut != kept[-1]
                                                      else ("complete", 0))
        check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(final)], capture_output=True)
        assert check.returncode == 0 and _records(final) == len(kept)
        index = (work / "indexes" / "m-1.cdxj").read_text().splitlines()
        assert len(index) == len(kept) // 2  # one line per complete response record
        assert not list(work.glob("*.cdxj*"))


def test_mend_never_touches_other_files_or_mid_file_damage(tmp_path: Path) -> None:
    path, ends = _write(tmp_path, 3)
    closed = tmp_path / "other.warc.gz"
    closed.write_bytes(b"not even a warc")
    assert mend_file(closed).status == "refused" and closed.read_bytes() == b"not even a warc"
    data = bytearray(path.read_bytes())
    data[ends[2] + 20] ^= 0xFF  # damage inside the 2nd pair, good records after it
    path.write_bytes(bytes(data))
    result = mend_file(path)
    assert result.status == "damaged" and path.read_bytes() == bytes(data)
    empty = tmp_path / "e.warc.gz.open"
    empty.write_bytes(b"")
    assert mend_file(empty).status == "empty" and not empty.exists()


def test_a_file_still_being_written_is_left_alone(tmp_path: Path) -> None:
    rot = WarcRotator(tmp_path, prefix="m", warcinfo={"software": "t", "isPartOf": "m-1"})
    rot.prepare()
    path = next(tmp_path.glob("*.warc.gz.open"))
    size = path.stat().st_size
    result = mend_file(path)
    assert result.status == "refused" and "being written" in result.detail
    assert path.exists() and path.stat().st_size == size
    res = subprocess.run([sys.executable, "-m", "scrapy", "mend", str(tmp_path)], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1 and f"refused: {path}" in res.stdout
    rot.close()  # the writer finishes: its file is closed, not mended
    assert not path.exists() and path.with_name(path.name.removesuffix(".open")).exists()


def test_a_killed_crawl_is_mended(mocks: MockOutlets, tmp_path: Path) -> None:
    slow = "https://inews.nmgnews.com.cn/system/2025/12/31/030299999.shtml"
    mocks.add_route("https://inews.nmgnews.com.cn/slow/", body=f'<a href="{slow}">x</a>'.encode())
    mocks.add_route(slow, body=b"<html>slow</html>", delay=60)
    out = tmp_path / "crawl"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "nmgnews", "-a",
           "columns=https://inews.nmgnews.com.cn/slow/,https://inews.nmgnews.com.cn/nmgxw/",
           "-s", f"ARCHIVE_DIR={out}"]
    for key, value in FAST.items():
        cmd += ["-s", f"{key}={value}"]
    proc = subprocess.Popen(cmd, cwd=REPO, env=proxy_env(mocks.proxy_url), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not any(u == slow for _m, u, _s in list(mocks.served)):
            assert time.monotonic() < deadline, "the crawl never reached the slow page"
            time.sleep(0.1)
        time.sleep(1.0)  # let the other pages be archived while the slow one hangs
    finally:  # the whole process group, WARC writer included: else the writer closes the file itself
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    (left,) = out.glob("*.warc.gz.open")
    assert list(out.glob("*.warc.gz.cdxj.open"))
    size = left.stat().st_size
    res = subprocess.run([sys.executable, "-m", "scrapy", "mend", str(out), "-s", f"ARCHIVE_DIR={out}"],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    final = left.with_name(left.name.removesuffix(".open"))
    assert final.exists() and not left.exists() and final.stat().st_size <= size
    assert str(final) in res.stdout
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(final)], capture_output=True)
    assert check.returncode == 0
    (index,) = (out / "indexes").glob("*.cdxj")
    lines = [json.loads(x.split(" ", 2)[2]) for x in index.read_text().splitlines()]
    with final.open("rb") as fh:
        responses = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)
                     if r.rec_type == "response"]
    assert sorted(x["url"] for x in lines) == sorted(responses) and len(responses) >= 3
    assert not list(out.glob("*.open")) and not list(out.glob("*.cdxj"))
