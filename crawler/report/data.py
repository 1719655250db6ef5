"""What the crawl report shows, gathered from the store, the stats files and the WARC files.

Days are calendar days in Asia/Shanghai (UTC+8, no DST), the outlets' own time.

Stats keys read from ``{ARCHIVE_DIR}/stats/*.json`` (written by :mod:`crawler.stats_file`):
``start_time``, ``finish_reason``, ``response_received_count``, ``item_scraped_count``,
``errors/{spider}/{kind}`` and ``pages/truncated/{spider}`` (errors), ``drift/{spider}``
(template drift warnings), and for e-paper spiders ``epaper/issue/{YYYY-MM-DD}`` =
``"found"`` | ``"missing"`` (set with ``stats.set_value``), one key per issue date tried.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from crawler.store import Store, StoreError
from crawler.summary import crawl_errors

logger = logging.getLogger(__name__)

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
#: ``{prefix}-{17-digit UTC timestamp}-{serial}-{host}.warc.gz`` (crawler/warc/files.py).
WARC_NAME = re.compile(r"^(?P<prefix>.+)-(?P<ts>\d{17})-(?P<serial>\d{5})-(?P<host>[^/]+)\.warc\.gz$")
ISSUE_KEY = "epaper/issue/"


@dataclass(frozen=True)
class CrawlRun:
    """One crawl, from its stats file."""

    spider: str
    started: datetime
    finish_reason: str
    pages: int
    articles: int
    errors: int
    drift: int
    file: str


@dataclass
class ReportData:
    """Every series of the report; each mapping is keyed by outlet (spider) then day."""

    since: date | None
    articles: dict[str, Counter[date]] = field(default_factory=dict)
    undated_articles: Counter[str] = field(default_factory=Counter)
    issues: dict[str, dict[date, str]] = field(default_factory=dict)
    runs: list[CrawlRun] = field(default_factory=list)
    warc_bytes: dict[str, Counter[date]] = field(default_factory=dict)
    open_warcs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def days(self) -> list[date]:
        """Every day from the first to the last day with any data (the charts' x axis)."""
        seen: set[date] = set()
        for series in (*self.articles.values(), *self.warc_bytes.values()):
            seen.update(series)
        seen.update(run.started.astimezone(SHANGHAI).date() for run in self.runs)
        if not seen:
            return []
        first, last = min(seen), max(seen)
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def outlets(self) -> list[str]:
        """Every outlet (spider or WARC prefix) with any data, sorted."""
        names = {*self.articles, *self.warc_bytes, *self.issues, *(run.spider for run in self.runs)}
        return sorted(names)

    def issue_dates(self) -> list[date]:
        """Every issue date any e-paper spider reported, in order."""
        return sorted({d for per in self.issues.values() for d in per})


def _day(moment: datetime) -> date:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(SHANGHAI).date()


def _keep(day: date, since: date | None) -> bool:
    return since is None or day >= since


def read_articles(data: ReportData, store_uri: str) -> None:
    """New articles per outlet per day they were first archived (``first_seen``)."""
    try:
        with Store.open(store_uri) as store:
            for art in store.iter_articles():
                seen = art.get("first_seen")
                if not isinstance(seen, datetime):
                    data.undated_articles[art["outlet"]] += 1
                    continue
                day = _day(seen)
                if _keep(day, data.since):
                    data.articles.setdefault(art["outlet"], Counter())[day] += 1
    except StoreError as exc:
        data.problems.append(f"article store: {exc}")


def _issue_date(key: str) -> date | None:
    try:
        return date.fromisoformat(key[len(ISSUE_KEY):])
    except ValueError:
        return None


def read_stats(data: ReportData, stats_dir: Path) -> None:
    """Crawl runs, errors, drift and e-paper issues from every stats file."""
    for path in sorted(stats_dir.glob("*.json")):
        try:
            stats: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            started = datetime.fromisoformat(str(stats["start_time"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            data.problems.append(f"{path}: not a crawl stats file ({type(exc).__name__}: {exc})")
            continue
        spider = _spider_of(stats, path)
        if not _keep(_day(started), data.since):
            continue
        data.runs.append(CrawlRun(
            spider=spider, started=started, finish_reason=str(stats.get("finish_reason", "?")),
            pages=int(stats.get("response_received_count", 0)),
            articles=int(stats.get("item_scraped_count", 0)),
            errors=int(crawl_errors(stats)), drift=int(stats.get(f"drift/{spider}", 0)), file=path.name,
        ))
        for key, value in stats.items():
            if not key.startswith(ISSUE_KEY):
                continue
            when = _issue_date(key)
            if when is None or value not in ("found", "missing"):
                data.problems.append(
                    f"{path}: {key}={value!r} is not epaper/issue/YYYY-MM-DD = found|missing")
                continue
            if _keep(when, data.since):
                per = data.issues.setdefault(spider, {})
                per[when] = "found" if "found" in (value, per.get(when)) else "missing"
    data.runs.sort(key=lambda r: (r.started, r.spider))


def _spider_of(stats: dict[str, Any], path: Path) -> str:
    """The spider of a stats file: from its per-spider keys, else from the file name."""
    for key in stats:
        for prefix in ("articles/stored/", "drift/", "lists/pages/", "errors/"):
            if key.startswith(prefix):
                return key[len(prefix):].split("/")[0]
    return re.sub(r"-\d{8}T\d{6}Z(-\d+)?$", "", path.stem)


def read_warcs(data: ReportData, archive_dir: Path) -> None:
    """Bytes of WARC files per prefix (the spider, by default) and UTC+8 day of creation."""
    for path in sorted(archive_dir.glob("*.warc.gz*")):
        if path.name.endswith(".open"):
            data.open_warcs.append(path.name)
            continue
        match = WARC_NAME.match(path.name)
        if match is None:
            data.problems.append(f"{path}: WARC file name not of the form prefix-timestamp-serial-host")
            continue
        made = datetime.strptime(match["ts"][:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        day = _day(made)
        if _keep(day, data.since):
            data.warc_bytes.setdefault(match["prefix"], Counter())[day] += path.stat().st_size


def gather(archive_dir: Path, store_uri: str, since: date | None = None) -> ReportData:
    """Everything the report shows, from ``since`` (a UTC+8 day) on."""
    data = ReportData(since=since)
    read_articles(data, store_uri)
    stats_dir = archive_dir / "stats"
    if stats_dir.is_dir():
        read_stats(data, stats_dir)
    else:
        data.problems.append(
            f"{stats_dir}: no stats files (crawls write them there unless STATS_FILE is set)")
    if archive_dir.is_dir():
        read_warcs(data, archive_dir)
    return data


def per_outlet_totals(runs: list[CrawlRun]) -> dict[str, tuple[int, int]]:
    """Errors and drift warnings per outlet over the runs."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for run in runs:
        totals[run.spider][0] += run.errors
        totals[run.spider][1] += run.drift
    return {k: (v[0], v[1]) for k, v in sorted(totals.items())}
