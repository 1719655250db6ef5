"""Generic extraction for pages of outlets we have no rules for (and for template drift).

Layers, first hit wins per field: Chinese CMS ``<meta>`` tags (``meta``), then the page's
visible structure (``page``: the single ``<h1>``, a date line near it), then the URL
(``url``). The body is left to trafilatura over the whole page by
:func:`crawler.extract.article.finish`, which also applies the Chinese credit rules.
"""

from __future__ import annotations

import re

from scrapy.http import TextResponse

from crawler.encoding import Decoded
from crawler.items import Article
from crawler.zh.credits import parse_source
from crawler.zh.dates import date_from_url, parse_datetime, to_iso

#: ``<meta name=…>`` keys used by Chinese CMSs (TRS, Founder, PHPCMS, DedeCMS …), lower-cased.
META_TITLE = ("articletitle", "og:title", "title", "headline")
META_DATE = ("pubdate", "publishdate", "publish_date", "article:published_time", "og:release_date",
             "firstpublishedtime", "published_time", "date", "dc.date", "releasedate")
META_AUTHOR = ("author", "article:author", "dc.creator", "reporter")
META_SOURCE = ("contentsource", "source", "og:site_name")
META_SECTION = ("columnname", "article:section", "section", "catalogs")
_SUFFIX = re.compile(r"\s*[-_|–—]+\s*[^-_|–—]{2,30}$")
_DATE_NODE = ("//*[contains(@class,'date') or contains(@class,'time') or contains(@id,'date') "
              "or contains(@id,'time') or contains(@class,'info') or self::time]")


def _metas(page: TextResponse) -> dict[str, str]:
    out: dict[str, str] = {}
    for meta in page.xpath("//meta"):
        key = (meta.attrib.get("name") or meta.attrib.get("property") or "").strip().lower()
        value = (meta.attrib.get("content") or "").strip()
        if key and value and key not in out:
            out[key] = value
    return out


def _first(metas: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((metas[k] for k in keys if metas.get(k)), None)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def generic_article(page: TextResponse, decoded: Decoded, *, outlet: str, url: str | None = None) -> Article:
    """An Article from any page: metadata by layers, body left to :func:`finish`."""
    metas = _metas(page)
    article = Article(url=url or page.url, outlet=outlet, charset=decoded.charset,
                      charset_reason=decoded.reason, pages=[url or page.url])

    h1 = [t for t in (_clean(" ".join(h.xpath(".//text()").getall())) for h in page.xpath("//h1")) if t]
    title_meta = _first(metas, META_TITLE)
    if len(h1) == 1:
        article.title, article.layers["title"] = h1[0], "page"
    elif title_meta:
        article.title, article.layers["title"] = _SUFFIX.sub("", title_meta), "meta"
    else:
        title = _clean(page.xpath("string(//title)").get() or "")
        article.title, article.layers["title"] = _SUFFIX.sub("", title), "page"

    url_date = date_from_url(article.url)
    year_hint = url_date.year if url_date else None
    raw = _first(metas, META_DATE)
    when = parse_datetime(raw, year_hint=year_hint) if raw else None
    layer = "meta"
    if when is None:
        for node in page.xpath(_DATE_NODE)[:20]:
            text = _clean(" ".join(node.xpath(".//text()").getall()))
            if text and len(text) < 120 and (when := parse_datetime(text, year_hint=year_hint)):
                raw, layer = text, "page"
                break
    if when is not None:
        article.published_raw, article.published_at = raw, to_iso(when)
        article.layers["published_at"] = layer

    author = _first(metas, META_AUTHOR)
    if author:
        article.authors = [a for a in re.split(r"[\s,，、;；]+", author) if a]
        article.layers["authors"] = "meta"
    source = _first(metas, META_SOURCE)
    if source and (clean := parse_source(source) or source):
        article.source, article.layers["source"] = clean, "meta"
    section = _first(metas, META_SECTION)
    if section:
        article.section, article.layers["section"] = section, "meta"
    article.body_html = [page.text]
    article.layers["text"] = "page"
    return article
