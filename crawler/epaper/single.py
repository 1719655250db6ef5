"""One story page read without a crawl (``scrapy extract``, replay from the archive).

The crawl learns a story's page from the issue's page list; a lone story page says it
itself: the page it links back to (``返回版面``, ``第02版：要闻``) or the enpproperty
``nodename``, the issue date from its URL. Given ``fetch`` (a getter of archived or live
pages), the page's credit line gives the editor and a story continued on another page
(``（下转02版）``, or a story cut mid-sentence whose title recurs on a later page) is
followed and joined, as in the crawl. The continued part itself
(``（上接01版）``) is read with its first part, so on its own it gives None, as do credit
lines and advertisements.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from scrapy.http import Response, TextResponse

from crawler.epaper.assemble import TITLE_MIN_CHARS, merge_into
from crawler.epaper.cleanup import continuation, not_a_story
from crawler.epaper.markup import enpproperty, links, text
from crawler.epaper.model import ArticleFields, Edition, PageInfo, split_page_name
from crawler.epaper.story import story_article
from crawler.items import Article
from crawler.spider import Fetch, decode_response
from crawler.zh.credits import parse_editor
from crawler.zh.dates import date_from_url
from crawler.zh.edition import parse_edition

if TYPE_CHECKING:
    from crawler.epaper.base import EpaperSpider

#: Story pages tried on the page a story continues on before giving up.
MAX_CANDIDATES = 12
#: Marks that end a story; a body ending otherwise was cut by the page (a continuation without marks).
_ENDS = "。！？!?…”’」』）)】"


def _bare(url: str) -> str:
    return url.split("#")[0].split("?")[0]


def _key(title: str) -> str:
    return re.sub(r"[\s\u3000\xa0]+", "", title)


def own_page(page: TextResponse, edition: Edition) -> tuple[str | None, str | None]:
    """(URL, label ``第02版：要闻``) of the page a story page belongs to, as far as it says."""
    nodename = enpproperty(page).get("nodename") or None
    for url, label in links(page, "//a[@href]"):
        if edition.family.page_re.search(_bare(url)):
            return url, (label if split_page_name(label) else nodename)
    return None, nodename


def _page(edition: Edition, fetch: Fetch, url: str) -> PageInfo | None:
    response = fetch(url)
    return edition.family.read_page(decode_response(response)[0]) if response is not None else None


def _next_part(edition: Edition, fetch: Fetch, info: PageInfo, *, on: str, came_from: str, title: str,
               seen: set[str]) -> tuple[Response, ArticleFields, PageInfo] | None:
    """The part on page ``on`` continuing ``title`` from page ``came_from``: same title or 上接 mark."""
    link = next((p for p in info.links if p.number == on), None)
    there = _page(edition, fetch, link.url) if link is not None else None
    if there is None:
        return None
    stories = sorted(there.articles, key=lambda s: _key(s[1]) != _key(title))  # same title first
    for url, _label in stories[:MAX_CANDIDATES]:
        if _bare(url) in seen:
            continue
        seen.add(_bare(url))
        response = fetch(url)
        fields = edition.family.read_article(decode_response(response)[0]) if response is not None else None
        if fields is None or response is None:
            continue
        if _key(fields.title) == _key(title) or continuation(text(fields.body))[1] == came_from:
            return response, fields, there
    return None


def _same_title_later(edition: Edition, fetch: Fetch, info: PageInfo, *, after: str, title: str,
                      seen: set[str]) -> tuple[Response, ArticleFields, PageInfo, str] | None:
    """A story with the same title on a page after ``after`` (no continuation marks)."""
    for link in info.links:
        if link.number <= after or len(_key(title)) < TITLE_MIN_CHARS:
            continue
        there = _page(edition, fetch, link.url)
        for url, label in there.articles if there is not None else []:
            if _key(label) == _key(title) and _bare(url) not in seen:
                seen.add(_bare(url))
                response = fetch(url)
                fields = edition.family.read_article(decode_response(response)[0]) if response else None
                if response is not None and fields is not None and _key(fields.title) == _key(title):
                    return response, fields, there, link.number
    return None


def extract_story(spider: type[EpaperSpider], response: Response, fetch: Fetch | None) -> Article | None:
    """The article of one story page (and its continuation through ``fetch``), unfinished."""
    page, decoded = decode_response(response)
    day = date_from_url(response.url)
    if day is None:
        return None
    try:
        edition = spider.edition_for(day)
    except ValueError:
        return None
    fields = edition.family.read_article(page)
    if fields is None or not_a_story(fields.title):
        return None
    continues_on, continued_from = continuation(text(fields.body))
    if continued_from:
        return None
    page_url, label = own_page(page, edition)
    number, name = split_page_name(label) if label and split_page_name(label) else (None, None)
    if number is None and (printed := parse_edition(fields.published_raw or "")) is not None:
        number = printed.page_number
    article = story_article(spider, response, decoded, fields, day=day, page=number, name=name)
    info = _page(edition, fetch, page_url) if fetch is not None and page_url else None
    if info is not None:
        credits = [parse_editor(title) for _url, title in info.articles if not_a_story(title) == "credit"]
        article.editor = next((c for c in credits if c), None)
    seen = {_bare(response.url)}
    came_from = number
    body = text(fields.body)
    while fetch is not None and info is not None and came_from is not None:
        if continues_on:
            found = _next_part(edition, fetch, info, on=continues_on, came_from=came_from, title=fields.title,
                               seen=seen)
            more = (*found, continues_on) if found is not None else None
        elif body and body[-1] not in _ENDS:
            more = _same_title_later(edition, fetch, info, after=came_from, title=fields.title, seen=seen)
        else:
            break
        if more is None:
            break
        response_more, more_fields, info, came_from = more
        decoded_more = decode_response(response_more)[1]
        merge_into(article, story_article(spider, response_more, decoded_more, more_fields, day=day,
                                          page=came_from, name=None))
        body = text(more_fields.body)
        continues_on = continuation(body)[0]
    if continues_on:
        article.flags.append("incomplete-pages")
    return article
