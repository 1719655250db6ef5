"""Scope and safety: redirects never leave the allowed domains, non-HTTP schemes are refused,
names that become file names never climb out of their directory.

Formula cells in exports: tests/test_export_rows.py and tests/test_export_tabular.py.
SQL is parameterised everywhere: an AST scan of the code (the last tests here).
"""

from __future__ import annotations

import ast
import asyncio
import gzip
import io
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.core.downloader.handlers import DownloadHandlers
from scrapy.exceptions import NotSupported
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.config import Config, ConfigError, file_part
from crawler.export.outlet_feeds import OutletFeeds
from crawler.mock import MockOutlets
from crawler.stats_file import StatsFile
from crawler.warc.mend import mend_file
from tests.archive_checks import archive_records, store_agrees
from tests.conftest import FAST, REPO, proxy_env, run_crawl

BASE = "http://inews.nmgnews.com.cn"
EVIL = "http://evil.example.org"
HOSTILE_NAMES = ["../../x", "/etc/passwd", "a\0b", "..", "", "a/b", "..\\..\\x", "x" * 200, ".hidden",
                 "-rf"]


def _page(title: str) -> bytes:
    text = f"{title}：二〇二五年八月一日，呼和浩特市召开会议，部署安全生产工作。" * 4
    return (
        f"<html><head><title>{title}-内蒙古新闻网</title></head><body>"
        '<div class="crumbs">首页 > 内蒙古新闻 > 正文</div>'
        f'<h1 class="article-title">{title}</h1>'
        '<div class="article-infos"><time class="date">2025年08月01日 09:30</time>'
        ' <span class="source">来源：内蒙古日报</span></div>'
        f'<div class="article-content"><p>{text}</p></div></body></html>'
    ).encode()


def _uris(out: Path) -> list[str]:
    uris = []
    for path in sorted(out.glob("*.warc.gz")):
        with path.open("rb") as fh:
            uris += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)
                     if r.rec_type != "warcinfo"]
    return uris


@pytest.mark.slow
def test_an_outlet_spider_never_leaves_its_domains_or_http(mocks: MockOutlets, tmp_path: Path) -> None:
    col = f"{BASE}/scope/"
    to_evil, to_file, to_data, inside, target = (
        f"{BASE}/system/2025/08/01/03400000{i}.shtml" for i in range(1, 6))
    evil_page = f"{EVIL}/system/2025/08/01/034000009.shtml"
    links = [to_evil, to_file, to_data, inside, "file:///system/2025/08/01/034000007.shtml",
             "ftp://inews.nmgnews.com.cn/system/2025/08/01/034000008.shtml", "javascript:alert(1)"]
    mocks.add_route(col, body="".join(f'<a href="{u}">x</a>' for u in links).encode())
    mocks.add_route(to_evil, status=302, headers=[("Location", evil_page)])
    mocks.add_route(to_file, status=301, headers=[("Location", "file:///etc/passwd")])
    mocks.add_route(to_data, status=302, headers=[("Location", "data:text/html,<h1>injected</h1>")])
    mocks.add_route(inside, status=302, headers=[("Location", target)])
    mocks.add_route(target, body=_page("站内跳转的稿件"))
    mocks.add_route(evil_page, body=_page("站外页面不应被抓取"))

    crawl = run_crawl("nmgnews", tmp_path / "a", mocks.proxy_url, "-a", f"columns={col}")

    served = [u for _m, u, _s in mocks.served]
    assert not [u for u in served if "evil.example.org" in u]
    uris = _uris(crawl.out)
    assert all(u.startswith(("http://", "https://")) for u in uris), uris
    assert b"root:x:0:0" not in b"".join(gzip.decompress(p.read_bytes()) for p in crawl.warcs())
    for url in (to_evil, to_file, to_data, inside, target):
        assert url in uris  # each redirect is archived, as the server sent it
    stored = store_agrees(crawl.store_uri, archive_records(crawl.out))
    assert [a["url"] for a in stored] == [target]
    st = crawl.stats
    assert st["offsite/filtered"] == 1 and st["offsite/domains"] == 1  # evil.example.org
    assert st["errors/nmgnews/NotSupported"] == 1  # ftp:// on an allowed host: no handler
    # redirects to file: and data: are not followed: the 301/302 reaches the errback
    assert st["errors/nmgnews/http_301"] == 1 and st["errors/nmgnews/http_302"] == 1
    assert "Request failed (NotSupported): ftp://inews.nmgnews.com.cn/system/2025/08/01/034000008.shtml" \
        in crawl.log


