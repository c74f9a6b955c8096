"""REF block (FORMAT.md §4.6): items, their kinds, and canonical cable ids.

The block is split into lettered items by following the letter sequence (A, B, C ... or
1, 2, 3 ...): a candidate marker only counts when it carries the next expected letter, so an
initial in a name or a portion mark `(C)` is not taken for an item.  Inside each item every
`[YY|YYYY] POST NUMBER` whose post resolves through the post table is one cable reference; the
text around it (notes such as `(NOTAL)`, `AND PREVIOUS`) stays with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cablebase.grammar.state import State
from cablebase.ids import (
    KNOWN_IDS,
    KnownIds,
    canonicalize_id,
    country_posts,
    family,
    fuzzy_post,
    is_country_key,
    parse_reference_id,
    post_alias,
    resolve_post,
    serial_top,
    spelling_for,
    twin_spelling,
    well_spelt,
    year_from_yy,
    year_of_reference,
)
from cablebase.record import Reference


@dataclass(slots=True)
class Citing:
    """What is known of the cable whose REF block is read: it settles the year of items written
    without one (`TRIPOLI 1033` cited in January 2008 by TRIPOLI 870 is 07TRIPOLI1033) and tells
    the cable's own page markers (`TRIPOLI 00000870`) from references."""

    year: int | None = None
    month: int | None = None
    post: str | None = None  # reference-id spelling (TRIPOLI)
    serial: int | None = None
    known: KnownIds | None = None  # exact ids when available (the Cablegate list)
    # Settle years against `known` too (ids.year_of_reference): on for a cable being parsed
    # (citing_of), where the citing month is known.  The spelling of a post with several
    # spellings (TAIPEI / AITTAIPEI) is always checked against `known`.
    exact_years: bool = False


# -- clean-up ----------------------------------------------------------------------------------

_PAGE_MARKER_LINE = re.compile(
    r"^[ \t]*[A-Za-z .]{2,20}\d{8}[ \t]+\d{3}(?:\.\d)?[ \t]+(?:OF|of)[ \t]+\d{3}[ \t]*$", re.M
)
_PAGE_MARKER_INLINE = re.compile(
    r"\b[A-Za-z .]{2,20}\d{8}\s+\d{3}(?:\.\d{1,2})?[ \t]+(?:OF|of)[ \t]+\d{3}\b"
)
_EIGHT_DIGITS = re.compile(r"\d\d{7}")  # (a `\d` first, not a repeat: a fast scan)
# An old printout's page header, `PAGE 02 ROME 01196 01 OF 02 082030Z`, alone on its line or
# with the next item after it; a classification word alone on the line before it.
_OLD_PAGE = re.compile(
    r"(?:^[ \t]*(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)[ \t]*\n)?"
    r"[ \t]*\bPAGE[ \t]+\d{2,3}[ \t]+[A-Z][A-Z .]{1,24}?[ \t]+\d{3,6}"
    r"(?:[ \t]+\d{2}[ \t]+OF[ \t]+\d{2})?(?:[ \t]+\d{6}Z)?",
    re.M,
)
_OLD_PAGE_LINE = re.compile(r"^[ \t]*PAGE \d{2} .*$", re.M)
# OCR swaps: a zero inside or ending a word (SANTIAG0, COTON0U), a letter O opening or inside
# a number (O4 CHENNAI, LAGOS O1512).
# One pass, each branch opening with its character so the scan skips other positions.
_OCR = re.compile(
    r"0(?:(?<=[A-Za-z]0)(?=[A-Za-z])|(?<=[A-Za-z]{4}0)\b)|O(?:(?<!\wO)|(?<=\dO))(?=\d)"
)


def _ocr_swap(m: re.Match[str]) -> str:
    return "O" if m.group() == "0" else "0"


# `10-OTTAWA-57`: year, post and serial joined by dashes.
_COLON_GLUED = re.compile(r":(?<=[A-Za-z]:)(?=\d)")  # (the colon first: a fast scan)
_DASHED_ID = re.compile(r"\b(\d{2})-([A-Za-z]{3,}(?:[ .][A-Za-z]{2,}){0,2})-(\d{1,7})\b")
# The REF line run on into the text after an item's serial or date: a portion mark (perhaps
# with paragraph 1's number) before words that cite no cable (`STATE 93894 (U) Costa Rican
# Foreign Minister …`, `SECSTATE 89241 (U)  1.  Poloff …`), or a sentence (`SECSTATE 102414
# We delivered points …`, `E-MAIL 11/21/2007 Per reftel, Post requests …`).
_SENTENCE_START = r"[A-Z][A-Za-z]*,?[ \t]+(?:[A-Za-z]+,?[ \t]+){0,2}[a-z]+[ \t,]"
_RUN_ON = re.compile(rf"\d(?:[ \t]+(?={_SENTENCE_START})|[ \t\n]+(?=(?:[1-9]\.[ \t]*)?\())")
_SENTENCE_OPENS = re.compile(_SENTENCE_START)
_MARK_OPENING = re.compile(
    r"(?:[1-9]\.\s*)?\(\s*(?P<mark>U|C|S|TS|SBU|LOU|[CSU]\s*//?\s*(?:NF|FOUO)|SBU\s*//?\s*NF)\s*\)"
    r"(?:\s+[1-9]\.(?=\s))?\s*",
    re.I,
)
_SENTENCE_WORDS = 6  # a sentence: a capitalised word, then 3 lower-case words among the next 5
_CLASSIFIED_BY = re.compile(r"\bClassified\s+By\b", re.I)
_SBU_NOTICE = re.compile(
    r"(?:\(\s*(?:U|SBU)\s*\)\s*)?(?:\bThis\s+(?:message|cable|telegram)\s+is\s+)?"
    r"\bSensitive\s*,?\s*but\s+Unclassif",
    re.I,
)
# A copy of the cable's own head or a metadata dump run on after the REF items: a spaced
# classification banner, SIPDIS, an E.O. line, an `id: 109673` line.
_DUMP = re.compile(
    r"(?:\b[A-Za-z] ){5,}[A-Za-z]\b|\bSIPDIS\b|\bE\.\s?O\.\s?1[23]\d{3}\b|^[ \t]*id:[ \t]*\d+[ \t]*$",
    re.M,
)
_DASH_LEAD = re.compile(r"^[ \t]*-+(?=[ \t]|$)", re.M)  # old printout continuation dashes
# A repeated label: at the start of a line, or between a letter and its item (A. REF: X).
_LABEL_AGAIN = re.compile(
    r"(?=[ \t]*R)(?:^|(?<=[.):]\s)|(?<=[.):]))[ \t]*(?:REF(?:S|TELS?|ERENCES?)?|Refs?|Reftels?)\b[ \t]*[:.]?",
    re.M,
)
# `REF A: ...  REF B: ...`: the label written before each letter.
_LABEL_BEFORE_LETTER = re.compile(r"\bREF(?:S|TEL)?[ \t]+(?=\(?[A-Za-z][.):]?\)?\s)")

# -- item markers ------------------------------------------------------------------------------

