"""Where things are on a page: the content container, the headline, the lines around them.

Used by the generic extractor (:mod:`crawler.extract.generic`). The container is found
by the selectors of the Chinese news CMSs we know (Founder, TRS, nmgnews, gmw …), else
as the element whose own ``<p>`` children hold the most Han text (a text-density rule:
trafilatura works on the whole tree and does not say *which* element it kept).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree
from parsel import Selector

from crawler.zh.segment import Block

_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
#: Content containers of known CMSs, most specific first (shared/outlets.md).
CONTAINERS = (
    "founder-content", "#ozoom", "#articleContent", ".article-content", "#div_content", "#ContentPh",
    ".u-mainText", ".m-article-main", "#contentMain", ".TRS_Editor", ".zhengwen", ".txt-content",
    "#aritcleContent", ".article-detail-inner", ".article-body", ".content-body", "#content",
    ".content", "article",
)
_CONTAINER_MIN_HAN = 30
_DENSITY_MIN_HAN = 50
#: Headline elements by preference when several hold the same text.
_HEADLINE_RANK = {"h1": 0, "founder-title": 1, "h2": 2, "h3": 3}
_SKIP = {"script", "style", "noscript", "template", "iframe", "select", "option", "button", "head", "title"}
_BLOCK = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "ul", "ol", "li",
    "table", "tbody", "thead", "tr", "td", "th", "dl", "dt", "dd", "blockquote", "center", "pre",
    "figure", "figcaption", "form", "hr", "br", "founder-content", "founder-author", "h1", "h2", "h3",
    "h4", "h5", "h6", "founder-title",
}
_HEADING_LEVEL = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6, "founder-title": 1}


def han_count(text: str) -> int:
    """Number of Han characters in ``text``."""
    return len(_HAN.findall(text))


def _text(sel: Selector) -> str:
    return re.sub(r"\s+", " ", " ".join(sel.xpath(".//text()").getall())).strip()


def find_container(page: Selector) -> tuple[Selector | None, str]:
    """The article's content element and how it was found (``selector`` or ``density``)."""
    for css in CONTAINERS:
        for found in page.css(css)[:3]:
            if han_count(_text(found)) >= _CONTAINER_MIN_HAN:
                return found, "selector"
    best: tuple[int, etree._Element] | None = None
    for el in page.root.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP:
            continue
        score = sum(han_count("".join(p.itertext())) for p in el if p.tag == "p")
        if score and (best is None or score > best[0]):
            best = (score, el)
    if best is not None and best[0] >= _DENSITY_MIN_HAN:
        return Selector(root=best[1]), "density"
    return None, "none"


def _strip_suffix(title: str) -> str:
    """``标题 - 内蒙古新闻网`` → ``标题``: the last ``-``/``_``/``|`` part when it is short."""
    return re.sub(r"\s*(?:[-_|–—]+|\s-\s)\s*[^-_|–—]{2,30}$", "", title).strip()


@dataclass
class Headline:
    """The page's title, its element (None when taken from ``<title>``) and the layer."""

    text: str
    node: Selector | None
    layer: str


_NEAR = 15  # text nodes between a headline and the body it heads (date, source, share bar …)
_TITLE_IDENT = re.compile(r"tit|headline", re.I)


def _positions(root: etree._Element) -> tuple[dict[etree._Element, int], dict[etree._Element, int]]:
    """First and last text-node index of every element that holds text (document order).

    Keyed by the elements themselves: they stay alive, so lxml hands out the same proxy
    objects for them later (``id()`` of a dropped proxy may be reused).
    """
    first: dict[etree._Element, int] = {}
    last: dict[etree._Element, int] = {}
    for i, (el, _text) in enumerate(_walk_text(root)):
        node: etree._Element | None = el
        while node is not None:
            first.setdefault(node, i)
            last[node] = i
            node = node.getparent()
    return first, last


def find_headline(page: Selector, container: Selector | None = None) -> Headline:
    """The headline of the page.

    Candidates are element texts (4-100 characters, not links) that ``<title>`` contains;
    the longest wins, on a tie ``h1``, ``founder-title``, ``h2``, ``h3``, a title-like
    class or id. With a content container, a candidate right before it (at most 15 text
    nodes away) is preferred; when none is, a title-like element (``h1``-``h3``, class or
    id with ``tit``/``headline``) right before the container wins over a distant
    candidate (``<title>`` may be just the site name); of those, ``h1`` before ``h2``,
    ``h3`` and the rest, then the closest to the body. Else the single ``<h1>``, else
    ``<title>`` without the site suffix.
    """
    doc_title = re.sub(r"\s+", "", page.xpath("string(//title)").get() or "")
    first, last = _positions(page.root)
    start = first.get(container.root) if container is not None else None

    def near(node: Selector) -> bool:
        end = last.get(node.root)
        return start is not None and end is not None and 0 < start - end <= _NEAR

    titled: list[tuple[tuple[int, int], str, Selector]] = []
    headings: list[tuple[int, str, Selector]] = []
    h1s: list[tuple[str, Selector]] = []
    for node in page.xpath("//body//*[not(ancestor-or-self::a) and not(self::script or self::style)]"):
        text = _text(node)
        if not 2 <= len(text) <= 100:
            continue
        tag = node.root.tag if isinstance(node.root.tag, str) else ""
        ident = node.attrib.get("class", "") + " " + node.attrib.get("id", "")
        if tag == "h1":
            h1s.append((text, node))
        if near(node) and (tag in ("h1", "h2", "h3", "founder-title") or _TITLE_IDENT.search(ident)) \
                and len(text) >= 4 and text[-1] not in "。！？!?":
            rank = _HEADLINE_RANK.get(tag, 4)
            headings.append((-rank * 10_000 + last[node.root], text, node))
        if len(text) < 4 or not doc_title or text.replace(" ", "") not in doc_title:
            continue
        rank = _HEADLINE_RANK.get(tag, 4 if "title" in ident.lower() else 5)
        titled.append(((len(text), -rank), text, node))
    close = [t for t in titled if near(t[2])]
    pool = close or ([] if headings else titled)
    if pool:
        _key, text, node = max(pool, key=lambda t: t[0])
        return Headline(text, node, "page")
    if headings:
        _key2, text, node = max(headings, key=lambda t: t[0])  # h1 before h2 …, then the closest
        return Headline(text, node, "page")
    if len(h1s) == 1:
        return Headline(h1s[0][0], h1s[0][1], "page")
    return Headline(_strip_suffix(re.sub(r"\s+", " ", page.xpath("string(//title)").get() or "").strip()),
                    None, "page")


