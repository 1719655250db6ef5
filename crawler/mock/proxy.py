"""A loopback HTTP proxy that answers every request from mock outlet routes.

It speaks enough HTTP/1.1 for Scrapy, urllib, curl and wget: absolute-URI requests (http via
a proxy), ``CONNECT host:port`` tunnels that it terminates with TLS itself (https via a proxy),
and plain origin-form requests routed by their ``Host`` header. Nothing is ever forwarded.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

import trustme

from crawler.mock.site import DRIP_CHUNK, Outlet, Route, RouteKey, make_route, normalise_host, route_key

logger = logging.getLogger(__name__)

#: Body of the 404 answered on hosts added only through ``add_route``.
_PLAIN_404 = make_route(
    "http://not-found.invalid/",
    status=404,
    body=b"404 Not Found\n",
    headers=[("Content-Type", "text/plain; charset=utf-8")],
)


class Router:
    """Thread-safe table of routes, per-host 404 pages and the log of answered requests."""

    def __init__(self, outlets: Iterable[Outlet] = ()) -> None:
        """Index the routes of ``outlets``."""
        self._lock = threading.Lock()
        self._routes: dict[RouteKey, Route] = {}
        self._not_found: dict[str, Route] = {}
        self._served: list[tuple[str, str, int]] = []
        self._served_at: list[tuple[float, tuple[tuple[str, str], ...]]] = []
        self._responders: dict[RouteKey, Callable[[int], Route]] = {}
        self._responder_calls: dict[RouteKey, int] = {}
        for outlet in outlets:
            for route in outlet.routes:
                self.add(route, not_found=outlet.not_found)

    def add(self, route: Route, *, not_found: Route | None = None) -> None:
        """Add or replace ``route``; its host answers unknown paths with ``not_found``."""
        key = route_key(route.url)
        with self._lock:
            self._routes[key] = route
            host = key[1]
            if not_found is not None or host not in self._not_found:
                self._not_found.setdefault(host, not_found or _PLAIN_404)

    @property
    def routes(self) -> list[Route]:
        """All routes, in the order they were added."""
        with self._lock:
            return list(self._routes.values())

    @property
    def hosts(self) -> set[str]:
        """Every host (``host`` or ``host:port``) that has at least one route."""
        with self._lock:
            return set(self._not_found)

    def knows_host(self, host: str) -> bool:
        """Whether ``host`` (already normalised) has routes."""
        with self._lock:
            return host in self._not_found

    def resolve(self, url: str) -> Route:
        """The route answering ``url``: exact path match, else the host's 404, else a 502."""
        key = route_key(url)
        with self._lock:
            route = self._routes.get(key)
            if route is not None:
                return route
            not_found = self._not_found.get(key[1])
        if not_found is not None:
            return not_found
        return bad_gateway(key[1])

    def add_responder(self, url: str, responder: Callable[[int], Route]) -> None:
        """Answer ``url`` with ``responder(n)``, n = how many requests it answered before."""
        key = route_key(url)
        with self._lock:
            self._responders[key] = responder
            self._responder_calls[key] = 0
            self._not_found.setdefault(key[1], _PLAIN_404)

    def answer(self, url: str) -> Route:
        """The route for a request being answered now: a responder's, else :meth:`resolve`."""
        key = route_key(url)
        with self._lock:
            responder = self._responders.get(key)
            if responder is not None:
                count = self._responder_calls[key]
                self._responder_calls[key] = count + 1
        return responder(count) if responder is not None else self.resolve(url)

    def record(self, method: str, url: str, status: int,
               headers: Iterable[tuple[str, str]] = ()) -> None:
        """Log one answered request, with its arrival time and request headers."""
        with self._lock:
            self._served.append((method, url, status))
            self._served_at.append((time.time(), tuple(headers)))

    @property
    def served_log(self) -> list[Served]:
        """Like :attr:`served`, with arrival time (``time.time()``) and request headers."""
        with self._lock:
            return [Served(*entry, at, headers)
                    for entry, (at, headers) in zip(self._served, self._served_at, strict=True)]

    @property
    def served(self) -> list[tuple[str, str, int]]:
        """A snapshot of (method, absolute URL, status) of every answered request."""
        with self._lock:
            return list(self._served)

    def clear_served(self) -> None:
        """Forget the requests answered so far."""
        with self._lock:
            self._served.clear()
            self._served_at.clear()


