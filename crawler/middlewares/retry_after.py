"""Retries that wait: exponential backoff, and ``Retry-After`` honoured on 429 and 503.

Scrapy's own :class:`~scrapy.downloadermiddlewares.retry.RetryMiddleware` (2.19) re-queues
a failed request at once: it has no backoff and ignores ``Retry-After``. This subclass keeps
its decisions (``RETRY_TIMES``, ``RETRY_HTTP_CODES``, ``dont_retry``, stats, give-up log)
and only waits before handing the retry back. The wait is a timer on the reactor, never a
blocking sleep, so other requests go on meanwhile.

Delay of retry *n* (1 for the first): ``max(Retry-After, RETRY_BACKOFF_BASE * 2**(n-1))``,
the backoff part capped at ``RETRY_BACKOFF_MAX``. A ``Retry-After`` longer than
``RETRY_AFTER_MAX`` is not waited for: the response is given up on, with a log line.
If the crawl is stopped (Ctrl-C, SIGTERM) during a wait, the wait ends and the retry is
handed to the scheduler at once, so a ``JOBDIR`` crawl keeps it for the next run.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.utils.response import response_status_message

try:  # Scrapy >= 2.18: asyncio.sleep or a reactor timer, whichever the crawl runs on
    from scrapy.utils.asyncio import sleep
except ImportError:  # pragma: no cover - older Scrapy
    from scrapy.utils.defer import maybe_deferred_to_future

    async def sleep(seconds: float) -> None:
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        await maybe_deferred_to_future(deferLater(reactor, seconds))

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

#: Flag of responses answered from the archive (crawler/replay/middleware.py ``FLAG``).
REPLAY_FLAG = "replay"
#: Longest single timer while waiting, so a stopping crawl is noticed quickly.
_POLL = 0.5


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header value (delay-seconds or HTTP-date).

    A date in the past gives 0; a missing or unreadable value gives None.
    """
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 HTTP-dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """RetryMiddleware with a wait before each retry (see the module docstring)."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.after_max = settings.getfloat("RETRY_AFTER_MAX", 120.0)
        self.after_codes = {int(c) for c in settings.getlist("RETRY_AFTER_HTTP_CODES", [429, 503])}
        for name, value in (("RETRY_BACKOFF_BASE", self.backoff_base),
                            ("RETRY_BACKOFF_MAX", self.backoff_max), ("RETRY_AFTER_MAX", self.after_max)):
            if value < 0:
                raise NotConfigured(f"{name}={value} must not be negative")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mw = cls(crawler.settings)
        mw.crawler = crawler
        return mw

    def backoff(self, retry_number: int) -> float:
        """Exponential part of the delay of retry ``retry_number`` (1-based)."""
        return min(self.backoff_max, self.backoff_base * 2 ** max(0, retry_number - 1))

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        if REPLAY_FLAG in response.flags:  # an archived answer: asking again gives the same one
            return response
        asked = None
        if response.status in self.after_codes:
            asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is not None and asked > self.after_max:
            self.crawler.stats.inc_value("retry/retry_after_too_long")
            logger.warning("Not retrying %s: HTTP %d asks to wait %.0f s (Retry-After), more than "
                           "RETRY_AFTER_MAX=%.0f", request.url, response.status, asked, self.after_max)
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        why = f"HTTP {response.status}" + (f", Retry-After {asked:.1f} s" if asked is not None else "")
        await self._wait(retry, max(asked or 0.0, self.backoff(retry.meta["retry_times"])), why)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        await self._wait(retry, self.backoff(retry.meta["retry_times"]), type(exception).__name__)
        return retry

    async def _wait(self, retry: Request, delay: float, why: str) -> None:
        """Wait ``delay`` seconds on the reactor, or less if the crawl stops meanwhile."""
        logger.info("Retrying %s in %.1f s (%s; retry %d)", retry.url, delay, why, retry.meta["retry_times"])
        self.crawler.stats.inc_value("retry/delayed")
        self.crawler.stats.inc_value("retry/delay_seconds", round(delay, 3))
        deadline = time.monotonic() + delay
        while (left := deadline - time.monotonic()) > 0:
            engine = self.crawler.engine
            if engine is not None and not engine.running:
                logger.info("Crawl stopping: %s goes back to the scheduler without waiting", retry.url)
                return
            await sleep(min(left, _POLL))
