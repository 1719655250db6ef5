"""Write a file so that its destination only ever holds a complete one.

The data goes to a hidden temporary file in the destination's directory (same file
system, so the final rename is atomic), which is flushed, synced and renamed over the
destination on success, and removed on any failure or interruption. A reader of the
destination sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


class OutputError(OSError):
    """The output path cannot be written; the message names it and says why."""


def check_writable(path: Path) -> None:
    """Raise :class:`OutputError` if ``path`` cannot become a file (before any work)."""
    if path.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: it is a directory")
    parent = path.parent
    if not parent.exists():
        raise OutputError(f"cannot write {str(path)!r}: directory {str(parent)!r} does not exist")
    if not parent.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: {str(parent)!r} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {str(path)!r}: no permission to create files in {str(parent)!r}")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"cannot write {str(path)!r}: the existing file is read-only")


@contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write; it becomes ``path`` only if the block ends without error."""
    check_writable(path)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        handle = open(temp, "xb")  # noqa: SIM115 (closed below, before the rename)
    except OSError as exc:
        raise OutputError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from exc
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
