"""Near-duplicate fingerprints and reprint links (crawler/dedupe, crawler/store/reprints.py)."""

from __future__ import annotations

import hashlib
import json
import random
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from bench.reprint_threshold import measure
from crawler.dedupe import DEFAULT_THRESHOLD, MIN_CHARS, SCHEME, fingerprint, normalise, shingles, similarity
from crawler.dedupe.fingerprint import Fingerprint
from crawler.items import Article
from crawler.store import Store
from crawler.store.schema import fingerprints, minhash_bands, reprint_links
from tests.conftest import OUTLETS
from tests.test_store import store, store_uri  # noqa: F401  (fixtures)

STORY = json.loads((OUTLETS / "gmrb" / "expected" / "nw.D110000gmrb_20220602_1-02.json").read_text())["text"]
OTHER = json.loads((OUTLETS / "nmgnews" / "expected" / "010437585.json").read_text())["text"]


def test_normalise_keeps_letters_and_digits_only() -> None:
    assert normalise("“喂料、保羔”ＡＢＣ１２ \n草原。") == "喂料保羔abc12草原"
    assert shingles("草原生态") == {"草原生", "原生态"}
    assert shingles("草原") == {"草原"} and shingles("") == set()


def test_normalise_keeps_exactly_what_isalnum_keeps() -> None:
    """The regex equals the loop it replaced, on every test page line and every BMP character."""
    from tests.test_zh_fast_simplify import page_lines

    every = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000)
    rng = random.Random(3)
    shuffled = "".join(rng.sample(every, len(every)))
    # normalise folds the runs between ideographs one by one: each character alone between
    # two, pairs beside one, and the whole plane shuffled (combining marks after anything).
    between = "中".join(every)
    pairs = "".join(every[i:i + 2] + "文" for i in range(0, len(every), 2))
    for text in [every, shuffled, between, pairs, "AΣ中B", "AΣ中", "中\u0301a\u0301", *page_lines()]:
        folded = unicodedata.normalize("NFKC", text).lower()
        assert normalise(text) == "".join(ch for ch in folded if ch.isalnum())


def test_shingles_are_cut_from_the_utf8_bytes_as_encoded_one_by_one() -> None:
    from crawler.dedupe.fingerprint import _utf8_shingles

    rng = random.Random(1)
    alphabet = "中文草原abc123𝐀ö\u0800\uffff\u07ff\x7f"
    for size in range(12):
        for _ in range(100):
            text = "".join(rng.choice(alphabet) for _ in range(size))
            assert _utf8_shingles(text) == {g.encode("utf-8") for g in shingles(text)}, text


def test_fingerprint_is_deterministic_and_round_trips() -> None:
    fp = fingerprint(STORY)
    assert fp is not None and fp == fingerprint(STORY)
    assert fp.scheme == SCHEME == "minhash-affine32-c3-p128-s20260-b42r3"
    assert fp.shingles == len(shingles(normalise(STORY)))
    assert Fingerprint.from_bytes(fp.to_bytes(), fp.shingles) == fp
    assert len(fp.buckets()) == 42
    with pytest.raises(ValueError, match="has 512 bytes, got 3"):
        Fingerprint.from_bytes(b"abc", 1)
    assert fingerprint("短" * (MIN_CHARS - 1)) is None


def test_fingerprint_equals_datasketch_minhash_of_the_shingles() -> None:
    """The fast path (digests read as one array, permutations drawn once, the affine32 update
    written out in chunks) changes no value."""
    from datasketch import MinHash

    from crawler.dedupe.fingerprint import HASH_SCHEME, LSH_BANDS, LSH_ROWS, NUM_PERM, SEED

    long_text = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(5000))  # > 2 chunks of shingles
    mixed = "草原2026年GDP增长ö𝐀\u0800\uffff" * 12  # one to four bytes a character in UTF-8
    texts = [STORY, OTHER, STORY[: MIN_CHARS * 2], "劉延東會見" * 40, "abc 123 " * 30, long_text, mixed]
    for text in texts:
        grams = shingles(normalise(text))
        reference = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=HASH_SCHEME)
        reference.update_batch([g.encode("utf-8") for g in sorted(grams)])
        fp = fingerprint(text)
        assert fp is not None and fp.values == tuple(int(v) for v in reference.hashvalues)
        raw = np.asarray(reference.hashvalues, dtype="<u4")  # the buckets as first written
        assert fp.buckets() == [(band, hashlib.sha1(raw[band * LSH_ROWS:(band + 1) * LSH_ROWS].tobytes())
                                 .hexdigest()[:16]) for band in range(LSH_BANDS)]


