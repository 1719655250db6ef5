"""Checks shared by the reliability tests: the archive is valid and the store agrees with it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.store import Store
from crawler.summary import check_warc


@dataclass(frozen=True)
class Rec:
    """One record of a WARC file: where it is and what it is."""

    file: str
    offset: int
    record_id: str
    rec_type: str
    url: str | None


def archive_records(directory: Path) -> dict[tuple[str, int], Rec]:
    """Every record of every ``*.warc.gz`` in ``directory``, after checking each file.

    Fails on any file left ``.open``, any record `warcio check` rejects (digests included),
    and any file that does not start with a warcinfo record.
    """
    assert not list(directory.glob("*.open")), sorted(p.name for p in directory.glob("*.open"))
    records: dict[tuple[str, int], Rec] = {}
    for path in sorted(directory.glob("*.warc.gz")):
        count, problems = check_warc(path)
        assert problems == [] and count > 0, (path, problems)
        with path.open("rb") as fh:
            it = ArchiveIterator(fh)
            for n, rec in enumerate(it):
                if n == 0:
                    assert rec.rec_type == "warcinfo", path
                rec_id = rec.rec_headers.get_header("WARC-Record-ID")
                records[(path.name, it.get_record_offset())] = Rec(
                    path.name, it.get_record_offset(), rec_id, rec.rec_type,
                    rec.rec_headers.get_header("WARC-Target-URI"))
        assert len([r for r in records.values() if r.file == path.name]) == count
    return records


def store_agrees(store_uri: str, records: dict[tuple[str, int], Rec]) -> list[dict]:
    """Every stored article cites an existing, complete response (or revisit) record of its
    own URL, by file, offset and record id; returns the articles. No URL is stored twice."""
    with Store.open(store_uri) as store:
        articles = list(store.iter_articles())
    urls = [a["url"] for a in articles]
    assert len(urls) == len(set(urls)), "an article is stored twice"
    for art in articles:
        assert art["warc_file"], f"{art['url']} cites no WARC record"
        rec = records.get((art["warc_file"], art["warc_offset"]))
        assert rec is not None, f"{art['url']} cites {art['warc_file']}@{art['warc_offset']}: no such record"
        assert rec.record_id == art["warc_record_id"], art["url"]
        assert rec.rec_type in ("response", "revisit") and rec.url == art["url"], (rec, art["url"])
    return articles


def index_urls(directory: Path) -> list[str]:
    """URLs of the CDXJ lines in ``indexes/*.cdxj`` and any sidecar ``*.warc.gz.cdxj`` left."""
    files = sorted((directory / "indexes").glob("*.cdxj")) + sorted(directory.glob("*.warc.gz.cdxj"))
    return sorted(json.loads(line.split(" ", 2)[2])["url"]
                  for f in files for line in f.read_text().splitlines())
