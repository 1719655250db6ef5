"""Discovery for the generic ``site`` spider: sitemaps, feeds, scope and the article rule,
including XML that tries entity expansion or external entities."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from parsel import Selector

from crawler.discovery import (
    DiscoveryError,
    Scope,
    feed_links,
    judge_page,
    parse_feed,
    parse_sitemap,
    registrable_domain,
    sitemap_urls_from_robots,
)
from crawler.discovery import sitemaps as sitemaps_module
from crawler.discovery.article_rule import main_text_measure

MIRROR = Path(__file__).resolve().parent / "outlets" / "mirror" / "pages" / "www.dongfang-group.com.cn"
SM = "http://www.example-group.com.cn/sitemap_news.xml"

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <url>
    <loc>http://www.example-group.com.cn/news/2022/0602/1536.html</loc>
    <lastmod>2022-06-03</lastmod>
    <news:news>
      <news:publication><news:name>东方集团</news:name><news:language>zh-cn</news:language></news:publication>
      <news:publication_date>2022-06-02T09:30:00+08:00</news:publication_date>
      <news:title>党的二十大代表选举 | 内蒙古：确保宣传全覆盖</news:title>
    </news:news>
  </url>
  <url>
    <loc>/news/1498.html</loc>
    <xhtml:link rel="alternate" hreflang="en" href="/en/news/1498.html"/>
    <news:news>
      <news:publication_date>2022-05-18T08:30:00Z</news:publication_date>
      <news:title>集团与巴彦淖尔市签署战略合作协议</news:title>
    </news:news>
  </url>
  <url><loc>http://www.example-group.com.cn/about/</loc></url>
  <url><lastmod>2022-01-01</lastmod></url>
</urlset>
""".encode()

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>http://www.example-group.com.cn/sitemap_news.xml</loc><lastmod>2022-06-02</lastmod></sitemap>
  <sitemap><loc>http://www.example-group.com.cn/sitemap_pages.xml.gz</loc></sitemap>
</sitemapindex>
"""

BOMB_DTD = (b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "' + b"&lol;" * 10 + b'">'
            + b"".join(b'<!ENTITY lol%d "' % n + b"".join([b"&lol%d;" % (n - 1)] * 10) + b'">'
                       for n in range(3, 10))
            + b"]>")


def _secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-CONTENT")
    return path


# --------------------------------------------------------------------------- sitemaps

def test_news_sitemap_keeps_title_and_publication_date() -> None:
    doc = parse_sitemap(NEWS_SITEMAP, SM)
    assert doc.kind == "urlset"
    assert [e.url for e in doc.entries] == [
        "http://www.example-group.com.cn/news/2022/0602/1536.html",
        "http://www.example-group.com.cn/news/1498.html",
        "http://www.example-group.com.cn/about/",
    ]
    first, second, third = doc.entries
    assert first.news_title == "党的二十大代表选举 | 内蒙古：确保宣传全覆盖"
    assert first.news_published_raw == "2022-06-02T09:30:00+08:00"
    assert first.news_published_at == "2022-06-02T09:30:00+08:00"
    assert first.news_publication == "东方集团"
    assert first.news_language == "zh-cn"
    assert first.lastmod == "2022-06-03"
    # UTC in the sitemap, Asia/Shanghai in the entry.
    assert second.news_published_at == "2022-05-18T16:30:00+08:00"
    assert second.alternates == ("http://www.example-group.com.cn/en/news/1498.html",)
    assert (third.news_title, third.news_published_at, third.lastmod) == (None, None, None)


def test_sitemap_index_and_gzip_sitemap() -> None:
    doc = parse_sitemap(INDEX, "http://www.example-group.com.cn/sitemap.xml")
    assert doc.kind == "sitemapindex"
    assert [(e.url, e.lastmod) for e in doc.entries] == [
        ("http://www.example-group.com.cn/sitemap_news.xml", "2022-06-02"),
        ("http://www.example-group.com.cn/sitemap_pages.xml.gz", None),
    ]
    zipped = parse_sitemap(gzip.compress(NEWS_SITEMAP), SM + ".gz")
    assert zipped.entries == parse_sitemap(NEWS_SITEMAP, SM).entries


def test_gzip_sitemap_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemaps_module, "MAX_SITEMAP_BYTES", 1000)
    body = gzip.compress(NEWS_SITEMAP.replace(b"</urlset>", b"<!--" + b"x" * 5000 + b"--></urlset>"))
    with pytest.raises(DiscoveryError, match=r"sitemap_news\.xml\.gz: gzip sitemap inflates past 1000 bytes"):
        parse_sitemap(body, SM + ".gz")


@pytest.mark.parametrize(("body", "message"), [
    (b"", "empty body, not a sitemap"),
    (b"\x1f\x8b\x08\x00garbage", "gzip sitemap does not inflate"),
    (b"<html><body><p>Not found</p></body></html>", "root element <html> is neither"),
    (b"\x00\x01 not xml at all", "not well-formed XML|root element"),
])
def test_not_a_sitemap(body: bytes, message: str) -> None:
    with pytest.raises(DiscoveryError, match=rf"^{SM}: .*(?:{message})"):
        parse_sitemap(body, SM)


def test_sitemap_billion_laughs_is_not_expanded() -> None:
    """libxml2 stops at the bomb (entity amplification limit); nothing is expanded."""
    body = (b'<?xml version="1.0"?>\n' + BOMB_DTD + b"""
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>http://www.example-group.com.cn/a/&lol9;</loc></url>
  <url><loc>http://www.example-group.com.cn/b.html</loc><lastmod>&lol9;</lastmod></url>
