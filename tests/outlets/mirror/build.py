"""Build the mirror mock: a state-owned group's corporate site as a mirror farm serves it.

Seed 000 (shared/seeds) is a page of such a site: traditional characters with the pinyin of
some of them inserted by a byte-level replace on GBK text (shared/outlets.md §10). This
mock serves that page exactly as the seed shows it (its menu, its ``?qǐng)`` form, its
date and source lines), GBK bytes declared gb2312, and a few more pages of the same site:
home, one list, an undated "about" page, two articles of its own, robots.txt with a
``Sitemap:`` line, a sitemap index with a Google News sitemap and a gzip sitemap, and an
RSS feed announced by the home page.

The site's own pages are written here in simplified Chinese and put through what the farm
did (:func:`farm`): OpenCC s2t, then ``str_replace(char, char + "(pinyin)")`` on the GBK
bytes for every annotated character of the seed in the seed's order (so a replace can
straddle two characters, as 請 does across 日報 in the seed), then a decode that turns a
lead byte followed by a non-trail byte into ``?`` and swallows both (what the seed shows).

Rewrites ``pages/``, ``site.json`` and ``expected/`` next to this file::

    .venv/bin/python tests/outlets/mirror/build.py [OUT_DIR]
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from opencc import OpenCC
from pypinyin import Style, lazy_pinyin

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parents[2].parent / "shared" / "seeds"
HOST = "www.dongfang-group.com.cn"
BASE = f"http://{HOST}"
JOBS = "http://job.dongfang-group.com.cn"
OUTLET = "dongfang-group.com.cn"
PINYIN = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
HTML_HEADERS = [["Server", "nginx/1.0.15"], ["Content-Type", "text/html; charset=gb2312"],
                ["X-Powered-By", "PHP/5.2.17"]]
#: 請 is annotated in the seed only where it straddles 日報 (``日?qǐng)``): it is replaced last.
EXTRA_ANNOTATIONS = [("請", "qǐng")]
#: URL path of each top-level menu entry (the rest are initials of their pinyin).
TOP_SLUGS = {
    "首頁": "/", "集團概況": "/jtgk/", "黨的建設": "/ddjs/", "認真學習宣傳貫徹黨的二十大精神": "/esd/",
    "黨史學習教育": "/dsxx/", "資訊中心": "/zxzx/", "主要板塊": "/zybk/", "廉政建設": "/lzjs/",
    "東方文化": "/dfwh/", "招標/租賃": "/zbzl/", "人才招聘": f"{JOBS}/", "聯系我們": "/lxwm/",
}
SEED_URL = f"{BASE}/esd/jjesd/202206/t20220602_1536.html"
A_URL = f"{BASE}/zxzx/dfyw/202205/t20220527_1521.html"
A_OLD_URL = f"{BASE}/news/1521.html"
B_URL = f"{BASE}/zxzx/dfyw/1498.html"
LIST_URL = f"{BASE}/zxzx/dfyw/"
ESD_URL = f"{BASE}/esd/jjesd/"
ABOUT_URL = f"{BASE}/jtgk/gsjj/"
FEED_URL = f"{BASE}/data/rss/2.xml"


# --------------------------------------------------------------------------- the seed

@dataclass
class Seed:
    """Seed 000 cut into the parts of its page."""

    menu: list[tuple[str, list[str]]]
    column: str
    title: str
    dateline: str
    paragraphs: list[str]
    source_line: str
    annotations: list[tuple[str, str]] = field(default_factory=list)


def parse_seed() -> Seed:
    (path,) = SEEDS.glob("000_*.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    menu: list[tuple[str, list[str]]] = []
    i = 0
    while lines[i].strip():
        text = lines[i].strip()
        if text.startswith("• "):
            menu.append((text[2:], []))
        else:
            menu[-1][1].append(text)
        i += 1
    column, subs = menu.pop()  # "• 聚焦二十大" with nothing under it: the column heading
    assert not subs, subs
    rest = [line.strip() for line in lines[i:] if line.strip()]
    title, dateline, *paragraphs, source_line = rest
    text = path.read_text(encoding="utf-8")
    seen: dict[str, str] = {}
    for m in re.finditer(rf"([\u3400-\u9fff])\(([{PINYIN}]{{1,7}})\)", text):
        seen.setdefault(m.group(1), m.group(2))
    return Seed(menu, column, title, dateline, paragraphs, source_line,
                [*seen.items(), *EXTRA_ANNOTATIONS])


SEED = parse_seed()
_S2T = OpenCC("s2t")
_T2S = OpenCC("t2s")


def farm(simplified: str) -> str:
    """The mirror farm's rewrite of ``simplified`` (see the module docstring)."""
    data = _S2T.convert(simplified).encode("gbk")
    for char, py in SEED.annotations:
        raw = char.encode("gbk")
        data = data.replace(raw, raw + f"({py})".encode("gbk"))
    out: list[str] = []
    i = 0
    while i < len(data):
        if data[i] < 0x80:
            out.append(chr(data[i]))
            i += 1
            continue
        try:
            out.append(data[i:i + 2].decode("gbk"))
        except UnicodeDecodeError:
            out.append("?")
        i += 2
    return "".join(out)


