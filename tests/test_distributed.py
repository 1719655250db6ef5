"""Distributed crawling (crawler/distributed): several workers share one crawl through Redis.

Real servers: a private ``redis-server`` (Debian's package; ``make redis``) on a free loopback
port for this module, and the machine's PostgreSQL with a fresh schema per test
(``STORE_TEST_PG_URI``, default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Where
one cannot be used its tests are skipped with the reason; under ``CI=true`` they fail.

Workers are real ``scrapy crawl`` processes against the mock outlets. The mock answers a
gated URL only once the test lets it (a responder waiting on an event), so the order of
events that matters (three workers joined before any seed is answered; a worker killed
while it holds requests) is forced, never waited for with a clock.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from redis import Redis
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
from scrapy_redis import picklecompat
from sqlalchemy import create_engine, text
from warcio.archiveiterator import ArchiveIterator

from crawler.mock import MockOutlets, Route
from crawler.store import Store
from tests.conftest import FAST, REPO, proxy_env
from tests.test_outlets import crawl_spec, expected_articles

PG_URI = os.environ.get(
    "STORE_TEST_PG_URI",
    f"postgresql+psycopg://postgres@{os.environ.get('TEST_PG_HOST', '127.0.0.1')}:5432/test",
)
OUTLETS = ["nmgnews", "gmrb"]
#: Longest a step may take before the test gives up (a hung worker, not a slow machine).
PATIENCE = 180.0


def _unavailable(what: str, why: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true requires {what}: {why}", pytrace=False)
    pytest.skip(f"{what} unavailable: {why}")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from crawler.distributed.server import RedisServer, RedisUnavailable

    server = RedisServer(tmp_path_factory.mktemp("redis"))
    try:
        url = server.start()
    except RedisUnavailable as exc:
        _unavailable("Redis", str(exc))
    yield url
    server.stop()


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    client = Redis.from_url(redis_url)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def pg_uri() -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped afterwards: the URI puts it first on the search_path."""
    admin = create_engine(PG_URI, connect_args={"connect_timeout": 3})
    schema = f"test_distributed_{uuid.uuid4().hex[:12]}"
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        _unavailable("PostgreSQL", f"{PG_URI}: {' '.join(str(getattr(exc, 'orig', None) or exc).split())}")
    try:
        yield f"{PG_URI}{'&' if '?' in PG_URI else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


# -- workers -------------------------------------------------------------------------------


@dataclass
class Worker:
    """One ``scrapy crawl`` worker process."""

    name: str
    out: Path
    proc: subprocess.Popen[bytes]

    def wait(self) -> int:
        return self.proc.wait(timeout=PATIENCE)

    @property
    def log(self) -> str:
        return (self.out / f"log-{self.name}.txt").read_text(errors="replace")

    @property
    def stats(self) -> dict:
        path = self.out / f"stats-{self.name}.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def pages(self) -> int:
        """Pages this worker downloaded, robots.txt aside."""
        return self.stats.get("downloader/response_count", 0) - self.stats.get("robotstxt/response_count", 0)


def start_worker(outlet: str, name: str, out: Path, mock: MockOutlets, redis_url: str, store_uri: str,
                 crawl: str, **settings: str) -> Worker:
    spider, args = crawl_spec(outlet)
    out.mkdir(parents=True, exist_ok=True)
    opts = {**FAST, "ARCHIVE_DIR": str(out), "STATS_FILE": str(out / f"stats-{name}.json"),
            "STORE_URI": store_uri, "REDIS_URL": redis_url, "DISTRIBUTED_CRAWL": crawl,
            "DISTRIBUTED_WORKER": name, "DISTRIBUTED_HEARTBEAT": "0.2", **settings}
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, *args]
    for key, value in opts.items():
        cmd += ["-s", f"{key}={value}"]
    with (out / f"log-{name}.txt").open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, env=proxy_env(mock.proxy_url), stdout=log, stderr=log)
    return Worker(name, out, proc)


