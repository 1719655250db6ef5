"""Several stories on one page (crawler.zh.segment): split, one copy, rejoined (seeds 002, 003)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.zh.segment import (
    Block,
    Story,
    blocks_from_markdown,
    infer_headings,
    merge_repeats,
    rejoin_continuations,
    restore_detached_head,
    split_stories,
    stories_of,
)
from crawler.zh.text import normalize_paragraph

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
LONG = "把党建宣传工作纳入年度工作重点,与业务工作同谋划、同安排、同推进。"
LONG_B = "严格党建宣传信息工作管理链条,以完善的制度机制提升党建信息质量。"


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def seed_blocks(prefix: str) -> list[Block]:
    return [Block(normalize_paragraph(b.text), b.level) for b in blocks_from_markdown(seed(prefix))]


def test_blocks_from_markdown() -> None:
    assert blocks_from_markdown("## 标题\n\n### ——副题\n\n正文第一段。\n第二行\n\n\n# 另一篇") == [
        Block("标题", 2), Block("——副题", 3), Block("正文第一段。\n第二行"), Block("另一篇", 1)]


def test_split_stories_heads() -> None:
    blocks = [Block("前言。"), Block("引题——", 2), Block("主题", 1), Block("副题", 2), Block("正文。"),
              Block("第二篇", 2), Block("正文二。")]
    assert split_stories(blocks) == [
        Story(paragraphs=["前言。"]),
        Story(title="主题", kicker="引题——", subtitle="副题", paragraphs=["正文。"]),
        Story(title="第二篇", paragraphs=["正文二。"]),
    ]


def test_seed_003_every_story_once_and_whole() -> None:
    stories = stories_of(seed_blocks("003"))
    assert [(s.kicker, s.title, s.subtitle) for s in stories] == [
        (None, "全市政协系统反映社情民意 信息工作会议召开", None),
        (None, "市政协五届二次会议 重点提案办理工作会召开", None),
        (None, "市生态环境局召开新闻发布会", None),
        (None, "市国资系统举办意识形态工作专题培训会", None),
        (None, "沃野唱响丰收歌", "——卓资县庆祝“中国农民丰收节”见闻"),
        ("强化正面宣传引导,化德县——", "让党建宣传接地气聚人气", None),
        (None, "市“理论学习轻骑兵”宣讲团走进内蒙古", "乌兰察布民航机场有限责任公司、集宁一中"),
        (None, "察右后旗：“码”上办便民利企", None),
        (None, "兴和县：“三类融合”促巡察工作提质增效", None),
    ]
    first, harvest, hade = stories[0], stories[4], stories[5]
    # the split story: its second half (after 沃野唱响丰收歌) is back in place
    assert first.paragraphs[2].endswith("以及市政协常")
    assert first.paragraphs[3] == "委及委员代表就社情民意信息报送工作进行了经验交流发言。"
    assert first.paragraphs[4].startswith("会议强调,要加大对社情民意信息工作的支持力度")
    assert len(first.paragraphs) == 5
    assert harvest.paragraphs[-1].endswith("系统传授耕地、土壤、良种、智能化种植等新型农业科技知识。")
    # the story printed four times: once, under its head, byline first; its copy before the head is gone
    assert hade.paragraphs[0] == "□本报记者 李璟\n通讯员 兰玉山 田礼军"
    assert hade.paragraphs[1].startswith("近年来,化德县始终把党建宣传")
    assert hade.paragraphs[-1].startswith("实行党建宣传信息动态积分制度")
    assert len(hade.paragraphs) == 20
    everything = [p for s in stories for p in s.paragraphs]
    long = [re.sub(r"\s", "", p) for p in everything if len(p) >= 15]
    assert len(long) == len(set(long))
    assert "以强化组织领导为切入点,让党建宣传“力量足”" not in harvest.paragraphs


def test_seed_002_without_markup() -> None:
    paragraphs = [normalize_paragraph(p) for p in re.split(r"\n\s*\n", seed("002")) if p.strip()]
    blocks = infer_headings(paragraphs)
    assert [(b.text, b.level) for b in blocks if b.level] == [
        ("系统阐述深入解读 迅速掀起宣讲热潮", 1), ("自治区宣讲团在部分盟市区直机关宣讲党的二十大精神", 2),
        ("党建引领聚合力 同心抗疫显担当", 1), ("自治区党委政法委党员干部下沉山丹社区开展疫情防控工作", 2)]
    one, two = stories_of(blocks)
    assert one.paragraphs[-1] == "(据《内蒙古日报》)" and len(one.paragraphs) == 9
    assert two.paragraphs[-1] == "(自治区党委政法委供稿)" and len(two.paragraphs) == 11


def test_sub_heads_inside_a_story_are_not_heads() -> None:
    """Short lines without punctuation in the middle of a story are sub-heads (seed 004);
    only the line that opens the text (its 副题 here) is taken for a head."""
    lines = [x.strip() for x in seed("004").splitlines() if x.strip()][6:24]
    assert lines[2] == "党员志愿者群众都欢迎"
    assert [b.level for b in infer_headings(lines)] == [1] + [0] * 17


def test_infer_headings_needs_a_long_paragraph_after_the_head() -> None:
    assert [b.level for b in infer_headings(["标题", "短。"])] == [0, 0]
    body = LONG + LONG_B
    assert [b.level for b in infer_headings(["引题", "主题", "副题", body])] == [2, 1, 2, 0]
    assert [b.level for b in infer_headings(["主题", "副题", body])] == [1, 2, 0]
    # four short lines: not a head
    assert [b.level for b in infer_headings(["一", "二", "三", "四", body])] == [0, 0, 0, 0, 0]


def test_merge_repeats_keeps_a_paragraph_where_it_is_repeated() -> None:
    stories = [Story(title="甲", paragraphs=["甲文。", LONG, LONG_B]),
               Story(title="乙", paragraphs=[LONG, LONG_B, LONG, LONG_B])]
    merged = merge_repeats(stories)
    assert merged[0].paragraphs == ["甲文。"]
    assert merged[1].paragraphs == [LONG, LONG_B]
    # an untitled part left empty goes
    assert merge_repeats([Story(paragraphs=[LONG]), Story(title="乙", paragraphs=[LONG, LONG])]) == [
        Story(title="乙", paragraphs=[LONG])]


def test_rejoin_needs_shared_words() -> None:
    """An open story takes no tail that is not about it."""
    open_story = Story(title="市国资系统举办意识形态工作专题培训会",
                       paragraphs=["培训中,冯轩以《加强新时代意识形态工作凝聚力引领力》为题,对于全体干部"])
    host = Story(title="沃野唱响丰收歌", paragraphs=[
        "田野间收获的机械来来往往,圆圆的马铃薯堆积如山。",
        "打好土地“底子”的同时,县农业科技局派出科技人员,系统传授新型农业科技知识。"])
    before = [list(s.paragraphs) for s in (open_story, host)]
    rejoin_continuations([open_story, host])
    assert [open_story.paragraphs, host.paragraphs] == before


@pytest.mark.parametrize("heads", [("让党建宣传接地气聚人气", "强化正面宣传引导,化德县——", None)])
def test_restore_detached_head(heads: tuple[str | None, ...]) -> None:
    byline = "□本报记者 李璟\n通讯员 兰玉山 田礼军"
    lead = "近年来,化德县始终把党建宣传作为服务决策、推动工作的有力抓手。"
    copy = [LONG, LONG_B]
    head = ["强化正面宣传引导,化德县——", "让党建宣传接地气聚人气"]
    page = [*copy, *head, byline, lead, *copy, byline, lead, *copy]
    assert restore_detached_head(page, heads) == [byline, lead, *copy]
    # a paragraph before the head that is not repeated stays, in front
    assert restore_detached_head(["导语。", "让党建宣传接地气聚人气", LONG], heads) == ["导语。", LONG]
    # no head inside the body: unchanged
    assert restore_detached_head([LONG, LONG_B], heads) == [LONG, LONG_B]
