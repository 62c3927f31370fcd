"""Discovery on the held-out web: sites written by hand from the field guide that the crawler
was never tuned on (`sampleweb.holdout`), the crawler against wget.

    nice -n 10 .venv/bin/python benchmarks/holdout.py [--budget 500] [--skip-wget]
        [--wget-timeout 60] [--explain]

(a) the nianbao crawler through `crawler.run.crawl` into a fresh SQLite archive, registry
    imported from the held-out web's YAML, host names resolved by `NIANBAO_TEST_DNS`;
(b) `wget -r -l 12 -e robots=on` on the same start URLs, through the web's server used as
    an HTTP proxy (wget has no resolver override).

Per site and overall: report documents found / truth (archived by the crawler, answered
200 to wget; a document counts under its URL or an alias such as a downfile redirect
target or print view), precision (archived reports that are truth), look-alikes archived,
robots-forbidden URLs fetched, requests the site received (robots.txt not counted) against
the truth's minimal path.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from w3lib.url import canonicalize_url

from crawler.run import CrawlError, crawl
from registry.loader import parse_yaml
from sampleweb.holdout import HoldoutWeb, Site
from storage.archive import Archive

QUIET = {"NIANBAO_PROGRESS": False, "LOG_LEVEL": "ERROR"}


def canon(url: str) -> str:
    head, sep, tail = url.partition(";jsessionid=")
    if sep:
        rest = tail.split("?", 1)
        url = head + ("?" + rest[1] if len(rest) > 1 else "")
    return canonicalize_url(url, keep_fragments=False)


@dataclass
class Score:
    expected: int = 0
    minimum: int = 0
    found: set[str] = field(default_factory=set)  # canonical truth doc URLs
    archived: int = 0
    true_archived: int = 0
    lookalikes: int = 0
    forbidden: int = 0
    requests: int = 0
    archiver: bool = False
    agency_ok: int = 0
    missed: list[str] = field(default_factory=list)
    not_reports: list[str] = field(default_factory=list)
    wrong_agency: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in ("expected", "minimum", "archived", "true_archived", "lookalikes"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.forbidden += other.forbidden
        self.requests += other.requests
        self.agency_ok += other.agency_ok
        self.found |= other.found
        self.archiver = self.archiver or other.archiver


class Truth:
    """Canonical URL → truth document, per site."""

    def __init__(self, web: HoldoutWeb) -> None:
        names = {a["id"]: a["name"] for a in web.registry()["agencies"]}
        self.doc: dict[str, str] = {}
        self.owner: dict[str, str] = {}  # canonical doc URL -> the site whose truth it is
        self.agency: dict[str, str] = {}
        self.look: set[str] = set()
        self.forbidden: set[str] = set()
        for site in web.sites:
            for d in site.docs:
                for u in [d.url, *d.aliases]:
                    self.doc[canon(u)] = canon(d.url)
                self.agency[canon(d.url)] = names.get(d.agency, d.agency)
                self.owner[canon(d.url)] = site.id
            self.look |= {canon(u) for u in site.lookalikes}
            self.forbidden |= {canon(u) for u in site.forbidden}

    def blank(self, site: Site) -> Score:
        return Score(expected=len(site.docs), minimum=site.minimum)


def served(web: HoldoutWeb, truth: Truth) -> dict[str, Score]:
    """What the sites answered: requests, forbidden fetches, truth documents answered 200."""
    scores = {s.id: truth.blank(s) for s in web.sites}
    for site_id, _method, url, status, size in web.requests():
        if site_id not in scores or url.split("?")[0].endswith("/robots.txt"):
            continue
        score = scores[site_id]
        score.requests += 1
        c = canon(url)
        score.forbidden += c in truth.forbidden
        if status == 200 and size > 0 and c in truth.doc:
            scores[truth.owner[truth.doc[c]]].found.add(truth.doc[c])
    return scores


def archived(web: HoldoutWeb, truth: Truth, archive: Archive) -> dict[str, Score]:
    """The archive's reports: a truth document counts for the site whose truth it is, whichever
    site's report it was archived under (the same report published on two sites)."""
    scores = served(web, truth)
    for score in scores.values():
        score.archiver, score.found = True, set()
    for site in web.sites:
        score = scores[site.id]
        for known in archive.known_documents(site.id):
            c = canon(known.url)
            score.archived += 1
            if c in truth.doc:
                doc = truth.doc[c]
                score.true_archived += 1
                scores[truth.owner[doc]].found.add(doc)
                if known.agency_name == truth.agency[doc]:
                    score.agency_ok += 1
                else:
                    score.wrong_agency.append(
                        f"{known.url}: {known.agency_name!r}, truth {truth.agency[doc]!r}"
                    )
            else:
                score.lookalikes += c in truth.look
                score.not_reports.append(known.url)
    for site in web.sites:
        scores[site.id].missed = [
            d.url for d in site.docs if canon(d.url) not in scores[site.id].found
        ]
    return scores


