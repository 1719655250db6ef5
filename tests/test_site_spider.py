"""The generic ``site`` spider: arguments, discovery (robots.txt, sitemaps, feeds), scope,
the article rule and hints, on the corporate mirror mock (tests/outlets/mirror).

Every field of the mirror's expected articles is checked by tests/test_outlets.py.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.discovery import DiscoveryError
from crawler.items import Article
from crawler.mock import MockOutlets
from crawler.store import Store
from spiders.site import Hint, SiteSpider
from tests.conftest import REPO, proxy_env, run_crawl

OUTLET = Path(__file__).resolve().parent / "outlets" / "mirror"
BASE = "http://www.dongfang-group.com.cn"
SEED = f"{BASE}/esd/jjesd/202206/t20220602_1536.html"
A = f"{BASE}/zxzx/dfyw/202205/t20220527_1521.html"
B = f"{BASE}/zxzx/dfyw/1498.html"
DISCOVERY = {f"{BASE}/robots.txt", f"{BASE}/sitemap.xml", f"{BASE}/sitemap_news.xml",
             f"{BASE}/sitemap_pages.xml.gz", f"{BASE}/data/rss/2.xml"}


def _gets(mock: MockOutlets, start: int) -> list[str]:
    return [url for method, url, _status in mock.served[start:] if method == "GET"]


@pytest.fixture(scope="module")
def mirror() -> Iterator[MockOutlets]:
    with MockOutlets(outlets=["mirror"]) as mock:
        yield mock


@pytest.fixture(scope="module")
def host_crawl(mirror: MockOutlets, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("site-host")
    start = len(mirror.served)
    args = json.loads((OUTLET / "crawl.json").read_text(encoding="utf-8"))["args"]
    argv = [part for key, value in args.items() for part in ("-a", f"{key}={value}")]
    crawl = run_crawl("site", out, mirror.proxy_url, *argv)
    return crawl, _gets(mirror, start)


def test_mock_is_what_build_makes(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(OUTLET / "build.py"), str(tmp_path)], check=True)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(OUTLET) for p in OUTLET.rglob("*") if p.is_file()
                       and p.name not in ("build.py", "crawl.json") and "__pycache__" not in p.parts)
    assert made == committed
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (OUTLET / rel).read_bytes(), rel


def test_seed_page_is_served_as_the_seed_shows_it() -> None:
    """GBK bytes declared gb2312, the seed's text (menu, dateline, broken ``?qǐng)``) verbatim."""
    raw = (OUTLET / "pages/www.dongfang-group.com.cn/esd/jjesd/202206/t20220602_1536.html").read_bytes()
    assert b'charset=gb2312"' in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gb2312")  # traditional characters: GBK, not GB2312
    page = raw.decode("gbk")
    seed = next((REPO.parent / "shared" / "seeds").glob("000_*.txt")).read_text(encoding="utf-8")
    for line in seed.splitlines():
        text = line.strip().removeprefix("• ")
        if text:
            assert text in page, text
    assert "(來(lái)源:光明日?qǐng)?bào))" in page and "發(fā)布日期:2022-06-02瀏覽次數(shù):" in page


def test_host_crawl_discovers_and_extracts(host_crawl) -> None:
    crawl, gets = host_crawl
    assert set(gets) >= DISCOVERY
    assert gets.count(f"{BASE}/robots.txt") == 1  # read from the robots middleware's fetch
    assert not [u for u in gets if "job.dongfang-group" in u or "gmw.cn" in u]  # out of host scope
    assert f"{BASE}/news/1521.html" in gets and A in gets  # the old URL and where it redirects
    stats = crawl.stats
    pages = (stats["site/pages/article"], stats["site/pages/link-list"], stats["site/pages/undated"])
    assert pages == (3, 2, 46)  # home, about and 44 empty columns are undated
    found = (stats["site/sitemaps/parsed"], stats["site/sitemaps/from_robots"], stats["site/feeds/parsed"])
    assert found == (3, 1, 1)
    with Store.open(crawl.store_uri) as store:
        stored = {a["url"]: a for a in store.iter_articles()}
    assert sorted(stored) == sorted([SEED, A, B])
    assert {a["outlet"] for a in stored.values()} == {"dongfang-group.com.cn"}
    # B's page has no date and no headline: both come from the news sitemap.
    assert stored[B]["layers"]["published_at"] == "sitemap" and stored[B]["layers"]["title"] == "sitemap"
    assert stored[B]["published_raw"] == "2022-05-18T16:30:00+08:00"
    # The seed page dates itself (date only); the sitemap's time does not override it.
    assert stored[SEED]["layers"]["published_at"] == "page"
    assert stored[SEED]["published_at"] == "2022-06-02T00:00:00+08:00"
    assert stored[SEED]["charset"] == "gb18030"


