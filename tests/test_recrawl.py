"""Recrawls of the mocks into one archive and one store (SQLite and PostgreSQL).

First crawl: the mirror site (seed 000, `site` spider), the 光明日报 issue of 2022-06-02 that
holds its original, and nmgnews. Then the mock changes: one article's text is edited, one
answers 404, one redirects to the home page, the rest stay. Recrawl nmgnews, then archive
a 新华网 original of seed 004 with the `site` spider. Then the removed pages come back.
"""

from __future__ import annotations

import json
from pathlib import Path

from crawler.dedupe import DEFAULT_THRESHOLD
from crawler.mock import MockOutlets
from crawler.store import Store
from crawler.summary import check_warc
from crawler.warc.signals import IDENTICAL_PAYLOAD
from tests.conftest import OUTLETS, run_crawl
from tests.store_support import (
    GMRB_ORIGINAL,
    SEED_000,
    SEED_004,
    XINHUA_URL,
    crawl_outlet,
    new_warcs,
    records,
    xinhua_page,
)
from tests.test_store import store_uri  # noqa: F401  (fixture: SQLite file or private PG schema)

EDITED = "https://inews.nmgnews.com.cn/system/2025/04/18/030188210.shtml"
GONE_404 = "https://inews.nmgnews.com.cn/system/2025/08/12/030215002.shtml"
GONE_HOME = "https://inews.nmgnews.com.cn/system/2025/09/03/030221196.shtml"
HOME = "https://www.nmgnews.com.cn/"
REST = "条公交线路，覆盖城区新建小区、学校和医院等客流集中区域，进一步织密城市公交网络。"
OLD_LINE = "4月18日起，呼和浩特市新开通12" + REST
NEW_LINE = "4月18日起，呼和浩特市新开通13" + REST


def _nmgnews_articles() -> dict[str, list[str]]:
    """URL -> page URLs of every nmgnews article of the mock."""
    out = {}
    for path in sorted((OUTLETS / "nmgnews" / "expected").glob("*.json")):
        data = json.loads(path.read_text())
        out[data["url"]] = data["pages"]
    return out


def _snapshot(store: Store) -> dict[str, dict]:
    return {a["url"]: a for a in store.iter_articles()}


