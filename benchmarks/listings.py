"""Every page of every listing of a generated web, reached from its first page.

    nice -n 10 .venv/bin/python benchmarks/listings.py [--seed N ...] [--seeds 3] [--sites 40] [-v]

For each seed (fresh random ones when none is given, printed), a `sampleweb.variants` web
is served on loopback. Its truth's shortest path lists the pages of every server-rendered
listing (`LISTING` steps, and the proxy/postback requests that continue them). From each
listing's first page we iterate as the spider does: call `crawler.listings` on the page,
fetch what it returns with urllib (anti-bot cookies and retries as the oracle does), call
again on each answer, stop following a page whose items were all seen already. Printed:
listings with further pages, how many are reached completely, pages reached / expected,
and requests made beyond the truth's pages (none would mean no page is fetched twice or
guessed; clamped or repeated pages count here).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from w3lib.url import canonicalize_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.adapters.types import ListingFetch, ListingFormat, ListingPage
from crawler.anchors import extract_anchors
from crawler.listings import hanweb, listing_fetches_for
from crawler.listings.pager_links import is_pager_text
from crawler.listings.series import listing_key as first_key
from crawler.listings.series import strip_session
from sampleweb.variants import SiteTruth, Step, StepKind, VariantWeb
from sampleweb.variants.oracle import SiteWalker

MAX_REQUESTS = 400
_PAGE_NAME = re.compile(r"page|^p$|^pn$|offset|^start$", re.IGNORECASE)


def _canon(url: str) -> str:
    """Canonical URL without session ids (`;jsessionid=`, `sid=`)."""
    parts = urlsplit(strip_session(url))
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != "sid"
    ]
    return canonicalize_url(parts._replace(query=urlencode(query)).geturl(), keep_fragments=False)


def _same_listing(first: Step, step: Step) -> bool:
    """Test-side grouping of the truth's consecutive LISTING steps: same folder, and the
    later query adds one number to the first's or changes its page number."""
    a, b = urlsplit(first.url), urlsplit(step.url)
    if a.netloc != b.netloc or a.path.rsplit("/", 1)[0] != b.path.rsplit("/", 1)[0]:
        return False
    mine, theirs = dict(parse_qsl(a.query)), dict(parse_qsl(b.query))
    differ = [k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k)]
    if not differ:
        return True
    if len(differ) > 1 or not all(v.isdigit() for v in (theirs.get(differ[0]) or "x",)):
        return False
    # the later page adds a number to the first page's URL, or changes one that is named
    # as a page (the first page of some listings says `page=1`; `jdid=2` is another list)
    return differ[0] not in mine or bool(_PAGE_NAME.search(differ[0]))


def listings_of(site: SiteTruth) -> list[list[Step]]:
    """The truth's server-rendered listings: a LISTING step and the steps continuing it."""
    groups: list[list[Step]] = []
    current: list[Step] | None = None
    for step in site.steps:
        if step.kind == StepKind.LISTING:
            if current is not None and _same_listing(current[0], step):
                current.append(step)
            else:
                current = [step]
                groups.append(current)
        elif step.kind == StepKind.API and current is not None:
            current.append(step)
        elif step.kind in (StepKind.SHELL, StepKind.NAV):
            current = None
    return groups


def _decode(body: bytes) -> str:
    for codec in ("utf-8", "gb18030"):
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    return body.decode("latin-1")


def _path(url: str) -> str:
    parts = urlsplit(strip_session(url))
    return f"{parts.netloc}{parts.path}"


def _revealed(step: Step, texts: list[str]) -> bool:
    """A request to the step's URL whose answer shows everything the step's does (a proxy
    answering a body that differs in fields the server ignores)."""
    items = [r for r in step.reveals if "/" in r]
    return bool(items) and any(all(r in t for r in items) for t in texts)


def _links(text: str, url: str) -> frozenset[str]:
    return frozenset(_canon(a.url) for a in extract_anchors(text, url))


def _same_links(walker: SiteWalker, step: Step, texts: list[str]) -> bool:
    """The truth's request for this page (replayed) answers with the same links as one of
    the answers we got: the same page reached through another form state."""
    if not texts:
        return False
    try:
        answer = walker.fetch(step)
    except ConnectionError:
        return False
    want = _links(_decode(answer.body), step.url)
    return answer.status == 200 and any(_links(t, step.url) == want for t in texts)


def _matches(step: Step, method: str, url: str, body: str) -> bool:
    if step.method != method or _canon(step.url) != _canon(url):
        return False
    if method == "GET":
        return True
    want = dict(parse_qsl(step.body.decode("utf-8", "replace"), keep_blank_values=True))
    got = dict(parse_qsl(body, keep_blank_values=True))
    return all(got.get(k) == v for k, v in want.items())


@dataclass
class ListingResult:
    site: str
    family: str
    expected: int
    reached: int
    requests: int
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)


