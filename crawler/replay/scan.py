"""Read every record of an archive file, tolerating damage: report it, skip it, go on.

gzip members are delimited here with zlib rather than left to warcio's iterator, so a
broken member (cut short, corrupt deflate data, a header warcio cannot parse, a bad
digest) costs only its own record: it is reported with file and offset and the scan
resumes at the next member. A gzip member holding many records (a whole-file gzip) is
decompressed to a temporary copy and read from there; offsets of its records are then
positions in the decompressed stream.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.timeutils import iso_date_to_datetime

from crawler.replay.digests import normalize_digest
from crawler.replay.sources import Source, Window

logger = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b\x08"
WARC_TYPES = {"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion",
              "continuation"}
#: Members larger than this are spooled to disk while being checked.
SPOOL_BYTES = 32 << 20
CHUNK = 1 << 16
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Problem:
    """A broken record: where, and what is wrong."""

    label: str
    offset: int
    message: str

    def __str__(self) -> str:
        return f"{self.label} @{self.offset}: {self.message}"


@dataclass(frozen=True)
class Capture:
    """One archived response, revisit or resource record, located and summarised."""

    source: Source
    offset: int
    length: int
    compressed: bool      # a gzip member (else plain bytes)
    rec_type: str
    url: str
    date: datetime
    record_id: str
    status: int | None
    mime: str | None
    digest: str | None    # normalised payload digest (``sha1:BASE32``)
    refers_to: str | None = None
    refers_to_url: str | None = None
    refers_to_date: datetime | None = None
    profile: str | None = None
    truncated: str | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.source.label, self.offset)


@dataclass(frozen=True)
class Warcinfo:
    """The warcinfo fields of a file (``spider`` names the outlet spider that wrote it)."""

    source: Source
    fields: dict[str, str]


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return iso_date_to_datetime(value.strip()).replace(tzinfo=UTC)
    except (ValueError, IndexError):
        return None


def clean_uri(value: str | None) -> str:
    """A target URI as written; wget 1.19 wrapped it in ``<…>`` (pywb #294)."""
    value = (value or "").strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    return value


def _check(record: ArcWarcRecord) -> str | None:
    """What is wrong with a parsed record whose content has been read, or None."""
    if record.format == "warc":
        if record.rec_type not in WARC_TYPES:
            return f"malformed WARC header: WARC-Type is {record.rec_type!r}"
        for name in ("WARC-Record-ID", "WARC-Date"):
            if not record.rec_headers.get_header(name):
                return f"malformed WARC header: no {name}"
    left = getattr(record.raw_stream, "limit", 0)
    if left:
        return f"record cut short: {left} bytes of its Content-Length missing"
    if record.digest_checker.passed is False:
        return "digest mismatch: " + "; ".join(map(str, record.digest_checker.problems))
    return None


def _summarise(record: ArcWarcRecord, source: Source, offset: int, length: int,
               compressed: bool) -> Capture | None:
    if record.rec_type not in ("response", "revisit", "resource"):
        return None
    url = clean_uri(record.rec_headers.get_header("WARC-Target-URI"))
    if not url.startswith(("http://", "https://")):
        return None
    status = None
    mime = record.rec_headers.get_header("Content-Type") if record.rec_type == "resource" else None
    if record.http_headers is not None and record.rec_type != "resource":
        code = record.http_headers.get_statuscode()
        status = int(code) if code and code.isdigit() else None
        mime = record.http_headers.get_header("Content-Type")
    if mime:
        mime = mime.split(";", 1)[0].strip().lower()
    return Capture(
        source=source, offset=offset, length=length, compressed=compressed,
        rec_type=record.rec_type, url=url,
        date=_date(record.rec_headers.get_header("WARC-Date")) or EPOCH,
        record_id=record.rec_headers.get_header("WARC-Record-ID") or f"<{source.label}@{offset}>",
        status=status, mime=mime,
        digest=normalize_digest(record.rec_headers.get_header("WARC-Payload-Digest")),
        refers_to=record.rec_headers.get_header("WARC-Refers-To"),
        refers_to_url=clean_uri(record.rec_headers.get_header("WARC-Refers-To-Target-URI")) or None,
        refers_to_date=_date(record.rec_headers.get_header("WARC-Refers-To-Date")),
        profile=record.rec_headers.get_header("WARC-Profile"),
        truncated=record.rec_headers.get_header("WARC-Truncated"),
    )


def _parse_info(record: ArcWarcRecord, source: Source) -> Warcinfo:
    fields: dict[str, str] = {}
    for line in record.raw_stream.read(1 << 20).decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields.setdefault(name.strip(), value.strip())
    return Warcinfo(source, fields)


def _read_records(stream: IO[bytes], source: Source, base: int, compressed: bool,
                  member: tuple[int, int] | None) -> Iterator[Capture | Warcinfo | Problem]:
    """Records of an uncompressed stream; ``member`` is (offset, length) of its gzip member."""
    it = ArchiveIterator(stream, arc2warc=True, check_digests=True)
    last_end = stream.tell()
    try:
        for record in it:
            info = _parse_info(record, source) if record.rec_type == "warcinfo" else None
            while record.raw_stream.read(CHUNK):
                pass
            it.read_to_end(record)
            offset, length = it.member_info
            where = member[0] if member else base + offset
            size = member[1] if member else length
            last_end = offset + max(length, 0)
            problem = _check(record)
            if problem is None and length <= 0:
                problem = "malformed record: Content-Length does not match the block"
            if problem:
                yield Problem(source.label, where, problem)
                if length <= 0:
                    return
                continue
            if info is not None:
                yield info
            else:
                summary = _summarise(record, source, where, size, compressed)
                if summary is not None:
                    yield summary
    except Exception as exc:  # warcio raises many types on damaged input
        if member is None:  # report where the damage starts: past the blank lines after a record
            stream.seek(last_end)
            while stream.read(1) in (b"\r", b"\n"):
                last_end += 1
        yield Problem(source.label, member[0] if member else base + last_end,
                      f"unreadable record: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
        if member is None:
            raise _Resync(last_end) from exc


class _Resync(Exception):
    """Plain-file damage: resume scanning after this offset."""

    def __init__(self, after: int) -> None:
        super().__init__(after)
        self.after = after


def _find(window: Window, needle: bytes, start: int, *, line_start: bool = False) -> int | None:
    """The next offset of ``needle`` at or after ``start`` (at a line start if asked)."""
    pos = start
    carry = b""
    window.seek(pos)
    while chunk := window.read(1 << 20):
        data = carry + chunk
        base = pos - len(carry)
        idx = data.find(b"\n" + needle if line_start else needle)
        if idx >= 0:
            return base + idx + (1 if line_start else 0)
        carry = data[-(len(needle) + 1):]
        pos += len(chunk)
    return None


def _members(window: Window, source: Source) -> Iterator[tuple[int, int, IO[bytes]] | Problem]:
    """Each gzip member as (offset, compressed length, decompressed content)."""
    pos = 0
    while pos < source.size:
        window.seek(pos)
        head = window.read(3)
        if head != GZIP_MAGIC:
            rest = head + window.read(CHUNK)
            if not rest.strip(b"\x00\r\n\t "):
                return  # padding at the end of the file
            yield Problem(source.label, pos, "not a gzip member (garbage between records)")
            nxt = _find(window, GZIP_MAGIC, pos + 1)
            if nxt is None:
                return
            pos = nxt
            continue
        window.seek(pos)
        out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the caller closes it)
        inflater = zlib.decompressobj(31)
        consumed = 0
        try:
            while not inflater.eof:
                chunk = window.read(CHUNK)
                if not chunk:
                    break
                consumed += len(chunk)
                out.write(inflater.decompress(chunk))
        except zlib.error as exc:
            out.close()
            yield Problem(source.label, pos, f"corrupt gzip data: {exc}")
            nxt = _find(window, GZIP_MAGIC, pos + 1)
            if nxt is None:
                return
            pos = nxt
            continue
        if not inflater.eof:
            out.close()
            yield Problem(source.label, pos,
                          f"gzip member cut short: file ends {consumed} bytes into it (truncated file)")
            return
        length = consumed - len(inflater.unused_data)
        out.seek(0)
        yield (pos, length, out)
        pos += length


def scan(source: Source, scratch: Path) -> Iterator[Capture | Warcinfo | Problem]:
    """Every capture, warcinfo and problem of one archive file."""
    with source.open() as window:
        if source.gzipped:
            yield from _scan_gzip(window, source, scratch)
        else:
            yield from _scan_plain(window, source)


def _scan_gzip(window: Window, source: Source, scratch: Path) -> Iterator[Capture | Warcinfo | Problem]:
    for item in _members(window, source):
        if isinstance(item, Problem):
            yield item
            continue
        offset, length, content = item
        with content:
            results = list(_read_records(content, source, 0, True, (offset, length)))
            records = [r for r in results if not isinstance(r, Problem)]
            if len(records) > 1:
                yield from _whole_file(content, source, scratch, offset)
                continue
            yield from results


def _whole_file(content: IO[bytes], source: Source, scratch: Path, offset: int
                ) -> Iterator[Capture | Warcinfo | Problem]:
    """A gzip member with many records: read them from a decompressed copy."""
    logger.warning("%s: the gzip member at %d holds many records (whole-file gzip, not one member "
                   "per record); reading a decompressed copy (fix the file: warcio recompress)",
                   source.label, offset)
    plain_name = source.name.removesuffix(".gz")
    target = scratch / f"{abs(hash((source.label, offset)))}-{plain_name}"
    content.seek(0)
    with target.open("wb") as fh:
        shutil.copyfileobj(content, fh, 1 << 20)
    copy = Source(source.name, f"{source.label} (decompressed member at {offset})", target, 0,
                  target.stat().st_size)
    with copy.open() as window:
        yield from _scan_plain(window, copy)


def _scan_plain(window: Window, source: Source) -> Iterator[Capture | Warcinfo | Problem]:
    pos = 0
    needle = b"WARC/1." if not source.is_arc else b"http"
    while pos < source.size:
        window.seek(pos)
        try:
            yield from _read_records(window, source, 0, False, None)
            return
        except _Resync as resync:
            nxt = _find(window, needle, resync.after + 1, line_start=True)
            if nxt is None or nxt <= pos:
                return
            pos = nxt


def _member_problem(content: IO[bytes]) -> str | None:
    """What keeps one gzip member from being exactly one complete, valid record."""
    count = 0
    try:
        it = ArchiveIterator(content, arc2warc=True, check_digests=True)
        for record in it:
            while record.raw_stream.read(CHUNK):
                pass
            it.read_to_end(record)
            count += 1
            problem = _check(record)
            if problem:
                return problem
    except Exception as exc:  # warcio raises many types on damaged input
        return f"unreadable record: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
    return None if count == 1 else f"gzip member holds {count} records"


def check_members(source: Source) -> Iterator[tuple[int, int, str | None]]:
    """(offset, length, problem or None) of every gzip member of a file, resyncing after damage."""
    with source.open() as window:
        for item in _members(window, source):
            if isinstance(item, Problem):
                yield item.offset, 0, item.message
                continue
            offset, length, content = item
            with content:
                yield offset, length, _member_problem(content)
