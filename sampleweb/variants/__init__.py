"""Generated variants of the sample government web, with ground truth.

    from sampleweb.variants import VariantWeb
    with VariantWeb(seed=7, n_sites=40) as web:
        web.truth(), web.registry_yaml(), web.requests()

Sites are drawn from the platform families of ../shared/field-guide/cms-variants.md, each
with its dialect drawn at random (see `sampleweb/variants/families/`).
"""

from sampleweb.variants.model import (
    Decoy,
    Doc,
    Family,
    Lookalike,
    Report,
    Role,
    SiteTruth,
    Step,
    StepKind,
    Trap,
    TrapKind,
    WebTruth,
)
from sampleweb.variants.web import VariantWeb, generate

__all__ = [
    "Decoy",
    "Doc",
    "Family",
    "Lookalike",
    "Report",
    "Role",
    "SiteTruth",
    "Step",
    "StepKind",
    "Trap",
    "TrapKind",
    "VariantWeb",
    "WebTruth",
    "generate",
]
