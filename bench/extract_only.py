"""Extraction alone over the article pages of an archive: the project's rules vs trafilatura alone.

    python -m bench.extract_only ARCHIVE_DIR project|trafilatura

Loads every article page (first and second pages) of the WARC files in ARCHIVE_DIR into
memory first, then times only the extraction and prints one JSON line: pages, seconds and
CPU seconds. ``project``: the synthetic spider's template (``extract_page``, later pages
through ``fetch``) and :func:`crawler.extract.article.finish`, as ``scrapy extract`` does;
``trafilatura``: ``bare_extraction`` with metadata on each page's decoded HTML.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import scrapy
from scrapy.http import HtmlResponse
from warcio.archiveiterator import ArchiveIterator

from bench.spiders.synthetic import SyntheticSpider
from crawler.extract.article import finish

PAGE_SUFFIX = "_2.shtml"


def load(directory: Path) -> dict[str, tuple[bytes, list[tuple[str, str]]]]:
    """URL → (body, headers) of every article page response in the directory's WARC files."""
    pages: dict[str, tuple[bytes, list[tuple[str, str]]]] = {}
    for path in sorted(directory.glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type == "response" and "/system/" in url:
                    pages[url] = (record.content_stream().read(), record.http_headers.headers)
    return pages


def response(url: str, page: tuple[bytes, list[tuple[str, str]]]) -> HtmlResponse:
    return HtmlResponse(url=url, body=page[0], headers=page[1],
                        request=scrapy.Request(url, dont_filter=True))


def project(pages: dict[str, tuple[bytes, list[tuple[str, str]]]]) -> int:
    def fetch(url: str) -> HtmlResponse | None:
        return response(url, pages[url]) if url in pages else None

    done = 0
    for url, page in pages.items():
        if url.endswith(PAGE_SUFFIX):
            continue
        article = SyntheticSpider.extract_page(response(url, page), fetch)
        if article is None:
            raise SystemExit(f"{url}: the synthetic template does not match")
        finish(article, outlet_names=SyntheticSpider.outlet_names)
        done += len(article.pages)
    return done


def trafilatura_alone(pages: dict[str, tuple[bytes, list[tuple[str, str]]]]) -> int:
    import trafilatura

    for url, (body, _) in pages.items():
        trafilatura.bare_extraction(body.decode("gb18030"), url=url, with_metadata=True)
    return len(pages)


def main(argv: list[str]) -> int:
    pages = load(Path(argv[0]))
    run = {"trafilatura": trafilatura_alone}.get(argv[1], project)
    wall, cpu = time.perf_counter(), time.process_time()
    count = run(pages)
    result = {"pages": count, "seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
