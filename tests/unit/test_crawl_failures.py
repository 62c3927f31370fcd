"""What a failed request is recorded as (crawler.failures.classify)."""

from __future__ import annotations

from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TimeoutError

from crawler.failures import DETAIL_LENGTH, classify
from crawler.refusals import Refused
from storage.vocab import FailureKind


def test_kinds() -> None:
    response = Response("http://www.x.gov.cn/a", status=503)
    found = classify(HttpError(response, "bad"))
    assert found is not None and (found.kind, found.detail, found.status) == (
        "http_status",
        "HTTP 503",
        503,
    )
    assert kind_of(TimeoutError()) == "timeout"  # type: ignore[no-untyped-call]  # twisted's errors are unannotated
    assert kind_of(DNSLookupError("no.such")) == "dns"
    refused = classify(ConnectionRefusedError())  # type: ignore[no-untyped-call]  # twisted's errors are unannotated
    assert refused is not None and refused.kind == "connection"
    assert refused.detail.startswith("ConnectionRefusedError: ")
    assert kind_of(ValueError("Forbidden by robots.txt")) == "robots"
    assert kind_of(RuntimeError("odd")) == "connection"


def kind_of(error: BaseException) -> str | None:
    found = classify(error)
    return None if found is None else found.kind


def test_refusals() -> None:
    assert classify(Refused(None, "already recorded")) is None
    found = classify(Refused(FailureKind.OFFSITE, "x.com is not a host of site a"))
    assert found is not None and (found.kind, found.detail) == (
        "offsite",
        "x.com is not a host of site a",
    )


def test_a_failed_browser_retry_of_a_challenge_blocks_the_site() -> None:
    found = classify(TimeoutError(), waf_retry=True)  # type: ignore[no-untyped-call]  # twisted's errors are unannotated
    assert found is not None and found.kind == "blocked" and found.blocks_site
    assert found.detail.startswith("JavaScript challenge not passed in the browser")
    http = classify(HttpError(Response("http://x/", status=404), "x"), waf_retry=True)
    assert http is not None and http.kind == "http_status" and not http.blocks_site


def test_detail_is_cut() -> None:
    found = classify(RuntimeError("x" * 2000))
    assert found is not None and len(found.detail) == DETAIL_LENGTH
