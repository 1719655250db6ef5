"""Body text repair (crawler.zh.text): spacing, boilerplate, repeats, broken lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.zh.text import dedupe_blocks, mend_broken_lines, normalize_paragraph, strip_boilerplate

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
LONG_A = "把党建宣传工作纳入年度工作重点,与业务工作同谋划、同安排、同推进。"
LONG_B = "严格党建宣传信息工作管理链条,以完善的制度机制提升党建信息质量。"
LONG_C = "坚持每月召开一次信息研判例会,组织骨干信息员分析工作形势,提炼特色亮点。"


def seed_paragraphs(prefix: str, *, by: str) -> list[str]:
    """Normalised non-empty paragraphs of a seed, split by line or by blank line."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    text = path.read_text(encoding="utf-8")
    parts = text.split("\n") if by == "line" else re.split(r"\n\s*\n", text)
    return [p for p in (normalize_paragraph(part) for part in parts) if p]


def joined(paragraphs: list[str], *pairs: tuple[str, str]) -> list[str]:
    """``paragraphs`` with each paragraph ending in ``end`` joined to the next one."""
    out = list(paragraphs)
    for end, start in pairs:
        (i,) = [k for k, p in enumerate(out[:-1]) if p.endswith(end) and out[k + 1].startswith(start)]
        out[i : i + 2] = [out[i] + out[i + 1]]
    return out


# --------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u3000\u3000莫旗在深入开展创先争优活动。\xa0 ", "莫旗在深入开展创先争优活动。"),
        ("  莫旗在深入开展创先争优活动。", "莫旗在深入开展创先争优活动。"),
        ("□本报记者 李璟  ", "□本报记者 李璟"),
        ("记者  李璟\u3000\u3000通讯员\xa0兰玉山\t田礼军", "记者 李璟 通讯员 兰玉山 田礼军"),
        ("系统阐述深入解读 迅速掀起宣讲热潮", "系统阐述深入解读 迅速掀起宣讲热潮"),
        ("我们 ，一起 。", "我们，一起。"),
        ("让党建宣传“ 力量足 ”", "让党建宣传“力量足”"),
        ("（ 2025年02月12日 04版）", "（2025年02月12日 04版）"),
        (
            "Copyright  ©  2005-2009   内蒙古新闻网 All Rights Reserved.",
            "Copyright © 2005-2009 内蒙古新闻网 All Rights Reserved.",
        ),
        ("□本报记者 李璟  \n  通讯员 兰玉山 田礼军", "□本报记者 李璟\n通讯员 兰玉山 田礼军"),
        ("第一行\r\n\r\n第二行", "第一行\n第二行"),
        ("\ufeff正文\u200b内容", "正文内容"),
        ("  \u3000 ", ""),
        ("", ""),
    ],
)
def test_normalize_paragraph(raw: str, expected: str) -> None:
    assert normalize_paragraph(raw) == expected


# --------------------------------------------------------------------------- boilerplate


@pytest.mark.parametrize(
    "line",
    [
        "您当前的位置 :专题 > 时政会议专题 > 内蒙古创先争优活动 > 创先争优进行时 正文",
        "当前位置：首页 > 新闻 > 正文",
        "首页 > 内蒙古新闻 > 正文",
        "内蒙古新闻网  10-07-21 17:18 打印本页 【字体:    来源: 内蒙古新闻网",
        "打印本页",
        "【字体: 大 中 小】",
        "【关闭】",
        "转播到腾讯微博",
        "分享到：",
        "首页 - 内蒙古新闻 - 国内 - 国际 - 文化 - 教育 - 旅游 - 美食 加入收藏 | 设为首页",
        "网站介绍 | 广告服务 | 网站律师 | 诚聘英才 | 联系方式 | 网站地图",
        "Copyright © 2005-2009 内蒙古新闻网 All Rights Reserved.",
        "内蒙古互联网新闻中心版权所有,未经书面授权不得转载或镜像。新闻热线:0471-4811341",
        "互联网新闻信息服务许可证:1512006001 信息网络传播视听节目许可证:0507213 蒙ICP证:09003619号",
        "京ICP备12345678号-1",
        "上一篇：全区召开会议",
        "相关新闻",
        "发布日期:2022-06-02浏览次数:",
    ],
)
def test_boilerplate_lines_are_dropped(line: str) -> None:
    assert strip_boilerplate([line, LONG_A]) == [LONG_A]


@pytest.mark.parametrize(
    "line",
    [
        "[责任编辑 安华祎 ]",
        "来源：新华网",
        "国家版权局近日发布通知,加强网络转载版权保护工作,打击侵权盗版行为。",
        "记者从发布会上获悉,全市共接收督察组交办信访举报案件33批182件。",
        "市民大讲堂讲出和谐声",
        "黨的二十大代表選舉 | 內蒙古:確保宣傳全覆蓋政策全知曉",
        "截至目前,共开设专栏18个,发布亮点信息473篇。",
        "这一位置十分重要,是全市发展的关键。",
    ],
)
def test_content_lines_are_kept(line: str) -> None:
    assert strip_boilerplate([LONG_A, line, LONG_B]) == [LONG_A, line, LONG_B]


