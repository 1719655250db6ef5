"""`scrapy report`: a self-contained HTML page with charts, looked at in headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.mock import MockOutlets
from crawler.report.charts import DRIFT, ERRORS, FOUND, MISSING, PALETTE
from crawler.report.data import SHANGHAI
from tests.conftest import REPO, run_crawl

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]


def epaper_stats(stats_dir: Path, days_ago: int, issues: dict[str, str], errors: int = 0,
                 drift: int = 0) -> None:
    """A stats file as an e-paper crawl writes it (the keys crawler/report/data.py reads)."""
    start = datetime.now(UTC) - timedelta(days=days_ago)
    stats = {"start_time": start.isoformat(), "finish_reason": "finished", "response_received_count": 30,
             "item_scraped_count": 8, "errors/nmrb/http_500": errors, "drift/nmrb": drift,
             **{f"epaper/issue/{day}": state for day, state in issues.items()}}
    (stats_dir / f"nmrb-{start:%Y%m%dT%H%M%SZ}.json").write_text(json.dumps(stats), encoding="utf-8")


def report(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", "report", "-s", f"ARCHIVE_DIR={archive}", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)


def cards(html: str) -> dict[str, str]:
    found = re.findall(r'<div class="card" id="card-[^"]+"><b>([^<]*)</b>([^<]*)</div>', html)
    return {key: value for value, key in found}


@pytest.fixture(scope="module")
def archive(mocks: MockOutlets, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report-archive")
    run_crawl("nmgnews", out, mocks.proxy_url,
              settings={"STATS_FILE": str(out / "stats" / "nmgnews-run.json")})
    today = datetime.now(SHANGHAI).date()
    days = [(today - timedelta(days=n)).isoformat() for n in (4, 3, 2, 1)]
    epaper_stats(out / "stats", 4, {days[0]: "found"})
    epaper_stats(out / "stats", 3, {days[1]: "missing"}, errors=2)
    epaper_stats(out / "stats", 2, {days[2]: "found", days[1]: "missing"}, drift=1)
    epaper_stats(out / "stats", 1, {days[3]: "missing"}, errors=1)
    (out / "stats" / "broken.json").write_text("{not json", encoding="utf-8")  # bad input: reported
    return out


def test_report_page(archive: Path) -> None:
    proc = report(archive, "-o", str(archive / "r.html"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = (archive / "r.html").read_text(encoding="utf-8")
    assert cards(html) == {"crawls": "5", "new articles": "11", "e-paper issues present": "2",
                           "e-paper issues missing": "2", "errors": "4", "drift warnings": "1",
                           "WARC MB": cards(html)["WARC MB"]}
    warc_mb = sum(p.stat().st_size for p in archive.glob("*.warc.gz")) / 1e6
    assert cards(html)["WARC MB"] == f"{warc_mb:.2f}"
    assert html.count("<svg") == 4
    # Self-contained: no script, nothing loaded from anywhere.
    assert "<script" not in html and "<link" not in html and not re.search(r'\b(src|href)=', html)
    assert "broken.json: not a crawl stats file" in html  # bad input named, the rest still reported
    missing_row = re.search(r"<td>nmrb</td><td>2</td><td>2</td><td>([^<]+)</td>", html)
    today = datetime.now(SHANGHAI).date()
    assert missing_row is not None and missing_row.group(1) == ", ".join(
        (today - timedelta(days=n)).isoformat() for n in (3, 1))


def test_report_since_and_bad_date(archive: Path) -> None:
    since = (datetime.now(SHANGHAI).date() - timedelta(days=2)).isoformat()
    proc = report(archive, "--since", since, "-o", str(archive / "since.html"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = cards((archive / "since.html").read_text(encoding="utf-8"))
    assert (got["crawls"], got["new articles"], got["e-paper issues present"], got["e-paper issues missing"],
            got["errors"], got["drift warnings"]) == ("3", "11", "1", "1", "2", "1")
    bad = report(archive, "--since", "yesterday")
    assert bad.returncode == 2 and "--since 'yesterday' is not a date (YYYY-MM-DD)" in bad.stderr
    assert not (archive / "report.html").exists()


def test_report_renders_in_chromium(archive: Path, tmp_path: Path) -> None:
    from PIL import Image

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: `make` installs it (apt-get install chromium)")
        pytest.skip("chromium not installed (make test installs it)")
    page = archive / "chromium.html"
    assert report(archive, "-o", str(page)).returncode == 0
    shot = tmp_path / "report.png"
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                    f"--screenshot={shot}", "--window-size=1000,2600", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    image = Image.open(shot).convert("RGB")
    assert image.size == (1000, 2600)
    counts = {rgb: n for n, rgb in image.getcolors(maxcolors=1 << 22)}
    non_white = sum(n for rgb, n in counts.items() if rgb != (255, 255, 255))
    assert non_white > 0.05 * image.width * image.height, "the page is (nearly) blank"

    def pixels(hex_colour: str) -> int:
        return counts.get(tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)), 0)

    # Each chart series is drawn: nmgnews's bars (articles, archive size), issues present and
    # missing, errors and drift warnings, each in its own colour.
    for name, colour in {"nmgnews": PALETTE[0], "present": FOUND, "missing": MISSING, "errors": ERRORS,
                         "drift": DRIFT}.items():
        assert pixels(colour) > 400, f"no {name} bars ({colour}) in the screenshot"
