"""The crawler end to end on the bundled sample web: every report found, nothing else,
failures recorded per site and URL, and a second crawl that costs a fraction."""

from __future__ import annotations

from pathlib import Path

import pytest

import sampleweb
from crawler.links import canonical_url
from crawler.run import crawl
from registry.loader import parse_yaml
from storage.archive import Archive

FAST = {
    "DOWNLOAD_TIMEOUT": 2,
    "NIANBAO_RETRY_BACKOFF": 0.05,
    "NIANBAO_WAF_BROWSER_TIMEOUT": 2.0,
    "NIANBAO_PROGRESS": False,
}


@pytest.fixture(scope="module")
def web():
    with sampleweb.SampleWeb(state="before", port=0, stall_seconds=3.0) as w:
        yield w


def _archive(tmp_path: Path, web) -> Archive:
    archive = Archive(f"sqlite:///{tmp_path}/a.sqlite3", data_dir=tmp_path / "data")
    archive.import_registry(parse_yaml(web.registry_yaml()))
    return archive


def _fetched(web) -> set[str]:
    base = {s["id"]: s["base_url"] for s in web.sites}
    return {f"{m} {canonical_url(base[site] + target)}" for site, m, target in web.requests()}


@pytest.mark.browser
def test_first_crawl_finds_every_report_and_nothing_else(tmp_path: Path, web) -> None:
    archive = _archive(tmp_path, web)
    web.clear_requests()
    summary = crawl(archive, settings_overrides=FAST)
    truth = web.truth()
    fetched = _fetched(web)

    known = {
        canonical_url(d.url): d for site in summary.sites for d in archive.known_documents(site)
    }
    want = {canonical_url(u) for r in truth.expected_reports for u in r.urls}
    assert want <= set(known), f"missing: {sorted(want - set(known))}"
    # precision: archived documents are reports and their files only
    assert set(known) <= want, f"not reports: {sorted(set(known) - want)}"
    for decoy in truth.decoys:
        assert f"GET {canonical_url(decoy)}" not in fetched, decoy
    for report in truth.robots_forbidden:
        assert not any(f"GET {canonical_url(u)}" in fetched for u in report.urls)

    # report titles and attachment names without mojibake (the TRS site is GBK)
    titles = {
        canonical_url(r.page_url or r.attachments[0].url): r.title for r in truth.expected_reports
    }
    for url, title in titles.items():
        assert known[url].title == title, (url, known[url].title)

    failures = archive.failures(run_id=summary.run_id)
    kinds = {(f["site_id"], f["kind"]) for f in failures}
    assert ("langao-gov", "robots") in kinds
    assert ("xingyang-gov", "blocked") in kinds
    assert summary.sites["xingyang-gov"].blocked
    assert summary.sites["xingyang-gov"].outcome == "blocked"
    for site in ("ninghai-gov", "langao-gov", "jianzha-gov", "haiwan-gov"):
        figures = summary.sites[site]
        assert figures.reports_found == len([r for r in truth.expected_reports if r.site == site])
        assert figures.pages > 0 and figures.bytes > 0

    # the run's figures are stored
    [run] = [r for r in archive.runs() if r["run_id"] == summary.run_id]
    assert {s["site_id"] for s in run["sites"]} == set(summary.sites)
    assert run["stats"]["new_versions"] == sum(f.new_versions for f in summary.sites.values()) > 0

    # cost: close to the minimum set of fetches
    minimum = {
        f"{m.split(' ', 1)[0]} {canonical_url(m.split(' ', 1)[1])}" for m in truth.min_fetches
    }
    assert len(fetched) <= 1.3 * len(minimum), sorted(fetched - minimum)

    # second crawl of the unchanged web: no new version, a fraction of the bytes
    web.clear_requests()
    second = crawl(archive, settings_overrides=FAST)
    assert sum(f.new_versions for f in second.sites.values()) == 0
    first_bytes = sum(f.bytes for f in summary.sites.values())
    second_bytes = sum(f.bytes for f in second.sites.values())
    assert second_bytes <= 0.1 * first_bytes, (second_bytes, first_bytes)
    archive.close()


def test_reverify_every_crawl_uses_conditional_requests(tmp_path: Path, web) -> None:
    archive = _archive(tmp_path, web)
    settings = {**FAST, "NIANBAO_REVERIFY_DAYS": 0}
    first = crawl(archive, ["ninghai-gov"], settings_overrides=settings)
    web.clear_requests()
    second = crawl(archive, ["ninghai-gov"], settings_overrides=settings)
    assert second.sites["ninghai-gov"].new_versions == 0
    # every attachment and every report page was asked for again with validators and
    # answered 304 (a page's attachment links are read from its archived copy)
    reports = [r for r in web.truth().expected_reports if r.site == "ninghai-gov"]
    conditional = sum(len(r.attachments) + (1 if r.page_url else 0) for r in reports)
    assert conditional > 0
    assert second.stats.get("nianbao/ninghai-gov/conditional_requests") == conditional
    assert second.stats.get("nianbao/ninghai-gov/not_modified") == conditional
    assert second.sites["ninghai-gov"].reports_found == len(reports)
    # the listings are read in full, the report pages and files are not
    assert second.sites["ninghai-gov"].bytes < 0.35 * first.sites["ninghai-gov"].bytes
    archive.close()


def test_unknown_site_is_refused_before_anything_is_fetched(tmp_path: Path, web) -> None:
    archive = _archive(tmp_path, web)
    web.clear_requests()
    with pytest.raises(KeyError, match="no-such-site"):
        crawl(archive, ["no-such-site"], settings_overrides=FAST)
    assert web.requests() == []
    archive.close()


def test_later_crawl_sees_moved_and_new_reports(tmp_path: Path) -> None:
    site = "jianzha-gov"
    with sampleweb.SampleWeb(state="before", port=0, stall_seconds=3.0) as web:
        archive = _archive(tmp_path, web)
        crawl(archive, [site], settings_overrides=FAST)
        web.set_state("after")
        crawl(archive, [site], settings_overrides={**FAST, "NIANBAO_REVERIFY_DAYS": 0})
        docs = {canonical_url(d.url): d for d in archive.known_documents(site)}
        after = web.truth("after")
        for report in after.expected_reports:
            if report.site == site:
                for url in report.urls:
                    assert docs[canonical_url(url)].status == "present", url
        moved = [
            c
            for c in after.changes
            if c.kind == "moved" and c.url.startswith(web.sites[3]["base_url"])
        ]
        assert moved
        for change in moved:
            assert change.old_url is not None
            assert docs[canonical_url(change.old_url)].status == "vanished"
        archive.close()
