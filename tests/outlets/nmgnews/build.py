"""Build the 内蒙古新闻网 (nmgnews) mock outlet.

Rewrites ``pages/``, ``site.json`` and ``expected/`` next to this file from ``templates/``,
``articles.toml`` and the seed texts in ``<repo>/../shared/seeds``. Run it after changing any
of them and review the diff::

    .venv/bin/python tests/outlets/nmgnews/build.py [OUT_DIR]
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SEEDS = REPO.parent / "shared" / "seeds"
TEMPLATES = HERE / "templates"
CST = timezone(timedelta(hours=8))
HOST_OUTLET = "内蒙古新闻网"
ROBOTS = b"User-agent: *\nDisallow: /admin/\nDisallow: /cgi-bin/\n"
PRINT = '<a href="javascript:window.print()">打印本页</a> '
ZOOM = (
    '【字体:<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> '
    '<a href="javascript:doZoom(12)">小</a>】'
)
CHANNEL_LINKS = {
    "内蒙古新闻网首页": "http://www.nmgnews.com.cn/",
    "首页": "http://www.nmgnews.com.cn/",
    "新闻": "http://inews.nmgnews.com.cn/",
    "内蒙古新闻": "http://inews.nmgnews.com.cn/nmgxw/",
    "国内": "http://china.nmgnews.com.cn/",
    "评论": "http://inews.nmgnews.com.cn/sx/pl/index.shtml",
    "经济": "http://economy.nmgnews.com.cn/",
    "旅游": "http://travel.nmgnews.com.cn/",
    "草原社区": "http://bbs.nmgnews.com.cn/",
    "草原家园": "http://home.nmgnews.com.cn/",
}


@dataclass
class Article:
    """One article as the mock serves it, with the values a spider should extract."""

    spec: dict[str, Any]
    title: str
    date: str
    source: str
    editor: str
    pages: list[list[str]]
    chrome: Seed | None = None
    share: bool = False
    tools: str = ZOOM
    images: list[dict[str, str | None]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return str(self.spec["url"])

    @property
    def page_urls(self) -> list[str]:
        base = self.url.removesuffix(".shtml")
        return [self.url] + [f"{base}_{n:02d}.shtml" for n in range(2, len(self.pages) + 1)]

    @property
    def published(self) -> datetime:
        if self.spec["template"] == "old":
            return datetime.strptime(self.date, "%y-%m-%d %H:%M").replace(tzinfo=CST)
        return datetime.strptime(self.date, "%Y年%m月%d日 %H:%M").replace(tzinfo=CST)


@dataclass
class Seed:
    """What a seed text gives: chrome (channel bar, footer) and one article."""

    channel: str
    title: str
    date: str
    source: str
    printable: bool
    share: bool
    paragraphs: list[str]
    caption: str | None
    editor: str
    footer: list[str]


def parse_seed(number: str) -> Seed:
    """Parse seed ``number`` (e.g. "001") from shared/seeds."""
    (path,) = SEEDS.glob(f"{number}_*.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("您当前的位置"))
    share = lines[i + 1].strip() == "转播到腾讯微博"
    j = i + 2 if share else i + 1
    title, dateline = lines[j].strip(), lines[j + 1]
    date = re.search(r"\d{2}-\d{2}-\d{2} \d{2}:\d{2}", dateline)
    source = re.search(r"来源:\s*(\S+)", dateline)
    assert date and source, f"{path}: no date or source in {dateline!r}"
    paragraphs: list[str] = []
    captions: list[str] = []
    k = j + 2
    while not lines[k].startswith("[责任编辑"):
        text = lines[k].strip()
        if text:
            (paragraphs if lines[k].startswith("  ") else captions).append(text)
        k += 1
    editor = lines[k].removeprefix("[责任编辑").removesuffix("]").strip()
    footer = [line.strip() for line in lines[k + 1 :] if line.strip()]
    return Seed(
        channel=lines[0],
        title=title,
        date=date.group(),
        source=source.group(1),
        printable="打印本页" in dateline,
        share=share,
        paragraphs=paragraphs,
        caption=captions[0] if captions else None,
        editor=editor,
        footer=footer,
    )


def load_articles() -> list[Article]:
    """Read articles.toml, filling seed articles from their seeds."""
    specs = tomllib.loads((HERE / "articles.toml").read_text(encoding="utf-8"))["article"]
    articles = []
    for spec in specs:
        if "seed" in spec:
            seed = parse_seed(spec["seed"])
            art = Article(
                spec,
                seed.title,
                seed.date,
                seed.source,
                seed.editor,
                [seed.paragraphs],
                chrome=seed,
                share=seed.share,
                tools=(PRINT if seed.printable else "") + ZOOM,
            )
            if seed.caption:
                art.images.append({"url": spec["image"], "caption": seed.caption})
        else:
            pages = [[ln.strip() for ln in p.splitlines() if ln.strip()] for p in spec["pages"]]
            art = Article(
                spec,
                spec["title"],
                spec["date"],
                spec["source"],
                spec["editor"],
                pages,
                chrome=parse_seed(spec["chrome"]) if "chrome" in spec else None,
                tools=PRINT + ZOOM,
            )
            for line in (ln for p in pages for ln in p if ln.startswith("[img]")):
                url, _, caption = line.removeprefix("[img]").partition("|")
                art.images.append({"url": url.strip(), "caption": caption.strip() or None})
        articles.append(art)
    return articles


# -- expected values ------------------------------------------------------------------------


def expected(art: Article) -> dict[str, Any]:
    """The JSON a spider should produce for ``art``."""
    paragraphs = [p for page in art.pages for p in page if not p.startswith("[img]")]
    byline = art.spec.get("byline")
    if byline:
        if paragraphs[0].startswith(byline):
            paragraphs[0] = paragraphs[0].removeprefix(byline).strip()
        elif paragraphs[-1].endswith(byline):
            paragraphs[-1] = paragraphs[-1].removesuffix(byline).strip()
        else:
            raise ValueError(f"{art.url}: byline {byline!r} not at start or end")
    return {
        "url": art.url,
        "outlet": "nmgnews",
        "title": art.title,
        "section": art.spec["crumbs"][-1][0],
        "published_at": art.published.isoformat(),
        "source": art.source,
        "is_reprint": art.source != HOST_OUTLET,
        "authors": art.spec.get("authors", []),
        "correspondents": art.spec.get("correspondents", []),
        "editor": art.editor,
        "text": "\n".join(p for p in paragraphs if p),
        "images": art.images,
        "pages": art.page_urls,
    }


# -- rendering ------------------------------------------------------------------------------


def tpl(name: str, **values: str) -> str:
    """Fill template ``name`` from templates/."""
    return Template((TEMPLATES / name).read_text(encoding="utf-8")).substitute(values)


def part(name: str) -> str:
    """A template included in others (header, footer), without its final newline."""
    return tpl(name).rstrip("\n")


def old_channel(bar: str) -> str:
    """The channel bar of the old template, from a seed's first line."""
    names, _, _ = bar.partition(" 加入收藏")
    links = " - ".join(
        f'<a href="{CHANNEL_LINKS.get(n, "http://www.nmgnews.com.cn/")}">{n}</a>' for n in names.split(" - ")
    )
    return (
        f'{links} <a href="javascript:addFavorite()">加入收藏</a> | '
        '<a href="javascript:setHomepage()">设为首页</a>'
    )


