"""A corpus of archives as other tools write them, and broken ones, made at test time.

The pages are the nmgnews mock outlet's (its routes: status, headers and body as served),
so a replay of the corpus must give the outlet's expected articles. Files, by what
they imitate:

- ``wget-1.0.warc.gz``: WARC/1.0, request before response, ``WARC-Target-URI: <…>``
  (wget 1.19, pywb #294): every route, captured first (2024-01-01).
- ``warcprox-revisits.warc.gz``: WARC/1.0 revisits (1.0 profile, hex ``sha1:`` digests,
  ``WARC-Refers-To-Target-URI``/``-Date``, no ``WARC-Refers-To``), originals in the wget file.
- ``pywb-0.18.warc.gz``: WARC/1.0 revisits with the 0.18 profile and only a digest.
- ``warcprox-chunked-br.warc.gz``: bodies stored chunked, brotli, deflate, chunked+gzip.
- ``browsertrix.warc.gz``: WARC/1.1, sha256 digests, a ``urn:pageinfo:`` resource, a revisit
  labelled ``sha-256:`` (ArchiveWeb.page) naming its original by ``WARC-Refers-To``.
- ``whole-file.warc.gz``: one gzip member for the whole file.
- ``heritrix-old.arc.gz``: ARC v1 (GBK page).
- ``broken.warc.gz`` and ``broken-plain.warc``: the latest captures of some pages, broken:
  bad digest, malformed header line, wrong Content-Length, garbage between records,
  a gzip member cut short, an uncompressed record cut short. Each must be reported with
  file and offset and skipped; the earlier good captures answer instead.

Later captures win at replay, so each special file is dated after the wget one.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import brotli
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.mock import MockOutlets, Route

D1, D2 = "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"
D3, D4 = "2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z"
PROFILE = "http://netpreserve.org/warc/{}/revisit/identical-payload-digest"
ART = "https://inews.nmgnews.com.cn/system/2025/"
REVISIT_10 = [ART + "04/16/030187652.shtml", ART + "04/18/030188210.shtml"]
REVISIT_018 = [ART + "05/08/030192377.shtml", "https://china.nmgnews.com.cn/system/2025/06/10/030201557.shtml"]
CHUNKED = ART + "08/12/030215002.shtml"
BROTLI = ART + "09/03/030221196.shtml"
DEFLATE = "http://inews.nmgnews.com.cn/system/2019/07/05/012739043_02.shtml"
CHUNKED_GZIP = "https://china.nmgnews.com.cn/ywsd/"
BROWSERTRIX = "https://china.nmgnews.com.cn/system/2025/04/21/030189004.shtml"
BROWSERTRIX_REVISIT = ART + "07/02/030209841.shtml"
WHOLE = ["http://ztpd.nmgnews.com.cn/system/2011/10/14/010654328.shtml",
         "http://inews.nmgnews.com.cn/system/2019/07/05/012739043_03.shtml"]
ARC = "http://ztpd.nmgnews.com.cn/system/2010/07/21/010437585.shtml"
BROKEN = [ART + "04/16/030187652.shtml", ART + "04/18/030188210.shtml", ART + "05/08/030192377.shtml",
          "http://inews.nmgnews.com.cn/system/2019/07/05/012739043.shtml"]


@dataclass
class Corpus:
    """The files written and what a replay must report about them."""

    directory: Path
    good_files: list[Path] = field(default_factory=list)
    broken_files: list[Path] = field(default_factory=list)
    #: (file name, offset, words the report must contain)
    problems: list[tuple[str, int, str]] = field(default_factory=list)


def routes() -> dict[str, Route]:
    """The nmgnews mock's routes by URL."""
    mock = MockOutlets(outlets=["nmgnews"])
    return {r.url: r for r in mock.routes}


def _http(route: Route, *, extra: list[tuple[str, str]] = (), drop: tuple[str, ...] = (),
          length: int | None = None) -> StatusAndHeaders:
    from http import HTTPStatus

    headers = [(k, v) for k, v in route.headers if k.lower() not in drop] + list(extra)
    if length is not None:
        headers.append(("Content-Length", str(length)))
    return StatusAndHeaders(f"{route.status} {HTTPStatus(route.status).phrase}", headers, protocol="HTTP/1.1")


def _response(writer: WARCWriter, url: str, http: StatusAndHeaders, body: bytes, date: str,
              extra: dict[str, str] | None = None):
    fields = {"WARC-Date": date, **(extra or {})}
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                     http_headers=http, warc_headers_dict=fields)