@pytest.mark.slow
def test_the_site_spider_never_follows_a_redirect_off_site(mocks: MockOutlets, tmp_path: Path) -> None:
    home = "http://www.scope-test.com.cn/"
    moved = "http://www.scope-test.com.cn/news/moved.html"
    story = "http://news.scope-test.com.cn/2025/08/01/story.html"
    sitemap = f"{EVIL}/sitemap.xml"
    mocks.add_route(home, body=f'<html><body><a href="{moved}">a</a><a href="/s2">b</a>'.encode())
    mocks.add_route(moved, status=302, headers=[("Location", f"{EVIL}/news/moved.html")])
    mocks.add_route("http://www.scope-test.com.cn/s2", status=302, headers=[("Location", story)])
    mocks.add_route(story, body=_page("站内子域名的稿件"))
    # discovery requests are sent with dont_filter: Scrapy's offsite rule does not see them
    mocks.add_route("http://www.scope-test.com.cn/sitemap.xml", status=302, headers=[("Location", sitemap)])
    mocks.add_route(sitemap, body=b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                    b'sitemap/0.9"><url><loc>http://evil.example.org/x.html</loc></url></urlset>')
    mocks.add_route(f"{EVIL}/news/moved.html", body=_page("站外"))

    crawl = run_crawl("site", tmp_path / "s", mocks.proxy_url, "-a", f"url={home}", "-a", "scope=domain")

    served = [u for _m, u, _s in mocks.served]
    assert not [u for u in served if "evil.example.org" in u], served
    assert story in served  # a redirect inside the site is followed
    assert crawl.stats["offsite/redirects_refused"] == 1  # the sitemap's (dont_filter) redirect
    assert crawl.stats["offsite/filtered"] >= 1  # the page's redirect: Scrapy's offsite rule
    assert f"Redirect not followed: http://www.scope-test.com.cn/sitemap.xml -> {sitemap}" in crawl.log
    assert not [u for u in _uris(crawl.out) if "evil.example.org" in u]


def _scrapy(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False, env=env)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "data:text/plain,secret", "ftp://127.0.0.1/x",
                                 "s3://bucket/key"])
def test_non_http_schemes_have_no_download_handler(url: str) -> None:
    scheme = url.split(":", 1)[0]
    handlers = dict(get_project_settings().getdict("DOWNLOAD_HANDLERS"))
    assert handlers[scheme] is None
    # the project's handlers over Scrapy's (which read files, data: URLs, FTP and S3); http(s) left
    # out here: this test downloads nothing
    crawler = get_crawler(settings_dict={"DOWNLOAD_HANDLERS": {**handlers, "http": None, "https": None}})
    with pytest.raises(NotSupported, match=f"^Unsupported URL scheme '{scheme}': no handler available"):
        asyncio.run(DownloadHandlers(crawler).download_request_async(Request(url)))


def test_spider_arguments_with_other_schemes_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "a"
    res = _scrapy("crawl", "nmgnews", "-a", "columns=file:///etc/passwd", "-s", f"ARCHIVE_DIR={out}")
    assert res.returncode != 0 and "columns: 'file:///etc/passwd' is not an http(s) URL" in res.stderr
    res = _scrapy("crawl", "site", "-a", "url=file:///etc/passwd", "-s", f"ARCHIVE_DIR={out}")
    assert res.returncode != 0
    assert "url: 'file:///etc/passwd' has scheme 'file'; only http and https URLs" in res.stderr
    assert not list(out.glob("*.warc.gz*"))


# -- names that become file names ---------------------------------------------------------------

@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_file_part_refuses_names_that_climb_out(name: str) -> None:
    with pytest.raises(ConfigError, match="cannot be part of a file name"):
        file_part(name, "spider name")