def test_domain_and_prefix_scopes(mirror: MockOutlets, tmp_path: Path) -> None:
    job = "http://job.dongfang-group.com.cn/"
    mirror.add_route(job, body="<html><body><h3>人才招聘</h3><p>招聘信息</p></body></html>".encode())
    start = len(mirror.served)
    run_crawl("site", tmp_path / "domain", mirror.proxy_url, "-a", f"url={BASE}/", "-a", "scope=domain",
              "-a", "depth=1")
    gets = _gets(mirror, start)
    assert job in gets and "http://job.dongfang-group.com.cn/robots.txt" in gets
    assert not [u for u in gets if "gmw.cn" in u]
    assert f"{BASE}/zxzx/dfyw/202205/t20220510_1490.html" not in gets  # a link of depth 2

    start = len(mirror.served)
    crawl = run_crawl("site", tmp_path / "prefix", mirror.proxy_url, "-a", f"url={BASE}/zxzx/dfyw/",
                      "-a", "scope=prefix", "-a", "depth=1")
    pages = [u for u in _gets(mirror, start) if u not in DISCOVERY]
    assert pages and all(u.startswith(f"{BASE}/zxzx/dfyw/") for u in pages), pages
    assert SEED not in pages and A in pages and B in pages
    with Store.open(crawl.store_uri) as store:
        assert sorted(a["url"] for a in store.iter_articles()) == sorted([A, B])


