"""End to end: crawl the nmgnews mock with per-outlet feeds on and Scrapy's CSV/XML feed
exports; the outlet feed and the exports hold every stored article, right."""

from __future__ import annotations

import json

import feedparser
import pytest
from lxml import etree

from crawler.export import stable_id
from crawler.export.csvfile import read_articles
from crawler.export.rows import published_moment
from crawler.items import EXPORT_FIELDS
from crawler.mock import MockOutlets
from crawler.store import Store
from tests.conftest import OUTLETS, Crawl, run_crawl

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawl(mocks: MockOutlets, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    out = tmp_path_factory.mktemp("feeds-crawl")
    return run_crawl(
        "nmgnews", out, mocks.proxy_url, "-o", str(out / "items.csv"), "-o", str(out / "items.xml"),
        settings={"OUTLET_FEEDS_ENABLED": "True", "OUTLET_FEEDS_FORMATS": "atom,rss,jsonfeed"},
    )


def _stored(crawl: Crawl) -> list[dict]:
    with Store.open(crawl.store_uri) as store:
        return list(store.select_articles(outlet="nmgnews", newest_first=True))


def test_outlet_atom_feed_after_the_crawl(crawl: Crawl) -> None:
    stored = _stored(crawl)
    files = sorted((OUTLETS / "nmgnews" / "expected").glob("*.json"))
    expected = {e["url"]: e for e in (json.loads(p.read_text("utf-8")) for p in files)}
    assert set(expected) <= {a["url"] for a in stored}
    parsed = feedparser.parse((crawl.out / "feeds" / "nmgnews.atom").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "内蒙古新闻网 (nmgnews)"
    assert [e.link for e in parsed.entries] == [a["url"] for a in stored][:100]  # newest first
    for entry, article in zip(parsed.entries, stored, strict=False):
        assert entry.id == stable_id(article["url"])
        assert entry.title == article["title"]
        assert entry.published == article["published_at"]  # the outlet's time, +08:00
        published = published_moment(article["published_at"])
        assert published is not None
        assert entry.published_parsed[:6] == tuple(published.utctimetuple())[:6]
        assert entry.updated_parsed[:6] == tuple(article["last_seen"].utctimetuple())[:6]
        assert [a.name for a in entry.get("authors", [])] == article["authors"]
        assert entry.archive_warc_file == article["warc_file"]
        assert entry.archive_warc_offset == str(article["warc_offset"])
        assert entry.archive_warc_record_id == article["warc_record_id"]
        assert (crawl.out / entry.archive_warc_file).is_file()  # the record it came from is here
        if article["url"] in expected:
            assert entry.title == expected[article["url"]]["title"]
    assert crawl.stats["outlet_feeds/written"] == 3
    assert crawl.stats["outlet_feeds/entries/nmgnews"] == len(parsed.entries)
    assert "outlet_feeds/errors" not in crawl.stats
    assert sorted(p.name for p in (crawl.out / "feeds").iterdir()) == [
        "nmgnews.atom", "nmgnews.json", "nmgnews.rss",
    ]


def test_outlet_rss_and_json_feeds(crawl: Crawl) -> None:
    urls = [a["url"] for a in _stored(crawl)][:100]
    rss = feedparser.parse((crawl.out / "feeds" / "nmgnews.rss").read_bytes())
    assert not rss.bozo, rss.get("bozo_exception")
    assert [e.link for e in rss.entries] == urls
    feed = json.loads((crawl.out / "feeds" / "nmgnews.json").read_text(encoding="utf-8"))
    assert [i["url"] for i in feed["items"]] == urls


def test_crawl_csv_export_reads_back_like_the_store(crawl: Crawl) -> None:
    stored = {a["url"]: a for a in _stored(crawl)}
    rows = list(read_articles(crawl.out / "items.csv"))
    assert {r["url"] for r in rows} == set(stored)
    for row in rows:
        assert list(row) == EXPORT_FIELDS
        assert row == {name: stored[row["url"]][name] for name in EXPORT_FIELDS}, row["url"]


def test_crawl_xml_export_is_clean(crawl: Crawl) -> None:
    root = etree.parse(str(crawl.out / "items.xml")).getroot()
    items = root.findall("item")
    assert len(items) == len(_stored(crawl))
    assert all(item.findtext("body_html") is None for item in items)
    assert ">None<" not in etree.tostring(root, encoding="unicode")
    with_images = [i for i in items if i.find("images/value/url") is not None]
    assert with_images, "the nmgnews mock has articles with images"
