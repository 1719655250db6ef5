"""The benchmark's synthetic outlet: N articles as static files, written once, served by nginx.

Realistic pages of a Chinese regional outlet: about 13 KB each, GB18030 bytes under a
``<meta>`` that says gb2312 (as the real ones do), a heavy navigation bar, a sidebar and a
footer, list pages of 20 articles chained by ``a.next`` in four columns, and one article in
twenty spread over two pages (``_2.shtml``). Every link the spiders do not follow (navigation,
sidebar, images, style sheets) points at other hosts, so wget's recursion and the spiders
fetch exactly the same URLs. Generated deterministically from the article number.

Layout under ``root/n{N}/``: ``col{c}/index.html``, ``col{c}/list_{i}.html``,
``system/2026/{MM}/{DD}/{id:09d}.shtml`` (and ``…_2.shtml``); ``root/robots.txt`` allows all.
"""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

COLUMNS = 4
PER_LIST = 20
#: One article in TWO_PAGE_EVERY runs over two pages.
TWO_PAGE_EVERY = 20
ENCODING = "gb18030"

SENTENCES = (
    "自治区党委、政府高度重视基层治理工作，坚持把服务群众作为出发点和落脚点",
    "呼和浩特市各级部门围绕优化营商环境，推出了一系列务实举措",
    "今年以来，全区粮食生产稳中有进，秋粮收获进度快于往年同期",
    "牧民们说，草原生态越来越好，日子也越过越红火",
    "鄂尔多斯市加快推进新能源项目建设，风电光伏装机规模持续扩大",
    "包头市稀土产业链条不断延伸，高端应用产品占比逐年提高",
    "赤峰市在乡村振兴中因地制宜发展特色种养业，带动农牧民增收",
    "记者在现场看到，施工人员正在紧张有序地进行设备安装调试",
    "据了解，该项目总投资约十二亿元，预计明年年底建成投产",
    "通辽市科尔沁区组织志愿者深入社区开展政策宣讲活动",
    "锡林郭勒盟持续加强草原保护，严格落实草畜平衡制度",
    "呼伦贝尔市冰雪旅游季即将开启，各景区已做好接待准备",
    "巴彦淖尔市河套灌区节水改造工程取得阶段性成效",
    "乌兰察布市推动数据中心集群建设，吸引多家企业落户",
    "阿拉善盟治沙造林面积再创新高，沙区群众生态收益明显增加",
    "兴安盟大米品牌影响力不断提升，产品远销全国多个省市",
    "与会代表围绕民族团结进步创建工作进行了深入交流讨论",
    "专家表示，这一做法为边疆地区高质量发展提供了有益借鉴",
    "下一步，相关部门将继续完善配套政策，确保各项措施落地见效",
    "朱镕基同志当年考察时提出的要求，至今仍激励着这里的干部群众",
    "活动现场气氛热烈，群众纷纷为精彩的演出鼓掌叫好",
    "学校新建的实验楼已投入使用，孩子们可以在宽敞明亮的教室里学习",
    "医院通过远程会诊平台，让偏远牧区患者在家门口享受优质医疗服务",
    "截至目前，全市已累计完成老旧小区改造三百余个，惠及居民五万多户",
)
NAMES = ("王明", "李华", "张丽", "刘洋", "陈静", "杨帆", "赵磊", "黄蕾", "周强", "吴敏", "孙悦", "马骏")
SOURCES = ("内蒙古日报", "新华社", "北方新报", "内蒙古新闻网", "正北方网")
NAV = ("首页", "要闻", "时政", "经济", "社会", "文化", "教育", "科技", "体育", "旅游", "健康", "法治",
       "生态", "三农", "评论", "图片", "视频", "专题", "盟市", "民生")


