"""Flattening of articles for tabular exports (crawler/export/rows.py), and the sample
articles and stores the other export and feed tests share."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.export.rows import (
    JSON_VALUE,
    KINDS,
    STORE_COLUMNS,
    cell,
    flatten,
    guard,
    read_cell,
    unflatten,
    unguard,
)
from crawler.items import EXPORT_FIELDS, Article, Image
from crawler.store import Store

# -- shared samples --------------------------------------------------------------------


def tricky_article() -> Article:
    """Every field set, with values that break naive CSV/XML/spreadsheet handling."""
    url = "http://inews.nmgnews.com.cn/system/2024/05/01/030000001.shtml"
    return Article(
        url=url,
        outlet="nmgnews",
        title='=HYPERLINK("http://evil.example/","点我")',
        kicker="+86 热线",
        subtitle="-30℃ 寒潮来袭",
        section="要闻",
        edition_date="2024-05-01",
        page_number="01",
        page_name="要闻",
        published_at="2024-05-01T10:30:00+08:00",
        published_raw="2024年05月01日 10:30",
        source="'单引号开头的来源",
        is_reprint=True,
        authors=["王小明", "张,三", '李"四"'],
        correspondents=["@通讯员"],
        organisation="\t制表符开头",
        editor="\r回车开头",
        text='第一段，有逗号, "引号" 和 emoji😀。\n第二段 <b>不是标签</b> & 符号。\r\n第三段。',
        title_simplified="简体标题",
        text_simplified="简体正文",
        images=[
            Image("http://pic1.nmgnews.com.cn/0/1.jpg", "图为现场，记者 摄"),
            Image("http://pic1.nmgnews.com.cn/0/2.jpg", None),
        ],
        pages=[url, url.replace(".shtml", "_2.shtml")],
        charset="gb18030",
        charset_reason="meta charset gb2312 widened to gb18030",
        warc_file="nmgnews-20240501000000000-00000-host.warc.gz",
        warc_offset=5_000_000_000,
        warc_record_id="<urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e>",
        extractor_version="1.2.3",
        layers={"title": "selector", "published_at": "meta", "text": "trafilatura"},
        flags=["reprint", "multipage"],
    )


def sample_articles() -> list[Article]:
    """A varied set: full, minimal, undated, another outlet, day boundaries."""
    base = "http://inews.nmgnews.com.cn/system/2024/05/0"
    return [
        tricky_article(),
        Article(url=f"{base}1/030000002.shtml", outlet="nmgnews"),  # nothing but the URL
        Article(
            url=f"{base}2/030000003.shtml",
            outlet="nmgnews",
            title="乌兰察布市召开会议",
            section="盟市新闻",
            authors=["巴特尔"],
            text="乌兰察布市近日召开会议。\n会议强调……",
            published_at=None,  # undated: last in every order
        ),
        Article(
            url="https://politics.gmw.cn/2024-04/30/content_1.htm",
            outlet="gmw",
            title="COVID 防控",
            section="时政",
            text="COVID-19 相关。",
            published_at="2024-04-30T23:59:59+08:00",
            source="光明日报",
        ),
        Article(
            url=f"{base}2/030000005.shtml",
            outlet="nmgnews",
            title="五月二日零点",
            text="零点发布。",
            published_at="2024-05-02T00:00:00+08:00",
            images=[Image("http://pic1.nmgnews.com.cn/0/5.jpg", "配图")],
        ),
    ]


def store_dicts(store: Store) -> list[dict[str, Any]]:
    """Every stored article, as exports carry it (the store columns, no row id)."""
    return [{name: a[name] for name in STORE_COLUMNS} for a in store.iter_articles()]


@pytest.fixture
def filled_store(tmp_path: Path) -> Iterator[Store]:
    """A SQLite store holding :func:`sample_articles`."""
    with Store.open(f"sqlite:///{tmp_path / 'store' / 'articles.sqlite'}") as store:
        for article in sample_articles():
            store.upsert_article(article)
        yield store


# -- rows.py ---------------------------------------------------------------------------


def test_every_exported_field_has_a_kind() -> None:
    assert set(KINDS) == {*EXPORT_FIELDS, "first_seen", "last_seen"}
    untyped = [name for name, kind in KINDS.items() if kind == JSON_VALUE]
    assert untyped == [], f"give these Article fields a kind in crawler/export/rows.py: {untyped}"
    assert KINDS["images"] == "images"
    assert KINDS["layers"] == "text_map"
    assert KINDS["warc_offset"] == "int"
    assert KINDS["is_reprint"] == "bool"
    assert KINDS["title"] == "text"
    assert KINDS["kicker"] == "optional_text"


@pytest.mark.parametrize(
    ("raw", "guarded"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-30℃", "'-30℃"),
        ("@user", "'@user"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'quoted", "''quoted"),
        ("plain", "plain"),
        ("", ""),
        ("a=b", "a=b"),
        ('["json"]', '["json"]'),
    ],
)
def test_formula_guard_and_its_reading_rule(raw: str, guarded: str) -> None:
    assert guard(raw) == guarded
    assert unguard(guard(raw)) == raw


def test_cells_of_each_kind() -> None:
    assert cell("authors", ["王小明", "张,三"]) == '["王小明", "张,三"]'
    assert cell("images", [Image("http://x/1.jpg", None)]) == '[{"url": "http://x/1.jpg", "caption": null}]'
    assert cell("layers", {"title": "meta"}) == '{"title": "meta"}'
    assert cell("is_reprint", True) == "true"
    assert cell("is_reprint", False) == "false"
    assert cell("warc_offset", 5_000_000_000) == "5000000000"
    assert cell("warc_offset", None) == ""
    assert cell("kicker", None) == ""
    assert cell("first_seen", datetime(2024, 5, 1, 2, 30, tzinfo=UTC)) == "2024-05-01T10:30:00+08:00"
    assert cell("authors", []) == "[]"


def test_reading_rule_for_empty_cells() -> None:
    assert read_cell("title", "") == ""  # required text
    assert read_cell("kicker", "") is None  # optional text
    assert read_cell("warc_offset", "") is None
    assert read_cell("authors", "[]") == []
    assert read_cell("layers", "{}") == {}
    with pytest.raises(ValueError, match="is_reprint"):
        read_cell("is_reprint", "yes")


def test_flatten_unflatten_round_trip_through_the_csv_module(filled_store: Store) -> None:
    stored = store_dicts(filled_store)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(STORE_COLUMNS)
    for article in stored:
        writer.writerow(flatten(article))
    buffer.seek(0)
    back = [unflatten(row) for row in csv.DictReader(buffer)]
    assert back == stored
