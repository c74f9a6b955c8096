"""A draft: the telegram text an officer writes, or a structured file, read into a Cable.

A draft is read by the project's own parser (``cablebase.parse.parse_text``): the rules look at
the same record every other part of cablebase sees.  What a draft adds to the record:

- ``date``: the day the rules are judged on (declassification must lie after it; the E.O. in
  force is the one of that day).  A real cable's DTG gives it; a draft takes today or ``--date``.
- ``clearances``: offices that cleared the draft (structured drafts, or `CLEARED`/`CLEARANCE`
  lines of a text draft); None when the draft does not say.
- ``lines`` and ``fields``: the text the parser read, and for a structured draft the field each
  line came from, so a finding names its line (text) or its field (YAML/JSON).

A draft has no serial yet (the post numbers it on release): a banner without one
(`S E C R E T BAMAKO`) is read as if numbered 000000, which the parser needs to see a banner.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from cablebase.grammar.banner import _split_class, looks_like_banner
from cablebase.parse import parse_text
from cablebase.record import Cable

__all__ = ["Draft", "Locator", "draft_from_cable", "draft_from_text"]

# `S E C R E T BAMAKO` / `UNCLAS SECTION 01 OF 02 BAMAKO`: a banner whose serial is not yet given
_POST_ONLY = re.compile(r"^\s*(?:SECTION\s+\d{1,2}\s+OF\s+\d{1,2}\s+)?[A-Z][A-Z .'-]{1,40}?\s*$")
# `CLEARED: AF/W, S/ES-O` (the colon keeps body text such as `CLEARANCE IS NEEDED` out)
_CLEARANCE_LINE = re.compile(r"^\s*(?:CLEARED(?:\s+BY)?|CLEARANCES?)\s*:\s*(\S.*)$", re.I)
PLACEHOLDER_SERIAL = "000000"
_PREAMBLE = re.compile(r"^\s*(?:E\.?\s?O\.?\s*\d|TAGS?\b|SUBJ(?:ECT)?\b|REFS?\b|\d{1,3}\.\s)", re.I)


@dataclass(slots=True)
class Draft:
    cable: Cable
    lines: list[str]  # the text read, one entry per line (line n is lines[n - 1])
    date: dt.date
    clearances: list[str] | None = None
    form: str = "text"  # text | yaml | json | cable (a real cable read as a draft)
    fields: dict[int, str] = field(default_factory=dict)  # line -> field path (structured)
    field_lines: dict[str, int] = field(default_factory=dict)  # field path -> source line
    declared_precedences: list[tuple[str, str]] | None = None  # (field, value) as written
    unnumbered_banner: bool = False  # the banner had no serial (a draft) and was numbered 0

    @property
    def locate(self) -> Locator:
        return Locator(self.lines)

    def where(self, line: int | None) -> tuple[int | None, str | None]:
        """(line, field) of a line of the read text: for a structured draft, the field that
        produced it and that field's line in the source file."""
        if line is None:
            return None, None
        if not self.fields:
            return line, None
        path = self.fields.get(line)
        if path is None:
            return None, None
        return self.field_lines.get(path, self.field_lines.get(path.split("[")[0])), path


def _number_banner(lines: list[str]) -> bool:
    """Give a serial to a banner written without one (in place); True when done."""
    for i, line in enumerate(lines[:80]):
        if not line.strip():
            continue
        if looks_like_banner(line):
            return False
        if _PREAMBLE.match(line):
            return False  # the banner stands above the E.O. line, TAGS, SUBJECT and the text
        sc = _split_class(line)
        if sc is None or not sc[1].strip():
            continue
        rest = sc[1]
        if _POST_ONLY.match(rest) and not rest.strip().upper().startswith(("EFTO", "SBU")):
            lines[i] = f"{line.rstrip()} {PLACEHOLDER_SERIAL}"
            return True
    return False


