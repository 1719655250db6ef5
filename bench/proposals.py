"""Changes the profile asks for in files this benchmark does not own, ready to measure.

``fast_simplify``: ``crawler.zh.mirror.simplify`` (OpenCC t2s, pure Python) is the largest
single cost of extraction: ``is_traditional`` and ``looks_garbled`` (via ``common_share``)
run it over every article's whole text, and almost every article is simplified Chinese
already. t2s can only change a text that holds a character of some dictionary key whose
value differs from the key: every other match maps a string to itself, and the
separators it splits on are put back as they were. So a text sharing no character with
those keys (one required character of each suffices) comes back unchanged, and a set
test says so without converting.

``python -m bench.proposals check DIR...`` compares ``fast_simplify`` with ``simplify`` on
the text of every HTML page under the directories (tests/outlets, tests/generic_pages)
and on the t2s dictionaries' own keys; ``apply()`` patches it in (bench/extract_only.py
``project+proposed``, bench/with_proposals.py).

``sqlite_normal_sync``: the store's commits wait for the disk (see its docstring).
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from crawler.zh import mirror


@lru_cache(maxsize=1)
def t2s_triggers() -> frozenset[str]:
    """One character of each t2s dictionary key whose conversion is not the identity.

    A key matches only where all its characters are, so one of them is enough to rule it
    out: one outside the 3755 common characters (GB2312 level 1) if the key has one, else
    the first that the conversion changes.
    """
    common = _level1()
    converter = mirror._t2s()
    converter.convert("")  # loads the dictionaries
    chars: set[str] = set()
    for group in converter._dict_chain_data:  # type: ignore[attr-defined]
        for _max_len, _min_len, table in group:
            for key, value in table.items():
                if key != value:
                    rare = [k for k in key if k not in common]
                    changed = [k for k, v in zip(key, value, strict=False) if k != v]
                    chars.add(rare[0] if rare else changed[0] if changed else key[0])
    return frozenset(chars)


def _level1() -> frozenset[str]:
    chars = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes([lead, trail]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


_original = mirror.simplify


def fast_simplify(text: str) -> str:
    """``simplify`` with a fast path for text t2s cannot change (see the module docstring)."""
    if t2s_triggers().isdisjoint(text):
        return text
    return _original(text)


def apply() -> None:
    """Use ``fast_simplify`` wherever ``crawler.zh.mirror.simplify`` is looked up."""
    mirror.simplify = fast_simplify


def sqlite_normal_sync() -> None:
    """``PRAGMA synchronous = NORMAL`` on every SQLite connection (the store is in WAL mode).

    With the default FULL, every commit waits for an fsync of the WAL (about 5 ms on this
    machine's disk, on the reactor's thread; a crawl commits at least twice a page). In WAL
    mode NORMAL syncs at checkpoints only: the database stays consistent after any crash,
    and a power cut can lose the last commits, which `scrapy replay` redoes from the WARC.
    """
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _normal(dbapi_connection: object, _record: object) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous = NORMAL")


def _texts(directories: list[Path]) -> list[str]:
    from crawler.encoding import decode_html

    texts = []
    for directory in directories:
        for path in sorted(directory.rglob("*")):
            if path.is_file() and path.suffix in {".html", ".htm", ".shtml", ".json", ".txt"}:
                texts.append(decode_html(path.read_bytes()).text)
    return texts


def check(directories: list[Path]) -> int:
    """Compare both on real pages, line by line, and on every dictionary key; return differences."""
    samples = [line for text in _texts(directories) for line in text.splitlines() if line.strip()]
    converter = mirror._t2s()
    samples += [key for group in converter._dict_chain_data for *_, table in group for key in table]  # type: ignore[attr-defined]
    bad = [s for s in samples if fast_simplify(s) != _original(s)]
    sys.stdout.write(f"{len(samples)} texts compared, {len(bad)} differ; "
                     f"{len(t2s_triggers())} trigger characters\n")
    return len(bad)


if __name__ == "__main__":
    if sys.argv[1:2] != ["check"]:
        sys.exit("usage: python -m bench.proposals check DIR...")
    sys.exit(1 if check([Path(p) for p in sys.argv[2:]]) else 0)
