"""The mock features the operations tests use: per-route delay, responders, the timed served log."""

from __future__ import annotations

import time
import urllib.request

import pytest

from crawler.mock import MockOutlets, make_route

URL = "http://www.ops-test.example.cn/page"


def fetch(mock: MockOutlets, url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": mock.proxy_url}))
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "ops-test/1"})
        with opener.open(request, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_delay_responder_and_served_log() -> None:
    with MockOutlets(outlets=[]) as mock:
        mock.add_route(URL, body=b"slow", delay=0.3)
        mock.add_responder(URL + "2", lambda n: make_route(URL + "2", status=503 if n == 0 else 200,
                                                            body=f"answer {n}".encode()))
        started = time.time()
        assert fetch(mock, URL) == (200, b"slow")
        assert time.time() - started >= 0.3
        assert [fetch(mock, URL + "2") for _ in range(3)] == [(503, b"answer 0"), (200, b"answer 1"),
                                                              (200, b"answer 2")]
        log = mock.served_log
        assert [(s.url, s.status) for s in log] == [(URL, 200), (URL + "2", 503), (URL + "2", 200),
                                                     (URL + "2", 200)]
        assert all(started <= s.at <= time.time() for s in log)
        assert [s.at for s in log] == sorted(s.at for s in log)
        assert ("User-Agent", "ops-test/1") in log[0].headers
        assert mock.served == [(s.method, s.url, s.status) for s in log]


def test_bad_delay_is_refused() -> None:
    with pytest.raises(ValueError, match=r"http://x\.example\.cn/: delay -1 must be between 0 and 600"):
        make_route("http://x.example.cn/", delay=-1)
