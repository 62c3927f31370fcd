"""The platform families of the variant web: one module per family, each with its dialect
knobs (`KNOBS`) and a `build(kit, pool)` that serves one site and records its truth."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sampleweb.variants.families import hanweb, trs
from sampleweb.variants.kit import BuiltSite, SiteKit
from sampleweb.variants.model import Family
from sampleweb.variants.names import NamePool


@dataclass(frozen=True)
class FamilySpec:
    family: Family
    knobs: dict[str, tuple[str, ...]]
    build: Callable[[SiteKit, NamePool], BuiltSite]
    roles: tuple[str, ...] = ()  # further hosts a site of the family may use (oss, m, alias)
    static: bool = False  # its server ignores query strings (nginx serving files)


FAMILIES: dict[Family, FamilySpec] = {
    Family.HANWEB: FamilySpec(Family.HANWEB, hanweb.KNOBS, hanweb.build, roles=("oss",)),
    Family.TRS: FamilySpec(Family.TRS, trs.KNOBS, trs.build, static=True),
}
