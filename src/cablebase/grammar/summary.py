"""The cable summary (FORMAT.md §4.10, docs/record.md `summary`).

Found, in this order:

1. an inline label at the start of an early paragraph (`Summary:`, `SUMMARY.`, `(sbu) Summary:`,
   `Summary/Comment:`, `Summary and Action Request.`, `BEGIN SUMMARY`), or after a paragraph
   number and mark glued into an early paragraph (`… in Paragraphs 4 and 10.  1. (C) SUMMARY:`),
   or after the paragraph's opening sentence (`This is an action request.  Summary: …`),
   up to `End Summary` (which may stand a few paragraphs later) or the end of that paragraph;
2. the paragraph(s) under a SUMMARY heading (`SUMMARY`, `------- SUMMARY -------`,
   `Summary =======`, `INTRODUCTION AND SUMMARY`, `Introduction, Summary and Action Request`,
   `SUMMARY/BACKGROUND`), also a heading that became a paragraph of its own or was run onto
   the end of the paragraph before it (`… WELCOMED.` ⏎⏎ `BEGIN SUMMARY`), up to `END SUMMARY`
   or the next heading; a report's `I. Summary` section inside an early paragraph, its heading
   run onto its text, up to section `II.`;
3. an early paragraph marked only by its closing `END SUMMARY`: its text before the marker.

The label, the heading and the `End Summary` marker are not part of the text.
"""

from __future__ import annotations

import re

from cablebase.grammar.pages import ends_sentence
from cablebase.grammar.paragraphs import NUMBERED, is_list_item
from cablebase.grammar.portion import split_portion
from cablebase.record import Paragraph

__all__ = ["ends_in_heading", "find_summary", "opens_with_label"]

# What may stand before the label: a paragraph number written oddly (`1,` `1)`, `1-`, `l.`), a portion
# mark the paragraph reader left (`(c)`, `(S/NF)`, `(sbu)`), and the label's own parenthesis or
# bracket (`[Summary]` … `[End summary]`).
_LEAD = (
    r"^[\s.]*(?:(?:\d{1,3}|l(?=\.))\s*(?:[.,)]|-{1,2})\s*|\(\d{1,3}\)\s*)?"
    r"(?:\(\s*[A-Za-z/ ]{1,12}[)>]\s*)?[(\[]?"
)
_AND = r"(?:\s+and\s+|\s*&\s*)"  # `Summary and Comment`, `Summary & Comment`
_WORDS = r"(?:comment|action\s+request|recommendations?|introduction|background|conclusions?)s?"
_LABEL = re.compile(
    _LEAD
    + r"(?:(?:introduction|executive|background|action)\s*(?:and\s+|/\s*|,\s*)?)?(?:begin\s+)?summary"
    r"(?:" + _AND + _WORDS + r"|\s*/\s*[a-z]+(?:\s+[a-z]+)?)?"
    r"\s*(?:[:;.,\-]+\]?|[)\]]|\s(?=(?-i:[A-Z(])))\s*(?:\(\s*[A-Za-z/ ]{1,12}\)\s*)?",
    re.I,
)
# A label after a paragraph number and mark glued into the text of an early paragraph.
_GLUED_LABEL = re.compile(
    r"(?<=[.!?:]\s)\s*\d{1,3}\.\s*\(\s*[A-Za-z/ ]{1,12}\)\s*summary(?:" + _AND + _WORDS + r")?"
    r"\s*[:.\-]+\s*",
    re.I,
)
# A label after the paragraph's first sentence(s) (`BEGIN TEXT.  SUMMARY:  …`, `This is an
# action request.  Summary: …`) on the same line (a block's first line is a heading's
# place): a colon, or `BEGIN`, tells it from the word in prose.
_SENTENCE_LABEL = re.compile(
    r"(?<=[.!?][ \t])[ \t]*(?:begin\s+summary\s*[:.\-]*|summary(?:" + _AND + _WORDS + r")?\s*:)"
    r"\s*(?:\(\s*[A-Za-z/ ]{1,12}\)\s*)?",
    re.I,
)
# `End Summary`, and the closing of a summary that ends in its comment (`End comment and
# summary.`, `END COMMENT/SUMMARY`) or of a heading's list (`End Introduction, Summary, and …`).
_END = re.compile(
    r"[(\[]?\s*\bend\s+(?:of\s+)?(?:(?:introduction|executive|comment)\s*(?:/|,|and\s)?\s*)?summary\b"
    r"\s*[.:;]*\s*[)\]]?\.?",
    re.I,
)
# The marker's words on lower-cased text; led by a literal so the engine skips ahead fast.
_END_WORDS = re.compile(
    r"end\s+(?:of\s+)?(?:(?:introduction|executive|comment)\s*(?:/|,|and\s)?\s*)?summary"
)
# A summary heading, decoration stripped.
_HEADING = re.compile(
    r"^(?:[IVX]{1,4}\.\s*)?(?:(?:introduction|executive|background),?\s+(?:and\s+)?|begin\s+)?"
    r"summary(?:\s*(?:/|,|\band\b)\s*[a-z]+(?:[\s,]+[a-z]+){0,3})?(?:\s*:\s*\S.{0,60})?$",
    re.I,
)
# A heading run onto the line before it: after a sentence end or a handling caveat.
_RUN_ON_HEADING = re.compile(r"(?:[.!?]|\bACCORDINGLY)[\s\-=\\]*(summary(?:\s*/\s*[a-z]+)?)$", re.I)
# The same at the end of a paragraph's text (`… cleared this cable. ------- SUMMARY -------`).
_TAIL_HEADING = re.compile(
    r"(?:^|[.!?:]\s|\n)[\s\-=\\]*((?:begin\s+)?summary(?:\s*/\s*[a-z]+)?)[\s\-=\\]*$", re.I
)
_DECOR = " \t\n-=_*~\\/.:#"
_EARLY = 6  # the label stands in one of the first paragraphs
_NUMBERED_EARLY = 40  # … or in one numbered as one of them, after a numbered list
_SPAN = 8  # how far `End Summary` may stand from the label
_BLOCKED = 3  # an unsplit paragraph holding the summary among its blocks is one of the first


