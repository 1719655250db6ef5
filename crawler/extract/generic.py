"""Generic extraction for pages of outlets we have no rules for (and for template drift).

Layers, first hit wins per field (recorded in ``Article.layers``): Chinese CMS ``<meta>``
tags and the Founder enpproperty block (``meta``); the page's structure (``page``: the
headline that ``<title>`` repeats, 引题/副题 around it, the byline/date/source lines
between it and the body, breadcrumbs); the URL (``url``). The body is the content
container (CMS selectors, else text density) handed to trafilatura by
:func:`crawler.extract.article.finish` (``trafilatura``), else the whole page (``page``).

A page that prints several stories (an e-paper page saved whole, seeds 002 and 003)
gives several Articles (:func:`generic_articles`); the second and later get the URL
with ``#2``, ``#3`` … so each is stored once.
"""

from __future__ import annotations

import re

from parsel import Selector
from scrapy.http import TextResponse

from crawler.encoding import Decoded
from crawler.extract.body import paragraphs_html
from crawler.extract.images import article_images
from crawler.extract.layout import (
    find_container,
    find_headline,
    html_blocks,
    kicker_and_subtitle,
    lines_between,
)
from crawler.extract.meta import (
    AUTHOR_KEYS,
    DATE_KEYS,
    SECTION_KEYS,
    SOURCE_KEYS,
    TITLE_KEYS,
    PageMeta,
    read_meta,
)
from crawler.items import Article
from crawler.zh.bylines import is_name
from crawler.zh.credits import credit_line, extract_credits, parse_editor, parse_source
from crawler.zh.dates import date_from_url, parse_datetime, to_iso
from crawler.zh.edition import parse_edition
from crawler.zh.mirror import repair_mirror, simplify
from crawler.zh.segment import Block, Story, infer_headings, split_stories, stories_of
from crawler.zh.text import normalize_paragraph

#: Meta keys of earlier versions, kept for importers (spiders/site.py).
META_TITLE = ("articletitle", "og:title", "title", "headline")
META_DATE = DATE_KEYS
META_AUTHOR = AUTHOR_KEYS
META_SOURCE = SOURCE_KEYS
META_SECTION = SECTION_KEYS
_SUFFIX = re.compile(r"\s*[-_|–—]+\s*[^-_|–—]{2,30}$")
_DATE_NODE = ("//*[contains(@class,'date') or contains(@class,'time') or contains(@id,'date') "
              "or contains(@id,'time') or contains(@class,'info') or self::time]")
_CRUMB = ("//*[contains(text(),'当前位置') or contains(text(),'您的位置') or contains(@class,'crumb') "
          "or contains(@class,'position') or contains(@class,'location') or contains(@class,'bread')]")
_DATELINE = re.compile(r"^\S{1,30}?[讯电](?:\s|[（(]|$)")


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _title(article: Article, meta: PageMeta, page: Selector, container: Selector | None) -> Selector | None:
    """Fill the title; return the headline element when the page has one."""
    headline = find_headline(page, container)
    value = meta.first(TITLE_KEYS[:2]) or meta.enp("title")
    if value:
        article.title, article.layers["title"] = _clean(value), "meta"
    elif headline.node is None and (og := meta.first(TITLE_KEYS[2:])):
        article.title, article.layers["title"] = _SUFFIX.sub("", _clean(og)), "meta"
    else:
        article.title, article.layers["title"] = headline.text, headline.layer
    kicker, subtitle = meta.enp("introtitle"), meta.enp("subtitle")
    if kicker:
        article.kicker, article.layers["kicker"] = kicker, "meta"
    if subtitle:
        article.subtitle, article.layers["subtitle"] = subtitle, "meta"
    around = kicker_and_subtitle(headline.node)
    if not article.kicker and around[0] and around[0] != article.title:
        article.kicker, article.layers["kicker"] = around[0], "page"
    if not article.subtitle and around[1] and around[1] != article.title:
        article.subtitle, article.layers["subtitle"] = around[1], "page"
    return headline.node


