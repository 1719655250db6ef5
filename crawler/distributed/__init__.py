"""Several workers share one crawl: scrapy-redis's queue and duplicate filter, with leases.

``-s REDIS_URL=redis://host:6379/0`` alone switches a crawl to distributed mode (the add-on
:class:`crawler.distributed.addon.Distributed`); without it nothing here is loaded and a
crawl runs as before. docs/distributed.md is the deployment guide.

What the pieces do:

* :mod:`~crawler.distributed.coordinator`: the Redis side (keys, Lua scripts): an atomic
  "seen? then queue" push, a pop that leases the request to the worker, acks, worker
  heartbeats, re-queueing the leases of a dead worker, the end of the crawl.
* :mod:`~crawler.distributed.scheduler`: scrapy-redis's scheduler with leases and a
  worker-local lane (requests that must stay with the worker that made them).
* :mod:`~crawler.distributed.middleware`: marks start requests as seeds (each pushed once
  by whichever worker gets there first) and ties local requests to their lease.

This module imports neither redis nor scrapy-redis: spiders may ask :func:`is_distributed`.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

#: ``request.meta`` key: keep this request on the worker that made it (its own lane), under
#: the lease of the request it came from. E-paper issues use it: an issue is assembled in
#: the memory of the worker that took its entry page.
META_LOCAL = "distributed_local"
#: ``request.meta`` key: the lease (in Redis) this request's work is part of; set by the scheduler.
META_LEASE = "distributed_lease"
#: ``request.meta`` key: a start request, pushed once for the whole crawl; set by the middleware.
META_SEED = "distributed_seed"


def is_distributed(settings: BaseSettings) -> bool:
    """Whether a crawl with these settings shares its queue through Redis (``REDIS_URL`` set)."""
    return bool(settings.get("REDIS_URL"))