def old_footer(lines: list[str]) -> str:
    """The copyright and disclaimer footer of the old template, from a seed's last lines."""
    out = ['<div class="sm">']
    links = next(n for n, line in enumerate(lines) if " | " in line)
    out += [f"<p>{escape(line, quote=False)}</p>" for line in lines[:links]]
    out.append('</div>\n<div class="bottom_links">')
    out.append(
        " | ".join(f'<a href="http://www.nmgnews.com.cn/about/">{n}</a>' for n in lines[links].split(" | "))
    )
    out.append('</div>\n<div class="copyright">')
    out.append(
        "<br />\n".join(escape(line, quote=False).replace("©", "&copy;") for line in lines[links + 1 :])
    )
    out.append("</div>")
    return "\n".join(out)


def crumbs_html(crumbs: list[list[str]], sep: str) -> str:
    """Breadcrumb links joined by ``sep``."""
    return sep.join(f'<a href="{u}">{escape(n)}</a>' for n, u in crumbs)


def old_pager(art: Article, index: int) -> str:
    """The ``#news_more_page_div_id`` pager of page ``index`` (0-based) of a multi-page article."""
    if len(art.pages) == 1:
        return ""
    names = [u.rsplit("/", 1)[1] for u in art.page_urls]
    parts = []
    if index > 0:
        parts.append(f'<a href="{names[index - 1]}">上一页</a>')
    for n, name in enumerate(names):
        parts.append(f"<span>{n + 1}</span>" if n == index else f'<a href="{name}">{n + 1}</a>')
    if index < len(names) - 1:
        parts.append(f'<a href="{names[index + 1]}">下一页</a>')
    return f'<div id="news_more_page_div_id">{" ".join(parts)}</div>\n'


