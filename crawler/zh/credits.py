"""Bylines, sources, contributing organisations and editors of Chinese news articles.

No library parses Chinese bylines, so these are hand-written rules. They accept a
piece of text as a credit only when *every* token in it is a role word
(记者, 通讯员, 实习生 …), a name, an outlet or a label (来源, 责任编辑 …) and at least
one role or outlet is present; anything that reads like a sentence
(``记者从发布会上获悉，……``) is left in the text untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.zh.bylines import HAN, SEP, is_name, leading_byline, parse_byline

_HAN = HAN
_DECOR = re.compile(r"^[\s\u3000\xa0□■◇◆○●◎▲△▼▽★☆▌▍▎▏|｜>＞]+")
_OPEN, _CLOSE = "（([【", "）)]】"
_WRAPPED = re.compile(r"^[（(\[【]\s*(?P<inner>[^（）()\[\]【】]*?)\s*[）)\]】]$")
_SENTENCE_END = re.compile(r"[。！？!?；;]")

_SOURCE_LABELS = ("文章来源", "稿件来源", "信息来源", "新闻来源", "来源", "稿源")
_EDITOR_LABELS = ("责任编辑", "责编", "编辑")
_IGNORED_LABELS = ("校对", "审核", "审校", "一审", "二审", "三审", "终审", "监制", "统筹", "策划")
_LABEL = re.compile(
    r"(?<![^\s\u3000\[【(（|｜])(?P<label>"
    + "|".join(_SOURCE_LABELS + _EDITOR_LABELS + _IGNORED_LABELS + ("供稿单位", "供稿", "作者"))
    + rf")(?:\s*[:：]\s*|\s+|(?=[{_HAN}]))"
)
_SUPPLIED = re.compile(r"(?P<org>[^\s，,。:：（）()]{2,30}?)\s*供稿")
_JU = re.compile(
    rf"据\s*(?:《(?P<a>[^《》]{{2,30}})》|(?P<b>[{_HAN}]{{2,20}}?(?:网|报|社|台|刊)))"
    r"\s*(?:报道|消息|电)?"
)
_SOURCE_VALUE = re.compile(r"^[\s:：]*《?(?P<v>[^\s《》()（）\[\]【】|｜,，;；“”\"'‘’<>]{2,40})")
_SOURCE_IN_TEXT = re.compile(r"(?:文章|稿件|信息|新闻)?来源(?:\s*[:：]\s*|\s+)(?P<v>[^\n]{0,60})")
_EDITOR_IN_TEXT = re.compile(r"(?:责任编辑|责编|编辑)\s*[:：]?\s*(?P<v>[^\]】)）\[【(（\n]*)")
_DATELINE = re.compile(
    r"^\s*(?P<dl>本[报台网刊]讯|[^\s（）()，,。：:]{1,30}?[讯电])\s*[（(](?P<inner>[^（）()]{1,60})[）)]\s*"
)
#: A dateline followed by a space: ``本报讯 记者 X …``, ``呼和浩特讯 记者 X …``.
_DATELINE_SPACE = re.compile(r"^\s*(?P<dl>本[报台网刊]讯|[^\s（）()，,。：:]{1,30}?[讯电])[\s\u3000\xa0]+")
_TAGS = re.compile(r"<[^>]+>")


@dataclass
class Credits:
    """Who wrote, contributed, supplied, sourced and edited an article."""

    authors: list[str] = field(default_factory=list)
    correspondents: list[str] = field(default_factory=list)
    organisation: str | None = None
    source: str | None = None
    editor: str | None = None

    def merge(self, other: Credits) -> Credits:
        """Fill what is missing from ``other`` and extend the lists without duplicates."""
        for name in other.authors:
            if name not in self.authors:
                self.authors.append(name)
        for name in other.correspondents:
            if name not in self.correspondents:
                self.correspondents.append(name)
        self.organisation = self.organisation or other.organisation
        self.source = self.source or other.source
        self.editor = self.editor or other.editor
        return self

    @property
    def empty(self) -> bool:
        """True when nothing was found."""
        return not (self.authors or self.correspondents or self.organisation or self.source or self.editor)


def _parse_byline(text: str, outlets: frozenset[str], *, need_role: bool) -> Credits | None:
    """:func:`crawler.zh.bylines.parse_byline` as Credits."""
    found = parse_byline(text, outlets, need_role=need_role)
    return Credits(authors=found[0], correspondents=found[1]) if found else None


def _clean_source(value: str) -> str | None:
    """The outlet name at the start of a 来源 value, without 《》 and spaces."""
    m = _SOURCE_VALUE.match(_TAGS.sub("", value))
    if not m:
        return None
    name = m["v"].strip("《》 ")
    return name if len(name) >= 2 else None


def _editor_names(value: str) -> str | None:
    """Names in an editor value, joined by one space; stops at the next label."""
    names: list[str] = []
    for token in re.split(r"[\s\u3000\xa0、，,/]+", value):
        if not token:
            continue
        if ":" in token or "：" in token or token in _IGNORED_LABELS or token in _SOURCE_LABELS:
            break
        if not is_name(token):
            break
        names.append(token)
    return " ".join(names) or None


def _parse_unit(text: str, outlets: frozenset[str], *, need_role: bool = True) -> Credits | None:
    """Parse a whole line or bracket content as credits; None if any part is not a credit."""
    t = _DECOR.sub("", text).strip()
    wrapped = _WRAPPED.match(t)
    if wrapped:
        t = wrapped["inner"]
    t = t.strip(" \u3000\xa0")
    if not t or len(t) > 60 or _SENTENCE_END.search(t):
        return None
    supplied = _SUPPLIED.fullmatch(t)
    if supplied and "记者" not in supplied["org"]:
        org = re.sub(r"^(?:本文|本稿|此稿)?由", "", supplied["org"])
        return Credits(organisation=org) if len(org) >= 2 else None
    ju = _JU.fullmatch(t)
    if ju:
        return Credits(source=ju["a"] or ju["b"])
    labels = list(_LABEL.finditer(t))
    head = t[: labels[0].start()] if labels else t
    credits = Credits()
    if head.strip():
        byline = _parse_byline(head, outlets, need_role=need_role)
        if byline is None:
            return None
        credits.merge(byline)
    for i, lm in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(t)
        value = t[lm.end() : end].strip()
        label = lm["label"]
        if label in _SOURCE_LABELS:
            found = _clean_source(value)
            if not found or len(found) < len(value.strip("《》 ")):
                return None
            credits.source = credits.source or found
        elif label in _EDITOR_LABELS:
            names = _editor_names(value)
            if not names or len(names.replace(" ", "")) < len(SEP.sub("", value)):
                return None
            credits.editor = credits.editor or names
        elif label == "作者":
            byline = _parse_byline(f"作者 {value}", outlets, need_role=False)  # the label is a role
            if byline is None:
                return None
            credits.merge(byline)
        elif label.startswith("供稿"):
            if not value or len(value) > 30:
                return None
            credits.organisation = credits.organisation or value
        elif not value or len(value) > 20:  # 校对/审核 …: dropped with the line
            return None
    return None if credits.empty else credits


def parse_source(text: str) -> str | None:
    """The original source named in ``text`` (``来源：新华网``, ``据《内蒙古日报》``)."""
    text = _TAGS.sub("", text)
    m = _SOURCE_IN_TEXT.search(text)
    if m:
        found = _clean_source(m["v"])
        if found:
            return found
    m = re.search(r"据\s*《(?P<v>[^《》]{2,30})》", text)
    if m:
        return m["v"].strip()
    ju = _JU.fullmatch(text.strip(" \u3000\xa0()（）"))
    return (ju["a"] or ju["b"]) if ju else None


def parse_editor(text: str) -> str | None:
    """The editor(s) in ``[责任编辑：安华祎]``, ``责编：张三``…, names joined by a space."""
    m = _EDITOR_IN_TEXT.search(_TAGS.sub("", text))
    return _editor_names(m["v"]) if m else None


def _strip_dateline(text: str, outlets: frozenset[str], credits: Credits) -> str:
    """Remove ``本报讯(记者 X)`` / ``本报讯 记者 X`` / ``…电(记者 X)`` / ``呼和浩特讯 记者 X``
    bylines at the start; ``本报讯`` goes with them, other datelines stay."""
    m = _DATELINE.match(text)
    if m:
        own = m["dl"][0] == "本" and len(m["dl"]) == 3
        found = _parse_byline(m["inner"], outlets, need_role=not own)
        if found is not None:
            credits.merge(found)
            # 本报讯 says nothing but "our own"; other datelines (新华社北京9月26日电)
            # carry place and date and are kept.
            return text[m.end() :] if own else m["dl"] + " " + text[m.end() :]
    m = _DATELINE_SPACE.match(text)
    if m:
        lead = leading_byline(text[m.end() :], outlets)
        if lead is not None:
            (authors, correspondents), rest = lead
            credits.merge(Credits(authors=authors, correspondents=correspondents))
            own = m["dl"][0] == "本" and len(m["dl"]) == 3
            return rest if own else m["dl"] + " " + rest
    return text


def _strip_brackets(text: str, outlets: frozenset[str], credits: Credits) -> str:
    """Remove credits in brackets at the end and at the start of a paragraph."""
    trailing = re.compile(r"[（(\[【](?P<inner>[^（）()\[\]【】]{1,60})[）)\]】][\s\u3000\xa0]*$")
    leading = re.compile(r"^[\s\u3000\xa0]*[（(\[【](?P<inner>[^（）()\[\]【】]{1,60})[）)\]】]")
    changed = True
    while changed and text.strip():
        changed = False
        for pattern in (trailing, leading):
            m = pattern.search(text)
            if m:
                found = _parse_unit(m["inner"], outlets)
                if found is not None:
                    credits.merge(found)
                    text = (text[: m.start()] + text[m.end() :]).strip(" \u3000\xa0")
                    changed = True
    return text


def extract_credits(
    paragraphs: list[str], *, outlet_names: tuple[str, ...] = ()
) -> tuple[list[str], Credits]:
    """Remove every credit from an article body and return the rest with the Credits.

    Credits are recognised on lines of their own (``□本报记者 李璟``, ``通讯员 兰玉山``,
    ``作者：陆健 刘习``, ``来源：新华网``, ``据《内蒙古日报》``, ``自治区党委政法委供稿``,
    ``[责任编辑 安华祎 ]``), as a dateline prefix (``本报讯(记者 李璟)``) and in brackets
    at the end or start of a paragraph (``(内蒙古新闻网 安华祎 通讯员 王立国)``).
    An outlet inside a byline is the author's affiliation and is not recorded.
    Paragraphs that become empty are dropped; untouched paragraphs are returned as given.
    """
    outlets = frozenset(outlet_names)
    credits = Credits()
    kept: list[str] = []
    for paragraph in paragraphs:
        lines: list[str] = []
        for line in paragraph.split("\n"):
            found = _parse_unit(line, outlets)
            if found is not None:
                credits.merge(found)
            else:
                lines.append(line)
        text = "\n".join(lines)
        if lines and len(lines) == paragraph.count("\n") + 1:
            text = paragraph
        new = _strip_brackets(_strip_dateline(text, outlets, credits), outlets, credits)
        if new != text:
            text = new.strip(" \u3000\xa0\n")
        if text.strip():
            kept.append(text)
    return kept, credits


def credit_line(paragraph: str, *, outlet_names: tuple[str, ...] = ()) -> Credits | None:
    """The credits of a paragraph made only of credit lines (``(据《内蒙古日报》)``,
    ``□本报记者 李璟\\n通讯员 …``); None when any line is not a credit."""
    outlets = frozenset(outlet_names)
    credits = Credits()
    for line in paragraph.split("\n"):
        found = _parse_unit(line, outlets)
        if found is None:
            return None
        credits.merge(found)
    return None if credits.empty else credits
