"""scripts/evaluate.py: the scores, and the quality bar every fixture must clear.

Each mock outlet (tests/outlets/*/expected) and the generic pages (tests/generic_pages) are
extracted by ``scrapy extract``'s code path; every article must reach body F1 ≥ 0.97 and
get title, date, bylines and source exactly right.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.utils.project import get_project_settings

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "evaluate.py"
MIN_F1 = 0.97

_spec = importlib.util.spec_from_file_location("evaluate", SCRIPT)
assert _spec is not None and _spec.loader is not None
evaluate = importlib.util.module_from_spec(_spec)
sys.modules["evaluate"] = evaluate
_spec.loader.exec_module(evaluate)

FIXTURES = evaluate.outlet_dirs([REPO / "tests" / "outlets", REPO / "tests" / "generic_pages"])


@pytest.fixture(scope="module")
def spiders() -> dict:
    from crawler.extract.offline import outlet_spiders

    return outlet_spiders(get_project_settings())


@pytest.mark.parametrize("directory", FIXTURES, ids=[d.name for d in FIXTURES])
def test_quality_bar(directory: Path, spiders: dict) -> None:
    scores = evaluate.evaluate_outlet(directory, spiders)
    assert scores, f"{directory}: no expected article"
    problems = evaluate.failures(scores, min_f1=MIN_F1, exact=True)
    assert not problems, "\n" + "\n".join(problems) + "\n\n" + evaluate.table(scores)


def test_the_fixtures_are_all_there() -> None:
    names = {d.name for d in FIXTURES}
    assert {"nmgnews", "generic_pages"} <= names


@pytest.mark.parametrize(
    ("got", "expected", "scores"),
    [
        ("甲乙丙丁", "甲乙丙丁", (1.0, 1.0, 1.0)),
        ("甲乙\n丙丁", "甲乙丙 丁", (1.0, 1.0, 1.0)),  # whitespace is not scored
        ("甲乙", "甲乙丙丁", (1.0, 0.5, 2 / 3)),  # half the text missing
        ("甲乙丙丁戊己庚辛", "甲乙丙丁", (0.5, 1.0, 2 / 3)),  # as much again of chrome
        ("", "甲乙", (0.0, 0.0, 0.0)),
        ("", "", (1.0, 1.0, 1.0)),
    ],
)
def test_body_scores(got: str, expected: str, scores: tuple[float, float, float]) -> None:
    assert evaluate.body_scores(got, expected) == pytest.approx(scores)


def test_score_article_fields() -> None:
    exp = {"url": "u", "title": "标题", "published_at": "2025-04-16T10:21:00+08:00", "authors": ["甲", "乙"],
           "correspondents": [], "source": None, "text": "正文"}
    got = {**exp, "authors": ["乙", "甲"]}  # bylines are sets
    assert evaluate.score_article(got, exp, "o").exact_ok
    wrong = evaluate.score_article({**got, "source": "新华网", "published_at": None}, exp, "o")
    assert (wrong.title, wrong.date, wrong.bylines, wrong.source) == (True, False, True, False)
    assert evaluate.failures([wrong], min_f1=None, exact=True) == [
        "u: date is None, expected '2025-04-16T10:21:00+08:00'", "u: source is '新华网', expected None"]
    # a field the expected JSON leaves out is not scored
    partial = evaluate.score_article({"title": "x"}, {"url": "u", "text": "正文"}, "o")
    assert (partial.title, partial.date, partial.bylines, partial.source, partial.f1) == (
        None, None, None, None, 0.0)


def test_the_script_fails_when_quality_drops(tmp_path: Path) -> None:
    copy = tmp_path / "generic_pages"
    shutil.copytree(REPO / "tests" / "generic_pages", copy, ignore=shutil.ignore_patterns("__pycache__"))
    ok = subprocess.run([sys.executable, str(SCRIPT), str(copy), "--min-f1", "0.97", "--exact"],
                        capture_output=True, text=True, cwd=REPO)
    assert ok.returncode == 0, ok.stderr
    summary = "generic_pages: 18 articles, 0 errors, title 18/18  date 18/18  bylines 18/18  source 18/18"
    assert summary in ok.stdout
    path = sorted((copy / "expected").glob("*.json"))[-1]
    exp = json.loads(path.read_text("utf-8"))
    exp["title"], exp["text"] = "另一个标题", exp["text"] + "这是页面上没有的一段很长的文字，" * 20
    path.write_text(json.dumps(exp, ensure_ascii=False), "utf-8")
    bad = subprocess.run([sys.executable, str(SCRIPT), str(copy), "--min-f1", "0.97", "--exact"],
                         capture_output=True, text=True, cwd=REPO)
    assert bad.returncode == 1
    assert f"FAIL {exp['url']}: body F1" in bad.stderr
    assert f"FAIL {exp['url']}: title is" in bad.stderr


def test_crawl_only_fields_are_not_scored() -> None:
    """A field only a crawl can know (``_crawl_only``) is skipped and shown as such."""
    exp = {"url": "u", "title": "标题", "published_at": "2022-05-18T16:30:00+08:00", "text": "正文",
           "_crawl_only": ["published_at"]}
    score = evaluate.score_article({"title": "标题", "published_at": None, "text": "正文"}, exp, "o")
    assert (score.title, score.date, score.f1, score.crawl_only) == (True, None, 1.0, ["date"])
    assert score.exact_ok and evaluate.failures([score], min_f1=0.97, exact=True) == []
    out = evaluate.table([score])
    assert "ok     crawl  -        -       1.000  1.000  1.000" in out
    assert "o: 1 articles, 0 errors, title 1/1  date 0/0  bylines 0/0  source 0/0, body F1 mean 1.000 " \
           "min 1.000; crawl-only, not scored: date 1" in out
    # the same article without the marker is scored, and wrong
    plain = evaluate.score_article({"title": "标题", "published_at": None, "text": "正文"},
                                   {k: v for k, v in exp.items() if k != "_crawl_only"}, "o")
    assert plain.date is False and not plain.exact_ok


@pytest.mark.parametrize(("value", "message"), [
    ("published_at", "u: _crawl_only must be a list of field names, not 'published_at'"),
    (["published"], "u: _crawl_only names ['published'], not fields of the expected JSON"),
    (["_crawl_only"], "u: _crawl_only names ['_crawl_only'], not fields of the expected JSON"),
])
def test_a_malformed_crawl_only_is_an_error(value: object, message: str) -> None:
    exp = {"url": "u", "published_at": "2022-05-18T16:30:00+08:00", "_crawl_only": value}
    with pytest.raises(ValueError) as err:
        evaluate.score_article({}, exp, "o")
    assert str(err.value) == message


def test_a_malformed_crawl_only_fails_the_outlet_naming_the_file(tmp_path: Path, spiders: dict) -> None:
    copy = tmp_path / "mirror"
    shutil.copytree(REPO / "tests" / "outlets" / "mirror", copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / "expected" / "1498.json"
    exp = json.loads(path.read_text("utf-8"))
    exp["_crawl_only"] = ["publishd_at"]
    path.write_text(json.dumps(exp, ensure_ascii=False), "utf-8")
    scores = evaluate.evaluate_outlet(copy, spiders)
    bad = next(s for s in scores if s.url == exp["url"])
    assert bad.error == f"{path}: _crawl_only names ['publishd_at'], not fields of the expected JSON"
    assert evaluate.failures(scores, min_f1=MIN_F1, exact=True) == [f"{exp['url']}: {bad.error}"]
