"""The reading room in real Chromium (Debian's, through Playwright) on the crawled sample
web, served by uvicorn with pywb replaying the archive's WARC files on another origin:
search → report → diff → evidence download → replay; coverage drill-down; hostile titles
shown as text; an archived page's scripts cannot reach the app's cookies or origin."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from web_helpers import crawl_sample_web, database

import sampleweb
from crawler.render import CHROMIUM_LAUNCH_OPTIONS
from storage import reading
from storage.archive import Archive
from web.server import running
from web.settings import WebSettings, pywb_command

pytestmark = pytest.mark.browser
SECRET = "app-cookie-s3cr3t-7f3a"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Archive, str, str]]:
    if pywb_command() is None:
        if os.environ.get("CI"):
            pytest.fail("pywb is not installed (scripts/bootstrap installs it in .venv-pywb)")
        pytest.skip("pywb is not installed")
    tmp = tmp_path_factory.mktemp("browser")
    with database("sqlite", tmp) as url:
        archive = Archive(url, data_dir=tmp / "data")
        with sampleweb.SampleWeb(state="before", port=0, hostile=True) as web:
            crawl_sample_web(archive, web)
        with running(archive, WebSettings(audit_wait=120)) as (app_url, replay_url):
            assert replay_url is not None
            yield archive, app_url, replay_url
        archive.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(**CHROMIUM_LAUNCH_OPTIONS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, served):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    dialogs: list[str] = []

    def dismiss(d):
        dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", dismiss)
    pg.dialogs = dialogs
    yield pg
    context.close()


def test_search_report_diff_download_replay(page, served, tmp_path: Path) -> None:
    archive, app, replay = served
    page.goto(app + "/search")
    page.fill("input[name=q]", "长街镇")
    page.click("form.search button[type=submit]")
    page.wait_for_selector("ol.hits")
    assert page.locator("ol.hits mark").first.inner_text() == "长街镇"
    page.click("ol.hits a.title >> text=长街镇2020年度政府信息公开年度报告")
    page.wait_for_url("**/reports/changjie/2020")
    assert page.locator("#timing .st").first.inner_text() == "按时"
    assert page.locator("#tables table.grid").count() >= 3
    assert page.locator("#findings li.finding").count() >= 1
    # compare the two versions chosen by default
    page.click("form.diffpick button[type=submit]")
    page.wait_for_url("**/diff?*")
    assert (
        page.locator("table.sides del").count() >= 1
        and page.locator("table.sides ins").count() >= 1
    )
    assert page.locator("#values tbody tr").count() >= 1
    page.go_back()
    # the original bytes of the report's attachment, as captured
    link = page.locator("a[download]", has_text="原始文件").last
    with page.expect_download() as info:
        link.click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    capture_id = int(link.get_attribute("href").split("/")[2])
    detail = reading.capture_detail(archive, capture_id)
    assert detail is not None
    assert hashlib.sha256(target.read_bytes()).hexdigest() == detail.payload_sha256
    assert "." in download.suggested_filename
    # the report page replayed as captured, on the replay origin
    page.locator(".capture a", has_text="采集").first.click()
    page.wait_for_url("**/captures/*")
    frame_element = page.wait_for_selector("iframe.replay")
    assert frame_element.get_attribute("sandbox") == "allow-scripts allow-forms"
    frame = frame_element.content_frame()
    frame.wait_for_selector("h1", timeout=90_000)  # pywb starts cold under a loaded CI
    assert "长街镇" in frame.locator("h1").inner_text()
    assert urlsplit(frame.url).netloc == urlsplit(replay).netloc != urlsplit(app).netloc
    assert not page.dialogs


def test_coverage_drill_down(page, served) -> None:
    _, app, _ = served
    page.goto(app + "/coverage")
    assert page.locator("#counts tbody tr").count() >= 2
    page.click("a.drill >> text=浙江省")
    page.wait_for_url("**region=33*")
    page.click("a.drill >> text=3302")
    page.wait_for_url("**region=3302*")
    page.click("a.drill >> text=宁海县人民政府")
    page.wait_for_url("**region=330226*")
    rows = page.locator("tr.agency-row")
    assert rows.count() >= 5  # the county government, its townships and departments
    names = rows.locator("th a").all_inner_texts()
    assert "宁海县人民政府" in names and "长街镇人民政府" in names
    cell = page.locator("tr.agency-row", has_text="长街镇人民政府").locator("td.st-on_time a").first
    cell.click()
    page.wait_for_url("**/reports/changjie/*")
    crumbs = page.locator("nav.crumbs").inner_text()
    assert "长街镇人民政府" in crumbs


def test_hostile_title_is_shown_as_text(page, served) -> None:
    archive, app, _ = served
    _, rows = reading.list_agencies(archive, name="河口县", registered=True)
    agency = rows[0].id
    for url in (f"/reports/{agency}/2023", "/search?q=pwned", f"/agencies/{agency}"):
        page.goto(app + url)
        page.wait_for_load_state("load")
        assert page.title() != "pwned", url
        assert page.locator("main img").count() == 0, url
        assert page.locator("main script").count() == 0, url
        if url.startswith("/search"):
            # the archived text keeps the markup, and the page shows it as text
            text = page.locator("main").inner_text()
            assert "pwned" in text and ("<script>" in text or "<img src=x" in text), url
    page.goto(app + f"/reports/{agency}/2023")
    # the crawled title was cleaned of its markup before it was archived
    heading = page.locator("h1").inner_text()
    assert "河口县" in heading and "<script" not in heading
    assert not page.dialogs


def _probe(frame) -> dict[str, str]:
    frame.wait_for_selector("#probe[data-done='1']", state="attached", timeout=20000)
    return json.loads(frame.locator("#probe").text_content())


def test_archived_scripts_cannot_reach_the_app(page, served) -> None:
    archive, app, replay = served
    # the worst case: an app cookie readable by scripts of the app's origin
    page.context.add_cookies([{"name": "nb_secret", "value": SECRET, "url": app}])
    _, rows = reading.list_agencies(archive, name="河口县", registered=True)
    capture = reading.first_report_capture(archive, rows[0].id, 2023)
    page.goto(f"{app}/captures/{capture}")
    assert page.evaluate("document.cookie").find(SECRET) >= 0  # the app's own page sees it
    frame_element = page.wait_for_selector("iframe.replay")
    src = frame_element.get_attribute("src")
    page.evaluate("([el, src]) => { el.src = src; }", [frame_element, f"{src}#probe={app}"])
    framed = _probe(frame_element.content_frame())
    # top level on the replay origin (a link opened in a tab)
    page.goto(f"{src}#probe={app}")
    alone = _probe(page.main_frame)
    for out in (framed, alone):
        assert SECRET not in json.dumps(out), out
        assert out["cookie"] in ("",) or out["cookie"].startswith("blocked"), out
        assert out["storage"].startswith("blocked"), out  # an opaque origin: no storage
        assert '"items"' not in out["fetch"], out  # nothing read from the app's API
    assert framed["parent"].startswith("blocked") and framed["top"].startswith("blocked"), framed
    assert urlsplit(page.url).netloc == urlsplit(replay).netloc
