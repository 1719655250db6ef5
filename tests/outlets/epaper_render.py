"""Render the pages of an e-paper mock: URLs per family, HTML per skin, routes of site.json."""

from __future__ import annotations

import json
import posixpath
from datetime import date
from html import escape
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import epaper_media as media

if TYPE_CHECKING:
    from epaper_build import Ctx

TEMPLATES = Path(__file__).resolve().parent / "epaper_templates"
WEEKDAYS = "一二三四五六日"
ROBOTS = b"User-agent: *\nDisallow: /admin/\nDisallow: /cgi-bin/\n"
BREAK = "¦"


def family(paper: dict[str, Any], issue: dict[str, Any]) -> str:
    return str(issue.get("family", paper["family"]))


def skin(paper: dict[str, Any], issue: dict[str, Any]) -> str:
    return str(issue.get("skin", paper["skin"]))


# -- URLs ---------------------------------------------------------------------------------------


def _day(issue: dict[str, Any]) -> date:
    return date.fromisoformat(issue["date"])


def issue_dir(paper: dict[str, Any], issue: dict[str, Any]) -> str:
    day, base = _day(issue), paper["base"]
    if family(paper, issue) == "pc-layout":
        return f"{base}/layout/{day:%Y%m/%d}"
    return f"{base}/{day:%Y-%m/%d}"


def page_url(paper: dict[str, Any], issue: dict[str, Any], page: dict[str, Any]) -> str:
    fam, folder = family(paper, issue), issue_dir(paper, issue)
    if fam == "classic":
        return f"{folder}/node_{page['node']}.htm"
    if fam == "nbs-nw":
        return f"{folder}/nbs.D110000{paper['code']}_{page['number']}.htm"
    return f"{folder}/node_{page['number']}.html"


def story_url(ctx: Ctx) -> str:
    paper, issue, page, story = ctx.paper, ctx.issue, ctx.page, ctx.story
    fam, folder, day = family(paper, issue), issue_dir(paper, issue), _day(issue)
    if fam == "classic":
        node = f"{page['node']}_" if paper.get("content_ids") == "node_article" else ""
        return f"{folder}/content_{node}{story['id']}.htm"
    if fam == "nbs-nw":
        return f"{folder}/nw.D110000{paper['code']}_{day:%Y%m%d}_{ctx.order + 1}-{page['number']}.htm"
    return f"{paper['base']}/content/{day:%Y%m/%d}/content_{story['id']}.html"


def _res(paper: dict[str, Any], issue: dict[str, Any], page: str) -> str:
    """Folder of a page's resources (PDF, page image, story pictures)."""
    fam, day, base = family(paper, issue), _day(issue), paper["base"]
    root = base.rsplit("/", 1)[0]
    if fam == "classic":
        return f"{root}/resfile/{day:%Y-%m-%d}/{page}"
    if fam == "nbs-nw":
        return f"{root}/images/{day:%Y-%m/%d}/{page}"
    return f"{base}/images/{day:%Y%m/%d}/{page}"


def pdf_url(paper: dict[str, Any], issue: dict[str, Any], page: dict[str, Any]) -> str:
    stem = f"{paper['code']}{_day(issue):%Y%m%d}{page['number']}"
    return f"{_res(paper, issue, page['number'])}/{stem}.pdf"


def moved_pdf_url(url: str) -> str:
    """Where page 01 links its PDF: http:// on https sites, ``.PDF`` on plain-http ones (301s)."""
    return "http://" + url.removeprefix("https://") if url.startswith("https://") else url[:-4] + ".PDF"


def page_image_url(paper: dict[str, Any], issue: dict[str, Any], page: dict[str, Any]) -> str:
    stem = f"{paper['code']}{_day(issue):%Y%m%d}{page['number']}"
    return f"{_res(paper, issue, page['number'])}/{stem}_b.jpg"


def story_image_url(ctx: Ctx, name: str) -> str:
    return f"{_res(ctx.paper, ctx.issue, ctx.page['number'])}/{name}.jpg"


def rel(from_url: str, to_url: str) -> str:
    """``to_url`` relative to ``from_url`` when on the same origin (Founder pages use ``../../../``)."""
    a, b = urlsplit(from_url), urlsplit(to_url)
    if (a.scheme, a.netloc) != (b.scheme, b.netloc):
        return to_url
    return posixpath.relpath(b.path, posixpath.dirname(a.path))


# -- HTML ---------------------------------------------------------------------------------------


def tpl(name: str, **values: Any) -> str:
    return Template((TEMPLATES / name).read_text(encoding="utf-8")).substitute(**values)


def date_cn(issue: dict[str, Any]) -> str:
    day = _day(issue)
    return f"{day.year}年{day.month:02d}月{day.day:02d}日 星期{WEEKDAYS[day.weekday()]}"


def _paras(texts: list[str], indent: str, tag: str) -> list[str]:
    """``<p>`` elements of paragraphs; a ``¦`` print break starts a new element (no indent)."""
    out = []
    for text in texts:
        for n, piece in enumerate(text.split(BREAK)):
            out.append(f"<{tag}>{indent if n == 0 else ''}{escape(piece, quote=False)}</{tag}>")
    return out


