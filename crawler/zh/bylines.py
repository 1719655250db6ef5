"""Personal names and bylines (``记者 李璟 通讯员 兰玉山 田礼军``) of Chinese news.

No library parses Chinese bylines, so these are hand-written rules. A piece of text is
a byline only when *every* token is a role word (记者, 通讯员, 实习生 …), a name, an
outlet (an affiliation, not recorded) or a trailer (摄, 报道 …); anything that reads like
a sentence is refused. :mod:`crawler.zh.credits` builds on this.
"""

from __future__ import annotations

import re

HAN = "\u3400-\u4dbf\u4e00-\u9fff"
DOTS = "·•・‧．."

#: A name written with separators around it: 2–6 Han characters (Mongolian names such
#: as 达布希拉图 are longer than the usual 2–4) or parts joined by a middle dot.
_NAME = re.compile(rf"[{HAN}]{{2,6}}|[{HAN}]{{1,8}}(?:[{DOTS}][{HAN}]{{1,8}})+")
#: A name glued to its role word (记者张云龙): stricter, 2–4 Han characters or dotted.
_FUSED_NAME = re.compile(rf"[{HAN}]{{2,4}}|[{HAN}]{{1,8}}(?:[{DOTS}][{HAN}]{{1,8}})+")
#: Undotted names longer than 6 (Mongolian 苏和巴特尔朝鲁): only right after a role word.
_LONG_NAME = re.compile(rf"[{HAN}]{{7,10}}")
#: Endings of organisations and places, which long "names" must not have.
_ORG_END = frozenset("委局厅部办院校会网报社台县市区旗盟镇乡村苏木司站所队中心厂馆团处科室组")
#: A Latin name part (``Tom``, ``O'Neil``, ``Jean-Luc``); parts in a row make one name.
_LATIN = re.compile(r"[A-Z][A-Za-z]*(?:['\-][A-Za-z]+)*\.?")
#: Characters that occur in sentences but (almost) never in personal names.
_SENTENCE_CHARS = frozenset("了的们这那是在从到对把被着过吗呢吧啊就都也还又将并")
#: Words that look like names after a role word but are column names or verbs.
_NON_NAMES = frozenset(
    re.findall(
        r"\S+",
        "手记 观察 调查 专访 连线 来信 走访 札记 随笔 日记 笔记 视点 体验 探访 直击 快讯 现场 一线 "
        "获悉 了解 提问 采访 目击 评论 述评 时评 短评 点评 报道 整理 采写 编译 综合 发自 联合 本报 本台 "
        "本刊 本网 本社 本站 供图 图片 视频 摄影 文字 编辑 通讯 记者",
    )
)
#: Tokens that may follow names in a byline and carry no name.
TRAILERS = frozenset(
    {"摄", "报道", "整理", "采写", "编译", "综合报道", "联合报道", "发自", "等"}
    | {"供图", "绘", "制图", "文", "图"}
)
AFFILIATION_WORDS = frozenset(("本报", "本台", "本刊", "本网", "本社", "本站"))

AUTHOR_ROLE = (
    rf"(?:(?:本报|本台|本刊|本网|本社|本站)?(?:特约|见习|首席|实习|驻[{HAN}]{{1,6}})?(?:摄影)?记者"
    r"|实习生|作者|撰稿人?|撰文|摄影|摄像|文字|文图|图文)"
)
CORR_ROLE = r"(?:(?:本报|本台|本刊|本网|特约)?通讯员)"
#: Single-character roles, accepted only as tokens of their own (``文/图 张三``).
_SHORT_ROLES = {"文": "author", "图": "author", "摄": "author"}
_ROLE_ONLY = re.compile(rf"(?P<a>{AUTHOR_ROLE})|(?P<c>{CORR_ROLE})")
_FUSED = re.compile(rf"(?P<org>.*?)(?:(?P<a>{AUTHOR_ROLE})|(?P<c>{CORR_ROLE}))(?P<name>.*)")
_OUTLET_SUFFIX = re.compile(rf"[{HAN}A-Za-z{DOTS}]{{2,20}}(?:网|报|社|台|刊|中心)")

#: Separators between names and roles in a byline.
SEP = re.compile(r"[\s\u3000\xa0、，,;；:：/|｜]+")
#: What may follow a byline glued to the story (``记者 王锦鹏9月27日,…``, ``记者 张三，近日…``).
_STORY_START = re.compile(
    r"(?:[，,：:]\s*)?(?=\d|[一二三四五六七八九十]+月|近日|日前|昨日|昨天|今天|今日|近期|连日来|近年来|今年|去年|目前)"
)


