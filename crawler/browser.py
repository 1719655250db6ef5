"""JavaScript pages: rendered in headless Chromium (scrapy-playwright) only where asked.

Where (docs/javascript.md):

* a spider's ``render_js`` attribute renders every page request of the spider
  (``-a render_js=1`` sets it on any spider, ``site`` included);
* a request's ``meta["render_js"]`` (True/False) decides for that request alone; rendering
  per request needs ``PLAYWRIGHT_ENABLED`` (a rendering spider turns it on by itself).

Requests without a callback of their own (robots.txt) are never rendered. Everything else
keeps Scrapy's HTTP handler: scrapy-playwright's handler passes requests without
``meta["playwright"]`` to it.

This module is the add-on (``ADDONS``) that sets the crawl up: the downloader middleware
of crawler/browser_capture.py always (it archives rendered pages), and, only when rendering
is on, scrapy-playwright's download handler for http/https and Chromium's launch options:
``PLAYWRIGHT_BROWSER_EXECUTABLE`` (Debian's chromium), ``PLAYWRIGHT_BROWSER_ARGS`` (plus
``--no-sandbox`` when running as root) and the crawl's proxy from the environment
(``https_proxy``/``http_proxy``/``no_proxy``, as Scrapy's HttpProxyMiddleware reads them).
``PLAYWRIGHT_LAUNCH_OPTIONS`` keys given by the operator win over these.
"""

from __future__ import annotations

import logging
import os
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from scrapy.settings import SETTINGS_PRIORITIES, Settings

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
#: request.meta key and spider attribute that ask for rendering.
RENDER_KEY = "render_js"
MIDDLEWARE_PRIORITY = 580  # process_response before RetryMiddleware (550) copies the request
_YES = {"1", "true", "yes", "on"}
_NO = {"0", "false", "no", "off", ""}


def yes_no(value: Any, what: str) -> bool:
    """A yes/no setting or argument (bool, or "1"/"true"/"yes"/"on" and their opposites)."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    if isinstance(value, int):
        return value != 0
    text = str(value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"{what}: {value!r} is not a yes/no value (1/0, true/false, yes/no, on/off)")


def spider_renders(spider: object) -> bool:
    """Whether a spider asks for every page to be rendered (its ``render_js``)."""
    return yes_no(getattr(spider, RENDER_KEY, False), f"spider {getattr(spider, 'name', '?')} {RENDER_KEY}")


def rendering_enabled(settings: Settings, spider: object) -> bool:
    """Whether this crawl renders at all: ``PLAYWRIGHT_ENABLED`` or a rendering spider."""
    return settings.getbool("PLAYWRIGHT_ENABLED") or spider_renders(spider)


def browser_proxy() -> dict[str, str] | None:
    """Playwright's ``proxy`` launch option from the environment (None: no proxy set).

    Chromium takes one proxy for every scheme: the https one if set, else the http one.
    """
    proxies = urllib.request.getproxies()
    url = proxies.get("https") or proxies.get("http")
    if not url:
        return None
    if proxies.get("https") and proxies.get("http") and proxies["https"] != proxies["http"]:
        logger.warning("The browser uses one proxy for every scheme: %s (http_proxy %s is not used)",
                       proxies["https"], proxies["http"])
    parts = urlsplit(url if "://" in url else "http://" + url)
    if not parts.hostname:
        raise ValueError(f"proxy from the environment: {url!r} names no host")
    server = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    proxy = {"server": server}
    if parts.username:
        proxy["username"] = unquote(parts.username)
        proxy["password"] = unquote(parts.password or "")
    if proxies.get("no"):
        proxy["bypass"] = proxies["no"]
    return proxy


def launch_options(settings: Settings) -> dict[str, Any]:
    """Chromium's launch options: ours (executable, args, proxy), then the operator's on top."""
    args = [str(a) for a in settings.getlist("PLAYWRIGHT_BROWSER_ARGS")]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in args:
        args.append("--no-sandbox")  # Chromium's sandbox refuses to run as root
    options: dict[str, Any] = {"headless": True, "args": args}
    executable = settings.get("PLAYWRIGHT_BROWSER_EXECUTABLE")
    if executable:
        options["executable_path"] = str(executable)
    proxy = browser_proxy()
    if proxy:
        options["proxy"] = proxy
    options.update(settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"))
    path = options.get("executable_path")
    if path and not (Path(path).is_file() and os.access(path, os.X_OK)):
        where = ("PLAYWRIGHT_LAUNCH_OPTIONS executable_path" if "executable_path" in
                 settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS") else "PLAYWRIGHT_BROWSER_EXECUTABLE")
        raise ValueError(f"{where}: {path} is not an executable file; install Debian's chromium "
                         "(`make chromium`) or point the setting at a Chromium binary")
    return options


class BrowserAddon:
    """Scrapy add-on: the browser middleware always; the browser itself only when rendering."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserAddon:
        return cls(crawler)

    def update_settings(self, settings: Settings) -> None:
        from crawler.browser_capture import BrowserMiddleware

        settings.setdefault_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", BrowserMiddleware, MIDDLEWARE_PRIORITY)
        if not rendering_enabled(settings, self.crawler.spider):
            return
        addon = SETTINGS_PRIORITIES["addon"]
        settings.set("PLAYWRIGHT_ENABLED", True, priority=max(settings.getpriority("PLAYWRIGHT_ENABLED") or 0,
                                                              addon))
        handlers = settings.getdict("DOWNLOAD_HANDLERS")
        handlers.update({"http": HANDLER, "https": HANDLER})
        settings.set("DOWNLOAD_HANDLERS", handlers,
                     priority=max(settings.getpriority("DOWNLOAD_HANDLERS") or 0, addon))
        if settings.get("PLAYWRIGHT_CDP_URL") or settings.get("PLAYWRIGHT_CONNECT_URL"):
            return  # a remote browser: scrapy-playwright ignores launch options
        priority = max(settings.getpriority("PLAYWRIGHT_LAUNCH_OPTIONS") or 0, addon)
        settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(settings), priority=priority)
