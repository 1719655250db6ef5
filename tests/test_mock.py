"""The mock outlets proxy: routing, http and https through it, faults, keep-alive, the CLI."""

from __future__ import annotations

import gzip
import http.client
import json
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.mock import MockOutlets

REPO = Path(__file__).resolve().parents[1]
PAGE = "<html><head><title>测试</title></head><body><p>内蒙古新闻</p></body></html>".encode("gbk")
NOT_FOUND = b"<html><body>404 page of the test outlet</body></html>"
HTML = ["Content-Type", "text/html; charset=gbk"]


def _write_outlet(root: Path) -> Path:
    """A small outlet on two hosts, one of them https."""
    outlet = root / "testnews"
    (outlet / "pages").mkdir(parents=True)
    (outlet / "pages" / "a.shtml").write_bytes(PAGE)
    (outlet / "pages" / "404.html").write_bytes(NOT_FOUND)
    site = {
        "outlet": "testnews",
        "not_found": {"file": "pages/404.html", "headers": [["Content-Type", "text/html"]]},
        "routes": [
            {"url": "http://www.test.example.cn/a.shtml", "file": "pages/a.shtml", "headers": [HTML]},
            {"url": "https://secure.test.example.cn/a.shtml", "file": "pages/a.shtml", "headers": [HTML]},
            {"url": "https://secure.test.example.cn/z.shtml", "file": "pages/a.shtml", "gzip": True,
             "headers": [HTML]},
            {"url": "http://www.test.example.cn/old", "status": 301,
             "headers": [["Location", "https://secure.test.example.cn/a.shtml"]]},
            {"url": "http://www.test.example.cn/cookies", "body": "ok", "headers": [
                ["Content-Type", "text/plain"],
                ["Set-Cookie", "a=1; Path=/"],
                ["Set-Cookie", "b=2; Path=/"],
            ]},
            {"url": "http://www.test.example.cn/cut", "file": "pages/a.shtml", "fault": "truncate",
             "headers": [HTML]},
        ],
    }
    (outlet / "site.json").write_text(json.dumps(site, ensure_ascii=False), encoding="utf-8")
    return root


@pytest.fixture
def mock(tmp_path: Path) -> Iterator[MockOutlets]:
    with MockOutlets(_write_outlet(tmp_path)) as m:
        yield m


def _unverified() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _opener(mock: MockOutlets, *, follow: bool = True) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.ProxyHandler({"http": mock.proxy_url, "https": mock.proxy_url}),
        urllib.request.HTTPSHandler(context=_unverified()),
    ]
    if not follow:
        handlers.append(_NoRedirect())
    return urllib.request.build_opener(*handlers)


