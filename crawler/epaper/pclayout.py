"""New Founder "pc/layout" e-paper (shared/outlets.md §8.3, §3.2, §6.1): the 2020s template.

Pages ``…/layout/YYYYMM/DD/node_NN.html``: ``a#pageLink`` / ``#list a`` / ``.swiper-slide a``
named ``01版：要闻``, stories in ``ul.news-list`` / ``.m-title-list`` and the hot-zone map.
Stories ``…/content/YYYYMM/DD/content_N.html``, three known skins:
乌兰察布/乌海 (``div.intro`` titles, ``founder-content``, ``div.pic``), 光明日报 2026
(``.m-article-content`` h3/h1/h2, ``.m-article-author``, ``.m-article-main``) and 人民日报
(``.article`` h3/h1/h2, ``.sec``, ``#ozoom``).
"""

from __future__ import annotations

import re
from datetime import date

from scrapy.http import TextResponse

from crawler.epaper.markup import enpproperty, first, text
from crawler.epaper.model import ArticleFields, PageInfo
from crawler.epaper.pages import PageXPaths, read_page
from crawler.extract.images import find_images

PATHS = PageXPaths(
    page_links=("//a[@id='pageLink'] | //*[@id='list']//a[contains(@href,'node_')]"
                " | //*[contains(@class,'swiper-slide')]//a[contains(@href,'node_')]"),
    stories="//ul[contains(@class,'news-list')]//a | //*[contains(@class,'m-title-list')]//a",
)
TITLE_BOX = (".m-article-content", "div.intro", "div.article")
BODY = ("founder-content", ".m-article-main", "#ozoom", ".m-content")
BYLINE = (".m-article-author", ".sec", "founder-author", "p.author")


class PcLayout:
    """The pc/layout family (``layout/…/node_NN.html`` pages, ``content/…/content_N.html`` stories)."""

    name = "pc-layout"
    article_re = re.compile(r"/content/\d{6}/\d{2}/content_\d+\.html?$")
    page_re = re.compile(r"/layout/\d{6}/\d{2}/node_\w+\.html?$")

    def date_path(self, day: date) -> str:
        return day.strftime("layout/%Y%m/%d")

    def read_page(self, page: TextResponse) -> PageInfo | None:
        return read_page(page, PATHS, self.article_re)

    def read_article(self, page: TextResponse) -> ArticleFields | None:
        box = first(page, TITLE_BOX)
        body = first(page, BODY)
        if box is None or body is None:
            return None
        title = text(box.css("h1")) or text(box)
        if not title:
            return None
        byline = first(page, BYLINE)
        reporter = page.xpath("//meta[@name='reporter']/@content").get()
        images = []
        for block in [*page.css("div.pic"), body]:
            images += [i for i in find_images(block, page.url) if i.url not in {x.url for x in images}]
        return ArticleFields(
            title=title,
            body=body,
            kicker=(text(box.css("h3")) or None) if box.css("h1") else None,
            subtitle=(text(box.css("h2")) or None) if box.css("h1") else None,
            byline=text(byline) or (reporter or "").strip() or None,
            images=images,
            published_raw=enpproperty(page).get("date") or None,
        )


PC_LAYOUT = PcLayout()
