"""WARC writing: file rotation, record building and the Scrapy extension."""

from crawler.warc.files import WarcRef, WarcRotator
from crawler.warc.records import RawHeaders

__all__ = ["RawHeaders", "WarcRef", "WarcRotator"]
