"""Helpers of the store/recrawl tests: crawls into one archive, WARC record look-ups, a 新华网 page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from crawler.mock import MockOutlets
from tests.conftest import OUTLETS, Crawl, run_crawl

#: Where the 新华网 original of seed 004 is served (a 2011 新华网 local-news URL).
XINHUA_URL = "http://news.xinhuanet.com/local/2011-10/14/c_122155839.htm"
SEED_004 = "http://ztpd.nmgnews.com.cn/system/2011/10/14/010654328.shtml"
SEED_000 = "http://www.dongfang-group.com.cn/esd/jjesd/202206/t20220602_1536.html"
GMRB_ORIGINAL = "https://epaper.gmw.cn/gmrb/html/2022-06/02/nw.D110000gmrb_20220602_1-02.htm"


def crawl_outlet(outlet: str, out: Path, mock: MockOutlets, settings: dict[str, str] | None = None,
                 **args: str) -> Crawl:
    """Crawl a mock outlet as tests/test_outlets.py does (crawl.json), ``args`` overriding its -a."""
    config = OUTLETS / outlet / "crawl.json"
    plan = json.loads(config.read_text()) if config.exists() else {}
    spider = plan.get("spider", outlet)
    merged = {**plan.get("args", {}), **args}
    argv = [part for key, value in merged.items() for part in ("-a", f"{key}={value}")]
    return run_crawl(spider, out, mock.proxy_url, *argv, settings=settings)


def records(path: Path) -> list[dict[str, Any]]:
    """Every record of a WARC file: type, target URI, id, headers, payload."""
    out = []
    with path.open("rb") as fh:
        it = ArchiveIterator(fh)
        for rec in it:
            payload = rec.raw_stream.read()
            out.append({"type": rec.rec_type, "url": rec.rec_headers.get_header("WARC-Target-URI"),
                        "id": rec.rec_headers.get_header("WARC-Record-ID"), "warc": rec.rec_headers,
                        "http": rec.http_headers, "payload": payload, "offset": it.get_record_offset()})
    return out


def new_warcs(out: Path, before: set[Path]) -> list[Path]:
    """The WARC files a crawl added to ``out``."""
    return sorted(set(out.glob("*.warc.gz")) - before)


def xinhua_page() -> bytes:
    """The 新华网 original of seed 004: its text, 新华网's own frame, no 来源 line naming another outlet."""
    expected = json.loads((OUTLETS / "nmgnews" / "expected" / "010654328.json").read_text())
    paragraphs = "".join(f"<p>　　{line}</p>\n" for line in expected["text"].split("\n"))
    html = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{expected["title"]}_新华网</title>
<meta name="publishdate" content="2011-10-14">
</head><body>
<div class="nav"><a href="http://www.xinhuanet.com/">首页</a> | <a href="http://www.xinhuanet.com/local/">地方</a></div>
<h1 id="title">{expected["title"]}</h1>
<div class="info"><span id="pubtime">2011年10月14日 08:36:12</span> 来源：新华网</div>
<div id="content">
{paragraphs}</div>
<div class="footer">新华网版权所有</div>
</body></html>"""
    return html.encode("utf-8")
