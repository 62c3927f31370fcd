"""Serve a generated variant web until interrupted, printing its registry.

python -m sampleweb.variants --seed 7 --sites 40 [--port 8390] [--families trs,gkmlpt]
    [--truth truth.json] [--registry-only]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from pathlib import Path

from sampleweb.variants.model import Family
from sampleweb.variants.web import VariantWeb, truth_json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sampleweb.variants", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="seed (default: a fresh random one, printed)"
    )
    parser.add_argument("--sites", type=int, default=40, help="number of sites (default 40)")
    parser.add_argument(
        "--port", type=int, default=0, help="one port for every site (default: ephemeral ports)"
    )
    parser.add_argument(
        "--families",
        default="",
        help=f"comma-separated families to draw from (default all: {','.join(f.value for f in Family)})",
    )
    parser.add_argument("--state", choices=("before", "after"), default="before")
    parser.add_argument(
        "--stall-seconds", type=float, default=3.0, help="how long flaky sites stall"
    )
    parser.add_argument(
        "--truth", type=Path, default=None, help="write the ground truth as JSON here"
    )
    parser.add_argument(
        "--registry-only", action="store_true", help="print the registry YAML and exit"
    )
    args = parser.parse_args(argv)
    try:
        families = [Family(f.strip()) for f in args.families.split(",") if f.strip()] or None
    except ValueError as error:
        parser.error(str(error))
    web = VariantWeb(
        args.seed,
        args.sites,
        port=args.port,
        families=families,
        stall_seconds=args.stall_seconds,
        state=args.state,
    )
    if args.truth is not None:
        args.truth.write_text(truth_json(web.truth()), encoding="utf-8")
    print(web.registry_yaml(), end="", flush=True)
    if args.registry_only:
        web.stop()
        return 0
    with web:
        print(
            f"# seed {web.seed}: {len(web.built)} sites serving, state {web.state}. Ctrl-C to stop.",
            file=sys.stderr,
        )
        for site in web.sites:
            starts = site["start_urls"]
            assert isinstance(starts, list)
            print(f"# {site['id']} {site['family']!s:10} {starts[0]}", file=sys.stderr)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