def walk_listing(site: SiteTruth, group: list[Step]) -> ListingResult:
    """Iterate the package from the listing's first page as the spider would."""
    walker = SiteWalker(site)
    first = group[0]
    frontier = [ListingFetch(url=first.url)]
    done: set[tuple[str, ...]] = {(first_key(first.url), "1")}
    requested: list[tuple[str, str, str]] = []
    answers: dict[tuple[str, str], list[str]] = {}
    seen_items: set[str] = set()
    while frontier and len(requested) < MAX_REQUESTS:
        fetch = frontier.pop(0)
        ident = (fetch.method, _canon(fetch.url), fetch.body)
        numbered = (fetch.listing_key, str(fetch.page_number))
        if ident in done or (fetch.page_number is not None and numbered in done):
            continue  # the spider fetches each page of a listing once
        done.add(ident)
        if fetch.page_number is not None:
            done.add(numbered)
        step = Step(
            fetch.method,
            fetch.url,
            StepKind.API,
            body=fetch.body.encode(),
            headers=tuple(fetch.headers.items()),
        )
        try:
            answer = walker.fetch(step)
        except ConnectionError:
            continue
        requested.append((fetch.method, fetch.url, fetch.body))
        if answer.status != 200:
            continue
        text = _decode(answer.body)
        answers.setdefault((fetch.method, _path(fetch.url)), []).append(text)
        if fetch.format == ListingFormat.HANWEB_XML:
            items = extract_anchors(hanweb.records_html(text), fetch.url)
            more = hanweb.follow_up_fetches(
                text,
                fetch.url,
                fetch.body,
                known_total=fetch.expected_records,
                referer=first.url,
                listing_key=fetch.listing_key,
            )
        else:
            anchors = extract_anchors(text, fetch.url)
            if hanweb.is_hanweb_page(text):
                anchors += extract_anchors(hanweb.records_html(text), fetch.url)
            items = [a for a in anchors if not is_pager_text(a.text)]
            page = ListingPage(fetch.url, text, listing_key=fetch.listing_key)
            more = listing_fetches_for(page, anchors, 200)
        fresh = {_canon(a.url) for a in items} - seen_items
        seen_items |= fresh
        if fetch is not None and len(requested) > 1 and not fresh:
            continue  # a repeated or empty page: the spider stops following it
        frontier += more
    missing = [
        s.key
        for s in group
        if not any(_matches(s, m, u, b) for m, u, b in requested)
        and not _revealed(s, answers.get((s.method, _path(s.url)), []))
        and not _same_links(walker, s, answers.get((s.method, _path(s.url)), []))
    ]
    extra = [
        f"{m} {u} {b[:60]}" for m, u, b in requested if not any(_matches(s, m, u, b) for s in group)
    ]
    return ListingResult(
        site.site,
        str(site.family),
        len(group),
        len(group) - len(missing),
        len(requested),
        missing,
        extra,
    )


def run(seed: int, n_sites: int = 40, *, single: bool = False) -> list[ListingResult]:
    """The walk of every listing with further pages (and of one-page listings: `single`)."""
    with VariantWeb(seed, n_sites) as web:
        truth = web.truth()
        return [
            walk_listing(site, group)
            for site in truth.sites
            for group in listings_of(site)
            if len(group) > 1 or single
        ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, action="append", default=[])
    parser.add_argument("--seeds", type=int, default=3, help="fresh seeds when none given")
    parser.add_argument("--sites", type=int, default=40)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    seeds = args.seed or [random.randrange(1, 10**6) for _ in range(args.seeds)]
    total: Counter[str] = Counter()
    for seed in seeds:
        everything = run(seed, args.sites, single=True)
        results = [r for r in everything if r.expected > 1]
        alone = [r for r in everything if r.expected == 1]
        full = sum(r.reached == r.expected for r in results)
        pages = sum(r.expected for r in results)
        reached = sum(r.reached for r in results)
        requests = sum(r.requests for r in results)
        print(
            f"seed {seed}: listings with further pages {len(results)}, reached completely "
            f"{full}; pages reached {reached}/{pages}; requests {requests} "
            f"({requests - reached} beyond the truth's pages)"
        )
        print(
            f"  one-page listings {len(alone)}: {sum(r.reached for r in alone)} reached, "
            f"{sum(r.requests - 1 for r in alone)} requests beyond their page"
        )
        by_family: Counter[tuple[str, str]] = Counter()
        for r in results:
            by_family[(r.family, "listings")] += 1
            by_family[(r.family, "full")] += r.reached == r.expected
        for family in sorted({r.family for r in results}):
            print(f"  {family:10} {by_family[(family, 'full')]}/{by_family[(family, 'listings')]}")
        for r in results:
            if args.verbose or r.missing:
                print(f"  {r.site} {r.family}: {r.reached}/{r.expected} ({r.requests} requests)")
                for key in r.missing[:5]:
                    print(f"      missing {key[:160]}")
            if args.verbose:
                for key in r.extra[:8]:
                    print(f"      extra {key[:200]}")
        total.update(listings=len(results), full=full, pages=pages, reached=reached)
    print(
        f"overall: listings {total['full']}/{total['listings']} complete, "
        f"pages {total['reached']}/{total['pages']}"
    )
    return 0 if total["full"] == total["listings"] else 1


if __name__ == "__main__":
    sys.exit(main())
