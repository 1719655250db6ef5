"""Where archived bytes live: WARC/ARC files, directories of them, and WARC files inside WACZ.

A :class:`Source` is a byte range of a file on disk holding one WARC or ARC file: the
whole file, or a stored (uncompressed) ``archive/`` member of a WACZ package, read in
place. A deflated WACZ member is copied out to a temporary file first.
"""

from __future__ import annotations

import logging
import shutil
import struct
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

logger = logging.getLogger(__name__)

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
OPEN_SUFFIX = ".open"


class SourceError(ValueError):
    """An input path cannot be read as an archive; the message names it."""


@dataclass(frozen=True)
class Source:
    """One WARC or ARC file: ``size`` bytes at ``start`` in ``path``."""

    name: str          # the WARC file's own name (what a WarcRef cites)
    label: str         # for messages: the path, or ``package.wacz:archive/name``
    path: Path
    start: int
    size: int

    @property
    def gzipped(self) -> bool:
        return self.name.endswith(".gz")

    @property
    def is_arc(self) -> bool:
        return self.name.endswith((".arc", ".arc.gz"))

    def open(self) -> Window:
        """A file object over this source's bytes (offsets relative to its start)."""
        return Window(self.path.open("rb"), self.start, self.size)


class Window:
    """A read-only, seekable view of ``size`` bytes at ``start`` of an open file."""

    def __init__(self, fh: IO[bytes], start: int, size: int) -> None:
        self.fh, self.start, self.size = fh, start, size
        self.pos = 0
        fh.seek(start)

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.pos
        n = left if n is None or n < 0 else min(n, left)
        if n <= 0:
            return b""
        self.fh.seek(self.start + self.pos)
        data = self.fh.read(n)
        self.pos += len(data)
        return data

    def readline(self, limit: int = -1) -> bytes:
        """A line (used by warcio on uncompressed input)."""
        self.fh.seek(self.start + self.pos)
        left = self.size - self.pos
        limit = left if limit is None or limit < 0 else min(limit, left)
        line = self.fh.readline(limit) if limit > 0 else b""
        self.pos += len(line)
        return line

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.pos, 2: self.size}[whence]
        self.pos = max(0, min(self.size, base + offset))
        return self.pos

    def tell(self) -> int:
        return self.pos

    def close(self) -> None:
        self.fh.close()

    def __enter__(self) -> Window:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stored_member_offset(fh: IO[bytes], info: zipfile.ZipInfo) -> int:
    """Where a member's data starts: after its local header (whose extra field may differ)."""
    fh.seek(info.header_offset)
    header = fh.read(30)
    if header[:4] != b"PK\x03\x04":
        raise SourceError(f"bad local header for {info.filename} at {info.header_offset}")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_len + extra_len


def wacz_sources(path: Path, scratch: Path) -> list[Source]:
    """The WARC files in a WACZ's ``archive/`` folder (stored ones read in place)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(f"{path}: not a readable WACZ (zip) file: {exc}") from exc
    sources = []
    with zf, path.open("rb") as fh:
        for info in zf.infolist():
            name = info.filename.rsplit("/", 1)[-1]
            if not info.filename.startswith("archive/") or not name.endswith(ARCHIVE_SUFFIXES):
                continue
            label = f"{path}:{info.filename}"
            if info.compress_type == zipfile.ZIP_STORED:
                start = _stored_member_offset(fh, info)
                sources.append(Source(name, label, path, start, info.file_size))
                continue
            logger.warning("%s is compressed inside the WACZ (should be stored); copying it out", label)
            target = scratch / f"{len(sources)}-{name}"
            with zf.open(info) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            sources.append(Source(name, label, target, 0, target.stat().st_size))
    return sources


def find_sources(paths: list[Path], scratch: Path | None = None) -> list[Source]:
    """Every archive file named by ``paths`` (files, directories searched recursively, WACZ).

    Files still ``.open`` (a crawl is writing them, or was killed: see ``scrapy mend``)
    are skipped with a warning. Raises :class:`SourceError` for a path that does not
    exist or is not an archive.
    """
    scratch = scratch or Path(tempfile.mkdtemp(prefix="replay-"))
    found: list[Source] = []
    for given in paths:
        if not given.exists():
            raise SourceError(f"{given}: no such file or directory")
        if given.is_dir():
            files = sorted(p for p in given.rglob("*") if p.is_file())
            for p in files:
                if p.name.endswith(tuple(s + OPEN_SUFFIX for s in ARCHIVE_SUFFIXES)):
                    logger.warning("%s is still .open (being written, or left by a killed crawl: "
                                   "run `scrapy mend`); skipped", p)
            files = [p for p in files if p.name.endswith((*ARCHIVE_SUFFIXES, ".wacz"))]
        else:
            files = [given]
        for p in files:
            if p.name.endswith(".wacz"):
                found.extend(wacz_sources(p, scratch))
            elif p.name.endswith(ARCHIVE_SUFFIXES):
                found.append(Source(p.name, str(p), p, 0, p.stat().st_size))
            else:
                raise SourceError(f"{p}: not an archive (expected {', '.join(ARCHIVE_SUFFIXES)} or .wacz)")
    return found
