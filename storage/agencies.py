"""Which agency a report title names: matching against the registry, and the entries
made for agencies the registry does not know (archived as ``registered: false``)."""

from __future__ import annotations

import hashlib
import re

SUFFIXES = ("人民政府办公室", "人民政府办公厅", "人民政府", "政府", "办事处")
SPACE = re.compile(r"\s+")


def canonical(name: str) -> str:
    """Compare names without white space and without the 人民政府 suffix."""
    name = SPACE.sub("", name)
    for suffix in SUFFIXES[:4]:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def match_agency(
    name: str, candidates: list[tuple[str, str, list[str]]], *, prefer: str | None = None
) -> str | None:
    """The id of the registered agency whose name or an alias matches ``name``.

    ``candidates`` are (id, name, aliases). An exact match on the name or an alias wins;
    then a match after dropping the 人民政府 suffix. ``prefer`` breaks ties (the site's
    owner)."""
    wanted = SPACE.sub("", name)
    exact = [
        ident
        for ident, n, aliases in candidates
        if wanted == SPACE.sub("", n) or wanted in [SPACE.sub("", a) for a in aliases]
    ]
    if exact:
        return prefer if prefer in exact else exact[0]
    key = canonical(wanted)
    loose = [
        ident
        for ident, n, aliases in candidates
        if key == canonical(n) or key in [canonical(a) for a in aliases]
    ]
    if loose:
        return prefer if prefer in loose else loose[0]
    return None


def unregistered_id(name: str) -> str:
    """A stable slug for an agency found in a title but not in the registry."""
    return "unreg-" + hashlib.sha1(canonical(name).encode("utf-8")).hexdigest()[:12]


def guess_level_kind(name: str) -> tuple[str, str]:
    """Level and kind from the name alone; archivists correct them when they register it."""
    key = canonical(SPACE.sub("", name))
    if re.search(r"(镇|乡|街道|街道办事处|苏木)$", key) or key.endswith("街道办事处"):
        return "township", "government"
    if re.search(r"(局|委员会|委|办公室|办|厅|中心|院|所|署|处|队|站)$", key):
        return "county", "department"
    if key.endswith("省") or key.endswith("自治区"):
        return "province", "government"
    if key.endswith("市"):
        return "city", "government"
    return "county", "government"
