"""``nianbao audit``: watchdog findings with checkable evidence (exports.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from audit.contents import ContentRules, ContentRulesError
from audit.deadlines import DeadlineError, Deadlines
from audit.findings import FINDINGS, AuditOptions, run_audit
from nianbao.commands.common import (
    db_option,
    emit,
    fail,
    format_option,
    handle_errors,
    open_archive,
)

as_of_option = click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Judge as of this UTC time (default: now).",
)
deadlines_option = click.option(
    "--deadlines",
    "deadlines_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Deadline rules (default: config/deadlines.yaml).",
)


contents_option = click.option(
    "--contents",
    "contents_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="What each year's reports must contain (default: config/report_contents.yaml: "
    "the 2008 条例 for reports on 2008–2018, the unified format from 2019).",
)


def load_contents(path: Path | None) -> ContentRules:
    try:
        return ContentRules.load(path)
    except ContentRulesError as exc:
        raise fail(str(exc)) from exc


def load_deadlines(path: Path | None) -> Deadlines:
    try:
        return Deadlines.load(path)
    except DeadlineError as exc:
        raise fail(str(exc)) from exc


@click.command(name="audit")
@db_option
@format_option
@click.option(
    "--year",
    "years",
    type=int,
    multiple=True,
    help="Report year (repeatable; default: every year).",
)
@click.option("--agency", help="Agency id.")
@click.option(
    "--finding", "findings", type=click.Choice(FINDINGS), multiple=True, help="Only these findings."
)
@click.option("--copy-threshold", type=click.FloatRange(0.1, 1.0), default=0.9, show_default=True)
@as_of_option
@deadlines_option
@contents_option
@handle_errors
def command(
    db_url: str | None,
    fmt: str,
    years: tuple[int, ...],
    agency: str | None,
    findings: tuple[str, ...],
    copy_threshold: float,
    as_of: datetime | None,
    deadlines_path: Path | None,
    contents_path: Path | None,
) -> None:
    """One object per finding: missing, late, changed, vanished, inconsistent, incomplete,
    copied — each with evidence (capture URL, time, sha256). A report is judged
    incomplete only by the rules of its own year (--contents)."""
    options = AuditOptions(
        years=list(years) or None,
        agency=agency,
        findings=set(findings) or None,
        as_of=as_of.replace(tzinfo=UTC) if as_of else None,
        deadlines=load_deadlines(deadlines_path),
        contents=load_contents(contents_path),
        copy_threshold=copy_threshold,
    )
    with open_archive(db_url) as archive:
        result = run_audit(archive, options)
    emit((f.record() for f in result.findings), fmt)
