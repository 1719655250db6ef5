"""The extraction pipeline's worker processes (EXTRACT_WORKERS) give what inline extraction gives."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import signal
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

import crawler.extract.offline as offline
from crawler.dedupe import Fingerprint, fingerprint, text_for_fingerprint
from crawler.extract.article import finish
from crawler.extract.inputs import follow, site_getter
from crawler.items import Article
from pipelines.extract import ExtractPipeline, extract_workers

REPO = Path(__file__).resolve().parents[1]
SOURCES = [*sorted(p for p in (REPO / "tests" / "outlets").iterdir() if (p / "expected").is_dir()),
           REPO / "tests" / "generic_pages"]


@pytest.fixture(scope="module")
def jobs() -> list[tuple[tuple[str, ...], Article]]:
    """Every expected page of the mock outlets read by its spider, not yet finished, with the
    spider's ``outlet_names``."""
    spiders = offline.outlet_spiders(get_project_settings())
    found = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(offline, "finish", lambda article, **_: article)
        for directory in SOURCES:
            get = site_getter(directory)
            for path in sorted((directory / "expected").glob("*.json")):
                page = follow(get, json.loads(path.read_text(encoding="utf-8"))["url"].split("#")[0])
                assert page is not None, path
                cls = offline.spider_for(page.url, spiders)
                names = tuple(getattr(cls, "outlet_names", ()))
                found += [(names, a) for a in offline.extract_articles(page, spiders=spiders, get=get)]
    return found


def inline(jobs: list[tuple[tuple[str, ...], Article]]) -> list[Article]:
    return [finish(copy.deepcopy(a), outlet_names=n, min_chars=20) for n, a in jobs]


def fresh(jobs: list[tuple[tuple[str, ...], Article]]) -> list[tuple[tuple[str, ...], Article]]:
    return [(n, copy.deepcopy(a)) for n, a in jobs]


def pipeline(workers: str) -> ExtractPipeline:
    crawler = get_crawler(settings_dict={"EXTRACT_WORKERS": workers})
    crawler.stats.open_spider()
    return ExtractPipeline(crawler)


async def _through(pipe: ExtractPipeline, jobs: list[tuple[tuple[str, ...], Article]]) -> list[object]:
    async def one(names: tuple[str, ...], article: Article) -> object:
        pipe.crawler.spider = SimpleNamespace(outlet_names=names)  # read before the first await
        return await pipe.process_item(article)

    return list(await asyncio.gather(*(one(n, a) for n, a in jobs)))


def test_workers_give_the_same_articles_as_inline(jobs: list[tuple[tuple[str, ...], Article]]) -> None:
    assert len(jobs) > 100
    expected = inline(jobs)
    jobs = fresh(jobs)
    pipe = pipeline("2")
    pipe.open_spider()
    try:
        items = [a for _, a in jobs]
        done = asyncio.run(_through(pipe, jobs))
        assert pipe.crawler.stats.get_value("extract/workers") == 2
        workers = pipe.pool.processes  # type: ignore[union-attr]
        assert len(workers) == 2
    finally:
        pipe.close_spider()
    assert all(got is item for got, item in zip(done, items, strict=True))  # the same objects, finished
    assert done == expected
    assert all(a.body_html == [] and a.extractor_version for a in done)  # type: ignore[attr-defined]
    # The fingerprint the store will use was made in the worker, from the finished text.
    made = [a.fingerprint for a in done]  # type: ignore[attr-defined]
    assert made == [fingerprint(text_for_fingerprint(a)) for a in expected]
    assert sum(isinstance(fp, Fingerprint) for fp in made) > 100
    assert not any(w.is_alive() for w in workers)
    stats = pipe.crawler.stats.get_stats()
    assert sum(v for k, v in stats.items() if k.startswith("articles/extracted/")) == len(jobs)


def test_inline_when_workers_is_zero(jobs: list[tuple[tuple[str, ...], Article]]) -> None:
    expected = inline(jobs[:20])
    jobs = fresh(jobs[:20])
    pipe = pipeline("0")
    pipe.open_spider()
    assert pipe.pool is None
    done = asyncio.run(_through(pipe, jobs))
    assert done == expected
    assert [a.fingerprint for a in done] == [fingerprint(text_for_fingerprint(a)) for a in expected]  # type: ignore[attr-defined]
    pipe.close_spider()


def test_no_fingerprints_without_dedupe(jobs: list[tuple[tuple[str, ...], Article]]) -> None:
    crawler = get_crawler(settings_dict={"EXTRACT_WORKERS": "0", "DEDUPE_ENABLED": False})
    crawler.stats.open_spider()
    pipe = ExtractPipeline(crawler)
    pipe.open_spider()
    done = asyncio.run(_through(pipe, fresh(jobs[:5])))
    assert all(a.fingerprint is None for a in done)  # type: ignore[attr-defined]
    pipe.close_spider()


def test_a_dead_worker_costs_no_article(jobs: list[tuple[tuple[str, ...], Article]]) -> None:
    expected = inline(jobs[:6])
    jobs = fresh(jobs[:6])
    pipe = pipeline("2")
    pipe.open_spider()
    try:
        for process in pipe.pool.processes:  # type: ignore[union-attr]
            os.kill(process.pid, signal.SIGKILL)
            process.join(10)
        assert asyncio.run(_through(pipe, jobs)) == expected
    finally:
        pipe.close_spider()
    assert pipe.pool is None
    assert pipe.crawler.stats.get_value("extract/pool_broken") >= 1


def test_other_items_pass_untouched() -> None:
    pipe = pipeline("2")
    pipe.open_spider()
    try:
        item = {"url": "http://example.org/", "title": " x "}
        assert asyncio.run(pipe.process_item(item)) is item
        assert item == {"url": "http://example.org/", "title": " x "}
    finally:
        pipe.close_spider()


@pytest.mark.parametrize(("value", "count"), [(None, os.cpu_count() or 1), ("", os.cpu_count() or 1),
                                              ("0", 0), (3, 3)])
def test_extract_workers_setting(value: object, count: int) -> None:
    assert extract_workers(value) == count


@pytest.mark.parametrize("value", ["-1", "two", 1.5j])
def test_a_bad_extract_workers_setting_is_named(value: object) -> None:
    with pytest.raises(ValueError, match=r"EXTRACT_WORKERS: .* is not a number of worker processes"):
        extract_workers(value)
