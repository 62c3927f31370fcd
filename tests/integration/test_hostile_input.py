"""Hostile input at the command line and hostile archived text on the way out: every
command answers in one line or prints clean text, never a traceback, never a control
sequence from the archive."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from archive_helpers import fetched, later, report_page, setup_archive

from query.search_query import MAX_DEPTH, QueryError, Term, parse_query
from storage.archive import Archive

BASE = "http://www.ninghai.gov.cn/art/2021/1/7/"
TITLE = "长街镇2020年度政府信息公开年度报告"
CLIPBOARD = "\x1b]52;c;ZWNobyBwd25lZA==\x07"  # writes "echo pwned" to the clipboard
HOSTILE = (
    CLIPBOARD,
    "\x1b[2J\x1b[H",  # clear the screen, cursor home
    "\x1b]0;forged title\x1b\\",  # window title
    "\x9b31m",  # 8-bit CSI
    "\x1bP1$qm\x1b\\",  # DCS request
    "\u202e",  # right-to-left override
    "\x07\x08\x0b\x0c",
)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


def nianbao(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("nianbao: "), result.stderr
    return lines[0]


def _fill(archive: Archive) -> None:
    """Two versions of one report, both text and title holding escape sequences."""
    recorder = setup_archive(archive)
    with recorder:
        body = "一、总体情况\n本年收到行政复议申请2件。" + "".join(HOSTILE) + "行政诉讼0件。"
        title = TITLE + CLIPBOARD
        recorder.record(
            fetched(BASE + "cj.html", report_page(body, title=title), title=title, year=2020)
        )
        recorder.record(
            fetched(
                BASE + "cj.html",
                report_page(body.replace("2件", "3件") + "\x1b[8m隐藏", title=title),
                title=title,
                year=2020,
                at=later(60),
                agency_name="长街镇\x1b]52;c;cm0gLXJmIH4=\x07",
            )
        )


# -- queries ---------------------------------------------------------------------------
def test_queries_parse_without_recursion() -> None:
    assert parse_query("(" * 400 + "复议" + ")" * 400) == Term("复议")
    assert parse_query("NOT " * 2000 + "复议") == Term("复议")
    assert parse_query("NOT " * 2001 + "复议 诉讼").nodes[1] == Term("诉讼")  # type: ignore[union-attr]
    deep = "".join(f"x{i} " + ("OR (" if i % 2 == 0 else "(") for i in range(400))
    with pytest.raises(QueryError, match=f"more than {MAX_DEPTH} levels deep"):
        parse_query(deep + "end" + ")" * 400)
    # a million terms side by side is wide, not deep
    wide = parse_query(" OR ".join(["复议"] * 100_000))
    assert len(wide.nodes) == 100_000  # type: ignore[union-attr]


def test_hostile_queries_on_both_databases(db_url: str, tmp_path: Path) -> None:
    with Archive(db_url, data_dir=tmp_path / "data") as archive:
        _fill(archive)
    env = {"NIANBAO_DATA_DIR": str(tmp_path / "data")}
    nested = nianbao("search", "--db", db_url, "(" * 400 + "复议" + ")" * 400, env=env)
    assert nested.returncode == 0, nested.stderr
    assert nested.stdout.startswith("1 hits for")
    nots = nianbao("search", "--db", db_url, "诉讼 " + "NOT " * 2000 + "复议", env=env)
    assert nots.returncode == 0, nots.stderr
    assert nots.stdout.startswith("1 hits for")
    deep = "".join(f"x{i} " + ("OR (" if i % 2 == 0 else "(") for i in range(400))
    line = one_line(nianbao("search", "--db", db_url, deep + "复议" + ")" * 400, env=env))
    assert "levels deep" in line
    for query in ("(" * 5000 + "复议", "复议" + ")" * 5000, "NOT " * 5000):
        line = one_line(nianbao("search", "--db", db_url, query, env=env))
        assert "Traceback" not in line


def test_query_words_starting_with_a_dash(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/a.sqlite3"
    with Archive(db, data_dir=tmp_path / "data") as archive:
        _fill(archive)
    env = {"NIANBAO_DATA_DIR": str(tmp_path / "data")}
    # a negated term after a positive one is a query, with or without --
    for args in (["复议", "-听证"], ["--", "复议", "-听证"], ["--limit", "5", "复议", "-听证"]):
        result = nianbao("search", "--db", db, *args, env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("1 hits for 复议 -听证")
    # only negated terms: the message says what to do
    for args in (["-foo"], ["--", "-foo"], ["-hello"]):
        line = one_line(nianbao("search", "--db", db, *args, env=env))
        assert "at least one term that is not negated" in line and "复议 -诉讼" in line
    line = one_line(nianbao("search", "--db", db, "--yeer", "2020", "复议", env=env))
    assert "no such option: --yeer" in line and "put -- first" in line
    help_text = nianbao("search", "-h")
    assert help_text.returncode == 0 and "Usage: nianbao search" in help_text.stdout


# -- database URLs ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///", "names no database file"),
        ("sqlite:///:memory:", "names no database file"),
        ("sqlite:///file:x?mode=memory&uri=true", "names no database file"),
        ("postgresql://[::1", "not a database URL: 'postgresql+psycopg://[::1'"),
        ("sqlite:////nonexistent/dir/x.db", "/nonexistent/dir/x.db does not exist"),
        ("mysql://x@127.0.0.1/db", "unsupported database 'mysql'"),
    ],
)
def test_bad_database_urls(url: str, message: str, tmp_path: Path) -> None:
    for command in (["reports"], ["search", "复议"]):
        line = one_line(nianbao(*command, "--db", url, env={"NIANBAO_DATA_DIR": str(tmp_path)}))
        assert message in line
    assert not Path("/nonexistent").exists()


# -- terminal output -------------------------------------------------------------------
def test_archived_control_sequences_never_reach_the_terminal(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/a.sqlite3"
    with Archive(db, data_dir=tmp_path / "data") as archive:
        _fill(archive)
        versions = [v["version_id"] for d in _history(archive) for v in d["versions"]]
    # the archive keeps the text exactly as captured
    env = {"NIANBAO_DATA_DIR": str(tmp_path / "data")}
    raw = nianbao("search", "--db", db, "--format", "jsonl", "复议", env=env)
    assert raw.returncode == 0 and "\\u001b]52" in raw.stdout  # JSON escapes, not raw ESC
    shown = {
        "search": nianbao("search", "--db", db, "复议", env=env),
        "search csv": nianbao("search", "--db", db, "--format", "csv", "复议", env=env),
        "reports csv": nianbao("reports", "--db", db, "--format", "csv", env=env),
        "history": nianbao("history", "--db", db, "changjie:2020", env=env),
        "diff": nianbao("diff", "--db", db, str(versions[0]), str(versions[1]), env=env),
        "audit": nianbao("audit", "--db", db, "--year", "2020", env=env),
    }
    for name, result in shown.items():
        assert result.returncode in (0, 1), (name, result.stderr)
        assert "Traceback" not in result.stderr, name
        for stream in (result.stdout, result.stderr):
            assert not CONTROL.search(stream), (name, CONTROL.findall(stream))
            assert "ZWNobyBwd25lZA==" not in stream and "forged title" not in stream, name
    assert "申请3件" in shown["search"].stdout
    assert "长街镇" in shown["history"].stdout
    assert "隐藏" in shown["diff"].stdout  # the text stays, only the sequence goes


def test_own_styles_still_work_on_a_terminal(tmp_path: Path) -> None:
    """Highlights are nianbao's own styling: kept (as SGR) where archived ones are not."""
    import pty

    db = f"sqlite:///{tmp_path}/a.sqlite3"
    with Archive(db, data_dir=tmp_path / "data") as archive:
        _fill(archive)
    pid, fd = pty.fork()
    if pid == 0:  # the child: nianbao on a terminal
        os.environ["NIANBAO_DATA_DIR"] = str(tmp_path / "data")
        os.execv(sys.executable, [sys.executable, "-m", "nianbao", "search", "--db", db, "复议"])
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    text = out.decode("utf-8", "replace")
    assert "\x1b[1;33m复议\x1b[0m" in text
    assert "\x1b]" not in text and "\x1b[2J" not in text and "\x07" not in text


def _history(archive: Archive) -> list[dict[str, Any]]:
    from query.history import report_history

    return json.loads(json.dumps(report_history(archive, "changjie:2020")["documents"]))
