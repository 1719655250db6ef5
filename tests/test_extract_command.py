"""`scrapy extract FILE_OR_URL [--url URL] [--outlet NAME]` and the path it shares with evaluation.

An outlet's pages read without a crawl give exactly what the crawl stores (every field of
every nmgnews expected JSON); an HTML file, a WARC record and a URL fetched through the
mock proxy all work; bad input gets one clear line and exit status 1.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from scrapy.utils.project import get_project_settings
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.extract.inputs import InputError, RawPage, WarcPages, follow, site_getter
from crawler.extract.offline import extract_articles, outlet_spiders, spider_for
from crawler.mock import MockOutlets

REPO = Path(__file__).resolve().parents[1]
NMG = REPO / "tests" / "outlets" / "nmgnews"
MULTI = "http://inews.nmgnews.com.cn/system/2019/07/05/012739043.shtml"
OLD = "http://ztpd.nmgnews.com.cn/system/2010/07/21/010437585.shtml"
MOVED = "http://inews.nmgnews.com.cn/system/2025/07/02/030209841.shtml"


def expected(name: str) -> dict:
    return json.loads((NMG / "expected" / f"{name}.json").read_text("utf-8"))


def run_extract(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", "extract", *args], cwd=REPO, capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def spiders() -> dict:
    return outlet_spiders(get_project_settings())


@pytest.mark.parametrize("path", sorted((NMG / "expected").glob("*.json")), ids=lambda p: p.stem)
def test_outlet_rules_without_a_crawl_give_what_the_crawl_stores(path: Path, spiders: dict) -> None:
    exp = json.loads(path.read_text("utf-8"))
    get = site_getter(NMG)
    page = follow(get, exp["url"])
    assert page is not None
    (article,) = extract_articles(page, spiders=spiders, get=get)
    got = dataclasses.asdict(article)
    for key, value in exp.items():
        assert got[key] == value, f"{exp['url']} field {key!r}"
    assert "drift" not in article.flags and article.outlet == "nmgnews"


def test_spider_for(spiders: dict) -> None:
    assert spider_for(OLD, spiders).name == "nmgnews"
    assert spider_for("https://www.example.com/a.html", spiders) is None
    assert spider_for("https://www.example.com/a.html", spiders, outlet="nmgnews").name == "nmgnews"
    with pytest.raises(InputError, match="--outlet nosuch: no spider of that name"):
        spider_for(OLD, spiders, outlet="nosuch")


def test_drift_falls_back_to_generic_and_says_so(spiders: dict) -> None:
    html = ("<html><head><title>新版页面标题-内蒙古新闻网</title></head><body><h1>新版页面标题</h1>"
            "<div class='news-body'><p>本报讯（记者 张三）近日，全区召开会议，部署下一阶段重点工作任务。</p>"
            "<p>会议要求，各地要认真贯彻落实，确保各项任务按期完成。</p></div></body></html>")
    page = RawPage(url="https://inews.nmgnews.com.cn/system/2026/06/03/030356045.shtml",
                   body=html.encode("utf-8"), headers=[("Content-Type", "text/html")])
    (article,) = extract_articles(page, spiders=spiders)
    assert article.outlet == "nmgnews" and "drift" in article.flags
    assert (article.title, article.authors) == ("新版页面标题", ["张三"])
    assert article.published_at == "2026-06-03T00:00:00+08:00"


# --------------------------------------------------------------------------- the command


def test_html_file(tmp_path: Path) -> None:
    exp = expected("010437585")
    proc = run_extract(str(NMG / "pages/ztpd.nmgnews.com.cn/system/2010/07/21/010437585.shtml"), "--url", OLD)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    for key in ("title", "published_at", "authors", "correspondents", "source", "editor", "section", "text"):
        assert got[key] == exp[key], key
    assert got["charset"] == "gb18030" and "gb2312" in got["charset_reason"]
    assert got["warc_file"] is None


def test_html_file_of_a_multi_page_article_is_flagged_incomplete() -> None:
    page = NMG / "pages/inews.nmgnews.com.cn/system/2019/07/05/012739043.shtml"
    proc = run_extract(str(page), "--url", MULTI)
    got = json.loads(proc.stdout)
    assert got["pages"] == [MULTI] and "incomplete-pages" in got["flags"]


def _warc(path: Path, pages: list[tuple[str, int, list[tuple[str, str]], bytes]]) -> None:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, status, headers, body in pages:
            http = StatusAndHeaders(f"{status} OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body),
                                                          length=len(body), http_headers=http))


def test_warc_record_with_later_pages_and_redirects(tmp_path: Path) -> None:
    get = site_getter(NMG)
    pages = []
    for url in (MULTI, MULTI.replace(".shtml", "_02.shtml"), MULTI.replace(".shtml", "_03.shtml")):
        raw = get(url)
        assert raw is not None
        body = gzip.compress(raw.body, mtime=0)  # archived as sent: content-encoded
        pages.append((url, 200, [*raw.headers, ("Content-Encoding", "gzip")], body))
    moved = get(MOVED.replace("http:", "https:"))
    assert moved is not None
    pages.append((MOVED, 301, [("Location", MOVED.replace("http:", "https:"))], b""))
    pages.append((MOVED.replace("http:", "https:"), 200, moved.headers, moved.body))
    warc = tmp_path / "crawl.warc.gz"
    _warc(warc, pages)

    proc = run_extract(str(warc), "--url", MULTI)
    assert proc.returncode == 0, proc.stderr
    got, exp = json.loads(proc.stdout), expected("012739043")
    assert (got["text"], got["pages"], got["authors"]) == (exp["text"], exp["pages"], exp["authors"])
    assert got["warc_file"] == "crawl.warc.gz" and got["warc_offset"] == 0
    assert got["warc_record_id"] == WarcPages([warc]).__call__(MULTI).warc.record_id  # type: ignore[union-attr]
    assert "incomplete-pages" not in got["flags"]

    proc = run_extract(str(warc), "--url", MOVED)
    got, exp = json.loads(proc.stdout), expected("030209841")
    assert (got["url"], got["title"], got["text"]) == (exp["url"], exp["title"], exp["text"])

    proc = run_extract(str(warc))
    assert proc.returncode == 1 and proc.stdout == ""
    assert f"{warc}: holds 5 pages; pick one with --url" in proc.stderr


def test_url_fetched_through_the_proxy() -> None:
    with MockOutlets(outlets=["nmgnews"]) as mock:
        env = {**os.environ, "http_proxy": mock.proxy_url, "no_proxy": "", "NO_PROXY": ""}
        proc = run_extract(MULTI, env=env)
        served = [url for _m, url, _s in mock.served]
    assert proc.returncode == 0, proc.stderr
    got, exp = json.loads(proc.stdout), expected("012739043")
    assert (got["text"], got["pages"], got["source"]) == (exp["text"], exp["pages"], exp["source"])
    assert served == exp["pages"]


def test_several_stories_print_as_an_array() -> None:
    pages = REPO / "tests" / "generic_pages"
    proc = run_extract(str(pages / "pages/www.northnews.cn/p/2359976.html"),
                       "--url", "https://www.northnews.cn/p/2359976.html")
    got = json.loads(proc.stdout)
    assert [a["title"] for a in got] == ["系统阐述深入解读 迅速掀起宣讲热潮", "党建引领聚合力 同心抗疫显担当"]
    assert got[0]["source"] == "内蒙古日报" and got[1]["organisation"] == "自治区党委政法委"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/file.html"], "/no/such/file.html: no such file"),
        ([str(NMG / "site.json"), "--outlet", "nosuch"], "--outlet nosuch: no spider of that name"),
    ],
)
def test_bad_input_is_one_clear_line(args: list[str], message: str) -> None:
    proc = run_extract(*args)
    assert proc.returncode == 1 and proc.stdout == ""
    assert message in proc.stderr


def test_a_broken_warc_is_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(gzip.compress(b"WARC/1.1\r\nthis is not a record\r\n"))
    with pytest.raises(InputError, match=r"empty\.warc\.gz: no response record"):
        WarcPages([empty])
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"\x1f\x8b" + bytes(range(256)))
    with pytest.raises(InputError, match=r"bad\.warc\.gz: not a readable WARC file"):
        WarcPages([bad])
