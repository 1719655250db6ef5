"""What a replay did: archive read (and what was broken), responses served, articles changed."""

from __future__ import annotations

from collections import Counter
from typing import Any

from crawler.replay.archive import Archive
from crawler.replay.plan import Plan

#: Fields whose change is bookkeeping rather than content (left out of "fields changed").
BOOKKEEPING = ("warc_file", "warc_offset", "warc_record_id", "extractor_version")


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def replay_summary(archive: Archive, plan: Plan, stats: dict[str, dict[str, Any]], store_uri: str) -> str:
    """A readable account of a replay, printed at the end of ``scrapy replay``."""
    out = ["", "Replay summary", "==============",
           f"Archive: {len(archive.sources)} files, {len(archive.captures)} captures, "
           f"{len(archive.problems)} broken records (skipped)"]
    out.extend(f"  ! {p}" for p in archive.problems[:100])
    if len(archive.problems) > 100:
        out.append(f"  ! … and {len(archive.problems) - 100} more (see the log)")
    rows = [["crawl", "served", "not archived", "variants", "revisits", "articles", "leaked"]]
    totals: Counter[str] = Counter()
    for name, st in sorted(stats.items()):
        label = f"{name} ({plan.why[name]})" if name in plan.why else name
        if st.get("replay/not_started"):
            label += " [did not start: see the log]"
        stored = sum(v for k, v in st.items() if k.startswith("articles/stored/"))
        variants = sum(v for k, v in st.items() if k.startswith("replay/variant/"))
        rows.append([label, str(st.get("replay/served", 0)), str(st.get("replay/missing", 0)), str(variants),
                     str(st.get("replay/revisits", 0)), str(stored), str(st.get("replay/leaked", 0))])
        for key, value in st.items():
            if key.startswith("store/"):
                totals[key.removeprefix("store/")] += int(value)
    out += ["", _table(rows), ""]
    new, updated, same = totals["inserted"], totals["updated"], totals["unchanged"]
    out.append(f"Store {store_uri}: {new + updated + same} articles stored: {new} new, {updated} updated "
               f"({totals['versions']} earlier versions kept), {same} unchanged")
    fields = sorted(((k.removeprefix("changed/"), v) for k, v in totals.items()
                     if k.startswith("changed/") and k.removeprefix("changed/") not in BOOKKEEPING),
                    key=lambda kv: (-kv[1], kv[0]))
    if fields:
        out.append("Fields changed: " + ", ".join(f"{name} {count}" for name, count in fields))
    return "\n".join(out)
