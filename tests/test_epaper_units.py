"""The Founder e-paper base without a crawl: date arguments, editions, page names, body cleanup,
continuation joining, credit lines and ads, and the family parsers on the mock pages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from crawler.epaper import CLASSIC, NBS_NW, PC_LAYOUT
from crawler.epaper.assemble import Part, assemble
from crawler.epaper.cleanup import clean_body, continuation, not_a_story
from crawler.epaper.dates import MAX_DAYS, DateArgumentError, issue_dates, today_in_china
from crawler.epaper.model import split_page_name
from crawler.extract.body import body_paragraphs
from crawler.items import Article
from spiders.gmrb import GmrbSpider
from spiders.nmgrb import NmgrbSpider
from spiders.wlcbrb import WlcbrbSpider
from tests.conftest import OUTLETS

TODAY = date(2024, 2, 29)
PAPERS = ("gmrb", "nmgrb", "wlcbrb", "btrb", "hhhtrb", "whrb")

# -- date arguments ----------------------------------------------------------------------------


def test_default_is_today_in_shanghai() -> None:
    assert issue_dates(today=TODAY) == [TODAY]
    before = today_in_china()
    days = WlcbrbSpider().days
    assert len(days) == 1 and days[0] in {before, today_in_china()}  # a run across midnight sees either


def test_one_date_and_a_list() -> None:
    assert issue_dates("2023-09-28", today=TODAY) == [date(2023, 9, 28)]
    assert issue_dates("2026-03-12, 2022-06-02,2022-06-02", today=TODAY) == [
        date(2022, 6, 2), date(2026, 3, 12)]


def test_range_is_inclusive_and_until_defaults_to_today() -> None:
    assert issue_dates(since="2023-09-27", until="2023-09-29", today=TODAY) == [
        date(2023, 9, 27), date(2023, 9, 28), date(2023, 9, 29)]
    assert issue_dates(since="2024-02-27", today=TODAY) == [date(2024, 2, 27), date(2024, 2, 28), TODAY]
    assert issue_dates(since="2024-02-29", until="2024-02-29", today=TODAY) == [TODAY]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"date_arg": "2023-13-01"}, "date='2023-13-01' is not a date: expected YYYY-MM-DD"),
    ({"date_arg": "2023-09-28,28/09/2023"}, "date='28/09/2023' is not a date: expected YYYY-MM-DD"),
    ({"date_arg": " , "}, "date=' , ' names no date"),
    ({"since": "yesterday"}, "since='yesterday' is not a date: expected YYYY-MM-DD"),
    ({"since": "2023-09-01", "until": "2023-9-31"}, "until='2023-9-31' is not a date"),
    ({"until": "2023-09-01"}, "until='2023-09-01' needs since=YYYY-MM-DD"),
    ({"date_arg": "2023-09-01", "since": "2023-09-01"}, "date cannot be combined with since/until"),
    ({"since": "2023-09-29", "until": "2023-09-27"}, "since=2023-09-29 is after until=2023-09-27"),
    ({"since": "2002-01-01", "until": "2023-01-01"}, f"spans 7671 days, more than {MAX_DAYS}"),
])
def test_bad_date_arguments_name_the_argument(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(DateArgumentError) as err:
        issue_dates(**kwargs, today=TODAY)
    assert message in str(err.value)
    with pytest.raises(DateArgumentError):  # the spider refuses them the same way
        WlcbrbSpider(**{("date" if k == "date_arg" else k): v for k, v in kwargs.items()})


# -- editions and URLs -------------------------------------------------------------------------


def test_gmrb_template_is_chosen_by_date() -> None:
    spider = GmrbSpider(date="2025-12-31,2026-01-01")
    old, new = (spider.edition_for(d) for d in spider.days)
    assert old.family is NBS_NW and new.family is PC_LAYOUT
    assert old.first_page_url(date(2025, 12, 31)) == \
        "https://epaper.gmw.cn/gmrb/html/2025-12/31/nbs.D110000gmrb_01.htm"
    assert new.first_page_url(date(2026, 1, 1)) == "https://epaper.gmw.cn/gmrb/html/layout/202601/01/node_01.html"


def test_entry_pages_of_the_other_families() -> None:
    nmgrb = NmgrbSpider(date="2022-11-22")
    assert nmgrb.edition_for(nmgrb.days[0]).first_page_url(nmgrb.days[0]) == \
        "https://szb.northnews.cn/nmgrb/html/2022-11/22/node_1.htm"
    wlcb = WlcbrbSpider(date="2023-09-28")
    assert wlcb.edition_for(wlcb.days[0]).first_page_url(wlcb.days[0]) == \
        "http://60.31.144.235:29280/paper/pc/layout/202309/28/node_01.html"


@pytest.mark.parametrize(("label", "parsed"), [
    ("第01版：要闻", ("01", "要闻")), ("01版：要闻", ("01", "要闻")), ("第5版:头版", ("05", "头版")),
    ("第A3版 国际", ("A3", "国际")), ("第12版", ("12", None)), ("本版责编：张慧", None), ("要闻", None),
])
def test_page_names(label: str, parsed: tuple[str, str | None] | None) -> None:
    assert split_page_name(label) == parsed


# -- story bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "marks"), [
    ("……以及市政协常（下转02版）", ("02", None)),
    ("（上接01版）委及委员代表就社情民意信息报送工作进行了经验交流发言。", (None, "01")),
    ("(上接第1版) 委及委员……(转第 4 版)", ("04", "01")),
    ("会议强调，要加大支持力度（详见第3版）。", (None, None)),
])
def test_continuation_marks(text: str, marks: tuple[str | None, str | None]) -> None:
    assert continuation(text) == marks


@pytest.mark.parametrize(("title", "kind"), [
    ("本版责编：张慧", "credit"), ("本版编辑 王燕 美编 赵磊", "credit"), ("责任编辑：李娜", "credit"),
    ("广告", "ad"), ("公益广告", "ad"), ("广告 2", "ad"),
    ("虚假广告害人不浅", None), ("编辑部的故事", None), ("市政协副主席赵利国出席会议", None),
])
def test_credit_lines_and_ads_are_not_stories(title: str, kind: str | None) -> None:
    assert not_a_story(title) == kind


LEAD = "近年来，化德县始终把党建宣传作为服务决策、推动工作的有力抓手，扎实推进党建宣传工作再上新台阶。"
HEAD = "以强化组织领导为切入点，让党建宣传“力量足”"
BODY = "把党建宣传工作纳入年度工作重点，与业务工作同谋划、同安排、同推进，营造浓厚氛围。"


def _clean(html: str, titles: tuple[str | None, ...] = ()) -> list[str]:
    out = clean_body(Selector(html).css("founder-content")[0], titles=titles, outlet_names=("乌兰察布日报",))
    paragraphs, layer = body_paragraphs(out)
    assert layer == "trafilatura"  # a whole document: trafilatura reads it (it rejects bare fragments)
    return paragraphs


def test_clean_body_drops_marks_title_repeats_and_a_leading_copy() -> None:
    copy = f"<p>{LEAD}</p><p>{HEAD}</p><p>{BODY}</p>"
    html = (f"<founder-content><p>{HEAD}</p><p>{BODY}</p><p>强化正面宣传引导,化德县——</p>"
            f"<p>让党建宣传接地气聚人气</p><p>□本报记者 李璟</p><p>通讯员 兰玉山 田礼军</p>{copy}"
            f"<p>□本报记者 李璟</p><p>通讯员 兰玉山 田礼军</p>{copy}<p>（下转03版）</p></founder-content>")
    assert _clean(html, ("让党建宣传接地气聚人气", "强化正面宣传引导,化德县——")) == [
        "□本报记者 李璟", "通讯员 兰玉山 田礼军", LEAD, HEAD, BODY,
        "□本报记者 李璟", "通讯员 兰玉山 田礼军", LEAD, HEAD, BODY]


def test_clean_body_keeps_a_story_whose_byline_ends_it() -> None:
    html = f"<founder-content><p>（上接01版）{LEAD}</p><p>{BODY}</p><p>（记者 李璟）</p></founder-content>"
    assert _clean(html) == [LEAD, BODY, "（记者 李璟）"]


# -- continued stories -------------------------------------------------------------------------


def _part(title: str, page: str, order: int, url: str, to: str | None = None, frm: str | None = None) -> Part:
    art = Article(url=url, outlet="wlcbrb", title=title, pages=[url], body_html=[f"<p>{url}</p>"],
                  page_number=page)
    return Part(art, page, order, to, frm)


def test_parts_are_joined_by_marks_and_by_title() -> None:
    parts = [
        _part("全市政协系统反映社情民意 信息工作会议召开", "01", 0, "a1", to="02"),
        _part("市生态环境局召开新闻发布会", "01", 1, "b1", to="03"),
        _part("市国资系统举办意识形态工作专题培训会", "01", 2, "c1"),
        _part("全市政协系统反映社情民意信息工作会议召开", "02", 0, "a2", frm="01"),  # spaced differently
        _part("另一个标题", "03", 0, "b2", frm="01"),  # no same title on page 03: the 上接01版 mark
        _part("市国资系统举办意识形态工作专题培训会", "03", 1, "c2"),  # no marks: same title
        _part("图片新闻", "02", 1, "d1"), _part("图片新闻", "03", 2, "d2"),  # short titles stay apart
    ]
    articles, joined = assemble(parts)
    assert joined == 3
    assert [a.pages for a in articles] == [["a1", "a2"], ["b1", "b2"], ["c1", "c2"], ["d1"], ["d2"]]
    assert articles[0].body_html == ["<p>a1</p>", "<p>a2</p>"]
    assert all(a.flags == [] for a in articles)


def test_a_part_whose_other_half_is_missing_is_kept_and_flagged() -> None:
    articles, joined = assemble([_part("甲乙丙丁戊己庚", "01", 0, "a1", to="02"),
                                 _part("辛壬癸子丑寅卯", "03", 0, "x3", frm="02")])
    assert joined == 0
    assert [(a.pages, a.flags) for a in articles] == [(["a1"], ["incomplete-pages"]),
                                                      (["x3"], ["incomplete-pages"])]


# -- family parsers on the mock pages ------------------------------------------------------------


def _mock_page(outlet: str, url: str) -> HtmlResponse:
    site = json.loads((OUTLETS / outlet / "site.json").read_text(encoding="utf-8"))
    route = next(r for r in site["routes"] if r["url"] == url)
    body = (OUTLETS / outlet / route["file"]).read_bytes()
    return HtmlResponse(url=url, body=body, headers=dict(route["headers"]), encoding="gb18030"
                        if outlet == "hhhtrb" else "utf-8")


@pytest.mark.parametrize(("outlet", "family", "url", "pages", "pdf", "stories"), [
    ("nmgrb", CLASSIC, "https://szb.northnews.cn/nmgrb/html/2022-11/22/node_44871.htm", 3,
     "http://szb.northnews.cn/nmgrb/resfile/2022-11-22/01/nmgrb2022112201.pdf", 3),
    ("hhhtrb", CLASSIC, "http://szb.saibeinews.com.cn/rb/page/2024-09/10/node_3.htm", 2,
     "http://szb.saibeinews.com.cn/rb/resfile/2024-09-10/02/hhhtrb2024091002.pdf", 2),
    ("gmrb", NBS_NW, "https://epaper.gmw.cn/gmrb/html/2022-06/02/nbs.D110000gmrb_02.htm", 3,
     "https://epaper.gmw.cn/gmrb/images/2022-06/02/02/gmrb2022060202.pdf", 3),
    ("gmrb", PC_LAYOUT, "https://epaper.gmw.cn/gmrb/html/layout/202603/12/node_01.html", 2,
     "http://epaper.gmw.cn/gmrb/html/images/202603/12/01/gmrb2026031201.pdf", 3),
    ("wlcbrb", PC_LAYOUT, "http://60.31.144.235:29280/paper/pc/layout/202309/28/node_03.html", 4,
     "http://60.31.144.235:29280/paper/pc/images/202309/28/03/wlcbrb2023092803.pdf", 6),
])
def test_page_readers(outlet: str, family: object, url: str, pages: int, pdf: str, stories: int) -> None:
    info = family.read_page(_mock_page(outlet, url))  # type: ignore[attr-defined]
    assert info is not None
    assert len(info.links) == pages and info.links[0].number == "01"
    assert info.pdf == pdf
    assert info.image is not None and info.image.endswith("_b.jpg")
    assert len(info.articles) == stories  # hot-zone areas repeat list entries and are not counted twice


def test_story_reader_keeps_kicker_title_subtitle_byline_and_pictures_apart() -> None:
    url = "https://szb.northnews.cn/nmgrb/html/2022-11/22/content_44871_197491.htm"
    fields = CLASSIC.read_article(_mock_page("nmgrb", url))
    assert fields is not None
    assert (fields.kicker, fields.title, fields.subtitle, fields.byline) == (
        "学习宣传贯彻党的二十大精神", "全区各地掀起学习宣传贯彻热潮", "基层宣讲进社区进嘎查进企业",
        "本报记者 李国萍")
    assert [(i.url, i.caption) for i in fields.images] == [(
        "https://szb.northnews.cn/nmgrb/resfile/2022-11-22/01/1788344_an_1669038306992_s.jpg",
        "11月20日，正蓝旗乌兰牧骑队员在嘎查为农牧民宣讲。 本报记者 王磊 摄")]
    assert fields.published_raw == "2022-11-21 21:10:07.0"
    assert "11月20日" not in fields.body.get()  # the caption is outside the body


def test_readers_say_none_for_foreign_markup() -> None:
    page = HtmlResponse(url="http://60.31.144.235:29280/paper/pc/content/202310/10/content_1.html",
                        body="<html><body><h1>标题</h1><p>正文</p></body></html>".encode(), encoding="utf-8")
    for family in (CLASSIC, NBS_NW, PC_LAYOUT):
        assert family.read_article(page) is None
        assert family.read_page(page) is None


def test_every_expected_json_has_the_article_fields_the_spider_fills() -> None:
    keys = ["url", "outlet", "title", "kicker", "subtitle", "section", "edition_date", "page_number",
            "page_name", "published_at", "source", "is_reprint", "authors", "correspondents", "organisation",
            "editor", "text", "images", "pages"]
    for outlet in PAPERS:
        files = sorted(Path(OUTLETS / outlet / "expected").glob("*.json"))
        assert files, outlet
        for path in files:
            assert list(json.loads(path.read_text(encoding="utf-8"))) == keys, path


# -- one story without a crawl (scrapy extract, replay) ------------------------------------------

def _spider(outlet: str) -> type:
    import importlib

    module = importlib.import_module(f"spiders.{outlet}")
    return next(v for v in vars(module).values() if getattr(v, "name", None) == outlet)


def _fetcher(outlet: str, fetched: list[str]):
    site = json.loads((OUTLETS / outlet / "site.json").read_text(encoding="utf-8"))
    routes = {r["url"]: r for r in site["routes"]}

    def fetch(url: str) -> HtmlResponse | None:
        fetched.append(url)
        route = routes.get(url.split("?")[0])
        if route is None or route.get("status", 200) != 200:
            return None
        return HtmlResponse(url=url, body=(OUTLETS / outlet / route["file"]).read_bytes(),
                            headers=dict(route["headers"]))

    return fetch


EXPECTED = sorted((outlet, p) for outlet in PAPERS for p in (OUTLETS / outlet / "expected").glob("*.json"))


@pytest.mark.parametrize(("outlet", "path"), EXPECTED, ids=[f"{o}-{p.stem}" for o, p in EXPECTED])
def test_a_story_read_alone_equals_the_crawled_article(outlet: str, path: Path) -> None:
    from crawler.extract.article import finish

    expected = json.loads(path.read_text(encoding="utf-8"))
    spider = _spider(outlet)
    fetched: list[str] = []
    fetch = _fetcher(outlet, fetched)
    assert spider.handles(expected["url"])
    article = spider.extract_page(fetch(expected["url"]), fetch)
    assert article is not None
    finish(article, outlet_names=spider.outlet_names)
    got = {"images": [{"url": i.url, "caption": i.caption} for i in article.images]}
    for key, value in expected.items():
        assert got.get(key, getattr(article, key)) == value, key


def test_alone_a_continued_part_credit_line_or_page_is_not_an_article() -> None:
    base = "http://60.31.144.235:29280/paper/pc"
    fetch = _fetcher("wlcbrb", [])
    for sid in ("16506", "16505", "16516"):  # continued part, credit line, advertisement
        assert WlcbrbSpider.extract_page(fetch(f"{base}/content/202309/28/content_{sid}.html"), fetch) is None
    assert not WlcbrbSpider.handles(f"{base}/layout/202309/28/node_01.html")
    assert not WlcbrbSpider.handles(f"{base}/images/202309/28/01/wlcbrb2023092801.pdf")
    assert not WlcbrbSpider.handles("http://example.com/paper/pc/content/202309/28/content_16501.html")
    head = WlcbrbSpider.extract_page(fetch(f"{base}/content/202309/28/content_16501.html"))  # no fetch
    assert head is not None
    assert (head.pages, head.flags, head.page_number, head.page_name, head.editor) == (
        [f"{base}/content/202309/28/content_16501.html"], ["incomplete-pages"], "01", "要闻", None)
