"""Portion marks (FORMAT.md §4.9, docs/record.md): `(S//NF)` -> `S/NF`, `( C )` -> `C`.

Shared by the SUBJECT rule and the paragraphs rule.  A mark is a classification level,
optionally followed by caveats (NOFORN, REL TO ..., FGI, ...).  Anything else in
parentheses (`(U.S.)`, `(Iran)`, `(a)`, `(1)`) is not a mark.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["PORTION_RE", "normalize_portion", "split_portion"]

# Level words as written, mapped to the short mark.
_LEVELS = {
    "U": "U",
    "C": "C",
    "S": "S",
    "TS": "TS",
    "SBU": "SBU",
    "LOU": "LOU",
    "FOUO": "FOUO",
    "UNCLASSIFIED": "U",
    "UNCLAS": "U",
    "CONFIDENTIAL": "C",
    "SECRET": "S",
    "TOP SECRET": "TS",
}

# Caveats that may follow a level; each caveat part must start with one of these.
_CAVEAT_START = re.compile(
    r"^(?:NF|REL\b|RELEASABLE|FGI|ORCON|NC|PROPIN|SENSITIVE|FOUO|BUS|SUS|SBU|"
    r"DELIBERATIVE|EXDIS|NODIS|LIMDIS|STADIS|IMCON|OC|PR|LES)"
)

# A release caveat glued to its country code, as DoD reports write it (`RELCAN`, `RELGBR`).
_REL_GLUED = re.compile(r"^REL([A-Z]{3})$")
_NOFORN = re.compile(r"\bNO\s*FORN\b|\bN\s*/\s*F\b")
_ENTIRE = re.compile(r"\s*-?\s*ENTIRE\s+TEXT\.?\s*$")
_LEVEL_SPLIT = re.compile(
    r"^(TOP\s+SECRET|UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|SBU|LOU|FOUO|TS|U|C|S)"
    r"(?:\s*(?://?|-)\s*|\s+|$)(.*)$"
)

# A leading parenthesised mark at the start of a text (used by callers to split it off).
PORTION_RE = re.compile(r"^\s*(\(\s*[A-Za-z][^()]{0,40}\))\s*")


@lru_cache(maxsize=4096)  # marks repeat: `(C)`, `(SBU)`, `(S//NF)` …
def normalize_portion(raw: str) -> str | None:
    """Normalise a portion mark: upper-case, parentheses and outer spaces removed, `//` -> `/`,
    NOFORN (N/F) -> NF, full level words -> letters, `- ENTIRE TEXT` dropped.
    Returns None when `raw` is not a portion mark."""
    s = raw.strip()
    if s.startswith("(") and s.endswith(")"):
        s = s[1:-1]
    s = s.strip().rstrip(".").strip().upper()
    if not s or len(s) > 60:
        return None
    s = _ENTIRE.sub("", s)
    s = _NOFORN.sub("NF", s)
    m = _LEVEL_SPLIT.match(s)
    if m is None:
        return None
    level = _LEVELS[re.sub(r"\s+", " ", m.group(1))]
    rest = m.group(2).strip()
    if not rest:
        return level
    parts = [p.strip() for p in re.split(r"/+", rest) if p.strip()]
    out = [level]
    for part in parts:
        part = part.lstrip("-").strip()
        if not part:
            continue
        glued = _REL_GLUED.match(part)
        if glued is not None:
            part = "REL " + glued.group(1)  # `C/RELCAN`: releasable to Canada, REL CAN
        elif not _CAVEAT_START.match(part):
            return None
        # Inner spaces carry meaning in release lists (REL TO USA, FVEY): collapse, keep.
        out.append(re.sub(r"\s*,\s*", ", ", re.sub(r"\s+", " ", part)))
    return "/".join(out)


def split_portion(text: str) -> tuple[str | None, str]:
    """Split a leading portion mark off `text`: `(S) FOO` -> ("S", "FOO").
    Returns (None, text) when the text does not start with a mark."""
    m = PORTION_RE.match(text)
    if m is None:
        return None, text
    mark = normalize_portion(m.group(1))
    if mark is None:
        return None, text
    return mark, text[m.end() :]
