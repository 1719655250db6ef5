"""Pages per second of one distributed worker against two, on synthetic mock pages.

    .venv/bin/python bench/distributed.py                      # 400 articles, 0.2 s server latency
    .venv/bin/python bench/distributed.py --articles 800 --delay 0

Serves a synthetic column site (``http://bench.nmgnews.com.cn``: list pages of 20 articles
chained by ``a.next``, articles in the nmgnews 2025 template, about 2 KB of Chinese text
each) from the loopback mock outlets, with ``--delay`` seconds of latency per answer (a
remote server; 0 makes it a CPU race). Then crawls it with ``scrapy crawl nmgnews`` in
distributed mode, first with one worker, then with two, each run with its own Redis crawl,
archive directory and store (a fresh PostgreSQL schema when 127.0.0.1:5432 answers, else
SQLite). Politeness is off and each worker has the same concurrency, so two workers may send
twice the requests: that is the point of a second machine.

pages/s = pages fetched / time from the first page request to the last, as the mock saw
them (robots.txt aside), so process start-up does not count. The workers wait at a gate
until all have joined. Each row is the median of ``--repeat`` runs (the machine may be shared).
The "plain" row is one ordinary crawl without Redis: one worker against it is the cost of
distributed mode. Prints a table and the ratio two/one; a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from redis import Redis
from sqlalchemy import create_engine, text

from crawler.distributed.server import RedisServer
from crawler.mock import MockOutlets, Route

REPO = Path(__file__).resolve().parents[1]
HOST = "http://bench.nmgnews.com.cn"
COLUMNS = 4
PER_LIST = 20
PG_URI = os.environ.get("BENCH_PG_URI", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PARAGRAPH = ("自治区各级部门围绕优化营商环境推出一系列务实举措，牧民们说草原生态越来越好，日子也越过越红火。"
             "记者在现场看到，施工人员正在紧张有序地进行设备安装调试，项目预计明年年底建成投产。")
HTML = "text/html; charset=utf-8"


def show(line: str) -> None:
    """Print one line of the report (a benchmark's output is its point)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def article_url(n: int) -> str:
    return f"{HOST}/system/2026/{1 + n % 12:02d}/{1 + n % 28:02d}/{30_000_000 + n:09d}.shtml"


def article_page(n: int) -> bytes:
    body = "".join(f"<p>{PARAGRAPH}（{n}-{k}）</p>" for k in range(8))
    return (f"<html><head><meta charset='utf-8'><title>合成新闻第{n}号</title></head><body>"
            f"<h1 class='article-title'>合成新闻第{n}号：基层治理见成效</h1>"
            f"<div class='article-infos'><time class='date'>2026-01-{1 + n % 28:02d} 08:{n % 60:02d}</time>"
            f" 来源：内蒙古日报</div><div class='article-content'>{body}</div></body></html>").encode()


def list_url(column: int, page: int) -> str:
    return f"{HOST}/col{column}/" + ("index.shtml" if page == 0 else f"index_{page + 1}.shtml")


def build_site(mock: MockOutlets, articles: int, delay: float) -> list[str]:
    """Add the synthetic site's routes; return the column URLs (the crawl's start)."""
    per_column = [list(range(c, articles, COLUMNS)) for c in range(COLUMNS)]
    for column, numbers in enumerate(per_column):
        lists = [numbers[i:i + PER_LIST] for i in range(0, len(numbers), PER_LIST)]
        for page, chunk in enumerate(lists):
            links = "".join(f"<li><a href='{article_url(n)}'>合成新闻第{n}号</a></li>" for n in chunk)
            more = page + 1 < len(lists)
            nxt = f"<a class='next' href='{list_url(column, page + 1)}'>下一页</a>" if more else ""
            body = f"<html><body><ul>{links}</ul>{nxt}</body></html>".encode()
            mock.add_route(list_url(column, page), body=body, headers=[("Content-Type", HTML)], delay=delay)
    for n in range(articles):
        mock.add_route(article_url(n), body=article_page(n), headers=[("Content-Type", HTML)], delay=delay)
    mock.add_route(f"{HOST}/robots.txt", body=b"User-agent: *\nAllow: /\n",
                   headers=[("Content-Type", "text/plain")])
    return [list_url(c, 0) for c in range(COLUMNS)]


def gate(mock: MockOutlets, urls: list[str], release: threading.Event) -> None:
    """The start pages answer only once every worker has joined."""

    def held(route: Route) -> Callable[[int], Route]:
        def answer(_n: int) -> Route:
            release.wait(600)
            return route
        return answer

    for url in urls:
        mock.add_responder(url, held(mock.route_for(url)))


@contextmanager
def store_uri(tmp: Path) -> Iterator[str]:
    """A fresh PostgreSQL schema when the machine's server answers, else a SQLite file."""
    schema = f"bench_distributed_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_URI, connect_args={"connect_timeout": 3})
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception:
        yield f"sqlite:///{tmp / 'articles.sqlite'}"
        return
    try:
        yield f"{PG_URI}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def run(workers: int, mock: MockOutlets, redis_url: str, columns: list[str], concurrency: int,
        tmp: Path) -> tuple[int, float, float]:
    """Crawl the site with ``workers`` workers (0: one plain crawl, no Redis):
    (pages, seconds first-to-last page, wall seconds)."""
    crawl = f"bench-{workers}-{uuid.uuid4().hex[:6]}"
    release = threading.Event()
    gate(mock, columns, release)
    mock.clear_served()
    redis = Redis.from_url(redis_url)
    env = {**os.environ, "http_proxy": mock.proxy_url, "https_proxy": mock.proxy_url, "no_proxy": ""}
    started = time.monotonic()
    with store_uri(tmp) as uri:
        procs = []
        for n in range(max(workers, 1)):
            out = tmp / f"{crawl}-w{n}"
            shared = {"REDIS_URL": redis_url, "DISTRIBUTED_CRAWL": crawl, "DISTRIBUTED_WORKER": f"w{n}",
                      "DISTRIBUTED_HEARTBEAT": "0.2"} if workers else {}
            settings = {**shared, "ARCHIVE_DIR": str(out), "STORE_URI": uri,
                        "STATS_FILE": str(out / "stats.json"), "DOWNLOAD_DELAY": "0",
                        "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": str(concurrency),
                        "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency), "LOG_LEVEL": "WARNING",
                        "PROGRESS_INTERVAL": "0"}
            cmd = [sys.executable, "-m", "scrapy", "crawl", "nmgnews", "-a", f"columns={','.join(columns)}",
                   "-a", "max_list_pages=1000"]
            for key, value in settings.items():
                cmd += ["-s", f"{key}={value}"]
            procs.append(subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
        while workers and redis.scard(f"{crawl}:workers") < workers:
            if any(p.poll() is not None for p in procs):
                raise SystemExit(f"a worker exited before the crawl started; rerun by hand: {' '.join(cmd)}")
            time.sleep(0.05)
        release.set()
        codes = [p.wait() for p in procs]
    wall = time.monotonic() - started
    if codes != [0] * max(workers, 1):
        raise SystemExit(f"workers exited with {codes}")
    pages = [s.at for s in mock.served_log if not s.url.endswith("/robots.txt")]
    redis.close()
    return len(pages), max(pages) - min(pages), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds of server latency per answer")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent requests of each worker")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each row (the median is shown)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as name, \
            RedisServer(Path(name) / "redis") as redis_url, MockOutlets(outlets=[]) as mock:
        tmp = Path(name)
        columns = build_site(mock, args.articles, args.delay)
        show(f"{args.articles} articles, {args.delay} s latency, {args.concurrency} concurrent requests "
             f"per worker, {os.cpu_count()} CPUs")
        show(f"{'workers':>7}  {'pages':>6}  {'seconds':>8}  {'pages/s':>8}  {'wall s':>7}   (median of "
             f"{args.repeat}; pages/s of each run)")
        rates = {}
        for workers in (0, 1, 2):
            runs = sorted((run(workers, mock, redis_url, columns, args.concurrency, tmp)
                           for _ in range(args.repeat)), key=lambda r: r[0] / r[1])
            pages, span, wall = runs[len(runs) // 2]
            rates[workers] = pages / span
            label = str(workers) if workers else "plain"
            each = ", ".join(f"{p / s:.1f}" for p, s, _w in runs)
            show(f"{label:>7}  {pages:>6}  {span:>8.1f}  {rates[workers]:>8.1f}  {wall:>7.1f}   ({each})")
        show(f"one worker / plain crawl: {rates[1] / rates[0]:.2f}x (the cost of distributed mode)")
        show(f"two workers / one: {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
