"""Each site's schedule: an archivist's override, else the registry's cron, else the default.

Overrides and the default live in ``ops_schedules`` (scope ``*`` is the default), so
``nianbao schedule`` changes them without anyone editing the database by hand, and a
registry re-import does not undo them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ops.schedule import DEFAULT_SPEC, Schedule, parse_schedule
from storage import schedules as schedule_rows
from storage.archive import Archive

DEFAULT_SCOPE = "*"


@dataclass(frozen=True)
class SiteSchedule:
    site_id: str
    spec: str
    source: str
    """``override`` (set with ``nianbao schedule set``), ``registry``, ``default`` (set
    with ``nianbao schedule default``) or ``built-in``."""
    schedule: Schedule


def default_spec(archive: Archive) -> tuple[str, str]:
    """(spec, source) of the default schedule."""
    spec = schedule_rows.stored_spec(archive, DEFAULT_SCOPE)
    return (spec, "default") if spec is not None else (DEFAULT_SPEC, "built-in")


def set_default(archive: Archive, spec: str | None) -> None:
    """Set the default of every site without a schedule of its own (None: back to built-in)."""
    _store(archive, DEFAULT_SCOPE, spec)


def set_site(archive: Archive, site_id: str, spec: str | None) -> None:
    """Override one site's schedule (None: back to the registry's or the default)."""
    if not schedule_rows.site_exists(archive, site_id):
        raise KeyError(f"unknown site {site_id!r}")
    _store(archive, site_id, spec)


def _store(archive: Archive, scope: str, spec: str | None) -> None:
    if spec is not None:
        spec = parse_schedule(spec).spec  # validates, and stores the canonical text
    schedule_rows.store_spec(archive, scope, spec)


def site_schedules(archive: Archive, site_ids: list[str] | None = None) -> list[SiteSchedule]:
    """The effective schedule of each site (all sites, or those named), by site id."""
    overrides, sites = schedule_rows.schedules_and_sites(archive, site_ids)
    if site_ids:
        missing = sorted(set(site_ids) - {row[0] for row in sites})
        if missing:
            raise KeyError(f"unknown site(s): {', '.join(missing)}")
    fallback = (
        (overrides[DEFAULT_SCOPE], "default")
        if DEFAULT_SCOPE in overrides
        else (DEFAULT_SPEC, "built-in")
    )
    parsed: dict[str, Schedule] = {}
    out = []
    for site_id, registry_cron in sites:
        if site_id in overrides:
            spec, source = overrides[site_id], "override"
        elif registry_cron:
            spec, source = registry_cron, "registry"
        else:
            spec, source = fallback
        rules = parsed.get(spec)
        if rules is None:
            rules = parsed[spec] = parse_schedule(spec)
        out.append(SiteSchedule(site_id, spec, source, Schedule(rules.rules, site_id)))
    return out
