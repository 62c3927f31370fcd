"""Hostile documents through ``extract.extract_document``: time, memory, the error recorded.

For every document of the hostile corpus (``tests/fixtures/hostile/make_hostile.py``, with
the hostile part of ``tests/fixtures/broken``) prints the wall time of the call, the peak
resident memory and CPU time of the worker process that read it, the peak resident memory
of the caller during the call (the kernel's ``VmHWM``, reset before each document; the
document's own bytes are already in it), and the error recorded (or what was read).

Every document must end within 60 s and 1 GB, worker and caller alike.

With ``--crawl``, also crawls a loopback site whose report page links every document as
an attachment (``crawler.run.crawl``, the real crawl process) and prints the crawl
process's peak resident memory (Scrapy's ``memusage/max``), its time, and the failures
recorded.

Usage: ``python benchmarks/hostile.py [--large DIR] [--only NAME,…] [--crawl]`` (the
large documents are made into DIR on first use, by default the folder the tests use,
``$TMPDIR/nianbao-hostile-<hash of make_hostile.py>``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

from extract import extract_document
from extract.isolation import default_pool

ROOT = Path(__file__).resolve().parent.parent
_MiB = 1024 * 1024


def load_corpus_module() -> ModuleType:
    """``tests/fixtures/hostile/make_hostile.py``, loaded from its file."""
    path = ROOT / "tests/fixtures/hostile/make_hostile.py"
    spec = importlib.util.spec_from_file_location("make_hostile", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_hostile"] = module
    spec.loader.exec_module(module)
    return module


def _status_mib(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")


REPORT = "测试县2023年政府信息公开工作年度报告"


def crawl_corpus(corpus: dict[str, Path]) -> None:
    """Crawl a loopback site serving the corpus as attachments of one report page."""
    from crawler.run import crawl
    from registry.model import Agency, Registry, Site
    from storage.archive import Archive

    served = {
        f"/download/{quote(name)}": path
        for name, path in corpus.items()
        if not name.endswith(".html") and path.stat().st_size
    }
    links = "".join(f'<li><a href="{url}">{url.rsplit("/", 1)[-1]}</a></li>' for url in served)
    pages = {
        "/col/index.html": f'<html><body><ul><li><a href="/a.html">{REPORT}</a>'
        "<span>2024-01-20</span></li></ul></body></html>",
        "/a.html": f"<html><head><title>{REPORT}</title></head><body><h1>{REPORT}</h1>"
        f"<p>一、总体情况</p><p>附件：</p><ul>{links}</ul></body></html>",
    }

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path in pages:
                body, kind = pages[self.path].encode(), "text/html; charset=utf-8"
            elif self.path in served:
                body, kind = served[self.path].read_bytes(), "application/octet-stream"
            else:
                body, kind = b"not found", "text/plain"
            self.send_response(200 if body != b"not found" else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with tempfile.TemporaryDirectory(prefix="nianbao-hostile-crawl-") as tmp:
        archive = Archive(f"sqlite:///{tmp}/a.sqlite3", data_dir=Path(tmp) / "data")
        archive.import_registry(
            Registry(
                agencies=[
                    Agency(id="ceshi", name="测试县人民政府", level="county", kind="government")
                ],
                sites=[
                    Site(
                        id="ceshi-gov",
                        agency_id="ceshi",
                        start_urls=[base + "/col/index.html"],
                        hosts=["127.0.0.1"],
                        render="never",
                        obey_robots=False,
                    )
                ],
            )
        )
        started = time.perf_counter()
        summary = crawl(
            archive,
            settings_overrides={
                "NIANBAO_PROGRESS": False,
                "LOG_LEVEL": "ERROR",
                "AUTOTHROTTLE_ENABLED": False,
                "NIANBAO_RENDER_ENABLED": False,
                "MEMUSAGE_ENABLED": True,
                "MEMUSAGE_CHECK_INTERVAL_SECONDS": 0.2,
            },
        )
        elapsed = time.perf_counter() - started
        failures = archive.failures(site_id="ceshi-gov")
        archive.close()
    server.shutdown()
    kinds: dict[str, int] = {}
    for failure in failures:
        kinds[str(failure["kind"])] = kinds.get(str(failure["kind"]), 0) + 1
    fetched = summary.stats.get("downloader/response_count", 0)
    print(
        f"crawl of {len(served)} hostile attachments: outcome {summary.outcome}, "
        f"{elapsed:.1f} s, {fetched} responses, crawl process peak "
        f"{summary.stats['memusage/max'] / _MiB:.0f} MiB (at start "
        f"{summary.stats['memusage/startup'] / _MiB:.0f} MiB), failures recorded: {kinds}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", type=Path, help="folder of the large documents")
    parser.add_argument("--only", default="", help="comma-separated document names")
    parser.add_argument("--crawl", action="store_true", help="also crawl them as attachments")
    args = parser.parse_args()
    module = load_corpus_module()
    corpus = module.corpus(args.large or module.large_folder_for(Path(tempfile.gettempdir())))
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    pool = default_pool()
    extract_document(b"<html><body>warm-up</body></html>")  # start the worker
    print(
        f"{'document':28} {'bytes':>10} {'wall s':>7} {'worker MiB':>10} {'cpu s':>6} "
        f"{'caller MiB':>10}  error (or what was read)"
    )
    worst_wall = worst_worker = worst_caller = 0.0
    for name, path in corpus.items():
        if wanted and name not in wanted:
            continue
        data = path.read_bytes()
        pool.last_usage = None
        _reset_peak()
        started = time.perf_counter()
        extraction = extract_document(data, filename=path.name)
        wall = time.perf_counter() - started
        caller = _status_mib("VmHWM")
        usage = pool.last_usage
        worker = (usage.peak_rss or 0) / _MiB if usage else 0.0
        cpu = f"{usage.cpu_s:6.1f}" if usage and usage.cpu_s is not None else "     -"
        if extraction.error:
            outcome = extraction.error
        else:
            outcome = f"read: {len(extraction.text)} characters"
            if extraction.needs_ocr:
                outcome += ", needs OCR"
        if len(outcome) > 110:
            outcome = outcome[:107] + "..."
        worst_wall, worst_worker = max(worst_wall, wall), max(worst_worker, worker)
        worst_caller = max(worst_caller, caller)
        print(
            f"{name:28} {len(data):10d} {wall:7.2f} {worker:10.0f} {cpu} {caller:10.0f}  {outcome}"
        )
        del data, extraction
    print(
        f"worst: {worst_wall:.1f} s wall, worker {worst_worker:.0f} MiB, caller "
        f"{worst_caller:.0f} MiB (limits: 60 s, 1 GB)"
    )
    if args.crawl:
        crawl_corpus({n: p for n, p in corpus.items() if not wanted or n in wanted})


if __name__ == "__main__":
    main()
