"""Images of an article body and the captions printed with them."""

from __future__ import annotations

import re

from parsel import Selector

from crawler.items import Image

_CAPTION_CLASS = re.compile(r"pic|caption|img|photo|title|desc|note", re.I)
_MAX_CAPTION = 200


def _text(sel: Selector) -> str:
    return re.sub(r"\s+", " ", " ".join(sel.xpath(".//text()").getall())).strip()


def _caption_for(img: Selector) -> str | None:
    """The caption of an image: a figcaption, a captioned sibling, or a centred line after it.

    News CMSs put the caption in the element right after the image's block
    (``<p align=center><img></p><p align=center>caption</p>``), in a ``figcaption``, or
    in a sibling with a class like ``pic-title``.
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
    return img.attrib.get("alt") or img.attrib.get("title") or None


def find_images(container: Selector, base_url: str) -> list[Image]:
    """Every content image of the container, absolute URL and caption, in order."""
    from urllib.parse import urljoin

    images: list[Image] = []
    seen: set[str] = set()
    for img in container.xpath(".//img"):
        src = img.attrib.get("src") or img.attrib.get("data-src")
        if not src or src.startswith("data:"):
            continue
        url = urljoin(base_url, src.strip())
        if url in seen:
            continue
        seen.add(url)
        caption = _caption_for(img)
        images.append(Image(url=url, caption=caption.strip() if caption else None))
    return images
