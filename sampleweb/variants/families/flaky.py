"""A site that fails intermittently: some first attempts answer 502/503, stall past any
sensible timeout, or have their connection reset; a few fail twice. The site underneath is
a Hanweb, TRS or JSP site. Which URLs fail is fixed for the seed (`server.Misbehaviour`)."""

from __future__ import annotations

from sampleweb.variants.families import hanweb, legacy, trs
from sampleweb.variants.kit import BuiltSite, SiteKit
from sampleweb.variants.names import NamePool

OWN = ("base", "misbehaviour")
KNOBS: dict[str, tuple[str, ...]] = {
    "base": ("trs", "legacy", "hanweb"),
    "misbehaviour": ("5xx", "stalls", "resets", "mixed"),
    **trs.KNOBS,
    **{k: v for k, v in legacy.KNOBS.items() if k not in trs.KNOBS},
    **{k: v for k, v in hanweb.KNOBS.items() if k not in trs.KNOBS},
}

RATES = {  # (5xx, stall, reset) shares of first attempts
    "5xx": (0.2, 0.0, 0.0),
    "stalls": (0.03, 0.08, 0.0),
    "resets": (0.03, 0.0, 0.15),
    "mixed": (0.1, 0.04, 0.06),
}


def build(kit: SiteKit, pool: NamePool) -> BuiltSite:
    base = kit.knob("base")
    builder = {"trs": trs.build, "legacy": legacy.build, "hanweb": hanweb.build}[base]
    built = builder(kit, pool)
    kit.flaky = True
    kit.vars["misbehaviour"] = kit.knob("misbehaviour")
    return built