</urlset>""")
    with pytest.raises(DiscoveryError, match=rf"^{SM}: not well-formed XML: line 1: .*amplification"):
        parse_sitemap(body, SM)
    # A small, nested but harmless declaration: references stay unexpanded, entries survive.
    small = body.replace(BOMB_DTD, b'<!DOCTYPE u [<!ENTITY lol "lol"><!ENTITY lol9 "&lol;&lol;">]>')
    doc = parse_sitemap(small, SM)
    assert [(e.url, e.lastmod) for e in doc.entries] == [
        ("http://www.example-group.com.cn/a/", None), ("http://www.example-group.com.cn/b.html", None)]


def test_sitemap_external_entity_is_not_read(tmp_path: Path) -> None:
    secret = _secret(tmp_path)
    body = f"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{secret}">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>http://www.example-group.com.cn/x/&xxe;</loc>
    <news:news><news:title>&xxe;</news:title><news:publication_date>2022-06-02</news:publication_date></news:news>
  </url>
</urlset>""".encode()
    doc = parse_sitemap(body, SM)
    dumped = repr(doc)
    assert "TOP-SECRET" not in dumped
    assert [e.news_published_at for e in doc.entries] == ["2022-06-02T00:00:00+08:00"]


def test_robots_sitemap_lines() -> None:
    robots = b"User-agent: *\nDisallow: /plus/\nSitemap: /sitemap.xml\nsitemap: http://cdn.example.com/s.xml.gz\n"
    assert list(sitemap_urls_from_robots(robots, base_url="http://www.example-group.com.cn/robots.txt")) == [
        "http://www.example-group.com.cn/sitemap.xml", "http://cdn.example.com/s.xml.gz"]


# --------------------------------------------------------------------------- feeds

