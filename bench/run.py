"""Cost per page of the project against its peers, in one run; prints Markdown tables.

    .venv/bin/python bench/run.py --n 2000 20000          # what docs/performance.md shows
    .venv/bin/python bench/run.py --n 400 --repeat 1       # a quick look
    make bench                                             # installs nginx first

Builds the synthetic outlet (bench/site.py) once per N, serves it with nginx on loopback
(bench/nginx.py; a second port adds 50 ms to every response), then runs the peers one
after the other, all of them once per round (``--repeat`` rounds for N up to ``--small``,
one round above), so that load from elsewhere on the machine falls on all of them alike.
Compare ratios taken within a round; the spread is their range over the rounds.
This is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import measure, peers
from bench.nginx import Nginx, verify_delay
from bench.peers import Context, PeerFailed, Result
from bench.site import build

Peer = Callable[[Context], Result]
#: One round's results by (peer, delayed).
Round = dict[tuple[str, bool], Result]
FAST_PEERS: dict[str, Peer] = {
    "wget": peers.wget,
    "bare": peers.bare,
    "spider": lambda c: peers.project(c, "spider"),
    "archive": lambda c: peers.project(c, "archive"),
    "e2e": lambda c: peers.project(c, "e2e"),
    "e2e-inline": lambda c: peers.project(c, "e2e-inline"),
    "naive": lambda c: peers.bare(c, "naive"),
    "replay": peers.replay,
    "extract": lambda c: peers.extraction(c, "project"),
    "trafilatura": lambda c: peers.extraction(c, "trafilatura"),
}
SLOW_PEERS = ("wget", "archive", "e2e")
#: Peers run for N above --small (memory and rate at scale; per-page extraction does not change).
LARGE_PEERS = "wget,bare,spider,archive,e2e"


def show(line: str = "") -> None:
    """Print one line of the report (a benchmark's output is its point)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def one_round(server: Nginx, site_root: Path, n: int, work: Path, *, slow: bool, skip: set[str],
              only: set[str] | None) -> Round:
    """Every peer once against the outlet of ``n`` articles."""
    site = build(site_root, n)
    results: Round = {}
    runs = [(key, False) for key in FAST_PEERS] + ([(key, True) for key in SLOW_PEERS] if slow else [])
    for key, delay in runs:
        if key in skip or (only is not None and key not in only):
            continue
        scratch = work / f"n{n}-{'slow' if delay else 'fast'}"
        ctx = Context(server=server, site=site, work=scratch, delay=delay)
        ctx.work.mkdir(parents=True, exist_ok=True)
        try:
            result = FAST_PEERS[key](ctx)
        except PeerFailed as exc:  # the others still run; its ratios are left out
            show(f"<!-- n={n} {key}: {exc} -->")
            continue
        results[(key, delay)] = result
        show(f"<!-- n={n} {'50ms' if delay else '0ms'} {result.peer}: {result.pages} pages, "
             f"{result.rate:.1f}/s, {result.cpu_ms:.2f} CPU ms/page, {result.usage.peak_pss_mb:.0f} MB -->")
    return results


def _spread(values: list[float]) -> str:
    if not values:
        return "–"
    med = statistics.median(values)
    return f"{med:.2f}" if len(values) == 1 else f"{med:.2f} ({min(values):.2f}–{max(values):.2f})"


def table(rounds: dict[int, list[Round]]) -> None:
    """One row per peer, N and delay: medians over the rounds, (min–max) beside them."""
    show("| peer | N | delay | pages | pages/s | CPU ms/page | peak MB (PSS) | peak RSS MB |")
    show("|---|---:|---:|---:|---:|---:|---:|---:|")
    for n, runs in rounds.items():
        keys = [k for k in (*[(p, False) for p in FAST_PEERS], *[(p, True) for p in SLOW_PEERS])
                if any(k in r for r in runs)]
        for key in keys:
            got = [r[key] for r in runs if key in r]
            first = got[0]
            show(f"| {first.peer} | {n} | {'50 ms' if key[1] else '0'} | {first.pages} | "
                 f"{_spread([g.rate for g in got])} | {_spread([g.cpu_ms for g in got])} | "
                 f"{max(g.usage.peak_pss_mb for g in got):.0f} | {max(g.usage.maxrss_mb for g in got):.0f} |")
    show("| distributed (bench/distributed.py) | | | | | | | |")



def _ratios(runs: list[Round], a: tuple[str, bool], b: tuple[str, bool]) -> list[float]:
    return [r[a].rate / r[b].rate for r in runs if a in r and b in r and r[b].rate]


