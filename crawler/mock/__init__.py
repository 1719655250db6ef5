"""Mock outlets on loopback: an HTTP(S) proxy serving canned copies of the news sites.

Spiders keep requesting the outlets' real URLs; run them with ``http_proxy``/``https_proxy``
set to :attr:`MockOutlets.proxy_url` and every request is answered from
``tests/outlets/<name>/site.json`` instead of the network::

    with MockOutlets(outlets=["nmgnews"]) as mock:
        env = {"http_proxy": mock.proxy_url, "https_proxy": mock.proxy_url}
        ...
        assert ("GET", url, 200) in mock.served
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import trustme

from crawler.mock.proxy import CertStore, MockProxyServer, Router, Served
from crawler.mock.site import Outlet, Route, load_outlet, make_route

__all__ = ["DEFAULT_OUTLETS_DIR", "MockOutlets", "Outlet", "Route", "Served", "make_route"]

#: ``<repo>/tests/outlets``, found from this package's location.
DEFAULT_OUTLETS_DIR = Path(__file__).resolve().parents[2] / "tests" / "outlets"


class MockOutlets:
    """Loads mock outlets and serves them through a threaded proxy on 127.0.0.1."""

    def __init__(
        self,
        outlets_dir: Path | None = None,
        outlets: list[str] | None = None,
        *,
        port: int = 0,
    ) -> None:
        """Load ``outlets`` (all when None) from ``outlets_dir`` (default tests/outlets)."""
        self.outlets_dir = Path(outlets_dir) if outlets_dir is not None else DEFAULT_OUTLETS_DIR
        if outlets is None:
            names = sorted(p.parent.name for p in self.outlets_dir.glob("*/site.json"))
        else:
            names = list(outlets)
        missing = [n for n in names if not (self.outlets_dir / n / "site.json").is_file()]
        if missing:
            raise ValueError(f"no site.json for outlets {missing} in {self.outlets_dir}")
        self.outlets: dict[str, Outlet] = {n: load_outlet(self.outlets_dir / n) for n in names}
        self._router = Router(self.outlets.values())
        self._port = port
        self._certs: CertStore | None = None
        self._server: MockProxyServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> MockOutlets:
        """Bind 127.0.0.1 (port 0 = any free port) and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("MockOutlets already started")
        self._certs = CertStore()
        self._server = MockProxyServer(("127.0.0.1", self._port), self._router, self._certs)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"mock-outlets-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> MockOutlets:
        """Start, unless already started."""
        return self if self._server is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop."""
        self.stop()

    # -- addresses --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port."""
        if self._server is None:
            raise RuntimeError("MockOutlets not started")
        return int(self._server.server_address[1])

    @property
    def proxy_url(self) -> str:
        """``http://127.0.0.1:PORT``, for ``http_proxy`` and ``https_proxy``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def ca(self) -> trustme.CA:
        """The CA that signs the tunnels' certificates (for clients that want to verify)."""
        if self._certs is None:
            raise RuntimeError("MockOutlets not started")
        return self._certs.ca

    # -- content ----------------------------------------------------------------------------

    @property
    def routes(self) -> list[Route]:
        """Every route (site.json ones, then added ones)."""
        return self._router.routes

    @property
    def hosts(self) -> set[str]:
        """Every host that has routes."""
        return self._router.hosts

    @property
    def served(self) -> list[tuple[str, str, int]]:
        """(method, absolute URL as requested, status) of every answered request, in order.

        A ``reset`` fault is recorded with status 0; a refused CONNECT (unknown host) as
        ``("CONNECT", "https://host/", 502)``. Successful CONNECTs are not recorded.
        """
        return self._router.served

    @property
    def served_log(self) -> list[Served]:
        """Every answered request as :class:`Served`: method, URL, status, ``at`` (arrival,
        ``time.time()``) and the request's ``headers`` (empty for CONNECT)."""
        return self._router.served_log

    def clear_served(self) -> None:
        """Forget the requests answered so far."""
        self._router.clear_served()

    def route_for(self, url: str) -> Route:
        """The route that answers ``url`` (the host's 404 page or a 502 if none matches)."""
        return self._router.resolve(url)

    def body_for(self, url: str) -> bytes:
        """The exact body bytes a GET of ``url`` receives (compressed if gzip, cut if truncate)."""
        return self._router.resolve(url).wire_body

    def add_route(
        self,
        url: str,
        *,
        body: bytes = b"",
        status: int = 200,
        headers: list[tuple[str, str]] | None = None,
        fault: str | None = None,
        gzip: bool = False,
        delay: float = 0.0,
        drip: float = 0.0,
        content_length: int | None = None,
    ) -> Route:
        """Add (or replace) a route; works before and after :meth:`start`.

        ``headers=None`` sends ``Content-Type: text/html; charset=utf-8``; pass ``[]`` for none.
        ``fault`` is ``"truncate"`` or ``"reset"``; ``delay`` holds the answer back that many
        seconds (a slow server); ``drip`` sends the body 64 bytes at a time, that many seconds
        apart; ``content_length`` declares a length other than the body's (a lying server).
        ``"reset-mid"`` sends half the body, then resets the connection.
        """
        if headers is None:
            headers = [("Content-Type", "text/html; charset=utf-8")]
        route = make_route(url, body=body, status=status, headers=headers, fault=fault, compress=gzip,
                           delay=delay, drip=drip, content_length=content_length)
        self._router.add(route)
        return route

    def add_responder(self, url: str, responder: Callable[[int], Route]) -> None:
        """Answer ``url`` with a route made per request: ``responder(n)``, where n counts the
        requests it answered before (0 for the first); build routes with :func:`make_route`.

        For answers that change over time: ``429`` twice then ``200``, a ``Retry-After``
        HTTP-date computed when the request arrives.
        """
        self._router.add_responder(url, responder)
