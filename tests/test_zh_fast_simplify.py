"""The fast path of crawler.zh.mirror.simplify gives exactly what OpenCC's t2s gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import encoding
from crawler.encoding import common_share, decode_html
from crawler.extract import body
from crawler.zh import mirror

TESTS = Path(__file__).parent
PAGE_SUFFIXES = {".html", ".htm", ".shtml", ".json", ".txt", ".xml"}


def full_t2s(text: str) -> str:
    """OpenCC's conversion without the fast path."""
    return mirror._t2s().convert(text)  # type: ignore[attr-defined]


def page_lines() -> list[str]:
    """Every non-blank line of every test page (outlets, generic pages, corpus)."""
    lines = []
    for directory in ("outlets", "generic_pages", "corpus"):
        for path in sorted((TESTS / directory).rglob("*")):
            if path.is_file() and path.suffix in PAGE_SUFFIXES:
                text = decode_html(path.read_bytes()).text
                lines.extend(line for line in text.splitlines() if line.strip())
    return lines


def test_triggers_are_read_from_opencc() -> None:
    triggers = mirror.t2s_triggers()
    assert triggers is not None and len(triggers) > 1000
    assert "國" in triggers and "们" not in triggers


def test_fast_path_equals_t2s_on_every_test_page_line() -> None:
    lines = page_lines()
    assert len(lines) > 5000
    differ = [line for line in lines if mirror.simplify(line) != full_t2s(line)]
    assert differ == []
    # Most lines are simplified Chinese, so the fast path is what is measured.
    triggers = mirror.t2s_triggers()
    assert triggers is not None
    skipped = sum(triggers.isdisjoint(line) for line in lines)
    assert skipped > 0.8 * len(lines)


def test_separators_split_as_opencc_does() -> None:
    """One character set for OpenCC's alternation of single separators: the same pieces."""
    own = mirror._t2s().split_chars_re  # type: ignore[attr-defined]
    fast = mirror._separators()
    assert fast is not own  # OpenCC's pattern still has the form the set is made from
    every = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000)
    for text in [every, " ".join(every), "中".join(every), "　 \t，。 ——\n", *page_lines()]:
        assert fast.split(text) == own.split(text)


def test_long_pieces_are_converted_without_being_kept() -> None:
    """A piece longer than the cache takes (a hostile page without separators) is converted alike."""
    long = "劉延東會見國務院發展研究中心" * 60  # 840 characters, no separator
    mirror._convert_piece.cache_clear()
    assert mirror.simplify(long) == full_t2s(long) and "国务院" in mirror.simplify(long)
    assert mirror._convert_piece.cache_info().currsize == 0
    short = "劉延東會見，國務院"
    assert mirror.simplify(short) == full_t2s(short)
    assert mirror._convert_piece.cache_info().currsize == 2


def test_fast_path_equals_t2s_on_every_dictionary_key() -> None:
    converter = mirror._t2s()
    keys = [key for group in converter._dict_chain_data for *_, table in group for key in table]  # type: ignore[attr-defined]
    assert len(keys) > 4000
    differ = [key for key in keys if mirror.simplify(key) != full_t2s(key)]
    assert differ == []


@pytest.mark.parametrize(("text", "expected"), [
    ("内蒙古自治区", "内蒙古自治区"),
    ("集團概況", "集团概况"),
    ("劉延東會見", "刘延东会见"),
    ("", ""),
])
def test_simplify(text: str, expected: str) -> None:
    assert mirror.simplify(text) == expected


def test_common_share_counts_level1_characters() -> None:
    assert common_share("内蒙古新闻网") == 1.0
    assert common_share("abc") == 1.0
    # 鏂伴椈 is 新闻 (UTF-8 bytes) read as GBK: rare characters.
    assert common_share("鏂伴椈缃戝唴钂欏彜") < 0.6


def test_without_opencc_tables_the_full_conversion_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mirror, "t2s_triggers", lambda: None)
    assert mirror.simplify("集團") == "集团"
    assert mirror.simplify("内蒙古") == "内蒙古"


def test_fast_path_equals_t2s_on_whole_pages() -> None:
    for directory in ("outlets", "generic_pages", "corpus"):
        for path in sorted((TESTS / directory).rglob("*")):
            if path.is_file() and path.suffix in PAGE_SUFFIXES:
                text = decode_html(path.read_bytes()).text
                assert mirror.simplify(text) == full_t2s(text), path


def _reference_common_share(text: str) -> float:
    """crawler.encoding.common_share as first written: a loop over characters."""
    han = [c for c in mirror.simplify(text) if "\u3400" <= c <= "\u9fff"]
    if not han:
        return 1.0
    level1 = mirror.gb2312_level1()
    return sum(c in level1 for c in han) / len(han)


def _reference_is_traditional(text: str) -> bool:
    """crawler.zh.mirror.is_traditional without its early return for unchanged text."""
    changed = sum(a != b for a, b in zip(text, mirror.simplify(text), strict=False))
    han = mirror.han_count(text)
    return (changed >= mirror.TRADITIONAL_MIN_CHARS and han > 0
            and changed / han >= mirror.TRADITIONAL_MIN_SHARE)


def _reference_looks_garbled(text: str) -> bool:
    """crawler.encoding.looks_garbled as first written: a loop over characters."""
    if encoding._MOJIBAKE.search(text) or encoding._KUNJINKAO in text:  # type: ignore[attr-defined]
        return True
    han = sum("\u3400" <= c <= "\u9fff" for c in text)
    return han >= encoding._COMMON_MIN_HAN and _reference_common_share(text) < encoding.COMMON_MIN_SHARE  # type: ignore[attr-defined]


def test_counts_in_c_equal_the_loops_they_replace_on_every_test_page() -> None:
    lines = page_lines()
    texts = ["\n".join(lines), *lines, "鏂伴椈缃戝唴钂欏彜" * 5, "劉延東會見" * 10]
    for text in texts:
        assert common_share(text) == _reference_common_share(text), text[:80]
        assert mirror.is_traditional(text) == _reference_is_traditional(text), text[:80]
        assert encoding.looks_garbled(text) == _reference_looks_garbled(text), text[:80]
        han = sum("\u3400" <= c <= "\u4dbf" or "\u4e00" <= c <= "\u9fff" for c in text)
        assert body._han(text) == mirror.han_count(text) == han  # type: ignore[attr-defined]
    assert encoding.looks_garbled("鏂伴椈缃戝唴钂欏彜" * 5) and mirror.is_traditional("劉延東會見" * 10)