def old_article(art: Article, index: int) -> bytes:
    """Page ``index`` of an old-template article, as GBK bytes."""
    paragraphs = []
    if index == 0 and art.images:
        for image in art.images:
            paragraphs.append(f'<p align="center"><img src="{image["url"]}" border="0" /></p>')
            paragraphs.append(f'<p align="center">{escape(image["caption"] or "", quote=False)}</p>')
    for text in art.pages[index]:
        body = escape(text, quote=False)
        if art.spec.get("seed") == "004" and "。" not in text:
            body = f"<strong>{body}</strong>"
        paragraphs.append(f"<p>\u3000\u3000{body}</p>")
    chrome = art.chrome
    assert chrome is not None, art.url
    html = tpl(
        "old_article.html",
        charset=art.spec["meta_charset"],
        title=escape(art.title),
        channel=old_channel(chrome.channel),
        crumbs=crumbs_html(art.spec["crumbs"], "&nbsp;&gt;&nbsp;"),
        share=(
            '<div class="share"><a href="javascript:postToWb();">转播到腾讯微博</a></div>\n'
            if art.share
            else ""
        ),
        date=art.date,
        tools=art.tools,
        source=art.source,
        content="\n".join(paragraphs),
        pager=old_pager(art, index),
        editor=art.editor,
        footer=old_footer(chrome.footer),
    )
    return gbk(html)


def gbk(html: str) -> bytes:
    """Encode as GBK, checking that a GB18030 decoder gives the same text back."""
    data = html.encode("gbk")
    assert data.decode("gb18030") == html
    return data


def article_2025(art: Article) -> bytes:
    """A 2025-template article, as UTF-8 bytes."""
    indent = "<p>\u3000\u3000" if art.spec.get("indent") == "fullwidth" else '<p style="text-indent:2em;">'
    paragraphs = []
    for text in art.pages[0]:
        if text.startswith("[img]"):
            url, _, caption = text.removeprefix("[img]").partition("|")
            paragraphs.append(f'<p style="text-align:center;"><img src="{url.strip()}" alt="" /></p>')
            if caption.strip():
                paragraphs.append(
                    f'<p class="pic-title" style="text-align:center;">{escape(caption.strip())}</p>'
                )
        else:
            paragraphs.append(f"{indent}{escape(text, quote=False)}</p>")
    editor = f"责任编辑：{art.editor}"
    if art.spec.get("editor_in_content"):
        paragraphs.append(f'<p class="article-editor" style="text-align:right;">{editor}</p>')
        editor_div = ""
    else:
        editor_div = f'<div class="article-editor">{editor}</div>\n'
    first = next(p for p in art.pages[0] if not p.startswith("[img]"))
    html = tpl(
        "article_2025.html",
        meta='<meta charset="utf-8">\n' if art.spec.get("meta_charset") else "",
        title=escape(art.title),
        description=escape(first[:60]),
        header=part("header_2025.html"),
        crumbs=crumbs_html(art.spec["crumbs"], " &gt; ") + " &gt; 正文",
        date=art.date,
        source=art.source,
        content="\n".join(paragraphs),
        editor=editor_div,
        footer=part("footer_2025.html"),
    )
    return html.encode("utf-8")


# -- lists ----------------------------------------------------------------------------------

PALETTES = [
    ((135, 190, 235), (95, 150, 60)),
    ((230, 200, 140), (150, 110, 60)),
    ((200, 40, 40), (250, 220, 90)),
]
DEAD_ARTICLE = "https://inews.nmgnews.com.cn/system/2025/06/20/030204410.shtml"
Entry = tuple[str, str, str]  # href, title, date


