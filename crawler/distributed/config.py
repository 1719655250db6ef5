"""The distributed-mode settings, read once and validated (README "Settings", docs/distributed.md)."""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from scrapy.settings import BaseSettings

from crawler.config import ConfigError

_NAME_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


def masked(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for logs and messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + netloc))


def default_worker() -> str:
    """``host-pid``: unique among the live workers of a crawl, readable in logs and Redis."""
    return f"{socket.gethostname().split('.')[0] or 'localhost'}-{os.getpid()}"


def _seconds(settings: BaseSettings, name: str, minimum: float) -> float:
    raw = settings.get(name)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={raw!r} is not a number of seconds") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} is too small (at least {minimum} seconds)")
    return value


@dataclass(frozen=True)
class DistributedConfig:
    """Where the shared crawl lives and how workers keep their claims on it."""

    redis_url: str
    #: Name of the shared crawl: prefix of its Redis keys. Workers with the same name share it.
    crawl: str
    #: This worker's name among the crawl's workers.
    worker: str
    #: Seconds between heartbeats (and looks at the shared queue when idle).
    heartbeat: float
    #: Seconds without a heartbeat after which a worker is dead and its leased requests re-queued.
    worker_timeout: float
    #: Seconds Redis keeps a finished crawl (later workers of that name stop at once), then drops it.
    keep: float

    @classmethod
    def from_settings(cls, settings: BaseSettings, spider_name: str) -> DistributedConfig:
        """Validate the settings; raise :class:`~crawler.config.ConfigError` naming the bad one."""
        url = str(settings.get("REDIS_URL") or "")
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError(f"REDIS_URL={masked(url)!r} is not a Redis URL (expected redis://host:6379/0)")
        crawl = str(settings.get("DISTRIBUTED_CRAWL") or spider_name)
        if not _NAME_RE.match(crawl):
            raise ConfigError(
                f"DISTRIBUTED_CRAWL={crawl!r} must be 1-100 letters, digits, '_', '.', ':' or '-'")
        worker = str(settings.get("DISTRIBUTED_WORKER") or default_worker())
        if not _NAME_RE.match(worker):
            raise ConfigError(
                f"DISTRIBUTED_WORKER={worker!r} must be 1-100 letters, digits, '_', '.', ':' or '-'")
        heartbeat = _seconds(settings, "DISTRIBUTED_HEARTBEAT", 0.1)
        timeout = _seconds(settings, "DISTRIBUTED_WORKER_TIMEOUT", 1.0)
        if timeout < 3 * heartbeat:
            raise ConfigError(
                f"DISTRIBUTED_WORKER_TIMEOUT={timeout} must be at least 3 x DISTRIBUTED_HEARTBEAT "
                f"({heartbeat}): a live worker must not be taken for dead between two heartbeats")
        return cls(redis_url=url, crawl=crawl, worker=worker, heartbeat=heartbeat, worker_timeout=timeout,
                   keep=_seconds(settings, "DISTRIBUTED_KEEP", 0.0))