def test_bad_arguments_fail_before_any_fetch(mirror: MockOutlets, tmp_path: Path) -> None:
    for args, message in [
        (["-a", "url=file:///etc/passwd"],
         "url: 'file:///etc/passwd' has scheme 'file'; only http and https"),
        (["-a", f"url={BASE}/", "-a", "scope=site"], "scope: 'site' is not one of host, domain, prefix"),
        (["-a", f"url={BASE}/", "-a", "depth=-1"], "depth: -1 is below 0"),
    ]:
        start = len(mirror.served)
        out = tmp_path / args[-1].replace("/", "_")
        cmd = [sys.executable, "-m", "scrapy", "crawl", "site", *args, "-s", f"ARCHIVE_DIR={out}"]
        proc = subprocess.run(cmd, cwd=REPO, env=proxy_env(mirror.proxy_url), capture_output=True, text=True,
                              timeout=120, check=False)
        assert proc.returncode != 0
        assert message in proc.stderr
        assert mirror.served[start:] == []
        assert not list(out.glob("*.warc*"))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "url: missing"),
    ({"url": "javascript:alert(1)"}, "url: 'javascript:alert(1)' has scheme 'javascript'"),
    ({"url": BASE, "depth": "deep"}, "depth: 'deep' is not a whole number"),
    ({"url": BASE, "min_chars": "0"}, "min_chars: 0 is below 1"),
])
def test_bad_arguments_name_the_argument(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(DiscoveryError) as err:
        SiteSpider(**kwargs)
    assert str(err.value).startswith(message)


def _spider(**kwargs: str) -> SiteSpider:
    crawler = get_crawler(SiteSpider, {"ROBOTSTXT_OBEY": kwargs.pop("obey", "True")})
    crawler._apply_settings()
    return SiteSpider.from_crawler(crawler, **kwargs)


def _start(spider: SiteSpider) -> list[str]:
    async def collect() -> list[str]:
        return [r.url async for r in spider.start()]
    return asyncio.run(collect())


def test_start_requests_by_depth_and_robots_setting() -> None:
    assert _start(_spider(url=f"{BASE}/news/", depth="0")) == [f"{BASE}/news/"]
    assert _start(_spider(url=f"{BASE}/news/", depth="2")) == [f"{BASE}/sitemap.xml", f"{BASE}/news/"]
    assert _start(_spider(url=f"{BASE}/news/", depth="2", obey="False")) == [
        f"{BASE}/robots.txt", f"{BASE}/sitemap.xml", f"{BASE}/news/"]


def _page(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=body.encode("utf-8"), request=Request(url),
                        headers={"Content-Type": "text/html; charset=utf-8"})


SENTENCE = "这是一篇用于检验通用抽取路径的文章正文，句子完整，内容连贯，没有导航链接。"
BODY = "".join(f"<p>第{i}段：{SENTENCE}</p>" for i in range(6))


def test_feed_date_and_title_fill_what_the_page_lacks() -> None:
    spider = _spider(url=f"{BASE}/")
    url = f"{BASE}/news/77.html"
    spider.hints[url] = Hint("集团召开年度工作会议", "2022-01-10T09:00:00+08:00",
                             "Mon, 10 Jan 2022 09:00:00 +0800", "feed")
    resp = _page(url, f"<html><head><title>东方集团</title></head><body>{BODY}</body></html>")
    article = spider.article(resp, *spider.decoded(resp))
    assert isinstance(article, Article)
    assert (article.title, article.published_at, article.outlet) == (
        "集团召开年度工作会议", "2022-01-10T09:00:00+08:00", "dongfang-group.com.cn")
    assert (article.layers["title"], article.layers["published_at"]) == ("feed", "feed")
    # Without the hint the page is undated: not an article.
    spider.hints.clear()
    resp = _page(url, f"<html><body>{BODY}</body></html>")
    assert spider.article(resp, *spider.decoded(resp)) is None
    assert spider.crawler.stats.get_value("site/pages/undated") == 1


def test_a_headline_on_the_page_wins_over_the_hint() -> None:
    spider = _spider(url=f"{BASE}/")
    url = f"{BASE}/2022/0110/77.html"
    spider.hints[url] = Hint("sitemap title", "2022-01-10T09:00:00+08:00", "2022-01-10T09:00:00+08:00",
                             "sitemap")
    html = f"<html><body><h1>页面自己的标题</h1><div class='date'>2022-01-09 18:00</div>{BODY}</body></html>"
    resp = _page(url, html)
    article = spider.article(resp, *spider.decoded(resp))
    assert isinstance(article, Article)
    assert (article.title, article.published_at) == ("页面自己的标题", "2022-01-09T18:00:00+08:00")
    assert (article.layers["title"], article.layers["published_at"]) == ("page", "page")


def test_an_unreadable_sitemap_is_skipped_and_discovery_still_ends() -> None:
    spider = _spider(url=f"{BASE}/")
    sitemap_req = spider._discovery(f"{BASE}/sitemap.xml", spider.parse_sitemap)
    assert sitemap_req is not None and spider._discovery(f"{BASE}/sitemap.xml", spider.parse_sitemap) is None
    held = list(spider._emit([Request(f"{BASE}/a.html")]))
    assert held == [] and len(spider._held) == 1
    bomb = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(b'<!ENTITY %s "' % bytes([98 + i]) + b"&%s;" % bytes([97 + i]) * 10 + b'">'
                       for i in range(8))
            + b']><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&i;</loc></url></urlset>')
    resp = HtmlResponse(url=f"{BASE}/sitemap.xml", body=bomb, request=sitemap_req)
    released = list(spider.parse_sitemap(resp))
    assert [r.url for r in released] == [f"{BASE}/a.html"]  # the held link goes out
    assert spider.crawler.stats.get_value("site/sitemaps/unreadable") == 1
    assert spider._discovering == 0


def test_gzip_sitemap_served_as_a_file(mirror: MockOutlets) -> None:
    body = mirror.body_for(f"{BASE}/sitemap_pages.xml.gz")
    assert gzip.decompress(body).startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset')
