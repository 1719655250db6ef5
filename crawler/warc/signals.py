"""Signals of the WARC writer, and what they carry.

``warc_written`` is sent (``send_catch_log``) after the records of one download are
written and flushed, with ``written`` (a :class:`Written`), ``response``, ``request`` and
``spider``. The capture recorder (crawler/store/captures.py) listens to it: whatever it
records points at bytes already in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crawler.warc.files import WarcRef

warc_written = object()

IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


@dataclass(frozen=True)
class Written:
    """The records of one download: a response (or revisit) and its request."""

    url: str
    date: datetime                 # WARC-Date of both records (the fetch start)
    status: int
    record_type: str               # "response" or "revisit"
    ref: WarcRef                   # the response or revisit record
    request_ref: WarcRef
    payload_digest: str | None     # sha1:BASE32 of the payload (a 304: the original's)
    profile: str | None = None     # revisit profile
    refers_to: str | None = None   # record id of a revisit's original
    truncated: str | None = None
