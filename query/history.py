"""A report's history: its documents, their versions and every observation of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.archive import Archive, iso
from storage.models import AgencyRow, CaptureRow, DocumentRow, ObservationRow, ReportRow, VersionRow
from storage.vocab import ObservationOutcome


def resolve_report(session: Session, ref: str) -> ReportRow:
    """A report by ``AGENCY:YEAR`` (or ``AGENCY/YEAR``) or by its numeric id."""
    ref = ref.strip()
    if ref.isdigit():
        row = session.get(ReportRow, int(ref))
        if row is None:
            raise KeyError(f"no report with id {ref}")
        return row
    for sep in (":", "/"):
        if sep in ref:
            agency, _, year = ref.rpartition(sep)
            if not year.isdigit() or not agency:
                break
            row = session.scalar(
                select(ReportRow).where(ReportRow.agency_id == agency, ReportRow.year == int(year))
            )
            if row is None:
                raise KeyError(f"no report of agency {agency!r} for {year}")
            return row
    raise KeyError(
        f"cannot read the report {ref!r}: use AGENCY:YEAR (e.g. changjie:2020) or a report id"
    )


def report_history(archive: Archive, ref: str) -> dict[str, Any]:
    """Everything the archive holds on one report, oldest first, with hashes to check."""
    with archive.session() as s:
        report = resolve_report(s, ref)
        agency = s.get(AgencyRow, report.agency_id)
        docs = list(
            s.scalars(
                select(DocumentRow)
                .where(DocumentRow.report_id == report.id)
                .order_by(DocumentRow.id)
            )
        )
        out_docs = []
        for doc in docs:
            # the text's length, not the text (kilobytes a version, read for nothing)
            versions = s.execute(
                select(
                    VersionRow.id,
                    VersionRow.seq,
                    VersionRow.content_sha256,
                    VersionRow.first_seen_at,
                    func.length(VersionRow.text),
                    CaptureRow,
                )
                .join(CaptureRow, CaptureRow.id == VersionRow.capture_id)
                .where(VersionRow.document_id == doc.id)
                .order_by(VersionRow.seq)
            ).all()
            seq_of = {v.id: v.seq for v in versions}
            observations = s.execute(
                select(ObservationRow, CaptureRow)
                .outerjoin(CaptureRow, CaptureRow.id == ObservationRow.capture_id)
                .where(ObservationRow.document_id == doc.id)
                .order_by(ObservationRow.observed_at, ObservationRow.id)
            ).all()
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
                            "version": seq,
                            "version_id": vid,
                            "content_sha256": sha,
                            "first_seen_at": iso(first_seen),
                            "chars": int(chars or 0),
                            "capture": _capture(c),
                        }
                        for vid, seq, sha, first_seen, chars, c in versions
                    ],
                    "observations": [
                        {
                            "observed_at": iso(o.observed_at),
                            "outcome": o.outcome,
                            "status": o.status,
                            "run_id": o.run_id,
                            "version": seq_of.get(o.version_id) if o.version_id else None,
                            "capture": _capture(c) if c is not None else None,
                        }
                        for o, c in observations
                    ],
                }
            )
        return {
            "report_id": report.id,
            "agency_id": report.agency_id,
            "agency_name": agency.name if agency else None,
            "year": report.year,
            "title": report.title,
            "published_at": report.published_at,
            "published_source": report.published_source,
            "first_seen_at": iso(report.first_seen_at),
            "documents": out_docs,
        }


def _capture(c: CaptureRow) -> dict[str, Any]:
    return {
        "capture_id": c.id,
        "url": c.url,
        "captured_at": iso(c.captured_at),
        "status": c.status,
        "sha256": c.payload_sha256,
        "record_type": c.record_type,
        "warc_file": c.warc_file,
        "warc_offset": c.warc_offset,
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
