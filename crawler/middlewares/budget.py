"""A page budget per site: beyond NIANBAO_PAGE_BUDGET page requests (attachments not
counted), a site's further pages are dropped and one `budget` failure is recorded."""

from __future__ import annotations

from typing import Any, Self

from scrapy import Request
from scrapy.exceptions import NotConfigured

from crawler.config import CrawlConfig
from crawler.hints import Hint, RequestRole
from crawler.middlewares.site import site_state
from crawler.refusals import Refused
from storage.vocab import FailureKind


class BudgetMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.budget = CrawlConfig.of(crawler).page_budget
        if self.budget <= 0:
            raise NotConfigured
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        state = site_state(self.crawler, request)
        hint = Hint.of(request)
        if state is None or hint.role == RequestRole.ATTACHMENT:
            return None
        if request.meta.get("retry_times") or request.meta.get("redirect_times"):
            return None
        if hint.budgeted:
            return None
        if state.pages_scheduled >= self.budget:
            self.crawler.stats.inc_value(f"nianbao/{state.id}/over_budget")
            if state.budget_exhausted:
                raise Refused(None, "page budget exhausted")
            state.budget_exhausted = True
            raise Refused(
                FailureKind.BUDGET,
                f"page budget of {self.budget} pages exhausted for site {state.id}",
            )
        state.pages_scheduled += 1
        hint.replace(budgeted=True).store(request)
        return None
