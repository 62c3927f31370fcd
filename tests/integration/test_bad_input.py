"""Bad input gets one clear line and a non-zero exit; nothing archived is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from archive_helpers import fetched, setup_archive

from capture.types import Role
from capture.warc import WarcWriteError


def nianbao(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("nianbao: ")
    return lines[0]


@contextmanager
def tmpfs(path: Path, *options: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs for this test: {mounted.stderr!r}")
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_malformed_registry(tmp_path: Path) -> None:
    bad = tmp_path / "sites.yaml"
    bad.write_text(
        "agencies:\n  - id: a\n    name: 某局\n    level: county\n    kind: bureau\n",
        encoding="utf-8",
    )
    line = one_line_error(
        nianbao("sites", "import", str(bad), "--db", f"sqlite:///{tmp_path}/a.sqlite3")
    )
    assert (
        line
        == f"nianbao: {bad}: agencies[0] (id=a): kind: 'bureau' is not one of government, department"
    )


def test_unreachable_database(tmp_path: Path) -> None:
    line = one_line_error(nianbao("reports", "--db", "postgresql://postgres@127.0.0.1:1/nowhere"))
    assert (
        "cannot open the archive database postgresql+psycopg://postgres@127.0.0.1:1/nowhere" in line
    )
    line = one_line_error(nianbao("reports", "--db", "mysql://x@127.0.0.1/db"))
    assert "unsupported database 'mysql'" in line


def test_read_only_data_directory(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "ro", "size=1m") as ro:
        line = one_line_error(
            nianbao("reports", env={"NIANBAO_DATA_DIR": str(ro), "NIANBAO_DB": ""})
        )
        assert f"the data directory {ro} is not writable" in line


def test_full_data_directory_keeps_what_was_archived(tmp_path: Path) -> None:
    from capture.fixity import verify
    from storage.archive import Archive

    with tmpfs(tmp_path / "full", "size=256k") as full:
        archive = Archive(f"sqlite:///{tmp_path}/archive.sqlite3", data_dir=full)
        rec = setup_archive(archive)
        kept = 0
        with pytest.raises(
            WarcWriteError,
            match=r"cannot write WARC record to nianbao-.*\.warc\.gz: No space left on device",
        ):
            for i in range(1000):
                body = os.urandom(20_000)  # incompressible
                rec.record(
                    fetched(
                        f"http://www.ninghai.gov.cn/col/col1/index_{i}.html",
                        body,
                        role=Role.LISTING,
                    )
                )
                kept += 1
        assert kept > 0
        checked, problems = verify(archive.warc_dir, archive.indexed_records())
        assert (checked, problems) == (kept, [])
        archive.close()


def test_cli_reports_write_error_as_one_line(tmp_path: Path) -> None:
    line = one_line_error(
        nianbao(
            "sites",
            "import",
            str(tmp_path / "missing.yaml"),
            "--db",
            f"sqlite:///{tmp_path}/a.sqlite3",
        )
    )
    assert "missing.yaml: cannot read: No such file or directory" in line


def test_crawl_into_a_full_data_directory_stops_with_a_clear_message(tmp_path: Path) -> None:
    import sampleweb
    from capture.fixity import verify
    from storage.archive import Archive

    db = f"sqlite:///{tmp_path}/archive.sqlite3"
    with (
        tmpfs(tmp_path / "full", "size=320k") as full,
        sampleweb.SampleWeb(state="before", port=0) as web,
    ):
        registry = tmp_path / "sites.yaml"
        registry.write_text(web.registry_yaml(), encoding="utf-8")
        env = {"NIANBAO_DATA_DIR": str(full)}
        assert nianbao("sites", "import", str(registry), "--db", db, env=env).returncode == 0
        result = nianbao(
            "crawl", "--db", db, "--site", "langao-gov", "--set", "NIANBAO_PROGRESS=false", env=env
        )
        assert result.returncode == 1
        last = result.stderr.strip().splitlines()[-1]
        assert (
            last.startswith("nianbao: crawl run ") and "stopped: cannot write WARC record" in last
        )
        assert "No space left on device" in last
        archive = Archive(db, data_dir=full)
        checked, problems = verify(archive.warc_dir, archive.indexed_records())
        assert checked > 0 and problems == []
        archive.close()
