"""Incremental crawls against a small local site that honours ETags (127.0.0.1, port 0):
report pages not downloaded again still lead to their missing attachments, and known
documents that dropped out of every listing are re-verified (and vanish when gone)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.run import crawl
from registry.model import Agency, Registry, Site
from storage.archive import Archive

FAST = {
    "DOWNLOAD_TIMEOUT": 2,
    "NIANBAO_RETRY_BACKOFF": 0.01,
    "NIANBAO_PROGRESS": False,
    "AUTOTHROTTLE_ENABLED": False,
    "NIANBAO_RENDER_ENABLED": False,
}
REPORT = "测试县2023年政府信息公开工作年度报告"
OLD_REPORT = "测试县2021年政府信息公开工作年度报告"
KEPT_REPORT = "测试县2022年政府信息公开工作年度报告"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def page(title: str, body: str = "") -> bytes:
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1>{body}</body></html>"
    ).encode()


def listing(*links: tuple[str, str]) -> bytes:
    items = "".join(f'<li><a href="{h}">{t}</a><span>2024-01-20</span></li>' for h, t in links)
    return page("政府信息公开年报", f"<ul>{items}</ul>")


class EtagSite:
    """Paths answer (status, body) from `routes`, with an ETag derived from the body; a
    request whose If-None-Match matches gets 304. `log` keeps (path, status) per request."""

    def __init__(self, routes: dict[str, tuple[int, bytes]]) -> None:
        self.routes = routes
        self.log: list[tuple[str, int]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                status, body = site.routes.get(self.path, (404, b"not found"))
                etag = f'"{abs(hash(body)):x}"'
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
                site.log.append((self.path, status))
                self.send_response(status)
                kind = "application/pdf" if self.path.endswith(".pdf") else "text/html"
                self.send_header("Content-Type", kind)
                if status in (200, 304):
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def answers(self, path: str) -> list[int]:
        return [status for p, status in self.log if p == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[EtagSite]:
    web = EtagSite({"/robots.txt": (200, b"User-agent: *\n")})
    yield web
    web.stop()


def open_archive(tmp_path: Path, web: EtagSite) -> Archive:
    archive = Archive(f"sqlite:///{tmp_path}/a.sqlite3", data_dir=tmp_path / "data")
    agency = Agency(
        id="ceshi", name="测试县人民政府", level="county", kind="government", aliases=["测试县"]
    )
    entry = Site(
        id="ceshi-gov",
        agency_id="ceshi",
        start_urls=[web.base + "/col/index.html"],
        hosts=["127.0.0.1"],
        render="never",
    )
    archive.import_registry(Registry(agencies=[agency], sites=[entry]))
    return archive


def statuses(archive: Archive) -> dict[str, str]:
    return {doc.url.rsplit("/", 1)[1]: doc.status for doc in archive.known_documents("ceshi-gov")}


def report_with_missing_attachment(web: EtagSite, archive: Archive) -> None:
    """A first crawl archives the report page but not its attachment (here the file is
    not served yet; a crawl killed half-way leaves the same state)."""
    web.routes["/col/index.html"] = (200, listing(("/r.html", REPORT)))
    web.routes["/r.html"] = (200, page(REPORT, '<a href="/r.pdf">附件：年度报告.pdf</a>'))
    crawl(archive, settings_overrides=FAST)
    assert statuses(archive) == {"r.html": "present"}
    web.routes["/r.pdf"] = (200, PDF)
    web.log.clear()


def test_report_page_answering_304_leads_to_its_missing_attachment(
    tmp_path: Path, site: EtagSite
) -> None:
    archive = open_archive(tmp_path, site)
    report_with_missing_attachment(site, archive)

    second = crawl(archive, settings_overrides={**FAST, "NIANBAO_REVERIFY_DAYS": 0})
    assert site.answers("/r.html") == [304]  # not downloaded again
    assert site.answers("/r.pdf") == [200]  # found through the page's archived copy
    assert statuses(archive) == {"r.html": "present", "r.pdf": "present"}
    [pdf] = [d for d in archive.known_documents("ceshi-gov") if d.role == "attachment"]
    assert pdf.parent_url == site.base + "/r.html" and pdf.title == REPORT
    assert second.sites["ceshi-gov"].new_versions == 1  # the attachment only

    site.log.clear()
    third = crawl(archive, settings_overrides={**FAST, "NIANBAO_REVERIFY_DAYS": 0})
    assert site.answers("/r.html") == [304] and site.answers("/r.pdf") == [304]
    assert third.sites["ceshi-gov"].new_versions == 0
    archive.close()


def test_report_page_within_cadence_is_not_fetched_but_its_new_attachment_is(
    tmp_path: Path, site: EtagSite
) -> None:
    archive = open_archive(tmp_path, site)
    report_with_missing_attachment(site, archive)

    crawl(archive, settings_overrides=FAST)  # default cadence: the page was just checked
    assert site.answers("/r.html") == []
    assert site.answers("/r.pdf") == [200]
    assert statuses(archive) == {"r.html": "present", "r.pdf": "present"}

    site.log.clear()
    crawl(archive, settings_overrides=FAST)
    assert site.answers("/r.html") == [] and site.answers("/r.pdf") == []
    archive.close()


def test_known_documents_no_listing_reaches_are_reverified(tmp_path: Path, site: EtagSite) -> None:
    archive = open_archive(tmp_path, site)
    site.routes.update(
        {
            "/col/index.html": (
                200,
                listing(("/r.html", REPORT), ("/old.html", OLD_REPORT), ("/kept.pdf", KEPT_REPORT)),
            ),
            "/r.html": (200, page(REPORT)),
            "/old.html": (200, page(OLD_REPORT, '<a href="/old.pdf">附件.pdf</a>')),
            "/old.pdf": (200, PDF + b"old"),
            "/kept.pdf": (200, PDF + b"kept"),
        }
    )
    crawl(archive, settings_overrides=FAST)
    assert set(statuses(archive).values()) == {"present"} and len(statuses(archive)) == 4

    # The listing drops two reports: one is taken down, the other still served.
    site.routes["/col/index.html"] = (200, listing(("/r.html", REPORT)))
    del site.routes["/old.html"], site.routes["/old.pdf"]
    site.log.clear()
    summary = crawl(archive, settings_overrides=FAST)
    assert site.answers("/r.html") == []  # listed and within the cadence
    assert site.answers("/old.html") == [404] and site.answers("/old.pdf") == [404]
    assert site.answers("/kept.pdf") == [304]  # re-verified with its validators
    assert statuses(archive) == {
        "r.html": "present",
        "old.html": "vanished",
        "old.pdf": "vanished",
        "kept.pdf": "present",
    }
    assert summary.sites["ceshi-gov"].new_versions == 0

    # Vanished documents are not asked for again while no listing links them.
    site.log.clear()
    crawl(archive, settings_overrides=FAST)
    assert site.answers("/old.html") == [] and site.answers("/kept.pdf") == [304]
    archive.close()


def test_a_report_within_cadence_is_observed_as_listed(tmp_path: Path, site: EtagSite) -> None:
    """A second crawl within NIANBAO_REVERIFY_DAYS does not fetch a known report again,
    but still records that it saw the report listed, with the listing's capture of that
    crawl as evidence; the document's last verification time is left alone."""
    from query.history import report_history
    from storage.models import CaptureRow, ObservationRow

    archive = open_archive(tmp_path, site)
    site.routes["/col/index.html"] = (200, listing(("/r.html", REPORT)))
    site.routes["/r.html"] = (200, page(REPORT))
    crawl(archive, settings_overrides=FAST)
    [before] = archive.known_documents("ceshi-gov")
    site.log.clear()
    second = crawl(archive, settings_overrides=FAST)
    assert site.answers("/r.html") == []  # not fetched again
    with archive.session() as s:
        rows = s.execute(
            select(ObservationRow, CaptureRow).join(
                CaptureRow, CaptureRow.id == ObservationRow.capture_id
            )
        ).all()
    listed = [(o, c) for o, c in rows if o.outcome == "listed"]
    assert len(listed) == 1
    obs, cap = listed[0]
    assert obs.run_id == second.run_id and cap.run_id == second.run_id
    assert cap.url == site.base + "/col/index.html" and cap.role == "listing"
    assert obs.version_id is not None
    [after] = archive.known_documents("ceshi-gov")
    assert after.last_seen_at == before.last_seen_at
    history = report_history(archive, "ceshi:2023")
    assert [o["outcome"] for o in history["documents"][0]["observations"]] == [
        "new_version",
        "listed",
    ]
    archive.close()


