"""The 内蒙古新闻网 mock site: every route answers, the expected articles are served, encodings
are what the real site does (GBK/GB2312 old pages, UTF-8 without charset in 2025), lists paginate."""

from __future__ import annotations

import gzip
import html
import importlib.util
import json
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from collections.abc import Iterator
from pathlib import Path

import pytest
from parsel import Selector

from crawler.mock import MockOutlets

OUTLET = Path(__file__).resolve().parent / "outlets" / "nmgnews"
EXPECTED = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((OUTLET / "expected").glob("*.json"))]
KEYS = {"url", "outlet", "title", "section", "published_at", "source", "is_reprint", "authors",
        "correspondents", "editor", "text", "images", "pages"}
SEED_001 = "http://ztpd.nmgnews.com.cn/system/2010/07/21/010437585.shtml"
SEED_004 = "http://ztpd.nmgnews.com.cn/system/2011/10/14/010654328.shtml"
MULTI = "http://inews.nmgnews.com.cn/system/2019/07/05/012739043.shtml"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.fixture(scope="module")
def mock() -> Iterator[MockOutlets]:
    with MockOutlets(outlets=["nmgnews"]) as m:
        yield m


@pytest.fixture(scope="module")
def fetch(mock: MockOutlets):
    """GET through the proxy without following redirects: (status, headers, raw body)."""
    ctx = ssl.create_default_context()
    mock.ca.configure_trust(ctx)  # the tunnels' certificates must be valid for their hosts
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": mock.proxy_url, "https": mock.proxy_url}),
        urllib.request.HTTPSHandler(context=ctx),
        _NoRedirect(),
    )

    def get(url: str):
        try:
            with opener.open(url, timeout=10) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            with err:
                return err.code, err.headers, err.read()

    return get


def _plain(mock: MockOutlets, url: str) -> bytes:
    """The body of ``url`` as served, gunzipped when the route is gzip-encoded."""
    route = mock.route_for(url)
    return gzip.decompress(route.body) if ("Content-Encoding", "gzip") in route.headers else route.body


def _page_text(mock: MockOutlets, url: str) -> str:
    encoding = "utf-8" if url.startswith("https://") else "gb18030"
    return html.unescape(_plain(mock, url).decode(encoding))


def test_every_route_is_served_as_declared(mock: MockOutlets, fetch) -> None:
    assert len(mock.routes) >= 30
    for route in mock.routes:
        status, headers, body = fetch(route.url)
        assert status == route.status, route.url
        assert body == route.body == mock.body_for(route.url), route.url
        sent = [(k, v) for k, v in headers.items() if k not in ("Content-Length", "Connection")]
        assert sent == list(route.headers), route.url
    served = {url for _m, url, _s in mock.served}
    assert served >= {r.url for r in mock.routes}


def test_expected_articles_are_complete_and_served(fetch) -> None:
    assert len(EXPECTED) >= 10
    for exp in EXPECTED:
        assert set(exp) == KEYS, exp["url"]
        assert exp["outlet"] == "nmgnews" and exp["pages"][0] == exp["url"]
        for url in exp["pages"]:
            assert fetch(url)[0] == 200, url
        for image in exp["images"]:
            status, headers, body = fetch(image["url"])
            assert (status, headers["Content-Type"]) == (200, "image/jpeg")
            assert body[:2] == b"\xff\xd8" and body[-2:] == b"\xff\xd9"


def test_expected_text_is_on_the_pages_without_byline_or_caption(mock: MockOutlets) -> None:
    for exp in EXPECTED:
        pages = [_page_text(mock, u) for u in exp["pages"]]
        for paragraph in exp["text"].split("\n"):
            assert paragraph and any(paragraph in page for page in pages), (exp["url"], paragraph)
        assert exp["title"] in pages[0]
        for image in exp["images"]:
            assert image["url"] in pages[0]
            if image["caption"]:
                assert image["caption"] in pages[0] and image["caption"] not in exp["text"]
        for name in exp["authors"] + exp["correspondents"]:
            assert name not in exp["text"], (exp["url"], name)
        assert "责任编辑" not in exp["text"] and "版权" not in exp["text"]
        assert exp["is_reprint"] == (exp["source"] != "内蒙古新闻网")


def test_seed_pages_are_gbk_bytes(mock: MockOutlets, fetch) -> None:
    old = [e for e in EXPECTED if "/system/20" in e["url"] and int(e["url"].split("/")[4]) < 2020]
    assert {SEED_001, SEED_004, MULTI} <= {e["url"] for e in old}
    for exp in old:
        for url in exp["pages"]:
            body = mock.body_for(url)
            with pytest.raises(UnicodeDecodeError):
                body.decode("utf-8")
            assert exp["title"] in body.decode("gb18030")
    _, headers, body = fetch(SEED_001)
    assert headers["Content-Type"] == "text/html; charset=gb2312"
    assert b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")  # 祎 is outside GB2312: the declared charset is wrong, as on the real site
    assert "祎" in body.decode("gb18030") and "祎".encode("gbk") in body
    assert fetch(SEED_004)[1]["Content-Type"] == "text/html; charset=gbk"


