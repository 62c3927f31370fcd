"""Cell values as printed: counts, signed changes, decimals, money, and the blank markers."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_ARTEFACTS = re.compile(r"\[bookmark:[^\]]*\]|\[[A-Za-z_]+:[^\]]*\]")
_PADDING = re.compile(r"[\s\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９．－−–，",
    "0123456789.---,",
)
BLANK_MARKERS = frozenset({"", "/", "／", "\\", "—", "——", "-", "--", "－", "–", "无", "〇无"})
_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$")
_COUNT_UNITS = re.compile(r"(件|个|项|条|次|宗)$")
_MONEY = re.compile(r"^([+-]?\d[\d,]*(?:\.\d+)?)\s*(万元|万|元|千元|亿元)?$")
_MONEY_FACTORS = {None: 1, "元": 1, "千元": 1000, "万": 10000, "万元": 10000, "亿元": 100000000}

Number = int | float


def clean_cell(text: str) -> str:
    """The printed text of a cell without padding and export artefacts (``[bookmark: …]``)."""
    text = _ARTEFACTS.sub("", text)
    return _PADDING.sub(" ", text).strip()


def _compact(text: str) -> str:
    return clean_cell(text).translate(_FULLWIDTH).replace(" ", "")


def is_blank(text: str) -> bool:
    """True for a blank cell and the printed blank markers (``/``, ``—``, ``-``, ``无``)."""
    return _compact(text) in BLANK_MARKERS


def _to_number(text: str) -> Number | None:
    match = _NUMBER.match(text)
    if not match:
        return None
    sign, whole, fraction = match.groups()
    whole = whole.replace(",", "")
    if fraction is None:
        return int(sign + whole)
    return float(f"{sign}{whole}.{fraction}")


def parse_number(text: str) -> Number | None:
    """A count, signed change or decimal as printed; ``None`` when ``text`` is no number."""
    compact = _compact(text)
    value = _to_number(compact)
    if value is None:
        value = _to_number(_COUNT_UNITS.sub("", compact))
    return value


def is_value(text: str) -> bool:
    """True when a cell holds a table value: a number, money or a blank marker."""
    return is_blank(text) or parse_number(text) is not None or parse_money(text) is not None


def parse_money(text: str) -> int | float | None:
    """Money normalised to yuan (``10.22万元`` → 102200, ``162000 元`` → 162000)."""
    compact = _compact(text)
    match = _MONEY.match(compact)
    if not match:
        return None
    amount, unit = match.groups()
    try:
        value = Decimal(amount.replace(",", "")) * _MONEY_FACTORS[unit]
    except InvalidOperation:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def cell_value(text: str) -> Number | None:
    """The value of a count cell: a number, or ``None`` for blank markers and non-numbers."""
    if is_blank(text):
        return None
    return parse_number(text)


def money_value(text: str) -> tuple[str | None, int | float | None]:
    """``(raw, yuan)`` of a money cell; ``(None, None)`` when blank."""
    if is_blank(text):
        return None, None
    return clean_cell(text), parse_money(text)