def nav_listing_report(web: EtagSite) -> None:
    web.routes.update(
        {
            "/col/index.html": (
                200,
                page("政务公开", '<a href="/col/nb/index.html">政府信息公开年报</a>'),
            ),
            "/col/nb/index.html": (200, listing(("/r.html", REPORT))),
            "/r.html": (200, page(REPORT)),
        }
    )


def test_unchanged_navigation_and_listing_pages_are_read_from_the_archive(
    tmp_path: Path, site: EtagSite
) -> None:
    """Navigation and listing pages are kept as captures; a later crawl asks for them with
    their validators (a navigation page captured within the revisit interval not at all)
    and, on 304, walks on from their archived copies: no page is downloaded again, the
    listed report is still observed (the 304 is this crawl's evidence), and a changed
    listing is read in full and its new report found."""
    from storage.models import CaptureRow, ObservationRow

    archive = open_archive(tmp_path, site)
    nav_listing_report(site)
    crawl(archive, settings_overrides=FAST)
    with archive.session() as s:
        roles = {c.url.removeprefix(site.base): c.role for c in s.scalars(select(CaptureRow))}
    assert roles["/col/index.html"] == "page" and roles["/col/nb/index.html"] == "listing"

    site.log.clear()
    second = crawl(archive, settings_overrides=FAST)
    assert site.answers("/col/index.html") == [304]
    assert site.answers("/col/nb/index.html") == [304]
    assert site.answers("/r.html") == []  # listed, within the cadence
    figures = second.sites["ceshi-gov"]
    assert figures.new_versions == 0 and figures.reports_found == 1
    assert second.stats["nianbao/ceshi-gov/pages_not_modified"] == 2
    with archive.session() as s:
        [(obs, cap)] = s.execute(
            select(ObservationRow, CaptureRow)
            .join(CaptureRow, CaptureRow.id == ObservationRow.capture_id)
            .where(ObservationRow.run_id == second.run_id)
        ).all()
    assert obs.outcome == "listed" and cap.status == 304 and cap.role == "listing"

    # A new report on the listing: the page changed, is read in full, the report found.
    site.routes["/col/nb/index.html"] = (
        200,
        listing(("/r.html", REPORT), ("/r2.html", KEPT_REPORT)),
    )
    site.routes["/r2.html"] = (200, page(KEPT_REPORT))
    site.log.clear()
    third = crawl(archive, settings_overrides={**FAST, "NIANBAO_NAVIGATION_REVISIT_HOURS": 24})
    assert site.answers("/col/index.html") == []  # within the revisit interval
    assert third.stats["nianbao/ceshi-gov/pages_within_revisit"] == 1
    assert site.answers("/col/nb/index.html") == [200]
    assert statuses(archive) == {"r.html": "present", "r2.html": "present"}
    archive.close()


