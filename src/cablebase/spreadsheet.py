"""CSV cells that a spreadsheet would run as a formula, made inert (OWASP: CSV injection).

A cell starting with `=`, `+`, `-`, `@`, or the tab or carriage return some spreadsheets skip
first, gets a leading apostrophe: the spreadsheet shows the text instead of evaluating it.
Every CSV that cablebase writes for people (exports, the audit log) passes its cells here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value: str) -> str:
    """`value`, with a leading apostrophe when a spreadsheet would take it for a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_text(fields: list[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """RFC 4180 CSV of `rows` (dicts keyed by `fields`), a header first, every text cell inert."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: inert(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows)
    return out.getvalue()
