"""One story page of an issue as an (unfinished) Article: used by the crawl and by single-page extraction."""

from __future__ import annotations

import html
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from scrapy.http import Response

from crawler.encoding import Decoded
from crawler.epaper.cleanup import clean_body
from crawler.epaper.model import ArticleFields
from crawler.items import Article
from crawler.zh.credits import extract_credits
from crawler.zh.dates import TZ, to_iso

if TYPE_CHECKING:
    from crawler.spider import ArchiveSpider


def edition_fields(day: date, page: str | None, name: str | None) -> dict[str, Any]:
    """Issue date, page number and name; the page name is the section; published the issue's day."""
    return {
        "section": name, "edition_date": day.isoformat(), "page_number": page, "page_name": name,
        "published_at": to_iso(datetime(day.year, day.month, day.day, tzinfo=TZ)),
    }


def story_article(spider: type[ArchiveSpider], response: Response, decoded: Decoded, fields: ArticleFields, *,
                  day: date, page: str | None, name: str | None, date_raw: str | None = None) -> Article:
    """The Article of a story page: selector fields, cleaned body, pictures, byline credits."""
    article = spider.article_for(
        response, decoded, title=fields.title, kicker=fields.kicker, subtitle=fields.subtitle,
        published_raw=fields.published_raw or date_raw, **edition_fields(day, page, name))
    article.layers.update({"section": "page", "edition_date": "url", "published_at": "page"})
    titles = (fields.title, fields.kicker, fields.subtitle)
    article.body_html.append(clean_body(fields.body, titles=titles, outlet_names=spider.outlet_names))
    article.images.extend(fields.images)
    _byline(article, fields.byline, spider.outlet_names)
    return article


def _byline(article: Article, byline: str | None, outlet_names: tuple[str, ...]) -> None:
    """Credits of a byline element (``作者：陆健 刘习``); an unreadable one goes to the body."""
    if not byline:
        return
    kept, credits = extract_credits([byline], outlet_names=outlet_names)
    if kept:
        article.body_html.insert(0, f"<p>{html.escape(byline, quote=False)}</p>")
        return
    article.authors, article.correspondents = credits.authors, credits.correspondents
    article.organisation = credits.organisation
    for key in ("authors", "correspondents", "organisation"):
        if getattr(article, key):
            article.layers[key] = "selector"
