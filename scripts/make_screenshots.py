"""Screenshots of the reading room's main pages for the README (docs/screenshots/).

Builds a demo archive the way ``scripts/demo`` does — the bundled sample web crawled
into SQLite — plus a second crawl after the sample sites' edits (so reports have several
versions), serves it with pywb replay beside it, and photographs the pages in Debian's
Chromium:

    .venv/bin/python scripts/make_screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import sampleweb
from crawler.render import CHROMIUM_LAUNCH_OPTIONS
from crawler.run import crawl
from query.history import report_history
from registry.loader import parse_yaml
from storage import reading
from storage.archive import Archive
from web.server import running
from web.settings import WebSettings

FAST = {"DOWNLOAD_TIMEOUT": 2, "NIANBAO_RETRY_BACKOFF": 0.05, "NIANBAO_PROGRESS": False}
PAGES = [
    ("home", "/", None),
    ("search", "/search?q=行政复议&year=2020", None),
    ("report", "/reports/changjie/2020", None),
    ("report-tables", "/reports/changjie/2020#tables", "#tables"),
    ("diff", None, None),
    ("coverage", "/coverage", None),
    ("coverage-county", "/coverage?region=330226", None),
    ("findings", "/findings", None),
    ("archivists", "/archivists", None),
    ("capture-replay", None, "iframe.replay"),
    ("report-en", "/reports/changjie/2020?lang=en", None),
]


def build(folder: Path) -> Archive:
    archive = Archive(f"sqlite:///{folder / 'nianbao.sqlite3'}", data_dir=folder / "data")
    with sampleweb.SampleWeb(state="before", port=0) as web:
        archive.import_registry(parse_yaml(web.registry_yaml()))
        crawl(archive, settings_overrides=FAST)
        web.set_state("after")
        time.sleep(1.1)
        crawl(archive, settings_overrides={**FAST, "NIANBAO_REVERIFY_DAYS": 0})
    return archive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="nianbao-shots-") as tmp:
        archive = build(Path(tmp))
        history = reading.agency_reports(archive, "changjie")
        assert history, "the demo archive has no report of changjie"
        capture = reading.first_report_capture(archive, "changjie", 2020)
        documents = report_history(archive, "changjie:2020")["documents"]
        versions = next(d["versions"] for d in documents if len(d["versions"]) >= 2)
        diff = f"/diff?from={versions[0]['version_id']}&to={versions[1]['version_id']}"
        with (
            running(archive, WebSettings(audit_wait=300)) as (app, _replay),
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(**CHROMIUM_LAUNCH_OPTIONS)
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            for name, path, anchor in PAGES:
                url = app + (path or (diff if name == "diff" else f"/captures/{capture}"))
                page.goto(url)
                page.wait_for_load_state("networkidle")
                if anchor:
                    page.locator(anchor).scroll_into_view_if_needed()
                    if anchor.startswith("iframe"):
                        page.frame_locator(anchor).locator("h1").wait_for()
                page.screenshot(path=str(args.out / f"{name}.png"))
                print(f"{args.out / name}.png  {url}")
            browser.close()
        archive.close()


if __name__ == "__main__":
    main()
