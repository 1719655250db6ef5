"""光明网 (gmw): the mock is what build.py makes, the templates read the pages, drift is loud,
and column paging stops at ``-a since`` and at articles already in the store.

Every field of every article is checked by tests/test_outlets.py against expected/*.json.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.items import Article
from crawler.mock import MockOutlets
from crawler.store import Store
from spiders.gmw import V2012, V2020, GmwSpider
from tests.conftest import run_crawl

OUTLET = Path(__file__).resolve().parent / "outlets" / "gmw"
SITE = json.loads((OUTLET / "site.json").read_text(encoding="utf-8"))
P1 = "https://politics.gmw.cn/node_9840.htm"
N1 = "https://news.gmw.cn/node_4108.htm"
MULTI = "https://politics.gmw.cn/2026-02/20/content_38871046.htm"
OLD = "https://politics.gmw.cn/2024-05/20/content_37330981.htm"
PAGE_1 = ["https://politics.gmw.cn/2026-03/05/content_38900112.htm", MULTI,
          "https://politics.gmw.cn/2025-11/18/content_38700345.htm"]
NEWS_1 = ["https://news.gmw.cn/2026-03/10/content_38912345.htm"]


def body_of(url: str) -> bytes:
    route = next(r for r in SITE["routes"] if r["url"] == url)
    return (OUTLET / route["file"]).read_bytes()


def response(url: str, body: bytes | None = None) -> HtmlResponse:
    return HtmlResponse(url=url, body=body_of(url) if body is None else body, request=Request(url),
                        headers={"Content-Type": "text/html"})


@pytest.fixture
def spider(tmp_path: Path) -> Iterator[GmwSpider]:
    crawler = get_crawler(GmwSpider, {"STORE_URI": f"sqlite:///{tmp_path / 'store.sqlite'}"})
    crawler._apply_settings()
    spider = GmwSpider.from_crawler(crawler)
    yield spider
    spider._close_store()


def test_mock_is_what_build_makes(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(OUTLET / "build.py"), str(tmp_path)], check=True)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(OUTLET) for p in OUTLET.rglob("*") if p.is_file()
                       and p.name not in ("build.py", "articles.toml") and "__pycache__" not in p.parts)
    assert made == committed
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (OUTLET / rel).read_bytes(), rel


def test_both_templates_read_their_pages() -> None:
    new = V2020.read(response(PAGE_1[0]).replace(encoding="utf-8"))
    assert new is not None and V2012.read(response(PAGE_1[0]).replace(encoding="utf-8")) is None
    assert (new.title, new.published_raw, new.source, new.editor) == (
        "多地推进“高效办成一件事”改革 政务服务从“能办”向“好办”转变", "2026-03-05 08:41", "来源： 光明日报",
        "[责编：张蓓]")
    old = V2012.read(response(OLD).replace(encoding="utf-8"))
    assert old is not None and V2020.read(response(OLD).replace(encoding="utf-8")) is None
    assert (old.title, old.published_raw, old.source, old.editor) == (
        "多地开展防灾减灾宣传周活动", "2024-05-20 15:34", "来源： 光明网", "[责任编辑:周敏]")


def test_multi_page_article_follows_the_pager(spider: GmwSpider) -> None:
    out = list(spider.parse_article(response(MULTI)))
    assert len(out) == 1 and isinstance(out[0], Request)
    assert out[0].url == "https://politics.gmw.cn/2026-02/20/content_38871046_2.htm"
    article = out[0].cb_kwargs["article"]
    assert article.title == "数字政府建设观察：从“一网通办”到“一网统管”"
    done = list(spider.parse_more(response(out[0].url), article))
    assert done == [article]
    assert article.pages == [MULTI, out[0].url]
    assert len(article.body_html) == 2 and "数据安全是数字政府建设的底线" in article.body_html[1]


def test_a_failed_second_page_keeps_the_article_flagged(spider: GmwSpider) -> None:
    (req,) = spider.parse_article(response(MULTI))
    failure = Failure(ConnectionRefusedError("refused"))
    failure.request = req  # type: ignore[attr-defined]
    (article,) = spider.more_failed(failure)
    assert isinstance(article, Article)
    assert article.flags == ["incomplete-pages"] and article.pages == [MULTI]
    assert spider.crawler.stats.get_value("errors/gmw/ConnectionRefusedError") == 1


def test_article_drift_is_loud_and_falls_back(spider: GmwSpider, caplog: pytest.LogCaptureFixture) -> None:
    url = "https://politics.gmw.cn/2026-04/01/content_39000001.htm"
    body = ("<html><head><meta charset='utf-8'><title>新版页面_光明网</title></head><body>"
            "<div class='new-article'><h1>新版页面标题</h1><p>2026-04-01 10:00</p>"
            "<div class='article-body'><p>改版后的正文第一段，内容足够长，用于检验通用提取。</p></div></div>"
            "</body></html>").encode()
    with caplog.at_level(logging.WARNING):
        (article,) = spider.parse_article(response(url, body))
    assert isinstance(article, Article)
    assert article.flags == ["drift"] and article.outlet == "gmw" and article.title == "新版页面标题"
    assert spider.crawler.stats.get_value("drift/gmw") == 1
    assert any("Template drift at gmw" in r.message and url in r.message for r in caplog.records)


def test_list_drift_is_loud_and_links_are_still_followed(spider: GmwSpider,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    body = ("<html><body><div class='newlist'>"
            "<a href='2026-04/01/content_39000001.htm'>一</a>"
            "<a href='/2026-04/02/content_39000002.htm'>二</a>"
            "<a href='node_9844.htm'>专题</a></div></body></html>").encode()
    with caplog.at_level(logging.WARNING):
        out = list(spider.parse_list(response(P1, body), depth=1))
    assert [r.url for r in out] == ["https://politics.gmw.cn/2026-04/01/content_39000001.htm",
                                    "https://politics.gmw.cn/2026-04/02/content_39000002.htm"]
    assert spider.crawler.stats.get_value("drift/gmw") == 1
    assert any("without .channel-newsGroup items; 2 article links found anyway" in r.message
               and P1 in r.message for r in caplog.records)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"columns": "file:///etc/passwd"}, "columns: 'file:///etc/passwd' is not a gmw column URL"),
    ({"columns": "https://politics.gmw.cn/2026-03/05/content_38900112.htm"}, "columns: "),
    ({"since": "2025-13-01"}, "since: '2025-13-01' is not a date (YYYY-MM-DD)"),
    ({"max_list_pages": "0"}, "max_list_pages: 0 is below 1"),
    ({"max_list_pages": "many"}, "max_list_pages: 'many' is not a whole number"),
])
def test_bad_arguments(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as err:
        GmwSpider(**kwargs)
    assert str(err.value).startswith(message)


def _served_gets(mock: MockOutlets, start: int) -> set[str]:
    return {url for method, url, _status in mock.served[start:] if method == "GET"}


@pytest.fixture(scope="module")
def gmw_mock() -> Iterator[MockOutlets]:
    with MockOutlets(outlets=["gmw"]) as mock:
        yield mock


def test_since_stops_paging_at_older_items(gmw_mock: MockOutlets, tmp_path: Path) -> None:
    start = len(gmw_mock.served)
    crawl = run_crawl("gmw", tmp_path, gmw_mock.proxy_url, "-a", "since=2025-07-01")
    gets = _served_gets(gmw_mock, start)
    assert "https://politics.gmw.cn/node_9840_2.htm" in gets
    assert "https://politics.gmw.cn/node_9840_3.htm" not in gets  # page 2 had an item older than since
    assert "https://politics.gmw.cn/2025-06/09/content_38460571.htm" not in gets  # older than since
    assert "https://politics.gmw.cn/2025-09/23/content_38620218.htm" in gets
    with Store.open(crawl.store_uri) as store:
        stored = sorted(a["published_at"] for a in store.iter_articles("gmw"))
    assert stored == ["2025-09-23T09:30:00+08:00", "2025-11-18T16:02:00+08:00", "2026-02-20T10:15:00+08:00",
                      "2026-03-05T08:41:00+08:00", "2026-03-10T09:00:00+08:00"]
    assert "older than 2025-07-01; column not paged further" in crawl.log


def test_paging_stops_where_the_store_already_has_everything(gmw_mock: MockOutlets, tmp_path: Path) -> None:
    """Articles of both first list pages are stored already: nothing but those pages is fetched,
    and the stored rows are left as they were."""
    uri = f"sqlite:///{tmp_path / 'articles.sqlite'}"
    with Store.open(uri) as store:
        for url in PAGE_1 + NEWS_1:
            stored = Article(url=url, outlet="gmw", title=f"stored {url[-12:]}", text="stored text")
            store.upsert_article(stored)
        before = {a["url"]: (a["title"], a["text"], a["first_seen"]) for a in store.iter_articles()}
    start = len(gmw_mock.served)
    crawl = run_crawl("gmw", tmp_path, gmw_mock.proxy_url)
    assert _served_gets(gmw_mock, start) == {
        "https://politics.gmw.cn/robots.txt", "https://news.gmw.cn/robots.txt", P1, N1}
    assert crawl.stats["articles/known/gmw"] == 5  # P1 lists 3, N1 lists 2 (one cross-listed)
    with Store.open(uri) as store:
        after = {a["url"]: (a["title"], a["text"], a["first_seen"]) for a in store.iter_articles()}
    assert after == before
    assert "every article already stored; column not paged further" in crawl.log
