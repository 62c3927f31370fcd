"""The hostile document corpus (tests/fixtures/hostile/make_hostile.py): every document ends
within the hard limits of the isolated worker (60 s, 1 GB) with a recorded error, or is read
once bounded, through ``extract_document``, ``read_document`` and ``nianbao extract``; the
caller's memory never grows with the document; special files are refused."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from paths import REPO

from extract import extract_document, read_document
from extract.isolation import IsolationError, StopReason, WorkerPool, default_pool
from extract.limits import ExtractionError, Limits

HOSTILE = REPO / "tests/fixtures/hostile"
GB = 1_000_000_000
MiB = 1024 * 1024


def load_make_hostile() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_hostile", HOSTILE / "make_hostile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_hostile"] = module
    spec.loader.exec_module(module)
    return module


make_hostile = load_make_hostile()

ERROR = "error"
READ = "read"
BOUNDED = "bounded"
"""Read or refused, whichever: the reader is another's, the test is that it is bounded."""

EXPECTED: dict[str, tuple[str, str]] = {
    "merge-all.xlsx": (READ, "测试县2023年报表"),  # the merge clipped to the used range
    "sparse-corner.xlsx": (
        ERROR,
        r"^xlsx: sheet 'Sheet1': more than 1000000 cells \(used range at least 1048576 rows "
        r"× 16384 columns\)$",
    ),
    "overlapping-merges.xlsx": (
        ERROR,
        r"^xlsx: sheet 'Sheet1': merged cells cover more than 1000000 cells$",
    ),
    "rows-1m.xlsx": (ERROR, r"^xlsx: more than 1000000 cells \(xl/worksheets/sheet1.xml\)$"),
    "shared-strings.xlsx": (
        ERROR,
        r"^xlsx: more than 1000000 shared strings \(xl/sharedStrings.xml\)$",
    ),
    "entity-bomb.xlsx": (ERROR, r"^xlsx xl/workbook.xml: XML with DTD/entity declarations"),
    "external-entity.xlsx": (
        ERROR,
        r"^xlsx xl/sharedStrings.xml: XML with DTD/entity declarations",
    ),
    "gridspan-vmerge.docx": (
        ERROR,
        r"^docx: tables exceed the limit of 1000000 cells once merged cells are expanded$",
    ),
    "nested-tables.docx": (READ, "最里面"),
    "huge-text.docx": (READ, "政府"),
    "fat-loop.doc": (BOUNDED, ""),
    "directory-loop.doc": (BOUNDED, ""),
    "many-pages.ofd": (BOUNDED, ""),
    "entity-bomb.ofd": (ERROR, r"^ofd OFD.xml: XML with DTD/entity declarations refused"),
    "nested-tags.html": (BOUNDED, ""),
    "attribute-60mb.html": (BOUNDED, ""),
    "attribute-200mb.html": (
        ERROR,
        r"^document too large: 209715283 bytes > limit 67108864 bytes$",
    ),
    "table-spans.html": (
        ERROR,
        r"^html: tables exceed the limit of 1000000 cells once merged cells are expanded$",
    ),
    "zip-of-zips.zip": (ERROR, r"^zip: nothing readable \(level3-0.zip: zip: nothing readable"),
    "path-traversal.zip": (READ, "测试县2023年政府信息公开工作年度报告"),
    "operator-flood.pdf": (ERROR, r"^pdf: extraction stopped: memory limit of 1024 MiB exceeded"),
    "form-loop.pdf": (ERROR, r"^pdf: extraction stopped: memory limit of 1024 MiB exceeded"),
    "page-tree-loop.pdf": (ERROR, r"^pdf: "),
    "xref-loop.pdf": (BOUNDED, ""),
    "image-pages-10k.pdf": (READ, ""),
    "pages-100k.pdf": (READ, ""),
    "broken/zip-bomb.zip": (ERROR, r"^zip: member 'report.docx' has compression ratio \d+"),
    "broken/docx-bomb.docx": (ERROR, r"zip bomb\)$"),
    "broken/entity-bomb.docx": (ERROR, r"DTD/entity declarations refused"),
    "broken/external-entity.docx": (ERROR, r"DTD/entity declarations refused"),
    "broken/truncated.docx": (ERROR, r"not a readable zip container"),
    "broken/truncated.pdf": (ERROR, r"^pdf: not a readable PDF"),
    "broken/corrupt.pdf": (ERROR, r"^pdf: not a readable PDF"),
    "broken/encrypted.pdf": (ERROR, r"^pdf: encrypted, a password is required$"),
    "broken/empty.pdf": (ERROR, r"^empty document \(0 bytes\)$"),
    "broken/truncated.doc": (ERROR, r"corrupt OLE compound file"),
    "broken/garbage.doc": (ERROR, r"^unrecognised binary format"),
    "broken/ole-no-word.doc": (ERROR, r"corrupt OLE compound file"),
}


@pytest.fixture(scope="session")
def corpus() -> dict[str, Path]:
    """Every hostile document; the large ones are made once per version of the script,
    into the system's temporary folder (about 350 MB)."""
    return make_hostile.corpus(make_hostile.large_folder_for(Path(tempfile.gettempdir())))