def find_summary(paragraphs: list[Paragraph], *, heading_before: bool = False) -> str | None:
    """The summary text, or None.  `heading_before`: the line before the first paragraph
    ended in a summary heading (glued to the preamble's last line)."""
    text = _find(paragraphs)
    if not text and heading_before and paragraphs:
        text = _collect(paragraphs, 0, paragraphs[0].text, by_heading=True)
    if text and text.rstrip()[-1:] in _RULE_CHARS:
        text = _without_glued_heading(text)
    if text and text[-1] not in _SENTENCE_END_CHARS:
        text = _without_title_line(text)
    if text and ("omment" in text[-16:] or "OMMENT" in text[-16:]):
        text = _without_stray_end_comment(text)
    if text and text[0] == "(":
        text = _without_lead_mark(text)
    if text and text[-1] not in ".!?\"'\u201d" and ")" in text[-130:]:
        m = _GLUED_TITLE.search(text)
        if m is not None:
            text = text[: m.start()]  # the next section's title glued on by the page
    return text or None


# A portion-marked section title glued to the end of the summary's paragraph (`… John
# Duncan. (SBU) Meeting with Brazil's Ambassador (7 May)`): no sentence end after it.
_GLUED_TITLE = re.compile(
    r"(?<=[.!?\"'\u201d])\s+\((?:U|SBU|C|S)(?:/[A-Z]+)?\)\s+[A-Z][^.!?]{3,120}$"
)


# A paragraph number in brackets before a portion mark (`(1) (C) The …`), and an empty mark.
_BRACKET_NUMBER = re.compile(r"\(\d{1,3}\)\s*(?=\()")
_EMPTY_MARK = re.compile(r"\(\s*\)\s*")


def _without_lead_mark(text: str) -> str:
    """The summary without the portion mark the paragraph reader left at its start (`(c) The
    May 15 visit …`, `(S//REL China) We have …`, `()  Summary:  …`), and the summary label
    after it (`(C/REL NATO and AUS) Summary: Chora …`)."""
    rest = _BRACKET_NUMBER.sub("", text, count=1)
    m = _EMPTY_MARK.match(rest)
    if m is not None:
        rest = rest[m.end() :]
    else:
        portion, rest = split_portion(rest)
        if portion is None:
            return text
    label = _LABEL.match(rest)
    if label is not None and label.end() < len(rest):
        rest = rest[label.end() :]
    return rest.strip() or text


