"""Turn the story pages of one issue into articles: continued stories (转版) become one.

A part marked ``（下转02版）`` is joined with the part on page 02 that has the same
title, else with the one there marked ``（上接01版）`` from this page. A part with the same
title (at least ``TITLE_MIN_CHARS``) on a later page is joined too: some papers give a
continued story a new id on each page without marks (shared/outlets.md §8.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.items import Article

TITLE_MIN_CHARS = 6


@dataclass
class Part:
    """One story page of an issue, already an Article with its WARC provenance."""

    article: Article
    page: str
    order: int
    continues_on: str | None = None
    continued_from: str | None = None

    @property
    def key(self) -> tuple[int, str, int]:
        """Reading order: page, then position on the page."""
        return (int(self.page) if self.page.isdigit() else 999, self.page, self.order)

    @property
    def title(self) -> str:
        return re.sub(r"[\s\u3000\xa0]+", "", self.article.title)


def _next_part(cur: Part, parts: list[Part], used: set[int]) -> Part | None:
    """The part that ``cur`` continues on, or None."""
    later = [p for p in parts if id(p) not in used and p is not cur and p.key > cur.key]
    if cur.continues_on:
        there = [p for p in later if p.page == cur.continues_on]
        same = [p for p in there if p.title and p.title == cur.title]
        marked = [p for p in there if p.continued_from == cur.page]
        return (same or marked or [None])[0]
    if len(cur.title) >= TITLE_MIN_CHARS:
        same = [p for p in later if p.page != cur.page and p.title == cur.title]
        return same[0] if same else None
    return None


def merge_into(into: Article, part: Article) -> None:
    """Add a continued part's pages, body, pictures and missing fields to the first part."""
    into.pages.extend(u for u in part.pages if u not in into.pages)
    into.body_html.extend(part.body_html)
    known = {i.url for i in into.images}
    into.images.extend(i for i in part.images if i.url not in known)
    for name in ("kicker", "subtitle", "editor", "published_raw"):
        if not getattr(into, name) and getattr(part, name):
            setattr(into, name, getattr(part, name))
    for name in ("authors", "correspondents"):
        getattr(into, name).extend(x for x in getattr(part, name) if x not in getattr(into, name))
    for flag in part.flags:
        if flag not in into.flags:
            into.flags.append(flag)


def assemble(parts: list[Part]) -> tuple[list[Article], int]:
    """The issue's articles in reading order, and how many parts were joined to others."""
    ordered = sorted(parts, key=lambda p: p.key)
    used: set[int] = set()
    out: list[Article] = []
    joined = 0
    for part in ordered:
        if id(part) in used:
            continue
        used.add(id(part))
        cur = part
        while (nxt := _next_part(cur, ordered, used)) is not None:
            used.add(id(nxt))
            merge_into(part.article, nxt.article)
            joined += 1
            cur = nxt
        # A mark whose other half was not found: the story is known to be incomplete.
        if (cur.continues_on or part.continued_from) and "incomplete-pages" not in part.article.flags:
            part.article.flags.append("incomplete-pages")
        out.append(part.article)
    return out, joined
