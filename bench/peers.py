"""The peers of the benchmark: what each runs, and how its pages and time are counted.

Every crawling peer starts from the outlet's four column pages and fetches the same URLs
(robots.txt, list pages, articles, second pages). The Scrapy peers share the politeness
stated in SCRAPY_SETTINGS (16 requests at once to the one host, no delay, robots.txt
obeyed); wget fetches one URL at a time, as it does.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench import measure
from bench.nginx import Nginx
from bench.site import Site

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

#: What every Scrapy-based peer is allowed (the benchmark's politeness).
SCRAPY_SETTINGS = {
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "ROBOTSTXT_OBEY": "True",
    "LOG_LEVEL": "INFO",
}


@dataclass
class Result:
    """One run of one peer."""

    peer: str
    n: int
    delay: bool
    pages: int
    seconds: float
    usage: measure.Usage
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        """CPU milliseconds per page (extraction alone: of the timed part only)."""
        cpu = self.extra.get("cpu", self.usage.cpu)
        return 1000 * cpu / self.pages if self.pages else 0.0


@dataclass
class Context:
    """Where a run happens: the server, the outlet, a scratch directory."""

    server: Nginx
    site: Site
    work: Path
    delay: bool

    @property
    def base_url(self) -> str:
        return self.server.url(slow=self.delay)

    @property
    def start(self) -> str:
        return f"{self.base_url}{self.site.prefix}"


def _crawl_settings(out: Path, **more: str) -> list[str]:
    opts = {**SCRAPY_SETTINGS, "SPIDER_MODULES": "spiders,bench.spiders", "ARCHIVE_DIR": str(out),
            "STATS_FILE": str(out / "stats.json"), **more}
    return [arg for key, value in opts.items() for arg in ("-s", f"{key}={value}")]


def _stats(path: Path) -> dict[str, object]:
    return json.loads(path.read_text()) if path.exists() else {}


class PeerFailed(RuntimeError):
    """A peer did not finish its crawl; the message names its log."""


def _scrapy_result(peer: str, ctx: Context, usage: measure.Usage, stats: dict[str, object],
                   log: Path) -> Result:
    """Pages: responses downloaded; time: the engine's elapsed time (no interpreter start-up)."""
    if usage.returncode != 0 or "elapsed_time_seconds" not in stats:
        raise PeerFailed(f"{peer} failed (exit {usage.returncode}); see {log}")
    pages = int(stats.get("downloader/response_count", 0) or stats.get("replay/served", 0))
    return Result(peer, ctx.site.n, ctx.delay, pages, float(stats["elapsed_time_seconds"]), usage)


def wget(ctx: Context) -> Result:
    """wget's recursive crawl writing a WARC (gzip) of everything it fetches."""
    out = ctx.work / "wget"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    starts = [ctx.base_url + p for p in ctx.site.start_paths()]
    mark = ctx.server.log_lines()
    usage = measure.run(["wget", "--recursive", "--level=inf", "--no-verbose", "--delete-after",
                         "--user-agent=bench-wget", "--warc-file", str(out / "wget"),
                         "--directory-prefix", str(out / "files"), *starts],
                        cwd=out, log=ctx.work / "wget.log")
    times = [float(line.split()[0]) for line in ctx.server.log_since(mark)]
    if usage.returncode not in (0, 8) or not times:
        raise PeerFailed(f"wget failed (exit {usage.returncode}); see {ctx.work / 'wget.log'}")
    return Result("wget --warc-file", ctx.site.n, ctx.delay, len(times), max(times) - min(times), usage)


def bare(ctx: Context, mode: str = "bare") -> Result:
    """Plain Scrapy (``bare``: follow links only; ``naive``: + trafilatura inline)."""
    stats_path = ctx.work / f"{mode}.json"
    stats_path.unlink(missing_ok=True)
    env = {**_env(), "BENCH_STATS": str(stats_path),
           "BENCH_EXTRA": json.dumps({k: v for k, v in SCRAPY_SETTINGS.items()})}
    log = ctx.work / f"{mode}.log"
    usage = measure.run([PYTHON, "-m", "bench.bare", mode, ctx.start], cwd=REPO, env=env, log=log)
    name = "bare Scrapy (no archive)" if mode == "bare" else "naive (Scrapy + trafilatura inline)"
    return _scrapy_result(name, ctx, usage, _stats(stats_path), log)


PROJECT_MODES = {
    "spider": ("project spider, no archive", {"ITEM_PIPELINES": "{}", "WARC_ENABLED": "False"}),
    "archive": ("project, archive only", {"ITEM_PIPELINES": "{}"}),
    "e2e": ("project, end to end", {}),
    "e2e-inline": ("project, end to end, EXTRACT_WORKERS=0", {"EXTRACT_WORKERS": "0"}),
}


def project(ctx: Context, mode: str) -> Result:
    """The project's crawl of the synthetic outlet, as PROJECT_MODES says."""
    out = ctx.work / f"project-{mode}"
    shutil.rmtree(out, ignore_errors=True)
    name, more = PROJECT_MODES[mode]
    cmd = [PYTHON, "-m", "scrapy", "crawl", "synthetic", "-a", f"start={ctx.start}",
           *_crawl_settings(out, **more)]
    log = ctx.work / f"project-{mode}.log"
    usage = measure.run(cmd, cwd=REPO, env=_env(), log=log)
    return _scrapy_result(name, ctx, usage, _stats(out / "stats.json"), log)


def replay(ctx: Context) -> Result:
    """`scrapy replay` of the end-to-end crawl's archive into an empty store."""
    source = ctx.work / "project-e2e"
    out = ctx.work / "replay"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    warcs = sorted(str(p) for p in source.glob("*.warc.gz"))
    cmd = [PYTHON, "-m", "scrapy", "replay", *warcs, "-s", "SPIDER_MODULES=spiders,bench.spiders",
           "-s", f"ARCHIVE_DIR={out}", "-s", f"STORE_URI=sqlite:///{out / 'articles.sqlite'}",
           "-s", "LOG_LEVEL=INFO"]
    usage = measure.run(cmd, cwd=REPO, env=_env(), log=ctx.work / "replay.log")
    stats = [_stats(p) for p in sorted((out / "stats").glob("synthetic-*.json"))]
    if usage.returncode != 0 or not stats:
        raise PeerFailed(f"replay failed (exit {usage.returncode}); see {ctx.work / 'replay.log'}")
    return _scrapy_result("replay into an empty store", ctx, usage, stats[-1], ctx.work / "replay.log")


def extraction(ctx: Context, mode: str) -> Result:
    """Extraction alone over the end-to-end crawl's article pages (bench/extract_only.py)."""
    log = ctx.work / f"extract-{mode}.log"
    usage = measure.run([PYTHON, "-m", "bench.extract_only", str(ctx.work / "project-e2e"), mode],
                        cwd=REPO, env=_env(), log=log)
    lines = log.read_text().strip().splitlines()
    if usage.returncode != 0 or not lines:
        raise PeerFailed(f"extraction ({mode}) failed; see {log}")
    data = json.loads(lines[-1])
    names = {"project": "extraction alone: project", "trafilatura": "extraction alone: trafilatura"}
    result = Result(names[mode], ctx.site.n, False, int(data["pages"]), float(data["seconds"]), usage)
    result.extra["cpu"] = float(data["cpu"])
    return result


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(key, None)
    return env
