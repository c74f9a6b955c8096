"""Telegram preamble (FORMAT.md §4.2-4.8): captions, E.O., TAGS, SUBJECT, REF, Classified By.

The scan runs from the line after the banner to the first numbered paragraph (`N.`, not
`1.4`), or to the first text line once the SUBJECT/REF/Classified By block has ended.
Labels are found anywhere in a line (`E.O. 12958: N/A TAGS: ASEC …`, `SUBJECT: … REF: …`);
a field ends at a blank line, the next label or a page marker.  Lines before the first
label are captions; standalone handling words (SIPDIS, NOFORN, …) go to `cable.handling`.
Text glued after the Classified By reasons on the same line (`… 1.4 (b) and (d). 1. (C)
Summary: …`) is split off into a line of its own, where the text starts.
"""

from __future__ import annotations

import re

from cablebase.grammar import eo as _eo
from cablebase.grammar import refs
from cablebase.grammar.banner import looks_like_banner, parse_banner
from cablebase.grammar.captions import HANDLING_LINE, add_handling, split_caption
from cablebase.grammar.classified_by import (
    parse_classified_by,
    reasons_from_text,
    text_after_reasons,
)
from cablebase.grammar.headings import DECORATION
from cablebase.grammar.pages import ELL_ONE, is_cut_marker
from cablebase.grammar.portion import PORTION_RE
from cablebase.grammar.preamble_fast import (
    LETTERS,
    STANDARD_FIRST,
    free_of_labels,
    plain_caption,
    standard_label,
)
from cablebase.grammar.preface import glued_banner
from cablebase.grammar.state import State
from cablebase.grammar.subject import SUBJECT_STOP, loose_label, parse_subject
from cablebase.grammar.summary import is_summary_heading, opens_with_label
from cablebase.grammar.tags import TAGS_LABEL_AT, bare_tags, is_carried_group, is_code, parse_tags
from cablebase.grammar.unwrapped import Meta
from cablebase.ids import post_alias, post_names
from cablebase.record import Cable

__all__ = ["parse_preamble", "NUMBERED_RE"]

NUMBERED_RE = re.compile(r"^\s*\d{1,3}\.(?!\d)")

