"""Discovery on sites nobody tuned for: the crawler against baselines on a generated web.

    nice -n 10 .venv/bin/python benchmarks/discovery.py [--seed N] [--sites 40]
        [--families trs,gkmlpt,…] [--budget 500] [--bfs nianbao|scrapy|both|none]
        [--skip-wget] [--wget-timeout 300]

One freshly generated variant web (`sampleweb.variants`, seed printed so a run can be
repeated), side by side per platform family and overall:

(a) the nianbao crawler through `crawler.run.crawl` into a fresh SQLite archive (registry
    imported from the web's YAML), per-site page budget `--budget`;
(b) `wget -r -l 12 -e robots=on` of the same start URLs (Debian wget);
(c) an unfocused breadth-first crawl with the same budget: the crawler with
    `NIANBAO_FOCUSED=false` (depth 12), and/or a standalone Scrapy BFS spider
    (benchmarks/discovery_bfs_spider.py).

For each: report documents found against the truth (recall), precision of what the
archive holds as reports (crawlers that archive), requests the sites received against the
truth's minimum path (`min_fetches`). Then a second crawl of the unchanged web by the
crawler: bytes against the first crawl, new versions. Targets are printed beside the figures.
Documents count as found when fetched with status 200 (baselines) or archived (crawlers),
under their canonical URL or one of their aliases (redirecting download endpoints, mirror
hosts, session-id and print variants).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from w3lib.url import canonicalize_url

from crawler.run import CrawlError, RunSummary, crawl
from registry.loader import parse_yaml
from sampleweb.variants import Family, VariantWeb, WebTruth
from storage.archive import Archive

HERE = Path(__file__).resolve().parent
QUIET = {"NIANBAO_PROGRESS": False, "LOG_LEVEL": os.environ.get("NIANBAO_BENCH_LOG_LEVEL", "ERROR")}
TARGETS = (
    "targets: recall 100% and precision 100% in every family; requests ≤ 1.3× the minimum; "
    "never fewer reports than either baseline; second crawl ≤ 10% of the first's bytes, 0 new versions"
)


def canon(url: str) -> str:
    head, sep, tail = url.partition(";jsessionid=")
    if sep:
        rest = tail.split("?", 1)
        url = head + ("?" + rest[1] if len(rest) > 1 else "")
    return canonicalize_url(url, keep_fragments=False)


@dataclass
class Index:
    """Every URL of the truth that matters for scoring, canonicalised."""

    doc: dict[str, tuple[str, str]] = field(
        default_factory=dict
    )  # url -> (site, canonical doc url)
    agency: dict[str, str] = field(default_factory=dict)  # canonical doc url -> truth agency
    decoys: set[str] = field(default_factory=set)
    withheld: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, truth: WebTruth) -> Index:
        index = cls()
        for site in truth.sites:
            for report in site.expected_reports:
                for d in report.documents:
                    for u in d.urls:
                        index.doc[canon(u)] = (site.site, canon(d.url))
                    index.agency[canon(d.url)] = report.agency
            for decoy in site.decoys:
                index.decoys |= {canon(decoy.url), *(canon(u) for u in decoy.files)}
            for report in site.reports:
                index.withheld |= {canon(u) for d in report.withheld for u in d.urls}
        return index


@dataclass
class Score:
    """One crawler's figures on one site."""

    expected: int = 0  # expected report documents
    found: set[str] = field(default_factory=set)  # canonical doc urls found
    archived: int = 0  # documents the crawler archived as reports (None: not an archiver)
    true_archived: int = 0
    decoys: int = 0
    violations: int = 0  # robots-forbidden documents fetched
    requests: int = 0
    minimum: int = 0
    agency_ok: int = 0
    archiver: bool = False
    wrong_agency: list[tuple[str, str, str]] = field(default_factory=list)  # url, archived, truth
    not_reports: list[str] = field(default_factory=list)  # archived as reports, are not

    def add(self, other: Score) -> None:
        self.expected += other.expected
        self.found |= other.found
        self.archived += other.archived
        self.true_archived += other.true_archived
        self.decoys += other.decoys
        self.violations += other.violations
        self.requests += other.requests
        self.minimum += other.minimum
        self.agency_ok += other.agency_ok
        self.archiver = self.archiver or other.archiver
        self.wrong_agency += other.wrong_agency
        self.not_reports += other.not_reports


