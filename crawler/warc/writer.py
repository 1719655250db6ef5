"""The crawl's WARC records written in a process of their own (``WARC_WRITER``, default on).

Building, compressing and writing each download's records (warcio: block and payload
digests, gzip of every record, the CDXJ line) took three quarters of what archiving costs
on the reactor's thread, which downloads, archives and schedules every page, and the
archive-only crawl ran at 0.74–0.78× bare Scrapy: docs/performance.md. A thread does not
help: most of that work is Python that holds the GIL. So one process, forked when the
spider opens, owns the :class:`~crawler.warc.files.WarcRotator` and writes every record;
the crawl process hands each download over (:class:`Download`) and goes on.

Nothing downstream sees a difference: the extension's downloader middleware
(:class:`crawler.warc.extension.WarcWait`, nearest the downloader) holds a response until
its records are written, so the spider, the capture rows and ``warc_written`` get the
record's location as before. Downloads are written one at a time in the order they were
handed over. A write error (disk full) comes back as the :class:`WarcWriteError` the
rotator raised and stops the crawl as before; should the process die, every write in
flight and after fails with a :class:`WarcWriteError` that says so, and the crawl stops
(reason ``warc_write_error``): nothing goes on unarchived.

The replies come back on a socket the reactor reads (no thread in the crawl process). The
child needs no reactor: it reads jobs and writes replies with blocking calls. Should the
crawl process go away without closing it (``kill -9``: the end of input, or Linux's
parent-death signal when later children hold copies of the socket), the child writes what
it was handed and closes the file (what it wrote stays a valid WARC, without ``.open``).

:class:`InlineWriter` is the same interface on the crawl's own thread: with
``WARC_WRITER = False``, for crawls that render pages in a browser (crawler/warc/browser.py
writes the browser's exchanges and DOM through the rotator, from the crawl process), without
``WarcWait`` among the downloader middlewares, and when the process cannot be forked.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.util
import pickle
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from twisted.internet import defer
from twisted.internet.protocol import Factory, connectionDone
from twisted.protocols.basic import Int32StringReceiver
from twisted.python.failure import Failure

from crawler.forked import enter_child, hang_up, read_frame, send_frame
from crawler.warc.files import WarcRef, WarcRotator, WarcWriteError
from crawler.warc.records import build_pair, request_headers, response_headers
from crawler.warc.revisit import Original, build_revisit_pair

logger = logging.getLogger(__name__)

_CLOSE = "close"


@dataclass(frozen=True, slots=True)
class Download:
    """One download as it came off the wire, and how to archive it (response or revisit)."""

    url: str
    date: datetime
    status: int
    protocol: str | None
    response_headers: list[tuple[bytes, list[bytes]]]
    response_body: bytes
    method: str
    request_url: str
    request_headers: list[tuple[bytes, list[bytes]]]
    request_body: bytes
    ip_address: str | None
    truncated: str | None
    #: For a revisit: the capture it refers to, the profile and the payload digest to cite.
    original: Original | None = None
    profile: str | None = None
    digest: str | None = None


def write_download(rotator: WarcRotator, download: Download) -> list[WarcRef]:
    """Write a download's response (or revisit) record and its request record, back to back."""
    d = download
    warcinfo_id = rotator.prepare()
    response_http = response_headers(d.status, d.protocol, d.response_headers)
    request_http = request_headers(d.method, d.request_url, d.request_headers, d.protocol)
    if d.original is None:
        records = build_pair(
            rotator.builder, url=d.url, date=d.date, response_http=response_http,
            response_body=d.response_body, request_http=request_http, request_body=d.request_body,
            ip_address=d.ip_address, truncated=d.truncated, warcinfo_id=warcinfo_id,
        )
    else:
        assert d.profile is not None
        records = build_revisit_pair(
            rotator.builder, url=d.url, date=d.date, profile=d.profile, original=d.original,
            digest=d.digest, response_http=response_http, request_http=request_http,
            request_body=d.request_body, ip_address=d.ip_address, warcinfo_id=warcinfo_id,
        )
    return rotator.write_group(list(records), request_body=d.request_body)


#: What :meth:`close` gives back: the closed WARC files and their CDXJ sidecars.
Closed = tuple[list[Path], list[Path]]


class InlineWriter:
    """Writes on the calling thread; every Deferred it returns has already fired."""

    def __init__(self, rotator: WarcRotator) -> None:
        self.rotator = rotator

    def write(self, download: Download) -> defer.Deferred[list[WarcRef]]:
        try:
            return defer.succeed(write_download(self.rotator, download))
        except WarcWriteError:
            return defer.fail()

    def close(self) -> defer.Deferred[Closed]:
        self.rotator.close()
        return defer.succeed((list(self.rotator.closed_files), list(self.rotator.closed_indexes)))