_MARK_SHAPES = (
    r"(?:^|(?<=[\s;,]))"
    r"(?:\( ?(?P<p>[A-Za-z]|\d{1,2}) ?\)(?=\s|[A-Za-z0-9])"
    r"|\[ ?(?P<k>[A-Za-z]) ?\](?=\s|[A-Za-z0-9])"
    r"|(?P<d>[A-Za-z]|\d{1,2})(?P<dp>\.\)|[.)])(?=\s|[A-Z(]|\d(?!\d*\.\d))"
    r"|(?P<c>[A-Za-z]):(?=\s)"
)
# a bare capital before a cable, `REF A WELLINGTON 721 B STATE 5`
_MARK = re.compile(
    _MARK_SHAPES
    + r"|(?P<b>[A-Z])(?=[ \t]+(?:\d{2,4}[ \t]+)?[A-Z]{2,}(?:[ \t][A-Z]+){0,2}[ \t]+\d))",
    re.M,
)
# Blocks whose first letter stands bare (`A - Kabul 28`, `A 03 Sanaa 2776`, `A SECRETARY'S
# LETTER …`) are read with more shapes; a separate regex, as they cost on every block.
_MARK_BARE = re.compile(
    _MARK_SHAPES + r"|(?P<h>[A-Z])[ \t]+-(?=[ \t]+\S)"  # `A - Kabul 28`
    # a bare capital before a cable, the post in mixed case too
    r"|(?P<b>[A-Z])(?=[ \t]+(?:\d{2,4}[ \t]+)?[A-Z][A-Za-z]+(?:[ \t][A-Z][A-Za-z]+){0,2}[ \t]+\d)"
    # a bare capital opening a line before a word (`REF A SECRETARY'S LETTER …` ⏎ `REF B …`,
    # the labels removed): an item only in a block of two such lines or more
    r"|(?<![^\n])[ \t]*(?P<l>[A-Z])(?=[ \t]+[A-Z][A-Za-z'’.-]*[ \t]))",
    re.M,
)
_REDACTED = re.compile(r"X{4,}", re.I)
_PORTION = re.compile(r"^\((?:U|C|S|TS|SBU|CUI)(?:\s*//?\s*[A-Z]{1,6})*\)\s*")
_WORD_AFTER = re.compile(r"\s*([A-Za-z][A-Za-z.'-]*(?:\s+[A-Za-z][A-Za-z.'-]*){0,3})")

# -- cables ------------------------------------------------------------------------------------

# A serial: digits not glued to letters, slashes, dashes or decimals (dates, 1.4, A-077).
# Serials listed with slashes, `KABUL 692/317/274`, count (3 digits or more on both sides, so
# dates such as 05/11/07 do not).
# (`(?=\d)` first: a position without a digit fails at once, before the three lookbehinds)
_NUMBER = re.compile(
    r"(?=\d)(?<![\d.,:-])(?<!(?<!\d{3})/)(?<![A-Za-z]\d)(0*\d{1,7})"
    r"(?!\w|/(?!\d{2}(?![\d/])|\d{3,7}(?!\d))|-(?!(?:19|20)?\d{2}(?![\d/-])|\d{3,7}\b)|[.:,]\d)"
)
# A run of serials written as a range, `NEW DELHI 6773-6779`: every serial from the first to the
# last (at most _RANGE_MAX after it; a year after the dash, `CARACAS 3161-2003`, is read first).
# The last serial may be written by its last digits only (`NEW DELHI 6773-79`: 6773 to 6779).
_RANGE_TAIL = re.compile(r"[ \t]*-[ \t]*0*(\d{2,7})\b(?![/-]\d)")
_RANGE_MAX = 20
# A range whose last serial is written by two digits is a short run (`6773-79`); two digits
# further on than this are a year (`QUITO 1973-91`, like `QUITO 4525-91`).
_SHORT_RANGE_MAX = 9
# PANAMA 00933/08, QUITO 4525-91, CARACAS 3161-2003 (never `/2015`: a slash lists serials)
_SLASH_YEAR = re.compile(r"(?:/|-(?:19|20)?)(\d{2})\b(?![/-]\d)")
# Up to four words ending a text, matched on the reversed text (an anchored match instead of
# a `…$` search that retries at every position).
_WORDS_TAIL_REV = re.compile(r"[ \t\n]*[A-Za-z.'-]*[A-Za-z](?:[ \t\n]+[A-Za-z.'-]*[A-Za-z]){0,3}")
_MORE_NUMBERS = re.compile(r"\s+\d{3}\s+\d{4}\b")
_SERIAL_AFTER_YEAR = re.compile(r"\)?[ \t]+(\d{3,7})(?![\w/]|[.:,-]\d)")  # STATE (01) 201265
_CONTINUE = re.compile(r"\s*(?:,|/|&|\bAND\b|\band\b)\s*")
_NON_LETTER = re.compile(r"[^A-Za-z][^A-Za-z]*")  # (a class first: a fast scan)
# A year before the post: `08 BAMAKO`, `2008 BAMAKO`, `(99) ROME`, `'08 STATE`.
_YEAR_TAIL = re.compile(r"(?:^|(?<=[\s(;,:']))((?:19|20)\d{2}|\d{2})\)?[ \t\n]*$")
# Between a post and its serial: `STATE: 73097`, `BAGHDAD #3565`, `KUWAIT (C)02293`,
# `STATE (01) 201265`, `COLOMBO CABLES 0266` (matched on the reversed text).
_POST_GAP_REV = re.compile(
    r"[ \t]*(?:\)(?:U|C|S|UBS)\([ \t]*|[:#(,][ \t]*|S?ELBAC[ \t]+|XWT[ \t]+)?"  # also `PRAGUE, 1228`
)
# An item that is a serial alone (`B. 2962 AND PREVIOUS`), or a serial before its post.
_BARE_SERIAL = re.compile(
    r"^(?:((?:19|20)?\d{2})\s+)?0*(\d{3,7})(?:\s+AND\s+PREVIOUS|\s*\(NOTAL\))*\s*\.?$", re.I
)
# An item that is one reference id written whole (`08HALIF1234`, `2008HALIF1234`), notes after.
_GLUED_ID = re.compile(
    r"^(?:19|20)?(\d{2}[A-Za-z][A-Za-z'-]{1,30}?\d{1,7})(?:\s+AND\s+PREVIOUS|\s*\(NOTAL\))*\s*\.?$",
    re.I,
)
_POST_AFTER = re.compile(r"^0*(\d{3,7})\s+([A-Za-z][A-Za-z '-]{2,30}?)\s*\.?$")
_SPACE_YEAR = re.compile(r"[ \t]+(\d{2})(?=[ \t]*(?:[,;]|$))")
# The cable's date written after its serial gives its year: `TEGUCIGALPA 02487 JUL 00`,
# `USDOC 18479, DATED 9/17/92` (a day after the month, `MAY 15, 2008`, is no year).
_DATE_AFTER = re.compile(
    r"(?:[ \t\n]+(?:JAN|FEB|MAR|APR|MAY|JUNE?|JULY?|AUG|SEPT?|OCT|NOV|DEC)[A-Z]*\.?[ \t\n]+"
    r"|,?[ \t\n]+DATED[ \t\n]+\d{1,2}/\d{1,2}/"
    r"|,?[ \t\n]+DATED[ \t\n]+\d{6}Z?[ \t]?(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[ \t]?)"
    r"((?:19|20)?\d{2})\b(?![/.,:-]?[ \t]*\d)",
    re.I,
)
_YEAR_AFTER = re.compile(r"\s*\(((?:19|20)?\d{2})\)")
_MONTH_AFTER = re.compile(
    r"\s*(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|SEPT|OCT|NOV|DEC)[A-Z]*\b", re.I
)
# Words that never name a post, though a prefix match might think so (PARA -> PARAMARIBO).
_NOT_POST_WORDS = (
    "PARA PARAS PARAGRAPH PAGE PAGES ITEM TAB ANNEX SECTION NO NUMBER NR OF AND OR REF REFS "
    "REFTEL MSG DTG IIR TD FAM FAH CFR USC SEPTEL EMAIL MEMO LETTER TELCON NOTE POINTS CABLE "
    "CABLES TELEGRAM AIRGRAM DATED JANUARY FEBRUARY MARCH APRIL MAY JUNE JULY AUGUST "
    "SEPTEMBER OCTOBER NOVEMBER DECEMBER JAN FEB MAR APR JUN JUL AUG SEP SEPT OCT NOV DEC "
)
_NOT_POST = frozenset(_NOT_POST_WORDS.split())
# An item that opens with its date (`C) JULY 9 … CONFERENCE CALL`, `B. Sept. 4 email`).
_DATE_START = re.compile(
    r"(?:JAN|FEB|MAR|APR|MAY|JUNE?|JULY?|AUG|SEPT?|OCT|NOV|DEC)[A-Z]*\.?[ \t\n]+\d{1,2}\b", re.I
)
_NOTE = re.compile(
    r"^(?:AND\s+)?(?:PREVIOUS|PREVIOUSLY|PREV|NOTAL|ALL\s+NOTAL|EXDIS|NODIS|LIMDIS|STADIS)\b"
    r"|^\(",
    re.I,
)
_SENTENCE_END = re.compile(r"\.\s+[A-Z][A-Za-z]")
_SEP = re.compile(r"[;:,]|\bAND\b|\bALSO\b", re.I)
_TRAIL_CHARS = " \t\n\r\f\v;,:"
_LEAD = re.compile(r"^[\s;,:]+")

