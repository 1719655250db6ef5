"""Finish an Article the spider filled from selectors: text, credits, dates, script, flags.

The spider supplies what the outlet's markup says (the ``selector`` layer) and the
raw HTML of the content container; this module adds what rules and trafilatura find,
never overwriting a selector value, and records the layer of each field.

Text goes: paragraphs (trafilatura) → spacing → page chrome out → captions out →
a head printed again inside the body put back in place → repeated blocks out →
print-layout breaks mended → script → credits out.
Pages in traditional characters (flag ``traditional``) and mirror-site copies with
inserted pinyin (flag ``mirror``, shared/outlets.md §10) keep ``title``/``text`` as the
page has them and get ``title_simplified``/``text_simplified``; their credits are read
from the simplified text. Flags: ``mirror``, ``mirror-unrepaired`` (broken pinyin
inserts the repair could not undo), ``traditional``, ``mojibake``, ``empty-text``.
"""

from __future__ import annotations

import re
from datetime import datetime
from difflib import SequenceMatcher

from crawler.encoding import looks_garbled
from crawler.extract import EXTRACTOR_VERSION
from crawler.extract.body import body_paragraphs
from crawler.items import Article
from crawler.zh.credits import Credits, extract_credits, parse_editor, parse_source
from crawler.zh.dates import TZ, date_from_url, parse_datetime, to_iso
from crawler.zh.mirror import is_mirror, is_traditional, simplified, unrepaired
from crawler.zh.segment import restore_detached_head
from crawler.zh.text import dedupe_blocks, mend_broken_lines, normalize_paragraph, strip_boilerplate


def _set(article: Article, name: str, value: object, layer: str) -> None:
    """Fill a field that is still empty and note which layer filled it."""
    if value in (None, "", []) or getattr(article, name) not in (None, "", []):
        return
    setattr(article, name, value)
    article.layers.setdefault(name, layer)


def _flag(article: Article, flag: str) -> None:
    if flag not in article.flags:
        article.flags.append(flag)


def _paragraphs(article: Article, min_chars: int) -> tuple[list[str], list[str], str]:
    """Clean body paragraphs, the captions among them, and the layer that produced them."""
    paragraphs: list[str] = []
    layer = "none"
    for html in article.body_html:
        found, layer = body_paragraphs(html, min_chars=min_chars)
        paragraphs.extend(found)
    paragraphs = [p for p in (normalize_paragraph(p) for p in paragraphs) if p]
    paragraphs = strip_boilerplate(paragraphs)
    captions = [normalize_paragraph(i.caption) for i in article.images if i.caption]
    paragraphs = [p for p in paragraphs if p not in captions]
    paragraphs = restore_detached_head(paragraphs, (article.title, article.kicker, article.subtitle))
    return mend_broken_lines(dedupe_blocks(paragraphs), captions=captions), captions, layer


def _same_cut(original: str, converted: str, kept: str) -> str:
    """``original`` cut as ``converted`` was cut down to ``kept`` (a byline taken out).

    t2s maps character for character, so the same spans are kept; when the lengths
    differ (mirror pinyin removed) the paragraph keeps its page form whole.
    """
    if kept == converted or len(original) != len(converted):
        return original
    blocks = SequenceMatcher(None, converted, kept, autojunk=False).get_matching_blocks()
    return "".join(original[b.a : b.a + b.size] for b in blocks).strip()


def _script(
    article: Article, paragraphs: list[str], outlet_names: tuple[str, ...]
) -> tuple[list[str], Credits]:
    """Credits out of the text; for traditional or mirror pages also the simplified text."""
    probe = article.title + "\n" + "\n".join(paragraphs)
    mirror = is_mirror(probe)
    if not mirror and not is_traditional(probe):
        return extract_credits(paragraphs, outlet_names=outlet_names)
    _flag(article, "mirror" if mirror else "traditional")
    credits = Credits()
    kept: list[str] = []
    kept_simple: list[str] = []
    for paragraph in paragraphs:  # credits are read per paragraph: the two texts stay aligned
        converted = simplified(paragraph, mirror=mirror)
        simple, found = extract_credits([converted], outlet_names=outlet_names)
        credits.merge(found)
        if simple:
            kept.append(_same_cut(paragraph, converted, simple[0]))
            kept_simple.append(simple[0])
    article.text_simplified = "\n".join(kept_simple)
    article.title_simplified = simplified(article.title, mirror=mirror) if article.title else None
    if mirror and unrepaired(article.text_simplified + (article.title_simplified or "")):
        _flag(article, "mirror-unrepaired")
    return kept, credits


def _date(article: Article) -> None:
    """``published_at`` from the raw date (year of the issue or URL for ``9月26日``), else the URL."""
    url_date = date_from_url(article.url)
    year_hint = int(article.edition_date[:4]) if article.edition_date else url_date.year if url_date else None
    parsed = parse_datetime(article.published_raw, year_hint=year_hint) if article.published_raw else None
    if parsed is not None:
        article.published_at = to_iso(parsed)
        article.layers.setdefault("published_at", article.layers.get("published_raw", "selector"))
    elif article.edition_date:
        when = datetime.fromisoformat(article.edition_date).replace(tzinfo=TZ)
        article.published_at = to_iso(when)
        article.layers.setdefault("published_at", article.layers.get("edition_date", "selector"))
    elif url_date is not None:
        article.published_at = to_iso(datetime(url_date.year, url_date.month, url_date.day, tzinfo=TZ))
        article.layers.setdefault("published_at", "url")


#: Longest title, kicker or subtitle kept; longer ones are cut and flagged ``oversized-field``
#: (a 2-million-character "title" took simplified-Chinese conversion 30 s).
MAX_HEADLINE_CHARS = 1000
#: C0 control characters but tab and line breaks: never part of a headline.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def finish(article: Article, *, outlet_names: tuple[str, ...] = (), min_chars: int = 20) -> Article:
    """Complete ``article`` in place and return it; clears ``body_html``."""
    for name in ("title", "kicker", "subtitle", "section", "source", "editor", "published_raw",
                 "edition_date"):
        if getattr(article, name):
            article.layers.setdefault(name, "selector")
    for name in ("title", "kicker", "subtitle"):
        value = getattr(article, name)
        if value:
            value = normalize_paragraph(_CONTROLS.sub("", value)).replace("\n", " ")
            if len(value) > MAX_HEADLINE_CHARS:  # broken or hostile markup: no headline is that long
                value = value[:MAX_HEADLINE_CHARS]
                _flag(article, "oversized-field")
            setattr(article, name, value)
    paragraphs, _captions, layer = _paragraphs(article, min_chars)
    if article.source:
        article.source = parse_source(article.source) or article.source
    if article.editor:
        article.editor = parse_editor(article.editor) or article.editor
    paragraphs, credits = _script(article, paragraphs, outlet_names)
    article.text = "\n".join(paragraphs)
    if article.text:
        article.layers.setdefault("text", layer)
    _set(article, "authors", credits.authors, "rule")
    _set(article, "correspondents", credits.correspondents, "rule")
    _set(article, "organisation", credits.organisation, "rule")
    _set(article, "source", credits.source, "rule")
    _set(article, "editor", credits.editor, "rule")
    if not article.published_at:
        _date(article)
    article.is_reprint = bool(article.source) and article.source not in outlet_names
    if looks_garbled(article.title + article.text):
        _flag(article, "mojibake")
    if not article.text:
        _flag(article, "empty-text")
    article.extractor_version = EXTRACTOR_VERSION
    article.body_html = []
    return article
