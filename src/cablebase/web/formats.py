"""How the pages write dates, months and classification levels (shared by pages and charts)."""

from __future__ import annotations

import re
from datetime import datetime

from cablebase.grammar.dtg import MONTH_NAMES

CLASS_LEVELS = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET")
CLASS_COLOURS = {
    "UNCLASSIFIED": "#4f7f52",
    "CONFIDENTIAL": "#2f5f9e",
    "SECRET": "#b23a2e",
    "TOP SECRET": "#d08a16",
    "UNKNOWN": "#888888",
}

MONTH_KEY = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def fmt_date(iso: str | None, with_time: bool = False) -> str:
    """2009-12-01T16:39:00Z -> 1 December 2009 (, 16:39 UTC)."""
    if not iso:
        return "date unknown"
    try:
        d = datetime.strptime(iso[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        return iso
    out = f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}"
    return out + f", {d:%H:%M} UTC" if with_time else out


def fmt_month(ym: str) -> str:
    m = MONTH_KEY.fullmatch(ym)
    return f"{MONTH_NAMES[int(m.group(2)) - 1]} {m.group(1)}" if m else ym


def class_css(classification: str | None) -> str:
    return "cls-" + (classification or "unknown").lower().replace(" ", "-")
