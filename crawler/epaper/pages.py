"""Reading a Founder 版面 (page) the way all three families lay it out.

Every family lists the issue's pages as links named ``第01版：要闻`` (a row or ``<li>``
per page, often with the page's PDF next to the name), shows the page image with a
hot-zone map (``<img usemap=#PagePicMap>`` + ``<area href=…>``) and lists the stories.
A family passes its XPaths; the reading is the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from scrapy.http import TextResponse

from crawler.epaper.markup import links, same_host, text
from crawler.epaper.model import PageInfo, PageLink, split_page_name

_ISSUE_DATE = re.compile(
    r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日(?:\s*(?:星期|周)[一二三四五六日天])?")
_PDF = ".//a[contains(translate(@href,'PDF','pdf'),'.pdf')]/@href"


@dataclass(frozen=True)
class PageXPaths:
    """Where a family keeps the parts of a page."""

    #: ``<a>`` elements naming the issue's pages (``第01版：要闻``).
    page_links: str
    #: ``<a>`` elements of the page's story list, in reading order.
    stories: str
    #: Hot-zone ``<area>`` elements: stories the list misses (the list comes first).
    areas: str = "//map//area[@href]"
    #: The page image (the first match).
    image: str = "//img[@usemap]/@src | //*[contains(@class,'main-ed-map')]//img/@src"
    #: The row (``tr``/``li``/…) around a page link, where its PDF link sits.
    row: str = "ancestor::*[self::tr or self::li or self::dd or contains(@class,'swiper-slide')][1]"


def _pdf(page: TextResponse, paths: PageXPaths) -> str | None:
    """The PDF of this page: the one in the row of its own page link, else the only one."""
    for anchor in page.xpath(paths.page_links):
        href = anchor.attrib.get("href", "").strip()
        if href and urljoin(page.url, href).split("?")[0] == page.url.split("?")[0]:
            row = anchor.xpath(paths.row)
            pdfs = row.xpath(_PDF).getall() if row else []
            if pdfs:
                return urljoin(page.url, pdfs[0].strip())
    every = {urljoin(page.url, h.strip())
             for h in page.xpath(_PDF.removeprefix(".")).getall()}
    return every.pop() if len(every) == 1 else None


def read_page(page: TextResponse, paths: PageXPaths, article_re: re.Pattern[str]) -> PageInfo | None:
    """The page's page list, PDF, image and stories; None when neither list is found."""
    page_links: list[PageLink] = []
    seen: set[str] = set()
    for url, label in links(page, paths.page_links):
        parsed = split_page_name(label)
        if parsed and url not in seen:
            seen.add(url)
            page_links.append(PageLink(number=parsed[0], name=parsed[1], url=url))
    stories: list[tuple[str, str]] = []
    known: set[str] = set()
    for url, title in links(page, paths.stories) + links(page, paths.areas):
        bare = url.split("#")[0].split("?")[0]
        if same_host(url, page.url) and article_re.search(bare) and bare not in known:
            known.add(bare)
            stories.append((url, title))
    if not page_links and not stories:
        return None
    image = page.xpath(paths.image).get()
    banner = _ISSUE_DATE.search(text(page.xpath("//body")) if page.xpath("//body") else "")
    return PageInfo(
        links=page_links,
        pdf=_pdf(page, paths),
        image=urljoin(page.url, image.strip()) if image else None,
        articles=stories,
        date_raw=banner.group() if banner else None,
    )
