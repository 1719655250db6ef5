"""E-paper crawls against the mocks for what tests/test_outlets.py does not cover: a date range
with days without an issue, the page PDFs and images in the archive, credit lines and ads left
out, a redesigned issue (drift warning + generic fallback), and bad date arguments."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.mock import MockOutlets
from crawler.store import Store
from tests.conftest import FAST, REPO, Crawl, proxy_env, run_crawl

pytestmark = pytest.mark.slow

BASE = "http://60.31.144.235:29280/paper/pc"
ONLY = {"SPIDER_MODULES": "spiders.wlcbrb"}  # load just the spider under test
V2_DAY = "2023-10-10"


def _v2_page(links: str, stories: str) -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>乌兰察布日报</title></head><body>'
            f'<nav class="v2-pages">{links}</nav><section class="v2-stories">{stories}</section>'
            f"</body></html>").encode()


def _v2_story(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<header class="v2-top"><a href="/">首页</a></header><article class="v2"><h1 class="v2-title">'
            f'{title}</h1><div class="v2-meta">2023-10-10 乌兰察布日报</div><div class="v2-body">{body}'
            f"</div></article></body></html>").encode()


V2_STORIES = {
    "20001": ("我市秋收工作有序推进", [
        "眼下正值秋收时节，我市各旗县市区抢抓晴好天气，组织农机开展玉米、马铃薯收获作业，确保颗粒归仓。",
        "农牧部门组织技术人员深入田间地头，指导农户做好晾晒储存，减少产后损失。"]),
    "20002": ("市区新增公共停车泊位两千个", [
        "为缓解停车难问题，今年以来我市新建改建公共停车场12处，新增公共停车泊位2000余个。",
        "市民可通过手机小程序查询空余车位，实现停车导航和无感支付。"]),
}


@pytest.fixture(scope="module")
def mock() -> Iterator[MockOutlets]:
    """The wlcbrb mock plus an issue of 2023-10-10 in a markup no family knows (a redesign)."""
    with MockOutlets(outlets=["wlcbrb"]) as m:
        layout = f"{BASE}/layout/202310/10"
        nav = '<a href="node_01.html">一版 要闻</a> <a href="node_02.html">二版 综合</a>'
        for n, sid in ((1, "20001"), (2, "20002")):
            link = f'<a href="../../../content/202310/10/content_{sid}.html">{V2_STORIES[sid][0]}</a>'
            m.add_route(f"{layout}/node_0{n}.html", body=_v2_page(nav, link))
            m.add_route(f"{BASE}/content/202310/10/content_{sid}.html", body=_v2_story(*V2_STORIES[sid]))
        yield m


@pytest.fixture(scope="module")
def range_crawl(mock: MockOutlets, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    out = tmp_path_factory.mktemp("wlcbrb-range")
    start = len(mock.served)
    crawl = run_crawl("wlcbrb", out, mock.proxy_url, "-a", "since=2023-09-27", "-a", "until=2023-09-29",
                      settings=ONLY)
    crawl.served = mock.served[start:]  # type: ignore[attr-defined]
    return crawl


def _responses(crawl: Crawl) -> dict[str, tuple[str, str, bytes]]:
    """URL → (status, Content-Type, payload) of every archived response."""
    out = {}
    for path in crawl.warcs():
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response":
                    url = rec.rec_headers.get_header("WARC-Target-URI")
                    http, payload = rec.http_headers, rec.content_stream().read()
                    out[url] = (http.get_statuscode(), http.get_header("Content-Type"), payload)
    return out


def test_days_without_an_issue_are_counted_not_errors(range_crawl: Crawl) -> None:
    stats = range_crawl.stats
    assert stats["epaper/issues/found/wlcbrb"] == 1
    assert stats["epaper/issues/missing/wlcbrb"] == 2
    assert not [k for k in stats if k.startswith(("errors/", "drift/"))], stats
    assert "log_count/ERROR" not in stats
    served = range_crawl.served  # type: ignore[attr-defined]
    for day in ("27", "29"):
        assert ("GET", f"{BASE}/layout/202309/{day}/node_01.html", 404) in served
        assert f"wlcbrb: no issue on 2023-09-{day} (HTTP 404 at {BASE}/layout/202309/{day}/node_01.html)" \
            in range_crawl.log


def test_every_page_pdf_and_image_is_archived(range_crawl: Crawl, mock: MockOutlets) -> None:
    archived = _responses(range_crawl)
    for page in ("01", "02", "03", "04"):
        pdf = f"{BASE}/images/202309/28/{page}/wlcbrb20230928{page}.pdf"
        image = f"{BASE}/images/202309/28/{page}/wlcbrb20230928{page}_b.jpg"
        assert archived[pdf] == ("200", "application/pdf", mock.body_for(pdf))
        assert archived[pdf][2].startswith(b"%PDF-1.4")
        assert archived[image] == ("200", "image/jpeg", mock.body_for(image))
    moved = f"{BASE}/images/202309/28/01/wlcbrb2023092801.PDF"  # page 01 links an old name that 301s
    assert archived[moved][0] == "301"
    assert range_crawl.stats["epaper/assets/pdf/wlcbrb"] == 4
    assert range_crawl.stats["epaper/assets/image/wlcbrb"] == 4


def test_credit_lines_and_ads_are_archived_but_not_articles(range_crawl: Crawl) -> None:
    archived = _responses(range_crawl)
    skipped = {"16505": "credit", "16509": "credit", "16515": "credit", "16516": "ad"}
    with Store.open(range_crawl.store_uri) as store:
        stored = {a["url"]: a for a in store.iter_articles("wlcbrb")}
    for sid in skipped:
        url = f"{BASE}/content/202309/28/content_{sid}.html"
        assert archived[url][0] == "200"
        assert url not in stored
    assert range_crawl.stats["epaper/skipped/credit/wlcbrb"] == 3
    assert range_crawl.stats["epaper/skipped/ad/wlcbrb"] == 1
    assert len(stored) == 9
    # The page's credit line names the editor of every story on it.
    assert {(a["page_number"], a["editor"]) for a in stored.values()} == {
        ("01", "张慧"), ("02", "王燕"), ("03", "李娜")}


def test_continued_stories_become_one_article(range_crawl: Crawl) -> None:
    with Store.open(range_crawl.store_uri) as store:
        stored = {a["url"]: a for a in store.iter_articles("wlcbrb")}
    first = stored[f"{BASE}/content/202309/28/content_16501.html"]
    assert first["pages"] == [f"{BASE}/content/202309/28/content_16501.html",
                              f"{BASE}/content/202309/28/content_16506.html"]
    assert "以及市政协常委及委员代表就社情民意信息报送工作进行了经验交流发言。" in first["text"]
    assert "下转" not in first["text"] and "上接" not in first["text"]
    assert f"{BASE}/content/202309/28/content_16506.html" not in stored
    assert range_crawl.stats["epaper/joined/wlcbrb"] == 3
    assert all("incomplete-pages" not in a["flags"] for a in stored.values())


def test_a_redesigned_issue_warns_and_falls_back_to_generic_extraction(
        mock: MockOutlets, tmp_path: Path) -> None:
    crawl = run_crawl("wlcbrb", tmp_path, mock.proxy_url, "-a", f"date={V2_DAY}", settings=ONLY)
    # the entry page has no page list, and no page lists its stories the known way; nor do stories
    assert crawl.stats["drift/wlcbrb"] == 5
    front = f"{BASE}/layout/202310/10/node_01.html"
    assert (f"Template drift at wlcbrb ({front}): no page list (第01版：…) on the issue's entry page"
            in crawl.log)
    for sid in V2_STORIES:
        url = f"{BASE}/content/202310/10/content_{sid}.html"
        assert f"Template drift at wlcbrb ({url}): the story page matches no pc-layout markup" in crawl.log
    with Store.open(crawl.store_uri) as store:
        stored = {a["url"]: a for a in store.iter_articles("wlcbrb")}
    assert sorted(stored) == [f"{BASE}/content/202310/10/content_{sid}.html" for sid in sorted(V2_STORIES)]
    for n, sid in enumerate(sorted(V2_STORIES), 1):
        art = stored[f"{BASE}/content/202310/10/content_{sid}.html"]
        title, paragraphs = V2_STORIES[sid]
        assert art["title"] == title
        assert art["text"] == "\n".join(paragraphs)
        assert "drift" in art["flags"]
        assert (art["edition_date"], art["page_number"], art["published_at"]) == (
            V2_DAY, f"{n:02d}", "2023-10-10T00:00:00+08:00")


def _digests(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("args", "message"), [
    (["-a", "date=2023-13-01"], "date='2023-13-01' is not a date: expected YYYY-MM-DD"),
    (["-a", "since=2023-09-29", "-a", "until=2023-09-27"], "since=2023-09-29 is after until=2023-09-27"),
])
def test_a_bad_date_argument_stops_the_crawl_and_keeps_the_archive(
        range_crawl: Crawl, mock: MockOutlets, args: list[str], message: str) -> None:
    before = _digests(range_crawl.out)
    cmd = [sys.executable, "-m", "scrapy", "crawl", "wlcbrb", *args]
    for key, value in {**FAST, **ONLY, "ARCHIVE_DIR": str(range_crawl.out)}.items():
        cmd += ["-s", f"{key}={value}"]
    proc = subprocess.run(cmd, cwd=REPO, env=proxy_env(mock.proxy_url), capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode != 0
    assert f"DateArgumentError: {message}" in proc.stderr
    assert _digests(range_crawl.out) == before  # nothing archived, stored or overwritten
