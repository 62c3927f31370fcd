"""The platform families of the variant web: one module per family, each with its dialect
knobs (`KNOBS`) and a `build(kit, pool)` that serves one site and records its truth."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sampleweb.variants.families import (
    aspnet,
    county,
    flaky,
    gkmlpt,
    hanweb,
    jpaas,
    label,
    legacy,
    portal,
    trs,
    trssearch,
    waf,
)
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
    own: tuple[str, ...] | None = None  # the knobs that are the family's own (not its base's)

    @property
    def own_knobs(self) -> dict[str, tuple[str, ...]]:
        names = self.own if self.own is not None else tuple(self.knobs)
        return {k: self.knobs[k] for k in names}


FAMILIES: dict[Family, FamilySpec] = {
    Family.HANWEB: FamilySpec(Family.HANWEB, hanweb.KNOBS, hanweb.build, roles=("oss",)),
    Family.GKMLPT: FamilySpec(Family.GKMLPT, gkmlpt.KNOBS, gkmlpt.build),
    Family.JPAAS: FamilySpec(Family.JPAAS, jpaas.KNOBS, jpaas.build, roles=("oss",)),
    Family.LABEL: FamilySpec(Family.LABEL, label.KNOBS, label.build, roles=("xxgk",)),
    Family.ASPNET: FamilySpec(Family.ASPNET, aspnet.KNOBS, aspnet.build),
    Family.LEGACY: FamilySpec(Family.LEGACY, legacy.KNOBS, legacy.build),
    Family.WAF: FamilySpec(Family.WAF, waf.KNOBS, waf.build, own=waf.OWN),
    Family.FLAKY: FamilySpec(Family.FLAKY, flaky.KNOBS, flaky.build, roles=("oss",), own=flaky.OWN),
    Family.COUNTY: FamilySpec(Family.COUNTY, county.KNOBS, county.build, static=True),
    Family.PORTAL: FamilySpec(Family.PORTAL, portal.KNOBS, portal.build, roles=("m", "alias")),
    Family.TRS_SEARCH: FamilySpec(Family.TRS_SEARCH, trssearch.KNOBS, trssearch.build),
    Family.TRS: FamilySpec(Family.TRS, trs.KNOBS, trs.build, static=True),
}
