"""Progress lines during a crawl and the summary table at its end (crawler/progress.py)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from crawler.mock import MockOutlets
from crawler.progress import TtyBoard, progress_line
from crawler.summary import crawl_errors
from spiders.nmgnews import DEFAULT_COLUMNS
from tests.conftest import run_crawl

LINE = re.compile(r"Progress nmgnews: (\d+) pages, (\d+) articles, (\d+) errors, ([\d.]+) pages/min, "
                  r"(\d+)m(\d\d)s")
SLOW = "https://inews.nmgnews.com.cn/progress-test/"


@pytest.mark.slow
def test_progress_lines_and_summary_table(mocks: MockOutlets, tmp_path: Path) -> None:
    # A column that answers after 1.2 s keeps the crawl going for several 0.2 s ticks.
    mocks.add_route(SLOW, body=b"<html><body>no links</body></html>", delay=1.2)
    columns = ",".join((SLOW, *DEFAULT_COLUMNS))
    crawl = run_crawl("nmgnews", tmp_path, mocks.proxy_url, "-a", f"columns={columns}",
                      settings={"PROGRESS_INTERVAL": "0.2"})
    lines = [tuple(int(g) if g.isdigit() else float(g) for g in m.groups()) for m in LINE.finditer(crawl.log)]
    assert len(lines) >= 3, crawl.log[-3000:]
    pages = [line[0] for line in lines]
    assert pages == sorted(pages) and pages[-1] <= crawl.stats["response_received_count"]
    assert [line[1] for line in lines] == sorted(line[1] for line in lines)
    st = crawl.stats
    row = re.search(r"^nmgnews +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +([\d.]+) +[\d.]+s +[\d.-]+ +(\w+) *$",
                    crawl.log, re.MULTILINE)
    assert row is not None, crawl.log[-3000:]
    assert row.groups() == (str(st["response_received_count"]), str(st["item_scraped_count"]),
                            str(crawl_errors(st)), "1", "0", f"{st['warc/bytes'] / 1e6:.2f}", "finished")
    assert st["drift/nmgnews"] == 1  # the slow column page has no article links
    assert st["item_scraped_count"] == 11 and crawl_errors(st) == 1  # the mock's one dead link
    assert "spider   pages  articles  errors  drift" in crawl.log


@pytest.mark.slow
def test_progress_off(mocks: MockOutlets, tmp_path: Path) -> None:
    crawl = run_crawl("nmgnews", tmp_path, mocks.proxy_url, "-a", f"columns={DEFAULT_COLUMNS[1]}",
                      settings={"PROGRESS_INTERVAL": "0"})
    assert "Progress nmgnews" not in crawl.log and "Crawl summary" not in crawl.log
    assert crawl.stats["item_scraped_count"] == 2


def test_progress_line_format() -> None:
    stats = {"response_received_count": 120, "item_scraped_count": 35, "errors/x/http_500": 2,
             "pages/truncated/x": 1}
    assert progress_line("x", stats, rate=42.04, elapsed=185.9) == \
        "x: 120 pages, 35 articles, 3 errors, 42.0 pages/min, 3m05s"


def test_tty_board_redraws_in_place() -> None:
    out = io.StringIO()
    board = TtyBoard(out)
    board.show("b", "b: 1 pages")
    board.show("a", "a: 2 pages")
    assert out.getvalue() == "b: 1 pages\n" + "\x1b[1F\x1b[J" + "a: 2 pages\nb: 1 pages\n"
    out.truncate(0)
    out.seek(0)
    board.filter(None)  # type: ignore[arg-type]  # a log record is about to be written
    board.filter(None)  # type: ignore[arg-type]  # nothing left to erase the second time
    assert out.getvalue() == "\x1b[2F\x1b[J"
    board.remove("a")
    board.show("b", "b: 3 pages")
    assert out.getvalue().endswith("b: 3 pages\n") and board.drawn == 1
