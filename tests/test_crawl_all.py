"""deploy/crawl-all.sh: one crawl per `scrapy list` entry, a log each, a truthful exit status.

A stand-in `scrapy` (a shell script in a fake virtualenv) plays the crawls, so the test checks
the script's own logic: arguments passed on, logs, JOBDIR kept or removed, exit status.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import REPO

FAKE_SCRAPY = r"""#!/usr/bin/env bash
if [ "$1" = list ]; then printf 'alpha\nbeta\ngamma\n'; exit 0; fi
spider="$2"; shift 2
log=""; jobdir=""
while [ $# -gt 0 ]; do
  case "$2" in LOG_FILE=*) log="${2#LOG_FILE=}";; JOBDIR=*) jobdir="${2#JOBDIR=}";; esac
  echo "$spider $1 $2" >> "$CALLS"; shift 2
done
[ -n "$jobdir" ] && mkdir -p "$jobdir"
case "$spider" in
  alpha) echo "'finish_reason': 'finished'" > "$log";;
  beta)  echo "'finish_reason': 'shutdown'" > "$log";;
  gamma) echo "Traceback" > "$log"; exit 1;;
esac
"""


def test_crawl_all_runs_every_spider_and_reports_failures(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "scrapy").write_text(FAKE_SCRAPY)
    (venv / "bin" / "scrapy").chmod(0o755)
    logs, jobs, calls = tmp_path / "logs", tmp_path / "jobs", tmp_path / "calls"
    env = {**os.environ, "NMG_VENV": str(venv), "NMG_LOG_DIR": str(logs), "NMG_JOBDIR_ROOT": str(jobs),
           "CALLS": str(calls)}
    proc = subprocess.run([str(REPO / "deploy" / "crawl-all.sh"), "-s", "ARCHIVE_DIR=/data/x"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert [line.split(" ", 1)[1] for line in proc.stdout.splitlines()][-3:] == [
        "alpha: finished", f"beta: crawling (log {next(logs.glob('beta-*.log'))}, JOBDIR {jobs / 'beta'})",
        f"gamma: crawling (log {next(logs.glob('gamma-*.log'))}, JOBDIR {jobs / 'gamma'})"]
    assert "beta: NOT finished (exit 0, 'finish_reason': 'shutdown')" in proc.stderr
    assert "gamma: NOT finished (exit 1)" in proc.stderr and "failed: beta gamma" in proc.stderr
    # A finished crawl's JOBDIR is removed; the others are kept for the next run to resume.
    assert sorted(p.name for p in jobs.iterdir()) == ["beta", "gamma"]
    lines = calls.read_text().splitlines()
    assert [line.split()[0] for line in lines if "ARCHIVE_DIR=/data/x" in line] == ["alpha", "beta", "gamma"]
    assert sorted(p.name.split("-")[0] for p in logs.glob("*.log")) == ["alpha", "beta", "gamma"]


def test_crawl_all_without_spiders_fails(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "scrapy").write_text("#!/usr/bin/env bash\necho 'no project' >&2\nexit 1\n")
    (venv / "bin" / "scrapy").chmod(0o755)
    env = {**os.environ, "NMG_VENV": str(venv), "NMG_LOG_DIR": str(tmp_path / "logs")}
    proc = subprocess.run([str(REPO / "deploy" / "crawl-all.sh")], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 2 and "no spiders" in proc.stderr
    assert (tmp_path / "logs" / "list.err").read_text() == "no project\n"