def wait_for(condition: Callable[[], bool], what: str, workers: list[Worker]) -> None:
    """Poll ``condition`` until true; fail naming ``what`` if a worker exits first or it never is."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        for worker in workers:
            if worker.proc.poll() is not None:
                pytest.fail(f"{worker.name} exited ({worker.proc.returncode}) before {what}:\n"
                            f"{worker.log[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} after {PATIENCE} s")
        time.sleep(0.05)


def gate(mock: MockOutlets, urls: list[str], arrived: list[str], release: threading.Event) -> None:
    """Hold the answers for ``urls`` until ``release`` is set; note each arrival in ``arrived``."""

    def held(url: str, route: Route) -> Callable[[int], Route]:
        def answer(_n: int) -> Route:
            arrived.append(url)
            release.wait(PATIENCE)
            return route
        return answer

    for url in urls:
        mock.add_responder(url, held(url, mock.route_for(url)))


def seed_urls(outlet: str) -> list[str]:
    """The requests a crawl of ``outlet`` starts from (columns; the e-paper's issue entry pages)."""
    spider_cls = SpiderLoader.from_settings(get_project_settings()).load(crawl_spec(outlet)[0])
    if outlet == "nmgnews":
        from spiders.nmgnews import DEFAULT_COLUMNS
        return list(DEFAULT_COLUMNS)
    days = crawl_spec(outlet)[1][1].split("=", 1)[1].split(",")
    return [spider_cls.edition_for(date.fromisoformat(d)).first_page_url(date.fromisoformat(d)) for d in days]


# -- what the crawl left -------------------------------------------------------------------


def captures(paths: list[Path]) -> dict[Path, list[tuple[str, str, str]]]:
    """(target URI, record type, WARC-Filename of the file's warcinfo) of each capture, per file.

    A capture is a response record, or a revisit record (a page fetched again unchanged,
    e.g. robots.txt by each worker: crawler/warc/revisit.py).
    """
    found: dict[Path, list[tuple[str, str, str]]] = {}
    for path in paths:
        name, rows = "", []
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "warcinfo":
                    name = rec.rec_headers.get_header("WARC-Filename")
                elif rec.rec_type in ("response", "revisit"):
                    rows.append((rec.rec_headers.get_header("WARC-Target-URI"), rec.rec_type, name))
        found[path] = rows
    return found


def warcio_check(path: Path) -> None:
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def check_store(store_uri: str, outlet: str, warcs: dict[str, Path]) -> None:
    """Every expected article stored once, every field as expected, pointing at its record."""
    expected = expected_articles(outlet)
    with Store.open(store_uri) as store:
        stored = list(store.iter_articles())
    by_url = Counter(a["url"] for a in stored)
    assert sorted(by_url) == sorted(e["url"] for e in expected)
    assert set(by_url.values()) == {1}
    rows = {a["url"]: a for a in stored}
    for exp in expected:
        got = rows[exp["url"]]
        for key, value in exp.items():
            if not key.startswith("_"):
                assert got[key] == value, f"{exp['url']} field {key!r}"
        with warcs[got["warc_file"]].open("rb") as fh:
            fh.seek(got["warc_offset"])
            rec = next(iter(ArchiveIterator(fh)))
        assert rec.rec_headers.get_header("WARC-Record-ID") == got["warc_record_id"]
        assert rec.rec_headers.get_header("WARC-Target-URI") == got["url"]


def is_robots(url: str) -> bool:
    return url.endswith("/robots.txt")


# -- three workers, one crawl --------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("outlet", "then_late_worker"), [("nmgnews", True), ("gmrb", False)])
def test_workers_share_a_crawl_each_page_fetched_archived_stored_once(
        outlet: str, then_late_worker: bool, redis: Redis, redis_url: str, pg_uri: str, tmp_path: Path
) -> None:
    out = tmp_path / "archive"  # one directory for all: file names must not collide
    crawl = f"share-{outlet}"
    arrived: list[str] = []
    release = threading.Event()
    with MockOutlets(outlets=[outlet]) as mock:
        # No seed is answered before the three workers joined and every seed was requested;
        # a worker sends two requests at a time, so the three seeds went to two workers at least.
        seeds = seed_urls(outlet)
        gate(mock, seeds, arrived, release)
        workers = [start_worker(outlet, f"w{n}", out, mock, redis_url, pg_uri, crawl, CONCURRENT_REQUESTS="2")
                   for n in range(3)]
        wait_for(lambda: redis.scard(f"{crawl}:workers") == 3 and sorted(arrived) == sorted(seeds),
                 "three workers joined and every seed requested", workers)
        release.set()
        for worker in workers:
            assert worker.wait() == 0, worker.log[-3000:]
            assert worker.stats["finish_reason"] == "finished"
        served = [url for _m, url, _s in mock.served]
        if then_late_worker:  # a worker started after the end finds the crawl finished: does nothing
            late = start_worker(outlet, "late", out, mock, redis_url, pg_uri, crawl)
            assert late.wait() == 0, late.log[-3000:]
            assert "finished at" in late.log
            assert late.pages() == 0 and [url for _m, url, _s in mock.served] == served

    assert sum(1 for w in workers if w.pages() > 0) >= 2, [w.pages() for w in workers]
    assert sum(w.pages() for w in workers) == sum(1 for u in served if not is_robots(u))
    fetched = Counter(served)
    assert {u: n for u, n in fetched.items() if n > 1 and not is_robots(u)} == {}
    assert all(n <= 3 for u, n in fetched.items() if is_robots(u))  # one per worker and host at most

    paths = sorted(out.glob("*.warc.gz"))
    assert not list(out.glob("*.open"))
    written = [line.split("WARC files written: ", 1)[1].split(", ") for w in workers
               for line in w.log.splitlines() if "WARC files written: " in line]
    assert sorted(p for files in written for p in files if p != "none") == [str(p) for p in paths]
    records = captures(paths)
    for path, rows in records.items():
        warcio_check(path)
        assert {name for _u, _t, name in rows} <= {path.name}  # its own warcinfo: never overwritten
    archived = Counter(url for rows in records.values() for url, _t, _n in rows)
    assert archived == fetched  # every fetch archived once, nothing archived that was not fetched
    assert {url for rows in records.values() for url, kind, _n in rows if kind == "revisit"} <= {
        url for url in fetched if is_robots(url)}
    check_store(pg_uri, outlet, {p.name: p for p in paths})
    assert redis.get(f"{crawl}:finished") is not None
    assert 0 < redis.ttl(f"{crawl}:dupefilter") <= 3600


# -- a worker killed mid-crawl -------------------------------------------------------------


def leased_urls(redis: Redis, crawl: str, worker: str) -> list[str]:
    """URLs of the requests leased to ``worker`` (scrapy-redis's pickled request dicts)."""
    fields = redis.hgetall(f"{crawl}:leases:{worker}")
    return sorted(picklecompat.loads(data)["url"] for key, data in fields.items() if b"#" not in key)


@pytest.mark.slow
@pytest.mark.parametrize("outlet", OUTLETS)
def test_killed_worker_loses_nothing(outlet: str, redis: Redis, redis_url: str, pg_uri: str,
                                     tmp_path: Path) -> None:
    crawl = f"kill-{outlet}"
    spider_cls = SpiderLoader.from_settings(get_project_settings()).load(crawl_spec(outlet)[0])
    arrived: list[str] = []
    release = threading.Event()
    quick = {"DISTRIBUTED_HEARTBEAT": "0.5", "DISTRIBUTED_WORKER_TIMEOUT": "5"}
    with MockOutlets(outlets=[outlet]) as mock:
        # Article pages (e-paper stories) hang until released: the victim dies holding some.
        gate(mock, [r.url for r in mock.routes if spider_cls.handles(r.url)], arrived, release)
        victim = start_worker(outlet, "victim", tmp_path / "victim", mock, redis_url, pg_uri, crawl, **quick)
        wait_for(lambda: bool(arrived) and redis.hlen(f"{crawl}:leases:victim") > 0,
                 "the victim waiting for an article", [victim])
        survivors = [start_worker(outlet, f"s{n}", tmp_path / f"s{n}", mock, redis_url, pg_uri, crawl,
                                  **quick) for n in (1, 2)]
        wait_for(lambda: redis.scard(f"{crawl}:workers") == 3, "the survivors joined", [victim, *survivors])
        victim.proc.send_signal(signal.SIGKILL)
        assert victim.wait() == -signal.SIGKILL
        held = leased_urls(redis, crawl, "victim")  # frozen until the survivors re-queue them
        release.set()
        for worker in survivors:
            assert worker.wait() == 0, worker.log[-3000:]
            assert worker.stats["finish_reason"] == "finished"
        served = [url for _m, url, _s in mock.served]

    assert held, "the victim held no lease when killed"
    assert sum(w.stats.get("distributed/requeued", 0) for w in survivors) == len(held)
    assert any("victim stopped heart-beating" in w.log for w in survivors)
    # The victim's WARC writer process saw its crawl go and closed the file after its last
    # record (crawler/warc/writer.py): nothing is left .open, nothing for `scrapy mend`.
    assert not list((tmp_path / "victim").glob("*.open"))
    paths = sorted(tmp_path.glob("*/*.warc.gz"))
    records = captures(paths)
    for path in paths:
        warcio_check(path)
    victim_archived = {u for p, rows in records.items() if p.parent.name == "victim" for u, _t, _n in rows}
    assert victim_archived, "the victim archived nothing before it died"
    survivor_archived = Counter(u for p, rows in records.items() if p.parent.name != "victim"
                                for u, _t, _n in rows)
    assert all(survivor_archived[url] >= 1 for url in held)  # picked up by the others
    archived = {u for rows in records.values() for u, _t, _n in rows}
    assert set(served) <= archived  # every page fetched is in some WARC
    twice = {u for u, n in Counter(served).items() if n > 1 and not is_robots(u)}
    assert twice <= set(held) | victim_archived | set(arrived)
    check_store(pg_uri, outlet, {p.name: p for p in paths})


@pytest.mark.slow
def test_a_stopped_worker_hands_back_its_work_and_a_new_one_resumes(redis: Redis, redis_url: str,
                                                                     pg_uri: str, tmp_path: Path) -> None:
    outlet, crawl = "gmrb", "stop-gmrb"
    spider_cls = SpiderLoader.from_settings(get_project_settings()).load(crawl_spec(outlet)[0])
    arrived: list[str] = []
    release = threading.Event()
    with MockOutlets(outlets=[outlet]) as mock:
        gate(mock, [r.url for r in mock.routes if spider_cls.handles(r.url)], arrived, release)
        first = start_worker(outlet, "first", tmp_path / "first", mock, redis_url, pg_uri, crawl,
                             CONCURRENT_REQUESTS="2")
        wait_for(lambda: bool(arrived), "a story requested", [first])
        first.proc.send_signal(signal.SIGTERM)  # graceful: what is in flight finishes
        wait_for(lambda: "Received SIGTERM" in first.log, "the stop noticed", [first])
        release.set()
        assert first.wait() == 0, first.log[-3000:]
        assert first.stats["finish_reason"] == "shutdown"
        handed_back = first.stats["distributed/released"]
        queued = sorted(picklecompat.loads(d)["url"] for d in redis.zrange(f"{crawl}:requests", 0, -1))
        assert redis.smembers(f"{crawl}:workers") == set() and not redis.exists(f"{crawl}:leases:first")
        assert not list((tmp_path / "first").glob("*.open"))
        second = start_worker(outlet, "second", tmp_path / "second", mock, redis_url, pg_uri, crawl)
        assert second.wait() == 0, second.log[-3000:]
        assert second.stats["finish_reason"] == "finished"

    assert handed_back >= 1  # an issue whose stories were still waiting on this worker
    assert first.stats["epaper/issues/handed_back/gmrb"] == handed_back  # one lease per issue
    assert len(queued) >= handed_back
    assert second.stats["distributed/leased"] >= len(queued)
    paths = sorted(tmp_path.glob("*/*.warc.gz"))
    check_store(pg_uri, outlet, {p.name: p for p in paths})


# -- the parts, without a crawl ------------------------------------------------------------


def test_without_redis_url_the_addon_changes_nothing() -> None:
    from crawler.distributed import is_distributed
    from crawler.distributed.addon import Distributed

    settings = get_project_settings()
    before = {name: settings.get(name) for name in ("SCHEDULER", "DUPEFILTER_CLASS")}
    middlewares = dict(settings.getdict("SPIDER_MIDDLEWARES"))
    Distributed().update_settings(settings)
    assert not is_distributed(settings)
    assert {name: settings.get(name) for name in before} == before
    assert dict(settings.getdict("SPIDER_MIDDLEWARES")) == middlewares


def test_redis_url_alone_switches_to_distributed_mode() -> None:
    from crawler.distributed.addon import Distributed
    from crawler.distributed.middleware import DistributedSpiderMiddleware

    settings = get_project_settings()
    settings.set("REDIS_URL", "redis://127.0.0.1:6379/0", priority="cmdline")
    Distributed().update_settings(settings)
    assert settings["SCHEDULER"] == "crawler.distributed.scheduler.LeasedScheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings.getdict("SPIDER_MIDDLEWARES")[DistributedSpiderMiddleware] == 30


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL='localhost:6379' is not a Redis URL"),
        ({"DISTRIBUTED_CRAWL": "my crawl"}, "DISTRIBUTED_CRAWL='my crawl' must be"),
        ({"DISTRIBUTED_WORKER": "a/b"}, "DISTRIBUTED_WORKER='a/b' must be"),
        ({"DISTRIBUTED_HEARTBEAT": "soon"}, "DISTRIBUTED_HEARTBEAT='soon' is not a number"),
        ({"DISTRIBUTED_WORKER_TIMEOUT": "2"}, "DISTRIBUTED_WORKER_TIMEOUT=2.0 must be at least 3 x"),
    ],
)
def test_bad_settings_are_named(given: dict[str, str], message: str) -> None:
    from crawler.config import ConfigError
    from crawler.distributed.config import DistributedConfig

    settings = get_project_settings()
    settings.setdict({"REDIS_URL": "redis://127.0.0.1:6379/0", **given}, priority="cmdline")
    with pytest.raises(ConfigError) as info:
        DistributedConfig.from_settings(settings, "nmgnews")
    assert message in str(info.value)


