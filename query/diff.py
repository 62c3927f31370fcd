"""What changed between two versions of a document: sentences of text and table values."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from storage.archive import Archive, iso
from storage.histories import VersionSide, report_version_pairs, version_pair

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


def _version_info(side: VersionSide) -> dict[str, Any]:
    v, c = side.version, side.capture
    return {
        "version": v.seq,
        "version_id": v.id,
        "content_sha256": v.content_sha256,
        "captured_at": iso(c.captured_at),
        "sha256": c.payload_sha256,
        "capture_url": c.url,
    }


def diff_versions(old: VersionSide, new: VersionSide) -> VersionDiff:
    """The diff of two versions (usually of one document; any two may be compared)."""
    ourl, nurl = old.url, new.url
    return VersionDiff(
        url=nurl if ourl == nurl else f"{ourl} → {nurl}",
        old=_version_info(old),
        new=_version_info(new),
        text=text_changes(old.version.text or "", new.version.text or ""),
        values=value_changes(old.values, new.values),
    )


def diff_report(archive: Archive, ref: str) -> list[VersionDiff]:
    """For every document of a report, each version against the one before it."""
    return [diff_versions(a, b) for a, b in report_version_pairs(archive, ref)]


def diff_by_ids(archive: Archive, old_id: int, new_id: int) -> VersionDiff:
    return diff_versions(*version_pair(archive, old_id, new_id))


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
