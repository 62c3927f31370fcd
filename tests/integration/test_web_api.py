"""The reading room's JSON API, in process (httpx through FastAPI's TestClient), on a real
archive: the sample web crawled into SQLite and into PostgreSQL. Every resource, its
filters and paging, the exports against the command line's, the evidence downloads, and
bad input on every parameter (a 4xx with a message, never a 5xx)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from warcio.archiveiterator import ArchiveIterator
from web_helpers import EDITED_SITE, crawl_sample_web, database

import sampleweb
from audit.matrix import RegionTree, all_crawls
from nianbao.cli import cli
from storage.archive import Archive
from web.app import create_app
from web.room import Room
from web.settings import WebSettings

TOKEN = "test-admin-token-0123456789"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def crawled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Archive]:
    tmp = tmp_path_factory.mktemp(f"web-{request.param}")
    with database(request.param, tmp) as url:
        archive = Archive(url, data_dir=tmp / "data")
        with sampleweb.SampleWeb(state="before", port=0, hostile=True) as web:
            crawl_sample_web(archive, web)
        yield archive
        archive.close()


@pytest.fixture(scope="module")
def client(crawled: Archive) -> Iterator[TestClient]:
    room = Room(crawled, WebSettings(admin_token=TOKEN, audit_wait=120))
    with TestClient(create_app(room)) as c:
        yield c


def ok(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def archive_of(client: TestClient) -> Archive:
    """The archive of the reading room a client talks to."""
    app = client.app
    assert isinstance(app, FastAPI)
    archive: Archive = app.state.room.archive
    return archive


def cli_out(archive: Archive, *args: str) -> str:
    result = CliRunner().invoke(
        cli, [*args, "--db", archive.url], env={"NIANBAO_DATA_DIR": str(archive.data_dir)}
    )
    assert result.exit_code == 0, result.output
    return result.output


def edited_report(client: TestClient) -> tuple[str, int, list[int]]:
    """A report of the edited site with a document of two versions."""
    for item in ok(client.get("/api/v1/reports", params={"limit": 1000}))["items"]:
        for doc in item["documents"]:
            if doc["versions"] >= 2:
                view = ok(client.get(f"/api/v1/reports/{item['agency_id']}/{item['year']}"))
                for d in view["documents"]:
                    if len(d["versions"]) >= 2:
                        return (
                            item["agency_id"],
                            item["year"],
                            [v["version_id"] for v in d["versions"]],
                        )
    raise AssertionError(f"no report with two versions after re-crawling {EDITED_SITE}")


# -- search -----------------------------------------------------------------------------
def test_search_hits_snippets_facets_and_paging(client: TestClient) -> None:
    first = ok(client.get("/api/v1/search", params={"q": "行政复议", "limit": 3}))
    assert first["total"] > 3 and len(first["hits"]) == 3
    hit = first["hits"][0]
    for field in (
        "agency_id",
        "agency_name",
        "year",
        "url",
        "version_id",
        "captured_at",
        "sha256",
        "snippet",
    ):
        assert field in hit
    assert "«行政复议»" in hit["snippet"]
    assert sum(first["facets"]["year"].values()) == first["total"]
    assert sum(first["facets"]["level"].values()) == first["total"]
    second = ok(client.get("/api/v1/search", params={"q": "行政复议", "limit": 3, "offset": 3}))
    assert {h["version_id"] for h in first["hits"]}.isdisjoint(
        h["version_id"] for h in second["hits"]
    )
    year = next(iter(first["facets"]["year"]))
    only = ok(client.get("/api/v1/search", params={"q": "行政复议", "year": year, "limit": 100}))
    assert only["total"] == first["facets"]["year"][year]
    assert all(h["year"] == int(year) for h in only["hits"])
    # the same hits as the command line
    lines = cli_out(archive_of(client), "search", "行政复议", "--format", "jsonl", "--limit", "3")
    assert [json.loads(x)["version_id"] for x in lines.splitlines()] == [
        h["version_id"] for h in first["hits"]
    ]


def test_search_filters_level_region_layout_versions(client: TestClient) -> None:
    county = ok(
        client.get("/api/v1/search", params={"q": "政府信息", "level": "county", "limit": 100})
    )
    assert county["hits"] and all(h["level"] == "county" for h in county["hits"])
    region = ok(
        client.get("/api/v1/search", params={"q": "政府信息", "region": "3302", "limit": 100})
    )
    assert region["hits"] and all(
        (h["division_code"] or "3302").startswith("3302") for h in region["hits"]
    )
    latest = ok(client.get("/api/v1/search", params={"q": "政府信息", "limit": 100}))
    every = ok(
        client.get("/api/v1/search", params={"q": "政府信息", "all_versions": True, "limit": 100})
    )
    assert every["total"] > latest["total"]
    layout = ok(
        client.get("/api/v1/search", params={"q": "政府信息", "layout": "2019", "limit": 5})
    )
    assert layout["total"] >= 1


# -- reports, versions, diff -------------------------------------------------------------
def test_reports_list_has_the_export_fields_and_pages(client: TestClient) -> None:
    page = ok(client.get("/api/v1/reports", params={"limit": 5}))
    assert page["more"] is True and len(page["items"]) == 5
    item = page["items"][0]
    assert set(item) >= {
        "agency_id",
        "agency_name",
        "registered",
        "year",
        "title",
        "published_at",
        "first_seen_at",
        "status",
        "versions",
        "documents",
    }
    assert set(item["documents"][0]) >= {
        "url",
        "media_type",
        "sha256",
        "content_sha256",
        "versions",
        "status",
    }
    everything = ok(client.get("/api/v1/reports", params={"limit": 1000}))["items"]
    cli_lines = cli_out(archive_of(client), "reports").splitlines()
    assert everything == [json.loads(x) for x in cli_lines]
    second = ok(client.get("/api/v1/reports", params={"limit": 5, "offset": 5}))["items"]
    assert second == everything[5:10]


def test_report_detail_timing_tables_checks_findings(client: TestClient) -> None:
    agency, year, _ = edited_report(client)
    view = ok(client.get(f"/api/v1/reports/{agency}/{year}"))
    assert view["agency_id"] == agency and view["year"] == year
    assert view["timing"]["status"] in ("on_time", "late", "undetermined")
    assert view["timing"]["due"]
    assert any(f["finding"] == "changed" for f in view["findings"])
    assert view["main"]["layout"] in ("2019", "2021")
    assert view["tables"] and view["main"]["checks"]
    t3 = next(t for t in view["tables"] if t["key"] == "t3")
    assert t3["blocks"][0]["columns"][-1] == "total"
    doc = next(d for d in view["documents"] if len(d["versions"]) >= 2)
    assert doc["observations"] and doc["versions"][0]["capture"]["sha256"]


def test_version_and_diff(client: TestClient) -> None:
    _, _, (old, new, *_) = edited_report(client)
    version = ok(client.get(f"/api/v1/versions/{new}"))
    assert version["text"] and version["version"] == 2 and version["extraction"]["values"]
    diff = ok(client.get("/api/v1/diff", params={"from": old, "to": new}))
    assert diff["from"]["version_id"] == old and diff["to"]["version_id"] == new
    assert diff["text"] or diff["values"]
    cli = json.loads(cli_out(archive_of(client), "diff", str(old), str(new), "--format", "jsonl"))
    assert cli["values"] == diff["values"] and cli["text"] == diff["text"]


# -- stats and findings exports ----------------------------------------------------------
def test_stats_json_csv_parquet_match_the_command_line(client: TestClient, tmp_path: Path) -> None:
    archive = archive_of(client)
    data = ok(client.get("/api/v1/stats", params={"limit": 1000}))
    assert data["items"] == [json.loads(x) for x in cli_out(archive, "stats").splitlines()]
    api_csv = client.get("/api/v1/stats", params={"format": "csv", "year": 2020})
    assert api_csv.status_code == 200 and api_csv.headers["content-type"].startswith("text/csv")
    assert api_csv.text == cli_out(archive, "stats", "--format", "csv", "--year", "2020")
    api_pq = client.get("/api/v1/stats", params={"format": "parquet", "layout": "2019"})
    assert api_pq.status_code == 200
    cli_out(
        archive,
        "stats",
        "--format",
        "parquet",
        "--layout",
        "2019",
        "--out",
        str(tmp_path / "s.parquet"),
    )
    mine = pq.read_table(io.BytesIO(api_pq.content))
    theirs = pq.read_table(tmp_path / "s.parquet")
    assert mine.schema == theirs.schema and mine.num_rows == theirs.num_rows > 0


def test_findings_filters_and_exports(client: TestClient) -> None:
    archive = archive_of(client)
    data = ok(client.get("/api/v1/findings", params={"limit": 1000}))
    kinds = {f["finding"] for f in data["items"]}
    assert {"changed", "missing"} <= kinds, kinds
    cli_records = [json.loads(x) for x in cli_out(archive, "audit").splitlines()]
    key = lambda f: (f["agency_id"], f["year"], f["finding"], f["detail"])  # noqa: E731
    assert sorted(map(key, data["items"])) == sorted(map(key, cli_records))
    changed = ok(client.get("/api/v1/findings", params={"finding": "changed"}))
    assert changed["total"] == data["counts"]["changed"] and all(
        f["finding"] == "changed" for f in changed["items"]
    )
    region = ok(client.get("/api/v1/findings", params={"region": "3302", "limit": 1000}))
    assert 0 < region["total"] < data["total"]
    year = ok(client.get("/api/v1/findings", params={"year": 2020, "limit": 1000}))
    assert year["items"] and all(f["year"] == 2020 for f in year["items"])
    as_csv = client.get("/api/v1/findings", params={"format": "csv", "finding": "changed"})
    header = next(csv.reader(io.StringIO(as_csv.text)))
    cli_header = next(
        csv.reader(
            io.StringIO(cli_out(archive, "audit", "--finding", "changed", "--format", "csv"))
        )
    )
    assert header == cli_header
    table = pq.read_table(
        io.BytesIO(
            client.get(
                "/api/v1/findings", params={"format": "parquet", "finding": "changed"}
            ).content
        )
    )
    assert table.column_names == header and table.num_rows == changed["total"]


# -- coverage, agencies, sites, runs ------------------------------------------------------
def test_coverage_matches_the_audit_and_drills_down(client: TestClient, tmp_path: Path) -> None:
    archive = archive_of(client)
    years = [2019, 2020, 2021]
    county = ok(client.get("/api/v1/coverage", params={"region": "330226", "year": years}))
    rows = {r["agency_id"]: r["cells"] for r in county["agencies"]}
    assert "ninghai" in rows and county["breadcrumbs"][0]["region"] == "33"
    # every cell as `nianbao coverage` judges it
    cli_out(
        archive,
        "coverage",
        *[a for y in years for a in ("--year", str(y))],
        "--out",
        str(tmp_path / "c.csv"),
    )
    text = (tmp_path / "c.csv").read_text(encoding="utf-8")
    judged = {row["agency_id"]: row for row in csv.DictReader(io.StringIO(text))}
    for agency_id, cells in rows.items():
        for y in years:
            assert cells.get(str(y), "") == judged[agency_id][str(y)], (agency_id, y)
    country = ok(client.get("/api/v1/coverage", params={"year": years}))
    assert "33" in {g["key"] for g in country["groups"]}
    assert sum(country["totals"].values()) == country["cells"] > 0
    province = ok(client.get("/api/v1/coverage", params={"region": "33", "year": years}))
    assert [g["key"] for g in province["groups"]] == ["3302"]
    city = ok(client.get("/api/v1/coverage", params={"region": "3302", "year": years}))
    assert [g["key"] for g in city["groups"]] == ["330226"]
    every = ok(
        client.get(
            "/api/v1/coverage",
            params={
                "region": "330226",
                "year": years,
                "level": ["county", "township"],
                "kind": ["government"],
            },
        )
    )
    assert {r["level"] for r in every["agencies"]} <= {"county", "township"}


def test_agencies_sites_runs_health(client: TestClient) -> None:
    listed = ok(client.get("/api/v1/agencies", params={"level": "county", "limit": 2}))
    assert listed["total"] > 2 and len(listed["items"]) == 2
    assert all(a["level"] == "county" for a in listed["items"])
    coded = ok(client.get("/api/v1/agencies", params={"region": "3302"}))
    assert [a["agency_id"] for a in coded["items"]] == ["ninghai"]
    named = ok(client.get("/api/v1/agencies", params={"name": "宁海"}))
    assert all("宁海" in a["agency_name"] for a in named["items"])
    agency = ok(client.get("/api/v1/agencies/ninghai"))
    assert agency["sites"][0]["site_id"] == "ninghai-gov" and agency["sites"][0]["schedule"]
    assert any(y["report"] for y in agency["years"])
    sites = ok(client.get("/api/v1/sites"))["items"]
    states = [s["health"]["state"] for s in sites]
    order = [
        "blocked",
        "failing",
        "report_missing",
        "no_report_found",
        "stale_listing",
        "never_crawled",
        "ok",
    ]
    assert states == sorted(states, key=order.index) and states[0] == "blocked"
    assert ok(client.get("/api/v1/sites/xingyang-gov"))["health"]["blocked"] is True
    runs = ok(client.get("/api/v1/runs", params={"site": EDITED_SITE}))["items"]
    assert len(runs) == 2 and all(r["site_id"] == EDITED_SITE for r in runs)
    assert ok(client.get("/api/v1/health"))["total"] == len(sites)


# -- evidence ---------------------------------------------------------------------------
def test_original_bytes_warc_record_and_cdx(client: TestClient) -> None:
    agency, year, _ = edited_report(client)
    view = ok(client.get(f"/api/v1/reports/{agency}/{year}"))
    for doc in view["documents"]:
        cap = doc["versions"][-1]["capture"]
        r = client.get(f"/api/v1/captures/{cap['capture_id']}/original")
        assert r.status_code == 200
        assert hashlib.sha256(r.content).hexdigest() == cap["sha256"]
        assert r.headers["content-disposition"].startswith("attachment;")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["content-security-policy"].startswith("sandbox")
        assert r.headers["content-type"].split(";")[0] == doc["media_type"]
        w = client.get(f"/api/v1/captures/{cap['capture_id']}/warc")
        record = next(
            iter(
                ArchiveIterator(
                    io.BytesIO(zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(w.content))
                )
            )
        )
        detail = ok(client.get(f"/api/v1/captures/{cap['capture_id']}"))
        assert record.rec_headers.get_header("WARC-Record-ID") == detail["warc_record_id"]
        assert record.rec_headers.get_header("WARC-Target-URI") == cap["url"]
        lines = client.get("/api/v1/cdx", params={"url": cap["url"]}).text.splitlines()
        assert any(
            json.loads(line.split(" ", 2)[2])["offset"] == str(detail["warc_offset"])
            for line in lines
        )


def test_attachment_download_name_and_type(client: TestClient) -> None:
    """The PDF served by a download endpoint without an extension, named by RFC 5987
    Content-Disposition, comes back as application/pdf with the publisher's name."""
    reports = ok(client.get("/api/v1/reports", params={"limit": 1000}))["items"]
    doc = next(d for r in reports for d in r["documents"] if "download.jsp" in d["url"])
    view = ok(
        client.get(
            f"/api/v1/reports/{next(r['agency_id'] for r in reports if doc in r['documents'])}/2024"
        )
    )
    cap = next(
        v["capture"] for d in view["documents"] if d["url"] == doc["url"] for v in d["versions"]
    )
    r = client.get(f"/api/v1/captures/{cap['capture_id']}/original")
    assert r.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    assert (
        ".pdf" in r.headers["content-disposition"]
        and "%E6%B7%AE%E5%AE%89" in r.headers["content-disposition"]
    )