def _date(article: Article, meta: PageMeta, page: Selector, info: list[str]) -> None:
    """Meta date, enpproperty date, the date line under the headline, a date node, the URL.

    A Founder e-paper article (enpproperty block) with the issue date in its URL is dated
    by the issue (``edition_date``; :func:`finish` makes it ``published_at``): its
    enpproperty ``<date>`` is when the story entered the CMS, often the evening before.
    """
    url_date = date_from_url(article.url)
    if meta.founder and url_date is not None:
        article.edition_date, article.layers["edition_date"] = url_date.isoformat(), "url"
        return
    hint = url_date.year if url_date else None
    tries: list[tuple[str | None, str]] = [(meta.first(DATE_KEYS), "meta"), (meta.enp("date"), "meta")]
    tries += [(line, "page") for line in info]
    tries += [(_clean(" ".join(n.xpath(".//text()").getall())), "page") for n in page.xpath(_DATE_NODE)[:20]]
    for raw, layer in tries:
        if not raw or len(raw) > 120:
            continue
        # Under the headline only full dates count: a year-less 9月26日 there is an event.
        when = parse_datetime(raw, year_hint=hint if layer == "meta" else None)
        if when is not None:
            article.published_raw, article.published_at = raw, to_iso(when)
            article.layers["published_raw"] = article.layers["published_at"] = layer
            return


def _plain(line: str) -> str:
    """A metadata line in simplified characters without mirror pinyin, for the rules."""
    return simplify(repair_mirror(line))


def _credits(article: Article, meta: PageMeta, info: list[str], after: list[str]) -> None:
    """Authors from meta; bylines, source, editor and edition from the lines around the body
    (read in simplified characters: 來源 is 来源)."""
    info, after = [_plain(x) for x in info], [_plain(x) for x in after]
    author = meta.first(AUTHOR_KEYS) or meta.enp("author")
    if author:
        names = [a for a in re.split(r"[\s,，、;；]+", author) if a]
        if names and all(is_name(n) for n in names):
            article.authors, article.layers["authors"] = names, "meta"
    source = meta.first(SOURCE_KEYS)
    if source and (clean := parse_source(f"来源：{source}")):
        article.source, article.layers["source"] = clean, "meta"
    for line in info:
        found = credit_line(line)
        if found is not None:
            for name in ("authors", "correspondents", "organisation", "source", "editor"):
                value = getattr(found, name)
                if value and not getattr(article, name):
                    setattr(article, name, value)
                    article.layers[name] = "page"
            continue
        if not article.source and (src := parse_source(line)):
            article.source, article.layers["source"] = src, "page"
        edition = parse_edition(line)
        if edition is not None and not article.page_number:
            article.edition_date, article.page_number = edition.date, edition.page_number
            article.page_name = edition.page_name
            article.layers["page_number"] = "page"
    if not article.source and (src := parse_source(" ".join(info))):  # 来源：<a>光明日报</a>
        article.source, article.layers["source"] = src, "page"
    for line in after:
        found = credit_line(line)
        editor = found.editor if found is not None else None
        if editor and not article.editor:
            article.editor, article.layers["editor"] = editor, "page"
        elif not article.editor and len(line) <= 40 and (ed := parse_editor(line)):
            article.editor, article.layers["editor"] = ed, "page"


def _section(article: Article, meta: PageMeta, page: Selector) -> None:
    """Column: meta, enpproperty node name, else the breadcrumb's last item before 正文."""
    value = meta.first(SECTION_KEYS) or meta.enp("nodename")
    if value:
        article.section, article.layers["section"] = value, "meta"
        return
    for crumb in page.xpath(_CRUMB)[:3]:
        parts = [p.strip() for p in re.split(r"[>＞»›]", _clean(" ".join(crumb.xpath(".//text()").getall())))]
        parts = [re.sub(r"\s*正文$", "", p).strip() for p in parts]
        parts = [p for p in parts if p and not re.search(r"位置|首页", p)]
        if parts and len(parts[-1]) <= 20:
            article.section, article.layers["section"] = parts[-1], "page"
            return