# -- kinds -------------------------------------------------------------------------------------

# One `\b` in front of each alternation: the engine then tests the boundary once per position.
_EMAIL = re.compile(r"(?=E)\b(?:E-?\s?MAILS?\b|EMAIL)", re.I)
_TELCON = re.compile(
    r"(?=[TPSVDC])\b(?:TELE?CONS?|TELE?PHONE|PHONE|PHONECON|S?VTCS?|DVCS?|CONFERENCE CALL|CALLS?|"
    r"CONVERSATION)\b",
    re.I,
)
_REPORT = re.compile(
    r"(?=[ITFORSCDN])\b(?:(?:IIRS?|TD-?\s?314|TD|FBIS|OSC|INTSUM|REPORTS?|SITREP|CIR|DIA|NSA|INR|TDX?-?\s?31[45])\b"
    r"|CIA)|^31[45]/\d",
    re.I,
)
_DTG = re.compile(r"\b(?:DTG|\d{6}\s?Z\b)", re.I)
_MEMO = re.compile(
    r"\b(?:MEMO(?:RANDUM|S)?|LETTERS?|NON-?\s?PAPERS?|POINTS|DIP(?:LOMATIC)?\.?\s+NOTES?|"
    r"NOTE\s+VERBALE|AIDE[- ]MEMOIRE|FAX)\b",
    re.I,
)
# An item that is only `[YY] WORDS NUMBER [(note)]`: a cable, even when the post is unknown.
_CABLE_LIKE = re.compile(
    r"^(?:(?P<y>(?:19|20)?\d{2})\s+)?(?P<p>[A-Za-z]{3,}(?:\s[A-Za-z]{2,}){0,2})\s+(?P<n>0*\d{2,7})"
    r"(?:\s*\([^)]*\)|\s+AND\s+PREVIOUS|\s+NOTAL)*\s*$",
    re.I,
)


def _strip_trail(s: str) -> str:
    """Drop trailing separators, dashes after a space and a final word AND/and (a loop of
    `str` tests: the equivalent `(...)+$` regex retries at every position)."""
    while True:
        t = s.rstrip(_TRAIL_CHARS)
        if t.endswith("-"):
            u = t.rstrip("-")
            if u and u[-1].isspace():
                t = u
        if t.endswith(("AND", "and")) and (len(t) == 3 or not (t[-4].isalnum() or t[-4] == "_")):
            t = t[:-3]
        if t == s:
            return s
        s = t


# Key text each kind regex needs (upper case): the regex only runs when one is there.
_EMAIL_KEYS = ("MAIL",)
_TELCON_KEYS = ("TELCON", "TECON", "TELECON", "PHONE", "VTC", "DVC", "CALL", "CONVERSATION")
_REPORT_KEYS = (
    "IIR",
    "TD",
    "FBIS",
    "OSC",
    "INTSUM",
    "REPORT",
    "SITREP",
    "CIR",
    "DIA",
    "NSA",
    "INR",
    "CIA",
    "31",
)
_DTG_KEYS = ("DTG", "Z")
_MEMO_KEYS = ("MEMO", "LETTER", "PAPER", "POINTS", "NOTE", "AIDE", "FAX")


def _has(upper: str, keys: tuple[str, ...]) -> bool:
    return any(k in upper for k in keys)


def _kind(text: str) -> str:
    u = text.upper()
    if _has(u, _EMAIL_KEYS) and _EMAIL.search(text):
        return "email"
    if _has(u, _TELCON_KEYS) and _TELCON.search(text):
        return "telcon"
    if _has(u, _REPORT_KEYS) and _REPORT.search(text):
        return "report"
    if _has(u, _DTG_KEYS) and _DTG.search(text):
        return "dtg"
    if _has(u, _MEMO_KEYS) and _MEMO.search(text):
        return "memo"
    m = _CABLE_LIKE.match(text)
    if (
        m
        and (m.group("p").isupper() or fuzzy_post(m.group("p")) is not None)
        and not any(w.upper() in _NOT_POST for w in m.group("p").split())
    ):
        return "cable"  # a message of another agency (USDOC 02142): a cable without an id
    return "other"


def _join(text: str) -> str:
    """Lines joined with single spaces, ends trimmed."""
    return " ".join(part.strip() for part in text.split("\n") if part.strip())


# -- markers -----------------------------------------------------------------------------------


def _next_label(label: str) -> str:
    if label.isdigit():
        return str(int(label) + 1)
    return chr(ord(label) + 1)


def _starts_item(text: str, pos: int) -> bool:
    """Whether the text after a marker looks like the start of an item (for markers glued to a
    word in running text, where `B.` could be an initial)."""
    rest = text[pos : pos + 60].lstrip()
    if not rest:
        return False
    if rest[0].isdigit() or rest[0] == "(":
        return True
    if _REDACTED.match(rest) or _EMAIL.match(rest) or _TELCON.match(rest):
        return True
    if _DATE_START.match(rest):
        return True
    m = _WORD_AFTER.match(rest)
    if m:
        words = m.group(1).split()
        for k in range(len(words), 0, -1):
            if resolve_post(" ".join(words[:k])) is not None:
                return True
    return False