def _get(mock: MockOutlets, url: str, *, follow: bool = True) -> tuple[int, http.client.HTTPMessage, bytes]:
    """GET through the proxy with urllib; HTTP errors are returned, not raised."""
    try:
        with _opener(mock, follow=follow).open(url, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.headers, err.read()


def _tunnel(
    mock: MockOutlets, host: str, context: ssl.SSLContext | None = None
) -> http.client.HTTPSConnection:
    conn = http.client.HTTPSConnection("127.0.0.1", mock.port, context=context or _unverified(), timeout=10)
    conn.set_tunnel(host, 443)
    return conn


def test_http_through_the_proxy(mock: MockOutlets) -> None:
    status, headers, body = _get(mock, "http://www.test.example.cn/a.shtml")
    assert (status, body) == (200, PAGE)
    assert headers["Content-Type"] == "text/html; charset=gbk"
    assert headers["Content-Length"] == str(len(PAGE))
    assert mock.served == [("GET", "http://www.test.example.cn/a.shtml", 200)]
    assert mock.body_for("http://www.test.example.cn/a.shtml") == PAGE


def test_query_string_is_ignored(mock: MockOutlets) -> None:
    for url in ("http://www.test.example.cn/a.shtml?v=1", "http://www.test.example.cn/a.shtml?t=2&div=-1"):
        assert _get(mock, url)[::2] == (200, PAGE)
    assert [s[1] for s in mock.served] == [
        "http://www.test.example.cn/a.shtml?v=1",
        "http://www.test.example.cn/a.shtml?t=2&div=-1",
    ]
    assert mock.body_for("http://www.test.example.cn/a.shtml?x=9") == PAGE


def test_path_must_match_exactly_else_the_outlets_404(mock: MockOutlets) -> None:
    for url in ("http://www.test.example.cn/a.shtml/", "http://www.test.example.cn/A.shtml",
                "http://www.test.example.cn/nope.shtml"):
        assert _get(mock, url)[::2] == (404, NOT_FOUND)
    assert mock.body_for("http://www.test.example.cn/nope") == NOT_FOUND


def test_unknown_host_is_a_502_naming_it(mock: MockOutlets) -> None:
    status, headers, body = _get(mock, "http://www.nowhere.example.org/a.shtml")
    assert status == 502
    assert headers["Content-Type"].startswith("text/plain")
    assert b"www.nowhere.example.org" in body
    conn = _tunnel(mock, "secure.nowhere.example.org")
    with pytest.raises(OSError, match="502"):
        conn.request("GET", "/")
    conn.close()
    assert ("CONNECT", "https://secure.nowhere.example.org/", 502) in mock.served


def test_https_through_a_connect_tunnel(mock: MockOutlets) -> None:
    conn = _tunnel(mock, "secure.test.example.cn")
    try:
        conn.request("GET", "/a.shtml?v=1")
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (200, PAGE)
    finally:
        conn.close()
    assert mock.served == [("GET", "https://secure.test.example.cn/a.shtml?v=1", 200)]
    # urllib goes through CONNECT too
    assert _get(mock, "https://secure.test.example.cn/a.shtml")[::2] == (200, PAGE)


def test_tunnel_certificate_is_valid_for_the_host(mock: MockOutlets) -> None:
    ctx = ssl.create_default_context()
    mock.ca.configure_trust(ctx)
    conn = _tunnel(mock, "secure.test.example.cn", ctx)
    try:
        conn.request("HEAD", "/a.shtml")
        resp = conn.getresponse()
        assert resp.status == 200
        assert resp.getheader("Content-Length") == str(len(PAGE))
        assert resp.read() == b""
    finally:
        conn.close()


def test_redirect(mock: MockOutlets) -> None:
    status, headers, _ = _get(mock, "http://www.test.example.cn/old", follow=False)
    assert (status, headers["Location"]) == (301, "https://secure.test.example.cn/a.shtml")
    mock.clear_served()
    assert _get(mock, "http://www.test.example.cn/old")[::2] == (200, PAGE)
    assert mock.served == [
        ("GET", "http://www.test.example.cn/old", 301),
        ("GET", "https://secure.test.example.cn/a.shtml", 200),
    ]


def test_repeated_headers_are_all_sent_in_order(mock: MockOutlets) -> None:
    status, headers, body = _get(mock, "http://www.test.example.cn/cookies")
    assert (status, body) == (200, b"ok")
    assert headers.get_all("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    # urllib asks for Connection: close, so the mock adds that header last
    assert list(headers) == ["Content-Type", "Set-Cookie", "Set-Cookie", "Content-Length", "Connection"]


def test_gzip_route(mock: MockOutlets) -> None:
    conn = _tunnel(mock, "secure.test.example.cn")
    try:
        conn.request("GET", "/z.shtml")
        resp = conn.getresponse()
        raw = resp.read()
        assert resp.getheader("Content-Encoding") == "gzip"
    finally:
        conn.close()
    assert gzip.decompress(raw) == PAGE
    assert mock.body_for("https://secure.test.example.cn/z.shtml") == raw


def test_truncate_fault(mock: MockOutlets) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", mock.port, timeout=10)
    try:
        conn.request("GET", "http://www.test.example.cn/cut")
        resp = conn.getresponse()
        assert resp.getheader("Content-Length") == str(len(PAGE))
        with pytest.raises(http.client.IncompleteRead) as info:
            resp.read()
        assert info.value.partial == PAGE[: len(PAGE) // 2]
    finally:
        conn.close()
    assert mock.body_for("http://www.test.example.cn/cut") == PAGE[: len(PAGE) // 2]


def test_reset_fault_and_500(mock: MockOutlets) -> None:
    mock.add_route("http://www.test.example.cn/reset", fault="reset")
    mock.add_route("http://www.test.example.cn/boom", body=b"<html>error</html>", status=500)
    with pytest.raises((ConnectionError, urllib.error.URLError, http.client.HTTPException)):
        _get(mock, "http://www.test.example.cn/reset")
    assert _get(mock, "http://www.test.example.cn/boom")[::2] == (500, b"<html>error</html>")
    assert ("GET", "http://www.test.example.cn/reset", 0) in mock.served


def test_keep_alive_two_requests_on_one_connection(mock: MockOutlets) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", mock.port, timeout=10)
    try:
        conn.request("GET", "http://www.test.example.cn/a.shtml")
        first = conn.getresponse()
        assert first.read() == PAGE and not first.will_close
        sock = conn.sock
        conn.request("GET", "http://www.test.example.cn/cookies")
        assert conn.getresponse().read() == b"ok"
        assert conn.sock is sock
    finally:
        conn.close()
    tunnel = _tunnel(mock, "secure.test.example.cn")
    try:
        for path in ("/a.shtml", "/missing"):
            tunnel.request("GET", path)
            tunnel.getresponse().read()
        assert [s[2] for s in mock.served[-2:]] == [200, 404]
    finally:
        tunnel.close()


def test_connection_close_is_honoured(mock: MockOutlets) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", mock.port, timeout=10)
    try:
        conn.request("GET", "http://www.test.example.cn/a.shtml", headers={"Connection": "close"})
        resp = conn.getresponse()
        assert resp.getheader("Connection") == "close" and resp.will_close
        assert resp.read() == PAGE
    finally:
        conn.close()


def test_direct_origin_form_request_uses_the_host_header(mock: MockOutlets) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", mock.port, timeout=10)
    try:
        conn.request("GET", "/a.shtml?v=3", headers={"Host": "www.test.example.cn"})
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (200, PAGE)
    finally:
        conn.close()
    assert mock.served == [("GET", "http://www.test.example.cn/a.shtml?v=3", 200)]


def test_add_route_defaults_and_replacement(mock: MockOutlets) -> None:
    route = mock.add_route("https://new.test.example.cn/x", body="你好".encode())
    assert route.headers == (("Content-Type", "text/html; charset=utf-8"),)
    assert _get(mock, "https://new.test.example.cn/x")[::2] == (200, "你好".encode())
    assert _get(mock, "https://new.test.example.cn/y")[0] == 404
    mock.add_route("https://new.test.example.cn/x", body=b"v2", headers=[])
    status, headers, body = _get(mock, "https://new.test.example.cn/x")
    assert (status, body, headers.get("Content-Type")) == (200, b"v2", None)


def test_bad_site_json_is_rejected(tmp_path: Path) -> None:
    root = _write_outlet(tmp_path)
    site = root / "testnews" / "site.json"
    data = json.loads(site.read_text(encoding="utf-8"))
    data["routes"][0]["headrs"] = []
    site.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="headrs"):
        MockOutlets(root)
    del data["routes"][0]["headrs"]
    data["routes"][0]["headers"] = [["Content-Length", "3"]]
    site.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="Content-Length"):
        MockOutlets(root)
    with pytest.raises(ValueError, match="nosuch"):
        MockOutlets(root, ["nosuch"])


def test_cli_prints_the_proxy_url(tmp_path: Path) -> None:
    root = _write_outlet(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.mock", "--outlets-dir", str(root), "--outlet", "testnews"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": url}))
        with opener.open("http://www.test.example.cn/a.shtml", timeout=10) as resp:
            assert resp.read() == PAGE
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
