"""HTML of e-paper pages (版面) and stories per family and skin, from ``epaper_templates/``.

Skins: ``founder`` (内蒙古日报: founder-* tags, enpproperty), ``btrb`` (包头日报: ``div.text``
title table, ``div#main``), ``hhht`` (呼和浩特日报: ``tr[valign=top] strong``, ``#ozoom``,
``table[bgcolor]`` pictures), ``gmw`` (光明日报 nbs/nw to 2025 and pc/layout from 2026),
``intro`` (乌兰察布/乌海 pc/layout: ``div.intro``, ``founder-content``, ``div.pic``).
"""

from __future__ import annotations

from datetime import timedelta
from html import escape
from typing import TYPE_CHECKING, Any

from epaper_render import (
    _day,
    date_cn,
    family,
    moved_pdf_url,
    page_url,
    pdf_url,
    rel,
    skin,
    story_image_url,
    story_url,
    tpl,
)

if TYPE_CHECKING:
    from epaper_build import Ctx

FAMILY_FILE = {"classic": "classic", "nbs-nw": "nbsnw", "pc-layout": "pclayout"}


def _label(paper: dict[str, Any], issue: dict[str, Any], page: dict[str, Any]) -> str:
    prefix = "" if skin(paper, issue) == "intro" else "第"
    return f"{prefix}{page['number']}版：{page['name']}"


def _e(text: str | None) -> str:
    return escape(text or "", quote=False)


def _footer(paper: dict[str, Any]) -> str:
    return f"版权所有 {_e(paper['paper'])}社 &nbsp; 未经书面授权不得复制或建立镜像 &nbsp; {_e(paper['icp'])}"


def _link_title(ctx: Ctx) -> str:
    story = ctx.story
    if story.get("kind") == "credit":
        return f"本版责编：{ctx.page['editor']}"
    return str(story.get("title") or "")


def page(paper: dict[str, Any], issue: dict[str, Any], pg: dict[str, Any], pages: list[dict[str, Any]],
         ctxs: list[Ctx], linked_pdf: str, image: str) -> str:
    """A page (版面): page list with PDFs, page image with hot zones, story list, prev/next."""
    fam, sk = family(paper, issue), skin(paper, issue)
    url = page_url(paper, issue, pg)
    items = []
    for n, other in enumerate(pages):
        href, label = rel(url, page_url(paper, issue, other)), _label(paper, issue, other)
        pdf = pdf_url(paper, issue, other)
        pdf = rel(url, moved_pdf_url(pdf) if n == 0 else pdf)
        if fam == "classic":
            items.append(f"<TR><TD class=default><A id=pageLink href={href}>{label}</A></TD>"
                         f"<TD width=30><A href={pdf} target=_blank>"
                         f"<IMG src=../../../image/pdf.gif border=0></A></TD></TR>")
        elif fam == "nbs-nw":
            items.append(f'<li><a id="pageLink" href="{href}">{label}</a><a href="{pdf}" class="pdf">'
                         f'<img src="../../../img/pdf.png" border="0" /></a></li>')
        elif sk == "intro":
            items.append(f'<div class="swiper-slide"><a id="pageLink" href="{href}">{label}</a></div>')
        else:
            items.append(f'<li><a href="{href}">{label}</a></li>')
    stories, areas = [], []
    for ctx in ctxs:
        href, title = rel(url, story_url(ctx)), _e(_link_title(ctx))
        if fam == "classic":
            stories.append(f"<LI><A href={href}>{title}</A></LI>")
        elif sk == "gmw" and fam == "pc-layout":
            sub = f"<p>{_e(ctx.story.get('subtitle'))}</p>" if ctx.story.get("subtitle") else ""
            stories.append(f'<li><a href="{href}"><p>{title}</p>{sub}</a></li>')
        else:
            stories.append(f'<li><a href="{href}">{title}</a></li>')
        if ctx.story.get("kind") != "credit":
            query = "?div=-1" if fam == "nbs-nw" else ""
            y = 20 + 90 * ctx.order
            areas.append(f'<area shape="rect" coords="10,{y},320,{y + 80}" href="{href}{query}">')
    n = pages.index(pg)
    nav = []
    if n > 0:
        nav.append(f'<a class="preart" href="{rel(url, page_url(paper, issue, pages[n - 1]))}">上一版</a>')
    if n + 1 < len(pages):
        nav.append(f'<a class="nextart" href="{rel(url, page_url(paper, issue, pages[n + 1]))}">下一版</a>')
    return tpl(
        f"{FAMILY_FILE[fam]}_page{'' if fam != 'pc-layout' else '_' + sk}.html",
        charset=paper["meta_charset"], paper=_e(paper["paper"]), date_cn=date_cn(issue),
        page_label=_label(paper, issue, pg), image=rel(url, image), pdf=rel(url, linked_pdf),
        page_items="\n".join(items), story_items="\n".join(stories), areas="\n".join(areas),
        prev_next=" ".join(nav), footer=_footer(paper),
    )


