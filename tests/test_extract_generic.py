"""The generic extractor and finish() on pages of sites no spider knows (tests/generic_pages).

Every field of every expected JSON must come out exactly: title, kicker, subtitle, date,
authors, correspondents, organisation, source, editor, text, simplified texts, images,
flags; plus the charset decisions and the layer of each field.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.project import get_project_settings

from crawler.encoding import decode_html
from crawler.extract.generic import generic_article, generic_articles
from crawler.extract.inputs import RawPage, follow, site_getter
from crawler.extract.offline import extract_articles, outlet_spiders
from crawler.items import Article

HERE = Path(__file__).resolve().parent
PAGES = HERE / "generic_pages"
EXPECTED = sorted((PAGES / "expected").glob("*.json"))


@pytest.fixture(scope="module")
def extracted() -> dict[str, dict]:
    """Every article of every generic page, by URL, as exported."""
    spiders = outlet_spiders(get_project_settings())
    get = site_getter(PAGES)
    out: dict[str, dict] = {}
    for url in sorted({json.loads(p.read_text("utf-8"))["url"].split("#")[0] for p in EXPECTED}):
        page = follow(get, url)
        assert page is not None, url
        for article in extract_articles(page, spiders=spiders, get=get):
            data = dataclasses.asdict(article)
            out[data["url"]] = data
    return out


@pytest.mark.parametrize("path", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_every_field(path: Path, extracted: dict[str, dict]) -> None:
    exp = json.loads(path.read_text("utf-8"))
    got = extracted.get(exp["url"])
    assert got is not None, f"{exp['url']} not extracted; got {sorted(extracted)}"
    for key, value in exp.items():
        if key == "flags":  # the expected flags are there (others may be too, e.g. lossy-decode)
            assert set(value) <= set(got["flags"]), (key, got["flags"])
        else:
            assert got[key] == value, f"{exp['url']} field {key!r}"


def test_the_fixtures_are_what_build_py_makes(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(PAGES / "build.py"), str(tmp_path)], check=True)
    made = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    kept = {p.relative_to(PAGES): p.read_bytes() for p in PAGES.rglob("*")
            if p.is_file() and p.name != "build.py" and "__pycache__" not in p.parts}
    assert made == kept


def test_multi_story_page_gives_one_article_per_story(extracted: dict[str, dict]) -> None:
    base = "http://www.wlcbnews.com/epaper/20230928/a01.html"
    urls = [u for u in extracted if u.split("#")[0] == base]
    assert urls == [base] + [f"{base}#{n}" for n in range(2, 10)]
    assert all(extracted[u]["pages"] == [base] for u in urls)
    assert all(extracted[u]["layers"]["text"] == "rule" for u in urls)
    assert all(extracted[u]["layers"]["title"] == "page" for u in urls)


def test_layers_say_where_each_field_came_from(extracted: dict[str, dict]) -> None:
    trs = extracted["http://www.nmgzx.gov.cn/zxyw/202306/t20230602_123.html"]
    fields = ("title", "published_at", "source", "authors", "section", "text")
    assert {k: trs["layers"][k] for k in fields} == {
        "title": "meta", "published_at": "meta", "source": "meta", "authors": "meta", "section": "meta",
        "text": "trafilatura"}
    founder = extracted["http://szb.hlbrdaily.com.cn:8888/html/2023-03/01/content_512_8841.htm"]
    fields = ("kicker", "subtitle", "published_at", "authors", "correspondents")
    assert {k: founder["layers"][k] for k in fields} == {
        "kicker": "meta", "subtitle": "meta", "published_at": "url", "authors": "meta",
        "correspondents": "rule"}
    assert founder["edition_date"] == "2023-03-01"
    ordos = extracted["http://www.ordosnews.com/news/content/2019-07/05/content_2271.htm"]
    assert {k: ordos["layers"][k] for k in ("title", "published_at", "source", "editor", "authors")} == {
        "title": "page", "published_at": "page", "source": "page", "editor": "page", "authors": "rule"}
    assert ordos["published_raw"] == "来源：鄂尔多斯日报 时间：19-07-05 09:44"


@pytest.mark.parametrize(
    ("url", "charset", "reason"),
    [
        ("http://www.ordosnews.com/news/content/2019-07/05/content_2271.htm", "utf-8",
         "strict UTF-8 (no declaration)"),
        ("https://www.nmgcb.com.cn/hhht/2025-04/16/c_1234.html", "utf-8",
         "strict UTF-8 although meta tag says gb2312"),
        ("http://www.nmgzx.gov.cn/zxyw/202306/t20230602_123.html", "gb18030",
         "meta tag declares gb2312, decoded as its superset GB18030; "
         "not UTF-8 although the HTTP header says utf-8"),
        ("http://www.dongfang-group.cn/esd/jjesd/202206/t20220602_1536.html", "gb18030",
         "HTTP header declares gb2312, decoded as its superset GB18030"),
        ("http://www.takungpao.com.hk/mainland/text/2011/1014/12345.html", "big5",
         "strict big5 as declared by HTTP header"),
    ],
)
def test_charset_and_why(url: str, charset: str, reason: str, extracted: dict[str, dict]) -> None:
    got = extracted[url]
    assert (got["charset"], got["charset_reason"]) == (charset, reason)
    assert "mojibake" not in got["flags"] and "lossy-decode" not in got["flags"]


def test_characters_outside_gb2312_survive(extracted: dict[str, dict]) -> None:
    trs = extracted["http://www.nmgzx.gov.cn/zxyw/202306/t20230602_123.html"]
    assert "张喆、朱镕基" in trs["text"] and trs["authors"] == ["张喆"]


def _article_of(html: str, url: str, ctype: str = "text/html; charset=utf-8") -> Article:
    from crawler.extract.article import finish

    body = html.encode("utf-8")
    decoded = decode_html(body, ctype)
    page = HtmlResponse(url=url, body=body, encoding=decoded.charset)
    return finish(generic_article(page, decoded, outlet="x", url=url))


def test_mojibake_is_flagged_not_stored_silently() -> None:
    sentence = "内蒙古自治区各级基层党组织以创先争优活动为载体，把服务群众和自身建设结合起来。"
    garbled = sentence.encode().decode("gbk", "replace")
    html = f"<html><head><title>标题</title></head><body><h1>标题</h1><div class='content'>" \
           f"<p>{garbled}</p><p>{garbled}{garbled}</p></div></body></html>"
    article = _article_of(html, "http://x.example/2025/04/16/a.html")
    assert "mojibake" in article.flags
    assert article.text.startswith(garbled[:10])  # kept as decoded, flagged: the WARC can redo it


def test_generic_article_signature_and_first_story() -> None:
    """generic_article (used by the site spider and drift fallbacks) keeps its signature."""
    get = site_getter(PAGES)
    raw = follow(get, "https://www.northnews.cn/p/2359976.html")
    assert isinstance(raw, RawPage)
    decoded = decode_html(raw.body, raw.header("Content-Type"))
    page = HtmlResponse(url=raw.url, body=raw.body, encoding=decoded.charset)
    first = generic_article(page, decoded, outlet="northnews.cn", url=raw.url)
    every = generic_articles(page, decoded, outlet="northnews.cn", url=raw.url)
    assert first.title == every[0].title == "系统阐述深入解读 迅速掀起宣讲热潮"
    assert [a.url for a in every] == [raw.url, raw.url + "#2"]
    assert first.body_html and first.outlet == "northnews.cn" and first.charset == "utf-8"


def test_a_single_article_with_sub_heads_is_not_split() -> None:
    text = "内蒙古自治区各级基层党组织以创先争优活动为载体。" * 3
    body = "".join(f"<h3>第{i}部分</h3><p>{text}</p>" for i in "一二三")
    html = (f"<html><head><title>内蒙古创先争优活动激活基层党组织建设-内蒙古新闻网</title></head><body>"
            f"<h1>内蒙古创先争优活动激活基层党组织建设</h1><div class='article-content'>"
            f"<p>本报讯（记者 张三）近日，全区召开会议。</p>{body}<p>来源：新华网</p></div></body></html>")
    (article,) = [a for a in [_article_of(html, "http://x.example/2025/04/16/a.html")]]
    assert article.title == "内蒙古创先争优活动激活基层党组织建设"
    assert article.authors == ["张三"] and article.source == "新华网"
    assert "第二部分" in article.text.split("\n")
