"""Dates in Chinese news text and URLs (crawler.zh.dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.zh.dates import TZ, date_from_url, parse_datetime, to_iso

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def sh(*parts: int) -> datetime:
    """A datetime in Asia/Shanghai."""
    return datetime(*parts, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # old nmgnews template: two-digit year, YY-MM-DD
        ("10-07-21 17:18", sh(2010, 7, 21, 17, 18)),
        ("19-07-05 09:44", sh(2019, 7, 5, 9, 44)),
        ("内蒙古新闻网  10-07-21 17:18 打印本页", sh(2010, 7, 21, 17, 18)),
        ("内蒙古新闻网  11-10-14 15:44 【字体:    来源: 新华网  ", sh(2011, 10, 14, 15, 44)),
        ("10-07-21", sh(2010, 7, 21)),
        # 2025 nmgnews / gmw / e-papers
        ("2025年04月16日 10:21", sh(2025, 4, 16, 10, 21)),
        ("2025年4月6日", sh(2025, 4, 6)),
        ("2022年06月02日", sh(2022, 6, 2)),
        ("2022年06月02日10时21分", sh(2022, 6, 2, 10, 21)),
        ("2022年6月2日 10:21:33", sh(2022, 6, 2, 10, 21, 33)),
        ("2022-06-02", sh(2022, 6, 2)),
        ("2022-06-02 10:21:33", sh(2022, 6, 2, 10, 21, 33)),
        ("2016-10-31 09:28:27.0", sh(2016, 10, 31, 9, 28, 27)),
        ("2021/11/30 10:21", sh(2021, 11, 30, 10, 21)),
        ("2025.02.12", sh(2025, 2, 12)),
        ("发布日期:2022-06-02浏览次数:", sh(2022, 6, 2)),
        ("发布时间：2021-11-30", sh(2021, 11, 30)),
        ("发布时间：2021-11-30 10:21", sh(2021, 11, 30, 10, 21)),
        ("《光明日报》（ 2025年02月12日 04版）", sh(2025, 2, 12)),
        ("(2026年07月29日 05版)", sh(2026, 7, 29)),
        ("2025年02月12日 星期三", sh(2025, 2, 12)),
        ("2025年02月12日 星期三 10:21", sh(2025, 2, 12, 10, 21)),
        ("２０２５年２月１２日　１０：２１", sh(2025, 2, 12, 10, 21)),  # full-width
        ("<date>2016-10-31 09:28:27.0</date>", sh(2016, 10, 31, 9, 28, 27)),
        # explicit offsets are converted to Shanghai time
        ("2021-11-30T10:21:00Z", sh(2021, 11, 30, 18, 21)),
        ("2021-11-30T10:21:00+08:00", sh(2021, 11, 30, 10, 21)),
        # forms the patterns do not know go to dateparser (whole string only)
        ("Tue, 30 Nov 2021 10:21:00 +0800", sh(2021, 11, 30, 10, 21)),
        ("November 30, 2021", sh(2021, 11, 30)),
        # the first date wins
        ("2022-06-02 更新 2022-06-03", sh(2022, 6, 2)),
        ("2010年8月14日,兴安盟召开全盟首届“嘎查村书记论坛”", sh(2010, 8, 14)),
        # an invalid date is skipped, the next valid one is used
        ("2022-13-45 / 2022-06-02", sh(2022, 6, 2)),
    ],
)
def test_parse_datetime(text: str, expected: datetime) -> None:
    got = parse_datetime(text)
    assert got == expected
    assert got is not None and got.tzinfo is TZ
    assert to_iso(got) == to_iso(expected)


def test_two_digit_year_string_is_iso() -> None:
    got = parse_datetime("内蒙古新闻网  10-07-21 17:18 打印本页")
    assert got is not None
    assert to_iso(got) == "2010-07-21T17:18:00+08:00"


@pytest.mark.parametrize(
    "text",
    ["2022年06月02日", "2022年6月2日", "《光明日报》（ 2022年06月02日 04版）"],
)
def test_not_current_year_nor_january_first(text: str) -> None:
    """dateutil gives June 2 of the current year, htmldate January 1: we must not."""
    assert parse_datetime(text) == sh(2022, 6, 2)


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("9月26日,全市政协系统反映社情民意信息工作会议召开。", 2023, sh(2023, 9, 26)),
        ("9月26日,全市政协系统反映社情民意信息工作会议召开。", None, None),
        ("11月21日,学习贯彻党的二十大精神自治区宣讲团", 2022, sh(2022, 11, 21)),
        ("9月26日 10:30,会议召开", 2023, sh(2023, 9, 26, 10, 30)),
        ("2月30日,会议召开", 2023, None),
        # a written year wins over the hint
        ("2022年6月15日", 2023, sh(2022, 6, 15)),
    ],
)
def test_year_hint(text: str, hint: int | None, expected: datetime | None) -> None:
    assert parse_datetime(text, year_hint=hint) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2022-13-45",
        "2022-02-30",
        "2022-06-31 10:00",
        "打印本页",
        "今天",  # dateparser answers "now" for this even in strict mode
        "昨天 10:21",
        "联系方式:0471--4811341、4811342、4811343。",
        "通报了2023年1—8月份全市政协系统信息报送及采纳情况。",
        "阅读量超过10万人次",
        "第2023期",
    ],
)
def test_parse_datetime_none(text: str) -> None:
    assert parse_datetime(text) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://inews.nmgnews.com.cn/system/2010/07/21/010437585.shtml", date(2010, 7, 21)),
        ("/system/2010/07/21/010437585.shtml", date(2010, 7, 21)),
        ("https://inews.nmgnews.com.cn/system/2025/01/16/030087913.shtml", date(2025, 1, 16)),
        ("https://politics.gmw.cn/2021-11/30/content_35349192.htm", date(2021, 11, 30)),
        ("gmw.cn/2021-11/30/content_35349192.htm", date(2021, 11, 30)),
        ("http://szb.northnews.cn/nmgrb/html/2022-05/26/content_36559_181692.htm", date(2022, 5, 26)),
        ("html/2022-05/26/content_36559_181692.htm", date(2022, 5, 26)),
        ("https://epaper.gmw.cn/gmrb/html/layout/202309/26/node_01.html", date(2023, 9, 26)),
        ("layout/202309/26/node_01.html", date(2023, 9, 26)),
        ("content/202309/26/content_123.html", date(2023, 9, 26)),
        ("../../../content/202309/26/content_123.html", date(2023, 9, 26)),
        ("https://epaper.gmw.cn/gmrb/html/2025-02/12/nw.D110000gmrb_20250212_4-01.htm", date(2025, 2, 12)),
        ("nw.D110000gmrb_20250212_4-01.htm", date(2025, 2, 12)),
        ("nw.D110000gmrb_20250212_4-01.htm?div=-1", date(2025, 2, 12)),
        ("/2025-02/12/nbs.D110000gmrb_01.htm", date(2025, 2, 12)),
        ("https://epaper.gmw.cn/gmrb/html/2025-02/12/nbs.D110000gmrb_01.htm?t=2", date(2025, 2, 12)),
        # mirror farms and fx361 copies: /page/YYYY/MMDD/N.shtml
        ("http://victorzhang.cn/page/2014/1124/1462726.shtml", date(2014, 11, 24)),
        ("http://www.wlcbnews.com/epaper/20230928/a01.html", date(2023, 9, 28)),
    ],
)
def test_date_from_url(url: str, expected: date) -> None:
    assert date_from_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://politics.gmw.cn/node_9840.htm",
        "https://politics.gmw.cn/node_9840_2.htm",
        "https://epaper.gmw.cn/gmrb/html/layout/index.html",
        "https://inews.nmgnews.com.cn/nmgxw/",
        "https://x.example/content_20120512.htm",  # an id, not a date
        "https://x.example/a.htm?t=20250212",  # query strings are ignored
        "https://x.example/system/2022/13/45/0123.shtml",  # no such date
        "http://pic1.nmgnews.com.cn/0/10/79/69/10796924_452800.jpg",
        "http://x.example/page/2014/1340/1.shtml",  # MMDD 1340 is no date
        "",
    ],
)
def test_date_from_url_none(url: str) -> None:
    assert date_from_url(url) is None


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (sh(2010, 7, 21, 17, 18), "2010-07-21T17:18:00+08:00"),
        (datetime(2010, 7, 21, 17, 18), "2010-07-21T17:18:00+08:00"),  # naive = Shanghai
        (datetime(2021, 11, 30, 2, 21, tzinfo=UTC), "2021-11-30T10:21:00+08:00"),
        (datetime(2021, 11, 30, 23, 30, tzinfo=UTC), "2021-12-01T07:30:00+08:00"),
        (
            datetime(2021, 11, 30, 10, 21, 5, 999999, tzinfo=timezone(timedelta(hours=8))),
            "2021-11-30T10:21:05+08:00",
        ),
    ],
)
def test_to_iso(dt: datetime, expected: str) -> None:
    assert to_iso(dt) == expected


# --------------------------------------------------------------------------- seeds


def seed_lines(prefix: str) -> list[str]:
    """The lines of a seed page."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8").splitlines()


