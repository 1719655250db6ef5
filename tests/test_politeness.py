"""Politeness: the default settings of a crawl, the User-Agent with CONTACT, and retries that
wait (exponential backoff; Retry-After in seconds or as an HTTP-date) measured at the mock."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from itertools import pairwise
from pathlib import Path

import pytest
from scrapy.utils.conf import build_component_list
from scrapy.utils.test import get_crawler

import crawler.settings as project_settings
from crawler.middlewares.retry_after import retry_after_seconds
from crawler.mock import MockOutlets, Served, make_route
from spiders.nmgnews import NmgnewsSpider
from tests.conftest import run_crawl

ARTICLE = "https://inews.nmgnews.com.cn/system/2025/04/16/030187652.shtml"
LIST_BODY = f'<html><body><a href="{ARTICLE}">文章</a></body></html>'.encode()


def test_default_crawl_settings_are_polite() -> None:
    settings = {k: v for k, v in vars(project_settings).items() if k.isupper()}
    crawler = get_crawler(NmgnewsSpider, settings)
    s = crawler.settings
    assert s.getbool("ROBOTSTXT_OBEY") is True
    assert s.getbool("AUTOTHROTTLE_ENABLED") is True
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert s.getfloat("DOWNLOAD_DELAY") == 1.0
    assert s.getbool("RETRY_ENABLED") is True
    assert {429, 503} <= {int(c) for c in s.getlist("RETRY_HTTP_CODES")}
    assert s["USER_AGENT"] == f"nmg-news-archiver/0.1.0 (+{s['CONTACT']})"
    middlewares = build_component_list(s.getwithbase("DOWNLOADER_MIDDLEWARES"))
    assert "crawler.middlewares.retry_after.RetryAfterMiddleware" in middlewares
    assert "scrapy.downloadermiddlewares.retry.RetryMiddleware" not in middlewares
    assert "crawler.progress.Progress" in build_component_list(s.getwithbase("EXTENSIONS"))


def test_contact_setting_alone_changes_the_user_agent() -> None:
    settings = {k: v for k, v in vars(project_settings).items() if k.isupper()}
    crawler = get_crawler(NmgnewsSpider, {**settings, "CONTACT": "mailto:archive@example.org"})
    assert crawler.settings["USER_AGENT"] == "nmg-news-archiver/0.1.0 (+mailto:archive@example.org)"


def test_retry_after_values() -> None:
    now = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(b"120", now) == 120.0
    assert retry_after_seconds("Fri, 01 May 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Fri, 01 May 2026 11:00:00 GMT", now) == 0.0  # in the past
    assert retry_after_seconds(b"soon", now) is None
    assert retry_after_seconds(b"", now) is None
    assert retry_after_seconds(None, now) is None


def _gaps(log: list[Served], url: str) -> list[float]:
    times = [s.at for s in log if s.url == url and s.method == "GET"]
    return [b - a for a, b in pairwise(times)]


@pytest.mark.slow
def test_retries_wait_as_asked(mocks: MockOutlets, tmp_path: Path) -> None:
    base = "https://inews.nmgnews.com.cn/politeness-test"
    busy, down, broken, quota = (f"{base}/{name}/" for name in ("busy", "down", "broken", "quota"))
    dates: list[datetime] = []

    def busy_then_ok(n: int):  # 429 asking 1 s, then 2 s, then the page
        if n < 2:
            return make_route(busy, status=429, headers=[("Retry-After", str(n + 1))])
        return make_route(busy, body=LIST_BODY, headers=[("Content-Type", "text/html; charset=utf-8")])

    def down_then_ok(n: int):  # 503 with an HTTP-date 2 s ahead (whole seconds), then the page
        if n == 0:
            when = datetime.fromtimestamp(int(time.time()) + 2, UTC)
            dates.append(when)
            return make_route(down, status=503, headers=[("Retry-After", format_datetime(when, usegmt=True))])
        return make_route(down, body=LIST_BODY, headers=[("Content-Type", "text/html; charset=utf-8")])

    def broken_then_ok(n: int):  # 500 twice, no Retry-After: exponential backoff
        if n < 2:
            return make_route(broken, status=500)
        return make_route(broken, body=LIST_BODY, headers=[("Content-Type", "text/html; charset=utf-8")])

    mocks.add_responder(busy, busy_then_ok)
    mocks.add_responder(down, down_then_ok)
    mocks.add_responder(broken, broken_then_ok)
    mocks.add_route(quota, status=429, headers=[("Retry-After", "9999")])
    start = len(mocks.served_log)
    crawl = run_crawl("nmgnews", tmp_path, mocks.proxy_url, "-a", f"columns={busy},{down},{broken},{quota}",
                      "-a", "max_list_pages=1",
                      settings={"RETRY_TIMES": "2", "RETRY_BACKOFF_BASE": "0.3", "RETRY_AFTER_MAX": "5",
                                "CONTACT": "mailto:archive@example.org"})
    log = mocks.served_log[start:]

    busy_gaps = _gaps(log, busy)
    assert len(busy_gaps) == 2 and busy_gaps[0] >= 1.0 and busy_gaps[1] >= 2.0, busy_gaps
    (when,) = dates
    down_times = [s.at for s in log if s.url == down]
    assert len(down_times) == 2
    header = next(v for s in log if s.url == down for k, v in s.headers if k.lower() == "user-agent")
    assert header == "nmg-news-archiver/0.1.0 (+mailto:archive@example.org)"
    assert parsedate_to_datetime(format_datetime(when, usegmt=True)) == when
    asked = when.timestamp() - down_times[0]  # what the date asks, counted from the 503's arrival
    assert 0.5 < asked <= 2.0
    assert down_times[1] - down_times[0] >= asked, (down_times, when)
    broken_gaps = _gaps(log, broken)
    assert len(broken_gaps) == 2 and broken_gaps[0] >= 0.3 and broken_gaps[1] >= 0.6, broken_gaps
    assert [s.status for s in log if s.url == quota] == [429]  # 9999 s > RETRY_AFTER_MAX: given up

    assert crawl.stats["retry/count"] == 5  # busy 2, down 1, broken 2
    assert crawl.stats["retry/retry_after_too_long"] == 1
    assert crawl.stats["errors/nmgnews/http_429"] == 1
    assert [s.status for s in log if s.url == ARTICLE] == [200]
    agents = {v for s in log if s.method == "GET" for k, v in s.headers if k.lower() == "user-agent"}
    assert agents == {"nmg-news-archiver/0.1.0 (+mailto:archive@example.org)"}


def test_replayed_and_dont_retry_responses_are_not_retried() -> None:
    import asyncio

    from scrapy.http import Request, Response

    from crawler.middlewares.retry_after import RetryAfterMiddleware

    mw = RetryAfterMiddleware.from_crawler(get_crawler(settings_dict={"RETRY_BACKOFF_BASE": 5}))
    replayed = Response("https://a.example.cn/", status=503, flags=["replay"])
    assert asyncio.run(mw.process_response(Request("https://a.example.cn/"), replayed)) is replayed
    busy = Response("https://a.example.cn/", status=429, headers={"Retry-After": "1"})
    request = Request("https://a.example.cn/", meta={"dont_retry": True})
    assert asyncio.run(mw.process_response(request, busy)) is busy
    assert mw.backoff(1) == 5 and mw.backoff(3) == 20 and mw.backoff(10) == 60  # capped at RETRY_BACKOFF_MAX
