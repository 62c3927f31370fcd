"""Serve the sample web until interrupted: `python -m sampleweb --port 8380`."""

from __future__ import annotations

import argparse
import threading

from sampleweb.large import LargeSite
from sampleweb.web import SampleWeb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sampleweb", description=__doc__)
    parser.add_argument("--port", type=int, default=8380, help="port for every site (default 8380)")
    parser.add_argument("--state", choices=("before", "after"), default="before")
    parser.add_argument(
        "--host-prefix", default="127.0.0.", help="sites get <prefix>11, <prefix>12, …"
    )
    parser.add_argument("--stall-seconds", type=float, default=3.0)
    parser.add_argument(
        "--large", type=int, default=0, metavar="PAGES", help="also serve a large site"
    )
    parser.add_argument("--registry", action="store_true", help="print the registry YAML and exit")
    args = parser.parse_args(argv)
    web = SampleWeb(args.state, args.port, args.host_prefix, stall_seconds=args.stall_seconds)
    if args.registry:
        print(web.registry_yaml(), end="")
        web.stop()
        return 0
    large = LargeSite(args.large, args.port) if args.large else None
    with web:
        for s in web.sites:
            urls = s["start_urls"]
            assert isinstance(urls, list)
            print(f"{s['id']:14} {s['title']:10} {urls[0]}")
        if large is not None:
            large.start()
            print(f"{'large':14} {large.total_pages} pages {large.start_url}")
        print(f"state: {web.state}. Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            if large is not None:
                large.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