def test_similarity_estimates_jaccard() -> None:
    a, b = fingerprint(STORY), fingerprint(OTHER)
    assert a is not None and b is not None
    assert similarity(a, a) == 1.0
    assert similarity(a, b) < 0.1
    half = fingerprint(STORY[: len(STORY) // 2])
    assert half is not None
    grams, half_grams = shingles(normalise(STORY)), shingles(normalise(STORY[: len(STORY) // 2]))
    exact = len(grams & half_grams) / len(grams | half_grams)
    assert abs(similarity(a, half) - exact) < 0.15  # 3 standard errors at 128 permutations


def test_threshold_figures_of_docs_dedupe_md() -> None:
    rows, kinds, lsh_recall, count = measure()
    chosen = next(r for r in rows if r.threshold == DEFAULT_THRESHOLD)
    assert (count, chosen.false_positives, chosen.false_negatives) == (2677, 0, 9)
    assert (round(chosen.precision, 3), round(chosen.recall, 3)) == (1.0, 0.972)
    assert round(lsh_recall, 3) == 0.997
    assert round(kinds["different stories, same template"][1], 2) == 0.28
    assert kinds["real: seed 000 mirror"][:2] == (1.0, 1.0)


# -- linking in the store ------------------------------------------------------------


def _article(url: str, outlet: str, text: str = STORY, **fields: object) -> Article:
    return Article(url=url, outlet=outlet, title="标题", text=text, **fields)  # type: ignore[arg-type]


def _links(store: Store) -> dict[str, tuple[str, float]]:  # noqa: F811
    out = {}
    for article in store.iter_articles():
        link = store.reprint_link(article["url"])
        if link:
            out[article["url"]] = (link["original_url"], link["similarity"])
    return out


def test_copy_is_linked_to_the_earliest_original_whatever_the_order(store: Store) -> None:  # noqa: F811
    # The copy arrives first, then a later original, then the earliest one.
    store.upsert(_article("https://corp.example.cn/a.html", "corp", published_at="2022-06-03T09:00:00+08:00",
                          source="光明日报", is_reprint=True))
    assert _links(store) == {}
    store.upsert(_article("https://news.gmw.cn/a.htm", "gmw", published_at="2022-06-02T10:00:00+08:00"))
    assert _links(store) == {"https://corp.example.cn/a.html": ("https://news.gmw.cn/a.htm", 1.0)}
    store.upsert(_article("https://epaper.gmw.cn/a.htm", "gmrb", published_at="2022-06-02T00:00:00+08:00"),
                 outlet_names=["光明日报"])
    assert _links(store) == {
        "https://corp.example.cn/a.html": ("https://epaper.gmw.cn/a.htm", 1.0),
        "https://news.gmw.cn/a.htm": ("https://epaper.gmw.cn/a.htm", 1.0),
    }
    assert store.copies_of("https://epaper.gmw.cn/a.htm") == [
        {"url": "https://corp.example.cn/a.html", "outlet": "corp", "similarity": 1.0},
        {"url": "https://news.gmw.cn/a.htm", "outlet": "gmw", "similarity": 1.0},
    ]


def test_same_day_the_article_naming_no_source_is_the_original(store: Store) -> None:  # noqa: F811
    day = "2022-06-02T00:00:00+08:00"
    store.upsert(_article("https://mirror.example.cn/a", "mirror", published_at=day, source="光明日报",
                          is_reprint=True))
    store.upsert(_article("https://epaper.gmw.cn/a", "gmrb", published_at=day))
    assert _links(store) == {"https://mirror.example.cn/a": ("https://epaper.gmw.cn/a", 1.0)}


def test_a_source_naming_the_other_outlet_decides(store: Store) -> None:  # noqa: F811
    # The copy claims an earlier time, but its 来源 is how the other outlet calls itself.
    store.upsert(_article("https://epaper.gmw.cn/b", "gmrb", published_at="2022-06-02T12:00:00+08:00"),
                 outlet_names=["光明日报", "光明网"])
    store.upsert(_article("https://mirror.example.cn/b", "mirror", published_at="2022-06-02T08:00:00+08:00",
                          source="光明日报"))
    assert _links(store) == {"https://mirror.example.cn/b": ("https://epaper.gmw.cn/b", 1.0)}


def test_unrelated_and_same_outlet_articles_are_not_linked(store: Store) -> None:  # noqa: F811
    store.upsert(_article("https://a.example.cn/1", "a", published_at="2022-06-01T00:00:00+08:00"))
    store.upsert(_article("https://a.example.cn/2", "a", published_at="2022-06-02T00:00:00+08:00"))
    store.upsert(_article("https://b.example.cn/1", "b", text=OTHER))
    store.upsert(_article("https://c.example.cn/1", "c", text="短讯。"))
    assert _links(store) == {}
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(fingerprints)).scalar_one() == 3
        assert conn.execute(select(func.count()).select_from(minhash_bands)).scalar_one() == 3 * 42


def test_an_edit_that_makes_a_copy_different_keeps_its_link_and_refingerprints(
        store: Store) -> None:  # noqa: F811
    store.upsert(_article("https://o.example.cn/1", "o", published_at="2022-06-01T00:00:00+08:00"))
    store.upsert(_article("https://c.example.cn/1", "c", published_at="2022-06-02T00:00:00+08:00"))
    before = fingerprint(STORY)
    store.upsert(_article("https://c.example.cn/1", "c", text=OTHER,
                          published_at="2022-06-02T00:00:00+08:00"))
    with store.engine.connect() as conn:
        signature = conn.execute(select(fingerprints.c.signature).join_from(
            fingerprints, reprint_links, reprint_links.c.copy_id == fingerprints.c.article_id)).scalar_one()
    assert before is not None and signature != before.to_bytes()
    assert _links(store) == {"https://c.example.cn/1": ("https://o.example.cn/1", 1.0)}


def test_linking_off_stores_no_fingerprint(store: Store) -> None:  # noqa: F811
    store.upsert(_article("https://a.example.cn/1", "a"), reprint_threshold=None)
    store.upsert(_article("https://b.example.cn/1", "b"), reprint_threshold=None)
    assert _links(store) == {}
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(fingerprints)).scalar_one() == 0


def test_the_store_uses_the_fingerprint_the_extraction_made(store: Store) -> None:  # noqa: F811
    made = fingerprint(OTHER)  # not the article's text: shows which one was stored
    assert made is not None
    article = _article("https://a.example.cn/9", "a")
    article.fingerprint = made
    store.upsert(article)
    with store.engine.connect() as conn:
        signature = conn.execute(select(fingerprints.c.signature)).scalar_one()
    assert signature == made.to_bytes()


def test_candidates_are_found_through_the_band_index(tmp_path: Path) -> None:
    """The look-up of LSH buckets searches SQLite's (band, bucket) key, never scans every
    band row (that made storing quadratic in the store's size)."""
    from crawler.store.reprints import _candidates

    opened = Store.open(f"sqlite:///{tmp_path / 'articles.sqlite'}")
    opened.upsert(_article("https://a.example.cn/1", "a"))
    fp = fingerprint(STORY)
    assert fp is not None
    captured: list[str] = []
    with opened.engine.connect() as conn:
        from sqlalchemy import event

        @event.listens_for(conn, "before_cursor_execute")
        def plan(conn_, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            if "minhash_bands" in statement:
                rows = cursor.connection.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
                captured.extend(str(r[-1]) for r in rows)

        assert _candidates(conn, 999, "b", fp) == [1]
        assert _candidates(conn, 999, "a", fp) == []  # the same outlet is never a candidate
    assert captured and not any(line.startswith("SCAN minhash_bands") or line.startswith("SCAN m")
                                for line in captured), captured
    assert any("(band=? AND bucket=?)" in line for line in captured), captured
    opened.close()
