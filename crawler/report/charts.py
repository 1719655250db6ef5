"""The report's charts: static SVG from pygal, inlined in the page (no script, no network)."""

from __future__ import annotations

import re
import sys
from datetime import date

import pygal
from pygal.style import Style

from crawler.report.data import ReportData, per_outlet_totals

# pygal appends an import hook for its map plugins (pygal.maps.*) to sys.meta_path that has
# no find_spec(), so every later import warns (ImportWarning, an error under our pytest
# settings). No map is drawn here: take the hook out again.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

#: Outlet colours, assigned in the sorted order of outlet names (a test looks for them).
PALETTE = ("#1565C0", "#EF6C00", "#00897B", "#8E24AA", "#6D4C41", "#546E7A", "#C0CA33", "#D81B60")
FOUND, MISSING = "#2E7D32", "#C62828"
ERRORS, DRIFT = "#AD1457", "#F9A825"
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def _style(colors: tuple[str, ...]) -> Style:
    # Opaque fills, so a screenshot shows each series in exactly its colour.
    return Style(background="white", plot_background="white", colors=colors, opacity="1",
                 opacity_hover="1", font_family="DejaVu Sans, Noto Sans CJK SC, sans-serif",
                 label_font_size=11, major_label_font_size=11, legend_font_size=12, title_font_size=15)


def _chart(kind: type[pygal.graph.graph.Graph], title: str, colors: tuple[str, ...],
           labels: list[str], y_title: str) -> pygal.graph.graph.Graph:
    major = max(1, len(labels) // 15)
    return kind(title=title, style=_style(colors), width=900, height=330, explicit_size=True,
                disable_xml_declaration=True, js=[], x_labels=labels, x_label_rotation=45 if major > 1 else 0,
                x_labels_major_every=major, show_minor_x_labels=major == 1, y_title=y_title,
                legend_at_bottom=True, print_values=False, no_data_text="no data in this period",
                min_scale=1, truncate_legend=30)


def _svg(chart: pygal.graph.graph.Graph) -> str:
    """The chart's SVG without pygal's inline config ``<script>`` (tooltips only; nothing needs it)."""
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def _count_axis(chart: pygal.graph.graph.Graph, highest: float) -> None:
    """Whole-number ticks for a chart of counts (pygal would print 0.1, 0.2, …)."""
    top = max(1, int(highest))
    step = max(1, -(-top // 8))
    chart.y_labels = list(range(0, top + step, step))


def outlet_colors(outlets: list[str]) -> dict[str, str]:
    """A fixed colour per outlet (by sorted name)."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sorted(outlets))}


def _days_labels(days: list[date]) -> list[str]:
    return [d.isoformat() for d in days]


def articles_chart(data: ReportData) -> str:
    """New articles archived per day, stacked by outlet."""
    days = data.days()
    colors = outlet_colors(data.outlets())
    chart = _chart(pygal.StackedBar, "New articles per day (first archived, UTC+8)",
                   tuple(colors[o] for o in sorted(data.articles)), _days_labels(days), "articles")
    for outlet in sorted(data.articles):
        chart.add(outlet, [data.articles[outlet].get(d, 0) or None for d in days])
    _count_axis(chart, max((sum(c.get(d, 0) for c in data.articles.values()) for d in days), default=0))
    return _svg(chart)


def issues_chart(data: ReportData) -> str:
    """E-paper issues present and missing per issue date (all e-paper outlets together)."""
    dates = data.issue_dates()
    chart = _chart(pygal.StackedBar, "E-paper issues per date: present and missing", (FOUND, MISSING),
                   _days_labels(dates), "issues")
    found = [sum(1 for per in data.issues.values() if per.get(d) == "found") or None for d in dates]
    missing = [sum(1 for per in data.issues.values() if per.get(d) == "missing") or None for d in dates]
    chart.add("present", found)
    chart.add("missing", missing)
    _count_axis(chart, max(((f or 0) + (m or 0) for f, m in zip(found, missing, strict=True)), default=0))
    return _svg(chart)


def problems_chart(data: ReportData) -> str:
    """Errors and template-drift warnings per outlet over the period."""
    totals = per_outlet_totals(data.runs)
    chart = _chart(pygal.Bar, "Errors and template-drift warnings per outlet", (ERRORS, DRIFT),
                   list(totals), "count")
    chart.add("errors", [e or None for e, _ in totals.values()])
    chart.add("drift warnings", [d or None for _, d in totals.values()])
    _count_axis(chart, max((max(e, d) for e, d in totals.values()), default=0))
    return _svg(chart)


def archive_chart(data: ReportData) -> str:
    """WARC megabytes written per day, stacked by outlet."""
    days = data.days()
    colors = outlet_colors(data.outlets())
    chart = _chart(pygal.StackedBar, "Archive size: WARC MB written per day (UTC+8)",
                   tuple(colors[o] for o in sorted(data.warc_bytes)), _days_labels(days), "MB")
    for outlet in sorted(data.warc_bytes):
        chart.add(outlet, [round(data.warc_bytes[outlet].get(d, 0) / 1e6, 3) or None for d in days])
    return _svg(chart)