class Served(NamedTuple):
    """One answered request, as :attr:`Router.served_log` reports it."""

    method: str
    url: str
    status: int
    at: float
    headers: tuple[tuple[str, str], ...]


def bad_gateway(host: str) -> Route:
    """The 502 answered for a host no outlet serves."""
    return make_route(
        f"http://{host or 'unknown.invalid'}/",
        status=502,
        body=f"502 Bad Gateway: the mock proxy serves no outlet on host {host!r}\n".encode(),
        headers=[("Content-Type", "text/plain; charset=utf-8")],
    )


def _line_bytes(line: str) -> bytes:
    """Encode a header line as latin-1 when possible, else as UTF-8 (sent verbatim)."""
    try:
        return line.encode("latin-1")
    except UnicodeEncodeError:
        return line.encode("utf-8")


class CertStore:
    """One trustme CA, and a cached server TLS context per host it issued a certificate to."""

    def __init__(self) -> None:
        """Create the CA."""
        self.ca = trustme.CA(organization_name="crawler.mock")
        self._lock = threading.Lock()
        self._contexts: dict[str, ssl.SSLContext] = {}

    def context_for(self, host: str) -> ssl.SSLContext:
        """A server-side SSL context presenting a certificate for ``host``."""
        with self._lock:
            ctx = self._contexts.get(host)
            if ctx is None:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                self.ca.issue_cert(host).configure_cert(ctx)
                self._contexts[host] = ctx
            return ctx


class _SocketWriter(io.BufferedIOBase):
    """A write-only file object that ``sendall``s straight to a (possibly TLS) socket."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self._sock.sendall(b)
        return len(memoryview(b))


class MockProxyServer(ThreadingHTTPServer):
    """The threaded server: holds the router, the certificates and the open connections."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], router: Router, certs: CertStore) -> None:
        """Bind ``address`` and serve ``router``."""
        self.router = router
        self.certs = certs
        self._conn_lock = threading.Condition()
        self._handlers: set[MockHandler] = set()
        super().__init__(address, MockHandler)

    def track(self, handler: MockHandler, *, open_: bool) -> None:
        """Remember or forget the handler of an open client connection."""
        with self._conn_lock:
            if open_:
                self._handlers.add(handler)
            else:
                self._handlers.discard(handler)
                self._conn_lock.notify_all()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log a connection's exception (peer resets, TLS failures) instead of printing it."""
        logger.debug("error on connection from %s", client_address, exc_info=True)

    def close_connections(self, timeout: float = 5.0) -> None:
        """Shut down every open client connection (idle keep-alive ones included) and wait."""
        with self._conn_lock:
            socks = [h.connection for h in self._handlers]
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        with self._conn_lock:
            self._conn_lock.wait_for(lambda: not self._handlers, timeout=timeout)


