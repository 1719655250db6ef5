"""Pages to extract without a crawl: an HTML file, a WARC record, a mock site, a live URL.

Each source is a *getter*: ``get(url) -> RawPage | None`` (None: not there). Bodies are
returned as the server meant them (content-encoding undone); redirects are followed by
:func:`follow`. Used by ``scrapy extract`` and ``scripts/evaluate.py``.
"""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urljoin

from crawler.warc.files import WarcRef


class InputError(ValueError):
    """A page cannot be read; the message names the file, record or URL."""


@dataclass
class RawPage:
    """One fetched page: final URL, status, headers (in order) and the decoded-transfer body."""

    url: str
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)
    status: int = 200
    warc: WarcRef | None = None

    def header(self, name: str) -> str | None:
        """The last value of header ``name`` (case-insensitive), or None."""
        found = [v for k, v in self.headers if k.lower() == name.lower()]
        return found[-1] if found else None


Getter = Callable[[str], RawPage | None]


def decompress(body: bytes, encoding: str | None, *, where: str) -> bytes:
    """Undo a ``Content-Encoding`` (gzip, deflate, br); identity passes through."""
    enc = (encoding or "").strip().lower()
    try:
        if enc in ("gzip", "x-gzip"):
            return gzip.decompress(body)
        if enc == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)
        if enc == "br":
            import brotli  # type: ignore[import-not-found]

            return bytes(brotli.decompress(body))
    except (OSError, zlib.error, ImportError) as exc:
        raise InputError(f"{where}: cannot undo Content-Encoding {enc}: {exc}") from exc
    return body


def follow(get: Getter, url: str, *, max_hops: int = 5) -> RawPage | None:
    """The page at ``url`` after following up to ``max_hops`` redirects (3xx + Location)."""
    url = urldefrag(url)[0]
    for _ in range(max_hops + 1):
        page = get(url)
        if page is None:
            return None
        location = page.header("Location")
        if not (300 <= page.status < 400 and location):
            return page
        url = urljoin(url, location)
    raise InputError(f"{url}: more than {max_hops} redirects")


def file_page(path: Path, url: str) -> RawPage:
    """An HTML file read as raw bytes, as if served from ``url`` (no headers)."""
    try:
        return RawPage(url=url, body=path.read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


class WarcPages:
    """The response records of WARC files, looked up by target URL (the last capture wins)."""

    def __init__(self, paths: list[Path]) -> None:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed

        self.paths = paths
        self.index: dict[str, tuple[Path, int]] = {}
        for path in paths:
            try:
                with path.open("rb") as fh:
                    records = ArchiveIterator(fh)
                    for rec in records:
                        if rec.rec_type == "response":
                            url = rec.rec_headers.get_header("WARC-Target-URI") or ""
                            self.index[urldefrag(url)[0]] = (path, records.get_record_offset())
            except (OSError, ArchiveLoadFailed, ValueError) as exc:
                raise InputError(f"{path}: not a readable WARC file: {exc}") from exc
        if not self.index:
            raise InputError(f"{', '.join(map(str, paths))}: no response record in the WARC file(s)")

    @property
    def urls(self) -> list[str]:
        """Every captured URL, in the order first seen."""
        return list(self.index)

    def __call__(self, url: str) -> RawPage | None:
        from warcio.archiveiterator import ArchiveIterator

        where = self.index.get(urldefrag(url)[0])
        if where is None:
            return None
        path, offset = where
        with path.open("rb") as fh:
            fh.seek(offset)
            rec = next(iter(ArchiveIterator(fh)))
            headers = rec.http_headers.headers if rec.http_headers else []
            body = rec.content_stream().read()
            status = int(rec.http_headers.get_statuscode() or 200) if rec.http_headers else 200
            ref = WarcRef(file=path.name, offset=offset, length=0,
                          record_id=rec.rec_headers.get_header("WARC-Record-ID") or "")
        # content_stream() undid the content encoding: drop the header so nobody does it twice
        headers = [(k, v) for k, v in headers if k.lower() != "content-encoding"]
        return RawPage(url=url, body=body, headers=headers, status=status, warc=ref)


def site_getter(directory: Path) -> Getter:
    """Pages of a mock outlet directory (``site.json``), as the mock proxy would serve them."""
    from crawler.mock.site import load_outlet, route_key

    outlet = load_outlet(directory)
    routes = {route_key(r.url): r for r in outlet.routes}

    def get(url: str) -> RawPage | None:
        try:
            route = routes.get(route_key(url))
        except ValueError:
            return None
        if route is None or route.fault is not None:
            return None
        headers = list(route.headers)
        encoding = next((v for k, v in headers if k.lower() == "content-encoding"), None)
        body = decompress(route.body, encoding, where=f"{directory / 'site.json'} {url}")
        headers = [(k, v) for k, v in headers if k.lower() != "content-encoding"]
        return RawPage(url=url, body=body, headers=headers, status=route.status)

    return get


def http_getter(user_agent: str, *, timeout: float = 30.0) -> Getter:
    """Live pages over HTTP(S) (only when the user asks for a URL); proxies from the environment."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None  # follow() does it, so every hop is seen

    opener = urllib.request.build_opener(NoRedirect)

    def get(url: str) -> RawPage | None:
        request = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept-Encoding": "gzip"})
        try:
            with opener.open(request, timeout=timeout) as resp:
                status, headers, body = resp.status, list(resp.headers.items()), resp.read()
        except urllib.error.HTTPError as exc:
            status, headers, body = exc.code, list(exc.headers.items()), exc.read()
        except (urllib.error.URLError, OSError) as exc:
            raise InputError(f"{url}: cannot fetch: {exc}") from exc
        encoding = next((v for k, v in headers if k.lower() == "content-encoding"), None)
        body = decompress(body, encoding, where=url)
        headers = [(k, v) for k, v in headers if k.lower() != "content-encoding"]
        if status >= 400:
            raise InputError(f"{url}: HTTP {status}")
        return RawPage(url=url, body=body, headers=headers, status=status)

    return get
