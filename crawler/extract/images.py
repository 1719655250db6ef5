"""Images of an article body and the captions printed with them."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from crawler.items import Image

_CAPTION_CLASS = re.compile(r"pic|caption|img|photo|title|desc|note", re.I)
_MAX_CAPTION = 200


def _text(sel: Selector) -> str:
    return re.sub(r"\s+", " ", " ".join(sel.xpath(".//text()").getall())).strip()


def _caption_for(img: Selector) -> str | None:
    """The caption of an image: a figcaption, a captioned sibling, or a centred line after it.

    News CMSs put the caption in the element right after the image's block
    (``<p align=center><img></p><p align=center>caption</p>``), in a ``figcaption``,
    in a sibling with a class like ``pic-title``, or (e-papers) in the table row after
    the image's row.
    """
    fig = img.xpath("ancestor::figure[1]/figcaption")
    if fig:
        return _text(fig[0]) or None
    block = img.xpath("ancestor::*[self::p or self::div or self::center or self::td][1]")
    if not block:
        return img.attrib.get("alt") or img.attrib.get("title") or None
    block = block[0]
    own = _text(block)
    if own:  # caption in the same block as the image
        return own if len(own) <= _MAX_CAPTION else None
    nxt = block.xpath("following-sibling::*[1]")
    if nxt:
        sib = nxt[0]
        cls = sib.attrib.get("class", "")
        centred = (sib.attrib.get("align", "").lower() == "center"
                   or "center" in sib.attrib.get("style", "").replace(" ", ""))
        caption = _text(sib)
        if caption and not sib.xpath(".//img") and len(caption) <= _MAX_CAPTION and (
                centred or _CAPTION_CLASS.search(cls) or sib.root.tag == "figcaption"):
            return caption
    if block.root.tag == "td":  # e-paper picture tables: the caption is the next row
        for row in block.xpath("ancestor::tr[1]/following-sibling::tr[1]"):
            caption = _text(row)
            if caption and not row.xpath(".//img") and len(caption) <= _MAX_CAPTION:
                return caption
    return img.attrib.get("alt") or img.attrib.get("title") or None


def find_images(container: Selector, base_url: str) -> list[Image]:
    """Every content image of the container, absolute URL and caption, in order."""
    images: list[Image] = []
    seen: set[str] = set()
    for img in container.xpath(".//img"):
        _append(images, seen, img, base_url)
    return images


def _src(img: Selector) -> str:
    return img.attrib.get("src") or img.attrib.get("data-src") or ""


def _append(images: list[Image], seen: set[str], img: Selector, base_url: str) -> None:
    """Add ``img`` (absolute URL, caption) unless it has no source, is inline data or is a
    URL already in ``seen``."""
    src = _src(img)
    if not src or src.startswith("data:"):
        return
    url = urljoin(base_url, src.strip())
    if url in seen:
        return
    seen.add(url)
    caption = _caption_for(img)
    images.append(Image(url=url, caption=caption.strip() if caption else None))


_DECORATIVE = re.compile(r"logo|icon|btn|button|banner|qrcode|erweima|share|spacer|blank|arrow|\bad\b", re.I)


def article_images(container: Selector, base_url: str, *, wrapper: Selector | None = None) -> list[Image]:
    """The container's images, then those the article's wrapper shows beside it (an
    e-paper's picture table after the text): not links, not in navigation, headers or
    footers, not logos, icons or buttons."""
    images = find_images(container, base_url)
    if wrapper is None or wrapper.root.tag in ("html", "body"):
        return images
    inside = set(container.root.iter())
    seen = {i.url for i in images}
    outside = ".//img[not(ancestor::a or ancestor::nav or ancestor::header or ancestor::footer)]"
    for img in wrapper.xpath(outside):
        if img.root in inside:
            continue
        marks = " ".join([_src(img), *(img.attrib.get(a, "") for a in ("class", "id", "alt"))])
        if not _DECORATIVE.search(marks):
            _append(images, seen, img, base_url)
    return images
