"""Name resolution checked before connecting, and pinned: the crawl's DNS resolver.

Every host name the crawl connects to — Scrapy's downloader (``TWISTED_DNS_RESOLVER``)
and the browser's filtering proxy (``crawler.browser_proxy``) alike — is resolved here,
once per connection, and the address is checked before anything is sent:

- a private, loopback, link-local, reserved, multicast or unspecified address is refused
  (``Refused("private_address")``) unless a site of the crawl allows it: its ``hosts``
  name the host and it has ``allow_private: true``, or the host is itself a private
  name (``localhost``) listed in its ``hosts``;
- the connection then goes to the very address that was checked (the resolver answers
  with it, the proxy connects to it): a DNS server that answers differently a moment
  later (DNS rebinding) changes nothing.

IP literals are not resolved; ``crawler.middlewares.scope`` decides on them (the registry
names the private ones it allows, as the sample web's 127.0.0.x hosts).

Tests give the resolver names of their own with the setting ``NIANBAO_TEST_DNS`` (a
mapping of host name to an address or a list of addresses, answered in turn, one per
lookup), instead of the system resolver; nothing else uses it.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterable
from typing import Any, Self

from twisted.internet import defer, threads
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer

from crawler.links import is_private_address
from crawler.refusals import Refused
from storage.vocab import FailureKind

CACHE_SECONDS = 60.0


def private_ip(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True  # not an address at all: never connect to it
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class AddressPolicy:
    """Which host names may resolve to private addresses: set from the crawl's sites."""

    def __init__(self) -> None:
        self._allowed: frozenset[str] = frozenset()

    def configure(self, sites: Iterable[tuple[Iterable[str], bool]]) -> None:
        """``sites``: (host entries, allow_private) of each site of the crawl."""
        allowed: set[str] = set()
        for hosts, allow_private in sites:
            for entry in hosts:
                host = entry.lower().rsplit(":", 1)[0] if entry.count(":") == 1 else entry.lower()
                if allow_private or is_private_address(host):
                    allowed.add(host)
        self._allowed = frozenset(allowed)

    def allows_private(self, host: str) -> bool:
        return host.lower() in self._allowed


POLICY = AddressPolicy()
"""The crawl process's policy (one crawl per process), set by ScopeMiddleware when the
spider opens."""


class CheckedResolver:
    """Resolve, check and cache. ``table`` replaces the system resolver (tests only)."""

    def __init__(self, table: dict[str, Any] | None = None, policy: AddressPolicy = POLICY):
        self.policy = policy
        self._table = {
            k.lower(): ([v] if isinstance(v, str) else list(v)) for k, v in (table or {}).items()
        }
        self._turn: dict[str, int] = {}
        self._cache: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()
        self.lookups: dict[str, int] = {}
        """How many times each name was resolved (not answered from the cache)."""
        self._refusals: dict[str, tuple[float, Refused]] = {}

    def addresses(self, host: str) -> list[str]:
        """The addresses of ``host`` (blocking)."""
        host = host.lower()
        with self._lock:
            self.lookups[host] = self.lookups.get(host, 0) + 1
            if self._table:
                answers = self._table.get(host)
                if answers is None:
                    raise OSError(f"{host}: no such host (NIANBAO_TEST_DNS)")
                turn = self._turn.get(host, 0)
                self._turn[host] = turn + 1
                return [answers[turn % len(answers)]]
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    def checked_address(self, host: str, *, use_cache: bool = True) -> str:
        """The one address to connect to for ``host``, checked; Refused when it is private
        and no site allows it, OSError when the name does not resolve (blocking)."""
        host = host.lower().strip("[]")
        if is_ip_literal(host):
            return host
        now = time.monotonic()
        if use_cache:
            with self._lock:
                cached = self._cache.get(host)
            if cached is not None and cached[0] > now:
                return cached[1]
        found = self.addresses(host)
        if not found:
            raise OSError(f"{host}: no address")
        # IPv4 first (the downloader's endpoints connect over IPv4)
        found.sort(key=lambda a: ":" in a)
        if not self.policy.allows_private(host):
            bad = [a for a in found if private_ip(a)]
            if bad:
                refusal = Refused(
                    FailureKind.PRIVATE_ADDRESS,
                    f"{host} resolved to the private address {bad[0]}; refused before "
                    "connecting (the registry does not allow private addresses for it)",
                )
                with self._lock:
                    self._refusals[host] = (now + CACHE_SECONDS, refusal)
                raise refusal
        address = found[0]
        with self._lock:
            self._cache[host] = (now + CACHE_SECONDS, address)
        return address

    def refusal_for(self, host: str) -> Refused | None:
        """The refusal of ``host`` by a recent resolution, if any (a Twisted endpoint
        reports a failed resolution only as "no results": this says why)."""
        with self._lock:
            found = self._refusals.get(host.lower().strip("[]"))
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]


@implementer(IResolverSimple)
class PinningResolver:
    """Scrapy's ``TWISTED_DNS_RESOLVER``: answers with the checked address only (the
    downloader connects to what the resolver answered: the address is pinned)."""

    def __init__(self, reactor: Any, checked: CheckedResolver, timeout: float) -> None:
        self.reactor = reactor
        self.checked = checked
        self.timeout = timeout

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> Self:
        from crawler.config import CrawlConfig

        table = CrawlConfig.of(crawler).test_dns_table
        return cls(reactor, shared_resolver(table), crawler.settings.getfloat("DNS_TIMEOUT", 60))

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout: Any = ()) -> defer.Deferred[str]:
        if is_ip_literal(name):
            return defer.succeed(name.strip("[]"))
        d = threads.deferToThreadPool(
            self.reactor, self.reactor.getThreadPool(), self.checked.checked_address, name
        )

        def translate(failure: Any) -> Any:
            if failure.check(Refused):
                return failure
            from twisted.internet.error import DNSLookupError

            raise DNSLookupError(f"{name}: {failure.getErrorMessage()}")

        d.addErrback(translate)
        return d


_shared: dict[str, CheckedResolver] = {}


def shared_resolver(table: dict[str, Any] | None = None) -> CheckedResolver:
    """The crawl process's CheckedResolver (the downloader's and the browser proxy's)."""
    if "resolver" not in _shared:
        _shared["resolver"] = CheckedResolver(table)
    return _shared["resolver"]