def test_a_page_whose_archived_copy_is_unreadable_is_asked_for_in_full(
    tmp_path: Path, site: EtagSite
) -> None:
    archive = open_archive(tmp_path, site)
    nav_listing_report(site)
    crawl(archive, settings_overrides=FAST)
    warcs = list((tmp_path / "data").rglob("*.warc.gz"))
    assert warcs
    for warc in warcs:
        warc.write_bytes(b"")  # the copies are gone

    site.log.clear()
    second = crawl(archive, settings_overrides=FAST)
    assert site.answers("/col/index.html") == [304, 200]
    assert site.answers("/col/nb/index.html") == [304, 200]
    assert second.stats["nianbao/ceshi-gov/archived_copy_missing"] >= 2
    assert statuses(archive) == {"r.html": "present"}
    archive.close()


def test_pages_are_asked_for_in_full_when_conditional_pages_are_off(
    tmp_path: Path, site: EtagSite
) -> None:
    archive = open_archive(tmp_path, site)
    nav_listing_report(site)
    crawl(archive, settings_overrides=FAST)
    site.log.clear()
    crawl(archive, settings_overrides={**FAST, "NIANBAO_CONDITIONAL_PAGES": False})
    assert site.answers("/col/index.html") == [200]
    assert site.answers("/col/nb/index.html") == [200]
    archive.close()
