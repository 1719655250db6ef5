"""The CDXJ index written beside each WARC and merged at the end of a crawl.

Checked against webrecorder's cdxj-indexer (the indexer of WACZ and ReplayWeb.page) on
the same files, and against pywb, which must replay from our index alone.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.warc import cdxj
from crawler.warc.files import WarcRotator
from crawler.warc.records import build_pair, request_headers, response_headers
from tests.conftest import PYWB_BIN
from tests.test_outlets import OUTLET_NAMES, crawl_of  # noqa: F401  (crawl_of is a fixture)

BIN = Path(sys.executable).parent


def reference_index(*warcs: Path, post_append: bool = False) -> list[bytes]:
    """cdxj-indexer's lines for the files, in byte order."""
    cmd = [str(BIN / "cdxj-indexer"), *(["-p"] if post_append else []), *map(str, warcs)]
    proc = subprocess.run(cmd, capture_output=True, check=True)
    return sorted(line + b"\n" for line in proc.stdout.splitlines())


def _pair(rot: WarcRotator, url: str, *, method: str = "GET", body: bytes = b"", ctype: str = "") -> None:
    info = rot.prepare()
    headers = [(b"User-Agent", [b"t"])] + ([(b"Content-Type", [ctype.encode()])] if ctype else [])
    resp, req = build_pair(
        rot.builder, url=url, date=datetime(2026, 11, 23, 12, 0, 1, tzinfo=UTC),
        response_http=response_headers(200, "HTTP/1.1", [(b"Content-Type", [b"text/html; charset=gbk"])]),
        response_body=b"<html>" + url.encode() + b"</html>",
        request_http=request_headers(method, url, headers, "HTTP/1.1"), request_body=body,
        warcinfo_id=info,
    )
    rot.write_group([resp, req], request_body=body)


def test_sidecar_is_written_with_each_record_and_matches_cdxj_indexer(tmp_path: Path) -> None:
    rot = WarcRotator(tmp_path, prefix="t", warcinfo={"software": "t"})
    _pair(rot, "http://ztpd.nmgnews.com.cn/cxzy/list.shtml?page=2&cat=5")
    open_warc = next(tmp_path.glob("*.warc.gz.open"))
    sidecar = open_warc.with_name(open_warc.name.removesuffix(".open") + ".cdxj.open")
    assert len(sidecar.read_text().splitlines()) == 1  # on disk before the file is closed
    _pair(rot, "https://www.nmgnews.com.cn/")
    _pair(rot, "https://inews.nmgnews.com.cn/search", method="POST", body=b"q=%E5%86%85&page=1",
          ctype="application/x-www-form-urlencoded")
    final = rot.close()
    assert final is not None and rot.closed_indexes == [final.with_name(final.name + ".cdxj")]
    ours = sorted(line.encode() + b"\n" for line in rot.closed_indexes[0].read_text().splitlines())
    assert ours == reference_index(final, post_append=True)
    post = [json.loads(line.split(b" ", 2)[2]) for line in ours if b"__wb_method=post" in line]
    assert post and post[0]["method"] == "POST" and post[0]["requestBody"] == "q=内&page=1"
    _key, stamp, data = ours[0].decode().split(" ", 2)
    fields = json.loads(data)
    assert stamp == "20261123120001"
    assert list(fields) == ["url", "mime", "status", "digest", "length", "offset", "filename"]
    assert fields["mime"] == "text/html" and fields["filename"] == final.name


def test_index_file_matches_cdxj_indexer_on_other_writers_files(tmp_path: Path) -> None:
    from tests.corpus.build import write_other_tools

    corpus = write_other_tools(tmp_path)
    for path in corpus.good_files:
        if path.name == "whole-file.warc.gz":  # not indexable in place (no record offsets): both refuse
            continue
        ours = sorted(line.encode() for line in cdxj.index_file(path))
        assert ours == reference_index(path), path.name


def test_merge_sorts_in_byte_order_and_keeps_what_is_there(tmp_path: Path) -> None:
    a, b, out = tmp_path / "a.cdxj", tmp_path / "b.cdxj", tmp_path / "indexes" / "c.cdxj"
    a.write_bytes(b"com,b)/ 2 {}\ncom,a)/z 1 {}\n")
    b.write_bytes(b"com,a)/Z 1 {}\ncom,a)/z 1 {}\n")
    assert cdxj.merge([a, b], out) == 3
    assert out.read_bytes() == b"com,a)/Z 1 {}\ncom,a)/z 1 {}\ncom,b)/ 2 {}\n"
    a.write_bytes(b"com,a)/a 1 {}\n")
    assert cdxj.merge([a], out) == 4  # merged into the existing index, not replacing it
    assert out.read_bytes().splitlines()[0] == b"com,a)/Z 1 {}"


@pytest.mark.parametrize("outlet", OUTLET_NAMES)
def test_crawl_index_is_cdxj_indexers_and_pywb_replays_from_it(outlet: str, crawl_of, tmp_path: Path,  # noqa: F811
                                                                ) -> None:
    crawl = crawl_of(outlet)
    indexes = sorted((crawl.out / "indexes").glob("*.cdxj"))
    assert len(indexes) == 1, "one merged index per crawl"
    assert not list(crawl.out.glob("*.cdxj")) and not list(crawl.out.glob("*.cdxj.open")), "sidecars merged"
    ours = indexes[0].read_bytes().splitlines(keepends=True)
    assert ours == reference_index(*crawl.warcs())
    assert ours == sorted(ours)
    # pywb replays from our index alone (no reindexing by pywb)
    subprocess.run([PYWB_BIN / "wb-manager", "init", "c"], cwd=tmp_path, check=True, capture_output=True)
    for warc in crawl.warcs():
        shutil.copy(warc, tmp_path / "collections" / "c" / "archive")
    shutil.copy(indexes[0], tmp_path / "collections" / "c" / "indexes" / "index.cdxj")
    from tests.test_wacz import pywb_fetch

    line = next(json.loads(x.split(b" ", 2)[2]) for x in ours if b'"status": "200"' in x and b"html" in x)
    from warcio.archiveiterator import ArchiveIterator

    with (crawl.out / line["filename"]).open("rb") as fh:
        fh.seek(int(line["offset"]))
        stored = next(iter(ArchiveIterator(fh))).content_stream().read()  # pywb decodes gzip
    assert pywb_fetch(tmp_path, "c", line["url"]) == stored