def run_crawler(web: HoldoutWeb, tmp: Path, budget: int) -> dict[str, Score]:
    archive = Archive(f"sqlite:///{tmp}/nianbao.sqlite3", data_dir=tmp / "nianbao")
    archive.import_registry(parse_yaml(web.registry_yaml()))
    web.clear()
    started = time.monotonic()
    overrides = {**QUIET, "NIANBAO_TEST_DNS": web.dns(), "NIANBAO_PAGE_BUDGET": budget}
    try:
        crawl(archive, settings_overrides=overrides)
    except CrawlError as error:
        print(f"  crawl failed: {error}", flush=True)
    print(f"  ({time.monotonic() - started:.0f}s)", flush=True)
    scores = archived(web, Truth(web), archive)
    archive.close()
    return scores


def run_wget(web: HoldoutWeb, tmp: Path, timeout: float) -> dict[str, Score] | None:
    wget = shutil.which("wget")
    if wget is None:
        print("  wget not installed")
        return None
    proxy = f"http://127.0.0.1:{web.port}"

    def one(i: int, site: Site) -> int:
        cmd = ["timeout", str(timeout), wget, "-r", "-l", "12", "-e", "robots=on", "-q"]
        cmd += ["-e", "use_proxy=on", "-e", f"http_proxy={proxy}", "--delete-after", "-nd"]
        cmd += ["-P", str(tmp / f"wget-{i}"), "--timeout=10", *site.start_urls]
        return subprocess.run(cmd, check=False, capture_output=True).returncode

    web.clear()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(lambda p: one(*p), enumerate(web.sites)))
    capped = sum(1 for c in codes if c == 124)
    print(
        f"  ({time.monotonic() - started:.0f}s, {capped} sites stopped by the timeout)", flush=True
    )
    return served(web, Truth(web))


def pct(a: int, b: int) -> str:
    return f"{a / b:6.1%}" if b else "     -"


def cell(s: Score) -> str:
    prec = pct(s.true_archived, s.archived) if s.archiver else "     -"
    ratio = f"{s.requests / s.minimum:6.2f}" if s.minimum else "     -"
    return f"{len(s.found):4d} {pct(len(s.found), s.expected)} {prec} {s.requests:6d} {ratio}"


def print_table(web: HoldoutWeb, columns: list[tuple[str, dict[str, Score]]]) -> None:
    head = f"{'site':16} {'platform':14} {'docs':>4} {'min':>4} │"
    sub = f"{'':16} {'':14} {'':>4} {'':>4} │"
    for name, _ in columns:
        head += f" {name:^32} │"
        sub += f" {'found':>4} {'recall':>6} {'prec.':>6} {'reqs':>6} {'×min':>6} │"
    print(head)
    print(sub)
    totals = [Score() for _ in columns]
    for site in web.sites:
        line = f"{site.id:16} {site.platform:14} {len(site.docs):4d} {site.minimum:4d} │"
        for (_name, scores), total in zip(columns, totals, strict=True):
            line += f" {cell(scores[site.id])} │"
            total.add(scores[site.id])
        print(line)
    first = totals[0]
    line = f"{'overall':16} {'':14} {first.expected:4d} {first.minimum:4d} │"
    print(line + "".join(f" {cell(t)} │" for t in totals))
    for (name, _), t in zip(columns, totals, strict=True):
        extra = (
            f", archived {t.archived} as reports ({t.lookalikes} look-alikes), agency right {t.agency_ok}/{t.true_archived}"
            if t.archiver
            else ""
        )
        print(
            f"{name}: {len(t.found)}/{t.expected} documents, {t.requests} requests (minimum {t.minimum}), robots-forbidden fetched {t.forbidden}{extra}"
        )


def explain(web: HoldoutWeb, scores: dict[str, Score]) -> None:
    print("\n== what the crawler missed or got wrong")
    for site in web.sites:
        s = scores[site.id]
        if not (s.missed or s.not_reports or s.wrong_agency):
            continue
        print(f"{site.id} ({site.dialect}): {len(s.missed)} missed")
        for url in s.missed[:4]:
            print(f"    missed       {url}")
        for url in s.not_reports[:4]:
            print(f"    not a report {url}")
        for text in s.wrong_agency[:3]:
            print(f"    agency       {text}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=int, default=500, help="page budget per site")
    parser.add_argument("--skip-wget", action="store_true")
    parser.add_argument("--wget-timeout", type=float, default=60.0, help="seconds per site")
    parser.add_argument("--explain", action="store_true", help="list misses and non-reports")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nianbao-holdout-") as tmp_name, HoldoutWeb() as web:
        tmp = Path(tmp_name)
        platforms = Counter(s.platform for s in web.sites)
        print(
            f"== held-out web: {len(web.sites)} sites, {len(platforms)} platforms, "
            f"{sum(len(s.docs) for s in web.sites)} report documents, "
            f"{sum(len(s.lookalikes) for s in web.sites)} look-alikes, "
            f"minimum path {sum(s.minimum for s in web.sites)} requests; budget {args.budget}"
        )
        columns: list[tuple[str, dict[str, Score]]] = []
        print("\n-- (a) nianbao crawler (crawler.run.crawl)", flush=True)
        ours = run_crawler(web, tmp, args.budget)
        columns.append(("nianbao crawler", ours))
        if not args.skip_wget:
            print("-- (b) wget -r -l 12 -e robots=on", flush=True)
            got = run_wget(web, tmp, args.wget_timeout)
            if got is not None:
                columns.append(("wget -r -l 12 robots=on", got))
        print("\n== per site (found = report documents; prec. = archived reports that are truth)")
        print_table(web, columns)
        if args.explain:
            explain(web, ours)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
