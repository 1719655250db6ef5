"""Several stories on one page: split at headings, keep one copy, rejoin split stories.

E-paper pages and careless copies put many stories in one text (seeds 002 and 003):
each story starts with a head (引题 kicker / title / 副题 subtitle), a story may be
repeated (seed 003 prints one four times, the first copy without its head), and a
story cut by the layout may continue after another one (会议强调 … after 沃野唱响丰收歌).

No library segments Chinese e-paper text, so these are hand-written rules:

1. :func:`split_stories` cuts at every run of headings; the most prominent heading of
   a run is the title, those before it the kicker, those after it the subtitle.
2. :func:`merge_repeats` keeps one copy: repeated runs inside a story go
   (:func:`crawler.zh.text.dedupe_blocks`), and a paragraph found in several stories
   stays only in the story that prints it most often (the story it is repeated
   under), so a copy detached from its head is dropped and the head keeps its text.
3. :func:`rejoin_continuations` moves the tail of a story to a story that ends in
   the middle of a sentence when that tail shares clearly more character bigrams
   (most Chinese words have two characters: bigrams measure shared vocabulary, where
   3-grams, right for near-duplicates, are too sparse for a topic) with the open
   story than with the rest of its host.

Headings come from markup (``<h1>``…, Founder title cells) or, in plain text, from
Markdown ``#`` marks; :func:`infer_headings` finds them in plain paragraphs only right
after a story's closing credit line, where a sub-head cannot stand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.zh.credits import credit_line
from crawler.zh.text import DEDUPE_MIN_CHARS, dedupe_blocks

#: Marks that close a paragraph; a story whose last paragraph ends otherwise is open.
_CLOSED = "。！？!?…；;”’」』）)》】—"
_HEADING_MAX = 40
_LONG_PARAGRAPH = 50
#: A tail moves to an open story when its bigram overlap with that story is at least
#: this share of its bigrams, this many times its overlap with its host's head, and at
#: least this many bigrams; of several hosts, the tail with the largest overlap wins.
REJOIN_MIN_SHARE = 0.1
REJOIN_MIN_RATIO = 2.0
REJOIN_MIN_GRAMS = 10


@dataclass
class Block:
    """A paragraph or a heading of a page, in reading order."""

    text: str
    level: int = 0  # 0: paragraph; 1-6: heading, 1 the most prominent


@dataclass
class Story:
    """One article of a page."""

    title: str = ""
    kicker: str | None = None
    subtitle: str | None = None
    paragraphs: list[str] = field(default_factory=list)


def blocks_from_markdown(text: str) -> list[Block]:
    """Blocks of a plain text whose paragraphs are separated by blank lines; ``# …``,
    ``## …`` lines are headings of that level."""
    blocks = []
    for part in re.split(r"\n\s*\n", text):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^(#{1,6})\s+(.*)$", part, re.S)
        blocks.append(Block(m[2].strip(), len(m[1])) if m else Block(part))
    return blocks


def _heading_like(text: str) -> bool:
    return 0 < len(text) <= _HEADING_MAX and text[-1] not in "。！？!?；;：:，," and "\n" not in text


def infer_headings(paragraphs: list[str], *, outlet_names: tuple[str, ...] = ()) -> list[Block]:
    """Blocks of plain paragraphs, with headings where a new story evidently starts.

    A run of 1-3 short lines without final punctuation (at most 40 characters each)
    followed by a long paragraph is a head when it opens the page or follows a
    paragraph made only of credits (``(据《内蒙古日报》)``, ``(…供稿)``); one line is a
    title, two are title and subtitle, three are kicker, title and subtitle.
    """
    blocks = [Block(p) for p in paragraphs]
    i = 0
    while i < len(paragraphs):
        at_start = i == 0 or credit_line(paragraphs[i - 1], outlet_names=outlet_names) is not None
        j = i
        while at_start and j < len(paragraphs) and j - i < 3 and _heading_like(paragraphs[j]):
            j += 1
        nxt = paragraphs[j] if j < len(paragraphs) else ""
        if j > i and len(nxt) >= _LONG_PARAGRAPH and credit_line(paragraphs[i]) is None:
            levels = {1: [1], 2: [1, 2], 3: [2, 1, 2]}[j - i]
            for k, level in zip(range(i, j), levels, strict=True):
                blocks[k].level = level
            i = j
        else:
            i += 1
    return blocks


def split_stories(blocks: list[Block]) -> list[Story]:
    """Cut at each run of headings; text before the first heading is an untitled story."""
    stories: list[Story] = []
    current = Story()
    i = 0
    while i < len(blocks):
        if not blocks[i].level:
            current.paragraphs.append(blocks[i].text)
            i += 1
            continue
        j = i
        while j < len(blocks) and blocks[j].level:
            j += 1
        head = blocks[i:j]
        if current.title or current.paragraphs:
            stories.append(current)
        top = min(b.level for b in head)
        t = next(k for k, b in enumerate(head) if b.level == top)
        current = Story(
            title=head[t].text,
            kicker=" ".join(b.text for b in head[:t]) or None,
            subtitle=" ".join(b.text for b in head[t + 1 :]) or None,
        )
        i = j
    if current.title or current.paragraphs:
        stories.append(current)
    return stories


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def merge_repeats(stories: list[Story]) -> list[Story]:
    """One copy of every repeated block: inside a story, and across stories (the story
    that prints a paragraph most often keeps it; on a tie a titled story, then the
    first). Untitled stories left empty are dropped."""
    counts: list[dict[str, int]] = []
    for story in stories:
        count: dict[str, int] = {}
        for p in story.paragraphs:
            count[_key(p)] = count.get(_key(p), 0) + 1
        counts.append(count)
    owner: dict[str, int] = {}
    for idx, count in enumerate(counts):
        for key, n in count.items():
            if len(key) < DEDUPE_MIN_CHARS:
                continue
            best = owner.get(key)
            if best is None or (n, bool(stories[idx].title)) > (counts[best][key], bool(stories[best].title)):
                owner[key] = idx
    out: list[Story] = []
    for idx, story in enumerate(stories):
        keys = [_key(p) for p in story.paragraphs]
        foreign = [owner.get(k, idx) != idx for k in keys]
        # a short line between two foreign paragraphs (a sub-head of the copy) goes too
        for k in range(1, len(keys) - 1):
            if not foreign[k] and len(keys[k]) < DEDUPE_MIN_CHARS and foreign[k - 1] and foreign[k + 1]:
                foreign[k] = True
        kept = [p for p, f in zip(story.paragraphs, foreign, strict=True) if not f]
        story.paragraphs = dedupe_blocks(kept)
        if story.title or story.paragraphs:
            out.append(story)
    return out


def _grams(text: str) -> set[str]:
    """Character bigrams of the letters of ``text`` (punctuation and digits dropped)."""
    text = re.sub(r"[\W\d_]+", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _is_open(story: Story) -> bool:
    if not story.title or not story.paragraphs:
        return False
    last = story.paragraphs[-1].rstrip()
    return bool(last) and last[-1] not in _CLOSED and credit_line(last) is None


def _tail_for(story: Story, host: Story) -> tuple[int, int] | None:
    """Where in ``host`` a continuation of ``story`` starts and its bigram overlap, or None.

    The tail ``host.paragraphs[k:]`` qualifies when each of its paragraphs is close to
    ``story`` and far from the host before ``k``; the longest such tail is taken.
    """
    own = _grams(story.title + "".join(story.paragraphs))
    paragraphs = host.paragraphs
    best: tuple[int, int] | None = None
    for k in range(len(paragraphs) - 1, 0, -1):
        head = _grams(host.title + "".join(paragraphs[:k]))
        shared = 0
        for para in paragraphs[k:]:
            grams = _grams(para)
            near = len(grams & own) / len(grams) if grams else 0.0
            far = len(grams & head) / len(grams) if grams else 1.0
            if near < REJOIN_MIN_SHARE or near < REJOIN_MIN_RATIO * far:
                break
            shared += len(grams & own)
        else:  # every paragraph of the tail qualifies (the head shrinks as k does)
            if shared >= REJOIN_MIN_GRAMS and paragraphs[k - 1].rstrip()[-1:] in tuple(_CLOSED):
                best = (k, shared)
    return best


def rejoin_continuations(stories: list[Story]) -> list[Story]:
    """Move the continuation of each story that ends mid-sentence back to it."""
    for story in stories:
        if not _is_open(story):
            continue
        best: tuple[int, int, Story] | None = None
        for host in stories:
            if host is story or not host.paragraphs:
                continue
            found = _tail_for(story, host)
            if found is not None and (best is None or found[1] > best[1]):
                best = (found[0], found[1], host)
        if best is not None:
            k, _shared, host = best
            story.paragraphs.extend(host.paragraphs[k:])
            del host.paragraphs[k:]
    return stories


def stories_of(blocks: list[Block]) -> list[Story]:
    """Split, deduplicate and rejoin the stories of a page."""
    return rejoin_continuations(merge_repeats(split_stories(blocks)))


def restore_detached_head(paragraphs: list[str], heads: tuple[str | None, ...]) -> list[str]:
    """The body of one article whose head (title, kicker, subtitle) is printed again inside
    it, after a copy of the body (seed 003, 化德县…: the copy, then the head and byline,
    then the body three more times): the copy under the head is the article.

    Lines equal to a head become headings; each repeated paragraph stays in the part that
    prints it most often (:func:`merge_repeats`), so the detached copy goes and the text
    under the head stays, once; the head lines themselves are not body text. Paragraphs
    before the head that are not repeated stay, in front.
    """
    keys = {_key(h) for h in heads if h}
    if not keys or not any(_key(p) in keys for p in paragraphs):
        return paragraphs
    blocks = [Block(p, 1 if _key(p) in keys else 0) for p in paragraphs]
    return [p for story in merge_repeats(split_stories(blocks)) for p in story.paragraphs]
