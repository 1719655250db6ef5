"""WARC files on disk: naming, the ``.open`` suffix, warcinfo first, rotation by size."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

from crawler.warc.cdxj import CdxjSidecar, record_line, wants_line

OPEN_SUFFIX = ".open"
INVALID_SUFFIX = ".invalid"
WARC_VERSION = "1.1"

logger = logging.getLogger(__name__)


class WarcWriteError(OSError):
    """A WARC file could not be written (disk full, I/O error); it was closed cleanly.

    ``errno`` is the cause's (``errno.ENOSPC`` for a full disk); :attr:`kept` is the file as
    it was left: cut after its last complete record and renamed without ``.open``, or renamed
    ``….warc.gz.invalid`` when it held no complete record (Heritrix does the same).
    """

    def __init__(self, code: int | None, message: str, kept: Path | None = None) -> None:
        super().__init__(code, message)
        self.kept = kept

    @property
    def disk_full(self) -> bool:
        """Whether the cause was a full disk or an exhausted quota."""
        return self.errno in (errno.ENOSPC, errno.EDQUOT)

    def __str__(self) -> str:
        return str(self.strerror)


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

    A file is named ``….warc.gz.open`` while written (under an exclusive ``flock``) and
    renamed when closed. Every file starts with a warcinfo record. Before a group of
    records is written, the file is rotated if it has reached ``max_size`` bytes, so a
    request/response pair never straddles two files. Names are created exclusively
    (O_EXCL), so two crawls writing into one directory never share or overwrite a file.
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
        #: ``{warc}.cdxj`` files of the closed WARC files (see crawler/warc/cdxj.py).
        self.closed_indexes: list[Path] = []
        self._cdxj: CdxjSidecar | None = None
        self.records_written = 0
        self.bytes_written = 0
        self._fh: object | None = None
        self._path: Path | None = None
        self._writer: WARCWriter | None = None
        self.warcinfo_id: str | None = None
        #: Set by the first write error: the rotator then refuses every further write.
        self.failed: WarcWriteError | None = None

    # -- files -------------------------------------------------------------------
    @property
    def current_name(self) -> str | None:
        """Final name (without ``.open``) of the file being written, if any."""
        return self._path.name[: -len(OPEN_SUFFIX)] if self._path else None

    def _open_next(self) -> None:
        if self.failed is not None:
            raise WarcWriteError(self.failed.errno, f"WARC writing stopped after an earlier error: "
                                 f"{self.failed}", self.failed.kept)
        counts = (self.records_written, self.bytes_written)
        try:
            self._create_next()
        except OSError as exc:
            self.records_written, self.bytes_written = counts
            if self._fh is None:  # not even created: nothing to clean up
                self.failed = WarcWriteError(exc.errno, f"cannot create a WARC file in {self.directory}: "
                                             f"{exc.strerror or exc}")
                raise self.failed from exc
            self._abandon(exc, 0, 0)

    def _create_next(self) -> None:
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
        # Held while the file is written: `scrapy mend` leaves a locked .open file alone (a live
        # crawl's, or the WARC writer process finishing after its crawl was killed).
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._fh = os.fdopen(fd, "wb")
        self._path = path
        self._writer = WARCWriter(self._fh, gzip=True, warc_version=WARC_VERSION)
        self._cdxj = CdxjSidecar(path)
        info = self.builder.create_warcinfo_record(name, self.warcinfo)
        self.warcinfo_id = info.rec_headers.get_header("WARC-Record-ID")
        self._write(info)
        self._fh.flush()  # on disk before any group: a cut after it keeps a valid file

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

    def write_group(self, records: list[ArcWarcRecord], request_body: bytes = b"") -> list[WarcRef]:
        """Write records back to back in the current file (see :meth:`prepare`).

        ``request_body`` is the body of the group's request record, for the CDXJ key of
        a POST (the record's own stream is consumed by writing it).
        """
        if self._fh is None:
            self._open_next()
        assert self._fh is not None and self._cdxj is not None
        start = self._fh.tell()  # type: ignore[attr-defined]
        counts = (self.records_written, self.bytes_written)
        index_start = self._cdxj.path.stat().st_size  # flushed with every group: its length
        try:
            refs = [self._write(r) for r in records]
            self._fh.flush()  # type: ignore[attr-defined]
            self._index(records, refs, request_body)
        except OSError as exc:
            self.records_written, self.bytes_written = counts
            self._abandon(exc, start, index_start)
        return refs

    def _abandon(self, exc: OSError, start: int, index_start: int) -> None:
        """After an I/O error: keep what was complete, close, rename, raise WarcWriteError.

        The group being written is cut off (the file ends at ``start``, after its last
        complete record; the CDXJ sidecar at ``index_start``); the file is renamed without
        ``.open``. A file with no complete record (the warcinfo failed) becomes ``.invalid``,
        its bytes kept. Never returns.
        """
        path, sidecar = self._path, self._cdxj
        assert path is not None
        final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
        with contextlib.suppress(OSError):  # flushing what is buffered fails again: that is fine
            self._fh.close()  # type: ignore[attr-defined]
        if sidecar is not None and sidecar._fh is not None:
            with contextlib.suppress(OSError):
                sidecar._fh.close()
            sidecar._fh = None
        self._fh = self._writer = self._path = self._cdxj = None
        self.serial += 1
        cause = exc.strerror or str(exc)
        kept: Path
        try:
            if start > 0:
                os.truncate(path, start)  # shrinking needs no space
                path.replace(final)
                self.closed_files.append(final)
                if sidecar is not None:
                    os.truncate(sidecar.path, index_start)
                    self.closed_indexes.append(sidecar.close())
                kept = final
                what = f"cut after its last complete record (offset {start}) and closed as {final}"
            else:
                kept = final.with_name(final.name + INVALID_SUFFIX)
                path.replace(kept)
                if sidecar is not None:
                    sidecar.path.unlink(missing_ok=True)
                what = f"no complete record: renamed {kept}"
        except OSError as again:  # pragma: no cover - the directory itself went away
            kept, what = path, f"could not be closed cleanly ({again}); run `scrapy mend` on it"
        self.failed = WarcWriteError(exc.errno, f"cannot write WARC file {final.name} in {self.directory}: "
                                     f"{cause}; {what}", kept)
        logger.error("%s", self.failed)
        raise self.failed from exc

    def _index(self, records: list[ArcWarcRecord], refs: list[WarcRef], request_body: bytes) -> None:
        """Append the CDXJ lines of a group just written (its request gives a POST key)."""
        assert self._cdxj is not None
        request = next((r for r in records if r.rec_type == "request"), None)
        self._cdxj.write(
            record_line(rec, offset=ref.offset, length=ref.length, filename=ref.file,
                        request=request, request_body=request_body)
            for rec, ref in zip(records, refs, strict=True) if wants_line(rec)
        )

    def close(self) -> Path | None:
        """Close the current file and drop its ``.open`` suffix."""
        if self._fh is None or self._path is None:
            return None
        self._fh.close()  # type: ignore[attr-defined]
        final = self._path.with_name(self._path.name[: -len(OPEN_SUFFIX)])
        self._path.replace(final)
        self.closed_files.append(final)
        if self._cdxj is not None:
            self.closed_indexes.append(self._cdxj.close())
            self._cdxj = None
        self._fh = self._writer = self._path = None
        self.serial += 1
        return final