RSS_GBK = """<?xml version="1.0" encoding="gb2312"?>
<rss version="2.0"><channel><title>東方要聞</title><link>http://www.example-group.com.cn/</link>
<item><title>集團召開安全生產工作會議</title><link>http://www.example-group.com.cn/news/1521.html</link>
<pubDate>Fri, 27 May 2022 10:00:00 +0800</pubDate></item>
<item><title>簽署戰略合作協議</title><link>/news/1498.html</link><pubDate>2022-05-18 16:30:00</pubDate></item>
<item><title>no link</title></item>
</channel></rss>
""".encode("gbk")

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title><id>urn:x</id><updated>2026-03-05T02:00:00Z</updated>
<entry><title>First</title><link rel="alternate" href="/2026-03/05/content_1.htm"/><id>urn:1</id>
<published>2026-03-05T02:00:00Z</published><updated>2026-03-05T02:00:00Z</updated></entry>
<entry><title>Second</title><link href="https://news.example.cn/2026-03/04/content_2.htm"/><id>urn:2</id>
<updated>2026-03-04T10:15:00+08:00</updated></entry>
</feed>
"""


def test_rss_in_gbk_with_dates_in_shanghai_time() -> None:
    entries = parse_feed(RSS_GBK, "http://www.example-group.com.cn/data/rss/2.xml")
    assert [(e.url, e.title, e.published_at) for e in entries] == [
        ("http://www.example-group.com.cn/news/1521.html", "集團召開安全生產工作會議",
         "2022-05-27T10:00:00+08:00"),
        # A date without a zone is Shanghai time (feedparser alone would call it UTC).
        ("http://www.example-group.com.cn/news/1498.html", "簽署戰略合作協議", "2022-05-18T16:30:00+08:00"),
    ]
    assert entries[1].published_raw == "2022-05-18 16:30:00"


def test_atom_relative_links_and_dates() -> None:
    entries = parse_feed(ATOM, "https://news.example.cn/feed.atom")
    assert [(e.url, e.title, e.published_at) for e in entries] == [
        ("https://news.example.cn/2026-03/05/content_1.htm", "First", "2026-03-05T10:00:00+08:00"),
        ("https://news.example.cn/2026-03/04/content_2.htm", "Second", "2026-03-04T10:15:00+08:00"),
    ]


@pytest.mark.parametrize("one_line", [True, False])
def test_feed_billion_laughs_is_refused(one_line: bool) -> None:
    dtd = BOMB_DTD if one_line else BOMB_DTD.replace(b"><", b">\n<")
    body = b'<?xml version="1.0"?>\n' + dtd + (
        b'\n<rss version="2.0"><channel><title>&lol9;</title>'
        b"<item><title>&lol9;</title><link>http://x.cn/1.html</link></item></channel></rss>")
    with pytest.raises(DiscoveryError, match=r"^http://x\.cn/rss\.xml: feed declares XML entities \['lol'"):
        parse_feed(body, "http://x.cn/rss.xml")


def test_feed_external_entity_is_refused(tmp_path: Path) -> None:
    secret = _secret(tmp_path)
    body = f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>
<rss version="2.0"><channel><title>t</title>
<item><title>&xxe;</title><link>http://x.cn/&xxe;.html</link></item></channel></rss>""".encode()
    with pytest.raises(DiscoveryError, match=r"feed declares XML entities \['xxe'\]") as err:
        parse_feed(body, "http://x.cn/rss.xml")
    assert "TOP-SECRET" not in str(err.value)


def test_feed_external_dtd_is_not_fetched_but_the_feed_is_read() -> None:
    """RSS 0.91 names an external DTD; it is never fetched (no network here anyway)."""
    body = b"""<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://127.0.0.1:9/rss-0.91.dtd">
<rss version="0.91"><channel><title>t</title><link>http://x.cn/</link><description>d</description>
<item><title>One</title><link>http://x.cn/1.html</link></item></channel></rss>"""
    assert [e.url for e in parse_feed(body, "http://x.cn/rss.xml")] == ["http://x.cn/1.html"]


@pytest.mark.parametrize("body", [b"", b"<html><body><p>not a feed</p></body></html>"])
def test_not_a_feed(body: bytes) -> None:
    with pytest.raises(DiscoveryError, match=r"^http://x\.cn/feed: "):
        parse_feed(body, "http://x.cn/feed")


def test_feed_links_of_a_page() -> None:
    page = Selector(text="""<html><head>
<link rel="stylesheet" href="/s.css" type="text/css">
<link rel="alternate" type="application/rss+xml" title="要闻" href="/data/rss/2.xml">
<link rel="Alternate" type="application/atom+xml; charset=utf-8" href="https://x.cn/atom.xml">
<link rel="alternate" hreflang="en" href="/en/" type="text/html">
<link rel="alternate" type="application/rss+xml" href="/data/rss/2.xml">
</head><body></body></html>""")
    assert feed_links(page, "http://x.cn/news/index.html") == ["http://x.cn/data/rss/2.xml", "https://x.cn/atom.xml"]


# --------------------------------------------------------------------------- scope

def test_registrable_domain() -> None:
    assert registrable_domain("www.dongfang-group.com.cn") == "dongfang-group.com.cn"
    assert registrable_domain("Politics.GMW.cn:443") == "gmw.cn"
    assert registrable_domain("60.31.144.235:29280") == "60.31.144.235"
    assert registrable_domain("localhost") == "localhost"


