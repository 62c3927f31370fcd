"""`python -m sampleweb.holdout serve`: serve the held-out web and print its start URLs and registry."""

from __future__ import annotations

import sys

from sampleweb.holdout.web import serve_forever


def main(argv: list[str]) -> int:
    if argv[:1] != ["serve"]:
        print("usage: python -m sampleweb.holdout serve", file=sys.stderr)
        return 2
    serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
