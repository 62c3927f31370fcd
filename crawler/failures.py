"""What a failed request is recorded as: its failure kind (storage.vocab.FailureKind),
detail and HTTP status, from the exception an errback receives."""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.refusals import Refused
from storage.vocab import FailureKind

DETAIL_LENGTH = 500


@dataclass(frozen=True)
class Classified:
    kind: FailureKind
    detail: str
    status: int | None = None
    blocks_site: bool = False
    """a browser retry of a WAF challenge that failed: the site counts as blocked"""


def classify(error: BaseException, *, waf_retry: bool = False) -> Classified | None:
    """The failure a request's error is recorded as; None when it is not recorded (a
    refusal already recorded, or one that records nothing: a blocked site's later
    requests, a budget already exhausted). ``waf_retry``: the request was the browser
    retry of a WAF-challenged page."""
    status: int | None = None
    if waf_retry and not isinstance(error, Refused | HttpError):
        return _cut(
            Classified(
                FailureKind.BLOCKED,
                f"JavaScript challenge not passed in the browser: {error}",
                blocks_site=True,
            )
        )
    if isinstance(error, Refused):
        if error.kind is None:
            return None
        return _cut(Classified(error.kind, error.detail, error.status))
    if isinstance(error, HttpError):
        status = error.response.status
        kind, detail = FailureKind.HTTP_STATUS, f"HTTP {status}"
    elif "robots.txt" in str(error):
        kind, detail = FailureKind.ROBOTS, "forbidden by robots.txt"
    elif isinstance(error, TimeoutError | TCPTimedOutError) or "Timeout" in type(error).__name__:
        kind, detail = FailureKind.TIMEOUT, str(error) or "timed out"
    elif isinstance(error, DNSLookupError):
        kind, detail = FailureKind.DNS, str(error)
    elif isinstance(
        error, ConnectionRefusedError | ConnectionLost | ResponseFailed | ResponseNeverReceived
    ):
        kind, detail = FailureKind.CONNECTION, f"{type(error).__name__}: {error}"
    else:
        kind, detail = FailureKind.CONNECTION, f"{type(error).__name__}: {error}"
    return _cut(Classified(kind, detail, status))


def _cut(found: Classified) -> Classified:
    if len(found.detail) <= DETAIL_LENGTH:
        return found
    return Classified(found.kind, found.detail[:DETAIL_LENGTH], found.status, found.blocks_site)
