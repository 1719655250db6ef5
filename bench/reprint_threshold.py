"""Precision and recall of reprint detection per similarity threshold, on the mocks' articles.

    .venv/bin/python -m bench.reprint_threshold

The fixtures are the article texts of every mock outlet (``tests/outlets/*/expected/*.json``)
and pairs made from them, all deterministic:

* positives, real: seed 000's mirror page (traditional characters with inserted pinyin,
  repaired as the extraction pipeline repairs it) and its 光明日报 original;
* positives, as reprints alter a text (each article of 60+ normalised characters): a copy
  framed by another site's header and footer; the first 70% (an abridged reprint); the lead
  rewritten as another outlet's dateline; a middle paragraph dropped; 2% of the characters
  changed (typos, OCR of an e-paper); a round trip through traditional characters; the first
  half only (an excerpt, the hardest);
* negatives: every pair of different stories (same-topic ones included: 草原生态, 一网通办,
  春耕 appear in several outlets), and pairs of different stories wrapped in the *same*
  header and footer (one site's template around two stories).

For each threshold it prints precision, recall and F1 of "estimated similarity >= threshold"
(MinHash, as the store computes it), the LSH candidate recall (pairs sharing a bucket: what
the store can find at all), and the similarity range of each kind of pair.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from crawler.dedupe import MIN_CHARS, fingerprint, normalise, shingles, similarity
from crawler.zh.mirror import simplify, strip_pinyin

REPO = Path(__file__).resolve().parents[1]
OUTLETS = REPO / "tests" / "outlets"
THRESHOLDS = [round(0.20 + 0.05 * i, 2) for i in range(15)]
HEADER = "首页 > 新闻中心 > 正文\n来源：本网综合 编辑：王晓 发布时间：2024-05-01 09:30\n"
FOOTER = ("\n（责任编辑：李明）\n【纠错】【打印本页】【关闭窗口】\n"
          "版权所有 未经授权禁止转载 联系电话：0471-6659999")
OTHER_HEADER = "当前位置：首页 >> 集团要闻\n发布日期：2024-06-02 浏览次数：128\n"
OTHER_FOOTER = ("\n上一篇：集团召开安全生产工作会议\n下一篇：集团开展主题党日活动\n"
                "地址：呼和浩特市新城区 邮编：010010")


@dataclass(frozen=True)
class Pair:
    kind: str
    a: str
    b: str
    positive: bool


def articles() -> list[tuple[str, str]]:
    """(name, text) of every mock article with enough text to be fingerprinted."""
    out = []
    for path in sorted(OUTLETS.glob("*/expected/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        text = data.get("text") or ""
        if path.parent.parent.name == "mirror":
            continue  # traditional pages with pinyin: used below as a real pair
        if len(normalise(text)) >= MIN_CHARS:
            out.append((f"{path.parent.parent.name}/{path.stem}", text))
    return out


def _typos(text: str, rate: float, rng: random.Random) -> str:
    pool = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可"
            "主发年动同工也能下过子说产种面而方后多定行学法所民得经")
    return "".join(rng.choice(pool) if ch.strip() and rng.random() < rate else ch for ch in text)


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def variants(text: str, rng: random.Random) -> Iterator[tuple[str, str]]:
    """(kind, altered copy) of one article, as reprints alter texts."""
    paras = _paragraphs(text)
    yield "framed", HEADER + text + FOOTER
    yield "abridged-70%", text[: int(len(text) * 0.7)]
    dateline = "新华社呼和浩特电 记者从有关部门获悉，相关工作正在有序推进。"
    yield "lead-rewritten", ("\n".join([dateline, *paras[1:]]) if len(paras) > 1
                             else "据报道，" + text[len(text) // 5:])
    if len(paras) > 2:
        yield "paragraph-dropped", "\n".join(paras[: len(paras) // 2] + paras[len(paras) // 2 + 1:]) + FOOTER
    yield "typos-2%", _typos(text, 0.02, rng)
    yield "traditional-round-trip", simplify(_to_traditional(text))
    yield "excerpt-50%", text[: len(text) // 2]


def _to_traditional(text: str) -> str:
    import opencc

    return str(opencc.OpenCC("s2t").convert(text))


def mirror_pair() -> Pair:
    """Seed 000 as the mirror farm serves it (repaired) and its 光明日报 original."""
    mirror = json.loads((OUTLETS / "mirror" / "expected" / "t20220602_1536.json").read_text(encoding="utf-8"))
    original = json.loads(
        (OUTLETS / "gmrb" / "expected" / "nw.D110000gmrb_20220602_1-02.json").read_text(encoding="utf-8"))
    return Pair("real: seed 000 mirror", simplify(strip_pinyin(mirror["text"])), original["text"], True)


def pairs(seed: int = 20260) -> list[Pair]:
    """Every labelled pair of the measurement (deterministic)."""
    rng = random.Random(seed)
    texts = articles()
    out = [mirror_pair()]
    for _, text in texts:
        out.extend(Pair(kind, text, copy, True) for kind, copy in variants(text, rng))
    for i, (_, a) in enumerate(texts):
        for _, b in texts[i + 1:]:
            if a != b:
                out.append(Pair("different stories", a, b, False))
                out.append(Pair("different stories, same template", OTHER_HEADER + a + OTHER_FOOTER,
                                OTHER_HEADER + b + OTHER_FOOTER, False))
    return out


@dataclass(frozen=True)
class Row:
    threshold: float
    precision: float
    recall: float
    f1: float
    false_positives: int
    false_negatives: int


def jaccard(a: str, b: str) -> float:
    """Exact Jaccard similarity of the two texts' 3-gram sets."""
    sa, sb = shingles(normalise(a)), shingles(normalise(b))
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def measure(seed: int = 20260) -> tuple[list[Row], dict[str, tuple[float, float, int]], float, int]:
    """(rows per threshold, kind -> (min, max, count) of estimated similarity, LSH candidate recall,
    number of pairs)."""
    scored: list[tuple[Pair, float, bool]] = []
    for pair in pairs(seed):
        fa, fb = fingerprint(pair.a), fingerprint(pair.b)
        if fa is None or fb is None:
            continue  # too short to fingerprint: never linked, not counted
        shared = bool(set(fa.buckets()) & set(fb.buckets()))
        scored.append((pair, similarity(fa, fb), shared))
    rows = []
    positives = sum(1 for p, _, _ in scored if p.positive)
    for t in THRESHOLDS:
        tp = sum(1 for p, s, c in scored if p.positive and s >= t and c)
        fp = sum(1 for p, s, c in scored if not p.positive and s >= t and c)
        fn = positives - tp
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / positives if positives else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append(Row(t, precision, recall, f1, fp, fn))
    kinds: dict[str, tuple[float, float, int]] = {}
    for pair, s, _ in scored:
        low, high, n = kinds.get(pair.kind, (1.0, 0.0, 0))
        kinds[pair.kind] = (min(low, s), max(high, s), n + 1)
    lsh_recall = sum(1 for p, _, c in scored if p.positive and c) / positives
    return rows, kinds, lsh_recall, len(scored)


def main() -> int:
    rows, kinds, lsh_recall, count = measure()
    out = sys.stdout
    out.write(f"{count} pairs ({sum(n for k, (_, _, n) in kinds.items() if not k.startswith('different'))} "
              f"positive) from {len(articles())} mock articles\n\n")
    out.write(f"{'threshold':>9}  {'precision':>9}  {'recall':>6}  {'F1':>5}  {'FP':>4}  {'FN':>4}\n")
    for r in rows:
        out.write(f"{r.threshold:>9.2f}  {r.precision:>9.3f}  {r.recall:>6.3f}  {r.f1:>5.3f}  "
                  f"{r.false_positives:>4}  {r.false_negatives:>4}\n")
    out.write(f"\nLSH candidate recall (positives sharing a bucket): {lsh_recall:.3f}\n\n")
    out.write(f"{'pair kind':<36} {'min':>5} {'max':>5} {'n':>5}\n")
    for kind, (low, high, n) in sorted(kinds.items()):
        out.write(f"{kind:<36} {low:>5.2f} {high:>5.2f} {n:>5}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
