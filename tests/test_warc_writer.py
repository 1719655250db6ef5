"""The WARC writer process (crawler/warc/writer.py): same records as on the crawl's thread,
in order, its errors and its death reported, its files closed when the crawl vanishes.

The process writer needs a running reactor; each case runs in a child interpreter
(``python -m tests.test_warc_writer CASE DIR``) under the asyncio reactor and prints JSON.
"""

from __future__ import annotations

import asyncio
import errno
import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from crawler.warc.extension import WarcExtension
from crawler.warc.files import WarcRef, WarcRotator, WarcWriteError
from crawler.warc.revisit import Original, payload_digest
from crawler.warc.signals import IDENTICAL_PAYLOAD
from crawler.warc.writer import Download, InlineWriter
from tests.conftest import REPO

ORIGINAL = Original("<urn:uuid:0f1e2d3c-0000-4000-8000-000000000001>", "http://a.example/p0",
                    datetime(2026, 1, 1, tzinfo=UTC), None)


def _downloads(n: int) -> list[Download]:
    """n downloads of different sizes (one of them large), the last a revisit."""
    out = []
    for i in range(n):
        body = (f"<html>第{i}页 " + "内蒙古" * (i * 37 % 5000) + "</html>").encode("gb18030")
        out.append(Download(
            url=f"http://a.example/p{i}", date=datetime(2026, 12, 6, 12, 0, i % 60, tzinfo=UTC), status=200,
            protocol="HTTP/1.1", response_headers=[(b"Content-Type", [b"text/html; charset=gb2312"])],
            response_body=body, method="GET", request_url=f"http://a.example/p{i}",
            request_headers=[(b"User-Agent", [b"t"])], request_body=b"", ip_address="127.0.0.1",
            truncated=None,
        ))
    last = out[-1]
    out[-1] = Download(**{**{f: getattr(last, f) for f in Download.__slots__}, "original": ORIGINAL,
                          "profile": IDENTICAL_PAYLOAD, "digest": payload_digest(last.response_body)})
    return out


def _rotator(directory: Path) -> WarcRotator:
    return WarcRotator(directory, prefix="w", warcinfo={"software": "t"}, max_size=20_000)


def _ref(ref: WarcRef) -> list[Any]:
    return [ref.file, ref.offset, ref.length, ref.record_id]


# -- the cases, run in a child interpreter -------------------------------------------------

