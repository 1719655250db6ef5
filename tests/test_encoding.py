"""Charset decisions on the lies Chinese sites tell."""

from __future__ import annotations

import pytest

from crawler.encoding import decode_html, looks_garbled

TEXT = "内蒙古新闻网：王立国、安华祎报道，朱镕基、张喆。"


def _page(body: str, meta: str | None = None) -> str:
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={meta}">' if meta else ""
    return f"<html><head>{head}</head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize(
    ("body", "ctype", "charset", "reason_part"),
    [
        (_page(TEXT).encode("utf-8"), "text/html", "utf-8", "no declaration"),
        (_page(TEXT, "gb2312").encode("utf-8"), "text/html", "utf-8", "meta tag says gb2312"),
        (_page(TEXT).encode("gb18030"), "text/html; charset=utf-8", "gb18030", "not UTF-8"),
        (_page(TEXT, "gb2312").encode("gb18030"), "text/html; charset=gb2312", "gb18030", "superset"),
        (_page(TEXT, "gbk").encode("gbk"), "text/html", "gb18030", "meta tag declares gbk"),
        (_page(TEXT).encode("gb18030"), None, "gb18030", "no declaration"),
        (b"\xef\xbb\xbf" + _page(TEXT).encode("utf-8"), "text/html; charset=gbk", "utf-8", "byte-order mark"),
    ],
)
def test_decode(body: bytes, ctype: str | None, charset: str, reason_part: str) -> None:
    result = decode_html(body, ctype)
    assert result.charset == charset
    assert reason_part in result.reason
    assert TEXT in result.text
    assert not result.lossy
    assert not looks_garbled(result.text)


def test_chars_outside_gb2312_survive_a_gb2312_label() -> None:
    body = _page("张喆 朱镕基 安华祎", "gb2312").encode("gb18030")
    result = decode_html(body, "text/html; charset=gb2312")
    assert "张喆 朱镕基 安华祎" in result.text


def test_undecodable_bytes_are_flagged_not_hidden() -> None:
    body = _page(TEXT).encode("utf-8")[:-40] + b"\xff\xfe\xfd\x81" + b"</p></body></html>"
    result = decode_html(body, "text/html; charset=utf-8")
    assert result.lossy or looks_garbled(result.text) or result.charset not in ("utf-8",)


def test_garbled_detection() -> None:
    assert looks_garbled("å†…è’™å¤æ–°é—»ç½‘")  # UTF-8 read as cp1252
    assert looks_garbled("内蒙古\ufffd新闻")
    assert not looks_garbled(TEXT)