def test_every_hostile_document_has_an_expectation() -> None:
    names = {item.name for item in make_hostile.CORPUS}
    names |= {f"broken/{name}" for name in make_hostile.BROKEN}
    assert names == set(EXPECTED)


def test_small_documents_are_committed_as_generated() -> None:
    for item in make_hostile.CORPUS:
        if not item.large:
            assert (HOSTILE / item.name).read_bytes() == item.make(), item.name


def _status_bytes(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError(field)


@contextlib.contextmanager
def caller_growth() -> Iterator[dict[str, int]]:
    """The growth of this process's peak memory over the block (the kernel's VmHWM, reset
    before it)."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    before = _status_bytes("VmRSS")
    measured: dict[str, int] = {}
    yield measured
    measured["growth"] = _status_bytes("VmHWM") - before


def check_outcome(name: str, error: str | None, text: str) -> None:
    kind, expected = EXPECTED[name]
    if kind == ERROR:
        assert error is not None and re.search(expected, error), (name, error)
        assert "\n" not in error and len(error) < 2000, error
    elif kind == READ:
        assert error is None, (name, error)
        assert expected in text
    else:
        assert error is None or ("\n" not in error and len(error) < 2000), error


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_document_through_extract_document(name: str, corpus: dict[str, Path]) -> None:
    data = corpus[name].read_bytes()
    pool = default_pool()
    pool.last_usage = None
    started = time.monotonic()
    with caller_growth() as caller:
        extraction = extract_document(data, filename=corpus[name].name)
    wall = time.monotonic() - started
    check_outcome(name, extraction.error, extraction.text)
    # the hard limits of the isolated worker
    assert wall < 60
    usage = pool.last_usage
    if usage is not None and usage.peak_rss is not None:
        assert usage.peak_rss < GB
    # the caller holds the document, one copy on its way to the worker, and the result;
    # never what reading it takes
    assert caller["growth"] < 64 * MiB + len(data) + len(extraction.text) * 4, caller
    assert len(extraction.text) <= 2_000_000


def test_what_bounded_documents_give(corpus: dict[str, Path]) -> None:
    # the merge is clipped to the used range (A1:B2), which it covers whole, as a
    # spreadsheet program shows it
    merged = read_document(corpus["merge-all.xlsx"].read_bytes())
    assert merged.tables == [[["测试县2023年报表"] * 2] * 2]
    assert merged.text == "[Sheet1]\n测试县2023年报表"
    huge = read_document(corpus["huge-text.docx"].read_bytes())
    assert len(huge.text) == 2_000_000
    assert huge.meta["truncated"] == "text cut at 2000000 characters"
    scans = read_document(corpus["image-pages-10k.pdf"].read_bytes())
    assert scans.needs_ocr and scans.pages == 10_000
    traversal = read_document(corpus["path-traversal.zip"].read_bytes())
    assert len(traversal.parts) == 3
    assert not Path("/tmp/nianbao-traversal.html").exists()
    assert not Path("/tmp/nianbao-absolute.html").exists()


def test_limits_are_the_callers_to_choose(corpus: dict[str, Path]) -> None:
    rows = corpus["rows-1m.xlsx"].read_bytes()
    with pytest.raises(ExtractionError, match=r"^xlsx: more than 1000 cells \(xl/worksheets"):
        read_document(rows, limits=Limits(max_cells=1000))
    # many-pages.ofd takes seconds of CPU to read: the caller's time limits stop it
    pages = corpus["many-pages.ofd"].read_bytes()
    started = time.monotonic()
    with pytest.raises(
        IsolationError, match=r"^ofd: extraction stopped: wall-time limit of 0.5 s exceeded$"
    ):
        read_document(pages, limits=Limits(timeout_s=0.5, cpu_s=60.0))
    assert time.monotonic() - started < 15
    with pytest.raises(IsolationError) as info:
        read_document(pages, limits=Limits(timeout_s=60.0, cpu_s=1.0))
    assert info.value.reason == StopReason.CPU_TIME
    assert str(info.value) == "ofd: extraction stopped: CPU-time limit of 1 s exceeded"
    small = Limits(memory_bytes=400 * MiB)
    big = corpus["huge-text.docx"].read_bytes()
    extraction = extract_document(big, limits=small)
    assert extraction.error is not None and re.match(
        r"^docx: (extraction stopped: memory limit of 400 MiB exceeded|the parser process died)",
        extraction.error,
    )
    # and the next document is read by a fresh worker
    assert extract_document(corpus["merge-all.xlsx"].read_bytes()).error is None


def test_a_worker_killed_mid_document_is_recorded_and_replaced() -> None:
    with WorkerPool(1) as pool:
        assert pool.run(os.getpid, ()) > 0
        [pid] = pool.pids()

        def kill_soon() -> None:
            time.sleep(0.5)
            os.kill(pid, 9)

        import threading

        threading.Thread(target=kill_soon).start()
        with pytest.raises(IsolationError) as info:
            pool.run(time.sleep, (30,), what="pdf")
        assert info.value.reason == StopReason.CRASH
        assert str(info.value).startswith("pdf: the parser process died (SIGKILL")
        assert pool.run(os.getpid, ()) not in (pid, os.getpid())


def _gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "State:\tZ" in status  # exited, waiting to be reaped by init


def test_an_orphaned_worker_exits_by_itself(tmp_path: Path) -> None:
    """A caller killed with SIGKILL leaves no worker behind, even one busy with a task."""
    script = (
        "import os, time\n"
        "from extract.isolation import WorkerPool\n"
        "pool = WorkerPool(1)\n"
        "print(pool.run(os.getpid, ()), flush=True)\n"
        "pool.run(time.sleep, (300,))\n"
    )
    caller = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    assert caller.stdout is not None
    worker = int(caller.stdout.readline())
    time.sleep(0.5)
    assert not _gone(worker)
    caller.kill()
    caller.wait()
    caller.stdout.close()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not _gone(worker):
        time.sleep(0.2)
    assert _gone(worker)


def test_worker_is_the_installed_package_whatever_the_working_directory(tmp_path: Path) -> None:
    """A folder named like the package in the working directory is not what runs."""
    (tmp_path / "extract").mkdir()
    (tmp_path / "extract" / "__init__.py").write_text("raise SystemExit('wrong package')\n")
    (tmp_path / "extract" / "worker.py").write_text("raise SystemExit('wrong worker')\n")
    script = (
        "from extract.isolation import WorkerPool\n"
        "from extract.sniff import base_media_type\n"
        "with WorkerPool(1) as pool:\n"
        "    print(pool.run(base_media_type, ('TEXT/HTML; charset=gbk',)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-P", "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.stdout.strip() == "text/html", result.stderr


# ---------------------------------------------------------------- nianbao extract


def nianbao(*args: str, tmp: Path) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run the CLI; also its peak memory and its workers' (the largest), from wait4."""
    out, err = tmp / "stdout", tmp / "stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "nianbao", *args], stdout=stdout, stderr=stderr
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    result = subprocess.CompletedProcess(
        process.args,
        process.returncode,
        out.read_text(encoding="utf-8"),
        err.read_text(encoding="utf-8"),
    )
    return result, usage.ru_maxrss * 1024


def test_nianbao_extract_reads_the_whole_hostile_corpus(
    corpus: dict[str, Path], tmp_path: Path
) -> None:
    names = sorted(EXPECTED)
    started = time.monotonic()
    result, peak = nianbao(
        "extract", "--text", *(str(corpus[name]) for name in names), tmp=tmp_path
    )
    assert time.monotonic() - started < 60 * len(names)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["file"] for r in records] == [str(corpus[name]) for name in names]
    for name, record in zip(names, records, strict=True):
        if name == "attribute-200mb.html":
            assert (
                record["error"]
                == f"{corpus[name]}: larger than the limit of 67108864 bytes; refused"
            )
            continue
        check_outcome(name, record["error"], record["text"])
    assert peak < GB


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("nianbao: ")
    return lines[0]


