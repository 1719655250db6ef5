"""Repair of the body text of Chinese news pages: spacing, broken lines, repeats, chrome.

A suggested order: ``normalize_paragraph`` on each paragraph, ``strip_boilerplate``,
``dedupe_blocks``, ``mend_broken_lines``, then ``credits.extract_credits``. Read the
date and source lines *before* ``strip_boilerplate``: it drops them with the toolbar
(``内蒙古新闻网 10-07-21 17:18 打印本页 【字体: 来源: …``).

No library fits a list of paragraphs, so these are hand-written rules. trafilatura's
``deduplication.duplicate_test`` takes lxml elements, counts text in a module-wide LRU
cache shared by every document of the process, and drops a text only from its third
sighting on and only if longer than 100 characters (settings.cfg ``MAX_REPETITIONS = 2``,
``MIN_DUPLCHECK_SIZE = 100``); its boilerplate removal works on the HTML tree.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_SPACES = re.compile(r"[ \t\f\v\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_CJK_OPENERS = "（《「『【〔“‘"
_CJK_CLOSERS = "，。、；：？！）》」』】〕”’"

# --------------------------------------------------------------------------- normalise


def normalize_paragraph(p: str) -> str:
    """Trim ASCII/full-width/no-break spaces and collapse spacing inside a paragraph.

    Runs of spaces become one ASCII space (a single space between Han phrases is often
    meaningful: ``系统阐述深入解读 迅速掀起宣讲热潮``, ``记者 李璟``); spaces next to
    full-width punctuation are dropped; line breaks are kept, without spaces around them.
    Latin text keeps its single spaces.
    """
    p = _ZERO_WIDTH.sub("", p).replace("\r\n", "\n").replace("\r", "\n")
    p = _SPACES.sub(" ", p)
    p = re.sub(r" ?\n[ \n]*", "\n", p)
    p = re.sub(rf"(?<=[{_CJK_OPENERS}]) | (?=[{_CJK_CLOSERS}])", "", p)
    p = re.sub(rf"(?<=[{_CJK_CLOSERS}]) (?=[{_HAN}{_CJK_OPENERS}])", "", p)
    return p.strip(" \n")


# --------------------------------------------------------------------------- boilerplate

_TOOL_WORDS = re.compile(
    r"打印本页|打印此页|【?打印】?$|关闭窗口|【\s*关闭\s*】|【?\s*字体\s*[:：]|字号\s*[:：]|【\s*大\s*中\s*小\s*】"
    r"|转播到腾讯微博|分享到|一键分享|扫一扫|收藏本页|加入收藏|设为首页|返回首页|返回顶部|【\s*纠错\s*】"
    r"|[浏瀏][览覽]次[数數]|点击数\s*[:：]|阅读数\s*[:：]|阅读次数"
)
_BREADCRUMB = re.compile(r"^(?:您|你)?(?:当前|现在)?(?:的)?(?:所在)?位置\s*[:：]|^当前位置|^首页\s*[>＞»›]")
_LINK_LINE = re.compile(
    r"^(?:上一篇|下一篇|上一条|下一条)\s*[:：]"
    r"|^(?:相关新闻|相关阅读|相关链接|推荐阅读|热点推荐|猜你喜欢)\s*[:：]?$"
)
_FOOTER_LINE = re.compile(
    r"copyright|all rights reserved|©|\(c\)\s*\d{4}|版权所有|ICP\s*[备证]|公网安备"
    r"|互联网新闻信息服务许可证|信息网络传播视听节目许可证|增值电信业务经营许可证|广播电视节目制作经营许可证"
    r"|违法和不良信息举报|未经(?:本网|本站|书面)?(?:书面)?授权.{0,12}(?:不得|禁止|严禁)(?:转载|复制|镜像|使用)"
    r"|^(?:凡本网|凡本站|本网站)注明",
    re.IGNORECASE,
)
_FOOTER_START = re.compile(r"免责声明|版权声明|版权与免责|法律声明")
#: Lines that may follow a disclaimer heading and belong to the footer.
_FOOTER_CONTENT = re.compile(
    r"本网|本站|转载|版权|免责|联系方式|联系电话|电话\s*[:：]|热线|传真|地址\s*[:：]|邮编|邮箱|e-?mail"
    r"|许可证|ICP|网站介绍|广告服务|网站地图|主办|承办|技术支持|举报",
    re.IGNORECASE,
)
_NAV_SEPARATORS = re.compile(r"\s+[-|｜·•/]\s+|\s*[|｜]\s*")
_NAV_ITEM = re.compile(rf"[{_HAN}A-Za-z0-9]{{1,10}}")
_SENTENCE_MARKS = re.compile(r"[。！？!?，,；;：:“”]")


def _is_nav(line: str) -> bool:
    """A menu or site link bar: 3+ short items split by ``-`` or ``|``, no sentence marks."""
    items = [item.strip() for item in _NAV_SEPARATORS.split(line) if item.strip()]
    if len(items) < 3:
        return False
    words = [w for item in items for w in item.split()]
    return all(_NAV_ITEM.fullmatch(w) for w in words) and sum(map(len, words)) / len(words) <= 8


def _is_boilerplate(line: str) -> bool:
    """A line of page chrome: toolbar, breadcrumb, menu, copyright or licence."""
    if _BREADCRUMB.search(line) or _LINK_LINE.search(line):
        return True
    if len(line) <= 120 and (_TOOL_WORDS.search(line) or _FOOTER_LINE.search(line)):
        return True
    return _is_nav(line)


_BULLET = "•·●○■□▪▸►-*>"


def _is_menu_item(line: str) -> bool:
    """A short label without sentence punctuation (one entry of a vertical menu).

    Length counts Han characters, so that labels annotated with pinyin by mirror
    sites (``領(lǐng)導(dǎo)團(tuán)隊(duì)``) still count as short.
    """
    text = line.lstrip(_BULLET + " ").strip()
    han = len(re.findall(f"[{_HAN}]", text))
    return 0 < len(text) <= 40 and han <= 16 and not _SENTENCE_MARKS.search(text)


def strip_boilerplate(paragraphs: list[str]) -> list[str]:
    """Drop navigation, breadcrumbs, share/print tools, disclaimers and footers.

    * lines of page chrome (``您当前的位置 :…``, ``打印本页``, ``【字体:``, ``转播到腾讯微博``,
      ``Copyright ©``, ``版权所有``, ``…ICP证…``, ``互联网新闻信息服务许可证``, menus such as
      ``网站介绍 | 广告服务 | …``) are dropped wherever they stand;
    * a disclaimer heading (``内蒙古新闻网版权与免责声明:``) starts the footer: it and the
      lines after it are dropped while they read like footer text (``凡本网注明…``,
      ``联系方式:…``); the first line that does not ends the footer;
    * runs of 6 or more short lines without sentence punctuation (vertical menus) are
      dropped when the run starts within the first 3 lines, ends within the last 3,
      or has bullets (``•``) on half of its lines; elsewhere such a run may be a
      real list and stays. When body text follows the run, its last line is kept
      unless bulleted: it is most likely the headline;
    * empty paragraphs are dropped. Credit lines (责任编辑 …) are kept for extract_credits.
    """
    lines = [p for p in paragraphs if p.strip()]
    drop = [False] * len(lines)
    in_footer = False
    for i, line in enumerate(lines):
        text = line.strip()
        if _FOOTER_START.search(text) and len(text) <= 40:
            in_footer = drop[i] = True
            continue
        if in_footer:
            if _FOOTER_CONTENT.search(text) or _is_boilerplate(text) or len(text) <= 6:
                drop[i] = True
                continue
            in_footer = False
        drop[i] = _is_boilerplate(text)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _is_menu_item(lines[j].strip()):
            j += 1
        bullets = sum(lines[k].lstrip().startswith(tuple(_BULLET)) for k in range(i, j))
        at_edge = i < 3 or j > len(lines) - 3
        if j - i >= 6 and (at_edge or 2 * bullets >= j - i):
            end = j
            # Body text right after a menu: its last, unbulleted line is the headline.
            if j < len(lines) and not lines[j - 1].lstrip().startswith(tuple(_BULLET)):
                end = j - 1
            drop[i:end] = [True] * (end - i)
        i = max(j, i + 1)
    return [line for line, dropped in zip(lines, drop, strict=True) if not dropped]


# --------------------------------------------------------------------------- dedupe

DEDUPE_MIN_CHARS = 15


def _key(p: str) -> str:
    """Comparison key: the paragraph without any whitespace."""
    return re.sub(r"\s+", "", p)


def dedupe_blocks(paragraphs: list[str]) -> list[str]:
    """Keep the first occurrence of repeated paragraphs and repeated runs, in order.

    A paragraph of at least ``DEDUPE_MIN_CHARS`` characters (whitespace ignored) that
    appeared before is dropped. A shorter one (a sub-heading, ``市政协副主席出席会议。``)
    is dropped only as part of a run of paragraphs that repeats an earlier run in the
    same order and contains at least one long paragraph; short lines repeated on their
    own (two articles both saying ``会议强调``) stay.
    """
    keys = [_key(p) for p in paragraphs]
    seen: dict[str, list[int]] = {}
    out: list[str] = []
    i = 0
    while i < len(paragraphs):
        run = 0
        for j in seen.get(keys[i], []):
            k = 0
            while i + k < len(keys) and j + k < i and keys[j + k] == keys[i + k]:
                k += 1
            run = max(run, k)
        if run and any(len(keys[i + k]) >= DEDUPE_MIN_CHARS for k in range(run)):
            for k in range(run):  # remember the dropped copies too
                seen.setdefault(keys[i + k], []).append(i + k)
            i += run
            continue
        if keys[i]:
            seen.setdefault(keys[i], []).append(i)
            out.append(paragraphs[i])
        i += 1
    return out


# --------------------------------------------------------------------------- broken lines

#: Marks that end a paragraph for certain.
_HARD_END = "。！？!?…；;：:—"
#: Closing quotes and brackets: they end a paragraph when they close a sentence or a
#: heading (``…“力量足”``), but a part that cannot start a paragraph still joins them.
_SOFT_END = "”’」』）)》】"
#: Marks after which a paragraph cannot end (``，`` ``、`` or an opening bracket).
_OPEN_END = "，,、（(《“‘「『【〔"
_CANNOT_START = re.compile(rf"^(?:[，,。、；;：:？?！!）)》」』】〕…]|[{_HAN}][，,、；;。]|的(?!确)|们)")
_NEW_PARAGRAPH = re.compile(
    r"^(?:#|[□■◇◆○●◎▲△★☆▌]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]"
    r"|\d+[、.．]\D|第[一二三四五六七八九十\d]+[，,、章节条部分])"
)
#: Image captions: ``图为…``, a caption that opens with the full date of the photo
#: (``2010年8月14日,兴安盟召开…``) or ends with its credit (``… 张三 摄``).
_CAPTION = re.compile(
    r"^(?:图为|图：|图:|上图|下图|左图|右图|▲|△)|^(?:19|20)\d{2}年\d{1,2}月\d{1,2}日\s*[,，]"
    r"|(?:摄|供图|图片来源\S*)\s*[)）]?$"
)
_PAIRS = (("“", "”"), ("（", "）"), ("(", ")"), ("《", "》"), ("「", "」"), ("‘", "’"))
PROSE_MIN_CHARS = 50


def _unbalanced(first: str, second: str) -> bool:
    """``first`` opens a quote or bracket that ``second`` closes."""
    return any(first.count(o) > first.count(c) and second.count(c) > second.count(o) for o, c in _PAIRS)


def _should_join(first: str, second: str) -> bool:
    """Whether ``second`` continues ``first`` across a print-layout line break."""
    a, b = first.rstrip(), second.lstrip()
    if not a or not b or a.startswith("#") or _NEW_PARAGRAPH.match(b):
        return False
    last = a[-1]
    if last in _HARD_END:
        return False
    if _CANNOT_START.match(b):  # 录，… / 的难点… / 木,… never start a paragraph
        return True
    if last in _SOFT_END:
        return False
    if last in _OPEN_END or _unbalanced(a, b):
        return True
    # No final mark, and ``first`` is prose, not a heading or a caption: it holds a
    # whole sentence already, or is long and has clauses.
    if _CAPTION.search(a):
        return False
    body = a[:-1]
    return any(ch in "。！？!?；;" for ch in body) or (
        len(a) >= PROSE_MIN_CHARS and any(ch in "，," for ch in a)
    )


def mend_broken_lines(paragraphs: list[str], *, captions: Collection[str] = ()) -> list[str]:
    """Join paragraphs that the print layout split in the middle of a sentence or word.

    ``A`` is joined with the next paragraph ``B`` when A does not end with a mark that
    ends a paragraph and B does not start like a new paragraph (``#`` heading, list
    number ``一、`` ``（一）`` ``1.``, a ``□`` byline marker), and one of:

    1. B cannot start a paragraph: it starts with closing punctuation, with one Han
       character followed by punctuation (``录，``, ``木,``, ``息,``), or with 的/们;
       this also joins after a closing quote or bracket;
    2. A ends with ``，`` ``、`` or an opening bracket or quote;
    3. A opens a quote or bracket that B closes (``“能够…总书记`` / ``和党中央…。”``);
    4. A is prose: it already contains a sentence end (。！？；) or is at least
       ``PROSE_MIN_CHARS`` long with a comma (captions ``图为…`` excluded).

    Marks that end a paragraph: 。！？…；：— always; ”’」』）》】 unless rule 1 applies.
    So a short heading without final punctuation (``党员志愿者群众都欢迎``,
    ``增添为群众服务的活力——内蒙古…建设``) is never glued to the paragraph after it.
    Paragraphs in ``captions`` (known from the markup) never join either side.
    Joins chain, and Han text is joined without a space.
    """
    apart = {_key(c) for c in captions}
    out: list[str] = []
    joinable = False  # whether out[-1] may take a continuation
    for paragraph in paragraphs:
        is_caption = _key(paragraph) in apart
        if out and joinable and not is_caption and _should_join(out[-1], paragraph):
            a, b = out[-1].rstrip(), paragraph.lstrip()
            sep = " " if a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha() else ""
            out[-1] = a + sep + b
        else:
            out.append(paragraph)
            joinable = not is_caption
    return out
