"""Scrapy item exporters for a crawl's own feed exports (``scrapy crawl X -o out.csv``).

Registered in ``FEED_EXPORTERS`` (crawler/settings.py) for ``csv`` and ``xml``; JSON and
JSON Lines need nothing (Scrapy's JSON encoder already writes images as objects).

- CSV: cells as in :mod:`crawler.export.rows` (lists and mappings as JSON, booleans
  ``true``/``false``, formula guard), so a crawl's CSV reads back like ``scrapy export``'s.
  For Excel, ask for a BOM: ``-s FEED_EXPORT_ENCODING=utf-8-sig`` or the feed option
  ``encoding: utf-8-sig``.
- XML: Scrapy's exporter writes ``None`` as the text "None" and an ``Image`` as its repr;
  here empty values are left out, images are ``<value><url/><caption/></value>`` and
  booleans ``true``/``false``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scrapy.exporters import CsvItemExporter, XmlItemExporter

from crawler.export.rows import cell, guard, plain


class ArticleCsvItemExporter(CsvItemExporter):
    """CSV with the project's flattening and formula guard."""

    def serialize_field(self, field: Mapping[str, Any], name: str, value: Any) -> Any:
        serializer = field.get("serializer")
        if serializer is not None:
            return serializer(value)
        return guard(cell(name, value))


class ArticleXmlItemExporter(XmlItemExporter):
    """XML without "None" texts and with images as nested elements."""

    def serialize_field(self, field: Mapping[str, Any], name: str, value: Any) -> Any:
        serializer = field.get("serializer")
        if serializer is not None:
            return serializer(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        return plain(value)

    def _export_xml_field(self, name: str, serialized_value: Any, depth: int) -> None:
        # Scrapy's hook for one field (also called for nested values): skip absent values.
        if serialized_value is None:
            return
        super()._export_xml_field(name, serialized_value, depth)
