"""Pages whose lists are filled by script: recognise them, find their list APIs, read
the answers, and the links only their scripts make.

Pure functions of a decoded page (no Scrapy, no I/O); the spider fetches. How a crawl
uses them (tests/shells_walk.py does exactly this against generated webs):

1. On a page that is not an ordinary listing (no report links), `detect_shell(page)`:
   evidence for logs and statistics, and the cue for 2-4.
2. `api_fetches(page)`; when empty, fetch `script_sources(page)` (GET, Referer = page;
   keep their texts by URL, the site's pages share them) and `api_fetches(page, scripts)`.
   `report_fetches(fetches)` are the 年报 columns when some fetch is labelled so.
3. Send each fetch as it is (method, body, headers). On the answer: `parse_json(text)`,
   `entries(data, base_url=fetch.headers["Referer"], request_url=fetch.url)`, then
   `next_fetches(data, fetch.url, max_pages, fetch=fetch)` while pages bring new records;
   once `listing_complete(data, fetch.url)`, drop the listing's other first-page
   candidates (same `listing_key`: gkmlpt's page 0 after page 1).
4. `script_links(page, scripts)`: navigation to follow (javascript: functions, onclick,
   redirect shells, iframes, config trees such as gkmlpt `jump_url` nodes).

    detect_shell(page) -> ShellEvidence | None
    script_sources(page) -> [url]
    api_fetches(page, scripts=()) -> [ListingFetch]
    report_fetches(fetches) -> [ListingFetch]
    parse_json(text) -> data | None
    entries(data, base_url, request_url=None) -> [Anchor]
    next_fetches(data, request_url, max_pages, fetch=None) -> [ListingFetch]
    listing_complete(data, request_url) -> bool
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
