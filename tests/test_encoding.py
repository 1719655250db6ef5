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


def test_a_few_bad_bytes_in_utf8_are_a_flagged_near_miss() -> None:
    body = _page(TEXT * 20).encode("utf-8")
    body = body.replace("安华祎".encode(), b"\xe5\xae" + b"\xff" + "华祎".encode(), 1)
    result = decode_html(body, "text/html; charset=utf-8")
    assert (result.charset, result.lossy) == ("utf-8", True)
    assert "2 undecodable" in result.reason  # the cut-off 安 and the stray byte
    assert result.text.count("\ufffd") == 2 and looks_garbled(result.text)


def test_a_few_bad_bytes_in_gbk_are_a_flagged_near_miss() -> None:
    body = _page(TEXT * 20, "gbk").encode("gbk") + b"\x81"  # a lead byte cut off at the end
    result = decode_html(body, "text/html; charset=gbk")
    assert (result.charset, result.lossy) == ("gb18030", True)
    assert TEXT in result.text


def test_big5_as_declared() -> None:
    text = "內蒙古創先爭優活動激活基層黨組織建設"
    result = decode_html(_page(text, "big5").encode("big5"), "text/html; charset=big5")
    assert (result.charset, result.lossy) == ("big5", False)
    assert text in result.text


def test_undeclared_garbage_is_never_silent() -> None:
    """Bytes no charset decodes cleanly end flagged lossy, or at least visibly garbled."""
    body = bytes(range(0x80, 0x100)) * 8
    result = decode_html(body, None)
    assert result.lossy or looks_garbled(result.text)


@pytest.mark.parametrize(
    "garbled",
    [
        "锟斤拷锟斤拷",  # U+FFFD written as UTF-8, read as GBK
        TEXT.encode("utf-8").decode("gbk", "ignore") * 2,  # UTF-8 read as GBK: rare characters
        "å†…è’™å¤æ–°é—»ç½‘",
    ],
)
def test_garbled_forms(garbled: str) -> None:
    assert looks_garbled(garbled)


def test_common_share() -> None:
    from crawler.encoding import common_share

    assert common_share(TEXT * 3) > 0.8  # 祎 镕 喆 are rare on purpose
    assert common_share("內蒙古創先爭優活動激活基層黨組織建設") > 0.9  # traditional counts as simplified
    assert common_share("abc") == 1.0
    assert common_share(TEXT.encode("utf-8").decode("gbk", "ignore")) < 0.6
    assert not looks_garbled("阿拉腾苏和、达布希拉图、额尔敦巴雅尔、乌力吉图、那仁满都拉、宝音德力格尔")
