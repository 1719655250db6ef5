"""`scrapy replay`: the live crawl's road, answered from the archive, offline.

A replay of an outlet's crawl into an empty store gives the same articles, field for
field (provenance included); nothing reaches the network or the WARC writer.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from crawler.mock import MockOutlets
from crawler.store import Store
from tests.test_outlets import OUTLET_NAMES, crawl_of, crawl_spec  # noqa: F401  (crawl_of: fixture)
from tests.test_replay_corpus import replay, summary_rows

BOOKKEEPING = ("id", "first_seen", "last_seen")


def articles(store_uri: str) -> dict[str, dict]:
    with Store.open(store_uri) as store:
        return {a["url"]: {k: v for k, v in a.items() if k not in BOOKKEEPING} for a in store.iter_articles()}


@pytest.mark.parametrize("outlet", OUTLET_NAMES)
def test_replay_gives_the_live_crawls_articles_field_for_field(
        outlet: str, crawl_of, mocks: MockOutlets, tmp_path: Path) -> None:  # noqa: F811
    crawl = crawl_of(outlet)
    spider, _args = crawl_spec(outlet)
    before = len(mocks.served)
    out = tmp_path / "replay"
    # WARC_ENABLED on: the writer is there, and must not be fed (no response_downloaded in replay)
    # spider and its -a arguments come from the warcinfo records (``spider``, ``spider-args``)
    proc = replay([crawl.out], out, mocks.proxy_url, "-s", "WARC_ENABLED=True")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(mocks.served) == before, "replay sent requests to the network"
    live, replayed = articles(crawl.store_uri), articles(f"sqlite:///{out / 'articles.sqlite'}")
    assert live and sorted(replayed) == sorted(live)
    for url, art in live.items():
        assert replayed[url] == art, url
    assert not list(out.glob("*.warc*")), "the WARC writer archived replayed responses"
    row = summary_rows(proc.stdout)[f"{spider} (warcinfo)"]
    assert row["leaked"] == 0 and row["not archived"] == 0
    assert row["served"] == crawl.stats["downloader/response_count"]
    assert f"{len(live)} new, 0 updated" in proc.stdout


def test_request_past_the_middleware_fails_loudly(crawl_of, mocks: MockOutlets, tmp_path: Path) -> None:  # noqa: F811
    crawl = crawl_of("nmgnews")
    before = len(mocks.served)
    proc = replay([crawl.out], tmp_path / "r", mocks.proxy_url, "--spider", "nmgnews", "-s",
                  'DOWNLOADER_MIDDLEWARES={"crawler.replay.middleware.ReplayMiddleware": null}')
    assert proc.returncode == 1
    assert "reached a download handler" in proc.stderr
    assert len(mocks.served) == before
    assert summary_rows(proc.stdout)["nmgnews (--spider)"]["leaked"] >= 3


def test_urls_not_in_the_archive_are_not_archived_404s(crawl_of, mocks: MockOutlets, tmp_path: Path) -> None:  # noqa: F811
    crawl = crawl_of("nmgnews")
    before = len(mocks.served)
    proc = replay([crawl.out], tmp_path / "r", mocks.proxy_url, "--spider", "nmgnews",
                  "-a", "columns=https://inews.nmgnews.com.cn/never-archived/")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(mocks.served) == before
    assert summary_rows(proc.stdout)["nmgnews (--spider)"]["not archived"] == 1
    assert "Not archived (missing): https://inews.nmgnews.com.cn/never-archived/" in proc.stderr


NEWER_EXTRACTOR = textwrap.dedent("""
    import sys
    import crawler.extract
    import pipelines.extract as pe
    original = pe.finish

    def finish(article, **kw):  # a "newer extractor": another version, some titles changed
        original(article, **kw)
        article.extractor_version = "2-test"
        if article.url.endswith(("030187652.shtml", "010437585.shtml")):
            article.title += "（修订）"
        return article

    pe.finish = finish
    from scrapy.cmdline import execute
    sys.argv = ["scrapy", *sys.argv[1:]]
    execute()
""")


def test_replay_with_a_newer_extractor_keeps_the_previous_versions(
        crawl_of, mocks: MockOutlets, tmp_path: Path) -> None:  # noqa: F811
    import shutil
    import subprocess

    from tests.conftest import REPO, proxy_env

    crawl = crawl_of("nmgnews")
    store_file = tmp_path / "articles.sqlite"
    shutil.copy(crawl.out / "articles.sqlite", store_file)
    before = articles(f"sqlite:///{store_file}")
    script = tmp_path / "newer.py"
    script.write_text(NEWER_EXTRACTOR)
    proc = subprocess.run([sys.executable, str(script), "replay", str(crawl.out), "-s",
                           f"STORE_URI=sqlite:///{store_file}", "-s", f"ARCHIVE_DIR={tmp_path / 'r'}"],
                          cwd=REPO, env=proxy_env(mocks.proxy_url), capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    n = len(before)
    assert f"{n} articles stored: 0 new, {n} updated ({n} earlier versions kept), 0 unchanged" in proc.stdout
    assert "Fields changed: title 2" in proc.stdout
    after = articles(f"sqlite:///{store_file}")
    with Store.open(f"sqlite:///{store_file}") as store:
        for url, old in before.items():
            assert after[url]["extractor_version"] == "2-test"
            versions = store.article_versions(url)
            assert len(versions) == 1
            kept = versions[0]
            assert kept["version"] == 1 and kept["reason"] == "re-extraction"
            assert kept["extractor_version"] == old["extractor_version"] != "2-test"
            for key, value in old.items():
                if key != "published_utc":
                    assert kept["fields"][key] == value, (url, key)
            changed = url.endswith(("030187652.shtml", "010437585.shtml"))
            assert (after[url]["title"] != old["title"]) is changed
