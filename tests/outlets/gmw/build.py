"""Build the 光明网 (gmw) mock outlet from ``articles.toml``.

Two columns: 时政要闻 ``https://politics.gmw.cn/node_9840.htm`` (pages ``node_9840_2.htm`` and
``node_9840_3.htm``, linked by the ``#displaypagenum`` pager) and 光明导读
``https://news.gmw.cn/node_4108.htm`` (one page). Articles use the current template
(``h1.u-title``, ``.m-con-time``, ``.m-con-source``, ``.u-mainText``, ``[责编：X]``) or, once,
the older one (``#contentMsg``, ``#pubTime``, ``#contentMain``); one article has two pages
(``content_N_2.htm``, its ``<title>`` ending in ``(2)``). Markup follows shared/outlets.md §2;
what that page marks [G] (the breadcrumb ``.g-crumbs``, list pager markup) is a guess here too.

Rewrites ``pages/``, ``site.json`` and ``expected/`` next to this file::

    .venv/bin/python tests/outlets/gmw/build.py [OUT_DIR]
"""

from __future__ import annotations

import json
import shutil
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHANNELS = {"politics": ("时政频道", "https://politics.gmw.cn/"), "news": ("新闻频道", "https://news.gmw.cn/")}
COLUMNS = {
    "politics": ("时政要闻", "https://politics.gmw.cn/node_9840.htm"),
    "news": ("光明导读", "https://news.gmw.cn/node_4108.htm"),
}
HEADERS = [["Server", "nginx"], ["Content-Type", "text/html"], ["Cache-Control", "max-age=60"]]
DEAD = "https://politics.gmw.cn/2025-08/12/content_38555510.htm"
ROBOTS = "User-agent: *\nDisallow: /cgi-bin/\n"
NAV = ('<div class="g-header"><div class="m-nav"><a href="https://www.gmw.cn/">光明网首页</a> '
       '<a href="https://news.gmw.cn/">新闻</a> <a href="https://politics.gmw.cn/">时政</a> '
       '<a href="https://world.gmw.cn/">国际</a> <a href="https://theory.gmw.cn/">理论</a> '
       '<a href="https://guancha.gmw.cn/">评论</a> <a href="https://epaper.gmw.cn/">光明日报</a></div></div>')
FOOTER = ('<div class="g-footer"><p><a href="https://www.gmw.cn/aboutus.htm">关于光明网</a> | '
          '<a href="https://www.gmw.cn/contact.htm">联系我们</a></p>'
          "<p>光明网版权所有 Copyright © 1999-2026 www.gmw.cn. All Rights Reserved.</p></div>")


