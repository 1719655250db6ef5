"""`scrapy extract FILE_OR_URL [--url URL] [--outlet NAME]`: the Article(s) of one page as JSON.

- an HTML file is read as raw bytes (no HTTP headers: the charset comes from the bytes
  and ``<meta>``); ``--url`` says where it was served from (outlet rules, URL date);
- a WARC or WARC.gz file: ``--url`` picks the response record (needed when the file holds
  more than one HTML page); later pages of a multi-page article and redirects are looked up
  in the same file, and the output points at the record (``warc_file``, ``warc_offset``);
- an ``http(s)://`` URL is fetched live, with the project's User-Agent (the only case that
  touches the network; nothing is archived).

The outlet spider that handles the URL reads the page (``--outlet NAME`` forces one),
else the generic extractor. One article prints as a JSON object, several (a page that
prints several stories) as a JSON array. Exit status 1 with a message on bad input.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import sys
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.extract.inputs import (
    Getter,
    InputError,
    RawPage,
    WarcPages,
    file_page,
    follow,
    http_getter,
)
from crawler.extract.offline import extract_articles, outlet_spiders
from crawler.items import EXPORT_FIELDS, Article


def article_json(article: Article) -> dict[str, Any]:
    """The exported fields of an Article, in export order (images as objects)."""
    data = dataclasses.asdict(article)
    return {name: data[name] for name in EXPORT_FIELDS}


def _is_warc(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
            fh.seek(0)
            if head[:2] == b"\x1f\x8b":
                with gzip.open(fh) as gz:
                    head = gz.read(4)
    except (OSError, EOFError):
        return False
    return head == b"WARC"


def load(target: str, url: str | None, user_agent: str) -> tuple[RawPage, Getter | None]:
    """The page named on the command line and a getter for its later pages."""
    if target.startswith(("http://", "https://")) and not Path(target).exists():
        get = http_getter(user_agent)
        page = follow(get, url or target)
        if page is None:
            raise InputError(f"{target}: nothing was served")
        return page, get
    path = Path(target)
    if not path.is_file():
        raise InputError(f"{target}: no such file (give an HTML file, a WARC file or an http(s) URL)")
    if _is_warc(path):
        warc = WarcPages([path])
        if url is None:
            skip = ("robots.txt", ".jpg", ".png", ".gif", ".css", ".js")
            html = [u for u in warc.urls if not u.endswith(skip)]
            if len(html) != 1:
                listed = ", ".join(html[:5]) + (" …" if len(html) > 5 else "")
                raise InputError(f"{path}: holds {len(html)} pages; pick one with --url ({listed})")
            url = html[0]
        page = follow(warc, url)
        if page is None:
            raise InputError(f"{path}: no response record for {url}")
        return page, warc
    return file_page(path, url or path.resolve().as_uri()), None


class Command(ScrapyCommand):
    """Print the Article(s) extracted from one page, as `scrapy crawl` would store them."""

    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}  # stdout is the JSON

    def syntax(self) -> str:
        return "FILE_OR_URL [--url URL] [--outlet NAME]"

    def short_desc(self) -> str:
        return "Extract the article(s) of one page (HTML file, WARC record or URL) as JSON"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="the page's URL (HTML file), or the record to read (WARC file)")
        parser.add_argument("--outlet", help="read the page with this spider's rules")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if len(args) != 1:
            raise UsageError("give exactly one FILE_OR_URL")
        try:
            page, get = load(args[0], opts.url, str(self.settings.get("USER_AGENT") or "nmg-news-archiver"))
            articles = extract_articles(page, spiders=outlet_spiders(self.settings), get=get,
                                        outlet=opts.outlet,
                                        min_chars=self.settings.getint("EXTRACT_MIN_CHARS", 20))
        except InputError as exc:
            print(f"scrapy extract: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        data: Any = [article_json(a) for a in articles]
        print(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2))
