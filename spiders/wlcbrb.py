"""乌兰察布日报 e-paper: new Founder pc/layout on a bare IP and port (shared/outlets.md §6.1)."""

from crawler.epaper import PC_LAYOUT, EpaperSpider


class WlcbrbSpider(EpaperSpider):
    """乌兰察布日报, walking issues by date."""

    name = "wlcbrb"
    outlet_names = ("乌兰察布日报",)
    base = "http://60.31.144.235:29280/paper/pc"
    family = PC_LAYOUT
    first_page = "node_01.html"