# Labels anywhere in a line.  E.O. needs its order number (or DECL) after it, so the dotted
# form may be glued to a word before it (`SIPDISE.O. 12958`); a zero may stand for the O
# (`E.0.12356`).  Inline TAGS/SUBJECT/REF need a colon; at the start of a line TAGS, REF and
# Classified By may go without one (a typo in `Classified` is tolerated: `Classjfied By`,
# `Classified ByMinister`, and the exact `Classified By:` may be glued to the subject before
# it: `…TO CAIROClassified By:`).  Every branch starts with its letter and checks the
# character before it afterwards, so the regex engine can skip ahead on the first letter.
_LABELS = re.compile(
    r"""
      (?P<eo>E(?:\.\s?[O0]\.?|(?<![A-Za-z]E)O)\s*(?=[:;,.]?\s*\d{4,6}|\s*DECL))
    | (?P<tags>T(?<![A-Za-z/]T)(?:AGS?|AGES|AGSS|AS|ABS|GS)\s*[:;])
    | (?P<subject>(?:S(?<![A-Za-z]S)UBJ(?:ECT)?|U(?<![A-Za-z]U)BJECT)\s*:)
    | (?P<ref>R(?:(?<![A-Za-z]R)|(?-i:(?<=[A-Za-z]R)(?=EF(?:S|TELS?)?\s*:\s*(?:\(?[A-Z][.):]\s|[A-Z][A-Za-z]{2,}\s\d))))
      EF(?:S|\(S\)|TELS?|ERENCES?)?\.?\s*:)
    | (?P<clby>(?:\(U\)\s*)?(?:C(?<![A-Za-z]C)lass[a-z]{2,4}d\s*By(?-i:(?![a-z]))|(?-i:Classified\ By:))
      \s*:?
      |(?-i:(?=D)(?<![A-Za-z])(?=DERIVED\ FROM\s*:|Derived\ [Ff]rom\s*:)))
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Line-start forms without a colon: `TAGS PGOV …`, `TAG PREL`, `REF A: STATE 1`, `REF A. …`,
# `REF. LONDON 1939`, `Ref. Brasilia 606`, `REF A WELLINGTON 721`, `REF A SECRETARY'S LETTER TO …`.
_START_LABELS = re.compile(
    r"""\s*(?:
      (?P<tags>TAGS?)\s+(?=\S)
    | (?P<subject>(?-i:SUBJECT|SUBJ))\s+(?=\S)
    | (?P<ref>REF(?:S|TELS?)?)
      (?:\s*\.\s*(?=(?-i:[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2}\s+\d{2,6}\b))  # `Ref. Brasilia 606`
      |(?:\s*\.\s*|\s+)
      (?=[A-Z][.):]|\([A-Z]\)|(?-i:(?:[A-Z]\s+)?[A-Z]{2,}(?:\s[A-Z]+){0,2}\s+\d)
        |(?-i:[A-H]\s+[A-Z][A-Z'’]+\s)  # `REF A SECRETARY'S LETTER …`: a lettered item
        |(?-i:[A-H]\s+[0-9O]\d\s+[A-Z][A-Za-z]{2,}(?:\s[A-Z][A-Za-z]+){0,2}\s+\d)))  # `REF A O3 Sanaa 2776`
    | (?P<ref_damaged>(?-i:[A-Z]{1,2})):\s+(?=\(?[A-Z][.)]\s+[A-Z][A-Za-z]{2,}\s+\d)  # `Q: A) …`
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Each label at a known position: (upper-cased key word, label, offset of the key in the
# label, regex).  The regexes are the branches of _LABELS.
_LABEL_AT = tuple(
    (key, name, back, re.compile(rx, re.IGNORECASE | re.VERBOSE))
    for key, name, back, rx in (
        ("E.", "eo", 0, r"E(?:\.\s?[O0]\.?)\s*(?=[:;,.]?\s*\d{4,6}|\s*DECL)"),
        ("EO", "eo", 0, r"E(?<![A-Za-z]E)O\s*(?=[:;,.]?\s*\d{4,6}|\s*DECL)"),
        # TAGS and its misspellings (`TAGS;`, `TAS:`, `TABS:`, `TGS:`, `TAGES:`, `AGS:`)
        *((key, "tags", 0, TAGS_LABEL_AT) for key in ("TAG", "TAS", "TAB", "TGS", "AGS")),
        ("SUBJ", "subject", 0, r"S(?<![A-Za-z]S)UBJ(?:ECT)?\s*:"),
        ("UBJECT", "subject", 0, r"U(?<![A-Za-z]U)BJECT\s*:"),  # `UBJECT:`, the S dropped
        # glued to the subject only before an item (`…UK PRIMEREF: A. LONDON 1939`,
        # `…PrimeREFS: A. London 1939`, `…PRIMEREFTEL: LONDON 1939`)
        (
            "REF",
            "ref",
            0,
            r"R(?:(?<![A-Za-z]R)|(?-i:(?<=[A-Za-z]R)(?=EF(?:S|TELS?)?\s*:\s*(?:\(?[A-Z][.):]\s|[A-Z][A-Za-z]{2,}\s\d))))"
            r"EF(?:S|\(S\)|TELS?|ERENCES?)?\.?\s*:",
        ),
        # inline without a colon, before a cable number: `… SCANDAL UPDATE Ref. Brasilia 606`,
        # `… THE AGENDA REF 02 PARAMARIBO 1169`
        (
            "REF",
            "ref",
            0,
            r"R(?<=\sR)EF\.?\s+(?=(?:\d{2}\s+)?[A-Z][A-Za-z]{2,}(?:\s[A-Z][A-Za-z]+)?\s+\d{2,6}\b)",
        ),
        (
            "LASS",
            "clby",
            1,
            r"(?:C(?<![A-Za-z]C)lass[a-z]{2,4}d\s*By(?-i:(?![a-z]))|(?-i:Classified\ By:))\s*:?",
        ),
        # A derivative classification states its source in place of a classifier
        # (`DERIVED FROM: DSCG 05-1 B, D`): the statement, label and all (no width taken).
        ("DERIVED", "clby", 0, r"(?-i:(?<![A-Za-z])(?=DERIVED\ FROM\s*:|Derived\ [Ff]rom\s*:))"),
    )
)
# The key words above, one regex: a line is searched once per key found rather than once per
# key.  At a position at most one key starts (they differ in their first letters or their
# next ones), and the search goes on from the next character, so keys that overlap (`TAGS`
# holds `AGS`) are all found, as `str.find` per key finds them.
_KEYS = re.compile("|".join(re.escape(k) for k in dict.fromkeys(k for k, *_ in _LABEL_AT)))
_AT_KEY: dict[str, list[tuple[str, int, re.Pattern[str]]]] = {}
for _key, _name, _back, _rx in _LABEL_AT:
    _AT_KEY.setdefault(_key, []).append((_name, _back, _rx))
del _key, _name, _back, _rx

# Lines skipped inside the preamble: page markers, lone classification words, weekday lines.
_SKIP_LINE = re.compile(
    r"""^\s*(?:
      [A-Za-z .]{2,20}\d{8}\s+\d{3}(?:\.\d)?\s+OF\s+\d{3}\s*$
    | PAGE\s+\d{1,3}\b.*
    | (?:CONFIDENTIAL|SECRET|UNCLASSIFIED|UNCLAS|LIMITED\ OFFICIAL\ USE|LOU)\s*$
    | (?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\s+\d{1,2}\s+[A-Za-z]+\s+\d{4},\s+
      \d{1,2}:\d{2}\s*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# A lone `LIMITED OFFICIAL USE` (or `LOU`) line below an UNCLAS banner: a marking of its own.
_LOU_LINE = re.compile(r"^(?:LIMITED\s+OFFICIAL\s+USE|LOU)\s*$", re.IGNORECASE)
LOU = "LIMITED OFFICIAL USE"
# First characters of a line made of handling words (a cheap test before HANDLING_LINE).
_HANDLING_FIRST = frozenset("SNELACDFOPsnelacdfop,.;:/")


def _maybe_skip(s: str) -> bool:
    """Cheap test before _SKIP_LINE: short lines, weekday lines, `PAGE nn`, page markers."""
    u = s.upper()
    return len(s) <= 25 or "DAY," in u or " OF " in u or u[:4] == "PAGE"


# A REF item on its own line: `B. MADRID 919`, `B) …`, `(B) …`, `B. B. 2008 BAMAKO 217`.
_REF_ITEM = re.compile(r"^\s*(?:-+\s*)?(?:[A-Za-z][.):]|\([A-Za-z]\))\s")  # `-   (B) State 1`
# A serial alone on its line after an item cut before it (`C) 2003 Sao Paulo` ⏎⏎ `1186`),
# or with the next items after it (`(B) Rio de Janeiro` ⏎⏎ `00723  (C) Brasilia 01392`).
_REF_SERIAL = re.compile(r"^\s*\d{2,7}(?:\s*$|[\s,;]+(?:\([A-Za-z]\)|[A-Za-z][.)])\s*\S)")
# A REF block whose last line ends with an open item (`…, C)`): a blank line does not end it.
# (an item may hold its year alone: `(C) 05` ⏎⏎ `Reykjavik 431`)
_REF_OPEN = re.compile(
    r"(?:(?<=[\s,;])|^)(?:[A-Za-z][.):]|\([A-Za-z]\))\s*(?:(?:19|20)?\d{2}\s*)?$|(?:,|\bAND)\s*$",
    re.I,
)
# An item whose post name was cut before its serial (`C) RIO` ⏎⏎ `DE JANEIRO 1291`).
_REF_CUT_POST = re.compile(
    r"(?:^|\s)(?:[A-Za-z][.):]|\([A-Za-z]\))\s*(?:\d{2,4}\s+)?[A-Za-z][A-Za-z .'-]{1,30}$"
)
_REF_POST_END = re.compile(r"^\s*[A-Za-z][A-Za-z'-]*(?:\s+[A-Za-z][A-Za-z'-]*){0,2}\s+\d{2,7}\b")
# An item whose letter is glued to its cable (`(B)STATE 264368.`): a portion mark glued to
# prose (`(C)THE MINISTER …`) has no post and serial after it.
_REF_GLUED_ITEM = re.compile(
    r"^\s*\([A-Za-z]\)(?:\d{2}\s*)?[A-Z][A-Za-z-]+(?:\s[A-Z][A-Za-z-]+){0,2}\s+\d{2,7}\b"
)
# A line carrying further items inline (`BETWEEN POST AND DOJ OCT 2001, (C) TEGUCIGALPA`).
_REF_INLINE_ITEM = re.compile(
    r"[,;]\s*(?:\([A-Za-z]\)|[A-Za-z][.)])\s*(?:\d{2}\s+)?[A-Z][A-Za-z-]+(?:\s[A-Z][A-Za-z-]+)?"
    r"(?:\s+\d{2,7}\b|\s*$)"
)
# The last REF line left open: an unclosed parenthesis (`(Ambassador's Lunch with Minister`)
# or a word that needs what follows (`USDOC 18479, DATED`).
_REF_OPEN_WORD = re.compile(r"\b(?:DATED|OF|ON|TO|FROM|THE|WITH|BETWEEN|AND|OR|IN)\s*$", re.I)


# A line that opens the text of a cable without paragraph numbers, right after its REF:
# a portion mark before prose (`(U)  PolOff delivered …`, `U) PolOffs …`, `(u) Embassy …`)
# or a summary label (`I. SUMMARY:`).  `(C)`/`(S)` may be REF items instead: see _text_opens.
_TEXT_OPENING = re.compile(
    r"""^\(?\s*(?P<mark>U|C|S|TS|SBU|LOU|[CSU]\s*//?\s*(?:NF|FOUO)|SBU\s*//?\s*NF)\s*\)\s*
        (?-i:[A-Z][A-Za-z/'-]*[a-z][A-Za-z/'-]*(?:[,.]?\s+[A-Z][\w/'-]*){0,3}[,.]?\s+[a-z]+\b
          |[A-Z]{2,}[,.]?\s+[A-Z]{2,}\s+[A-Z]{2,})
      | ^(?:I\.\s*)?SUMMARY\s*[:.]""",
    re.IGNORECASE | re.VERBOSE,
)


_SBU_LINE = re.compile(r"\bSensitive\s*,?\s*but\s+Unclassif", re.IGNORECASE)


def _text_opens(pieces: list[str], s: str) -> bool:
    """Whether `s`, after the REF lines `pieces`, is the start of the text rather than an
    item: a portion mark before prose; `(C)` or `(S)` only when the block has no item
    lettered just before it (`B` for `(C)`)."""
    if _SBU_LINE.search(s, 0, 90):
        return False  # the SBU handling notice: the REF reader cuts it off
    m = _TEXT_OPENING.match(s)
    if m is None:
        # a mark before words citing no cable, a sentence after a serial, or a line after
        # a REF line that already ran on into the text (`STATE 86108 (SBU)` ⏎ `Poloff …`)
        last = pieces[-1] if pieces else ""
        # (a sentence needs a lower-case word, a mark its parenthesis: cheap tests first;
        # the whole block only for a mark's letter rule, `(C)` after an item B)
        marked = s[0] in "(123456789"
        if (marked or not s.isupper()) and refs.opens_text(
            s, "\n".join(pieces) if marked else last
        ):
            return True
        return (
            len(last) <= _UNWRAPPED
            and ("(" in last or not last.isupper())
            and refs.run_on_at(last) is not None
        )
    mark = (m.group("mark") or "").upper()
    if mark in ("C", "S"):
        before = chr(ord(mark) - 1)
        block = " ".join(pieces)
        return re.search(rf"(?:^|[\s,;(])\(?{before}[.):]", block, re.I) is None
    return True


def _paragraph(lines: list[str], i: int, most: int = 12) -> str:
    """Line `i` and the lines after it up to the next blank line (at most `most` lines)."""
    out = []
    for s in lines[i : i + most]:
        if not s.strip():
            break
        out.append(s)
    return "\n".join(out)


def _ref_goes_on(last: str, s: str) -> bool:
    """Whether a line after a blank line goes on with the REF block whose last line is
    `last` (wraps cut by blank lines in double-spaced copies)."""
    if _REF_ITEM.match(s) or _REF_GLUED_ITEM.match(s):
        return True
    if len(s) < 60 and _REF_OPEN.search(last):
        return True
    if _REF_SERIAL.match(s) and last.rstrip()[-1:].isalpha():
        return True
    if _REF_POST_END.match(s) and _REF_CUT_POST.search(last.rstrip()):
        return True
    if len(s) > _UNWRAPPED:
        return False
    return (
        last.rfind("(") > last.rfind(")")
        or bool(_REF_OPEN_WORD.search(last))
        or bool(_REF_INLINE_ITEM.search(s))
    )


# A passing line (`ROME FOR STORELLA`, `USDOC PASS TO …`) standing after the SUBJECT: a post
# or an agency, then FOR/PASS.
_PASSING = re.compile(r"^([A-Z][A-Z/.&-]*(?:\s+[A-Z][A-Z/.&-]*){0,2})\s+(?:ALSO\s+)?(?:FOR|PASS)\s")
_AGENCIES = frozenset(
    [
        "DEPT",
        "DEPARTMENT",
        "STATE",
        "SECSTATE",
        "USDOC",
        "COMMERCE",
        "TREASURY",
        "USTR",
        "USDA",
        "DOE",
        "ENERGY",
        "NSC",
        "DOD",
        "SECDEF",
        "CIA",
        "DHS",
        "DOJ",
        "JUSTICE",
        "USAID",
        "AID",
        "EXIM",
        "OPIC",
        "TDA",
        "FAA",
        "FBI",
        "DEA",
        "USEU",
        "USUN",
        "USNATO",
        "POSTS",
        "ALL",
    ]
)


def _passing_line(s: str) -> bool:
    m = _PASSING.match(s)
    if m is None:
        return False
    who = m.group(1)
    if who.split()[0] in _AGENCIES:
        return True
    key = re.sub(r"[^A-Z]", "", who)
    return key in post_names() or post_alias(key) is not None


# A number alone on its line: a paragraph number, or the wrapped tail of a caption.
_LONE_NUMBER = re.compile(r"^\d{1,3}\.$")
_UNWRAPPED = 100  # a field line longer than this is a paragraph-per-line body
_FULL_COPY_WINDOW = 150  # a dump between a cut-short copy and the full one (long INFO lists)

_TEXT_FIELDS = frozenset(("eo", "tags", "subject", "ref", "clby"))


class _Scan:
    """Field pieces collected while reading the preamble."""

    __slots__ = ("fields", "order", "captions", "handling")

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}
        self.order: list[str] = []
        self.captions: list[str] = []
        self.handling: list[str] = []


