"""Extract the articles of one page without a crawl: ``scrapy extract`` and the evaluation.

The page goes the way it would in a crawl: the outlet spider whose ``handles(url)``
accepts it reads it with its own rules (``extract_page``, crawler/spider.py), following
later pages of the article through the same getter; a page no spider claims, or whose
markup the spider no longer recognises (flag ``drift``), goes to the generic extractor;
then :func:`crawler.extract.article.finish` runs as in the pipeline.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import HtmlResponse
from scrapy.settings import BaseSettings
from scrapy.spiderloader import get_spider_loader

from crawler.extract.article import finish
from crawler.extract.generic import generic_articles
from crawler.extract.inputs import Getter, InputError, RawPage, follow
from crawler.items import Article
from crawler.spider import ArchiveSpider, decode_response
from crawler.warc.extension import META_KEY


def response_for(page: RawPage) -> HtmlResponse:
    """A Scrapy response for a raw page, tied to a request that carries its WARC record."""
    meta: dict[str, Any] = {META_KEY: page.warc} if page.warc is not None else {}
    request = scrapy.Request(page.url, meta=meta, dont_filter=True)
    return HtmlResponse(url=page.url, status=page.status, headers=page.headers, body=page.body,
                        request=request)


def outlet_spiders(settings: BaseSettings) -> dict[str, type[ArchiveSpider]]:
    """The project's spiders that read article pages (they define ``extract_page``)."""
    loader = get_spider_loader(settings)
    found: dict[str, type[ArchiveSpider]] = {}
    for name in loader.list():
        cls = loader.load(name)
        if getattr(cls, "extract_page", None) is not None:
            found[name] = cls  # type: ignore[assignment]
    return found


def spider_for(url: str, spiders: dict[str, type[ArchiveSpider]], outlet: str | None = None
               ) -> type[ArchiveSpider] | None:
    """The spider named ``outlet``, else the one that handles ``url``, else None (generic).

    When several do, one that defines its own ``handles`` (an URL pattern) wins over one
    that only inherits the ``allowed_domains`` test (gmw.cn also covers epaper.gmw.cn).
    """
    if outlet is not None:
        if outlet not in spiders:
            raise InputError(f"--outlet {outlet}: no spider of that name reads article pages "
                             f"(known: {', '.join(sorted(spiders)) or 'none'})")
        return spiders[outlet]
    found = [cls for cls in spiders.values() if cls.handles(url)]
    inherited = ArchiveSpider.handles.__func__  # type: ignore[attr-defined]
    specific = [cls for cls in found if cls.handles.__func__ is not inherited]  # type: ignore[attr-defined]
    return (specific or found or [None])[0]


def extract_articles(page: RawPage, *, spiders: dict[str, type[ArchiveSpider]], get: Getter | None = None,
                     outlet: str | None = None, min_chars: int = 20) -> list[Article]:
    """Every finished Article of ``page`` (several for a page that prints several stories)."""
    cls = spider_for(page.url, spiders, outlet)
    response = response_for(page)

    def fetch(url: str) -> scrapy.http.Response | None:
        more = follow(get, url) if get is not None else None
        return response_for(more) if more is not None and more.status < 400 else None

    articles: list[Article] = []
    if cls is not None:
        article = cls.extract_page(response, fetch)  # type: ignore[attr-defined]
        if article is not None:
            articles = [article]
    if not articles:
        decoded_page, decoded = decode_response(response)
        host = (urlsplit(page.url).hostname or "unknown").removeprefix("www.")
        name = cls.name if cls is not None else host
        articles = generic_articles(decoded_page, decoded, outlet=str(name), url=page.url)
        for article in articles:
            ArchiveSpider.attach(article, response, decoded)
            if cls is not None:
                article.flags.append("drift")
    names = tuple(getattr(cls, "outlet_names", ())) if cls is not None else ()
    return [finish(a, outlet_names=names, min_chars=min_chars) for a in articles]
