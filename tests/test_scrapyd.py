"""A scheduled crawl through a real scrapyd: deploy with scrapyd-deploy, schedule.json, listjobs.json.

scrapyd runs on a free loopback port in a temporary directory with the project's runner
(``crawler.scrapyd_runner``); its crawl processes inherit its environment, so they reach
the mock outlets through ``http_proxy``/``https_proxy``.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from crawler.mock import MockOutlets
from crawler.store import Store
from crawler.summary import check_warc
from tests.conftest import OUTLETS, REPO, proxy_env

BIN = Path(sys.executable).parent
PROJECT = "nmgnews_archive"
#: No proxy for talking to scrapyd itself (the crawls get the mock proxy from scrapyd's env).
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api(base: str, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with DIRECT.open(f"{base}/{endpoint}", data=body, timeout=30) as resp:
        return json.loads(resp.read())


def copy_project(dest: Path, port: int) -> None:
    """What scrapyd-deploy needs, in a scratch directory (the egg build writes build/ there)."""
    for name in ("scrapy.cfg", "setup.py", "pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, dest / name)
    for package in ("crawler", "spiders", "pipelines"):
        shutil.copytree(REPO / package, dest / package, ignore=shutil.ignore_patterns("__pycache__"))
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "scrapy.cfg", encoding="utf-8")
    assert dict(cfg["deploy"]) == {"url": "http://127.0.0.1:6800/", "project": PROJECT}
    text = (dest / "scrapy.cfg").read_text(encoding="utf-8")
    (dest / "scrapy.cfg").write_text(text.replace("127.0.0.1:6800", f"127.0.0.1:{port}"), encoding="utf-8")


@pytest.mark.slow
def test_deploy_and_schedule_through_scrapyd(mocks: MockOutlets, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    project_dir, server_dir, archive = tmp_path / "project", tmp_path / "scrapyd", tmp_path / "archive"
    project_dir.mkdir()
    server_dir.mkdir()
    copy_project(project_dir, port)
    (server_dir / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\n"
        "poll_interval = 0.2\nmax_proc = 1\nrunner = crawler.scrapyd_runner\n", encoding="utf-8")
    log = (server_dir / "scrapyd.out").open("w")
    server = subprocess.Popen([str(BIN / "scrapyd")], cwd=server_dir, env=proxy_env(mocks.proxy_url),
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert api(base, "daemonstatus.json")["status"] == "ok"
                break
            except OSError:
                assert server.poll() is None, (server_dir / "scrapyd.out").read_text()
                assert time.monotonic() < deadline, "scrapyd did not start"
                time.sleep(0.2)

        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        deploy = subprocess.run([str(BIN / "scrapyd-deploy"), "-v", "1"], cwd=project_dir, env=env,
                                capture_output=True, text=True, timeout=300, check=False)
        assert deploy.returncode == 0, deploy.stderr + deploy.stdout
        answer = json.loads(deploy.stdout)
        assert answer["status"] == "ok", answer
        assert answer["project"] == PROJECT and answer["version"] == "1"
        assert "nmgnews" in api(base, f"listspiders.json?project={PROJECT}")["spiders"]

        egg = server_dir / "eggs" / PROJECT / "1.egg"
        names = set(zipfile.ZipFile(egg).namelist())
        assert {"crawler/store/migrations/env.py", "crawler/store/migrations/script.py.mako",
                "crawler/store/migrations/versions/0001_initial.py", "spiders/nmgnews.py",
                "pipelines/store.py", "EGG-INFO/entry_points.txt"} <= names
        assert not any(n.startswith(("tests/", "build/")) for n in names), "tests or mock pages in the egg"

        settings = {"ARCHIVE_DIR": str(archive), "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
                    "CONCURRENT_REQUESTS_PER_DOMAIN": "8", "RETRY_BACKOFF_BASE": "0"}
        job = api(base, "schedule.json", [("project", PROJECT), ("spider", "nmgnews"),
                                          *(("setting", f"{k}={v}") for k, v in settings.items())])
        assert job["status"] == "ok", job
        deadline = time.monotonic() + 240
        while True:
            jobs = api(base, f"listjobs.json?project={PROJECT}")
            finished = [j for j in jobs["finished"] if j["id"] == job["jobid"]]
            if finished:
                break
            assert time.monotonic() < deadline, f"job not finished: {jobs}"
            time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    out = (server_dir / "scrapyd.out").read_text()
    assert f"scrapyd runner: project {PROJECT} version 1 from" in out, out[-3000:]
    crawl_log = (server_dir / "logs" / PROJECT / "nmgnews" / f"{job['jobid']}.log").read_text()
    assert "Traceback" not in crawl_log, crawl_log[-3000:]
    assert "'finish_reason': 'finished'" in crawl_log

    expected = {json.loads(p.read_text(encoding="utf-8"))["url"]
                for p in (OUTLETS / "nmgnews" / "expected").glob("*.json")}
    with Store.open(f"sqlite:///{archive / 'articles.sqlite'}") as store:
        assert {a["url"] for a in store.iter_articles("nmgnews")} == expected
    warcs = sorted(archive.glob("*.warc.gz"))
    assert warcs and not list(archive.glob("*.open"))
    for path in warcs:
        count, problems = check_warc(path)
        assert count > 0 and problems == [], problems
    stats = [json.loads(p.read_text()) for p in (archive / "stats").glob("nmgnews-*.json")]
    assert [s["finish_reason"] for s in stats] == ["finished"]
    assert stats[0]["item_scraped_count"] == len(expected)
