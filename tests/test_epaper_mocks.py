"""The e-paper mocks are what epaper_build.py makes, serve what the seeds show, and their PDFs and
JPEGs are valid files."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from opencc import OpenCC

from crawler.mock import MockOutlets
from tests.conftest import OUTLETS, REPO

PAPERS = ("gmrb", "nmgrb", "wlcbrb", "btrb", "hhhtrb", "whrb")
MISSING = {"gmrb": "https://epaper.gmw.cn/gmrb/html/2022-06/03/nbs.D110000gmrb_01.htm",
           "nmgrb": "https://szb.northnews.cn/nmgrb/html/2022-11/23/node_1.htm",
           "wlcbrb": "http://60.31.144.235:29280/paper/pc/layout/202309/29/node_01.html",
           "btrb": "http://customupload.baotounews.com/nepaper/btrb/html/2025-04/18/node_3.htm",
           "hhhtrb": "http://szb.saibeinews.com.cn/rb/page/2024-09/09/node_2.htm",
           "whrb": "https://szb.wuhainews.org.cn/paper/pc/layout/202506/17/node_01.html"}


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _site(paper: str) -> dict:
    return json.loads((OUTLETS / paper / "site.json").read_text(encoding="utf-8"))


def _body(paper: str, url: str) -> bytes:
    route = next(r for r in _site(paper)["routes"] if r["url"] == url)
    return (OUTLETS / paper / route["file"]).read_bytes()


def test_committed_mocks_are_what_the_builder_makes(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(OUTLETS / "epaper_build.py"), "--out", str(tmp_path)], cwd=REPO,
                   check=True, capture_output=True)
    for paper in PAPERS:
        built = _files(tmp_path / paper)
        committed = {k: v for k, v in _files(OUTLETS / paper).items()
                     if k.startswith(("pages/", "expected/")) or k in ("site.json", "crawl.json")}
        assert sorted(built) == sorted(committed), paper
        changed = [name for name in built if built[name] != committed[name]]
        assert not changed, f"{paper}: rerun tests/outlets/epaper_build.py ({changed[:5]})"


@pytest.mark.parametrize("paper", PAPERS)
def test_every_issue_has_pdfs_images_robots_a_redirect_and_a_404(paper: str) -> None:
    with MockOutlets(outlets=[paper]) as mock:
        routes = _site(paper)["routes"]
        pdfs = [r for r in routes if r["url"].endswith(".pdf") and "status" not in r]
        images = [r for r in routes if r["url"].endswith("_b.jpg")]
        assert pdfs and len(pdfs) == len(images)
        for route in pdfs:
            data = (OUTLETS / paper / route["file"]).read_bytes()
            assert data.startswith(b"%PDF-1.4\n") and data.endswith(b"%%EOF\n")
            xref = int(re.search(rb"startxref\n(\d+)\n", data)[1])  # type: ignore[index]
            offsets = [int(x) for x in re.findall(rb"(\d{10}) 00000 n ", data[xref:])]
            assert [data[o:].split(b" ", 1)[0] for o in offsets] == [b"%d" % n for n in range(1, 5)]
        for route in images + [r for r in routes if r["url"].endswith(".jpg")]:
            data = (OUTLETS / paper / route["file"]).read_bytes()
            assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
            sof = data.index(b"\xff\xc0")
            height, width = struct.unpack(">HH", data[sof + 5 : sof + 9])
            assert (width, height) in ((64, 96), (96, 64))
        moved = [r for r in routes if r.get("status") == 301]
        first_pages = [r for r in pdfs if re.search(r"/01/[^/]+01\.pdf$", r["url"])]
        assert len(moved) == len(first_pages)  # one per issue
        for route in moved:
            target = dict(route["headers"])["Location"]
            assert any(r["url"] == target for r in pdfs)
        for origin in {re.match(r"https?://[^/]+", r["url"])[0] for r in routes}:  # type: ignore[index]
            assert mock.route_for(f"{origin}/robots.txt").status == 200
        assert mock.route_for(MISSING[paper]).status == 404


def test_seed_002_breaks_are_printed_where_the_seed_breaks_them() -> None:
    html = _body("nmgrb", "https://szb.northnews.cn/nmgrb/html/2022-11/22/content_44872_197501.htm").decode()
    assert "认真记</P>\n<P>录,纷纷表示" in html
    html = _body("nmgrb", "https://szb.northnews.cn/nmgrb/html/2022-11/22/content_44872_197502.htm").decode()
    for cut in ("用实际行动践</P>\n<P>行初心使命。", "开展拉网式排</P>\n<P>查社区",
                "生活困难</P>\n<P>的弱势群体"):
        assert cut in html
    assert "<P>　　(自治区党委政法委供稿)</P>" in html


def test_seed_003_page_shows_what_the_seed_shows() -> None:
    base = "http://60.31.144.235:29280/paper/pc/content/202309/28"
    hude = _body("wlcbrb", f"{base}/content_16510.html").decode()
    body = hude.split("<founder-content>")[1]
    assert body.count("<p>□本报记者 李璟</p>\n<p>通讯员 兰玉山 田礼军</p>") == 4
    assert body.count("近年来,化德县始终把党建宣传") == 9  # a partial copy, then four whole ones, twice each
    heads = "<p>强化正面宣传引导,化德县——</p>\n<p>让党建宣传接地气聚人气</p>"
    assert body.index(heads) > body.index("以强化组织领导")  # the title follows a first, partial copy
    first = _body("wlcbrb", f"{base}/content_16501.html").decode()
    assert "以及市政协常</p>\n<p>（下转02版）</p>" in first
    assert "<p>（上接01版）委及委员代表" in _body("wlcbrb", f"{base}/content_16506.html").decode()


def test_seed_000_original_is_in_the_gmrb_issue_of_2022_06_02() -> None:
    html = _body("gmrb", "https://epaper.gmw.cn/gmrb/html/2022-06/02/nw.D110000gmrb_20220602_1-02.htm").decode()
    assert "<h1>党的二十大代表选举 | 内蒙古:确保宣传全覆盖政策全知晓</h1>" in html
    seed = next((REPO.parent / "shared" / "seeds").glob("000_*.txt")).read_text(encoding="utf-8")
    lines = [line.strip() for line in seed.splitlines() if line.strip()]
    last = lines[next(i for i, line in enumerate(lines) if line.startswith("(來")) - 1]  # the last paragraph
    simplified = OpenCC("t2s").convert(re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)", "", last.strip()))
    assert f"<P>　　{simplified}</P>" in html
    assert "(yè)" not in html and "發" not in html


def test_hhhtrb_is_gbk_declared_gb2312() -> None:
    data = _body("hhhtrb", "http://szb.saibeinews.com.cn/rb/page/2024-09/10/content_318201.htm")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")  # 喆 is GBK, not GB2312
    assert "记者 王喆" in data.decode("gbk")
    assert b'charset=gb2312' in data
