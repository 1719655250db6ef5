"""The crawl report (``scrapy report``): one self-contained HTML page with charts.

:func:`write_report` gathers the data (:mod:`crawler.report.data`), draws the charts
(:mod:`crawler.report.charts`) and writes the page (:mod:`crawler.report.page`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from crawler.report.data import ReportData, gather
from crawler.report.page import render
from crawler.store.store import mask_uri

__all__ = ["ReportData", "gather", "render", "write_report"]


def write_report(archive_dir: Path, store_uri: str, out: Path, since: date | None = None) -> ReportData:
    """Write the report of ``archive_dir`` and ``store_uri`` to ``out``; return its data."""
    data = gather(archive_dir, store_uri, since)
    html = render(data, archive_dir=str(archive_dir.resolve()), store=mask_uri(store_uri))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return data
