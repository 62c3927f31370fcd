"""History of a report and diffs between versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from archive_helpers import fetched, later, report_page, setup_archive
from click.testing import CliRunner

from query.diff import diff_report, render_diff, sentences, text_changes, value_changes
from query.history import render_history, report_history
from storage.archive import Archive

URL = "http://www.ninghai.gov.cn/art/2021/1/7/art_1229051395_3678466.html"
TITLE = "长街镇2020年度政府信息公开年度报告"
BODY = (
    "一、总体情况\n本年收到政府信息公开申请4件。\n二、主动公开政府信息情况\n政府集中采购项目24个。"
)


def _fill(archive: Archive) -> None:
    with setup_archive(archive) as rec:
        rec.record(fetched(URL, report_page(BODY, visits=1), title=TITLE, year=2020))
        # the same content with other page furniture: no new version
        rec.record(
            fetched(
                URL,
                report_page(BODY, visits=9, clock="11:11:11"),
                title=TITLE,
                year=2020,
                at=later(30),
            )
        )
        edited = BODY.replace("24个", "26个")
        rec.record(fetched(URL, report_page(edited), title=TITLE, year=2020, at=later(60)))
        rec.record(fetched(URL, b"not found", status=404, title=TITLE, year=2020, at=later(90)))


def test_sentences_and_changes() -> None:
    assert sentences("甲。乙；\n 丙  丁") == ["甲。", "乙；", "丙 丁"]
    changes = text_changes("甲。乙。丙。", "甲。乙二。丙。丁。")
    assert changes == [
        {"op": "replace", "old": "乙。", "new": "乙二。"},
        {"op": "insert", "old": "", "new": "丁。"},
    ]
    assert value_changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == [
        {"key": "b", "old": 2, "new": 3}
    ]


def test_history_lists_documents_versions_and_observations(archive: Archive) -> None:
    _fill(archive)
    history = report_history(archive, "changjie:2020")
    assert history["agency_id"] == "changjie" and history["year"] == 2020
    (doc,) = history["documents"]
    assert doc["status"] == "vanished"
    assert [v["version"] for v in doc["versions"]] == [1, 2]
    assert [o["outcome"] for o in doc["observations"]] == [
        "new_version",
        "unchanged",
        "new_version",
        "gone",
    ]
    assert doc["observations"][3]["status"] == 404
    first = doc["versions"][0]
    assert first["first_seen_at"] == "2021-02-15T03:00:12Z"
    assert len(first["content_sha256"]) == 64 and len(first["capture"]["sha256"]) == 64
    assert first["capture"]["warc_file"].endswith(".warc.gz")
    text = render_history(history)
    assert "version 2" in text and "gone" in text and URL in text
    with pytest.raises(KeyError, match="no report of agency"):
        report_history(archive, "changjie:1999")
    with pytest.raises(KeyError, match="AGENCY:YEAR"):
        report_history(archive, "changjie")


def test_diff_of_an_edited_report(archive: Archive) -> None:
    _fill(archive)
    (diff,) = diff_report(archive, "changjie:2020")
    assert diff.old["version"] == 1 and diff.new["version"] == 2
    assert diff.text == [
        {"op": "replace", "old": "政府集中采购项目24个。", "new": "政府集中采购项目26个。"}
    ]
    assert diff.summary.startswith("1 passage(s) changed, 0 added, 0 removed")
    shown = render_diff(diff)
    assert "- 政府集中采购项目24个。" in shown and "+ 政府集中采购项目26个。" in shown


def test_cli_history_and_diff(tmp_path: Path) -> None:
    from nianbao.cli import cli

    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    with Archive(url, data_dir=tmp_path / "data") as archive:
        _fill(archive)
    runner = CliRunner()
    out = runner.invoke(cli, ["history", "--db", url, "changjie:2020", "--format", "jsonl"])
    assert out.exit_code == 0, out.output
    assert len(json.loads(out.output)["documents"][0]["versions"]) == 2
    out = runner.invoke(cli, ["diff", "--db", url, "1", "2"])
    assert out.exit_code == 0, out.output
    assert "+ 政府集中采购项目26个。" in out.output
    bad = runner.invoke(cli, ["diff", "--db", url, "1", "99"])
    assert bad.exit_code == 1 and "no version with id 99" in bad.output
    bad = runner.invoke(cli, ["history", "--db", url, "nobody:2020"])
    assert bad.exit_code == 1 and "no report of agency 'nobody'" in bad.output