def _enp(ctx: Ctx) -> str:
    """The Founder enpproperty comment; the CMS entry time is the evening before the issue."""
    story, day = ctx.story, _day(ctx.issue) - timedelta(days=1)
    return (f"<!--enpproperty <articleid>{story['id']}</articleid><date>{day} 21:{10 + ctx.order:02d}:07.0"
            f"</date><author>{_e(story.get('enp_author'))}</author><title>{_e(_link_title(ctx))}</title>"
            f"<keyword></keyword><subtitle>{_e(story.get('subtitle'))}</subtitle>"
            f"<introtitle>{_e(story.get('kicker'))}</introtitle><siteid>1</siteid>"
            f"<nodeid>{ctx.page.get('node', ctx.page['number'])}</nodeid>"
            f"<nodename>{_label(ctx.paper, ctx.issue, ctx.page)}</nodename>/enpproperty-->")


def _pictures(ctx: Ctx, sk: str) -> str:
    out = []
    for img in ctx.story.get("images", []):
        src, cap = rel(story_url(ctx), story_image_url(ctx, img["name"])), _e(img.get("caption"))
        if sk in ("founder", "btrb"):
            out.append(f"<TABLE class=pic align=center><TR><TD align=center><A class=pirobox_gall href={src}>"
                       f"<IMG src={src} border=0></A></TD></TR>"
                       f"<TR><TD class=font03 align=center>{cap}</TD></TR></TABLE>")
        elif sk == "hhht":
            out.append(f"<TABLE bgcolor='#d8d9bd' align=center><TR><TD align=center><IMG src={src}></TD></TR>"
                       f"<TR><TD class=font03 align=center>{cap}</TD></TR></TABLE>")
        elif sk == "intro":
            out.append(f'<div class="pic"><img src="{src}"><p>{cap}</p></div>')
        elif family(ctx.paper, ctx.issue) == "nbs-nw":
            out.append(f'<table class="c_c" align="center"><tr><td align="center"><img src="{src}" />'
                       f'</td></tr><tr><td><p>{cap}</p></td></tr></table>')
        else:
            out.append(f'<p style="text-align:center"><img src="{src}"></p>'
                       f'<p class="pic-desc" style="text-align:center">{cap}</p>')
    return "\n".join(out)


def story(ctx: Ctx, body: str) -> str:
    """A story page of the issue in the paper's skin."""
    paper, issue, st = ctx.paper, ctx.issue, ctx.story
    fam, sk = family(paper, issue), skin(paper, issue)
    title = _link_title(ctx)
    heads = "\n".join(x for x in (
        f"<h3>{_e(st.get('kicker'))}</h3>" if st.get("kicker") else "", f"<h1>{_e(title)}</h1>",
        f"<h2>{_e(st.get('subtitle'))}</h2>" if st.get("subtitle") else "") if x)
    day = _day(issue)
    printed = f"《{_e(paper['paper'])}》（ {day:%Y}年{day:%m}月{day:%d}日 {ctx.page['number']}版）"
    return tpl(
        f"{FAMILY_FILE[fam]}_story_{sk}.html",
        charset=paper["meta_charset"], paper=_e(paper["paper"]), date_cn=date_cn(issue),
        page_label=_label(paper, issue, ctx.page),
        page_href=rel(story_url(ctx), page_url(paper, issue, ctx.page)),
        title=_e(title), title_plain=_e(title), kicker=_e(st.get("kicker")), subtitle=_e(st.get("subtitle")),
        heads=heads, byline=_e(st.get("byline")), enp=_enp(ctx), pictures=_pictures(ctx, sk), body=body,
        printed=printed,
        footer=_footer(paper),
    )
