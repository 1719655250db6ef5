"""Mirror-site text and traditional characters: detect, repair, simplify.

Mirror farms copy news into traditional characters and insert the pinyin of some
characters after them (``集團(tuán)概況``) with a byte-level replace on GBK text, which
also cuts characters in two (``劉延?xùn)|`` for 劉延東; shared/outlets.md §10).

* :func:`pinyin_score` / :func:`is_mirror` detect the artifact (§10.4 step 1);
* :func:`repair_broken` undoes the misaligned inserts by re-encoding to GBK and
  restoring the lost lead byte whose character has the annotated pinyin (§10.4 step 3);
* :func:`strip_pinyin` deletes the aligned ``(pinyin)`` groups (step 2);
* :func:`simplify` converts traditional to simplified with OpenCC ``t2s``.

No library does the byte repair, so it is written here; pinyin comes from pypinyin,
the conversion from opencc-python-reimplemented. The page text is never changed in
place: these functions return a derived text.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
#: Letters of tone-marked pinyin (plus plain a-z for the neutral tone).
PINYIN = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_TONED = re.compile("[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ]")
#: An aligned annotation: ``團(tuán)``.
_SIMPLE = re.compile(rf"(?<=[{_HAN}])\((?P<py>[{PINYIN}]{{1,7}})\)")
#: A misaligned one: the byte before the ``(`` was lost to ``?`` or U+FFFD (``延?xùn)|``).
_BROKEN = re.compile(rf"[?\ufffd]\(?(?P<py>[{PINYIN}]{{1,7}})\)")

#: A page is a mirror when at least this many annotations are found ...
MIRROR_MIN_MATCHES = 3
#: ... and they make at least this share of its Han characters (real samples: 0.09-0.33).
MIRROR_MIN_SCORE = 0.03
#: Text is traditional when t2s changes at least this share of its Han characters.
TRADITIONAL_MIN_SHARE = 0.05
TRADITIONAL_MIN_CHARS = 3

_MAX_SHIFT = 200  # characters a lost byte may misalign before an ASCII one resynchronises
_BEAM = 32        # partial choices kept while solving a run of broken forms


@lru_cache(maxsize=1)
def _t2s() -> object:
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def gb2312_level1() -> frozenset[str]:
    """The 3755 common characters (GB2312 level 1, lead bytes 0xB0-0xD7)."""
    chars = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


@lru_cache(maxsize=1)
def t2s_triggers() -> frozenset[str] | None:
    """One character of each t2s dictionary key whose conversion is not the identity.

    A key matches only where all its characters are, so one of them rules it out: one
    outside the common characters if the key has one, else one the conversion changes.
    A text holding none of these comes back from t2s unchanged (every other match maps a
    string to itself), so :func:`simplify` skips the conversion: OpenCC's pure-Python
    matcher was half of extraction's time, and almost every page is simplified already
    (measured in docs/performance.md; ``tests/test_zh_fast_simplify.py`` compares both ways
    on every test page and every dictionary key). None when opencc's tables cannot be read.
    """
    converter = _t2s()
    converter.convert("")  # type: ignore[attr-defined]  # loads the dictionaries
    chain = getattr(converter, "_dict_chain_data", None)
    if not chain or not hasattr(converter, "split_chars_re") or not hasattr(converter, "_convert"):
        return None
    common = gb2312_level1()
    chars: set[str] = set()
    for group in chain:
        for *_lengths, table in group:
            for key, value in table.items():
                if key != value:
                    rare = [k for k in key if k not in common]
                    changed = [k for k, v in zip(key, value, strict=False) if k != v]
                    chars.add(rare[0] if rare else changed[0] if changed else key[0])
    return frozenset(chars)


def simplify(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC ``t2s``); other text is unchanged.

    OpenCC converts the pieces between its sentence separators one by one; only the
    pieces holding a trigger character (:func:`t2s_triggers`) go through its matcher.
    """
    triggers = t2s_triggers()
    converter = _t2s()
    if triggers is None:
        return converter.convert(text)  # type: ignore[attr-defined]
    if triggers.isdisjoint(text):
        return text
    pieces = _separators().split(text)
    for i in range(0, len(pieces), 2):  # odd indexes are the separators, kept as they are
        if not triggers.isdisjoint(pieces[i]):
            piece = pieces[i]
            pieces[i] = _convert_piece(piece) if len(piece) <= _CACHED_PIECE else _convert(piece)
    return "".join(pieces)


