"""Lines before the classification banner (FORMAT.md §4.0).

Weekday date lines, cables.csv row dumps, key/value dumps (`ID: …`, `Class: …`),
`Cable dated:` stamps, editorial notes and e-mail export lines are skipped.  The scan
for the banner is bounded: it stops at the first numbered paragraph (or E.O. /
Classified By line), so a banner-like line deep in the text is never taken.
"""

from __future__ import annotations

import re

from cablebase.grammar.banner import looks_like_banner
from cablebase.grammar.state import State

__all__ = ["find_banner", "glued_banner", "mail_subject", "WEEKDAY_RE", "parse_weekday"]

_MONTHS = {
    m: i
    for i, m in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        1,
    )
}

WEEKDAY_RE = re.compile(
    r"^\s*(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\s+(\d{1,2})\s+([A-Za-z]+)\s+(\d{4}),\s+"
    r"(\d{1,2}):(\d{2})\s*$",
    re.IGNORECASE,
)

# Key/value dump lines (`ID: 190648`, `Class: SECRET`, `DESTINATION: VZCZC…`).
_KV = re.compile(
    r"^\s*(?:id|refid|date|origin|classification|destination|header|source|misc|class|key|"
    r"tags|references|subject)\s*:",
    re.IGNORECASE,
)
_KV_START = re.compile(r"^\s*(?:id|refid|class|classification)\s*:", re.IGNORECASE)
_HEADER_ENDS = re.compile(r"^-{3,}\s*header ends\s*-{3,}\s*$", re.IGNORECASE)
_CABLE_DATED = re.compile(r"^\s*(?:ID:\s*\d+\s+)?Cable dated:\s*\S*", re.IGNORECASE)
# cables.csv row dumps: `>`, a date, a refid, a bare row id, tab- or comma-separated rows.
_CSV_DUMP = re.compile(
    r"""^\s*(?:>
    |\d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}:\d{2}.*
    |\d{4}-\d\d-\d\d(?:\s+\d\d:\d\d(?::\d\d)?)?.*
    |\d{2}[A-Z]+\d+
    |\d{4,7}
    |\d{4,7}[\t,].*
    |\d{1,2}:\d\d,.*
    |.*\t.*
    )\s*$""",
    re.VERBOSE,
)
_HEADER_LINE = re.compile(
    r"^\s*(?:VZCZC|[OPRZ]{2}\s+R[A-Z]{3,}|DE\s+R[A-Z]{3,}|ZN[YR]\s|[OPRZ]\s+\d{6}Z|FM\s|TO\s|"
    r"INFO\s|XMT\s|R[A-Z]{3,7}/|BT\s*$)"
)
_NUMBERED = re.compile(r"^\s*\d{1,3}\.(?!\d)")
_STOP = re.compile(
    r"^\s*(?:E\.?\s?O\.?\s*\d{4,6}|(?:\(U\)\s*)?Classified\s+by\b)",
    re.IGNORECASE,
)
# A text opening with its REF block has no banner before it: a banner-like line after it is
# a copy (`REF: A. 08 STATE 81854` ⏎⏎ `S e c r e t nairobi 001938`).  (Inside a dump, a REF
# field may stand before the banner: only the first line counts.)
_REF_OPENS = re.compile(r"^\s*(?:REF(?:S|TELS?)?|Refs?)\s*:")
# Where a banner may start glued after a dump prefix: tab, quote, bracket, a time stamp.
_GLUED = re.compile(
    r"(?:[\t\"\]>,]|\d\d:\d\d(?::\d\d)?)\s*"
    r"(?=(?:S\s?S?\s?E\s?C\s?R\s?E\s?T|C\s?C?\s?O\s?N\s?F\s?I|U\s?U?N\s?C\s?L\s?A\s?S)\b|"
    r"S E C R E T|C O N F I D E N T I A L|U N C L A S)",
    re.IGNORECASE,
)
_PREAMBLE_START = re.compile(
    r"^\s*(?:SIPDIS\b|NOFORN\b|E\.?\s?O\.?\s*\d{4,6}|TAGS?\b|SUBJ(?:ECT)?\s*:)",
    re.IGNORECASE,
)

_SCAN_LIMIT = 400  # a dump with a long INFO list stays far below this


def parse_weekday(line: str) -> str | None:
    """`Wednesday, 29 November 2000, 13:59` -> `2000-11-29T13:59`, else None."""
    m = WEEKDAY_RE.match(line)
    if m is None:
        return None
    month = _MONTHS.get(m.group(2).lower())
    day, hour, minute = int(m.group(1)), int(m.group(4)), int(m.group(5))
    if month is None or not (1 <= day <= 31 and hour < 24 and minute < 60):
        return None
    return f"{m.group(3)}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}"


def glued_banner(line: str) -> int | None:
    """Position of a banner glued after a dump prefix inside `line`, or None."""
    for m in _GLUED.finditer(line):
        pos = m.end()
        if pos > 0 and looks_like_banner(line[pos:]):
            return pos
    return None


