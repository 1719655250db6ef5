"""Shared fixtures: the mock outlets on loopback and a crawl runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.mock import MockOutlets

REPO = Path(__file__).resolve().parents[1]
OUTLETS = REPO / "tests" / "outlets"
#: pywb's commands (wb-manager, wayback): a virtualenv of their own (see the Makefile).
PYWB_BIN = Path(os.environ.get("PYWB_BIN") or REPO / ".venv-pywb" / "bin")

#: Politeness off: the mocks are ours and on loopback.
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "RETRY_TIMES": "1",
    "RETRY_BACKOFF_BASE": "0",
    "LOG_LEVEL": "INFO",
}


@dataclass
class Crawl:
    """What a finished crawl left behind."""

    out: Path
    proc: subprocess.CompletedProcess[str]
    stats: dict

    @property
    def log(self) -> str:
        return self.proc.stderr

    @property
    def store_uri(self) -> str:
        return f"sqlite:///{self.out / 'articles.sqlite'}"

    def warcs(self) -> list[Path]:
        return sorted(self.out.glob("*.warc.gz"))


@pytest.fixture(scope="session")
def mocks() -> Iterator[MockOutlets]:
    with MockOutlets() as m:
        yield m


def proxy_env(proxy_url: str) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env[var] = proxy_url
    env["no_proxy"] = env["NO_PROXY"] = ""
    return env


def run_crawl(spider: str, out: Path, proxy_url: str, *args: str, settings: dict[str, str] | None = None,
              timeout: int = 300) -> Crawl:
    """``scrapy crawl SPIDER`` in a subprocess, through the mock proxy, into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    opts = {**FAST, "ARCHIVE_DIR": str(out), "STATS_FILE": str(out / "stats.json"), **(settings or {})}
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, *args]
    for key, value in opts.items():
        cmd += ["-s", f"{key}={value}"]
    proc = subprocess.run(cmd, cwd=REPO, env=proxy_env(proxy_url), capture_output=True, text=True,
                          timeout=timeout, check=False)
    stats_path = out / "stats.json"
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    assert proc.returncode == 0, proc.stderr[-4000:]
    return Crawl(out=out, proc=proc, stats=stats)
