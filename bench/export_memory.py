"""Peak memory (RSS) and time of `scrapy export` per format, for 100k synthetic articles.

    .venv/bin/python bench/export_memory.py                 # 100k and 10k articles
    .venv/bin/python bench/export_memory.py --articles 20000 --small 2000 --formats csv,atom

Builds a SQLite store of synthetic articles (~3 kB of Chinese text each, one image) in a
temporary directory (bulk inserts through the store's schema: upserting one by one would
take minutes), then runs the real command, `scrapy export`, once per format and size in a
subprocess, and reads each child's peak RSS from os.wait4. Streaming shows as the same
peak for 10x the articles. Prints a table; it is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from crawler.export import FORMATS
from crawler.store import Store
from crawler.store.schema import articles, images
from crawler.store.store import SHANGHAI

REPO = Path(__file__).resolve().parents[1]
PARAGRAPH = "内蒙古自治区各级基层党组织以创先争优活动为载体，把服务群众和自身建设结合起来。" * 8
CHUNK = 5_000


def show(line: str) -> None:
    """Print one line of the report (a benchmark's output is its point)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def build_store(path: Path, count: int) -> str:
    """A store at ``path`` with ``count`` synthetic articles; returns its URI."""
    uri = f"sqlite:///{path}"
    start = datetime(2020, 1, 1, tzinfo=UTC)
    with Store.open(uri) as store:
        for first in range(0, count, CHUNK):
            rows, pics = [], []
            for n in range(first, min(first + CHUNK, count)):
                moment = start + timedelta(minutes=n)
                url = f"http://inews.nmgnews.com.cn/system/2020/01/01/{n:09d}.shtml"
                rows.append({
                    "id": n + 1, "url": url, "outlet": "nmgnews", "title": f"第{n}篇 {PARAGRAPH[:20]}",
                    "section": "要闻", "published_at": moment.astimezone(SHANGHAI).isoformat(),
                    "published_utc": moment,
                    "source": "内蒙古日报", "is_reprint": n % 3 == 0, "authors": ["记者甲", "记者乙"],
                    "correspondents": [], "text": f"{PARAGRAPH}\n{PARAGRAPH}\n{PARAGRAPH}\n{n}",
                    "pages": [url], "layers": {"title": "selector", "text": "trafilatura"}, "flags": [],
                    "warc_file": "nmgnews-00000.warc.gz", "warc_offset": n * 40_000,
                    "warc_record_id": f"<urn:uuid:{n:032x}>", "first_seen": moment, "last_seen": moment,
                })
                pics.append({"article_id": n + 1, "position": 0, "url": f"http://pic1.nmgnews.com.cn/{n}.jpg",
                             "caption": "图为现场"})
            with store.engine.begin() as conn:
                conn.execute(insert(articles), rows)
                conn.execute(insert(images), pics)
    return uri


def measure(uri: str, fmt: str, out: Path, limit: int | None) -> tuple[float, float, int]:
    """Run one export; return (seconds, peak RSS in MiB, file size in bytes)."""
    cmd = [sys.executable, "-m", "scrapy", "export", "--format", fmt, "-o", str(out), "-q",
           "-s", f"STORE_URI={uri}"]
    if limit:
        cmd += ["--limit", str(limit)]
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - began
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"export {fmt} failed: {stderr}")
    return seconds, usage.ru_maxrss / 1024, out.stat().st_size  # ru_maxrss is KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000, help="the comparison size (0: none)")
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args()
    formats = args.formats.split(",")
    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        began = time.perf_counter()
        uri = build_store(Path(tmp) / "articles.sqlite", args.articles)
        show(f"store of {args.articles} articles built in {time.perf_counter() - began:.0f} s")
        base_seconds, base_rss, _ = measure(uri, "jsonl", Path(tmp) / "one.jsonl", 1)
        show(f"baseline (scrapy export of 1 article): {base_rss:.0f} MiB, {base_seconds:.1f} s")
        sizes = [n for n in (args.small, args.articles) if n]
        header = f"{'format':<9}" + "".join(
            f" | {f'{n} art. s':>12} {'file MiB':>9} {'peak MiB':>9}" for n in sizes
        )
        if len(sizes) == 2:
            header += f" | {'peak ratio':>10}"
        show(header)
        show("-" * len(header))
        for fmt in formats:
            line = f"{fmt:<9}"
            peaks = []
            for n in sizes:
                out = Path(tmp) / f"out-{n}{FORMATS[fmt].extension}"
                seconds, rss, size = measure(uri, fmt, out, n if n != args.articles else None)
                out.unlink()
                peaks.append(rss)
                line += f" | {seconds:>12.1f} {size / 2**20:>9.1f} {rss:>9.0f}"
            if len(peaks) == 2:
                line += f" | {peaks[1] / peaks[0]:>10.2f}"
            show(line)


if __name__ == "__main__":
    main()
