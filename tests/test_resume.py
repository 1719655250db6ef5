"""A crawl stopped with SIGTERM or SIGINT resumes with the same JOBDIR, losing and repeating nothing.

The stop comes while page 2 of the three-page article 012739043 is being served (slowly).
Scrapy's graceful shutdown waits for requests in flight, so that page is downloaded,
archived and parsed in the first run; the request for page 3 that its callback yields,
carrying the partial ``Article`` in ``cb_kwargs``, is pickled into JOBDIR's disk queue
and the second run finishes the article from it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.mock import MockOutlets
from crawler.store import Store
from crawler.summary import check_warc
from tests.conftest import FAST, OUTLETS, REPO, proxy_env

PAGE_2 = "http://inews.nmgnews.com.cn/system/2019/07/05/012739043_02.shtml"
MULTI = "http://inews.nmgnews.com.cn/system/2019/07/05/012739043.shtml"


def crawl_cmd(out: Path, jobdir: Path) -> list[str]:
    settings = {**FAST, "CONCURRENT_REQUESTS": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
                "ARCHIVE_DIR": str(out), "JOBDIR": str(jobdir)}
    cmd = [sys.executable, "-m", "scrapy", "crawl", "nmgnews"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def run_stats(out: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((out / "stats").glob("nmgnews-*.json"))]


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stop_and_resume_with_jobdir(signum: int, tmp_path: Path) -> None:
    out, jobdir = tmp_path / "archive", tmp_path / "job"
    expected = {json.loads(p.read_text(encoding="utf-8"))["url"]: json.loads(p.read_text(encoding="utf-8"))
                for p in (OUTLETS / "nmgnews" / "expected").glob("*.json")}
    with MockOutlets(outlets=["nmgnews"]) as mock:
        route = mock.route_for(PAGE_2)
        mock.add_route(PAGE_2, body=route.body, headers=list(route.headers), delay=1.5)
        env = proxy_env(mock.proxy_url)

        first = subprocess.Popen(crawl_cmd(out, jobdir), cwd=REPO, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while not any(url == PAGE_2 for _m, url, _s in mock.served):
            assert first.poll() is None and time.monotonic() < deadline, "page 2 never requested"
            time.sleep(0.05)
        first.send_signal(signum)
        _, log1 = first.communicate(timeout=120)
        assert first.returncode == 0, log1[-3000:]
        served1 = [url for _m, url, _s in mock.served]
        mock.clear_served()
        # A graceful stop closes every WARC file: nothing left with .open.
        assert not list(out.glob("*.open")) and list(out.glob("*.warc.gz"))
        (stats1,) = run_stats(out)
        assert stats1["finish_reason"] == "shutdown"
        assert stats1["scheduler/enqueued/disk"] > 0 and "scheduler/unserializable" not in stats1
        assert not any(s.startswith("log_count/ERROR") for s in stats1), log1[-3000:]

        second = subprocess.run(crawl_cmd(out, jobdir), cwd=REPO, env=env, capture_output=True, text=True,
                                timeout=300, check=False)
        assert second.returncode == 0, second.stderr[-3000:]
        served2 = [url for _m, url, _s in mock.served]

    stats2 = next(s for s in run_stats(out) if s != stats1)
    assert stats2["finish_reason"] == "finished"
    assert "Resuming crawl" in second.stderr

    # Nothing fetched twice: the request in flight at the stop (page 2) completed during the
    # graceful shutdown, and the seen-requests file of JOBDIR filters everything else.
    # Only robots.txt is fetched again: each run reads the robots.txt of the hosts it visits.
    assert served1.count(PAGE_2) == 1 and PAGE_2 not in served2
    again = {u for u in set(served1) & set(served2) if not u.endswith("/robots.txt")}
    assert again == set()
    assert len(served1) == len(set(served1)) and len(served2) == len(set(served2))

    # Every article stored exactly once, by one of the two runs.
    assert stats1.get("item_scraped_count", 0) + stats2["item_scraped_count"] == len(expected)
    with Store.open(f"sqlite:///{out / 'articles.sqlite'}") as store:
        stored = {a["url"]: a for a in store.iter_articles("nmgnews")}
    assert set(stored) == set(expected)
    # The three-page article was finished by the second run from the pickled partial Article.
    multi = next(a for a in stored.values() if a["url"].endswith("012739043.shtml"))
    for key in ("pages", "text", "title", "published_at", "editor", "authors"):
        assert multi[key] == expected[multi["url"]][key], key
    assert MULTI in served1 and MULTI.replace(".shtml", "_03.shtml") in served2

    for path in sorted(out.glob("*.warc.gz")):
        count, problems = check_warc(path)
        assert count > 0 and problems == [], problems
