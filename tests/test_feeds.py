"""Atom, RSS 2.0 and JSON Feed 1.1 exports, read back with real parsers: feedparser for the
XML feeds (no bozo, every entry, dates right), the json module plus the JSON Feed 1.1
rules for JSON Feed."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import lxml.html
import pytest

from crawler.export import ExportOptions, FeedInfo, export, feed_id, stable_id
from crawler.export.feeds import ARCHIVE_NS, entries, make_entry, paragraphs, summarize
from crawler.export.rows import article_dict, published_moment
from crawler.store import Store
from crawler.store.query import describe_selection
from tests.test_export_rows import filled_store, sample_articles, tricky_article  # noqa: F401

XML_FORMATS = {"atom": "atom10", "rss": "rss20"}


def _info(store: Store, **overrides: Any) -> FeedInfo:
    fields: dict[str, Any] = {
        "title": "内蒙古新闻网 (nmgnews)",
        "id": feed_id("outlet=nmgnews"),
        "updated": describe_selection(store).last_seen,
        "description": "测试订阅",
    }
    return FeedInfo(**(fields | overrides))


def _write(store: Store, path: Path, fmt: str, **overrides: Any) -> int:
    return export(store.select_articles(), path, fmt, ExportOptions(feed=_info(store, **overrides)))


def _utc_tuple(moment: datetime) -> tuple[int, ...]:
    return tuple(moment.astimezone(UTC).timetuple())[:6]


def _content(html_text: str) -> tuple[list[str], list[tuple[str, str | None]]]:
    """Paragraph texts and (image URL, caption) pairs of an entry's HTML content."""
    if not html_text:
        return [], []
    root = lxml.html.fragment_fromstring(html_text, create_parent="div")
    texts = [p.text_content() for p in root.iter("p")]
    figures = [(f.find("img").get("src"), f.findtext("figcaption")) for f in root.iter("figure")]
    return texts, figures


def test_stable_id_is_uuid5_of_the_url() -> None:
    url = tricky_article().url
    assert stable_id(url) == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}"
    assert stable_id(url) == stable_id(url)
    assert stable_id(url) != stable_id(url + "?")


