"""Mirror-site pinyin artifact and traditional characters (crawler.zh.mirror, outlets.md §10)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from opencc import OpenCC
from pypinyin import Style, pinyin

from crawler.zh.mirror import (
    MIRROR_MIN_SCORE,
    is_mirror,
    is_traditional,
    pinyin_score,
    repair_broken,
    repair_mirror,
    simplified,
    simplify,
    strip_pinyin,
    unrepaired,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
S2T = OpenCC("s2t")


def seed_text(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def mirror_tool(text: str, chars: list[str]) -> str:
    """What the farm did (outlets.md §10.1): ``str_replace(c, c + "(pinyin)")`` on the GBK
    bytes for each annotated character in turn, then a decode that turns a lead byte
    followed by a non-trail byte into ``?`` and swallows both (what seed 000 shows)."""
    data = text.encode("gbk")
    for char in chars:
        raw = char.encode("gbk")
        data = data.replace(raw, raw + f"({pinyin(char, style=Style.TONE)[0][0]})".encode("gbk"))
    out: list[str] = []
    i = 0
    while i < len(data):
        if data[i] < 0x80:
            out.append(chr(data[i]))
            i += 1
            continue
        try:
            out.append(data[i : i + 2].decode("gbk"))
        except UnicodeDecodeError:
            out.append("?")
        i += 2
    return "".join(out)


# --------------------------------------------------------------------------- outlets.md examples


@pytest.mark.parametrize(
    ("page", "repaired", "simple"),
    [
        ("劉延?xùn)|", "劉延東", "刘延东"),
        ("因?yàn)榘l(fā)債", "因為發(fā)債", "因为发债"),
        ("因?yàn)閯?chuàng)刊", "因為創刊", "因为创刊"),
        ("(來(lái)源:光明日?qǐng)?bào))", "(來(lái)源:光明日報)", "(来源:光明日报)"),
    ],
)
def test_broken_forms(page: str, repaired: str, simple: str) -> None:
    assert repair_broken(page) == repaired
    assert simplified(page, mirror=True) == simple
    assert unrepaired(page) >= 1 and unrepaired(repair_broken(page)) == 0


def test_replacement_character_forms_are_repaired_too() -> None:
    """A decoder that wrote U+FFFD and kept the ``(`` leaves ``\ufffd(xùn)``."""
    assert repair_broken("劉延\ufffd(xùn)|") == "劉延東"


def test_unsolvable_forms_stay() -> None:
    # no GBK character (延's trail byte, L) reads "qq"; a '?' after ASCII has no partner byte
    assert repair_broken("劉延?qq)|") == "劉延?qq)|"
    assert repair_broken("他說OK?shì)的") == "他說OK?shì)的"
    # the full-width → half-width replace of outlets.md §10.2 lost a byte for good
    assert repair_mirror("北京到海南\ufffd?诘木嚯x") == "北京到海南\ufffd?诘木嚯x"


def test_strip_pinyin_only_takes_pinyin() -> None:
    assert strip_pinyin("集團(tuán)概況") == "集團概況"
    assert strip_pinyin("的(de)們(men)") == "的們"  # neutral tone: the reading of the character
    assert strip_pinyin("蒙古包(ger)與氈房(yurt)") == "蒙古包(ger)與氈房(yurt)"
    assert strip_pinyin("GDP(gdp)增長") == "GDP(gdp)增長"
    assert strip_pinyin("第一(A)組") == "第一(A)組"


# --------------------------------------------------------------------------- detection


def test_seed_000_is_a_mirror() -> None:
    text = seed_text("000")
    assert 0.09 <= pinyin_score(text) <= 0.33  # the range outlets.md §10.4 gives for real samples
    assert is_mirror(text) and is_traditional(text)


@pytest.mark.parametrize("prefix", ["001", "002", "003", "004"])
def test_other_seeds_are_plain_simplified(prefix: str) -> None:
    text = seed_text(prefix)
    assert pinyin_score(text) == 0.0
    assert not is_mirror(text) and not is_traditional(text)


def test_plain_traditional_is_not_a_mirror() -> None:
    text = S2T.convert(seed_text("004"))
    assert is_traditional(text) and not is_mirror(text)
    assert simplified(text, mirror=False) == simplify(text)


def test_a_few_pinyin_glosses_are_not_a_mirror() -> None:
    text = "长调(ürtiin duu)是蒙古族的民歌形式，呼麦(hōomii)也是。" + "内蒙古草原上的牧民世代传唱。" * 20
    assert pinyin_score(text) < MIRROR_MIN_SCORE and not is_mirror(text)


# --------------------------------------------------------------------------- seed 000


def test_seed_000_repaired_and_simplified() -> None:
    lines = [line.strip() for line in seed_text("000").splitlines() if line.strip()]
    text = "\n".join(lines)
    simple = simplified(text, mirror=True).split("\n")
    assert unrepaired("\n".join(simple)) == 0
    assert not re.search(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)", "\n".join(simple))
    assert simple[0] == "• 首页"
    assert simple[53] == "党的二十大代表选举 | 内蒙古:确保宣传全覆盖政策全知晓"
    assert simple[54] == "发布日期:2022-06-02浏览次数:"
    assert simple[-1] == "(来源:光明日报)"
    assert simple[55].startswith("“喂料、保羔都没啥困难吧?上次联系的青贮草料这几天就能送来了。")
    assert "阿拉善右旗塔木素布拉格苏木恩格日乌苏嘎查党员阿拉腾苏和说。" in simple[59]


def test_farm_rewrite_is_undone_on_seed_text() -> None:
    """The farm's rewrite replayed on the seed article with random annotation sets:
    at 10% of its characters annotated (the seed: about 15% of the text), at least 90%
    of the paragraphs come back exactly; what cannot come back are bytes the decoder
    swallowed with an ASCII character (``材?mù)?組織`` lost the ``,`` after 料)."""
    lines = [line.strip() for line in seed_text("000").splitlines() if len(line.strip()) > 60]  # the article
    truth = [simplified(line, mirror=True) for line in lines]
    trad = [S2T.convert(t) for t in truth]
    han = sorted({c for t in trad for c in t if "\u4e00" <= c <= "\u9fff"})
    exact = total = 0
    for seed in range(5):
        chars = random.Random(seed).sample(han, len(han) // 10)
        page = "\n".join(mirror_tool(t, chars) for t in trad)
        assert is_mirror(page)
        got = simplify(repair_mirror(page)).split("\n")
        exact += sum(a == simplify(b) for a, b in zip(got, trad, strict=True))
        total += len(trad)
    assert exact / total >= 0.9, f"{exact}/{total}"
