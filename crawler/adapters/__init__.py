"""Platform adapters: recognise how a CMS serves a listing and say what to fetch next.

Each adapter exposes `listing_fetches(page: ListingPage) -> list[ListingFetch]` (Hanweb's
column proxies, in all their dialects, are planned by `crawler.listings.hanweb` on this
package's page reading); the spider turns the fetches into requests. Adapters are pure functions of the page so they
can be tested without a crawl.
"""

from crawler.adapters.types import ListingFetch, ListingPage

__all__ = ["ListingFetch", "ListingPage"]
