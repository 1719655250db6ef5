"""The archive as a source: an index over many WARC/ARC/WACZ files and lookups into it.

:meth:`Archive.lookup` finds the capture that answers a URL: the same URL first, then
the other scheme (http/https), then the SURT form (host case, ``www.``, query order),
then the URL without its query (``?v=1`` noise). The latest capture wins. A revisit
is answered with its original's payload, found by ``WARC-Refers-To``, by target URI
and date, or by payload digest, in any file of the archive.
"""

from __future__ import annotations

import gzip
import io
import logging
import tempfile
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

from crawler.replay.body import http_body
from crawler.replay.scan import Capture, Problem, Warcinfo, scan
from crawler.replay.sources import Source, find_sources
from crawler.warc.cdxj import surt_key
from crawler.warc.files import WarcRef

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
#: How many revisits of revisits are followed before giving up.
MAX_REVISIT_DEPTH = 5


class ArchiveError(Exception):
    """A capture cannot be loaded; the message names the file and offset."""


@dataclass
class Archived:
    """What a replayed response is made of."""

    url: str
    status: int
    protocol: str
    headers: list[tuple[str, str]]
    body: bytes
    ip_address: str | None
    ref: WarcRef
    capture: Capture
    truncated: str | None
    revisit_of: Capture | None = None


