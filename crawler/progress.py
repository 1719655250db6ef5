"""Progress people can see: a live line per spider during a crawl, a table at the end.

Every ``PROGRESS_INTERVAL`` seconds (default 10; 0 turns it off) each running spider gets
one line: pages downloaded, articles scraped, errors, and the page rate over the last
interval. When the log goes to a terminal (stderr is a TTY and ``LOG_FILE`` is unset) the
lines are redrawn in place below the log instead of logged; otherwise (files, scrapyd,
cron) they are ordinary INFO log lines. When the spider closes, the summary table of
:func:`crawler.summary.crawl_table` is logged.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.summary import crawl_errors, crawl_table

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def progress_line(name: str, stats: dict[str, Any], *, rate: float, elapsed: float) -> str:
    """``nmgnews: 120 pages, 35 articles, 2 errors, 42.0 pages/min, 3m05s``."""
    minutes, seconds = divmod(int(elapsed), 60)
    return (f"{name}: {stats.get('response_received_count', 0)} pages, "
            f"{stats.get('item_scraped_count', 0)} articles, {crawl_errors(stats)} errors, "
            f"{rate:.1f} pages/min, {minutes}m{seconds:02d}s")


class TtyBoard:
    """The status lines at the bottom of a terminal, one per spider, redrawn in place.

    A logging filter on the terminal's handlers erases the board before any other log
    record is printed, so log lines never get mixed into it; the next tick redraws it.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.lines: dict[str, str] = {}
        self.drawn = 0

    def erase(self) -> None:
        """Remove the drawn lines (cursor up that many lines, clear to the end of screen)."""
        if self.drawn:
            self.stream.write(f"\x1b[{self.drawn}F\x1b[J")
            self.stream.flush()
            self.drawn = 0

    def show(self, name: str, line: str) -> None:
        """Set the line of spider ``name`` and redraw."""
        self.lines[name] = line
        self.erase()
        self.stream.write("".join(f"{text}\n" for _, text in sorted(self.lines.items())))
        self.stream.flush()
        self.drawn = len(self.lines)

    def remove(self, name: str) -> None:
        """Drop the line of a finished spider."""
        self.erase()
        self.lines.pop(name, None)

    def filter(self, record: logging.LogRecord) -> bool:
        """Logging filter: erase the board before a record is written."""
        self.erase()
        return True


_BOARD: TtyBoard | None = None


def _board() -> TtyBoard:
    """The process's one board on stderr (several crawlers may share a process)."""
    global _BOARD
    if _BOARD is None:
        _BOARD = TtyBoard(sys.stderr)
        for handler in logging.getLogger().handlers:
            if getattr(handler, "stream", None) is sys.stderr:
                handler.addFilter(_BOARD)
    return _BOARD


class Progress:
    """Scrapy extension; see the module docstring."""

    def __init__(self, crawler: Crawler, interval: float, board: TtyBoard | None) -> None:
        self.crawler = crawler
        self.interval = interval
        self.board = board
        self.task: Any = None
        self.started = time.monotonic()
        self.last_pages = 0
        self.last_time = self.started

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 10.0)
        if interval <= 0:
            raise NotConfigured("PROGRESS_INTERVAL is 0")
        tty = not crawler.settings.get("LOG_FILE") and sys.stderr.isatty()
        ext = cls(crawler, interval, _board() if tty else None)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started = self.last_time = time.monotonic()
        self.task = create_looping_call(self.tick, spider)
        self.task.start(self.interval, now=False)

    def tick(self, spider: Spider) -> None:
        """Report one spider's progress."""
        stats = self.crawler.stats.get_stats()
        now = time.monotonic()
        pages = int(stats.get("response_received_count", 0))
        rate = (pages - self.last_pages) * 60 / max(now - self.last_time, 1e-9)
        self.last_pages, self.last_time = pages, now
        line = progress_line(spider.name, stats, rate=rate, elapsed=now - self.started)
        if self.board is not None:
            self.board.show(spider.name, line)
        else:
            logger.info("Progress %s", line, extra={"spider": spider})

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.board is not None:
            self.board.remove(spider.name)
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        logger.info("Crawl summary:\n%s", crawl_table({spider.name: stats}), extra={"spider": spider})
