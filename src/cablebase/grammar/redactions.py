"""Redactions (FORMAT.md §4.13): X runs in any field, recorded with where they stand."""

from __future__ import annotations

import re

from cablebase.grammar.state import State
from cablebase.record import Redaction

__all__ = ["find_redactions"]

_XRUN = re.compile(r"[Xx][Xx]{3,}")  # (a class first, not a repeat: a fast scan)


def _may_hold_run(text: str) -> bool:
    """`XXXX`, `xxxx` or `Xxxx` in the text (two scans where none is: both last hold `xxx`)."""
    return "XXXX" in text or ("xxx" in text and ("xxxx" in text or "Xxxx" in text))


def find_redactions(st: State) -> None:
    """Fill cable.redactions by scanning the finished fields; warn on numbering gaps
    filled by whole-line redactions (text.parse_text does that while it still sees the
    whole-line items)."""
    cable = st.cable
    found: list[Redaction] = []

    def scan(text: str | None, where: str) -> None:
        if text and _may_hold_run(text):
            for m in _XRUN.finditer(text):
                found.append(Redaction(where=where, length=m.end() - m.start()))

    scan(cable.post, "banner")
    scan(cable.subject, "subject")
    for ref in cable.references:
        scan(ref.text, "ref")
    if cable.classified_by is not None:
        scan(cable.classified_by.text, "classified_by")
    for p in cable.paragraphs:
        text, heading = p.text, p.heading
        if _may_hold_run(text) or heading:
            where = f"paragraph:{p.number}" if p.number is not None else "body"
            scan(heading, where)
            scan(text, where)
    cable.redactions = found
