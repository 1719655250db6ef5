"""Full-text search in Chinese (SQLite FTS5 trigram, PostgreSQL pg_trgm) and `scrapy search`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, text

from crawler.items import Article
from crawler.store import Store
from crawler.store.query import select_articles
from tests.conftest import REPO
from tests.test_store import store, store_uri  # noqa: F401  (fixtures)


def _add(store: Store, name: str, title: str, body: str, outlet: str = "nmgnews",  # noqa: F811
         published_at: str = "2024-05-01T08:00:00+08:00", **fields: object) -> None:
    store.upsert(Article(url=f"https://example.cn/{name}", outlet=outlet, title=title, text=body,
                         published_at=published_at, **fields), reprint_threshold=None)  # type: ignore[arg-type]


@pytest.fixture
def corpus(store: Store) -> Store:  # noqa: F811
    _add(store, "grass", "草原生态保护补助政策落地见效", "牧民在草原上放牧。草原生态持续向好，草原面积稳定。",
         published_at="2024-05-03T08:00:00+08:00")
    _add(store, "farm", "春耕备耕全面展开", "农资储备充足，草原牧区也在接羔保育。", outlet="gmrb",
         published_at="2024-05-02T08:00:00+08:00")
    _add(store, "bus", "呼和浩特新开通12条公交线路", "市民绿色出行更便捷。COVID report 100% done_ok.",
         published_at="2024-04-01T08:00:00+08:00")
    _add(store, "mirror", "黨的二十大代表選舉", "內蒙古確保宣傳全覆蓋。", outlet="corp",
         title_simplified="党的二十大代表选举", text_simplified="内蒙古确保宣传全覆盖。",
         published_at="2022-06-02T00:00:00+08:00")
    return store


def _urls(hits: list) -> list[str]:
    return [h.url.rsplit("/", 1)[1] for h in hits]


def test_two_character_words_fall_back_to_a_scan(corpus: Store) -> None:
    hits = corpus.search("草原")
    assert _urls(hits) == ["grass", "farm"]
    assert [h.score for h in hits] == [10 + 3, 1]   # one in the title, three in the text
    assert hits[0].snippet == "牧民在草原上放牧。草原生态持续向好，草原面积稳定。"
    assert _urls(corpus.search("牧")) == ["grass", "farm"]


def test_long_terms_use_the_trigram_index(corpus: Store) -> None:
    statements: list[str] = []
    event.listen(corpus.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *args: statements.append(statement))
    assert _urls(corpus.search("草原生态")) == ["grass"]
    if corpus.dialect == "sqlite":
        assert any("articles_fts MATCH" in s for s in statements)
    else:
        with corpus.engine.begin() as conn:
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(r[0] for r in conn.execute(text(
                "EXPLAIN SELECT id FROM articles WHERE (coalesce(title, '') || chr(10) || coalesce(text, '') "
                "|| chr(10) || coalesce(title_simplified, '') || chr(10) || coalesce(text_simplified, '')) "
                "LIKE '%草原生态%'")))
        assert "ix_articles_search" in plan


def test_every_term_must_match_and_phrases_stay_whole(corpus: Store) -> None:
    assert _urls(corpus.search("草原 春耕")) == ["farm"]
    assert _urls(corpus.search("草原 公交")) == []
    assert _urls(corpus.search('"COVID report"')) == ["bus"]
    assert _urls(corpus.search("COVID report")) == ["bus"]
    assert _urls(corpus.search("covid")) == []      # case-sensitive, as the export filter always was
    assert _urls(corpus.search("100%")) == ["bus"]  # LIKE wildcards are plain characters
    assert _urls(corpus.search("e_o")) == ["bus"]
    assert _urls(corpus.search("e%o")) == []


def test_simplified_terms_find_traditional_pages(corpus: Store) -> None:
    (hit,) = corpus.search("代表选举")
    assert (hit.url, hit.title, hit.outlet) == ("https://example.cn/mirror", "党的二十大代表选举", "corp")
    assert _urls(corpus.search("代表選舉")) == ["mirror"]   # the page's own characters too


def test_filters_and_limit(corpus: Store) -> None:
    assert _urls(corpus.search("草原", outlet="gmrb")) == ["farm"]
    assert _urls(corpus.search("草原", since="2024-05-03")) == ["grass"]
    assert _urls(corpus.search("草原", until="2024-05-02")) == ["farm"]
    assert _urls(corpus.search("草原", limit=1)) == ["grass"]
    with pytest.raises(ValueError, match="has no terms"):
        corpus.search("  ")
    with pytest.raises(ValueError, match="limit must be at least 1"):
        corpus.search("草原", limit=0)


def test_the_index_follows_edits(corpus: Store) -> None:
    _add(corpus, "grass", "草原生态保护补助政策落地见效", "改写后的正文讲述湿地。",
         published_at="2024-05-03T08:00:00+08:00")
    assert _urls(corpus.search("湿地")) == ["grass"]
    assert _urls(corpus.search("放牧")) == []
    assert _urls(corpus.search("草原生态")) == ["grass"]   # still in the title
    if corpus.dialect == "sqlite":
        with corpus.engine.begin() as conn:
            conn.execute(text("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)"))


def test_select_articles_query_uses_the_same_search(corpus: Store) -> None:
    assert [a["url"] for a in select_articles(corpus, query="草原")] == [
        "https://example.cn/farm", "https://example.cn/grass"]  # publication order, as before
    assert [a["url"] for a in select_articles(corpus, query="代表选举 全覆盖")] == ["https://example.cn/mirror"]


def test_search_command(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'articles.sqlite'}"
    with Store.open(uri) as opened:
        _add(opened, "grass", "草原生态保护补助政策落地见效", "牧民在草原上放牧。",
             published_at="2024-05-03T08:00:00+08:00")
        _add(opened, "farm", "春耕备耕全面展开", "草原牧区也在接羔保育。", outlet="gmrb")

    def search(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "scrapy", "search", "-s", f"STORE_URI={uri}", *args],
                              cwd=REPO, capture_output=True, text=True, timeout=120, check=False)

    done = search("草原")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "1. [11] nmgnews  2024-05-03T08:00:00+08:00  草原生态保护补助政策落地见效",
        "   https://example.cn/grass",
        "   牧民在草原上放牧。",
        "",
        "2. [1] gmrb  2024-05-01T08:00:00+08:00  春耕备耕全面展开",
        "   https://example.cn/farm",
        "   草原牧区也在接羔保育。",
    ]
    assert "2 hits" in done.stderr
    done = search("--outlet", "gmrb", "--json", "草原")
    (line,) = done.stdout.splitlines()
    assert json.loads(line)["url"] == "https://example.cn/farm"
    done = search("--since", "2024-13-01", "草原")
    assert done.returncode == 2 and "--since '2024-13-01' is not a valid date" in done.stderr
    done = search("不存在的词")
    assert done.returncode == 0 and done.stdout == "" and "no article matches" in done.stderr