_KICKER_CLASS = re.compile(r"kicker|intro.?title|yinti|pre.?title|font02", re.I)
_SUBTITLE_CLASS = re.compile(r"sub.?title|fu.?title|vice.?title|futi|font02|subhead", re.I)


def _neighbour_heading(node: Selector, axis: str, pattern: re.Pattern[str]) -> str | None:
    """The text of the nearest heading before/after ``node`` (``h1``-``h6`` or a class
    matching ``pattern``), looking at siblings and, for table cells, the rows around."""
    for step in (f"{axis}-sibling::*[1]", f"ancestor::tr[1]/{axis}-sibling::tr[1]//td[normalize-space()][1]"):
        for sib in node.xpath(step):
            tag = sib.root.tag
            cls = sib.attrib.get("class", "") + " " + sib.attrib.get("id", "")
            text = _text(sib)
            heading = tag in ("h1", "h2", "h3", "h4", "h5", "h6") or bool(pattern.search(cls))
            if text and len(text) <= 80 and heading:
                return text
    return None


def kicker_and_subtitle(node: Selector | None) -> tuple[str | None, str | None]:
    """引题 and 副题 printed right before and after the headline element."""
    if node is None:
        return None, None
    return (_neighbour_heading(node, "preceding", _KICKER_CLASS),
            _neighbour_heading(node, "following", _SUBTITLE_CLASS))


def _walk_text(root: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """Every text node of ``root`` with the element it belongs to, in document order."""
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP:
            continue
        if el.text and el.text.strip():
            yield el, el.text.strip()
        for child in el:
            skipped = isinstance(child.tag, str) and child.tag in _SKIP
            if child.tail and child.tail.strip() and not skipped:
                yield el, child.tail.strip()


def lines_between(
    page: Selector, start: Selector | None, end: Selector | None, *, limit: int = 30
) -> list[str]:
    """The text nodes after ``start`` and before ``end`` (the byline, date and source
    lines under a headline); after ``end`` when ``start`` is None (editor lines under
    the body); after ``start`` when ``end`` is None or comes first. At most ``limit``."""
    nodes = list(_walk_text(page.root))  # holds the element proxies: identity is stable

    def span(sel: Selector | None) -> tuple[int, int] | None:
        if sel is None:
            return None
        inside = set(sel.root.iter())
        hits = [i for i, (el, _t) in enumerate(nodes) if el in inside]
        return (hits[0], hits[-1]) if hits else None

    first, last = span(start), span(end)
    if first is None and last is None:
        return []
    if first is None:
        assert last is not None
        return [t for _e, t in nodes[last[1] + 1 : last[1] + 1 + limit]]
    stop = last[0] if last is not None and last[0] > first[1] else len(nodes)
    return [t for _e, t in nodes[first[1] + 1 : stop]][:limit]


def html_blocks(container: Selector) -> list[Block]:
    """Paragraphs and headings of a container in reading order (``<br>`` splits too)."""
    blocks: list[Block] = []
    buf: list[str] = []

    def flush() -> None:
        text = re.sub(r"[ \t\r\n\f\v]+", " ", "".join(buf)).strip()
        if text:
            blocks.append(Block(text))
        buf.clear()

    def enter(el: etree._Element) -> list[tuple[str, Any]]:
        """Open ``el``; what to do next: its children, each followed by its tail, then "exit"."""
        if not isinstance(el.tag, str) or el.tag in _SKIP:
            return []
        tag = el.tag.lower()
        if tag in _HEADING_LEVEL:
            flush()
            text = re.sub(r"\s+", " ", "".join(el.itertext())).strip()
            if text:
                blocks.append(Block(text, _HEADING_LEVEL[tag]))
            return []
        block = tag in _BLOCK
        if block:
            flush()
        if el.text:
            buf.append(el.text)
        steps: list[tuple[str, Any]] = []
        for child in el:
            steps.append(("enter", child))
            if child.tail:
                steps.append(("tail", child.tail))
        return [*steps, ("exit", block)]

    # An explicit stack, not recursion: hostile markup nests tens of thousands of levels deep.
    stack: list[tuple[str, Any]] = [("enter", container.root)]
    while stack:
        what, arg = stack.pop()
        if what == "enter":
            stack.extend(reversed(enter(arg)))
        elif what == "tail":
            buf.append(arg)
        elif arg:  # "exit" of a block element
            flush()
    flush()
    return blocks