@pytest.mark.parametrize("name", ["nmgnews", "site", "gmrb", "dongfang-group.com.cn", "a_b.c-1"])
def test_file_part_keeps_ordinary_names(name: str) -> None:
    assert file_part(name, "x") == name


@pytest.mark.parametrize("prefix", ["../../x", "/etc/passwd", "a\0b", "a/b", "x" * 65])
def test_warc_prefix_is_checked(prefix: str) -> None:
    with pytest.raises(ConfigError, match="WARC_PREFIX="):
        Config.from_settings(Settings({"WARC_PREFIX": prefix}))


def test_a_spider_renamed_with_a_path_is_refused(mocks: MockOutlets, tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    args = ["crawl", "nmgnews", "-a", "name=../../pwned", "-a", f"columns={BASE}/scope/",
            "-s", f"ARCHIVE_DIR={out}"]
    for key, value in FAST.items():
        args += ["-s", f"{key}={value}"]
    res = _scrapy(*args, env=proxy_env(mocks.proxy_url))
    assert res.returncode != 0
    assert "spider name (-a name)='../../pwned' cannot be part of a file name" in res.stderr
    outside = [p for p in tmp_path.rglob("*") if out not in (p, *p.parents) and p not in out.parents]
    assert outside == []


def test_stats_file_never_leaves_its_directory(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    crawler = get_crawler(settings_dict={"ARCHIVE_DIR": str(tmp_path / "arch")})
    ext = StatsFile.from_crawler(crawler)
    for name in ("../../escaped", "/tmp/abs"):
        ext.path = None
        ext.spider_closed(SimpleNamespace(name=name), "finished")  # type: ignore[arg-type]
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == []
    assert caplog.text.count("crawl stats not written: spider name=") == 2


def test_outlet_feeds_skip_outlets_that_are_not_file_names(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"ARCHIVE_DIR": str(tmp_path / "arch"), "OUTLET_FEEDS_ENABLED": True})
    ext = OutletFeeds.from_crawler(crawler)
    crawler.stats.open_spider()
    ext.outlets = {"../../evil", "/etc/passwd", "a\0b", ".."}
    ext.spider_closed(SimpleNamespace(name="nmgnews", outlet_names=()), "finished")  # type: ignore[arg-type]
    assert crawler.stats.get_value("outlet_feeds/errors") == 4
    assert [p for p in tmp_path.rglob("*") if p.suffix in (".atom", ".rss", ".json")] == []


def test_mend_ignores_a_hostile_is_part_of(tmp_path: Path) -> None:
    """``isPartOf`` comes from the file being mended: it must not name a path outside indexes/."""
    archive = tmp_path / "deep" / "archive"
    archive.mkdir(parents=True)
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record("x.warc.gz", {"isPartOf": "../../../escaped"}))
    resp = writer.create_warc_record("http://a.example/", "response", payload=io.BytesIO(b"hi"), length=2,
                                     http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                                                   protocol="HTTP/1.1"))
    writer.write_record(resp)
    path = archive / "evil-20250101000000000-00000-h.warc.gz.open"
    path.write_bytes(buf.getvalue())
    result = mend_file(path, archive)
    assert result.status == "complete"
    (index,) = (archive / "indexes").glob("*.cdxj")
    assert index.name == "evil-20250101000000000-00000-h.cdxj"
    assert sorted(p.name for p in tmp_path.rglob("*.cdxj")) == [index.name]
    assert json.loads(index.read_text().split(" ", 2)[2])["url"] == "http://a.example/"
    assert gzip.decompress(final_bytes(archive)).startswith(b"WARC/1.1")


def final_bytes(archive: Path) -> bytes:
    (final,) = archive.glob("*.warc.gz")
    return final.read_bytes()


# -- SQL is parameterised everywhere ---------------------------------------------------------------