# -- admin ------------------------------------------------------------------------------
def test_admin_actions_need_the_token(client: TestClient) -> None:
    assert (
        client.put("/api/v1/admin/schedules/ninghai-gov", json={"spec": "0 3 * * *"}).status_code
        == 401
    )
    bad = {"Authorization": "Bearer wrong-token-wrong-token"}
    assert (
        client.put(
            "/api/v1/admin/schedules/ninghai-gov", json={"spec": "0 3 * * *"}, headers=bad
        ).status_code
        == 401
    )
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = client.put("/api/v1/admin/schedules/ninghai-gov", json={"spec": "0 4 * * *"}, headers=auth)
    assert ok(r)["spec"] == "0 4 * * *"
    assert ok(client.get("/api/v1/sites/ninghai-gov"))["schedule"] == "0 4 * * *"
    assert (
        client.put(
            "/api/v1/admin/schedules/ninghai-gov", json={"spec": "every day"}, headers=auth
        ).status_code
        == 400
    )
    assert (
        ok(client.put("/api/v1/admin/schedules/ninghai-gov", json={"spec": None}, headers=auth))[
            "source"
        ]
        != "override"
    )
    yaml = "agencies:\n  - id: newtown\n    name: 新城镇人民政府\n    level: township\n    kind: government\n    parent: ninghai\n"
    r = client.post(
        "/api/v1/admin/registry", content=yaml, headers={**auth, "Content-Type": "text/plain"}
    )
    assert ok(r)["added"] == 1
    assert ok(client.get("/api/v1/agencies/newtown"))["agency"]["agency_name"] == "新城镇人民政府"
    r = client.post(
        "/api/v1/admin/registry",
        content="agencies: [oops",
        headers={**auth, "Content-Type": "text/plain"},
    )
    assert r.status_code == 400 and "invalid YAML" in r.json()["error"]
    r = client.post("/api/v1/admin/crawls", json={"sites": ["no-such-site"]}, headers=auth)
    assert r.status_code == 400 and "no-such-site" in r.json()["error"]


