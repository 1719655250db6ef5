"""What the Founder e-paper parsers read off pages, and how a paper's issues are laid out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from parsel import Selector
from scrapy.http import TextResponse

from crawler.items import Image


@dataclass(frozen=True)
class PageLink:
    """One page (版) of an issue as the page list names it: ``第01版：要闻``."""

    number: str
    name: str | None
    url: str


@dataclass
class PageInfo:
    """What one page (版面) offers: the issue's page list, its PDF and image, its stories."""

    links: list[PageLink] = field(default_factory=list)
    pdf: str | None = None
    image: str | None = None
    #: (absolute URL, link text) of each story, in the page's order, hot-zone map included.
    articles: list[tuple[str, str]] = field(default_factory=list)
    #: The issue date as printed on the page (``2022年06月02日 星期四``), if any.
    date_raw: str | None = None


@dataclass
class ArticleFields:
    """What a parser reads off one story page (one part of a story continued elsewhere)."""

    title: str
    body: Selector
    kicker: str | None = None
    subtitle: str | None = None
    #: A byline element apart from the body (``作者：陆健 刘习``, ``<founder-author>``).
    byline: str | None = None
    images: list[Image] = field(default_factory=list)
    published_raw: str | None = None


class Family(Protocol):
    """A Founder template family: URL scheme of an issue and the parsers of its pages."""

    name: str
    #: Story URLs of the family, for the drift fallback (any such link on a page is followed).
    article_re: re.Pattern[str]
    #: Page URLs of the family, for the drift fallback when no page list is found.
    page_re: re.Pattern[str]

    def date_path(self, day: date) -> str:
        """The date part of an issue's URLs (``2022-06/02`` or ``layout/202309/28``)."""
        ...

    def read_page(self, page: TextResponse) -> PageInfo | None:
        """The page's links and assets; None when the markup is not this family's."""
        ...

    def read_article(self, page: TextResponse) -> ArticleFields | None:
        """A story's fields; None when title or body cannot be found (template drift)."""
        ...


@dataclass(frozen=True)
class Edition:
    """Where a paper's issues live and how they are made, from ``valid_from`` on.

    ``base`` is the URL prefix before the date part, ``first_page`` the file name of an
    issue's entry page: ``Edition(CLASSIC, "https://szb.northnews.cn/nmgrb/html", "node_1.htm")``
    gives ``https://szb.northnews.cn/nmgrb/html/2022-11/22/node_1.htm``.
    """

    family: Family
    base: str
    first_page: str
    valid_from: date | None = None

    def first_page_url(self, day: date) -> str:
        """The entry page of the issue of ``day``."""
        return f"{self.base.rstrip('/')}/{self.family.date_path(day)}/{self.first_page}"


PAGE_NAME = re.compile(r"^\s*第?\s*(?P<num>[A-Za-z]?\d{1,3})\s*版\s*[:：]?\s*(?P<name>.*?)\s*$")


def split_page_name(text: str) -> tuple[str, str | None] | None:
    """``第01版：要闻`` → ``("01", "要闻")``; ``5版 冰点周刊`` → ``("05", "冰点周刊")``."""
    m = PAGE_NAME.match(re.sub(r"\s+", " ", text))
    if not m:
        return None
    num = m["num"].upper()
    if num.isdigit():
        num = f"{int(num):02d}"
    return num, (m["name"] or None)
