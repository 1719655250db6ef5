"""Project settings read once into a typed, validated config (see README, "Settings")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scrapy.settings import BaseSettings

_PREFIX_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class ConfigError(ValueError):
    """A setting has a value the project cannot use; the message names the setting."""


#: A name that becomes part of a file name (spider, outlet, crawl): no separator, no "..", no NUL.
_FILE_PART_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def file_part(value: object, what: str) -> str:
    """``value`` if it can be part of a file name inside its directory, else ConfigError.

    Names that end up in paths (``{spider}-{start}.json``, ``{prefix}-….warc.gz``,
    ``indexes/{crawl}.cdxj``) must never climb out of that directory: ``../../x``,
    ``/etc/passwd``, a NUL byte or ``..`` are refused, naming ``what`` was given.
    """
    text = str(value)
    if not _FILE_PART_RE.match(text) or ".." in text:
        raise ConfigError(f"{what}={text!r} cannot be part of a file name: use 1-128 letters, digits, "
                          "'_', '.' or '-', starting with a letter, digit or '_', without '..'")
    return text


@dataclass(frozen=True)
class Config:
    """Output locations and archive options."""

    archive_dir: Path
    store_uri: str
    warc_enabled: bool
    warc_prefix: str | None
    warc_max_size: int
    operator: str
    description: str
    user_agent: str
    robots_obey: bool

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Config:
        """Validate the settings; raise :class:`ConfigError` naming the bad one."""
        raw_dir = settings.get("ARCHIVE_DIR") or "archives"
        archive_dir = Path(str(raw_dir)).expanduser()
        store_uri = settings.get("STORE_URI") or f"sqlite:///{archive_dir / 'articles.sqlite'}"
        if "://" not in str(store_uri):
            raise ConfigError(
                f"STORE_URI={store_uri!r} is not a database URI "
                "(expected e.g. sqlite:///archives/articles.sqlite or postgresql+psycopg://…)"
            )
        prefix = settings.get("WARC_PREFIX") or None
        if prefix is not None and not _PREFIX_RE.match(str(prefix)):
            raise ConfigError(
                f"WARC_PREFIX={prefix!r} must be 1-64 letters, digits, '_', '.' or '-' "
                "(it is part of a file name inside ARCHIVE_DIR)"
            )
        try:
            max_size = int(settings.get("WARC_MAX_SIZE", 1_000_000_000))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"WARC_MAX_SIZE={settings.get('WARC_MAX_SIZE')!r} is not a number") from exc
        if max_size < 1024:
            raise ConfigError(f"WARC_MAX_SIZE={max_size} is too small (at least 1024 bytes)")
        return cls(
            archive_dir=archive_dir,
            store_uri=str(store_uri),
            warc_enabled=settings.getbool("WARC_ENABLED", True),
            warc_prefix=str(prefix) if prefix else None,
            warc_max_size=max_size,
            operator=str(settings.get("WARC_OPERATOR") or ""),
            description=str(settings.get("WARC_DESCRIPTION") or ""),
            user_agent=str(settings.get("USER_AGENT") or ""),
            robots_obey=settings.getbool("ROBOTSTXT_OBEY"),
        )
