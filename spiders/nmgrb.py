"""内蒙古日报 e-paper (szb.northnews.cn): classic Founder with global node ids.

shared/outlets.md §4: pages ``nmgrb/html/YYYY-MM/DD/node_N.htm`` whose ids grow across days
and papers, so an issue is entered by its per-date ``node_1.htm`` (a copy of the front
page); stories ``content_{node}_{article}.htm`` with ``founder-title``/``founder-content``
and the ``enpproperty`` comment.
"""

from crawler.epaper import CLASSIC, EpaperSpider


class NmgrbSpider(EpaperSpider):
    """内蒙古日报, walking issues by date."""

    name = "nmgrb"
    outlet_names = ("内蒙古日报",)
    base = "https://szb.northnews.cn/nmgrb/html"
    family = CLASSIC
    first_page = "node_1.htm"