def test_footer_block_ends_at_the_first_non_footer_line() -> None:
    paragraphs = [
        LONG_A,
        "内蒙古新闻网版权与免责声明:",
        "凡本网注明“来源:内蒙古新闻网”的所有作品,版权均属于 内蒙古新闻网,未经本网授权不得转载。",
        "如因作品内容、版权和其它问题需要同本网联系的,请在30日内进行。",
        "联系方式:0471--4811341、4811342、4811343。",
        LONG_B,
    ]
    assert strip_boilerplate(paragraphs) == [LONG_A, LONG_B]


def test_vertical_menus() -> None:
    menu = ["• 首页", "• 集团概况", "公司简介", "领导团队", "公司架构", "• 党的建设", "组织架构"]
    assert strip_boilerplate([*menu, "标题", LONG_A]) == ["标题", LONG_A]
    # the same run without bullets in the middle of a page may be a real list: kept
    items = ["公司简介", "领导团队", "公司架构", "组织架构", "党建快讯", "理论武装"]
    page = [LONG_A, LONG_B, LONG_C, *items, LONG_B, LONG_C, LONG_A]
    assert strip_boilerplate(page) == page
    # five short lines are not a menu
    assert strip_boilerplate([*items[:5], LONG_A]) == [*items[:5], LONG_A]


def test_empty_paragraphs_are_dropped() -> None:
    assert strip_boilerplate(["", "  ", LONG_A]) == [LONG_A]


def test_seed_001_boilerplate() -> None:
    paragraphs = seed_paragraphs("001", by="line")
    kept = strip_boilerplate(paragraphs)
    assert kept == [paragraphs[2], *paragraphs[4:10]]
    assert kept[0] == "莫力达瓦旗创先争优活动突出“快广严实”"
    assert kept[1].startswith("莫旗在深入开展创先争优活动中")
    assert kept[-1] == "[责任编辑 安华祎 ]"


def test_seed_004_boilerplate() -> None:
    paragraphs = seed_paragraphs("004", by="line")
    kept = strip_boilerplate(paragraphs)
    assert kept == [paragraphs[3], *paragraphs[5:25]]
    assert kept[:2] == [
        "内蒙古创先争优活动激活基层党组织建设",
        "2010年8月14日,兴安盟召开全盟首届“嘎查村书记论坛”",
    ]
    assert kept[-1] == "[责任编辑 赵静 ]"


def test_seed_000_mirror_menu() -> None:
    paragraphs = seed_paragraphs("000", by="line")
    kept = strip_boilerplate(paragraphs)
    title = next(i for i, p in enumerate(paragraphs) if p.startswith("黨的二十大代表選舉"))
    assert title == 53
    # the 53-line menu and the 發布日期…瀏覽次數 line go, the article stays
    assert kept == [paragraphs[title], *paragraphs[title + 2 :]]
    assert kept[-1] == "(來(lái)源:光明日?qǐng)?bào))"


# --------------------------------------------------------------------------- dedupe


def test_dedupe_long_duplicates() -> None:
    assert dedupe_blocks([LONG_A, LONG_B, LONG_A]) == [LONG_A, LONG_B]
    assert dedupe_blocks([LONG_A, " " + LONG_A.replace(",", ", ")]) == [LONG_A]  # spacing ignored


def test_dedupe_keeps_short_repeats_outside_runs() -> None:
    paragraphs = ["会议强调", LONG_A, "会议强调", LONG_B, "会议强调"]
    assert dedupe_blocks(paragraphs) == paragraphs


def test_dedupe_runs_with_short_paragraphs() -> None:
    heading = "以聚焦中心工作为出发点"  # short: dropped only inside a repeated run
    paragraphs = [heading, LONG_A, LONG_B, "中间", heading, LONG_A, LONG_B, heading, LONG_C]
    assert dedupe_blocks(paragraphs) == [heading, LONG_A, LONG_B, "中间", heading, LONG_C]
    # a short line closing a repeated run goes with it
    paragraphs = [LONG_A, "出席会议。", LONG_B, LONG_A, "出席会议。", LONG_C]
    assert dedupe_blocks(paragraphs) == [LONG_A, "出席会议。", LONG_B, LONG_C]
    # a run of short lines only is not a repeated block
    assert dedupe_blocks(["一", "二", "一", "二"]) == ["一", "二", "一", "二"]


def test_dedupe_drops_empty() -> None:
    assert dedupe_blocks(["", LONG_A, " "]) == [LONG_A]


