"""A report's history: its documents, their versions and every observation of them."""

from __future__ import annotations

from typing import Any

from storage.archive import Archive, iso
from storage.histories import capture_record, report_held
from storage.vocab import ObservationOutcome


def report_history(archive: Archive, ref: str) -> dict[str, Any]:
    """Everything the archive holds on one report, oldest first, with hashes to check."""
    held = report_held(archive, ref)
    report = held.report
    out_docs = []
    for doc_held in held.documents:
        doc = doc_held.document
        seq_of = {v.id: v.seq for v in doc_held.versions}
        out_docs.append(
            {
                "url": doc.url,
                "role": doc.role,
                "media_type": doc.media_type,
                "status": doc.status,
                "first_seen_at": iso(doc.first_seen_at),
                "last_seen_at": iso(doc.last_seen_at),
                "versions": [
                    {
                        "version": v.seq,
                        "version_id": v.id,
                        "content_sha256": v.content_sha256,
                        "first_seen_at": iso(v.first_seen_at),
                        "chars": v.chars,
                        "capture": capture_record(v.capture),
                    }
                    for v in doc_held.versions
                ],
                "observations": [
                    {
                        "observed_at": iso(o.observed_at),
                        "outcome": o.outcome,
                        "status": o.status,
                        "run_id": o.run_id,
                        "version": seq_of.get(o.version_id) if o.version_id else None,
                        "capture": capture_record(c) if c is not None else None,
                    }
                    for o, c in doc_held.observations
                ],
            }
        )
    return {
        "report_id": report.id,
        "agency_id": report.agency_id,
        "agency_name": held.agency_name,
        "year": report.year,
        "title": report.title,
        "published_at": report.published_at,
        "published_source": report.published_source,
        "first_seen_at": iso(report.first_seen_at),
        "documents": out_docs,
    }


def render_history(history: dict[str, Any]) -> str:
    """The history as readable text for a terminal."""
    lines = [
        f"{history['agency_name']} ({history['agency_id']}) {history['year']}: {history['title'] or '(no title)'}",
        f"published {history['published_at'] or 'unknown'}"
        f"{' (' + history['published_source'] + ')' if history['published_source'] else ''}; "
        f"first captured {history['first_seen_at']}",
    ]
    for doc in history["documents"]:
        lines.append("")
        lines.append(f"{doc['role']} {doc['url']}  [{doc['status']}]  {doc['media_type'] or ''}")
        for v in doc["versions"]:
            cap = v["capture"]
            lines.append(
                f"  version {v['version']}  first seen {v['first_seen_at']}  content {v['content_sha256'][:16]}…  "
                f"raw {cap['sha256'][:16]}…  {cap['warc_file']}@{cap['warc_offset']}"
            )
        for o in doc["observations"]:
            cap = o["capture"]
            raw = f"  raw {cap['sha256'][:16]}…" if cap else ""
            if o["outcome"] == ObservationOutcome.LISTED and cap:
                raw = f"  on {cap['url']}"
            version = f" v{o['version']}" if o["version"] else ""
            lines.append(
                f"    {o['observed_at']}  {o['outcome']:<12} HTTP {o['status']}{version}  run {o['run_id']}{raw}"
            )
    return "\n".join(lines)
