"""Downloader middleware: a redirect never takes a spider out of its ``allowed_domains``.

Scrapy's OffsiteMiddleware lets every request with ``dont_filter=True`` through, and the
redirect middleware keeps that flag on the request it builds. Our spiders fetch sitemaps,
feeds and e-paper pages with ``dont_filter``, so a server answering ``302 Location:
http://elsewhere/`` would have them fetch, archive and extract a page of another site.
This middleware checks every redirected request (``redirect_urls`` in its meta) against
the spider's ``allowed_domains``, whatever its ``dont_filter``. ``allow_offsite`` in meta
is the explicit exception (assets an e-paper keeps on another host, a start URL whose site
moved), and so is a robots.txt that redirects elsewhere (it is obeyed, never extracted).
A redirect to anything but http(s) is refused too (Scrapy already does not follow
one; this keeps it so). Stats: ``offsite/redirects_refused``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def in_domains(host: str, domains: list[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one (Scrapy's offsite rule)."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in (x.lower().strip(".") for x in domains))


class RedirectScopeMiddleware:
    """Refuses redirected requests outside the spider's ``allowed_domains`` (module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        hops = request.meta.get("redirect_urls")
        if not hops or request.meta.get("allow_offsite") or urlsplit(hops[0]).path == "/robots.txt":
            return  # robots.txt may live elsewhere: its rules are obeyed, nothing is extracted
        parts = urlparse_cached(request)
        if parts.scheme not in ("http", "https"):
            self._refuse(request, hops[0], f"scheme {parts.scheme!r} is not http(s)")
        domains = [str(d) for d in getattr(self.crawler.spider, "allowed_domains", None) or () if d]
        if domains and not in_domains(parts.hostname or "", domains):
            self._refuse(request, hops[0], f"{parts.hostname!r} is outside {', '.join(domains)}")

    def _refuse(self, request: Request, origin: str, why: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("offsite/redirects_refused")
        logger.warning("Redirect not followed: %s -> %s (%s)", origin, request.url, why)
        raise IgnoreRequest(f"redirect from {origin} to {request.url} not followed: {why}")
