"""Tabular exports (JSON Lines, CSV, Parquet) round-trip through real readers with every
article and field intact; Scrapy's own CSV/XML feed exporters flatten the same way."""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from lxml import etree

from crawler.export import ExportOptions, csvfile, export, jsonl, parquetfile
from crawler.export.rows import STORE_COLUMNS, unflatten
from crawler.export.scrapy_exporters import ArticleCsvItemExporter, ArticleXmlItemExporter
from crawler.items import EXPORT_FIELDS, Article
from crawler.store import Store
from tests.test_export_rows import filled_store, sample_articles, store_dicts, tricky_article  # noqa: F401


def _export(store: Store, path: Path, fmt: str, **options: object) -> int:
    return export(store.select_articles(), path, fmt, ExportOptions(**options))  # type: ignore[arg-type]


# -- CSV ---------------------------------------------------------------------------------


def test_csv_round_trip_with_the_csv_module(filled_store: Store, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "out.csv"
    assert _export(filled_store, path, "csv") == 5
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    assert header == list(STORE_COLUMNS)
    back = [unflatten(dict(zip(header, row, strict=True))) for row in rows]
    assert back == store_dicts(filled_store)
    assert list(csvfile.read_articles(path)) == store_dicts(filled_store)
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_csv_cells_cannot_run_as_formulas(filled_store: Store, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "out.csv"
    _export(filled_store, path, "csv")
    with path.open(encoding="utf-8", newline="") as handle:
        cells = [c for row in csv.reader(handle) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    with path.open(encoding="utf-8", newline="") as handle:
        by_name = next(row for row in csv.DictReader(handle) if row["url"] == tricky_article().url)
    assert by_name["title"] == '\'=HYPERLINK("http://evil.example/","点我")'
    assert by_name["kicker"] == "'+86 热线"
    assert by_name["subtitle"] == "'-30℃ 寒潮来袭"
    assert by_name["organisation"] == "'\t制表符开头"
    assert by_name["editor"] == "'\r回车开头"
    assert by_name["source"] == "''单引号开头的来源"
    assert json.loads(by_name["authors"]) == ["王小明", "张,三", '李"四"']
    assert json.loads(by_name["correspondents"]) == ["@通讯员"]  # JSON starts with [, not @
    assert by_name["is_reprint"] == "true"
    assert by_name["warc_offset"] == "5000000000"


def test_csv_with_bom_for_excel(filled_store: Store, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "excel.csv"
    _export(filled_store, path, "csv", bom=True)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfurl,outlet,")
    assert raw.count(b"\xef\xbb\xbf") == 1
    assert b"\r\n" in raw  # RFC 4180 / Excel line ends
    assert list(csvfile.read_articles(path)) == store_dicts(filled_store)


# -- JSON Lines --------------------------------------------------------------------------


def test_jsonl_round_trip(filled_store: Store, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "out.jsonl"
    assert _export(filled_store, path, "jsonl") == 5
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    first = next(json.loads(line) for line in lines if tricky_article().url in line)
    assert list(first) == list(STORE_COLUMNS)
    assert first["title"] == '=HYPERLINK("http://evil.example/","点我")'  # JSON needs no guard
    assert first["images"][1] == {"url": "http://pic1.nmgnews.com.cn/0/2.jpg", "caption": None}
    assert first["first_seen"].endswith("+08:00")
    assert any("王小明" in line for line in lines)  # readable Chinese
    assert list(jsonl.read_articles(path)) == store_dicts(filled_store)


# -- Parquet -----------------------------------------------------------------------------


def test_parquet_schema_is_typed(filled_store: Store, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "out.parquet"
    _export(filled_store, path, "parquet")
    schema = pq.read_schema(path)
    assert schema.names == list(STORE_COLUMNS)
    timestamp = pa.timestamp("us", tz="Asia/Shanghai")
    expected = {
        "url": pa.string(),
        "title": pa.string(),
        "published_at": timestamp,
        "first_seen": timestamp,
        "last_seen": timestamp,
        "edition_date": pa.date32(),
        "is_reprint": pa.bool_(),
        "warc_offset": pa.int64(),
        "authors": pa.list_(pa.string()),
        "flags": pa.list_(pa.string()),
        "images": pa.list_(pa.struct([pa.field("url", pa.string(), nullable=False),
                                      pa.field("caption", pa.string())])),
        "layers": pa.map_(pa.string(), pa.string()),
    }
    for name, arrow_type in expected.items():
        assert schema.field(name).type == arrow_type, name
    assert not schema.field("url").nullable
    assert schema.field("kicker").nullable


def test_parquet_round_trip_with_pyarrow(filled_store: Store, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "out.parquet"
    assert _export(filled_store, path, "parquet") == 5
    table = pq.read_table(path)
    assert table.num_rows == 5
    first = next(row for row in table.to_pylist() if row["url"] == tricky_article().url)
    assert first["published_at"] == datetime(2024, 5, 1, 2, 30, tzinfo=UTC)
    assert first["edition_date"] == date(2024, 5, 1)
    assert first["warc_offset"] == 5_000_000_000
    assert first["is_reprint"] is True
    assert first["layers"] == [("title", "selector"), ("published_at", "meta"), ("text", "trafilatura")]
    assert first["images"][1] == {"url": "http://pic1.nmgnews.com.cn/0/2.jpg", "caption": None}
    assert list(parquetfile.read_articles(path)) == store_dicts(filled_store)


def test_parquet_row_groups_hold_one_batch(filled_store: Store, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "out.parquet"
    _export(filled_store, path, "parquet", batch_size=2)
    metadata = pq.ParquetFile(path).metadata
    assert [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)] == [2, 2, 1]


def test_parquet_untypable_dates_are_null_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    article = {name: None for name in STORE_COLUMNS} | {
        "url": "https://example.cn/odd", "outlet": "x", "title": "", "text": "", "is_reprint": False,
        "authors": [], "correspondents": [], "images": [], "pages": [], "layers": {}, "flags": [],
        "published_at": "去年", "edition_date": "2024-5-1",
    }
    path = tmp_path / "odd.parquet"
    with caplog.at_level(logging.WARNING):
        export([article], path, "parquet", ExportOptions())
    row = pq.read_table(path).to_pylist()[0]
    assert row["published_at"] is None
    assert row["edition_date"] is None
    assert "https://example.cn/odd published_at '去年' is not ISO 8601" in caplog.text
    assert "https://example.cn/odd edition_date '2024-5-1' is not YYYY-MM-DD" in caplog.text
    export([article], tmp_path / "odd.csv", "csv", ExportOptions())  # the text formats keep it
    assert next(csvfile.read_articles(tmp_path / "odd.csv"))["published_at"] == "去年"


# -- empty exports -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_empty_export_is_a_valid_file(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"empty.{fmt}"
    assert export([], path, fmt, ExportOptions()) == 0
    reader = {
        "csv": csvfile.read_articles, "jsonl": jsonl.read_articles, "parquet": parquetfile.read_articles,
    }
    assert list(reader[fmt](path)) == []
    if fmt == "parquet":
        assert pq.read_schema(path).names == list(STORE_COLUMNS)
    if fmt == "csv":
        assert path.read_text(encoding="utf-8").splitlines() == [",".join(STORE_COLUMNS)]


# -- Scrapy's feed exporters (scrapy crawl -o out.csv / out.xml) ------------------------------


def _scrapy_export(exporter_class: type, items: list[Article]) -> bytes:
    buffer = io.BytesIO()
    exporter = exporter_class(buffer, fields_to_export=EXPORT_FIELDS)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    exporter.finish_exporting()
    return buffer.getvalue()


def test_scrapy_csv_exporter_flattens_like_the_export(tmp_path: Path) -> None:
    items = sample_articles()
    path = tmp_path / "crawl.csv"
    path.write_bytes(_scrapy_export(ArticleCsvItemExporter, items))
    back = list(csvfile.read_articles(path))
    for item, row in zip(items, back, strict=True):
        expected = {name: getattr(item, name) for name in EXPORT_FIELDS}
        expected["images"] = [{"url": i.url, "caption": i.caption} for i in item.images]
        assert row == expected
    with path.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == EXPORT_FIELDS


def test_scrapy_xml_exporter_has_no_none_and_nested_images() -> None:
    root = etree.fromstring(_scrapy_export(ArticleXmlItemExporter, [tricky_article(), sample_articles()[1]]))
    full, minimal = root.findall("item")
    assert "None" not in etree.tostring(root, encoding="unicode")
    images = full.find("images").findall("value")
    assert [(i.findtext("url"), i.findtext("caption")) for i in images] == [
        ("http://pic1.nmgnews.com.cn/0/1.jpg", "图为现场，记者 摄"),
        ("http://pic1.nmgnews.com.cn/0/2.jpg", None),
    ]
    assert full.findtext("is_reprint") == "true"
    assert [v.text for v in full.find("authors")] == ["王小明", "张,三", '李"四"']
    assert full.findtext("layers/title") == "selector"
    assert full.findtext("title") == '=HYPERLINK("http://evil.example/","点我")'
    assert minimal.find("kicker") is None  # absent, not "None"
    assert minimal.findtext("is_reprint") == "false"
