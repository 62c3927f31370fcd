"""robots.txt read through the site's JavaScript challenge.

Scrapy's RobotsTxtMiddleware asks for a host's robots.txt as a request of no site and
parses whatever comes back. A site whose robots.txt sits behind its anti-bot layer (瑞数
412, 加速乐 521) answers with a challenge page, which parses as "allow everything": the
crawl would then walk paths the site forbids once the browser has passed the challenge for
its pages. Here a challenged robots.txt is asked for again as a request of the site that
wanted it, so the WAF middleware passes the challenge in the site's browser context and
hands back the file itself (its plain refetch, with the browser's cookies). If the browser
is challenged too, the site is recorded blocked and its requests are dropped.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK

from crawler.hints import Hint
from crawler.middlewares.site import site_state
from crawler.middlewares.waf import is_challenge
from crawler.refusals import Refused


class ChallengedRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def readable(self, response: Response, request: Request) -> Response:
        """The robots.txt answer itself: a challenge answer is asked for again through the
        site's challenge handling (``request`` is the site's request that needed it)."""
        site = Hint.of(request).site
        if site is None or not is_challenge(response):
            return response
        again = Request(
            response.url,
            priority=self.DOWNLOAD_PRIORITY,
            meta={"dont_obey_robotstxt": True, **Hint(site=site).meta()},
            callback=NO_CALLBACK,
            dont_filter=True,
        )
        self.crawler.stats.inc_value("nianbao/robots/challenged")
        engine: Any = self.crawler.engine
        try:
            passed: Response = await engine.download_async(again)
        except Refused as refused:
            # blocked (the browser was challenged too): the site's next request records it
            state = site_state(self.crawler, again)
            if state is not None and refused.kind is not None:
                state.unrecorded_block = Refused(
                    refused.kind, f"{refused.detail}, at {response.url}", refused.status
                )
            raise
        return passed

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        await super()._parse_robots(await self.readable(response, request), netloc, request)
