"""Scrapy extension that archives every download into WARC files.

It listens to ``response_downloaded``, which fires for real network downloads only,
before any downloader middleware has decompressed the body or edited the headers
(shared/STYLE.md §2), so the records hold what came off the wire: robots.txt,
redirects, errors and pages alike. A replayed response never passes here.
"""

from __future__ import annotations

import logging
import platform
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import scrapy
import warcio
from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler import __version__
from crawler.config import Config
from crawler.warc.files import WARC_VERSION, WarcRotator
from crawler.warc.records import build_pair, request_headers, response_headers

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: request.meta key under which the response record's WarcRef is left for the spider.
META_KEY = "warc"


class WarcExtension:
    """Writes a response record and its request record for every download."""

    def __init__(self, crawler: Crawler, config: Config) -> None:
        self.crawler = crawler
        self.config = config
        self.stats = crawler.stats
        self.rotator: WarcRotator | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcExtension:
        config = Config.from_settings(crawler.settings)
        if not config.warc_enabled:
            raise NotConfigured("WARC_ENABLED is off")
        ext = cls(crawler, config)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        return ext

    def warcinfo(self, spider: Spider) -> dict[str, str]:
        """The warcinfo fields of every file of this crawl."""
        return {
            "software": (
                f"nmg-news-archiver/{__version__} (Scrapy {scrapy.__version__}, "
                f"warcio {getattr(warcio, '__version__', '?')}, Python {platform.python_version()})"
            ),
            "format": f"WARC File Format {WARC_VERSION}",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "isPartOf": f"{spider.name}-{self.crawl_id}",
            "spider": spider.name,
            "robots": "obey" if self.config.robots_obey else "ignore",
            "operator": self.config.operator,
            "http-header-user-agent": self.config.user_agent,
            "hostname": platform.node(),
            "description": self.config.description or f"Archival crawl of outlet {spider.name}",
        }

    def spider_opened(self, spider: Spider) -> None:
        self.crawl_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self.rotator = WarcRotator(
            self.config.archive_dir,
            prefix=self.config.warc_prefix or spider.name,
            warcinfo=self.warcinfo(spider),
            max_size=self.config.warc_max_size,
        )

    def spider_closed(self, spider: Spider) -> None:
        if self.rotator is None:
            return
        self.rotator.close()
        files = [str(p) for p in self.rotator.closed_files]
        self.stats.set_value("warc/files", len(files))
        logger.info("WARC files written: %s", ", ".join(files) or "none")

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        """Archive one exchange; leave the record's location in ``request.meta``."""
        if self.rotator is None:  # pragma: no cover - signal before spider_opened
            return
        latency = float(request.meta.get("download_latency") or 0.0)
        started = datetime.now(UTC) - timedelta(seconds=latency)
        truncated = "disconnect" if "dataloss" in response.flags else None
        warcinfo_id = self.rotator.prepare()
        resp_record, req_record = build_pair(
            self.rotator.builder,
            url=response.url,
            date=started,
            response_http=response_headers(
                response.status, response.protocol, list(response.headers.items())
            ),
            response_body=response.body,
            request_http=request_headers(
                request.method, request.url, list(request.headers.items()), response.protocol
            ),
            request_body=request.body,
            ip_address=str(response.ip_address) if response.ip_address else None,
            truncated=truncated,
            warcinfo_id=warcinfo_id,
        )
        refs = self.rotator.write_group([resp_record, req_record])
        request.meta[META_KEY] = refs[0]
        self.stats.inc_value("warc/records", 2)
        self.stats.inc_value("warc/bytes", sum(r.length for r in refs))
        if truncated:
            self.stats.inc_value("warc/truncated")
            logger.warning("Truncated response archived with WARC-Truncated: %s <%s>",
                           truncated, response.url)