def test_seed_001_old_nmgnews_dateline() -> None:
    line = next(line for line in seed_lines("001") if "打印本页" in line)
    assert to_iso(parse_datetime(line)) == "2010-07-21T17:18:00+08:00"


def test_seed_004_old_nmgnews_dateline() -> None:
    line = next(line for line in seed_lines("004") if "【字体" in line)
    assert to_iso(parse_datetime(line)) == "2011-10-14T15:44:00+08:00"


def test_seed_004_caption_date() -> None:
    line = next(line for line in seed_lines("004") if line.startswith("2010年"))
    assert parse_datetime(line) == sh(2010, 8, 14)


def test_seed_000_mirror_dateline() -> None:
    """The traditional + pinyin mirror text still has an ASCII date."""
    line = next(line for line in seed_lines("000") if "2022-06-02" in line)
    assert "(" in line  # 發(fā)布日期: the pinyin artefact is there
    assert parse_datetime(line) == sh(2022, 6, 2)


def test_seed_003_datelines_take_the_issue_year() -> None:
    lines = [line for line in seed_lines("003") if line.startswith("本报讯")]
    got = [parse_datetime(line, year_hint=2023) for line in lines]
    assert got == [
        sh(2023, 9, 26),
        sh(2023, 9, 27),
        sh(2023, 9, 27),
        sh(2023, 9, 27),
        sh(2023, 9, 26),
        None,  # 本报讯(记者 云娜 …)兴和县…: no date in the paragraph
    ]
    assert [parse_datetime(line) for line in lines] == [None] * 6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # every form of the issue, timezone-aware
        ("10-07-21 17:18", "2010-07-21T17:18:00+08:00"),
        ("2025年04月16日 10:21", "2025-04-16T10:21:00+08:00"),
        ("2022-06-02", "2022-06-02T00:00:00+08:00"),
        ("《光明日报》（ 2025年02月12日 04版）", "2025-02-12T00:00:00+08:00"),
        ("2016-10-31 09:28:27.0", "2016-10-31T09:28:27+08:00"),  # Founder enpproperty <date>
        ("2023-06-02T02:21:00Z", "2023-06-02T10:21:00+08:00"),
    ],
)
def test_issue_forms(text: str, expected: str) -> None:
    assert to_iso(parse_datetime(text)) == expected
