"""包头日报 e-paper: classic Founder under ``nepaper/btrb/html`` (shared/outlets.md §7)."""

from crawler.epaper import CLASSIC, EpaperSpider


class BtrbSpider(EpaperSpider):
    """包头日报, walking issues by date."""

    name = "btrb"
    outlet_names = ("包头日报",)
    base = "http://customupload.baotounews.com/nepaper/btrb/html"
    family = CLASSIC
    first_page = "node_3.htm"