def requests_by_site(web: VariantWeb) -> Counter[str]:
    return Counter(site for site, _m, _u in web.requests())


def fetched_scores(web: VariantWeb, truth: WebTruth, index: Index) -> dict[str, Score]:
    """Scores of a crawler that only fetches: documents answered 200 with a body."""
    scores = {
        s.site: Score(expected=len(s.expected_documents), minimum=len(s.steps)) for s in truth.sites
    }
    for site, _method, url, status, size in web.answers():
        c = canon(url)
        if c in index.withheld:
            scores[site].violations += 1
        if status == 200 and size > 200 and c in index.doc:
            owner, doc = index.doc[c]
            scores[owner].found.add(doc)
    for site, n in requests_by_site(web).items():
        scores[site].requests = n
    return scores


def archive_scores(
    web: VariantWeb, truth: WebTruth, index: Index, archive: Archive
) -> dict[str, Score]:
    scores = fetched_scores(web, truth, index)
    for site in truth.sites:
        score = scores[site.site]
        score.found = set()
        score.archiver = True
        for known in archive.known_documents(site.site):
            c = canon(known.url)
            score.archived += 1
            if c in index.doc:
                _owner, doc = index.doc[c]
                score.true_archived += 1
                score.found.add(doc)
                if known.agency_name == index.agency.get(doc):
                    score.agency_ok += 1
                else:
                    score.wrong_agency.append(
                        (known.url, known.agency_name, index.agency.get(doc, ""))
                    )
            else:
                score.not_reports.append(known.url)
                if c in index.decoys:
                    score.decoys += 1
    return scores


def run_crawler(archive: Archive, overrides: dict[str, Any]) -> RunSummary | None:
    started = time.monotonic()
    try:
        summary = crawl(archive, settings_overrides={**QUIET, **overrides})
    except CrawlError as error:
        print(f"  crawl failed: {error}", flush=True)
        return None
    print(f"  ({time.monotonic() - started:.0f}s)", flush=True)
    return summary


def run_wget(web: VariantWeb, tmp: Path, timeout: float) -> int:
    wget = shutil.which("wget")
    if wget is None:
        print("  wget not installed")
        return 0

    def one(i: int, site: dict[str, Any]) -> int:
        cmd = [
            "timeout",
            str(timeout),
            wget,
            "-r",
            "-l",
            "12",
            "-e",
            "robots=on",
            "-q",
            "--delete-after",
            "-nd",
        ]
        cmd += ["-P", str(tmp / f"wget-{i}"), "--timeout=10", *site["start_urls"]]
        return subprocess.run(
            cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ).returncode

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(lambda p: one(*p), enumerate(web.sites)))
    capped = sum(1 for c in codes if c == 124)
    print(
        f"  ({time.monotonic() - started:.0f}s, {capped} sites stopped by the {timeout:.0f}s timeout)",
        flush=True,
    )
    return capped


def run_scrapy_bfs(web: VariantWeb, registry_yaml: str, budget: int) -> None:
    hosts = {s.id: s.hosts for s in parse_yaml(registry_yaml).sites}

    def one(site: dict[str, Any]) -> None:
        cmd = [sys.executable, str(HERE / "discovery_bfs_spider.py"), "--budget", str(budget)]
        cmd += ["--hosts", ",".join(hosts[str(site["id"])]), *site["start_urls"]]
        subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, web.sites))
    print(f"  ({time.monotonic() - started:.0f}s)", flush=True)


def by_family(truth: WebTruth, scores: dict[str, Score]) -> dict[str, Score]:
    out: dict[str, Score] = defaultdict(Score)
    for site in truth.sites:
        out[str(site.family)].add(scores[site.site])
        out["overall"].add(scores[site.site])
    return out


def pct(a: int, b: int) -> str:
    return f"{a / b:6.1%}" if b else "     -"


def cell(score: Score) -> str:
    found = len(score.found)
    precision = pct(score.true_archived, score.archived) if score.archiver else "     -"
    ratio = f"{score.requests / score.minimum:6.2f}" if score.minimum else "     -"
    return f"{found:4d} {pct(found, score.expected)} {precision} {score.requests:6d} {ratio}"


