"""Captions and handling words between the banner and E.O. (FORMAT.md §4.2)."""

from __future__ import annotations

import re

__all__ = ["HANDLING_LINE", "add_handling", "split_caption"]

# `SENSITIVE BUT UNCLASSIFIED` (also `SENSITIVE, BUT UNCLASSIFED`) is the SENSITIVE caption.
_SBU = r"SENSITIVE\s*,?\s*BUT\s+UNCLASSIF?IE?D"
_HANDLING_WORDS = (
    _SBU + r"|SIPDIS|NOFORN|NOFOR|SENSITIVE|EXDIS|NODIS|LIMDIS|STADIS|AIDAC|CODEL|SBU|"
    r"DELIBERATIVE\s+PROCESS|FOR\s+OFFICIAL\s+USE\s+ONLY|ORCON|PROPIN"
)
# One handling word at the start of a text; words may be glued (`SIPDISNOFORN`).
# Only SIPDIS, NOFORN and SENSITIVE are split off a longer caption line (they are never part
# of an office line); SIPDIS/NOFORN may be glued to what follows (`SIPDISNEA FOR …`).
_HANDLING_HEAD = re.compile(
    rf"^[\s,.;:/]*({_SBU}|SIPDIS|NOFORN|SENSITIVE(?![A-Za-z]))[\s,.;:/]*", re.IGNORECASE
)
_HANDLING_TAIL = re.compile(r"[\s,.;:]+(SIPDIS|NOFORN)[\s,.;:]*$", re.IGNORECASE)
# A line made only of handling words.
HANDLING_LINE = re.compile(rf"^[\s,.;:/]*(?:(?:{_HANDLING_WORDS})[\s,.;:/]*)+$", re.IGNORECASE)
_WORD = re.compile(_HANDLING_WORDS, re.IGNORECASE)
# What may follow `SENSITIVE BUT UNCLASSIFIED` on its line without being a caption.
_SBU_NOTICE = re.compile(
    r"^[\s.,;:-]*(?:(?:PLEASE\s+)?(?:HANDLE|PROTECT)\b.*|NOT\s+FOR\s+(?:INTERNET|PUBLIC)\b.*)$",
    re.IGNORECASE,
)
_NORMAL = {"NOFOR": "NOFORN"}


def add_handling(handling: list[str], word: str) -> None:
    """Append a handling word upper-cased, single-spaced, without duplicates."""
    w = " ".join(word.upper().split())
    w = "SENSITIVE" if w.startswith("SENSITIVE") else _NORMAL.get(w, w)
    if w not in handling:
        handling.append(w)


def split_caption(text: str, handling: list[str]) -> str:
    """Move leading and trailing handling words of a caption line into `handling`;
    return the rest of the line (possibly empty)."""
    s = text.strip()
    if HANDLING_LINE.match(s):
        for m in _WORD.finditer(s):
            add_handling(handling, m.group(0))
        return ""
    sbu = False
    while s:
        m = _HANDLING_HEAD.match(s)
        if m is None:
            break
        add_handling(handling, m.group(1))
        sbu = sbu or len(m.group(1)) > 9
        s = s[m.end() :]
    if sbu and _SBU_NOTICE.match(s):
        return ""  # `SENSITIVE BUT UNCLASSIFIED - PLEASE HANDLE ACCORDINGLY`
    while s:
        m = _HANDLING_TAIL.search(s)
        if m is None:
            break
        add_handling(handling, m.group(1))
        s = s[: m.start()]
    return s.strip()
