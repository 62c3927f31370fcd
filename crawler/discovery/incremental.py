"""Later crawls of a listing: a page, newest first, that shows only reports the archive
knows, all published before the site's last complete crawl began, says the rest of its
listing holds nothing new either (new entries of a list sorted newest first appear on its
first page). The last *complete* crawl (``Archive.last_complete_crawl``: a site run that
ended in success within its page budget) walked every listing to its end; a crawl killed
midway, blocked or cut short did not, and does not count, so the next crawl walks on.

The residual risk is a report uploaded late with an old date, placed deep in its list:
`NIANBAO_INCREMENTAL_LISTINGS = false` walks every listing to its end."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from crawler.anchors import Anchor
from crawler.discovery.titles import classify_title, maybe_report_title
from crawler.links import canonical_url
from crawler.sitebook import SiteState

MARGIN = timedelta(days=1)
"""Dates are days: an entry dated the day before the last crawl, or later, may be new."""


def nothing_new(state: SiteState, anchors: Iterable[Anchor]) -> bool:
    """Whether this listing page shows nothing the site's last crawl could not have seen:
    its dated entries newest first, the newest older than the last complete crawl, and every entry
    that is (or may be) a report known to the archive."""
    if state.last_complete_crawl is None:
        return False
    entries = list(anchors)
    dated = [a.published for a in entries if a.published]
    if len(dated) < 2 or dated != sorted(dated, reverse=True):
        return False
    if dated[0] >= (state.last_complete_crawl - MARGIN).date().isoformat():
        return False
    reports = [a for a in entries if classify_title(a.text) or maybe_report_title(a.text)]
    return bool(reports) and all(canonical_url(a.url) in state.known for a in reports)