def print_table(truth: WebTruth, columns: list[tuple[str, dict[str, Score]]]) -> None:
    families = [str(f) for f in Family if any(s.family == f for s in truth.sites)] + ["overall"]
    sites = Counter(str(s.family) for s in truth.sites)
    sites["overall"] = len(truth.sites)
    head = f"{'family':11} {'sites':>5} {'docs':>5} {'min':>5} │"
    sub = f"{'':11} {'':>5} {'':>5} {'':>5} │"
    for name, _scores in columns:
        head += f" {name:^32} │"
        sub += f" {'found':>4} {'recall':>6} {'prec.':>6} {'reqs':>6} {'×min':>6} │"
    print(head)
    print(sub)
    grouped = [(name, by_family(truth, scores)) for name, scores in columns]
    for fam in families:
        first = grouped[0][1][fam]
        line = f"{fam:11} {sites[fam]:5d} {first.expected:5d} {first.minimum:5d} │"
        for _name, fams in grouped:
            line += f" {cell(fams[fam])} │"
        print(line)


def print_sites(truth: WebTruth, columns: list[tuple[str, dict[str, Score]]]) -> None:
    print("\n== per site (found/expected documents, requests/minimum per crawler)")
    for site in truth.sites:
        figures = "  ".join(
            f"{name.split()[0]} {len(scores[site.site].found)}/{scores[site.site].expected} "
            f"{scores[site.site].requests}/{scores[site.site].minimum}"
            for name, scores in columns
        )
        print(f"{site.site} {site.family!s:10} {figures}")
        print("    " + " ".join(f"{k}={v}" for k, v in sorted(site.dialect.items())))


