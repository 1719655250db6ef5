"""WARC records of what a browser fetched and rendered (pages rendered by scrapy-playwright).

A rendered page is archived as

* every network exchange the page made (the document and its redirects, scripts, styles,
  images, XHR/fetch): an ordinary ``response`` + ``request`` pair, as Scrapy downloads are
  (crawler/warc/records.py): status line with Chromium's reason phrase and HTTP version,
  every header value Chromium saw on the wire, the body, ``WARC-IP-Address``, the request's
  start as ``WARC-Date`` of both records;
* the rendered DOM: one ``resource`` record ``urn:dom:{page URL}``, ``text/html;
  charset=utf-8``, ``WARC-Concurrent-To`` the document's response record. The DOM is what
  the spider reads; it is never written as (or passed off as) the page's HTTP response.

What Chromium cannot give, and how the records say so:

* bodies come content-decoded (gzip, br, zstd undone): such a record renames
  ``Content-Encoding`` and ``Content-Length`` to ``X-Crawler-…`` (shared/ARCHIVE.md §6), so
  its headers describe the body it holds; ``Transfer-Encoding`` is renamed as always;
* header order is Chromium's, not the wire's (values and name case are kept);
* a body Chromium no longer has (a redirect's, one cut short) is archived empty with
  ``WARC-Truncated: unspecified`` unless the headers said it was empty.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord

from crawler.warc.files import WarcRef, WarcRotator
from crawler.warc.records import RawHeaders, build_pair, reason_phrase, request_headers, warc_date

if TYPE_CHECKING:
    from playwright.async_api import Request as PlaywrightRequest
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

#: Target URI prefix of a rendered DOM's resource record.
DOM_PREFIX = "urn:dom:"
DOM_CONTENT_TYPE = "text/html; charset=utf-8"
#: request.meta key: the WarcRef of the page's HTTP document (``meta["warc"]`` is the DOM's).
HTTP_META_KEY = "warc_http"
_DECODED_HEADERS = {"content-encoding", "content-length"}
_NOT_ENCODED = {"", "identity"}


@dataclass
class Exchange:
    """One request and response the browser made, as Playwright reports them."""

    url: str
    method: str
    status: int
    reason: str
    protocol: str
    response_headers: list[tuple[str, str]]
    #: None: Chromium no longer has the body (a redirect's, or the page went away).
    body: bytes | None
    request_headers: list[tuple[str, str]]
    request_body: bytes
    started: datetime
    ip_address: str | None = None
    #: A navigation of the page's main frame (the document or one of its redirects).
    document: bool = False

    def header(self, name: str) -> str | None:
        """The first value of response header ``name`` (any case)."""
        low = name.lower()
        return next((v for n, v in self.response_headers if n.lower() == low), None)

    @property
    def mime(self) -> str:
        """Media type of the response, lower case, without parameters ("" when none)."""
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()


def _wire(value: str) -> str:
    """A header string as bytes-in-latin-1, the form RawHeaders writes byte for byte.

    Playwright gives header text as str; code points above U+00FF can only have come from
    UTF-8 bytes, so those go back to their UTF-8 bytes.
    """
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8").decode("latin-1")
    return value


def _pairs(array: list[dict[str, str]]) -> list[tuple[str, str]]:
    """Playwright's ``headers_array()`` as (name, value) pairs, HTTP/2 pseudo-headers dropped."""
    return [(h["name"], h["value"]) for h in array if not h["name"].startswith(":")]


def _started(timing: dict[str, float] | None) -> datetime:
    """The request's start (Playwright ``timing.startTime``, ms since the epoch), else now."""
    start = (timing or {}).get("startTime") or 0
    if start > 0:
        return datetime.fromtimestamp(start / 1000, UTC)
    return datetime.now(UTC)


async def read_exchange(request: PlaywrightRequest, *, document: bool = False) -> Exchange | None:
    """Everything the archive needs about a finished request (None when it got no response).

    Raises Playwright's ``Error`` when the page or browser went away meanwhile.
    """
    from playwright.async_api import Error as PlaywrightError

    response = await request.response()
    if response is None:
        return None
    try:
        body: bytes | None = await response.body()
    except PlaywrightError:  # "Response body is unavailable for redirect responses", closed page
        body = None
    addr = await response.server_addr()
    version = getattr(response, "http_version", None)  # not in every Playwright release
    return Exchange(
        url=request.url,
        method=request.method,
        status=response.status,
        reason=response.status_text,
        protocol=(await version() if version else None) or "HTTP/1.1",
        response_headers=_pairs(await response.headers_array()),
        body=body,
        request_headers=_pairs(await request.headers_array()),
        request_body=request.post_data_buffer or b"",
        started=_started(request.timing),  # type: ignore[arg-type]
        ip_address=str(addr["ipAddress"]).strip("[]") if addr else None,
        document=document,
    )


