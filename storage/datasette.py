"""Datasette metadata for the SQLite archive: a title and description of every table and
column, generated from the models (``storage.models``, ``storage.models_ops``).

    nianbao datasette-metadata --out metadata.json
    datasette data/nianbao.sqlite3 --metadata metadata.json

Every table and column of the models must be described here: ``describe`` raises when
one is not (a test keeps them in step), so a new column cannot reach Datasette unexplained.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import storage.models_ops  # noqa: F401  (the ops tables join the metadata)
from storage.models import Base

TABLES: dict[str, str] = {
    "agencies": "Agencies that owe annual reports: the registry's, and those found in report titles but not registered (registered = 0).",
    "sites": "Websites crawled for an agency's reports (from the registry).",
    "crawl_runs": "One run of the crawler over one or more sites.",
    "site_runs": "One site's part of a crawl run, with its figures.",
    "failures": "A failure of one URL of one site in a run (HTTP status, timeout, WAF, robots, extraction…).",
    "captures": "One HTTP exchange kept as evidence, and where its WARC record lies.",
    "reports": "One agency's report on one year.",
    "documents": "One URL where a report lives: its HTML page or an attachment.",
    "versions": "One distinct normalised content of a document (a new version when the text changes).",
    "observations": "A document seen (unchanged, new version, not modified, gone, still listed) by a crawl at a time.",
    "extractions": "The parse of one version by one parser version: metadata, the three statistical tables, consistency checks.",
    "ops_schedules": "Crawl schedules set by archivists: scope '*' is every site's default, else a site id.",
    "ops_slots": "Scheduled crawls of a site (slots of its schedule), each claimed by one scheduler.",
    "ops_leases": "Lease locks (e.g. 'site:<id>' while a site is crawled).",
    "ops_alert_states": "The last state alerted for each subject (a site's health, a finding).",
    "ops_alerts": "Alerts raised (and their delivery to the webhook); the Atom feed is built from these.",
    "search_fts": "The full-text index of version texts (SQLite FTS5; rowid = versions.id, terms = CJK unigrams and bigrams, Latin words).",
    "alembic_version": "The schema revision applied by the Alembic migrations.",
}

COMMON = {
    "id": "Row id.",
    "created_at": "When the row was added (UTC).",
    "updated_at": "When the row last changed (UTC).",
}

COLUMNS: dict[str, dict[str, str]] = {
    "agencies": {
        "id": "Agency id (the registry's slug; 'unreg-…' for agencies not in the registry).",
        "name": "Full name, e.g. 宁海县人民政府.",
        "aliases": "Other names it is reported under (JSON list).",
        "division_code": "Administrative division code (行政区划代码), e.g. 330226; inherited from the parent when null.",
        "level": "national, province, city, county or township.",
        "kind": "government (人民政府) or department.",
        "parent_id": "The agency above (agencies.id).",
        "registered": "1 if the registry lists it, 0 if only found in a report title.",
    },
    "sites": {
        "id": "Site id.",
        "agency_id": "The agency whose site it is (agencies.id).",
        "start_urls": "Where crawls start (JSON list).",
        "hosts": "Hosts the crawl may visit (JSON list).",
        "render": "Browser rendering: auto, always or never.",
        "schedule": "The registry's cron schedule (null: the default; see ops_schedules).",
        "obey_robots": "Whether robots.txt is obeyed.",
        "allow_private": "Whether private or loopback addresses may be fetched (sample web, intranets).",
    },
    "crawl_runs": {
        "started_at": "When the run started (UTC).",
        "finished_at": "When it ended (UTC; null while running).",
        "outcome": "running, success, partial, failed or blocked.",
        "trigger": "manual, schedule, …",
        "host": "Machine that ran it.",
        "stats": "Totals over its sites (JSON).",
        "process": "The process that runs it (host:pid:start time), to tell a crashed run.",
        "heartbeat_at": "When its process last said it was alive (UTC); a run whose process is gone is shown crashed.",
    },
    "site_runs": {
        "run_id": "The crawl run (crawl_runs.id).",
        "site_id": "The site (sites.id).",
        "started_at": "When the site's crawl started (UTC).",
        "finished_at": "When it ended (UTC).",
        "outcome": "success, partial, failed or blocked.",
        "requests": "HTTP requests made.",
        "pages": "Pages fetched.",
        "bytes": "Bytes downloaded.",
        "reports_found": "Reports found on the site.",
        "new_versions": "New versions archived.",
        "errors": "Errors by kind (JSON).",
        "blocked": "1 if a WAF or anti-bot page stopped the crawl.",
        "explored": "What the crawl explored of the site (JSON): navigation links queued, followed and left, the best left, URL patterns closed as traps, pages used.",
    },
    "failures": {
        "run_id": "The crawl run (crawl_runs.id).",
        "site_id": "The site (sites.id).",
        "url": "The URL that failed.",
        "kind": "http_status, timeout, dns, connection, blocked, robots, offsite, private_address, budget, extraction or capture.",
        "status": "HTTP status, when there was one.",
        "detail": "What went wrong.",
        "occurred_at": "When (UTC).",
    },
    "captures": {
        "url": "The URL fetched.",
        "url_hash": "SHA-256 of the URL (for lookups).",
        "method": "HTTP method.",
        "status": "HTTP status of the answer.",
        "captured_at": "When it was fetched (UTC).",
        "role": "page (navigation), listing, report, attachment, or xhr (an XHR/fetch answer a page received while the browser rendered it; its WARC record is WARC-Concurrent-To the page's).",
        "media_type": "Content-Type as served (without parameters).",
        "headers": "Response headers kept in the index (JSON; all are in the WARC record).",
        "payload_sha256": "SHA-256 of the bytes received (hex).",
        "payload_length": "Bytes received.",
        "record_type": "response, or revisit (payload identical to an earlier capture).",
        "warc_record_id": "WARC-Record-ID of its record.",
        "warc_file": "WARC file holding the record (under the data directory's warc/).",
        "warc_offset": "Byte offset of the record's gzip member in the file.",
        "warc_length": "Bytes of that gzip member.",
        "refers_to_id": "For a revisit: the capture holding the payload (captures.id).",
        "site_id": "The site crawled (sites.id).",
        "run_id": "The crawl run (crawl_runs.id).",
    },
    "reports": {
        "agency_id": "The agency reporting (agencies.id).",
        "year": "The year reported on.",
        "title": "The report's title as published.",
        "published_at": "Publication date the publisher gives (YYYY-MM-DD), or null.",
        "published_source": "Where that date was read (page metadata, 发布时间 line, signature, listing…).",
        "first_seen_at": "When the archive first captured it (UTC).",
        "site_id": "The site it was found on (sites.id).",
        "first_version_at": "When the archive first held a version of any of its documents (UTC).",
        "first_version_id": "Its first version (versions.id, the lowest).",
    },
    "documents": {
        "report_id": "The report (reports.id).",
        "url": "Where it lives.",
        "url_hash": "SHA-256 of the URL.",
        "role": "report (the HTML page) or attachment.",
        "media_type": "Type as sniffed from the bytes.",
        "filename": "File name from Content-Disposition or the URL.",
        "parent_url": "For an attachment: the page linking to it.",
        "first_seen_at": "First captured (UTC).",
        "last_seen_at": "Last fetched successfully (UTC).",
        "status": "present, or vanished (404/410 or gone from every listing).",
        "status_changed_at": "When the status last changed (UTC).",
        "etag": "ETag of the last answer (for conditional requests).",
        "last_modified": "Last-Modified of the last answer.",
        "last_capture_id": "The last capture with content (captures.id).",
    },
    "versions": {
        "document_id": "The document (documents.id).",
        "seq": "1 for the first version, 2 for the next…",
        "content_sha256": "SHA-256 of the normalised text: what decides whether a version is new.",
        "capture_id": "The capture that brought it (captures.id).",
        "first_seen_at": "When this version was first captured (UTC).",
        "media_type": "Type of the document.",
        "text": "The extracted text.",
    },
    "observations": {
        "document_id": "The document (documents.id).",
        "version_id": "The version seen (versions.id).",
        "capture_id": "The evidence: the capture of the document, or of the listing page that still links it (captures.id).",
        "run_id": "The crawl run (crawl_runs.id).",
        "observed_at": "When (UTC).",
        "status": "HTTP status.",
        "outcome": "new_version, unchanged, not_modified (304), gone (404/410) or listed.",
    },
    "extractions": {
        "version_id": "The version parsed (versions.id).",
        "parser_version": "Version of the parser (re-extraction adds rows).",
        "media_type": "Type parsed.",
        "layout": "Table layout: 2019, 2021 or none (report-tables.md).",
        "title": "Title read from the document.",
        "year": "Report year read from the document.",
        "agency_name": "Agency named in the document.",
        "published_at": "Publication date read from the document.",
        "meta": "Each metadata field with its source (JSON).",
        "values": "The table values by key, e.g. t3.new.total (JSON; null = blank cell).",
        "checks": "Consistency checks with their figures (JSON list).",
        "sections": "Section numbers found, 1–6 (JSON list).",
        "needs_ocr": "1 if the document is scanned and needs OCR.",
        "error": "Why extraction failed, if it did.",
    },
    "ops_schedules": {
        "scope": "'*' (default of every site) or a site id.",
        "spec": "Schedule: cron rules in Asia/Shanghai time, optionally with MM-DD..MM-DD windows.",
    },
    "ops_slots": {
        "site_id": "The site (sites.id).",
        "slot_at": "The scheduled time (UTC).",
        "state": "claimed, running, done, failed or coalesced.",
        "holder": "The scheduler holding it.",
        "lease_until": "Its claim expires then unless renewed (UTC).",
        "attempts": "Tries so far.",
        "run_id": "The crawl run it started (crawl_runs.id).",
        "claimed_at": "When it was claimed (UTC).",
        "finished_at": "When it ended (UTC).",
        "detail": "Why it failed or was coalesced.",
    },
    "ops_leases": {
        "name": "Lock name, e.g. site:ninghai-gov.",
        "holder": "Who holds it.",
        "acquired_at": "When it was taken (UTC).",
        "expires_at": "When it lapses unless renewed (UTC).",
    },
    "ops_alert_states": {
        "subject": "site:<id> or finding:<key>.",
        "state": "The state last alerted.",
        "since": "Since when (UTC).",
        "detail": "Details (JSON).",
    },
    "ops_alerts": {
        "subject": "site:<id> or finding:<key>.",
        "state": "The new state.",
        "previous": "The state before.",
        "title": "One-line summary.",
        "detail": "Details (JSON).",
        "delivered_at": "When the webhook accepted it (UTC).",
        "delivery_error": "Why delivery failed, if it did.",
    },
    "search_fts": {"terms": "Index terms of the version's text (space separated)."},
    "alembic_version": {"version_num": "Revision id."},
}


class Undescribed(KeyError):
    """A table or column of the models has no description here."""


def describe() -> dict[str, dict[str, Any]]:
    """{table: {"description", "columns": {column: description}}} for every table of the
    models (and the full-text index and Alembic's table)."""
    out: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    for table in Base.metadata.sorted_tables:
        if table.name not in TABLES:
            missing.append(table.name)
            continue
        columns = {}
        for column in table.columns:
            text = COLUMNS.get(table.name, {}).get(column.name) or COMMON.get(column.name)
            if text is None:
                missing.append(f"{table.name}.{column.name}")
                continue
            columns[column.name] = text
        out[table.name] = {"description": TABLES[table.name], "columns": columns}
    if missing:
        raise Undescribed(f"describe these in storage/datasette.py: {', '.join(missing)}")
    for extra in ("search_fts", "alembic_version"):
        out[extra] = {"description": TABLES[extra], "columns": COLUMNS[extra]}
    return out


def metadata(database: str) -> dict[str, Any]:
    """Datasette's metadata document for the SQLite file named ``database`` (its stem)."""
    tables = describe()
    for name, entry in tables.items():
        entry["title"] = name
        if name == "search_fts":
            entry["hidden"] = True
    return {
        "title": "nianbao archive",
        "description": (
            "The archive of China's government information-disclosure annual reports "
            "(政府信息公开工作年度报告): every capture, report, document, version and "
            "extraction, with the crawls that found them. Times are UTC."
        ),
        "license": "Data as published by the agencies; archive metadata by nianbao",
        "databases": {database: {"tables": tables}},
    }


def database_name(sqlite_path: str | Path) -> str:
    return Path(sqlite_path).stem
