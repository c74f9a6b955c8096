"""Text (FORMAT.md §4.9-4.11): paragraphs with portion marks and headings, summary, signature."""

from __future__ import annotations

import re

from cablebase.grammar.pages import ends_sentence
from cablebase.grammar.paragraphs import Item, join_stripped, segment
from cablebase.grammar.quotes import repair_quotes
from cablebase.grammar.signature import HEADER_START, Signature, cut_header_copy, take_signature
from cablebase.grammar.state import State
from cablebase.grammar.summary import ends_in_heading, find_summary
from cablebase.record import Paragraph

__all__ = ["parse_text"]

_SIPDIS = re.compile(r"^\s*SIPDIS\s*$", re.I)


def parse_text(lines: list[str], start: int, st: State) -> None:
    """Fill cable.paragraphs, cable.summary and cable.signers from lines[start:]."""
    cable = st.cable
    body = lines[max(0, start) :]
    blob = "\n".join(body)
    kept = _drop_sipdis(body, blob)
    if kept is not body and "SIPDIS" not in cable.handling:  # a marker was taken out
        cable.handling.append("SIPDIS")
    if HEADER_START in blob:
        kept = list(kept)
        cut_header_copy(kept)
    sig = take_signature(kept)
    if not sig.signers and start > 0:
        sig = _signature_after_preamble(lines, start, kept) or sig
    cable.signers = sig.signers
    if blob.find("\nTEXT", 0, _TEXT_LABEL_WITHIN) >= 0:
        _unlabel_text(sig.lines)
    items = segment(sig.lines)
    paragraphs: list[Paragraph] = []
    repaired = 0
    for item in items:
        if item.kind == "xline":
            paragraphs.append(Paragraph(number=None, text=" ".join(item.lines)))
            continue
        text = join_stripped(item.lines)
        if not text and item.number is None and item.heading is None:
            continue
        text, k = repair_quotes(text)
        repaired += k
        paragraphs.append(
            Paragraph(number=item.number, portion=item.portion, heading=item.heading, text=text)
        )
    cable.paragraphs = paragraphs
    cable.summary = find_summary(paragraphs, heading_before=_preamble_ends_in_heading(lines, start))
    _check_numbering(items, st)
    if sig.truncated and paragraphs:
        st.warn("text.truncated", "the text ends mid-sentence and has no signature", "text")
    if repaired:
        st.warn(
            "text.quotes_repaired",
            f"{repaired} corrupted quote characters repaired (`,s` `&` `8`)",
            "text",
        )


def _preamble_ends_in_heading(lines: list[str], start: int) -> bool:
    """Whether the preamble's last line ends in a summary heading glued to it (a page that
    joined its lines: `SUBJECT: … Classified By: … (d) ------- Summary -------`)."""
    for k in range(min(start, len(lines)) - 1, max(0, start - 3) - 1, -1):
        line = lines[k]
        if line.strip():
            return ("ummary" in line or "UMMARY" in line) and ends_in_heading(line)
    return False


def _signature_after_preamble(lines: list[str], start: int, kept: list[str]) -> Signature | None:
    """The text was taken by the preamble (a paragraph glued to the Classified By line), so
    at most a name is left after it: read the signature with the preamble's last line as
    the text before it (`...(S) Ambassador telephoned ... Government. CRETZ`)."""
    content = [x for x in kept if x.strip()]
    if len(content) > 1:
        return None
    j = min(start, len(lines)) - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j < 0:
        return None
    if not content and j > 0:
        # the preamble took the name too (a REF block run on to the end): `… Jingaweit.` ⏎ `ROE`
        sig = take_signature(lines[j - 1 : j + 1])
        prev = lines[j - 1]
        notice = "Website" in prev or "http" in prev or "XXXX" in prev  # the web-site line
        if sig.signers and len(sig.lines) == 1 and (ends_sentence(prev) or notice):
            sig.lines = []
            return sig
    words = len(lines[j].split())
    # the end of a wrapped paragraph the preamble took (a REF block run on into the text)
    wrapped = ends_sentence(lines[j]) and j > 0 and bool(lines[j - 1].strip())
    if (
        words < _PROSE_WORDS
        and not (words >= 6 and ends_sentence(lines[j]))
        and not (wrapped and not _LABEL_LINE.match(lines[j]))
    ):
        return None  # not prose (a TAGS or SUBJECT line)
    sig = take_signature([lines[j], *kept])
    if not sig.signers:
        return None
    sig.lines = sig.lines[1:]  # the preamble line is not text
    return sig


