"""A readable summary of a crawl: what was fetched, archived, extracted and where it went."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from crawler.config import Config
from crawler.store import Store, StoreError


def check_warc(path: Path) -> tuple[int, list[str]]:
    """Records in a WARC file and the problems `warcio check` would report."""
    problems: list[str] = []
    count = 0
    try:
        with path.open("rb") as fh:
            it = ArchiveIterator(fh, check_digests=True)
            for record in it:
                # raw_stream: the payload as archived (the digests cover it). content_stream()
                # would undo a Content-Encoding: a decompression bomb, or a warcio crash on br.
                while record.raw_stream.read(1 << 20):
                    pass
                count += 1
                if record.digest_checker.passed is False:
                    problems.append(f"{path.name} @{it.get_record_offset()}: "
                                    + "; ".join(map(str, record.digest_checker.problems)))
    except ArchiveLoadFailed as exc:
        problems.append(f"{path.name}: {exc}")
    return count, problems


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summarise(config: Config, stats: dict[str, dict[str, Any]], archive_dir: Path) -> str:
    """Per-spider counters, the WARC files with their validity, and the store's contents."""
    rows = [["spider", "responses", "WARC records", "WARC MB", "articles", "errors", "drift"]]
    for name, st in sorted(stats.items()):
        errors = sum(v for k, v in st.items() if k.startswith(("errors/", "pages/truncated")))
        rows.append([
            name, str(st.get("downloader/response_count", 0)), str(st.get("warc/records", 0)),
            f"{st.get('warc/bytes', 0) / 1e6:.2f}", str(st.get(f"articles/stored/{name}", 0)),
            str(errors), str(st.get(f"drift/{name}", 0)),
        ])
    out = ["", "Crawl summary", "=============", _table(rows), ""]
    files = sorted(archive_dir.glob("*.warc.gz"))
    total, problems = 0, []
    for path in files:
        count, bad = check_warc(path)
        total += count
        problems.extend(bad)
    out.append(f"WARC files in {archive_dir.resolve()}: {len(files)} files, {total} records, "
               + ("all digests valid" if not problems else f"{len(problems)} problems"))
    out.extend(f"  {p.name}  {p.stat().st_size / 1e6:.2f} MB" for p in files)
    out.extend(f"  ! {p}" for p in problems[:20])
    try:
        with Store.open(config.store_uri) as store:
            out.append(f"Article store {config.store_uri}: {store.count_articles()} articles")
            by_outlet: dict[str, list[dict[str, Any]]] = {}
            for art in store.iter_articles():  # grouped by outlet: `site` stores per domain
                by_outlet.setdefault(art["outlet"], []).append(art)
            for outlet, arts in sorted(by_outlet.items()):
                out.append(f"  {outlet}: {len(arts)} articles")
                for art in arts[:3]:
                    out.append(f"    {art['published_at'] or '?':25} {art['title'][:40]}")
    except StoreError as exc:
        out.append(f"Article store: {exc}")
    return "\n".join(out)


def crawl_errors(stats: dict[str, Any]) -> int:
    """Failed requests and truncated pages of one crawl (what :func:`summarise` counts)."""
    return sum(v for k, v in stats.items()
               if k.startswith(("errors/", "pages/truncated")) and isinstance(v, int | float))


def crawl_table(stats: dict[str, dict[str, Any]]) -> str:
    """End-of-crawl table, one row per spider (used by :mod:`crawler.progress`)."""
    rows = [["spider", "pages", "articles", "errors", "drift", "retries", "WARC MB", "time", "pages/min",
             "finish"]]
    for name, st in sorted(stats.items()):
        start, finish = st.get("start_time"), st.get("finish_time")
        seconds = (finish - start).total_seconds() if start is not None and finish is not None else 0.0
        pages = int(st.get("response_received_count", 0))
        rows.append([
            name, str(pages), str(st.get("item_scraped_count", 0)), str(crawl_errors(st)),
            str(st.get(f"drift/{name}", 0)), str(st.get("retry/count", 0)),
            f"{st.get('warc/bytes', 0) / 1e6:.2f}", f"{seconds:.1f}s",
            f"{pages * 60 / seconds:.1f}" if seconds > 0 else "-", str(st.get("finish_reason", "")),
        ])
    return _table(rows)