def entry(arts: dict[str, Article], aid: str, href: str | None = None, fmt: str = "%Y-%m-%d") -> Entry:
    """A list entry for article ``aid`` (href defaults to its URL)."""
    art = arts[aid]
    return href or art.url, art.title, art.published.strftime(fmt)


def list_2025_pages(arts: dict[str, Article]) -> list[list[Entry]]:
    """The three pages of https://inews.nmgnews.com.cn/nmgxw/."""
    redirect = arts["030209841"].spec["redirect_from"]
    return [
        [
            entry(arts, "030221196"),
            entry(arts, "030215002", "../system/2025/08/12/030215002.shtml"),
            ("https://inews.nmgnews.com.cn/zt/dlfjdwn/", "【专题】奋进新征程 建功新时代", "2025-08-01"),
        ],
        [
            entry(arts, "030209841", redirect),
            (DEAD_ARTICLE, "我区举办2025年全民健身运动会", "2025-06-20"),
            entry(arts, "030192377", "/system/2025/05/08/030192377.shtml"),
        ],
        [entry(arts, "030188210"), entry(arts, "030187652", "../system/2025/04/16/030187652.shtml")],
    ]


def pager_2025(index: int, count: int) -> str:
    """The pager of page ``index`` (0-based) of a 2025 list."""
    name = ["index.shtml"] + [f"index_{n}.shtml" for n in range(2, count + 1)]
    parts = ['<a href="index.shtml">首页</a>']
    if index > 0:
        parts.append(f'<a class="prev" href="{name[index - 1]}">上一页</a>')
    for n in range(count):
        parts.append(
            f'<span class="current">{n + 1}</span>' if n == index else f'<a href="{name[n]}">{n + 1}</a>'
        )
    if index < count - 1:
        parts.append(f'<a class="next" href="{name[index + 1]}">下一页</a>')
    parts.append(f'<a href="{name[-1]}">尾页</a>')
    return f'<div class="pages">{" ".join(parts)}</div>'


def list_2025(column: str, crumbs: str, desc: str, body: str) -> bytes:
    """A 2025-template column page."""
    return tpl(
        "list_2025.html",
        column=column,
        crumbs=crumbs,
        description=desc,
        list=body,
        header=part("header_2025.html"),
        footer=part("footer_2025.html"),
    ).encode("utf-8")


def focus_list(entries: list[Entry], pager: str) -> str:
    """``div.focus_list.fr`` as on /nmgxw/."""
    items = "\n".join(
        f'<li><a href="{h}" target="_blank">{escape(t)}</a><span>{d}</span></li>' for h, t, d in entries
    )
    return f'<div class="focus_list fr">\n<ul>\n{items}\n</ul>\n{pager}\n</div>'


def old_list(arts: dict[str, Article], rows: list[Entry], pager: str) -> bytes:
    """A page of the old column http://ztpd.nmgnews.com.cn/cxzy/cxzyjxs/ (GBK)."""
    seed = arts["010437585"].chrome
    assert seed is not None
    body = "\n".join(
        f'<tr><td class="f14bla"><a href="{h}" target="_blank">{escape(t)}</a></td>'
        f'<td class="date">{d}</td></tr>'
        for h, t, d in rows
    )
    crumbs = (
        crumbs_html(arts["010437585"].spec["crumbs"][:-1], "&nbsp;&gt;&nbsp;")
        + "&nbsp;&gt;&nbsp;创先争优进行时"
    )
    return gbk(
        tpl(
            "old_list.html",
            column="创先争优进行时",
            channel=old_channel(seed.channel),
            crumbs=crumbs,
            rows=body,
            pager=pager,
            footer=old_footer(seed.footer),
        )
    )


# -- images ---------------------------------------------------------------------------------