def test_jobdir_is_refused_and_passwords_are_masked() -> None:
    from crawler.distributed.addon import Distributed, DistributedUnavailable
    from crawler.distributed.config import masked

    settings = get_project_settings()
    settings.setdict({"REDIS_URL": "redis://127.0.0.1:6379/0", "JOBDIR": "jobs/x"}, priority="cmdline")
    with pytest.raises(DistributedUnavailable, match="REDIS_URL and JOBDIR='jobs/x' are both set"):
        Distributed().update_settings(settings)
    assert masked("redis://:s3cret@db:6379/0") == "redis://:***@db:6379/0"
    assert masked("redis://me:s3cret@db/0") == "redis://me:***@db/0"


def coordinator(redis: Redis, worker: str, crawl: str = "unit", **kw: float):
    from crawler.distributed.coordinator import Coordinator

    return Coordinator(redis, crawl, worker, worker_timeout=kw.get("timeout", 60.0),
                       keep=kw.get("keep", 600.0))


def test_a_dead_workers_leases_go_back_with_their_priority(redis: Redis) -> None:
    a, b = coordinator(redis, "a"), coordinator(redis, "b")
    assert a.join() is None and b.join() is None
    assert a.push(b"first", -5.0) and a.push(b"second", 0.0)
    lease, data = a.pop()
    assert data == b"first" and redis.zrange(a.queue, 0, -1) == [b"second"]
    assert b.reap() == {}  # a is alive
    redis.delete(a.alive)  # a stops heart-beating
    assert b.reap() == {"a": 1}
    assert redis.zrange(a.queue, 0, -1, withscores=True) == [(b"first", -5.0), (b"second", 0.0)]
    assert redis.smembers(a.workers) == {b"b"} and not redis.exists(a.leases)
    a.ack(lease)  # a late ack of a re-queued lease changes nothing
    assert redis.zcard(a.queue) == 2
    assert not a.beat()  # a comes back: told it was taken for dead, registered again
    assert redis.smembers(a.workers) == {b"a", b"b"}


