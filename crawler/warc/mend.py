"""Mend WARC files left ``.open`` by a killed crawl: keep every complete record, cut the rest.

Each gzip member is checked (it decompresses to its end and holds exactly one WARC
record whose block is complete and whose digests match). The file is cut after the
last good member, renamed without ``.open``, and its CDXJ index rebuilt and merged into
``indexes/``. Damage followed by good records (not a killed writer's cut-off tail) is
reported and the file left alone: mending must never drop a complete record.
"""

from __future__ import annotations

import fcntl
import io
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.config import ConfigError, file_part
from crawler.replay.scan import check_members
from crawler.replay.sources import Source
from crawler.warc import cdxj
from crawler.warc.files import OPEN_SUFFIX

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mended:
    """What mending one file did."""

    path: Path            # the file as it is now
    status: str           # "mended", "complete", "empty", "invalid", "damaged", "refused"
    records: int = 0      # complete records kept
    cut_offset: int | None = None
    cut_bytes: int = 0
    detail: str = ""

    def __str__(self) -> str:
        text = f"{self.status}: {self.path}"
        if self.status in ("mended", "complete"):
            text += f" ({self.records} records kept"
            text += f"; cut {self.cut_bytes} bytes at offset {self.cut_offset})" if self.cut_bytes else ")"
        return text + (f": {self.detail}" if self.detail else "")


def _part_of(path: Path) -> str | None:
    """The warcinfo ``isPartOf`` of a WARC file (its crawl), if it starts with a warcinfo."""
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type != "warcinfo":
                return None
            text = record.raw_stream.read(1 << 16).decode("utf-8", "replace")
            for line in io.StringIO(text):
                name, _, value = line.partition(":")
                if name.strip() == "isPartOf":
                    return value.strip()
            return None
    return None


def reindex(warc: Path, archive_dir: Path) -> Path | None:
    """Rebuild a WARC's CDXJ and merge it into ``indexes/{isPartOf}.cdxj``; drop stale sidecars."""
    sidecar = warc.with_name(warc.name + cdxj.SUFFIX)
    for stale in (sidecar.with_name(sidecar.name + OPEN_SUFFIX), sidecar):
        stale.unlink(missing_ok=True)
    crawl = _part_of(warc) or ""
    try:  # isPartOf comes from the file: a hostile one must not name a path outside indexes/
        crawl = file_part(crawl, f"{warc}: warcinfo isPartOf")
    except ConfigError:
        crawl = warc.name.removesuffix(".warc.gz")
    sidecar.write_text("".join(cdxj.index_file(warc)), encoding="ascii")
    out = archive_dir / "indexes" / f"{crawl}.cdxj"
    cdxj.merge([sidecar], out)
    sidecar.unlink()
    return out


def mend_file(path: Path, archive_dir: Path | None = None) -> Mended:
    """Mend one ``*.warc.gz.open`` file (see the module docstring)."""
    if not path.name.endswith(".warc.gz" + OPEN_SUFFIX):
        return Mended(path, "refused", detail="not a .warc.gz.open file; left untouched")
    final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
    if final.exists():
        return Mended(path, "refused", detail=f"{final.name} exists already; left untouched")
    with path.open("rb") as held:
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return Mended(path, "refused", detail="being written (a running crawl, or the WARC writer "
                          "finishing after its crawl was killed, holds its lock); left untouched")
        return _mend_unlocked(path, final, archive_dir)


def _mend_unlocked(path: Path, final: Path, archive_dir: Path | None) -> Mended:
    """Mend ``path`` into ``final``; the caller holds the file's lock."""
    size = path.stat().st_size
    if size == 0:
        path.unlink()
        return Mended(path, "empty", detail="0 bytes (killed before the first record); removed")
    members = list(check_members(Source(final.name, str(path), path, 0, size)))
    bad = next((i for i, m in enumerate(members) if m[2]), None)
    if bad is not None and any(m[2] is None for m in members[bad + 1:]):
        offset, _, problem = members[bad]
        return Mended(path, "damaged", detail=f"damage at offset {offset} ({problem}) is followed by good "
                      "records; not a cut-off tail, left untouched (inspect it: warcio check)")
    good = members if bad is None else members[:bad]
    end = good[-1][0] + good[-1][1] if good else 0
    if not good:
        invalid = path.with_name(final.name + ".invalid")
        path.replace(invalid)
        return Mended(invalid, "invalid", cut_offset=0, cut_bytes=size,
                      detail=f"no complete record ({members[0][2] if members else 'no gzip member'}); "
                      "renamed, bytes kept")
    cut = size - end
    if cut:
        os.truncate(path, end)
    path.replace(final)
    reindex(final, archive_dir or final.parent)
    status = "mended" if cut else "complete"
    detail = (members[bad][2] or "") if bad is not None else ""
    return Mended(final, status, records=len(good), cut_offset=end if cut else None, cut_bytes=cut,
                  detail=detail)


def open_files(paths: list[Path]) -> list[Path]:
    """The ``*.warc.gz.open`` files named by ``paths`` (directories searched, not recursively)."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(sorted(p.glob("*.warc.gz" + OPEN_SUFFIX)))
        else:
            found.append(p)
    return found
