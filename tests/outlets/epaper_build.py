"""Build the Founder e-paper mock outlets (gmrb, nmgrb, wlcbrb, btrb, hhhtrb, whrb).

Each paper is described by ``<spider>/paper.toml``: where it lives, its template family and
markup skin, and its issues → pages → stories. This script renders the pages the way the
real site does (shared/outlets.md §3, §4, §6, §7, §8) and writes, per paper,
``pages/`` (HTML in the paper's charset, page PDFs, page and story JPEGs, robots.txt, a 404
page), ``site.json``, ``crawl.json`` (the spider arguments of the mock crawl) and
``expected/<story id>.json`` (what the spider must extract, written from the TOML, not from
the spider). Run it after editing a paper.toml or ``epaper_templates/`` and review the diff::

    .venv/bin/python tests/outlets/epaper_build.py [SPIDER …] [--out DIR]

Story keys in paper.toml: ``id``, ``title``, ``kicker``, ``subtitle``, ``byline`` (a byline
element apart from the body), ``lead`` (byline paragraphs printed above the text),
``dateline`` (printed before the first paragraph: ``本报讯(记者 X)``), ``paragraphs`` (``¦``
marks a print-layout line break: two ``<p>`` on the page, one paragraph expected),
``tail`` (credit paragraphs at the end), ``images`` ({name, caption}), ``kind`` (``credit``
or ``ad``: listed and served, not an article), ``part_of`` (continues story ``id``),
``mark`` (print ``（下转NN版）``/``（上接NN版）``), ``glue`` (the first paragraph continues the
previous part's last), ``repeat`` (the CMS prints the story this many times, the way seed
003 shows), ``original_of`` (title and text are those of the article this mirror seed
copies), ``once`` (a paragraph the story itself repeats is expected once), ``seed`` (the
texts must occur in this seed), and the expected credits
``authors``, ``correspondents``, ``organisation``, ``source``, ``editor``, ``is_reprint``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import epaper_render as render  # noqa: E402

SEEDS = HERE.parents[2] / "shared" / "seeds"
PAPERS = ("gmrb", "nmgrb", "wlcbrb", "btrb", "hhhtrb", "whrb")
BREAK = "¦"


@dataclass
class Ctx:
    """A story with where it is printed."""

    paper: dict[str, Any]
    issue: dict[str, Any]
    page: dict[str, Any]
    story: dict[str, Any]
    order: int

    @property
    def day(self) -> date:
        return date.fromisoformat(self.issue["date"])


def seed_text(number: str) -> str:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path.read_text(encoding="utf-8")


def check_seed(ctx: Ctx) -> None:
    """Every printed piece of a seed story occurs in its seed (no typos in copied texts)."""
    story = ctx.story
    seed = seed_text(story["seed"])
    first = (story.get("dateline") or "") + story["paragraphs"][0]
    pieces = [first, *story["paragraphs"][1:], *story.get("lead", []), *story.get("tail", [])]
    for text in pieces:
        for piece in text.split(BREAK):
            assert piece in seed, f"{ctx.paper['spider']} story {story['id']}: not in seed: {piece[:40]!r}"
    if story.get("repeat"):  # the printed sequence is the seed's, paragraph for paragraph
        seed_paras = [line.lstrip("#").strip() for p in seed.split("\n\n") for line in p.split("  \n")]
        seed_paras = [p for p in seed_paras if p]
        lead = story.get("lead", [])
        copy = [piece for p in story["paragraphs"] for piece in p.split(BREAK)]
        printed = copy[copy.index(story["paragraphs"][1].split(BREAK)[0]):]
        printed += [t for t in (story.get("kicker"), story["title"]) if t] + (lead + copy) * story["repeat"]
        start = seed_paras.index(printed[0])
        assert seed_paras[start : start + len(printed)] == printed, f"{story['id']}: not the seed's order"


_PINYIN = re.compile(r"(?<=[\u3400-\u9fff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}\)")


def mirror_original(number: str) -> tuple[str, list[str]]:
    """Title and paragraphs of the article that seed ``number`` copies, as the outlet printed it.

    The mirror converted it to traditional characters and inserted pinyin after some of
    them (shared/outlets.md §10): the ``(pinyin)`` groups are deleted, then OpenCC t2s.
    Broken ``?pinyin)`` spots would need restoring by hand; the assertion finds any.
    """
    from opencc import OpenCC

    lines = [line.strip() for line in seed_text(number).splitlines()]
    title_at = next(i for i, line in enumerate(lines) if " | " in line)
    start = next(i for i in range(title_at, len(lines)) if lines[i].startswith("發(fā)布日期"))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("(來(lái)源"))
    convert = OpenCC("t2s").convert
    title = convert(_PINYIN.sub("", lines[title_at]))
    paragraphs = [convert(_PINYIN.sub("", line)) for line in lines[start + 1 : end] if line]
    broken = [p for p in [title, *paragraphs] if re.search(r"\?[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)", p)]
    assert not broken, f"seed {number}: broken pinyin insertions to restore by hand: {broken}"
    return title, paragraphs


def stories(paper: dict[str, Any]) -> list[Ctx]:
    out = []
    for issue in paper["issue"]:
        for page in issue["page"]:
            for order, story in enumerate(page.get("story", [])):
                out.append(Ctx(paper, issue, page, story, order))
    return out


def _once(paragraphs: list[str]) -> list[str]:
    """Paragraphs without later repeats of an identical paragraph (whitespace ignored)."""
    seen: set[str] = set()
    out = []
    for p in paragraphs:
        key = "".join(p.split())
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def expected(head: Ctx, parts: list[Ctx]) -> dict[str, Any]:
    """The article a spider must make of ``head`` and its continuation ``parts``."""
    story, paper = head.story, head.paper
    paragraphs: list[str] = []
    for ctx in [head, *parts]:
        texts = [p.replace(BREAK, "") for p in ctx.story["paragraphs"]]
        if ctx.story.get("glue") and paragraphs:
            paragraphs[-1] += texts.pop(0)
        paragraphs += texts
    images = [{"url": render.story_image_url(c, img["name"]), "caption": img.get("caption")}
              for c in [head, *parts] for img in c.story.get("images", [])]
    day = head.day.isoformat()
    return {
        "url": render.story_url(head),
        "outlet": paper["spider"],
        "title": story["title"],
        "kicker": story.get("kicker"),
        "subtitle": story.get("subtitle"),
        "section": head.page["name"],
        "edition_date": day,
        "page_number": head.page["number"],
        "page_name": head.page["name"],
        "published_at": f"{day}T00:00:00+08:00",
        "source": story.get("source"),
        "is_reprint": story.get("is_reprint", False),
        "authors": story.get("authors", []),
        "correspondents": story.get("correspondents", []),
        "organisation": story.get("organisation"),
        "editor": story.get("editor", head.page.get("editor")),
        "text": "\n".join(_once(paragraphs) if story.get("once") else paragraphs),
        "images": images,
        "pages": [render.story_url(c) for c in [head, *parts]],
    }


def build(spider: str, out: Path) -> None:
    """Write pages/, site.json, crawl.json and expected/ of one paper under ``out``."""
    src = HERE / spider
    paper = tomllib.loads((src / "paper.toml").read_text(encoding="utf-8"))
    assert paper["spider"] == spider, f"{src}/paper.toml: spider is {paper['spider']!r}"
    for name in ("pages", "expected"):
        if (out / name).exists():
            shutil.rmtree(out / name)
    ctxs = stories(paper)
    by_id = {c.story["id"]: c for c in ctxs}
    for ctx in ctxs:
        if "original_of" in ctx.story:  # the article a mirror seed copies
            ctx.story["title"], ctx.story["paragraphs"] = mirror_original(ctx.story["original_of"])
        if "part_of" in ctx.story:
            ctx.story.setdefault("title", by_id[ctx.story["part_of"]].story["title"])
        if ctx.story.get("seed"):
            check_seed(ctx)
    site = render.Site(paper)
    for issue in paper["issue"]:
        render.issue(site, paper, issue, [c for c in ctxs if c.issue is issue])
    site.write(out)
    (out / "expected").mkdir(parents=True)
    for ctx in ctxs:
        if ctx.story.get("kind") or "part_of" in ctx.story:
            continue
        parts = [c for c in ctxs if c.story.get("part_of") == ctx.story["id"]]
        name = render.story_url(ctx).rsplit("/", 1)[1].rsplit(".", 1)[0]
        (out / "expected" / f"{name}.json").write_text(
            json.dumps(expected(ctx, parts), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / "crawl.json").write_text(
        json.dumps({"args": paper["crawl"]}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("spiders", nargs="*", default=list(PAPERS))
    parser.add_argument("--out", type=Path, help="write <out>/<spider>/ instead of tests/outlets/<spider>/")
    args = parser.parse_args(argv)
    for spider in args.spiders:
        build(spider, (args.out / spider) if args.out else HERE / spider)


if __name__ == "__main__":
    main()
