"""A progress line (count, rate, ETA) on the terminal, nothing when output is not one."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(
    items: Iterable[T], *, total: int | None, what: str, stream: TextIO | None = None
) -> Iterator[T]:
    """Yield ``items``, drawing a tqdm bar on ``stream`` (stderr) only if it is a TTY."""
    out = stream if stream is not None else sys.stderr
    if not out.isatty():
        yield from items
        return
    with tqdm(total=total, unit=" articles", desc=what, file=out, dynamic_ncols=True, mininterval=0.5) as bar:
        for item in items:
            yield item
            bar.update(1)
