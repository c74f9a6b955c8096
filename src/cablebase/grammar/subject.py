"""SUBJECT (FORMAT.md §4.5): joined lines, leading portion mark split off."""

from __future__ import annotations

import re

from cablebase.grammar import titles
from cablebase.grammar.paragraphs import unwrap_hyphens
from cablebase.grammar.portion import normalize_portion, split_portion

__all__ = ["loose_label", "parse_subject", "SUBJECT_STOP"]

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
    | [-=_*]{3,}                                  # a rule under a heading
    | (?:THIS\s+(?:CABLE|MESSAGE|TELEGRAM)\s+IS\b|SENSITIVE\s+BUT\s+UNCLASSIFIED\b)
    | THIS\s+IS\s+AN\s+ACTION\s+(?:REQUEST|CABLE|MESSAGE)
    | CCX\s*:                                    # a DEA case cross-reference below it
    | [A-Z0-9]{1,6}(?:-[A-Z0-9]{1,6}){2,}\s*$      # a document code (`T-IA-F-03-37`)
    | [A-Z][A-Za-z]{2,15}:\s*$                    # a heading alone (`INDEX:`)
    | (?-i:[A-Z]\.\s{2,}[A-Z])                    # a lettered item of the text (`A.   CONSULATE`)
    | (?-i:[A-Z][a-z]+(?:\s[A-Za-z][a-z]+){1,2}:)\s*$  # a mixed-case heading (`Table of Contents:`)
    )""",
    re.IGNORECASE | re.VERBOSE,
)


# A label word and its separator at the start of a line (`SUBJET:`, `SUBJECT;`, `Subj.`).
_LOOSE = re.compile(r"\s*([A-Za-z]{4,9})\s*(?:[:;.]+|-+)\s*(?=\S)")


def loose_label(line: str) -> int | None:
    """The end of a SUBJECT label the preamble's labels miss at the start of a line: the
    word one slip from `SUBJECT` (`SUBJET`, `SUJBECT`, `SBUJECT`; `SUSPECT`, two slips, is a
    word of its own) or `SUBJ` itself, with any separator (`SUBJECT;`, `SUBJ.`, `Subject -`);
    None otherwise.  The caller decides where such a line may stand."""
    m = _LOOSE.match(line)
    if m is None:
        return None
    word = m.group(1).lower()
    if word[0] != "s" or not (word == "subj" or titles.within(word, "subject", 1)):
        return None
    return m.end()


# What a SUBJECT runs into when the page puts the next block on its line: the SBU handling
# sentence, an action note, a dashed rule, a repeated label.
_RUN_ON = re.compile(
    r"""\s+(?:
      (?:ENTIRE\s+TEXT\s+)?SENSITIVE\s+BUT\s+UNCLASSIFIED\b
      (?=[^A-Za-z]*$|.{0,24}?\b(?:PLEASE|NOT|HANDLE|PROTECT|TREAT)\b)
    | THIS\s+(?:CABLE|MESSAGE)\s+IS\s+SENSITIVE\b
    | THIS\s+IS\s+AN\s+ACTION\s+REQUEST\b
    | [-=_]{4,}
    | [1lI]\.\s?(?:\((?:U|SBU|C|S|TS|[CS]/NF|SBU/NF)\)(?:\s?\S|\s*$)|SUMMARY\b)  # paragraph 1 glued on
    | (?<=\d\d/\d\d\s)INDEX:                # a press summary's index after its date
    | (?:UNCLAS|CONFIDENTIAL|SECRET)\s+SECTION\s+\d{1,2}\s+OF\s+\d{1,2}\b  # a banner again
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# A cancellation note (`/////ZFR CANCEL THIS MESSAGE. … UNDER MRN 1921`, `ZFR ///// CABLE
# CANCELED -WILL BE RESENT …`) put into the page where the SUBJECT wraps: the note runs to the
# new message number, or to a closing rule, or to the end.
_ZFR_NOTE = re.compile(r"\s*[/\\]*\s*\bZFR\b.*?(?:\bMRN\b(?:\s+\d+)?|(?=[/\\]{3})|$)", re.I)
_RULE_AFTER = re.compile(r"\s*[/\\]{3,}")
_HEADINGS = frozenset({"Summary", "Introduction", "Background", "Comment"})
_LABEL_AGAIN = re.compile(r"^\s*S?UBJ(?:ECT)?\s*:\s*", re.IGNORECASE)
# A portion mark written at the SUBJECT's end instead of its start (`… FROM CHINA (S)`).
_TRAILING_MARK = re.compile(r"\s\((?=[^()]{1,40}\)[\s.]*$)([^()]*)\)[\s.]*$")


# An old printout marks each continuation line with a dash at the margin, its text aligned
# under the SUBJECT's (`SUBJECT:  CROATIAN AND BOSNIAN PRESIDENTS` ⏎ `-         MEET TO …`):
# a dash followed by two spaces or more opens no wrapped line of a later cable.  A dash
# and one space is the mark only in a cable of that era (E.O. 12356 or before); later it is
# the SUBJECT's own dash (`… MONTHLY REPORTING CABLE` ⏎ `- JUNE 2004`).  A dash alone on
# its line is the printout's blank line (`… DEC 21, 1992` ⏎ `-` ⏎ `SUMMARY`).
_PRINTOUT_MARK = re.compile(r"-(?:[ \t]{2,}(?=\S)|[ \t]*$)")
_PRINTOUT_MARK_OLD = re.compile(r"-(?:[ \t]+(?=\S)|[ \t]*$)")


def parse_subject(pieces: list[str], old_printout: bool = False) -> tuple[str | None, str | None]:
    """Join the SUBJECT pieces (label removed) with single spaces; return
    (portion mark or None, subject text or None when empty).  `old_printout`: the cable is of
    the era whose continuation lines open with a dash and one space."""
    if len(pieces) > 1:
        mark = _PRINTOUT_MARK_OLD if old_printout else _PRINTOUT_MARK
        pieces = pieces[:1] + [_without_mark(p, mark) for p in pieces[1:]]
    text = " ".join(unwrap_hyphens("\n".join(pieces)).split())
    if not text:
        return None, None
    text = _LABEL_AGAIN.sub("", text, count=1)  # `SUBJECT: SUBJECT: …`
    if text[:1] in ":;":
        text = text.lstrip(":; ")  # `SUBJECT: : MEXICANS DIFFER …`: the colon typed twice
    if "ZFR" in text or "zfr" in text:
        text = _without_notes(text)
    m = _RUN_ON.search(text)
    if m is not None:
        text = text[: m.start()].rstrip(" -:;,")  # and the dash that joined them (`… - SENSITIVE`)
    head, _, last = text.rpartition(" ")
    if last in _HEADINGS and head.isupper():
        text = head  # `… ECONOMIC CRISIS Introduction`: the heading after it was taken in
    portion, rest = split_portion(text)
    rest = rest.strip()
    if rest.endswith((")", ").")):
        m = _TRAILING_MARK.search(rest)
        mark = normalize_portion(f"({m.group(1)})") if m is not None else None
        if mark is not None:
            rest = rest[: m.start()].rstrip()
            portion = portion or mark
    if not rest:
        return portion, None
    return portion, rest


def _without_mark(piece: str, mark: re.Pattern) -> str:
    if piece[:1] != "-":
        return piece
    m = mark.match(piece)
    return piece[m.end() :] if m is not None else piece


def _without_notes(text: str) -> str:
    """The SUBJECT with cancellation notes taken out.  A note closed by a rule of slashes
    ends the SUBJECT (the next block follows it); the words between notes are the SUBJECT's
    wrapped end, which the page repeats once per note (`… MRN QUARTERLY UPDATE … MRN 1921
    QUARTERLY UPDATE`): kept once."""
    kept: list[str] = []
    pos = 0
    for m in _ZFR_NOTE.finditer(text):
        kept.append(text[pos : m.start()].strip())
        pos = m.end()
        if _RULE_AFTER.match(text, pos):
            return " ".join(x for x in _once(kept) if x)
    kept.append(text[pos:].strip())
    return " ".join(x for x in _once(kept) if x)


def _once(pieces: list[str]) -> list[str]:
    out: list[str] = []
    for p in pieces:
        if not out or p != out[-1]:
            out.append(p)
    return out
