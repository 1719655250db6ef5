"""Bylines, sources, organisations and editors (crawler.zh.credits)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.zh.credits import Credits, credit_line, extract_credits, parse_editor, parse_source
from crawler.zh.text import normalize_paragraph, strip_boilerplate

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
NMG = ("内蒙古新闻网",)
BODY = "会议强调,要加大对社情民意信息工作的支持力度。"


def seed_paragraphs(prefix: str, *, by: str) -> list[str]:
    """Normalised non-empty paragraphs of a seed, split by line or by blank line."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    text = path.read_text(encoding="utf-8")
    parts = text.split("\n") if by == "line" else re.split(r"\n\s*\n", text)
    return [p for p in (normalize_paragraph(part) for part in parts) if p]


# --------------------------------------------------------------------------- Credits


def test_credits_defaults() -> None:
    c = Credits()
    assert (c.authors, c.correspondents, c.organisation, c.source, c.editor) == ([], [], None, None, None)
    assert c.empty
    assert Credits().authors is not c.authors  # no shared default list


def test_credits_merge() -> None:
    a = Credits(authors=["李璟"], source="内蒙古日报")
    b = Credits(
        authors=["李璟", "张三"],
        correspondents=["兰玉山"],
        organisation="自治区党委政法委",
        source="新华网",
        editor="安华祎",
    )
    assert a.merge(b) is a
    assert a == Credits(
        authors=["李璟", "张三"],
        correspondents=["兰玉山"],
        organisation="自治区党委政法委",
        source="内蒙古日报",  # what is known is kept
        editor="安华祎",
    )
    assert not a.empty
    a.merge(Credits(correspondents=["兰玉山", "田礼军"]))
    assert a.correspondents == ["兰玉山", "田礼军"]


# --------------------------------------------------------------------------- parse_source


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("来源: 新华网", "新华网"),
        ("来源：内蒙古日报", "内蒙古日报"),
        ("(来源:光明日报)", "光明日报"),
        ("（来源：光明日报）", "光明日报"),
        ("来源：光明日报", "光明日报"),  # text of 来源：<a>光明日报</a>
        ("来源：<a>光明日报</a>", "光明日报"),
        ("来源：《光明日报》", "光明日报"),
        ("据《内蒙古日报》", "内蒙古日报"),
        ("(据《内蒙古日报》)", "内蒙古日报"),
        ("据新华社电", "新华社"),
        ("内蒙古新闻网  10-07-21 17:18 打印本页 【字体:    来源: 内蒙古新闻网", "内蒙古新闻网"),
        ("内蒙古新闻网  11-10-14 15:44 【字体:    来源: 新华网  ", "新华网"),
        ("2021-11-30 10:21 来源：光明日报 作者：张三", "光明日报"),
        ("稿件来源：人民网", "人民网"),
        ("来源: 内蒙古新闻网|责任编辑: 赵静", "内蒙古新闻网"),
    ],
)
def test_parse_source(text: str, expected: str) -> None:
    assert parse_source(text) == expected


@pytest.mark.parametrize("text", ["", "来源：", "今天天气好", "打印本页 【字体:", "作者：陆健 刘习"])
def test_parse_source_none(text: str) -> None:
    assert parse_source(text) is None


# --------------------------------------------------------------------------- parse_editor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[责任编辑 安华祎 ]", "安华祎"),
        ("[责任编辑：安华祎]", "安华祎"),
        ("责任编辑: 赵静", "赵静"),
        ("责编：张三", "张三"),
        ("[责编：张三 李四]", "张三 李四"),
        ("[责编：张三　　李四]", "张三 李四"),
        ("【责任编辑：张三、李四】", "张三 李四"),
        ("责任编辑：张三 校对：李四", "张三"),
        ("(责任编辑：阿拉腾·苏和)", "阿拉腾·苏和"),
    ],
)
def test_parse_editor(text: str, expected: str) -> None:
    assert parse_editor(text) == expected


@pytest.mark.parametrize("text", ["", "[责任编辑 ]", "来源：新华网", "编辑部的故事。"])
def test_parse_editor_none(text: str) -> None:
    assert parse_editor(text) is None


