"""What is special about e-paper story bodies, handled before the generic extraction.

* Continuation marks: ``（下转02版）`` at the end of a part, ``（上接01版）`` at the start
  of the next: read (to join the parts) and removed from the text.
* The title printed again inside the body (``强化正面宣传引导，化德县——``): removed.
* A CMS that repeats the story (seed 003 shows one story four times, its byline after the
  first copy): when every paragraph before the first byline line recurs after it, the
  part before is a copy and is dropped, so the story starts at its lead. The generic
  ``dedupe_blocks`` then removes the remaining copies; without this step it would keep
  the first copy, which lacks the lead and opens with a sub-heading.
* Entries that are not stories: the page's credit line (``本版责编：张三``) and
  advertisements (``广告``).
"""

from __future__ import annotations

import re

from lxml import html as lxml_html
from parsel import Selector

from crawler.zh.credits import extract_credits

_MARK = r"[（(]\s*{word}\s*第?\s*(?P<page>[A-Za-z]?\d{{1,3}})\s*版\s*[)）]"
CONT_TO = re.compile(_MARK.format(word="(?:下转|转至|转)") + r"\s*$")
CONT_FROM = re.compile(r"^\s*" + _MARK.format(word="(?:上接|接)"))
_ANY_MARK = re.compile(_MARK.format(word="(?:下转|转至|转|上接|接)"))
_CREDIT_TITLE = re.compile(
    r"^\s*(?:本版|本期)(?:责任编辑|责编|编辑|美编|校对|统筹|监制)"
    r"|^\s*(?:责任编辑|责编|美编|校对|版式设计|版式|组版|图片编辑|美术编辑)\s*[:：]"
)
_AD_TITLE = re.compile(r"^\s*(?:公益|分类|商业|招商)?广告\s*[\d一二三四五六七八九十]*\s*$")
_SPACE = re.compile(r"[\s\u3000\xa0]+")
DUP_MIN_CHARS = 15


def _key(value: str) -> str:
    return _SPACE.sub("", value)


def page_of(match: re.Match[str] | None) -> str | None:
    """The page number of a continuation mark, zero-padded (``2`` → ``02``)."""
    if match is None:
        return None
    page = match["page"].upper()
    return f"{int(page):02d}" if page.isdigit() else page


def continuation(body_text: str) -> tuple[str | None, str | None]:
    """(page it continues on, page it continues from) read off a body's text."""
    flat = _SPACE.sub("", body_text)
    return page_of(CONT_TO.search(flat)), page_of(CONT_FROM.search(flat))


def not_a_story(title: str) -> str | None:
    """``"credit"`` for a page credit line, ``"ad"`` for an advertisement, else None."""
    if _CREDIT_TITLE.search(title):
        return "credit"
    if _AD_TITLE.match(title):
        return "ad"
    return None


def _is_byline(paragraph: str, outlet_names: tuple[str, ...]) -> bool:
    kept, credits = extract_credits([paragraph], outlet_names=outlet_names)
    return not kept and bool(credits.authors or credits.correspondents)


def clean_body(body: Selector, *, titles: tuple[str | None, ...], outlet_names: tuple[str, ...]) -> str:
    """The body as an HTML document, without continuation marks, title repeats and a leading copy."""
    root = lxml_html.fragment_fromstring(body.get(), create_parent="div")
    for el in root.iter():
        # Founder's own tags (founder-content …) make trafilatura reject the fragment.
        if isinstance(el.tag, str) and el.tag.startswith("founder-"):
            el.tag = "div"
    drop = {_key(t) for t in titles if t}
    paragraphs = [p for p in root.iter("p") if _key(p.text_content())]
    for p in paragraphs:
        if _key(p.text_content()) in drop:
            p.drop_tree()
    paragraphs = [p for p in paragraphs if _key(p.text_content()) not in drop]
    texts = [p.text_content().strip() for p in paragraphs]
    start = next((i for i, t in enumerate(texts) if len(t) <= 60 and _is_byline(t, outlet_names)), 0)
    before = {_key(t) for t in texts[:start]}
    after = {_key(t) for t in texts[start + 1:]}
    if start and before <= after and any(len(k) >= DUP_MIN_CHARS for k in before):
        for p in paragraphs[:start]:
            p.drop_tree()
    inner = lxml_html.tostring(root, encoding="unicode")
    # A whole document: trafilatura rejects a fragment whose root has a single child.
    return "<html><body>" + _ANY_MARK.sub("", inner) + "</body></html>"
