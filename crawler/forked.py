"""Worker processes forked from the crawl and fed over sockets its event loop reads.

``concurrent.futures.ProcessPoolExecutor`` runs two threads in the calling process (one
pickles and sends the calls, one waits for results and hands them to the event loop through
its self-pipe), and every call wakes both: in an end-to-end crawl those threads took 0.7 s
of the crawl process's CPU for 2,000 articles, with both cores already busy
(docs/performance.md). Here the crawl's own asyncio loop (Scrapy's reactor runs on it)
writes each call to a worker's socket and reads the answer when it comes: no thread, no
wake-up but the answer itself.

A :class:`Pool` forks its workers at once (before the crawl starts threads of its own:
fork needs no re-import, and the workers see the code as the crawl has it). A call goes
to the worker with the fewest calls in flight. What the function raises is raised by the
call; should a worker die (killed, out of memory), its calls in flight and every later
call raise :class:`PoolBroken` (a broken pool is not mended: its user decides what next).
Workers ignore SIGINT and SIGTERM (stopping is the crawl's business: it closes the pool),
freeze what they inherit for the collector (crawler/gc_freeze.py), and end when the
crawl process does, even when children forked after them hold copies of its sockets
(Linux's parent-death signal, :func:`hang_up_when_orphaned`).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import multiprocessing.util
import os
import pickle
import signal
import socket
import struct
import sys
import traceback
from collections.abc import Callable
from typing import Any, BinaryIO

from crawler.gc_freeze import freeze_inherited

#: Every message: its length, then the pickle of (job, payload). The length is Twisted's
#: ``Int32StringReceiver`` prefix: the WARC writer's replies are read by one.
FRAME = struct.Struct("!I")
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class PoolBroken(RuntimeError):
    """A worker process died: the pool runs no more calls."""


def hang_up_when_orphaned(sock: socket.socket) -> None:
    """In a forked child: end its input (``sock``) when the crawl process dies.

    The crawl's end of the socket alone does not tell: children it forked later (another
    worker, a store writer opened late) hold copies of that end and outlive it when it is
    killed. So the child asks Linux for a signal when its parent dies, and shuts the socket.
    """
    crawl = os.getppid()
    prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None) if sys.platform == "linux" else None
    if prctl is None:  # pragma: no cover - other systems: the end of input is all we have
        return

    def orphaned(_signum: int = 0, _frame: object = None) -> None:
        if os.getppid() != crawl:  # reparented: the crawl died (not a SIGUSR1 sent by someone)
            hang_up(sock)

    signal.signal(signal.SIGUSR1, orphaned)
    prctl(_PR_SET_PDEATHSIG, signal.SIGUSR1)
    orphaned()  # it died before the signal was asked for


def hang_up(sock: socket.socket) -> None:
    """End the socket's input and output, in every process that holds a copy of it."""
    with contextlib.suppress(OSError):  # closed already
        sock.shutdown(socket.SHUT_RDWR)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a RuntimeError that names it; with its traceback."""
    text = "".join(traceback.format_exception(exc))
    try:
        copy = pickle.loads(pickle.dumps(exc))
    except Exception:  # any exception of the function, whatever its state
        copy = RuntimeError(f"{type(exc).__name__}: {exc}")
    copy.add_note(f"in the worker process:\n{text}")
    return copy


def enter_child(sock: socket.socket, other: socket.socket) -> BinaryIO:
    """In a forked child, first: leave stopping to the crawl, close the crawl's end of the
    socket (else the crawl going away would not end our input), end our input when the
    crawl dies, keep the collector off what we inherit; the stream our calls come on."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    other.close()
    hang_up_when_orphaned(sock)
    freeze_inherited()
    return sock.makefile("rb")


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next message, or None at the end of input (the crawl closed us, or went away,
    maybe mid-message)."""
    head = stream.read(FRAME.size)
    size = FRAME.unpack(head)[0] if len(head) == FRAME.size else -1
    frame = stream.read(size) if size >= 0 else b""
    return frame if len(frame) == size else None


def send_frame(sock: socket.socket, data: bytes) -> None:
    """Send one message (its length, then ``data``)."""
    sock.sendall(FRAME.pack(len(data)) + data)


def _serve(sock: socket.socket, other: socket.socket, function: Callable[..., Any]) -> None:
    """In the child: run ``function`` on each call's arguments, answer with its result or error."""
    calls = enter_child(sock, other)
    while (frame := read_frame(calls)) is not None:
        job, args = pickle.loads(frame)
        try:
            data = pickle.dumps((job, (True, function(*args))), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # the caller gets it (a result that cannot be pickled too)
            data = pickle.dumps((job, (False, _portable(exc))), pickle.HIGHEST_PROTOCOL)
        try:
            send_frame(sock, data)
        except OSError:  # the crawl process went away
            return


class _Worker:
    """One forked worker, its socket in the event loop, and the calls it has in flight."""

    def __init__(self, pool: Pool, function: Callable[..., Any], name: str) -> None:
        self.pool = pool
        self.sock, theirs = socket.socketpair()
        self.process = multiprocessing.get_context("fork").Process(
            target=_serve, args=(theirs, self.sock, function), name=name, daemon=True)
        self.process.start()
        theirs.close()
        # Should the crawl process exit without closing the pool, multiprocessing joins its
        # children before the process's descriptors close: end their input first, or that
        # join never returns (the workers ignore SIGTERM).
        self.at_exit = multiprocessing.util.Finalize(self, hang_up, args=(self.sock,), exitpriority=10)
        self.waiting: dict[int, asyncio.Future[Any]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.incoming = bytearray()
        self.outgoing = bytearray()
        self.writing = False
        self.closing = False

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Read the answers in ``loop`` (the loop's own readiness callbacks: no transport to
        outlive a loop that a caller closes before the pool)."""
        self.sock.setblocking(False)
        self.loop = loop
        loop.add_reader(self.sock.fileno(), self._readable)

    def send(self, job: int, data: bytes) -> asyncio.Future[Any]:
        assert self.loop is not None
        future = self.loop.create_future()
        self.waiting[job] = future
        pending = bool(self.outgoing)
        self.outgoing += FRAME.pack(len(data)) + data
        if not pending:
            self._writable()
        return future

    def _writable(self) -> None:
        assert self.loop is not None
        try:
            sent = self.sock.send(self.outgoing)
        except BlockingIOError:
            sent = 0
        except OSError:  # the worker is gone: reading says so
            sent = len(self.outgoing)
        del self.outgoing[:sent]
        if self.outgoing and not self.writing:  # the rest when the worker has read some
            self.loop.add_writer(self.sock.fileno(), self._writable)
            self.writing = True
        elif not self.outgoing and self.writing:
            self.loop.remove_writer(self.sock.fileno())
            self.writing = False

    def _readable(self) -> None:
        try:
            data = self.sock.recv(1 << 20)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:  # the worker is gone (or closed)
            self._detach()
            self.lost()
            return
        self.incoming += data
        while len(self.incoming) >= FRAME.size:
            end = FRAME.size + FRAME.unpack_from(self.incoming)[0]
            if len(self.incoming) < end:
                return
            frame = bytes(self.incoming[FRAME.size:end])
            del self.incoming[:end]
            self.answered(frame)

    def answered(self, frame: bytes) -> None:
        job, (ok, value) = pickle.loads(frame)
        future = self.waiting.pop(job)
        if future.done():  # cancelled by its caller
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def lost(self) -> None:
        if not self.closing:
            self.pool.died(self)
        waiting, self.waiting = self.waiting, {}
        for future in waiting.values():
            if not future.done() and not future.get_loop().is_closed():
                future.set_exception(PoolBroken(self.pool.broken or "the pool was closed"))

    def _detach(self) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.remove_reader(self.sock.fileno())
            self.loop.remove_writer(self.sock.fileno())
        self.loop = None

    def close(self, timeout: float) -> None:
        self.closing = True
        hang_up(self.sock)  # the worker reads the end of its input and returns
        self.process.join(timeout)
        if self.process.is_alive():  # pragma: no cover - a call that never ends
            self.process.kill()
            self.process.join()
        self.at_exit.cancel()
        if self.sock.fileno() >= 0:
            self._detach()
            self.sock.close()
        self.lost()


class Pool:
    """``workers`` forked processes that run ``function`` (see the module docstring)."""

    def __init__(self, function: Callable[..., Any], workers: int, name: str) -> None:
        if workers < 1:
            raise ValueError(f"a pool needs at least one worker, not {workers}")
        self.broken: str | None = None
        self._next = 0
        self._workers = [_Worker(self, function, f"{name}-{i}") for i in range(workers)]
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def processes(self) -> list[multiprocessing.process.BaseProcess]:
        return [w.process for w in self._workers]

    async def call(self, *args: Any) -> Any:
        """``function(*args)`` in the least busy worker; what it returns, or raises.

        The workers' sockets join the event loop of the first call; every call must come
        from that loop.
        """
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
            for worker in self._workers:
                worker.attach(loop)
        elif loop is not self._loop:
            raise RuntimeError("a Pool serves the event loop of its first call only")
        if self.broken is not None:
            raise PoolBroken(self.broken)
        job, self._next = self._next, self._next + 1
        worker = min(self._workers, key=lambda w: len(w.waiting))
        return await worker.send(job, pickle.dumps((job, args), pickle.HIGHEST_PROTOCOL))

    def died(self, worker: _Worker) -> None:
        if self.broken is None:
            worker.process.join(5)
            self.broken = (f"the worker process {worker.process.name} died "
                           f"(exit code {worker.process.exitcode})")

    def close(self, timeout: float = 60) -> None:
        """End every worker after the call it runs; wait for them (``timeout`` seconds each)."""
        for worker in self._workers:
            worker.close(timeout)