def _find_labels(line: str, cur: str | None) -> list[tuple[str, int, int]]:
    """(name, start, end) of every label in the line, in order.

    Each label's key word is looked up in the upper-cased line and the label's own regex is
    tried there: much cheaper than one alternation run over the whole line."""
    u = line.upper()
    hits: list[tuple[int, int, str]] = []
    search = _KEYS.search
    k = search(u)
    while k is not None:
        p = k.start()
        for name, back, rx in _AT_KEY[k.group()]:
            at = p - back
            if at >= 0:
                m = rx.match(line, at)
                if m is not None:
                    a = m.start()
                    if name == "clby":
                        head = line[:a].rstrip()
                        if head.upper().endswith("(U)"):  # `(U) Classified by`
                            a = len(head) - 3
                    hits.append((a, m.end(), name))
        k = search(u, p + 1)
    pos = 0
    found: list[tuple[str, int, int]] = []
    if u.lstrip().startswith(("TAG", "REF", "SUBJ")) or ":" in u[1:4]:
        sm = _START_LABELS.match(line)
        if sm is not None:
            name = sm.lastgroup or ""
            found.append((name.replace("_damaged", ""), sm.start(name), sm.end()))
            pos = sm.end()
    if not hits:
        return found
    hits.sort()
    in_clby = cur == "clby"
    for a, b, name in hits:
        if a < pos:
            continue  # inside the label before
        if name == "clby":
            in_clby = True
        elif name == "eo" and in_clby:
            continue  # `Classified by X; E.O. 12958, reasons 1.4 (b)`: part of the reason
        else:
            in_clby = False
        found.append((name, a, b))
        pos = b
    return found


def parse_preamble(lines: list[str], start: int, st: State, raw: list[str] | None = None) -> int:
    """Read the preamble from `start`; return the index of the first text line
    (the first numbered paragraph, or the first line after the preamble).

    `lines` is the caller's working copy: text glued after the Classified By reasons is
    split off into a new line inserted after it, and that line's index is returned.  A page
    whose first copy of the cable is cut short (`Classified By: A...`) and followed by the
    full copy (after a dump of the cables.csv row) is read from the full copy.  `raw`: the
    body before page markers were taken out (a later section's repeated preamble with it)."""
    sc, text_start = _scan(lines, start)
    if st.banner_serial and _cut_short(lines, start, text_start):
        full = _full_copy(lines, start, st.banner_serial)
        if full is not None:
            full, quoted = full
            sc2, text_start2 = _scan(lines, full)
            if quoted:  # the full copy is a cables.csv field: `""` stands for `"`
                for pieces in sc2.fields.values():
                    pieces[:] = [p.replace('""', '"') for p in pieces]
            if sc2.fields:
                for name, pieces in sc.fields.items():  # keep what only the first copy has
                    if name not in sc2.fields:
                        sc2.fields[name] = pieces
                        sc2.order.append(name)
                if "tags" in sc.fields and _more_tags(sc.fields["tags"], sc2.fields["tags"]):
                    sc2.fields["tags"] = sc.fields["tags"]  # the full copy ran TAGS on one line
                sc2.handling[:0] = [w for w in sc.handling if w not in sc2.handling]
                sc, text_start = sc2, text_start2
                st.warn(
                    "preamble.cut_short", "first copy cut short: read the full copy", "preamble"
                )
    _finish(sc, lines, text_start, st, raw if raw is not None else lines)
    return text_start


def _more_tags(first: list[str], full: list[str]) -> bool:
    """The first copy's TAGS holds every tag of the full copy's and more: the full copy, its
    preamble run onto one line, kept only the TAGS line's first line (`… ENRG AF` without
    `RS, GG, UP, BO, LH` below)."""
    if len(first) < 2:
        return False
    a, b = parse_tags("\n".join(first)), parse_tags("\n".join(full))
    return len(a) > len(b) and set(b) <= set(a)


def _cut_short(lines: list[str], start: int, text_start: int) -> bool:
    """Whether the preamble (or the line where the text would start) ends in `...`, or a
    field of it runs into the page's metadata dump (`REF: A. CAIRO 181|09CAIRO257 VZCZC…`,
    the dump's cited ids and telegram header glued on: the field is cut there)."""
    return any(
        ("..." in line and line.rstrip().endswith("..."))
        or ("VZCZC" in line and _GLUED_DUMP.search(line) is not None)
        for line in lines[start : text_start + 2]
    )


# A page's metadata dump glued to a preamble field: `|`-joined cited ids, then the header.
_GLUED_DUMP = re.compile(r"\|\d{2}[A-Z]{3,}\d+\s*VZCZC")


def _full_copy(lines: list[str], at: int, serial: str) -> tuple[int, bool] | None:
    """Index of the repeated banner (same serial) within the lines after `at`; a banner glued
    after a dump prefix (`","S E C R E T THE HAGUE 000567`) is cut free in place.  The line
    is replaced by what follows the banner on it (a one-line preamble).  Also says whether
    the copy is a quoted cables.csv field (its prefix ends with a quote)."""
    end = min(at + _FULL_COPY_WINDOW, len(lines))
    for k in range(at, end):
        line = lines[k]
        # the banner may be wrapped onto the next line (`…","S E C R E T THE` ⏎ `HAGUE 000543`)
        for text, last in ((line, k), (f"{line} {lines[k + 1]}" if k + 1 < end else "", k + 1)):
            if serial not in text:
                continue
            pos = 0 if looks_like_banner(text) else glued_banner(text)
            if pos is None:
                continue
            scratch = State(cable=Cable(), meta=Meta())
            rest = parse_banner(text[pos:], scratch)
            if rest is None or scratch.banner_serial != serial:
                continue
            for j in range(k, last):
                lines[j] = ""
            lines[last] = rest
            return last, text[:pos].rstrip().endswith('"')
    return None


