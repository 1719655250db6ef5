"""E-paper edition labels (crawler.zh.edition)."""

from __future__ import annotations

import pytest

from crawler.zh.edition import Edition, parse_edition


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("《光明日报》（ 2025年02月12日 04版）", Edition("2025-02-12", "04", None)),
        ("(2026年07月29日 05版)", Edition("2026-07-29", "05", None)),
        ("第05版：冰点周刊", Edition(None, "05", "冰点周刊")),
        ("05版：冰点周刊", Edition(None, "05", "冰点周刊")),
        ("第01版:要闻", Edition(None, "01", "要闻")),
        ("第１版：要闻", Edition(None, "01", "要闻")),  # full-width digit
        ("2023年9月8日 第3版", Edition("2023-09-08", "03", None)),
    ],
)
def test_parse_edition(text: str, expected: Edition) -> None:
    assert parse_edition(text) == expected


@pytest.mark.parametrize("text", ["", "版权所有", "2025年02月12日 星期三", "出版社", "第五版"])
def test_parse_edition_none(text: str) -> None:
    assert parse_edition(text) is None