def test_seen_and_seeds_are_checked_in_the_same_step_as_the_push(redis: Redis) -> None:
    a = coordinator(redis, "a")
    assert a.push(b"r1", 0, seen=a.dupefilter, fingerprint="fp1")
    assert not a.push(b"r1-again", 0, seen=a.dupefilter, fingerprint="fp1")
    assert a.push(b"seed", 0, seen=a.seeds, fingerprint="fp1")  # seeds are their own set
    assert not a.push(b"seed", 0, seen=a.seeds, fingerprint="fp1")
    assert redis.zrange(a.queue, 0, -1) == [b"r1", b"seed"]


def test_the_crawl_ends_when_nothing_is_queued_leased_or_being_seeded(redis: Redis) -> None:
    a, b = coordinator(redis, "a", keep=600), coordinator(redis, "b")
    a.join()
    b.join()
    a.seeded()
    assert not a.finish()  # b is still walking its start requests
    b.seeded()
    a.push(b"r", 0)
    assert not a.finish()  # queued
    lease, _data = b.pop()
    assert not a.finish()  # leased to b
    b.ack(lease)
    assert a.finish()
    assert a.status().finished is not None
    assert 590_000 < redis.pttl(a.seq) <= 600_000 and redis.pttl(a.finished) > 600_000
    late = coordinator(redis, "late")
    assert late.join() == a.status().finished  # a finished crawl is not joined
    assert not redis.sismember(a.workers, "late")


