"""Keep a crawl on its site: only the site's hosts, no private or loopback addresses
unless the registry names them, nothing more for a blocked site.

The registry names a private or loopback host by listing it among the site's hosts (or
start URLs), as the bundled sample web does; `allow_private` further admits registry
host names that resolve to private addresses (an intranet mirror). A request to any other
private or loopback address — typically a redirect — is refused as `private_address`,
one to any other host as `offsite`.

Redirects are new requests and pass through here again, so a redirect to another host or
to an internal address is refused like any other request.

Host names are checked when they are resolved, before any connection
(``crawler.resolver``, the crawl's DNS resolver): this middleware gives the resolver the
crawl's sites when the spider opens. The check of the answering address in
``process_response`` stays as a second line.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Self

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.config import CrawlConfig
from crawler.links import host_of, is_private_address
from crawler.middlewares.site import site_state
from crawler.refusals import Refused
from crawler.resolver import POLICY, shared_resolver
from storage.vocab import FailureKind


def _private_ip(address: Any) -> bool:
    if address is None:
        return False
    try:
        ip = ipaddress.ip_address(str(address))
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved


def _literal_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class ScopeMiddleware:
    def __init__(self, crawler: Any) -> None:
        if not CrawlConfig.of(crawler).scope_enabled:
            raise NotConfigured
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self) -> None:
        book = getattr(self.crawler.spider, "book", {}) or {}
        POLICY.configure((state.hosts, bool(state.site.allow_private)) for state in book.values())

    def process_request(self, request: Request) -> None:
        state = site_state(self.crawler, request)
        if state is None:
            return None
        if state.blocked:
            self.crawler.stats.inc_value(f"nianbao/{state.id}/dropped_blocked")
            unrecorded, state.unrecorded_block = state.unrecorded_block, None
            raise unrecorded or Refused(None, "site is blocked by a WAF challenge")
        origin = request.meta.get("redirect_urls", [None])[0]
        via = f" (redirected from {origin})" if origin else ""
        if state.in_scope(request.url):
            return None
        host = host_of(request.url)
        if is_private_address(host):
            raise Refused(
                FailureKind.PRIVATE_ADDRESS,
                f"{host} is a private or loopback address the registry does not name "
                f"for site {state.id}{via}",
            )
        raise Refused(FailureKind.OFFSITE, f"{host} is not a host of site {state.id}{via}")

    def process_response(self, request: Request, response: Response) -> Response:
        state = site_state(self.crawler, request)
        if state is None or state.site.allow_private:
            return response
        if not _literal_ip(host_of(request.url)) and _private_ip(response.ip_address):
            raise Refused(
                FailureKind.PRIVATE_ADDRESS,
                f"{host_of(request.url)} resolved to the private address {response.ip_address}",
            )
        return response


class ResolutionRefusalMiddleware:
    """A request whose host name the resolver refused (it resolves to a private address
    no site allows) fails as ``private_address``, with the resolver's reason, and is not
    retried: Twisted reports a refused resolution only as a failed DNS lookup. Placed
    after (outside) the retry middleware."""

    def __init__(self, crawler: Any) -> None:
        config = CrawlConfig.of(crawler)
        if not config.scope_enabled:
            raise NotConfigured
        self.resolver = shared_resolver(config.test_dns_table)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    def process_exception(self, request: Request, exception: BaseException) -> None:
        if isinstance(exception, Refused):
            return None
        refusal = self.resolver.refusal_for(host_of(request.url))
        if refusal is not None:
            raise Refused(refusal.kind, refusal.detail)
        return None
