"""``nianbao extract FILE…``: text, metadata and tables of local files, not archived."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Any

import click

from nianbao.commands.common import fail, handle_errors
from query.formats import write_csv, write_jsonl
from query.stats import check_names

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


class Refused(Exception):
    """A local file that is not read: not a regular file, unreadable, or too large."""


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_local_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file, at most ``limit``: the file type is checked before it
    is opened (a FIFO would block, ``/dev/zero`` never ends) and again on the open file,
    and reading stops past ``limit`` whatever size the file claims."""
    try:
        kind = _not_regular(os.stat(path).st_mode)
        if kind:
            raise Refused(f"{path}: {kind}, not a regular file; refused")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise Refused(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        kind = _not_regular(os.fstat(fd).st_mode)
        if kind:
            raise Refused(f"{path}: {kind}, not a regular file; refused")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise Refused(f"{path}: cannot read: {exc.strerror}") from exc
    finally:
        os.close(fd)
    if size > limit:
        raise Refused(f"{path}: larger than the limit of {limit} bytes; refused")
    return b"".join(chunks)


def extraction_record(path: Path, with_text: bool) -> dict[str, Any]:
    from extract import extract_document
    from extract.document import failed_extraction
    from extract.limits import DEFAULT_LIMITS

    try:
        data = read_local_file(path, DEFAULT_LIMITS.max_input_bytes)
    except Refused as exc:
        ex = failed_extraction(b"", str(exc))
    else:
        ex = extract_document(data, filename=path.name)

    def sourced(name: str) -> object:
        value = getattr(ex, name)
        return None if value is None else value.value

    record = {
        "file": str(path),
        "media_type": ex.media_type,
        "title": sourced("title"),
        "agency_name": sourced("agency_name"),
        "year": sourced("year"),
        "published_at": sourced("published_at"),
        "sources": {
            n: getattr(ex, n).source
            for n in ("title", "agency_name", "year", "published_at")
            if getattr(ex, n)
        },
        "layout": ex.layout or "none",
        "parser_version": ex.parser_version,
        "sections": list(ex.sections),
        "values": dict(ex.values),
        "checks": list(ex.checks),
        "needs_ocr": ex.needs_ocr,
        "body_source": ex.body_source,
        "ocr": ex.ocr,
        "error": ex.error,
    }
    if with_text:
        record["text"] = ex.text
    return record


@click.command(name="extract")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=True)
)
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option("--text", "with_text", is_flag=True, help="Include the extracted text (jsonl).")
@handle_errors
def command(files: tuple[Path, ...], fmt: str, with_text: bool) -> None:
    """Print what extraction finds in local FILES (pdf, doc, docx, wps, html, xls, zip…)
    as `nianbao stats` would, without archiving them. Folders are read recursively.
    Each file is read in an isolated worker process under the extraction limits; files
    that are not regular files (devices, FIFOs, sockets) or are too large are refused."""
    paths: list[Path] = []
    for f in files:
        if f.is_dir():
            paths.extend(sorted(p for p in f.rglob("*") if not p.is_dir()))
        else:
            paths.append(f)
    records = [extraction_record(path, with_text) for path in paths]
    if fmt == "csv":
        write_csv(csv_rows(records), sys.stdout)
    else:
        write_jsonl(records, sys.stdout)
    failed = [r["error"] for r in records if r["error"] is not None]
    if failed and len(failed) == len(records):
        if len(failed) == 1:
            raise fail(f"no file could be read: {failed[0]}")
        raise fail(f"no file could be read ({len(failed)} errors; the first: {failed[0]})")


def csv_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flat rows: the file's metadata, then one column per table key."""
    rows = []
    for r in records:
        row = {
            k: r[k]
            for k in (
                "file",
                "media_type",
                "title",
                "agency_name",
                "year",
                "published_at",
                "layout",
                "parser_version",
                "needs_ocr",
                "body_source",
                "error",
            )
        }
        row["sections"] = ",".join(str(x) for x in r["sections"])
        row["checks_failed"] = check_names(r["checks"], "failed")
        row["checks_not_evaluable"] = check_names(r["checks"], "not_evaluable")
        row.update(r["values"])
        rows.append(row)
    return rows