# The fast path (preamble_fast): standard lines read by one cheap test each.  Off, every
# line takes the full way below; the records are the same either way.
FAST_PATH = True


def _take_standard(s: str, sc: _Scan) -> str | None:
    """Read `s` as a standard label line (preamble_fast) when the full scan would read it the
    same way: store its value and return the field's name; else None."""
    if "clby" in sc.fields:
        return None  # after the statement: glued text and the text's start, the full way
    std = standard_label(s, _KEYS)
    if std is None or std[0] in sc.fields:
        return None  # not standard, or a repeated preamble
    name, end = std
    if len(s) > _UNWRAPPED and (name == "ref" or "(" in s):
        return None  # paragraph 1 may be glued on (_glued_paragraph)
    if name == "ref" and "1" in s and _numbered_run_on(s, end) is not None:
        return None  # `REF: VILNIUS 663 1. (SBU)`
    sc.fields[name] = [s[end:].strip()]
    sc.order.append(name)
    return name


def _fast_line(s: str, sc: _Scan, cur: str | None) -> str | None:
    """Read a line that opens with a letter the fast way, as the full scan would: a standard
    label line (the field's name), a line of handling words ("handling"), a caption before
    the first label ("caption" when one was added, else "handling": words alone), a line
    that continues the SUBJECT or the REF ("continued").  None: the full scan reads it."""
    if s[0] in STANDARD_FIRST:
        name = _take_standard(s, sc)
        if name is not None:
            return name
    if s[0] in _HANDLING_FIRST and HANDLING_LINE.match(s):
        split_caption(s, sc.handling)
        return "handling"
    if sc.fields:
        return _take_continuation(s, sc, cur)
    if _maybe_skip(s) and _SKIP_LINE.match(s):
        return None  # a page marker, a class word alone
    if not free_of_labels(s, _KEYS) or (s[0] in _SUMMARY_FIRST and opens_with_label(s)):
        return None  # a label, a glued statement, or `SUMMARY: …` under the banner
    if plain_caption(s):
        sc.captions.append(s)  # as split_caption would (no handling word to split off)
        return "caption"
    rest = split_caption(s, sc.handling)
    if rest:
        sc.captions.append(rest)
        return "caption"
    return "handling"


def _take_continuation(s: str, sc: _Scan, cur: str | None) -> str | None:
    """A line right under a SUBJECT or REF line (no blank line between) that carries no
    label: appended by _continue_field when it continues the field, as the full scan does."""
    if cur not in ("subject", "ref") or sc.order[-1] != cur:
        return None
    if cur == "ref" and ("(" in s or not s.isupper()):
        return None  # an item that may run on into the text: the full scan splits it
    if (_maybe_skip(s) and _SKIP_LINE.match(s)) or looks_like_banner(s):
        return None  # a page marker, a repeated banner
    if not free_of_labels(s, _KEYS) or (s[0] in "SsIi" and "ummary" in s.lower()):
        return None  # a label, a glued statement, a summary heading (_summary_heading_starts)
    # (a line opening with a letter is no rule: _continue_field changes nothing when it
    # says no, and the full scan asks it again)
    return "continued" if _continue_field(sc, cur, s) else None


