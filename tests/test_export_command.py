"""`scrapy export`: formats, filters, clear errors naming the input, never a half-written
file at the destination, and a progress line only on a terminal."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pyarrow.parquet as pq
import pytest

from crawler.export import FORMATS, ExportOptions, FeedInfo, export, feed_id
from crawler.export.atomic import OutputError, atomic_output
from crawler.export.csvfile import read_articles
from crawler.export.progress import progress
from crawler.export.rows import article_dict
from crawler.items import EXPORT_FIELDS
from crawler.store import Store, StoreError
from tests.test_export_rows import sample_articles, store_dicts

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ARCHIVE_DIR whose store holds the sample articles."""
    out = tmp_path_factory.mktemp("export-archive")
    with Store.open(f"sqlite:///{out / 'articles.sqlite'}") as store:
        for article in sample_articles():
            store.upsert_article(article)
    return out


def run_export(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "scrapy", "export", *args, "-s", f"ARCHIVE_DIR={archive}"]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)


def _stored(archive: Path, **filters: Any) -> list[dict[str, Any]]:
    with Store.open(f"sqlite:///{archive / 'articles.sqlite'}") as store:
        return list(store.select_articles(**filters))


# -- formats and filters ----------------------------------------------------------------


def test_csv_with_filters(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "nmg.csv"
    proc = run_export(archive, "--format", "csv", "--outlet", "nmgnews", "--since", "2024-05-01",
                      "--until", "2024-05-02", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == f"exported 2 articles (csv) to {out}"
    assert "\r" not in proc.stderr  # no progress line when stderr is not a terminal
    with out.open(encoding="utf-8", newline="") as handle:
        urls = [row["url"] for row in csv.DictReader(handle)]
    assert urls == [
        "http://inews.nmgnews.com.cn/system/2024/05/01/030000001.shtml",
        "http://inews.nmgnews.com.cn/system/2024/05/02/030000005.shtml",
    ]


def test_format_from_file_name_and_query(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "wlcb.parquet"
    proc = run_export(archive, "--query", "乌兰察布", "-o", str(out), "--batch-size", "1")
    assert proc.returncode == 0, proc.stderr
    assert pq.read_table(out).column("title").to_pylist() == ["乌兰察布市召开会议"]


def test_atom_newest_first_with_limit_and_title(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "latest.atom"
    proc = run_export(archive, "-f", "atom", "--newest-first", "--limit", "2", "--title", "最新",
                      "--feed-url", "https://feeds.example/latest.atom", "-o", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    parsed = feedparser.parse(out.read_bytes())
    assert not parsed.bozo
    assert parsed.feed.title == "最新"
    newest = _stored(archive, newest_first=True, limit=2)
    assert [e.link for e in parsed.entries] == [a["url"] for a in newest]
    assert {"rel": "self", "type": "application/atom+xml", "href": "https://feeds.example/latest.atom"} in (
        parsed.feed.links
    )


# -- errors name the input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--format", "xlsx", "-o", "{tmp}/x.csv"], 2, "invalid choice: 'xlsx'"),
        (["-o", "{tmp}/x.xlsx"], 2, "cannot tell the format of '{tmp}/x.xlsx' from its name"),
        (["--since", "2024-13-01", "-o", "{tmp}/x.csv"], 2, "--since '2024-13-01' is not a valid date"),
        (["--until", "next week", "-o", "{tmp}/x.csv"], 2, "--until 'next week' is not a date (YYYY-MM-DD"),
        (["-o", "{tmp}/missing/x.csv"], 1, "cannot write '{tmp}/missing/x.csv': directory '{tmp}/missing' "
                                           "does not exist"),
        (["-o", "{tmp}"], 2, "cannot tell the format"),
        (["-f", "csv", "-o", "{tmp}"], 1, "cannot write '{tmp}': it is a directory"),
        (["--bom", "-o", "{tmp}/x.atom"], 2, "--bom is for csv, not atom"),
        (["--limit", "0", "-o", "{tmp}/x.csv"], 2, "--limit must be at least 1, got 0"),
        (["--since", "2024-05-03", "--until", "2024-05-01", "-o", "{tmp}/x.csv"], 1,
         "since '2024-05-03' is after until '2024-05-01'"),
        ([], 2, "-o FILE is required"),
    ],
)
def test_bad_input_is_named(archive: Path, tmp_path: Path, args: list[str], code: int, message: str) -> None:
    before = store_dicts_of(archive)
    proc = run_export(archive, *[a.format(tmp=tmp_path) for a in args])
    assert proc.returncode == code, proc.stderr
    assert message.format(tmp=tmp_path) in proc.stderr
    assert "Traceback" not in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == []  # nothing written
    assert store_dicts_of(archive) == before  # the store is untouched


def store_dicts_of(archive: Path) -> list[dict[str, Any]]:
    with Store.open(f"sqlite:///{archive / 'articles.sqlite'}") as store:
        return store_dicts(store)


def test_missing_store_is_named_and_not_created(tmp_path: Path) -> None:
    empty = tmp_path / "no-archive"
    proc = run_export(empty, "-o", str(tmp_path / "x.csv"))
    assert proc.returncode == 1
    assert f"no article store at '{empty / 'articles.sqlite'}'" in proc.stderr
    assert not empty.exists()
    assert not (tmp_path / "x.csv").exists()


# -- never a half-written file -------------------------------------------------------------------


def _failing(articles: list[dict[str, Any]], after: int, error: BaseException) -> Iterator[dict[str, Any]]:
    for n, article in enumerate(articles):
        if n == after:
            raise error
        yield article


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("error", [StoreError("connection lost"), KeyboardInterrupt()])
def test_failed_export_leaves_the_destination_as_it_was(
    fmt: str, error: BaseException, archive: Path, tmp_path: Path
) -> None:
    articles = _stored(archive)
    path = tmp_path / f"out{FORMATS[fmt].extension}"
    path.write_bytes(b"previous complete export")
    info = FeedInfo(title="t", id=feed_id("t"), updated=articles[0]["last_seen"])
    with pytest.raises(type(error)):
        export(_failing(articles, 3, error), path, fmt, ExportOptions(feed=info, batch_size=2))
    assert path.read_bytes() == b"previous complete export"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_successful_export_replaces_the_destination(archive: Path, tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text("old\n")
    assert export(_stored(archive), path, "jsonl", ExportOptions()) == 5
    assert len(path.read_text(encoding="utf-8").splitlines()) == 5
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_atomic_output_refuses_bad_destinations(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="is not a directory"), atomic_output(tmp_path / "file" / "x.csv"):
        pass
    with pytest.raises(OutputError, match="it is a directory"), atomic_output(tmp_path):
        pass


# -- progress ----------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_only_on_a_terminal() -> None:
    terminal = FakeTerminal()
    assert list(progress(range(3), total=3, what="out.csv", stream=terminal)) == [0, 1, 2]
    shown = terminal.getvalue()
    assert "out.csv" in shown
    assert "3/3" in shown
    assert "articles/s" in shown
    pipe = io.StringIO()
    assert list(progress(range(3), total=3, what="out.csv", stream=pipe)) == [0, 1, 2]
    assert pipe.getvalue() == ""


def test_article_items_export_like_store_dicts(tmp_path: Path) -> None:
    items = [article_dict(a) for a in sample_articles()]
    path = tmp_path / "items.csv"
    export(items, path, "csv", ExportOptions(columns=EXPORT_FIELDS))
    assert list(read_articles(path)) == items