def test_2025_pages_are_utf8_without_charset_header(mock: MockOutlets, fetch) -> None:
    new = [e for e in EXPECTED if e["url"].startswith("https://")]
    assert len(new) >= 6
    with_meta = 0
    for exp in new:
        status, headers, _ = fetch(exp["url"])
        assert (status, headers["Content-Type"]) == (200, "text/html"), exp["url"]
        page = _plain(mock, exp["url"]).decode("utf-8")
        assert '<h1 class="article-title">' in page and 'class="article-content"' in page
        with_meta += '<meta charset="utf-8">' in page
    assert with_meta == 1


def test_new_list_paginates_with_a_next(fetch) -> None:
    url, seen, links = "https://inews.nmgnews.com.cn/nmgxw/", [], []
    while url:
        status, _, body = fetch(url)
        assert status == 200
        sel = Selector(text=body.decode("utf-8"))
        seen.append(url)
        hrefs = sel.css("div.focus_list.fr ul li a::attr(href)").getall()
        links += [urllib.parse.urljoin(url, h) for h in hrefs]
        nxt = sel.css("a.next::attr(href)").get()
        url = urllib.parse.urljoin(url, nxt) if nxt else ""
    assert [u.rsplit("/", 1)[1] for u in seen] == ["", "index_2.shtml", "index_3.shtml"]
    statuses = {u: fetch(u)[0] for u in links}
    assert sorted(statuses.values()).count(301) == 1 and list(statuses.values()).count(404) >= 1
    redirect = next(u for u, s in statuses.items() if s == 301)
    assert fetch(redirect)[1]["Location"] == redirect.replace("http://", "https://")


def test_old_list_paginates_to_the_multi_page_article(fetch) -> None:
    status, _, body = fetch("http://ztpd.nmgnews.com.cn/cxzy/cxzyjxs/")
    sel = Selector(text=body.decode("gb18030"))
    hrefs = sel.css("#div_left table td a::attr(href)").getall()
    assert "/system/2011/10/14/010654328.shtml" in hrefs and SEED_001 in hrefs
    nxt = urllib.parse.urljoin(
        "http://ztpd.nmgnews.com.cn/cxzy/cxzyjxs/", sel.css("a.next::attr(href)").get()
    )
    status, _, body = fetch(nxt)
    sel = Selector(text=body.decode("gb18030"))
    assert status == 200 and MULTI in sel.css("#div_left td a::attr(href)").getall()
    assert sel.css("a.next").get() is None


def test_multi_page_article_pager(fetch) -> None:
    exp = next(e for e in EXPECTED if e["url"] == MULTI)
    assert len(exp["pages"]) == 3
    for n, url in enumerate(exp["pages"]):
        sel = Selector(text=fetch(url)[2].decode("gb18030"))
        nxt = sel.xpath('//div[@id="news_more_page_div_id"]//a[text()="下一页"]/@href').get()
        if n < 2:
            assert urllib.parse.urljoin(url, nxt) == exp["pages"][n + 1]
        else:
            assert nxt is None


def test_robots_on_every_host_allow_articles(mock: MockOutlets, fetch) -> None:
    origins = {r.url.split("/", 3)[0] + "//" + r.url.split("/")[2] for r in mock.routes}
    for origin in origins:
        status, _, body = fetch(origin + "/robots.txt")
        assert status == 200, origin
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(body.decode().splitlines())
        assert not parser.can_fetch("*", origin + "/admin/x")
        assert all(parser.can_fetch("*", e["url"]) for e in EXPECTED if e["url"].startswith(origin))


def test_unknown_path_is_the_404_page(fetch) -> None:
    status, _, body = fetch("https://inews.nmgnews.com.cn/system/2025/06/20/030204410.shtml")
    assert status == 404 and "页面不存在" in body.decode("utf-8")


def test_generator_output_is_committed(tmp_path: Path) -> None:
    seeds = OUTLET.parents[2].parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"seed texts not found at {seeds}")
    spec = importlib.util.spec_from_file_location("nmgnews_build", OUTLET / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        module.build(tmp_path)
    finally:
        del sys.modules[spec.name]
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert built == sorted(
        p.relative_to(OUTLET) for p in OUTLET.rglob("*")
        if p.is_file() and p.parts[len(OUTLET.parts)] in ("pages", "expected", "site.json")
    )
    for rel in built:
        assert (tmp_path / rel).read_bytes() == (OUTLET / rel).read_bytes(), f"{rel}: run build.py"
