"""Turn an archived HTTP payload into the body and headers a Scrapy response gets.

Our writer stores bodies de-chunked (and renames the header); other tools (warcprox,
pywb, wget on a chunked answer) store the chunks. Those are de-chunked here. Content
encodings (gzip, deflate, br) are left to Scrapy's HttpCompressionMiddleware, exactly
as in a live crawl; but an encoding the body does not actually have (a tool that
stored the decoded body under ``Content-Encoding: gzip``) is renamed away, so the
middleware does not fail on it.
"""

from __future__ import annotations

import gzip
import io
import logging
import zlib

from warcio.bufferedreaders import ChunkedDataReader
from warcio.statusandheaders import StatusAndHeaders

logger = logging.getLogger(__name__)

ARCHIVED_PREFIX = "X-Archived-"


def dechunk(payload: bytes) -> bytes:
    """The payload without chunked transfer coding (unchanged if it is not chunked)."""
    reader = ChunkedDataReader(io.BytesIO(payload), raise_exceptions=False)
    out = io.BytesIO()
    while chunk := reader.read(1 << 16):
        out.write(chunk)
    return out.getvalue()


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data)
    except zlib.error:
        return zlib.decompress(data, -15)


def decode_body(body: bytes, header: str) -> bytes:
    """``body`` with the codings of a Content-Encoding header value undone (last applied first)."""
    for coding in reversed([c.strip().lower() for c in header.split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip"):
            body = gzip.decompress(body)
        elif coding == "deflate":
            body = _inflate(body)
        elif coding == "br":
            import brotli

            body = brotli.decompress(body)
    return body


def _decodes(body: bytes, encoding: str) -> bool:
    """Whether ``body`` really is in ``encoding`` (unknown encodings are assumed so)."""
    try:
        if encoding in ("gzip", "x-gzip"):
            gzip.decompress(body)
        elif encoding == "deflate":
            _inflate(body)
        elif encoding == "br":
            import brotli

            brotli.decompress(body)
        else:
            return True
    except Exception:
        return False
    return True


def scrapy_reads_brotli() -> bool:
    """Whether Scrapy's HttpCompressionMiddleware can decode ``br`` in this environment.

    pywb depends on brotlipy, whose ``brotli`` package shadows Google's Brotli module and
    lacks the streaming ``Decompressor.process`` Scrapy calls: br bodies then fail there.
    """
    try:
        from scrapy.utils._compression import brotli
    except ImportError:
        return False
    return hasattr(brotli.Decompressor(), "process")


def _values(http: StatusAndHeaders, name: str) -> list[str]:
    return [v for k, v in http.headers if k.lower() == name]


def http_body(shown: StatusAndHeaders, stored: StatusAndHeaders, payload: bytes
              ) -> tuple[list[tuple[str, str]], bytes]:
    """Headers (from ``shown``) and body of a replayed response.

    ``stored`` are the headers the payload was archived with (the same as ``shown``
    except for a revisit, whose payload is its original's).
    """
    body = payload
    if any("chunked" in v.lower() for v in _values(stored, "transfer-encoding")):
        body = dechunk(payload)
    encodings = [e.strip().lower() for v in _values(stored, "content-encoding") for e in v.split(",")
                 if e.strip() and e.strip().lower() != "identity"]
    honest = all(_decodes(body, e) for e in reversed(encodings)) if len(encodings) == 1 else True
    decoded_here = honest and encodings == ["br"] and not scrapy_reads_brotli()
    if decoded_here:
        import brotli

        body = brotli.decompress(body)
    headers: list[tuple[str, str]] = []
    for name, value in shown.headers:
        low = name.lower()
        if low in ("transfer-encoding", "content-encoding"):
            continue
        headers.append((name, value))
    for value in _values(stored, "transfer-encoding"):
        headers.append((ARCHIVED_PREFIX + "Transfer-Encoding", value))
    for value in _values(stored, "content-encoding"):
        shown_as = "Content-Encoding" if honest and not decoded_here else ARCHIVED_PREFIX + "Content-Encoding"
        headers.append((shown_as, value))
    if not honest:
        logger.warning("Archived body is not %s as its Content-Encoding says; replayed as is",
                       ", ".join(encodings))
    return headers, body
