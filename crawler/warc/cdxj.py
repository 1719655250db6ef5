"""CDXJ index lines, written as each WARC is written, merged and sorted at the end of a crawl.

A line is ``SURT-key 14-digit-timestamp {json}``, the JSON holding ``url``, ``mime``,
``status``, ``digest``, ``length``, ``offset`` and ``filename`` exactly as webrecorder's
``cdxj-indexer`` (the indexer behind WACZ, pywb and ReplayWeb.page) writes them: the same
record types (response, revisit, resource, and metadata that is not warc-fields), the
same key order, ``json.dumps`` defaults, and fields it would omit are omitted.
tests/test_cdxj.py compares our lines with its output on the same files.

The writer does not import cdxj-indexer (it pulls in pyamf and multipart for POST bodies
of AMF and multipart forms, which a news crawler never sends); the small rule for
non-GET keys below follows its ``append_method_query`` for url-encoded and raw bodies.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote_plus, urlencode

import surt
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.timeutils import iso_date_to_timestamp

#: Record types that get a line (cdxj-indexer's DEFAULT_RECORDS).
INDEXED_TYPES = ("response", "revisit", "resource", "metadata")
#: Longest request body put into a POST key (cdxj-indexer's MAX_QUERY_LENGTH).
MAX_QUERY_LENGTH = 4096
SUFFIX = ".cdxj"
_MIME_SPLIT = re.compile(r"[;\s]")


def _post_query(body: bytes, content_type: str | None) -> str:
    """The request body as a query string, as cdxj-indexer's ``query_extract`` makes it.

    Url-encoded forms and JSON are read; other bodies (cdxj-indexer also parses
    multipart and AMF, which a news crawler never posts) are kept as base64.
    """
    mime = content_type or ""
    query = ""
    if mime.startswith("application/x-www-form-urlencoded"):
        try:
            query = unquote_plus(body.decode("utf-8"))
        except UnicodeDecodeError:
            query = ""
    elif mime.startswith(("application/json", "text/plain")):
        try:
            query = _json_query(json.loads(body))
        except ValueError:
            query = ""
    if not query and body:
        query = "__wb_post_data=" + base64.b64encode(body).decode("ascii")
    return query[:MAX_QUERY_LENGTH]


def _json_query(obj: Any) -> str:
    data: dict[str, str] = {}
    dupes: dict[str, int] = {}

    def key(name: str) -> str:
        if name not in data:
            return name
        dupes[name] = dupes.get(name, 1) + 1
        return f"{name}.{dupes[name]}_"

    def walk(value: Any, name: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, name)
        elif name:
            data[key(name)] = str(value)

    walk(obj)
    return urlencode(data)


def surt_key(url: str) -> str:
    """The SURT key of a URL (what pywb and cdxj-indexer sort and look up by)."""
    try:
        return str(surt.surt(url))
    except Exception:  # surt rejects some malformed URLs; cdxj-indexer keeps the URL then
        return url


def _mime(record: ArcWarcRecord) -> str | None:
    if record.rec_type == "revisit":
        return "warc/revisit"
    if record.rec_type in ("response", "request"):
        value = record.http_headers.get_header("Content-Type") if record.http_headers else None
    else:
        value = record.rec_headers.get_header("Content-Type")
    if value:
        value = _MIME_SPLIT.split(value, 1)[0].strip()
    return value


def wants_line(record: ArcWarcRecord) -> bool:
    """Whether cdxj-indexer would index this record."""
    if record.rec_type not in INDEXED_TYPES:
        return False
    return not (record.rec_type in ("resource", "metadata")
                and record.rec_headers.get_header("Content-Type") == "application/warc-fields")


def record_line(record: ArcWarcRecord, *, offset: int, length: int, filename: str,
                request: ArcWarcRecord | None = None, request_body: bytes = b"",
                digest: str | None = None) -> str:
    """The CDXJ line of one record (see :func:`wants_line`); ``request`` is its request record."""
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    entry: dict[str, Any] = {"url": url}
    mime = _mime(record)
    if mime is not None:
        entry["mime"] = mime
    if record.rec_type in ("response", "revisit") and record.http_headers:
        entry["status"] = record.http_headers.get_statuscode()
    digest = record.rec_headers.get_header("WARC-Payload-Digest") or digest
    if digest:
        entry["digest"] = digest
    entry["length"] = str(length)
    entry["offset"] = str(offset)
    entry["filename"] = filename
    key_url = url
    if request is not None and request.http_headers is not None:
        method = (request.http_headers.protocol or "GET").upper()
        if method in ("POST", "PUT"):
            query = _post_query(request_body, request.http_headers.get_header("Content-Type"))
            key_url += ("&" if "?" in url else "?") + "__wb_method=" + method
            if query:
                key_url += "&" + query
            entry["requestBody"] = query
            entry["method"] = method
    stamp = iso_date_to_timestamp(record.rec_headers.get_header("WARC-Date"))
    return f"{surt_key(key_url)} {stamp} {json.dumps(entry)}\n"


class CdxjSidecar:
    """``{warc}.cdxj.open`` beside a WARC being written; renamed to ``{warc}.cdxj`` on close.

    Lines are appended (unsorted) and flushed with each record group, so a killed
    crawl leaves an index of what it wrote; ``scrapy mend`` rebuilds it from the WARC.
    """

    def __init__(self, warc_open_path: Path) -> None:
        self.path = warc_open_path.with_name(warc_open_path.name.removesuffix(".open") + SUFFIX + ".open")
        self._fh: IO[str] | None = self.path.open("w", encoding="ascii")

    def write(self, lines: Iterable[str]) -> None:
        assert self._fh is not None
        self._fh.writelines(lines)
        self._fh.flush()

    def close(self) -> Path:
        """Close and drop ``.open``; return the final path."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        final = self.path.with_name(self.path.name.removesuffix(".open"))
        self.path.replace(final)
        return final


