"""Revisit records: a page fetched again unchanged is archived without its payload.

Two WARC 1.1 profiles (shared/ARCHIVE.md §8):

* ``identical-payload-digest``: a 2xx whose payload digest equals that of an earlier
  complete response record of the same URL. The record keeps the current HTTP headers,
  drops the body (``WARC-Truncated: length``) and carries ``WARC-Payload-Digest``.
* ``server-not-modified``: a 304 answer to a conditional request (crawler/middlewares/
  conditional.py); the record holds the 304's headers.

Both name the original with ``WARC-Refers-To`` (record id), ``WARC-Refers-To-Target-URI``
and ``WARC-Refers-To-Date``, so replay finds it in any file (crawler/replay/archive.py).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord

from crawler.warc.records import RawHeaders, common_fields, request_record, warc_date

#: request.meta key: the earlier capture a conditional request was made against (an
#: :class:`Original`); a 304 answer is archived as a revisit of it.
CONDITIONAL_META = "warc_conditional"
#: request.meta key: True when the store had no capture of the URL as the request left
#: (crawler/middlewares/conditional.py looked), so the WARC writer need not look for an
#: earlier identical payload (one store transaction less per new page). A capture of the
#: same URL written meanwhile only means this page is archived in full, which is valid.
FIRST_CAPTURE_META = "warc_first_capture"


@dataclass(frozen=True)
class Original:
    """The record a revisit refers to."""

    record_id: str
    url: str
    date: datetime
    payload_digest: str | None


def payload_digest(body: bytes) -> str:
    """``sha1:BASE32`` of a payload, as warcio writes ``WARC-Payload-Digest``."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def build_revisit_pair(
    builder: RecordBuilder,
    *,
    url: str,
    date: datetime,
    profile: str,
    original: Original,
    digest: str | None,
    response_http: RawHeaders,
    request_http: RawHeaders,
    request_body: bytes,
    ip_address: str | None = None,
    warcinfo_id: str | None = None,
) -> tuple[ArcWarcRecord, ArcWarcRecord]:
    """A revisit record (headers only) and its request record: same date, Concurrent-To."""
    common = common_fields(date, warcinfo_id)
    fields = dict(common)
    if ip_address:
        fields["WARC-IP-Address"] = ip_address
    fields["WARC-Profile"] = profile
    fields["WARC-Refers-To"] = original.record_id
    fields["WARC-Refers-To-Target-URI"] = original.url
    fields["WARC-Refers-To-Date"] = warc_date(original.date)
    if digest:
        fields["WARC-Payload-Digest"] = digest
    if profile.endswith("/identical-payload-digest"):
        fields["WARC-Truncated"] = "length"
    revisit = builder.create_warc_record(url, "revisit", http_headers=response_http, warc_headers_dict=fields)
    return revisit, request_record(builder, url, common=common, concurrent_to=revisit,
                                   request_http=request_http, request_body=request_body)
