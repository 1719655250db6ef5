"""Time Python's garbage collector in every process of a run (how GC_FREEZE was measured).

    GC_PROBE_OUT=/tmp/gc.txt PYTHONPATH=bench/gcprobe .venv/bin/python -m scrapy crawl …

Python imports ``sitecustomize`` at start-up from ``PYTHONPATH``; this one adds a
``gc.callbacks`` timer and, when the process exits normally, appends a line to
``$GC_PROBE_OUT``: its pid, the collector's total time and number of collections, and those
of full (generation 2) collections. Forked workers that leave through ``os._exit`` write none.
py-spy cannot show this time: a collection runs inside whatever allocation triggered it.
"""

from __future__ import annotations

import atexit
import gc
import os
import time

_started = [0.0]
_total = {"seconds": 0.0, "count": 0, "full_seconds": 0.0, "full_count": 0}


def _time(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
        return
    took = time.perf_counter() - _started[0]
    _total["seconds"] += took
    _total["count"] += 1
    if info["generation"] == 2:
        _total["full_seconds"] += took
        _total["full_count"] += 1


def _report() -> None:
    out = os.environ.get("GC_PROBE_OUT")
    if out and _total["count"]:
        with open(out, "a", encoding="utf-8") as fh:
            fh.write(f"pid {os.getpid()}: gc {_total['seconds']:.3f} s in {_total['count']} collections; "
                     f"full {_total['full_seconds']:.3f} s in {_total['full_count']}\n")


gc.callbacks.append(_time)
atexit.register(_report)
