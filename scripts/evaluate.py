#!/usr/bin/env python3
"""Score extraction against expected JSON: how far a researcher can trust the output.

    .venv/bin/python scripts/evaluate.py tests/outlets [DIR …] [--min-f1 0.97] [--exact] [--json]

A DIR is a mock outlet (``site.json`` + ``expected/*.json``, tests/outlets/README.md) or a
directory of them. Each expected article's page is read from ``site.json`` (URL → file,
headers, redirects) and extracted by ``scrapy extract``'s code path
(:func:`crawler.extract.offline.extract_articles`: the outlet spider's ``extract_page``,
else the generic extractor, then ``finish``), so extraction is scored without a crawl.

Per article: title, date (``published_at``), bylines (``authors`` and ``correspondents``
as sets) and ``source`` must match exactly (fields the expected JSON leaves out are not
scored); the body is scored by character precision, recall and F1 over the longest
matching blocks of the two texts, whitespace ignored. Prints a table and per-outlet
means.

Only what the page itself yields is scored. A field the crawl learns elsewhere (a news
sitemap's date, a feed's title) is listed in the expected JSON under ``"_crawl_only"``
(e.g. ``["published_at"]``): tests/test_outlets.py still checks it after a crawl, the
evaluation skips it (the table shows ``crawl``). Keys starting with ``_`` are metadata,
not Article fields. With ``--min-f1`` / ``--exact`` the exit status is 1 when an article falls below
the body F1 or gets a scored field wrong.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

EXACT_FIELDS = ("title", "date", "bylines", "source")
#: Expected-JSON keys that are scored, and the score each feeds ("body": P/R/F1).
SCORED_KEYS = {"title": "title", "published_at": "date", "authors": "bylines",
               "correspondents": "bylines", "source": "source", "text": "body"}


@dataclass
class Score:
    """One article's scores; a field is True/False when scored, None when not."""

    outlet: str
    url: str
    title: bool | None = None
    date: bool | None = None
    bylines: bool | None = None
    source: bool | None = None
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    error: str | None = None
    wrong: dict[str, tuple[object, object]] = field(default_factory=dict)
    crawl_only: list[str] = field(default_factory=list)  # scores not taken: the crawl's alone

    @property
    def exact_ok(self) -> bool:
        return self.error is None and all(getattr(self, f) is not False for f in EXACT_FIELDS)


