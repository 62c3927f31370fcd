"""The archive's shared vocabularies: the words the crawler, the recorder, the scheduler,
the audit and the pages write into the archive and compare against.

They were strings spelled wherever they were produced, so a word missing from its list
went unnoticed until it raised (a failed capture once went unrecorded that way). As
``StrEnum``s in one module at the bottom layer, importing nothing of the project, every
layer can use them; their values are the strings stored (the columns stay ``String``,
no migration), and a member compares equal to its string, so rows read back as plain
strings compare as before.
"""

from __future__ import annotations

from enum import StrEnum


class FailureKind(StrEnum):
    """Why one URL of a crawl failed (``failures.kind``)."""

    HTTP_STATUS = "http_status"
    TIMEOUT = "timeout"
    DNS = "dns"
    CONNECTION = "connection"
    BLOCKED = "blocked"
    ROBOTS = "robots"
    OFFSITE = "offsite"
    """a host that is not the site's (a link, a redirect, or a request of the browser)"""
    PRIVATE_ADDRESS = "private_address"
    """a private or loopback address the registry does not allow for the site (an IP
    literal, or a host name that resolves to one)"""
    EXTRACTION = "extraction"
    """a document archived but not read"""
    BUDGET = "budget"
    CAPTURE = "capture"
    """a response fetched but not archived (any error of the capture but a full disk or
    a lost database, which stop the crawl)"""


class ObservationOutcome(StrEnum):
    """What one crawl found of one document (``observations.outcome``)."""

    NEW_VERSION = "new_version"
    UNCHANGED = "unchanged"
    NOT_MODIFIED = "not_modified"
    """HTTP 304 to a conditional request"""
    GONE = "gone"
    """HTTP 404 or 410"""
    LISTED = "listed"
    """still linked from a listing page this crawl captured, not fetched again because it
    was verified within the re-verify cadence"""


class DocumentStatus(StrEnum):
    """Whether a document is still published (``documents.status``; also a report's,
    derived from its documents)."""

    PRESENT = "present"
    VANISHED = "vanished"
    """404/410, or gone from every listing"""


class RunOutcome(StrEnum):
    """How a crawl run, and each site's part of it, ended (``crawl_runs.outcome``,
    ``site_runs.outcome``)."""

    RUNNING = "running"
    SUCCESS = "success"
    PARTIAL = "partial"
    FAILED = "failed"
    BLOCKED = "blocked"
    CRASHED = "crashed"
    """its process died without ending it (killed, machine lost)"""


class SlotState(StrEnum):
    """Where a slot of a scheduled crawl stands (``ops_slots.state``)."""

    CLAIMED = "claimed"
    """claimed by a scheduler, its crawl not started yet"""
    RUNNING = "running"
    WAITING = "waiting"
    """given back (its site was busy): claimable again"""
    DONE = "done"
    FAILED = "failed"


class HealthState(StrEnum):
    """A site's health (``ops.health``), worst first; the last alerted one is kept in
    ``ops_alert_states.state``."""

    BLOCKED = "blocked"
    FAILING = "failing"
    REPORT_MISSING = "report_missing"
    NO_REPORT_FOUND = "no_report_found"
    STALE_LISTING = "stale_listing"
    NEVER_CRAWLED = "never_crawled"
    OK = "ok"