def test_scopes() -> None:
    host = Scope.of("https://www.x.com.cn/news/index.html", "host")
    domain = Scope.of("https://www.x.com.cn/news/index.html", "domain")
    prefix = Scope.of("https://www.x.com.cn/news/index.html", "prefix")
    cases = {
        "http://www.x.com.cn/about/": (True, True, False),
        "https://WWW.X.COM.CN:443/news/2022/1.html": (True, True, True),
        "https://job.x.com.cn/": (False, True, False),
        "https://x.com.cn/news/1.html": (False, True, False),
        "https://www.x.com.cn:8080/news/1.html": (False, True, False),
        "https://www.y.com.cn/news/1.html": (False, False, False),
        "https://www.x.com.cn/newsletter/": (True, True, False),
        "ftp://www.x.com.cn/news/1.html": (False, False, False),
        "mailto:office@x.com.cn": (False, False, False),
        "http://[::1/": (False, False, False),
    }
    for url, want in cases.items():
        assert (host.allows(url), domain.allows(url), prefix.allows(url)) == want, url
    assert Scope.of("https://www.x.com.cn/news/", "prefix").prefix == "/news/"
    assert Scope.of("https://www.x.com.cn", "prefix").prefix == "/"


@pytest.mark.parametrize(("url", "scope", "message"), [
    ("", "host", "url: missing"),
    ("file:///etc/passwd", "host", "url: 'file:///etc/passwd' has scheme 'file'; only http and https"),
    ("ftp://x.cn/", "host", "url: 'ftp://x.cn/' has scheme 'ftp'"),
    ("www.x.com.cn/news/", "host", "url: 'www.x.com.cn/news/' has scheme 'none'"),
    ("http:///news/", "host", "url: 'http:///news/' has no host"),
    ("http://x.cn:99999/", "host", "url: 'http://x.cn:99999/' is not a valid URL"),
    ("http://x.cn/a b", "host", "url: 'http://x.cn/a b' contains white space"),
    ("http://x.cn/", "site", "scope: 'site' is not one of host, domain, prefix"),
])
def test_bad_arguments_name_the_argument(url: str, scope: str, message: str) -> None:
    with pytest.raises(DiscoveryError) as err:
        Scope.of(url, scope)
    assert str(err.value).startswith(message)


# --------------------------------------------------------------------------- the article rule

def _mirror(path: str) -> str:
    return (MIRROR / path).read_bytes().decode("gb18030")


def test_article_rule_on_the_mirror_pages() -> None:
    seed = judge_page(_mirror("esd/jjesd/202206/t20220602_1536.html"), dated_by="page")
    assert (seed.is_article, seed.reason, seed.dated_by) == (True, "article", "page")
    assert seed.body_chars > 1500 and seed.link_share == 0.0
    listing = judge_page(_mirror("zxzx/dfyw/index.html"), dated_by="page")
    assert (listing.is_article, listing.reason) == (False, "link-list")
    assert listing.link_share > 0.5
    home = judge_page(_mirror("index.html"), dated_by="page")
    assert (home.is_article, home.reason) == (False, "link-list")
    about = judge_page(_mirror("jtgk/gsjj/index.html"), dated_by=None)
    assert (about.is_article, about.reason) == (False, "undated")
    short = judge_page(_mirror("zxzx/dfyw/1498.html"), dated_by="sitemap", min_chars=400)
    assert (short.is_article, short.reason, short.body_chars) == (False, "short-body", 315)
    assert judge_page(_mirror("zxzx/dfyw/1498.html"), dated_by="sitemap").is_article


def test_article_rule_no_body() -> None:
    verdict = judge_page("<html><head><title>t</title></head><body></body></html>", dated_by="url")
    assert (verdict.is_article, verdict.reason, verdict.body_chars) == (False, "no-body", 0)


def test_link_text_is_counted_from_the_page_anchors() -> None:
    title = "条新闻标题：某某地推进某项工作取得新进展"
    items = "".join(f'<li><a href="/n/{i}.html">第{i}{title}</a> 2022-05-{i:02d}</li>' for i in range(1, 21))
    html = f"<html><body><ul>{items}</ul></body></html>"
    # 20 dates of 10 characters outside the links; 9 + 11 titles of 22 and 23 characters inside.
    assert main_text_measure(html) == (200, 9 * 22 + 11 * 23)
    assert judge_page(html, dated_by="page").reason == "link-list"
