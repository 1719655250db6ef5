"""Small readers shared by the Founder family parsers: text, links, image tables, enpproperty."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector, SelectorList
from scrapy.http import TextResponse

from crawler.items import Image

_ENP = re.compile(r"<!--\s*enpproperty(?P<body>.*?)/enpproperty\s*-->", re.S | re.I)
_ENP_FIELD = re.compile(r"<(?P<key>[a-z]+)>(?P<value>.*?)</(?P=key)>", re.S | re.I)


def text(sel: Selector | SelectorList[Selector] | None) -> str:
    """The visible text of a node, whitespace collapsed (full-width spaces too)."""
    if sel is None or (isinstance(sel, SelectorList) and not sel):
        return ""
    node = sel[0] if isinstance(sel, SelectorList) else sel
    return re.sub(r"[\s\u3000\xa0]+", " ", " ".join(node.xpath(".//text()").getall())).strip()


def first(page: Selector | TextResponse, selectors: tuple[str, ...]) -> Selector | None:
    """The first node matched by the first selector (CSS) that matches anything."""
    for css in selectors:
        found = page.css(css)
        if found:
            return found[0]
    return None


def same_host(url: str, page_url: str) -> bool:
    """Whether ``url`` is on the host (and port) of ``page_url``."""
    return urlsplit(url).netloc.lower() == urlsplit(page_url).netloc.lower()


def links(page: TextResponse, xpath: str) -> list[tuple[str, str]]:
    """(absolute URL, text) of the ``<a>``/``<area>`` nodes matched, in order, without repeats."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for node in page.xpath(xpath):
        href = (node.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = urljoin(page.url, href)
        if url in seen:
            continue
        seen.add(url)
        out.append((url, text(node) or node.attrib.get("alt", "").strip()))
    return out


def enpproperty(page: TextResponse) -> dict[str, str]:
    """Fields of the Founder ``<!--enpproperty <title>…</title>… /enpproperty-->`` comment."""
    m = _ENP.search(page.text)
    if not m:
        return {}
    return {f["key"].lower(): html.unescape(f["value"]).strip() for f in _ENP_FIELD.finditer(m["body"])}


def table_images(tables: SelectorList[Selector], base_url: str) -> list[Image]:
    """Images of Founder picture tables: the image in one row, its caption in the text around it."""
    images: list[Image] = []
    seen: set[str] = set()
    for table in tables:
        caption = text(table) or None
        for src in table.xpath(".//img/@src").getall():
            url = urljoin(base_url, src.strip())
            if url not in seen:
                seen.add(url)
                images.append(Image(url=url, caption=caption))
    return images
