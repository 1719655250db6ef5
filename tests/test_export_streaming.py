"""Exporters stream: fed 5,000 articles, none holds more than one batch of them.

The articles come from an instrumented iterator that makes each one on demand and tracks,
through weak references, how many are still alive each time the exporter asks for the
next: an exporter that collected them (``list(articles)``) would hold all 5,000. The
Python heap peak (tracemalloc) and, for Parquet, Arrow's memory pool are bounded the
same way. Peak RSS for 100k articles is measured by bench/export_memory.py.
"""

from __future__ import annotations

import tracemalloc
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crawler.export import FORMATS, ExportOptions, FeedInfo, export, feed_id

COUNT = 5_000
BATCH = 500
#: About 3 kB of UTF-8 per article, 15 MB in all.
PARAGRAPH = "内蒙古自治区各级基层党组织以创先争优活动为载体，不断创新制度。" * 10


class Tracked(dict):  # type: ignore[type-arg]
    """An article dict that can be weakly referenced."""

    __slots__ = ("__weakref__",)


class Instrumented:
    """Makes ``count`` articles on demand and records how many are alive at each request."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.alive = 0
        self.max_alive = 0
        self.max_arrow_bytes = 0
        self.input_bytes = 0

    def _died(self) -> None:
        self.alive -= 1

    def __iter__(self) -> Iterator[dict[str, Any]]:
        start = datetime(2024, 1, 1, tzinfo=UTC)
        for n in range(self.count):
            self.max_alive = max(self.max_alive, self.alive)
            self.max_arrow_bytes = max(self.max_arrow_bytes, pa.total_allocated_bytes())
            article = Tracked(
                url=f"http://inews.nmgnews.com.cn/system/2024/01/01/{n:09d}.shtml",
                outlet="nmgnews",
                title=f"第{n}篇",
                published_at=(start + timedelta(minutes=n)).astimezone().isoformat(),
                is_reprint=False,
                authors=["记者甲"],
                correspondents=[],
                text=f"{PARAGRAPH}\n{PARAGRAPH}\n{PARAGRAPH}\n{n}",
                images=[{"url": f"http://pic1.nmgnews.com.cn/{n}.jpg", "caption": "图"}],
                pages=[],
                layers={"title": "selector"},
                flags=[],
                warc_file="nmgnews.warc.gz",
                warc_offset=n * 1000,
                warc_record_id=f"<urn:uuid:{n:032x}>",
                first_seen=start,
                last_seen=start,
            )
            self.input_bytes += len(article["text"].encode("utf-8"))
            self.alive += 1
            weakref.finalize(article, self._died)
            yield article
            del article


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_exporters_hold_at_most_one_batch(fmt: str, tmp_path: Path) -> None:
    source = Instrumented(COUNT)
    info = FeedInfo(title="t", id=feed_id("stream"), updated=datetime(2024, 1, 1, tzinfo=UTC))
    path = tmp_path / f"out{FORMATS[fmt].extension}"
    tracemalloc.start()
    try:
        written = export(iter(source), path, fmt, ExportOptions(feed=info, batch_size=BATCH))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert written == COUNT
    assert source.max_alive <= BATCH, f"{fmt} held {source.max_alive} articles at once"
    # Streaming writers hold the article being written and nothing else.
    assert source.max_alive <= 1, f"{fmt} held {source.max_alive} articles at once"
    # The Python heap never held more than a few batches' worth (collecting all 5,000
    # articles would take at least the whole input, ten batches).
    per_batch = source.input_bytes / COUNT * BATCH
    assert peak < 4 * per_batch, f"{fmt}: peak {peak} B, one batch of text is {per_batch:.0f} B"
    if fmt != "parquet":  # (zstd makes the repetitive sample text tiny)
        assert path.stat().st_size > source.input_bytes  # all the text went to the file
    if fmt == "parquet":
        metadata = pq.ParquetFile(path).metadata
        sizes = {metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)}
        assert sizes == {BATCH}
        assert metadata.num_rows == COUNT
        assert metadata.num_row_groups == COUNT // BATCH
        # Arrow's pool (outside tracemalloc's view) never held more than two batches' worth.
        assert source.max_arrow_bytes < 2 * per_batch
