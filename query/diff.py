"""What changed between two versions of a document: sentences of text and table values."""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from query.history import resolve_report
from storage.archive import Archive, iso
from storage.models import CaptureRow, DocumentRow, ExtractionRow, VersionRow

_SENTENCE_END = re.compile(r"(?<=[。；！？!?;])|\n")


@dataclass
class VersionDiff:
    url: str
    old: dict[str, Any]
    new: dict[str, Any]
    text: list[dict[str, Any]] = field(default_factory=list)
    """Changed passages: ``{"op": "replace"|"insert"|"delete", "old": str, "new": str}``."""
    values: list[dict[str, Any]] = field(default_factory=list)
    """Changed table values: ``{"key", "old", "new"}`` (null when absent)."""

    @property
    def summary(self) -> str:
        counts = {"replace": 0, "insert": 0, "delete": 0}
        for change in self.text:
            counts[change["op"]] += 1
        parts = [
            f"{counts['replace']} passage(s) changed, {counts['insert']} added, {counts['delete']} removed",
            f"{len(self.values)} table value(s) changed",
        ]
        shown = [f"{v['key']} {_show(v['old'])} → {_show(v['new'])}" for v in self.values[:5]]
        if shown:
            parts.append("; ".join(shown) + ("; …" if len(self.values) > 5 else ""))
        return "; ".join(parts)

    def record(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "from": self.old,
            "to": self.new,
            "summary": self.summary,
            "text": self.text,
            "values": self.values,
        }


def _show(value: Any) -> str:
    return "null" if value is None else str(value)


def sentences(body: str) -> list[str]:
    """Text split into sentences (and lines), each with its whitespace collapsed."""
    out = []
    for part in _SENTENCE_END.split(body):
        flat = " ".join(part.split())
        if flat:
            out.append(flat)
    return out


def text_changes(old: str, new: str) -> list[dict[str, Any]]:
    a, b = sentences(old), sentences(new)
    changes = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        changes.append({"op": op, "old": "".join(a[i1:i2]), "new": "".join(b[j1:j2])})
    return changes


def value_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    keys = sorted(set(old) | set(new))
    return [
        {"key": k, "old": old.get(k), "new": new.get(k)} for k in keys if old.get(k) != new.get(k)
    ]


def _latest_values(s: Session, version_id: int) -> dict[str, Any]:
    values = s.scalar(
        select(ExtractionRow.values)
        .where(ExtractionRow.version_id == version_id)
        .order_by(ExtractionRow.id.desc())
        .limit(1)
    )
    return dict(values or {})


def _version_info(v: VersionRow, c: CaptureRow) -> dict[str, Any]:
    return {
        "version": v.seq,
        "version_id": v.id,
        "content_sha256": v.content_sha256,
        "captured_at": iso(c.captured_at),
        "sha256": c.payload_sha256,
        "capture_url": c.url,
    }


def diff_versions(session: Session, old_id: int, new_id: int) -> VersionDiff:
    """The diff of two versions (usually of one document; any two may be compared)."""
    rows = {}
    for vid in (old_id, new_id):
        row = session.execute(
            select(VersionRow, CaptureRow, DocumentRow.url)
            .join(CaptureRow, CaptureRow.id == VersionRow.capture_id)
            .join(DocumentRow, DocumentRow.id == VersionRow.document_id)
            .where(VersionRow.id == vid)
        ).first()
        if row is None:
            raise KeyError(f"no version with id {vid}")
        rows[vid] = row
    (ov, oc, ourl), (nv, nc, nurl) = rows[old_id], rows[new_id]
    return VersionDiff(
        url=nurl if ourl == nurl else f"{ourl} → {nurl}",
        old=_version_info(ov, oc),
        new=_version_info(nv, nc),
        text=text_changes(ov.text or "", nv.text or ""),
        values=value_changes(_latest_values(session, ov.id), _latest_values(session, nv.id)),
    )


def diff_report(archive: Archive, ref: str) -> list[VersionDiff]:
    """For every document of a report, each version against the one before it."""
    with archive.session() as s:
        report = resolve_report(s, ref)
        out: list[VersionDiff] = []
        for doc_id in s.scalars(
            select(DocumentRow.id)
            .where(DocumentRow.report_id == report.id)
            .order_by(DocumentRow.id)
        ):
            ids = list(
                s.scalars(
                    select(VersionRow.id)
                    .where(VersionRow.document_id == doc_id)
                    .order_by(VersionRow.seq)
                )
            )
            out.extend(diff_versions(s, a, b) for a, b in itertools.pairwise(ids))
        return out


def diff_by_ids(archive: Archive, old_id: int, new_id: int) -> VersionDiff:
    with archive.session() as s:
        return diff_versions(s, old_id, new_id)


def render_diff(diff: VersionDiff, *, paint: Callable[[str], str] | None = None) -> str:
    """A diff for a terminal: ``-`` old passages, ``+`` new ones, then table values.
    ``paint`` turns SGR parameters into the markers of a style (``nianbao.terminal.begin``):
    the old passages red, the new green, the URL bold; None prints no styles."""
    red, green, bold, off = (
        (paint("31"), paint("32"), paint("1"), paint("0")) if paint else ("", "", "", "")
    )
    o, n = diff.old, diff.new
    lines = [
        f"{bold}{diff.url}{off}",
        f"version {o['version']} ({o['captured_at']}, content {o['content_sha256'][:16]}…) → "
        f"version {n['version']} ({n['captured_at']}, content {n['content_sha256'][:16]}…)",
        diff.summary,
    ]
    for change in diff.text:
        lines.append("")
        if change["old"]:
            lines.append(f"{red}- {change['old']}{off}")
        if change["new"]:
            lines.append(f"{green}+ {change['new']}{off}")
    if diff.values:
        lines.append("")
        lines.append("table values:")
        lines += [f"  {v['key']}: {_show(v['old'])} → {_show(v['new'])}" for v in diff.values]
    return "\n".join(lines)
