"""WAF JavaScript cookie challenges (瑞数 / Rivers Security answers 412, 加速乐 / Knownsec
answers 521, each with a script that sets a cookie and reloads).

A challenged page is retried once in the real browser (scrapy-playwright) unless the site
renders `never` or rendering is off. The browser waits until the page is no longer a
challenge (`settle_past_challenge`: stacked layers, a 412 then a 521 that answers twice,
reload into each other), at most NIANBAO_WAF_CHALLENGE_WAIT seconds. A robots.txt behind
the layer is read through it the same way (crawler/middlewares/robots.py). When the
browser passes, the cookies it was given are
kept for the site, the page itself is asked for again with them (its archived copy is the
server's bytes, not the browser's DOM, whose text the browser decoded by its own guess when
the page declares no charset), and they are sent with the site's further plain requests (documents and pages alike do
not each need the browser: a cookie that expires brings the challenge, and the browser,
back); if the browser is challenged too, the site is
recorded as `blocked` and its remaining requests are dropped. A browser retry that fails
outright (a challenge that reloads forever never settles) counts as challenged too; the
spider's errback records it. Challenges are never
solved by the crawler itself.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Self

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy_playwright.page import PageMethod

from crawler.config import CrawlConfig
from crawler.hints import Hint
from crawler.middlewares.site import site_state
from crawler.refusals import Refused
from storage.vocab import FailureKind

CHALLENGE_STATUSES = frozenset({412, 521})
_CHALLENGE = re.compile(
    rb"document\.cookie|\$_ts|__jsl_clearance|_0x[0-9a-f]{4}|jsl_|location\.(reload|href)|eval\(",
    re.IGNORECASE,
)


_LINK = re.compile(rb"<a\s[^>]*href\s*=\s*[\"']?(?!javascript:|#)[^\s\"'>]", re.I)
_PAGE_LINKS = 3
_SCRIPT_OR_TAG = re.compile(rb"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S | re.I)


def is_challenge(response: Response) -> bool:
    """A challenge answer: the status, a script that sets a cookie or reloads, and next to
    nothing else (a rendered page keeps its first navigation's status, and ordinary pages
    have scripts that touch `location`; what they have besides is content)."""
    if response.status not in CHALLENGE_STATUSES:
        return False
    return looks_like_challenge(response.body)


def visible_bytes(body: bytes) -> bytes:
    """What a page shows as text: its body without scripts, styles, tags and blanks."""
    return b"".join(_SCRIPT_OR_TAG.sub(b" ", body).split())


def is_browser_error_page(response: Response) -> bool:
    """Chromium's own error page (an aborted or failed navigation), not the site's."""
    head = response.body[:200_000]
    return b"neterror" in head or b"chrome-error://" in head or b"main-frame-error" in head


class WafMiddleware:
    def __init__(self, crawler: Any) -> None:
        config = CrawlConfig.of(crawler)
        if not config.waf_detect:
            raise NotConfigured
        self.crawler = crawler
        self.render_enabled = config.render_enabled
        self.browser_timeout_ms = int(config.waf_browser_timeout * 1000)
        self.challenge_wait_ms = int(config.waf_challenge_wait * 1000)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        """Plain requests of a site whose challenge the browser passed carry its cookies."""
        state = site_state(self.crawler, request)
        if state is None or request.meta.get("playwright") or not state.waf_cookies:
            return None
        # merged into the cookie jar by the cookies middleware, beside those the server set
        request.cookies = {**state.waf_cookies, **(request.cookies or {})}  # type: ignore[dict-item]
        return None

    def process_response(self, request: Request, response: Response) -> Request | Response:
        state = site_state(self.crawler, request)
        if state is not None and Hint.of(request).waf_retry and not is_challenge(response):
            state.waf_cookies.update(_browser_cookies(request))
        if state is None:
            return response
        browser_gave_up = Hint.of(request).waf_retry and is_browser_error_page(response)
        if not is_challenge(response) and not browser_gave_up:
            if Hint.of(request).waf_retry and response.status in CHALLENGE_STATUSES:
                # The browser passed the challenge: the navigation's first answer was the
                # challenge status, the page it ended on is the content.
                self.crawler.stats.inc_value(f"nianbao/{state.id}/waf_passed")
                hint = Hint.of(request)
                if state.waf_cookies and not hint.rendered and state.site.render != "always":
                    # the page again, plainly, with the cookies the browser was given: the
                    # server's own bytes are the evidence, and the browser's DOM of a page
                    # that declares no charset holds text decoded by the browser's guess
                    return request.replace(meta=_plain(request.meta), dont_filter=True)
                return response.replace(status=200)
            return response
        stats = self.crawler.stats
        stats.inc_value(f"nianbao/{state.id}/waf_challenges")
        can_render = self.render_enabled and state.site.render != "never"
        if can_render and not Hint.of(request).waf_retry:
            meta = dict(request.meta)
            meta.update(Hint.of(request).replace(waf_retry=True).meta())
            meta.update(
                {
                    "playwright": True,
                    "playwright_page_goto_kwargs": {
                        "wait_until": "domcontentloaded",
                        "timeout": self.browser_timeout_ms,
                    },
                    "playwright_page_methods": [
                        PageMethod(settle_past_challenge, self.challenge_wait_ms),
                    ],
                }
            )
            return request.replace(meta=meta, dont_filter=True)
        state.blocked = True
        stats.set_value(f"nianbao/{state.id}/blocked", True)
        raise Refused(
            FailureKind.BLOCKED,
            f"HTTP {response.status} JavaScript cookie challenge"
            + (" (also in the browser)" if Hint.of(request).waf_retry else ""),
            response.status,
        )


_BROWSER_META = ("playwright", "playwright_page_goto_kwargs", "playwright_page_methods")


def _plain(meta: dict[str, Any]) -> dict[str, Any]:
    """A request's meta without what sends it to the browser."""
    out = {k: v for k, v in meta.items() if k not in _BROWSER_META}
    for key in ("download_slot", "download_latency", "depth", "retry_times"):
        out.pop(key, None)
    return out


