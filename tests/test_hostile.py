"""Hostile input to every parser: a clear error or a safe result, never a crash or an expansion.

Sitemaps and feeds (billion laughs, external entities, external DTD): tests/test_discovery.py;
here the other XML attacks (parameter entities, XInclude, quadratic blow-up, deep nesting),
hostile HTML to every page reader (outlet templates, the generic extractor, finish, the article
rule, link and feed discovery), and hostile URLs (IDN, non-UTF-8, control characters) to the
code that keys, scopes and archives them. The last test crawls a hostile site end to end.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor

from crawler.discovery import DiscoveryError, Scope, feed_links, judge_page, parse_feed, parse_sitemap
from crawler.discovery.scope import check_url, registrable_domain
from crawler.discovery.sitemaps import sitemap_urls_from_robots
from crawler.encoding import decode_html
from crawler.extract.article import MAX_HEADLINE_CHARS, finish
from crawler.extract.generic import generic_article
from crawler.mock import MockOutlets
from crawler.spider import decode_response, unreadable_body
from crawler.warc.cdxj import surt_key
from crawler.warc.records import request_headers
from spiders.gmw import GmwSpider
from spiders.nmgnews import NmgnewsSpider
from tests.archive_checks import archive_records, store_agrees
from tests.conftest import run_crawl

SM = "http://www.hostile-test.com.cn/sitemap.xml"
URL = "http://inews.nmgnews.com.cn/system/2025/01/01/030000001.shtml"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-HOSTILE", encoding="utf-8")
    return path


# -- XML: sitemaps and feeds ---------------------------------------------------------------------

def test_parameter_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = _secret(tmp_path)
    dtd = f'<!DOCTYPE urlset [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>'.encode()
    sitemap = (b'<?xml version="1.0"?>' + dtd + f"<urlset {NS}><url><loc>".encode()
               + b"http://www.hostile-test.com.cn/a</loc></url></urlset>")
    doc = parse_sitemap(sitemap, SM)
    assert [e.url for e in doc.entries] == ["http://www.hostile-test.com.cn/a"]
    assert "TOP-SECRET" not in repr(doc)
    feed = (b'<?xml version="1.0"?>' + dtd.replace(b"urlset", b"rss") + b'<rss version="2.0"><channel>'
            b"<item><title>t</title><link>http://www.hostile-test.com.cn/b</link></item></channel></rss>")
    with pytest.raises(DiscoveryError, match=r"feed declares XML entities \['p'\] \(refused"):
        parse_feed(feed, SM)


def test_xinclude_is_never_processed(tmp_path: Path) -> None:
    secret = _secret(tmp_path)
    body = (f'<?xml version="1.0"?><urlset {NS} xmlns:xi="http://www.w3.org/2001/XInclude"><url><loc>'
            f'http://www.hostile-test.com.cn/<xi:include href="file://{secret}" parse="text"/></loc></url>'
            "</urlset>").encode()
    doc = parse_sitemap(body, SM)
    assert [e.url for e in doc.entries] == ["http://www.hostile-test.com.cn/"]
    feed = (f'<?xml version="1.0"?><rss version="2.0" xmlns:xi="http://www.w3.org/2001/XInclude"><channel>'
            f'<item><title><xi:include href="file://{secret}" parse="text"/></title>'
            "<link>http://www.hostile-test.com.cn/c</link></item></channel></rss>").encode()
    entries = parse_feed(feed, SM)
    assert [e.url for e in entries] == ["http://www.hostile-test.com.cn/c"]
    assert "TOP-SECRET" not in repr(entries)


def _quadratic(root_open: bytes, root_close: bytes, inner: bytes) -> bytes:
    """One 50 kB entity referenced 4000 times: 200 MB if expanded (no nesting, so no "laughs")."""
    return (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "' + b"A" * 50_000 + b'">]>' + root_open
            + inner.replace(b"@", b"&a;" * 4000) + root_close)


def test_quadratic_blowup_is_not_expanded() -> None:
    sitemap = _quadratic(f"<urlset {NS}>".encode(), b"</urlset>",
                         b"<url><loc>http://www.hostile-test.com.cn/q</loc><lastmod>@</lastmod></url>")
    with pytest.raises(DiscoveryError, match=rf"^{SM}: not well-formed XML: .*amplification factor"):
        parse_sitemap(sitemap, SM)  # libxml2 stops at 200 MB of one entity as it does at laughs
    feed = _quadratic(b'<rss version="2.0"><channel>', b"</channel></rss>",
                      b"<item><title>@</title><link>http://www.hostile-test.com.cn/q</link></item>")
    with pytest.raises(DiscoveryError, match=r"feed declares XML entities \['a'\] \(refused"):
        parse_feed(feed, SM)


def test_deeply_nested_xml_gets_a_clear_error() -> None:
    deep = b"<a>" * 100_000 + b"x" + b"</a>" * 100_000
    with pytest.raises(DiscoveryError, match=rf"^{SM}: "):
        parse_sitemap(f"<urlset {NS}>".encode() + deep + b"</urlset>", SM)
    entries = parse_feed(b'<rss version="2.0"><channel><item>' + deep + b"</item></channel></rss>", SM)
    assert entries == []


def test_sitemap_locations_with_idn_gbk_and_control_characters() -> None:
    body = ('<?xml version="1.0" encoding="GBK"?>'
            f"<urlset {NS}><url><loc>http://www.hostile-test.com.cn/新闻/一.html</loc></url>"
            "<url><loc>http://例子.中国/路径</loc></url>"
            "<url><loc>  </loc></url></urlset>").encode("gbk")
    doc = parse_sitemap(body, SM)
    assert [e.url for e in doc.entries] == ["http://www.hostile-test.com.cn/新闻/一.html", "http://例子.中国/路径"]
    doc = parse_sitemap(f"<urlset {NS}><url><loc>http://x/\x01\x02</loc></url></urlset>".encode(), SM)
    assert [e.url for e in doc.entries] == ["http://x/"]  # libxml2 drops characters XML forbids


def test_robots_txt_garbage_and_other_schemes() -> None:
    robots = (b"\x00\xff\xfe garbage\nSitemap: file:///etc/passwd\nSitemap: javascript:alert(1)\n"
              b"Sitemap: /ok.xml\n" + b"Sitemap: http://x/" + b"a" * 100_000 + b"\n")
    found = list(sitemap_urls_from_robots(robots, base_url="http://www.hostile-test.com.cn/robots.txt"))
    # whatever is listed, the site spider asks only for sitemaps on its own domain (http(s))
    scope = Scope.of("http://www.hostile-test.com.cn/", "domain")
    assert [u for u in found if scope.allows(u)] == ["http://www.hostile-test.com.cn/ok.xml"]


# -- HTML: every page reader ---------------------------------------------------------------------

def _article(inner: str, title: str = "标题") -> str:
    return (f"<html><head><title>{title}-内蒙古新闻网</title></head><body>"
            f'<h1 class="article-title">{title}</h1><div class="article-infos"><time class="date">'
            f'2025年01月01日 09:30</time></div><div class="article-content">{inner}</div></body></html>')


HOSTILE_PAGES = {
    "malformed": b"<html><body><div><p>\xe6\x9c\xaa<div><table><tr><td>" * 300 + b"</span></i></html><<<>>>",
    "huge attribute": ('<html><body><div class="' + "a" * 1_000_000 + '">正文</div></body></html>').encode(),
    "deep nesting": ("<div>" * 20_000 + "深层" + "</div>" * 20_000).encode(),
    "deep article": _article("<div>" * 20_000 + "<p>深层正文。</p>" + "</div>" * 20_000).encode(),
    "control characters": _article("<p>\x00正文\x0b\x0c内容\x1f。</p>", "\x07标\x00题").encode(),
    "unclosed comment": b"<html><body><p>\xe6\xad\xa3</p><!-- " + b"x" * 100_000,
    "huge title": _article("<p>正文。</p>", "长" * 20_000).encode(),
    "bom only": b"\xef\xbb\xbf",
    "utf-16": _article("<p>内容</p>", "十六位").encode("utf-16"),
    "script only": b"<script>" + b"while(1){}" * 10_000 + b"</script>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_PAGES))
def test_hostile_html_gets_a_safe_result_from_every_reader(name: str) -> None:
    body = HOSTILE_PAGES[name]
    response = HtmlResponse(url=URL, body=body, headers={"Content-Type": "text/html"}, request=Request(URL))
    page, decoded = decode_response(response)
    assert decoded.text is not None
    outlet = NmgnewsSpider.extract_page(response)  # an Article, or None (template drift)
    gmw_url = "https://news.gmw.cn/2025-01/01/content_1.htm"
    assert GmwSpider.extract_page(HtmlResponse(url=gmw_url, body=body, request=Request(gmw_url))) is None
    generic = finish(generic_article(page, decoded, outlet="nmgnews", url=URL))
    for art in (generic, finish(outlet) if outlet is not None else None):
        if art is None:
            continue
        assert isinstance(art.title, str) and len(art.title) <= MAX_HEADLINE_CHARS
        assert not any(ch in art.title for ch in "\x00\x07\x1f") and "\x00" not in (art.text or "")
    assert judge_page(decoded.text, dated_by=None).is_article is False or name == "deep article"
    assert isinstance(feed_links(page, URL), list)
    LinkExtractor(unique=True).extract_links(page)
    assert (outlet is not None) == (name in ("deep article", "control characters", "huge title", "utf-16"))
    if name == "control characters":
        assert outlet is not None and (outlet.title, outlet.text) == ("标题", "正文内容。")
    if name == "huge title":
        assert outlet is not None and outlet.title == "长" * MAX_HEADLINE_CHARS
        assert "oversized-field" in outlet.flags
    if name == "deep article":
        assert outlet is not None and outlet.title == "标题"


def test_binary_and_empty_bodies_are_not_pages() -> None:
    assert unreadable_body(b"") == "empty body" and unreadable_body(b" \r\n") == "empty body"
    assert unreadable_body(bytes(range(256)) * 40).startswith("binary content: ")
    assert unreadable_body(HOSTILE_PAGES["utf-16"]) is None  # NUL bytes, but UTF-16 with a BOM
    assert unreadable_body(HOSTILE_PAGES["control characters"]) is None  # a few stray ones are text
    assert decode_html(bytes(range(256)) * 40, "text/html").lossy
    # The count of control bytes (in bytes that are neither UTF-8 nor GB18030: 0xFF): one in
    # a hundred is still text, more is binary.
    text = b"a" * 4000 + b"\xff" + b"a" * 4191
    assert unreadable_body(bytes([1]) * 81 + text[81:]) is None
    over = bytes([1, 2, 3, 4, 5, 6, 7, 8, 11, 14]) * 9 + text[90:]
    assert unreadable_body(over) == "binary content: 90 control bytes in the first 8192"
    assert unreadable_body(b"\t\n\x0c\r" * 2048 + b"x") is None  # tab, LF, FF, CR are text


# -- URLs ----------------------------------------------------------------------------------------

HOSTILE_URLS = [
    "http://例子.中国/新闻?q=值",
    "http://xn--fsqu00a.xn--fiqs8s/%D6%D0%CE%C4.html",
    "http://www.hostile-test.com.cn/\u4e2d\u6587/\U0001f600?x=%ff%fe",
    "http://www.hostile-test.com.cn/a%00b",
    "https://user:pass@www.hostile-test.com.cn:8443/x;p?q#frag",
    "http://www.hostile-test.com.cn/" + "a" * 20_000,
    "http://[::1]:8080/x",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_urls_are_keyed_scoped_and_archived(url: str) -> None:
    request = Request(url)  # Scrapy makes it safe: IDN to punycode, non-ASCII percent-encoded
    safe = request.url
    assert safe.isascii() and " " not in safe
    key = surt_key(safe)
    assert isinstance(key, str) and key.isascii()
    head = request_headers("GET", safe, [], "HTTP/1.1")
    line = head.to_str(None).split("\r\n")[0]
    assert line.startswith("GET /") and line.endswith(" HTTP/1.1") and line.isascii()
    scope = Scope.of(safe, "domain")
    assert scope.allows(safe)  # a URL is inside its own scope, whatever it holds
    assert "/" not in scope.domain and "\0" not in scope.domain and scope.domain not in ("", "..")


def test_idn_hosts_are_one_site_in_unicode_and_punycode() -> None:
    scope = Scope.of("http://xn--fsqu00a.xn--fiqs8s/", "domain")
    assert scope.allows("http://例子.中国/新闻") and scope.allows("http://www.例子.中国/")
    assert Scope.of("http://例子.中国/", "host").allows("http://xn--fsqu00a.xn--fiqs8s/x")
    assert registrable_domain("www.例子.中国") == registrable_domain("www.xn--fsqu00a.xn--fiqs8s")


@pytest.mark.parametrize("url", ["http://www.x.cn/a\x00b", "http://www.x.cn/\tx", "http://www.x.cn:99999/",
                                 "http://[::1/", "javascript:alert(1)", "http:///nohost"])
def test_bad_start_urls_get_a_clear_error(url: str) -> None:
    with pytest.raises(DiscoveryError, match=r"^url: "):
        check_url(url)


# -- the crawl goes on ---------------------------------------------------------------------------

@pytest.mark.slow
def test_a_hostile_site_is_crawled_to_the_end(mocks: MockOutlets, tmp_path: Path) -> None:
    """The site spider through a site of hostile pages, sitemaps and feeds: it finishes, every
    page is archived, and what it stores points at the archive."""
    site = "http://www.hostile-test.com.cn"
    good = f"{site}/2025/01/02/good.html"
    pages = {f"{site}/p/{n}.html": body for n, body in enumerate(HOSTILE_PAGES.values())}
    links = "".join(f'<a href="{u}">x</a>' for u in [*pages, good])
    home = (f'<html><head><link rel="alternate" type="application/rss+xml" href="{site}/feed.xml"></head>'
            f'<body>{links}<a href="file:///etc/passwd">f</a><a href="http://例子.中国/">i</a></body></html>')
    mocks.add_route(f"{site}/", body=home.encode())
    for url, body in pages.items():
        mocks.add_route(url, body=body, headers=[("Content-Type", "text/html")])
    text = "呼和浩特市今年新建改建城市道路一百二十公里，市住建局负责人介绍了工程进展情况。" * 3
    mocks.add_route(good, body=(f"<html><head><title>正常稿件</title></head><body><h1>正常稿件</h1>"
                                f"<p>2025年01月02日 09:30</p><p>{text}</p></body></html>").encode())
    mocks.add_route(f"{site}/sitemap.xml", body=_quadratic(f"<urlset {NS}>".encode(), b"</urlset>", (
        f"<url><loc>{site}/p/0.html</loc><lastmod>@</lastmod></url>").encode()))
    mocks.add_route(f"{site}/feed.xml", body=b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM '
                    b'"file:///etc/passwd">]><rss version="2.0"><channel><item><title>&x;</title></item>'
                    b"</channel></rss>")

    crawl = run_crawl("site", tmp_path / "h", mocks.proxy_url, "-a", f"url={site}/", "-a", "depth=1")

    assert crawl.stats["finish_reason"] == "finished"
    assert "Traceback" not in crawl.log and "spider_exceptions/count" not in crawl.stats
    served = {u for _m, u, _s in mocks.served}
    assert set(pages) | {good} <= served and not [u for u in served if "xn--" in u or "file:" in u]
    assert crawl.stats["site/feeds/unreadable"] == 1
    assert f"Feed skipped: {site}/feed.xml: feed declares XML entities ['x']" in crawl.log
    stored = store_agrees(crawl.store_uri, archive_records(crawl.out))
    by_url = {a["url"]: a for a in stored}
    huge = f"{site}/p/{list(HOSTILE_PAGES).index('huge title')}.html"
    assert sorted(by_url) == sorted([good, huge])  # dated, and 20000 characters of "body"
    assert by_url[huge]["title"] == "长" * MAX_HEADLINE_CHARS and "oversized-field" in by_url[huge]["flags"]
