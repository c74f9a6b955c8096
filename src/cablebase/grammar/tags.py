"""TAGS (FORMAT.md §4.4, docs/record.md)."""

from __future__ import annotations

import re

__all__ = ["parse_tags"]

_GROUP = re.compile(r"\([^()]*\)?")
# A `(...)` group, or a run of anything but separators and parentheses.
_TOKEN = re.compile(r"\([^()]*\)?|[^\s,;()]+")
# On a line with commas or semicolons: a `(...)` group, or a run up to the next separator.
_LIST_TOKEN = re.compile(r"\([^()]*\)?|[^,;()]+")
# A run made only of tag codes (`PHUM BM`, `PREL PGOV`): a separator was forgotten.
_CODES = re.compile(r"(?:[A-Z]{2}|[A-Z]{4})(?:\s+(?:[A-Z]{2}|[A-Z]{4}))+")


def parse_tags(text: str) -> list[str]:
    """Split the TAGS value (label removed, one field line per text line): a line with commas
    or semicolons is split on them only (inner spaces collapsed: `GAZA DISENGAGEMENT`) unless
    a piece is nothing but tag codes (`PHUM BM`), a line without them on white space; a `(...)` group is joined to the token before it
    (`OVIP (CLINTON, HILLARY)`); upper-case; order kept; exact duplicates dropped."""
    out: list[str] = []
    for line in text.split("\n"):
        outside = _GROUP.sub("", line) if "(" in line else line
        rx = _LIST_TOKEN if ("," in outside or ";" in outside) else _TOKEN
        for tok in rx.findall(line):
            if tok.startswith("("):
                group = "(" + " ".join(tok.strip("()").split()).upper() + ")"
                if out:
                    out[-1] = f"{out[-1]} {group}"
                elif group != "()":
                    out.append(group)
                continue
            tok = " ".join(tok.split()).strip(".: ").upper()
            if " " in tok and _CODES.fullmatch(tok):
                out.extend(tok.split())
            elif tok:
                out.append(tok)
    seen: set[str] = set()
    result: list[str] = []
    for tok in out:
        if tok not in seen:
            seen.add(tok)
            result.append(tok)
    return result
