"""Redactions (FORMAT.md §4.13): X runs in any field, recorded with where they stand."""

from __future__ import annotations

import re

from cablebase.grammar.state import State
from cablebase.record import Redaction

__all__ = ["find_redactions"]

_XRUN = re.compile(r"[Xx][Xx]{3,}")  # (a class first, not a repeat: a fast scan)


def find_redactions(st: State) -> None:
    """Fill cable.redactions by scanning the finished fields; warn on numbering gaps
    filled by whole-line redactions (text.parse_text does that while it still sees the
    whole-line items)."""
    cable = st.cable
    found: list[Redaction] = []

    def scan(text: str | None, where: str) -> None:
        if text and ("XXXX" in text or "xxxx" in text or "Xxxx" in text):
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
        # the X test inline: most paragraphs hold no run, and a call per paragraph adds up
        if ("XXXX" in text or "xxxx" in text or "Xxxx" in text) or heading:
            where = f"paragraph:{p.number}" if p.number is not None else "body"
            scan(heading, where)
            scan(text, where)
    cable.redactions = found