def test_seed_003_repeated_article_appears_once() -> None:
    paragraphs = seed_paragraphs("003", by="blank")
    deduped = dedupe_blocks(paragraphs)
    byline = paragraphs.index("□本报记者 李璟\n通讯员 兰玉山 田礼军")
    next_article = next(i for i, p in enumerate(paragraphs) if p.startswith("## 市“理论学习轻骑兵”"))
    assert (len(paragraphs), len(deduped)) == (149, 66)
    # everything up to the first byline of the repeated article, then the next article
    assert deduped == paragraphs[: byline + 1] + paragraphs[next_article:]
    assert deduped.count("以强化组织领导为切入点,让党建宣传“力量足”") == 1
    keys = [p for p in deduped if len(p) >= 15]
    assert len(keys) == len(set(keys))


def test_seeds_without_repeats_are_unchanged() -> None:
    for prefix, by in (("001", "line"), ("002", "blank"), ("004", "line")):
        paragraphs = strip_boilerplate(seed_paragraphs(prefix, by=by))
        assert dedupe_blocks(paragraphs) == paragraphs


# --------------------------------------------------------------------------- broken lines


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # B cannot start a paragraph
        (
            ["各高校干部以线上线下方式聆听宣讲,大家专心听讲,认真记", "录，纷纷表示。"],
            ["各高校干部以线上线下方式聆听宣讲,大家专心听讲,认真记录，纷纷表示。"],
        ),
        (
            ["深入研究思考,化解工作中", "的难点,通过基层热议。"],
            ["深入研究思考,化解工作中的难点,通过基层热议。"],
        ),
        (
            ["为老弱孤寡、精神障碍、生活困难", "的弱势群体提供送货上门服务。"],
            ["为老弱孤寡、精神障碍、生活困难的弱势群体提供送货上门服务。"],
        ),
        (
            ["而在人口较为分散的乌兰哈达苏", "木,流动代办车的出现。"],
            ["而在人口较为分散的乌兰哈达苏木,流动代办车的出现。"],
        ),
        (["他说“两个确立”", "，是决定性的。"], ["他说“两个确立”，是决定性的。"]),
        # A is prose (has a sentence end inside) and ends without a final mark
        (
            ["引领党员干部冲锋在前。用实际行动践", "行初心使命。"],
            ["引领党员干部冲锋在前。用实际行动践行初心使命。"],
        ),
        (
            ["提高政治素养、振奋干事精神。截", "到目前,组工干部下村组宣传。"],
            ["提高政治素养、振奋干事精神。截到目前,组工干部下村组宣传。"],
        ),
        # A is long prose with clauses
        (
            [
                "通过入户、微信、电话3种方式对居民小组、门脸院落、小区楼栋3个区域,开展拉网式排查社区高风险楼栋人员和排",
                "查情况。",
            ],
            [
                "通过入户、微信、电话3种方式对居民小组、门脸院落、小区楼栋3个区域,开展拉网式排查社区高风险楼栋人员和排查情况。"
            ],
        ),
        # A ends with a comma or an opening mark
        (["市政协副主席赵利国,", "出席会议。"], ["市政协副主席赵利国,出席会议。"]),
        (
            ["他以《加强新时代意识形态工作", "凝聚力引领力》为题。"],
            ["他以《加强新时代意识形态工作凝聚力引领力》为题。"],
        ),
        # an open quote closed in B
        (
            [
                "“能够以这种方式把习近平总书记",
                "和党中央对内蒙古的关怀传递到广大人民群众中。”宣讲团成员尹珂说。",
            ],
            ["“能够以这种方式把习近平总书记和党中央对内蒙古的关怀传递到广大人民群众中。”宣讲团成员尹珂说。"],
        ),
        # chains
        (
            ["全市政协系统信息报送。以及市政协常", "委", "，委员代表发言。"],
            ["全市政协系统信息报送。以及市政协常委，委员代表发言。"],
        ),
        # Latin words keep a space
        (
            ["他说：这是一个很长的句子。The report is", "ready now."],
            ["他说：这是一个很长的句子。The report is ready now."],
        ),
    ],
)
def test_mend_joins(paragraphs: list[str], expected: list[str]) -> None:
    assert mend_broken_lines(paragraphs) == expected


