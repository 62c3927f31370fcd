"""The request hint: one JSON-able dict under one meta key, read back as it was written,
through a shared scheduler's serialisation too (scrapy-redis: Request.to_dict, the
queue's serializer, request_from_dict)."""

from __future__ import annotations

import json
import subprocess

from paths import REPO
from scrapy import Request
from scrapy.utils.request import request_from_dict
from scrapy_redis import picklecompat

from crawler.adapters.types import ListingFetch, ListingFormat
from crawler.hints import HINT_KEY, Hint, RequestRole
from crawler.spiders.reports import ReportsSpider

FETCH = ListingFetch(
    url="http://www.x.gov.cn/api/list?page=2",
    format=ListingFormat.JSON,
    method="POST",
    body="page=2",
    headers={"Referer": "http://www.x.gov.cn/col/"},
    adapter="jsonapi",
    expected_records=41,
    label="政府信息公开年报",
    listing_key="POST http://www.x.gov.cn/api/list",
    page_number=2,
)
FULL = Hint(
    site="x-gov",
    role=RequestRole.LISTING,
    depth=3,
    token=17,
    start=True,
    score=0.75,
    trail=("www.x.gov.cn/", "www.x.gov.cn/col/"),
    title="2023年政府信息公开工作年度报告",
    year=2023,
    agency="某某区人民政府",
    published="2024-01-20",
    parent="http://www.x.gov.cn/col/",
    link_text="附件.pdf",
    maybe_report=True,
    bare=True,
    unlisted=True,
    only_new=True,
    unconditional=True,
    format=ListingFormat.JSON,
    listing_key=FETCH.listing_key,
    expected_records=41,
    fetch=FETCH,
    empty_streak=1,
    rendered=True,
    rendering=True,
    waf_retry=True,
    budgeted=True,
    backoff=1.5,
    archived_copy=12,
    not_modified=[["ETag", '"a1"'], ["Date", "Mon, 07 Dec 2026 13:00:00 GMT"]],
    decide_by_content=True,
)


def test_every_field_round_trips_through_json() -> None:
    data = json.loads(json.dumps(FULL.to_dict()))
    assert Hint.from_dict(data) == FULL
    assert Hint.from_dict(data).page_number == 2
    assert Hint.of(Request("http://www.x.gov.cn/", meta=FULL.meta())) == FULL


def test_defaults_are_not_written() -> None:
    assert Hint().to_dict() == {}
    assert Hint(site="x-gov", depth=1).meta() == {HINT_KEY: {"site": "x-gov", "depth": 1}}
    assert Hint.of(Request("http://www.x.gov.cn/robots.txt")) == Hint()
    assert Hint.of(Request("http://www.x.gov.cn/robots.txt")).site is None


def test_roles_and_evidence() -> None:
    assert Hint.from_dict({"role": "attachment"}).role is RequestRole.ATTACHMENT
    assert RequestRole.REPORT.evidence is not None and RequestRole.REPORT.evidence == "report"
    assert RequestRole.PAGE.evidence == "page" and RequestRole.SCRIPT.evidence is None
    assert {r for r in RequestRole if r.leads} == {
        RequestRole.PAGE,
        RequestRole.LISTING,
        RequestRole.SCRIPT,
    }


def test_a_copied_request_does_not_share_its_hint() -> None:
    """Retries and redirects copy meta shallowly: a hint written to the copy leaves the
    original's alone."""
    original = Request("http://www.x.gov.cn/a", meta=Hint(site="x-gov").meta())
    retry = original.copy()
    Hint.update(retry, backoff=2.0, budgeted=True)
    assert Hint.of(retry).backoff == 2.0 and Hint.of(retry).budgeted
    assert Hint.of(original) == Hint(site="x-gov")


def test_unknown_keys_are_kept() -> None:
    """A hint written by a newer worker of a shared crawl keeps what this one does not read."""
    hint = Hint.from_dict({"site": "x-gov", "future": [1, 2]})
    assert hint.site == "x-gov"
    assert hint.replace(depth=2).to_dict() == {"future": [1, 2], "site": "x-gov", "depth": 2}


def test_through_scrapy_redis_serialisation() -> None:
    """The spider's requests as a shared queue keeps them: Request.to_dict (callbacks by
    name), scrapy-redis's serializer, request_from_dict on another worker's spider."""
    spider = ReportsSpider()
    request = Request(
        FETCH.url,
        method="POST",
        body=FETCH.body,
        callback=spider.parse_json,
        errback=spider.on_error,
        meta={**FULL.meta(), "handle_httpstatus_list": [304, 404, 410]},
        priority=200,
    )
    data = request.to_dict(spider=spider)  # scrapy-redis's queue encodes so
    json.dumps(data["meta"])  # meta is JSON-able
    assert data["callback"] == "parse_json" and data["errback"] == "on_error"
    other = ReportsSpider()
    back = request_from_dict(picklecompat.loads(picklecompat.dumps(data)), spider=other)
    assert Hint.of(back) == FULL
    assert back.callback == other.parse_json
    back_json = request_from_dict(
        {**data, "meta": json.loads(json.dumps(data["meta"]))}, spider=other
    )
    assert Hint.of(back_json) == FULL


def test_no_meta_strings_left_in_the_crawler() -> None:
    found = subprocess.run(
        ["grep", "-rn", '"nb_', str(REPO / "crawler")], capture_output=True, text=True
    )
    assert found.stdout == ""
