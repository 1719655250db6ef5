"""Property: any exchange the project archives reads back from its WARC files, record for record,
byte for byte, with warcio (headers with repeated names and raw non-ASCII bytes, any status,
binary bodies, POST bodies, truncation marks, rotation across files).

Hypothesis runs derandomized (a fixed seed, no example database): the same cases every run.
"""

from __future__ import annotations

import tempfile
import zlib
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from crawler.summary import check_warc
from crawler.warc.files import WarcRotator
from crawler.warc.records import build_pair, request_headers, response_headers

TOKEN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1,
                max_size=16)
#: Header bytes as servers send them: printable ASCII, tabs and raw high bytes (GBK, UTF-8), no CR/LF.
VALUE = st.binary(max_size=60).map(lambda b: bytes(c for c in b if c >= 0x20 or c == 0x09).strip())
HOSTS = st.sampled_from(["inews.nmgnews.com.cn", "xn--fiq228c.xn--fiqs8s", "127.0.0.1:8080", "epaper.gmw.cn",
                         "[::1]:8443"])
SEGMENT = st.text(alphabet="abcxyz0123456789-._~%E4B8AD", min_size=0, max_size=12)


@st.composite
def urls(draw: st.DrawFn) -> str:
    path = "/".join(draw(st.lists(SEGMENT, max_size=4)))
    query = draw(st.one_of(st.just(""), st.text(alphabet="abc=&%20x1", min_size=1, max_size=20)))
    scheme = draw(st.sampled_from(["http", "https"]))
    return f"{scheme}://{draw(HOSTS)}/{path}" + (f"?{query}" if query else "")


@st.composite
def exchanges(draw: st.DrawFn) -> dict:
    method = draw(st.sampled_from(["GET", "POST", "HEAD"]))
    names = st.one_of(TOKEN, st.sampled_from(["Set-Cookie", "Content-Type", "Transfer-Encoding", "Link"]))
    headers = draw(st.lists(st.tuples(names, VALUE), max_size=8))
    return {
        "url": draw(urls()),
        "method": method,
        # final statuses only: warcio reads a 1xx head as an interim answer and looks for the next
        # head in the body; no HTTP client hands a 1xx to the crawler as a final response
        "status": draw(st.integers(200, 599)),
        "protocol": draw(st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2"])),
        "headers": headers,
        "body": draw(st.binary(max_size=3000)),
        "request_body": draw(st.binary(min_size=1, max_size=200)) if method == "POST" else b"",
        "truncated": draw(st.sampled_from([None, "length", "disconnect", "time"])),
        "ip": draw(st.sampled_from([None, "127.0.0.1", "::1"])),
    }


def _grouped(headers: list[tuple[str, bytes]]) -> list[tuple[bytes, list[bytes]]]:
    """As Scrapy's Headers.items() gives them: one name, its values in order."""
    out: dict[bytes, list[bytes]] = {}
    for name, value in headers:
        out.setdefault(name.encode(), []).append(value)
    return list(out.items())


def _expected_head(ex: dict) -> bytes:
    """The HTTP response head the record must hold, built independently of the writer."""
    try:
        reason = HTTPStatus(ex["status"]).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"{ex['protocol']} {ex['status']} {reason}".encode()]
    for name, values in _grouped(ex["headers"]):
        shown = b"X-Crawler-" + name if name.lower() == b"transfer-encoding" else name
        lines += [shown + b": " + v for v in values]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _members(path: Path) -> list[bytes]:
    """Each gzip member of a file, decompressed: one WARC record each."""
    data, out = path.read_bytes(), []
    while data:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out.append(d.decompress(data))
        assert d.eof, f"{path}: a gzip member is cut short"
        data = d.unused_data
    return out


def _block(record: bytes) -> tuple[dict[str, str], bytes]:
    head, _, rest = record.partition(b"\r\n\r\n")
    fields = dict(line.split(": ", 1) for line in head.decode("utf-8").split("\r\n")[1:])
    length = int(fields["Content-Length"])
    assert rest[length:] == b"\r\n\r\n", "a record must end with CRLF CRLF after its block"
    return fields, rest[:length]


@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(batch=st.lists(exchanges(), min_size=1, max_size=8), max_size=st.integers(1024, 8000))
def test_every_warc_we_write_reads_back_byte_for_byte(batch: list[dict], max_size: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        rot = WarcRotator(directory, prefix="prop", warcinfo={"software": "t", "isPartOf": "prop-1"},
                          max_size=max_size)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        written = []
        for i, ex in enumerate(batch):
            info = rot.prepare()
            resp, req = build_pair(
                rot.builder, url=ex["url"], date=start + timedelta(seconds=i),
                response_http=response_headers(ex["status"], ex["protocol"], _grouped(ex["headers"])),
                response_body=ex["body"],
                request_http=request_headers(ex["method"], ex["url"], [], ex["protocol"]),
                request_body=ex["request_body"], ip_address=ex["ip"], truncated=ex["truncated"],
                warcinfo_id=info)
            refs = rot.write_group([resp, req], request_body=ex["request_body"])
            written.append((ex, refs))
        rot.close()
        files = sorted(directory.glob("*.warc.gz"))
        assert files == sorted(rot.closed_files) and not list(directory.glob("*.open"))

        # warcio reads every record, in order, digests verified
        read = []
        for path in files:
            count, problems = check_warc(path)
            assert problems == []
            with path.open("rb") as fh:
                it = ArchiveIterator(fh)
                for rec in it:
                    payload = rec.raw_stream.read()  # before get_record_offset(), which skips it
                    read.append((path.name, it.get_record_offset(), rec.rec_type,
                                 rec.rec_headers.get_header("WARC-Target-URI"), payload))
            assert read[-count][2] == "warcinfo"  # each file starts with its warcinfo
        assert [r[2] for r in read if r[2] != "warcinfo"] == ["response", "request"] * len(batch)

        # byte for byte: each record's block is the head and body that went over the wire
        members = {(p.name, off): m for p in files for off, m in _offsets(p)}
        for ex, (resp_ref, req_ref) in written:
            fields, block = _block(members[(resp_ref.file, resp_ref.offset)])
            assert block == _expected_head(ex) + ex["body"]
            assert fields["WARC-Target-URI"] == ex["url"] and fields["WARC-Record-ID"] == resp_ref.record_id
            assert fields.get("WARC-Truncated") == ex["truncated"]
            assert fields.get("WARC-IP-Address") == ex["ip"]
            req_fields, req_block = _block(members[(req_ref.file, req_ref.offset)])
            assert req_ref.file == resp_ref.file  # a pair never straddles two files
            assert req_fields["WARC-Concurrent-To"] == resp_ref.record_id
            assert req_fields["WARC-Date"] == fields["WARC-Date"]
            assert req_block.startswith(f"{ex['method']} ".encode())
            assert req_block.endswith(b"\r\n\r\n" + ex["request_body"])
            warcio_body = next(r[4] for r in read if (r[0], r[1]) == (resp_ref.file, resp_ref.offset))
            assert warcio_body == ex["body"]


def _offsets(path: Path) -> list[tuple[int, bytes]]:
    """(offset, decompressed record) of every gzip member of ``path``."""
    data, pos, out = path.read_bytes(), 0, []
    while pos < len(data):
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        record = d.decompress(data[pos:])
        out.append((pos, record))
        pos = len(data) - len(d.unused_data)
    return out