def plain(label: str) -> str:
    """A menu label without its pinyin, in simplified characters."""
    return _T2S.convert(re.sub(rf"\?*\(?[{PINYIN}]{{1,7}}\)", "", label))


def slug(label: str) -> str:
    return "".join(lazy_pinyin(plain(label).replace("/", ""), style=Style.FIRST_LETTER))


def menu_links() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(label, URL, [(sub label, URL)]) of the seed's menu."""
    out = []
    for label, subs in SEED.menu:
        top = TOP_SLUGS[re.sub(rf"\([{PINYIN}]{{1,7}}\)", "", label)]
        top_url = top if top.startswith("http") else BASE + top
        sub_links = [(s, f"{top_url}{slug(s)}/") for s in subs]
        out.append((label, top_url, sub_links))
    return out


SPECIAL = {"東方要聞": LIST_URL, "公司簡介": ABOUT_URL}


def _href(label: str, url: str) -> str:
    key = re.sub(rf"\([{PINYIN}]{{1,7}}\)", "", label)
    return SPECIAL.get(key, url)


# --------------------------------------------------------------------------- the pages

def nav() -> str:
    items = []
    for label, url, subs in menu_links():
        sub = "".join(f'<li><a href="{_href(s, u)}">{s}</a></li>' for s, u in subs)
        sub_ul = f'<ul class="sub">{sub}</ul>' if sub else ""
        items.append(f'<li class="m"><a href="{url}">{label}</a>{sub_ul}</li>')
    return '<div class="nav"><ul class="menu">' + "".join(items) + "</ul></div>"


FOOTER = (
    '<div class="footer"><p>{links}</p><p>{copy}</p><p>{addr}</p><p>{icp}</p></div>'.format(
        links=farm("友情链接：") + '<a href="https://www.gmw.cn/">' + farm("光明网") + "</a> "
        + f'<a href="{JOBS}/">' + farm("人才招聘") + "</a>",
        copy=farm("版权所有：东方集团有限公司"),
        addr=farm("地址：内蒙古自治区呼和浩特市赛罕区敕勒川大街16号　邮编：010020　电话：0471-6662000"),
        icp=farm("蒙ICP备10020016号-1"),
    )
)
SITE_NAME = farm("东方集团")
LOGO = "/templets/default/images/logo.png"
SERVER = ["Server", "nginx/1.0.15"]


def page(title: str, body: str, *, head: str = "") -> bytes:
    html = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{title}</title>