_OPENINGS = {"A": ("A", "a", "1"), "B": ("B", "b", "2")}


def _find_markers(text: str, opening: str = "A") -> list[tuple[int, int, str]]:
    """(start, end, label) of the accepted item markers, inner letter kept for doubled ones.
    The first marker opens the text and carries `opening` (A, or 1 for numbered items; B
    after an unlettered first item whose letter stood before the label)."""
    cands = []
    first = text.lstrip()[:2]  # (string tests: a regex call costs more than the test)
    bare = len(first) == 2 and first[0].isupper() and first[1] in " \t"
    for m in (_MARK_BARE if bare else _MARK).finditer(text):
        label = (
            m.group("p")
            or m.group("k")
            or m.group("d")
            or m.group("c")
            or m.group("b")
            or (bare and (m.group("h") or m.group("l")))
        )
        cands.append((m.start(), m.end(), label, m))
    if not cands:
        return []
    # The first item must open the block (only white space before it).
    first = cands[0]
    if text[: first[0]].strip() or first[2] not in _OPENINGS[opening]:
        return []
    lower = first[2].islower()
    out: list[tuple[int, int, str]] = []
    expected = first[2]
    bare_lines = 0  # markers that are a bare letter opening a line
    i = 0
    while i < len(cands):
        start, end, label, m = cands[i]
        if bare and (m.group("l") or m.group("h")) and label != expected:
            i += 1  # weak shapes count only in sequence: never a repeat or a skipped letter
            continue
        if label.isalpha() and label.islower() != lower:
            # `a) ... b) ..., C) ...`: a change of case only after a separator or at a line start
            if label.upper() != expected.upper() or not _after_separator(text, start):
                i += 1
                continue
            label = expected
        again = bool(out) and label.upper() == out[-1][2] and _opens_line(text, start)
        if label != expected and not again and not _gap_ok(text, start, label, expected, out):
            i += 1
            continue
        if out and not text[out[-1][1] : start].strip():
            i += 1  # an item is never empty: `B. (C) STATE 1` has a portion mark, not item C
            continue
        if out and start > 0 and not _marker_ok(text, start, end):
            i += 1
            continue
        # Doubled letter (A. A) X, A. (A) X, A. A: X): keep the inner one.
        j = i + 1
        while (
            j < len(cands)
            and cands[j][2].upper() == label.upper()
            and not text[end : cands[j][0]].strip()
        ):
            end = cands[j][1]
            j += 1
        out.append((start, end, label.upper()))
        bare_lines += bare and m.group("l") is not None
        expected = _next_label(label)
        i = j
    if bare_lines and len(out) < 2:
        return []  # one line opening with a capital (`A LETTER FROM …`) is no list
    return out


def _opens_line(text: str, start: int) -> bool:
    """`A) X B) EMAIL ⏎ B) TALLINN 347`: a letter repeated at a line start is another item."""
    return not text[text.rfind("\n", 0, start) + 1 : start].strip()


