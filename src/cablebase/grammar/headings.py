"""Heading lines in the text (FORMAT.md §4.10).

Styles: a line underlined by dashes, `//HEADING//`, `-- Heading --`, heading and underline
joined on one line (`Comment -------`), a markdown `#### X` left by a copy, and bare
upper-case or Title-case lines standing alone.  The decoration is removed; the caller
decides from the context (blank lines around, what follows) whether a bare line counts.
"""

from __future__ import annotations

import re

__all__ = ["DECORATION", "decorated_heading", "is_bare_heading", "is_underline"]

# A line of decoration only: dashes, equals, underscores, asterisks (with stray spaces).
# A rule: three or more of one kind of mark, run together or spaced (`- - - -`).
DECORATION = re.compile(r"^\s*[-=_*~](?:[-=_*~]{2,}|(?: [-=_*~]){2,})[-=_*~ ]*$")
_SLASHES = re.compile(r"^\s*//+\s*(\S.*?)\s*//+\s*$")
_DASHED = re.compile(r"^\s*-{2,}\s*([^-\s].*?)\s*-{2,}\s*$")
_JOINED = re.compile(r"^\s*([A-Za-z(\"'][^\n]*?[A-Za-z0-9?)\"'])\s*[-=]{4,}\s*$")
_MARKDOWN = re.compile(r"^\s*#{1,6}\s+(\S.*?)\s*#*\s*$")
# The self-marked forms in the order tried, each with the character a line (stripped) must
# start with; "" for _JOINED, which needs a rule of four `-`/`=` at the line's end.
_HEADING_FORMS = ((_SLASHES, "/"), (_DASHED, "-"), (_JOINED, ""), (_MARKDOWN, "#"))
_SMALL = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "over",
        "the",
        "to",
        "under",
        "vs",
        "with",
        "without",
    ]
)
# Lines that look like headings but are conventions of the text itself.
_NOT_HEADING = re.compile(
    r"^\(?\s*(?:BEGIN|END)\s+(?:TEXT|QUOTE|SUMMARY|COMMENT|NOTE)\b|^(?:UN)?QUOTE\b|^NNNN$|"
    r"^SIPDIS$|^NOFORN$|^BT$|^[Xx]{4,}\W*$",
    re.I,
)
_LETTER = re.compile(r"[A-Za-z]")


def is_underline(line: str) -> bool:
    return DECORATION.match(line) is not None


def decorated_heading(line: str) -> str | None:
    """The heading text of a self-marked heading line (`//X//`, `-- X --`, `X -----`,
    `#### X`), or None."""
    s = line.strip()
    if len(s) > 160 or not s:
        return None
    c0 = s[0]
    rule_at_end = not s[-4:].strip("-=")
    for rx, first in _HEADING_FORMS:
        # a form's first (or last) characters first: its regex costs more than the test
        if (c0 != first) if first else not rule_at_end:
            continue
        m = rx.match(s)
        if m:
            text = m.group(1).strip(" -=/")
            if not _LETTER.search(text) or _NOT_HEADING.search(text):
                return None
            # `-- words --` is also how a dash-set clause can wrap: demand a heading shape
            if rx is _DASHED and not is_bare_heading(text, upper_body=False):
                return None
            return text
    return None


def is_bare_heading(line: str, *, upper_body: bool) -> bool:
    """True when a line on its own could be a heading: short, upper-case or Title-case,
    without sentence punctuation at its end."""
    s = line.strip()
    if not s or len(s) > 90 or s[-1] in ".,;" or s.startswith(("-", "(", "*", "o ")):
        return False
    if _NOT_HEADING.search(s) or not _LETTER.search(s):
        return False
    words = s.split()
    if len(words) > 14:
        return False
    if not any(c.islower() for c in s):
        return True
    if upper_body:
        return False
    if not words[0][:1].isupper() or len(words) > 10:
        return False
    big = [w for w in words if w.lower() not in _SMALL and w[:1].isalpha()]
    return bool(big) and all(w[:1].isupper() for w in big)