<meta name="keywords" content="{SITE_NAME}" />
<link href="/templets/default/style/style.css" rel="stylesheet" type="text/css" />
{head}</head>
<body>
<div class="top"><div class="logo"><a href="/"><img src="{LOGO}" alt="{SITE_NAME}" /></a></div></div>
{nav()}
<div class="main">
{body}
</div>
{FOOTER}
<script type="text/javascript" src="/templets/default/js/menu.js"></script>
</body>
</html>
"""
    return html.encode("gbk")


def location(*crumbs: tuple[str, str]) -> str:
    home = SEED.menu[0][0]
    links = " &gt; ".join(f'<a href="{u}">{t}</a>' for t, u in [(home, "/"), *crumbs])
    return f'<div class="location">{farm("当前位置：")}{links}</div>'


@dataclass
class Own:
    """An article of the site itself (simplified source text; the farm converts it)."""

    url: str
    column: str
    title: str
    date: str | None
    paragraphs: list[str]


OWN = [
    Own(A_URL, "东方要闻", "集团召开2022年安全生产工作会议", "2022-05-27", [
        "5月26日，东方集团召开2022年安全生产工作会议，总结去年安全生产工作，部署今年重点任务。"
        "集团党委书记、董事长主持会议，所属各板块企业主要负责人和安全管理人员参加会议。",
        "会议指出，过去一年集团安全生产形势总体平稳，全年未发生较大及以上生产安全事故，"
        "隐患排查治理、安全培训和应急演练工作有序开展，园区企业安全标准化建设取得新进展。",
        "会议要求，各单位要牢固树立安全发展理念，压紧压实安全生产责任，聚焦危险化学品、"
        "建筑施工、消防和道路交通等重点领域，深入开展安全生产专项整治，做到隐患排查不留死角、整改落实不打折扣。",
        "会上，集团与所属企业签订了2022年度安全生产目标责任书。",
    ]),
    Own(B_URL, "东方要闻", "集团与巴彦淖尔市人民政府签署战略合作协议", None, [
        "近日，东方集团与巴彦淖尔市人民政府在临河区签署战略合作协议。"
        "双方将在园区开发、现代农牧业、绿色能源和物流服务等领域开展深度合作。",
        "根据协议，集团将发挥产业投资和园区开发优势，参与巴彦淖尔市农畜产品加工园区建设，"
        "共同推进河套地区优质农畜产品精深加工和品牌建设，助力乡村振兴。",
        "巴彦淖尔市有关负责人表示，将为项目落地提供优质服务，推动合作事项早见成效。",
    ]),
]
#: Listed on the home page and in 聚焦二十大, gone from the site (404).
DEAD_ESD = (f"{BASE}/esd/jjesd/202205/t20220520_1502.html", farm("学习贯彻自治区第十一次党代会精神"))
ABOUT = [
    "东方集团有限公司是自治区直属国有独资企业，主要从事产业投资、园区开发和配套服务，"
    "下属全资及控股企业二十余家，业务覆盖全区十二个盟市。",
    "集团坚持以党建引领高质量发展，围绕服务自治区重大战略部署，"
    "不断优化国有资本布局，努力建设管理规范、效益突出的现代国有企业集团。",
]


def article_body(url: str, title: str, dateline: str | None, paragraphs: list[str], crumbs: list,
                 column: str, *, h1: bool = True) -> str:
    head = f'<h1 class="title">{title}</h1>' if h1 else f'<div class="art_tit">{title}</div>'
    aid = re.search(r"(\d+)\.html$", url).group(1)  # type: ignore[union-attr]
    count = f'<script src="/plus/count.php?view=yes&amp;aid={aid}&amp;mid=1" type="text/javascript"></script>'
    info = f'<div class="info">{dateline}{count}</div>' if dateline else ""
    paras = "\n".join(f"<p>　　{p}</p>" for p in paragraphs)
    return (f'{location(*crumbs)}\n<div class="left"><div class="lmtit">{column}</div></div>\n'
            f'<div class="right"><div class="article">{head}\n{info}\n'
            f'<div class="content" id="content">\n{paras}\n</div></div></div>')


@dataclass
class Built:
    url: str
    body: bytes
    expected: dict | None = None
    headers: list = field(default_factory=lambda: HTML_HEADERS)
    status: int = 200
    gzip: bool = False


def build_pages() -> list[Built]:
    links = {label: (url, subs) for label, url, subs in menu_links()}
    esd_label = SEED.menu[3][0]
    zxzx_label = SEED.menu[5][0]
    out: list[Built] = []

    # Seed 000, as it is.
    paras = [*SEED.paragraphs, SEED.source_line]
    body = article_body(SEED_URL, SEED.title, SEED.dateline, paras,
                        [(esd_label, links[esd_label][0]), (SEED.column, ESD_URL)], SEED.column)
    out.append(Built(SEED_URL, page(f"{SEED.title}-{SITE_NAME}", body), expected={
        "url": SEED_URL, "outlet": OUTLET, "title": SEED.title,
        # The closing (來(lái)源:…) line is a credit: like every outlet's, it is not in ``text``.
        "published_at": "2022-06-02T00:00:00+08:00", "text": "\n".join(SEED.paragraphs),
        "pages": [SEED_URL]}))

    # The site's own articles.
    published = {A_URL: "2022-05-27T00:00:00+08:00", B_URL: "2022-05-18T16:30:00+08:00"}
    for own in OWN:
        title, column = farm(own.title), farm(own.column)
        paras = [farm(p) for p in own.paragraphs]
        dateline = None
        if own.date:
            dateline = SEED.dateline.replace("2022-06-02", own.date)
        crumbs = [(zxzx_label, links[zxzx_label][0]), (column, LIST_URL)]
        # B comes from the old CMS: no <h1>, no date line, the site name as <title>.
        html_title = f"{title}-{SITE_NAME}" if own.date else SITE_NAME
        body = article_body(own.url, title, dateline, paras, crumbs, column, h1=bool(own.date))
        expected = {"url": own.url, "outlet": OUTLET, "title": title, "published_at": published[own.url],
                    "text": "\n".join(paras), "pages": [own.url]}
        if not own.date:  # only the news sitemap dates B: a crawl learns it, the page alone cannot
            expected["_crawl_only"] = ["published_at"]
        out.append(Built(own.url, page(html_title, body), expected=expected))

    def item(url: str, title: str, date: str) -> str:
        return f'<li><span class="date">{date}</span><a href="{url}" target="_blank">{title}</a></li>'

    dead = [
        (f"{BASE}/zxzx/dfyw/202205/t20220510_1490.html", farm("集团召开2022年党风廉政建设和反腐败工作会议"),
         "2022-05-10"),
        (f"{BASE}/zxzx/dfyw/202204/t20220428_1476.html", farm("集团开展“五一”节前安全生产大检查"),
         "2022-04-28"),
    ]
    rows = [item(A_URL, farm(OWN[0].title), "2022-05-27"), item(B_URL, farm(OWN[1].title), "2022-05-18"),
            *(item(*d) for d in dead)]
    pager = farm("共1页 首页 上一页 下一页 尾页")
    body = (f'{location((zxzx_label, links[zxzx_label][0]), (farm("东方要闻"), LIST_URL))}\n'
            f'<div class="left"><div class="lmtit">{farm("东方要闻")}</div></div>\n'
            f'<div class="right"><ul class="list">{"".join(rows)}</ul><div class="pages">{pager}</div></div>')
    out.append(Built(LIST_URL, page(f'{farm("东方要闻")}-{SITE_NAME}', body)))

    esd_list = [item(SEED_URL, SEED.title, "2022-06-02"), item(*DEAD_ESD, "2022-05-20")]
    body = (f'{location((esd_label, links[esd_label][0]), (SEED.column, ESD_URL))}\n'
            f'<div class="left"><div class="lmtit">{SEED.column}</div></div>\n'
            f'<div class="right"><ul class="list">{"".join(esd_list)}</ul>'
            f'<div class="pages">{pager}</div></div>')
    out.append(Built(ESD_URL, page(f"{SEED.column}-{SITE_NAME}", body)))

    about = [farm(p) for p in ABOUT]
    body = (f'{location((SEED.menu[1][0], links[SEED.menu[1][0]][0]), (farm("公司简介"), ABOUT_URL))}\n'
            f'<div class="right"><div class="about"><h2>{farm("公司简介")}</h2>'
            + "".join(f"<p>　　{p}</p>" for p in about) + "</div></div>")
    out.append(Built(ABOUT_URL, page(f'{farm("公司简介")}-{SITE_NAME}', body)))

    home_rows = [item(A_OLD_URL, farm(OWN[0].title), "05-27"), item(B_URL, farm(OWN[1].title), "05-18")]
    esd_rows = [item(SEED_URL, SEED.title, "06-02"), item(*DEAD_ESD, "05-20")]
    body = (f'<div class="banner"><img src="/uploads/allimg/220601/banner1.jpg" alt="" /></div>\n'
            f'<div class="box"><h3><a href="{LIST_URL}">{farm("东方要闻")}</a></h3>'
            f'<ul class="list">{"".join(home_rows)}</ul></div>\n'
            f'<div class="box"><h3><a href="{ESD_URL}">{SEED.column}</a></h3>'
            f'<ul class="list">{"".join(esd_rows)}</ul></div>')
    feed_link = (f'<link rel="alternate" type="application/rss+xml" title="{farm("东方要闻")}" '
                 'href="/data/rss/2.xml" />\n')
    out.append(Built(f"{BASE}/", page(SITE_NAME, body, head=feed_link)))
    return out


# --------------------------------------------------------------------------- discovery files

def empty_column() -> bytes:
    """What the CMS shows for a column without items."""
    body = (f'{location()}\n<div class="right"><div class="list"><p>{farm("暂无内容")}</p></div></div>')
    return page(SITE_NAME, body)


def sitemaps(articles: list[Built]) -> list[Built]:
    index = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{BASE}/sitemap_news.xml</loc><lastmod>2022-06-02T10:00:00+08:00</lastmod></sitemap>
  <sitemap><loc>{BASE}/sitemap_pages.xml.gz</loc></sitemap>
</sitemapindex>
"""
    news_dates = {SEED_URL: "2022-06-02", A_URL: "2022-05-27T10:00:00+08:00",
                  B_URL: "2022-05-18T16:30:00+08:00"}
    urls = []
    for art in articles:
        assert art.expected is not None
        urls.append(f"""  <url>
    <loc>{art.url}</loc>
    <news:news>
      <news:publication><news:name>{escape(SITE_NAME)}</news:name><news:language>zh-tw</news:language></news:publication>
      <news:publication_date>{news_dates[art.url]}</news:publication_date>
      <news:title>{escape(art.expected["title"])}</news:title>
    </news:news>
  </url>""")
    news = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
            + "\n".join(urls) + "\n</urlset>\n")
    pages = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
             + "".join(f"  <url><loc>{u}</loc><changefreq>daily</changefreq></url>\n"
                       for u in (f"{BASE}/", LIST_URL, ABOUT_URL)) + "</urlset>\n")
    xml_headers = [["Server", "nginx/1.0.15"], ["Content-Type", "text/xml"]]
    return [
        Built(f"{BASE}/sitemap.xml", index.encode(), headers=xml_headers),
        Built(f"{BASE}/sitemap_news.xml", news.encode(), headers=xml_headers),
        Built(f"{BASE}/sitemap_pages.xml.gz", gzip.compress(pages.encode(), mtime=0),
              headers=[["Server", "nginx/1.0.15"], ["Content-Type", "application/x-gzip"]]),
    ]


