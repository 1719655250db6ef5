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
#: A page fetched again with the same payload is written as a revisit record (no body).
WARC_REVISITS = True
#: Write the WARC records from a process of their own, off the crawl's thread (crawler/warc/writer.py);
#: False: on the crawl's thread. Crawls that render pages in a browser always write on it.
WARC_WRITER = True
#: Record every capture (URL, time, status, WARC record, digest, validators) in the store.
STORE_CAPTURES_ENABLED = True
#: Ask servers whether a page changed (If-None-Match / If-Modified-Since from the last capture).
CONDITIONAL_ENABLED = True
#: Link reprints and mirrors across outlets to the earliest original (crawler/dedupe).
DEDUPE_ENABLED = True
#: Estimated Jaccard similarity of character 3-grams from which a text is a copy (docs/dedupe.md).
DEDUPE_THRESHOLD = 0.4

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
#: Items processed at once per response. Scrapy 2.19 starts this many asyncio tasks for every
#: response, even one that yields a single item: its default of 100 cost bare Scrapy a third
#: of its speed on the benchmark; 16 still overlaps the extraction workers (docs/performance.md).
CONCURRENT_ITEMS = 16
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 60
#: Wait before retry n: max(Retry-After, RETRY_BACKOFF_BASE * 2**(n-1) capped at RETRY_BACKOFF_MAX).
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
#: Responses whose Retry-After is honoured; a longer Retry-After than RETRY_AFTER_MAX is given up on.
RETRY_AFTER_HTTP_CODES = [429, 503]
RETRY_AFTER_MAX = 120.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry_after.RetryAfterMiddleware": 550,
    # A redirect never leaves the spider's allowed_domains, even with dont_filter (docs/reliability.md).
    "crawler.middlewares.redirect_scope.RedirectScopeMiddleware": 60,
    # Off unless REPLAY_PATHS is set (`scrapy replay` sets it): answers from the archive.
    "crawler.replay.middleware.ReplayMiddleware": 950,
    # Validators from the last capture; a 304 is answered from the archive (off in a replay).
    "crawler.middlewares.conditional.ConditionalMiddleware": 800,
    # Nearest the downloader: a response goes on once its WARC records are written.
    "crawler.warc.extension.WarcWait": 1000,
}
#: Only http(s) is fetched: a file://, data:, ftp:// or s3:// URL (a link, an argument, a
#: redirect) is refused with NotSupported, never read into the archive.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
#: WARC/ARC/WACZ files or directories a crawl is answered from instead of the network.
REPLAY_PATHS: list[str] = []
#: USER_AGENT follows CONTACT (-s CONTACT=… alone is enough) unless USER_AGENT is set explicitly.
ADDONS = {"crawler.contact.ContactUserAgent": 0,
          # Off unless REDIS_URL is set: several workers share the crawl (docs/distributed.md).
          "crawler.distributed.addon.Distributed": 10,
          # JavaScript pages in headless Chromium where asked (docs/javascript.md).
          "crawler.browser.BrowserAddon": 20}

# --- Archive fidelity ---------------------------------------------------------------
#: A response cut short is still archived (with WARC-Truncated) instead of dropped.
DOWNLOAD_FAIL_ON_DATALOSS = False
#: A redirect response is archived, and followed by RedirectMiddleware.
REDIRECT_ENABLED = True

# --- Extraction ---------------------------------------------------------------------
#: Shortest body (characters) accepted from trafilatura; short Chinese briefs are news.
EXTRACT_MIN_CHARS = 20
#: Worker processes that extract articles off the crawl's thread; None: one per core, 0: inline.
EXTRACT_WORKERS = None

# --- Components ---------------------------------------------------------------------
EXTENSIONS = {
    "crawler.gc_freeze.GcFreeze": 50,
    "crawler.warc.extension.WarcExtension": 100,
    "crawler.store.captures.CaptureRecorder": 110,
    "crawler.export.outlet_feeds.OutletFeeds": 850,
    "crawler.stats_file.StatsFile": 900,
    "crawler.progress.Progress": 950,
}
#: Keep the garbage collector off the objects the crawl starts with (crawler/gc_freeze.py).
GC_FREEZE = True
#: The crawl process's collector thresholds while the engine runs (gc.set_threshold; empty: Python's).
GC_THRESHOLD = (20000, 10, 10)
#: Write the final crawl stats as JSON to this path (off when empty).
#: Unset (None): {ARCHIVE_DIR}/stats/{spider}-{start}.json, read by `scrapy report`.
STATS_FILE = None
#: Seconds between progress lines (one per spider); 0 turns them off.
PROGRESS_INTERVAL = 10.0
ITEM_PIPELINES = {
    "pipelines.not_modified.NotModifiedPipeline": 200,
    "pipelines.extract.ExtractPipeline": 300,
    "pipelines.store.StorePipeline": 800,
}

# --- Feeds --------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_FIELDS = EXPORT_FIELDS
#: `-o out.csv` / `-o out.xml`: lists and images as JSON (CSV), no "None" texts (XML).
FEED_EXPORTERS = {
    "csv": "crawler.export.scrapy_exporters.ArticleCsvItemExporter",
    "xml": "crawler.export.scrapy_exporters.ArticleXmlItemExporter",
}
#: After each crawl, rewrite {ARCHIVE_DIR}/feeds/{outlet}.atom (etc.) with the latest articles.
OUTLET_FEEDS_ENABLED = False
#: Any of "atom" (.atom), "rss" (.rss), "jsonfeed" (.json).
OUTLET_FEEDS_FORMATS = ["atom"]
#: Articles per outlet feed (the newest by publication time).
OUTLET_FEEDS_LIMIT = 100
#: Public URL of the feeds/ directory, for the feeds' self links (none when unset).
OUTLET_FEEDS_BASE_URL = None

# --- Distributed crawling (docs/distributed.md) --------------------------------------
#: Redis of a crawl shared by several workers (scrapy-redis); unset: one process, as usual.
REDIS_URL = None
#: Name of the shared crawl (prefix of its Redis keys); default: the spider's name.
DISTRIBUTED_CRAWL = None
#: This worker's name; default: host-pid.
DISTRIBUTED_WORKER = None
#: Seconds between a worker's heartbeats (and looks at the shared queue when idle).
DISTRIBUTED_HEARTBEAT = 1.0
#: A worker silent this long is dead: the requests it had taken go back on the shared queue.
DISTRIBUTED_WORKER_TIMEOUT = 60.0
#: Seconds Redis keeps a finished crawl (workers started meanwhile stop at once), then drops it.
DISTRIBUTED_KEEP = 3600.0

# --- JavaScript pages (crawler/browser.py, docs/javascript.md) ---------------------
#: Render requests with meta render_js in headless Chromium; on by itself for a spider whose
#: render_js is true (-a render_js=1). Off: no browser is started.
PLAYWRIGHT_ENABLED = False
#: Chromium binary (Debian's chromium package; `make chromium` installs it).
PLAYWRIGHT_BROWSER_EXECUTABLE = "/usr/bin/chromium"
#: Chromium switches (--no-sandbox is added when running as root). Background services off.
PLAYWRIGHT_BROWSER_ARGS = ["--disable-background-networking", "--disable-component-update",
                           "--disable-sync", "--no-first-run"]
#: Seconds to wait after load for the network to go quiet (XHR-inserted text) before the DOM is read.
PLAYWRIGHT_IDLE_TIMEOUT = 10.0
#: Browser tabs open at once (scrapy-playwright's default, CONCURRENT_REQUESTS, is a lot of Chromium).
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4

# --- Framework ----------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
