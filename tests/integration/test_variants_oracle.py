"""The oracle walks every generated site along its truth's own steps with plain urllib,
executing nothing: each answer has the status and type the truth says and contains what
leads on, every expected report document is fetched, and every look-alike is served."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from sampleweb.variants import Family, StepKind, VariantWeb
from sampleweb.variants.oracle import walk_site

ORACLE_SEEDS = (0, 1)


@pytest.mark.parametrize("seed", ORACLE_SEEDS)
def test_oracle_walks_every_site_of_the_web(seed: int) -> None:
    with VariantWeb(seed, 40, stall_seconds=1.2) as web:
        truth = web.truth()
        web.clear_requests()
        with ThreadPoolExecutor(max_workers=16) as pool:
            walks = list(pool.map(lambda site: walk_site(site, timeout=0.8), truth.sites))
        problems = [p for w in walks for p in w.problems]
        assert problems == []
        fetched = {d for w in walks for d in w.fetched_docs}
        assert fetched == {d.url for r in truth.expected_reports for d in r.documents}
        received = web.requests()
    # the servers saw every step of the path (and, for flaky sites, the retries too)
    keys = {f"{m} {u}" for _site, m, u in received}
    assert set(truth.min_fetches) <= keys
    flaky = [s for s in truth.sites if s.flaky]
    if flaky:
        attempts = sum(w.requests for w, s in zip(walks, truth.sites, strict=True) if s.flaky)
        steps = sum(len(s.steps) + len(s.decoys) for s in flaky)
        assert attempts > steps  # some first attempts failed and were retried


def test_oracle_notices_a_wrong_truth() -> None:
    """The oracle can fail: a step pointing at a missing page or a wrong revealed link."""
    from dataclasses import replace

    with VariantWeb(4, 3, families=[Family.TRS]) as web:
        site = web.truth().sites[0]
        listing = next(i for i, s in enumerate(site.steps) if s.kind == StepKind.LISTING)
        broken = list(site.steps)
        broken[listing] = replace(
            broken[listing], reveals=(*broken[listing].reveals, "t20990101_1.html")
        )
        site.steps = broken
        walk = walk_site(site)
        assert any("t20990101_1.html" in p for p in walk.problems)
        wrong = replace(broken[listing], url=broken[listing].url.replace("index", "indx"))
        site.steps = [*broken, wrong]
        assert any(wrong.url in p for p in walk_site(site).problems)