@lru_cache(maxsize=1)
def _separators() -> re.Pattern[str]:
    """OpenCC's sentence separators with the single characters as one set.

    Its pattern, ``(\\s+|-|,|\\.|…)``, is an alternation of 71 branches that Python's regex
    engine tries one by one at every character: 140 µs for a text of 1,200 characters,
    against 42 with the set. The same splits (tests/test_zh_fast_simplify.py); OpenCC's own
    pattern if a later version writes it otherwise.
    """
    own: re.Pattern[str] = _t2s().split_chars_re  # type: ignore[attr-defined]
    source = own.pattern
    branches = source[1:-1].split("|")
    singles = [b[1:] if b.startswith("\\") else b for b in branches[1:]]
    if source[0] + source[-1] != "()" or branches[0] != r"\s+" or any(len(c) != 1 for c in singles):
        return own
    return re.compile(r"(\s+|[" + "".join(re.escape(c) for c in singles) + "])")


def _convert(piece: str) -> str:
    """OpenCC's matcher on one piece."""
    converter = _t2s()
    return converter._convert(piece, converter._dict_chain_data)  # type: ignore[attr-defined]


#: Pieces up to this length are converted through a cache: extraction asks for the same text
#: twice (``is_traditional``, then ``looks_garbled`` on the final text), and the matcher is
#: pure Python. Longer ones (hostile pages) are not kept.
_CACHED_PIECE = 400
_convert_piece = lru_cache(maxsize=4096)(_convert)


_HAN_RUNS = re.compile(f"[{_HAN}]+")


def han_count(text: str) -> int:
    """Han characters (CJK Extension A and Unified Ideographs) in ``text``."""
    return len(text) - len(_HAN_RUNS.sub("", text))  # no list of one-character matches


def _annotations(text: str) -> int:
    return len(_SIMPLE.findall(text)) + len(_BROKEN.findall(text))


def pinyin_score(text: str) -> float:
    """Pinyin annotations (aligned and broken) per Han character; 0 for normal text."""
    han = han_count(text)
    return _annotations(text) / han if han else 0.0


def is_mirror(text: str) -> bool:
    """Whether ``text`` carries the mirror-site pinyin artifact."""
    return _annotations(text) >= MIRROR_MIN_MATCHES and pinyin_score(text) >= MIRROR_MIN_SCORE


def is_traditional(text: str) -> bool:
    """Whether ``text`` is written in traditional characters (t2s changes enough of it)."""
    simplified = simplify(text)
    if simplified == text:  # what most pages are: no character-by-character count needed
        return False
    changed = sum(a != b for a, b in zip(text, simplified, strict=False))
    han = han_count(text)
    return changed >= TRADITIONAL_MIN_CHARS and han > 0 and changed / han >= TRADITIONAL_MIN_SHARE


@lru_cache(maxsize=4096)
def _readings(char: str) -> frozenset[str]:
    from pypinyin import Style, pinyin

    return frozenset(pinyin(char, style=Style.TONE, heteronym=True)[0])


def _matches_pinyin(char: str, annotation: str) -> bool:
    return annotation in _readings(char) or annotation.replace("v", "ü") in _readings(char)


def strip_pinyin(text: str) -> str:
    """Delete aligned ``(pinyin)`` groups: those with a tone mark or reading the character before."""

    def keep_or_drop(m: re.Match[str]) -> str:
        py = m["py"]
        before = m.string[m.start() - 1]
        return "" if _TONED.search(py) or _matches_pinyin(before, py) else m.group(0)

    return _SIMPLE.sub(keep_or_drop, text)


def _plausibility(text: str, known: frozenset[str]) -> int:
    """How plausible a decoding is: characters and character pairs the page uses
    elsewhere and common characters (GB2312 after t2s) count for it, rare ones against."""
    score = sum(2 for a, b in itertools.pairwise(text) if a + b in known)
    for ch in text:
        if ch in known:
            score += 1
        try:
            simplify(ch).encode("gb2312")
        except UnicodeEncodeError:
            score -= 1
        else:
            score += 1
    return score


def _lead_candidates(prev: int, annotation: str) -> list[int]:
    """Bytes L such that GBK (prev, L) is a character read ``annotation``.

    L was lost because the decoder met it before the inserted ``(``: it is not ASCII.
    """
    if prev < 0x81:
        return []
    found = []
    for lead in range(0x81, 0xFF):
        try:
            char = bytes((prev, lead)).decode("gbk")
        except UnicodeDecodeError:
            continue
        if len(char) == 1 and _matches_pinyin(char, annotation):
            found.append(lead)
    return found


