"""The reading room's pages, in process, on the crawled sample web (with its hostile site):
every page renders in Chinese and English, archived markup is text everywhere, security
headers, the admin session and CSRF, the Atom feed, error pages; and schemathesis
against /openapi.json finds no server error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from web_helpers import crawl_sample_web, database

import sampleweb
from storage import reading
from storage.archive import Archive
from web.app import create_app
from web.room import Room
from web.settings import WebSettings

TOKEN = "pages-admin-token-0123456789"
RAW_MARKUP = ("<script>document.title", "<img src=x onerror", "<imgsrc=xonerror")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    tmp = tmp_path_factory.mktemp("pages")
    with database("sqlite", tmp) as url:
        arch = Archive(url, data_dir=tmp / "data")
        with sampleweb.SampleWeb(state="before", port=0, hostile=True) as web:
            crawl_sample_web(arch, web)
        yield arch
        arch.close()


@pytest.fixture(scope="module")
def app(archive: Archive):
    room = Room(
        archive, WebSettings(admin_token=TOKEN, audit_wait=120, replay_url="http://127.0.0.2:8081")
    )
    return create_app(room)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def hostile_agency(archive: Archive) -> str:
    """The hostile report's agency: the markup is cleaned out of its title before the title
    names an agency (registry.names), so it is filed under the registered 河口县人民政府."""
    _, rows = reading.list_agencies(archive, name="河口县", registered=True)
    assert rows, "the hostile report was not archived"
    return rows[0].id


def page(client: TestClient, url: str, status: int = 200) -> str:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    return r.text


def test_every_page_renders_in_chinese_by_default_and_english_on_request(
    client: TestClient, archive: Archive
) -> None:
    version = reading.version_detail(archive, 1)
    assert version is not None
    capture = version.capture_id
    urls = [
        "/",
        "/search?q=行政复议",
        "/reports/changjie/2020",
        f"/versions/{version.version_id}",
        "/agencies",
        "/agencies/ninghai",
        "/coverage",
        "/coverage?region=33",
        "/coverage?region=330226",
        "/findings",
        "/archivists",
        f"/captures/{capture}",
        "/admin",
    ]
    for url in urls:
        zh = page(client, url)
        assert '<html lang="zh-CN">' in zh and "检索" in zh, url
    client.get("/lang/en?next=/coverage")
    for url in urls:
        en = page(client, url)
        assert '<html lang="en">' in en and ">Search<" in en, url
        assert "检索" not in en, url
    r = client.get("/lang/zh?next=//evil.example/", follow_redirects=False)
    assert r.headers["location"] == "/"
    assert (
        "samesite=lax" in r.headers["set-cookie"].lower()
        and "httponly" in r.headers["set-cookie"].lower()
    )


def test_hostile_titles_and_texts_are_text_everywhere(client: TestClient, archive: Archive) -> None:
    agency = hostile_agency(archive)
    report = client.get(f"/api/v1/reports/{agency}/2023").json()
    # crawled titles are cleaned of markup; the archived texts keep it, as text
    assert "<script" not in report["title"] and "onerror" not in report["title"]
    assert report["title"].startswith("河口县2023年政府信息公开工作年度报告")
    version = report["documents"][0]["versions"][-1]["version_id"]
    capture = report["documents"][0]["versions"][-1]["capture"]["capture_id"]
    urls = [
        "/search?q=河口县",
        "/search?q=pwned",
        f"/reports/{agency}/2023",
        f"/versions/{version}",
        f"/agencies/{agency}",
        "/agencies?name=河口县",
        "/coverage?region=532532",
        f"/captures/{capture}",
        "/findings",
        "/archivists",
    ]
    for url in urls:
        html = page(client, url)
        for raw in RAW_MARKUP:
            assert raw not in html, (url, raw)
        if url not in ("/findings", "/archivists"):
            assert "河口县" in html, url
        if url.startswith(("/versions/", "/search?q=pwned")):
            assert "&lt;" in html, url
        # the only scripts are the app's own
        assert re.findall(r"<script\b[^>]*>", html) == ['<script src="/static/app.js" defer>'], url
    text = page(client, f"/versions/{version}")
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in text
    search = page(client, "/search?q=pwned")
    assert "<mark>pwned</mark>" in search


def test_report_page_shows_timing_tables_checks_versions_and_evidence(client: TestClient) -> None:
    html = page(client, "/reports/changjie/2020")
    assert 'id="timing"' in html and "st-on_time" in html
    assert "表三：收到和处理政府信息公开申请情况" in html
    assert "一、本年新收政府信息公开申请数量" in html
    assert "发布后被修改" in html  # the changed finding
    assert html.count('class="version"') >= 2
    assert "/captures/" in html and "/original" in html and "/warc" in html
    assert "http://127.0.0.2:8081/archive/" in html  # replay links on the replay origin
    # blank cells stay blank: an empty numeric cell renders as an empty <td>
    assert '<td class="num"></td>' in html or "null" not in html


def test_diff_page_side_by_side(client: TestClient) -> None:
    report = client.get("/api/v1/reports/changjie/2020").json()
    doc = next(d for d in report["documents"] if len(d["versions"]) >= 2)
    old, new = doc["versions"][0]["version_id"], doc["versions"][1]["version_id"]
    html = page(client, f"/diff?from={old}&to={new}")
    assert "<del>" in html and "<ins>" in html
    assert 'class="sides"' in html and "表格中变化的数值" in html
    assert page(client, "/diff?from=1", status=400)


def test_findings_page_and_atom_feed(client: TestClient) -> None:
    html = page(client, "/findings?finding=changed")
    assert "发布后被修改" in html and "/captures/" in html
    feed = client.get("/findings.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith(
        "application/atom+xml"
    )
    root = ET.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert entries and all(e.find("a:link", ns).get("href", "").startswith("http") for e in entries)  # type: ignore[union-attr]
    updated = [e.findtext("a:updated", default="", namespaces=ns) for e in entries]
    assert updated == sorted(updated, reverse=True)
    only = ET.fromstring(client.get("/findings.atom?finding=missing").content)
    assert all(
        ": " in (e.findtext("a:title", namespaces=ns) or "") for e in only.findall("a:entry", ns)
    )


def test_errors_are_pages_not_tracebacks(client: TestClient) -> None:
    assert "no report of agency" in page(client, "/reports/nobody/2020", status=404)
    assert "unclosed quote" in page(client, '/search?q="未闭合', status=400)
    assert page(client, "/search?year=abc", status=400)
    assert page(client, "/coverage?region=zz", status=400)
    assert page(client, "/versions/0", status=400)
    assert page(client, "/captures/99999999", status=404)


def test_admin_forms_need_a_session_and_csrf(client: TestClient) -> None:
    assert (
        client.post(
            "/admin/schedule", data={"site": "ninghai-gov", "spec": "0 3 * * *"}
        ).status_code
        == 400
    )
    assert client.post("/admin/login", data={"token": "wrong"}).status_code == 403
    r = client.post("/admin/login", data={"token": TOKEN}, follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    form = page(client, "/admin")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form).group(1)  # type: ignore[union-attr]
    r = client.post("/admin/schedule", data={"site": "ninghai-gov", "spec": "0 5 * * *"})
    assert r.status_code == 400 and "安全令牌" in r.text
    r = client.post(
        "/admin/schedule",
        data={"site": "ninghai-gov", "spec": "0 5 * * *", "csrf": csrf},
        headers={"Origin": "http://evil.example"},
    )
    assert r.status_code == 400
    r = client.post(
        "/admin/schedule",
        data={"site": "ninghai-gov", "spec": "0 5 * * *", "csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert client.get("/api/v1/sites/ninghai-gov").json()["schedule"] == "0 5 * * *"
    r = client.post(
        "/admin/schedule",
        data={"site": "ninghai-gov", "spec": "", "csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    registry = b"agencies:\n  - id: formtown\n    name: \xe8\xa1\xa8\xe5\x8d\x95\xe9\x95\x87\n    level: township\n    kind: government\n"
    r = client.post(
        "/admin/registry",
        data={"csrf": csrf},
        files={"file": ("r.yaml", registry)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "1+added" in r.headers["location"]
    r = client.post("/admin/crawl", data={"csrf": csrf, "sites": ["no-such"]})
    assert r.status_code == 400 and "no-such" in r.text


def test_datasette_reads_the_archive_with_generated_metadata(
    archive: Archive, tmp_path: Path
) -> None:
    import asyncio
    import json

    from click.testing import CliRunner
    from datasette.app import Datasette

    from nianbao.cli import cli

    out = tmp_path / "metadata.json"
    result = CliRunner().invoke(cli, ["datasette-metadata", "--db", archive.url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    meta = json.loads(out.read_text(encoding="utf-8"))
    path = archive.url[len("sqlite:///") :]
    name = Path(path).stem

    async def check() -> None:
        ds = Datasette([path], metadata=meta)
        await ds.invoke_startup()
        tables = (await ds.client.get(f"/{name}.json")).json()["tables"]
        assert {"reports", "versions", "captures", "extractions"} <= {t["name"] for t in tables}
        for table in ("reports", "captures", "versions", "agencies"):
            html = (await ds.client.get(f"/{name}/{table}")).text
            assert (
                meta["databases"][name]["tables"][table]["description"][:40].replace("'", "&#39;")
                in html
            )
        columns = meta["databases"][name]["tables"]["reports"]["columns"]
        html = (await ds.client.get(f"/{name}/reports")).text
        assert columns["published_at"][:30] in html
        rows = (await ds.client.get(f"/{name}/reports.json?_shape=array&year=2020")).json()
        assert rows and all(r["year"] == 2020 for r in rows)

    asyncio.run(check())


def test_every_message_has_a_chinese_translation() -> None:
    from web.catalogue import messages, missing

    assert len(messages()) > 200
    assert missing("zh") == []


def test_openapi_no_server_error(app) -> None:
    """schemathesis: generated requests on every operation of /openapi.json (a bounded
    number each, derandomised so CI is repeatable), never a 5xx."""
    from hypothesis import given

    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = []
    for result in api.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert len(operations) >= 20
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case) -> None:
            case.call_and_validate(checks=[not_a_server_error])

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.label}: {str(exc)[:500]}")
    assert not failures, "\n".join(failures)