FEED_DATES = ("Fri, 27 May 2022 10:00:00 +0800", "Wed, 18 May 2022 16:30:00 +0800")


def feed() -> Built:
    items = "".join(f"""<item><title>{escape(farm(own.title))}</title><link>{own.url}</link>
<pubDate>{date}</pubDate><description>{escape(farm(own.paragraphs[0][:60]))}</description></item>
""" for own, date in zip(OWN, FEED_DATES, strict=True))
    rss = f"""<?xml version="1.0" encoding="gb2312"?>
<rss version="2.0"><channel><title>{escape(farm("东方要闻"))}</title><link>{LIST_URL}</link>
<description>{escape(SITE_NAME)}</description><language>zh-cn</language>
{items}</channel></rss>
"""
    return Built(FEED_URL, rss.encode("gbk"), headers=[SERVER, ["Content-Type", "text/xml"]])


#: robots.txt names the news sitemap; /sitemap.xml (found by convention) is an index of both.
ROBOTS = f"User-agent: *\nDisallow: /plus/\nDisallow: /member/\nSitemap: {BASE}/sitemap_news.xml\n"
NOT_FOUND = (b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body bgcolor=\"white\">\r\n"
             b"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.0.15</center>\r\n"
             b"</body>\r\n</html>\r\n")


