"""``python -m sampleweb.renderings``: render reports with ground truth into a folder."""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

from sampleweb.renderings.build import RECIPES, build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sampleweb.renderings",
        description="Render report documents with variation and write their ground truth (manifest.json).",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument(
        "--seed", type=int, default=None, help="random seed (default: a fresh one, printed)"
    )
    parser.add_argument("--synthetic", type=int, default=8, help="synthetic reports in the pool")
    parser.add_argument("--freeform", type=int, default=2, help="2008-2018 reports without tables")
    parser.add_argument("--per-recipe", type=int, default=2, help="reports rendered by each recipe")
    parser.add_argument("--recipes", default="", help="comma-separated recipe names (default: all)")
    parser.add_argument("--list", action="store_true", help="list the recipes and exit")
    parser.add_argument(
        "--no-seeds", action="store_true", help="leave the five seed reports out of the pool"
    )
    parser.add_argument(
        "--no-real", action="store_true", help="leave the real reports' values out of the pool"
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.list:
        for recipe in RECIPES:
            print(f"{recipe.name:30} {recipe.fmt:5} {recipe.family:30} {recipe.tool}")
        return 0
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10**6)
    names = [n.strip() for n in args.recipes.split(",") if n.strip()] or None
    unknown = sorted(set(names or []) - {r.name for r in RECIPES})
    if unknown:
        print(f"error: unknown recipe(s): {', '.join(unknown)} (see --list)", file=sys.stderr)
        return 2
    print(f"seed {seed}")
    started = time.perf_counter()
    records = build(
        args.out,
        seed,
        synthetic=args.synthetic,
        freeform=args.freeform,
        per_recipe=args.per_recipe,
        recipes=names,
        seeds=not args.no_seeds,
        real=not args.no_real,
        log=print if args.verbose else lambda message: None,
    )
    counts = Counter(str(r["format"]) for r in records)
    summary = ", ".join(f"{fmt} {n}" for fmt, n in sorted(counts.items()))
    print(
        f"wrote {len(records)} files to {args.out} in {time.perf_counter() - started:.1f}s ({summary})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
