"""乌海日报 e-paper: new Founder pc/layout (shared/outlets.md §7)."""

from crawler.epaper import PC_LAYOUT, EpaperSpider


class WhrbSpider(EpaperSpider):
    """乌海日报, walking issues by date."""

    name = "whrb"
    outlet_names = ("乌海日报",)
    base = "https://szb.wuhainews.org.cn/paper/pc"
    family = PC_LAYOUT
    first_page = "node_01.html"