def find_banner(lines: list[str], st: State) -> int:
    """Return the index of the banner line, or of the first preamble line when there is
    no banner.  Records the weekday time line (st.weekday_time) and warns about dumps
    and editorial notes that are skipped.  A banner glued after a dump prefix on the same
    line (`Cable dated:…S E C R E T …`) is cut free in place (the line keeps its index)."""
    n = len(lines)
    limit = min(n, _SCAN_LIMIT)
    banner_at: int | None = None
    stop_at = limit
    first = True  # the first line that is not blank
    for i in range(limit):
        line = lines[i]
        if not line.strip():
            continue
        if looks_like_banner(line):
            banner_at = i
            break
        pos = glued_banner(line)
        if pos is not None:
            lines[i] = line[pos:]
            st.warn("preface.dump", f"banner glued after {line[:pos].strip()[:60]!r}", "preface")
            banner_at = i
            break
        if _NUMBERED.match(line) or _STOP.match(line) or (first and _REF_OPENS.match(line)):
            stop_at = i
            break
        first = False
    if banner_at is not None:
        _classify_preface(lines, banner_at, st, stop_at_other=False)
        return banner_at
    st.warn("banner.missing", "no classification banner before the preamble", "banner")
    # No banner: start at the first line that is not a skipped preface line.
    first_other = _classify_preface(lines, stop_at, st, stop_at_other=True)
    if first_other is not None:
        return first_other
    for i in range(stop_at):
        if lines[i].strip() and _PREAMBLE_START.match(lines[i]):
            return i
    return stop_at if stop_at < n else n


def _classify_preface(lines: list[str], end: int, st: State, *, stop_at_other: bool) -> int | None:
    """Look at the lines before `end`: record the weekday time, warn about dumps and notes.
    Returns the index of the first line that is none of blank/weekday/dump (or None)."""
    in_dump = False
    dump_kinds: list[str] = []
    notes: list[str] = []
    first_other: int | None = None
    for i in range(end):
        line = lines[i]
        s = line.strip()
        if not s:
            continue
        wk = parse_weekday(s)
        if wk is not None:
            if st.weekday_time is None:
                st.weekday_time = wk
            continue
        kind = None
        if _CABLE_DATED.match(s):
            kind = "cable-dated stamp"
        elif _KV.match(s) and (in_dump or _KV_START.match(s)) or _HEADER_ENDS.match(s):
            kind = "key/value dump"
        elif _CSV_DUMP.match(s):
            kind = "cables.csv row dump"
        elif in_dump and (_HEADER_LINE.match(s) or s in {'"', "\\"}):
            kind = "dump header"
        if kind is not None:
            in_dump = True
            if kind not in dump_kinds:
                dump_kinds.append(kind)
            continue
        if in_dump and not stop_at_other:
            # Anything inside a dump (titles, wrapped header lines, summary lines) is dump text.
            continue
        if first_other is None:
            first_other = i
        if stop_at_other:
            break
        notes.append(s)
    if dump_kinds:
        st.warn("preface.dump", "skipped before the banner: " + ", ".join(dump_kinds), "preface")
    elif notes:
        # Lines before a dump are its title; only notes without a dump are reported as notes.
        st.warn("preface.note", f"skipped before the banner: {notes[0][:80]!r}", "preface")
    return first_other


# An e-mail export's subject line: post, serial, precedence, class and date, then the cable's
# subject, wrapped, with the mail system's number last (`Subject: TRIPOLI 00000063 P CO
# 28-JAN-09 RISKY BUSINESS? AMERICAN` / `CONSTRUCTION FIRM … WITH GOL [8466936]`).
_MAIL_SUBJECT = re.compile(
    r"^\s*Subject:\s+[A-Z][A-Z .'-]*?\s+\d{8}\s+[A-Z]{1,2}\s+[A-Z]{2}\s+\d{2}-[A-Z]{3}-\d{2}\s+(\S.*)$"
)
_MAIL_NUMBER = re.compile(r"\s*\[\d+\]\s*$")


def mail_subject(lines: list[str]) -> str | None:
    """The cable's subject as an e-mail export's Subject line gives it, or None: for a page
    whose telegram has no SUBJECT line of its own."""
    for i, line in enumerate(lines):
        if not line.startswith(("Subject:", " ")) or (m := _MAIL_SUBJECT.match(line)) is None:
            continue
        parts = [m[1]]
        for nxt in lines[i + 1 : i + 4]:
            if not nxt.strip() or _MAIL_NUMBER.search(parts[-1]):
                break
            parts.append(nxt)
        text = _MAIL_NUMBER.sub("", " ".join(" ".join(parts).split()))
        return text or None
    return None


def unescape_dump_lines(lines: list[str], start: int) -> list[str]:
    """A tab-separated dump ends every line of the telegram with a backslash (`… Reyes in \\`,
    a blank line written ` \\`): the lines from the banner at `start` on without it, so that no
    field's text carries it (summaries held ` \\ ` at each wrap)."""
    out = lines[:start]
    for line in lines[start:]:
        out.append(line[:-1].rstrip() if line.endswith("\\") else line)
    return out
