"""Founder (方正) e-papers: the date-walking spider base and the three template families.

``classic`` (``node_N.htm`` / ``content_*.htm``), ``nbsnw`` (``nbs.D110000…`` /
``nw.D110000…``) and ``pclayout`` (``layout/…/node_NN.html`` / ``content/…/content_N.html``);
see shared/outlets.md §8. A new paper is a spider of a few class attributes.
"""

from crawler.epaper.base import EpaperSpider
from crawler.epaper.classic import CLASSIC
from crawler.epaper.model import Edition
from crawler.epaper.nbsnw import NBS_NW
from crawler.epaper.pclayout import PC_LAYOUT

__all__ = ["CLASSIC", "NBS_NW", "PC_LAYOUT", "Edition", "EpaperSpider"]
