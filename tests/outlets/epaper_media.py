"""Small valid files for the e-paper mocks: one-page PDFs and flat-colour baseline JPEGs."""

from __future__ import annotations

import struct
import zlib


def pdf(label: str) -> bytes:
    """A valid one-page PDF (empty A4 page) whose document title is ``label`` (ASCII)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Title (" + label.encode("ascii") + b") /Producer (epaper_build) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def jpeg(width: int, height: int, seed: str) -> bytes:
    """A valid baseline JPEG of one flat colour chosen from ``seed`` (sizes multiples of 8).

    Written by hand (as in nmgnews/build.py) so the bytes never depend on an imaging
    library's version: DC-only blocks, quantiser 1, a 4-bit canonical DC code.
    """
    crc = zlib.crc32(seed.encode("utf-8"))
    r, g, b = (crc >> 16) & 0xFF, (crc >> 8) & 0xFF, crc & 0xFF
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    colour = [8 * (round(v) - 128) for v in (y, cb, cr)]
    bits: list[int] = []
    pred = [0, 0, 0]
    for _block in range((height // 8) * (width // 8)):
        for c in range(3):
            diff, pred[c] = colour[c] - pred[c], colour[c]
            cat = abs(diff).bit_length()
            bits += [int(x) for x in f"{cat:04b}"]
            if cat:
                value = diff if diff > 0 else diff + (1 << cat) - 1
                bits += [int(x) for x in f"{value:0{cat}b}"]
            bits.append(0)  # AC: end of block
    bits += [1] * (-len(bits) % 8)
    data = bytes(int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits), 8))
    data = data.replace(b"\xff", b"\xff\x00")

    def seg(marker: int, payload: bytes) -> bytes:
        return struct.pack(">HH", 0xFF00 | marker, len(payload) + 2) + payload

    comps = b"".join(bytes([c, 0x11, 0]) for c in (1, 2, 3))
    dht = bytes([0x00]) + bytes([0, 0, 0, 12] + [0] * 12) + bytes(range(12))
    dht += bytes([0x10]) + bytes([1] + [0] * 15) + b"\x00"
    return (
        b"\xff\xd8"
        + seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + seg(0xDB, b"\x00" + b"\x01" * 64)
        + seg(0xC0, struct.pack(">BHHB", 8, height, width, 3) + comps)
        + seg(0xC4, dht)
        + seg(0xDA, b"\x03\x01\x00\x02\x00\x03\x00\x00\x3f\x00")
        + data
        + b"\xff\xd9"
    )