def _scan(lines: list[str], start: int) -> tuple[_Scan, int]:
    """The preamble scan proper: the fields found and the index where the text starts."""
    sc = _Scan()
    cur: str | None = None  # field being continued, "skip" for a repeated field
    seen_label = False
    text_start = len(lines)
    first_caption = -1  # the first line taken as a caption before any label
    i = start
    while i < len(lines):
        raw = lines[i]
        s = raw.strip()
        if s.endswith("\\"):  # tab-separated dumps end their lines with a backslash
            s = s[:-1].rstrip()
        if not s:
            cur = None
            i += 1
            continue
        if s[-1] in ".\u2026" and s.endswith(("...", "\u2026")) and is_cut_marker(s):
            i += 1  # a page marker cut short by the page's preview: no field's text
            continue
        if s[0] == "l" and ELL_ONE.match(s):
            text_start = i  # paragraph 1 numbered with the letter l (`l.SUMMARY:  ON …`)
            break
        if FAST_PATH and s[0] in LETTERS:  # `TAGS: …`, a caption…: see preamble_fast
            took = _fast_line(s, sc, cur)
            if took is not None:
                if took in _TEXT_FIELDS:
                    cur = took
                    seen_label = True
                elif took == "handling":
                    cur = None
                elif took == "caption" and first_caption < 0:
                    first_caption = i
                i += 1
                continue
        if NUMBERED_RE.match(raw):
            if not (
                _LONE_NUMBER.match(s) and _label_ahead(lines, i, sc, ("eo", "tags", "subject"))
            ):
                text_start = i
                break
            # `IPSP: … IFC113` ⏎ `2.`: a caption's wrapped tail, the preamble goes on below
            if sc.captions:
                sc.captions[-1] += s
            i += 1
            continue
        if s[0] in _HANDLING_FIRST and HANDLING_LINE.match(s):
            split_caption(s, sc.handling)
            cur = None
            i += 1
            continue
        if _maybe_skip(s) and _SKIP_LINE.match(s) or (seen_label and looks_like_banner(s)):
            if not seen_label and _LOU_LINE.match(s):
                add_handling(sc.handling, LOU)  # the marking of an old cable (meta.finish)
            cur = None
            i += 1
            continue
        last = sc.order[-1] if sc.order else None
        if cur is None and last in _TEXT_FIELDS and not any(sc.fields[last]):
            cur = last  # `SUBJECT:` alone, its value after a blank line
        if (
            s[0] == "B"
            and cur is None
            and last
            and s[:2] in ("BY", "By")
            and "clby" not in sc.fields
        ):
            s = lines[i] = _rejoined_clby_label(sc.fields[last], s)
        # Text glued after the reasons of a Classified By statement starts the text.
        glued = None
        in_clby = cur == "clby" or (cur is None and last == "clby")
        if in_clby or "lass" in s or "LASS" in s:
            glued = text_after_reasons(s)
            if glued is not None and (
                in_clby or any(m.lastgroup == "clby" for m in _LABELS.finditer(s, 0, glued))
            ):
                lines[i] = s[:glued].rstrip()
                lines.insert(i + 1, s[glued:].strip())
                s = lines[i]
            else:
                glued = None
        labels = _keep_labels(_find_labels(s, cur), sc, cur)
        if labels and glued is None:
            # a page that puts the whole preamble on one line glues paragraph 1 to the
            # last field (`SUBJECT: … COUNCIL 1.(SBU) Summary. All …`), and a short REF line
            # may run on into paragraph 1's number and mark (`REF: VILNIUS 663 1. (SBU)` ⏎
            # `The …`): split the text off, its number and mark with it
            if len(s) > _UNWRAPPED:
                at = _glued_paragraph(s, labels)
            elif labels[-1][0] == "ref" and "1" in s:
                at = _numbered_run_on(s, labels[-1][2])
            else:
                at = None
            if at is not None:
                lines[i] = s[:at].rstrip()
                lines.insert(i + 1, s[at:].strip())
                s = lines[i]
                glued = at
                labels = [lb for lb in labels if lb[1] < at]  # `reftel:` in the text
        if labels and ("LINE" in s or "Line" in s or "line" in s):
            labels = [lb for lb in labels if lb[0] != "clby" or not _correction_note(s, lb)]
        if not labels and cur == "ref" and glued is None and ("(" in s or not s.isupper()):
            # a REF item's line run on into the text, as above (any run-on on a long line)
            at = refs.run_on_at(s) if len(s) > _UNWRAPPED else _numbered_run_on(s, 0)
            if at is not None and not _text_opens(sc.fields["ref"], s):
                lines[i] = s[:at].rstrip()
                lines.insert(i + 1, s[at:].strip())
                s = lines[i]
                glued = at
        if not labels and seen_label and _summary_heading_starts(lines, i, s, sc):
            text_start = i  # `--------` ⏎ `Summary` ⏎ `--------` after TAGS: the text's
            break  # first heading, though no SUBJECT came (the page lost it)
        if not labels:
            if cur == "clby" and not _clby_continues(sc.fields["clby"], s):
                text_start = i
                break
            if (cur == "eo" or (cur is None and last == "eo")) and "tags" not in sc.fields:
                value = bare_tags(s)  # the TAGS line under E.O., its label lost or misspelt
                if value is not None and not _label_ahead(lines, i, sc, ("tags",), 4):
                    sc.fields["tags"] = [value]
                    sc.order.append("tags")
                    cur = "tags"
                    i += 1
                    continue
            if cur in (None, "eo", "tags") and seen_label and "subject" not in sc.fields:
                at = loose_label(s)  # `SUBJET:`, `SUBJECT;`: a SUBJECT label misspelt
                if at is not None:
                    sc.fields["subject"] = [s[at:]]
                    sc.order.append("subject")
                    cur = "subject"
                    i += 1
                    continue
            if _continue_field(sc, cur, s):
                i += 1
                if glued is not None:
                    text_start = i
                    break
                continue
            if not seen_label:
                if (
                    s[0] in _SUMMARY_FIRST
                    and opens_with_label(s)
                    and not _label_ahead(lines, i, sc, _PREAMBLE_LABELS, 4)
                ):
                    text_start = i  # `SUMMARY: …` under the banner of a cable without preamble
                    break
                rest = split_caption(s, sc.handling)
                if rest:
                    sc.captions.append(rest)
                    if first_caption < 0:
                        first_caption = i
                i += 1
                continue
            if (
                cur is None
                and last == "ref"
                and _ref_goes_on(sc.fields["ref"][-1], s)
                and not _text_opens(sc.fields["ref"], s)
                and not refs.item_is_text(_paragraph(lines, i))
            ):
                sc.fields["ref"].append(s)  # an item after a blank line
                cur = "ref"
                i += 1
                continue
            if cur is None and last == "clby" and _clby_goes_on(sc.fields["clby"], s):
                sc.fields["clby"].append(s)
                cur = "clby"
                i += 1
                if glued is not None:
                    text_start = i
                    break
                continue
            if _text_may_start(sc):
                if cur is None and last in ("subject", "ref"):
                    open_subject = last == "subject" and _OPEN_END.search(sc.fields[last][-1])
                    ahead = _label_ahead(lines, i, sc)
                    if ahead and not open_subject and s.isupper() and _passing_line(s):
                        sc.captions.append(s)  # a passing line between SUBJECT and REF
                        i += 1
                        continue
                    if (open_subject or ahead) and not SUBJECT_STOP.match(s):
                        # Double-spaced preambles put a blank line inside a wrapped SUBJECT.
                        sc.fields[last].append(s)
                        cur = last
                        i += 1
                        continue
                    if last == "subject" and _orphan_word(lines, i, s, sc.fields[last]):
                        sc.fields[last].append(s)  # `… OF CATEGORY ONE` ⏎⏎ `REFUGEES` ⏎⏎
                        i += 1
                        continue
                if (
                    last == "subject"
                    and cur in ("subject", "caption", None)
                    and _label_ahead(lines, i, sc, within=8 if _long_caption(s, cur) else 3)
                ):
                    # a line that ends the SUBJECT (a code, an SBU note) before REF or
                    # Classified By: a caption, the preamble goes on
                    sc.captions.append(s)
                    cur = "caption"
                    i += 1
                    continue
                if _label_ahead(lines, i, sc, ("eo", "tags", "subject")):
                    # Classified By stated before E.O./TAGS/SUBJECT: a passing line between
                    sc.captions.append(s)
                    cur = None
                    i += 1
                    continue
                text_start = i
                break
            if (
                s[0] in _SUMMARY_FIRST
                and opens_with_label(s)
                and not _label_ahead(lines, i, sc, _PREAMBLE_LABELS, 4)
            ):
                text_start = i  # `SUMMARY: …` after a TAGS line whose SUBJECT the page lost
                break
            if (
                _bare_subject(sc, s)
                and len(s) <= 250
                and (
                    _label_ahead(lines, i, sc, ("ref", "clby"), 2)
                    or (s.isupper() and _first_paragraph_next(lines, i) and not _caption_like(s))
                )
            ):
                sc.fields["subject"] = [s]  # the SUBJECT line without its label
                sc.order.append("subject")
                cur = "subject"
                i += 1
                continue
            # After E.O./TAGS but before SUBJECT: a stray caption-like line.
            rest = split_caption(s, sc.handling)
            if rest:
                sc.captions.append(rest)
            cur = None
            i += 1
            continue
        # Text before the first label on the line.
        pre = s[: labels[0][1]].strip()
        if pre:
            if _bare_subject(sc, pre) and len(pre) <= 250:
                sc.fields["subject"] = [pre]  # `…OUTSIDE OF POLITICS REF: A. …`
                sc.order.append("subject")
                cur = "subject"
            elif cur in _TEXT_FIELDS and cur in sc.fields:
                sc.fields[cur].append(pre)
            elif not seen_label:
                rest = split_caption(pre, sc.handling)
                if rest:
                    sc.captions.append(rest)
            else:
                split_caption(pre, sc.handling)
        for k, (name, _a, b) in enumerate(labels):
            end = labels[k + 1][1] if k + 1 < len(labels) else len(s)
            value = s[b:end].strip()
            if name in sc.fields:
                if name == "ref" and cur == "ref":
                    sc.fields["ref"].append(value)  # `REF A … REF B …`
                elif name == "clby" and cur == "clby" and not value:
                    pass  # doubled label
                elif (
                    name == "clby"
                    and cur == "clby"
                    and len(sc.fields["clby"]) == 1
                    and not (sc.fields["clby"][0])
                ):
                    sc.fields["clby"][0] = value
                elif name == "clby" and _ref_list_statement(sc.fields["clby"]):
                    sc.fields["clby"] = [value]  # the first label held a REF list
                else:
                    cur = "skip"  # a repeated preamble: the first one counts
                    continue
            else:
                sc.fields[name] = [value]
                sc.order.append(name)
            cur = name
        seen_label = True
        i += 1
        if glued is not None:
            text_start = i
            break
    if not seen_label and first_caption >= 0 and i >= len(lines) and _prose(sc.captions):
        # no label and no numbered paragraph to the end: there is no preamble, and the
        # lines read as captions are the text (an unnumbered old cable, a text fragment);
        # routing lines alone (`STATE FOR EUR/RPM`, a page cut short) stay captions
        sc.captions.clear()
        text_start = first_caption
    return sc, text_start


# A page that broke the label over a blank line: `SUBJECT: … IN LIBYA CLASSIFIED` ⏎⏎ `BY: Gene …`.
_CLBY_HALF = re.compile(r"\s*\bCLASSIFIED$", re.I)
_BY_HALF = re.compile(r"BY\s*:", re.I)


def _rejoined_clby_label(pieces: list[str], s: str) -> str:
    """`s` with the `CLASSIFIED` that ends the field above moved back before its `BY:`."""
    if not pieces or not _BY_HALF.match(s):
        return s
    m = _CLBY_HALF.search(pieces[-1])
    if m is None:
        return s
    pieces[-1] = pieces[-1][: m.start()]
    return "CLASSIFIED " + s


_PREAMBLE_LABELS = ("eo", "tags", "subject", "ref", "clby")
_OLD_ORDERS = frozenset(("12356", "12065"))  # E.O.s of the old printouts' era (before 1995)
_SUMMARY_FIRST = frozenset("(Ss")  # how a summary label opens its line (cheap test first)


def _prose(captions: list[str]) -> bool:
    """Some line reads as a sentence: six words or more, at most one an office symbol, and
    no routing line (`STATE PASS TO USAID FOR …`)."""
    for c in captions:
        words = c.split()
        if len(words) >= 6 and sum("/" in w for w in words) <= 1 and not _PASSING.match(c):
            return True
    return False


