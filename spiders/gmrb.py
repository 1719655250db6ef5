"""光明日报 e-paper (epaper.gmw.cn): the nbs/nw template through 2025, pc/layout from 2026.

shared/outlets.md §3: old ``gmrb/html/YYYY-MM/DD/nbs.D110000gmrb_NN.htm`` pages and
``nw.D110000gmrb_YYYYMMDD_k-NN.htm`` stories; new ``gmrb/html/layout/YYYYMM/DD/node_NN.html``
and ``gmrb/html/content/YYYYMM/DD/content_N.html``. The old template answers 404 from 2026.
"""

from datetime import date

from crawler.epaper import NBS_NW, PC_LAYOUT, Edition, EpaperSpider


class GmrbSpider(EpaperSpider):
    """光明日报, walking issues by date (``-a date=…`` or ``-a since=… -a until=…``)."""

    name = "gmrb"
    outlet_names = ("光明日报",)
    editions = (
        Edition(NBS_NW, "https://epaper.gmw.cn/gmrb/html", "nbs.D110000gmrb_01.htm"),
        Edition(PC_LAYOUT, "https://epaper.gmw.cn/gmrb/html", "node_01.html", valid_from=date(2026, 1, 1)),
    )