def exchange_records(builder: RecordBuilder, ex: Exchange, warcinfo_id: str | None
                     ) -> tuple[ArcWarcRecord, ArcWarcRecord]:
    """The response and request records of one browser exchange (see the module docstring)."""
    coding = (ex.header("Content-Encoding") or "").strip().lower()
    decoded = ex.body is not None and coding not in _NOT_ENCODED
    pairs: list[tuple[str, str]] = []
    for name, value in ex.response_headers:
        low = name.lower()
        if low == "transfer-encoding" or (decoded and low in _DECODED_HEADERS):
            name = "X-Crawler-" + name
        pairs.append((_wire(name), _wire(value)))
    reason = _wire(ex.reason) if ex.reason else reason_phrase(ex.status)
    response_http = RawHeaders(f"{ex.status} {reason}", pairs, protocol=ex.protocol)
    truncated = None
    if ex.body is None and (ex.header("Content-Length") or "").strip() != "0":
        truncated = "unspecified"
    request_http = request_headers(
        ex.method, ex.url,
        [(_wire(n).encode("latin-1"), [_wire(v).encode("latin-1")]) for n, v in ex.request_headers],
        ex.protocol,
    )
    return build_pair(
        builder, url=ex.url, date=ex.started, response_http=response_http,
        response_body=ex.body or b"", request_http=request_http, request_body=ex.request_body,
        ip_address=ex.ip_address, truncated=truncated, warcinfo_id=warcinfo_id,
    )


def dom_record(builder: RecordBuilder, *, url: str, html: bytes, date: datetime,
               concurrent_to: str | None, warcinfo_id: str | None) -> ArcWarcRecord:
    """The ``resource`` record of a rendered DOM (UTF-8 HTML) of the page at ``url``."""
    fields = {"WARC-Date": warc_date(date)}
    if warcinfo_id:
        fields["WARC-Warcinfo-ID"] = warcinfo_id
    if concurrent_to:
        fields["WARC-Concurrent-To"] = concurrent_to
    return builder.create_warc_record(
        DOM_PREFIX + url, "resource", payload=BytesIO(html), length=len(html),
        warc_content_type=DOM_CONTENT_TYPE, warc_headers_dict=fields,
    )


class BrowserArchive:
    """Writes browser exchanges and DOM snapshots through the crawl's WARC rotator.

    ``rotator`` is asked for each write (the WARC extension opens it when the spider
    opens); when it gives None (``WARC_ENABLED`` off) nothing is written.
    """

    def __init__(self, rotator: Callable[[], WarcRotator | None], stats: StatsCollector | None = None
                 ) -> None:
        self._rotator = rotator
        self.stats = stats

    def _count(self, key: str, n: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, n)

    def _write(self, rotator: WarcRotator, records: list[ArcWarcRecord], request_body: bytes = b""
               ) -> list[WarcRef]:
        refs = rotator.write_group(records, request_body=request_body)
        self._count("warc/records", len(refs))
        self._count("warc/bytes", sum(r.length for r in refs))
        return refs

    def write_exchange(self, ex: Exchange) -> WarcRef | None:
        """Archive one exchange; the response record's WarcRef (None when not archiving)."""
        rotator = self._rotator()
        if rotator is None:
            return None
        if urlsplit(ex.url).scheme not in ("http", "https"):
            return None
        resp, req = exchange_records(rotator.builder, ex, rotator.prepare())
        ref = self._write(rotator, [resp, req], ex.request_body)[0]
        self._count("browser/exchanges")
        if ex.body is None and resp.rec_headers.get_header("WARC-Truncated"):
            self._count("browser/body_unavailable")
            logger.debug("Browser exchange archived without its body (Chromium has none): %s", ex.url)
        return ref

    def write_dom(self, *, url: str, html: bytes, concurrent_to: str | None) -> WarcRef | None:
        """Archive a rendered DOM; its WarcRef (None when not archiving)."""
        rotator = self._rotator()
        if rotator is None:
            return None
        record = dom_record(rotator.builder, url=url, html=html, date=datetime.now(UTC),
                            concurrent_to=concurrent_to, warcinfo_id=rotator.prepare())
        ref = self._write(rotator, [record])[0]
        self._count("browser/dom")
        return ref