def jpeg(width: int, height: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> bytes:
    """A valid baseline JPEG: ``top`` colour above, ``bottom`` below (sizes multiples of 8)."""

    def ycc(rgb: tuple[int, int, int]) -> list[int]:
        r, g, b = rgb
        y = 0.299 * r + 0.587 * g + 0.114 * b
        cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
        cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
        return [8 * (round(v) - 128) for v in (y, cb, cr)]  # DC of a flat block, quantiser 1

    bits: list[int] = []
    pred = [0, 0, 0]
    for by in range(height // 8):
        colour = ycc(top if by < height // 16 else bottom)
        for _bx in range(width // 8):
            for c in range(3):
                diff, pred[c] = colour[c] - pred[c], colour[c]
                cat = abs(diff).bit_length()
                bits += [int(x) for x in f"{cat:04b}"]  # DC code: 4-bit canonical code = category
                if cat:
                    value = diff if diff > 0 else diff + (1 << cat) - 1
                    bits += [int(x) for x in f"{value:0{cat}b}"]
                bits.append(0)  # AC: end of block
    bits += [1] * (-len(bits) % 8)
    data = bytes(int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits), 8))
    data = data.replace(b"\xff", b"\xff\x00")

    def seg(marker: int, payload: bytes) -> bytes:
        return struct.pack(">HH", 0xFF00 | marker, len(payload) + 2) + payload

    comps = b"".join(bytes([c, 0x11, 0]) for c in (1, 2, 3))
    dht = bytes([0x00]) + bytes([0, 0, 0, 12] + [0] * 12) + bytes(range(12))
    dht += bytes([0x10]) + bytes([1] + [0] * 15) + b"\x00"
    return (
        b"\xff\xd8"
        + seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + seg(0xDB, b"\x00" + b"\x01" * 64)
        + seg(0xC0, struct.pack(">BHHB", 8, height, width, 3) + comps)
        + seg(0xC4, dht)
        + seg(0xDA, b"\x03\x01\x00\x02\x00\x03\x00\x00\x3f\x00")
        + data
        + b"\xff\xd9"
    )


# -- site -----------------------------------------------------------------------------------


class Site:
    """Collects files and routes, then writes pages/ and site.json."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.routes: list[dict[str, Any]] = []

    def page_path(self, url: str) -> str:
        parts = urlsplit(url)
        path = parts.path + ("index.shtml" if parts.path.endswith("/") else "")
        return f"pages/{parts.hostname}{path}"

    def add(
        self, url: str, body: bytes, headers: list[list[str]], *, file: str | None = None, **extra: Any
    ) -> None:
        file = file or self.page_path(url)
        assert self.files.get(file, body) == body, f"{file} written twice with different bytes"
        self.files[file] = body
        self.routes.append({"url": url, "file": file, "headers": headers, **extra})

    def write(self, out: Path) -> None:
        for name, body in self.files.items():
            path = out / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
        origins = sorted({(urlsplit(r["url"]).scheme, urlsplit(r["url"]).netloc) for r in self.routes})
        for scheme, host in origins:
            self.routes.append(
                {
                    "url": f"{scheme}://{host}/robots.txt",
                    "file": f"pages/{host}/robots.txt",
                    "headers": [["Server", "nginx"], ["Content-Type", "text/plain"]],
                }
            )
            (out / "pages" / host).mkdir(parents=True, exist_ok=True)
            (out / "pages" / host / "robots.txt").write_bytes(ROBOTS)
        site = {
            "outlet": "nmgnews",
            "description": "内蒙古新闻网 nmgnews.com.cn, generated by build.py; do not edit by hand",
            "not_found": {
                "file": "pages/404.html",
                "headers": [["Server", "nginx"], ["Content-Type", "text/html; charset=utf-8"]],
            },
            "routes": self.routes,
        }
        (out / "site.json").write_text(
            json.dumps(site, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )


def html_headers(content_type: str, when: datetime | None = None) -> list[list[str]]:
    """Server, Content-Type and (for articles) Last-Modified."""
    headers = [["Server", "nginx"], ["Content-Type", content_type]]
    if when is not None:
        headers.append(["Last-Modified", format_datetime(when.astimezone(UTC), usegmt=True)])
    return headers


def build(out: Path = HERE) -> None:
    """Regenerate pages/, expected/ and site.json under ``out`` (default: next to this file)."""
    for directory in (out / "pages", out / "expected"):
        if directory.exists():
            shutil.rmtree(directory)
    (out / "expected").mkdir(parents=True)
    articles = load_articles()
    arts = {a.spec["id"]: a for a in articles}
    site = Site()
    site.files["pages/404.html"] = tpl("not_found.html").encode("utf-8")
    site.files["pages/301.html"] = tpl("moved.html").encode("utf-8")

    for art in articles:
        when = art.published
        if art.spec["template"] == "old":
            for n, url in enumerate(art.page_urls):
                site.add(url, old_article(art, n), html_headers(art.spec["content_type"], when))
        else:
            extra = {"gzip": True} if art.spec.get("gzip") else {}
            site.add(art.url, article_2025(art), html_headers("text/html", when), **extra)
        if "redirect_from" in art.spec:
            site.routes.append(
                {
                    "url": art.spec["redirect_from"],
                    "status": 301,
                    "file": "pages/301.html",
                    "headers": [["Server", "nginx"], ["Content-Type", "text/html"], ["Location", art.url]],
                }
            )
        for image in art.images:
            colours = PALETTES[sum(1 for f in site.files if f.endswith(".jpg")) % len(PALETTES)]
            site.add(str(image["url"]), jpeg(64, 48, *colours), html_headers("image/jpeg", when))
        (out / "expected" / f"{art.spec['id']}.json").write_text(
            json.dumps(expected(art), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )

    # 2025 column /nmgxw/: three pages, index.shtml is the directory index too
    home_crumbs = '<a href="https://www.nmgnews.com.cn/">首页</a> &gt; '
    pages = list_2025_pages(arts)
    for n, entries in enumerate(pages):
        body = list_2025(
            "内蒙古新闻",
            home_crumbs + "内蒙古新闻",
            "内蒙古自治区各地新闻",
            focus_list(entries, pager_2025(n, len(pages))),
        )
        name = "index.shtml" if n == 0 else f"index_{n + 1}.shtml"
        if n == 0:
            site.add("https://inews.nmgnews.com.cn/nmgxw/", body, html_headers("text/html"))
        site.add(f"https://inews.nmgnews.com.cn/nmgxw/{name}", body, html_headers("text/html"))
    # 2025 column /ywsd/ on china: one page, section.text_list, gzip
    items = "\n".join(
        f'<li><a href="{h}" target="_blank">{escape(t)}</a><span class="time">{d}</span></li>'
        for h, t, d in [
            entry(arts, "030201557", "/system/2025/06/10/030201557.shtml"),
            entry(arts, "030189004"),
        ]
    )
    body = list_2025(
        "要闻速递",
        home_crumbs + '<a href="https://china.nmgnews.com.cn/">国内</a> &gt; 要闻速递',
        "国内要闻",
        f'<section class="text_list fr">\n<ul>\n{items}\n</ul>\n</section>',
    )
    site.add("https://china.nmgnews.com.cn/ywsd/", body, html_headers("text/html"), gzip=True)
    # old column 创先争优进行时: two pages
    fmt = "%y-%m-%d"
    page1 = [
        entry(arts, "010654328", "/system/2011/10/14/010654328.shtml", fmt),
        entry(arts, "010437585", fmt=fmt),
        ("http://ztpd.nmgnews.com.cn/cxzy/", "内蒙古创先争优活动专题首页", ""),
    ]
    page2 = [entry(arts, "012739043", fmt=fmt)]
    site.add(
        "http://ztpd.nmgnews.com.cn/cxzy/cxzyjxs/",
        old_list(arts, page1, '共2页 <a class="next" href="index_1.shtml">下一页</a>'),
        html_headers("text/html; charset=gb2312"),
    )
    site.add(
        "http://ztpd.nmgnews.com.cn/cxzy/cxzyjxs/index_1.shtml",
        old_list(arts, page2, '共2页 <a class="prev" href="./">上一页</a>'),
        html_headers("text/html; charset=gb2312"),
    )
    # home page (two cookies) and its http -> https redirect
    home = tpl("home.html", header=part("header_2025.html"), footer=part("footer_2025.html")).encode("utf-8")
    site.add(
        "https://www.nmgnews.com.cn/",
        home,
        [
            *html_headers("text/html; charset=utf-8"),
            ["Set-Cookie", "nmg_uid=7f3a9c21; Path=/; Domain=.nmgnews.com.cn"],
            ["Set-Cookie", "nmg_visit=1; Path=/; Max-Age=1800"],
        ],
        file="pages/www.nmgnews.com.cn/index.html",
    )
    site.routes.append(
        {
            "url": "http://www.nmgnews.com.cn/",
            "status": 301,
            "file": "pages/301.html",
            "headers": [
                ["Server", "nginx"],
                ["Content-Type", "text/html"],
                ["Location", "https://www.nmgnews.com.cn/"],
            ],
        }
    )
    assert DEAD_ARTICLE not in {a.url for a in articles}
    site.write(out)


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
