"""Mock outlet sites: routes loaded from ``tests/outlets/<name>/site.json``.

The format is documented in ``tests/outlets/README.md``. A route maps one absolute URL
(scheme, host and path; the query string is never part of the key) to the exact bytes and
headers the mock proxy answers with.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: Faults a route may carry (see ``tests/outlets/README.md``).
FAULTS = ("truncate", "reset", "reset-mid")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_ROUTE_KEYS = {"url", "file", "body", "status", "headers", "gzip", "fault", "delay", "drip",
               "content_length"}
_NOT_FOUND_KEYS = {"file", "body", "status", "headers", "gzip"}
_FORBIDDEN_HEADERS = {"content-length", "transfer-encoding"}

RouteKey = tuple[str, str, str]
#: Body bytes sent per chunk by a ``drip`` route.
DRIP_CHUNK = 64


@dataclass(frozen=True)
class Route:
    """One canned answer: status, headers (verbatim, in order), body bytes and a fault."""

    url: str
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    fault: str | None = None
    #: Seconds the proxy waits after reading the request before answering (a slow server).
    delay: float = 0.0
    #: Seconds between chunks of :data:`DRIP_CHUNK` body bytes (a server that drips its answer).
    drip: float = 0.0
    #: ``Content-Length`` to declare instead of the body's length (a lying server); None: the truth.
    content_length: int | None = None

    @property
    def wire_body(self) -> bytes:
        """The body bytes that actually go on the wire (half of them for ``truncate``)."""
        if self.fault in ("truncate", "reset-mid"):
            return self.body[: len(self.body) // 2]
        if self.fault == "reset":
            return b""
        return self.body


@dataclass
class Outlet:
    """A mock outlet: its routes and the page its hosts answer for unknown paths."""

    name: str
    directory: Path
    routes: list[Route]
    not_found: Route

    @property
    def hosts(self) -> set[str]:
        """The hosts (``host`` or ``host:port`` when not default) this outlet serves."""
        return {route_key(r.url)[1] for r in self.routes}


def normalise_host(scheme: str, netloc: str) -> str:
    """Lower-case ``netloc`` and drop the scheme's default port and any user info."""
    netloc = netloc.rpartition("@")[2].lower()
    host, sep, port = netloc.rpartition(":")
    if sep and port.isdigit() and "]" not in port:
        if int(port) == _DEFAULT_PORTS.get(scheme):
            return host
        return netloc
    return netloc


def route_key(url: str) -> RouteKey:
    """The lookup key of ``url``: (scheme, host[:port], path); query and fragment ignored."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    return scheme, normalise_host(scheme, parts.netloc), parts.path or "/"


def make_route(
    url: str,
    *,
    body: bytes = b"",
    status: int = 200,
    headers: list[tuple[str, str]] | tuple[tuple[str, str], ...] = (),
    fault: str | None = None,
    compress: bool = False,
    delay: float = 0.0,
    drip: float = 0.0,
    content_length: int | None = None,
) -> Route:
    """Build and validate a route; ``compress`` gzips the body and adds Content-Encoding.

    ``delay`` (seconds, 0-600) holds the answer back, for tests of slow servers; ``drip``
    (seconds, 0-60) is the pause between chunks of 64 body bytes; ``content_length`` is
    declared instead of the body's real length (then the connection closes after the body).
    """
    route_key(url)
    if not 0 <= delay <= 600:
        raise ValueError(f"{url}: delay {delay!r} must be between 0 and 600 seconds")
    if not 0 <= drip <= 60:
        raise ValueError(f"{url}: drip {drip!r} must be between 0 and 60 seconds")
    if content_length is not None and content_length < 0:
        raise ValueError(f"{url}: content_length {content_length!r} must not be negative")
    if fault is not None and fault not in FAULTS:
        raise ValueError(f"{url}: unknown fault {fault!r}, expected one of {FAULTS}")
    if not 100 <= status <= 599:
        raise ValueError(f"{url}: bad status {status}")
    pairs: list[tuple[str, str]] = []
    for pair in headers:
        if len(pair) != 2 or not all(isinstance(x, str) for x in pair):
            raise ValueError(f"{url}: a header must be a [name, value] pair of strings: {pair!r}")
        name, value = pair
        if name.lower() in _FORBIDDEN_HEADERS:
            raise ValueError(f"{url}: {name} is computed by the mock, do not give it")
        if "\r" in name + value or "\n" in name + value:
            raise ValueError(f"{url}: header {name!r} contains a line break")
        pairs.append((name, value))
    if compress:
        body = gzip.compress(body, mtime=0)
        if not any(n.lower() == "content-encoding" for n, _ in pairs):
            pairs.append(("Content-Encoding", "gzip"))
    return Route(url=url, status=status, headers=tuple(pairs), body=body, fault=fault, delay=float(delay),
                 drip=float(drip), content_length=content_length)


def _route_from_spec(spec: dict[str, Any], directory: Path, where: str, *, not_found: bool) -> Route:
    """Turn one JSON route object into a :class:`Route`."""
    allowed = _NOT_FOUND_KEYS if not_found else _ROUTE_KEYS
    unknown = set(spec) - allowed
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}, allowed {sorted(allowed)}")
    if "file" in spec and "body" in spec:
        raise ValueError(f"{where}: give either 'file' or 'body', not both")
    if "file" in spec:
        path = directory / spec["file"]
        if not path.is_file():
            raise ValueError(f"{where}: file not found: {path}")
        body = path.read_bytes()
    else:
        body = str(spec.get("body", "")).encode("utf-8")
    url = "http://not-found.invalid/" if not_found else spec.get("url")
    if not isinstance(url, str):
        raise ValueError(f"{where}: 'url' is required")
    return make_route(
        url,
        body=body,
        status=int(spec.get("status", 404 if not_found else 200)),
        headers=[tuple(h) for h in spec.get("headers", [])],  # type: ignore[misc]
        fault=spec.get("fault"),
        compress=bool(spec.get("gzip", False)),
        delay=float(spec.get("delay", 0.0)),
        drip=float(spec.get("drip", 0.0)),
        content_length=int(spec["content_length"]) if "content_length" in spec else None,
    )


def load_outlet(directory: Path) -> Outlet:
    """Load ``directory/site.json``; raise ValueError naming the file on any mistake."""
    site = directory / "site.json"
    try:
        data = json.loads(site.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{site}: cannot read: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("routes"), list):
        raise ValueError(f"{site}: expected an object with a 'routes' list")
    unknown = set(data) - {"outlet", "description", "not_found", "routes"}
    if unknown:
        raise ValueError(f"{site}: unknown top-level keys {sorted(unknown)}")
    name = data.get("outlet", directory.name)
    routes = [
        _route_from_spec(spec, directory, f"{site} route {i}", not_found=False)
        for i, spec in enumerate(data["routes"])
    ]
    seen: dict[RouteKey, str] = {}
    for route in routes:
        key = route_key(route.url)
        if key in seen:
            raise ValueError(f"{site}: {route.url} duplicates {seen[key]} (queries are ignored)")
        seen[key] = route.url
    nf_spec = data.get("not_found") or {
        "body": "404 Not Found\n",
        "headers": [["Content-Type", "text/plain"]],
    }
    not_found = _route_from_spec(nf_spec, directory, f"{site} not_found", not_found=True)
    return Outlet(name=name, directory=directory, routes=routes, not_found=not_found)
