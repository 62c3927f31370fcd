"""Two reading rooms compared page for page on a busy machine: before and after a change.

On a machine shared with other work, page times drift by a factor of several from one
minute to the next, so two runs of ``benchmarks/web_latency.py`` minutes apart compare
the machine's load more than the code. This serves the same archive twice — room A
(e.g. the main branch's checkout, its own Python) and room B (this checkout) — and asks
both for every page in turn (A then B, then B then A), one client and then bursts of 8
concurrent clients alternating between the rooms, so that both meet the same load.

    nice -n 10 .venv/bin/python benchmarks/web_ab.py \\
        --a-python /work/main/.venv/bin/python --a-db sqlite:////tmp/x-main.sqlite3 \\
        --b-db sqlite:////tmp/x.sqlite3

The archives are fills of ``search_latency.py`` prepared by ``web_latency.py`` (the same
data; two copies when the rooms need different schema revisions). Prints, for each page
kind, median and p95 in A and in B with one client, and pages per second of each with 8.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import func, select

from benchmarks.latency import percentile, sample_queries
from benchmarks.web_latency import TARGET_COVERAGE, TARGET_P95, TARGET_RATE, YEARS, verdict
from storage.archive import Archive
from storage.models import ReportRow


def serve(python: str, cwd: Path, url: str, port: int, workers: int, data: Path) -> tuple[subprocess.Popen[bytes], float]:  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["NIANBAO_DATA_DIR"] = str(data)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [python, "-m", "nianbao", "serve", "--db", url, "--port", str(port), "--no-replay",
         "--workers", str(workers), "--log-level", "warning"],
        env=env, cwd=cwd,
    )  # fmt: skip
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the reading room on port {port} ended (exit {proc.returncode})")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=60).status_code == 200:
                return proc, time.perf_counter() - started
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"the reading room on port {port} did not start")


def get(client: httpx.Client, url: str) -> float:
    t = time.perf_counter()
    r = client.get(url)
    took = time.perf_counter() - t
    if r.status_code != 200:
        raise SystemExit(f"{client.base_url}{url}: HTTP {r.status_code} {r.text[:300]}")
    return took


def one_client(bases: tuple[str, str], urls: list[str]) -> tuple[list[float], list[float]]:
    a: list[float] = []
    b: list[float] = []
    with httpx.Client(base_url=bases[0], timeout=300) as ca, httpx.Client(base_url=bases[1], timeout=300) as cb:  # fmt: skip
        for i, url in enumerate(urls):
            if i % 2 == 0:
                a.append(get(ca, url))
                b.append(get(cb, url))
            else:
                b.append(get(cb, url))
                a.append(get(ca, url))
    return a, b


def burst(base: str, urls: list[str], concurrency: int) -> tuple[int, float]:
    clients = [httpx.Client(base_url=base, timeout=300) for _ in range(concurrency)]
    lock = threading.Lock()
    done = [0]

    def worker(i: int) -> None:
        for url in urls[i::concurrency]:
            get(clients[i], url)
            with lock:
                done[0] += 1

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    wall = time.perf_counter() - start
    for c in clients:
        c.close()
    return done[0], wall


def concurrent(bases: tuple[str, str], urls: list[str], rounds: int) -> tuple[float, float]:
    """Pages per second of A and of B with 8 clients, in alternating bursts."""
    totals = {0: [0, 0.0], 1: [0, 0.0]}
    size = max(8, len(urls) // rounds)
    for r in range(rounds):
        part = urls[(r * size) % len(urls) :][:size] or urls[:size]
        for side in (0, 1) if r % 2 == 0 else (1, 0):
            n, wall = burst(bases[side], part, 8)
            totals[side][0] += n
            totals[side][1] += wall
    return totals[0][0] / totals[0][1], totals[1][0] / totals[1][1]


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.0f} ms, p95 {percentile(values, 0.95) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--a-python", required=True, help="the Python of room A's checkout")
    parser.add_argument("--a-cwd", type=Path, default=None, help="room A's checkout")
    parser.add_argument("--a-db", required=True)
    parser.add_argument("--b-db", required=True)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=4, help="bursts of 8 clients per room")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18600)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/nianbao-web-bench"))
    args = parser.parse_args()
    # stopped by a signal, the rooms started are stopped too
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    here = Path(__file__).resolve().parent.parent
    a_cwd = args.a_cwd or Path(args.a_python).resolve().parent.parent.parent
    # not upgraded here: room A starts first, on the schema as it is
    archive = Archive(args.b_db, data_dir=args.dir / "data", upgrade=False)
    rng = random.Random(args.seed)
    # other queries for the bursts of 8 clients than for the one client (and the warm-up):
    # a reading room may keep the results of searches asked before
    queries = sample_queries(archive, args.seed, 2 * args.pages + 5)
    with archive.session() as s:
        top = s.scalar(select(func.max(ReportRow.id))) or 1
        reports = [
            s.execute(
                select(ReportRow.agency_id, ReportRow.year).where(
                    ReportRow.id == rng.randint(1, top)
                )
            ).one()
            for _ in range(args.pages)
        ]
    archive.close()
    years = "&".join(f"year={y}" for y in YEARS)
    other = "&".join(f"year={y}" for y in range(YEARS[0] - 1, YEARS[-1]))
    searches = [f"/search?q={quote(q)}" for q in queries]
    kinds = {
        "search page": searches[: args.pages],
        "report page": [f"/reports/{a}/{y}" for a, y in reports],
    }
    bursts = {"search page": searches[args.pages : 2 * args.pages]}
    warm = {"search page": searches[2 * args.pages :]}
    procs = []
    try:
        pa, ready_a = serve(args.a_python, a_cwd, args.a_db, args.port, args.workers, args.dir / "data")  # fmt: skip
        procs.append(pa)
        pb, ready_b = serve(sys.executable, here, args.b_db, args.port + 1, args.workers, args.dir / "data")  # fmt: skip
        procs.append(pb)
        bases = (f"http://127.0.0.1:{args.port}", f"http://127.0.0.1:{args.port + 1}")
        print(f"ready: A {ready_a:.1f} s, B {ready_b:.1f} s")
        first, fresh = [], []
        for base in bases:
            with httpx.Client(base_url=base, timeout=600) as c:
                first.append(get(c, f"/coverage?{years}"))
                fresh.append(get(c, f"/coverage?{other}"))
        print(f"coverage (3,371 governments × 8 years), first page: A {first[0] * 1000:.0f} ms, "
              f"B {first[1] * 1000:.0f} ms [target ≤ {TARGET_COVERAGE:.0f} s: B {verdict(first[1] <= TARGET_COVERAGE)}]; "
              f"another view: A {fresh[0] * 1000:.0f} ms, B {fresh[1] * 1000:.0f} ms")  # fmt: skip
        kinds["coverage page"] = [f"/coverage?{years}"] * 24
        for label, urls in kinds.items():
            one_client(bases, warm.get(label, urls[:5]))  # warm both
            a, b = one_client(bases, urls)
            target = f"[target p95 ≤ {TARGET_P95 * 1000:.0f} ms: B {verdict(percentile(b, 0.95) <= TARGET_P95)}]"  # fmt: skip
            print(f"{label:<14} 1 client:  A {ms(a)};  B {ms(b)}  {target if label != 'coverage page' else ''}")  # fmt: skip
            ra, rb = concurrent(bases, bursts.get(label, urls), args.rounds)
            target = f"[target ≥ {TARGET_RATE:.0f} pages/s: B {verdict(rb >= TARGET_RATE)}]"
            print(f"{label:<14} 8 clients: A {ra:.1f} pages/s;  B {rb:.1f} pages/s  {target if label != 'coverage page' else ''}")  # fmt: skip
            sys.stdout.flush()
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=60)


if __name__ == "__main__":
    main()
