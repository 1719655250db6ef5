"""Egg build for scrapyd only (``scrapyd-deploy`` runs ``setup.py bdist_egg``).

pip and ``make`` install the project with hatchling from pyproject.toml; setuptools reads
the same [project] table here (it needs setuptools >= 77 for the SPDX ``license``, and
scrapyd needs < 81 for ``pkg_resources``: the ``ops`` extra pins both). The egg holds the
three top-level packages and the alembic migrations of the store, not the tests or the
mock outlets' pages. Its egg-info is written to a temporary directory, so the build
leaves nothing importable in the checkout. See docs/operations.md.
"""

import atexit
import shutil
import tempfile

from setuptools import find_packages, setup

from crawler import __version__

_egg_base = tempfile.mkdtemp(prefix="nmg-egg-info-")
atexit.register(shutil.rmtree, _egg_base, True)

setup(
    version=__version__,
    packages=find_packages(include=[f"{top}{sub}" for top in ("crawler", "spiders", "pipelines")
                                    for sub in ("", ".*")]),
    package_data={"crawler.store": ["migrations/*.py", "migrations/*.mako", "migrations/versions/*.py"]},
    entry_points={"scrapy": ["settings = crawler.settings"]},
    zip_safe=False,
    options={"egg_info": {"egg_base": _egg_base}},
)