def _payload_digest(record: ArcWarcRecord) -> str:
    """``sha1:BASE32`` of the payload as stored (what cdxj-indexer computes when it is missing)."""
    sha = hashlib.sha1()
    while chunk := record.raw_stream.read(1 << 16):
        sha.update(chunk)
    return "sha1:" + base64.b32encode(sha.digest()).decode("ascii")


def index_file(path: Path, filename: str | None = None) -> Iterator[str]:
    """CDXJ lines of an existing WARC/ARC file, in file order, as cdxj-indexer makes them.

    A POST/PUT key needs the request record next to its response (either order).
    """
    name = filename or path.name
    with path.open("rb") as fh:
        it = ArchiveIterator(fh, arc2warc=True)
        held: list[tuple[ArcWarcRecord, int, int, str | None, bytes]] = []
        for record in it:
            digest, body = None, b""
            if record.rec_type == "request":
                body = record.raw_stream.read(MAX_QUERY_LENGTH)
            elif wants_line(record) and not record.rec_headers.get_header("WARC-Payload-Digest"):
                digest = _payload_digest(record)
            it.read_to_end(record)
            offset, length = it.member_info
            current = (record, offset, length, digest, body)
            if held and _linked(held[0][0], record):
                yield from _lines_of_pair([held[0], current], name)
                held = []
            else:
                yield from _lines_of_pair(held, name)
                held = [current]
        yield from _lines_of_pair(held, name)


def _linked(a: ArcWarcRecord, b: ArcWarcRecord) -> bool:
    """A request and its response (either order), linked by ``WARC-Concurrent-To``."""
    if "request" not in (a.rec_type, b.rec_type) or a.rec_type == b.rec_type:
        return False
    return (b.rec_headers.get_header("WARC-Concurrent-To") == a.rec_headers.get_header("WARC-Record-ID")
            or a.rec_headers.get_header("WARC-Concurrent-To") == b.rec_headers.get_header("WARC-Record-ID"))


def _lines_of_pair(held: list[tuple[ArcWarcRecord, int, int, str | None, bytes]], name: str) -> Iterator[str]:
    """Lines of a lone record, or of a request joined to its concurrent response."""
    req = next((h for h in held if h[0].rec_type == "request"), None)
    for record, offset, length, digest, _ in held:
        if wants_line(record):
            yield record_line(record, offset=offset, length=length, filename=name, digest=digest,
                              request=req[0] if req else None, request_body=req[4] if req else b"")


def _sorted_lines(path: Path) -> list[bytes]:
    with path.open("rb") as fh:
        return sorted(line if line.endswith(b"\n") else line + b"\n" for line in fh if line.strip())


def merge(inputs: Iterable[Path], out: Path) -> int:
    """Merge CDXJ files into ``out`` in byte order (``LC_ALL=C sort``); return the line count.

    An existing ``out`` is merged in too (it is sorted already). Each input is sorted in
    memory (one WARC's index: about 300 bytes a record), then all are merged as streams.
    The result replaces ``out`` atomically.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    runs: list[Iterator[bytes]] = [iter(_sorted_lines(p)) for p in inputs]
    if out.exists():
        runs.append(iter(_sorted_lines(out)))
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    count = 0
    last: bytes | None = None
    try:
        with tmp.open("wb") as fh:
            for line in heapq.merge(*runs):
                if line == last:  # the same record indexed twice (a re-run merge)
                    continue
                fh.write(line)
                last = line
                count += 1
    except OSError:  # a full disk: leave no half-written index behind, keep ``out`` as it was
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(out)
    return count
