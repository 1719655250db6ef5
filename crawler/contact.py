"""Add-on that builds the User-Agent from ``CONTACT`` when a crawl sets only the contact.

``crawler/settings.py`` computes ``USER_AGENT`` from the default ``CONTACT`` when it is
imported, so ``-s CONTACT=mailto:me@example.org`` alone would not reach the header. This
add-on runs before any component reads the settings (Scrapy's ``ADDONS``) and, unless
``USER_AGENT`` itself was set above the project level (command line, spider), rebuilds it.
The WARC writer reads the same setting, so warcinfo ``http-header-user-agent`` agrees.
"""

from __future__ import annotations

from scrapy.settings import SETTINGS_PRIORITIES, Settings

from crawler import __version__


def contact_user_agent(contact: str) -> str:
    """The project's User-Agent naming ``contact``."""
    return f"nmg-news-archiver/{__version__} (+{contact})"


class ContactUserAgent:
    """Scrapy add-on: ``USER_AGENT`` follows ``CONTACT`` unless set explicitly."""

    def update_settings(self, settings: Settings) -> None:
        contact = str(settings.get("CONTACT") or "").strip()
        if not contact:
            return
        if settings.getpriority("USER_AGENT") > SETTINGS_PRIORITIES["project"]:
            return  # the operator wrote a User-Agent of their own
        settings.set("USER_AGENT", contact_user_agent(contact), priority="project")
