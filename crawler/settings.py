"""Scrapy settings of the nianbao crawler. Every NIANBAO_* setting is documented in
docs/settings.md."""

from __future__ import annotations

from crawler.render import CHROMIUM_LAUNCH_OPTIONS

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
USER_AGENT = (
    "nianbao/0.1 (archive of government information-disclosure annual reports; "
    "+https://github.com/nianbao/nianbao)"
)

# Politeness.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 256 * 1024 * 1024
DOWNLOAD_WARNSIZE = 64 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
COOKIES_ENABLED = True
DEPTH_LIMIT = 0  # the spider bounds depth itself (NIANBAO_MAX_DEPTH)

# Host names are resolved, checked and pinned before connecting (crawler/resolver.py).
TWISTED_DNS_RESOLVER = "crawler.resolver.PinningResolver"

# Off: an HTTP control endpoint and a telnet console have no place in a crawler.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
    "crawler.extensions.progress.ProgressDisplay": 500,
    "crawler.extensions.summary.SummaryWriter": 510,
    # discovery's idle work: the frontier's navigation, then re-verification (the spider
    # needs it: it releases navigation the frontier holds when the crawl is idle)
    "crawler.extensions.reverify.Reverifier": 100,
}

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.ChallengedRobotsTxtMiddleware": 100,
    "crawler.middlewares.scope.ScopeMiddleware": 50,
    "crawler.middlewares.budget.BudgetMiddleware": 60,
    "crawler.middlewares.conditional.ConditionalRequestMiddleware": 120,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    "crawler.middlewares.waf.WafMiddleware": 560,
    "crawler.middlewares.ratelimit.RateLimitMiddleware": 570,
    "crawler.middlewares.stats.SiteStatsMiddleware": 555,
    "crawler.middlewares.scope.ResolutionRefusalMiddleware": 900,
    "crawler.middlewares.browser.BrowserScopeMiddleware": 950,
}
ITEM_PIPELINES = {"crawler.pipelines.archive.ArchivePipeline": 300}

# Rendering (only requests with meta "playwright" go to the browser).
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    **CHROMIUM_LAUNCH_OPTIONS,
    "args": [
        *CHROMIUM_LAUNCH_OPTIONS["args"],
        # The browser reaches nothing but through its site's filtering proxy
        # (crawler/browser_proxy.py, one per browser context); loopback included.
        "--proxy-server=http://127.0.0.1:1",
        "--proxy-bypass-list=<-loopback>",
        "--dns-prefetch-disable",
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        "--webrtc-ip-handling-policy=disable_non_proxied_udp",
        "--disable-features=NetworkPrediction,DnsOverHttps",
    ],
}
PLAYWRIGHT_ABORT_REQUEST = "crawler.render.abort_request"
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30000

LOG_LEVEL = "WARNING"

# nianbao (see docs/settings.md).
NIANBAO_DB = None
NIANBAO_DATA_DIR = None
NIANBAO_RUN_ID = 0
NIANBAO_SITES: list[str] = []
NIANBAO_FOCUSED = True
NIANBAO_PAGE_BUDGET = 2000
NIANBAO_MAX_DEPTH = 8
NIANBAO_MIN_LINK_SCORE = 0.2
NIANBAO_EXPLORE_RESERVE = 0.1
NIANBAO_EXPLORE_CONCURRENCY = 1
NIANBAO_TRAP_PATTERN_LIMIT = 4
NIANBAO_FRONTIER_HOLD = True
NIANBAO_MAX_LISTING_PAGES = 200
NIANBAO_MAX_EMPTY_LISTING_PAGES = 1
NIANBAO_REVERIFY_DAYS = 7.0
NIANBAO_INCREMENTAL_LISTINGS = True
NIANBAO_RENDER_ENABLED = True
NIANBAO_RENDER_MAX_RELOADS = 6
NIANBAO_RENDER_SETTLE = 3.0
NIANBAO_RENDER_XHR = True
NIANBAO_RENDER_XHR_MAX_ANSWERS = 20
NIANBAO_RENDER_XHR_MAX_BYTES = 8 * 1024 * 1024
NIANBAO_CONDITIONAL = True
NIANBAO_CONDITIONAL_PAGES = True
NIANBAO_NAVIGATION_REVISIT_HOURS = 0.0
NIANBAO_WAF_DETECT = True
NIANBAO_RATE_LIMIT_RETRIES = 3
NIANBAO_RATE_LIMIT_WAIT = 2.0
NIANBAO_RATE_LIMIT_MAX_DELAY = 30.0
NIANBAO_WAF_BROWSER_TIMEOUT = 5.0
NIANBAO_WAF_CHALLENGE_WAIT = 10.0
NIANBAO_SCOPE_ENABLED = True
NIANBAO_TEST_DNS: dict[str, str | list[str]] = {}
NIANBAO_CAPTURE_ENABLED = True
NIANBAO_DB_RETRY_SECONDS = 60.0
NIANBAO_INGEST_BATCH = 50
NIANBAO_INGEST_FLUSH_SECONDS = 0.5
NIANBAO_EXTRACT_WORKERS = 0
NIANBAO_EXTRACT_TIMEOUT = 45.0
NIANBAO_EXTRACT_MEMORY_MB = 1024
NIANBAO_RETRY_BACKOFF = 0.5
NIANBAO_RETRY_BACKOFF_MAX = 30.0
NIANBAO_PROGRESS = "auto"
NIANBAO_PROGRESS_INTERVAL = 0.5
NIANBAO_SUMMARY_FILE = None