def _request(writer: WARCWriter, url: str, date: str, concurrent: str):
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    http = StatusAndHeaders(f"GET {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1",
                            [("Host", parts.netloc), ("User-Agent", "Wget/1.21.3")], protocol="HTTP/1.1",
                            is_http_request=True)
    return writer.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0, http_headers=http,
                                     warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": concurrent})


def _chunk(body: bytes, size: int = 700) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size]) for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def _revisit(writer: WARCWriter, url: str, route: Route, date: str, profile: str, fields: dict[str, str]):
    http = _http(route, length=len(route.wire_body))
    rec = writer.create_warc_record(url, "revisit", http_headers=http,
                                    warc_headers_dict={"WARC-Date": date, "WARC-Profile": profile, **fields})
    return rec


def _sha1_b32(data: bytes) -> str:
    import base64

    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def write_other_tools(directory: Path) -> Corpus:
    """Write the corpus into ``directory`` (see the module docstring)."""
    directory.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(directory)
    by_url = routes()
    ids: dict[str, str] = {}

    # wget: every route, request then response, <bracketed> target URIs (wget 1.19)
    path = directory / "wget-1.0.warc.gz"
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True, warc_version="1.0")
        w.write_record(w.create_warcinfo_record(path.name, {"software": "Wget/1.21.3 (linux-gnu)",
                                                            "format": "WARC File Format 1.0"}))
        for url, route in sorted(by_url.items()):
            resp = _response(w, url, _http(route, length=len(route.wire_body)), route.wire_body, D1)
            ids[url] = resp.rec_headers.get_header("WARC-Record-ID")
            req = _request(w, url, D1, ids[url])
            for rec in (req, resp):
                rec.rec_headers.replace_header("WARC-Target-URI", f"<{url}>")
                w.write_record(rec)
    corpus.good_files.append(path)

    path = directory / "warcprox-revisits.warc.gz"
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True, warc_version="1.0")
        for url in REVISIT_10:
            route = by_url[url]
            hexdigest = hashlib.sha1(route.wire_body).hexdigest()
            w.write_record(_revisit(w, url, route, D2, PROFILE.format("1.0"), {
                "WARC-Payload-Digest": "sha1:" + hexdigest,
                "WARC-Refers-To-Target-URI": url, "WARC-Refers-To-Date": D1}))
    corpus.good_files.append(path)

    path = directory / "pywb-0.18.warc.gz"
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True, warc_version="1.0")
        for url in REVISIT_018:
            route = by_url[url]
            w.write_record(_revisit(w, url, route, D2, PROFILE.format("0.18"),
                                    {"WARC-Payload-Digest": _sha1_b32(route.wire_body)}))
    corpus.good_files.append(path)

    path = directory / "warcprox-chunked-br.warc.gz"
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True, warc_version="1.1")
        for url, body, extra, drop in (
            (CHUNKED, _chunk(by_url[CHUNKED].wire_body), [("Transfer-Encoding", "chunked")], ()),
            (BROTLI, brotli.compress(by_url[BROTLI].wire_body), [("Content-Encoding", "br")], ()),
            (DEFLATE, zlib.compress(by_url[DEFLATE].wire_body), [("Content-Encoding", "deflate")], ()),
            (CHUNKED_GZIP, _chunk(by_url[CHUNKED_GZIP].wire_body), [("Transfer-Encoding", "chunked")], ()),
        ):
            route = by_url[url]
            http = _http(route, extra=extra, drop=drop)
            w.write_record(_response(w, url, http, body, D3))
    corpus.good_files.append(path)

    path = directory / "browsertrix.warc.gz"
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True, warc_version="1.1")
        route = by_url[BROWSERTRIX]
        block = _http(route, length=len(route.wire_body)).to_bytes() + route.wire_body
        fh.write(gzip.compress(_raw_record("1.1", {
            "WARC-Type": "response", "WARC-Record-ID": "<urn:uuid:6f3b3c0e-0000-4000-8000-000000000001>",
            "WARC-Date": D3, "WARC-Target-URI": BROWSERTRIX,
            "Content-Type": "application/http; msgtype=response",
            "WARC-Block-Digest": "sha256:" + hashlib.sha256(block).hexdigest(),
            "WARC-Payload-Digest": "sha256:" + hashlib.sha256(route.wire_body).hexdigest(),
        }, block)))
        page = b'{"url": "%s", "title": "t"}' % BROWSERTRIX.encode()
        w.write_record(w.create_warc_record("urn:pageinfo:" + BROWSERTRIX, "resource",
                                            payload=io.BytesIO(page), length=len(page),
                                            warc_content_type="application/json",
                                            warc_headers_dict={"WARC-Date": D3}))
        route = by_url[BROWSERTRIX_REVISIT]
        sha256 = hashlib.sha256(route.wire_body).hexdigest()
        w.write_record(_revisit(w, BROWSERTRIX_REVISIT, route, D3, PROFILE.format("1.1"), {
                                    "WARC-Payload-Digest": "sha-256:" + sha256,
                                    "WARC-Refers-To": ids[BROWSERTRIX_REVISIT],
                                    "WARC-Refers-To-Target-URI": BROWSERTRIX_REVISIT}))
    corpus.good_files.append(path)

    plain = io.BytesIO()
    w = WARCWriter(plain, gzip=False, warc_version="1.0")
    for url in WHOLE:
        route = by_url[url]
        w.write_record(_response(w, url, _http(route, length=len(route.wire_body)), route.wire_body, D3))
    path = directory / "whole-file.warc.gz"
    path.write_bytes(gzip.compress(plain.getvalue()))
    corpus.good_files.append(path)

    path = directory / "heritrix-old.arc.gz"
    route = by_url[ARC]
    http = _http(route, length=len(route.wire_body))
    content = http.to_bytes() + route.wire_body
    desc_body = b"1 0 Heritrix\nURL IP-address Archive-date Content-type Archive-length\n"
    desc = b"filedesc://heritrix-old.arc 0.0.0.0 20240301000000 text/plain %d\n%s\n" % (
        len(desc_body), desc_body)
    rec = b"%s 127.0.0.1 20240301000000 text/html %d\n%s\n" % (ARC.encode(), len(content), content)
    path.write_bytes(gzip.compress(desc) + gzip.compress(rec))
    corpus.good_files.append(path)

    _write_broken(directory, by_url, corpus)
    return corpus


