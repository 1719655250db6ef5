"""A private ``redis-server`` on loopback, for tests and benchmarks of distributed crawls.

Runs Debian's ``redis-server`` binary (package ``redis-server``; ``make redis`` installs it)
on a free port, without persistence, in a directory of its own::

    with RedisServer(tmp_dir) as redis_url:
        ... scrapy crawl nmgnews -s REDIS_URL={redis_url} ...
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

from redis import Redis
from redis.exceptions import RedisError


class RedisUnavailable(RuntimeError):
    """No redis-server can be started here; the message says why."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """``redis-server`` on 127.0.0.1 (a free port), stopped and forgotten on exit."""

    def __init__(self, directory: Path, *, binary: str = "redis-server", start_timeout: float = 20.0) -> None:
        self.directory = Path(directory)
        self.binary = binary
        self.start_timeout = start_timeout
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> str:
        """Start the server; return its URL. Raises :class:`RedisUnavailable` naming the cause."""
        path = shutil.which(self.binary)
        if path is None:
            raise RedisUnavailable(f"{self.binary} not found on PATH: install Debian's package "
                                   "redis-server (`make redis`, as root)")
        self.directory.mkdir(parents=True, exist_ok=True)
        problem = ""
        for _attempt in range(3):  # another process may take the free port first
            self.port = _free_port()
            log = self.directory / f"redis-{self.port}.log"
            self._proc = subprocess.Popen(
                [path, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(self.directory), "--logfile", str(log)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            problem = self._wait(log)
            if not problem:
                return self.url
            self.stop()
        raise RedisUnavailable(f"{path} did not start: {problem}")

    def _wait(self, log: Path) -> str:
        """Empty once the server answers PING; else why not."""
        assert self._proc is not None
        client = Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + self.start_timeout
        try:
            while time.monotonic() < deadline:
                if self._proc.poll() is not None:
                    tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
                    return f"exited with status {self._proc.returncode}: {tail.strip()}"
                try:
                    if client.ping():
                        return ""
                except RedisError:
                    time.sleep(0.05)
            return f"no answer on 127.0.0.1:{self.port} within {self.start_timeout} s"
        finally:
            client.close()

    def stop(self) -> None:
        """Stop the server (it keeps nothing on disk)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
