"""呼和浩特日报 e-paper: classic Founder under ``rb/page`` (shared/outlets.md §7), GBK pages."""

from crawler.epaper import CLASSIC, EpaperSpider


class HhhtrbSpider(EpaperSpider):
    """呼和浩特日报, walking issues by date."""

    name = "hhhtrb"
    outlet_names = ("呼和浩特日报",)
    base = "http://szb.saibeinews.com.cn/rb/page"
    family = CLASSIC
    first_page = "node_2.htm"