# --------------------------------------------------------------------------- extract_credits


@pytest.mark.parametrize(
    ("paragraphs", "expected_text", "expected"),
    [
        # 本报讯(…) datelines
        (
            ["本报讯(记者 李璟 通讯员 兰玉山 田礼军)9月26日,全市召开会议。"],
            ["9月26日,全市召开会议。"],
            Credits(authors=["李璟"], correspondents=["兰玉山", "田礼军"]),
        ),
        (
            ["本报讯(实习生 郝师鹏)9月26日,全市政协系统反映社情民意信息工作会议召开。"],
            ["9月26日,全市政协系统反映社情民意信息工作会议召开。"],
            Credits(authors=["郝师鹏"]),
        ),
        (
            ["本报讯（记者 云娜 通讯员 连冠华）兴和县县委巡察机构探索总结巡察经验做法。"],
            ["兴和县县委巡察机构探索总结巡察经验做法。"],
            Credits(authors=["云娜"], correspondents=["连冠华"]),
        ),
        (
            ["本报讯 记者 王锦鹏 9月27日,市生态环境局召开新闻发布会。"],
            ["9月27日,市生态环境局召开新闻发布会。"],
            Credits(authors=["王锦鹏"]),
        ),
        (
            ["本报讯(记者张三、李四)近日,全市召开会议。"],
            ["近日,全市召开会议。"],
            Credits(authors=["张三", "李四"]),
        ),
        # other datelines keep place and date, lose the byline
        (
            ["新华社呼和浩特9月26日电（记者 张云龙）近日,全区召开会议。"],
            ["新华社呼和浩特9月26日电 近日,全区召开会议。"],
            Credits(authors=["张云龙"]),
        ),
        # bylines on their own line(s)
        (
            ["□本报记者 李璟", "通讯员 兰玉山 田礼军", BODY],
            [BODY],
            Credits(authors=["李璟"], correspondents=["兰玉山", "田礼军"]),
        ),
        (
            ["□本报记者 李璟\n通讯员 兰玉山 田礼军", BODY],
            [BODY],
            Credits(authors=["李璟"], correspondents=["兰玉山", "田礼军"]),
        ),
        (
            ["□本报记者 李璟 通讯员 方进东", BODY],
            [BODY],
            Credits(authors=["李璟"], correspondents=["方进东"]),
        ),
        (["作者：陆健 刘习", BODY], [BODY], Credits(authors=["陆健", "刘习"])),
        (["作者：陆健，刘习", BODY], [BODY], Credits(authors=["陆健", "刘习"])),
        (["文/图 本报记者 张三", BODY], [BODY], Credits(authors=["张三"])),
        (
            [BODY, "记者 阿拉腾·苏和 达布希拉图 摄"],
            [BODY],
            Credits(authors=["阿拉腾·苏和", "达布希拉图"]),
        ),
        (
            ["本报记者 李璟 通讯员 方进东 报道", BODY],
            [BODY],
            Credits(authors=["李璟"], correspondents=["方进东"]),
        ),
        # bracketed bylines at the end / start of a paragraph
        (
            ["推动了创先争优活动向纵深开展。(内蒙古新闻网 安华祎 通讯员 王立国)"],
            ["推动了创先争优活动向纵深开展。"],
            Credits(authors=["安华祎"], correspondents=["王立国"]),
        ),
        (
            ["推动了创先争优活动向纵深开展。(新华网 安华祎)"],
            ["推动了创先争优活动向纵深开展。"],
            Credits(authors=["安华祎"]),  # suffix 网: an affiliation, not a name
        ),
        (["形成长效机制。(记者张云龙)"], ["形成长效机制。"], Credits(authors=["张云龙"])),
        (["形成长效机制。（记者 张云龙 王强）"], ["形成长效机制。"], Credits(authors=["张云龙", "王强"])),
        (["形成长效机制。(新华社记者 王五 摄)"], ["形成长效机制。"], Credits(authors=["王五"])),
        (["(记者 张云龙)近日,全区召开会议。"], ["近日,全区召开会议。"], Credits(authors=["张云龙"])),
        (
            ["形成长效机制。(记者 张云龙)(责任编辑：赵静)"],
            ["形成长效机制。"],
            Credits(authors=["张云龙"], editor="赵静"),
        ),
        # contributing organisation
        ([BODY, "(自治区党委政法委供稿)"], [BODY], Credits(organisation="自治区党委政法委")),
        ([BODY, "自治区党委政法委供稿"], [BODY], Credits(organisation="自治区党委政法委")),
        (
            ["营造浓厚氛围。(自治区党委政法委供稿)"],
            ["营造浓厚氛围。"],
            Credits(organisation="自治区党委政法委"),
        ),
        ([BODY, "本文由自治区党委政法委供稿"], [BODY], Credits(organisation="自治区党委政法委")),
        # staff lines: editor kept, 校对/审核 dropped with the line
        ([BODY, "编辑：张三 校对：李四 审核：王五"], [BODY], Credits(editor="张三")),
        ([BODY, "【责任编辑：张三】"], [BODY], Credits(editor="张三")),
        # a credit line inside a multi-line paragraph
        ([BODY + "\n(记者 张三)"], [BODY], Credits(authors=["张三"])),
        (
            ["本报讯\u3000记者\u3000张三\u30009月26日,全市召开会议。"],
            ["9月26日,全市召开会议。"],
            Credits(authors=["张三"]),
        ),
        # sources
        ([BODY, "(据《内蒙古日报》)"], [BODY], Credits(source="内蒙古日报")),
        ([BODY, "据《内蒙古日报》"], [BODY], Credits(source="内蒙古日报")),
        ([BODY, "(来源:光明日报)"], [BODY], Credits(source="光明日报")),
        (["来源：新华网", BODY], [BODY], Credits(source="新华网")),
        (["提供了权威辅导。(据《内蒙古日报》)"], ["提供了权威辅导。"], Credits(source="内蒙古日报")),
        # editors
        ([BODY, "[责任编辑 安华祎 ]"], [BODY], Credits(editor="安华祎")),
        ([BODY, "责编：张三"], [BODY], Credits(editor="张三")),
        ([BODY, "[责编：张三 李四]"], [BODY], Credits(editor="张三 李四")),
        # several labelled fields on one line
        (
            ["来源：新华网 作者：张三 责任编辑：李四", BODY],
            [BODY],
            Credits(authors=["张三"], source="新华网", editor="李四"),
        ),
        # outlet names given by the caller are affiliations
        (
            [BODY + "(北方新报 张三)"],
            [BODY],
            Credits(authors=["张三"]),
        ),
    ],
)
def test_extract_credits(paragraphs: list[str], expected_text: list[str], expected: Credits) -> None:
    text, credits = extract_credits(paragraphs, outlet_names=(*NMG, "北方新报"))
    assert text == expected_text
    assert credits == expected


