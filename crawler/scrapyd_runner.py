"""scrapyd runner that runs the deployed egg, unpacked and ahead of any installed copy.

scrapyd's own ``scrapyd.runner`` activates the egg zip with ``pkg_resources``, which puts
it at the *end* of ``sys.path``. For this project that fails twice: the copy of the
project installed in scrapyd's environment (it brings the dependencies) shadows the
deployed code, and from inside a zip the store's alembic migrations are not files, so
``Store.open`` stops with "Path doesn't exist". This runner unpacks the egg into a
temporary directory, puts it *first* on ``sys.path``, forgets the already-imported
packages the egg provides (only this module's parent package), and then runs Scrapy as
scrapyd's runner does. Without an egg (a project listed in scrapyd.conf ``[settings]``)
it runs the installed code. Enable it in scrapyd.conf: ``runner = crawler.scrapyd_runner``.
"""

from __future__ import annotations

import configparser
import importlib
import os
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import BinaryIO


def unpack_egg(egg: BinaryIO, into: Path) -> tuple[str, list[str]]:
    """Unpack an egg; return its Scrapy settings module and its top-level packages."""
    with zipfile.ZipFile(egg) as archive:
        archive.extractall(into)
    entry_points = configparser.ConfigParser()
    entry_points.read(into / "EGG-INFO" / "entry_points.txt", encoding="utf-8")
    if not entry_points.has_option("scrapy", "settings"):
        raise SystemExit(f"scrapyd runner: the egg has no [scrapy] settings entry point ({into})")
    top_level = into / "EGG-INFO" / "top_level.txt"
    tops = top_level.read_text(encoding="utf-8").split() if top_level.exists() else []
    return entry_points.get("scrapy", "settings").strip(), tops


def activate(root: Path, settings_module: str, tops: list[str]) -> None:
    """Import the egg's packages from ``root`` from now on."""
    sys.path.insert(0, str(root))
    for name in list(sys.modules):
        if any(name == top or name.startswith(top + ".") for top in tops):
            del sys.modules[name]
    importlib.invalidate_caches()
    os.environ["SCRAPY_SETTINGS_MODULE"] = settings_module


def main() -> None:
    """Entry point of ``python -m crawler.scrapyd_runner crawl SPIDER …`` (run by scrapyd)."""
    from scrapyd import Config
    from scrapyd.utils import initialize_component

    project = os.environ["SCRAPY_PROJECT"]
    storage = initialize_component(Config(), "eggstorage", "scrapyd.eggstorage.FilesystemEggStorage")
    version, egg = storage.get(project, os.environ.get("SCRAPYD_EGG_VERSION"))
    with tempfile.TemporaryDirectory(prefix=f"scrapyd-{project}-") as tmp:
        if egg is not None:
            root = Path(tmp) / f"{project}-{version}.egg"
            try:
                settings_module, tops = unpack_egg(egg, root)
            finally:
                egg.close()
            activate(root, settings_module, tops)
            sys.stderr.write(f"scrapyd runner: project {project} version {version} from {root}\n")
        from scrapy.cmdline import execute

        execute()


if __name__ == "__main__":
    main()