def body(ctx: Ctx, marks: tuple[str | None, str | None]) -> str:
    """The story's body: lead bylines, dateline, paragraphs, tail, continuation marks, repeats."""
    story, fam = ctx.story, family(ctx.paper, ctx.issue)
    indent, tag = ("　　", "P") if fam != "pc-layout" else ("", "p")
    texts = list(story.get("paragraphs", []))
    to_page, from_page = marks
    if texts and story.get("dateline"):
        texts[0] = story["dateline"] + texts[0]
    if texts and from_page:
        texts[0] = f"（上接{from_page}版）" + texts[0]
    lead = _paras(story.get("lead", []), "", tag)
    copy = _paras(texts, indent, tag)
    if story.get("repeat"):
        # The CMS duplication of seed 003: the story without its first paragraph, then the
        # title, then the byline and the whole story ``repeat`` times.
        heads = _paras([t for t in (story.get("kicker"), story["title"]) if t], "", tag)
        parts = copy[1:] + heads + (lead + copy) * story["repeat"]
    else:
        parts = lead + copy
    parts += _paras(story.get("tail", []), indent, tag)
    if to_page:
        parts.append(f"<{tag}>（下转{to_page}版）</{tag}>")
    return "\n".join(parts)


class Site:
    """Files and routes of one mock outlet."""

    def __init__(self, paper: dict[str, Any]) -> None:
        self.paper = paper
        self.files: dict[str, bytes] = {}
        self.routes: list[dict[str, Any]] = []

    def add(self, url: str, data: bytes, ctype: str, *, file: str | None = None) -> None:
        parts = urlsplit(url)
        file = file or f"pages/{parts.netloc.replace(':', '_')}{parts.path}"
        assert self.files.get(file, data) == data, f"{file} written twice with different bytes"
        self.files[file] = data
        headers = [["Server", self.paper.get("server", "nginx")], ["Content-Type", ctype]]
        self.routes.append({"url": url, "file": file, "headers": headers})

    def html(self, url: str, text: str, *, file: str | None = None) -> None:
        self.add(url, text.encode(self.paper.get("encoding", "utf-8")), self.paper["content_type"], file=file)

    def moved(self, url: str, target: str) -> None:
        server = self.paper.get("server", "nginx")
        self.routes.append({"url": url, "status": 301, "file": "pages/301.html", "headers": [
            ["Server", server], ["Content-Type", "text/html"], ["Location", target]]})

    def write(self, out: Path) -> None:
        self.files["pages/404.html"] = tpl("404.html").encode("utf-8")
        self.files["pages/301.html"] = tpl("301.html").encode("utf-8")
        origins = sorted({(urlsplit(r["url"]).scheme, urlsplit(r["url"]).netloc) for r in self.routes})
        for scheme, host in origins:
            self.add(f"{scheme}://{host}/robots.txt", ROBOTS, "text/plain",
                     file=f"pages/{host.replace(':', '_')}/robots-{scheme}.txt")
        for name, data in self.files.items():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            (out / name).write_bytes(data)
        site = {
            "outlet": self.paper["spider"],
            "description": self.paper["description"] + " Generated by ../epaper_build.py; do not edit.",
            "not_found": {"file": "pages/404.html", "headers": [
                ["Server", self.paper.get("server", "nginx")], ["Content-Type", "text/html; charset=utf-8"]]},
            "routes": self.routes,
        }
        text = json.dumps(site, ensure_ascii=False, indent=2) + "\n"
        (out / "site.json").write_text(text, encoding="utf-8")


def issue(site: Site, paper: dict[str, Any], issue: dict[str, Any], ctxs: list[Ctx]) -> None:
    """Every page, story, PDF and image of one issue."""
    import epaper_skins as skins

    pages = issue["page"]
    heads = {c.story["id"]: c for c in ctxs}
    marks: dict[int, tuple[str | None, str | None]] = {}
    for ctx in ctxs:
        head_id = ctx.story.get("part_of")
        if head_id and ctx.story.get("mark"):
            head = heads[head_id]
            marks[id(head)] = (ctx.page["number"], marks.get(id(head), (None, None))[1])
            marks[id(ctx)] = (marks.get(id(ctx), (None, None))[0], head.page["number"])
    for n, page in enumerate(pages):
        url = page_url(paper, issue, page)
        pdf, image = pdf_url(paper, issue, page), page_image_url(paper, issue, page)
        label = f"{paper['spider']} {issue['date']} page {page['number']}"
        site.add(pdf, media.pdf(label), "application/pdf")
        site.add(image, media.jpeg(64, 96, label), "image/jpeg")
        linked_pdf = pdf
        if n == 0:
            linked_pdf = moved_pdf_url(pdf)
            site.moved(linked_pdf, pdf)
        on_page = [c for c in ctxs if c.page is page]
        html = skins.page(paper, issue, page, pages, on_page, linked_pdf, image)
        site.html(url, html)
        if n == 0 and issue.get("front"):  # a per-date entry page that copies the front page
            site.html(f"{issue_dir(paper, issue)}/{issue['front']}", html, file=site.routes[-1]["file"])
        for ctx in on_page:
            site.html(story_url(ctx), skins.story(ctx, body(ctx, marks.get(id(ctx), (None, None)))))
            for img in ctx.story.get("images", []):
                site.add(story_image_url(ctx, img["name"]), media.jpeg(96, 64, img["name"]), "image/jpeg")