#: Calls that run SQL text: the text must not be built from values (f-string, %, +, .format).
SQL_SINKS = {"text", "execute", "exec_driver_sql", "executescript", "executemany"}
#: Interpolations that cannot carry a value from outside: numbers.
SAFE_CALLS = {"int", "float", "len"}
#: Dynamic SQL reviewed and kept, with why it is safe: (file, function) -> reason.
REVIEWED = {
    ("crawler/store/migrations/versions/0003_captures_reprints_search.py", "create_sqlite_triggers"):
        "DDL: column names from the module constant SEARCH_COLUMNS",
    ("crawler/store/migrations/versions/0003_captures_reprints_search.py", "_sqlite_search"):
        "DDL: column names from the module constant SEARCH_COLUMNS",
    ("crawler/store/migrations/versions/0003_captures_reprints_search.py", "_postgres_search"):
        "DDL: the pg_trgm schema name from pg_extension, double-quoted; PG_DOCUMENT is a constant",
}


def _is_constant_name(node: ast.expr) -> bool:
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return bool(name) and name.isupper()


def _safe_value(node: ast.expr) -> bool:
    """A formatted value that cannot bring text from outside: a number or a CONSTANT."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SAFE_CALLS:
        return True
    return _is_constant_name(node) or isinstance(node, ast.Constant)


def _dynamic(node: ast.expr, bound: dict[str, ast.expr]) -> bool:
    """Whether ``node`` builds SQL text from values (a name is followed to its assignment)."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) and not _safe_value(v.value) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return not (_literal(node.left) and _literal(node.right)) and (
            _literal(node.left) or _literal(node.right) or _dynamic(node.left, bound)
            or _dynamic(node.right, bound))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return True
    if isinstance(node, ast.Name) and node.id in bound:
        return _dynamic(bound.pop(node.id), bound)
    return False


def _literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _sql_findings(path: Path, rel: str) -> list[tuple[str, str, int]]:
    """(file, innermost function, line) of every SQL sink given string-built text."""
    found: list[tuple[str, str, int]] = []

    def visit(node: ast.AST, name: str, bound: dict[str, ast.expr]) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = node.name
            bound = {t.id: a.value for a in ast.walk(node) if isinstance(a, ast.Assign)
                     for t in a.targets if isinstance(t, ast.Name)}
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            called = getattr(func, "attr", None) or getattr(func, "id", "")
            if called in SQL_SINKS and _dynamic(node.args[0], dict(bound)):
                found.append((rel, name, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, name, bound)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=rel), "<module>", {})
    return found


def _python_files() -> list[tuple[Path, str]]:
    roots = [REPO / "crawler", REPO / "pipelines", REPO / "spiders", REPO / "scripts"]
    return [(p, p.relative_to(REPO).as_posix()) for root in roots for p in sorted(root.rglob("*.py"))]


def test_sql_is_parameterised_everywhere() -> None:
    findings = [f for p, rel in _python_files() for f in _sql_findings(p, rel)]
    unreviewed = [f for f in findings if (f[0], f[1]) not in REVIEWED]
    assert unreviewed == [], "SQL built from values; use bound parameters (:name) or review it here"
    # every reviewed exception still exists (a stale entry would hide a new one)
    assert {(f[0], f[1]) for f in findings} == set(REVIEWED)


def test_the_sql_scan_catches_string_built_sql(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def a(conn, url):\n    conn.execute(text(f\"SELECT * FROM articles WHERE url = '{url}'\"))\n"
        "def b(cur, url):\n    cur.execute(\"SELECT * FROM t WHERE u = '%s'\" % url)\n"
        "def c(cur, url):\n    q = \"SELECT * FROM t WHERE u = '\" + url + \"'\"\n    cur.execute(q)\n"
        "def d(conn, n):\n    conn.exec_driver_sql(\"SELECT {}\".format(n))\n"
        "def ok(conn, url, n):\n    conn.execute(text('SELECT 1 WHERE u = :u'), {'u': url})\n"
        "    conn.exec_driver_sql(f'PRAGMA busy_timeout = {int(n)}')\n"
        "    conn.execute(text(f'SELECT {COLUMNS} FROM t'))\n",
        encoding="utf-8")
    assert [(f[1], f[2]) for f in _sql_findings(bad, "bad.py")] == [("a", 2), ("b", 4), ("c", 7), ("d", 9)]
