"""Articles as flat rows for tabular formats (CSV, Scrapy's CSV feed export), and back.

Writing rule (one cell per column, every value a string):

- text fields: the text; ``None`` is an empty cell. Optional text fields (``str | None``)
  read back an empty cell as ``None``; required ones (``url``, ``title``, ``text``…) as ``""``.
  So an optional field holding ``""`` reads back as ``None``: both mean "no value".
- ``is_reprint`` (bool): ``true`` / ``false``.
- ``warc_offset`` (int): decimal digits, or an empty cell.
- lists and mappings (``authors``, ``correspondents``, ``pages``, ``flags``, ``images``,
  ``layers``): compact JSON with Chinese left readable, e.g. ``["王小明", "李华"]``,
  ``[{"url": "https://…/1.jpg", "caption": "图为…"}]``, ``{"title": "selector"}``.
  JSON is the only lossless choice: names and captions may contain any separator.
- ``first_seen`` / ``last_seen`` (store exports only): ISO 8601 with ``+08:00``.
- Formula guard: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return
  or a single quote gets one more single quote in front, so no spreadsheet runs it as a
  formula (OWASP "CSV injection"). Reading rule: if a cell starts with ``'``, drop exactly
  that one character. Quoting cells that already start with ``'`` keeps the rule lossless.

:func:`flatten` applies the writing rule, :func:`unflatten` the reading rule; the two
round-trip every article field exactly (tests/test_export_tabular.py checks it).
"""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping, Sequence
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Any

from crawler.items import EXPORT_FIELDS, Article
from crawler.store.store import SHANGHAI

#: Columns added by the store to every article it returns.
STORE_TIME_COLUMNS: tuple[str, ...] = ("first_seen", "last_seen")
#: Columns of a store export: every exported Article field, then when the store saw it.
STORE_COLUMNS: tuple[str, ...] = (*EXPORT_FIELDS, *STORE_TIME_COLUMNS)

#: First characters that make a spreadsheet treat a cell as a formula (plus the quote itself).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")

# Kinds of column, named for how a value is written and read back.
TEXT = "text"  # str, never None
OPTIONAL_TEXT = "optional_text"  # str | None
BOOL = "bool"
INT = "int"  # int | None
TEXT_LIST = "text_list"  # list[str]
IMAGES = "images"  # list[Image]
TEXT_MAP = "text_map"  # dict[str, str]
TIME = "time"  # aware datetime (store columns)
JSON_VALUE = "json"  # a field of a type rows.py does not know: written as JSON text

_KIND_OF_TYPE: dict[str, str] = {
    "str": TEXT,
    "str | None": OPTIONAL_TEXT,
    "bool": BOOL,
    "int | None": INT,
    "list[str]": TEXT_LIST,
    "list[Image]": IMAGES,
    "dict[str, str]": TEXT_MAP,
}


def _type_name(annotation: Any) -> str:
    """A readable spelling of a resolved type annotation (``list[Image]``, ``str | None``)."""
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    text = str(annotation).replace("typing.", "")
    return text.replace("crawler.items.", "").replace("NoneType", "None")


def _field_kinds() -> dict[str, str]:
    """The kind of every exported Article field, from its type annotation.

    A new Article field of a type not handled here is exported as JSON text (lossless,
    but untyped); tests/test_export_rows.py fails until it gets a proper kind. (Failing
    here, at import, would stop every crawl, since the extensions import this module.)
    """
    hints = typing.get_type_hints(Article)
    kinds: dict[str, str] = {}
    for name in EXPORT_FIELDS:
        kinds[name] = _KIND_OF_TYPE.get(_type_name(hints[name]), JSON_VALUE)
    for name in STORE_TIME_COLUMNS:
        kinds[name] = TIME
    return kinds


#: Kind of every column that exports may carry.
KINDS: dict[str, str] = _field_kinds()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def plain(value: Any) -> Any:
    """``value`` with dataclasses (``Image``) turned into dicts, recursively."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def article_dict(item: Article | Mapping[str, Any]) -> dict[str, Any]:
    """An Article item or a store dict as a plain dict of exported fields (images as dicts)."""
    if isinstance(item, Article):
        return {name: plain(getattr(item, name)) for name in EXPORT_FIELDS}
    return {name: plain(value) for name, value in item.items()}


def published_moment(value: str | None) -> datetime | None:
    """The instant of an ISO 8601 ``published_at`` (naive = Shanghai), or None if unreadable."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SHANGHAI)


def guard(cell: str) -> str:
    """The cell, with a leading ``'`` added if a spreadsheet could read it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def unguard(cell: str) -> str:
    """Undo :func:`guard`: drop one leading ``'``."""
    return cell[1:] if cell.startswith("'") else cell


def cell(name: str, value: Any) -> str:
    """One value of column ``name`` as an (unguarded) CSV cell."""
    kind = KINDS.get(name, OPTIONAL_TEXT)
    if value is None:
        return ""
    if kind == OPTIONAL_TEXT and isinstance(value, list | tuple | dict):  # a field rows.py does not know
        return _json(plain(value))
    if kind == BOOL:
        return "true" if value else "false"
    if kind == INT:
        return str(int(value))
    if kind in (TEXT_LIST, IMAGES, TEXT_MAP, JSON_VALUE):
        return _json(plain(value))
    if kind == TIME:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return moment.astimezone(SHANGHAI).isoformat()
    return str(value)


def flatten(article: Mapping[str, Any], columns: Sequence[str] = STORE_COLUMNS) -> list[str]:
    """The row of ``article`` for ``columns``: every cell a guarded string."""
    return [guard(cell(name, article.get(name))) for name in columns]


def read_cell(name: str, text: str) -> Any:
    """Undo :func:`cell` for one guarded cell of column ``name``."""
    text = unguard(text)
    kind = KINDS.get(name, OPTIONAL_TEXT)
    if kind == TEXT:
        return text
    if text == "":
        return [] if kind in (TEXT_LIST, IMAGES) else {} if kind == TEXT_MAP else None
    if kind == BOOL:
        if text not in ("true", "false"):
            raise ValueError(f"column {name}: {text!r} is not true or false")
        return text == "true"
    if kind == INT:
        return int(text)
    if kind in (TEXT_LIST, IMAGES, TEXT_MAP, JSON_VALUE):
        return json.loads(text)
    if kind == TIME:
        return datetime.fromisoformat(text)
    return text


def unflatten(row: Mapping[str, str]) -> dict[str, Any]:
    """An article dict from a CSV row read with ``csv.DictReader`` (the reading rule)."""
    return {name: read_cell(name, value) for name, value in row.items()}
