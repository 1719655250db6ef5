"""The Redis side of a shared crawl: queue, leases, workers, the end of the crawl.

scrapy-redis pops a request off the shared queue and forgets it: a worker killed before it
finished a request loses that request (and whatever the request would have queued). Here a
pop *leases* the request to the worker instead, in one Lua script, and the worker acks the
lease once Scrapy is completely done with it (downloaded, archived, parsed, its items
stored, its new requests queued). A worker that stops heart-beating for
``DISTRIBUTED_WORKER_TIMEOUT`` seconds is dead: any other worker puts its leased requests
back on the queue. scrapy-redis's "seen? then queue" is two commands, so a kill between
them marks a URL seen that was never queued; here it is one script.

Keys, for a crawl named ``C`` (``DISTRIBUTED_CRAWL``, default the spider's name):

=====================  ==========================================================
``C:requests``         sorted set: the queue (scrapy-redis's priority queue format)
``C:dupefilter``       set: fingerprints seen (scrapy-redis's duplicate filter)
``C:seeds``            set: fingerprints of start requests already queued
``C:leases:W``         hash: lease id -> request, ``id#score`` -> its priority score
``C:lease-seq``        counter of lease ids
``C:workers``          set: workers that joined and are not known dead
``C:alive:W``          worker W's heartbeat (expires after the worker timeout)
``C:seeding``          set: workers still walking their spider's start requests
``C:failed``           hash: requests no worker could decode (kept, not retried)
``C:finished``         when the crawl finished; later workers of this name stop at once
=====================  ==========================================================

Lua scripts name keys they build from the crawl prefix, so a crawl needs one Redis server
(not Redis Cluster). Nothing here imports Scrapy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from redis import Redis

logger = logging.getLogger(__name__)

_SCORE = "#score"


def _text(value: bytes | str) -> str:
    """A Redis reply as text (the client may or may not decode replies: REDIS_DECODE_RESPONSES)."""
    return value.decode() if isinstance(value, bytes) else str(value)

#: Requeue every lease of one hash; defined in each script that needs it.
_REQUEUE = """
local function requeue(queue, leases)
  local all = redis.call('HGETALL', leases)
  local n = 0
  for i = 1, #all, 2 do
    local field = all[i]
    if string.sub(field, -6) ~= '#score' then
      local score = redis.call('HGET', leases, field .. '#score') or '0'
      redis.call('ZADD', queue, score, all[i + 1])
      n = n + 1
    end
  end
  redis.call('DEL', leases)
  return n
end
"""

#: KEYS: queue, seen set (or ""); ARGV: fingerprint (or ""), score, request.
_PUSH = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[2], ARGV[1]) == 0 then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
return 1
"""

#: KEYS: queue, my leases, lease counter, workers, my heartbeat; ARGV: me, timeout ms.
#: Returns {lease id, request} or nil. Taking work is a sign of life too.
_POP = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then
  return false
end
redis.call('ZREM', KEYS[1], top[1])
local id = tostring(redis.call('INCR', KEYS[3]))
redis.call('HSET', KEYS[2], id, top[1], id .. '#score', top[2])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('SET', KEYS[5], '1', 'PX', ARGV[2])
return {id, top[1]}
"""

#: KEYS: finished, workers, seeding, my heartbeat; ARGV: me, timeout ms.
#: Returns when the crawl finished (it is not joined then), or nil once joined.
_JOIN = """
local done = redis.call('GET', KEYS[1])
if done then
  return done
end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SET', KEYS[4], '1', 'PX', ARGV[2])
return false
"""

#: KEYS: workers, my heartbeat, seeding; ARGV: me, timeout ms, "1" if still seeding.
#: Returns 1 if I was still a known worker (0: taken for dead, and registered again now).
_BEAT = """
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
if ARGV[3] == '1' then
  redis.call('SADD', KEYS[3], ARGV[1])
end
return redis.call('SADD', KEYS[1], ARGV[1]) == 0 and 1 or 0
"""

#: KEYS: workers, queue, seeding; ARGV: key prefix "C:". Returns {worker, requests requeued, ...}.
_REAP = _REQUEUE + """
local reaped = {}
for _, w in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'alive:' .. w) == 0 then
    local n = requeue(KEYS[2], ARGV[1] .. 'leases:' .. w)
    redis.call('SREM', KEYS[1], w)
    redis.call('SREM', KEYS[3], w)
    table.insert(reaped, w)
    table.insert(reaped, n)
  end
