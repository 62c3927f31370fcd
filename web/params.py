"""Parameters shared by pages and API, with their limits (bad input is a 4xx, never a 5xx)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import Path, Query

from audit.findings import FINDINGS
from query.search import LAYOUTS
from registry.model import KINDS, LEVELS

MAX_ID = 2**53
"""Ids beyond this are refused (no archive holds them; PostgreSQL's bigint would overflow)."""
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""Free text without control characters (PostgreSQL refuses NUL in text)."""
IDENT = r"^[^\x00-\x1f\x7f/]{1,100}$"

Level = StrEnum("Level", {name: name for name in LEVELS})  # type: ignore[misc]
Kind = StrEnum("Kind", {name: name for name in KINDS})  # type: ignore[misc]
Layout = StrEnum("Layout", {name: name for name in LAYOUTS})  # type: ignore[misc]
FindingKind = StrEnum("FindingKind", {name: name for name in FINDINGS})  # type: ignore[misc]


class Format(StrEnum):
    json = "json"
    csv = "csv"
    parquet = "parquet"


Year = Annotated[int | None, Query(ge=1990, le=2100, description="Report year.")]
AgencyId = Annotated[str | None, Query(pattern=IDENT, description="Agency id.")]
SiteId = Annotated[str | None, Query(pattern=IDENT, description="Site id.")]
Region = Annotated[
    str | None,
    Query(
        pattern=r"^[0-9]{1,12}$",
        description="Division code prefix, e.g. 33 (浙江) or 3302 (宁波).",
    ),
]
Limit = Annotated[int, Query(ge=1, le=1000, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]
AgencyPath = Annotated[str, Path(pattern=IDENT, description="Agency id.")]
YearPath = Annotated[int, Path(ge=1990, le=2100, description="Report year.")]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
