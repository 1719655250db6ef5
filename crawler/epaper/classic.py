"""Classic Founder e-paper (shared/outlets.md §8.1): ``YYYY-MM/DD/node_N.htm`` + ``content_*.htm``.

Used by 内蒙古日报 (global node ids, ``content_{node}_{article}.htm``), 包头日报,
呼和浩特日报 and many more. Pages: ``<a id=pageLink href=node_2.htm>第01版：要闻</a>`` rows
with the PDF beside, ``#main-ed-articlenav-list`` story list, ``PagePicMap`` hot zones.
Stories: the ``enpproperty`` comment, ``td.font02`` kicker / ``td.font01 founder-title`` /
``td.font02`` subtitle, ``founder-author``, ``#ozoom founder-content`` body; variants
``tr[valign=top] strong`` (呼和浩特) and ``div.text`` + ``div#main`` (包头).
"""

from __future__ import annotations

import re
from datetime import date

from parsel import Selector
from scrapy.http import TextResponse

from crawler.epaper.markup import enpproperty, first, table_images, text
from crawler.epaper.model import ArticleFields, PageInfo
from crawler.epaper.pages import PageXPaths, read_page
from crawler.extract.images import find_images

PATHS = PageXPaths(
    page_links="//a[@id='pageLink']",
    stories=(
        "//*[@id='main-ed-articlenav-list']//a | //ul[contains(@class,'main-ed-articlenav-list')]//a"
        " | //td/a[starts-with(@href,'content')]"
    ),
)
TITLE = ("founder-title", "td.font01", "tr[valign=top] strong", "div.text td strong")
BODY = ("founder-content", "#ozoom", "div#main", "div.content")
#: Picture tables: lightbox links (``a.pirobox_gall``) or the coloured picture table (呼和浩特).
PICTURES = "//table[.//img][.//a[contains(@class,'pirobox')] or @bgcolor][not(.//table)]"


class Classic:
    """The classic family (``node_N.htm`` pages, ``content_….htm`` stories)."""

    name = "classic"
    article_re = re.compile(r"/content_\d+(?:_\d+)?\.htm$")
    page_re = re.compile(r"/node_\d+\.htm$")

    def date_path(self, day: date) -> str:
        return day.strftime("%Y-%m/%d")

    def read_page(self, page: TextResponse) -> PageInfo | None:
        return read_page(page, PATHS, self.article_re)

    def read_article(self, page: TextResponse) -> ArticleFields | None:
        title_node = first(page, TITLE)
        body = first(page, BODY)
        if title_node is None or body is None:
            return None
        enp = enpproperty(page)
        kicker, subtitle = _around_title(title_node)
        images = table_images(page.xpath(PICTURES), page.url)
        known = {i.url for i in images}
        images += [i for i in find_images(body, page.url) if i.url not in known]
        return ArticleFields(
            title=text(title_node) or enp.get("title", ""),
            body=body,
            kicker=kicker or enp.get("introtitle") or None,
            subtitle=subtitle or enp.get("subtitle") or None,
            byline=text(page.css("founder-author")) or None,
            images=images,
            published_raw=enp.get("date") or None,
        )


def _around_title(title_node: Selector) -> tuple[str | None, str | None]:
    """``.font02`` lines of the title's table: before the title the kicker, after it the subtitle."""
    table = title_node.xpath("ancestor::table[1]")
    if not table:
        return None, None
    marks = table[0].xpath(
        ".//*[contains(concat(' ',@class,' '),' font02 ') or self::founder-title"
        " or contains(concat(' ',@class,' '),' font01 ') or self::strong]")
    kicker: list[str] = []
    subtitle: list[str] = []
    seen_title = False
    for node in marks:
        cls = f" {node.attrib.get('class', '')} "
        if " font02 " not in cls:
            seen_title = True
            continue
        value = text(node)
        if value:
            (subtitle if seen_title else kicker).append(value)
    return (" ".join(kicker) or None), (" ".join(subtitle) or None)


CLASSIC = Classic()