# `End comment.` closing a summary that opened no comment (`… in politics. End comment.`):
# the writer's closing marker for the summary, no part of its text.
_STRAY_END_COMMENT = re.compile(r"\s*[(\[]?\bend\s+comment\W*$", re.I)


def _without_stray_end_comment(text: str) -> str:
    m = _STRAY_END_COMMENT.search(text)
    if m is None or "comment" in text[: m.start()].lower():
        return text
    return text[: m.start()].rstrip()


# A decorated heading glued to the end of the summary's paragraph by a page that joined its
# lines (`… the talks. ------ Training ------`, `… Yemen. AL MINISTERIAL --------`, `… reforms.
# ------ -------- Disputed Russian Wheat Import Stokes Political Debate ------ --------`): the
# next section's title, not the summary's.
_RULE_CHARS = frozenset("-=_*~")
_TRAILING_RULES = re.compile(r"\s*[-=_*~]{3,}(?:\s+[-=_*~]+)*\s*$")  # (`------ -`: wrapped)
_RULE_RUN = re.compile(r"[-=_*~]{3,}")
_TITLE_AFTER_SENTENCE = re.compile(r"[.!?\"')\u201d]\s+([A-Z(][^\n]{0,80})$")
_SENTENCE_END_CHARS = ".!?\"')\u201d"


def _without_glued_heading(text: str) -> str:
    m = _TRAILING_RULES.search(text, max(0, len(text) - 300))
    if m is None:
        return text
    head = text[: m.start()]
    runs = list(_RULE_RUN.finditer(head, max(0, len(head) - 100)))
    if runs:  # a rule before the title: the text ends before it (and the rules before it)
        before = _TRAILING_RULES.sub("", head[: runs[-1].start()]).rstrip()
    else:  # the page lost the rule before the title: the title follows the last sentence
        title = _TITLE_AFTER_SENTENCE.search(head, max(0, len(head) - 120))
        before = head[: title.start(1)].rstrip() if title is not None else head.rstrip()
    if not before or before[-1] not in _SENTENCE_END_CHARS:
        return text
    return before


# An upper-case section title after the last sentence of a mixed-case summary (`… in the
# world.` ⏎ `U.S. SAUDI RELATIONS`): the next section's heading, left in the points' last block
# (a redaction, `XXXXXXXXXXXX`, is the summary's own text).
_TITLE_LINE = re.compile(r"(?<=[.!?\"')\u201d])\s+(?![X\s]+$)[A-Z][A-Z0-9 .,'/&:()-]{2,60}$")


def _without_title_line(text: str) -> str:
    m = _TITLE_LINE.search(text, max(0, len(text) - 80))
    if m is None:
        return text
    before = text[: m.start()].rstrip()
    if not before or before[-1] not in _SENTENCE_END_CHARS or not _HAS_LOWER.search(before[-200:]):
        return text
    return before


_HAS_LOWER = re.compile(r"[a-z]{3}")


def ends_in_heading(line: str) -> bool:
    """Whether a line ends in a decorated summary heading (`… (d) ------- Summary -------`)."""
    return _DECORATED_TAIL.search(line[-60:]) is not None


_DECORATED_TAIL = re.compile(r"\s[-=]{3,}\s*summary\s*[-=]{3,}\s*$", re.I)


def _find(paragraphs: list[Paragraph]) -> str | None:
    early = paragraphs[:_EARLY]
    mentioned = False  # an early paragraph names a summary without a label (a contents list)
    for k, p in enumerate(early):
        head = p.text[:400]
        if "ummary" in head or "UMMARY" in head:  # cheap test: the label is near the start
            text = _labelled(paragraphs, k)
            if text:
                return text
            mentioned = True
        if (
            k < _BLOCKED
            and (p.number is None or (p.number <= 2 and "\n\n" in p.text))
            and ("ummary" in p.text or "UMMARY" in p.text)
        ):
            text = _block_labelled(p.text)
            if text:
                return text
        if k < _BLOCKED and "Summary" in p.text:
            text = _section_one(p.text)
            if text:
                return text
    if mentioned and len(paragraphs) > _EARLY:
        # a paragraph numbered as an early one after a numbered table of contents
        for k in range(_EARLY, min(len(paragraphs), _NUMBERED_EARLY)):
            p = paragraphs[k]
            if p.number is not None and p.number <= _EARLY and "ummary" in p.text[:400].lower():
                text = _labelled(paragraphs, k)
                if text:
                    return text
    for k, p in enumerate(paragraphs):
        if p.heading and _is_heading(p.heading):
            text = _collect(paragraphs, k, _LABEL.sub("", p.text, count=1), by_heading=True)
            if text:
                return text
    for k, p in enumerate(early):
        # a heading that became a paragraph, or was run onto the end of one
        tail = p.text[-80:]
        if "ummary" not in tail and "UMMARY" not in tail:
            continue
        if _is_heading(p.text) or _TAIL_HEADING.search(tail):
            text = (
                _collect(paragraphs, k + 1, paragraphs[k + 1].text, by_heading=True)
                if (k + 1 < len(paragraphs))
                else ""
            )
            if text:
                return text
    text = _introduction(paragraphs)
    if text:
        return text
    text = _key_points(paragraphs)
    if text:
        return text
    for p in early[:3]:
        if "ummary" not in p.text and "UMMARY" not in p.text:
            continue
        end = _find_end(p.text)
        if end is not None:
            text = p.text[: end.start()].strip()
            if text:
                return text
    return None


