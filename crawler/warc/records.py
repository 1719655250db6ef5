"""Build WARC request/response records from what Scrapy downloaded.

warcio builds and serialises the records; we only assemble the HTTP blocks so that
they say what went over the wire (see shared/ARCHIVE.md, "What a correct WARC
writer must do").
"""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from io import BytesIO
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date

#: Headers never archived: they carry the crawler's proxy credentials, not the exchange.
PRIVATE_REQUEST_HEADERS = {b"proxy-authorization", b"proxy-connection"}
#: The body we get is de-chunked by the HTTP client; a record must not claim otherwise.
TRANSFER_HEADERS = {b"transfer-encoding"}


class RawHeaders(StatusAndHeaders):
    """Status line and headers serialised byte for byte.

    warcio percent-encodes non-ASCII header bytes (``to_ascii_bytes``); an archive must
    keep them as sent (GBK file names in Content-Disposition, for example). Header
    bytes are carried as latin-1 strings, so encoding back gives the original bytes.
    """

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        """Serialise without re-encoding: latin-1 maps each char back to its byte."""
        self.headers_buff = self.to_str(None).encode("latin-1") + b"\r\n"


def _latin1(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def reason_phrase(status: int) -> str:
    """The standard reason phrase (Scrapy does not keep the server's own)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def warc_date(moment: datetime) -> str:
    """WARC 1.1 date with microseconds, UTC."""
    return datetime_to_iso_date(moment.replace(tzinfo=None), use_micros=True)


def response_headers(
    status: int, protocol: str | None, headers: list[tuple[bytes, list[bytes]]]
) -> RawHeaders:
    """HTTP response status line and every header value, repeated ones included."""
    pairs: list[tuple[str, str]] = []
    for name, values in headers:
        key = _latin1(name)
        if name.lower() in TRANSFER_HEADERS:
            key = "X-Crawler-" + key
        pairs.extend((key, _latin1(v)) for v in values)
    statusline = f"{status} {reason_phrase(status)}"
    return RawHeaders(statusline, pairs, protocol=protocol or "HTTP/1.1")


def request_headers(
    method: str, url: str, headers: list[tuple[bytes, list[bytes]]], protocol: str | None
) -> RawHeaders:
    """Request line with path and query string, Host first, then the sent headers."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    pairs = [("Host", parts.netloc)]
    for name, values in headers:
        if name.lower() in PRIVATE_REQUEST_HEADERS or name.lower() == b"host":
            continue
        pairs.extend((_latin1(name), _latin1(v)) for v in values)
    return RawHeaders(f"{method} {target} {protocol or 'HTTP/1.1'}", pairs, is_http_request=True)


def common_fields(date: datetime, warcinfo_id: str | None) -> dict[str, str]:
    """The WARC fields both records of one exchange carry: its date and the file's warcinfo."""
    common: dict[str, str] = {"WARC-Date": warc_date(date)}
    if warcinfo_id:
        common["WARC-Warcinfo-ID"] = warcinfo_id
    return common


def request_record(builder: RecordBuilder, url: str, *, common: dict[str, str], concurrent_to: ArcWarcRecord,
                   request_http: RawHeaders, request_body: bytes) -> ArcWarcRecord:
    """The request record of an exchange, linked to its response (or revisit) by Concurrent-To."""
    fields = dict(common)
    fields["WARC-Concurrent-To"] = concurrent_to.rec_headers.get_header("WARC-Record-ID")
    return builder.create_warc_record(
        url, "request", payload=BytesIO(request_body), length=len(request_body),
        http_headers=request_http, warc_headers_dict=fields,
    )


def build_pair(
    builder: RecordBuilder,
    *,
    url: str,
    date: datetime,
    response_http: RawHeaders,
    response_body: bytes,
    request_http: RawHeaders,
    request_body: bytes,
    ip_address: str | None = None,
    truncated: str | None = None,
    warcinfo_id: str | None = None,
) -> tuple[ArcWarcRecord, ArcWarcRecord]:
    """A response record and its request record: same date, linked by Concurrent-To."""
    common = common_fields(date, warcinfo_id)
    resp_fields = dict(common)
    if ip_address:
        resp_fields["WARC-IP-Address"] = ip_address
    if truncated:
        resp_fields["WARC-Truncated"] = truncated
    response = builder.create_warc_record(
        url, "response", payload=BytesIO(response_body), length=len(response_body),
        http_headers=response_http, warc_headers_dict=resp_fields,
    )
    return response, request_record(builder, url, common=common, concurrent_to=response,
                                    request_http=request_http, request_body=request_body)
