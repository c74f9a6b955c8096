"""TAGS (FORMAT.md §4.4, docs/record.md)."""

from __future__ import annotations

import re

__all__ = ["parse_tags"]

# A `(...)` group, or a run of anything but separators and parentheses.
_TOKEN = re.compile(r"\([^()]*\)?|[^\s,;()]+")


def parse_tags(text: str) -> list[str]:
    """Split the TAGS value (label removed, continuation lines joined by any white space)
    on white space, commas and semicolons; a `(...)` group is joined to the token before it
    (`OVIP (CLINTON, HILLARY)`); upper-case; order kept; exact duplicates dropped."""
    out: list[str] = []
    for tok in _TOKEN.findall(text):
        if tok.startswith("("):
            group = "(" + " ".join(tok.strip("()").split()).upper() + ")"
            if out:
                out[-1] = f"{out[-1]} {group}"
            elif group != "()":
                out.append(group)
            continue
        tok = tok.strip(".:").upper()
        if tok:
            out.append(tok)
    seen: set[str] = set()
    result: list[str] = []
    for tok in out:
        if tok not in seen:
            seen.add(tok)
            result.append(tok)
    return result