@pytest.mark.parametrize(
    "paragraph",
    [
        "记者从发布会上获悉，第二轮中央生态环境保护督察期间，我市共接收督察组交办信访举报案件33批182件。",
        "记者了解到,创先争优活动以来,内蒙古积极探索服务群众和党的建设的新方法、新途径。",
        "记者手记",
        "记者来到现场",
        "记者了解到",
        "发布我市就第二轮中央生态环境保护督察问题整改情况,并回答记者提问。",
        "市政协副主席赵利国出席会议。",
        "呼和浩特讯 11月21日,学习贯彻党的二十大精神自治区宣讲团到乌兰察布市。",
        "本报讯 9月26日,全市召开会议。",
        "正文（下转第二版）",
        "(一)加强组织领导。",
        "市政协主席张三(左)与李四交谈",
        "(张三 李四)",
        "编辑部",
        "作者简介：张三，内蒙古大学教授。",
        "以强化组织领导为切入点,让党建宣传“力量足”",
        "凡本网注明“来源:内蒙古新闻网”的所有作品,版权均属于内蒙古新闻网。",
        "## 市生态环境局召开新闻发布会",
        "据介绍,今年以来全市共办理提案129件。",
    ],
)
def test_sentences_are_not_credits(paragraph: str) -> None:
    text, credits = extract_credits([paragraph], outlet_names=NMG)
    assert text == [paragraph]
    assert credits == Credits()


