"""Numbered paragraphs, their portion marks and headings (FORMAT.md §4.9-4.10).

`segment(lines)` splits text lines into items: paragraphs (numbered or not, each with the
heading standing before it) and whole-line X redactions standing between paragraphs.
`join_lines` turns a paragraph's lines into its text per docs/record.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from cablebase.grammar.headings import DECORATION, decorated_heading, is_bare_heading
from cablebase.grammar.pages import ends_sentence
from cablebase.grammar.portion import normalize_portion

__all__ = [
    "Item",
    "segment",
    "join_lines",
    "join_stripped",
    "is_list_item",
    "LIST_ITEM",
    "unwrap_hyphens",
]

# `N.` at a line start, not `1.4`; tolerates `3.. (SBU)`, `1.(S)` and indentation.
NUMBERED = re.compile(r"^\s*(\d{1,3})\.(?!\d)\.?[ \t]*(.*)$")
# The mark before the number: `(C) 1. The Embassy ...` (some posts wrote it so).
_MARK_NUMBERED = re.compile(r"^\(\s*([^()]{1,40}?)\s*\)[ \t]*(\d{1,3})\.(?!\d)\.?[ \t]*(.*)$")
_MARK = re.compile(r"^\(\s*([^()]{1,40}?)\s*\)[.:]?[ \t]*")  # `(C):` too
# A mark after a leading label: `Summary: (C) ...`.
_LABEL_MARK = re.compile(
    r"^((?:(?:begin|executive|introduction|background)\s+(?:and\s+)?)?"
    r"(?:summary|comment|introduction|background)(?:\s+and\s+comment)?\s*[:.\-])[ \t]*"
    r"\(\s*([^()]{1,40}?)\s*\)[ \t]*",
    re.I,
)
_GLUED_HEADING = re.compile(r"^(\s*\S.{0,100}?-{3,})\s+(\d{1,3}\.(?!\d)\s*\(.*)$")
XLINE = re.compile(r"^\s*\[?[Xx]{4,}\]?[\s.]*$")
LIST_ITEM = re.compile(
    r"^\s*(?:-{1,2}(?!-)|- --|[o\u2022\u00b7]\s|\*(?!\*)|[A-Z]\.\s|\(\s*[a-zA-Z0-9]{1,3}\s*\)\s|"
    r"[a-z0-9]{1,2}\)\s)"
)
_DECO_CHARS = "-=_*~"
_DECO_SET = frozenset(_DECO_CHARS)
_UPPER_WORD = re.compile(r"\b[A-Z]{2,}\b")
_LOWER_WORD = re.compile(r"\b[a-z]{3,}\b")


@dataclass(slots=True)
class Item:
    kind: str  # "para" | "xline"
    number: int | None = None
    portion: str | None = None
    heading: str | None = None
    lines: list[str] = field(default_factory=list)
    line: int = 0  # index of its first line in the input


_LIST_START = frozenset("-o*(\u2022\u00b7")


def is_list_item(line: str) -> bool:
    s = line.lstrip()
    if not s:
        return False
    # cheap pre-test: a list item starts with a bullet or has `.`/`)` as 2nd or 3rd char
    if s[0] not in _LIST_START and s[1:2] not in (".", ")") and s[2:3] != ")":
        return False
    return LIST_ITEM.match(s) is not None


# ASCII case classes for body_case: upper, lower, other word character, non-word.
_CASE_MAP = str.maketrans(
    {
        c: "U"
        if "A" <= chr(c) <= "Z"
        else "l"
        if "a" <= chr(c) <= "z"
        else "w"
        if chr(c).isdigit() or chr(c) == "_"
        else " "
        for c in range(128)
    }
)
_UPPER_RUN = re.compile(r" UU+(?= )")  # `\b[A-Z]{2,}\b` on mapped ASCII text
_LOWER_RUN = re.compile(r" lll+(?= )")  # `\b[a-z]{3,}\b` on mapped ASCII text


def _count6(rx: re.Pattern[str], text: str) -> int:
    return sum(1 for _ in zip(range(6), rx.finditer(text), strict=False))


def body_case(lines: list[str]) -> tuple[bool, bool]:
    """(upper_body, lowered_body) judged on a sample of the text."""
    sample = " ".join(lines[:40])[:2500]
    # only "none or almost none" matters: counts are capped at 6
    if sample.isascii():
        # one translate + literal-prefix regexes: much faster than `\b`-led regexes
        mapped = " " + sample.translate(_CASE_MAP) + " "
        lowers = _count6(_LOWER_RUN, mapped)
        uppers = _count6(_UPPER_RUN, mapped)
    else:
        lowers = _count6(_LOWER_WORD, sample)
        uppers = _count6(_UPPER_WORD, sample)
    upper_body = lowers < 3 and uppers > 5
    lowered = uppers == 0 and lowers > 5
    return upper_body, lowered


_PORTIONS: dict[str, str | None] = {}  # the same few marks recur in every cable


def _portion(raw: str) -> str | None:
    try:
        return _PORTIONS[raw]
    except KeyError:
        mark = normalize_portion("(" + raw + ")")
        if len(_PORTIONS) < 4096:
            _PORTIONS[raw] = mark
        return mark


def _split_mark(rest: str, lowered: Callable[[], bool]) -> tuple[str | None, str]:
    """Split a leading portion mark off a paragraph's first line.  `lowered` is asked
    only when the mark has lower-case letters (it costs a look at the whole body)."""
    if not rest:
        return None, rest
    c0 = rest[0]
    if c0 == "(":
        m = _MARK.match(rest)
        if m is None:
            return None, rest
        raw = m.group(1)
        if raw.isupper() or not any(c.islower() for c in raw) or lowered():
            mark = _portion(raw)
            if mark is not None:
                return mark, rest[m.end() :]
        return None, rest
    if c0 not in _LABEL_START:
        return None, rest
    m = _LABEL_MARK.match(rest)
    if m:
        raw = m.group(2)
        if raw.isupper() or not any(c.islower() for c in raw) or lowered():
            mark = _portion(raw)
            if mark is not None:
                return mark, m.group(1) + " " + rest[m.end() :]
    return None, rest


_GLUED_QUICK = re.compile(r"---[^\S\n]+\d{1,3}\.(?!\d)[^\S\n]*\(")
_LABEL_START = frozenset("sScCiIbBeE")  # summary, comment, introduction, background, ...
# First characters of a line that needs more than "append to the paragraph": a number,
# decoration, a decorated heading, an X redaction.
_SPECIAL_START = frozenset("0123456789-=_*~/#Xx[(")
# The other ASCII characters: one test for the fast path (a line opening with any other
# character, a non-ASCII digit among them, takes the long way, which reads a plain line alike).
_PLAIN_START = frozenset(map(chr, range(0x80))) - _SPECIAL_START


def segment(lines: list[str]) -> list[Item]:
    """Split text lines into paragraph and whole-line-redaction items."""
    joined = "\n".join(lines)
    if "---" in joined and _GLUED_QUICK.search(joined):
        lines = _split_glued_headings(lines)
    items: list[Item] = []
    cur: Item | None = None
    heading: list[str] = []
    last_number = 0
    numbers: set[int] = set()  # the paragraph numbers read so far
    n = len(lines)
    ss = list(map(str.strip, lines))  # no bytecode per line
    case: tuple[bool, bool] | None = None

    def get_case() -> tuple[bool, bool]:
        nonlocal case
        if case is None:
            case = body_case(lines)
        return case

    def lowered() -> bool:
        return get_case()[1]

    def next_content(k: int) -> int:
        while k < n and (not ss[k] or DECORATION.match(ss[k])):
            k += 1
        return k

    pb = True  # the line before is blank, decoration, or the start
    ss.append("")  # sentinel: ss[i + 1] always exists
    nxt = ss[0]
    for i in range(n):
        s = nxt  # (each line is fetched once, as the line after the one before)
        nxt = ss[i + 1]
        if not s:
            if cur is not None:
                cur.lines.append("")
            pb = True
            continue
        c0 = s[0]
        # fast path: a wrapped text line inside a paragraph (the test of the next line for
        # decoration last: it is the dearest)
        if (
            not pb
            and c0 in _PLAIN_START
            and s[-1] not in "-=/"
            and (nxt[:1] not in _DECO_SET or DECORATION.match(nxt) is None)
        ):
            if cur is None:
                cur = Item(
                    "para", None, None, (_join_heading(heading) or None) if heading else None, [], i
                )
                heading = []
                items.append(cur)
            cur.lines.append(s)
            continue
        nxt_deco = nxt[:1] in _DECO_SET and DECORATION.match(nxt) is not None
        if c0 in _DECO_CHARS and DECORATION.match(s):
            pb = True
            continue
        prev_blank = pb
        pb = False
        sp = i
        numbered = NUMBERED.match(lines[sp]) if c0.isdigit() else None
        marked = None  # `(C) 1. text`: (mark, number, rest)
        if c0 == "(" and (mn := _MARK_NUMBERED.match(s)) is not None:
            raw = mn.group(1)
            if raw.isupper() or not any(c.islower() for c in raw) or lowered():
                mark = _portion(raw)
                if mark is not None:
                    marked = (mark, mn.group(2), mn.group(3))
        xline = c0 in "Xx[" and XLINE.match(s) is not None
        # -- headings -----------------------------------------------------------
        if numbered is None and marked is None and not xline:
            h = decorated_heading(s) if (c0 in "/-#" or s[-1] in "-=/") else None
            if (
                h is None
                and nxt_deco
                and len(s) <= 100
                and not is_list_item(s)
                and (cur is None or prev_blank or ends_sentence(ss[sp - 1]))
            ):
                h = s
            if (
                h is None
                and prev_blank
                and len(s) <= 90  # is_bare_heading's own cheap tests first
                and s[-1] not in ".,;"
                and (not nxt or nxt_deco or nxt[0].isdigit())
            ):
                k = next_content(sp + 1)
                follows_para = k < n and NUMBERED.match(lines[k]) is not None
                nxt_blank = not nxt or nxt_deco
                if (
                    (nxt_blank or follows_para)
                    and not is_list_item(s)
                    and is_bare_heading(s, upper_body=get_case()[0])
                    and (
                        follows_para
                        or (not get_case()[0] and not any(c.islower() for c in s) and k < n)
                    )
                ):
                    h = s
            if h is not None:
                cur = None
                heading.append(h.rstrip(":").strip())
                continue
        # -- whole-line redaction standing alone ---------------------------------
        if xline and prev_blank:
            nxt_ok = not nxt or NUMBERED.match(nxt) or XLINE.match(nxt)
            if nxt_ok:
                cur = None
                items.append(Item(kind="xline", lines=[s], line=sp))
                continue
        # -- numbered paragraph -------------------------------------------------
        if numbered is not None or marked is not None:
            number = int(numbered.group(1) if numbered is not None else marked[1])
            # a wrapped line starting with a number (`...by` / `10. percent`) is text
            continuation = (
                cur is not None
                and number != last_number + 1
                and (
                    not ends_sentence(ss[sp - 1])
                    if not prev_blank
                    else _name_number_break(number, last_number, numbers, cur.lines)
                )
            )
            if continuation and prev_blank and cur is not None:
                while cur.lines and not cur.lines[-1]:  # the page's break, not the cable's
                    cur.lines.pop()
            if not continuation and number > 0:
                if numbered is not None:
                    portion, rest = _split_mark(numbered.group(2), lowered)
                else:
                    portion, rest = marked[0], marked[2]
                rest = rest.strip()
                # (positional: half the cost of the keywords; the order is Item's fields')
                cur = Item(
                    "para",
                    number,
                    portion,
                    (_join_heading(heading) or None) if heading else None,
                    [rest] if rest else [],
                    sp,
                )
                heading = []
                items.append(cur)
                last_number = number
                numbers.add(number)
                continue
        # -- text line ----------------------------------------------------------------
        if cur is None:
            cur = Item(
                "para", None, None, (_join_heading(heading) or None) if heading else None, [], sp
            )
            heading = []
            items.append(cur)
        cur.lines.append(s)
    if heading:
        items.append(Item(kind="para", heading=_join_heading(heading), line=n))
    return items


def _name_number_break(number: int, last_number: int, numbers: set[int], lines: list[str]) -> bool:
    """After a blank line, is `N.` the number of a name cut off mid-sentence?  A page set a
    `¶` break before the number of a name at a line start (`... the Samarah Ahmed and
    Momtaz` ⏎⏎ `1. He said ...`, `beyond the E3 or E3` ⏎⏎ `1. The minority ...` for `E3+1`).
    Only a number going back that resumes no numbering before it (a `2.` after a list
    `1.`-`12.` inside ¶1 resumes ¶1), after a line of running text (long, mixed case, no
    table columns) ending in a name (`Momtaz`, `E3`: not a title's capitals, not a comma)."""
    if number > last_number or number - 1 in numbers:
        return False
    last = next((line for line in reversed(lines) if line), "")
    if len(last) < 60 or not last[-1].isalnum() or "   " in last:
        return False
    word = last[last.rfind(" ") + 1 :]
    if not word[0].isupper() or (word.isalpha() and word.isupper()):
        return False
    return _LOWER_WORD.search(last) is not None


def _join_heading(pieces: list[str]) -> str:
    """The heading lines standing before a paragraph, joined.  A `Summary:` label set under a
    section's title (a media reaction's `Mideast:` ⏎ `Summary:`) stays a label after it
    (`Mideast: Summary`), so the summary reader sees the section's summary heading."""
    if len(pieces) > 1 and pieces[-1].lower() == "summary":
        return " ".join(pieces[:-1]) + ": " + pieces[-1]
    return " ".join(pieces)


def _split_glued_headings(lines: list[str]) -> list[str]:
    """Unwrapped bodies glue a heading, its underline and the next paragraph on one line
    (`------- SUMMARY ------- 1. (SBU) MFA ...`): split the paragraph off."""
    out: list[str] | None = None
    for k, line in enumerate(lines):
        if "---" in line and _GLUED_QUICK.search(line):
            m = _GLUED_HEADING.match(line)
            if m is not None:
                if out is None:
                    out = lines[:k]
                out.extend((m.group(1), m.group(2)))
                continue
        if out is not None:
            out.append(line)
    return lines if out is None else out


# A newline before a line that may start a list item: LIST_ITEM after a newline.  (Its `\s`
# may see the next newline, a harmless false alarm: the careful loop decides.)
# Each branch starts with one character or class, so the engine drops a branch at its first
# character without entering it (this is tried after every line break of every paragraph):
# `-(?!--)` is `-{1,2}(?!-)|- --`, `[a-z0-9][a-z0-9]?` is `[a-z0-9]{1,2}`.
_LIST_ITEM_AFTER_NL = (
    r"-(?!--)|[o\u2022\u00b7]\s|\*(?!\*)|[A-Z]\.\s|\(\s*[a-zA-Z0-9]{1,3}\s*\)\s|"
    r"[a-z0-9][a-z0-9]?\)\s"
)
_LIST_NL = re.compile(rf"\n(?:{_LIST_ITEM_AFTER_NL})")
# Any line break that is more than a space between words: after a hyphen, before a blank line
# or a list item.  Most paragraphs have none: one scan instead of three.
_SPECIAL_NL = re.compile(rf"\n(?:\n|{_LIST_ITEM_AFTER_NL}|(?<=-\n))")


_BLANK_RUN = re.compile(r"\n\n+")
# A line ending in a word's hyphen (`non-` ⏎ `compliant`, `U.S.-` ⏎ `Russian`) goes on without a
# space: the hyphen is the word's own.  A dash (` -`, `--`) keeps its space, and so does a
# hyphen left hanging before `and`/`or` (`pro-` ⏎ `and anti-American`).
_HANGING = re.compile(r"(?:and|or|nor|to)\b")


def _word_hyphen(before: str, after: str) -> bool:
    """`before` ends just before a line-end hyphen and `after` starts the next line: is the
    hyphen a word's own?"""
    if not after[:1].isalnum():
        return False
    a = before[-1:]
    if not (a.isalnum() or (a == "." and before[-2:-1].isupper())):
        return False
    return _HANGING.match(after) is None


def unwrap_hyphens(text: str) -> str:
    """`text` with each line break after a word's hyphen removed (found by a literal search:
    this runs on every paragraph)."""
    at = text.find("-\n")
    if at < 0:
        return text
    out: list[str] = []
    start = 0
    while at >= 0:
        # (one character each side first: rules `----` and dashes ` -` end most such lines)
        c = text[at - 1 : at]
        if (
            (c.isalnum() or c == ".")
            and text[at + 2 : at + 3].isalnum()
            and _word_hyphen(text[max(start, at - 2) : at], text[at + 2 : at + 6])
        ):
            out.append(text[start : at + 1])  # keep the hyphen, drop the line break
            start = at + 2
        at = text.find("-\n", at + 2)
    if not out:
        return text
    out.append(text[start:])
    return "".join(out)


def join_lines(lines: list[str]) -> str:
    """Paragraph text from its lines: wrapped lines joined with one space, a blank line
    kept as `\\n\\n` (unless a lower-case continuation follows a mid-sentence break), a
    list item starting a new line."""
    return join_stripped(list(map(str.strip, lines)))


def join_stripped(lines: list[str]) -> str:
    """join_lines for lines already stripped (as segment() leaves them)."""
    if len(lines) == 1:
        return lines[0]
    text = "\n".join(lines).strip("\n")
    if _SPECIAL_NL.search(text) is None:
        return text.replace("\n", " ")
    if "-\n" in text:  # (tested here: a call per paragraph costs)
        joined = unwrap_hyphens(text)
        if joined is not text:  # lines joined at a word's hyphen: the list path sees them so
            text = joined
            lines = text.split("\n")
    if _LIST_NL.search(text) is None:
        # no list item: wrapped lines joined, blocks kept apart by their blank lines
        if "\n\n" not in text:
            return text.replace("\n", " ")
        blocks = _BLANK_RUN.split(text)
        out = [blocks[0].replace("\n", " ")]
        for k in range(1, len(blocks)):
            before, block = blocks[k - 1], blocks[k]
            # a spurious break inside a sentence
            glued = block[0].islower() and not ends_sentence(before[before.rfind("\n") + 1 :])
            out.append((" " if glued else "\n\n") + block.replace("\n", " "))
        return "".join(out)
    parts: list[str] = []
    blank = False
    in_list = False
    prev = ""
    for raw in lines:
        s = raw.strip()
        if not s:
            blank = bool(parts)
            continue
        # is_list_item(s) inline (s is stripped): this loop runs for every line of the paragraph
        item = (s[0] in _LIST_START or s[1:2] in (".", ")") or s[2:3] == ")") and LIST_ITEM.match(
            s
        ) is not None
        if not parts:
            parts.append(s)
        elif blank:
            if s[0].islower() and not ends_sentence(prev):
                parts.append(" " + s)  # a spurious break inside a sentence
            else:
                parts.append("\n\n" + s)
                in_list = False
        elif item and not _dash_clause(s, prev, in_list):
            parts.append("\n" + s)
            in_list = True
        else:
            parts.append(" " + s)
        if item and blank:
            in_list = True
        blank = False
        prev = s
    return "".join(parts)


def _dash_clause(s: str, prev: str, in_list: bool) -> bool:
    """`-- rare among ...` continuing a sentence is a dash clause, not a bullet."""
    if in_list or not s.startswith("--"):
        return False
    body = s.lstrip("- ")
    return bool(body) and body[0].islower() and not ends_sentence(prev) and not prev.endswith(":")