def _after_separator(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return (
        not before
        or before[-1] in "\n,;)"
        or not text[text.rfind("\n", 0, start) + 1 : start].strip()
    )


def _gap_ok(text: str, start: int, label: str, expected: str, out: list) -> bool:
    """A skipped letter (A, B, D) is accepted only for a marker opening a line."""
    if not out or label.isdigit() != expected.isdigit():
        return False
    if label.isdigit():
        gap = int(label) - int(expected)
    else:
        gap = ord(label.upper()) - ord(expected.upper())
    if not 1 <= gap <= 2:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    # the previous item must have ended on an earlier line
    return not text[line_start:start].strip() and "\n" in text[out[-1][0] : start]


def _marker_ok(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    if not before.strip():
        return True  # at the start of a line
    prev = before.rstrip()[-1]
    if not prev.isalpha() and prev not in ".":
        return True  # after a number, a parenthesis or a separator
    if before.endswith("  "):
        return True  # a column gap in one-line lists
    return _starts_item(text, end)


# -- cables in an item -------------------------------------------------------------------------


def _cables(s: str) -> list[tuple[int, int, str | None, str, str, int | str | None]]:
    """(start, end, year-as-written, post-as-written, number, year-after) for each cable.

    `year-after` is a year written after the number, `HANOI 3601 (1999)`.  A bare number after a
    cable (`RANGOON 575 AND 578`, `TORONTO 1210, 1226`) is another cable of the same post."""
    out: list[tuple[int, int, str | None, str, str, int | str | None]] = []
    for m in _NUMBER.finditer(s):
        a, b = m.span(1)
        if int(m.group(1)) <= 31 and _MONTH_AFTER.match(s, b):
            continue  # `17 MARCH 85`: a date, not a serial
        if (
            out
            and a >= out[-1][1]
            and _CONTINUE.fullmatch(s, out[-1][1], a)
            and not _post_follows(s, b)
        ):
            prev = out[-1]
            paren = _YEAR_AFTER.match(s, b)  # `0266 AND 02259 (2002)`
            if paren is not None:
                out.append((a, paren.end(), prev[2], prev[3], m.group(1), paren.group(1)))
            else:
                out.append((a, b, prev[2], prev[3], m.group(1), prev[5]))
            continue
        if _MORE_NUMBERS.match(s, b):
            continue  # an intelligence report number, `SOFIA 6 811 0045 05`
        hit = _post_before(s, a)
        if hit is None:
            continue
        post_start, name = hit
        number = m.group(1)
        late = _SERIAL_AFTER_YEAR.match(s, b) if len(number) == 2 else None
        if late is not None:  # `BOGOTA 04 12603`: the year written after the post
            out.append((post_start, late.end(1), number, name, late.group(1), None))
            continue
        year = None
        start = post_start
        lo = max(0, post_start - 8)
        ym = _YEAR_TAIL.search(s[lo:post_start])
        if ym is not None:
            year = ym.group(1)
            start = lo + ym.start(1)
        if out and start < out[-1][1]:
            continue
        paren = _YEAR_AFTER.match(s, b) or _SLASH_YEAR.match(s, b)
        if paren is None and len(number) >= 5:  # `AMMAN 07718 99, AMMAN 05986 00`
            paren = _SPACE_YEAR.match(s, b)
        if paren is None:
            paren = _DATE_AFTER.match(s, b)
        yafter = paren.group(1) if paren else None
        end = paren.end() if paren else b
        run = _RANGE_TAIL.match(s, b) if "-" in s[b : b + 3] else None
        last = _range_last(number, run.group(1)) if run is not None else 0
        if run is not None and (paren is None or len(run.group(1)) == 2) and last:
            # the range's first cable carries the text as written, the others their serials
            out.append((start, run.end(), year, name, number, None))
            for k in range(int(number) + 1, last + 1):
                out.append((run.end(), run.end(), year, name, str(k), None))
            continue
        out.append((start, end, year, name, number, yafter))
    return out


def _range_last(number: str, tail: str) -> int:
    """The last serial of a range `number`-`tail`, or 0 when it is none: after the first, at most
    _RANGE_MAX on.  A tail shorter than the serial gives its last digits (`6773-79` → 6779); a
    two-digit tail that is no such end, or one more than _SHORT_RANGE_MAX on, is a year
    (`QUITO 4525-91`, `QUITO 1973-91`), a longer one text."""
    first = int(number)
    digits = str(first)
    last = int(digits[: len(digits) - len(tail)] + tail) if len(tail) < len(digits) else int(tail)
    most = _SHORT_RANGE_MAX if len(tail) == 2 < len(digits) else _RANGE_MAX
    return last if first < last <= first + most else 0


def _post_before(s: str, a: int) -> tuple[int, str] | None:
    """The post name standing just before position `a` (longest resolvable run of 1-4 words):
    (its start, the name as written), or None."""
    seg = s[max(0, a - 80) : a]
    rev = seg[::-1]
    gap = _POST_GAP_REV.match(rev).end()
    tail = _WORDS_TAIL_REV.match(rev, gap)
    if tail is None:
        return None
    glued = gap == 0 and not s[a - 1].isspace()  # SANAA5295
    seg = seg[: len(seg) - gap]
    words = seg[len(seg) - (tail.end() - gap) :].split()
    for k in range(len(words), 0, -1):
        name = " ".join(words[-k:])
        key = _NON_LETTER.sub("", name).upper()
        if k == 1 and key in _NOT_POST:
            return None
        if len(key) < 5 or glued:
            post = _exact_or_alias(key)  # short or glued names: no prefix guessing
        else:
            # a country for its post only in capitals: a mixed-case one is prose (`… on Haiti 1.`)
            post = resolve_post(name)
            if post is None and is_country_key(key) and name.isupper() and country_posts(name):
                post = name
        if post is not None:
            pos = a - gap
            for w in reversed(words[-k:]):
                pos = s.rfind(w, 0, pos)
            return pos, name
    return None


def _post_follows(s: str, b: int) -> bool:
    """Whether a post name follows position `b` (then the number there was a year: `, 02 STATE`)."""
    m = _WORD_AFTER.match(s, b)
    if m is None:
        return False
    words = m.group(1).split()
    return any(resolve_post(" ".join(words[:k])) is not None for k in range(len(words), 0, -1))


def _exact_or_alias(key: str) -> str | None:
    """For short names (< 5 letters), only an exact or alias hit counts, not a prefix."""
    post = resolve_post(key)
    return post if post is not None and (post == key or post_alias(key) == post) else None


def _literal_id(post: str, number: str, year: int | str | None, citing: Citing) -> str | None:
    """Like _cable_id, for a post name that is not in the post table: the id canonicalised as
    any written id is (a caption glued on dropped, a name one letter off a post repaired)."""
    rid = _cable_id(post, number, year, citing)
    if rid is not None or (year is None and citing.year is None):
        return rid
    y = int(year if year is not None else citing.year)  # type: ignore[arg-type]
    if y >= 100:
        y %= 100
    rid = f"{y:02d}{post.upper()}{int(number)}"
    # (without the repair against the id list: a lookup per post, too slow for every item)
    return canonicalize_id(rid, repair=False) or rid


def _cable_id(written: str, number: str, year: int | str | None, citing: Citing) -> str | None:
    """The id of `POST NUMBER` with the year as written (2 or 4 digits) or, without one, the
    year settled against the citing cable (ids.year_of_reference); the post in Cablegate's
    spelling of that year, or the spelling whose id exists when the exact ids are known."""
    post = resolve_post(written)
    digits = number.lstrip("0") or "0"
    if len(digits) > 7 or not digits.isdigit():
        return None
    if year is None and _year_after_country(written, post, number):
        return None
    if post is None:
        return _capital_id(written, number, year, citing)
    post = well_spelt(post)
    if year is None:
        if citing.year is None:
            return None
        y = year_of_reference(
            post,
            int(digits),
            citing.year,
            citing.month,
            citing.post,
            citing.serial,
            citing.known if citing.exact_years else None,
        )
    else:
        y = int(year)
        if y >= 100:
            if not 1900 <= y <= 2099:
                return None
            y %= 100
    yy = f"{y % 100:02d}"
    names = family(post)
    if len(names) == 1:
        return f"{yy}{twin_spelling(post, yy, int(digits), citing.known)}{digits}"
    rid = f"{yy}{spelling_for(post, y)}{digits}"
    known = citing.known
    if known is not None and known.exists(rid) is False:
        for p in names:
            if known.exists(f"{yy}{p}{digits}"):
                return f"{yy}{p}{digits}"
    return rid


def _year_after_country(written: str, post: str | None, number: str) -> bool:
    """A year after a country's name that is no post's own spelling (`INCSR BRAZIL 2008`, a
    report's title; `BRAZIL 234` for Brasilia is a cable): no serial."""
    if len(number) != 4 or not 1966 <= int(number) <= 2015:
        return False
    key = "".join(ch for ch in written.upper() if ch.isalpha())
    return is_country_key(key) and key != post


def _capital_id(country: str, number: str, year: int | str | None, citing: Citing) -> str | None:
    """A country written for its post (`EL SALVADOR 2226` for San Salvador): the id of the one
    post of that country under which the cited cable exists in the Cablegate ids; None when
    the ids are unavailable or no post, or more than one, has it (the written form is kept)."""
    known = citing.known
    posts = country_posts(country)
    if not posts or known is None or not known.available:
        return None
    hits = {rid for p in posts if (rid := _cable_id(p, number, year, citing)) and known.exists(rid)}
    return hits.pop() if len(hits) == 1 else None


def _serial_fits(post: str | None, number: str, year: str | None, citing: Citing) -> bool:
    """Whether a serial written alone can be `post`'s: not a year (`FEBRUARY 17, 2006` cut at
    its comma) and not past anything the post reached that year or the one before
    (`REF: 22380` in a San Jose cable is no San Jose serial)."""
    if post is None:
        return False
    n = int(number)
    if len(number) == 4 and 1966 <= n <= 2015:
        return False
    y = int(year) if year is not None else citing.year
    if y is None:
        return True
    if y < 100:
        y = year_from_yy(y)
    tops = [t for t in (serial_top(post, y), serial_top(post, y - 1)) if t is not None]
    return not tops or n <= max(tops)


def _own_marker(post: str, number: str, citing: Citing) -> bool:
    """`TRIPOLI 00000870` in 08TRIPOLI870: the cable's own page marker cut from its page part,
    or its own banner serial (`PRAGUE 000356`) copied after the items."""
    if len(number) < 6 or citing.serial is None or citing.post is None:
        return False
    p = resolve_post(post)
    return p is not None and p in family(citing.post) and int(number) == citing.serial


def _item_refs(
    letter: str | None, s: str, citing: Citing, before: list[Reference] | None = None
) -> list[Reference]:
    """The references of one item (`before`: the block's items so far).  A bare serial belongs
    to the previous cable's post in the block, else the citing cable's (`A) 6307 B) STATE 1`)."""
    s = s.strip()
    s = _PORTION.sub("", s, count=1)
    cables = _cables(s)
    if not cables:
        text = _join(_strip_trail(s)) if s.strip() else ""
        if not text:
            return []
        bare = _BARE_SERIAL.match(text)
        post_hint = _last_post(before or [], citing) if bare is not None else None
        if bare is not None and _serial_fits(post_hint, bare.group(2), bare.group(1), citing):
            rid = _cable_id(post_hint, bare.group(2), bare.group(1), citing)  # type: ignore[arg-type]
            return [Reference(letter=letter, text=text, kind="cable", id=rid)]
        late = _POST_AFTER.match(text)  # `870 Ulaanbaatar`, `377 KATHMANDU`
        if late is not None and _serial_fits(
            resolve_post(late.group(2)), late.group(1), None, citing
        ):
            rid = _cable_id(late.group(2), late.group(1), None, citing)
            return [Reference(letter=letter, text=text, kind="cable", id=rid)]
        glued = _GLUED_ID.match(text) if text[:1].isdigit() else None
        if glued is not None:  # a reference id written whole, its post misspelt (08HALIF1234)
            rid = canonicalize_id(glued.group(1))
            if rid is not None:
                return [Reference(letter=letter, text=text, kind="cable", id=rid)]
        kind = _kind(text)
        rid = None
        m = _CABLE_LIKE.match(text) if kind == "cable" else None
        if m is not None:
            # A misspelt post (BEIJINJG 581) is resolved; another originator written in capitals
            # (USDOC 02142) keeps its own name, as docs/record.md builds ids.
            post = fuzzy_post(m.group("p"))
            if post is None and m.group("p").isupper():
                post = _NON_LETTER.sub("", m.group("p"))
            if post is not None:
                rid = _literal_id(post, m.group("n"), m.group("y"), citing)
        return [Reference(letter=letter, text=text, kind=kind, id=rid)]
    refs: list[Reference] = []
    prefix = s[: cables[0][0]]
    seg_start = 0
    if prefix.strip():
        p = _join(prefix)
        if re.search(r"(?:[;:,]|\bAND)\s*$", p, re.I) and (
            len(p.split()) >= 2 or _kind(p) != "other"
        ):
            p = _join(_strip_trail(p))
            refs.append(Reference(letter=letter, text=p, kind=_kind(p)))
            seg_start = cables[0][0]
    for n, (_start, end, yw, post, number, yafter) in enumerate(cables):
        if yw is None and yafter is None and _own_marker(post, number, citing):
            continue
        seg_end = cables[n + 1][0] if n + 1 < len(cables) else len(s)
        trailing = s[end:seg_end]
        extra: Reference | None = None
        sep = _SEP.search(trailing)
        if sep is not None and _SENTENCE_END.search(trailing, 0, sep.start()):
            sep = None  # `STATE 264368. CURRENT FAX: …`: text after the cable, no other item
        if sep is not None:
            after = _join(_LEAD.sub("", trailing[sep.end() :]))
            after = _join(_strip_trail(after)) if after else after
            if after and not _NOTE.match(after) and _kind(after) not in ("other", "cable"):
                extra = Reference(letter=letter, text=after, kind=_kind(after))
                seg_end = end + sep.start()
        text = _join(_strip_trail(s[seg_start:seg_end])) or number  # (a range's later serial)
        y: int | str | None = yw if yw is not None else yafter
        if (
            yw is None
            and yafter is not None
            and citing.year is not None
            and year_from_yy(int(yafter) % 100) > citing.year
        ):
            y = None  # a year after the citing cable's is no year of the cited one
        refs.append(
            Reference(letter=letter, text=text, kind="cable", id=_cable_id(post, number, y, citing))
        )
        if extra is not None:
            refs.append(extra)
        seg_start = cables[n + 1][0] if n + 1 < len(cables) else len(s)
    return refs


# -- entry point -------------------------------------------------------------------------------


def _sentence(text: str) -> bool:
    """Whether `text` opens a sentence: a capitalised word, then lower-case words (3 of the
    next 5), not an item's note (`Embassy email of March 3`, `DATED MAY 5`)."""
    words = text[:90].split()[:_SENTENCE_WORDS]
    if len(words) < 4 or not words[0][:1].isupper() or not words[0].rstrip(",").isalpha():
        return False
    low = 0
    for w in words[1:]:
        w = w.rstrip(",.;:")
        low += w.isalpha() and w.islower()
    return low >= 3


def _cites_cable(text: str) -> bool:
    """Whether `text` opens with a cable citation (`STATE 1234`, `08 ZENDA 5`)."""
    cables = _cables(text[:60])
    return bool(cables) and not text[: cables[0][0]].strip()


def opens_text(text: str, before: str = "") -> bool:
    """Whether `text`, standing after the REF items `before`, is the cable's text rather than
    an item: a portion mark before words that cite no cable (a mark alone: the text follows
    on the next line), `(C)`/`(S)` only when no item lettered `B`/`R` precedes it; or a
    sentence right after a serial."""
    m = _MARK_OPENING.match(text)
    if m is None:
        return (
            _SENTENCE_OPENS.match(text) is not None
            and before.rstrip()[-1:].isdigit()
            and _sentence(text)
        )
    rest = text[m.end() :]
    if rest and (not rest[0].isalpha() or _cites_cable(rest)):
        return False
    if rest and _kind(" ".join(rest[:60].split()[:3])) != "other":
        return False  # an item of another kind with its mark (`(U) EMAIL FROM POLOFF …`)
    mark = m.group("mark").upper()
    if mark in ("C", "S"):
        prev = chr(ord(mark) - 1)
        return re.search(rf"(?:^|[\s,;(])\(?{prev}[.):]", before, re.I) is None
    return True


_ITEM_LETTER = re.compile(r"^\s*(?:[A-Za-z][.):]|\([A-Za-z]\))\s+")
_TEXT_ITEM = 250  # characters: a REF item citing no cable (a letter, a note) is shorter
_PROSE_WORDS = 8  # lower-case words among the first 30: prose, not an upper-case title


def item_is_text(paragraph: str) -> bool:
    """Whether a lettered line standing after a blank line below the REF block, with the
    lines that follow it up to the next blank line (`paragraph`), is lettered text of the
    cable rather than a REF item: it cites no cable and names no email, telcon or report,
    and runs on as prose longer than any such item (`A)  Pakistan continues to be one of …`,
    `A.  Name of Speaker/Date of Program: …`, `I. Key Objectives and Priorities (SBU) …`)."""
    m = _ITEM_LETTER.match(paragraph)
    if m is None:
        return False
    body = " ".join(paragraph[m.end() : m.end() + 4 * _TEXT_ITEM].split())
    if len(body) < _TEXT_ITEM:
        return False
    words = body.split()[:30]
    if sum(w.isalpha() and w.islower() for w in words) < _PROSE_WORDS:
        return False
    return not _cables(body[:_TEXT_ITEM]) and _kind(body[:60]) == "other"


def run_on_at(text: str, start: int = 0) -> int | None:
    """Where the text runs on after a REF item in `text` (from `start`), or None."""
    for m in _RUN_ON.finditer(text, start):
        at = m.end()
        if opens_text(text[at:], text[start : m.start() + 1]):
            return at
    return None


def _cut_text_after(text: str) -> str:
    """The REF line run on into the text (`STATE 00028885 (SBU) This is a response …`)."""
    at = run_on_at(text)
    return text if at is None else text[:at]


def _clean(text: str) -> str:
    text = text.replace("\u00b6", "").replace("\r", "")
    if ":" in text:  # `STATE:247344`: the serial glued to its post by a colon
        text = _COLON_GLUED.sub(": ", text)
    if "\\n" in text:  # a line end escaped in a dump (backslash, n) before `PAGE 02 ROME …`
        text = text.replace("\\n", "\n")
    if "`" in text:  # a stray backtick, a typo next to a letter or serial (`3507 `B) STATE`)
        text = text.replace("`", " ")
    # Cheap tests first: each regex only runs when its key text is there.
    if _EIGHT_DIGITS.search(text):
        text = _PAGE_MARKER_LINE.sub("", text)
        text = _PAGE_MARKER_INLINE.sub(" ", text)
    upper = text.upper()
    if "PAGE " in text:
        text = _OLD_PAGE.sub(" ", text)
        text = _OLD_PAGE_LINE.sub("", text)
    if "(" in text or not text.isupper():  # a mark or a sentence: never upper case alone
        text = _cut_text_after(text)
    text = _OCR.sub(_ocr_swap, text)
    if "-" in text:
        text = _DASHED_ID.sub(r"\1 \2 \3", text)
    if "SIPDIS" in upper or "E.O" in upper or "ID:" in upper or " E " in upper:
        cut = _DUMP.search(text)
        if cut is not None and text[: cut.start()].strip():  # never the whole block
            text = text[: cut.start()]
    if "LASSIFIED" in upper:
        cut = _CLASSIFIED_BY.search(text)
        if cut is not None:
            text = text[: cut.start()]
        # the SBU handling notice run on after the last item (`… 08 CAIRO 784 Sensitive but
        # Unclassified. Please handle accordingly.`): never part of an item
        cut = _SBU_NOTICE.search(text)
        if cut is not None and text[: cut.start()].strip():
            text = text[: cut.start()]
    if "-" in text:
        text = _DASH_LEAD.sub("", text)
    if "REF" in upper:
        text = _LABEL_BEFORE_LETTER.sub("", text)
        text = _LABEL_AGAIN.sub("", text)
    return text.strip()


def citing_of(st: State) -> Citing:
    """The Citing facts of the cable being parsed: its year, the month of its date (DTG, page
    metadata, csv date or weekday line), its post and serial (from the reference id, else the
    banner), and the Cablegate ids."""
    cable = st.cable
    year = st.year
    month = None
    created = cable.created or st.container_created or st.weekday_time
    dated = bool(created) and created[:4].isdigit() and created[5:7].isdigit()
    # a date of another year says nothing of this year's months
    if dated and (year is None or int(created[:4]) == year):
        month = int(created[5:7])
    post = serial = None
    parsed = parse_reference_id(cable.reference_id or "")
    if parsed is not None:
        post, serial = parsed[1], parsed[2]
    elif cable.post:
        post = resolve_post(cable.post)
        if post is not None and st.banner_serial and st.banner_serial.isdigit():
            serial = int(st.banner_serial)
    return Citing(
        year=year, month=month, post=post, serial=serial, known=KNOWN_IDS, exact_years=True
    )


# A REF line that says there is none (`REF: NONE`, `REF: N/A`): no item.
_NO_REFS = re.compile(r"\s*(?:NONE|N/?A|NIL)\s*\.?\s*$", re.I)


def parse_refs(text: str, year: int | None, citing: Citing | None = None) -> list[Reference]:
    """Split the REF text (label removed, lines joined with newlines) into items.

    Cable items get a canonical id via cablebase.ids.  An item without a year takes the citing
    cable's (`year`, or `citing.year`), or the year before when the citing cable's date, post
    and serial, or the known ids, say the cited one cannot be of that year yet."""
    if citing is None:
        citing = Citing(year=year, known=KNOWN_IDS)
    elif citing.year is None:
        citing.year = year
    if not text or not text.strip():
        return []
    as_is = None
    if FAST_PATH and _clean_keeps(text):
        as_is = text.strip()  # _clean's answer for a block of the fast path's shapes
        fast = _fast_refs(as_is, citing)
        if fast is not None:
            return fast
    try:
        body = _clean(text)
    except Exception:  # never raise on odd input; keep the raw text as one item
        return [Reference(letter=None, text=_join(text), kind="other")]
    if not body or _NO_REFS.match(body):
        return []
    if FAST_PATH and body != as_is:
        fast = _fast_refs(body, citing)
        if fast is not None:
            return fast
    markers = _find_markers(body)
    refs: list[Reference] = []
    lead = 0
    if not markers:
        lead, markers = _markers_after_lead(body)
        first = None
        if not markers:
            # `A. REF AMMAN 222` ⏎ `B. 06 AMMAN 4685`: item A's letter stood before the label
            lead, markers = _markers_after_first(body)
            first = ("1" if markers[0][2].isdigit() else "A") if markers else None
        if not markers:
            refs.extend(_item_refs(None, body, citing, refs))
            return refs
        # `09 STATE 96625; A. A)STATE 70789; …`: an unlettered item before the letters
        refs.extend(_item_refs(first, body[:lead], citing, refs))
    for n, (_start, end, label) in enumerate(markers):
        stop = markers[n + 1][0] if n + 1 < len(markers) else len(body) - lead
        item = _item_refs(label, body[lead + end : lead + stop], citing, refs)
        refs.extend(item or [Reference(letter=label, text="", kind="other")])
    if len(refs) > 1 and refs[-1].letter is not None:
        # the page's cut first copy glued after the last item (`B. 08 X 610 B. 08 X 61`)
        refs = [r for k, r in enumerate(refs) if not (k and _cut_twin(refs[k - 1], r))]
    return refs


def _cut_twin(before: Reference, item: Reference) -> bool:
    """Whether an item repeats the one before it under the same letter, cut short."""
    if item.letter is None or item.letter != before.letter or not item.text:
        return False
    return len(item.text) < len(before.text) and before.text.startswith(item.text)


# Where a first item marker could follow an unlettered item: after `;`, `,` or a line end.
_LEAD_A = re.compile(r"(?:[;,]|\n)\s*(?=\(\s?[Aa1]\s?\)|\[\s?[Aa]\s?\]|[Aa1][.):])")


def _markers_after_lead(body: str) -> tuple[int, list[tuple[int, int, str]]]:
    """Item markers starting after an unlettered cable item that ends with `;` or a line."""
    m = _LEAD_A.search(body)
    if m is None or not _cables(body[: m.start()]):
        return 0, []
    markers = _find_markers(body[m.end() :])
    return (m.end(), markers) if len(markers) >= 2 else (0, [])


# Where item B could follow the first item: opening a line, or after its `;`
# (`Q MOGADISHU 08622; B) MOGADISHU 10999`, item A's letter garbled).
_LINE_B = re.compile(r"(?:\n|;)[ \t]*(?=\([ \t]?[Bb2][ \t]?\)|\[[ \t]?[Bb][ \t]?\]|[Bb2][.):])")


def _markers_after_first(body: str) -> tuple[int, list[tuple[int, int, str]]]:
    """Item markers from B on, opening a line or after `;`, after a first item that is a cable."""
    m = _LINE_B.search(body)
    if m is None or not _cables(body[: m.start()]):
        return 0, []
    markers = _find_markers(body[m.end() :], "B")
    return (m.end(), markers) if markers else (0, [])


def _last_post(refs: list[Reference], citing: Citing) -> str | None:
    for r in reversed(refs):
        parsed = parse_reference_id(r.id) if r.id else None
        if parsed is not None:
            return parsed[1]
    return citing.post


# -- fast path ---------------------------------------------------------------------------------
# Most blocks are a few `[YY] POST NUMBER` items, unlettered (`STATE 12345`, `09 STATE 1; ROME 2`)
# or lettered in sequence (`A. STATE 12345` ⏎ `B. 08 ROME 678`, `(A) … (B) …`, `a) …, b) …`).
# One regex pass reads such a cleaned block; each cable's id comes from _cable_id as in the
# full reader (every year and spelling rule).  The shapes are narrow enough that the full reader
# provably reads them the same: items cut at the same markers (no other marker candidate: words
# of two letters or more, no serial of one or two digits before `.`), the same post (the whole
# word run resolves, so it is _post_before's longest name), the same year (written first, within
# _YEAR_TAIL's reach) and the same text; anything else returns None and takes the full reader.

FAST_PATH = True  # off: every block takes the full reader (tests compare the two)

# `[YY|YYYY] POST NUMBER [(NOTAL) | AND PREVIOUS][.]`: the post 1-3 words within
# _post_before's 80 characters, a serial of at most 7 digits (zeros included: no page marker).
_FAST_CABLE = (
    r"(?P<t>(?:(?P<y>(?:19|20)\d\d|\d\d)[ \n]{1,4})?"
    r"(?P<p>[A-Za-z]{2,20}(?:[ \n][A-Za-z]{2,20}){0,2})[ \n]{1,5}"
    r"(?P<n>\d{1,7})(?!\d)(?:[ ]+\(NOTAL\)|[ ]+AND[ ]+PREVIOUS)?(?P<dot>\.)?)"
)
# Unlettered items, each closed by `;` or `,` (a `,` never before a digit: `123,4` is no serial).
_FAST_PLAIN = re.compile(_FAST_CABLE + r"(?:[ \n]*(?:;|,(?!\d))[ \n]*|\Z)")
# A lettered item: `(A)`, `A.`, `A)` or `A.)` opening it, white space or a separator after it.
_FAST_LETTERED = re.compile(
    r"(?P<mark>\((?P<pl>[A-Za-z])\)|(?P<dl>[A-Za-z])(?:\.\)|[.)]))(?:[ \n]+|(?=[A-Z0-9]))"
    + _FAST_CABLE
    + r"(?:[ \n]*(?:;|,(?!\d))[ \n]*|[ \n]+|\Z)"
)
# _clean's cuts in a block of those shapes: an old page header, a dump, a classification line,
# a repeated label, and a portion mark that would open the cable's text (`… 678 (C) …`).
_CLEAN_KEYS = ("PAGE ", "SIPDIS", "E.O", " E ", "LASSIFIED", "REF", "(C)", "(S)", "(U)")


def _clean_keeps(text: str) -> bool:
    """Whether _clean only strips `text` when it holds one of the fast path's shapes: in capitals
    (no sentence can run on after an item), without _CLEAN_KEYS.  The shapes themselves hold
    nothing else it changes: no `¶`, colon, backtick or dash, no 8 digits, no letter glued to a
    digit (OCR swaps), no `(` after a serial but `(NOTAL)` and item letters."""
    return text.isupper() and not any(key in text for key in _CLEAN_KEYS)


# The last word before the serial that _post_before skips as a gap (`COLOMBO CABLES 0266`).
_GAP_WORDS = frozenset(("CABLE", "CABLES", "TWX"))


def _fast_refs(body: str, citing: Citing) -> list[Reference] | None:
    """The references of a block of the common shapes, or None for the full reader."""
    first = body[:1]
    if first == "(" or (body[1:2] in (".", ")") and first.isalpha()):
        return _fast_lettered(body, citing)
    refs: list[Reference] = []
    pos, end = 0, len(body)
    while pos < end:
        m = _FAST_PLAIN.match(body, pos)
        if m is None:
            return None
        ref = _fast_cable(None, m, citing)
        if ref is None:
            return None
        refs.append(ref)
        pos = m.end()
    return refs


def _fast_lettered(body: str, citing: Citing) -> list[Reference] | None:
    refs: list[Reference] = []
    pos, end = 0, len(body)
    expected = body[1:2] if body[0] == "(" else body[0]
    if expected not in ("A", "a"):
        return None
    while pos < end:
        m = _FAST_LETTERED.match(body, pos)
        if m is None or (m.group("pl") or m.group("dl")) != expected:
            return None
        if pos and not _fast_marker_ok(body, pos, m.end("mark")):
            return None
        ref = _fast_cable(expected.upper(), m, citing)
        if ref is None:
            return None
        refs.append(ref)
        expected = chr(ord(expected) + 1)
        pos = m.end()
    return refs


def _fast_marker_ok(body: str, start: int, end: int) -> bool:
    """_marker_ok's answer for a marker after an item: sure after a line end, separator, digit or
    parenthesis; else (after `PREVIOUS` or a final period) asked of _marker_ok itself."""
    prev = body[start - 1]
    if prev == "\n" or prev in ",;":
        return True
    before = body[body.rfind("\n", 0, start) + 1 : start].rstrip()
    last = before[-1:]
    if last.isdigit() or last in ",;)":
        return True
    return _marker_ok(body, start, end)


def _fast_cable(letter: str | None, m: re.Match[str], citing: Citing) -> Reference | None:
    number = m.group("n")
    if len(number) <= 2 and m.group("dot"):
        return None  # `ROME 12.`: a marker candidate for the full reader
    name = m.group("p")
    if "\n" in name:
        name = name.replace("\n", " ")
    if not _fast_post(name):
        return None
    year = m.group("y")
    if year is None and _own_marker(name, number, citing):
        return None
    text = m.group("t")
    if "\n" in text:
        text = _join(text)
    return Reference(
        letter=letter, text=text, kind="cable", id=_cable_id(name, number, year, citing)
    )


@lru_cache(maxsize=4096)
def _fast_post(name: str) -> bool:
    """Whether _post_before takes the whole word run `name` (single spaces) as the post, and
    _starts_item sees a post there (resolve_post, not a country alone)."""
    words = name.split(" ")
    if words[-1].upper() in _GAP_WORDS:
        return False
    key = "".join(words).upper()
    if len(words) == 1 and key in _NOT_POST:
        return False
    if len(key) < 5:
        return _exact_or_alias(key) is not None
    return resolve_post(name) is not None