# `Introduction:` opening one of the first paragraphs, its run closed by `End Summary`: the
# writer's summary under another label (read only when the closing is there).
_INTRO_LABEL = re.compile(_LEAD + r"introduction\s*:\s*", re.I)


def _introduction(paragraphs: list[Paragraph]) -> str | None:
    for k, p in enumerate(paragraphs[:3]):
        head = p.text[:40]
        if "ntroduction" not in head and "NTRODUCTION" not in head:
            continue
        m = _INTRO_LABEL.match(p.text)
        if m is None:
            continue
        first = p.text[m.end() :]
        end = _find_end(first)
        if end is not None:
            return first[: end.start()].strip() or None
        return _to_end_marker(paragraphs, k, [first.strip()])
    return None


# `Key Points` (or `Key Issues`) opening the first paragraph: the points that stand for the
# summary in the cables that use them (`1.(C) Key Points: -- … -- …`, `1. KEY POINTS` ⏎⏎ `-- (C)
# …`), up to `End key points` or the end of its list.  The label (and its stop, or the line end
# after it) is left out, the first point's dash kept; a lead-in sentence (`Key points at the
# June 7 MFA Press Conference were:`) is the summary's first words.
_KEY_POINTS = re.compile(_LEAD + r"key\s+(?:points|issues)\b", re.I)
_KEY_POINTS_STOP = re.compile(r"[ \t]*(?:[:.;]+\s*|\n\s*)|[ \t]+(?=[A-Z(\-\u2013\u2014])")
_END_KEY_POINTS = re.compile(r"\s*[(\[]?\bend\s+(?:of\s+)?key\s+(?:points|issues)\b.*", re.I | re.S)


def _key_points(paragraphs: list[Paragraph]) -> str | None:
    p = paragraphs[0] if paragraphs else None
    if p is None or (p.number or 1) != 1 or p.heading:
        return None
    head = p.text[:40]
    if "ey" not in head and "EY" not in head:
        return None
    m = _KEY_POINTS.match(p.text)
    if m is None:
        return None
    stop = _KEY_POINTS_STOP.match(p.text, m.end())
    text = p.text[stop.end() :] if stop is not None else p.text[m.start() :]
    text = _END_KEY_POINTS.sub("", text)
    end = _find_end(text)  # (`… piracy. End Summary.`: the points closed as a summary)
    if end is not None:
        text = text[: end.start()]
    blocks = text.strip().split("\n\n")
    kept = [blocks[0].strip()]
    for block in blocks[1:]:
        if not is_list_item(block.lstrip()):
            break  # the points' list ends; what follows is the text's own
        kept.append(block.strip())
    return "\n\n".join(x for x in kept if x) or None


# A line that opens with a summary label and its stop (`Summary:`, `(SBU) Summary/Comment:`,
# `SUMMARY AND COMMENT.`): the text's first words, never a caption.
_OPENING_LABEL = re.compile(
    r"^\(?\s*(?:\(\s*[A-Za-z/ ]{1,12}\)\s*)?summary"
    rf"(?:\s*/\s*[a-z]+|{_AND}{_WORDS})?\s*[:.]\s*\S",
    re.I,
)