async def _case(case: str, directory: Path) -> dict[str, Any]:
    from scrapy.utils.defer import maybe_deferred_to_future

    from crawler.warc.writer import ProcessWriter

    writer = ProcessWriter(_rotator(directory))

    async def write(download: Download) -> Any:
        try:
            return [_ref(r) for r in await maybe_deferred_to_future(writer.write(download))]
        except WarcWriteError as exc:
            return {"errno": exc.errno, "error": str(exc)}

    downloads = _downloads(40)
    if case == "order":  # all handed over at once: written in that order
        pending = [writer.write(d) for d in downloads]
        refs = [[_ref(r) for r in await maybe_deferred_to_future(p)] for p in pending]
        files, indexes = await maybe_deferred_to_future(writer.close())
        return {"refs": refs, "files": [str(p) for p in files], "indexes": [str(p) for p in indexes],
                "exitcode": writer._process.exitcode}
    if case == "error":
        return {"first": await write(downloads[0]), "second": await write(downloads[1])}
    if case == "killed":
        first = await write(downloads[0])
        pending = [writer.write(d) for d in downloads[1:4]]
        os.kill(writer._process.pid, signal.SIGKILL)
        lost = []
        for p in pending:
            try:
                await maybe_deferred_to_future(p)
                lost.append(None)
            except WarcWriteError as exc:
                lost.append(str(exc))
        return {"first": first, "lost": lost, "after": await write(downloads[5])}
    if case == "vanished":  # the crawl's end of the socket closes without a close job
        refs = [await write(d) for d in downloads[:3]]
        writer._closing = True
        writer._protocol.transport.loseConnection()  # done by the reactor: let it run
        for _ in range(300):
            if writer._process.exitcode is not None:
                break
            await asyncio.sleep(0.1)
        return {"refs": refs, "exitcode": writer._process.exitcode}
    if case == "exit":  # the crawl process exits without closing it (multiprocessing joins it then)
        pending = [writer.write(d) for d in downloads[:3]]
        return {"refs": [[_ref(r) for r in await maybe_deferred_to_future(p)] for p in pending]}
    if case == "orphaned":  # killed while another process holds a copy of its end of the socket
        refs = [await write(d) for d in downloads[:3]]
        holder = subprocess.Popen(["sleep", "120"], pass_fds=(writer._protocol.transport.socket.fileno(),),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(json.dumps({"refs": refs, "holder": holder.pid}), flush=True)
        os._exit(0)  # as kill -9 would: no finaliser, no close
    raise SystemExit(f"unknown case {case!r}")


def _main() -> None:
    from scrapy.utils.defer import deferred_from_coro
    from scrapy.utils.reactor import install_reactor

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from twisted.internet import task

    case, directory = sys.argv[1], Path(sys.argv[2])

    async def run(_: object) -> None:
        print(json.dumps(await _case(case, directory)))

    task.react(lambda reactor: deferred_from_coro(run(reactor)))


def _run(case: str, directory: Path) -> dict[str, Any]:
    res = subprocess.run([sys.executable, "-m", "tests.test_warc_writer", case, str(directory)], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


# -- the tests --------------------------------------------------------------------------------

def _read(directory: Path, ref: list[Any]) -> tuple[str, str, str, bytes]:
    """The record a ref points at, read from exactly its bytes (digests checked)."""
    file, offset, length, record_id = ref
    with (directory / file).open("rb") as fh:
        fh.seek(offset)
        records = [(r.rec_headers, r.rec_type, r.content_stream().read())
                   for r in ArchiveIterator(io.BytesIO(fh.read(length)), check_digests=True)]
    assert len(records) == 1
    [(headers, kind, payload)] = records
    assert headers.get_header("WARC-Record-ID") == record_id
    digest = headers.get_header("WARC-Payload-Digest") or ""
    return kind, headers.get_header("WARC-Target-URI"), digest, payload


def test_process_writes_what_the_crawl_thread_writes_in_order(tmp_path: Path) -> None:
    out = _run("order", tmp_path / "process")
    assert out["exitcode"] == 0
    files = [Path(f) for f in out["files"]]
    assert len(files) > 1 and all(f.exists() for f in files)  # rotated by size, all closed
    assert not list((tmp_path / "process").glob("*.open"))
    assert [Path(p).exists() for p in out["indexes"]] == [True] * len(files)

    inline = InlineWriter(_rotator(tmp_path / "inline"))
    expected = [inline.write(d).result for d in _downloads(40)]
    inline.close()
    assert len(out["refs"]) == len(expected) == 40
    positions = [(r[0][0], r[0][1]) for r in out["refs"]]
    assert positions == sorted(positions)  # in the order handed over
    for got, want in zip(out["refs"], expected, strict=True):
        for g, w in zip(got, want, strict=True):
            assert _read(tmp_path / "process", g) == _read(tmp_path / "inline", _ref(w))
    assert [_read(tmp_path / "process", r[0])[0] for r in out["refs"]] == ["response"] * 39 + ["revisit"]
    assert _read(tmp_path / "process", out["refs"][7][0])[3].endswith(b"</html>")  # payloads compared


def test_a_write_error_comes_back_as_the_rotators_error(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the archive directory should be")
    out = _run("error", blocked)
    assert out["first"]["errno"] in (errno.EEXIST, errno.ENOTDIR)
    assert f"cannot create a WARC file in {blocked}" in out["first"]["error"]
    assert "stopped after an earlier error" in out["second"]["error"]
    assert blocked.read_text().startswith("a file where")  # nothing overwritten


def test_a_dead_writer_fails_every_write_in_flight_and_after(tmp_path: Path) -> None:
    out = _run("killed", tmp_path)
    assert isinstance(out["first"], list)  # written before the kill
    assert out["lost"] and all(msg and "the WARC writer process died (exit code -9)" in msg
                                for msg in out["lost"])
    assert "scrapy mend" in out["lost"][0]
    assert "died" in out["after"]["error"]
    opened = list(tmp_path.glob("*.warc.gz.open"))
    assert len(opened) == 1  # what was written stays, for `scrapy mend`
    assert _read(tmp_path, [opened[0].name, *out["first"][0][1:]])[0] == "response"


def test_when_the_crawl_vanishes_the_writer_closes_its_file(tmp_path: Path) -> None:
    out = _run("vanished", tmp_path)
    assert out["exitcode"] == 0
    assert not list(tmp_path.glob("*.open"))
    warcs = list(tmp_path.glob("*.warc.gz"))
    assert [w.name for w in warcs] == [out["refs"][0][0][0]]
    with warcs[0].open("rb") as fh:
        types = [r.rec_type for r in ArchiveIterator(fh, check_digests=True)]
    assert types == ["warcinfo"] + ["response", "request"] * 3


def test_a_crawl_process_exiting_without_closing_it_does_not_wait_forever(tmp_path: Path) -> None:
    out = _run("exit", tmp_path)  # returns: the process exited, having joined its writer
    assert not list(tmp_path.glob("*.open"))
    [warc] = tmp_path.glob("*.warc.gz")
    assert [r[0][0] for r in out["refs"]] == [warc.name] * 3
    assert [_read(tmp_path, r[0])[0] for r in out["refs"]] == ["response"] * 3


def test_the_writer_of_a_killed_crawl_closes_its_file_though_others_hold_the_socket(tmp_path: Path) -> None:
    out = _run("orphaned", tmp_path)
    try:
        deadline = time.monotonic() + 30
        while list(tmp_path.glob("*.open")):  # told by the parent-death signal, not by end of input
            assert time.monotonic() < deadline, "the orphaned writer never closed its file"
            time.sleep(0.05)
    finally:
        os.kill(out["holder"], signal.SIGKILL)
    [warc] = tmp_path.glob("*.warc.gz")
    assert [r[0][0] for r in out["refs"]] == [warc.name] * 3
    assert [_read(tmp_path, r[0])[0] for r in out["refs"]] == ["response"] * 3


@pytest.mark.parametrize(("settings", "renders"), [({"WARC_WRITER": False}, False),
                                                   ({"PLAYWRIGHT_ENABLED": True}, False), ({}, True),
                                                   ({"DOWNLOADER_MIDDLEWARES": {}}, False)])
def test_on_the_crawl_thread_when_asked_or_when_a_browser_writes_too(
        settings: dict[str, object], renders: bool, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    crawler = get_crawler(Spider, settings_dict={**settings, "ARCHIVE_DIR": str(tmp_path),
                                                 "WARC_REVISITS": False})
    spider = Spider("t", render_js=renders)
    extension = WarcExtension.from_crawler(crawler)
    extension.spider_opened(spider)
    # The browser's archive (crawler/warc/browser.py) writes through this rotator, in this process.
    assert isinstance(extension.writer, InlineWriter) and extension.rotator is extension.writer.rotator
    extension.response_downloaded(HtmlResponse("http://a.example/", body=b"<html>x</html>"),
                                  Request("http://a.example/"), spider)
    assert not extension.pending  # written already
    asyncio.run(extension.spider_closed(spider))
    assert [p.name for p in tmp_path.glob("*.warc.gz")] == [extension.closed[0][0].name]
    without_wait = "DOWNLOADER_MIDDLEWARES" in settings  # replaced, WarcWait left out
    assert ("WarcWait is not in DOWNLOADER_MIDDLEWARES" in caplog.text) == without_wait


def test_no_writer_process_means_writing_inline_not_archiving_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def no_fork(rotator: WarcRotator) -> None:
        raise OSError(errno.ENOMEM, "Cannot allocate memory")

    monkeypatch.setattr("crawler.warc.extension.ProcessWriter", no_fork)
    crawler = get_crawler(Spider, settings_dict={
        "ARCHIVE_DIR": str(tmp_path), "WARC_REVISITS": False,
        "DOWNLOADER_MIDDLEWARES": {"crawler.warc.extension.WarcWait": 1000}})
    spider = Spider("t")
    extension = WarcExtension.from_crawler(crawler)
    extension.spider_opened(spider)
    assert isinstance(extension.writer, InlineWriter)
    assert "no writer process ([Errno 12] Cannot allocate memory)" in caplog.text
    request = Request("http://a.example/")
    extension.response_downloaded(HtmlResponse("http://a.example/", body=b"<html>x</html>"), request, spider)
    assert request.meta["warc"].record_id
    asyncio.run(extension.spider_closed(spider))


if __name__ == "__main__":
    _main()