@dataclass
class Archive:
    """Captures of many files, indexed for lookup by URL, record id and digest."""

    sources: list[Source]
    captures: list[Capture] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warcinfo: dict[str, dict[str, str]] = field(default_factory=dict)   # source label -> fields
    served: set[tuple[str, int]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.by_url: dict[str, list[Capture]] = defaultdict(list)
        self.by_key: dict[str, list[Capture]] = defaultdict(list)
        self.by_bare_key: dict[str, list[Capture]] = defaultdict(list)
        self.by_id: dict[str, Capture] = {}
        self.by_digest: dict[str, list[Capture]] = defaultdict(list)
        self.by_loc: dict[tuple[str, int], Capture] = {}
        self.lock = threading.Lock()

    # -- building ------------------------------------------------------------------
    @classmethod
    def build(cls, paths: Iterable[Path | str], scratch: Path | None = None) -> Archive:
        """Scan every file named by ``paths``; broken records are logged and skipped."""
        scratch = scratch or Path(tempfile.mkdtemp(prefix="replay-"))
        archive = cls(find_sources([Path(p) for p in paths], scratch))
        for source in archive.sources:
            for item in scan(source, scratch):
                if isinstance(item, Problem):
                    logger.error("Broken record skipped: %s", item)
                    archive.problems.append(item)
                elif isinstance(item, Warcinfo):
                    archive.warcinfo.setdefault(source.label, item.fields)
                else:
                    archive.add(item)
        logger.info("Archive: %d files, %d captures, %d broken records",
                    len(archive.sources), len(archive.captures), len(archive.problems))
        return archive

    def add(self, capture: Capture) -> None:
        self.captures.append(capture)
        self.by_url[capture.url].append(capture)
        key = surt_key(capture.url)
        self.by_key[key].append(capture)
        self.by_bare_key[key.split("?", 1)[0]].append(capture)
        self.by_id.setdefault(capture.record_id, capture)
        self.by_loc[capture.key] = capture
        if capture.digest and capture.rec_type != "revisit":
            self.by_digest[capture.digest].append(capture)

    # -- looking up ----------------------------------------------------------------
    @staticmethod
    def _other_scheme(url: str) -> str:
        parts = urlsplit(url)
        scheme = {"http": "https", "https": "http"}.get(parts.scheme, parts.scheme)
        return urlunsplit((scheme, *parts[1:]))

    def candidates(self, url: str) -> tuple[list[Capture], str]:
        """Captures that may answer ``url``, and how they matched."""
        for how, found in (
            ("exact", self.by_url.get(url)),
            ("scheme", self.by_url.get(self._other_scheme(url))),
            ("surt", self.by_key.get(surt_key(url))),
            ("query", self.by_bare_key.get(surt_key(url).split("?", 1)[0])),
        ):
            if found:
                return found, how
        return [], "missing"

    def lookup(self, url: str) -> tuple[Capture | None, str]:
        """The latest capture answering ``url`` (see the module docstring), and how it matched."""
        found, how = self.candidates(url)
        usable = [c for c in found if c.rec_type != "revisit" or self.original_of(c) is not None]
        if not usable:
            return None, "missing" if not found else "unresolved-revisit"
        return max(usable, key=lambda c: (c.date, c.offset)), how

    def original_of(self, revisit: Capture, depth: int = 0) -> Capture | None:
        """The record holding a revisit's payload, in any file."""
        if depth > MAX_REVISIT_DEPTH:
            return None
        found: Capture | None = None
        if revisit.refers_to and revisit.refers_to in self.by_id:
            found = self.by_id[revisit.refers_to]
        if found is None and revisit.refers_to_url:
            same = [c for c in self.by_url.get(revisit.refers_to_url, []) if c.rec_type != "revisit"]
            if revisit.refers_to_date is not None:
                same = [c for c in same if c.date.replace(microsecond=0)
                        == revisit.refers_to_date.replace(microsecond=0)] or same
            if revisit.digest:
                same = [c for c in same if c.digest == revisit.digest] or same
            found = max(same, key=lambda c: c.date) if same else None
        if found is None and revisit.digest:
            pool = self.by_digest.get(revisit.digest, [])
            earlier = [c for c in pool if c.date <= revisit.date] or pool
            same_url = [c for c in earlier if c.url == revisit.url] or earlier
            found = max(same_url, key=lambda c: c.date) if same_url else None
        if found is not None and found.rec_type == "revisit":
            return self.original_of(found, depth + 1)
        return found

    def owner_of(self, source: Source) -> str | None:
        """The spider named by a file's warcinfo (``spider`` field), if any."""
        return (self.warcinfo.get(source.label) or {}).get("spider") or None

    def html_pages(self) -> list[Capture]:
        """The latest capture of every URL whose answer is an HTML page with status 200."""
        latest: dict[str, Capture] = {}
        for capture in self.captures:
            best = latest.get(capture.url)
            if best is None or (capture.date, capture.offset) > (best.date, best.offset):
                latest[capture.url] = capture
        pages = []
        for capture in latest.values():
            payload = self.original_of(capture) if capture.rec_type == "revisit" else capture
            status = capture.status if capture.rec_type != "resource" else 200
            mime = capture.mime if capture.rec_type != "revisit" else (payload.mime if payload else None)
            if payload is not None and status == 200 and mime in HTML_TYPES:
                pages.append(capture)
        return sorted(pages, key=lambda c: (c.url, c.date))

    def by_location(self, label: str, offset: int) -> Capture | None:
        return self.by_loc.get((label, offset))

    # -- loading -------------------------------------------------------------------
    def _record(self, capture: Capture
                ) -> tuple[StatusAndHeaders, StatusAndHeaders | None, bytes, str | None]:
        """(WARC headers, HTTP headers, payload as stored, IP) of a capture."""
        try:
            with capture.source.open() as window:
                window.seek(capture.offset)
                raw = window.read(capture.length)
            if capture.compressed:
                raw = gzip.decompress(raw)
            record = next(iter(ArchiveIterator(io.BytesIO(raw), arc2warc=True)))
            payload = record.raw_stream.read()
        except Exception as exc:
            raise ArchiveError(f"{capture.source.label} @{capture.offset}: cannot load the record of "
                               f"{capture.url}: {type(exc).__name__}: {exc}") from exc
        return (record.rec_headers, record.http_headers, payload,
                record.rec_headers.get_header("WARC-IP-Address"))

    def load(self, capture: Capture) -> Archived:
        """The response a capture stands for; a revisit gets its original's payload."""
        rec_headers, http, payload, ip = self._record(capture)
        original: Capture | None = None
        payload_http = http
        if capture.rec_type == "revisit":
            original = self.original_of(capture)
            if original is None:
                raise ArchiveError(f"{capture.source.label} @{capture.offset}: original of revisit "
                                   f"{capture.url} not found in the archive")
            _o_rec, payload_http, payload, ip2 = self._record(original)
            ip = ip or ip2
            if http is None or http.get_statuscode() == "304":
                http = payload_http
        holder = original or capture
        if http is None:  # a resource record: no HTTP headers
            ctype = rec_headers.get_header("Content-Type") or "application/octet-stream"
            http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            payload_http = http
        status_text = http.get_statuscode() or "200"
        headers, body = http_body(http, payload_http or http, payload)
        return Archived(
            url=capture.url, status=int(status_text) if status_text.isdigit() else 200,
            protocol=http.protocol or "HTTP/1.1", headers=headers, body=body, ip_address=ip,
            ref=WarcRef(file=holder.source.name, offset=holder.offset, length=holder.length,
                        record_id=holder.record_id),
            # A revisit's WARC-Truncated: length says its payload was left out on purpose (it
            # is the original's): what counts is whether the original was cut short.
            capture=capture, truncated=(original or capture).truncated, revisit_of=original,
        )


_SHARED: dict[tuple[str, ...], Archive] = {}
_SHARED_LOCK = threading.Lock()


def shared(paths: Iterable[str]) -> Archive:
    """One Archive per set of paths in this process (the replay command builds it first)."""
    key = tuple(str(Path(p).resolve()) for p in paths)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = Archive.build([Path(p) for p in key])
        return _SHARED[key]


def register(paths: Iterable[str], archive: Archive) -> None:
    """Make ``archive`` the one :func:`shared` returns for ``paths``."""
    key = tuple(str(Path(p).resolve()) for p in paths)
    with _SHARED_LOCK:
        _SHARED[key] = archive