# -- the writer process ---------------------------------------------------------------------

def _serve(sock: socket.socket, other: socket.socket, rotator: WarcRotator) -> None:
    """In the child: write each download handed over, reply with its refs or its error."""
    jobs = enter_child(sock, other)

    listening = True

    def reply(job: int, outcome: object) -> None:
        nonlocal listening
        data = pickle.dumps((job, outcome), pickle.HIGHEST_PROTOCOL)
        try:
            if listening:
                send_frame(sock, data)
        except OSError:  # the crawl process went away: still write what it handed over
            listening = False

    try:
        while (frame := read_frame(jobs)) is not None:  # None: the crawl went away without closing us
            job, download = pickle.loads(frame)
            if download == _CLOSE:
                rotator.close()
                reply(job, ("closed", (rotator.closed_files, rotator.closed_indexes)))
                return
            try:
                outcome: tuple[str, Any] = ("written", write_download(rotator, download))
            except WarcWriteError as exc:
                outcome = ("failed", (exc.errno, exc.strerror, exc.kept))
            reply(job, outcome)
    finally:  # whatever ends us, the file ends after its last complete group, without .open
        rotator.close()


class _Replies(Int32StringReceiver):
    MAX_LENGTH = 1 << 30  # a reply is small; the file lists at close grow with the crawl

    def __init__(self, writer: ProcessWriter) -> None:
        self.writer = writer

    def stringReceived(self, string: bytes) -> None:
        job, outcome = pickle.loads(string)
        self.writer._reply(job, outcome)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.writer._lost()


class ProcessWriter:
    """One writer process for one rotator (see the module docstring)."""

    def __init__(self, rotator: WarcRotator) -> None:
        from twisted.internet import reactor  # the running one (imported late: never install one)

        self.directory = rotator.directory
        self.dead: WarcWriteError | None = None
        self._closing = False
        self._next = 0
        self._waiting: dict[int, defer.Deferred[Any]] = {}
        ours, theirs = socket.socketpair()
        self._process = multiprocessing.get_context("fork").Process(
            target=_serve, args=(theirs, ours, rotator), name="warc-writer")
        self._process.start()
        theirs.close()
        self._protocol = _Replies(self)
        factory = Factory.forProtocol(lambda: self._protocol)
        reactor.adoptStreamConnection(ours.fileno(), socket.AF_UNIX, factory)
        ours.close()  # the reactor holds its own copy of the descriptor
        # Should the crawl process exit without closing us, multiprocessing joins its children
        # before the process's descriptors close: end our input first, or that join never returns.
        self._at_exit = multiprocessing.util.Finalize(self, hang_up, args=(self._protocol.transport.socket,),
                                                      exitpriority=10)

    def _send(self, what: object) -> defer.Deferred[Any]:
        if self.dead is not None:
            return defer.fail(WarcWriteError(None, str(self.dead)))
        job, self._next = self._next, self._next + 1
        waiting: defer.Deferred[Any] = defer.Deferred()
        self._waiting[job] = waiting
        self._protocol.sendString(pickle.dumps((job, what), pickle.HIGHEST_PROTOCOL))
        return waiting

    def write(self, download: Download) -> defer.Deferred[list[WarcRef]]:
        """The download's refs once written, or its WarcWriteError."""
        return self._send(download)

    def close(self) -> defer.Deferred[Closed]:
        """Close the current file after everything handed over; the files it closed."""
        closing = self._send(_CLOSE)
        self._closing = True
        closing.addBoth(self._reap)
        return closing

    def _reap(self, result: Any) -> Any:
        self._process.join(timeout=30)
        self._at_exit.cancel()
        self._protocol.transport.loseConnection()
        return result

    def _reply(self, job: int, outcome: tuple[str, Any]) -> None:
        waiting = self._waiting.pop(job)
        kind, value = outcome
        if kind == "failed":
            code, message, kept = value
            waiting.errback(WarcWriteError(code, message, kept))
        else:
            waiting.callback(value)

    def _lost(self) -> None:
        if self.dead is None and not (self._closing and not self._waiting):
            self._process.join(timeout=5)
            self.dead = WarcWriteError(None, f"the WARC writer process died (exit code "
                                             f"{self._process.exitcode}); the WARC files it had open "
                                             f"in {self.directory} end with a .open suffix: run "
                                             f"`scrapy mend` on them")
            logger.error("%s", self.dead)
        waiting, self._waiting = self._waiting, {}
        for deferred in waiting.values():
            deferred.errback(WarcWriteError(None, str(self.dead)))