@pytest.mark.parametrize("fmt", list(XML_FORMATS))
def test_xml_feed_round_trips_through_feedparser(fmt: str, filled_store: Store, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / f"feed.{fmt}"
    assert _write(filled_store, path, fmt) == 5
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == XML_FORMATS[fmt]
    stored = {a["url"]: a for a in filled_store.iter_articles()}
    assert [e.link for e in parsed.entries] == list(stored)  # every article, in order

    for entry in parsed.entries:
        article = stored[entry.link]
        assert entry.id == stable_id(article["url"])
        assert entry.title == article["title"]
        published = published_moment(article["published_at"])
        if published is None:
            assert "published" not in entry
        else:
            assert entry.published_parsed[:6] == _utc_tuple(published)
            assert entry.published.endswith("+08:00" if fmt == "atom" else "+0800")
        assert entry.updated_parsed[:6] == _utc_tuple(article["last_seen"])
        assert entry.updated.endswith("+08:00")
        assert [a["name"] for a in entry.get("authors", [])] == article["authors"]
        assert [t.term for t in entry.get("tags", [])] == ([article["section"]] if article["section"] else [])
        assert entry.get("summary", "") == summarize(article["text"])
        texts, figures = _content(entry.content[0].value)
        assert texts == paragraphs(article["text"])
        assert figures == [(i["url"], i["caption"]) for i in article["images"]]
        assert entry.archive_outlet == article["outlet"]
        assert entry.archive_is_reprint == ("true" if article["is_reprint"] else "false")
        for name in ("source", "warc_file", "warc_offset", "warc_record_id"):
            value = article[name]
            assert entry.get(f"archive_{name}") == (None if value is None else str(value)), name
        if fmt == "atom" and article["is_reprint"]:
            assert entry.source.title == article["source"]

    feed = parsed.feed
    assert feed.title == "内蒙古新闻网 (nmgnews)"
    assert feed.updated_parsed[:6] == _utc_tuple(max(a["last_seen"] for a in stored.values()))
    assert feed.link == "https://politics.gmw.cn/"  # the first entry's site
    if fmt == "atom":
        assert feed.id == feed_id("outlet=nmgnews")
    assert parsed.namespaces["archive"] == ARCHIVE_NS


def test_tricky_entry_exact_values(filled_store: Store, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "feed.atom"
    _write(filled_store, path, "atom")
    entry = next(e for e in feedparser.parse(path.read_bytes()).entries if e.link == tricky_article().url)
    assert entry.published == "2024-05-01T10:30:00+08:00"
    assert entry.title == '=HYPERLINK("http://evil.example/","点我")'
    assert entry.archive_warc_record_id == "<urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e>"
    assert entry.archive_warc_offset == "5000000000"
    assert entry.summary == '第一段，有逗号, "引号" 和 emoji😀。'
    assert _content(entry.content[0].value)[0][1] == "第二段 <b>不是标签</b> & 符号。"  # text, not markup


def test_feeds_are_deterministic_and_ids_stable(filled_store: Store, tmp_path: Path) -> None:  # noqa: F811
    for fmt in ("atom", "rss", "jsonfeed"):
        one, two = tmp_path / f"1.{fmt}", tmp_path / f"2.{fmt}"
        _write(filled_store, one, fmt)
        _write(filled_store, two, fmt)
        assert one.read_bytes() == two.read_bytes()
    # Another feed (another filter) gives the same article the same id.
    subset = tmp_path / "gmw.atom"
    info = _info(filled_store, id=feed_id("outlet=gmw"))
    export(filled_store.select_articles(outlet="gmw"), subset, "atom", ExportOptions(feed=info))
    entry = feedparser.parse(subset.read_bytes()).entries[0]
    assert entry.id == stable_id("https://politics.gmw.cn/2024-04/30/content_1.htm")


@pytest.mark.parametrize("fmt", list(XML_FORMATS))
def test_characters_xml_cannot_carry_do_not_break_the_feed(fmt: str, tmp_path: Path) -> None:
    article = {
        "url": "https://example.cn/ctl", "outlet": "x", "title": "控制\x0b字符\x1f",
        "text": "第一段\x08。\n第二段\ufffe。", "images": [], "authors": ["甲\x01"],
    }
    info = FeedInfo(title="t\x00", id=feed_id("ctl"), updated=datetime(2024, 5, 1, tzinfo=UTC))
    path = tmp_path / f"ctl.{fmt}"
    assert export([article], path, fmt, ExportOptions(feed=info)) == 1
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries[0].title == "控制\ufffd字符\ufffd"
    assert _content(parsed.entries[0].content[0].value)[0] == ["第一段\ufffd。", "第二段\ufffd。"]


@pytest.mark.parametrize("fmt", ["atom", "rss", "jsonfeed"])
def test_empty_feed_is_valid(fmt: str, tmp_path: Path) -> None:
    info = FeedInfo(title="空", id=feed_id("empty"), updated=datetime(2024, 5, 1, tzinfo=UTC))
    path = tmp_path / f"empty.{fmt}"
    assert export([], path, fmt, ExportOptions(feed=info)) == 0
    if fmt == "jsonfeed":
        feed = json.loads(path.read_text(encoding="utf-8"))
        assert feed["items"] == []
        assert "home_page_url" not in feed
        return
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries == []
    assert parsed.feed.title == "空"


def test_feed_needs_feed_info(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"needs ExportOptions\.feed"):
        export(sample_articles_dicts(), tmp_path / "x.atom", "atom", ExportOptions())
    assert not list(tmp_path.iterdir())


def sample_articles_dicts() -> list[dict[str, Any]]:
    return [{"url": a.url, "outlet": a.outlet, "text": a.text, "images": []} for a in sample_articles()]


# -- JSON Feed 1.1 ---------------------------------------------------------------------------

#: Keys JSON Feed 1.1 defines (top level, item); anything else must be an extension: _ + letter.
TOP_KEYS = {"version", "title", "home_page_url", "feed_url", "description", "user_comment", "next_url",
            "icon", "favicon", "authors", "language", "expired", "hubs", "items"}
ITEM_KEYS = {"id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
             "banner_image", "date_published", "date_modified", "authors", "tags", "language", "attachments"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _extension_keys(obj: dict[str, Any], known: set[str]) -> set[str]:
    extra = set(obj) - known
    assert all(re.match(r"^_[A-Za-z]", key) for key in extra), extra
    return extra


def test_jsonfeed_round_trip_and_spec_rules(filled_store: Store, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "feed.json"
    assert _write(filled_store, path, "jsonfeed", self_url="https://feeds.example/nmgnews.json") == 5
    feed = json.loads(path.read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "内蒙古新闻网 (nmgnews)"
    assert feed["feed_url"] == "https://feeds.example/nmgnews.json"
    assert feed["home_page_url"] == "https://politics.gmw.cn/"  # the first entry's site
    assert feed["language"] == "zh-CN"
    assert _extension_keys(feed, TOP_KEYS) == {"_archive"}
    assert feed["_archive"]["id"] == feed_id("outlet=nmgnews")

    stored = {a["url"]: a for a in filled_store.iter_articles()}
    assert [item["url"] for item in feed["items"]] == list(stored)
    assert len({item["id"] for item in feed["items"]}) == 5
    for item in feed["items"]:
        article = stored[item["url"]]
        assert _extension_keys(item, ITEM_KEYS) == {"_archive"}
        assert item["id"] == stable_id(article["url"])
        assert item["title"] == article["title"]
        assert item["content_text"] == article["text"]
        assert _content(item["content_html"])[0] == paragraphs(article["text"])
        published = published_moment(article["published_at"])
        if published is None:
            assert "date_published" not in item
        else:
            assert RFC3339.match(item["date_published"])
            assert item["date_published"].endswith("+08:00")
            assert datetime.fromisoformat(item["date_published"]) == published
        assert datetime.fromisoformat(item["date_modified"]) == article["last_seen"]
        assert item["date_modified"].endswith("+08:00")
        assert [a["name"] for a in item.get("authors", [])] == article["authors"]
        assert item.get("tags", []) == ([article["section"]] if article["section"] else [])
        assert item.get("image") == (article["images"][0]["url"] if article["images"] else None)
        archive = item["_archive"]
        assert archive["outlet"] == article["outlet"]
        assert archive["is_reprint"] is article["is_reprint"]
        for name in ("source", "warc_file", "warc_offset", "warc_record_id"):
            assert archive.get(name) == article[name], name


def test_updated_time_is_last_seen_else_published() -> None:
    fallback = datetime(2030, 1, 1, tzinfo=UTC)
    item = {"url": "https://example.cn/a", "outlet": "x", "published_at": "2024-05-01T10:00:00+08:00"}
    assert make_entry(item, fallback_updated=fallback).updated.isoformat() == "2024-05-01T10:00:00+08:00"
    seen = item | {"last_seen": datetime(2024, 6, 1, 2, 0, tzinfo=UTC)}
    assert make_entry(seen, fallback_updated=fallback).updated.isoformat() == "2024-06-01T10:00:00+08:00"
    bare = {"url": "https://example.cn/b", "outlet": "x"}
    assert make_entry(bare, fallback_updated=fallback).updated == fallback
    assert make_entry(bare, fallback_updated=fallback).updated.isoformat() == "2030-01-01T08:00:00+08:00"


def test_summary_is_first_paragraph_or_cut() -> None:
    assert summarize("短的第一段。\n第二段。") == "短的第一段。"
    assert summarize("\n\n  开头空行后的段落 \n第二段") == "开头空行后的段落"
    long = "长" * 250
    assert summarize(long) == "长" * 200 + "…"
    assert summarize("") == ""


def test_entry_from_an_article_item_without_store_fields() -> None:
    info = FeedInfo(title="t", id=feed_id("t"), updated=datetime(2024, 5, 1, tzinfo=UTC))
    (entry,) = entries([article_dict(tricky_article())], info)
    assert entry.updated.isoformat() == "2024-05-01T10:30:00+08:00"  # published, as there is no last_seen
    assert entry.image == "http://pic1.nmgnews.com.cn/0/1.jpg"
    assert entry.authors == ("王小明", "张,三", '李"四"')
