"""What the browser may load when a page is rendered (scrapy-playwright's
PLAYWRIGHT_ABORT_REQUEST): no images, media or fonts, and no endless reloads.

A JavaScript challenge that never accepts reloads its page forever; the browser is allowed
NIANBAO_RENDER_MAX_RELOADS navigations to one URL per crawl process, then the page is
abandoned (and the site recorded blocked by the WAF logic).

What the browser may reach at all is decided by the network, not here: each site's
pages are rendered behind its filtering proxy (crawler/browser_proxy.py,
crawler/middlewares/browser.py).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

CHROMIUM_LAUNCH_OPTIONS: dict[str, Any] = {
    "executable_path": "/usr/bin/chromium",  # Debian's: Playwright cannot download one here
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ],
}
"""How Debian's Chromium is started headless on this kind of machine (no background
connections to Google's services, which a closed network refuses). The crawler adds its
proxy confinement (``crawler.settings.PLAYWRIGHT_LAUNCH_OPTIONS``); the reading room's
browser tests and screenshots use these as they are."""

SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
_navigations: Counter[str] = Counter()
_limits = {"max_reloads": 6}


def configure(max_reloads: int) -> None:
    """Set from the crawl's NIANBAO_RENDER_MAX_RELOADS (the spider does, when it opens)."""
    if max_reloads < 1:
        raise ValueError(f"NIANBAO_RENDER_MAX_RELOADS must be at least 1, got {max_reloads}")
    _limits["max_reloads"] = max_reloads


def max_reloads() -> int:
    return _limits["max_reloads"]


def abort_request(request: Any) -> bool:
    """True: the browser must not load this request."""
    if request.resource_type in SKIPPED_RESOURCES:
        return True
    if request.resource_type == "document" and request.is_navigation_request():
        _navigations[request.url] += 1
        return _navigations[request.url] > max_reloads()
    return False
