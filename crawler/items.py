"""Items that flow from spiders through the pipelines to the store and feeds."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass
class Image:
    """An image of an article: absolute URL and the caption printed with it."""

    url: str
    caption: str | None = None


@dataclass
class Article:
    """One story of one outlet, as extracted from one or more archived pages.

    Text fields hold simplified, clean text; ``*_raw`` fields keep what the page said.
    ``published_at`` is ISO 8601 with the +08:00 offset (Asia/Shanghai).
    ``warc_*`` point at the response record of the article's first page.
    ``layers`` records, per field, which extraction layer produced it
    (``selector``, ``meta``, ``trafilatura``, ``page``, ``url``, ``rule``).
    """

    url: str
    outlet: str
    title: str = ""
    kicker: str | None = None
    subtitle: str | None = None
    section: str | None = None
    # E-papers: the date (YYYY-MM-DD), the page (版) number ("01") and name ("要闻").
    edition_date: str | None = None
    page_number: str | None = None
    page_name: str | None = None
    published_at: str | None = None
    published_raw: str | None = None
    source: str | None = None
    is_reprint: bool = False
    authors: list[str] = field(default_factory=list)
    correspondents: list[str] = field(default_factory=list)
    organisation: str | None = None
    editor: str | None = None
    text: str = ""
    # Derived texts for pages that are not plain simplified Chinese (traditional, mirror-site
    # pinyin artifacts): repaired and converted; ``title``/``text`` keep what the page said.
    title_simplified: str | None = None
    text_simplified: str | None = None
    images: list[Image] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    charset: str | None = None
    charset_reason: str | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    warc_record_id: str | None = None
    extractor_version: str | None = None
    layers: dict[str, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    # Raw HTML of the content container of each page, filled by the spider and
    # consumed (then cleared) by the extraction pipeline; never exported.
    body_html: list[str] = field(default_factory=list)
    # The near-duplicate fingerprint of the finished text, made by the extraction pipeline
    # in its worker process so the store does not make it on the reactor's thread; None
    # until then (the store makes it itself). Whoever changes ``text`` afterwards clears it.
    # A crawler.dedupe.Fingerprint; typed ``object`` so that importing the items does not
    # import datasketch (most of a second).
    fingerprint: object | None = field(default=None, compare=False, repr=False)


#: Fields that live only while an item goes through the pipelines; never exported or stored.
TRANSIENT_FIELDS: tuple[str, ...] = ("body_html", "fingerprint")
#: Fields written to feeds and exports (everything but the transient ones).
EXPORT_FIELDS: list[str] = [f.name for f in fields(Article) if f.name not in TRANSIENT_FIELDS]
