"""Small helpers the rule modules share: levels, ranks, and what counts as redacted text."""

from __future__ import annotations

import re

from cablebase.grammar.portion import normalize_portion, split_portion
from cablebase.record import Cable, Paragraph

# Ranks of the banner levels and of the portion marks.  Controlled-unclassified markings (SBU,
# LOU, FOUO) rank with UNCLASSIFIED: they are no classification (32 CFR 2001.23(a)).
LEVEL_RANK = {
    "UNCLASSIFIED": 0,
    "LIMITED OFFICIAL USE": 0,
    "CONFIDENTIAL": 2,
    "SECRET": 3,
    "TOP SECRET": 4,
}
PORTION_RANK = {"U": 0, "SBU": 0, "LOU": 0, "FOUO": 0, "C": 2, "S": 3, "TS": 4}
LEVEL_OF_RANK = {0: "UNCLASSIFIED", 2: "CONFIDENTIAL", 3: "SECRET", 4: "TOP SECRET"}
MARK_OF_RANK = {0: "U", 2: "C", 3: "S", 4: "TS"}

_REDACTED = re.compile(r"^[\sXx.]*$")


def classified(cable: Cable) -> bool:
    return LEVEL_RANK.get(cable.classification or "", 0) >= 2


def portion_rank(portion: str | None) -> int | None:
    """Rank of a normalised portion mark (`S/NF` -> 3); None when unmarked or unreadable."""
    if not portion:
        return None
    return PORTION_RANK.get(portion.split("/")[0])


def redacted(text: str) -> bool:
    """A paragraph that is nothing but a redaction run (XXXXXXXX) was not written so."""
    return bool(text.strip()) and _REDACTED.match(text) is not None and "X" in text.upper()


_ENTIRE = re.compile(
    r"^\s*\(?\s*(TOP\s+SECRET|SECRET|CONFIDENTIAL|UNCLASSIFIED|LIMITED\s+OFFICIAL\s+USE|TS|S|C|U)"
    r"\s*\)?\s*[-:]*\s*(?:-\s*)?ENTIRE\s+TEXT\b",
    re.I,
)
_WORD_RANK = {"TS": 4, "TOP SECRET": 4, "S": 3, "SECRET": 3, "C": 2, "CONFIDENTIAL": 2}


def entire_text_rank(cable: Cable) -> int | None:
    """`1. CONFIDENTIAL - ENTIRE TEXT.` / `(C) ENTIRE TEXT`: one mark for every paragraph (the
    practice of older cables).  The rank it gives, or None when the cable has no such line."""
    for p in cable.paragraphs[:3]:
        text = p.text.strip()
        probe = f"({p.portion}) {text}" if p.portion and not _ENTIRE.match(text) else text
        m = _ENTIRE.match(probe)
        if m:
            return _WORD_RANK.get(" ".join(m.group(1).upper().split()), 0)
    return None


def paragraph_portion(p: Paragraph) -> str | None:
    """The paragraph's portion mark.  The parser splits the mark off numbered paragraphs; an
    unnumbered one (a one-paragraph cable: `(C) The minister …`) keeps it in its text, read
    here with the parser's own portion reader."""
    if p.portion or p.number is not None:
        return p.portion
    return split_portion(p.text)[0]


# A subparagraph's own mark inside a paragraph's text: `A.  (C)  Physical Security …`
_SUB_MARK = re.compile(
    r"(?:^|\s)(?:[A-Za-z]|\d{1,2})[.)]\s+(\(\s*(?:TS|S|C|U|SBU|LOU)\b[^()]{0,20}\))"
)


def marks_within(p: Paragraph) -> list[str]:
    """Portion marks of the subparagraphs written inside a paragraph's text."""
    marks = (normalize_portion(m.group(1)) for m in _SUB_MARK.finditer(p.text))
    return [m for m in marks if m]