# Paragraph 1 glued to the end of a one-line preamble field: a paragraph number with its
# portion mark, or a portion mark alone before prose (not a REF item's `(C) STATE 12`).
_GLUED_PARAGRAPH = re.compile(
    r"\s(?:[1-9]\d?\.\s?\((?:U|SBU|C|S|TS|[CS]//?NF|SBU//?NF)\)\s?[A-Z]"
    r"|\((?:U|SBU)\)\s+[A-Z][a-z]+\s+(?![A-Z]*\s*\d)[A-Za-z])"
)
_GLUED_MIN = 12  # so much field value before it: a portion mark leading a SUBJECT stays


# Paragraph 1 without a portion mark glued after a REF's serial, a page marker between them
# perhaps: `REF: B. BRASILIA 1544 1. Summary. The …`, `09 State 124006  LONDON 00000092
# 001.3 OF 012   1.  In response to reftel, …` (prose after the number: not a numbered item).
_GLUED_NUMBERED = re.compile(
    r"(?<=\d)\s+(?:[A-Za-z .]{2,20}\d{8}\s+\d{3}(?:\.\d)?\s+OF\s+\d{3}\s+)?"
    r"(?P<at>1\.\s*[A-Z][a-z]+(?:[.:]\s|,?\s+[a-z]))"
)


_REF_SPAN = 600  # the text run on after a one-line REF is looked for this far into its value
# Paragraph 1's number and mark (`1. (SBU)`) where a REF line runs on into the text.
_NUMBER_MARK = re.compile(r"[1-9]\.[ \t]*\(")


def _numbered_run_on(s: str, start: int) -> int | None:
    """Where a short REF line runs on into paragraph 1's number and portion mark, or None (a
    mark alone or a sentence after a serial is left to the REF reader, which cuts it)."""
    if "(" not in s:
        return None
    at = refs.run_on_at(s, start)
    if at is None or _NUMBER_MARK.match(s, at) is None or _SBU_LINE.search(s, at):
        return None
    return at


def _glued_paragraph(s: str, labels: list[tuple[str, int, int]]) -> int | None:
    """Where paragraph 1 starts inside a field's value, or None."""
    if "(" in s:
        for m in _GLUED_PARAGRAPH.finditer(s, labels[0][2]):
            value_start = max(b for _n, a, b in labels if a <= m.start())
            if m.start() - value_start >= _GLUED_MIN:
                return m.start() + 1
    ref = next((lb for lb in labels if lb[0] == "ref"), None)
    if ref is not None and "1." in s:
        for m in _GLUED_NUMBERED.finditer(s, labels[0][2]):
            at = m.start("at")
            name, _a, value_start = max((lb for lb in labels if lb[1] <= at), key=lambda lb: lb[1])
            if name == "ref" and at - value_start >= _GLUED_MIN:
                return at
    if ref is not None:  # the text after an item (`REF: STATE 102414 We delivered points …`)
        end = next((a for _n, a, _b in labels if a > ref[1]), len(s))
        at = refs.run_on_at(s[: min(end, ref[2] + _REF_SPAN)], ref[2])
        if at is not None:
            return at
    return None


# A correction note naming the label (`CORRECTED COPY - CLASSIFIED BY LINE ADDED`,
# `(ADD "CLASSIFIED BY" LINE`): not a statement.
_NOTE_AFTER = re.compile(r"""[\s"')]*LINE\b""", re.IGNORECASE)
_NOTE_BEFORE = re.compile(r"""\bADD(?:ED|ING)?\s*["(]*\s*$""", re.IGNORECASE)


def _correction_note(s: str, label: tuple[str, int, int]) -> bool:
    _name, a, b = label
    return bool(_NOTE_AFTER.match(s, b) or _NOTE_BEFORE.search(s[:a]))


_CABLE_CITE = re.compile(r"\b[A-Z]{3,}(?:\s[A-Z]+)?\s+\d{2,6}\b")


def _ref_list_statement(pieces: list[str]) -> bool:
    """`Classified By: ADANA 222` ⏎ `ANKARA 6772`: cable numbers and no reason, no name."""
    joined = " ".join(pieces)
    return bool(_CABLE_CITE.search(joined)) and not reasons_from_text(joined)


def _keep_labels(
    labels: list[tuple[str, int, int]], sc: _Scan, cur: str | None
) -> list[tuple[str, int, int]]:
    """Drop inline labels of a field that is already filled (`SUBJECT: NEW E.O. 13224 …`):
    only a label at the start of a line may begin a repeated preamble.  Kept: `REF A …
    REF B …` inside the REF field and a doubled `Classified By: Classified by`."""
    if not labels:
        return labels
    seen = set(sc.fields)
    if cur == "clby" and labels[0][0] == "clby" and labels[0][1] > 0:
        # `… classified by Labor Officer` continuing the statement: parse_classified_by
        # reads the inner label
        labels = labels[1:]
    out: list[tuple[str, int, int]] = []
    prev = cur
    for name, a, b in labels:
        if name == "clby" and out and out[-1][0] == "clby":
            continue  # `Classified By: This message classified by …`: one statement
        if name in seen and a > 0:
            repeat_ok = (name == "ref" and prev == "ref") or (
                name == "clby" and prev == "clby" and out and out[-1][0] == "clby"
            )
            if not repeat_ok:
                continue
        seen.add(name)
        out.append((name, a, b))
        prev = name
    return out


_CLBY_REST = re.compile(
    r"^(?:(?:for\s+)?reasons?\b|\(?[a-h]\)|1\s?[.,]\s?[456]|E\.\s?O\.)", re.IGNORECASE
)
_REASON_PHRASE = re.compile(r"\breasons?\b[\s,:]*1\s?[.,:]\s?[456]", re.IGNORECASE)
_CLBY_OPEN = re.compile(r"(?:\breasons?\s*:?|,|\b1\.[456]\.?|\bfor)\s*$", re.IGNORECASE)
# A reason list cut by the wrap: it ends open (`… (b) and`, `1.5 (B) A`, `(b,`, `1.`).
_REASONS_OPEN = re.compile(
    r"(?:\ba|\ban|\band|\bor|[,&/(]|\(\s*[a-h]|\b1\s?[.,]?|\b1\.[456]\.?)\s*$", re.IGNORECASE
)
# A line that only carries the rest of a reason list (`(d).`, `ND (D).`, `and (d)`, `.`).
_REASONS_REST = re.compile(
    r"^(?:[.)]+\s*$|[.)\s]*(?:a?\s?n\s?d|or|&|,)\s*\(?\s*[a-h]\b|\(?\s*[a-h]\s*\)?[\s.,;)]*$|"
    r"\(?\s*[a-h]\s*\)?\s*(?:,|&|and\b|\())",
    re.IGNORECASE,
)
# A paragraph's opening portion mark (`(C) MEA Joint Secretary …`, `(SBU) Summary`).
_PORTION_START = re.compile(r"^\(\s*[A-Z]{1,4}(?:\s*//?\s*[A-Z ]{1,20})?\s*\)\s*[A-Z][a-z]")


def _clby_continues(pieces: list[str], s: str) -> bool:
    """Whether a line right after the Classified By statement (no blank line) continues it."""
    if len(pieces) >= 5 or len(s) > _UNWRAPPED or s.startswith("--"):
        return False
    joined = " ".join(pieces)
    if reasons_from_text(joined):
        return bool(_REASONS_OPEN.search(joined) or _REASONS_REST.match(s))
    return not _PORTION_START.match(s)


def _clby_goes_on(pieces: list[str], s: str) -> bool:
    """A Classified By statement cut by a blank line (double-spaced preambles): the next
    line carries the reason (`FOR REASONS 1.4 (B) AND (D)`) or the rest of its letters
    (`1.5 (B) A` ⏎⏎ `ND (D).`)."""
    if len(s) > _UNWRAPPED:
        return False
    joined = " ".join(pieces)
    if reasons_from_text(joined):
        return bool(_REASONS_OPEN.search(joined) and _REASONS_REST.match(s))
    return bool(
        _CLBY_REST.match(s)
        or (pieces and _CLBY_OPEN.search(pieces[-1]))
        or _REASON_PHRASE.search(s)  # `Classified By: Political Counselor` ⏎⏎ `… reasons 1.4 b`
    )


