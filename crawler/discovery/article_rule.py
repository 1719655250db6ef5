"""Whether a page of a site without a spider is an article (the ``site`` spider's rule).

A page is an article when all of these hold:

1. **It is dated**: a date in its URL (``/2022-06/02/``, ``/20220602/``), a publication date
   in the page (CMS ``<meta>`` or a date line, as the generic extractor reads them), or one
   given for it by a news sitemap or a feed.
2. **It has a body**: trafilatura finds main text on it, and that text holds at least
   ``min_chars`` characters (white space and link text not counted; default
   :data:`MIN_BODY_CHARS`, short enough for a Chinese news brief).
3. **It is not a list**: at most :data:`MAX_LINK_SHARE` of that main text is link text.
   A column or home page is mostly headlines that link to articles; its dates
   (one per item) would otherwise make it look dated.

Home pages, column lists, "about us" pages without a date, search and tag pages fail one
of these. The verdict says which, so a crawl's stats show why pages were passed over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import trafilatura
from parsel import Selector
from trafilatura.settings import use_config

MIN_BODY_CHARS = 120
MAX_LINK_SHARE = 0.5
_SPACE = re.compile(r"\s+")
_MARK = "\x00"


@dataclass(frozen=True)
class ArticleVerdict:
    """The decision and what it rests on; ``reason`` is ``article``, ``undated``,
    ``no-body``, ``short-body`` or ``link-list``."""

    is_article: bool
    reason: str
    dated_by: str | None
    body_chars: int
    link_share: float


@lru_cache(maxsize=1)
def _config() -> object:
    cfg = use_config()
    # Keep short bodies: the length test is ours (min_chars), not trafilatura's 250.
    cfg.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
    cfg.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
    cfg.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return cfg


def _anchor_texts(html: str) -> list[str]:
    """Texts of the page's links (white space removed), longest first."""
    texts = {_SPACE.sub("", t) for t in Selector(text=html).xpath("//a").xpath("string(.)").getall()}
    return sorted((t for t in texts if len(t) >= 2), key=len, reverse=True)


def main_text_measure(html: str) -> tuple[int, int]:
    """(characters of main text that are not link text, characters that are).

    Link text is counted by matching the page's anchor texts inside trafilatura's main text,
    not from trafilatura's own link markup: its fallback extractors drop that markup, and a
    home page read by them would look like one long paragraph of prose.
    """
    text = trafilatura.extract(html, config=_config(), output_format="txt", include_comments=False,
                               include_tables=True, include_images=False, deduplicate=False)
    if not text:
        return 0, 0
    flat = _SPACE.sub("", text)
    for anchor in _anchor_texts(html):
        if anchor in flat:
            flat = flat.replace(anchor, _MARK * len(anchor))
    linked = flat.count(_MARK)
    return len(flat) - linked, linked


def judge_page(html: str, *, dated_by: str | None, min_chars: int = MIN_BODY_CHARS) -> ArticleVerdict:
    """Apply the rule of this module to a decoded page; ``dated_by`` names where a
    publication date was found (``url``, ``meta``, ``page``, ``sitemap``, ``feed``) or is None."""
    if dated_by is None:
        return ArticleVerdict(False, "undated", None, 0, 0.0)
    own, linked = main_text_measure(html)
    share = linked / (own + linked) if own + linked else 0.0
    if own + linked == 0:
        return ArticleVerdict(False, "no-body", dated_by, 0, 0.0)
    if share > MAX_LINK_SHARE:
        return ArticleVerdict(False, "link-list", dated_by, own, share)
    if own < min_chars:
        return ArticleVerdict(False, "short-body", dated_by, own, share)
    return ArticleVerdict(True, "article", dated_by, own, share)
