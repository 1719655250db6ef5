"""Which URLs a crawl of one site may follow, and the registrable domain that names the site.

Scopes (``-a scope=`` of the ``site`` spider), given a start URL:

- ``host``: the start URL's host (and port), http or https. ``www.x.com.cn`` only.
- ``domain``: every host under the start URL's registrable domain (``x.com.cn``,
  ``www.x.com.cn``, ``news.x.com.cn``), read from the Public Suffix List.
- ``prefix``: the start URL's host, paths under the start URL's directory: the path itself
  when it ends in ``/``, else up to its last ``/`` (``/news/index.html`` → ``/news/``).

The Public Suffix List is tldextract's bundled snapshot: nothing is fetched at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

from crawler.discovery.errors import DiscoveryError

SCOPES = ("host", "domain", "prefix")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=(): the snapshot shipped with tldextract, never a download.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registrable_domain(host: str) -> str:
    """``www.dongfang-group.com.cn`` → ``dongfang-group.com.cn``; an IP or a bare name as is.

    The host is lower-cased and loses any port.
    """
    host = ascii_host(host.lower().rstrip("."))
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    host = host.rpartition(":")[0] if host.count(":") == 1 else host
    return _extractor()(host).top_domain_under_public_suffix or host


def ascii_host(host: str) -> str:
    """``例子.中国`` → ``xn--fsqu00a.xn--fiqs8s`` (what Scrapy requests); ASCII hosts as they are.

    A site whose links use both forms is one site; a host IDNA cannot encode stays as is.
    """
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _netloc(scheme: str, host: str, port: int | None) -> str:
    return host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"


def check_url(url: str, argument: str = "url") -> str:
    """``url`` stripped, when it is an absolute http(s) URL with a host; else DiscoveryError."""
    url = (url or "").strip()
    if not url:
        raise DiscoveryError(f"{argument}: missing; give an absolute http(s) URL, e.g. "
                             f"-a {argument}=https://www.example.com.cn/")
    if any(ch.isspace() for ch in url):
        raise DiscoveryError(f"{argument}: {url!r} contains white space")
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in url):
        raise DiscoveryError(f"{argument}: {url!r} contains control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number in range)
    except ValueError as exc:
        raise DiscoveryError(f"{argument}: {url!r} is not a valid URL ({exc})") from exc
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise DiscoveryError(f"{argument}: {url!r} has scheme {parts.scheme or 'none'!r}; "
                             "only http and https URLs can be crawled")
    if not parts.hostname:
        raise DiscoveryError(f"{argument}: {url!r} has no host")
    return url


@dataclass(frozen=True)
class Scope:
    """A crawl scope: ``kind`` (one of :data:`SCOPES`) around a start URL."""

    kind: str
    netloc: str
    domain: str
    prefix: str

    @classmethod
    def of(cls, url: str, kind: str = "host") -> Scope:
        """The scope ``kind`` around ``url``; DiscoveryError names the bad argument."""
        url = check_url(url)
        if kind not in SCOPES:
            raise DiscoveryError(f"scope: {kind!r} is not one of {', '.join(SCOPES)}")
        parts = urlsplit(url)
        host = ascii_host((parts.hostname or "").lower())
        netloc = _netloc(parts.scheme.lower(), host, parts.port)
        path = parts.path or "/"
        prefix = path if path.endswith("/") else path.rpartition("/")[0] + "/"
        return cls(kind=kind, netloc=netloc, domain=registrable_domain(host), prefix=prefix)

    def allows(self, url: str) -> bool:
        """Whether ``url`` (absolute) is inside the scope; non-http(s) URLs never are."""
        try:
            parts = urlsplit(url)
            scheme, host, port = parts.scheme.lower(), ascii_host((parts.hostname or "").lower()), parts.port
        except ValueError:
            return False
        if scheme not in _DEFAULT_PORTS or not host:
            return False
        if self.kind == "domain":
            return registrable_domain(host) == self.domain
        if _netloc(scheme, host, port) != self.netloc:
            return False
        return self.kind == "host" or (parts.path or "/").startswith(self.prefix)