def test_read_only_without_a_token(crawled: Archive) -> None:
    with TestClient(create_app(Room(crawled, WebSettings()))) as c:
        r = c.put(
            "/api/v1/admin/schedules/ninghai-gov",
            json={"spec": "0 3 * * *"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert r.status_code == 403 and "read-only" in r.json()["error"]


# -- bad input on every parameter --------------------------------------------------------
BAD: list[tuple[str, dict[str, object]]] = [
    ("/api/v1/search", {"q": ""}),
    ("/api/v1/search", {"q": '"unclosed'}),
    ("/api/v1/search", {"q": "NOT 复议"}),
    ("/api/v1/search", {"q": "复议", "year": "twenty"}),
    ("/api/v1/search", {"q": "复议", "year": 99999}),
    ("/api/v1/search", {"q": "复议", "level": "village"}),
    ("/api/v1/search", {"q": "复议", "kind": "ministry"}),
    ("/api/v1/search", {"q": "复议", "region": "33a"}),
    ("/api/v1/search", {"q": "复议", "layout": "2020"}),
    ("/api/v1/search", {"q": "复议", "all_versions": "perhaps"}),
    ("/api/v1/search", {"q": "复议", "limit": 0}),
    ("/api/v1/search", {"q": "复议", "limit": 101}),
    ("/api/v1/search", {"q": "复议", "offset": -1}),
    ("/api/v1/search", {"q": "复议", "agency": "a/b"}),
    ("/api/v1/search", {"q": "复议\x00"}),
    ("/api/v1/reports", {"year": "x"}),
    ("/api/v1/reports", {"site": "x" * 200}),
    ("/api/v1/reports", {"limit": 1001}),
    ("/api/v1/reports", {"offset": "many"}),
    ("/api/v1/reports/ninghai/1066", {}),
    ("/api/v1/reports/ninghai/year", {}),
    ("/api/v1/reports/nobody/2020", {}),
    ("/api/v1/versions/0", {}),
    ("/api/v1/versions/99999999999999999999999", {}),
    ("/api/v1/versions/12345678", {}),
    ("/api/v1/diff", {"from": 1}),
    ("/api/v1/diff", {"from": "a", "to": 2}),
    ("/api/v1/diff", {"from": 1, "to": 99999999}),
    ("/api/v1/stats", {"format": "xlsx"}),
    ("/api/v1/stats", {"layout": "1999"}),
    ("/api/v1/stats", {"limit": 0}),
    ("/api/v1/findings", {"finding": "rude"}),
    ("/api/v1/findings", {"region": "zhejiang"}),
    ("/api/v1/findings", {"year": 1800}),
    ("/api/v1/findings", {"format": "pdf"}),
    ("/api/v1/coverage", {"region": "3x"}),
    ("/api/v1/coverage", {"year": 1500}),
    ("/api/v1/coverage", {"level": "galaxy"}),
    ("/api/v1/coverage", {"kind": "party"}),
    ("/api/v1/agencies", {"level": "x"}),
    ("/api/v1/agencies", {"registered": "maybe"}),
    ("/api/v1/agencies", {"name": "a\x01b"}),
    ("/api/v1/agencies/nobody", {}),
    ("/api/v1/sites/nowhere", {}),
    ("/api/v1/runs", {"outcome": "great"}),
    ("/api/v1/runs", {"run": 0}),
    ("/api/v1/captures/0", {}),
    ("/api/v1/captures/987654321/original", {}),
    ("/api/v1/captures/abc/warc", {}),
    ("/api/v1/cdx", {}),
    ("/api/v1/cdx", {"url": "http://x/", "closest": "yesterday"}),
    ("/api/v1/cdx", {"url": "http://x/", "matchType": "fuzzy"}),
]


@pytest.mark.parametrize(("path", "params"), BAD, ids=[f"{p}?{sorted(q)}" for p, q in BAD])
def test_bad_input_is_a_clear_4xx(client: TestClient, path: str, params: dict) -> None:
    r = client.get(path, params=params)
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    body = r.json()
    assert isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in r.text


def test_fast_judgement_agrees_with_the_audit_on_every_cell(crawled: Archive) -> None:
    from datetime import UTC, datetime

    from audit.deadlines import Deadlines
    from audit.matrix import RegionTree, all_crawls, judge, judge_by_auditor

    tree = RegionTree.load(crawled)
    years = list(range(2018, 2027))
    deadlines = Deadlines.load()
    seen: set[str] = set()
    crawls = all_crawls(crawled)
    merged: dict = {}  # kept across judgements, as the reading room keeps it with the crawls
    for as_of in (datetime(2021, 3, 1, tzinfo=UTC), datetime.now(UTC)):
        slow = judge_by_auditor(
            crawled, tree, list(tree.agencies), years, as_of=as_of, deadlines=deadlines
        )
        for kept in (None, merged, merged):
            fast = judge(
                crawled,
                tree,
                list(tree.agencies),
                years,
                as_of=as_of,
                deadlines=deadlines,
                crawls=crawls,
                merged=kept,
            )
            assert [(c.agency_id, c.year, c.status, c.due) for c in fast] == [
                (c.agency_id, c.year, c.status, c.due) for c in slow
            ]
        assert merged
        seen.update(c.status for c in fast)
    assert {"on_time", "missing", "not_yet_due", "unchecked"} <= seen, seen


def test_the_room_reads_its_coverage_caches_at_start(crawled: Archive) -> None:
    """The region tree and the sites' crawls are read when the app starts, and are what
    a fresh read gives."""
    room = Room(crawled, WebSettings())
    with TestClient(create_app(room)) as c:
        assert room._tree is not None and room._crawls is not None
        fresh = RegionTree.load(crawled)
        assert room._tree.code == fresh.code and room._tree.version == fresh.version
        assert room._crawls[1] == all_crawls(crawled)
        # the page after a warm start is the page a fresh room makes
        years = {"year": [2019, 2020, 2021]}
        warm = ok(c.get("/api/v1/coverage", params=years))
    with TestClient(create_app(Room(crawled, WebSettings()))) as fresh_client:
        cold = ok(fresh_client.get("/api/v1/coverage", params=years))
    warm.pop("as_of"), cold.pop("as_of")
    assert cold == warm
