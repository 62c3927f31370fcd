"""Read and validate the registry file (YAML, or CSV for long agency lists).

Every error names the file, the entry and the field, e.g.
``config/sites.yaml: agencies[3] (id=changjie): level: 'town' is not one of national, …``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from croniter import croniter

from registry.model import KINDS, LEVELS, RENDER_MODES, Agency, Registry, Site

SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
DIVISION_CODE = re.compile(r"^\d{2,12}$")


class RegistryError(ValueError):
    """A registry file that cannot be loaded; the message says where and why."""


def load_registry(path: str | Path) -> Registry:
    """Load a registry file; the format is chosen by its extension (.yaml/.yml or .csv)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    if path.suffix.lower() == ".csv":
        return parse_csv(text, source=str(path))
    return parse_yaml(text, source=str(path))


def parse_yaml(text: str, *, source: str = "<yaml>") -> Registry:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RegistryError(f"{source}:{where}: invalid YAML: {problem}") from exc
    if doc is None:
        doc = {}
    if not isinstance(doc, Mapping):
        raise RegistryError(
            f"{source}: the top level must be a mapping with 'agencies' and 'sites'"
        )
    unknown = set(doc) - {"agencies", "sites"}
    if unknown:
        raise RegistryError(f"{source}: unknown top-level key(s): {', '.join(sorted(unknown))}")
    agencies = _entries(doc.get("agencies"), "agencies", source)
    sites = _entries(doc.get("sites"), "sites", source)
    return _build(agencies, sites, source)


def parse_csv(text: str, *, source: str = "<csv>") -> Registry:
    """CSV of agencies: columns id,name,level,kind[,aliases,division_code,parent].

    Aliases are separated by ``|`` or ``;``."""
    reader = csv.DictReader(io.StringIO(text))
    required = {"id", "name", "level", "kind"}
    missing = required - set(reader.fieldnames or [])
    if missing:
        raise RegistryError(f"{source}: missing column(s): {', '.join(sorted(missing))}")
    rows: list[dict[str, Any]] = []
    for row in reader:
        entry: dict[str, Any] = {k: v.strip() for k, v in row.items() if k and v and v.strip()}
        if "aliases" in entry:
            entry["aliases"] = [a.strip() for a in re.split(r"[|;]", entry["aliases"]) if a.strip()]
        rows.append(entry)
    return _build(rows, [], source)


def _entries(value: Any, key: str, source: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RegistryError(f"{source}: '{key}' must be a list")
    for i, entry in enumerate(value):
        if not isinstance(entry, Mapping):
            raise RegistryError(
                f"{source}: {key}[{i}]: must be a mapping, got {type(entry).__name__}"
            )
    return value


class _Entry:
    """Reads fields of one entry, raising errors that say where."""

    def __init__(
        self, source: str, key: str, index: int, data: Mapping[str, Any], fields: set[str]
    ):
        self.data = data
        ident = data.get("id")
        self.where = f"{source}: {key}[{index}]" + (f" (id={ident})" if ident else "")
        unknown = set(data) - fields
        if unknown:
            raise RegistryError(
                f"{self.where}: unknown field(s): {', '.join(sorted(map(str, unknown)))}"
            )

    def fail(self, field: str, message: str) -> RegistryError:
        return RegistryError(f"{self.where}: {field}: {message}")

    def text(self, field: str, *, required: bool = False) -> str | None:
        value = self.data.get(field)
        if value is None or value == "":
            if required:
                raise self.fail(field, "required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.fail(field, f"must be text, got {type(value).__name__}")
        return str(value).strip()

    def slug(self, field: str, *, required: bool = False) -> str | None:
        value = self.text(field, required=required)
        if value is not None and not SLUG.match(value):
            raise self.fail(field, f"{value!r} is not a slug (lower-case letters, digits, - _ .)")
        return value

    def choice(self, field: str, choices: Iterable[str], default: str | None = None) -> str:
        value = self.text(field, required=default is None) or default
        choices = tuple(choices)
        if value not in choices:
            raise self.fail(field, f"{value!r} is not one of {', '.join(choices)}")
        assert value is not None
        return value

    def text_list(self, field: str) -> list[str]:
        value = self.data.get(field)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(field, "must be a list of non-empty strings")
        return [v.strip() for v in value]

    def flag(self, field: str, default: bool) -> bool:
        value = self.data.get(field, default)
        if not isinstance(value, bool):
            raise self.fail(field, f"must be true or false, got {value!r}")
        return value


AGENCY_FIELDS = {"id", "name", "aliases", "division_code", "level", "kind", "parent"}
SITE_FIELDS = {
    "id",
    "agency",
    "start_urls",
    "hosts",
    "render",
    "schedule",
    "obey_robots",
    "allow_private",
}


def _build(
    agency_rows: Sequence[Mapping[str, Any]], site_rows: Sequence[Mapping[str, Any]], source: str
) -> Registry:
    agencies: list[Agency] = []
    seen: dict[str, int] = {}
    for i, data in enumerate(agency_rows):
        e = _Entry(source, "agencies", i, data, AGENCY_FIELDS)
        ident = e.slug("id", required=True)
        assert ident is not None
        if ident in seen:
            raise e.fail("id", f"duplicate of agencies[{seen[ident]}]")
        seen[ident] = i
        code = e.text("division_code")
        if code is not None and not DIVISION_CODE.match(code):
            raise e.fail("division_code", f"{code!r} is not a 行政区划代码 (2–12 digits)")
        agencies.append(
            Agency(
                id=ident,
                name=e.text("name", required=True) or "",
                aliases=e.text_list("aliases"),
                division_code=code,
                level=e.choice("level", LEVELS),
                kind=e.choice("kind", KINDS),
                parent_id=e.slug("parent"),
            )
        )
    sites: list[Site] = []
    seen_sites: dict[str, int] = {}
    for i, data in enumerate(site_rows):
        e = _Entry(source, "sites", i, data, SITE_FIELDS)
        ident = e.slug("id", required=True)
        assert ident is not None
        if ident in seen_sites:
            raise e.fail("id", f"duplicate of sites[{seen_sites[ident]}]")
        seen_sites[ident] = i
        agency_id = e.slug("agency", required=True)
        if agency_id not in seen:
            raise e.fail("agency", f"unknown agency {agency_id!r}")
        urls = e.text_list("start_urls")
        if not urls:
            raise e.fail("start_urls", "at least one URL is required")
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise e.fail("start_urls", f"{url!r} is not an http(s) URL")
        hosts = e.text_list("hosts") or _hosts_of(urls)
        schedule = e.text("schedule")
        if schedule is not None and not croniter.is_valid(schedule):
            raise e.fail("schedule", f"{schedule!r} is not a cron expression")
        sites.append(
            Site(
                id=ident,
                agency_id=agency_id or "",
                start_urls=urls,
                hosts=[h.lower() for h in hosts],
                render=e.choice("render", RENDER_MODES, default="auto"),
                schedule=schedule,
                obey_robots=e.flag("obey_robots", True),
                allow_private=e.flag("allow_private", False),
            )
        )
    return Registry(agencies=agencies, sites=sites, source=source)


def _hosts_of(urls: list[str]) -> list[str]:
    hosts: list[str] = []
    for url in urls:
        host = (urlsplit(url).hostname or "").lower()
        if host and host not in hosts:
            hosts.append(host)
    return hosts
