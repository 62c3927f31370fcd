"""`python -m sampleweb.holdout serve`: serve the held-out web and print its start URLs and registry."""

from __future__ import annotations

import sys
from pathlib import Path

from sampleweb.holdout.web import serve_forever


def main(argv: list[str]) -> int:
    if argv[:1] != ["serve"] or len(argv) not in (1, 3) or argv[1:2] not in ([], ["--truth"]):
        print("usage: python -m sampleweb.holdout serve [--truth FILE.json]", file=sys.stderr)
        return 2
    serve_forever(truth_file=Path(argv[2]) if len(argv) == 3 else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
