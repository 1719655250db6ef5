"""The metadata layer: ``<meta>`` tags of Chinese CMSs and the Founder ``enpproperty`` block.

Founder (方正) e-papers write the article's properties into a comment
(``<!--enpproperty <articleid>…</articleid><date>2016-10-31 09:28:27.0</date>
<author>郭奋</author><title>…</title><subtitle>…</subtitle><introtitle>…</introtitle>
<nodename>…</nodename>/enpproperty-->``, shared/outlets.md §8.1); TRS, PHPCMS, DedeCMS
and others use ``<meta name=ArticleTitle|PubDate|ContentSource|author|ColumnName>``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from parsel import Selector

#: ``<meta name=…>`` keys, lower-cased, in order of trust.
TITLE_KEYS = ("articletitle", "headline", "og:title", "twitter:title")
DATE_KEYS = ("pubdate", "publishdate", "publish_date", "article:published_time", "og:release_date",
             "firstpublishedtime", "published_time", "releasedate", "dc.date", "dc.date.issued", "date")
AUTHOR_KEYS = ("author", "article:author", "dc.creator", "reporter")
SOURCE_KEYS = ("contentsource", "source", "articlesource")
SECTION_KEYS = ("columnname", "article:section", "section", "catalogs")

_ENP = re.compile(r"<!--\s*enpproperty(?P<body>.*?)/enpproperty\s*-->", re.S | re.I)
_ENP_FIELD = re.compile(r"<(?P<tag>[A-Za-z_]+)>(?P<value>.*?)</(?P=tag)>", re.S)


@dataclass
class PageMeta:
    """Metadata a page declares about itself (raw strings, as written)."""

    tags: dict[str, str] = field(default_factory=dict)
    founder: dict[str, str] = field(default_factory=dict)

    def first(self, keys: tuple[str, ...]) -> str | None:
        """The first non-empty ``<meta>`` value among ``keys``."""
        return next((self.tags[k] for k in keys if self.tags.get(k)), None)

    def enp(self, name: str) -> str | None:
        """A Founder enpproperty value (``date``, ``author``, ``title``, ``subtitle``,
        ``introtitle``, ``nodename`` …), or None when absent or empty."""
        return self.founder.get(name) or None


def founder_properties(text: str) -> dict[str, str]:
    """The fields of a Founder ``<!--enpproperty …/enpproperty-->`` comment, unescaped."""
    m = _ENP.search(text)
    if not m:
        return {}
    out: dict[str, str] = {}
    for f in _ENP_FIELD.finditer(m["body"]):
        value = re.sub(r"\s+", " ", html.unescape(f["value"])).strip()
        out.setdefault(f["tag"].lower(), value)
    return out


def read_meta(page: Selector, text: str) -> PageMeta:
    """``<meta name|property=… content=…>`` (first value per key) and enpproperty fields."""
    tags: dict[str, str] = {}
    for meta in page.xpath("//meta"):
        key = (meta.attrib.get("name") or meta.attrib.get("property") or "").strip().lower()
        value = re.sub(r"\s+", " ", meta.attrib.get("content") or "").strip()
        if key and value and key not in tags:
            tags[key] = value
    return PageMeta(tags=tags, founder=founder_properties(text))
