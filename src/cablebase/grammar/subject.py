"""SUBJECT (FORMAT.md §4.5): joined lines, leading portion mark split off."""

from __future__ import annotations

import re

from cablebase.grammar.portion import split_portion

__all__ = ["parse_subject", "SUBJECT_STOP"]

# Lines that end a SUBJECT that has no blank line after it: page headers of old printouts,
# lone classification words, page markers, weekday lines, banners of a repeated preamble.
SUBJECT_STOP = re.compile(
    r"""^\s*(?:
      PAGE\s+\d{1,3}\b
    | (?:CONFIDENTIAL|SECRET|UNCLASSIFIED|UNCLAS|LIMITED\s+OFFICIAL\s+USE)\s*$
    | [A-Za-z .]{2,20}\d{8}\s+\d{3}(?:\.\d)?\s+OF\s+\d{3}\s*$
    | (?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\s+\d{1,2}\s+[A-Za-z]+\s+\d{4}
    | (?:[A-Za-z]\s){4,}
    | BT\s*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def parse_subject(pieces: list[str]) -> tuple[str | None, str | None]:
    """Join the SUBJECT pieces (label removed) with single spaces; return
    (portion mark or None, subject text or None when empty)."""
    text = " ".join(" ".join(pieces).split())
    if not text:
        return None, None
    portion, rest = split_portion(text)
    rest = rest.strip()
    if not rest:
        return portion, None
    return portion, rest
