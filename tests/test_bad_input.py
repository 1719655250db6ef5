"""Bad input from an outlet: a clear log line and a counter, the crawl goes on, nothing stored is lost."""

from __future__ import annotations

from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.items import Article
from crawler.mock import MockOutlets
from crawler.store import Store
from tests.conftest import run_crawl

BASE = "http://inews.nmgnews.com.cn"
LIST = f"{BASE}/faults/"
GOOD_GBK = f"{BASE}/system/2025/05/01/030900001.shtml"
TRUNCATED = f"{BASE}/system/2025/05/01/030900002.shtml"
ERROR_500 = f"{BASE}/system/2025/05/01/030900003.shtml"
RESET = f"{BASE}/system/2025/05/01/030900004.shtml"
TEXT = "呼和浩特市今年新建改建城市道路一百二十公里，张喆表示将持续推进。"


def _article_page(title: str, text: str) -> str:
    return (
        "<html><head><title>" + title + "-内蒙古新闻网</title></head><body>"
        '<div class="crumbs">首页 > 内蒙古新闻 > 正文</div>'
        f'<h1 class="article-title">{title}</h1>'
        '<div class="article-infos"><time class="date">2025年05月01日 09:30</time>'
        ' <span class="source">来源：内蒙古日报</span></div>'
        f'<div class="article-content"><p>{text}</p><p>{text}再次强调。</p></div>'
        "</body></html>"
    )


def _install(mocks: MockOutlets) -> None:
    links = "".join(f'<li><a href="{u}">x</a></li>' for u in (GOOD_GBK, TRUNCATED, ERROR_500, RESET))
    mocks.add_route(LIST, body=f"<html><body><ul>{links}</ul></body></html>".encode(),
                    headers=[("Content-Type", "text/html; charset=utf-8")])
    # the header says UTF-8, the bytes are GBK
    mocks.add_route(GOOD_GBK, body=_article_page("编码不符的页面", TEXT).encode("gbk"),
                    headers=[("Content-Type", "text/html; charset=utf-8")])
    mocks.add_route(TRUNCATED, body=_article_page("被截断的页面", TEXT * 40).encode("utf-8"),
                    headers=[("Content-Type", "text/html")], fault="truncate")
    mocks.add_route(ERROR_500, body=b"<html>Internal error</html>", status=500,
                    headers=[("Content-Type", "text/html")])
    mocks.add_route(RESET, fault="reset")


def test_faults_are_counted_and_logged_and_nothing_is_lost(mocks: MockOutlets, tmp_path: Path) -> None:
    _install(mocks)
    out = tmp_path / "crawl"
    store_uri = f"sqlite:///{out / 'articles.sqlite'}"
    kept = Article(url=TRUNCATED, outlet="nmgnews", title="早先存好的版本", text="完整的正文。")
    with Store.open(store_uri) as store:
        store.upsert_article(kept)

    crawl = run_crawl("nmgnews", out, mocks.proxy_url, "-a", f"columns={LIST}")

    # the crawl went on: the mis-declared page was decoded right and stored
    with Store.open(store_uri) as store:
        good = store.get_article(GOOD_GBK)
        assert good is not None
        assert TEXT in good["text"] and "\ufffd" not in good["text"]
        assert good["charset"] == "gb18030"
        assert "not UTF-8" in good["charset_reason"]
        assert "mojibake" not in good["flags"]
        # the truncated fetch did not overwrite what was stored before
        again = store.get_article(TRUNCATED)
        assert again is not None and again["title"] == "早先存好的版本" and again["text"] == "完整的正文。"

    st = crawl.stats
    assert st.get("pages/truncated/nmgnews") == 1
    assert st.get("errors/nmgnews/http_500") == 1
    assert any(k.startswith("errors/nmgnews/") and "500" not in k for k in st), st
    assert f"Truncated response from {TRUNCATED}" in crawl.log
    assert f"Request failed (http_500): {ERROR_500}" in crawl.log

    # the truncated response is in the archive, marked as such
    truncated = []
    for path in crawl.warcs():
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_headers.get_header("WARC-Target-URI") == TRUNCATED and rec.rec_type == "response":
                    truncated.append(rec.rec_headers.get_header("WARC-Truncated"))
    assert truncated and set(truncated) == {"disconnect"}