def opens_with_label(line: str) -> bool:
    """Whether a line opens with a summary label (`Summary/Comment: The …`)."""
    return _OPENING_LABEL.match(line) is not None


def is_summary_heading(line: str) -> bool:
    """Whether a line is a summary heading (`SUMMARY`, `------- SUMMARY -------`, `Summary
    and Comment`): other rules must not take it for text (preamble: a SUBJECT's last word)."""
    return _is_heading(line)


def _is_heading(heading: str) -> bool:
    h = heading.strip(_DECOR)
    if len(h) > 80 or "ummary" not in h.lower():
        return False
    return bool(_HEADING.match(h) or _RUN_ON_HEADING.search(h) or _SECTION_SUMMARY.search(h))


# A section's summary label kept after its title by the paragraph reader (`Mideast: Summary`).
_SECTION_SUMMARY = re.compile(r"\S: Summary$", re.I)


def _collect(paragraphs: list[Paragraph], k: int, first: str, *, by_heading: bool = False) -> str:
    end = _find_end(first)
    if end is not None:
        return first[: end.start()].strip()
    if "\n\n" in first.strip():
        # paragraphs the reader did not split (`(1) (SBU) Summary: …` ⏎⏎ `(2) (SBU) …`)
        blocks = first.strip().split("\n\n")
        if by_heading and _blocks_to_heading(paragraphs, k, blocks):
            return first.strip()
        head = _lead_and_list(blocks)
        if head.count("\n\n") + 1 < len(blocks):
            return head
        # the paragraph is a lead-in and its list: the summary may go on to its end marker
        return _to_end_marker(paragraphs, k, [head]) or head
    parts = [first.strip()]
    for p in paragraphs[k + 1 : k + 1 + _SPAN]:
        if p.heading and not _is_heading(p.heading):
            # under a heading, the summary runs to the next heading
            return parts[0] if not by_heading else "\n\n".join(x for x in parts if x)
        end = _find_end(p.text)
        if end is not None:
            parts.append(p.text[: end.start()].strip())
            return "\n\n".join(x for x in parts if x)
        parts.append(p.text.strip())
    return parts[0]  # no end marker and no heading after it: the first paragraph alone


def _blocks_to_heading(paragraphs: list[Paragraph], k: int, blocks: list[str]) -> bool:
    """Unnumbered blocks under a summary heading that the next heading ends (a media
    reaction's `Summary:` quotes before its `Block Quotes:`): all of them are the summary."""
    return (
        paragraphs[k].number is None
        and len(blocks) <= _SPAN
        and k + 1 < len(paragraphs)
        and paragraphs[k + 1].heading is not None
        and not any(NUMBERED.match(b) for b in blocks[1:])
    )


def _to_end_marker(paragraphs: list[Paragraph], k: int, parts: list[str]) -> str | None:
    """`parts` and the paragraphs after paragraph k up to an `End Summary` among the next
    few, or None when a heading or none comes first."""
    for p in paragraphs[k + 1 : k + 1 + _SPAN]:
        if p.heading and not _is_heading(p.heading):
            return None
        end = _find_end(p.text)
        if end is not None:
            return "\n\n".join(x for x in [*parts, p.text[: end.start()].strip()] if x)
        parts = [*parts, p.text.strip()]
    return None


def _lead_and_list(blocks: list[str]) -> str:
    """The first block, with the list it announces (`… developments of interest:` ⏎⏎ `--MOL
    to Consult …` ⏎ `--Rules Proposed …`): the list items are the summary's own text."""
    head = blocks[0].strip()
    if not head.endswith(":"):
        return head
    kept = [head]
    for block in blocks[1:]:
        if not is_list_item(block.lstrip()) and (len(kept) == 1 or ends_sentence(kept[-1])):
            break  # (an item cut mid-sentence by a stray blank line goes on in the block)
        kept.append(block.strip())
    return "\n\n".join(kept)


def _labelled(paragraphs: list[Paragraph], k: int) -> str | None:
    """The summary under an inline label at the start of paragraph k, or None."""
    text = paragraphs[k].text
    m = _LABEL.match(text)
    if m is None:
        m = _GLUED_LABEL.search(text, 0, 400)
    if m is None:
        m = _SENTENCE_LABEL.search(text, 0, 300)
    if m is None:
        return None
    return _collect(paragraphs, k, text[m.end() :]) or None