@dataclass
class Article:
    """One article of articles.toml with what the spider should extract."""

    spec: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.spec[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def page_urls(self) -> list[str]:
        extra = self.spec.get("pages", [])
        base = self.url.removesuffix(".htm")
        return [self.url] + [f"{base}_{n}.htm" for n in range(2, len(extra) + 2)]

    @property
    def served_pages(self) -> list[list[str]]:
        first = list(self.paragraphs)
        if "dateline" in self.spec:
            first[0] = f"{self.dateline}（{self.byline}）{first[0]}"
        pages = [first, *self.spec.get("pages", [])]
        if "tail" in self.spec:
            pages[-1] = [*pages[-1], self.tail]
        return pages

    def expected(self) -> dict[str, Any]:
        text = list(self.paragraphs)
        if "dateline" in self.spec:
            text[0] = f"{self.dateline} {text[0]}"
        for more in self.spec.get("pages", []):
            text.extend(more)
        images = [{"url": self.image, "caption": self.caption}] if "image" in self.spec else []
        date, clock = self.time.split()
        return {
            "url": self.url, "outlet": "gmw", "title": self.title, "section": self.section,
            "published_at": f"{date}T{clock}:00+08:00", "source": self.source,
            "is_reprint": self.source != "光明网", "authors": self.authors,
            "correspondents": self.spec.get("correspondents", []), "editor": self.editor,
            "text": "\n".join(text), "images": images, "pages": self.page_urls,
        }


def crumbs(art: Article, sep: str = " &gt; ", attr: str = 'class="g-crumbs"') -> str:
    channel, channel_url = CHANNELS[art.column]
    column, column_url = COLUMNS[art.column]
    return (f'<div {attr}><a href="https://www.gmw.cn/">首页</a>{sep}<a href="{channel_url}">{channel}</a>'
            f'{sep}<a href="{column_url}">{column}</a></div>')


def body_html(art: Article, paragraphs: list[str], first: bool) -> str:
    out = []
    if first and "image" in art.spec:
        out.append(f'<p style="text-align:center"><img src="{art.image}" border="0"></p>')
        out.append(f'<p style="text-align:center">{art.caption}</p>')
    out += [f"<p>　　{p}</p>" for p in paragraphs]
    return "\n".join(out)


def pager(urls: list[str], current: int) -> str:
    """The ``#displaypagenum`` pager: page numbers, 上一页 / 下一页 (relative links)."""
    if len(urls) < 2:
        return ""
    names = [u.rsplit("/", 1)[1] for u in urls]
    parts = []
    if current > 0:
        parts.append(f'<a href="{names[current - 1]}">上一页</a>')
    for n, name in enumerate(names):
        parts.append(f"<span>{n + 1}</span>" if n == current else f'<a href="{name}">{n + 1}</a>')
    if current < len(names) - 1:
        parts.append(f'<a href="{names[current + 1]}">下一页</a>')
    return '<div id="displaypagenum"><center>' + "&nbsp;".join(parts) + "</center></div>"


def related(art: Article) -> str:
    column, column_url = COLUMNS[art.column]
    return (f'<div class="m-relate"><h3>相关新闻</h3><ul><li><a href="{column_url}">更多{column}</a></li>'
            '<li><a href="https://guancha.gmw.cn/node_11273.htm">光明网评论员</a></li></ul></div>')


def page_2020(art: Article, n: int, paragraphs: list[str]) -> str:
    suffix = f"({n + 1})" if n else ""
    channel = CHANNELS[art.column][0]
    source = f"来源：{art.source}"
    if art.spec.get("source_link"):
        source = f'来源：<a href="https://epaper.gmw.cn/" target="_blank">{art.source}</a>'
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{art.title}{suffix}_{channel}_光明网</title>
<meta name="keywords" content="{art.section}" />
<link rel="stylesheet" type="text/css" href="https://img.gmw.cn/css/con_style.css" />
</head>
<body>
{NAV}
{crumbs(art)}
<div class="g-main">
<div class="m-title-box"><h1 class="u-title">{art.title}{suffix}</h1>
<div class="m-con-info"><span class="m-con-time">{art.time}</span>
<span class="m-con-source">{source}</span></div></div>
<div id="articleBox"><div id="article_inbox">
<div class="u-mainText" id="ContentPh">
{body_html(art, paragraphs, n == 0)}
</div>
{pager(art.page_urls, n)}
<div class="m-zbTool liability">[责编：{art.editor}]</div>
</div></div>
{related(art)}
</div>
{FOOTER}
</body>
</html>
"""


def page_2012(art: Article, n: int, paragraphs: list[str]) -> str:
    return f"""<html>
<head>
<meta charset="utf-8">
<title>{art.title}_光明网</title>
</head>
<body>
{NAV}
{crumbs(art, " &gt;&gt; ", 'id="contentBreadcrumbs2"')}
<div id="contentBox">
<h1 id="articleTitle">{art.title}</h1>
<div id="contentMsg"><span id="pubTime">{art.time}</span>&nbsp;&nbsp;<span id="source">来源：<a href="https://www.gmw.cn/">{art.source}</a></span></div>
<div id="contentMain">
{body_html(art, paragraphs, n == 0)}
</div>
<div id="contentLiability">[责任编辑:{art.editor}]</div>
</div>
{FOOTER}
</body>
</html>
"""


def list_pages(column: str, rows: list[list[tuple[str, str, str]]]) -> list[tuple[str, str]]:
    """(URL, HTML) of each page of a column; rows are (href as listed, title, date)."""
    name, first = COLUMNS[column]
    urls = [first] + [first.replace(".htm", f"_{n}.htm") for n in range(2, len(rows) + 1)]
    out = []
    for n, items in enumerate(rows):
        lis = "\n".join(
            f'<li><span class="channel-newsTitle"><a href="{href}" target="_blank">{title}</a></span>'
            f'<span class="channel-newsTime">{date}</span></li>' for href, title, date in items)
        html = f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{name}_{CHANNELS[column][0]}_光明网</title>
</head>
<body>
{NAV}
<div class="channelMain">
<div class="channelLeftPart">
<div class="channel-tit"><h2>{name}</h2></div>
<ul class="channel-newsGroup">
{lis}
</ul>
{pager(urls, n)}
</div>
<div class="channelRightPart"><h3>专题</h3><ul>
<li><a href="https://politics.gmw.cn/node_9844.htm">高层动态</a></li>
<li><a href="https://topics.gmw.cn/node_150000.htm">两会专题</a></li></ul></div>
</div>
{FOOTER}
</body>
</html>
"""
        out.append((urls[n], html))
    return out


def relative(url: str, base: str) -> str:
    """The href a gmw list writes: relative inside its own channel, absolute across channels."""
    return url.removeprefix(base) if url.startswith(base) else url


def main(out: Path = HERE) -> None:
    """Write pages/, expected/ and site.json into ``out`` (default: next to this file)."""
    specs = tomllib.loads((HERE / "articles.toml").read_text(encoding="utf-8"))["article"]
    articles = [Article(s) for s in specs]
    by_url = {a.url: a for a in articles}
    for d in ("pages", "expected"):
        shutil.rmtree(out / d, ignore_errors=True)
        (out / d).mkdir(parents=True)
    files: dict[str, tuple[str, bytes, list]] = {}

    def add(url: str, body: bytes, headers: list | None = None) -> None:
        files[url] = (url, body, headers if headers is not None else HEADERS)

    for art in articles:
        render = page_2020 if art.template == "2020" else page_2012
        for n, (url, paragraphs) in enumerate(zip(art.page_urls, art.served_pages, strict=True)):
            add(url, render(art, n, paragraphs).encode("utf-8"))
        (out / "expected" / f"{art.url.rsplit('_', 1)[1].removesuffix('.htm')}.json").write_text(
            json.dumps(art.expected(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    def row(url: str, listing: str = "politics") -> tuple[str, str, str]:
        art = by_url[url]
        return relative(art.spec.get("listed_as", url), CHANNELS[listing][1]), art.title, art.time.split()[0]

    politics = [u for u in by_url if by_url[u].column == "politics"]
    pages = [
        [row(politics[0]), row(politics[1]), row(politics[2])],
        [row(politics[3]), (relative(DEAD, "https://politics.gmw.cn/"), "“十五五”规划编制工作座谈会召开",
                            "2025-08-12"), row(politics[4])],
        [row(politics[5]), row(politics[6])],
    ]
    news = [u for u in by_url if by_url[u].column == "news"]
    news_pages = [[row(news[0], "news"), row(politics[0], "news")]]
    for url, html in list_pages("politics", pages) + list_pages("news", news_pages):
        add(url, html.encode("utf-8"))
    for host in ("https://politics.gmw.cn", "https://news.gmw.cn", "http://politics.gmw.cn"):
        add(f"{host}/robots.txt", ROBOTS.encode(), [["Server", "nginx"], ["Content-Type", "text/plain"]])

    routes = []
    for url, body, headers in sorted(files.values()):
        path = out / "pages" / url.split("://", 1)[1]
        if url.startswith("http://"):
            path = out / "pages" / "http" / url.split("://", 1)[1]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        routes.append({"url": url, "file": str(path.relative_to(out)), "headers": headers})
    for art in articles:
        if "listed_as" in art.spec:
            routes.append({"url": art.listed_as, "status": 301, "file": "pages/301.html",
                           "headers": [["Server", "nginx"], ["Location", art.url],
                                       ["Content-Type", "text/html"]]})
    (out / "pages" / "301.html").write_bytes(
        b"<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n"
        b"<center><h1>301 Moved Permanently</h1></center>\r\n<hr><center>nginx</center>\r\n"
        b"</body>\r\n</html>\r\n")
    (out / "pages" / "404.html").write_text(
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>404_光明网</title></head>\n'
        '<body><div class="err"><p>对不起，您访问的页面不存在或已被删除。</p>'
        '<p><a href="https://www.gmw.cn/">返回光明网首页</a></p></div></body></html>\n', encoding="utf-8")
    assert DEAD not in files
    site = {
        "outlet": "gmw",
        "description": "光明网: two columns (politics node_9840 with 3 pages, news node_4108), articles in "
                       "the current and the older template, one two-page article. Built by build.py.",
        "not_found": {"file": "pages/404.html",
                      "headers": [["Server", "nginx"], ["Content-Type", "text/html"]]},
        "routes": routes,
    }
    (out / "site.json").write_text(json.dumps(site, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
