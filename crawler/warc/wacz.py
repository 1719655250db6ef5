"""Package WARC files as WACZ 1.1.1, streamed to disk.

Layout (WACZ 1.1.1): ``archive/*.warc.gz`` stored (not deflated, so replay tools read
records in place), ``indexes/index.cdx`` (CDXJ, sorted; pywb and ReplayWeb.page look for
``index.cdx``), ``pages/pages.jsonl`` (one line per article: url, ts, title),
``datapackage.json`` (every file with sha256 and size) and ``datapackage-digest.json``.

Written with :mod:`zipfile` chunk by chunk: a WARC is never read into memory (py-wacz
and scrapy-webarchive both index the WARCs again and detect pages themselves; we have
the index and the articles already). The CDXJ is sorted through temporary files.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zipfile import ZIP64_LIMIT, ZIP_DEFLATED, ZIP_STORED, ZipFile, ZipInfo

from crawler import __version__
from crawler.warc import cdxj

WACZ_VERSION = "1.1.1"
CHUNK = 1 << 20


@dataclass(frozen=True)
class Page:
    """A pages.jsonl entry: an article and the capture it came from."""

    url: str
    ts: str          # ISO 8601 UTC of the capture
    title: str
    file: str | None = None
    offset: int | None = None


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    m = moment.astimezone(UTC)
    return (max(m.year, 1980), m.month, m.day, m.hour, m.minute, m.second)


def _copy_into(zf: ZipFile, name: str, src: Path, *, stored: bool) -> dict[str, Any]:
    """Stream ``src`` into the zip as ``name``; return its datapackage resource."""
    size = src.stat().st_size
    info = ZipInfo(name, _zip_time(datetime.fromtimestamp(src.stat().st_mtime, UTC)))
    info.compress_type = ZIP_STORED if stored else ZIP_DEFLATED
    info.file_size = size
    sha = hashlib.sha256()
    with src.open("rb") as fh, zf.open(info, "w", force_zip64=size >= ZIP64_LIMIT) as dst:
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
            dst.write(chunk)
    return {"name": name.rsplit("/", 1)[-1].lower(), "path": name, "hash": f"sha256:{sha.hexdigest()}",
            "bytes": size}


def _index(warcs: list[Path], known: Iterable[Path], scratch: Path) -> Path:
    """One sorted CDXJ for the WARCs: lines of existing indexes, the rest indexed anew."""
    names = {w.name for w in warcs}
    covered: set[str] = set()
    parts: list[Path] = []
    for n, index in enumerate(known):
        part = scratch / f"known-{n}.cdxj"
        with index.open("rb") as src, part.open("wb") as dst:
            for line in src:
                fields = json.loads(line.split(b" ", 2)[2])
                if fields.get("filename") in names:
                    covered.add(fields["filename"])
                    dst.write(line)
        parts.append(part)
    for n, warc in enumerate(warcs):
        if warc.name not in covered:
            part = scratch / f"new-{n}.cdxj"
            part.write_text("".join(cdxj.index_file(warc)), encoding="ascii")
            parts.append(part)
    out = scratch / "index.cdx"
    cdxj.merge(parts, out)
    return out


def capture_times(index: Path) -> dict[tuple[str, int], str]:
    """(filename, offset) -> ISO 8601 capture time, from a CDXJ file."""
    times: dict[tuple[str, int], str] = {}
    with index.open("rb") as fh:
        for line in fh:
            _key, stamp, data = line.split(b" ", 2)
            fields = json.loads(data)
            s = stamp.decode()
            iso = f"{s[0:4]}-{s[4:6]}-{s[6:8]}T{s[8:10]}:{s[10:12]}:{s[12:14]}Z"
            times[(fields.get("filename"), int(fields.get("offset", -1)))] = iso
    return times


def write_wacz(out: Path, warcs: list[Path], pages: list[Page], *, indexes: Iterable[Path] = (),
               title: str = "", description: str = "") -> dict[str, Any]:
    """Write ``out`` (atomically: a temporary name, then renamed); return its datapackage."""
    if not warcs:
        raise ValueError(f"{out}: no WARC file to package")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    with tempfile.TemporaryDirectory(prefix="wacz-") as scratch_dir:
        scratch = Path(scratch_dir)
        index = _index(warcs, indexes, scratch)
        times = capture_times(index)
        pages_path = scratch / "pages.jsonl"
        with pages_path.open("w", encoding="utf-8") as fh:
            fh.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}) + "\n")
            for page in pages:
                ts = page.ts or times.get((page.file or "", page.offset or -1), "")
                line = {"id": uuid.uuid5(uuid.NAMESPACE_URL, page.url).hex, "url": page.url, "ts": ts,
                        "title": page.title}
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        resources = []
        try:
            with ZipFile(tmp, "w", allowZip64=True) as zf:
                for warc in warcs:
                    resources.append(_copy_into(zf, f"archive/{warc.name}", warc, stored=True))
                resources.append(_copy_into(zf, "indexes/index.cdx", index, stored=False))
                resources.append(_copy_into(zf, "pages/pages.jsonl", pages_path, stored=False))
                package: dict[str, Any] = {
                    "profile": "data-package",
                    "wacz_version": WACZ_VERSION,
                    "title": title or out.stem,
                    "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "software": f"nmg-news-archiver/{__version__}",
                    "resources": resources,
                }
                if description:
                    package["description"] = description
                data = json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")
                zf.writestr(ZipInfo("datapackage.json", _zip_time(datetime.now(UTC))), data, ZIP_DEFLATED)
                digest = {"path": "datapackage.json", "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}
                zf.writestr(ZipInfo("datapackage-digest.json", _zip_time(datetime.now(UTC))),
                            json.dumps(digest, indent=2), ZIP_DEFLATED)
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
    return package
