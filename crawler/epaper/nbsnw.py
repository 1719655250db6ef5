"""Founder "nbs/nw" e-paper (shared/outlets.md §3.1, §8.2): 光明日报 to 2025, 人民日报 and 中国青年报 old.

Pages ``YYYY-MM/DD/nbs.D110000{paper}_NN.htm``: ``#pageList`` rows of ``a#pageLink``
(``第01版：要闻``) with the PDF link beside, ``#titleList ul li a`` stories, ``PagePicMap``.
Stories ``nw.D110000{paper}_YYYYMMDD_k-NN.htm``: ``div.text_c`` with ``h3`` kicker, ``h1``
title, ``h2`` subtitle, ``div.lai`` (``作者：…`` and ``《光明日报》（ 2025年02月12日 04版）``),
body ``#articleContent`` inside ``#ozoom``, pictures in ``table.c_c`` (gmw) / ``table.pic_c``.
"""

from __future__ import annotations

import re
from datetime import date

from scrapy.http import TextResponse

from crawler.epaper.markup import first, table_images, text
from crawler.epaper.model import ArticleFields, PageInfo
from crawler.epaper.pages import PageXPaths, read_page
from crawler.extract.images import find_images

PATHS = PageXPaths(
    page_links="//*[@id='pageList']//a[@id='pageLink'] | //a[@id='pageLink']",
    stories="//*[@id='titleList']//li//a",
)
BODY = ("#articleContent", "#ozoom", "founder-content")
_PRINTED = re.compile(r"《[^》]+》\s*[（(][^）)]*\d{4}\s*年[^）)]*[）)]")


class NbsNw:
    """The nbs/nw family (``nbs.D110000…_NN.htm`` pages, ``nw.D110000…_k-NN.htm`` stories)."""

    name = "nbs-nw"
    article_re = re.compile(r"/nw\.D\d+\w*?_\d{8}_\d+-\d+\.htm$")
    page_re = re.compile(r"/nbs\.D\d+\w*?_\d+\.htm$")

    def date_path(self, day: date) -> str:
        return day.strftime("%Y-%m/%d")

    def read_page(self, page: TextResponse) -> PageInfo | None:
        return read_page(page, PATHS, self.article_re)

    def read_article(self, page: TextResponse) -> ArticleFields | None:
        box = first(page, ("div.text_c",))
        body = first(page, BODY)
        if box is None or body is None or not text(box.css("h1")):
            return None
        lai = box.css("div.lai")
        printed = _PRINTED.search(text(lai))
        byline = " ".join(t for t in (text(s) for s in lai.css("span")) if t)
        images = table_images(box.css("table.c_c, table.pic_c"), page.url)
        known = {i.url for i in images}
        images += [i for i in find_images(body, page.url) if i.url not in known]
        return ArticleFields(
            title=text(box.css("h1")),
            body=body,
            kicker=text(box.css("h3")) or None,
            subtitle=text(box.css("h2")) or None,
            byline=byline or None,
            images=images,
            published_raw=printed.group() if printed else None,
        )


NBS_NW = NbsNw()