def _wrapper(headline: Selector | None, container: Selector) -> Selector | None:
    """The element that holds both the headline and the body (the article's box)."""
    if headline is None:
        return None
    around = set(container.root.iterancestors())
    node = headline.root
    while node is not None and node not in around:
        node = node.getparent()
    return Selector(root=node) if node is not None else None


def _has_marks(story: Story, *, start: bool) -> bool:
    """A byline or dateline opens the story (``start``), or credits close it."""
    if start:
        head = story.paragraphs[:2]
        return any(_DATELINE.match(p) for p in head) or not extract_credits(head)[1].empty
    last = story.paragraphs[-1:] or [""]
    found = credit_line(last[0])
    return found is not None and bool(found.source or found.organisation or found.authors)


def _stories(container: Selector | None, page: Selector) -> list[Story]:
    """The stories of a page that prints several (each opened or each closed by credits)."""
    root = container if container is not None else next(iter(page.xpath("//body")), None)
    if root is None:  # nothing to read: an empty body (a 200 with no bytes, a 204)
        return []
    blocks = html_blocks(root)
    blocks = [Block(text, b.level) for b in blocks if (text := normalize_paragraph(b.text))]
    if not any(b.level for b in blocks):
        blocks = infer_headings([b.text for b in blocks])
    titled = [s for s in split_stories(blocks) if s.title and s.paragraphs]
    if len(titled) < 2:
        return []
    opened = sum(_has_marks(s, start=True) for s in titled)
    if opened < 2 and sum(_has_marks(s, start=False) for s in titled) < 2:
        return []
    return [s for s in stories_of(blocks) if s.title]


def generic_articles(
    page: TextResponse, decoded: Decoded, *, outlet: str, url: str | None = None
) -> list[Article]:
    """Every Article a page holds: one, or one per story of a multi-story page."""
    url = url or page.url
    text = decoded.text or page.text
    sel = Selector(text=text)  # over the text as decoded by crawler.encoding
    meta = read_meta(sel, text)
    article = Article(url=url, outlet=outlet, charset=decoded.charset, charset_reason=decoded.reason,
                      pages=[url])
    container, _how = find_container(sel)
    headline = _title(article, meta, sel, container)
    info = lines_between(sel, headline, container) if headline is not None else []
    _date(article, meta, sel, info)
    _credits(article, meta, info, lines_between(sel, None, container, limit=10) if container else [])
    _section(article, meta, sel)
    if container is not None:
        article.body_html = [container.get()]
        article.images = article_images(container, url, wrapper=_wrapper(headline, container))
    else:
        article.body_html = [text]
        article.layers["text"] = "page"
    stories = _stories(container, sel)
    if not stories:
        return [article]
    out = []
    for n, story in enumerate(stories, start=1):
        part = Article(url=url if n == 1 else f"{url}#{n}", outlet=outlet, charset=article.charset,
                       charset_reason=article.charset_reason, pages=[url], title=story.title,
                       kicker=story.kicker, subtitle=story.subtitle, section=article.section,
                       published_at=article.published_at, published_raw=article.published_raw,
                       edition_date=article.edition_date, page_number=article.page_number,
                       page_name=article.page_name, body_html=[paragraphs_html(story.paragraphs)])
        part.layers = {k: v for k, v in article.layers.items()
                       if k in ("section", "published_at", "published_raw", "page_number")}
        part.layers.update(title="page", text="rule")
        for name in ("kicker", "subtitle"):
            if getattr(part, name):
                part.layers[name] = "page"
        out.append(part)
    return out


def generic_article(page: TextResponse, decoded: Decoded, *, outlet: str, url: str | None = None) -> Article:
    """An Article from any page: metadata by layers, body left to :func:`finish`.

    For a page with several stories, the first; see :func:`generic_articles`.
    """
    return generic_articles(page, decoded, outlet=outlet, url=url)[0]
