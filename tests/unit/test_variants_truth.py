"""The variant web generator: determinism, size, dialect coverage, and a truth that agrees
with itself and with the registry (no HTTP here; test_variants_oracle.py walks it)."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

from registry.loader import parse_yaml
from sampleweb.variants import Family, Role, StepKind, VariantWeb, WebTruth
from sampleweb.variants.families import FAMILIES
from sampleweb.variants.kit import COMMON_KNOBS
from sampleweb.variants.web import plan_families, truth_json
from storage.archive import Archive

# generation only (no serving): these seeds together draw every family and every knob value
COVERAGE_SEEDS = range(8)


def built(seed: int | None, n_sites: int = 40, **kwargs: object) -> VariantWeb:
    if seed is not None and not kwargs:
        return _built(seed, n_sites)
    web = VariantWeb(seed, n_sites, **kwargs)  # type: ignore[arg-type]
    web.stop()  # bound, never started: nothing is served
    return web


@cache
def _built(seed: int, n_sites: int) -> VariantWeb:
    web = VariantWeb(seed, n_sites)
    web.stop()
    return web


def normalised(web: VariantWeb) -> str:
    """The truth as JSON with every address replaced by the site's role (ports differ)."""
    text = truth_json(web.truth())
    for built_site in web.built:
        for role, base in built_site.kit.bases.items():
            text = text.replace(base, f"<{built_site.kit.id}:{role}>")
    return text


def test_same_seed_same_web_other_seed_other_web() -> None:
    a, b, c = VariantWeb(11, 12), VariantWeb(11, 12), VariantWeb(12, 12)
    for web in (a, b, c):
        web.stop()
    assert normalised(a) == normalised(b)
    assert [s["family"] for s in a.sites] == [s["family"] for s in b.sites]
    assert normalised(a) != normalised(c)
    assert plan_families(11, 40) == plan_families(11, 40)
    fresh = built(None, 2)
    assert isinstance(fresh.seed, int)


def test_default_web_has_forty_sites_of_every_family() -> None:
    web = built(3)
    truth = web.truth()
    assert len(truth.sites) >= 40
    families = {s.family for s in truth.sites}
    assert len(families) >= 8
    assert families == set(Family)
    per_site = [len(s.reports) for s in truth.sites]
    assert min(per_site) >= 1 and max(per_site) <= 16
    assert all(2014 <= r.year <= 2025 for r in truth.reports)
    assert len({s.base_url for s in truth.sites}) == len(truth.sites)
    assert all(re.match(r"http://127\.0\.\d+\.\d+:\d+$", s.base_url) for s in truth.sites)


def test_families_can_be_chosen() -> None:
    web = built(5, 6, families=[Family.GKMLPT, Family.TRS])
    assert {s.family for s in web.truth().sites} == {Family.GKMLPT, Family.TRS}
    with pytest.raises(ValueError):
        plan_families(1, 3, ["nope"])  # type: ignore[list-item]


def test_every_family_and_every_knob_value_is_drawn_across_the_fixed_seeds() -> None:
    common: dict[str, set[str]] = defaultdict(set)
    own: dict[tuple[Family, str], set[str]] = defaultdict(set)
    for seed in COVERAGE_SEEDS:
        for site in built(seed).truth().sites:
            for knob, value in site.dialect.items():
                assert value in {**COMMON_KNOBS, **FAMILIES[site.family].knobs}[knob]
                if knob in COMMON_KNOBS:
                    common[knob].add(value)
                own[(site.family, knob)].add(value)
    missing = [(k, v) for k, vals in COMMON_KNOBS.items() for v in vals if v not in common[k]]
    for family, spec in FAMILIES.items():
        missing += [
            (f"{family}.{k}", v)
            for k, vals in spec.own_knobs.items()
            for v in vals
            if v not in own[(family, k)]
        ]
    assert not missing


def _truth_problems(truth: WebTruth) -> list[str]:
    problems: list[str] = []
    for site in truth.sites:
        keys = [s.key for s in site.steps]
        doc_steps = {s.doc for s in site.steps if s.kind == StepKind.REPORT}
        expected_docs = {d.url for d in site.expected_documents}
        if expected_docs - doc_steps:
            problems.append(f"{site.site}: documents without a step {expected_docs - doc_steps}")
        if doc_steps - expected_docs:
            problems.append(
                f"{site.site}: steps to documents no report has {doc_steps - expected_docs}"
            )
        if not site.steps or site.steps[0].kind != StepKind.ROBOTS:
            problems.append(f"{site.site}: the path does not start with robots.txt")
        decoy_urls = {d.url for d in site.decoys} | {u for d in site.decoys for u in d.files}
        report_urls = {u for r in site.reports for d in r.documents for u in d.urls}
        if decoy_urls & report_urls:
            problems.append(
                f"{site.site}: a look-alike is also a report {decoy_urls & report_urls}"
            )
        if any(not k.split(" ", 1)[1].startswith("http://127.") for k in keys):
            problems.append(f"{site.site}: a step leaves the loopback web")
        for r in site.reports:
            if r.expected != bool(r.documents):
                problems.append(
                    f"{site.site}: {r.title} expected={r.expected} with {len(r.documents)} documents"
                )
            if any(d.role == Role.PAGE and d.media_type != "text/html" for d in r.documents):
                problems.append(f"{site.site}: {r.title} has a page that is not HTML")
        withheld = {d.url for r in site.reports for d in r.withheld}
        if withheld & {s.url for s in site.steps}:
            problems.append(f"{site.site}: the path fetches a robots-forbidden document")
    return problems


