"""Body paragraphs of an article's content container, via trafilatura."""

from __future__ import annotations

import html as html_lib
import re
from configparser import ConfigParser
from functools import lru_cache

import trafilatura
from lxml import html as lxml_html
from trafilatura.settings import Extractor, use_config

from crawler.zh.mirror import han_count


@lru_cache(maxsize=8)
def _config(min_chars: int) -> ConfigParser:
    """trafilatura options, built once. Its 250-character minimum drops short Chinese
    briefs, which are news too, so the minimum is a setting (EXTRACT_MIN_CHARS)."""
    cfg = use_config()
    cfg.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(min_chars))
    cfg.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
    cfg.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return cfg


#: Marks HTML built by :func:`paragraphs_html`: its paragraphs are final, not re-extracted.
_EXTRACTED = '<div data-extracted="paragraphs">'
_P = re.compile(r"<p>(.*?)</p>", re.S)


def paragraphs_html(paragraphs: list[str]) -> str:
    """HTML carrying paragraphs already cut out of a page (one story of several), for
    :attr:`crawler.items.Article.body_html`; :func:`body_paragraphs` returns them as they are."""
    inner = "".join(f"<p>{html_lib.escape(p)}</p>" for p in paragraphs)
    return f"{_EXTRACTED}{inner}</div>"


#: Try trafilatura's recall mode when precision mode keeps less than this share of the
#: Han characters of the container's ``<p>`` elements.
RECALL_BELOW = 0.6


def _han(text: str | None) -> int:
    return han_count(text or "")


def _paragraph_han(html: str) -> int:
    return sum(_han(m) for m in re.findall(r"<p[\s>].*?</p>", html, re.S | re.I))


def _extract(html: str, min_chars: int, *, favor_recall: bool) -> str | None:
    container = not re.search(r"<body[\s>]", html[:2000], re.I)
    if container:  # a container's HTML: give it a document
        html = f"<html><body>{html}</body></html>"
    # A container a rule chose is the article already: trafilatura's fast mode skips its
    # second opinion (readability/justext over the same few nodes), 13 % of extraction's
    # time with no change on the evaluation set (docs/performance.md). A whole page of an
    # unknown layout keeps it.
    return trafilatura.extract(html, options=_options(min_chars, favor_recall=favor_recall, fast=container))


@lru_cache(maxsize=32)
def _options(min_chars: int, *, favor_recall: bool, fast: bool) -> Extractor:
    """trafilatura's options for one kind of call, built once: building them per call read
    the whole configuration again (6 % of extraction). trafilatura only reads them (its
    recall retry works on a copy)."""
    return Extractor(config=_config(min_chars), output_format="txt", comments=False, tables=True,
                     images=False, dedup=False, recall=favor_recall, fast=fast)


def body_paragraphs(html: str, *, min_chars: int = 20) -> tuple[list[str], str]:
    """Paragraphs of the container and the layer that produced them.

    trafilatura first (``trafilatura``); when it finds nothing in a container that does
    hold text, the container's own text blocks (``selector``) so nothing is lost.
    HTML from :func:`paragraphs_html` gives back its paragraphs (layer ``rule``).
    """
    if html.startswith(_EXTRACTED):
        return [html_lib.unescape(p) for p in _P.findall(html)], "rule"
    # Precision mode first: in recall mode trafilatura may answer with its baseline,
    # which drops every paragraph already seen (a repeated block must reach our own
    # rules whole: which copy to keep depends on the heads around it). Recall mode only
    # when precision mode keeps clearly less than the container's paragraphs hold.
    text = _extract(html, min_chars, favor_recall=False)
    if _han(text) < RECALL_BELOW * _paragraph_han(html):
        recall = _extract(html, min_chars, favor_recall=True)
        if _han(recall) > _han(text):
            text = recall
    if text and text.strip():
        return [p for p in text.split("\n") if p.strip()], "trafilatura"
    try:
        root = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return [], "none"
    blocks = [b.text_content() for b in root.iter("p", "div", "td", "li") if not len(b)]
    paras = [b.strip() for b in blocks if b.strip()]
    return paras, ("selector" if paras else "none")