# A SUBJECT line ending like this is continued after a blank line (double-spaced bodies).
_OPEN_END = re.compile(
    r"(?:[,:/-]|\b(?:WITH|OF|AND|THE|TO|IN|ON|FOR|AT|BY|A|AN|FROM|OVER|ABOUT|AS|OR))\s*$",
    re.IGNORECASE,
)


# An addressing caption after the SUBJECT (`ALSO FOR USOECD, …`, `FOR ADMINISTRATIVE
# OFFICERS …`): it may run on for several lines before REF.
_ADDRESSING = re.compile(r"^(?:ALSO\s+)?(?:FOR|PASS)\s+[A-Z]")


def _long_caption(s: str, cur: str | None) -> bool:
    return cur == "caption" or bool(_ADDRESSING.match(s))


def _label_ahead(
    lines: list[str],
    i: int,
    sc: _Scan,
    names: tuple[str, ...] = ("ref", "clby"),
    within: int = 3,
) -> bool:
    """True when a label of `names` (REF or Classified By) not seen yet starts one of the
    next three non-blank lines (before any numbered paragraph)."""
    seen = 0
    for j in range(i + 1, min(i + 10, len(lines))):
        s = lines[j].strip()
        if not s:
            continue
        if NUMBERED_RE.match(s):
            return False
        m = _LABELS.match(s) or _START_LABELS.match(s)
        name = (m.lastgroup or "").replace("_damaged", "") if m is not None else ""
        if name in names and name not in sc.fields:
            return True
        seen += 1
        if seen >= within:
            return False
    return False


# The narrowest width telegram lines are wrapped at (they run to 60-69 characters).
_WRAP_WIDTH = 60
_SHORT_WRAP = 30  # a SUBJECT line this short was not wrapped: the SUBJECT ends with it
# Headings that open the body: never the last word of a SUBJECT.
_SECTION_WORDS = frozenset(
    {
        "COMMENT",
        "BACKGROUND",
        "INTRODUCTION",
        "OVERVIEW",
        "DISCUSSION",
        "ANALYSIS",
        "DETAILS",
        "OUTLOOK",
        "PARTICIPANTS",
        "OBJECTIVES",
        "CONCLUSION",
        "ASSESSMENT",
    }
)


def _summary_heading_starts(lines: list[str], i: int, s: str, sc: _Scan) -> bool:
    """Whether a summary heading starts the text at line `i`: the heading itself, or the rule
    above it (`--------` ⏎ `Summary`), with no label still to come below it."""
    c = s[0]
    if c in "-=_*~" and DECORATION.match(s):
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j >= len(lines) or not is_summary_heading(lines[j].strip()):
            return False
    elif not (c in "-=#SsIi(" and "ummary" in s.lower() and is_summary_heading(s)):
        return False
    return not _label_ahead(lines, i, sc, ("subject", "ref", "clby"))


# A word opening with REF that is no REF label (`REFUGEES`, `REFORM`; not `REFTEL`, `REF:`).
_REF_WORD = re.compile(r"REF(?!S\b|TELS?\b|ERENCES?\b)[A-Za-z]+\b(?!\s*[:.(])")
# Words that open a wrapped SUBJECT end and no heading.
_CONNECTIVES = frozenset(("AND", "OR", "OF", "TO", "FOR", "WITH", "IN", "ON", "AT", "BY", "FROM"))


def _orphan_word(lines: list[str], i: int, s: str, pieces: list[str]) -> bool:
    """The last word of a SUBJECT pushed past a blank line: one word in the SUBJECT's
    capitals that did not fit on its line, no sentence end before it, a blank line after it."""
    words = s.split()
    if not pieces or not s[0].isalpha() or pieces[-1].rstrip()[-1:] in ".?!)":
        return False
    if SUBJECT_STOP.match(s) or HANDLING_LINE.match(s):
        return False
    if is_summary_heading(s) or s.strip(" #-=*:").upper() in _SECTION_WORDS:
        return False  # `SUBJECT: …` ⏎⏎ `SUMMARY` ⏎⏎ (a markdown copy's `#### SUMMARY`)
    if s[:3] == "REF" and _REF_WORD.match(s) and not lines[i - 1].strip():
        # both forms put a blank line before every line opening with `REF`: a SUBJECT
        # wrapped before such a word is cut there (`… OF BANYAMULENGE` ⏎⏎ `REFUGEES FROM …`)
        return s.upper() == s or not pieces[-1].isupper()
    if 1 < len(words) <= 4 and words[0] in _CONNECTIVES and len(s) <= 40 and s.isupper():
        # a wrapped end no heading opens like (`… VIOLENCE, RESPONSIBILITY` ⏎⏎ `AND
        # FORGIVENESS`), pushed past the line's width, a blank line after it
        pushed = (len("SUBJECT: ") if len(pieces) == 1 else 0) + len(pieces[-1].rstrip())
        pushed += 1 + len(words[0])
        return pushed > _WRAP_WIDTH and (i + 1 >= len(lines) or not lines[i + 1].strip())
    if len(words) == 1 and len(s) <= 30 and s.isupper() and pieces[-1].isupper():
        # One word alone (two are a heading: `NEXT STEPS`), and only a word that did not fit
        # on the line is pushed on; one that would have fitted starts a heading.
        label = len("SUBJECT: ") if len(pieces) == 1 else 0
        pushed = label + len(pieces[-1].rstrip()) + 1 + len(words[0]) > _WRAP_WIDTH
        return pushed and (i + 1 >= len(lines) or not lines[i + 1].strip())
    # double-spaced, mixed case: a line standing alone before paragraph 1 (lines in capitals
    # there are captions: `NOT FOR INTERNET DISTRIBUTION`, a repeated banner)
    if len(words) < 3 or len(s) > 80 or s[-1:] in ".:;" or s.isupper() or pieces[-1].isupper():
        return False
    nxt = next((ln for ln in lines[i + 1 : i + 4] if ln.strip()), "")
    return bool(NUMBERED_RE.match(nxt)) and not lines[i + 1].strip()


_WORDS_RE = re.compile(r"[A-Za-z][A-Za-z'’.-]*")


def _bare_subject(sc: _Scan, s: str, words_only: bool = False) -> bool:
    """A SUBJECT written without its label right after TAGS: a line of words, not of codes
    (`DISCUSS HAITI AND OTHER ISSUES, 19 AUGUST 2005` after `TAGS: PREL MARR BR`), in
    capitals or starting with one, not a summary.  The caller also wants a REF or Classified
    By label after it.  `words_only`: only whether the line is words rather than codes."""
    if "subject" in sc.fields or not sc.order or sc.order[-1] != "tags":
        return False
    if not words_only and (not s[:1].isupper() or s.lower().startswith(("summary", "begin"))):
        return False
    if s.endswith(",") or (sc.fields["tags"] and sc.fields["tags"][-1].rstrip().endswith(",")):
        return False
    words = _WORDS_RE.findall(s)
    if len(words) < 3 or HANDLING_LINE.match(s) or _passing_line(s):
        return False
    codes = sum(1 for w in words if w.isupper() and is_code(w))
    return codes * 3 < len(words)


# Lines in capitals that address or restrict the cable rather than name its topic.
_CAPTION_LEAD = re.compile(
    r"^(?:NOT\s+FOR|FOR\s|PLEASE\s|PASS\s|EYES\s+ONLY|ATTN|ATTENTION)|\bDISTRIBUTION\b|\bINTERNET\b"
)


def _caption_like(s: str) -> bool:
    return SUBJECT_STOP.match(s) is not None or _CAPTION_LEAD.search(s) is not None


def _first_paragraph_next(lines: list[str], i: int) -> bool:
    """The next non-blank line after line i opens paragraph 1 (`1. (SBU) …`): a line in
    capitals standing alone between TAGS and it is the SUBJECT without its label."""
    for j in range(i + 1, min(i + 4, len(lines))):
        s = lines[j].strip()
        if s:
            return s.startswith("1") and NUMBERED_RE.match(s) is not None
    return False


def _text_may_start(sc: _Scan) -> bool:
    f = sc.fields
    return "subject" in f or "ref" in f or "clby" in f


_RULE = re.compile(r"^\s*[-=_]{3,}")
_HEADING_END = re.compile(r"\s+(?:Summary|SUMMARY|Introduction|INTRODUCTION|Background)\s*$")
_EO_DONE = re.compile(r"\d{1,4}[/-]\d{1,2}[/-]\d{2,4}|N/?A|OADR|\bMR\b", re.IGNORECASE)


