"""The cable summary (FORMAT.md §4.10, docs/record.md `summary`).

Either an inline label at the start of an early paragraph (`Summary:`, `SUMMARY.`,
`Summary and Comment:`, `BEGIN SUMMARY`) up to `End Summary` (which may stand a few
paragraphs later) or the end of that paragraph; or the paragraph(s) under a SUMMARY
heading, up to `END SUMMARY` or the next heading.
"""

from __future__ import annotations

import re

from cablebase.record import Paragraph

__all__ = ["find_summary"]

_LABEL = re.compile(
    r"^\s*(?:(?:introduction|executive|background)\s+(?:and\s+)?)?(?:begin\s+)?summary"
    r"(?:\s+and\s+(?:comment|action\s+request|recommendations?|introduction|background)s?)?"
    r"\s*(?:[:.\-]+|\s(?=[A-Z]))\s*",
    re.I,
)
_END = re.compile(r"\(?\s*\bend\s+(?:of\s+)?summary\b\s*[.:;]*\s*\)?\.?", re.I)
_HEADING = re.compile(
    r"^(?:executive\s+|begin\s+)?summary(?:\s+and\s+(?:comment|action\s+request|\w+))?\W*$", re.I
)
_EARLY = 6  # the label stands in one of the first paragraphs
_SPAN = 8  # how far `End Summary` may stand from the label


def find_summary(paragraphs: list[Paragraph]) -> str | None:
    """The summary text, or None."""
    for k, p in enumerate(paragraphs[:_EARLY]):
        m = _LABEL.match(p.text)
        if m is None:
            continue
        text = _collect(paragraphs, k, p.text[m.end() :])
        if text:
            return text
    for k, p in enumerate(paragraphs):
        if p.heading and _HEADING.match(p.heading.strip()):
            text = _collect(paragraphs, k, _LABEL.sub("", p.text, count=1), by_heading=True)
            if text:
                return text
    return None


def _collect(paragraphs: list[Paragraph], k: int, first: str, *, by_heading: bool = False) -> str:
    end = _find_end(first)
    if end is not None:
        return first[: end.start()].strip()
    parts = [first.strip()]
    for p in paragraphs[k + 1 : k + 1 + _SPAN]:
        if p.heading and not _HEADING.match(p.heading.strip()):
            break
        end = _find_end(p.text)
        if end is not None:
            parts.append(p.text[: end.start()].strip())
            return "\n\n".join(x for x in parts if x)
        parts.append(p.text.strip())
    return parts[0] if not by_heading else "\n\n".join(x for x in parts if x)


def _find_end(text: str) -> re.Match[str] | None:
    """_END.search(text), fast: the regex has no literal start (`\\(?\\s*\\bend`), so it
    is only started just before the first `end` (no match can start earlier)."""
    low = text.lower()
    if "summary" not in low:
        return None
    if len(low) != len(text):
        return _END.search(text)
    q = low.find("end")
    if q < 0:
        return None
    # the match may start at the white space and `(` standing before `end`
    pos = q
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    if pos > 0 and text[pos - 1] == "(":
        pos -= 1
    return _END.search(text, pos)
