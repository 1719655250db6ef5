"""scrapy-redis's priority queue, pushed and popped through the leases of the coordinator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy_redis.queue import PriorityQueue

from crawler.distributed.coordinator import Coordinator

if TYPE_CHECKING:
    from scrapy import Spider


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue (same Redis format), pushed and popped through leases."""

    def __init__(self, server: Any, spider: Spider, coordinator: Coordinator, serializer: Any = None) -> None:
        super().__init__(server, spider, coordinator.queue, serializer)
        self.coordinator = coordinator

    def push_request(self, request: Request, *, seen: str | None, fingerprint: str | None) -> bool:
        """Queue ``request`` unless ``fingerprint`` is in the ``seen`` set already (one atomic step)."""
        return self.coordinator.push(self._encode_request(request), -request.priority, seen=seen,
                                     fingerprint=fingerprint)

    def pop_leased(self) -> tuple[str, bytes] | None:
        """The next request's lease id and encoded form, now leased to this worker."""
        return self.coordinator.pop()

    def decode(self, data: bytes) -> Request:
        """A request from its encoded form."""
        return self._decode_request(data)