def is_name(token: str, *, fused: bool = False) -> bool:
    """Whether ``token`` can be a personal name."""
    if token in _NON_NAMES or any(ch in _SENTENCE_CHARS for ch in token):
        return False
    return bool((_FUSED_NAME if fused else _NAME).fullmatch(token))


def _is_long_name(token: str) -> bool:
    return bool(_LONG_NAME.fullmatch(token)) and token[-1] not in _ORG_END and not any(
        ch in _SENTENCE_CHARS for ch in token)


def is_outlet(token: str, outlets: frozenset[str]) -> bool:
    """Whether ``token`` names a news organisation (given, or ending in 网/报/社/台…)."""
    return token in outlets or (len(token) >= 3 and bool(_OUTLET_SUFFIX.fullmatch(token)))


def parse_byline(
    text: str, outlets: frozenset[str], *, need_role: bool
) -> tuple[list[str], list[str]] | None:
    """Authors and correspondents of ``记者 李璟 通讯员 兰玉山 田礼军``-like text.

    None unless every token fits. With ``need_role``, a role word or an outlet must be
    present (``张三 李四`` alone is no byline). Names longer than 6 Han characters and
    Latin names are accepted only right after a role word.
    """
    authors: list[str] = []
    correspondents: list[str] = []
    kind = "author"
    saw_role = saw_org = False
    after_role = False  # the previous token was a role word (or a name right after one)
    latin = False       # the previous token was a Latin name part
    dangling = False    # a role word not followed by a name yet

    def add(name: str) -> None:
        target = authors if kind == "author" else correspondents
        if name not in target:
            target.append(name)

    for token in SEP.split(text):
        if not token or token in TRAILERS or token in AFFILIATION_WORDS:
            continue
        for tail in ("报道", "摄", "等"):  # 张三摄, 张三报道, 张三等
            if token.endswith(tail) and is_name(token[: -len(tail)]):
                token = token[: -len(tail)]
                break
        role = _ROLE_ONLY.fullmatch(token)
        if role or token in _SHORT_ROLES:
            kind = ("author" if role["a"] else "correspondent") if role else _SHORT_ROLES[token]
            saw_role = after_role = dangling = True
            latin = False
            continue
        # An outlet before any role is the affiliation (内蒙古新闻网 安华祎): not a name.
        if token in outlets or (not saw_role and is_outlet(token, outlets)):
            saw_org, after_role, latin = True, False, False
            continue
        fused = _FUSED.fullmatch(token)
        if (
            fused
            and (not fused["org"] or is_outlet(fused["org"], outlets))
            and (not fused["name"] or is_name(fused["name"], fused=True))
        ):
            kind = "author" if fused["a"] else "correspondent"
            saw_role, after_role, latin = True, True, False
            saw_org = saw_org or bool(fused["org"])
            dangling = not fused["name"]
            if fused["name"]:
                add(fused["name"])
            continue
        if is_name(token) or (after_role and _is_long_name(token)):
            add(token)
            latin = dangling = False
            continue
        if after_role and _LATIN.fullmatch(token):
            target = authors if kind == "author" else correspondents
            if latin and target:
                target[-1] = f"{target[-1]} {token}"
            else:
                add(token)
            latin, dangling = True, False
            continue
        return None
    if dangling or not (authors or correspondents):
        return None
    if need_role and not (saw_role or saw_org):
        return None
    return authors, correspondents


def leading_byline(text: str, outlets: frozenset[str]) -> tuple[tuple[list[str], list[str]], str] | None:
    """A byline at the start of ``text`` (after a dateline) and the story after it.

    ``记者 王锦鹏 9月27日,…`` and ``记者 王锦鹏9月27日,…`` (the name glued to the
    story's first date or time word) both give ``(["王锦鹏"], [])`` and ``9月27日,…``.
    A role word is required; at most 10 tokens are tried.
    """
    spans = list(re.finditer(r"\S+", text))[:10]
    for k in range(len(spans), 0, -1):
        if k < len(spans) and not _ROLE_ONLY.match(spans[k].group()):  # never cut a byline in two
            found = parse_byline(text[: spans[k - 1].end()], outlets, need_role=True)
            if found is not None:
                return found, text[spans[k].start() :]
        last = spans[k - 1].group()
        for cut in range(min(len(last), 11), 1, -1):
            glue = _STORY_START.match(last, cut)
            if glue is None:
                continue
            found = parse_byline(text[: spans[k - 1].start()] + last[:cut], outlets, need_role=True)
            if found is not None:
                return found, last[glue.end() :] + text[spans[k - 1].end() :]
    return None
