"""The crawl process's collector: start-up objects frozen and thresholds raised while engines run
(crawler/gc_freeze.py), and parsed pages that do not need it (crawler/spider.py)."""

from __future__ import annotations

import gc
import multiprocessing
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest
from pydispatch.dispatcher import getAllReceivers
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler import gc_freeze
from crawler.gc_freeze import GcFreeze


@pytest.fixture(autouse=True)
def _unfrozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # A test that fails between start and stop must not leave its count or thresholds to the next test.
    monkeypatch.setattr(gc_freeze, "_running", 0)
    monkeypatch.setattr(gc_freeze, "_before", None)
    thresholds = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def _extension(**settings: object) -> GcFreeze:
    return GcFreeze.from_crawler(get_crawler(settings_dict=settings))


class _Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def _garbage_cycle() -> weakref.ref[_Node]:
    return weakref.ref(_Node())


def test_frozen_while_the_engine_runs_and_given_back_after() -> None:
    ext = _extension()
    gc.disable()  # no automatic collection between making the garbage and freezing it
    try:
        from_start_up = _garbage_cycle()
        ext.engine_started()
        assert gc.get_freeze_count() > 1000  # the test process's modules, at least
        from_the_crawl = _garbage_cycle()
        gc.collect()
        assert from_the_crawl() is None  # what the crawl allocates is collected as before
        assert from_start_up() is not None  # what was there at the start is not walked
        ext.engine_stopped()
        assert gc.get_freeze_count() == 0
        gc.collect()
        assert from_start_up() is None  # given back: nothing stays uncollectable
    finally:
        gc.enable()
    ext.engine_stopped()  # a second stop (or one without a start) changes nothing
    assert gc.get_freeze_count() == 0


def test_unfrozen_only_when_the_last_engine_of_the_process_stops() -> None:
    first, second = _extension(), _extension()  # scrapy replay: several crawlers, one process
    first.engine_started()
    second.engine_started()
    first.engine_stopped()
    assert gc.get_freeze_count() > 0
    second.engine_stopped()
    assert gc.get_freeze_count() == 0


def test_connected_to_the_engine_signals_and_off_with_the_settings() -> None:
    crawler = get_crawler(settings_dict={})
    ext = GcFreeze.from_crawler(crawler)
    for signal, handler in ((signals.engine_started, ext.engine_started),
                            (signals.engine_stopped, ext.engine_stopped)):
        assert handler in [receiver() for receiver in getAllReceivers(crawler.signals.sender, signal)]
    with pytest.raises(NotConfigured, match="GC_FREEZE is off and GC_THRESHOLD is unset"):
        _extension(GC_FREEZE=False, GC_THRESHOLD="")


def test_thresholds_raised_while_the_engine_runs_and_given_back_after() -> None:
    gc.set_threshold(700, 10, 10)
    first, second = _extension(), _extension(GC_THRESHOLD="30000, 5, 5")  # the project's default, and -s
    assert first.threshold == (20000, 10, 10)
    first.engine_started()
    assert gc.get_threshold() == (20000, 10, 10)
    second.engine_started()
    assert gc.get_threshold() == (30000, 5, 5)
    second.engine_stopped()
    assert gc.get_threshold() == (30000, 5, 5)  # another engine still runs
    first.engine_stopped()
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_thresholds_without_freezing() -> None:
    ext = _extension(GC_FREEZE=False, GC_THRESHOLD=[5000, 10, 10])
    ext.engine_started()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == (5000, 10, 10)
    ext.engine_stopped()


def test_python_thresholds_kept_when_unset() -> None:
    gc.set_threshold(700, 10, 10)
    ext = _extension(GC_THRESHOLD="")
    ext.engine_started()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (700, 10, 10)
    ext.engine_stopped()


@pytest.mark.parametrize("value", ["20000", "a,b,c", "0,10,10", "100,-1,10", [1, 2, 3, 4], 12, "1.5,10,10"])
def test_bad_thresholds_named(value: object) -> None:
    with pytest.raises(ValueError, match=r"GC_THRESHOLD: .* is not three whole numbers"):
        _extension(GC_THRESHOLD=value)


def _in_child(initializer: Callable[..., None], *args: object) -> int:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"), initializer=initializer,
                             initargs=args) as pool:
        return pool.submit(gc.get_freeze_count).result(timeout=60)


def _freeze_count(_: object) -> int:
    return gc.get_freeze_count()


def test_children_forked_during_a_crawl_collect_with_python_thresholds() -> None:
    gc.set_threshold(700, 10, 10)
    ext = _extension()
    ext.engine_started()
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                 initializer=gc_freeze.freeze_inherited) as pool:
            assert pool.submit(gc.get_threshold).result(timeout=60) == (700, 10, 10)
    finally:
        ext.engine_stopped()


def test_forked_workers_and_the_store_writer_freeze_what_they_inherit() -> None:
    import asyncio

    from crawler.forked import Pool
    from crawler.store.writer import _init

    assert gc.get_freeze_count() == 0
    pool = Pool(_freeze_count, 1, name="test")  # the extraction workers' pool
    try:
        assert asyncio.run(pool.call(None)) > 1000
    finally:
        pool.close()
    assert _in_child(_init, "sqlite://") > 1000


def test_a_parsed_page_goes_without_the_collector() -> None:
    """Scrapy's selector points back at its response; the spiders' decoded page does not."""
    from scrapy.http import HtmlResponse, Response

    from crawler.spider import decode_response

    body = "<html><body><h1 class='article-title'>标题</h1><p>正文</p></body></html>".encode("gb18030")
    gc.disable()  # only reference counting frees anything below
    try:
        page, _ = decode_response(Response("http://example.com/a.html", body=body,
                                           headers={"Content-Type": "text/html; charset=gbk"}))
        assert page.css(".article-title::text").get() == "标题"
        assert page.selector.css("p::text").get() == "正文"
        freed = weakref.ref(page), weakref.ref(page.selector)
        del page
        assert [ref() for ref in freed] == [None, None]
        plain = HtmlResponse("http://example.com/a.html", body=body, encoding="gbk")
        plain.css("h1")
        kept = weakref.ref(plain)
        del plain
        assert kept() is not None  # Scrapy's own: a cycle, left to the collector
    finally:
        gc.enable()
