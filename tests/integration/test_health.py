"""Run history and site health, on archives built through the real API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from capture.recorder import CaptureRecorder
from capture.types import FetchedResponse, Role
from ops.health import last_complete_season, site_health
from ops.runs import site_runs
from registry.loader import parse_yaml

REGISTRY = """
agencies:
  - {id: a, name: 甲县人民政府, level: county, kind: government}
sites:
""" + "".join(
    f'  - {{id: {name}, agency: a, start_urls: ["http://{name}.example/"]}}\n'
    for name in ("fine", "flaky", "walled", "emptied", "frozen", "lively", "new")
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def run(
    archive, site_id: str, outcome: str = "success", *, reports: int = 3, errors=None, blocked=False
) -> int:
    run_id = archive.begin_run([site_id])
    stats = {
        "pages": 10,
        "requests": 12,
        "bytes": 5000,
        "reports_found": reports,
        "new_versions": 1,
        "errors": errors or {},
        "blocked": blocked,
        "outcome": outcome,
    }
    archive.end_run(run_id, outcome=outcome, site_stats={site_id: stats})
    return run_id


def listing(recorder: CaptureRecorder, site_id: str, at: datetime, body: bytes) -> None:
    recorder.record(
        FetchedResponse(
            url=f"http://{site_id}.example/list.html",
            status=200,
            body=body,
            fetched_at=at,
            site_id=site_id,
            role=Role.LISTING,
            response_headers=[("Content-Type", "text/html")],
        )
    )


def build(archive) -> None:
    archive.import_registry(parse_yaml(REGISTRY))
    run(archive, "fine")
    run(archive, "fine", errors={"timeout": 1})
    run(archive, "flaky")
    flaky = run(archive, "flaky", "failed", reports=0, errors={"http_status": 4})
    archive.record_failure(flaky, "flaky", "http://flaky.example/x", "http_status", "HTTP 503", 503)
    archive.record_failure(flaky, "flaky", "http://flaky.example/y", "extraction", "unreadable pdf")
    run(archive, "flaky", "failed", reports=0, errors={"timeout": 2})
    run(archive, "walled", "failed", reports=0)
    run(archive, "walled", "blocked", reports=0, errors={"blocked": 1}, blocked=True)
    run(archive, "emptied", reports=2)
    run(archive, "emptied", reports=0)
    run(archive, "frozen")
    run(archive, "lively")
    start, _end, _ = last_complete_season(NOW)
    with CaptureRecorder.open(archive) as recorder:
        for week in range(15):
            at = start + timedelta(days=7 * week)
            listing(recorder, "frozen", at, b"<html>the same list all season</html>")
            listing(recorder, "lively", at, f"<html>list, {week // 5} reports</html>".encode())


def test_runs_list_every_site_run_with_errors_by_kind(archive) -> None:
    build(archive)
    rows = site_runs(archive, site_id="flaky")
    assert [r["outcome"] for r in rows] == ["failed", "failed", "success"]
    second = rows[1]
    assert second["errors"] == {"http_status": 4, "extraction": 1}
    assert second["error_total"] == 5
    assert (second["pages"], second["bytes"], second["reports_found"], second["new_versions"]) == (
        10,
        5000,
        0,
        1,
    )
    assert second["started_at"] and second["finished_at"] and second["seconds"] >= 0
    assert len(site_runs(archive, limit=4)) == 4
    assert {r["site_id"] for r in site_runs(archive, outcome="blocked")} == {"walled"}
    assert site_runs(archive, since=datetime.now(UTC) + timedelta(hours=1)) == []


def test_health_is_sorted_worst_first_with_reasons(archive) -> None:
    build(archive)
    health = site_health(archive, now=NOW)
    assert [(h.site_id, h.state) for h in health] == [
        ("walled", "blocked"),
        ("flaky", "failing"),
        ("emptied", "report_missing"),
        ("frozen", "stale_listing"),
        ("new", "never_crawled"),
        ("fine", "ok"),
        ("lively", "ok"),
    ]
    by_id = {h.site_id: h for h in health}
    assert by_id["walled"].consecutive_failures == 2 and by_id["walled"].blocked
    assert by_id["walled"].last_success_at is None
    assert by_id["flaky"].consecutive_failures == 2 and by_id["flaky"].last_success_at is not None
    assert by_id["flaky"].problems == ["2 failed run(s) in a row"]
    assert by_id["emptied"].problems == ["no report found; an earlier run found 2"]
    assert by_id["frozen"].stale_listing_season == 2026
    assert by_id["fine"].problems == [] and by_id["fine"].consecutive_failures == 0


def test_a_season_not_yet_over_is_not_judged(archive) -> None:
    build(archive)
    during = datetime(2026, 3, 1, tzinfo=UTC)  # the 2026 season is still on; 2025's had no captures
    assert {h.site_id: h.state for h in site_health(archive, now=during)}["frozen"] == "ok"


def test_a_vanished_report_makes_the_site_report_missing(archive) -> None:
    build(archive)
    url = "http://fine.example/2025.html"
    page = "<html><head><title>甲县人民政府2025年政府信息公开工作年度报告</title></head><body><p>正文</p></body></html>"
    with CaptureRecorder.open(archive) as recorder:
        for status, body in ((200, page.encode()), (404, b"not found")):
            recorder.record(
                FetchedResponse(
                    url=url,
                    status=status,
                    body=body,
                    fetched_at=NOW - timedelta(days=3),
                    site_id="fine",
                    role=Role.REPORT,
                    year=2025,
                    title="甲县人民政府2025年政府信息公开工作年度报告",
                    response_headers=[("Content-Type", "text/html; charset=utf-8")],
                )
            )
    fine = site_health(archive, now=NOW, site_ids=["fine"])[0]
    assert fine.state == "report_missing" and fine.vanished_documents == 1


def test_runs_and_health_commands(tmp_path) -> None:
    from click.testing import CliRunner

    from nianbao.cli import cli
    from storage.archive import Archive

    db = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    archive = Archive(db, data_dir=tmp_path)
    build(archive)
    archive.close()
    runner = CliRunner()
    runs = runner.invoke(cli, ["runs", "--site", "flaky", "--db", db])
    assert runs.exit_code == 0, runs.output
    assert runs.output.splitlines()[0].split()[:5] == [
        "run_id",
        "site_id",
        "started_at",
        "seconds",
        "outcome",
    ]
    assert "http_status 4, extraction 1" in runs.output
    health = runner.invoke(cli, ["health", "--unhealthy", "--format", "csv", "--db", db])
    assert health.exit_code == 0, health.output
    lines = health.output.splitlines()
    assert lines[0].startswith("site_id,state") and [line.split(",")[0] for line in lines[1:3]] == [
        "walled",
        "flaky",
    ]
    assert not any(line.startswith(("fine,", "new,")) for line in lines)


def test_the_last_complete_crawl_is_the_newest_successful_run_within_its_budget(archive) -> None:
    """Incremental listings rest on it: a crawl killed midway, blocked, partial or cut
    short by the page budget did not walk every listing, so it is not the last complete
    one (the next crawl must walk on)."""
    archive.import_registry(parse_yaml(REGISTRY))
    assert archive.last_complete_crawl("fine") is None
    run(archive, "fine")
    complete = archive.last_complete_crawl("fine")
    assert complete is not None
    run(archive, "fine", "partial", errors={"http_status": 2})
    run(archive, "fine", "blocked", blocked=True)
    run(archive, "fine", errors={"budget": 1})  # success, but the budget ran out
    archive.begin_run(["fine"])  # killed: never ended
    assert archive.last_complete_crawl("fine") == complete
    run(archive, "fine", errors={"robots": 3})
    later = archive.last_complete_crawl("fine")
    assert later is not None and later > complete
    assert archive.last_complete_crawl("flaky") is None
