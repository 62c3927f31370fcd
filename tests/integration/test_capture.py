"""WARC captures and versioned records, on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

from archive_helpers import T0, fetched, later, report_page, seed_text, setup_archive

from capture.fixity import verify
from capture.types import Role
from query.reports import iter_reports

URL = "http://www.ninghai.gov.cn/art/2021/1/7/art_1229051395_3678466.html"
DOCX_URL = "http://www.ninghai.gov.cn/module/download/downfile.jsp?filename=P020210125.docx"
WARCIO = str(Path(sys.executable).parent / "warcio")


def warc_bytes(archive) -> int:
    return sum(p.stat().st_size for p in archive.warc_dir.glob("*.warc.gz"))


def test_listing_capture_is_warc_and_indexed(archive) -> None:
    rec = setup_archive(archive)
    res = rec.record(
        fetched(
            "http://www.ninghai.gov.cn/col/col1229051395/index.html",
            b"<html>list</html>",
            role=Role.LISTING,
        )
    )
    assert not res.revisit and res.warc_offset > 0 and res.warc_length > 0
    rec.close()
    files = list(archive.warc_dir.glob("*.warc.gz"))
    assert len(files) == 1
    out = subprocess.run(
        [WARCIO, "check", "-v", str(files[0])], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "response" in out.stdout and "request" in out.stdout and "warcinfo" in out.stdout
    # each record is its own gzip member: the indexed slice decompresses alone
    raw = files[0].read_bytes()[res.warc_offset : res.warc_offset + res.warc_length]
    assert gzip.decompress(raw).startswith(b"WARC/1.1\r\n")
    assert verify(archive.warc_dir, archive.indexed_records()) == (1, [])


def test_identical_payload_is_a_small_revisit(archive) -> None:
    rec = setup_archive(archive)
    body = b"<html>" + b"x" * 50_000 + b"</html>"
    url = "http://www.ninghai.gov.cn/col/col1229051395/index.html"
    first = rec.record(fetched(url, body, role=Role.LISTING))
    before = warc_bytes(archive)
    second = rec.record(fetched(url, body, role=Role.LISTING, at=later(60)))
    added = warc_bytes(archive) - before
    assert second.revisit and not first.revisit
    assert added < 2048, added
    rec.close()
    checked, problems = verify(archive.warc_dir, archive.indexed_records())
    assert (checked, problems) == (2, [])


def test_unchanged_report_adds_observation_not_version(archive) -> None:
    rec = setup_archive(archive)
    text = seed_text(0)
    a = rec.record(fetched(URL, report_page(text, visits=10, clock="10:00:01")))
    before = warc_bytes(archive)
    b = rec.record(fetched(URL, report_page(text, visits=11, clock="11:42:09"), at=later(1440)))
    assert a.new_version and a.version_id is not None
    assert a.payload_sha256 != b.payload_sha256  # the raw bytes differ (counter, clock) …
    assert not b.new_version and b.version_id == a.version_id  # … the report does not
    assert b.content_sha256 == a.content_sha256
    assert b.revisit and warc_bytes(archive) - before < 2048  # content revisit: no payload stored
    # A third capture with the same raw bytes as the second costs a revisit only.
    mid = warc_bytes(archive)
    c = rec.record(fetched(URL, report_page(text, visits=11, clock="11:42:09"), at=later(2880)))
    assert c.revisit and warc_bytes(archive) - mid < 2048
    assert warc_bytes(archive) > before
    [report] = list(iter_reports(archive))
    assert report["agency_id"] == "changjie"
    assert report["year"] == 2020
    assert report["versions"] == 1
    assert report["first_seen_at"] == "2021-02-15T03:00:12Z"
    assert report["documents"][0]["sha256"] == c.payload_sha256
    assert report["documents"][0]["content_sha256"] == a.content_sha256
    counts = archive.counts()
    assert (counts["versions"], counts["observations"], counts["captures"]) == (1, 3, 3)


def test_edited_report_gets_a_new_version_and_keeps_the_old(archive) -> None:
    rec = setup_archive(archive)
    text = seed_text(0)
    first = rec.record(fetched(URL, report_page(text)))
    edited = text.replace("主动公开政务信息459条", "主动公开政务信息460条")
    assert edited != text
    second = rec.record(fetched(URL, report_page(edited), at=later(60)))
    assert second.new_version and second.version_id != first.version_id
    [report] = list(iter_reports(archive))
    assert report["versions"] == 2 and report["documents"][0]["versions"] == 2
    from sqlalchemy import select

    from storage.models import VersionRow

    with archive.session() as s:
        texts = [v.text for v in s.scalars(select(VersionRow).order_by(VersionRow.seq))]
    assert "459条" in texts[0] and "460条" in texts[1]


def test_not_modified_and_gone(archive) -> None:
    rec = setup_archive(archive)
    rec.record(fetched(URL, report_page(seed_text(0))))
    nm = rec.record(fetched(URL, b"", status=304, at=later(60)))
    assert nm.version_id is not None and not nm.new_version
    gone = rec.record(fetched(URL, b"<html>404</html>", status=404, at=later(120)))
    assert gone.document_id is not None
    [report] = list(iter_reports(archive))
    assert report["status"] == "vanished"
    assert report["documents"][0]["status"] == "vanished"
    assert report["versions"] == 1  # every version is kept
    back = rec.record(fetched(URL, report_page(seed_text(0)), at=later(180)))
    assert not back.new_version
    [report] = list(iter_reports(archive))
    assert report["status"] == "present"
    from sqlalchemy import select

    from storage.models import ObservationRow

    with archive.session() as s:
        outcomes = [
            o.outcome for o in s.scalars(select(ObservationRow).order_by(ObservationRow.id))
        ]
    assert outcomes == ["new_version", "not_modified", "gone", "unchanged"]


def test_attachment_joins_its_report_and_unregistered_agency(archive, shared_dir: Path) -> None:
    rec = setup_archive(archive)
    page = rec.record(
        fetched(
            URL,
            report_page(seed_text(0)),
            title="长街镇2020年度政府信息公开年度报告",
            year=2020,
            agency_name="长街镇",
        )
    )
    docx = (shared_dir / "reports" / "real" / "template-2021.docx").read_bytes()
    att = rec.record(
        fetched(
            DOCX_URL,
            docx,
            role=Role.ATTACHMENT,
            content_type="application/octet-stream",
            parent_url=URL,
            filename="P020210125.docx",
        )
    )
    assert att.report_id == page.report_id and att.new_version
    other = rec.record(
        fetched(
            "http://www.ninghai.gov.cn/art/2021/1/9/art_1229051395_9.html",
            report_page(seed_text(1), title="桃源街道2020年政府信息公开工作年度报告"),
            title="桃源街道2020年政府信息公开工作年度报告",
            year=2020,
            agency_name="桃源街道",
        )
    )
    reports = {r["agency_name"]: r for r in iter_reports(archive)}
    assert reports["长街镇人民政府"]["registered"] is True
    assert [d["media_type"] for d in reports["长街镇人民政府"]["documents"]] == [
        "text/html",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]
    assert reports["桃源街道"]["registered"] is False
    assert reports["桃源街道"]["agency_id"].startswith("unreg-")
    assert other.report_id != page.report_id
    agencies = {a.name: a for a in archive.agencies(registered=False)}
    assert agencies["桃源街道"].level == "township" and agencies["桃源街道"].parent_id == "ninghai"


def test_warc_files_roll_by_size(archive) -> None:
    from capture.recorder import CaptureRecorder

    setup_archive(archive)
    rec = CaptureRecorder.open(archive, max_warc_bytes=20_000)
    for i in range(12):
        rec.record(
            fetched(
                f"http://www.ninghai.gov.cn/col/col1/index_{i}.html",
                os.urandom(6000),
                role=Role.LISTING,
            )
        )
    rec.close()
    files = sorted(archive.warc_dir.glob("*.warc.gz"))
    assert len(files) >= 3
    assert all(f.stat().st_size < 20_000 + 15_000 for f in files)
    assert verify(archive.warc_dir, archive.indexed_records()) == (12, [])


def test_reports_filters(archive) -> None:
    rec = setup_archive(archive)
    rec.record(fetched(URL, report_page(seed_text(0)), year=2020, agency_name="长街镇", at=T0))
    rec.record(
        fetched(
            URL.replace("3678466", "4000001"),
            report_page(
                seed_text(0).replace("2020", "2021"), title="长街镇2021年度政府信息公开年度报告"
            ),
            year=2021,
            agency_name="长街镇",
            at=later(60 * 24 * 400),
        )
    )
    assert [r["year"] for r in iter_reports(archive)] == [2020, 2021]
    assert [r["year"] for r in iter_reports(archive, year=2021)] == [2021]
    assert [r["year"] for r in iter_reports(archive, agency="changjie")] == [2020, 2021]
    assert list(iter_reports(archive, agency="ninghai")) == []
    assert [r["year"] for r in iter_reports(archive, site="ninghai-gov")] == [2020, 2021]
    from datetime import date

    assert [r["year"] for r in iter_reports(archive, since=date(2022, 1, 1))] == [2021]