@pytest.mark.parametrize(
    "paragraphs",
    [
        # short headings without final punctuation followed by a paragraph
        ["党员志愿者群众都欢迎", "今年7月以来,鄂尔多斯市东胜区交通街道69名党员志愿者利用下班时间。"],
        [
            "增添为群众服务的活力——内蒙古创先争优活动激活基层党组织建设",
            "内蒙古自治区各级基层党组织以创先争优活动为载体。",
        ],
        ["以强化组织领导为切入点,让党建宣传“力量足”", "把党建宣传工作纳入年度工作重点。"],
        ["系统阐述深入解读 迅速掀起宣讲热潮", "自治区宣讲团在部分盟市区直机关宣讲党的二十大精神"],
        ["□本报记者 李璟", "通讯员 兰玉山 田礼军", "近年来,化德县始终把党建宣传作为服务决策。"],
        # a paragraph that ends with a final mark
        ["卓资县从年初就做好了充足准备——", "加强高标准农田建设。"],
        ["其中,2022年需要完成的9项已全部完成整改;", "## 市国资系统举办意识形态工作专题培训会"],
        ["他说：", "“我们要聚焦促进教育公平。”"],
        ["会议传达学习了精神。以及市政协常", "## 市政协五届二次会议 重点提案办理工作会召开"],
        # B starts like a new paragraph
        ["全市召开会议。要求各地做好以下工作", "一、加强组织领导。"],
        ["全市召开会议。要求各地做好以下工作", "（一）加强组织领导。"],
        # a caption is not prose
        [
            "图为兴安盟召开全盟首届嘎查村书记论坛现场,与会人员认真听取发言,会场气氛热烈,大家纷纷表示受益匪浅",
            "内蒙古自治区各级基层党组织以创先争优活动为载体。",
        ],
        # two-character openers are normal sentence starts
        ["市政协副主席赵利国出席会议", "同时,坚持“一线工作法”。"],
        [],
        ["只有一段"],
    ],
)
def test_mend_does_not_join(paragraphs: list[str]) -> None:
    assert mend_broken_lines(paragraphs) == paragraphs


def test_seed_002_broken_lines() -> None:
    paragraphs = seed_paragraphs("002", by="blank")
    mended = mend_broken_lines(paragraphs)
    assert mended == joined(
        paragraphs,
        ("认真记", "录,"),
        ("用实际行动践", "行初心"),
        ("开展拉网式排", "查社区"),
        ("生活困难", "的弱势"),
    )
    assert len(mended) == len(paragraphs) - 4
    assert any("大家专心听讲,认真记录,纷纷表示" in p for p in mended)
    assert any(p.endswith("用实际行动践行初心使命。") for p in mended)
    # the headings stay apart
    assert mended[:2] == [
        "系统阐述深入解读 迅速掀起宣讲热潮",
        "自治区宣讲团在部分盟市区直机关宣讲党的二十大精神",
    ]


def test_seed_003_broken_lines() -> None:
    paragraphs = dedupe_blocks(seed_paragraphs("003", by="blank"))
    mended = mend_broken_lines(paragraphs)
    assert mended == joined(
        paragraphs,
        ("撰写党建信", "息,"),
        ("化解工作中", "的难点"),
        ("振奋干事精神。截", "到目前"),
        ("把习近平总书记", "和党中央"),
        ("乌兰哈达苏", "木,"),
        ("厘清任", "务,"),
    )
    # an article cut by the layout is not glued to the next article's heading
    assert any(p.endswith("以及市政协常") for p in mended)
    assert any(p.endswith("对于全体干部") for p in mended)
    assert "以强化组织领导为切入点,让党建宣传“力量足”" in mended


@pytest.mark.parametrize(("prefix", "by"), [("001", "line"), ("004", "line")])
def test_seeds_without_broken_lines_are_unchanged(prefix: str, by: str) -> None:
    paragraphs = strip_boilerplate(seed_paragraphs(prefix, by=by))
    assert mend_broken_lines(paragraphs) == paragraphs


# --------------------------------------------------------------------------- captions

CAPTION = ("2010年8月14日,兴安盟召开全盟首届“嘎查村书记论坛”,"
           "各旗县市的嘎查村党支部书记围绕创先争优交流经验,畅谈体会")


@pytest.mark.parametrize(
    "caption",
    [
        CAPTION,  # opens with the photo's full date, 50+ characters with commas
        "各旗县市的嘎查村党支部书记围绕创先争优交流经验,畅谈体会,现场气氛热烈,"
        "大家纷纷表示受益匪浅 本报记者 张三 摄",
    ],
)
def test_captions_are_not_prose(caption: str) -> None:
    assert len(caption) >= 50
    body = "内蒙古自治区各级基层党组织以创先争优活动为载体。"
    assert mend_broken_lines([caption, body]) == [caption, body]


def test_known_captions_never_join() -> None:
    caption = "兴安盟召开全盟首届嘎查村书记论坛,与会人员认真听取发言。会场气氛热烈,大家纷纷表示受益匪浅"
    body = "的弱势群体提供送货上门服务。"  # would join: it cannot start a paragraph
    assert mend_broken_lines([caption, body]) == [caption + body]
    assert mend_broken_lines([caption, body], captions=[caption]) == [caption, body]
    assert mend_broken_lines(["生活困难", caption], captions=[caption]) == ["生活困难", caption]