def test_untouched_paragraphs_are_returned_as_given() -> None:
    paragraphs = ["  莫旗在深入开展创先争优活动中突出“快、广、严、实”。", "第二段\n第二行"]
    assert extract_credits(paragraphs)[0] == paragraphs


def test_empty_input() -> None:
    assert extract_credits([]) == ([], Credits())


# --------------------------------------------------------------------------- seeds


def test_seed_001_trailing_byline_and_editor() -> None:
    paragraphs = strip_boilerplate(seed_paragraphs("001", by="line"))
    assert paragraphs[-1] == "[责任编辑 安华祎 ]"
    text, credits = extract_credits(paragraphs, outlet_names=NMG)
    assert credits == Credits(authors=["安华祎"], correspondents=["王立国"], editor="安华祎")
    assert text == [*paragraphs[:-2], paragraphs[-2].removesuffix("(内蒙古新闻网 安华祎 通讯员 王立国)")]
    assert text[-1].endswith("激活了企业的发展动力。")
    assert len(text) == 6


def test_seed_004_reprint_byline() -> None:
    paragraphs = strip_boilerplate(seed_paragraphs("004", by="line"))
    text, credits = extract_credits(paragraphs, outlet_names=NMG)
    assert credits == Credits(authors=["张云龙"], editor="赵静")
    assert text[-1].endswith("自觉发挥作用的长效机制。")
    # 记者了解到,… is a sentence of the article and stays
    assert any(p.startswith("记者了解到,创先争优活动以来") for p in text)
    assert len(text) == len(paragraphs) - 1


def test_seed_002_source_and_contributor() -> None:
    paragraphs = seed_paragraphs("002", by="blank")
    first_end = paragraphs.index("(据《内蒙古日报》)")
    one, c1 = extract_credits(paragraphs[: first_end + 1])
    two, c2 = extract_credits(paragraphs[first_end + 1 :])
    assert c1 == Credits(source="内蒙古日报")
    assert c2 == Credits(organisation="自治区党委政法委")
    assert one == paragraphs[:first_end]
    assert two == paragraphs[first_end + 1 : -1]
    # the 呼和浩特讯 dateline is not a byline
    assert one[2].startswith("呼和浩特讯 11月21日,")


def test_seed_003_bylines() -> None:
    paragraphs = seed_paragraphs("003", by="blank")
    text, credits = extract_credits(paragraphs)
    assert credits.authors == ["郝师鹏", "李璟", "王锦鹏", "杨晓娜", "张晓晨", "云娜"]
    assert credits.correspondents == ["方进东", "兰玉山", "田礼军", "梁旭明", "孙丽娜", "连冠华"]
    assert (credits.organisation, credits.source, credits.editor) == (None, None, None)
    assert not any("本报记者" in p or p.startswith(("本报讯", "通讯员")) for p in text)
    assert "9月26日,全市政协系统反映社情民意信息工作会议召开。" in text
    assert any(p.startswith("兴和县县委巡察机构探索总结巡察经验做法,创新思路举措") for p in text)
    # 记者从发布会上获悉… and …回答记者提问。 stay untouched
    assert any(p.startswith("记者从发布会上获悉,第二轮") for p in text)
    assert any(p.endswith("并回答记者提问。") for p in text)
    # the four copies of the 化德县 byline are removed, the body is not
    removed = len(paragraphs) - len(text)
    assert removed == 4 + 2  # 4 byline paragraphs + 2 □ bylines of other articles


def test_seed_000_mirror_after_repair() -> None:
    """The mirror's last line, once simplified and without pinyin, gives the source."""
    from opencc import OpenCC

    line = seed_paragraphs("000", by="line")[-1]
    assert line == "(來(lái)源:光明日?qǐng)?bào))"
    # the annotations of 報 broke the GBK bytes (outlets.md §10): 日?qǐng)?bào) is 日報
    repaired = re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)", "", line.replace("日?qǐng)?bào)", "日報"))
    simplified = OpenCC("t2s").convert(repaired)
    assert simplified == "(来源:光明日报)"
    assert extract_credits(["正文。", simplified]) == (["正文。"], Credits(source="光明日报"))