def test_leaving_puts_unfinished_requests_back(redis: Redis) -> None:
    a = coordinator(redis, "a")
    a.join()
    a.push(b"r", 3.0)
    a.pop()
    assert a.leave() == 1
    assert redis.zrange(a.queue, 0, -1, withscores=True) == [(b"r", 3.0)]
    assert not redis.exists(a.alive) and not redis.sismember(a.workers, "a")


class _Stats:
    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1, start: int = 0, spider: object = None) -> None:
        self.values[key] += count


def unit_scheduler(redis_url: str, worker: str = "u"):
    """A LeasedScheduler on a stand-in crawler whose engine's in-progress set the test controls."""
    from types import SimpleNamespace

    import scrapy

    from crawler.distributed.addon import Distributed
    from crawler.distributed.scheduler import LeasedScheduler

    class Scheduler(LeasedScheduler):
        def _start_heartbeat(self) -> None:  # the test calls _reconcile itself; no reactor here
            pass

    settings = get_project_settings()
    settings.setdict({"REDIS_URL": redis_url, "DISTRIBUTED_CRAWL": "unit", "DISTRIBUTED_WORKER": worker},
                     priority="cmdline")
    Distributed().update_settings(settings)
    slot = SimpleNamespace(inprogress=set(), closing=None, nextcall=SimpleNamespace(schedule=lambda: None))
    spider = scrapy.Spider(name="unit")
    crawler = SimpleNamespace(settings=settings, stats=_Stats(), engine=SimpleNamespace(_slot=slot),
                              signals=SimpleNamespace(connect=lambda *_a, **_k: None), spider=spider)
    scheduler = Scheduler.from_crawler(crawler)
    scheduler.open(spider)
    return scheduler, slot.inprogress, crawler.stats.values


