"""scrapy-redis's scheduler with leases, atomic de-duplication and a worker-local lane.

Enabled by the add-on (:mod:`crawler.distributed.addon`) when ``REDIS_URL`` is set. It keeps
scrapy-redis's connection settings, request serialisation, priority-queue format and
duplicate-filter fingerprints and keys, and changes what scrapy-redis 0.9 leaves unsafe
when several workers share a crawl (see :mod:`crawler.distributed.coordinator`):

* a request taken off the queue is leased, not forgotten, and acked only when the engine
  is completely done with it (:func:`crawler.distributed.engine.in_progress`); a dead
  worker's leases go back on the queue, so killing a worker loses nothing;
* "seen? then queue" is one atomic step, and start requests are pushed once per crawl
  however many workers walk ``start()``;
* the queue is never flushed on close (scrapy-redis does unless ``SCHEDULER_PERSIST``): other
  workers are still using it. A crawl ends when no worker has anything queued or leased;
  until then an idle worker waits for work instead of closing.

Requests with ``meta[META_LOCAL]`` stay on this worker (an e-paper issue is assembled in
the memory of the worker that took its entry page): they are held in process, filtered by
a process-local fingerprint set, and counted against the lease of the request they came
from, which is acked only when all of them are done too. If the worker dies, that request
is re-queued and its whole local work is redone elsewhere.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import pickle
from collections import Counter
from typing import TYPE_CHECKING, Self

from redis.exceptions import RedisError
from scrapy import Request, signals
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.distributed import META_LEASE, META_LOCAL, META_SEED
from crawler.distributed.config import DistributedConfig, masked
from crawler.distributed.coordinator import Coordinator
from crawler.distributed.engine import in_progress, wake
from crawler.distributed.queue import LeasedQueue

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class LeasedScheduler(Scheduler):
    """Shared queue and duplicate filter in Redis; leases so no worker's death loses a request."""

    crawler: Crawler
    coordinator: Coordinator
    queue: LeasedQueue
    config: DistributedConfig

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = DistributedConfig.from_settings(crawler.settings, crawler.spider.name)  # before connecting
        try:
            instance = cls.from_settings(crawler.settings)  # scrapy-redis: connects and pings
        except RedisError as exc:
            url = masked(str(crawler.settings.get("REDIS_URL")))
            raise RuntimeError(f"REDIS_URL={url}: cannot use Redis ({exc})") from exc
        instance.crawler = crawler
        instance.stats = crawler.stats
        instance.config = config
        instance._engine_started = False
        instance._finished_before = False
        instance._loop: task.LoopingCall | None = None
        crawler.signals.connect(instance._on_engine_started, signal=signals.engine_started)
        return instance

    def _on_engine_started(self) -> None:
        # Before this, waking the engine could download before spider_opened has run (and
        # before the WARC writer is ready to archive).
        self._engine_started = True

    # -- lifecycle -------------------------------------------------------------------------
    def open(self, spider: Spider) -> None:
        self.spider = spider
        settings = self.crawler.settings
        self.coordinator = Coordinator(self.server, self.config.crawl, self.config.worker,
                                       worker_timeout=self.config.worker_timeout, keep=self.config.keep)
        self.df = RFPDupeFilter(self.server, key=self.coordinator.dupefilter,
                                debug=settings.getbool("DUPEFILTER_DEBUG"))
        self.queue = LeasedQueue(self.server, spider, self.coordinator, self.serializer)
        self._local: list[tuple[int, int, Request]] = []
        self._order = itertools.count()
        self._local_seen: set[str] = set()
        self._out: dict[int, tuple[Request, str | None]] = {}
        self._refs: Counter[str] = Counter()
        self._unleased_warned = False
        self._broken = False
        self.finished = False
        self.seeding = True
        before = self.coordinator.join()
        if before is not None:
            self.finished = self.seeding = False
            logger.warning(
                "Distributed crawl %r finished at %s: nothing to do. Redis drops it %s s after that; "
                "to crawl again now, name a new crawl with -s DISTRIBUTED_CRAWL=…", self.config.crawl, before,
                int(self.config.keep))
            self._finished_before = True
            return
        status = self.coordinator.status()
        logger.info("Distributed crawl %r on %s as worker %s: %d workers, %d requests queued, %d leased",
                    self.config.crawl, masked(self.config.redis_url), self.config.worker,
                    len(status.workers), status.queued, status.leased)
        self._start_heartbeat()

    def _start_heartbeat(self) -> None:
        """Beat every ``DISTRIBUTED_HEARTBEAT`` seconds on the reactor (unit tests call ``_tick``).

        Made here, not earlier: ``LoopingCall()`` imports (and so installs) a reactor.
        """
        self._loop = task.LoopingCall(self._tick)
        self._loop.start(self.config.heartbeat, now=False).addErrback(
            lambda f: logger.error("Distributed heartbeat stopped: %s", f.getErrorMessage()))

    def close(self, reason: str) -> None:
        if self._finished_before or not hasattr(self, "coordinator"):
            return
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        try:
            self._reconcile()
            unfinished = self.coordinator.leave()
        except RedisError as exc:
            logger.error("Distributed crawl %r: cannot leave cleanly (%s); the other workers will "
                         "re-queue this worker's requests after %s s", self.config.crawl, exc,
                         self.config.worker_timeout)
            return
        if unfinished:
            self.stats.inc_value("distributed/released", unfinished)
            logger.info("Distributed crawl %r: %d unfinished requests of this worker put back on the "
                        "shared queue (%s)", self.config.crawl, unfinished, reason)
        if self._local:
            logger.info("Distributed crawl %r: %d worker-local requests dropped; the requests they "
                        "came from were put back", self.config.crawl, len(self._local))

    def is_finished_before(self) -> bool:
        """Whether this worker found the crawl already finished when it joined."""
        return self._finished_before

    def seeding_done(self) -> None:
        """This worker has walked all its start requests (called by the spider middleware)."""
        if self.seeding and not self._finished_before:
            self.seeding = False
            self.coordinator.seeded()

    # -- enqueue ---------------------------------------------------------------------------
    def enqueue_request(self, request: Request) -> bool:
        if request.meta.get(META_LOCAL):
            return self._enqueue_local(request)
        seed = bool(request.meta.pop(META_SEED, False))
        request.meta.pop(META_LEASE, None)  # a copy (redirect, retry) of a leased request
        if not request.dont_filter:
            seen: str | None = self.coordinator.dupefilter
        elif seed:
            seen = self.coordinator.seeds
        else:
            seen = None
        fingerprint = self.df.request_fingerprint(request) if seen else None
        try:
            pushed = self.queue.push_request(request, seen=seen, fingerprint=fingerprint)
        except RedisError as exc:
            self._fail_redis(f"cannot queue {request.url}", exc)
            return False
        except (ValueError, TypeError, AttributeError, pickle.PicklingError) as exc:
            # request.to_dict() refuses a callback that is not a spider method; pickle, an
            # unpicklable meta or cb_kwargs value: this request can only be done here.
            logger.error("Cannot share %s (%s): kept on this worker, lost if it dies", request.url, exc)
            request.meta[META_LOCAL] = True
            return self._enqueue_local(request)
        if not pushed:
            self.df.log(request, self.spider)
            self.stats.inc_value("dupefilter/filtered")
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def _enqueue_local(self, request: Request) -> bool:
        if not request.dont_filter:
            fingerprint = self.df.request_fingerprint(request)
            if fingerprint in self._local_seen:
                self.df.log(request, self.spider)
                self.stats.inc_value("dupefilter/filtered")
                return False
            self._local_seen.add(fingerprint)
        lease = request.meta.get(META_LEASE)
        if lease in self._refs:
            self._refs[lease] += 1
        else:
            request.meta.pop(META_LEASE, None)
            self.stats.inc_value("distributed/local_unleased")
            if not self._unleased_warned:
                self._unleased_warned = True
                logger.warning("Worker-local request %s is not tied to a lease (made outside a callback "
                               "of a leased request): lost if this worker dies", request.url)
        heapq.heappush(self._local, (-request.priority, next(self._order), request))
        self.stats.inc_value("scheduler/enqueued/local")
        return True

    # -- dequeue ---------------------------------------------------------------------------
    def next_request(self) -> Request | None:
        self._reconcile()
        if self._local:
            request = heapq.heappop(self._local)[2]
            self._out[id(request)] = (request, request.meta.get(META_LEASE))
            self.stats.inc_value("scheduler/dequeued/local")
            return request
        while not (self.finished or self._broken or self._finished_before):
            try:
                popped = self.queue.pop_leased()
            except RedisError as exc:
                logger.error("Distributed crawl %r: cannot take a request from Redis: %s", self.config.crawl,
                             exc)
                return None
            if popped is None:
                return None
            lease, data = popped
            try:
                request = self.queue.decode(data)
            except Exception as exc:  # any unpickling or from_dict error: keep the data, name it
                logger.error("Distributed crawl %r: lease %s holds a request this worker cannot read "
                             "(%s: %s); kept in Redis under %s", self.config.crawl, lease,
                             type(exc).__name__, exc, self.coordinator.failed)
                self.coordinator.fail(lease, f"{type(exc).__name__}: {exc}")
                self.stats.inc_value("distributed/undecodable")
                continue
            request.meta[META_LEASE] = lease
            self._refs[lease] = 1
            self._out[id(request)] = (request, lease)
            self.stats.inc_value("scheduler/dequeued/redis")
            self.stats.inc_value("distributed/leased")
            return request
        return None

    def has_pending_requests(self) -> bool:
        """Local work, shared work, or other workers still busy (they may queue more): wait.

        The engine asks only once it is idle and done with ``start()``: if the middleware did
        not say so (it is not enabled), this worker's seeding is over all the same.
        """
        if self._local:
            return True
        if self.seeding:
            self.seeding_done()
        if self.finished or self._broken or self._finished_before:
            return False
        try:
            self._reconcile()
            if self._out or self._refs or self.coordinator.queued():
                return True
            self._reap()
            if self.coordinator.queued():
                return True
            if self.coordinator.finish():
                self.finished = True
                logger.info("Distributed crawl %r finished: nothing queued or leased by any worker",
                            self.config.crawl)
                return False
        except RedisError as exc:
            logger.error("Distributed crawl %r: cannot read Redis: %s", self.config.crawl, exc)
        return True

    # -- leases ----------------------------------------------------------------------------
    def _reconcile(self) -> None:
        """Ack the leases whose requests (and worker-local requests) the engine is done with."""
        if not self._out:
            return
        busy = in_progress(self.crawler)
        done: list[str] = []
        for key, (request, lease) in list(self._out.items()):
            if request in busy:
                continue
            del self._out[key]
            if lease is None or lease not in self._refs:
                continue
            self._refs[lease] -= 1
            if self._refs[lease] <= 0:
                del self._refs[lease]
                done.append(lease)
        if done and not self._broken:
            self.coordinator.ack(*done)
            self.stats.inc_value("distributed/acked", len(done))

    def _reap(self) -> None:
        for worker, count in self.coordinator.reap().items():
            self.stats.inc_value("distributed/requeued", count)
            logger.warning("Distributed crawl %r: worker %s stopped heart-beating; its %d unfinished "
                           "requests are back on the shared queue", self.config.crawl, worker, count)

    def _tick(self) -> None:
        """Heartbeat: say we are alive, re-queue dead workers' leases, ack, look for work."""
        try:
            if not self.coordinator.beat(seeding=self.seeding):
                logger.warning("Distributed crawl %r: this worker (%s) had been taken for dead and its "
                               "requests re-queued: some pages may be fetched twice (raise "
                               "DISTRIBUTED_WORKER_TIMEOUT?)", self.config.crawl, self.config.worker)
            self._reap()
            self._reconcile()
        except RedisError as exc:
            logger.error("Distributed crawl %r: heartbeat failed: %s", self.config.crawl, exc)
            return
        if self._engine_started:
            wake(self.crawler)

    def _fail_redis(self, what: str, exc: RedisError) -> None:
        """Redis failed mid-crawl: stop acking (leases stay for another worker) and close."""
        logger.error("Distributed crawl %r: %s: Redis failed (%s); closing this worker, its unfinished "
                     "requests stay leased and go back to the queue", self.config.crawl, what, exc)
        if not self._broken:
            self._broken = True
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="redis_error"))