end
return reaped
"""

#: KEYS: queue, my leases, workers, seeding, my heartbeat; ARGV: me. Returns requests requeued.
_LEAVE = _REQUEUE + """
local n = requeue(KEYS[1], KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
redis.call('DEL', KEYS[5])
return n
"""

#: KEYS: queue, workers, seeding, finished, then every key to expire; ARGV: prefix, keep ms, now.
#: Returns 1 when the crawl is (now) finished: nothing queued, leased or still being seeded.
_FINISH = """
if redis.call('EXISTS', KEYS[4]) == 1 then
  return 1
end
if redis.call('ZCARD', KEYS[1]) > 0 or redis.call('SCARD', KEYS[3]) > 0 then
  return 0
end
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('HLEN', ARGV[1] .. 'leases:' .. w) > 0 then
    return 0
  end
end
redis.call('SET', KEYS[4], ARGV[3], 'PX', tonumber(ARGV[2]) + 60000)
for i = 5, #KEYS do
  redis.call('PEXPIRE', KEYS[i], ARGV[2])
end
return 1
"""


@dataclass(frozen=True)
class Status:
    """The shared crawl at one moment."""

    queued: int
    leased: int
    workers: tuple[str, ...]
    seeding: tuple[str, ...]
    failed: int
    finished: str | None


class Coordinator:
    """One worker's handle on a shared crawl in Redis (see the module docstring for the keys)."""

    def __init__(self, server: Redis, crawl: str, worker: str, *, worker_timeout: float,
                 keep: float) -> None:
        self.server = server
        self.crawl = crawl
        self.worker = worker
        self.timeout_ms = int(worker_timeout * 1000)
        self.keep_ms = int(keep * 1000)
        self.prefix = f"{crawl}:"
        self.queue = self.key("requests")
        self.dupefilter = self.key("dupefilter")
        self.seeds = self.key("seeds")
        self.workers = self.key("workers")
        self.seeding = self.key("seeding")
        self.finished = self.key("finished")
        self.failed = self.key("failed")
        self.seq = self.key("lease-seq")
        self.leases = self.leases_of(worker)
        self.alive = self.key(f"alive:{worker}")
        self._push = server.register_script(_PUSH)
        self._pop = server.register_script(_POP)
        self._join = server.register_script(_JOIN)
        self._beat = server.register_script(_BEAT)
        self._reap = server.register_script(_REAP)
        self._leave = server.register_script(_LEAVE)
        self._finish = server.register_script(_FINISH)

    def key(self, name: str) -> str:
        """The Redis key ``name`` of this crawl."""
        return self.prefix + name

    def leases_of(self, worker: str) -> str:
        """The key of the hash of requests leased to ``worker``."""
        return self.key(f"leases:{worker}")

    # -- workers ---------------------------------------------------------------------------
    def join(self) -> str | None:
        """Register this worker (seeding, alive); return when the crawl finished instead, if it has."""
        done = self._join(keys=[self.finished, self.workers, self.seeding, self.alive],
                          args=[self.worker, self.timeout_ms])
        return _text(done) if done else None

    def beat(self, *, seeding: bool = False) -> bool:
        """Refresh this worker's heartbeat; False if others had taken it for dead (it is back now)."""
        return bool(self._beat(keys=[self.workers, self.alive, self.seeding],
                               args=[self.worker, self.timeout_ms, "1" if seeding else "0"]))

    def seeded(self) -> None:
        """This worker has walked all its start requests."""
        self.server.srem(self.seeding, self.worker)

    def reap(self) -> dict[str, int]:
        """Put the leased requests of every dead worker back on the queue: {worker: requests}."""
        flat = self._reap(keys=[self.workers, self.queue, self.seeding], args=[self.prefix])
        return {_text(flat[i]): int(flat[i + 1]) for i in range(0, len(flat), 2)}

    def leave(self) -> int:
        """Unregister; requests still leased to this worker go back on the queue (their number)."""
        return int(self._leave(keys=[self.queue, self.leases, self.workers, self.seeding, self.alive],
                               args=[self.worker]))

    # -- requests --------------------------------------------------------------------------
    def push(self, data: bytes, score: float, *, seen: str | None = None, fingerprint: str | None = None
             ) -> bool:
        """Queue ``data``; with ``seen`` (a set key) only if ``fingerprint`` was not in it (atomic)."""
        keys = [self.queue, seen or self.queue]
        return bool(self._push(keys=keys, args=[fingerprint if seen else "", score, data]))

    def pop(self) -> tuple[str, bytes] | None:
        """Take the first request off the queue, leased to this worker: (lease id, request)."""
        got = self._pop(keys=[self.queue, self.leases, self.seq, self.workers, self.alive],
                        args=[self.worker, self.timeout_ms])
        if not got:
            return None
        data = got[1] if isinstance(got[1], bytes) else str(got[1]).encode()
        return _text(got[0]), data

    def ack(self, *leases: str) -> None:
        """These leases' work is completely done."""
        if leases:
            self.server.hdel(self.leases, *[f for lease in leases for f in (lease, lease + _SCORE)])

    def fail(self, lease: str, error: str) -> None:
        """A leased request cannot be decoded: keep it under ``C:failed`` with the error, and ack it."""
        data = self.server.hget(self.leases, lease) or b""
        raw = data if isinstance(data, bytes) else str(data).encode()
        self.server.hset(self.failed, lease, error.encode() + b"\n" + raw)
        self.ack(lease)

    # -- the crawl -------------------------------------------------------------------------
    def queued(self) -> int:
        """Requests waiting in the shared queue."""
        return int(self.server.zcard(self.queue))

    def finish(self) -> bool:
        """Whether the crawl is over (nothing queued, leased or being seeded); marks it so, once.

        A finished crawl's keys expire after ``keep`` seconds (the ``finished`` mark a minute
        later), so the next crawl of that name starts afresh.
        """
        keys = [self.queue, self.workers, self.seeding, self.finished, self.queue, self.dupefilter,
                self.seeds, self.workers, self.seeding, self.seq, self.failed]
        now = datetime.now(UTC).isoformat(timespec="seconds")
        return bool(self._finish(keys=keys, args=[self.prefix, self.keep_ms, now]))

    def status(self) -> Status:
        """Counts of the shared crawl (for logs, tests and operators)."""
        workers = sorted(_text(w) for w in self.server.smembers(self.workers))
        leased = sum(int(self.server.hlen(self.leases_of(w))) // 2 for w in workers)
        done = self.server.get(self.finished)
        return Status(
            queued=self.queued(),
            leased=leased,
            workers=tuple(workers),
            seeding=tuple(sorted(_text(w) for w in self.server.smembers(self.seeding))),
            failed=int(self.server.hlen(self.failed)),
            finished=_text(done) if done else None,
        )
