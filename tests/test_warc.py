"""The WARC writer: records, digests, naming, rotation, validity with warcio's own checker."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.warc.files import WarcRotator
from crawler.warc.records import build_pair, request_headers, response_headers

NAME_RE = re.compile(r"^test-\d{17}-\d{5}-[^-]+\.warc\.gz$")
GBK_NAME = "附件.txt".encode("gbk")


def _pair(rotator: WarcRotator, url: str, body: bytes = b"<html>hi</html>") -> list:
    info = rotator.prepare()
    resp, req = build_pair(
        rotator.builder, url=url, date=datetime(2026, 11, 23, 12, 0, 0, 123456, tzinfo=UTC),
        response_http=response_headers(200, "HTTP/1.1", [
            (b"Content-Type", [b"text/html"]),
            (b"Set-Cookie", [b"a=1; Path=/", b"b=2; Path=/"]),
            (b"Transfer-Encoding", [b"chunked"]),
            (b"Content-Disposition", [b"attachment; filename=" + GBK_NAME]),
        ]),
        response_body=body,
        request_http=request_headers("GET", url, [
            (b"User-Agent", [b"test-agent"]), (b"Proxy-Authorization", [b"Basic secret"]),
        ], "HTTP/1.1"),
        request_body=b"", ip_address="127.0.0.1", warcinfo_id=info,
    )
    return rotator.write_group([resp, req])


def _records(path: Path) -> list:
    out = []
    with path.open("rb") as fh:
        for rec in ArchiveIterator(fh):
            out.append((rec.rec_type, rec.rec_headers, rec.http_headers, rec.content_stream().read()))
    return out


def test_pair_is_faithful_and_valid(tmp_path: Path) -> None:
    rot = WarcRotator(tmp_path, prefix="test", warcinfo={"software": "t", "robots": "obey"})
    refs = _pair(rot, "http://inews.nmgnews.com.cn/list.shtml?page=2&cat=5")
    assert (tmp_path / (refs[0].file + ".open")).exists()  # .open while written
    final = rot.close()
    assert final is not None and NAME_RE.match(final.name), final
    assert not list(tmp_path.glob("*.open"))
    recs = _records(final)
    assert [r[0] for r in recs] == ["warcinfo", "response", "request"]
    info, resp, req = recs
    assert info[1].get_header("WARC-Filename") == final.name
    assert b"robots: obey" in info[3]
    r_head, q_head = resp[1], req[1]
    assert r_head.get_header("WARC-Date") == q_head.get_header("WARC-Date") == "2026-11-23T12:00:00.123456Z"
    assert q_head.get_header("WARC-Concurrent-To") == r_head.get_header("WARC-Record-ID")
    assert r_head.get_header("WARC-IP-Address") == "127.0.0.1"
    assert r_head.get_header("WARC-Warcinfo-ID") == info[1].get_header("WARC-Record-ID")
    assert r_head.get_header("WARC-Payload-Digest").startswith("sha1:")
    assert r_head.get_header("Content-Type") == "application/http; msgtype=response"
    assert [v for k, v in resp[2].headers if k == "Set-Cookie"] == ["a=1; Path=/", "b=2; Path=/"]
    assert resp[2].get_header("Transfer-Encoding") is None
    assert resp[2].get_header("X-Crawler-Transfer-Encoding") == "chunked"
    assert resp[3] == b"<html>hi</html>"
    raw = _raw_bytes(final).decode("latin-1")
    assert "\r\n\r\nGET /list.shtml?page=2&cat=5 HTTP/1.1\r\nHost: inews.nmgnews.com.cn\r\n" in raw
    assert "\r\n\r\nHTTP/1.1 200 OK\r\n" in raw
    assert "Host: inews.nmgnews.com.cn" in raw and "Proxy-Authorization" not in raw
    # the GBK header bytes are stored verbatim, not percent-encoded
    assert _raw_bytes(final).count(GBK_NAME) == 1
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", str(final)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout


def _raw_bytes(path: Path) -> bytes:
    import gzip

    return gzip.decompress(path.read_bytes())


def test_rotation_keeps_pairs_together(tmp_path: Path) -> None:
    rot = WarcRotator(tmp_path, prefix="test", warcinfo={"software": "t"}, max_size=2048)
    body = random.Random(0).randbytes(3000)  # incompressible: each pair passes 2 KB
    for i in range(5):
        _pair(rot, f"http://example.com/{i}", body)
    rot.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) == 5
    serials = [int(f.name.split("-")[2]) for f in files]
    assert serials == list(range(5))
    for f in files:
        types = [r[0] for r in _records(f)]
        assert types == ["warcinfo", "response", "request"]


def test_two_writers_never_share_a_file(tmp_path: Path) -> None:
    a = WarcRotator(tmp_path, prefix="test", warcinfo={})
    b = WarcRotator(tmp_path, prefix="test", warcinfo={})
    b.timestamp = a.timestamp  # the worst case: same millisecond
    _pair(a, "http://example.com/a")
    _pair(b, "http://example.com/b")
    fa, fb = a.close(), b.close()
    assert fa != fb and fa.exists() and fb.exists()
    assert [r[0] for r in _records(fa)] == ["warcinfo", "response", "request"]
