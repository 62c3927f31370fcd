"""Script-filled listings on generated webs: what `crawler.shells` reaches, at what cost.

    nice -n 10 .venv/bin/python benchmarks/shells.py [--seeds 3] [--seed N ...] [--sites 40]

For each seed (fresh random ones unless given; printed so a run can be repeated) a
variant web (`sampleweb.variants`, all families) is served on loopback. On every site
with script-filled listings, from each shell page, only `crawler.shells` and urllib are
used (policy in tests/shells_walk.py). Per family:

- shells detected by `detect_shell` / shell pages of the truth;
- reports reached (an entry of some listing is one of the report's URLs) / reports the
  truth's listings show;
- requests made / the truth's minimum for the same listings (SHELL, SCRIPT and API steps);
- false shells: server-rendered pages (navigation, listings, articles) `detect_shell` takes
  for shells.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from shells_walk import Walker, listed_reports, shell_sites

from crawler.adapters.types import ListingPage
from crawler.shells import detect_shell
from sampleweb.variants import StepKind, VariantWeb

MINIMUM = (StepKind.SHELL, StepKind.SCRIPT, StepKind.API)


def false_shells(web: VariantWeb) -> tuple[int, int]:
    """(pages taken for shells, server-rendered HTML pages checked)."""
    wrong = checked = 0
    for site in web.truth().sites:
        walker = Walker(site)
        for step in site.steps:
            if step.kind not in (StepKind.NAV, StepKind.LISTING, StepKind.REPORT):
                continue
            if step.method != "GET" or not step.media.startswith("text/html"):
                continue
            status, text = walker.get(step.url)
            if status != 200:
                continue
            checked += 1
            wrong += detect_shell(ListingPage(step.url, text)) is not None
    return wrong, checked


def run(seed: int, n_sites: int) -> dict[str, list[int]]:
    rows: dict[str, list[int]] = defaultdict(lambda: [0] * 7)
    started = time.monotonic()
    with VariantWeb(seed, n_sites) as web:
        for site in shell_sites(web.truth().sites):
            walk = Walker(site).run()
            row = rows[str(site.family)]
            minimum = sum(1 for s in site.steps if s.kind in MINIMUM)
            for i, value in enumerate(
                (
                    1,
                    walk.detected,
                    walk.shells,
                    walk.reached,
                    len(listed_reports(site)),
                    walk.requests,
                    minimum,
                )
            ):
                row[i] += value
            for miss in walk.missed:
                print(f"   missed on {site.site} ({site.family}): {miss}")
        wrong, checked = false_shells(web)
    print(f"== seed {seed}: {n_sites} sites ({time.monotonic() - started:.1f}s)")
    print(f"   {'family':12} {'sites':>5} {'shells':>9} {'reports':>9} {'requests':>14}")
    total = [0] * 7
    for family in sorted(rows):
        r = rows[family]
        total = [a + b for a, b in zip(total, r, strict=True)]
        print(
            f"   {family:12} {r[0]:5} {r[1]:4}/{r[2]:<4} {r[3]:4}/{r[4]:<4} {r[5]:6} (min {r[6]})"
        )
    t = total
    print(f"   {'all':12} {t[0]:5} {t[1]:4}/{t[2]:<4} {t[3]:4}/{t[4]:<4} {t[5]:6} (min {t[6]})")
    print(f"   false shells: {wrong} of {checked} server-rendered pages")
    rows["all"] = total
    rows["false"] = [wrong, checked]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="how many fresh seeds")
    parser.add_argument("--seed", type=int, action="append", help="a given seed (repeatable)")
    parser.add_argument("--sites", type=int, default=40)
    args = parser.parse_args(argv)
    seeds = args.seed or [random.SystemRandom().randrange(10**9) for _ in range(args.seeds)]
    grand = [0] * 7
    wrong = checked = 0
    for seed in seeds:
        rows = run(seed, args.sites)
        grand = [a + b for a, b in zip(grand, rows["all"], strict=True)]
        wrong, checked = wrong + rows["false"][0], checked + rows["false"][1]
    g = grand
    print(
        f"== {len(seeds)} seeds {seeds}: shells detected {g[1]}/{g[2]}, reports reached "
        f"{g[3]}/{g[4]}, requests {g[5]} (truth minimum {g[6]}), false shells {wrong}/{checked}"
    )
    return 0 if g[3] == g[4] and g[1] == g[2] else 1


if __name__ == "__main__":
    raise SystemExit(main())
