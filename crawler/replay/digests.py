"""Payload digests in every form tools write them, reduced to one comparable form.

warcio and Heritrix write ``sha1:BASE32``; warcprox writes hex by default; Browsertrix
and Zeno write ``sha256:…``; ArchiveWeb.page labels revisits ``sha-256:``; some write
base64. Revisits are matched to their originals by digest, so all must compare equal.
"""

from __future__ import annotations

import base64
import binascii
import re

_SIZES = {"sha1": 20, "sha256": 32, "sha512": 64, "md5": 16}
_HEX = re.compile(r"^[0-9a-fA-F]+$")


def normalize_digest(value: str | None) -> str | None:
    """``algo:BASE32`` of a digest header value, or None when it cannot be read."""
    if not value or ":" not in value:
        return None
    label, _, text = value.strip().partition(":")
    algo = label.strip().lower().replace("-", "")
    text = text.strip()
    size = _SIZES.get(algo)
    if size is None or not text:
        return None
    raw: bytes | None = None
    if len(text) == size * 2 and _HEX.match(text):
        raw = bytes.fromhex(text)
    else:
        for decode in (_b32, _b64):
            try:
                candidate = decode(text)
            except (binascii.Error, ValueError):
                continue
            if len(candidate) == size:
                raw = candidate
                break
    if raw is None:
        return None
    return f"{algo}:{base64.b32encode(raw).decode('ascii')}"


def _b32(text: str) -> bytes:
    text = text.upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _b64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_" if "-" in text or "_" in text
                            else None, validate=True)
