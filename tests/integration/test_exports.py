"""`nianbao reports`, `stats`, `extract` and `reextract` (exports.md), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from archive_helpers import fetched, later, report_page, setup_archive
from paths import REPO, SEED_LABELS

from capture.types import Role
from query.reports import iter_reports
from query.stats import iter_stats, write_parquet

ASSETS = REPO / "sampleweb" / "assets" / "reports"
PAGE = "http://www.ninghai.gov.cn/art/2021/1/7/art_1229051395_3678466.html"
DOCX = "http://www.ninghai.gov.cn/module/download/downfile.jsp?filename=P020210125.docx"


def label(n: int) -> dict:
    return json.loads(next(SEED_LABELS.glob(f"{n:03d}_*.json")).read_text(encoding="utf-8"))


def nianbao(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )


def build(archive) -> None:
    rec = setup_archive(archive)
    rec.record(
        fetched(
            PAGE,
            report_page("长街镇2020年度政府信息公开年度报告，全文见附件。"),
            title="长街镇2020年度政府信息公开年度报告",
            year=2020,
            agency_name="长街镇",
        )
    )
    rec.record(
        fetched(
            DOCX,
            (ASSETS / "seed000.docx").read_bytes(),
            role=Role.ATTACHMENT,
            parent_url=PAGE,
            content_type="application/octet-stream",
            filename="P020210125.docx",
            at=later(1),
        )
    )
    rec.close()


def test_reports_jsonl_and_csv(archive) -> None:
    build(archive)
    out = nianbao("reports", "--db", archive.url, env={"NIANBAO_DATA_DIR": str(archive.data_dir)})
    assert out.returncode == 0, out.stderr
    [record] = [json.loads(line) for line in out.stdout.splitlines()]
    assert set(record) == {
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
    assert (record["agency_id"], record["agency_name"], record["registered"], record["year"]) == (
        "changjie",
        "长街镇人民政府",
        True,
        2020,
    )
    assert record["published_at"] == "2021-01-07"
    assert [d["url"] for d in record["documents"]] == [PAGE, DOCX]
    assert set(record["documents"][0]) == {
        "url",
        "media_type",
        "sha256",
        "content_sha256",
        "versions",
        "status",
    }
    assert (
        record["documents"][1]["media_type"]
        == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    out = nianbao("reports", "--db", archive.url, "--format", "csv", "--year", "2020")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 1 and rows[0]["documents.1.url"] == DOCX and rows[0]["registered"] == "True"
    assert nianbao("reports", "--db", archive.url, "--year", "2019").stdout == ""


def test_stats_take_the_values_from_the_attachment(archive, tmp_path: Path) -> None:
    build(archive)
    [stats] = list(iter_stats(archive))
    expected = label(0)
    assert stats["agency_id"] == "changjie" and stats["layout"] == expected["layout"]
    assert stats["values"] == expected["values"]
    assert stats["checks"] and all("rule" in c and "ok" in c for c in stats["checks"])
    out = nianbao("stats", "--db", archive.url, "--format", "csv")
    assert out.returncode == 0, out.stderr
    [row] = list(csv.DictReader(io.StringIO(out.stdout)))
    assert (
        row["t2.procurement.amount_raw"] == "10.22万元"
        and row["t3.new.total"] == "1"
        and row["t3.partial.total"] == ""
    )
    target = tmp_path / "stats.parquet"
    out = nianbao("stats", "--db", archive.url, "--format", "parquet", "--out", str(target))
    assert out.returncode == 0, out.stderr
    import pyarrow.parquet as pq

    table = pq.read_table(target)
    assert table.num_rows == 1
    data = table.to_pylist()[0]
    assert (
        data["t2.procurement.amount_yuan"] == 102200
        and data["t3.new.natural"] == 1
        and data["t3.new.commercial"] is None
    )
    assert nianbao("stats", "--db", archive.url, "--format", "parquet").returncode == 1


def test_parquet_types_across_layouts(tmp_path: Path) -> None:
    records = [
        {
            "agency_id": "a",
            "year": 2020,
            "layout": "2019",
            "parser_version": "1",
            "sections": [1],
            "values": {"t3.new.total": 3, "t2.procurement.amount_yuan": 102200.5},
            "checks": [],
        },
        {
            "agency_id": "b",
            "year": 2021,
            "layout": "2021",
            "parser_version": "1",
            "sections": [],
            "values": {"t2.fees.amount_wan": 1.5},
            "checks": [
                {"rule": "balance", "column": "total", "ok": False},
                {"rule": "balance", "column": "natural", "status": "not_evaluable", "ok": None},
                {"rule": "applicants", "row": "new", "status": "ok", "ok": True},
            ],
        },
    ]
    import pyarrow.parquet as pq

    write_parquet(records, str(tmp_path / "x.parquet"))
    table = pq.read_table(tmp_path / "x.parquet")
    assert str(table.schema.field("t3.new.total").type) == "int64"
    assert str(table.schema.field("t2.fees.amount_wan").type) == "double"
    assert table.to_pylist()[1]["checks_failed"] == "balance:total"
    # a rule over blank cells is not a failure, and not a pass either (issue 11)
    assert table.to_pylist()[1]["checks_not_evaluable"] == "balance:natural"
    assert table.to_pylist()[0]["checks_not_evaluable"] == ""


def test_extract_local_files(shared_dir: Path) -> None:
    pdf = shared_dir / "reports" / "real" / "hongze-district-2024.pdf"
    out = nianbao("extract", str(pdf), str(ASSETS / "seed004.docx"))
    assert out.returncode == 0, out.stderr
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    assert first["file"] == str(pdf) and first["layout"] == "2021" and first["error"] is None
    assert first["year"] == 2024
    assert second["values"] == label(4)["values"]
    failed = {
        (c["rule"], c.get("column"))
        for c in second["checks"]
        if c["status"] == "failed" and c["rule"] != "text_figures"
    }
    # seed 004 as printed: 部分公开 1 and a blank 总计 (its label's notes)
    assert failed == {
        ("balance", "natural"),
        ("balance", "total"),
        ("outcomes", "natural"),
        ("outcomes", "total"),
    }
    blank = {
        (c["rule"], c.get("column")) for c in second["checks"] if c["status"] == "not_evaluable"
    }
    assert ("balance", "research") in blank and ("balance", "natural") not in blank
    out = nianbao("extract", "--format", "csv", str(ASSETS / "seed004.docx"))
    assert out.returncode == 0, out.stderr
    import csv
    import io

    [row] = list(csv.DictReader(io.StringIO(out.stdout)))
    assert row["checks_failed"].split(";")[:2] == ["balance:natural", "balance:total"]
    assert "balance:research" in row["checks_not_evaluable"].split(";")
    bad = REPO / "tests" / "fixtures" / "broken"
    out = nianbao("extract", "--format", "csv", str(next(bad.glob("*.pdf"))))
    assert out.returncode == 1 and "no file could be read" in out.stderr


def test_reextract_records_the_parser_version(archive, monkeypatch: pytest.MonkeyPatch) -> None:
    from extract import document
    from query.reextract import reextract

    build(archive)
    assert reextract(archive) == (0, 0)  # everything already read by this parser
    # a new parser version in this process only: extraction must run here, not in a
    # worker process (which would run the unpatched code)
    monkeypatch.setattr("extract.ipc._in_worker", True)
    monkeypatch.setattr(document, "PARSER_VERSION", "9.9.9")
    assert reextract(archive) == (2, 0)
    assert reextract(archive) == (0, 0)
    [stats] = list(iter_stats(archive))
    assert stats["parser_version"] == "9.9.9" and stats["values"] == label(0)["values"]
    assert len(list(iter_reports(archive))) == 1
