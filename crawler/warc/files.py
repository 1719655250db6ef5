"""WARC files on disk: naming, the ``.open`` suffix, warcinfo first, rotation by size."""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

OPEN_SUFFIX = ".open"
WARC_VERSION = "1.1"


@dataclass(frozen=True)
class WarcRef:
    """Where a record landed: file name (relative to the archive dir), offset, length, id."""

    file: str
    offset: int
    length: int
    record_id: str


def _timestamp() -> str:
    """UTC timestamp to the millisecond: 17 digits, sortable."""
    now = datetime.now(UTC)
    return now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"


class WarcRotator:
    """Writes records into ``{prefix}-{timestamp}-{serial}-{host}.warc.gz`` files.

    A file is named ``….warc.gz.open`` while written and renamed when closed. Every
    file starts with a warcinfo record. Before a group of records is written, the
    file is rotated if it has reached ``max_size`` bytes, so a request/response pair
    never straddles two files. Names are created exclusively (O_EXCL), so two crawls
    writing into one directory never share or overwrite a file.
    """

    def __init__(
        self,
        directory: Path,
        *,
        prefix: str,
        warcinfo: dict[str, str],
        max_size: int = 1_000_000_000,
    ) -> None:
        self.directory = directory
        self.prefix = prefix
        self.warcinfo = warcinfo
        self.max_size = max_size
        self.host = socket.gethostname().split(".")[0] or "localhost"
        self.builder = RecordBuilder(warc_version=WARC_VERSION)
        self.timestamp = _timestamp()
        self.serial = 0
        self.closed_files: list[Path] = []
        self.records_written = 0
        self.bytes_written = 0
        self._fh: object | None = None
        self._path: Path | None = None
        self._writer: WARCWriter | None = None
        self.warcinfo_id: str | None = None

    # -- files -------------------------------------------------------------------
    @property
    def current_name(self) -> str | None:
        """Final name (without ``.open``) of the file being written, if any."""
        return self._path.name[: -len(OPEN_SUFFIX)] if self._path else None

    def _open_next(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            name = f"{self.prefix}-{self.timestamp}-{self.serial:05d}-{self.host}.warc.gz"
            final = self.directory / name
            path = self.directory / (name + OPEN_SUFFIX)
            if final.exists():
                self._bump()
                continue
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                self._bump()
                continue
            break
        self._fh = os.fdopen(fd, "wb")
        self._path = path
        self._writer = WARCWriter(self._fh, gzip=True, warc_version=WARC_VERSION)
        info = self.builder.create_warcinfo_record(name, self.warcinfo)
        self.warcinfo_id = info.rec_headers.get_header("WARC-Record-ID")
        self._write(info)

    def _bump(self) -> None:
        """Another writer holds this name: move on to a fresh timestamp."""
        time.sleep(0.002)
        self.timestamp = _timestamp()
        self.serial = 0

    def _write(self, record: ArcWarcRecord) -> WarcRef:
        assert self._fh is not None and self._writer is not None and self._path is not None
        offset = self._fh.tell()  # type: ignore[attr-defined]
        self._writer.write_record(record)
        end = self._fh.tell()  # type: ignore[attr-defined]
        self.records_written += 1
        self.bytes_written += end - offset
        return WarcRef(
            file=self.current_name or "",
            offset=offset,
            length=end - offset,
            record_id=record.rec_headers.get_header("WARC-Record-ID"),
        )

    def prepare(self) -> str:
        """Rotate if the current file is full, open one if none is; return its warcinfo id.

        Call before building a group of records, so they can cite the warcinfo of the
        file they will land in.
        """
        if self._fh is not None and self._fh.tell() >= self.max_size:  # type: ignore[attr-defined]
            self.close()
        if self._fh is None:
            self._open_next()
        assert self.warcinfo_id is not None
        return self.warcinfo_id

    def write_group(self, records: list[ArcWarcRecord]) -> list[WarcRef]:
        """Write records back to back in the current file (see :meth:`prepare`)."""
        if self._fh is None:
            self._open_next()
        refs = [self._write(r) for r in records]
        self._fh.flush()  # type: ignore[attr-defined]
        return refs

    def close(self) -> Path | None:
        """Close the current file and drop its ``.open`` suffix."""
        if self._fh is None or self._path is None:
            return None
        self._fh.close()  # type: ignore[attr-defined]
        final = self._path.with_name(self._path.name[: -len(OPEN_SUFFIX)])
        self._path.replace(final)
        self.closed_files.append(final)
        self._fh = self._writer = self._path = None
        self.serial += 1
        return final