_POLL_MS = 200


async def settle_past_challenge(page: Any, wait_ms: int) -> str:
    """Wait (at most ``wait_ms``) until the page is no longer a challenge, however many
    layers reload into each other (a 瑞数 412 in front of a 加速乐 521 that answers twice),
    then give the browser's cookies for the page (``name=value; …``, HttpOnly ones too).

    A page method of scrapy-playwright (module level, so a request that carries it still
    pickles into a shared queue)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_ms / 1000
    while True:
        await asyncio.sleep(_POLL_MS / 1000)
        try:
            await page.wait_for_load_state("domcontentloaded")
            html = await page.content()
        except Exception:  # navigating: the document changes under us; look again
            html = None
        if html is not None and _settled(html.encode("utf-8", "replace")):
            break
        if loop.time() >= deadline:
            break
    try:
        jar = await page.context.cookies([page.url])
    except Exception:  # the page closed or never settled: no cookies to keep
        return ""
    return "; ".join(f"{c['name']}={c['value']}" for c in jar if c.get("name"))


def _settled(body: bytes) -> bool:
    """Neither a challenge nor the blank document a navigation shows before its answer."""
    if looks_like_challenge(body):
        return False
    return b"<script" in body[:65536].lower() or bool(visible_bytes(body[:65536]))


def looks_like_challenge(body: bytes) -> bool:
    """A document that is a challenge script and next to nothing else: little text and
    no links (a small navigation page whose script sets `location.href` has its menu)."""
    head = body[:65536]
    if b"<script" not in head.lower() or not _CHALLENGE.search(head):
        return False
    return len(visible_bytes(head)) < 400 and len(_LINK.findall(head)) < _PAGE_LINKS


def _browser_cookies(request: Request) -> dict[str, str]:
    """The cookies the browser held for the page once the challenge settled (the
    result of the last page method, :func:`settle_past_challenge`)."""
    methods = request.meta.get("playwright_page_methods") or []
    jar = getattr(methods[-1], "result", None) if methods else None
    if not isinstance(jar, str):
        return {}
    out: dict[str, str] = {}
    for part in jar.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            out[name] = value
    return out


def block_site(crawler: Any, request: Request) -> bool:
    """Mark the request's site blocked; True when it belonged to a site."""
    state = site_state(crawler, request)
    if state is None:
        return False
    state.blocked = True
    crawler.stats.set_value(f"nianbao/{state.id}/blocked", True)
    return True
