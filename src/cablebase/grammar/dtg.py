"""Date-time groups (FORMAT.md §3.6): `O 011639Z DEC 09`, `O R 281848Z DEC 66`, `201247Z Jan 04`.

Shared by the header rule; usable by any rule that meets a DTG (REF items cite messages by DTG).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Month names for dates written out in prose and on pages.
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

MONTHS: dict[str, int] = {
    "JAN": 1,
    "FEB": 2,
    "MAR": 3,
    "APR": 4,
    "MAY": 5,
    "JUN": 6,
    "JUL": 7,
    "AUG": 8,
    "SEP": 9,
    "OCT": 10,
    "NOV": 11,
    "DEC": 12,
}

PRECEDENCE_LETTERS: dict[str, str] = {
    "Z": "FLASH",
    "O": "IMMEDIATE",
    "P": "PRIORITY",
    "R": "ROUTINE",
}

_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# A whole header line: optional precedence letter(s), the DTG, then operating signals.
# `0` is accepted for `O` (a typing slip seen in old cables); the caller warns about it.
DTG_LINE_RE = re.compile(
    r"^(?:(?P<p1>[ZOPR0])(?:\s+(?P<p2>[ZOPR]))?\s+)?"
    r"(?P<dtg>(?P<day>\d\d)(?P<hh>\d\d)(?P<mm>\d\d)\s?Z\s+(?P<mon>[A-Za-z]{3})\s+(?P<yy>\d{4}|\d\d))"
    r"(?![\w])(?P<rest>.*)$"
)

# A DTG anywhere in running text (REF items, notes).
DTG_SEARCH_RE = re.compile(
    r"\b(?P<dtg>(?P<day>\d\d)(?P<hh>\d\d)(?P<mm>\d\d)\s?Z\s+(?P<mon>[A-Za-z]{3})\s+(?P<yy>\d{4}|\d\d))\b"
)


@dataclass(slots=True)
class Dtg:
    """One parsed DTG line."""

    text: str  # the DTG as written, without precedence letters and signals
    precedence: str | None  # first precedence letter as written (O), None when absent
    info_precedence: str | None  # second letter of a dual precedence
    signals: str  # what follows the DTG on its line (ZDK, (CCY ...)), stripped
    iso: str | None  # "2009-12-01T16:39:00Z", None for an impossible date
    year: int | None  # four-digit year


def expand_year(yy: str) -> int:
    """Two-digit years pivot at 50: 50-99 -> 19YY, 00-49 -> 20YY; four digits as written."""
    n = int(yy)
    if len(yy) >= 4:
        return n
    return 1900 + n if n >= 50 else 2000 + n


def dtg_iso(day: str, hh: str, mm: str, mon: str, yy: str) -> str | None:
    """ISO 8601 UTC for the DTG parts, or None when the date/time cannot exist (Feb 30, 25h)."""
    month = MONTHS.get(mon.upper())
    if month is None:
        return None
    d, h, m = int(day), int(hh), int(mm)
    year = expand_year(yy)
    if h > 23 or m > 59 or d < 1 or d > _DAYS_IN_MONTH[month - 1]:
        return None
    if month == 2 and d == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        return None
    return f"{year:04d}-{month:02d}-{d:02d}T{h:02d}:{m:02d}:00Z"


def parse_dtg_line(line: str) -> Dtg | None:
    """Parse a header DTG line (`O R 011639Z DEC 09 ZDK`); None when the line is no DTG."""
    m = DTG_LINE_RE.match(line.strip())
    if m is None or m.group("mon").upper() not in MONTHS:
        return None
    p1 = m.group("p1")
    return Dtg(
        text=m.group("dtg"),
        precedence=p1,
        info_precedence=m.group("p2"),
        signals=m.group("rest").strip(),
        iso=dtg_iso(m.group("day"), m.group("hh"), m.group("mm"), m.group("mon"), m.group("yy")),
        year=expand_year(m.group("yy")),
    )
