"""The text: paragraph numbering, the summary of a long cable, the signature."""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterator

from cablebase.drafting.draft import Draft
from cablebase.drafting.rules import Context, Hit, rule
from cablebase.record import Cable

# A telegram page: lines of 69 columns hold PAGE_LINES of them.  Calibrated on the 524 whole
# Cablegate cables among the first 3,000 of the dev corpus whose page markers (`BAMAKO 00000776
# 002 OF 003`) give their page count: median 69.5 such lines per page (docs/drafting.md, "Pages").
COLUMNS = 69
PAGE_LINES = 70


def page_count(cable: Cable) -> int:
    """Pages the cable's text fills when printed as a telegram (preamble lines included)."""
    lines = 0
    for value in (cable.subject, *(r.text for r in cable.references)):
        lines += len(textwrap.wrap(value or "", COLUMNS)) or 0
    lines += 8  # banner, captions, E.O., TAGS, Classified By and the blank lines between
    for p in cable.paragraphs:
        if p.heading:
            lines += 2
        lines += len(textwrap.wrap(p.text, COLUMNS)) + 1
    return max(1, math.ceil(lines / PAGE_LINES))


@rule(
    "paragraphs.single-numbered",
    "error",
    "A cable of one paragraph does not number it.",
    "5 FAH-1 H-246.2b",
)
def single_numbered(d: Draft, ctx: Context) -> Iterator[Hit]:
    numbered = [p for p in d.cable.paragraphs if p.number is not None]
    if len(numbered) == 1 and len([p for p in d.cable.paragraphs if p.text.strip()]) == 1:
        p = numbered[0]
        yield Hit(
            f"the only paragraph is numbered {p.number}.",
            d.locate.paragraph(p.number, p.text),
            fix="remove the number (keep the portion mark)",
        )


# A summary under another label (`1. (S) Key Points: …`, `Overview:`) is a summary all the same.
_SUMMARY_BY_ANOTHER_NAME = re.compile(
    r"^\s*(?:\(\w+\)\s*)?(?:SUMMARY|KEY\s+POINTS|OVERVIEW|BOTTOM\s+LINE|EXECUTIVE\s+SUMMARY)\b",
    re.I,
)


@rule(
    "summary.required",
    "error",
    "A cable of more than three pages opens with a summary.",
    "5 FAH-1 H-246.3a",
)
def summary_required(d: Draft, ctx: Context) -> Iterator[Hit]:
    pages = page_count(d.cable)
    if pages <= 3 or d.cable.summary:
        return
    first = next((p for p in d.cable.paragraphs if p.text.strip()), None)
    if first is not None and _SUMMARY_BY_ANOTHER_NAME.match(first.heading or first.text):
        return
    yield Hit(
        f"the text runs to about {pages} pages and has no summary",
        d.locate.paragraph(first.number, first.text) if first else None,
        fix="add an unnumbered SUMMARY paragraph above paragraph 1",
    )


@rule(
    "signer.missing",
    "warning",
    "The draft ends with the signer's name.",
    "5 FAH-1 H-240 (telegram format: signature)",
)
def signer_missing(d: Draft, ctx: Context) -> Iterator[Hit]:
    if not d.cable.signers and d.cable.paragraphs:
        yield Hit("no signature after the last paragraph", len(d.lines) or None)