def test_nianbao_extract_refuses_special_files(tmp_path: Path) -> None:
    fifo = tmp_path / "report.pdf"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock.docx"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        for path, kind in (
            (Path("/dev/zero"), "a character device"),
            (fifo, "a FIFO (named pipe)"),
            (sock_path, "a socket"),
        ):
            started = time.monotonic()
            result, _ = nianbao("extract", str(path), tmp=tmp_path.parent)
            assert time.monotonic() - started < 60
            assert result.returncode == 1
            assert one_line(result) == (
                f"nianbao: no file could be read: {path}: {kind}, not a regular file; refused"
            )
            [record] = [json.loads(line) for line in result.stdout.splitlines()]
            assert record["error"] == f"{path}: {kind}, not a regular file; refused"
        # in a folder: the special files are refused, the documents read
        (tmp_path / "a.html").write_text(
            "<html><body><p>测试县2023年政府信息公开工作年度报告</p></body></html>",
            encoding="utf-8",
        )
        result, _ = nianbao("extract", str(tmp_path), tmp=tmp_path.parent)
        assert result.returncode == 0 and result.stderr == ""
        records = {Path(r["file"]).name: r for r in map(json.loads, result.stdout.splitlines())}
        assert records["a.html"]["error"] is None
        assert records["report.pdf"]["error"].endswith(
            "a FIFO (named pipe), not a regular file; refused"
        )
        assert records["sock.docx"]["error"].endswith("a socket, not a regular file; refused")
    finally:
        sock.close()


def test_nianbao_extract_caps_what_it_reads(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as out:
        out.truncate(5 * 1024**3)  # 5 GB claimed, sparse: only the cap is ever read
    result, peak = nianbao("extract", str(big), tmp=tmp_path.parent)
    assert one_line(result) == (
        f"nianbao: no file could be read: {big}: larger than the limit of 67108864 bytes; refused"
    )
    assert peak < 512 * MiB
