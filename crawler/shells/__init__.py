"""Pages whose lists are filled by script: recognise them, find their list APIs, read
the answers, and the links only their scripts make.

Pure functions of a decoded page (no Scrapy, no I/O); the spider fetches.

    detect_shell(page) -> ShellEvidence | None
    script_sources(page) -> [url]                 # external scripts worth fetching
    api_fetches(page, scripts=()) -> [ListingFetch]
    parse_json(text) -> data | None
    entries(data, base_url, request_url=None) -> [Anchor]
    next_fetches(data, request_url, max_pages, fetch=None) -> [ListingFetch]
    listing_complete(data, request_url) -> bool   # skip the listing's other first pages
    script_links(page, scripts=()) -> [Anchor]
"""

from crawler.shells.answers import entries, listing_complete, next_fetches, parse_json
from crawler.shells.apis import api_fetches, prefer_reports, report_fetches
from crawler.shells.detect import ShellEvidence, detect_shell
from crawler.shells.links import script_links
from crawler.shells.pagedoc import script_sources

__all__ = [
    "ShellEvidence",
    "api_fetches",
    "detect_shell",
    "entries",
    "listing_complete",
    "next_fetches",
    "parse_json",
    "prefer_reports",
    "report_fetches",
    "script_links",
    "script_sources",
]
