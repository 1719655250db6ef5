"""nginx (Debian's package) serving the synthetic outlet on loopback, as our own process.

Two ports over the same files: ``fast`` answers at once, ``slow`` waits ``delay`` seconds
before each response (the echo module's ``echo_sleep``, a timer inside nginx's event loop:
no thread or process per waiting request, so it does not queue; ``verify_delay`` checks
that at concurrency 16). ``make nginx`` installs both Debian packages.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

ECHO_MODULE = Path("/usr/lib/nginx/modules/ngx_http_echo_module.so")
NGINX = "/usr/sbin/nginx"

CONFIG = """\
load_module {echo};
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format bench '$msec $server_port $status "$http_user_agent" $request_uri';
    access_log {tmp}/access.log bench;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ text/html html shtml; text/plain txt; }}
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{fast};
        root {root};
    }}
    server {{
        listen 127.0.0.1:{slow};
        root {root};
        location / {{
            echo_sleep {delay};
            echo_exec @file;
        }}
        location @file {{ }}
    }}
}}
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Nginx:
    """``with Nginx(root) as server:`` serves ``root`` on ``server.fast`` and ``server.slow``."""

    def __init__(self, root: Path, delay: float = 0.05) -> None:
        if not Path(NGINX).exists() or not ECHO_MODULE.exists():
            raise RuntimeError(f"{NGINX} or {ECHO_MODULE} missing: run `make nginx` (as root)")
        self.root = root
        self.delay = delay
        self.fast = free_port()
        self.slow = free_port()
        self._tmp = tempfile.TemporaryDirectory(prefix="bench-nginx-")
        self.tmp = Path(self._tmp.name)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def access_log(self) -> Path:
        return self.tmp / "access.log"

    def url(self, slow: bool = False) -> str:
        return f"http://127.0.0.1:{self.slow if slow else self.fast}"

    def __enter__(self) -> Nginx:
        conf = self.tmp / "nginx.conf"
        conf.write_text(CONFIG.format(echo=ECHO_MODULE, tmp=self.tmp, root=self.root.resolve(),
                                      fast=self.fast, slow=self.slow, delay=self.delay))
        self.proc = subprocess.Popen([NGINX, "-p", str(self.tmp), "-c", str(conf), "-e",
                                      str(self.tmp / "error.log")], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url() + "/robots.txt", timeout=1) as resp:
                    resp.read()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        log = (self.tmp / "error.log").read_text() if (self.tmp / "error.log").exists() else ""
        self.__exit__(None, None, None)
        raise RuntimeError(f"nginx did not start on 127.0.0.1:{self.fast}: {log[-2000:]}")

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._tmp.cleanup()

    def log_lines(self) -> int:
        """Requests logged so far (mark before a run, subtract after)."""
        if not self.access_log.exists():
            return 0
        with self.access_log.open("rb") as fh:
            return sum(1 for _ in fh)

    def log_since(self, mark: int) -> list[str]:
        with self.access_log.open("r", encoding="latin-1") as fh:
            return fh.read().splitlines()[mark:]


def verify_delay(url: str, *, concurrency: int = 16, requests: int = 160) -> tuple[float, float]:
    """Median and 95th percentile latency (s) of ``requests`` GETs of ``url``, ``concurrency`` at once.

    With a delay that does not queue, both stay near the delay at any concurrency.
    """

    def one(_: int) -> float:
        start = time.perf_counter()
        with urllib.request.urlopen(url, timeout=10) as resp:
            resp.read()
        return time.perf_counter() - start

    with ThreadPoolExecutor(concurrency) as pool:
        times = sorted(pool.map(one, range(requests)))
    return times[len(times) // 2], times[int(len(times) * 0.95)]
