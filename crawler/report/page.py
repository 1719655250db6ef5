"""The report as one self-contained HTML page: inline CSS and SVG, nothing fetched."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from crawler import __version__
from crawler.report.charts import archive_chart, articles_chart, issues_chart, problems_chart
from crawler.report.data import SHANGHAI, ReportData

_CSS = """
body { font-family: "DejaVu Sans", "Noto Sans CJK SC", sans-serif; margin: 24px; color: #212121;
       max-width: 960px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
.meta { color: #616161; font-size: 13px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.card b { display: block; font-size: 22px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border-bottom: 1px solid #e0e0e0; padding: 3px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.bad { color: #C62828; } .problems li { color: #C62828; font-size: 13px; }
figure { margin: 8px 0; }
"""


def _table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _cards(data: ReportData) -> str:
    articles = sum(sum(c.values()) for c in data.articles.values())
    issues = [v for per in data.issues.values() for v in per.values()]
    size = sum(sum(c.values()) for c in data.warc_bytes.values())
    cards = [("crawls", str(len(data.runs))), ("new articles", str(articles)),
             ("e-paper issues present", str(issues.count("found"))),
             ("e-paper issues missing", str(issues.count("missing"))),
             ("errors", str(sum(r.errors for r in data.runs))),
             ("drift warnings", str(sum(r.drift for r in data.runs))), ("WARC MB", f"{size / 1e6:.2f}")]
    return '<div class="cards">' + "".join(
        f'<div class="card" id="card-{escape(k.replace(" ", "-"))}"><b>{escape(v)}</b>{escape(k)}</div>'
        for k, v in cards) + "</div>"


def _missing_issues(data: ReportData) -> str:
    rows = [[spider, str(sum(1 for v in per.values() if v == "found")),
             str(sum(1 for v in per.values() if v == "missing")),
             ", ".join(d.isoformat() for d, v in sorted(per.items()) if v == "missing") or "-"]
            for spider, per in sorted(data.issues.items())]
    if not rows:
        return "<p class='meta'>No e-paper crawl reported issues in this period.</p>"
    return _table(["e-paper", "present", "missing", "missing dates"], rows)


def _runs(data: ReportData) -> str:
    rows = [[r.spider, r.started.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"), r.finish_reason,
             str(r.pages), str(r.articles), str(r.errors), str(r.drift)] for r in data.runs]
    return _table(["spider", "started (UTC+8)", "finish", "pages", "articles", "errors", "drift"], rows)


def render(data: ReportData, *, archive_dir: str, store: str) -> str:
    """The whole page."""
    period = f"since {data.since.isoformat()}" if data.since else "all recorded crawls"
    made = datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    problems = ""
    if data.problems or data.open_warcs:
        items = [*data.problems, *(f"{name}: still open (a crawl is running, or one died: mend it)"
                                   for name in data.open_warcs)]
        problems = ("<h2 class='bad'>Problems reading the archive</h2><ul class='problems'>"
                    + "".join(f"<li>{escape(p)}</li>" for p in items) + "</ul>")
    undated = ""
    if data.undated_articles:
        undated = "<p class='meta'>Articles without a first-seen time (not charted): " + escape(
            ", ".join(f"{k} {v}" for k, v in sorted(data.undated_articles.items()))) + "</p>"
    sections = [
        ("Articles", articles_chart(data) + undated),
        ("E-paper issues", issues_chart(data) + _missing_issues(data)),
        ("Errors and template drift", problems_chart(data)),
        ("Archive size", archive_chart(data)),
        ("Crawls", _runs(data)),
    ]
    body = "".join(f"<h2>{escape(title)}</h2><figure>{content}</figure>" for title, content in sections)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Crawl report: {escape(period)}</title><style>{_CSS}</style></head><body>"
        f"<h1>Crawl report</h1><p class='meta'>{escape(period)} · archive {escape(archive_dir)} · "
        f"store {escape(store)} · made {made} (UTC+8) by nmg-news-archiver {__version__}</p>"
        f"{problems}{_cards(data)}{body}</body></html>\n"
    )
