"""Group commits: several captures recorded with one WARC fsync and one SQL transaction,
on SQLite and PostgreSQL; and extraction in worker processes."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from archive_helpers import fetched, later, report_page, seed_text, setup_archive
from paths import REAL_REPORTS
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from warcio.archiveiterator import ArchiveIterator

from capture.extractor import Extractor
from capture.fixity import verify
from capture.recorder import CaptureRecorder
from capture.types import FetchedResponse, Role
from storage.models import CaptureRow

BASE = "http://www.ninghai.gov.cn/art/2021/1/7/"


def pages(n: int, visits: int = 1) -> list[bytes]:
    return [
        report_page(
            seed_text(i % 5) + f"\n附：第{i}号",
            visits=visits,
            title=f"第{i}镇2020年度政府信息公开年度报告",
        )
        for i in range(n)
    ]


def group(bodies: list[bytes], *, minutes: int = 0):
    return [
        fetched(
            f"{BASE}art_{i}.html",
            body,
            at=later(minutes),
            year=2020,
            agency_name=f"第{i}镇",
            title=f"第{i}镇2020年度政府信息公开年度报告",
        )
        for i, body in enumerate(bodies)
    ]


def test_a_group_records_what_one_at_a_time_records(archive, tmp_path: Path) -> None:
    rec = setup_archive(archive)
    bodies = pages(6)
    first = rec.record_many(group(bodies))
    assert [r.new_version for r in first] == [True] * 6
    assert len({r.report_id for r in first}) == 6 and all(r.version_id for r in first)
    # the same pages again, their visit counters changed: no version, content revisits
    again = rec.record_many(group(pages(6, visits=7), minutes=60))
    assert [r.new_version for r in again] == [False] * 6
    assert [r.version_id for r in again] == [r.version_id for r in first]
    assert all(r.revisit for r in again)
    # one at a time into a second archive gives the same reports, versions, observations
    counts = archive.counts()
    rec.close()
    from storage.archive import Archive

    other = Archive(f"sqlite:///{tmp_path}/one.sqlite3", data_dir=tmp_path / "one")
    one = setup_archive(other)
    for resp in group(bodies) + group(pages(6, visits=7), minutes=60):
        one.record(resp)
    one.close()
    assert {k: v for k, v in other.counts().items() if k != "agencies"} == {
        k: v for k, v in counts.items() if k != "agencies"
    }
    assert verify(archive.warc_dir, archive.indexed_records())[1] == []
    other.close()


def test_a_payload_twice_in_one_group_is_written_once(archive) -> None:
    rec = setup_archive(archive)
    body = pages(1)[0]
    pdf_url = "http://www.ninghai.gov.cn/module/download/downfile.jsp?classid=0&filename=a.pdf"
    results = rec.record_many(
        [
            fetched(f"{BASE}art_0.html", body, year=2020, agency_name="长街镇"),
            fetched(pdf_url, body, role=Role.ATTACHMENT, parent_url=f"{BASE}art_0.html"),
        ]
    )
    rec.close()
    assert [r.revisit for r in results] == [False, True]
    assert results[0].report_id == results[1].report_id  # the attachment joins its page
    assert verify(archive.warc_dir, archive.indexed_records())[1] == []


def test_xhr_answers_are_recorded_beside_their_page(archive) -> None:
    """A rendered page's XHR answers are captures of their own (role xhr), recorded right
    after it, each response (or revisit) record WARC-Concurrent-To its own page's response
    record: within a group, and when a repeated URL or payload splits the group."""
    rec = setup_archive(archive)
    listing = "http://www.ninghai.gov.cn/col/col1229051395/index.html"
    other = "http://www.ninghai.gov.cn/col/col1229051396/index.html"
    api = "http://www.ninghai.gov.cn/api/list?page=1"
    answer = b'{"list": [{"title": "a", "url": "/a.html"}]}'

    def xhr(url: str, body: bytes) -> FetchedResponse:
        return fetched(url, body, role=Role.XHR, content_type="application/json")

    first = fetched(listing, b"<html>one</html>", role=Role.LISTING)
    first.exchanges = [xhr(api, answer), xhr(api + "&size=2", b'{"list": []}')]
    second = fetched(other, b"<html>two</html>", role=Role.LISTING)
    second.exchanges = [xhr(api, answer)]  # the same URL and payload: a new group, a revisit
    results = rec.record_many([first, second])
    rec.close()
    assert len(results) == 2
    assert [len(r.exchanges) for r in results] == [2, 1]
    assert [e.revisit for r in results for e in r.exchanges] == [False, False, True]
    records = {}
    for path in archive.warc_dir.glob("*.warc.gz"):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                records[record.rec_headers.get_header("WARC-Record-ID")] = record.rec_headers
    with archive.session() as s:
        record_ids = dict(s.execute(select(CaptureRow.id, CaptureRow.warc_record_id)).all())
        roles = s.execute(select(CaptureRow.url, CaptureRow.role).order_by(CaptureRow.id)).all()
    by_page: dict[str, list[str]] = {}
    for page, result in zip((first, second), results, strict=True):
        page_id = record_ids[result.capture_id]
        assert records[page_id].get_header("WARC-Target-URI") == page.url
        assert records[page_id].get_header("WARC-Concurrent-To") is None
        for exchange in result.exchanges:
            headers = records[record_ids[exchange.capture_id]]
            assert headers.get_header("WARC-Concurrent-To") == page_id
            by_page.setdefault(page.url, []).append(headers.get_header("WARC-Target-URI"))
    assert by_page == {listing: [api, api + "&size=2"], other: [api]}
    assert [tuple(r) for r in roles] == [
        (listing, "listing"),
        (api, "xhr"),
        (api + "&size=2", "xhr"),
        (other, "listing"),
        (api, "xhr"),
    ]
    assert verify(archive.warc_dir, archive.indexed_records())[1] == []


def test_a_failing_group_indexes_none_of_its_captures(archive) -> None:
    rec = setup_archive(archive)
    good = group(pages(2))
    bad = fetched(f"{BASE}art_9.html", pages(3)[2], year=2020, agency_name="第9镇")
    bad.site_id = "no-such-site"
    before = archive.counts()
    with pytest.raises(IntegrityError):  # a capture of an unregistered site
        rec.record_many([*good, bad])
    after = archive.counts()
    assert after["captures"] == before["captures"] and after["versions"] == before["versions"]
    # WARC records without index rows are allowed; index rows without records never
    checked, problems = verify(archive.warc_dir, archive.indexed_records())
    assert checked == 0 and problems == []
    # the same captures, without the bad one, go in whole
    assert all(r.new_version for r in rec.record_many(good))
    rec.close()


def test_worker_processes_extract_what_the_crawl_process_extracts() -> None:
    responses = [(resp, "0" * 64) for resp in group(pages(3))]
    pdf = sorted(REAL_REPORTS.glob("*.pdf"))[0]
    responses.append(
        (fetched(f"{BASE}a.pdf", pdf.read_bytes(), content_type="application/pdf"), "1" * 64)
    )
    inline = Extractor(0).run(responses)
    workers = Extractor(2)
    try:
        assert workers.run(responses) == inline
    finally:
        workers.close()
    assert inline[-1][0].text and inline[-1][0].terms


def test_a_killed_extraction_worker_is_replaced() -> None:
    responses = [(resp, "0" * 64) for resp in group(pages(2))]
    extractor = Extractor(1)
    try:
        expected = extractor.run(responses)
        [pid] = extractor.pool().pids()
        os.kill(pid, signal.SIGKILL)  # a parser crash, as the pool sees it
        time.sleep(0.5)
        assert extractor.run(responses) == expected
        assert extractor.pool().pids() not in ([], [pid])
    finally:
        extractor.close()


def test_recorder_with_extraction_workers(archive) -> None:
    archive_rec = setup_archive(archive)
    archive_rec.close()
    rec = CaptureRecorder.open(archive, extract_workers=1)
    try:
        results = rec.record_many(group(pages(3)))
    finally:
        rec.close()
    assert all(r.new_version and r.extraction_error is None for r in results)
    hits = archive.counts()
    assert hits["versions"] == 3
