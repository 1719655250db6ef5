"""Which spiders a replay runs: named by warcinfo, owning the archived URLs, or given."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scrapy.utils.url import url_is_from_any_domain

from crawler.replay.archive import Archive
from crawler.replay.scan import Capture


@dataclass
class Plan:
    """Spiders to run as in a live crawl, and the HTML pages of each outlet (None: unknown)."""

    spiders: list[str]
    pages: dict[str | None, list[Capture]] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)
    #: Spider arguments recorded in warcinfo (``spider-args``, JSON) by the crawl that wrote it.
    args: dict[str, dict[str, str]] = field(default_factory=dict)


def owner_of(url: str, domains: dict[str, tuple[str, ...]]) -> str | None:
    """The spider whose ``allowed_domains`` cover ``url`` (the most specific domain wins)."""
    best: tuple[int, str] | None = None
    host = urlsplit(url).hostname or ""
    for name, doms in sorted(domains.items()):
        for dom in doms:
            if url_is_from_any_domain(url, [dom]) and (best is None or len(dom) > best[0]):
                best = (len(dom), name)
    return best[1] if best and host else None


def make_plan(archive: Archive, domains: dict[str, tuple[str, ...]], only: str | None = None) -> Plan:
    """Spiders from ``--spider``, else from warcinfo ``spider`` fields and URL owners."""
    plan = Plan(spiders=[])
    if only is not None:
        plan.spiders, plan.why[only] = [only], "--spider"
    else:
        for fields in archive.warcinfo.values():
            name = fields.get("spider")
            if name in domains and name not in plan.why:
                plan.spiders.append(name)
                plan.why[name] = "warcinfo"
            if name in domains and fields.get("spider-args"):
                try:
                    recorded = json.loads(fields["spider-args"])
                except ValueError:
                    recorded = None
                if isinstance(recorded, dict):
                    plan.args.setdefault(name, {str(k): str(v) for k, v in recorded.items()})
    for page in archive.html_pages():
        owner = owner_of(page.url, domains)
        if only is not None and owner != only:
            continue
        plan.pages.setdefault(owner, []).append(page)
        if owner is not None and owner not in plan.why:
            plan.spiders.append(owner)
            plan.why[owner] = "URL"
    plan.spiders.sort()
    return plan
