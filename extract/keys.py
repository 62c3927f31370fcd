"""The data dictionary of the three statistical tables (``shared/spec/report-tables.md``).

Every key the archive stores for a layout is listed here, in table order, so that parsers,
checks, exports and tests agree on the names.
"""

from __future__ import annotations

LAYOUTS = ("2019", "2021", "none")

T2_ROWS_2019: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("regulations", ("made", "published", "total")),
    ("normative", ("made", "published", "total")),
    ("licensing", ("prev_items", "change", "decisions")),
    ("other_services", ("prev_items", "change", "decisions")),
    ("penalty", ("prev_items", "change", "decisions")),
    ("coercion", ("prev_items", "change", "decisions")),
    ("fees", ("prev_items", "change")),
    ("procurement", ("projects", "amount")),
)
"""Table 二, layout 2019: row key and its columns. ``amount`` is stored as
``amount_raw`` (printed text) and ``amount_yuan`` (normalised)."""

T2_ROWS_2021: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("regulations", ("issued", "repealed", "in_force")),
    ("normative", ("issued", "repealed", "in_force")),
    ("licensing", ("decisions",)),
    ("penalty", ("decisions",)),
    ("coercion", ("decisions",)),
    ("fees", ("amount_wan",)),
)

T3_COLUMNS: tuple[str, ...] = (
    "natural",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
)
APPLICANT_COLUMNS: tuple[str, ...] = T3_COLUMNS[:-1]

T3_ROWS_COMMON_HEAD: tuple[str, ...] = (
    "new",
    "carried_over",
    "granted",
    "partial",
    "denied.state_secret",
    "denied.prohibited",
    "denied.three_safeties",
    "denied.third_party",
    "denied.internal",
    "denied.process",
    "denied.enforcement_file",
    "denied.inquiry",
    "unavailable.not_held",
    "unavailable.needs_creation",
    "unavailable.unclear",
    "unprocessed.petition",
    "unprocessed.repeat",
    "unprocessed.publication",
    "unprocessed.excessive",
    "unprocessed.confirmation",
    "other",
)
OTHER_SUB_ROWS: tuple[str, ...] = ("other.no_correction", "other.unpaid_fee", "other.other")
T3_ROWS_TAIL: tuple[str, ...] = ("total", "carried_forward")

T3_ROWS_2019: tuple[str, ...] = T3_ROWS_COMMON_HEAD + T3_ROWS_TAIL
T3_ROWS_2021: tuple[str, ...] = T3_ROWS_COMMON_HEAD + OTHER_SUB_ROWS + T3_ROWS_TAIL

OUTCOME_ROWS: tuple[str, ...] = T3_ROWS_COMMON_HEAD[2:]
"""The rows that add up to ``total`` (rule 2), ``other`` included."""

T4_GROUPS: tuple[str, ...] = ("review", "suit_direct", "suit_after_review")
T4_COLUMNS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")


def t2_columns(layout: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Table 二's rows and columns for ``layout``."""
    if layout == "2019":
        return T2_ROWS_2019
    if layout == "2021":
        return T2_ROWS_2021
    raise ValueError(f"table 二 has no fixed columns in layout {layout!r}")


def t3_rows(layout: str) -> tuple[str, ...]:
    """Table 三's row keys for ``layout``."""
    if layout == "2019":
        return T3_ROWS_2019
    if layout == "2021":
        return T3_ROWS_2021
    raise ValueError(f"table 三 has no fixed rows in layout {layout!r}")


def t2_keys(layout: str) -> list[str]:
    keys: list[str] = []
    for row, columns in t2_columns(layout):
        for column in columns:
            if column == "amount":
                keys += [f"t2.{row}.amount_raw", f"t2.{row}.amount_yuan"]
            else:
                keys.append(f"t2.{row}.{column}")
    return keys


def t3_keys(layout: str) -> list[str]:
    return [f"t3.{row}.{column}" for row in t3_rows(layout) for column in T3_COLUMNS]


def t4_keys() -> list[str]:
    return [f"t4.{group}.{column}" for group in T4_GROUPS for column in T4_COLUMNS]


def keys_for_layout(layout: str) -> list[str]:
    """Every value key of ``layout``, in table order (empty for ``none``)."""
    if layout == "none":
        return []
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    return t2_keys(layout) + t3_keys(layout) + t4_keys()