def _continue_field(sc: _Scan, cur: str | None, s: str) -> bool:
    """Add a label-less line to the current field when it continues it."""
    if cur == "skip":
        return True
    if cur not in _TEXT_FIELDS or cur not in sc.fields:
        return False
    pieces = sc.fields[cur]
    last = pieces[-1] if pieces else ""
    if cur == "ref":
        if _text_opens(pieces, s):
            return False
        pieces.append(s)
        return True
    if len(last) > _UNWRAPPED:
        return False  # one line per paragraph: the next line is text, not a continuation
    if cur == "subject":
        if (
            len(pieces) >= 2
            and len(last) < _SHORT_WRAP
            and len(s) >= _WRAP_WIDTH - 15
            and not _OPEN_END.search(last)
        ):
            return False  # a short wrapped line ended the SUBJECT: a full line of text follows
        if SUBJECT_STOP.match(s) or len(pieces) >= 6:
            if _RULE.match(s):
                # `… in Mendoza Summary` ⏎ `--------`: the heading was put on the line
                pieces[-1] = _HEADING_END.sub("", pieces[-1])
            return False
    elif cur == "eo":
        # An E.O. value continues only when its value is still missing (`DECL:` ⏎ date).
        if _EO_DONE.search(last):
            return False
    elif (
        cur == "tags"
        and (len(pieces) >= 4 or len(s) > 90 or _bare_subject(sc, s, True))
        and not (s[:1] == "(" and is_carried_group(s))  # a person group on its own line
        and not _closes_group(last, s)  # `… SP (AL-` ⏎ `FETORY, SHEREF AKA: …)`
    ):
        return False
    pieces.append(s)
    return True


_TAGS_AGAIN = re.compile(r"\s*TAGS\s*:\s*(\S.*)")


def _repeated_tags(lines: list[str], text_start: int) -> list[str]:
    """The tags of the preamble a later section repeats (`E.O. …` ⏎ `TAGS: PGOV HR` ⏎
    `SUBJECT: …`), for a first TAGS value that gave none: an old row whose first TAGS line the
    publisher replaced with its own category (`TAGS: War Crimes`) keeps the cable's codes there."""
    for k in range(text_start, len(lines)):
        line = lines[k]
        if "TAGS" not in line[:12]:
            continue
        m = _TAGS_AGAIN.match(line)
        if m is None or not (k + 1 < len(lines) and lines[k + 1].lstrip().startswith("SUBJ")):
            continue
        if not lines[k - 1].lstrip().startswith(("E.O", "EO ")):
            continue
        tags = parse_tags(m.group(1))
        if tags:
            return tags
    return []


def _closes_group(last: str, s: str) -> bool:
    """`s` closes a bracket the line before left open: a person group cut at a line end, its
    words no SUBJECT without a label."""
    return (
        ")" in s
        and "(" in last
        and last.count("(") > last.count(")")
        and s.count(")") > s.count("(")
    )


def _finish(sc: _Scan, lines: list[str], text_start: int, st: State, raw: list[str]) -> None:
    cable = st.cable
    for word in sc.handling:
        if word not in cable.handling:
            cable.handling.append(word)
    cable.captions.extend(sc.captions)
    f = sc.fields
    if "eo" in f:
        _eo.parse_eo(" ".join(f["eo"]), st)
    else:
        st.warn("preamble.no_eo", "no E.O. line", "preamble")
    if "tags" in f:
        cable.tags = parse_tags("\n".join(f["tags"]))
        if not cable.tags:
            cable.tags = _repeated_tags(raw, text_start)
        if not cable.tags:
            st.warn("preamble.empty_tags", "TAGS label without tags", "preamble")
    if "subject" in f:
        portion, subject = parse_subject(f["subject"], old_printout=cable.eo in _OLD_ORDERS)
        cable.subject = subject
        cable.subject_portion = portion
    if "ref" in f:
        text = "\n".join(p for p in f["ref"] if p)
        if text:
            _references(text, st)
    clby = f.get("clby")
    if clby is None:
        clby = _clby_in_first_paragraph(lines, text_start)
    if clby is None and st.banner_classification not in (None, "UNCLASSIFIED"):
        clby = _clby_at_end(lines, text_start)
    if clby is not None:
        text = " ".join(clby)
        if text.strip():
            cable.classified_by, cable.classification_reasons = parse_classified_by(text)
            if not cable.classification_reasons:
                st.warn("classified_by.no_reasons", "no 1.4/1.5 reason letters", "preamble")


def _references(text: str, st: State) -> None:
    try:
        st.cable.references = refs.parse_refs(text, st.year, refs.citing_of(st))
    except Exception as exc:  # a REF bug must not lose the rest of the preamble
        st.warn("preamble.ref_error", f"{type(exc).__name__}: {exc}", "ref")


# `1. CONFIDENTIAL - ENTIRE TEXT. CLASSIFIED BY: …`, `1. ENTIRE TEXT CONFIDENTIAL. CLASSIFIED BY …`,
# `1. (C) Entire text.  Classified by …`
_PARA_CLBY = re.compile(
    r"""^\s*\d{1,3}\.\s*(?:\(\s*[A-Za-z/ ]{1,10}\)\s*)?
    (?:(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED\s+OFFICIAL\s+USE)\s*[-:.]*\s*(?:ENTIRE\s+TEXT\.?\s*)?
      |ENTIRE\s+TEXT\s*(?:IS\s+)?(?:(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED\s+OFFICIAL\s+USE)\s*)?[-:.]*\s*)?
    (Class[a-z]{2,4}d\s+By\b.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
# A statement on a line of its own: `(U) CLASSIFIED BY …`, `Classified By: …`.
_LINE_CLBY = re.compile(r"^\s*(?:\(\s*U\s*\)\s*)?(Classified\s+By\b.*)$", re.IGNORECASE)
_TAIL_LINES = 15  # DoD-style cables state it at the end: `CLASSIFIED BY: COL …` ⏎ `REASON: …`


def _statement_lines(lines: list[str], k: int, first: str) -> list[str]:
    out = [first]
    for j in range(k + 1, min(k + 5, len(lines))):
        s = lines[j].strip()
        if not s or NUMBERED_RE.match(s):
            break
        out.append(s)
    return out


def _clby_at_end(lines: list[str], at: int) -> list[str] | None:
    """`CLASSIFIED BY: …` with its colon on a line of its own among the last lines."""
    for k in range(max(at, len(lines) - _TAIL_LINES), len(lines)):
        m = _LINE_CLBY.match(lines[k])
        if m is not None and ":" in m.group(1)[:16]:
            return _statement_lines(lines, k, m.group(1))
    return None


def _clby_in_first_paragraph(lines: list[str], at: int) -> list[str] | None:
    """Old cables state `1. CLASSIFIED BY … REASON: 1.5(B)(D).` as paragraph 1 (sometimes 2
    or 3, after an action note); read it without consuming the paragraph."""
    # Either regex needs `Class…` (any case): when the 40 lines hold no `class`, none matches
    # (for ASCII text: other letters may match `s` or `a` without their case).
    window = "\n".join(lines[at : at + 40])
    if window.isascii() and "class" not in window.lower():
        return None
    seen = 0
    for k in range(at, min(at + 40, len(lines))):
        if not NUMBERED_RE.match(lines[k]):
            if seen == 0 and _LINE_CLBY.match(lines[k]):
                # a statement among unnumbered lines before paragraph 1 (after an INR
                # note, or in a quoted repeat's preamble)
                return _statement_lines(lines, k, _LINE_CLBY.match(lines[k]).group(1))
            continue
        m = _PARA_CLBY.match(lines[k])
        if m is not None:
            out = [m.group(1)]
            for j in range(k + 1, min(k + 5, len(lines))):
                s = lines[j].strip()
                if not s or NUMBERED_RE.match(s):
                    break
                out.append(s)
            return out
        seen += 1
        if seen >= 3:
            break
    return None


# PORTION_RE is re-exported for the paragraphs rule's convenience.
__all__ += ["PORTION_RE"]
