"""Writing records as JSON Lines or CSV (dotted column names for nested fields)."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from typing import IO, Any

_INVISIBLE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Characters ``json.dumps(ensure_ascii=False)`` leaves raw that a terminal may act on
(DEL, the C1 controls) or that hide or reorder text (line separators, bidi overrides)."""


def json_line(record: dict[str, Any]) -> str:
    """``record`` as one line of JSON: readable Chinese, every control and invisible
    character escaped (``\\u009d``), so the line is lossless and safe to print."""
    text = json.dumps(record, ensure_ascii=False, default=str)
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects become dotted keys; lists of objects get their index:
    ``documents.0.url``. Lists of plain values are joined by ``|``."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                out[name] = "|".join("" if v is None else str(v) for v in value)
            else:
                for i, item in enumerate(value):
                    out.update(
                        flatten(item if isinstance(item, dict) else {"value": item}, f"{name}.{i}.")
                    )
        else:
            out[name] = value
    return out


def write_jsonl(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    n = 0
    for record in records:
        out.write(json_line(record))
        out.write("\n")
        n += 1
    return n


def write_csv(
    records: Iterable[dict[str, Any]], out: IO[str], *, columns: list[str] | None = None
) -> int:
    """CSV with a header; without ``columns``, the union of all flattened keys in order
    of first appearance (the records are held in memory to find it)."""
    rows = [flatten(r) for r in records]
    if columns is None:
        columns = []
        seen: set[str] = set()
        for row in rows:
            for key in row:
                if key not in seen:
                    seen.add(key)
                    columns.append(key)
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return len(rows)