@dataclass(frozen=True)
class Site:
    """One generated outlet: where its files are and what a crawl of it fetches."""

    n: int
    root: Path

    @property
    def prefix(self) -> str:
        return f"/n{self.n}/"

    def start_paths(self) -> list[str]:
        """Column front pages, relative to the server (what every peer starts from)."""
        return [f"{self.prefix}col{c}/index.html" for c in range(COLUMNS)]

    @property
    def list_pages(self) -> int:
        return sum(-(-len(range(c, self.n, COLUMNS)) // PER_LIST) for c in range(COLUMNS))

    @property
    def article_pages(self) -> int:
        return self.n + len(range(0, self.n, TWO_PAGE_EVERY))

    @property
    def pages(self) -> int:
        """HTML pages a complete crawl fetches (robots.txt not counted)."""
        return self.list_pages + self.article_pages


def _nav(rng: random.Random) -> str:
    """The heavy top bar: 4 portals x 20 columns, on other hosts, plus a search form."""
    groups = []
    for portal in range(4):
        links = "".join(
            f'<li><a href="http://www{portal}.portal-nmg.cn/{i:02d}/" target="_blank" '
            f'title="{NAV[i]}频道">{NAV[i]}</a></li>' for i in range(len(NAV)))
        groups.append(f'<ul class="nav-group g{portal}">{links}</ul>')
    return ('<div class="topbar"><div class="logo"><a href="http://www.portal-nmg.cn/">'
            '<img src="http://static.portal-nmg.cn/logo.png" alt="内蒙古新闻门户"></a></div>'
            '<form action="http://search.portal-nmg.cn/s" method="get"><input name="q"></form>'
            f'<div class="nav">{"".join(groups)}</div></div>')


def _sidebar(rng: random.Random) -> str:
    items = "".join(f'<li><a href="http://hot.portal-nmg.cn/{rng.randrange(10**8):08d}.html">'
                    f'{rng.choice(SENTENCES)[:16]}</a></li>' for _ in range(12))
    return f'<div class="sidebar"><h3>热点推荐</h3><ul>{items}</ul></div>'


FOOTER = ('<div class="footer"><p>主办单位：内蒙古新闻门户 版权所有 未经授权禁止转载</p>'
          '<p><a href="http://about.portal-nmg.cn/">关于我们</a> | <a href="http://about.portal-nmg.cn/c">'
          '联系我们</a> | <a href="http://about.portal-nmg.cn/ad">广告服务</a></p>'
          '<p>蒙ICP备00000000号 互联网新闻信息服务许可证 15120170001</p></div>')


def _page(title: str, body: str, rng: random.Random) -> bytes:
    html = ('<!DOCTYPE html><html><head>'
            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            f'<title>{title}_内蒙古新闻门户</title>'
            '<link rel="stylesheet" href="http://static.portal-nmg.cn/css/main.css">'
            '<script src="http://static.portal-nmg.cn/js/main.js"></script></head><body>'
            f'{_nav(rng)}<div class="main">{body}{_sidebar(rng)}</div>{FOOTER}</body></html>')
    return html.encode(ENCODING)


def _date(n: int) -> tuple[int, int]:
    return 1 + n % 12, 1 + n % 28


def article_path(site: Site, n: int, page: int = 1) -> str:
    month, day = _date(n)
    suffix = "" if page == 1 else f"_{page}"
    return f"{site.prefix}system/2026/{month:02d}/{day:02d}/{n:09d}{suffix}.shtml"


REPO = Path(__file__).resolve().parents[1]


def _han_frequencies() -> tuple[list[str], list[int]]:
    """Han characters (those GB2312 has) with their counts in the real articles of
    tests/outlets: random text with the character mix of real news."""
    counts: Counter[str] = Counter()
    for path in sorted((REPO / "tests" / "outlets").glob("*/expected/*.json")):
        text = json.loads(path.read_text(encoding="utf-8")).get("text") or ""
        counts.update(c for c in text if "\u4e00" <= c <= "\u9fff")
    chars = sorted(c for c in counts if _in_gb2312(c))
    if len(chars) < 1000:
        raise RuntimeError(f"{REPO / 'tests' / 'outlets'}: too few real articles to draw characters from")
    return chars, list(itertools.accumulate(counts[c] for c in chars))


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


CHARS, CUM_WEIGHTS = _han_frequencies()


def _words(rng: random.Random, count: int) -> str:
    return "".join(rng.choices(CHARS, cum_weights=CUM_WEIGHTS, k=count))


def _clause(rng: random.Random) -> str:
    """A stock phrase or, mostly, new words: articles must not look like reprints of each other
    (the store links near-duplicates), as real ones do not."""
    if rng.random() < 0.25:
        return rng.choice(SENTENCES)
    return _words(rng, rng.randint(10, 24))


def _title(rng: random.Random) -> str:
    return _words(rng, rng.randint(10, 18))


def _paragraphs(rng: random.Random, count: int) -> str:
    return "".join(f"<p>　　{'，'.join(_clause(rng) for _ in range(5))}。</p>" for _ in range(count))


def article_html(site: Site, n: int, page: int = 1) -> bytes:
    """The page ``page`` (1 or 2) of article ``n``."""
    rng = random.Random(n * 7 + page)
    title = _title(random.Random(n))
    month, day = _date(n)
    two = n % TWO_PAGE_EVERY == 0
    byline = f"<p>　　本报记者 {rng.choice(NAMES)} {rng.choice(NAMES)}</p>" if page == 1 else ""
    image = (f'<p style="text-align:center"><img src="http://img.portal-nmg.cn/2026/{n:09d}.jpg"></p>'
             f"<p>图为{title[:10]}现场。</p>") if page == 1 else ""
    pager = (f'<div id="pager"><a href="{article_path(site, n, 2)}">下一页</a></div>'
             if two and page == 1 else "")
    body = (f'<div class="crumb">您当前的位置：首页 &gt; 要闻 &gt; 正文</div>'
            f'<h1 class="article-title">{title}</h1>'
            f'<div class="article-infos"><time class="date">2026-{month:02d}-{day:02d} '
            f'{8 + n % 12:02d}:{n % 60:02d}:00</time> 来源：{SOURCES[n % len(SOURCES)]}</div>'
            f'<div class="article-content">{byline}{_paragraphs(rng, 10)}{image}</div>{pager}'
            f'<div class="editor">责任编辑：{rng.choice(NAMES)}</div>')
    return _page(title, body, rng)


def list_html(site: Site, column: int, index: int, articles: list[int], last: bool) -> bytes:
    """List page ``index`` (0: the column's front page) of ``column``."""
    rng = random.Random(-(column * 100_000 + index))
    items = "".join(
        f'<li><a href="{article_path(site, n)}" target="_blank">{_title(random.Random(n))}</a>'
        f"<span>2026-{_date(n)[0]:02d}-{_date(n)[1]:02d}</span></li>" for n in articles)
    nxt = "" if last else f'<a class="next" href="list_{index + 1}.html">下一页</a>'
    body = f'<ul class="news-list">{items}</ul><div class="pages">{nxt}</div>'
    return _page(f"第{column}栏目 第{index + 1}页", body, rng)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def build(root: Path, n: int) -> Site:
    """Write the outlet of ``n`` articles under ``root`` (skipped when already complete)."""
    site = Site(n=n, root=root)
    done = root / site.prefix.strip("/") / ".complete"
    if done.exists():
        return site
    _write(root / "robots.txt", b"User-agent: *\nAllow: /\n")
    for column in range(COLUMNS):
        numbers = list(range(column, n, COLUMNS))
        chunks = [numbers[i:i + PER_LIST] for i in range(0, len(numbers), PER_LIST)] or [[]]
        for index, chunk in enumerate(chunks):
            name = "index.html" if index == 0 else f"list_{index}.html"
            _write(root / site.prefix.strip("/") / f"col{column}" / name,
                   list_html(site, column, index, chunk, last=index == len(chunks) - 1))
    for number in range(n):
        _write(root / article_path(site, number).lstrip("/"), article_html(site, number))
        if number % TWO_PAGE_EVERY == 0:
            _write(root / article_path(site, number, 2).lstrip("/"), article_html(site, number, 2))
    done.write_text(str(site.pages))
    return site