def draft_from_text(
    text: str, *, date: dt.date | None = None, form: str = "auto", undated: bool = False
) -> Draft:
    """Read a draft written as telegram text (or any form the parser reads: a real cable too).
    `undated`: the text is known to have no DTG (one parse, REF years of `date`'s year)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    clearances, block = _clearance_block(lines)
    # the clearance block is the draft's routing slip, not telegram text: the parser reads the
    # rest (blanked lines keep the numbering the locator uses)
    work = ["" if i in block else line for i, line in enumerate(lines)]
    numbered = _number_banner(work)
    joined = "\n".join(work)
    if undated and date is not None:
        cable = parse_text(joined, form=form, year=date.year)
    else:
        cable = parse_text(joined, form=form)
    if cable.created is None and not (undated and date is not None):
        # no DTG (a draft): REF items without a year are the drafting year's
        cable = parse_text(joined, form=form, year=(date or dt.datetime.now(dt.UTC).date()).year)
    if date is None:
        # a real cable's DTG dates it; a draft is judged today (its REF items without a
        # year were read as this year's, which is what a drafter means)
        date = _created(cable) or dt.datetime.now(dt.UTC).date()
    return Draft(
        cable=cable,
        lines=lines,
        date=date,
        clearances=clearances,
        unnumbered_banner=numbered,
    )


# The drafting block of a Department telegram (cables.csv keeps it in the header):
#   DRAFTED BY: A/OPR/ALS:TLPEYTON -- 11/30/00 X31121
#   APPROVED BY: A:PFKENNEDY
#   S/S-O:KMERTEN  EB:JBAY  PRM:DHUNTER
_DRAFTED = re.compile(r"^\s*(DRAFTED|APPROVED)\s+BY\s*:?", re.I)
_OFFICE = re.compile(
    r"(?<![\w/-])([A-Z][A-Z0-9]{0,5}(?:/[A-Z0-9]+(?:-[A-Z0-9]+)?)*)\s?:(?:\s?[A-Z]|\s*$)"
)


def read_clearances(lines: list[str]) -> list[str] | None:
    """Offices that cleared the text: `CLEARED:`/`CLEARANCES:` lines of a draft, or the
    offices of a drafting block (`APPROVED BY` and the lines under it).  None when the text
    names no clearance at all (a cable published without its drafting block)."""
    return _clearance_block(lines)[0]


def _clearance_block(lines: list[str]) -> tuple[list[str] | None, set[int]]:
    """(offices or None, indexes of the lines that carry them)."""
    found: list[str] = []
    used: set[int] = set()
    banner = Locator(lines).banner()
    head = (banner - 1) if banner else len(lines)  # a drafting block stands before the banner
    for i, line in enumerate(lines):
        m = _CLEARANCE_LINE.match(line)
        if m:
            used.add(i)
            found.extend(p.strip().upper() for p in re.split(r"[,;]", m.group(1)) if p.strip())
            continue
        if i < head and _DRAFTED.match(line):
            used.add(i)
            if not line.strip().upper().startswith("APPROVED"):
                continue
            for k in range(i + 1, min(i + 12, len(lines))):
                follow = lines[k]
                if not follow.strip() or follow.strip().startswith(("---", "FM ")):
                    break
                if not _OFFICE.search(follow):
                    break
                used.add(k)
            for k in sorted(used):
                body = _DRAFTED.sub("", lines[k].split("--")[0])  # the label is no office
                if not _CLEARANCE_LINE.match(lines[k]):
                    found.extend(m.group(1) for m in _OFFICE.finditer(body))
    return (list(dict.fromkeys(found)) if used else None), used


def _created(cable: Cable) -> dt.date | None:
    if not cable.created:
        return None
    try:
        return dt.date.fromisoformat(cable.created[:10])
    except ValueError:
        return None


# -- where things are: line numbers of the parts the rules talk about ---------------------

_PARA = r"^\s*(?:¶\s*|\[\d+\]\(#\)\s*)?{n}\s*[.)]\s"


class Locator:
    """Finds the line (1-based) of a part of the draft text.  The values come from the parser;
    this only points at where they were written, so a finding can name its line."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def first(self, pattern: str, flags: int = re.IGNORECASE) -> int | None:
        rx = re.compile(pattern, flags)
        for i, line in enumerate(self.lines, 1):
            if rx.search(line):
                return i
        return None

    def banner(self) -> int | None:
        for i, line in enumerate(self.lines, 1):
            sc = _split_class(line)
            if sc is not None and (looks_like_banner(line) or _POST_ONLY.match(sc[1] or "")):
                return i
        return None

    def eo(self) -> int | None:
        return self.first(r"^\s*(?:\(\w+\)\s*)?E\.?\s?O\.?\s*\d")

    def tags(self) -> int | None:
        return self.first(r"^\s*TAGS?\b")

    def subject(self) -> int | None:
        return self.first(r"^\s*SUBJ(?:ECT)?\b")

    def ref(self, text: str | None = None) -> int | None:
        start = self.first(r"^\s*REFS?\b")
        if text and start:
            key = text.split()[0] if text.split() else text
            for i in range(start, min(start + 12, len(self.lines) + 1)):
                if key.upper() in self.lines[i - 1].upper():
                    return i
        return start

    def classified_by(self) -> int | None:
        return self.first(r"^\s*(?:\(\w+\)\s*)?Classified\s+By\b")

    def paragraph(self, number: int | None, text: str = "") -> int | None:
        if number is not None:
            found = self.first(_PARA.format(n=number), 0)
            if found:
                return found
        probe = text.strip()[:40]
        if probe:
            for i, line in enumerate(self.lines, 1):
                if probe[:25] in line:
                    return i
        return None

    def containing(self, *needles: str) -> int | None:
        for i, line in enumerate(self.lines, 1):
            up = " ".join(line.upper().split())
            if all(n.upper() in up for n in needles if n):
                return i
        return None

    def addressee(self, route: str | None, name: str) -> int | None:
        if route:
            found = self.containing(f"{route}/{name}") or self.containing(route, name)
            if found:
                return found
        return self.containing(name)

    def caption(self, word: str) -> int | None:
        return self.first(rf"^\s*{re.escape(word)}\b")

    def signature(self, name: str) -> int | None:
        for i in range(len(self.lines), 0, -1):
            if self.lines[i - 1].strip().upper() == name.upper():
                return i
        return None


def draft_from_cable(cable: Cable, *, date: dt.date | None = None) -> Draft:
    """A parsed real cable seen as a draft (the corpus run): judged on its own date."""
    src = cable.source
    text = "\n".join(x for x in ((src.header if src else None), (src.body if src else None)) if x)
    when = date or _created(cable) or dt.datetime.now(dt.UTC).date()
    lines = text.split("\n")
    return Draft(
        cable=cable, lines=lines, date=when, form="cable", clearances=read_clearances(lines)
    )
