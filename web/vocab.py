"""Labels of the archive's vocabularies (statuses, findings, levels, …) for the pages.

Marked with ``N_`` for the catalogue and translated where shown (``label`` filter)."""

from __future__ import annotations

from storage.vocab import DocumentStatus, HealthState, ObservationOutcome, RunOutcome
from web.i18n import N_, _

LABELS: dict[str, dict[str, str]] = {
    "status": {
        "on_time": N_("on time"),
        "late": N_("late"),
        "missing": N_("missing"),
        "not_yet_due": N_("not yet due"),
        "unchecked": N_("unchecked"),
        "undetermined": N_("found, timing undetermined"),
        "no_deadline": N_("no deadline rule"),
        DocumentStatus.PRESENT: N_("present"),
        DocumentStatus.VANISHED: N_("vanished"),
    },
    "status_help": {
        "on_time": N_("published by the deadline"),
        "late": N_("published after the deadline"),
        "missing": N_("due, and not found by any successful crawl since the deadline"),
        "not_yet_due": N_("the deadline has not passed"),
        "unchecked": N_("no successful crawl of its sites since the deadline"),
        "undetermined": N_("first archived after the deadline, with no publication date"),
        "no_deadline": N_("no deadline rule covers this agency and year"),
    },
    "basis": {
        "publisher_date": N_("the publisher's date"),
        "first_capture": N_("the first capture, after crawls that did not find it"),
    },
    "finding": {
        "missing": N_("missing"),
        "late": N_("late"),
        "changed": N_("changed after publication"),
        "vanished": N_("vanished"),
        "inconsistent": N_("inconsistent tables"),
        "incomplete": N_("incomplete"),
        "copied": N_("copied"),
    },
    "level": {
        "national": N_("national"),
        "province": N_("province"),
        "city": N_("city"),
        "county": N_("county"),
        "township": N_("township"),
    },
    "kind": {"government": N_("government"), "department": N_("department")},
    "outcome": {
        ObservationOutcome.NEW_VERSION: N_("new version"),
        ObservationOutcome.UNCHANGED: N_("unchanged"),
        ObservationOutcome.NOT_MODIFIED: N_("not modified (304)"),
        ObservationOutcome.GONE: N_("gone (404/410)"),
        ObservationOutcome.LISTED: N_("still listed"),
        RunOutcome.SUCCESS: N_("success"),
        RunOutcome.PARTIAL: N_("partial"),
        RunOutcome.FAILED: N_("failed"),
        RunOutcome.BLOCKED: N_("blocked"),
        RunOutcome.RUNNING: N_("running"),
    },
    "health": {
        HealthState.BLOCKED: N_("blocked"),
        HealthState.FAILING: N_("failing"),
        HealthState.REPORT_MISSING: N_("report missing"),
        HealthState.NO_REPORT_FOUND: N_("no report found"),
        HealthState.STALE_LISTING: N_("stale listing"),
        HealthState.NEVER_CRAWLED: N_("never crawled"),
        HealthState.OK: N_("ok"),
    },
    "role": {
        "report": N_("report page"),
        "attachment": N_("attachment"),
        "listing": N_("listing page"),
        "page": N_("navigation page"),
        "xhr": N_("script request answer"),
    },
    "layout": {
        "2019": N_("2019 form"),
        "2021": N_("2021 form"),
        "none": N_("no standard tables"),
    },
    "source": {
        "override": N_("set for this site"),
        "registry": N_("from the registry"),
        "default": N_("archive default"),
        "built-in": N_("built-in default"),
    },
    "count": {
        "agencies": N_("agencies"),
        "sites": N_("sites"),
        "runs": N_("crawl runs"),
        "captures": N_("captures"),
        "reports": N_("reports"),
        "documents": N_("documents"),
        "versions": N_("versions"),
        "observations": N_("observations"),
        "failures": N_("failures"),
    },
    "rule": {
        "balance": N_("received + carried over = handled + carried forward"),
        "outcomes": N_("outcomes add up to the total"),
        "applicants": N_("applicant columns add up to the total"),
        "review_suit": N_("review and lawsuit results add up"),
        "text_figures": N_("figures in the text agree with the tables"),
        "in_force_across_years": N_("in force = last year's + issued − repealed"),
    },
}


def label(vocabulary: str, value: object) -> str:
    """The translated label of a vocabulary value (the value itself when unknown)."""
    text = LABELS.get(vocabulary, {}).get(str(value))
    return _(text) if text else str(value if value is not None else "")