def test_a_lease_is_acked_once_its_request_and_its_local_requests_are_done(redis: Redis, redis_url: str
                                                                          ) -> None:
    from scrapy import Request

    from crawler.distributed import META_LEASE, META_LOCAL

    scheduler, busy, stats = unit_scheduler(redis_url)
    assert scheduler.enqueue_request(Request("https://a.example/issue"))
    assert not scheduler.enqueue_request(Request("https://a.example/issue"))  # seen
    front = scheduler.next_request()
    busy.add(front)
    lease = front.meta[META_LEASE]
    leases = f"unit:leases:{scheduler.config.worker}"
    assert sorted(redis.hkeys(leases)) == [lease.encode(), f"{lease}#score".encode()]
    for page in ("p1", "p1", "p2"):  # the issue's own requests stay here, filtered here
        meta = {META_LOCAL: True, META_LEASE: lease}
        scheduler.enqueue_request(Request(f"https://a.example/{page}", meta=meta))
    assert stats["scheduler/enqueued/local"] == 2 and stats["dupefilter/filtered"] == 2
    busy.discard(front)
    scheduler._reconcile()
    assert redis.hlen(leases) == 2  # its local requests are still to do
    pages = [scheduler.next_request(), scheduler.next_request()]
    assert [p.url for p in pages] == ["https://a.example/p1", "https://a.example/p2"]
    busy.update(pages)
    busy.discard(pages[0])
    scheduler._reconcile()
    assert redis.hlen(leases) == 2
    busy.discard(pages[1])
    scheduler._reconcile()
    assert redis.hlen(leases) == 0 and stats["distributed/acked"] == 1
    other = coordinator(redis, "other")
    other.join()  # another worker, still walking its start requests
    assert scheduler.has_pending_requests()
    other.seeded()
    assert not scheduler.has_pending_requests()  # nothing anywhere: the crawl is over
    scheduler.close("finished")