@pytest.mark.parametrize("seed", [0, 1, 612044])
def test_truth_agrees_with_itself(seed: int) -> None:
    """(Building the web checks that no two different pages were drawn one URL: seed
    612044 drew a news item the record number of a report, show.asp?id=63117, and seed 0
    a college's 信息公开年报 column the report column's path, /zwgk/zfxxgk/xxgknb/.)"""
    truth = built(seed).truth()
    assert _truth_problems(truth) == []
    assert truth.min_fetches == [k for s in truth.sites for k in s.min_fetches]
    assert len(truth.decoys) >= len(truth.sites)  # look-alikes everywhere
    kinds = {d.kind for d in truth.decoys}
    assert len(kinds) >= 10


def test_registry_imports_and_names_every_registered_agency(tmp_path: Path) -> None:
    web = built(2)
    registry = parse_yaml(web.registry_yaml())
    truth = web.truth()
    assert {s.id for s in registry.sites} == {s.site for s in truth.sites}
    names = {a.name for a in registry.agencies} | {x for a in registry.agencies for x in a.aliases}
    ids = {a.id for a in registry.agencies}
    registered = [r for r in truth.reports if r.registered]
    unregistered = [r for r in truth.reports if not r.registered]
    assert registered and unregistered  # some agencies are left out on purpose
    assert all(r.agency in names and r.agency_id in ids for r in registered)
    assert all(r.agency not in names for r in unregistered)
    # attachment hosts of a site are listed in its hosts
    for site in truth.sites:
        entry = next(s for s in registry.sites if s.id == site.site)
        for step in site.steps:
            host = step.url.split("://", 1)[1].split(":", 1)[0]
            assert host in entry.hosts, (site.site, step.url, entry.hosts)
    archive = Archive(f"sqlite:///{tmp_path}/a.sqlite3", data_dir=tmp_path / "data")
    summary = archive.import_registry(registry)
    assert summary is not None
    assert len(archive.sites()) == len(truth.sites)
    archive.close()


def test_a_city_list_carries_another_agencys_report() -> None:
    notes = [
        r for seed in (0, 1, 2) for r in built(seed).truth().reports if "another agency" in r.note
    ]
    assert notes
    assert all(r.agency.endswith("省人民政府") or r.agency.endswith("省") for r in notes)


def test_robots_forbidden_reports_are_not_expected() -> None:
    forbidden = [r for seed in COVERAGE_SEEDS[:4] for r in built(seed).truth().robots_forbidden]
    assert forbidden
    assert all(not r.expected and not r.documents and r.withheld for r in forbidden)


def _starts_on_main(b: object) -> bool:
    kit = b.kit  # type: ignore[attr-defined]
    main = kit.bases["main"]
    return any(u.startswith(main + "/") for u in b.start_urls)  # type: ignore[attr-defined]


def test_a_site_whose_robots_forbid_everything_expects_nothing_on_any_host() -> None:
    """`Disallow: /` on the main host leaves no path to any document, those on an
    attachment host included (seed 523901 expected 8 such documents)."""
    web = built(523901)
    sites = [b for b in web.built if b.kit.dialect.get("robots") == "disallow-all"]
    assert sites and all(_starts_on_main(b) for b in sites)
    truth = web.truth()
    for b in sites:
        site = next(s for s in truth.sites if s.site == b.kit.id)
        assert site.expected_documents == []
        assert all(r.withheld for r in site.reports if r.documents or r.withheld)


def test_a_crawl_starting_on_a_host_of_its_own_reaches_its_documents_past_the_main_robots() -> None:
    """A 信息公开 host of its own (label platform), with its own robots.txt, where the crawl
    starts: `Disallow: /` on the main host does not forbid it (seed 17788 expected none of
    its 18 documents, and a crawler that read them was counted as impolite)."""
    web = built(17788)
    [b] = [
        b
        for b in web.built
        if b.kit.dialect.get("robots") == "disallow-all" and not _starts_on_main(b)
    ]
    site = web.truth().site(b.kit.id)
    assert len(site.expected_documents) == 18
    main = b.kit.bases["main"]
    assert not any(d.url.startswith(main + "/") for d in site.expected_documents)


def test_a_real_report_without_an_article_page_is_one_file() -> None:
    """A list entry without an article page links one file: a real document's other files
    would be published nowhere, yet expected (seeds 523901 and 370215 each expected a
    trs-search PDF that no page linked)."""
    pageless = [
        r
        for seed in (*COVERAGE_SEEDS[:4], 523901)
        for r in built(seed).truth().expected_reports
        if r.note == "real document" and all(d.role == Role.ATTACHMENT for d in r.documents)
    ]
    assert pageless
    assert all(len(r.documents) == 1 for r in pageless)


def test_every_county_report_is_linked_from_the_path_that_reaches_it() -> None:
    """County year columns: with ``year_offset=off-by-one`` the newest year's column is
    named for the year before; when that year has a column too, both lists were served at
    one address and one year's reports, still expected, were linked from nowhere (seed
    731902 site15: 7 documents)."""
    unlinked = []
    for seed in (*COVERAGE_SEEDS, 731902):
        for site in built(seed).truth().sites:
            if site.family != Family.COUNTY:
                continue
            revealed = " ".join(r for step in site.steps for r in step.reveals)
            unlinked += [
                d.url
                for d in site.expected_documents
                if d.url.split("/", 3)[-1] not in revealed
                and d.url.rsplit("/", 1)[-1] not in revealed
            ]
    assert unlinked == []
