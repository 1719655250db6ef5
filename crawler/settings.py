"""Scrapy settings of the project: every project setting has its default here.

The README's "Settings" table documents each one. Politeness defaults are fit for
real outlets; tests and the demo override them for speed.
"""

from crawler import __version__
from crawler.items import EXPORT_FIELDS

BOT_NAME = "nmgnews_archive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "crawler.commands"

# --- Output -----------------------------------------------------------------------
#: Directory of WARC files (and, by default, the SQLite store).
ARCHIVE_DIR = "archives"
#: Database of extracted articles; default: sqlite:///{ARCHIVE_DIR}/articles.sqlite
STORE_URI = None
WARC_ENABLED = True
#: File name prefix; default: the spider's name.
WARC_PREFIX = None
#: Rotate to a new WARC file once the current one reaches this many bytes.
WARC_MAX_SIZE = 1_000_000_000
#: Who runs the crawl (recorded in every warcinfo record).
WARC_OPERATOR = ""
WARC_DESCRIPTION = ""

# --- Politeness -------------------------------------------------------------------
#: Contact for site operators; put a URL or e-mail here for real crawls.
CONTACT = "https://example.org/archive-contact"
USER_AGENT = f"nmg-news-archiver/{__version__} (+{CONTACT})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 60

# --- Archive fidelity ---------------------------------------------------------------
#: A response cut short is still archived (with WARC-Truncated) instead of dropped.
DOWNLOAD_FAIL_ON_DATALOSS = False
#: A redirect response is archived, and followed by RedirectMiddleware.
REDIRECT_ENABLED = True

# --- Extraction ---------------------------------------------------------------------
#: Shortest body (characters) accepted from trafilatura; short Chinese briefs are news.
EXTRACT_MIN_CHARS = 20

# --- Components ---------------------------------------------------------------------
EXTENSIONS = {
    "crawler.warc.extension.WarcExtension": 100,
    "crawler.stats_file.StatsFile": 900,
}
#: Write the final crawl stats as JSON to this path (off when empty).
STATS_FILE = None
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 300,
    "pipelines.store.StorePipeline": 800,
}

# --- Feeds --------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_FIELDS = EXPORT_FIELDS

# --- Framework ----------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