def _solve_cluster(
    pieces: list[bytes | str], known: frozenset[str], annotated: frozenset[str]
) -> bytes | None:
    """Choose the lost byte of every broken form (the ``str`` items: their pinyin).

    Candidates for a form come from the byte before it and its pinyin. Choices are
    scored as they are made (a beam of ``_BEAM``, so long runs stay cheap): an annotated
    character that the page annotates elsewhere too (the tool works from a list) and a
    plausible decoding win; the final bytes must decode strictly.
    """
    beam: list[tuple[int, bytes]] = [(0, b"")]
    for piece in pieces:
        if isinstance(piece, bytes):
            beam = [(bonus, done + piece) for bonus, done in beam]
            continue
        grown = []
        for bonus, done in beam:
            for lead in _lead_candidates(done[-1] if done else 0, piece):
                char = bytes((done[-1], lead)).decode("gbk")
                grown.append((bonus + (3 if char in annotated else 0), done + bytes((lead,))))

        def partial(state: tuple[int, bytes]) -> int:
            return state[0] + _plausibility(state[1].decode("gb18030", "ignore"), known)

        beam = sorted(grown, key=partial, reverse=True)[:_BEAM]
    best: tuple[int, bytes] | None = None
    for bonus, done in beam:
        try:
            text = done.decode("gb18030")
        except UnicodeDecodeError:
            continue
        score = bonus + _plausibility(text, known)
        if best is None or score > best[0]:
            best = (score, done)
    return best[1] if best else None


def _window_end(text: str, after: int) -> int:
    """End of the stretch a lost byte misaligns: through the first ASCII character."""
    for i in range(after, min(len(text), after + _MAX_SHIFT)):
        if text[i].isascii():
            return i + 1
    return min(len(text), after + _MAX_SHIFT)


def repair_broken(text: str) -> str:
    """Undo misaligned pinyin inserts (``劉延?xùn)|`` → ``劉延東``); other text unchanged.

    Around each broken form the text is re-encoded (GB18030: a superset of GBK with the
    same two-byte codes), the lost byte is restored and the stretch is decoded again,
    so the characters that were paired wrongly resynchronise. The stretch runs from the
    character before the form through the first ASCII character after it (a single
    byte ends the misalignment); forms inside one stretch are solved together. A
    stretch that no choice decodes cleanly is left as it is.
    """
    forms = list(_BROKEN.finditer(text))
    if not forms:
        return text
    annotated = frozenset(m.string[m.start() - 1] for m in _SIMPLE.finditer(text))
    clean = _BROKEN.sub("\n", text)
    known = frozenset(re.findall(f"[{_HAN}]", clean)) | frozenset(
        m.group(1) for m in re.finditer(f"(?=([{_HAN}]{{2}}))", clean))
    out: list[str] = []
    pos = 0
    k = 0
    while k < len(forms):
        cluster = [forms[k]]
        end = _window_end(text, forms[k].end())
        while k + 1 < len(forms) and forms[k + 1].start() < end:
            k += 1
            cluster.append(forms[k])
            end = max(end, _window_end(text, forms[k].end()))
        k += 1
        start = max(pos, cluster[0].start() - 1)
        pieces: list[bytes | str] = []
        cursor = start
        try:
            for m in cluster:
                pieces += [text[cursor : m.start()].encode("gb18030"), m["py"]]
                cursor = m.end()
            pieces.append(text[cursor:end].encode("gb18030"))
        except UnicodeEncodeError:
            continue
        solved = _solve_cluster(pieces, known, annotated)
        if solved is not None:
            out += [text[pos:start], solved.decode("gb18030")]
            pos = end
    out.append(text[pos:])
    return "".join(out)


def unrepaired(text: str) -> int:
    """Broken forms left in ``text`` (the repair found no clean decoding for them)."""
    return len(_BROKEN.findall(text))


def repair_mirror(text: str) -> str:
    """The page text without the mirror artifact, still in the page's characters.

    Aligned groups go first: one may sit between a lost byte and its partner
    (``料(liào)?xī)`` when 稀 = 料's trail + 、's lead was annotated before 料). Repairs
    expose more aligned groups (``榘l(fā)`` → ``發(fā)``), so they are stripped again.
    """
    return strip_pinyin(repair_broken(strip_pinyin(text)))


def simplified(text: str, *, mirror: bool) -> str:
    """Derived simplified text: artifact repaired when ``mirror``, then OpenCC t2s."""
    return simplify(repair_mirror(text) if mirror else text)


__all__ = [
    "MIRROR_MIN_MATCHES",
    "MIRROR_MIN_SCORE",
    "is_mirror",
    "is_traditional",
    "pinyin_score",
    "repair_broken",
    "repair_mirror",
    "simplified",
    "simplify",
    "strip_pinyin",
    "unrepaired",
]

