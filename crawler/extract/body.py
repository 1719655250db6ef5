"""Body paragraphs of an article's content container, via trafilatura."""

from __future__ import annotations

from functools import lru_cache

import trafilatura
from lxml import html as lxml_html
from trafilatura.settings import use_config


@lru_cache(maxsize=8)
def _config(min_chars: int) -> object:
    """trafilatura options, built once. Its 250-character minimum drops short Chinese
    briefs, which are news too, so the minimum is a setting (EXTRACT_MIN_CHARS)."""
    cfg = use_config()
    cfg.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(min_chars))
    cfg.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
    cfg.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return cfg


def body_paragraphs(html: str, *, min_chars: int = 20) -> tuple[list[str], str]:
    """Paragraphs of the container and the layer that produced them.

    trafilatura first (``trafilatura``); when it finds nothing in a container that does
    hold text, the container's own text blocks (``selector``) so nothing is lost.
    """
    text = trafilatura.extract(
        html, config=_config(min_chars), output_format="txt", include_comments=False,
        include_tables=True, include_images=False, deduplicate=False, favor_recall=True,
    )
    if text and text.strip():
        return [p for p in text.split("\n") if p.strip()], "trafilatura"
    try:
        root = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return [], "none"
    blocks = [b.text_content() for b in root.iter("p", "div", "td", "li") if not len(b)]
    paras = [b.strip() for b in blocks if b.strip()]
    return paras, ("selector" if paras else "none")