def goals(rounds: dict[int, list[Round]], small: int) -> None:
    """The issue's goals as ratios taken within each round."""
    runs = [r for n, rs in rounds.items() if n <= small for r in rs] or next(iter(rounds.values()))
    rows = [
        ("archive only / bare Scrapy, pages/s (0 ms)",
         _ratios(runs, ("archive", False), ("bare", False)), 0.9),
        ("archive only / the same spider without archive, pages/s (0 ms)",
         _ratios(runs, ("archive", False), ("spider", False)), None),
        ("end to end / naive, pages/s (0 ms)", _ratios(runs, ("e2e", False), ("naive", False)), 2.0),
        ("end to end: extraction pool / inline, pages/s (0 ms)",
         _ratios(runs, ("e2e", False), ("e2e-inline", False)), None),
        ("archive only / wget, pages/s (50 ms)", _ratios(runs, ("archive", True), ("wget", True)), 5.0),
        ("end to end / wget, pages/s (50 ms)", _ratios(runs, ("e2e", True), ("wget", True)), 5.0),
        ("replay / live end to end, pages/s", _ratios(runs, ("replay", False), ("e2e", False)), 1.0),
        ("extraction alone: project / trafilatura, pages/s",
         _ratios(runs, ("extract", False), ("trafilatura", False)), None),
        ("end-to-end CPU seconds / wall seconds (cores used)",
         [r[("e2e", False)].usage.cpu / r[("e2e", False)].usage.wall for r in runs if ("e2e", False) in r],
         None),
    ]
    sizes = sorted(rounds)
    if len(sizes) > 1:
        low, high = rounds[sizes[0]], rounds[sizes[-1]]
        for key, label in (("e2e", "end to end"), ("archive", "archive only"), ("replay", "replay")):
            a = [r[(key, False)].usage.peak_pss_mb for r in high if (key, False) in r]
            b = [r[(key, False)].usage.peak_pss_mb for r in low if (key, False) in r]
            if a and b:
                rows.append((f"{label}: peak memory N={sizes[-1]} / N={sizes[0]}",
                             [max(a) / statistics.median(b)], -1.3))
    show("| goal | measured: median (min–max) | target | met |")
    show("|---|---:|---:|---|")
    for label, values, target in rows:
        if target is None:
            met, shown = "", "–"
        elif target < 0:  # an upper bound
            met, shown = ("yes" if values and max(values) <= -target else "no"), f"≤ {-target}"
        else:
            met, shown = ("yes" if values and statistics.median(values) >= target else "no"), f"≥ {target}"
        show(f"| {label} | {_spread(values)} | {shown} | {met if values else 'not run'} |")


def report(rounds: dict[int, list[Round]], small: int, json_path: Path | None) -> None:
    """The tables so far (and every run as JSON)."""
    show()
    table(rounds)
    show()
    goals(rounds, small)
    show()
    if json_path is not None:
        data = {n: [{f"{k[0]}{'@50ms' if k[1] else ''}": {
            "pages": r.pages, "seconds": r.seconds, "rate": r.rate, "cpu_ms": r.cpu_ms,
            "peak_pss_mb": r.usage.peak_pss_mb, "maxrss_mb": r.usage.maxrss_mb, "wall": r.usage.wall,
            "cpu": r.usage.cpu, "peer": r.peer,
            **({"extract_cpu": r.extra["cpu"]} if "cpu" in r.extra else {}),
        } for k, r in rs.items()} for rs in runs] for n, runs in rounds.items()}
        json_path.write_text(json.dumps(data, indent=1))


def load(paths: list[Path]) -> dict[int, list[Round]]:
    """Rounds saved with ``--json`` by earlier runs, merged (to report them together)."""
    rounds: dict[int, list[Round]] = {}
    for path in paths:
        for n, runs in json.loads(path.read_text()).items():
            for saved in runs:
                got: Round = {}
                for name, r in saved.items():
                    key = (name.removesuffix("@50ms"), name.endswith("@50ms"))
                    usage = measure.Usage(wall=r["wall"], cpu=r["cpu"], peak_pss_mb=r["peak_pss_mb"],
                                          maxrss_mb=r["maxrss_mb"], returncode=0)
                    result = Result(r["peer"], int(n), key[1], r["pages"], r["seconds"], usage)
                    if "extract_cpu" in r:
                        result.extra["cpu"] = r["extract_cpu"]
                    got[key] = result
                rounds.setdefault(int(n), []).append(got)
    return rounds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[2000, 20000], help="articles per outlet")
    parser.add_argument("--repeat", type=int, default=3, help="rounds for N up to --small")
    parser.add_argument("--small", type=int, default=2000,
                        help="a larger N runs one round, without delay, of --large-peers only")
    parser.add_argument("--large-peers", default=LARGE_PEERS, help="peers run for a larger N")
    parser.add_argument("--skip", default="",
                        help="comma-separated peers to leave out: " + ",".join(FAST_PEERS))
    parser.add_argument("--work", type=Path, default=None,
                        help="scratch directory (default: a temporary one)")
    parser.add_argument("--json", type=Path, default=None, help="also write every run here (JSON)")
    parser.add_argument("--report", type=Path, nargs="+", default=None,
                        help="print the tables of runs saved with --json (merged), run nothing")
    args = parser.parse_args()
    if args.report:
        rounds = load(args.report)
        show()
        table(rounds)
        show()
        goals(rounds, args.small)
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop nginx and clean up on kill
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    large_only = {s.strip() for s in args.large_peers.split(",") if s.strip()}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = args.work or Path(tmp)
        site_root = work / "site"
        for n in args.n:
            build(site_root, n)
        rounds: dict[int, list[Round]] = {}
        # Rounds interleaved by size (2000, 20000, 2000, ...): a report after each one.
        schedule = [n for r in range(args.repeat) for n in args.n if r == 0 or n <= args.small]
        with Nginx(site_root) as server:
            median, p95 = verify_delay(server.url(slow=True) + "/robots.txt")
            show(f"<!-- delay check: 160 GETs, 16 at once: median {median * 1000:.1f} ms, "
                 f"p95 {p95 * 1000:.1f} ms -->")
            for n in schedule:
                large = n > args.small
                rounds.setdefault(n, []).append(
                    one_round(server, site_root, n, work, slow=not large, skip=skip,
                              only=large_only if large else None))
                report(rounds, args.small, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