class MockHandler(BaseHTTPRequestHandler):
    """Answers GET/HEAD (absolute-URI or origin-form) and CONNECT from the router."""

    protocol_version = "HTTP/1.1"
    server_version = "nmg-mock"
    timeout = 60
    server: MockProxyServer
    tunnel_host: str | None = None

    def setup(self) -> None:
        """Set up the streams and register the connection."""
        super().setup()
        self.wfile = _SocketWriter(self.connection)
        self.server.track(self, open_=True)

    def finish(self) -> None:
        """Close the streams (and the tunnel's TLS socket), then unregister the connection."""
        with contextlib.suppress(OSError):
            super().finish()
        if self.connection is not self.request:  # the TLS socket of a CONNECT tunnel
            with contextlib.suppress(OSError):
                self.connection.close()
        self.server.track(self, open_=False)

    def log_message(self, fmt: str, *args: Any) -> None:
        """Log to ``logging`` instead of stderr."""
        logger.debug("%s - %s", self.address_string(), fmt % args)

    # -- request target ---------------------------------------------------------------------

    def _target_url(self) -> str:
        """The absolute URL this request asks for."""
        if self.path.lower().startswith(("http://", "https://")):
            return self.path
        path = self.path if self.path.startswith("/") else "/" + self.path
        if self.tunnel_host is not None:
            return f"https://{self.tunnel_host}{path}"
        host = normalise_host("http", self.headers.get("Host", "").strip())
        return f"http://{host}{path}"

    # -- methods ----------------------------------------------------------------------------

    def do_GET(self) -> None:
        """Answer a GET."""
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        """Answer a HEAD: the GET's headers, no body."""
        self._answer(with_body=False)

    def do_CONNECT(self) -> None:
        """Open a tunnel to a known host and terminate TLS in it with our own certificate."""
        authority = self.path.strip()
        host, _, port = authority.rpartition(":")
        if not host or not port.isdigit():
            host, port = authority, "443"
        host = host.strip("[]").lower()
        name = normalise_host("https", f"{host}:{port}")
        if not self.server.router.knows_host(host) and not self.server.router.knows_host(name):
            route = bad_gateway(host)
            self.server.router.record("CONNECT", f"https://{name}/", route.status)
            self.close_connection = True
            self._send(route, with_body=True)
            return
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            tls = self.server.certs.context_for(host).wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            logger.debug("TLS handshake for %s failed: %s", name, exc)
            self.close_connection = True
            return
        self.connection = tls
        self.rfile = tls.makefile("rb", self.rbufsize)
        self.wfile = _SocketWriter(tls)
        self.tunnel_host = name
        self.close_connection = False

    # -- answering --------------------------------------------------------------------------

    def _answer(self, *, with_body: bool) -> None:
        """Resolve the target URL, record it and send the route's answer."""
        try:
            url = self._target_url()
            route = self.server.router.answer(url)
        except ValueError:
            url, route = f"http://{self.headers.get('Host', '')}{self.path}", bad_gateway("")
        headers = list(self.headers.items())
        if route.fault == "reset":
            self.server.router.record(self.command, url, 0, headers)
            self._reset()
            return
        self.server.router.record(self.command, url, route.status, headers)
        if route.delay:
            time.sleep(route.delay)  # this connection's own thread: a slow server
        self._send(route, with_body=with_body)

    def _send(self, route: Route, *, with_body: bool) -> None:
        """Write status line, headers (verbatim, in order) and body of ``route``."""
        try:
            reason = HTTPStatus(route.status).phrase
        except ValueError:
            reason = "Unknown"
        lines = [f"HTTP/1.1 {route.status} {reason}"]
        lines += [f"{name}: {value}" for name, value in route.headers]
        declared = len(route.body) if route.content_length is None else route.content_length
        lines.append(f"Content-Length: {declared}")
        if route.fault in ("truncate", "reset-mid") or route.content_length is not None:
            self.close_connection = True
        if self.close_connection:
            lines.append("Connection: close")
        head = b"".join(_line_bytes(line) + b"\r\n" for line in lines) + b"\r\n"
        body = route.wire_body if with_body else b""
        if route.drip:
            self._drip(head, body, route.drip)
        else:
            self.wfile.write(head + body)
        if route.fault == "reset-mid" and with_body:
            self._reset()

    def _drip(self, head: bytes, body: bytes, pause: float) -> None:
        """Send the head, then the body a chunk at a time with ``pause`` seconds between."""
        self.wfile.write(head)
        for start in range(0, len(body), DRIP_CHUNK):
            time.sleep(pause)
            try:
                self.wfile.write(body[start:start + DRIP_CHUNK])
            except OSError:  # the client gave up (its timeout): stop dripping
                self.close_connection = True
                return

    def _reset(self) -> None:
        """Drop the connection without an answer (an abortive close, so the peer sees RST)."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer malformed or unsupported requests with a short plain-text error."""
        self.close_connection = True
        body = f"{code} {message or HTTPStatus(code).phrase}\n".encode("latin-1", errors="replace")
        route = make_route(
            "http://error.invalid/",
            status=code,
            body=body,
            headers=[("Content-Type", "text/plain; charset=utf-8")],
        )
        self._send(route, with_body=self.command != "HEAD")