# A labelled block: `SUMMARY: (C) …`, `I. SUMMARY: …` (a report's first section), `C.  (SBU)
# SUMMARY: …` (a lettered incident report); `SUMMARY CASE FILE` is a title, not a label.
_BLOCK_LABEL = re.compile(
    r"(?:[IVX]{1,4}\.\s*|[A-Z][.,]\s+)?(?:\(\s*[A-Za-z/ ]{1,12}\)\s*)?summary\s*[:.]\s*"
    r"(?:\(\s*[A-Za-z/ ]{1,12}\)\s*)?",
    re.I,
)


def _block_labelled(text: str) -> str | None:
    """The summary in the blocks (split at blank lines) of an early paragraph the reader did
    not split: a DoD information report's header (`DOI: …` ⏎⏎ `SUMMARY: (C) …` ⏎⏎ `TEXT. 1.`),
    a report section (`I. SUMMARY: In 2004 …`, or `I. Summary` ⏎⏎ its first block)."""
    blocks = text.split("\n\n")
    for k, block in enumerate(blocks):
        b = block.strip()
        if "ummary" not in b[:40] and "UMMARY" not in b[:40]:
            continue
        m = _BLOCK_LABEL.match(b)
        if m is not None and b[m.end() :].strip():
            rest = b[m.end() :]
        elif k > 0 and k + 1 < len(blocks) and _is_heading(b):
            rest = "\n\n".join(blocks[k + 1 :])
            end = _find_end(rest)
            rest = rest[: end.start()] if end is not None else _to_next_heading(blocks[k + 1 :])
        else:
            continue
        end = _find_end(rest)
        return (rest[: end.start()] if end is not None else rest).strip() or None
    return None


# A report's first section whose heading line the unwrapper ran onto its text (`I. Summary` ⏎
# `Costa Rica continues …` → `I. Summary Costa Rica continues …`): mixed case tells the
# heading from a title (`I. Summary of Significant Events`).
_SECTION_ONE = re.compile(r"I\.[ \t]+Summary[ \t]*[-:.]*[ \t]*(?=[A-Z][a-z'])")
# The second section's heading, on a line or a block of its own or run on after a sentence.
_SECTION_TWO = re.compile(r"(?:(?<=[.!?\"')])[ \t]+|\n[ \t]*)II\.[ \t]+(?=[A-Z])")


def _section_one(text: str) -> str | None:
    """The text of a report's `I. Summary` section run onto its heading (an INCSR chapter),
    up to `End Summary` or section II, or its first block when neither follows."""
    m = _SECTION_ONE.search(text)  # literal-led; the line start is checked after
    while m is not None and text[text.rfind("\n", 0, m.start()) + 1 : m.start()].strip(" \t"):
        m = _SECTION_ONE.search(text, m.end())
    if m is None:
        return None
    rest = text[m.end() :]
    end = _find_end(rest) or _SECTION_TWO.search(rest)
    rest = rest[: end.start()] if end is not None else _to_next_heading(rest.split("\n\n"))
    return rest.strip() or None


# The next section's heading among the blocks (`II. Status of Country`, `LAW ENFORCEMENT`).
_BLOCK_HEADING = re.compile(r"^(?:[IVX]{1,4}\.\s+\S.{0,70}|[A-Z][A-Z ,&/-]{2,70})$")


def _to_next_heading(blocks: list[str]) -> str:
    """The blocks up to the next section heading; the first block alone when none follows."""
    for j, block in enumerate(blocks[:_SPAN]):
        b = block.strip()
        if j and _BLOCK_HEADING.match(b) and not ends_sentence(b):
            return "\n\n".join(x.strip() for x in blocks[:j])
    return blocks[0]


def _find_end(text: str) -> re.Match[str] | None:
    """_END.search(text), fast: a literal-led search on the lower-cased text finds the
    marker's words, then _END is matched from the white space and `(` before them."""
    low = text.lower()
    if "summary" not in low:
        return None
    if len(low) != len(text):
        return _END.search(text)
    hit = _END_WORDS.search(low)
    while hit is not None and hit.start() > 0 and low[hit.start() - 1].isalnum():
        hit = _END_WORDS.search(low, hit.start() + 3)  # `spend summary`: not the word
    if hit is None:
        return None
    pos = hit.start()
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    if pos > 0 and text[pos - 1] in "([":
        pos -= 1
    return _END.search(text, pos)