def main(out: Path = HERE) -> None:
    """Write pages/, expected/ and site.json into ``out`` (default: next to this file)."""
    pages_dir = out / "pages"
    expected_dir = out / "expected"
    for d in (pages_dir, expected_dir):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    built = build_pages()
    articles = [b for b in built if b.expected]
    built += [*sitemaps(articles), feed()]
    built.append(Built(f"{BASE}/robots.txt", ROBOTS.encode(), headers=[["Content-Type", "text/plain"]]))
    routes = []
    for b in built:
        path = b.url.removeprefix("http://")
        if path.endswith("/"):
            path += "index.html"
        file = pages_dir / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(b.body)
        routes.append({"url": b.url, "file": str(file.relative_to(out)), "headers": b.headers})
        if b.expected:
            name = b.url.rsplit("/", 1)[-1].removesuffix(".html")
            (expected_dir / f"{name}.json").write_text(
                json.dumps(b.expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    # The site's other columns are empty ("暫無內容"): one page answers all of them.
    served = {b.url for b in built}
    empty = [u for _l, top, subs in menu_links() for u in (top, *(_href(sl, su) for sl, su in subs))
             if u.startswith(BASE) and u not in served]
    (pages_dir / "column.html").write_bytes(empty_column())
    for url in dict.fromkeys(empty):
        routes.append({"url": url, "file": "pages/column.html", "headers": HTML_HEADERS})
    routes.append({"url": A_OLD_URL, "status": 301, "body": "",
                   "headers": [["Server", "nginx/1.0.15"], ["Location", A_URL]]})
    (pages_dir / "404.html").write_bytes(NOT_FOUND)
    site = {
        "outlet": "mirror",
        "description": "A mirror farm's copy of a state-owned group's corporate site (seed 000): "
                       "traditional characters with inserted pinyin, GBK declared gb2312. Built by build.py.",
        "not_found": {"file": "pages/404.html", "headers": [["Server", "nginx/1.0.15"],
                                                            ["Content-Type", "text/html"]]},
        "routes": sorted(routes, key=lambda r: r["url"]),
    }
    (out / "site.json").write_text(json.dumps(site, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
