"""Each report's first version, kept on its row by the ingest (migration 0007), is what
its versions say: the coverage matrix reads it instead of joining every version."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from archive_helpers import fetched, later, report_page, setup_archive
from sqlalchemy import select

from capture.types import Role
from storage import db, reading
from storage.archive import Archive
from storage.models import AgencyRow, ReportRow
from storage.reading import ReportTiming

BASE = "http://www.ninghai.gov.cn/art/"
TITLE = "宁海县{year}年度政府信息公开年度报告"


def _fill(archive: Archive) -> None:
    """2020: a page edited twice, and an attachment captured before the page yet archived
    after it; 2021: one page, then gone (404); 2019: a page answered 304 only after its
    first version."""
    with setup_archive(archive) as rec:

        def page(name: str, year: int, body: str, minutes: int) -> None:
            title = TITLE.format(year=year)
            rec.record(
                fetched(BASE + name, report_page(body, title=title), title=title, year=year,
                        agency_name="宁海县", at=later(minutes))
            )  # fmt: skip

        page("2020.html", 2020, "一、总体情况\n收到申请3件。", 60)
        page("2020.html", 2020, "一、总体情况\n收到申请4件。", 120)
        title = TITLE.format(year=2020)
        rec.record(
            fetched(BASE + "2020.pdf", b"%PDF-1.4 attachment", role=Role.ATTACHMENT,
                    content_type="application/pdf", title=title, year=2020,
                    agency_name="宁海县", parent_url=BASE + "2020.html", at=later(-30))
        )  # fmt: skip
        page("2020.html", 2020, "一、总体情况\n收到申请5件。", 180)
        page("2021.html", 2021, "一、总体情况\n收到申请1件。", 240)
        rec.record(
            fetched(BASE + "2021.html", b"gone", status=404, title=TITLE.format(year=2021),
                    year=2021, agency_name="宁海县", at=later(300))
        )  # fmt: skip
        page("2019.html", 2019, "一、总体情况\n收到申请2件。", 10)
        rec.record(
            fetched(BASE + "2019.html", b"", status=304, title=TITLE.format(year=2019),
                    year=2019, agency_name="宁海县", at=later(400))
        )  # fmt: skip


def _timings(archive: Archive) -> tuple[list[ReportTiming], list[ReportTiming]]:
    with archive.session() as s:
        agencies = list(s.scalars(select(AgencyRow.id)))
    years = list(range(2015, 2025))
    kept = sorted(reading.report_timings(archive, agencies, years), key=lambda r: r.id)
    joined = sorted(reading.report_timings_joined(archive, agencies, years), key=lambda r: r.id)
    return kept, joined


def test_the_ingest_keeps_each_reports_first_version(archive: Archive) -> None:
    _fill(archive)
    kept, joined = _timings(archive)
    assert kept == joined
    assert len(kept) == 3 and all(r.first_version_id is not None for r in kept)
    by_year = {r.year: r for r in kept}
    # the attachment captured before the page, archived after it, is the first version
    assert by_year[2020].first_version_at == later(-30)
    assert by_year[2021].first_version_at == later(240)


def test_migration_0007_fills_the_reports_archived_before_it(db_url: str, tmp_path: Path) -> None:
    archive = Archive(db_url, data_dir=tmp_path / "data")
    try:
        _fill(archive)
        before, _ = _timings(archive)
        command.downgrade(db.alembic_config(db_url), "0006")  # the columns dropped …
        db.upgrade(db_url)  # … and filled again from the versions
        db.check(db_url)
        kept, joined = _timings(archive)
        assert kept == joined == before
        with archive.session() as s:
            assert None not in s.scalars(select(ReportRow.first_version_at)).all()
    finally:
        archive.close()
