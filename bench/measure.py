"""Run one peer as a child process and measure it: wall time, CPU seconds, peak memory.

CPU is the child's user+system time from ``os.wait4`` (it includes the descendants it
waited for, such as extraction workers). Memory is sampled every second as the sum of the
proportional set size (PSS, ``/proc/PID/smaps_rollup``) over the child and all its
descendants, so forked workers that share pages with their parent are not counted twice;
``maxrss`` is the largest single process's peak RSS (``ru_maxrss``).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

#: Seconds between memory samples. Reading ``smaps_rollup`` walks a process's page tables:
#: 17 ms of CPU for the end-to-end crawl's four processes (316 MB) each time, which at five
#: samples a second took 8 % of a core from the peer with the most processes, and no core
#: from a peer of one small process (the sampler then ran on the idle core).
SAMPLE_EVERY = 1.0


@dataclass
class Usage:
    """What one run of a peer cost."""

    wall: float
    cpu: float
    peak_pss_mb: float
    maxrss_mb: float
    returncode: int


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss_mb(root: int) -> float:
    """PSS of ``root`` and all its descendants, in MB."""
    tree = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss_kb(pid)
        todo.extend(tree.get(pid, ()))
    return total / 1024


def run(cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None, log: Path | None = None,
        timeout: float = 7200) -> Usage:
    """Run ``cmd`` to its end (output to ``log``) and say what it cost."""
    out = log.open("wb") if log is not None else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(SAMPLE_EVERY):
            peak = max(peak, tree_pss_mb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    deadline = time.monotonic() + timeout
    try:
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
            time.sleep(0.05)
    except BaseException:  # the benchmark is stopped: stop the peer too
        proc.kill()
        proc.wait()
        raise
    finally:
        done.set()
    wall = time.perf_counter() - start
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if log is not None:
        out.close()  # type: ignore[union-attr]
    return Usage(wall=wall, cpu=usage.ru_utime + usage.ru_stime, peak_pss_mb=peak,
                 maxrss_mb=usage.ru_maxrss / 1024, returncode=proc.returncode)