def _raw_record(version: str, headers: dict[str, str], block: bytes) -> bytes:
    """A WARC record written by hand (for digests warcio would not write)."""
    head = f"WARC/{version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode() + f"Content-Length: {len(block)}\r\n\r\n".encode() + block + b"\r\n\r\n"


def _member(record_bytes: bytes) -> bytes:
    return gzip.compress(record_bytes)


def _write_broken(directory: Path, by_url: dict[str, Route], corpus: Corpus) -> None:
    """The broken files (D4, the latest captures, so replay must skip them to be right)."""
    def record_bytes(url: str, body: bytes | None = None) -> bytes:
        route = by_url[url]
        buf = io.BytesIO()
        w = WARCWriter(buf, gzip=False, warc_version="1.1")
        rec = _response(w, url, _http(route, length=len(route.wire_body)), route.wire_body, D4)
        w.write_record(rec)
        data = buf.getvalue()
        if body is not None:  # same digests, other bytes of the same length: a bad digest
            data = data.replace(route.wire_body, body)
        return data

    name = "broken.warc.gz"
    out = io.BytesIO()
    url0 = BROKEN[0]
    body0 = by_url[url0].wire_body
    tampered = body0.replace("本报".encode(), "本网".encode(), 1)
    assert tampered != body0 and len(tampered) == len(body0)
    corpus.problems.append((name, out.tell(), "digest mismatch"))
    out.write(_member(record_bytes(url0, tampered)))
    corpus.problems.append((name, out.tell(), "malformed WARC header"))
    out.write(_member(record_bytes(BROKEN[1]).replace(b"WARC-Type: response", b"WARC-Type response", 1)))
    good_at = out.tell()
    out.write(_member(record_bytes("https://inews.nmgnews.com.cn/robots.txt")))
    corpus.problems.append((name, out.tell(), "not a gzip member"))
    out.write(b"this is not gzip data, a tool crashed here\n")
    corpus.problems.append((name, out.tell(), "cut short"))
    bad_len = record_bytes(BROKEN[2])
    out.write(_member(bad_len.replace(b"Content-Length: ", b"Content-Length: 9", 1)))
    corpus.problems.append((name, out.tell(), "cut short"))
    last = _member(record_bytes(BROKEN[3]))
    out.write(last[: len(last) // 2])
    (directory / name).write_bytes(out.getvalue())
    assert good_at > 0
    corpus.broken_files.append(directory / name)

    name = "broken-plain.warc"
    out = io.BytesIO()
    out.write(record_bytes("https://china.nmgnews.com.cn/robots.txt"))
    corpus.problems.append((name, out.tell(), "unreadable record"))
    out.write(b"garbage line\r\n\r\n")
    rest = record_bytes(BROKEN[0])
    out.write(record_bytes("http://ztpd.nmgnews.com.cn/robots.txt"))
    cut_at = out.tell()
    corpus.problems.append((name, cut_at, "cut short"))
    out.write(rest[: len(rest) - 500])
    (directory / name).write_bytes(out.getvalue())
    corpus.broken_files.append(directory / name)
