"""``nianbao extract FILE…``: text, metadata and tables of local files, not archived."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from nianbao.commands.common import fail, handle_errors
from query.formats import write_csv, write_jsonl
from query.stats import check_names

MAX_FILE_BYTES = 200 * 1024 * 1024


def extraction_record(path: Path, with_text: bool) -> dict:
    from extract import extract_document

    if path.stat().st_size > MAX_FILE_BYTES:
        data = b""
        error: str | None = f"{path}: larger than {MAX_FILE_BYTES} bytes"
    else:
        data, error = path.read_bytes(), None
    ex = extract_document(data, filename=path.name)
    if error:
        ex.error = error

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
    as `nianbao stats` would, without archiving them. Folders are read recursively."""
    paths: list[Path] = []
    for f in files:
        paths.extend(sorted(p for p in f.rglob("*") if p.is_file()) if f.is_dir() else [f])
    records = [extraction_record(path, with_text) for path in paths]
    if fmt == "csv":
        write_csv(csv_rows(records), sys.stdout)
    else:
        write_jsonl(records, sys.stdout)
    failed = sum(r["error"] is not None for r in records)
    if failed and failed == len(records):
        raise fail(f"no file could be read ({failed} errors)")


def csv_rows(records: list[dict]) -> list[dict]:
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