def explain(truth: WebTruth, scores: dict[str, Score]) -> None:
    print("\n== what the crawler missed or got wrong")
    for site in truth.sites:
        score = scores[site.site]
        missed = [d.url for d in site.expected_documents if canon(d.url) not in score.found]
        if not (missed or score.wrong_agency or score.not_reports):
            continue
        print(f"{site.site} {site.family!s}: {len(missed)} missed")
        for url in missed[:5]:
            print(f"    missed      {url}")
        for url, got, want in score.wrong_agency[:5]:
            print(f"    agency      {url}: archived {got!r}, truth {want!r}")
        for url in score.not_reports[:5]:
            print(f"    not a report {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seed", type=int, default=None, help="default: a fresh random seed (printed)"
    )
    parser.add_argument("--sites", type=int, default=40)
    parser.add_argument("--families", default="", help="comma-separated families (default: all)")
    parser.add_argument(
        "--budget", type=int, default=500, help="page budget per site of every crawl"
    )
    parser.add_argument("--bfs", choices=("nianbao", "scrapy", "both", "none"), default="nianbao")
    parser.add_argument("--skip-wget", action="store_true")
    parser.add_argument("--wget-timeout", type=float, default=300.0, help="seconds per site")
    parser.add_argument("--skip-second", action="store_true", help="no second crawl")
    parser.add_argument(
        "--per-site", action="store_true", help="also one line per site: its dialect and figures"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also list the crawler's missed documents, wrong agencies and non-reports",
    )
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    families = [Family(f.strip()) for f in args.families.split(",") if f.strip()] or None
    with (
        tempfile.TemporaryDirectory(prefix="nianbao-discovery-") as tmp_name,
        VariantWeb(seed, args.sites, families=families) as web,
    ):
        tmp = Path(tmp_name)
        truth = web.truth()
        index = Index.of(truth)
        registry_yaml = web.registry_yaml()
        print(
            f"== discovery on a generated web: seed {seed}, {len(truth.sites)} sites, "
            f"{len({s.family for s in truth.sites})} families, budget {args.budget} pages/site"
        )
        print(
            f"   truth: {len(truth.expected_reports)} reports ({sum(len(s.expected_documents) for s in truth.sites)} documents), "
            f"{len(truth.decoys)} look-alikes, {len(truth.robots_forbidden)} robots-forbidden, "
            f"minimum path {len(truth.min_fetches)} requests"
        )
        print(
            f"   repeat: .venv/bin/python benchmarks/discovery.py --seed {seed} --sites {args.sites} --budget {args.budget}"
            + (f" --families {args.families}" if args.families else "")
        )
        columns: list[tuple[str, dict[str, Score]]] = []

        print("\n-- (a) nianbao crawler (crawler.run.crawl)", flush=True)
        archive = Archive(f"sqlite:///{tmp}/nianbao.sqlite3", data_dir=tmp / "nianbao")
        archive.import_registry(parse_yaml(registry_yaml))
        web.clear_requests()
        first = run_crawler(archive, {"NIANBAO_PAGE_BUDGET": args.budget})
        ours = archive_scores(web, truth, index, archive)
        columns.append(("nianbao crawler", ours))

        if not args.skip_wget:
            print("-- (b) wget -r -l 12 -e robots=on", flush=True)
            web.clear_requests()
            run_wget(web, tmp, args.wget_timeout)
            columns.append(("wget -r -l 12 robots=on", fetched_scores(web, truth, index)))
        if args.bfs in ("nianbao", "both"):
            print("-- (c) unfocused breadth-first: nianbao, NIANBAO_FOCUSED=false", flush=True)
            bfs_archive = Archive(f"sqlite:///{tmp}/bfs.sqlite3", data_dir=tmp / "bfs")
            bfs_archive.import_registry(parse_yaml(registry_yaml))
            web.clear_requests()
            run_crawler(
                bfs_archive,
                {
                    "NIANBAO_PAGE_BUDGET": args.budget,
                    "NIANBAO_FOCUSED": False,
                    "NIANBAO_MAX_DEPTH": 12,
                },
            )
            columns.append(
                ("unfocused BFS (nianbao)", archive_scores(web, truth, index, bfs_archive))
            )
            bfs_archive.close()
        if args.bfs in ("scrapy", "both"):
            print("-- (c') unfocused breadth-first: standalone Scrapy spider", flush=True)
            web.clear_requests()
            run_scrapy_bfs(web, registry_yaml, args.budget)
            columns.append(("BFS Scrapy spider", fetched_scores(web, truth, index)))

        print(
            "\n== per family (found = report documents; prec. = archived reports that are reports)"
        )
        print_table(truth, columns)
        if args.per_site:
            print_sites(truth, columns)
        if args.explain:
            explain(truth, ours)
        total = by_family(truth, ours)["overall"]
        n_docs = total.expected
        print(
            f"\nnianbao: {len(total.found)}/{n_docs} report documents, "
            f"{sum(1 for r in truth.expected_reports if {canon(d.url) for d in r.documents} <= total.found)}"
            f"/{len(truth.expected_reports)} reports complete; archived {total.archived} as reports, "
            f"{total.decoys} look-alikes among them; robots-forbidden fetched {total.violations}; "
            f"agency right for {total.agency_ok}/{total.true_archived}"
        )
        for name, scores in columns[1:]:
            other = by_family(truth, scores)["overall"]
            print(
                f"{name}: {len(other.found)}/{n_docs} report documents, {other.requests} requests, robots-forbidden fetched {other.violations}"
            )
        print(TARGETS)

        if not args.skip_second and first is not None:
            print("\n== second crawl of the unchanged web (nianbao)", flush=True)
            web.set_state("after")
            web.clear_requests()
            second = run_crawler(archive, {"NIANBAO_PAGE_BUDGET": args.budget})
            if second is not None:
                a, b = _totals(first), _totals(second)
                print(f"{'':14} {'first':>10} {'second':>10} {'ratio':>8}")
                for name in ("requests", "bytes", "new_versions"):
                    ratio = b[name] / a[name] if a[name] else 0.0
                    print(f"{name:14} {a[name]:10d} {b[name]:10d} {ratio:8.1%}")
                print(f"served requests in the second crawl: {sum(requests_by_site(web).values())}")
        archive.close()
    return 0


def _totals(summary: RunSummary) -> dict[str, int]:
    sites = summary.sites.values()
    return {
        "requests": sum(f.requests for f in sites),
        "bytes": sum(f.bytes for f in sites),
        "new_versions": sum(f.new_versions for f in sites),
    }


if __name__ == "__main__":
    raise SystemExit(main())