_PROSE_WORDS = 12
_LABEL_LINE = re.compile(r"^\s*(?:SUBJ|TAGS?|REF|E\.?\s?O\.?|CLASSIFIED|DECL)", re.I)


# `TEXT.  1.  (C) …`: a DoD information report labels its first numbered paragraph, and its
# field comments (`COMMENTS:  1. (C/NF) FIELD COMMENTS. …`, numbered from 1 again).
_TEXT_LABEL_WITHIN = 2500  # characters: the label follows the report's header blocks
_TEXT_LABEL = re.compile(r"^\s*(?:TEXT|COMMENTS?)\s*[.:]\s+(?=\d{1,3}\.\s)")


def _unlabel_text(lines: list[str]) -> None:
    """Drop the `TEXT.` or `COMMENTS:` label before a paragraph number so the number starts
    the paragraph."""
    for k, x in enumerate(lines):
        if x[:1] in "TC" and (m := _TEXT_LABEL.match(x)) is not None:
            lines[k] = x[m.end() :]


def _wrapped(line: str) -> bool:
    """A text line whose sentence goes on on the next line (not blank, no sentence end, no
    page's `\\` line end)."""
    return bool(line.strip()) and not ends_sentence(line) and not line.rstrip().endswith("\\")


def _drop_sipdis(body: list[str], blob: str) -> list[str]:
    """The lines without standalone SIPDIS lines (any case); `blob` is them joined."""
    up = blob.upper()
    if "SIPDIS" not in up:
        return body
    if len(up) != len(blob):  # upper() changed the length: positions do not carry over
        lines = range(len(body))
    else:
        lines = []
        line = 0
        pos = 0
        at = up.find("SIPDIS")
        while at >= 0:
            line += up.count("\n", pos, at)
            pos = at
            lines.append(line)
            at = up.find("SIPDIS", at + 6)
    drop = set()
    glued: dict[int, str] = {}
    for k in lines:
        x = body[k]
        if _SIPDIS.match(x):
            drop.add(k)
            # the marker set off by a blank line inside a sentence (`… operation in` ⏎⏎
            # `SIPDIS` ⏎ `Ecuador.`): the blank line goes with it
            if (
                1 < k < len(body) - 1
                and not body[k - 1].strip()
                and _wrapped(body[k - 2])
                and body[k + 1].strip()
            ):
                drop.add(k - 1)
        elif x.startswith("SIPDIS ") and k > 0 and _wrapped(body[k - 1]):
            # the marker the SIPDIS tool put on a line of its own, glued to the wrapped
            # sentence's next line (`… he is a talented` ⏎ `SIPDIS and skillful leader`)
            glued[k] = x[7:].lstrip()
    if glued:
        body = list(body)
        for k, x in glued.items():
            body[k] = x
    elif not drop:
        return body
    return [x for k, x in enumerate(body) if k not in drop] if drop else body


def _check_numbering(items: list[Item], st: State) -> None:
    """Warn about gaps, duplicates and restarts in the paragraph numbering (never fixed)."""
    prev: int | None = None
    redacted = False
    for item in items:
        if item.kind == "xline":
            redacted = True
            continue
        n = item.number
        if n is None:
            continue
        where = f"paragraph:{n}"
        if prev is None:
            if n != 1:
                st.warn("text.paragraph_gap", f"numbering starts at {n}", where)
        elif n == prev:
            st.warn("text.paragraph_duplicate", f"paragraph {n} is numbered twice", where)
        elif n < prev:
            st.warn("text.paragraph_restart", f"paragraph {prev} is followed by {n}", where)
        elif n > prev + 1:
            note = "; a whole-line redaction stands in the gap" if redacted else ""
            st.warn("text.paragraph_gap", f"paragraph {prev} is followed by {n}{note}", where)
        prev = n
        redacted = False
