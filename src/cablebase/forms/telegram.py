"""Raw telegram text: transmission header lines, an optional blank line, the body.

ACP-127 framing is honoured when present: the text between the first ``BT`` line
and the next ``BT`` (or ``NNNN``) is the body, and the ``BT``/``NNNN`` lines
themselves are dropped.  Without ``BT`` the header is the run of header-looking
lines at the top (FORMAT.md §3), blank lines inside it allowed when the next line
is still clearly a header line (the ``VZCZCXYZ`` form has a blank before ``DE``).
"""

from __future__ import annotations

import re

from cablebase.grammar.unwrapped import Meta, Unwrapped

__all__ = ["HEADER_START", "split_header", "unescape_newlines", "unwrap_telegram"]

_RI = r"R[A-Z]{3,7}"
# Lines that can only be transmission-header lines (enough to start a header).
HEADER_START = re.compile(
    rf"""^[ ]*(?:
        VZCZC[A-Z0-9]*\s*$                                # transmission identification
      | (?:ZZ|OO|PP|RR|YY)\s+{_RI}\b                      # precedence prosigns + RIs
      | DE\s+{_RI}\b                                      # originating station
      | Z[NF][YR]\s+[A-Z]{{5}}\b                          # security / operating line
      | (?:[ZOPR]\s+){{1,2}}\d{{6}}Z\s+[A-Za-z]{{3}}\s+\d{{2}}\b  # DTG with precedence
      | \d{{6}}Z\s+[A-Za-z]{{3}}\s+\d{{2}}\s*$            # bare DTG (partial extracts)
      | FM\s+\S
      | (?:TO|INFO|XMT)\s+\S
      | This\ record\ is\ a\ partial\ extract
    )""",
    re.X,
)
# Lines that continue a header block after a blank line: the above, addressee lines,
# and lines that are nothing but routing indicators.
_HEADER_AFTER_BLANK = re.compile(
    rf"^[ ]*(?:(?:{_RI}|ZEN)/\S|{_RI}(?:\s+{_RI})*\s*$)",
)
# Lines that end a header block even without a blank line before them.
_BODY_START = re.compile(
    r"""^[ ]*(?:
        (?:U\ ?U?N\ ?C\ ?L\ ?A\ ?S|C\ ?O\ ?N\ ?F\ ?I\ ?D|S\ ?E\ ?C\ ?R\ ?E\ ?T\b|TOP\ SECRET)  # banner
      | (?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\ \d            # weekday preface line
      | E\.?\s?O\.?\s*\d | TAGS?\b | SUBJ(?:ECT)?: | SIPDIS\b     # preamble labels
      | BT\s*$
    )""",
    re.X | re.I,
)


# A line break written as an escape, `\n` (not `\\n`): cables hold no backslash of their own.
_ESCAPED_NEWLINE = re.compile(r"(?<!\\)\\n")


def unescape_newlines(text: str) -> str:
    """Text pasted from a JSON string or a program's source (`TAG2\\nSUBJECT:`): its escaped
    line breaks made line breaks."""
    return _ESCAPED_NEWLINE.sub("\n", text) if "\\n" in text else text


def _blank(line: str) -> bool:
    return not line.strip()


def split_header(lines: list[str]) -> tuple[list[str] | None, list[str]]:
    """Split telegram lines into (header lines or None, body lines).

    Leading blank lines are skipped; the header keeps its own inner blank lines;
    the blank lines between header and body are dropped.
    """
    n = len(lines)
    i = 0
    while i < n and _blank(lines[i]):
        i += 1
    if i == n or not HEADER_START.match(lines[i]):
        return None, lines[i:]
    header: list[str] = []
    while i < n:
        line = lines[i]
        if _blank(line):
            j = i + 1
            while j < n and _blank(lines[j]):
                j += 1
            if j < n and (HEADER_START.match(lines[j]) or _HEADER_AFTER_BLANK.match(lines[j])):
                if _BODY_START.match(lines[j]):
                    i = j
                    break
                header.extend(lines[i:j])
                i = j
                continue
            i = j
            break
        if header and _BODY_START.match(line):
            break
        header.append(line)
        i += 1
    return header, lines[i:]


def _is(line: str, word: str) -> bool:
    return line.strip() == word


def frame(lines: list[str]) -> tuple[list[str] | None, list[str]]:
    """Header and body of a telegram, honouring BT / NNNN framing when present."""
    bt = next((k for k, line in enumerate(lines) if _is(line, "BT")), None)
    if bt is None:
        header, body = split_header(lines)
        end = len(body)
        while end and _blank(body[end - 1]):
            end -= 1
        if end and _is(body[end - 1], "NNNN"):
            body = body[: end - 1]
        return header, body
    head, before = split_header(lines[:bt])
    if head is None:
        # Text before BT that does not look like a header is still the header by framing.
        head = [line for line in before if not _blank(line)] or None
    elif any(not _blank(line) for line in before):
        head = head + before
    rest = lines[bt + 1 :]
    end = next((k for k, line in enumerate(rest) if _is(line, "BT") or _is(line, "NNNN")), None)
    body = rest if end is None else rest[:end]
    return head, body


def unwrap_telegram(
    text: str,
    *,
    path: str | None = None,
    offset: int | None = None,
    year: int | None = None,
    reference_id: str | None = None,
) -> Unwrapped:
    """Raw telegram text to an Unwrapped cable (trailing white space stripped)."""
    text = unescape_newlines(text)
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    header, body = frame(lines)
    return Unwrapped(
        form="telegram",
        header=header,
        body=body,
        meta=Meta(year=year, reference_id=reference_id),
        path=path,
        offset=offset,
    )
