"""crawler.forked.Pool: calls run in forked workers read by the event loop, errors come back,
a dead worker breaks the pool, and no worker outlives the process that forked it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest

from crawler.forked import Pool, PoolBroken

REPO = Path(__file__).resolve().parents[1]


def where(value: object) -> tuple[object, int]:
    return value, os.getpid()


def slow(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


class Unpicklable(Exception):
    def __reduce__(self) -> object:
        raise TypeError("not this one")


def fail(kind: str) -> object:
    if kind == "value":
        raise ValueError("bad input 42")
    if kind == "unpicklable":
        raise Unpicklable("kept here")
    return lambda: None  # a result that cannot be pickled


def alive(pid: int) -> bool:
    """Running (an exited orphan may stay a zombie until someone reaps it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def test_calls_run_in_the_workers_and_come_back_in_place() -> None:
    with contextlib.closing(Pool(where, 2, name="test")) as pool:
        async def run() -> list[tuple[object, int]]:
            return list(await asyncio.gather(*(pool.call({"n": i, "text": "草原" * i}) for i in range(200))))

        done = asyncio.run(run())
        assert [value for value, _ in done] == [{"n": i, "text": "草原" * i} for i in range(200)]
        pids = {pid for _, pid in done}
        assert pids == {p.pid for p in pool.processes} and os.getpid() not in pids
    assert not any(p.is_alive() for p in pool.processes)


def test_a_call_goes_to_the_least_busy_worker() -> None:
    with contextlib.closing(Pool(slow, 2, name="test")) as pool:
        async def run() -> tuple[int, int, int]:
            long = asyncio.ensure_future(pool.call(0.5))
            short = await pool.call(0.01)
            other = await pool.call(0.01)  # not behind the long one
            return await long, short, other

        long, short, other = asyncio.run(run())
        assert long != short == other


def test_what_the_function_raises_is_raised_by_the_call() -> None:
    with contextlib.closing(Pool(fail, 1, name="test")) as pool:
        async def run(kind: str) -> object:
            return await pool.call(kind)

        loop = asyncio.new_event_loop()
        with pytest.raises(ValueError, match="bad input 42") as raised:
            loop.run_until_complete(run("value"))
        assert "in the worker process" in raised.value.__notes__[0] and "fail" in raised.value.__notes__[0]
        with pytest.raises(RuntimeError, match="Unpicklable: kept here"):
            loop.run_until_complete(run("unpicklable"))
        with pytest.raises(Exception, match=r"[Cc]an't pickle") as raised:  # the type depends on Python
            loop.run_until_complete(run("result"))
        assert "in the worker process" in raised.value.__notes__[0]
        assert pool.broken is None  # errors of calls do not break the pool
        loop.close()


def test_a_dead_worker_breaks_the_pool_and_says_which() -> None:
    with contextlib.closing(Pool(slow, 2, name="test")) as pool:
        async def run() -> None:
            first = asyncio.ensure_future(pool.call(10))
            await asyncio.sleep(0.3)
            idle = await pool.call(0)
            os.kill(next(p.pid for p in pool.processes if p.pid != idle), signal.SIGKILL)
            with pytest.raises(PoolBroken, match=r"worker process test-\d died \(exit code -9\)"):
                await first  # the call in flight on the killed worker
            with pytest.raises(PoolBroken, match="died"):
                await pool.call(0)  # and every call after

        asyncio.run(run())
    assert not any(p.is_alive() for p in pool.processes)


def test_one_event_loop_per_pool_and_closing_after_it_is_gone() -> None:
    pool = Pool(where, 1, name="test")
    try:
        asyncio.run(pool.call(1))
        with pytest.raises(RuntimeError, match="event loop of its first call"):
            asyncio.run(pool.call(2))
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # nothing left to warn about the closed loop
            pool.close()


SCRIPT = textwrap.dedent("""
    import asyncio, os, sys, time
    from crawler.forked import Pool
    from tests.test_forked import slow
    pool = Pool(slow, 2, name="test")
    asyncio.run(pool.call(0))
    print(" ".join(str(p.pid) for p in pool.processes), flush=True)
    if sys.argv[1] == "exit":
        sys.exit(0)  # without closing the pool
    if sys.argv[1] == "other-child":  # a child forked later holds copies of the sockets
        import multiprocessing
        multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,), daemon=False).start()
    time.sleep(60)
""")


@pytest.mark.parametrize("how", ["exit", "killed", "other-child"])
def test_no_worker_outlives_the_crawl_process(how: str) -> None:
    """A process that exits without closing the pool exits at once; a killed one leaves no worker."""
    crawl = subprocess.Popen([sys.executable, "-c", SCRIPT, how], cwd=REPO, stdout=subprocess.PIPE,
                             text=True, start_new_session=True)
    try:
        assert crawl.stdout is not None
        workers = [int(pid) for pid in crawl.stdout.readline().split()]
        assert len(workers) == 2
        if how != "exit":
            os.kill(crawl.pid, signal.SIGKILL)
        assert crawl.wait(timeout=30) == (0 if how == "exit" else -signal.SIGKILL)
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(alive(pid) for pid in workers)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(crawl.pid, signal.SIGKILL)
        crawl.wait(timeout=30)
        if crawl.stdout is not None:
            crawl.stdout.close()