# --------------------------------------------------------------------------- gaps closed later


@pytest.mark.parametrize(
    ("paragraph", "expected_text", "expected"),
    [
        # datelines without brackets: 本报讯 goes, other datelines stay
        ("呼和浩特讯 记者 张三 11月21日,学习贯彻。", "呼和浩特讯 11月21日,学习贯彻。",
         Credits(authors=["张三"])),
        ("新华社呼和浩特9月26日电 记者 张云龙 近日,全区召开会议。",
         "新华社呼和浩特9月26日电 近日,全区召开会议。", Credits(authors=["张云龙"])),
        ("呼和浩特讯 记者 张三 通讯员 李四 王五 近日,学习贯彻。", "呼和浩特讯 近日,学习贯彻。",
         Credits(authors=["张三"], correspondents=["李四", "王五"])),
        # the name glued to the story's first date or time word, or followed by a comma
        ("本报讯 记者 王锦鹏9月27日,市生态环境局召开新闻发布会。", "9月27日,市生态环境局召开新闻发布会。",
         Credits(authors=["王锦鹏"])),
        ("本报讯 记者 王锦鹏，近日,市生态环境局召开新闻发布会。", "近日,市生态环境局召开新闻发布会。",
         Credits(authors=["王锦鹏"])),
        ("本报讯 记者 王锦鹏 通讯员 高娃日前,全市召开会议。", "日前,全市召开会议。",
         Credits(authors=["王锦鹏"], correspondents=["高娃"])),
        # undotted names over six characters, right after a role word
        ("本报讯(记者 苏和巴特尔朝鲁)9月26日,全市召开会议。", "9月26日,全市召开会议。",
         Credits(authors=["苏和巴特尔朝鲁"])),
        ("形成长效机制。（记者 张三 额尔敦巴雅尔图）", "形成长效机制。",
         Credits(authors=["张三", "额尔敦巴雅尔图"])),
        # Latin names, parts joined
        ("形成长效机制。(记者 Tom Smith 张三)", "形成长效机制。", Credits(authors=["Tom Smith", "张三"])),
        ("形成长效机制。(作者：Jean-Luc Martin)", "形成长效机制。", Credits(authors=["Jean-Luc Martin"])),
    ],
)
def test_datelines_and_names(paragraph: str, expected_text: str, expected: Credits) -> None:
    text, credits = extract_credits([paragraph], outlet_names=NMG)
    assert (text, credits) == ([expected_text], expected)


@pytest.mark.parametrize(
    "paragraph",
    [
        # a long run of Han characters is not a name unless a role word stands before it
        "本报讯 自治区党委政法委员会 9月26日,全市召开会议。",
        "形成长效机制。(自治区党委政法委员会)",
        # a long "name" that ends like an organisation
        "形成长效机制。(记者 呼和浩特市赛罕区委)",
        # a byline never ends with a role word, nor is cut before one
        "形成长效机制。(记者 张三 通讯员)",
        "本报讯 记者 苏和巴特尔朝鲁 通讯员 自治区党委政法委 9月26日",
        # Latin words that are not after a role word
        "形成长效机制。(Tom Smith)",
        "本报讯 据 Reuters 报道,全市召开会议。",
    ],
)
def test_long_and_latin_tokens_need_a_role(paragraph: str) -> None:
    assert extract_credits([paragraph], outlet_names=NMG) == ([paragraph], Credits())


def test_credit_line() -> None:
    assert credit_line("(据《内蒙古日报》)") == Credits(source="内蒙古日报")
    assert credit_line("□本报记者 李璟\n通讯员 兰玉山 田礼军") == Credits(
        authors=["李璟"], correspondents=["兰玉山", "田礼军"])
    assert credit_line("(自治区党委政法委供稿)") == Credits(organisation="自治区党委政法委")
    assert credit_line("□本报记者 李璟\n近年来,化德县始终把党建宣传作为服务决策。") is None
    assert credit_line("市政协副主席赵利国出席会议。") is None
    assert credit_line("") is None
