"""Finish an Article the spider filled from selectors: text, credits, dates, flags.

The spider supplies what the outlet's markup says (the ``selector`` layer) and the
raw HTML of the content container; this module adds what rules and trafilatura find,
never overwriting a selector value, and records the layer of each field.
"""

from __future__ import annotations

from datetime import datetime

from crawler.encoding import looks_garbled
from crawler.extract import EXTRACTOR_VERSION
from crawler.extract.body import body_paragraphs
from crawler.items import Article
from crawler.zh.credits import extract_credits, parse_editor, parse_source
from crawler.zh.dates import TZ, date_from_url, parse_datetime, to_iso
from crawler.zh.text import dedupe_blocks, mend_broken_lines, normalize_paragraph, strip_boilerplate


def _set(article: Article, name: str, value: object, layer: str) -> None:
    """Fill a field that is still empty and note which layer filled it."""
    if value in (None, "", []) or getattr(article, name) not in (None, "", []):
        return
    setattr(article, name, value)
    article.layers.setdefault(name, layer)


def finish(article: Article, *, outlet_names: tuple[str, ...] = (), min_chars: int = 20) -> Article:
    """Complete ``article`` in place and return it; clears ``body_html``."""
    for name in ("title", "kicker", "subtitle", "section", "source", "editor", "published_raw"):
        if getattr(article, name):
            article.layers.setdefault(name, "selector")
    paragraphs: list[str] = []
    layer = "none"
    for html in article.body_html:
        found, layer = body_paragraphs(html, min_chars=min_chars)
        paragraphs.extend(found)
    paragraphs = [p for p in (normalize_paragraph(p) for p in paragraphs) if p]
    paragraphs = strip_boilerplate(paragraphs)
    captions = {normalize_paragraph(i.caption) for i in article.images if i.caption}
    paragraphs = [p for p in paragraphs if p not in captions]
    if article.source:
        article.source = parse_source(article.source) or article.source
    if article.editor:
        article.editor = parse_editor(article.editor) or article.editor
    paragraphs = mend_broken_lines(dedupe_blocks(paragraphs))
    paragraphs, credits = extract_credits(paragraphs, outlet_names=outlet_names)
    article.text = "\n".join(paragraphs)
    if article.text:
        article.layers.setdefault("text", layer)
    _set(article, "authors", credits.authors, "rule")
    _set(article, "correspondents", credits.correspondents, "rule")
    _set(article, "organisation", credits.organisation, "rule")
    _set(article, "source", credits.source, "rule")
    _set(article, "editor", credits.editor, "rule")

    if not article.published_at:
        url_date = date_from_url(article.url)
        year_hint = url_date.year if url_date else None
        parsed = parse_datetime(article.published_raw, year_hint=year_hint) if article.published_raw else None
        if parsed is not None:
            article.published_at = to_iso(parsed)
            article.layers.setdefault("published_at", article.layers.get("published_raw", "selector"))
        elif url_date is not None:
            article.published_at = to_iso(datetime(url_date.year, url_date.month, url_date.day, tzinfo=TZ))
            article.layers.setdefault("published_at", "url")
    article.is_reprint = bool(article.source) and article.source not in outlet_names
    if looks_garbled(article.title + article.text) and "mojibake" not in article.flags:
        article.flags.append("mojibake")
    if not article.text:
        article.flags.append("empty-text")
    article.extractor_version = EXTRACTOR_VERSION
    article.body_html = []
    return article
