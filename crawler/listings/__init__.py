"""Listings understood in general: every page of a listing from every kind of evidence.

Pure functions of a fetched page (no Scrapy, no I/O). The spider calls
`listing_fetches_for(page, anchors, max_pages)` on each listing page and, for Hanweb proxy
answers (`ListingFormat.HANWEB_XML`), `hanweb.records_html` and `hanweb.follow_up_fetches`.
"""

from crawler.listings.pagination import listing_fetches_for, pagination_fetches

__all__ = ["listing_fetches_for", "pagination_fetches"]