def test_an_unreadable_request_is_kept_aside_not_lost(redis: Redis, redis_url: str,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    from scrapy import Request

    scheduler, busy, stats = unit_scheduler(redis_url)
    scheduler.coordinator.push(b"not a pickled request", -1.0)
    scheduler.enqueue_request(Request("https://a.example/ok"))
    request = scheduler.next_request()
    assert request.url == "https://a.example/ok"
    busy.add(request)  # still being worked on when the worker shuts down
    [(lease, kept)] = redis.hgetall("unit:failed").items()
    assert kept.endswith(b"\nnot a pickled request") and stats["distributed/undecodable"] == 1
    assert f"lease {lease.decode()} holds a request this worker cannot read" in caplog.text
    scheduler.close("shutdown")
    [back] = redis.zrange("unit:requests", 0, -1)  # the unfinished request went back
    assert picklecompat.loads(back)["url"] == "https://a.example/ok"


def test_an_unreachable_redis_is_a_clear_error_before_anything_opens() -> None:
    """The scheduler is built before the WARC writer and the store open: nothing is written."""
    from types import SimpleNamespace

    import scrapy

    from crawler.distributed.addon import Distributed
    from crawler.distributed.scheduler import LeasedScheduler

    settings = get_project_settings()
    settings.set("REDIS_URL", "redis://:pw@127.0.0.1:1/0", priority="cmdline")
    Distributed().update_settings(settings)
    crawler = SimpleNamespace(settings=settings, spider=scrapy.Spider(name="unit"))
    with pytest.raises(RuntimeError, match=r"REDIS_URL=redis://:\*\*\*@127.0.0.1:1/0: cannot use Redis"):
        LeasedScheduler.from_crawler(crawler)