def test_recrawl_gives_versions_revisits_gone_marks_and_reprint_links(store_uri: str,  # noqa: F811
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "archive"
    settings = {"STORE_URI": store_uri}
    nmgnews = _nmgnews_articles()
    unchanged = {u: p for u, p in nmgnews.items() if u not in (EDITED, GONE_404, GONE_HOME)}
    with MockOutlets(outlets=["nmgnews", "gmrb", "mirror"]) as mock:
        mock.add_route(XINHUA_URL, body=xinhua_page())
        crawl_outlet("mirror", out, mock, settings)
        crawl_outlet("gmrb", out, mock, settings, date="2022-06-02")
        crawl_outlet("nmgnews", out, mock, settings)
        with Store.open(store_uri) as store:
            before = _snapshot(store)
            first_records = {url: store.captures_of(url) for pages in nmgnews.values() for url in pages}
            assert store.reprint_link(SEED_004) is None  # no 新华网 original held yet
        assert len(before) == 3 + 4 + 11
        assert all(len(c) == 1 and c[0].record_type == "response" for c in first_records.values())

        # The site changes between the crawls.
        originals = {url: mock.route_for(url) for url in (EDITED, GONE_404, GONE_HOME)}
        edited = originals[EDITED]
        assert OLD_LINE.encode() in edited.body
        mock.add_route(EDITED, body=edited.body.replace(OLD_LINE.encode(), NEW_LINE.encode()),
                       headers=list(edited.headers))
        mock.add_route(GONE_404, status=404, body=b"<html><body>404</body></html>")
        mock.add_route(GONE_HOME, status=302, headers=[("Location", HOME)])
        earlier = set(out.glob("*.warc.gz"))
        second = crawl_outlet("nmgnews", out, mock, settings)
        (second_warc,) = new_warcs(out, earlier)

        earlier = set(out.glob("*.warc.gz"))
        run_crawl("site", out, mock.proxy_url, "-a", f"url={XINHUA_URL}", "-a", "depth=0", settings=settings)

        # The removed pages come back (the edit stays).
        for url in (GONE_404, GONE_HOME):
            route = originals[url]
            mock.add_route(url, body=route.body, status=route.status, headers=list(route.headers))
        earlier = set(out.glob("*.warc.gz"))
        crawl_outlet("nmgnews", out, mock, settings)
        (third_warc,) = new_warcs(out, earlier)

    assert check_warc(second_warc)[1] == [] and check_warc(third_warc)[1] == []
    second_records = records(second_warc)
    assert second.stats["store/gone"] == 2
    assert second.stats["store/versions/edit"] == 1
    assert second.stats["store/refused/home_page"] == 1

    with Store.open(store_uri) as store:
        after = _snapshot(store)
        # Nothing is deleted; the home page the removed article redirected to is not an article.
        assert set(after) == set(before) | {XINHUA_URL}
        assert HOME not in after

        # Unchanged pages: a revisit record each in the second crawl, not stored twice.
        for url, pages in unchanged.items():
            for page in pages:
                original = first_records[page][0]
                recs = [r for r in second_records
                        if r["url"] == page and r["type"] in ("response", "revisit")]
                assert [r["type"] for r in recs] == ["revisit"], page
                warc = recs[0]["warc"]
                assert warc.get_header("WARC-Profile") == IDENTICAL_PAYLOAD
                assert warc.get_header("WARC-Refers-To") == original.record_id
                assert warc.get_header("WARC-Refers-To-Target-URI") == page
                assert warc.get_header("WARC-Payload-Digest") == original.payload_digest
                assert warc.get_header("WARC-Truncated") == "length"
                assert recs[0]["payload"] == b""
                kinds = [(c.record_type, c.refers_to) for c in store.captures_of(page)]
                assert kinds[0] == ("response", None)
                assert kinds[1:] == [("revisit", original.record_id)] * 2
            assert after[url]["warc_record_id"] == before[url]["warc_record_id"]
            assert after[url]["last_seen"] > before[url]["last_seen"]
            assert after[url]["text"] == before[url]["text"]
            assert store.article_versions(url) == []

        # The edit: a new version with the time it was seen and a diff of the text.
        assert NEW_LINE in after[EDITED]["text"] and OLD_LINE not in after[EDITED]["text"]
        (version,) = store.article_versions(EDITED)
        assert version["reason"] == "edit" and version["version"] == 1
        assert version["fields"]["text"] == before[EDITED]["text"]
        assert version["seen_at"] == before[EDITED]["last_seen"]
        edit_capture = store.captures_of(EDITED)[1]
        assert edit_capture.record_type == "response"
        assert version["replaced_at"] > edit_capture.fetched_at
        assert f"-{OLD_LINE}" in version["diff"].splitlines()
        assert f"+{NEW_LINE}" in version["diff"].splitlines()
        assert version["diff"].startswith("--- before (seen ")
        # ... and the third crawl saw it unchanged: a revisit of the edited capture.
        third = store.captures_of(EDITED)[2]
        assert (third.record_type, third.refers_to) == ("revisit", edit_capture.record_id)

        # Removed pages: marked gone with the capture's date, then back; history kept.
        for url, status, location in ((GONE_404, 404, None), (GONE_HOME, 302, HOME)):
            captures = store.captures_of(url)
            assert [c.status for c in captures] == [200, status, 200]
            (mark,) = store.gone_history(url)
            assert mark == {"gone_at": captures[1].fetched_at, "status": status, "location": location,
                            "back_at": captures[2].fetched_at}
            state = store.status_of(url)
            assert state is not None and state["gone_at"] is None and state["gone_status"] is None
            assert after[url]["text"] == before[url]["text"]

        # Reprints linked to the earliest original we hold, with the similarity.
        mirror_link = store.reprint_link(SEED_000)
        assert mirror_link is not None
        assert mirror_link["original_url"] == GMRB_ORIGINAL and mirror_link["original_outlet"] == "gmrb"
        assert mirror_link["similarity"] == 1.0 >= DEFAULT_THRESHOLD
        xinhua_link = store.reprint_link(SEED_004)
        assert xinhua_link is not None
        assert (xinhua_link["original_url"], xinhua_link["original_outlet"]) == (XINHUA_URL, "xinhuanet.com")
        assert xinhua_link["similarity"] == 1.0
        assert store.copies_of(GMRB_ORIGINAL) == [
            {"url": SEED_000, "outlet": "dongfang-group.com.cn", "similarity": 1.0}]
        assert sorted(url for url in after if store.reprint_link(url)) == sorted([SEED_000, SEED_004])

