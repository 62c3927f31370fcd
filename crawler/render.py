"""What the browser may load when a page is rendered (scrapy-playwright's
PLAYWRIGHT_ABORT_REQUEST): no images, media or fonts, and no endless reloads.

A JavaScript challenge that never accepts reloads its page forever; the browser is allowed
NIANBAO_RENDER_MAX_RELOADS navigations to one URL per crawl process, then the page is
abandoned (and the site recorded blocked by the WAF logic).
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
_navigations: Counter[str] = Counter()


def max_reloads() -> int:
    return int(os.environ.get("NIANBAO_RENDER_MAX_RELOADS", "3"))


def abort_request(request: Any) -> bool:
    """True: the browser must not load this request."""
    if request.resource_type in SKIPPED_RESOURCES:
        return True
    if request.resource_type == "document" and request.is_navigation_request():
        _navigations[request.url] += 1
        return _navigations[request.url] > max_reloads()
    return False