def body_scores(got: str, expected: str) -> tuple[float, float, float]:
    """Character precision, recall and F1 of ``got`` against ``expected`` (whitespace ignored)."""
    a, b = re.sub(r"\s+", "", got), re.sub(r"\s+", "", expected)
    if not a and not b:
        return 1.0, 1.0, 1.0
    if not a or not b:
        return 0.0, 0.0, 0.0
    matched = sum(m.size for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    precision, recall = matched / len(a), matched / len(b)
    f1 = 2 * precision * recall / (precision + recall) if matched else 0.0
    return precision, recall, f1


def crawl_only_keys(exp: dict, where: str | None = None) -> set[str]:
    """The keys ``exp`` lists under ``_crawl_only``; ValueError if that is not a list of its fields.

    ``where`` names the expected JSON in the error (default: its ``url``).
    """
    where = where or str(exp.get("url"))
    keys = exp.get("_crawl_only", [])
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ValueError(f"{where}: _crawl_only must be a list of field names, not {keys!r}")
    unknown = sorted(k for k in keys if k.startswith("_") or k not in exp)
    if unknown:
        raise ValueError(f"{where}: _crawl_only names {unknown}, not fields of the expected JSON")
    return set(keys)


def score_article(got: dict, exp: dict, outlet: str) -> Score:
    """Compare one extracted article (exported fields) with its expected JSON.

    Fields listed in ``exp["_crawl_only"]`` are not scored (ValueError if it is malformed).
    """
    skip = crawl_only_keys(exp)
    exp = {k: v for k, v in exp.items() if k not in skip}
    score = Score(outlet=outlet, url=exp["url"],
                  crawl_only=sorted({SCORED_KEYS[k] for k in skip if k in SCORED_KEYS}))

    def check(name: str, got_value: object, exp_value: object) -> bool:
        ok = got_value == exp_value
        if not ok:
            score.wrong[name] = (got_value, exp_value)
        return ok

    if "title" in exp:
        score.title = check("title", got.get("title"), exp["title"])
    if "published_at" in exp:
        score.date = check("date", got.get("published_at"), exp["published_at"])
    if "authors" in exp or "correspondents" in exp:
        score.bylines = check(
            "bylines",
            (sorted(got.get("authors") or []), sorted(got.get("correspondents") or [])),
            (sorted(exp.get("authors") or []), sorted(exp.get("correspondents") or [])),
        )
    if "source" in exp:
        score.source = check("source", got.get("source"), exp["source"])
    if "text" in exp:
        score.precision, score.recall, score.f1 = body_scores(got.get("text") or "", exp["text"])
    else:
        score.precision = score.recall = score.f1 = 1.0
    return score


def outlet_dirs(paths: list[Path]) -> list[Path]:
    """Mock outlet directories under ``paths`` (a path may be one itself)."""
    found: list[Path] = []
    for path in paths:
        if (path / "site.json").is_file() and (path / "expected").is_dir():
            found.append(path)
        elif path.is_dir():
            found += sorted(p for p in path.iterdir()
                            if (p / "site.json").is_file() and (p / "expected").is_dir())
        else:
            raise SystemExit(f"evaluate: {path}: not a directory")
    return found


def evaluate_outlet(directory: Path, spiders: dict) -> list[Score]:
    """Score every expected article of one mock outlet."""
    from crawler.commands.extract import article_json
    from crawler.extract.inputs import InputError, follow, site_getter
    from crawler.extract.offline import extract_articles

    get = site_getter(directory)
    scores: list[Score] = []
    for path in sorted((directory / "expected").glob("*.json")):
        exp = json.loads(path.read_text(encoding="utf-8"))
        page_url = exp["url"].split("#")[0]
        try:
            crawl_only_keys(exp, where=str(path))  # a malformed one is the fixture's error
            page = follow(get, page_url)
            if page is None:
                raise InputError(f"{page_url}: not served by {directory / 'site.json'}")
            articles = [article_json(a) for a in extract_articles(page, spiders=spiders, get=get)]
        except (InputError, ValueError) as exc:
            scores.append(Score(outlet=directory.name, url=exp["url"], error=str(exc)))
            continue
        got = next((a for a in articles if a["url"] == exp["url"]), None)
        if got is None:  # matched by title among a page's stories, else the page's first
            first = articles[0] if articles else {}
            got = next((a for a in articles if a["title"] == exp.get("title")), first)
        scores.append(score_article(got, exp, directory.name))
    return scores


def _mark(value: bool | None, crawl_only: bool = False) -> str:
    if crawl_only:
        return "crawl"
    return "-" if value is None else "ok" if value else "WRONG"


def table(scores: list[Score]) -> str:
    """The scores as a plain-text table with per-outlet and overall means."""
    rows = [("outlet", "article", "title", "date", "bylines", "source", "P", "R", "F1")]
    for s in scores:
        name = s.url.rstrip("/").rsplit("/", 1)[-1][:28]
        if s.error:
            rows.append((s.outlet, name, "ERROR", s.error[:60], "", "", "", "", ""))
            continue
        marks = [_mark(getattr(s, f), f in s.crawl_only) for f in EXACT_FIELDS]
        body = ["crawl"] * 3 if "body" in s.crawl_only else [
            f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}"]
        rows.append((s.outlet, name, *marks, *body))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    for outlet in [*sorted({s.outlet for s in scores}), "ALL"]:
        group = [s for s in scores if outlet in ("ALL", s.outlet)]
        ok = [s for s in group if s.error is None]
        exact = {f: sum(getattr(s, f) is True for s in ok) for f in EXACT_FIELDS}
        scored = {f: sum(getattr(s, f) is not None for s in ok) for f in EXACT_FIELDS}
        bodies = [s.f1 for s in ok if "body" not in s.crawl_only]
        mean = sum(bodies) / len(bodies) if bodies else 0.0
        low = min(bodies, default=0.0)
        fields = "  ".join(f"{f} {exact[f]}/{scored[f]}" for f in EXACT_FIELDS)
        skipped = {f: sum(f in s.crawl_only for s in ok) for f in (*EXACT_FIELDS, "body")}
        crawl = ", ".join(f"{f} {n}" for f, n in skipped.items() if n)
        lines.append(f"{outlet}: {len(group)} articles, {len(group) - len(ok)} errors, {fields}, "
                     f"body F1 mean {mean:.3f} min {low:.3f}" + (f"; crawl-only, not scored: {crawl}"
                                                                  if crawl else ""))
    return "\n".join(lines)


def failures(scores: list[Score], *, min_f1: float | None, exact: bool) -> list[str]:
    """Why the scores miss the thresholds (empty when they meet them)."""
    out = []
    for s in scores:
        if s.error:
            out.append(f"{s.url}: {s.error}")
            continue
        if min_f1 is not None and s.f1 < min_f1:
            out.append(f"{s.url}: body F1 {s.f1:.3f} < {min_f1}")
        if exact:
            out += [f"{s.url}: {name} is {got!r}, expected {want!r}" for name, (got, want) in s.wrong.items()]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="+", type=Path, help="mock outlet directories, or directories of them")
    parser.add_argument("--min-f1", type=float, default=None, help="fail below this body F1")
    parser.add_argument("--exact", action="store_true", help="fail when title/date/bylines/source is wrong")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON instead of a table")
    args = parser.parse_args(argv)

    from scrapy.utils.project import get_project_settings

    from crawler.extract.offline import outlet_spiders

    spiders = outlet_spiders(get_project_settings())
    scores = [s for d in outlet_dirs(args.dirs) for s in evaluate_outlet(d, spiders)]
    if args.json:
        print(json.dumps([asdict(s) for s in scores], ensure_ascii=False, indent=2, default=str))
    else:
        print(table(scores))
    problems = failures(scores, min_f1=args.min_f1, exact=args.exact)
    for line in problems:
        print(f"FAIL {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
