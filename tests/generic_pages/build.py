"""Build the generic-extraction fixtures: pages of sites no spider knows, with expected JSON.

Same layout as a mock outlet (tests/outlets/README.md: ``site.json``, ``pages/``,
``expected/``) so ``scripts/evaluate.py`` scores them, but outside tests/outlets: no spider
crawls these hosts. Each page carries one of the problems of the seeds
(shared/seeds/README.md) in markup a real site could serve:

- ``www.wlcbnews.com``: seed 003 as one page, stories under ``<h1>``-``<h3>`` heads (nine
  stories, one printed four times and first without its head, one split around another);
- ``www.northnews.cn``: seed 002 as one page of bare ``<p>``s (two stories, lines broken
  by the print layout, a source and a contributing organisation at their ends);
- ``www.dongfang-group.cn``: seed 000 as a mirror farm serves it (GBK, traditional with
  inserted pinyin, a broken ``?qǐng)`` form, 来源 line at the end, a 60-link menu);
- ``www.takungpao.com.hk``: seed 004 in traditional characters, Big5, reprint of 新华网;
- ``zqb.cyol.com``: a Founder nbs/nw e-paper article (引题/副题, ``作者：`` line, an
  image with its caption, ``《中国青年报》（ 2025年02月12日 04版）``);
- ``szb.hlbrdaily.com.cn:8888``: a classic Founder article with the enpproperty block;
- ``www.ordosnews.com``: UTF-8 without any charset, ``(记者 …)`` at the end, 责任编辑 below;
- ``www.nmgzx.gov.cn``: TRS ``<meta>`` tags, an HTTP ``charset=utf-8`` over GBK bytes
  declared gb2312 in ``<meta>``, with 喆 and 镕 (outside GB2312);
- ``www.nmgcb.com.cn``: ``<meta charset=gb2312>`` over a UTF-8 body.

The expected values are written here from the sources (seed paragraphs by position,
joins of broken lines listed by hand), never from the extractor's output::

    .venv/bin/python tests/generic_pages/build.py [OUT_DIR]
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from html import escape
from pathlib import Path

from opencc import OpenCC

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
HERE = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).resolve().parent
S2T = OpenCC("s2t")
S2TW = OpenCC("s2tw")  # Taiwan forms (為, not 爲): what Big5 holds
T2S = OpenCC("t2s")


def seed(prefix: str, *, by: str = "blank") -> list[str]:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"\n\s*\n", text) if by == "blank" else text.split("\n")
    return [p.strip() for p in parts if p.strip()]


def html_page(title: str, body: str, *, charset: str | None = "utf-8", head: str = "") -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return (f"<!DOCTYPE html>\n<html>\n<head>\n{meta}\n<title>{escape(title)}</title>\n{head}</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def ps(paragraphs: list[str]) -> str:
    """``<p>`` elements; a line break inside a paragraph becomes ``<br>``."""
    return "\n".join("<p>" + "<br>".join(escape(x.strip()) for x in p.split("\n")) + "</p>"
                     for p in paragraphs)


NAV = ('<div class="nav"><a href="/">首页</a> | <a href="/news/">新闻</a> | <a href="/epaper/">数字报</a> | '
       '<a href="/about/">关于我们</a> | <a href="/contact/">联系我们</a></div>')
FOOTER = ('<div class="footer"><p>网站介绍 | 广告服务 | 联系方式 | 网站地图</p>'
          '<p>Copyright © 2005-2023 版权所有 未经授权禁止转载</p></div>')


class Built:
    def __init__(self) -> None:
        self.routes: list[dict] = []
        self.expected: list[dict] = []

    def page(self, url: str, name: str, body: bytes, headers: list[list[str]], expected: list[dict]) -> None:
        rel = "pages/" + name
        path = HERE / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        self.routes.append({"url": url, "file": rel, "headers": headers})
        self.expected.extend(expected)


def article(url: str, title: str, published_at: str, text: list[str], **extra: object) -> dict:
    return {"url": url, "title": title, "published_at": published_at, "text": "\n".join(text),
            "authors": [], "correspondents": [], "source": None, **extra}


# --------------------------------------------------------------------------- seed 003

def wlcbnews(built: Built) -> None:
    p = [re.sub(r" +\n", "\n", x) for x in seed("003")]
    url = "http://www.wlcbnews.com/epaper/20230928/a01.html"
    body: list[str] = []
    for x in p:
        m = re.match(r"^(#{1,3}) (.*)$", x)
        if m:
            level = {1: "h1", 2: "h2", 3: "h3"}[len(m[1])]
            body.append(f"<{level}>{escape(m[2])}</{level}>")
        else:
            body.append(ps([x]))
    html = html_page("乌兰察布日报 2023年09月28日 第01版 - 乌兰察布新闻网", (
        f'{NAV}\n<div class="paper-head"><h1>乌兰察布日报</h1><span class="date">2023年09月28日 星期四</span>'
        f' <span class="page">第01版：要闻</span></div>\n<div class="article-detail-inner">\n'
        + "\n".join(body) + f"\n</div>\n{FOOTER}"))
    when = "2023-09-28T00:00:00+08:00"

    def cut(text: str, head: str) -> str:
        assert text.startswith(head), (text[:20], head)
        return text[len(head):]

    # 化德县: the copy under its head (44 byline, 45 lead …), its lead's repeat (51) once
    hade = [p[45], p[46], p[47], p[48] + p[49], p[50], p[52], p[53], p[54] + p[55], p[56], p[57],
            p[58] + p[59], *p[60:65]]
    assert p[44].startswith("□本报记者") and p[64].startswith("实行党建") and p[65].startswith("□本报记者")
    stories = [
        ("全市政协系统反映社情民意 信息工作会议召开", None, None, ["郝师鹏"], [],
         [cut(p[1], "本报讯(实习生 郝师鹏)"), p[2], p[3] + p[21], p[22]]),
        ("市政协五届二次会议 重点提案办理工作会召开", None, None, ["李璟"], [],
         [cut(p[5], "本报讯(记者 李璟)"), p[6]]),
        ("市生态环境局召开新闻发布会", None, None, ["王锦鹏"], [], [cut(p[8], "本报讯(记者 王锦鹏)"), p[9]]),
        ("市国资系统举办意识形态工作专题培训会", None, None, ["杨晓娜"], [],
         [cut(p[11], "本报讯(记者 杨晓娜)"), p[12]]),
        ("沃野唱响丰收歌", None, "——卓资县庆祝“中国农民丰收节”见闻", ["李璟"], ["方进东"], p[16:21]),
        ("让党建宣传接地气聚人气", "强化正面宣传引导,化德县——", None, ["李璟"], ["兰玉山", "田礼军"], hade),
        ("市“理论学习轻骑兵”宣讲团走进内蒙古", None, "乌兰察布民航机场有限责任公司、集宁一中", ["杨晓娜"], [],
         [cut(p[130], "本报讯(记者 杨晓娜)"), p[131], p[132] + p[133], p[134]]),
        ("察右后旗：“码”上办便民利企", None, None, ["张晓晨"], ["梁旭明", "孙丽娜"],
         [*p[137:140], p[140] + p[141], p[142]]),
        ("兴和县：“三类融合”促巡察工作提质增效", None, None, ["云娜"], ["连冠华"],
         [cut(p[144], "本报讯(记者 云娜 通讯员 连冠华)"), p[145], p[146] + p[147], p[148]]),
    ]
    expected = []
    for n, (title, kicker, subtitle, authors, corr, text) in enumerate(stories, start=1):
        expected.append(article(url if n == 1 else f"{url}#{n}", title, when, text, kicker=kicker,
                                subtitle=subtitle, authors=authors, correspondents=corr,
                                page_number="01", page_name="要闻"))
    built.page(url, "www.wlcbnews.com/epaper/20230928/a01.html", html.encode("utf-8"),
               [["Content-Type", "text/html; charset=utf-8"]], expected)


# --------------------------------------------------------------------------- seed 002

def northnews(built: Built) -> None:
    p = seed("002")
    url = "https://www.northnews.cn/p/2359976.html"
    html = html_page("内蒙古日报2022年11月22日第02版_正北方网", (
        f'{NAV}\n<div class="wz-tit"><h1>内蒙古日报2022年11月22日第02版</h1></div>\n'
        f'<div class="auth"><span>2022-11-22 08:30</span> <span>来源：内蒙古日报</span></div>\n'
        f'<div class="zhengwen content">\n{ps(p)}\n</div>\n{FOOTER}'))
    when = "2022-11-22T08:30:00+08:00"
    one = article(url, p[0], when, [*p[2:6], p[6] + p[7], p[8], p[9]], subtitle=p[1], source="内蒙古日报")
    two = article(f"{url}#2", p[11], when,
                  [p[13], p[14] + p[15], p[16], p[17] + p[18], p[19], p[20] + p[21], p[22]],
                  subtitle=p[12], organisation="自治区党委政法委")
    built.page(url, "www.northnews.cn/p/2359976.html", html.encode("utf-8"),
               [["Content-Type", "text/html; charset=utf-8"]], [one, two])


# --------------------------------------------------------------------------- seed 000

def mirror(built: Built) -> None:
    lines = seed("000", by="line")
    title_at = next(i for i, x in enumerate(lines) if x.startswith("黨的二十大代表選舉"))
    menu, title, dateline = lines[:title_at], lines[title_at], lines[title_at + 1]
    paragraphs, source_line = lines[title_at + 2:-1], lines[-1]
    items = "\n".join(f'<li><a href="/m/{i}/">{escape(x.lstrip("• "))}</a></li>' for i, x in enumerate(menu))
    url = "http://www.dongfang-group.cn/esd/jjesd/202206/t20220602_1536.html"
    html = html_page(f"{title}-東方集團(tuán)", (
        f'<div class="menu"><ul>\n{items}\n</ul></div>\n<div class="article"><h1>{escape(title)}</h1>\n'
        f'<div class="info">{escape(dateline)}</div>\n<div class="content">\n{ps(paragraphs)}\n'
        f"{ps([source_line])}\n</div></div>\n"
        '<div class="footer"><p>版權(quán)所有：東方集團(tuán)有限公司</p></div>'), charset="gb2312")
    plain = T2S.convert(re.sub(r"\?qǐng\)\?bào\)", "報", "\n".join(paragraphs)))
    plain = re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)", "", plain)
    exp = article(url, title, "2022-06-02T00:00:00+08:00", paragraphs, source="光明日报",
                  title_simplified="党的二十大代表选举 | 内蒙古:确保宣传全覆盖政策全知晓",
                  text_simplified=plain, flags=["mirror"])
    built.page(url, "www.dongfang-group.cn/t20220602_1536.html", html.encode("gbk"),
               [["Content-Type", "text/html; charset=gb2312"]], [exp])


# --------------------------------------------------------------------------- seed 004, traditional

def takungpao(built: Built) -> None:
    lines = seed("004", by="line")
    title = lines[3]
    caption = lines[5]
    body = lines[6:24]
    assert body[-1].endswith("(记者张云龙)"), body[-1]
    url = "http://www.takungpao.com.hk/mainland/text/2011/1014/12345.html"
    t = S2TW.convert
    html = html_page(t(title) + "_大公網", (
        f'{t(NAV)}\n<div class="tkp_content"><h1>{escape(t(title))}</h1>\n'
        f'<div class="tkp_con_author"><span>2011-10-14 15:44</span> 來源：新華網</div>\n'
        f'<div class="tkp_article">\n<p style="text-align:center"><img src="/pic/2011/1014/a.jpg"></p>\n'
        f'<p style="text-align:center">{escape(t(caption))}</p>\n{ps([t(x) for x in body])}\n</div>\n'
        f"<p>[責任編輯：趙靜]</p></div>\n<div class=\"footer\"><p>大公網版權所有</p></div>"), charset="big5")
    text = [t(x) for x in body]
    text[-1] = text[-1].removesuffix(t("(记者张云龙)"))
    # simplified as OpenCC t2s gives it back (著 stays 著: the conversion is the spec's)
    simple = [T2S.convert(x) for x in text]
    exp = article(url, t(title), "2011-10-14T15:44:00+08:00", text, authors=["张云龙"], source="新华网",
                  title_simplified=title, text_simplified="\n".join(simple), flags=["traditional"],
                  editor="赵静", images=[{"url": "http://www.takungpao.com.hk/pic/2011/1014/a.jpg",
                                          "caption": t(caption)}])
    built.page(url, "www.takungpao.com.hk/12345.html", html.encode("big5"),
               [["Content-Type", "text/html; charset=big5"]], [exp])


# --------------------------------------------------------------------------- Founder e-papers

ZQB_TEXT = [
    "立春过后，河套平原的田野里渐渐热闹起来。在巴彦淖尔市临河区的一处高标准农田里，几台播种机正来回作业，"
    "农技人员蹲在地头查看墒情。",
    "“今年我们提前半个月备好了种子和化肥，就等天气合适。”种植大户王建军说，去年他流转的800亩地玉米亩产超过了900公斤，",
    "今年准备再扩大200亩。",
    "临河区农牧局负责人介绍，全区今年计划新建高标准农田10万亩，并组织200多名农技人员下沉到乡镇，"
    "一对一指导农户科学种田。",
]


def zqb(built: Built) -> None:
    url = "http://zqb.cyol.com/html/2025-02/12/nw.D110000zgqnb_20250212_1-04.htm"
    html = html_page("中国青年报", (
        '<div class="list_r"><div id="pageList"><ul><li><a id="pageLink" href="nbs.D110000zgqnb_04.htm">'
        "第04版：新闻</a></li></ul></div></div>\n"
        '<div class="text_c">\n<h3>新春走基层</h3>\n<h1>河套平原春耕忙</h1>\n'
        '<h2>巴彦淖尔市抢抓农时备春耕</h2>\n'
        '<div class="lai"><span>作者：陆健 刘习</span> <b>《中国青年报》（ 2025年02月12日 04版）</b></div>\n'
        f'<div id="ozoom"><div id="articleContent">\n{ps(ZQB_TEXT)}\n</div></div>\n'
        '<table class="c_c"><tr><td><img src="../../../res/1/20250212/a1.jpg"></td></tr>'
        "<tr><td><p>图为农技人员在田间查看墒情。 陆健摄</p></td></tr></table>\n</div>\n"
        f"{FOOTER}"))
    text = [ZQB_TEXT[0], ZQB_TEXT[1] + ZQB_TEXT[2], ZQB_TEXT[3]]
    exp = article(url, "河套平原春耕忙", "2025-02-12T00:00:00+08:00", text, kicker="新春走基层",
                  subtitle="巴彦淖尔市抢抓农时备春耕", authors=["陆健", "刘习"], page_number="04",
                  images=[{"url": "http://zqb.cyol.com/res/1/20250212/a1.jpg",
                           "caption": "图为农技人员在田间查看墒情。 陆健摄"}])
    built.page(url, "zqb.cyol.com/nw.D110000zgqnb_20250212_1-04.htm", html.encode("utf-8"),
               [["Content-Type", "text/html"]], [exp])


HLBR_TEXT = [
    "本报讯（记者 阿拉腾苏和 通讯员 巴特尔）2月28日，呼伦贝尔市冰雪旅游季总结会召开。",
    "今冬以来，全市接待游客人次和旅游收入同比分别增长三成以上，冰雪旅游成为拉动消费的新亮点。",
    "会议要求，各旗市区要总结经验，谋划好春夏季旅游产品，推动四季旅游均衡发展。",
]


def hlbr(built: Built) -> None:
    url = "http://szb.hlbrdaily.com.cn:8888/html/2023-03/01/content_512_8841.htm"
    enp = ("<!--enpproperty <articleid>8841</articleid><date>2023-02-28 21:33:05.0</date><author>阿拉腾苏和"
           "</author><title>冰雪旅游热度不减</title><keyword></keyword><subtitle>呼伦贝尔市总结冰雪旅游季"
           "</subtitle><introtitle>文旅融合</introtitle><siteid>2</siteid><nodeid>512</nodeid>"
           "<nodename>第01版：要闻</nodename><nodesearchname></nodesearchname>/enpproperty-->")
    paras = "".join(f"<P>　　{escape(x)}</P>" for x in HLBR_TEXT)
    html = html_page("呼伦贝尔日报", (
        f"{enp}\n<table><tr><td class=\"font02\">文旅融合</td></tr>"
        "<tr><td class=\"font01\" align=center><founder-title>冰雪旅游热度不减</founder-title></td></tr>"
        "<tr><td class=\"font02\">呼伦贝尔市总结冰雪旅游季</td></tr></table>\n"
        f'<div id="ozoom" style="zoom:100%" class="content"><founder-content><!--enpcontent-->{paras}'
        "<!--/enpcontent--></founder-content></div>\n"), head="")
    text = ["2月28日，呼伦贝尔市冰雪旅游季总结会召开。", *HLBR_TEXT[1:]]
    exp = article(url, "冰雪旅游热度不减", "2023-03-01T00:00:00+08:00", text, kicker="文旅融合",
                  subtitle="呼伦贝尔市总结冰雪旅游季", authors=["阿拉腾苏和"], correspondents=["巴特尔"],
                  section="第01版：要闻")
    built.page(url, "szb.hlbrdaily.com.cn_8888/content_512_8841.htm", html.encode("utf-8"),
               [["Content-Type", "text/html; charset=utf-8"]], [exp])


# --------------------------------------------------------------------------- encodings

ORDOS_TEXT = [
    "近日，鄂尔多斯市康巴什区举办首届社区邻里节，辖区居民在广场上包饺子、唱长调，其乐融融。",
    "活动现场设置了便民服务区，社区医生为老人免费量血压，志愿者帮助居民修理小家电。",
    "康巴什区民政局负责人表示，将把邻里节打造成常态化活动，让更多居民走出家门、融入社区。",
]


def ordosnews(built: Built) -> None:
    url = "http://www.ordosnews.com/news/content/2019-07/05/content_2271.htm"
    paras = ps([*ORDOS_TEXT[:-1], ORDOS_TEXT[-1] + "（记者 苏和巴特尔朝鲁 通讯员 高娃）"])
    html = html_page("康巴什区举办首届社区邻里节-鄂尔多斯新闻网", (
        f'{NAV}\n<div class="wzxxl_q"><h3>康巴什区举办首届社区邻里节</h3>'
        '<p class="sm_q">来源：鄂尔多斯日报 时间：19-07-05 09:44</p></div>\n'
        f'<div class="zwnr_q">\n{paras}\n</div>\n<div class="bj">责任编辑：乌日娜</div>\n{FOOTER}'),
        charset=None)
    exp = article(url, "康巴什区举办首届社区邻里节", "2019-07-05T09:44:00+08:00", ORDOS_TEXT,
                  authors=["苏和巴特尔朝鲁"], correspondents=["高娃"], source="鄂尔多斯日报", editor="乌日娜")
    built.page(url, "www.ordosnews.com/content_2271.htm", html.encode("utf-8"),
               [["Content-Type", "text/html"]], [exp])


NMGZX_TEXT = [
    "6月1日，自治区政协召开专题协商会，围绕推进黄河流域生态保护和高质量发展建言献策。",
    "委员张喆、朱镕基金会项目负责人等先后发言，提出加强水资源节约集约利用、推进沙化土地综合治理等建议。",
    "会议强调，要深入调研、精准建言，为全方位建设模范自治区贡献政协力量。",
]


def nmgzx(built: Built) -> None:
    url = "http://www.nmgzx.gov.cn/zxyw/202306/t20230602_123.html"
    head = ('<meta name="ArticleTitle" content="自治区政协召开专题协商会">\n'
            '<meta name="PubDate" content="2023-06-02 10:21">\n'
            '<meta name="ContentSource" content="内蒙古日报">\n<meta name="author" content="张喆">\n'
            '<meta name="ColumnName" content="政协要闻">\n')
    html = html_page("自治区政协召开专题协商会_内蒙古政协网", (
        f'{NAV}\n<div class="title"><h2>自治区政协召开专题协商会</h2></div>\n'
        f'<div class="TRS_Editor">\n{ps(NMGZX_TEXT)}\n</div>\n{FOOTER}'), charset="gb2312", head=head)
    exp = article(url, "自治区政协召开专题协商会", "2023-06-02T10:21:00+08:00", NMGZX_TEXT, authors=["张喆"],
                  source="内蒙古日报", section="政协要闻")
    built.page(url, "www.nmgzx.gov.cn/t20230602_123.html", html.encode("gb18030"),
               [["Content-Type", "text/html; charset=utf-8"]], [exp])


NMGCB_TEXT = [
    "记者从呼和浩特市交通运输局获悉，今年我市将新开通公交线路12条，优化调整线路20条。",
    "同时，全市将新增新能源公交车200辆，进一步方便市民绿色出行。",
]


def nmgcb(built: Built) -> None:
    url = "https://www.nmgcb.com.cn/hhht/2025-04/16/c_1234.html"
    html = html_page("呼和浩特今年将新开通公交线路12条", (
        f'{NAV}\n<h1 class="article-title">呼和浩特今年将新开通公交线路12条</h1>\n'
        '<div class="article-infos"><time class="date">2025年04月16日 10:21</time> '
        '<span class="source">来源：北方新报</span></div>\n'
        f'<div class="article-content">\n{ps(NMGCB_TEXT)}\n<p>（北方新报 李喆）</p>\n</div>\n{FOOTER}'),
        charset="gb2312")
    exp = article(url, "呼和浩特今年将新开通公交线路12条", "2025-04-16T10:21:00+08:00", NMGCB_TEXT,
                  authors=["李喆"], source="北方新报")
    built.page(url, "www.nmgcb.com.cn/c_1234.html", html.encode("utf-8"), [["Content-Type", "text/html"]],
               [exp])


def main() -> None:
    for sub in ("pages", "expected"):
        shutil.rmtree(HERE / sub, ignore_errors=True)
    built = Built()
    for make in (wlcbnews, northnews, mirror, takungpao, zqb, hlbr, ordosnews, nmgzx, nmgcb):
        make(built)
    site = {"outlet": "generic_pages", "description": "pages of sites no spider knows, for the generic "
            "extractor; generated by build.py", "routes": built.routes}
    (HERE / "site.json").write_text(json.dumps(site, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (HERE / "expected").mkdir()
    for n, exp in enumerate(built.expected, start=1):
        name = f"{n:02d}-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", exp["url"].rsplit("/", 1)[-1]) + ".json"
        (HERE / "expected" / name).write_text(json.dumps(exp, ensure_ascii=False, indent=2) + "\n",
                                              encoding="utf-8")


if __name__ == "__main__":
    main()
