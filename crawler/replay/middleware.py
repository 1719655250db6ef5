"""Replay in the downloader: answer every request from the archive, never from the network.

:class:`ReplayMiddleware` (on when ``REPLAY_PATHS`` is set) returns the archived response
from ``process_request``, so no download handler runs and Scrapy does not send
``response_downloaded``: the WARC writer, which listens to that signal, never archives a
replayed response again. The rest of the road is the live one: HttpCompression decodes,
Redirect follows archived redirects, HttpError sorts statuses, the spider parses, the
pipelines extract and store. A URL the archive does not hold gets a 404 flagged
``not-archived`` (stats ``replay/missing``).

:class:`ReplayGuard` replaces the http(s)/ftp/s3 download handlers during a replay: a
request that got past the middleware fails loudly instead of leaving the machine.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from crawler.replay import archive as archive_mod
from crawler.replay.archive import Archive, Archived, ArchiveError
from crawler.replay.body import ARCHIVED_PREFIX, decode_body
from crawler.warc.extension import META_KEY

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: Response flag of every replayed response.
FLAG = "replay"
#: request.meta key: (source label, offset) of the capture to serve instead of a URL lookup.
CAPTURE_META = "replay_capture"
#: response.meta key with the crawler.replay.scan.Capture that answered.
SERVED_META = "replay_served"


def replay_paths(settings: object) -> list[str]:
    """``REPLAY_PATHS`` as a list (a comma-separated string works too)."""
    value = settings.getlist("REPLAY_PATHS")  # type: ignore[attr-defined]
    return [p for p in (v.strip() for v in value) if p]


def _offline_public_suffixes() -> None:
    """Make Scrapy's cookie middleware use tldextract's bundled Public Suffix List.

    Its module-level ``TLDExtract()`` downloads the list from publicsuffix.org (and a
    GitHub mirror) the first time a response sets a cookie: a request to the network
    that no download handler sees. A replay must send none, so it gets the snapshot
    shipped with tldextract instead (``suffix_list_urls=()``).
    """
    from scrapy.downloadermiddlewares import cookies
    from tldextract import TLDExtract

    cookies._split_domain = TLDExtract(include_psl_private_domains=True, suffix_list_urls=())


class ReplayLeak(RuntimeError):
    """A request reached a download handler during a replay."""


class ReplayMiddleware:
    """Serves archived responses (see the module docstring)."""

    def __init__(self, crawler: Crawler, paths: list[str]) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.paths = paths
        self.archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        paths = replay_paths(crawler.settings)
        if not paths:
            raise NotConfigured("REPLAY_PATHS is not set")
        mw = cls(crawler, paths)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        _offline_public_suffixes()
        return mw

    def spider_opened(self, spider: Spider) -> None:
        self.archive = archive_mod.shared(self.paths)

    def process_request(self, request: Request, spider: Spider | None = None) -> Response:
        if self.archive is None:
            self.archive = archive_mod.shared(self.paths)
        archive = self.archive
        wanted = request.meta.get(CAPTURE_META)
        capture = archive.by_location(*wanted) if wanted else None
        how = "record" if capture is not None else ""
        if capture is None:
            capture, how = archive.lookup(request.url)
        if capture is None:
            self.stats.inc_value("replay/missing")
            logger.info("Not archived (%s): %s", how, request.url)
            return Response(request.url, status=404, body=b"not archived\n", request=request,
                            headers={"Content-Type": "text/plain"}, flags=[FLAG, "not-archived"])
        try:
            found = archive.load(capture)
        except ArchiveError as exc:
            self.stats.inc_value("replay/unloadable")
            logger.error("%s", exc)
            return Response(request.url, status=404, body=b"not archived\n", request=request,
                            headers={"Content-Type": "text/plain"}, flags=[FLAG, "not-archived"])
        with archive.lock:
            archive.served.add(capture.key)
        self.stats.inc_value("replay/served")
        if how not in ("exact", "record"):
            self.stats.inc_value(f"replay/variant/{how}")
            logger.debug("Replayed %s from a capture of %s (%s)", request.url, capture.url, how)
        if found.revisit_of is not None:
            self.stats.inc_value("replay/revisits")
        return build_response(found, request)


def build_response(found: Archived, request: Request, *, decode: bool = False) -> Response:
    """The Scrapy response of an archived capture; ``request.meta`` gets its WarcRef.

    ``decode`` removes content encodings here (for callers outside the downloader,
    where HttpCompressionMiddleware does not run).
    """
    flags = [FLAG]
    if found.truncated:
        flags.append("dataloss")  # what a live download cut short carries
    body = found.body
    headers = Headers()
    for name, value in found.headers:
        if decode and name.lower() == "content-encoding":
            body = decode_body(body, value)
            name = ARCHIVED_PREFIX + name
        headers.appendlist(name.encode("latin-1"), value.encode("latin-1"))
    respcls = responsetypes.from_args(headers=headers, url=request.url, body=body)
    ip = None
    if found.ip_address:
        try:
            ip = ipaddress.ip_address(found.ip_address.strip())
        except ValueError:
            ip = None
    request.meta[META_KEY] = found.ref
    request.meta[SERVED_META] = found.capture
    return respcls(url=request.url, status=found.status, headers=headers, body=body,
                   flags=flags, request=request, ip_address=ip, protocol=found.protocol)


class ReplayGuard(BaseDownloadHandler):
    """Download handler of a replay: refuses, loudly, anything that would use the network."""

    async def download_request(self, request: Request) -> Response:
        self.crawler.stats.inc_value("replay/leaked")  # type: ignore[union-attr]
        message = (f"replay: {request.method} {request.url} reached a download handler; "
                   "a replay never uses the network (is ReplayMiddleware enabled?)")
        logger.error(message)
        raise ReplayLeak(message)
