"""What every outlet spider shares: decoding, provenance, drift warnings, error counting."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import HtmlResponse, TextResponse

from crawler.encoding import Decoded, decode_html
from crawler.extract.generic import generic_article
from crawler.items import Article
from crawler.warc.extension import META_KEY

if TYPE_CHECKING:
    from twisted.python.failure import Failure

    from crawler.warc.files import WarcRef

logger = logging.getLogger(__name__)


class ArchiveSpider(scrapy.Spider):
    """Base of the outlet spiders.

    Subclasses set ``name``, ``outlet_names`` (how the outlet calls itself in bylines
    and 来源 lines) and parse pages; they build items with :meth:`new_article`.
    """

    outlet_names: tuple[str, ...] = ()

    def decoded(self, response: scrapy.http.Response) -> tuple[TextResponse, Decoded]:
        """The response re-decoded with :func:`crawler.encoding.decode_html`."""
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
        result = decode_html(response.body, ctype)
        if result.lossy:
            self.crawler.stats.inc_value(f"decode/lossy/{self.name}")
            logger.warning("No charset decodes %s cleanly; text is lossy (%s)",
                           response.url, result.reason)
        page = HtmlResponse(url=response.url, status=response.status, headers=response.headers,
                            body=response.body, encoding=result.charset, request=response.request,
                            flags=response.flags)
        return page, result

    def new_article(self, response: scrapy.http.Response, decoded: Decoded, **fields: Any) -> Article:
        """An Article carrying the page's WARC provenance and decoding decision."""
        article = Article(url=response.url, outlet=self.name, pages=[response.url], **fields)
        return self.attach(article, response, decoded)

    def generic(self, response: scrapy.http.Response, page: TextResponse, decoded: Decoded) -> Article:
        """The generic extractor's Article for a page the outlet rules cannot read."""
        article = generic_article(page, decoded, outlet=self.name, url=response.url)
        return self.attach(article, response, decoded)

    @staticmethod
    def attach(article: Article, response: scrapy.http.Response, decoded: Decoded) -> Article:
        """Record where the article came from: WARC record and charset decision."""
        ref: WarcRef | None = response.meta.get(META_KEY)
        article.charset, article.charset_reason = decoded.charset, decoded.reason
        if decoded.lossy and "lossy-decode" not in article.flags:
            article.flags.append("lossy-decode")
        if ref is not None:
            article.warc_file, article.warc_offset, article.warc_record_id = (
                ref.file, ref.offset, ref.record_id)
        return article

    def is_truncated(self, response: scrapy.http.Response) -> bool:
        """A page cut short is archived but not extracted (it would store half a story)."""
        if "dataloss" in response.flags:
            self.crawler.stats.inc_value(f"pages/truncated/{self.name}")
            logger.error("Truncated response from %s: archived, not extracted", response.url)
            return True
        return False

    def drift(self, response: scrapy.http.Response, what: str) -> None:
        """Say loudly that the outlet's markup no longer matches what the spider expects."""
        self.crawler.stats.inc_value(f"drift/{self.name}")
        logger.warning("Template drift at %s (%s): %s; falling back to generic extraction",
                       self.name, response.url, what)

    def on_error(self, failure: Failure) -> None:
        """Errback: one clear line and a counter per failed request; the crawl goes on."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        response = getattr(failure.value, "response", None)
        kind = f"http_{response.status}" if response is not None else failure.type.__name__
        self.crawler.stats.inc_value(f"errors/{self.name}/{kind}")
        # A dead link is the site's doing, not a fault of the crawl.
        level = logging.WARNING if kind in ("http_404", "http_410") else logging.ERROR
        logger.log(level, "Request failed (%s): %s", kind, url)
