"""Per-outlet feeds written after each crawl (crawler/export/outlet_feeds.py)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import feedparser
import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

import crawler.store.store as store_module
from crawler.config import ConfigError
from crawler.export import feed_id, stable_id
from crawler.export.outlet_feeds import OutletFeeds, OutletFeedsConfig
from crawler.items import Article
from crawler.store import Store
from tests.test_store import Clock


class NmgSpider(Spider):
    name = "nmgnews"
    outlet_names = ("内蒙古新闻网", "本网")


def _settings(archive: Path, **extra: object) -> dict[str, object]:
    return {"ARCHIVE_DIR": str(archive), "OUTLET_FEEDS_ENABLED": True, **extra}


def _extension(archive: Path, **extra: object) -> OutletFeeds:
    crawler = get_crawler(NmgSpider, _settings(archive, **extra))
    return OutletFeeds.from_crawler(crawler)


def _fill(archive: Path, outlet: str, count: int, *, start: int = 0) -> list[str]:
    urls = []
    with Store.open(f"sqlite:///{archive / 'articles.sqlite'}") as store:
        for n in range(start, start + count):
            url = f"http://inews.nmgnews.com.cn/system/2024/05/{1 + n // 24:02d}/{outlet}{n:06d}.shtml"
            store.upsert_article(Article(
                url=url, outlet=outlet, title=f"{outlet} 第{n}篇", text=f"正文{n}。",
                published_at=f"2024-05-{1 + n // 24:02d}T{n % 24:02d}:00:00+08:00",
                warc_file="x.warc.gz", warc_offset=n, warc_record_id=f"<urn:uuid:{n:032x}>",
            ))
            urls.append(url)
    return urls


def _close(ext: OutletFeeds) -> None:
    ext.spider_closed(NmgSpider(), "finished")


# -- settings -------------------------------------------------------------------------------


def test_off_by_default(tmp_path: Path) -> None:
    crawler = get_crawler(NmgSpider, {"ARCHIVE_DIR": str(tmp_path)})
    with pytest.raises(NotConfigured, match="OUTLET_FEEDS_ENABLED"):
        OutletFeeds.from_crawler(crawler)


def test_settings_defaults_and_checks(tmp_path: Path) -> None:
    config = OutletFeedsConfig.from_settings(Settings({"ARCHIVE_DIR": str(tmp_path)}))
    assert config.formats == ("atom",)
    assert config.limit == 100
    assert config.feeds_dir == tmp_path / "feeds"
    assert config.base_url is None
    config = OutletFeedsConfig.from_settings(Settings({
        "OUTLET_FEEDS_FORMATS": "atom,rss,jsonfeed", "OUTLET_FEEDS_LIMIT": "5",
        "OUTLET_FEEDS_BASE_URL": "https://feeds.example/nmg/",
    }))
    assert config.formats == ("atom", "rss", "jsonfeed")
    assert config.limit == 5
    assert config.base_url == "https://feeds.example/nmg"
    with pytest.raises(ConfigError, match="OUTLET_FEEDS_FORMATS has 'csv'; expected some of atom, rss, "):
        OutletFeedsConfig.from_settings(Settings({"OUTLET_FEEDS_FORMATS": ["atom", "csv"]}))
    with pytest.raises(ConfigError, match="OUTLET_FEEDS_FORMATS is empty"):
        OutletFeedsConfig.from_settings(Settings({"OUTLET_FEEDS_FORMATS": []}))
    with pytest.raises(ConfigError, match="OUTLET_FEEDS_LIMIT='many' is not a number"):
        OutletFeedsConfig.from_settings(Settings({"OUTLET_FEEDS_LIMIT": "many"}))
    with pytest.raises(ConfigError, match="OUTLET_FEEDS_LIMIT=0 must be at least 1"):
        OutletFeedsConfig.from_settings(Settings({"OUTLET_FEEDS_LIMIT": 0}))


# -- writing -------------------------------------------------------------------------------


def test_feeds_of_the_latest_articles_per_outlet(tmp_path: Path) -> None:
    urls = _fill(tmp_path, "nmgnews", 30)
    other = _fill(tmp_path, "gmw", 3)
    _fill(tmp_path, "untouched", 2)
    ext = _extension(tmp_path, OUTLET_FEEDS_FORMATS=["atom", "rss", "jsonfeed"], OUTLET_FEEDS_LIMIT=10,
                     OUTLET_FEEDS_BASE_URL="https://feeds.example")
    ext.item_scraped(Article(url=other[0], outlet="gmw"), NmgSpider())
    _close(ext)

    feeds = tmp_path / "feeds"
    assert sorted(p.name for p in feeds.iterdir()) == [
        "gmw.atom", "gmw.json", "gmw.rss", "nmgnews.atom", "nmgnews.json", "nmgnews.rss",
    ]  # outlets of this crawl only, no temporary files
    atom = feedparser.parse((feeds / "nmgnews.atom").read_bytes())
    assert not atom.bozo
    assert [e.link for e in atom.entries] == urls[::-1][:10]  # newest first, the limit
    assert atom.feed.title == "内蒙古新闻网 (nmgnews)"
    assert atom.feed.id == feed_id("outlet=nmgnews")
    assert {"rel": "self", "type": "application/atom+xml", "href": "https://feeds.example/nmgnews.atom"} in (
        atom.feed.links
    )
    assert atom.entries[0].id == stable_id(urls[-1])
    assert atom.entries[0].published == "2024-05-02T05:00:00+08:00"
    rss = feedparser.parse((feeds / "nmgnews.rss").read_bytes())
    assert not rss.bozo
    assert [e.link for e in rss.entries] == urls[::-1][:10]
    feed = json.loads((feeds / "nmgnews.json").read_text(encoding="utf-8"))
    assert [i["url"] for i in feed["items"]] == urls[::-1][:10]
    gmw = feedparser.parse((feeds / "gmw.atom").read_bytes())
    assert gmw.feed.title == "gmw"
    assert [e.link for e in gmw.entries] == other[::-1]
    stats = ext.crawler.stats
    assert stats is not None
    assert stats.get_value("outlet_feeds/written") == 6
    assert stats.get_value("outlet_feeds/entries/nmgnews") == 10
    assert stats.get_value("outlet_feeds/entries/gmw") == 3
    assert stats.get_value("outlet_feeds/errors") is None


def test_next_crawl_replaces_the_feed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr(store_module, "_utcnow", clock)
    _fill(tmp_path, "nmgnews", 3)
    _close(_extension(tmp_path))
    path = tmp_path / "feeds" / "nmgnews.atom"
    before = feedparser.parse(path.read_bytes())
    assert len(before.entries) == 3
    assert before.feed.updated == "2024-05-01T20:00:00+08:00"  # the store's clock
    clock.advance(3600)
    newer = _fill(tmp_path, "nmgnews", 1, start=40)
    _close(_extension(tmp_path))
    after = feedparser.parse(path.read_bytes())
    assert [e.link for e in after.entries] == [newer[0], *(e.link for e in before.entries)]
    assert after.feed.updated == "2024-05-01T21:00:00+08:00"
    assert sorted(p.name for p in path.parent.iterdir()) == ["nmgnews.atom"]


def test_outlet_without_articles_gets_no_feed(tmp_path: Path) -> None:
    _fill(tmp_path, "gmw", 1)
    _close(_extension(tmp_path))
    assert not (tmp_path / "feeds").exists()


def test_failures_are_logged_never_raised(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _fill(tmp_path, "nmgnews", 2)
    ext = _extension(tmp_path)
    ext.item_scraped(Article(url="https://x/1", outlet="../evil"), NmgSpider())
    (tmp_path / "feeds").write_text("a file where the directory should be")
    with caplog.at_level(logging.ERROR):
        _close(ext)
    assert "outlet name '../evil' cannot be a file name" in caplog.text
    assert "outlet feeds for nmgnews not written" in caplog.text
    assert ext.crawler.stats is not None
    assert ext.crawler.stats.get_value("outlet_feeds/errors") == 2
    assert (tmp_path / "feeds").read_text() == "a file where the directory should be"

    broken = _extension(tmp_path, STORE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none")
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        _close(broken)
    assert "outlet feeds not written: cannot open store" in caplog.text
