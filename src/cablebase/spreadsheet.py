"""CSV cells that a spreadsheet would run as a formula, made inert (OWASP: CSV injection).

A cell starting with `=`, `+`, `-`, `@`, or the tab or carriage return some spreadsheets skip
first, gets a leading apostrophe: the spreadsheet shows the text instead of evaluating it.
Every CSV that cablebase writes for people (exports, the audit log) passes its cells here.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value: str) -> str:
    """`value`, with a leading apostrophe when a spreadsheet would take it for a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value
