"""The preamble's fast path (grammar/preamble_fast.py): the shapes of label line it reads
itself and the ones it hands to the full scan, on invented lines and cables.  The fast path
must read a line exactly as the full scan does; tests/corpus/test_preamble_fast_path.py checks
that over the dev corpus."""

from __future__ import annotations

import pytest

from cablebase.grammar import preamble
from cablebase.grammar.preamble_fast import STANDARD_FIRST, standard_label

# (line, field, value): standard label lines the fast path reads itself.
ACCEPTED = [
    ("E.O. 12958: DECL: 11/30/2019", "eo", "12958: DECL: 11/30/2019"),
    ("E.O.  12356:  DECL:  OADR", "eo", "12356:  DECL:  OADR"),
    ("E.O.12958: N/A", "eo", "12958: N/A"),
    ("EO 12958 DECL: 01/02/2017", "eo", "12958 DECL: 01/02/2017"),
    ("E.O. 13526: DECL: 2020/06/01", "eo", "13526: DECL: 2020/06/01"),
    ("TAGS: PGOV PINR ML", "tags", "PGOV PINR ML"),
    ("TAGS:  MARR, MOPS, XX", "tags", "MARR, MOPS, XX"),
    ("TAGS: PHUM KJUS XY (DOE, JOHN)", "tags", "PHUM KJUS XY (DOE, JOHN)"),
    ("SUBJECT: AMBASSADOR MEETS THE GOVERNOR", "subject", "AMBASSADOR MEETS THE GOVERNOR"),
    ("SUBJECT:  (C) WELLS FOR THE NORTH: A PLAN", "subject", "(C) WELLS FOR THE NORTH: A PLAN"),
    ("SUBJ: MINISTER ON WATER RIGHTS", "subject", "MINISTER ON WATER RIGHTS"),
    # keys of labels that need a colon, in a value without one (`TAS`, `TAB`, `TAG`)
    ("SUBJECT: THE ESTABLISHMENT OF A TASK FORCE", "subject", "THE ESTABLISHMENT OF A TASK FORCE"),
    ("SUBJECT: HOSTAGES RELEASED", "subject", "HOSTAGES RELEASED"),
    ("SUBJECT:", "subject", ""),
    ("REF: TIMBUKTU 511", "ref", "TIMBUKTU 511"),
    ("REFS: A. TIMBUKTU 511 B. 08 TIMBUKTU 97", "ref", "A. TIMBUKTU 511 B. 08 TIMBUKTU 97"),
    ("REF: (A) TIMBUKTU 511 (B) GAO 12", "ref", "(A) TIMBUKTU 511 (B) GAO 12"),
]

# (line, why): lines the fast path hands to the full scan.
HANDED_OVER = [
    ("Tags: PGOV PINR", "lower case"),
    ("Subject: Ambassador meets the governor", "lower case"),
    ("TAGS PGOV PINR ML", "no colon (a line-start form)"),
    ("TAGS; PGOV", "misspelt label"),
    ("TAS: PGOV", "misspelt label"),
    ("SUBJET: WELLS", "misspelt label"),
    ("REFTEL: TIMBUKTU 511", "another spelling"),
    ("REFERENCE: TIMBUKTU 511", "another spelling"),
    ("E. O. 12356: DECL: OADR", "another spelling"),
    ("E.O.: 12356: N/A", "another spelling"),
    ("E.0. 12958: N/A", "a zero for the O"),
    ("E.O. 1234567: N/A", "no order number"),
    ("E.O. N/A", "no order number"),
    ("Classified By: Ambassador A. Person, reasons 1.4 (b) and (d)", "not a standard label"),
    ("CLASSIFIED BY POLITICAL COUNSELOR, REASON 1.5 (D)", "not a standard label"),
    (" TAGS: PGOV", "not stripped"),
    ("ALSO FOR SUBJECT: X", "label mid-line"),
    ("E.O. 12958: DECL: 11/30/2019 TAGS: PGOV", "a second label"),
    ("SUBJECT: WELLS REF: TIMBUKTU 511", "a second label"),
    ("SUBJECT: WELLS Classified By: A. Person", "a second label"),
    ("TAGS: PREL PREF ML", "a key in the value (PREF holds REF)"),
    ("SUBJECT: MINISTER VISITS SEOUL", "a key in the value (SEOUL holds EO)"),
    ("SUBJECT: TASK FORCE: THE ESTABLISHMENT", "keys and a colon in the value (TAS, TAB)"),
    ("SUBJECT: SENSITIVE BUT UNCLASSIFIED", "a key in the value (LASS)"),
    ("REF: A. GAO 1 B. GAO 2 C. GAO 3 D. GAO 4 E. GAO 5", "a key in the value (E.)"),
]


@pytest.mark.parametrize(("line", "name", "value"), ACCEPTED)
def test_standard_lines_are_read_as_the_full_scan_reads_them(line, name, value):
    assert line[0] in STANDARD_FIRST
    std = standard_label(line, preamble._KEYS)
    assert std is not None and std[0] == name
    # the full scan's label search finds this label, where the fast path ends it, and no other
    assert preamble._find_labels(line, None) == [(name, 0, std[1])]
    sc = preamble._Scan()
    assert preamble._take_standard(line, sc) == name
    assert sc.fields == {name: [value]} and sc.order == [name]


@pytest.mark.parametrize(("line", "why"), HANDED_OVER)
def test_other_lines_go_to_the_full_scan(line, why):
    assert standard_label(line, preamble._KEYS) is None, why
    assert preamble._take_standard(line, preamble._Scan()) is None


def _scan_with(fields: dict[str, list[str]], line: str) -> str | None:
    sc = preamble._Scan()
    for name, pieces in fields.items():
        sc.fields[name] = list(pieces)
        sc.order.append(name)
    return preamble._take_standard(line, sc)


def test_state_the_fast_path_leaves_to_the_full_scan():
    # a field already read: a repeated preamble (the first one counts)
    assert _scan_with({"tags": ["PGOV"]}, "TAGS: PREL") is None
    # after the Classified By statement: text glued on it, the text's start
    assert _scan_with({"clby": ["A. Person, reasons 1.4 (b)"]}, "REF: GAO 12") is None
    # a REF line running on into paragraph 1's number and mark
    assert _scan_with({}, "REF: TIMBUKTU 511 1. (SBU) The governor") is None
    assert _scan_with({}, "REF: TIMBUKTU 511") == "ref"
    # a long line that may hold paragraph 1 glued on
    long_subject = "SUBJECT: " + "WELLS AND WATER FOR THE NORTH " * 3 + "1. (C) Summary.  The"
    assert len(long_subject) > preamble._UNWRAPPED
    assert _scan_with({}, long_subject) is None
    long_tags = "TAGS: " + "PGOV PINR ML " * 9
    assert len(long_tags) > preamble._UNWRAPPED and _scan_with({}, long_tags) == "tags"


# (line, kind, captions, handling): lines before the first label the fast path reads itself.
CAPTIONS = [
    ("DEPT FOR AF/W", "caption", ["DEPT FOR AF/W"], []),
    ("AMEMBASSY BAMAKO", "caption", ["AMEMBASSY BAMAKO"], []),
    ("STATE FOR AF/W: J. DOE", "caption", ["STATE FOR AF/W: J. DOE"], []),
    ("SIPDIS DEPT FOR AF/W", "caption", ["DEPT FOR AF/W"], ["SIPDIS"]),
    ("DEPT FOR AF/W SIPDIS", "caption", ["DEPT FOR AF/W"], ["SIPDIS"]),
    ("DEPT FOR AF/W \u2013 J. DOE", "caption", ["DEPT FOR AF/W \u2013 J. DOE"], []),
    ("Dept for AF/W sipdis", "caption", ["Dept for AF/W"], ["SIPDIS"]),
    ("SIPDIS", "handling", [], ["SIPDIS"]),
    ("NOFORN SIPDIS", "handling", [], ["NOFORN", "SIPDIS"]),
    ("SENSITIVE BUT UNCLASSIFIED", "handling", [], ["SENSITIVE"]),
]

# (line, why): lines before the first label the fast path hands to the full scan.
NOT_CAPTIONS = [
    ("TAGS PGOV ML", "TAGS without its colon"),
    ("SUBJECT WELLS FOR THE NORTH", "SUBJECT without its colon"),
    ("REF A. TIMBUKTU 511", "REF without its colon"),
    ("Q: A) TIMBUKTU 511", "a damaged REF label"),
    ("DEPT FOR E.O. 12958 REVIEW", "E.O. mid-line"),
    ("GENEVA: FOR CD DELEGATION E.O. 12958: DECL: 01/11/2035", "a label mid-line"),
    ("DEPT FOR CLASSIFIED ANNEX", "Classified By's key"),
    ("SENSITIVE BUT UNCLASSIFIED - PLEASE PROTECT", "Classified By's key (LASS)"),
    ("PASS TO DEPT TAGS: PGOV", "a label mid-line"),
    ("CONFIDENTIAL", "a class word alone"),
    ("PAGE 02 TIMBUKTU 00511 01 OF 02 301200Z", "a page header"),
    ("SUMMARY: THE GOVERNOR ASKED FOR WELLS.", "the text of a cable without preamble"),
    ("(C) THE GOVERNOR ASKED FOR WELLS.", "not a letter first"),
    ("1. THE GOVERNOR ASKED FOR WELLS.", "not a letter first"),
]


@pytest.mark.parametrize(("line", "kind", "captions", "handling"), CAPTIONS)
def test_captions_are_read_as_the_full_scan_reads_them(line, kind, captions, handling):
    sc = preamble._Scan()
    assert preamble._fast_line(line, sc, None) == kind
    assert (sc.captions, sc.handling, sc.fields) == (captions, handling, {})


@pytest.mark.parametrize(
    ("line", "plain"),
    [
        ("DEPT FOR AF/W", True),
        ("EXDIS FOR THE AMBASSADOR", True),  # a handling word split_caption leaves in place
        ("DEPT FOR AF/W SIPDIS", False),
        ("Noforn DEPT FOR AF/W", False),
        ("SENSITIVE BUT UNCLASSIFIED - PLEASE PROTECT", False),
        ("DEPT FOR AF/W \u2013 J. DOE", False),  # not ASCII: split_caption decides
    ],
)
def test_plain_captions_are_the_ones_split_caption_gives_back_whole(line, plain):
    from cablebase.grammar.captions import split_caption
    from cablebase.grammar.preamble_fast import plain_caption

    assert plain_caption(line) is plain
    if plain:
        handling: list[str] = []
        assert split_caption(line, handling) == line and not handling


@pytest.mark.parametrize(("line", "why"), NOT_CAPTIONS)
def test_other_lines_before_the_labels_go_to_the_full_scan(line, why):
    sc = preamble._Scan()
    if line[0] in preamble.LETTERS:
        assert preamble._fast_line(line, sc, None) is None, why
    assert (sc.captions, sc.handling) == ([], [])


def test_captions_after_the_first_label_go_to_the_full_scan():
    sc = preamble._Scan()
    assert preamble._fast_line("E.O. 12958: N/A", sc, None) == "eo"
    assert preamble._fast_line("DEPT FOR AF/W", sc, None) is None
    assert preamble._fast_line("SIPDIS", sc, None) == "handling"  # the same anywhere


def _after(lines: list[str]) -> tuple[preamble._Scan, str | None]:
    """The scan's state after reading `lines` (one field, no blank line): fields and `cur`."""
    sc, cur = preamble._Scan(), None
    for line in lines:
        cur = preamble._fast_line(line, sc, cur)
        assert cur in preamble._TEXT_FIELDS or cur == "continued"
        cur = sc.order[-1]
    return sc, cur


# (lines before, line, the field's pieces after): continuations the fast path reads itself.
CONTINUED = [
    (["SUBJECT: THE GOVERNOR ASKS FOR WELLS AND PUMPS"], "IN THE NORTH", "subject"),
    (["SUBJECT: Governor asks for wells and pumps"], "in the north of the province", "subject"),
    (["REF: A. TIMBUKTU 511"], "B. GAO 12", "ref"),
    (["REFS: A. TIMBUKTU 511", "B. GAO 12"], "C. 08 GAO 97", "ref"),
]

# (lines before, line, why): lines after a field that the fast path hands to the full scan.
NOT_CONTINUED = [
    (["E.O. 12958: DECL: 11/30/2019"], "PGOV PINR ML", "under E.O. (a TAGS line lost its label)"),
    (["TAGS: PGOV PINR"], "ML XY", "under TAGS"),
    (["SUBJECT: WELLS"], "AND PUMPS REF: TIMBUKTU 511", "a label mid-line"),
    (["SUBJECT: WELLS"], "Classified By: A. Person, reasons 1.4 (b)", "a statement"),
    (["SUBJECT: WELLS"], "Summary", "a summary heading"),
    (["SUBJECT: WELLS"], "CONFIDENTIAL", "a class word alone"),
    (["SUBJECT: WELLS"], "CONFIDENTIAL SECTION 02 OF 03 TIMBUKTU 000512", "a repeated banner"),
    (["REF: A. TIMBUKTU 511"], "(B) GAO 12", "an item that may run on into the text"),
    (["REF: A. TIMBUKTU 511"], "B. Gao 12", "an item not in capitals"),
    (["REF: A. TIMBUKTU 511"], "E. GAO 12", "a key (E.) in the line"),
]


@pytest.mark.parametrize(("before", "line", "name"), CONTINUED)
def test_continuations_are_read_as_the_full_scan_reads_them(before, line, name):
    sc, cur = _after(before)
    assert preamble._fast_line(line, sc, cur) == "continued"
    assert sc.fields[name][-1] == line and sc.order == [name]


@pytest.mark.parametrize(("before", "line", "why"), NOT_CONTINUED)
def test_other_lines_after_a_field_go_to_the_full_scan(before, line, why):
    sc, cur = _after(before)
    fields = {k: list(v) for k, v in sc.fields.items()}
    assert preamble._fast_line(line, sc, cur) is None, why
    assert sc.fields == fields


PREAMBLES = [
    # the standard block, one label a line
    """SIPDIS

E.O. 12958: DECL: 11/30/2019
TAGS: PGOV PINR ML
SUBJECT: AMBASSADOR MEETS THE GOVERNOR OF AN INVENTED
PROVINCE ABOUT WELLS

REF: A. TIMBUKTU 511
B. GAO 12

Classified By: Ambassador A. Person for reasons 1.4 (b) and (d)

1. (C) Summary: The governor asked for wells.""",
    # double-spaced, captions before E.O., an old order number, no Classified By
    """DEPT FOR AF/W

E.O. 12356:  DECL:  OADR

TAGS:  PGOV, PREL, ML

SUBJECT:  WELLS

REF:  TIMBUKTU 511

1.  CONFIDENTIAL - ENTIRE TEXT.""",
    # the fast path hands over mid-way (a key in TAGS) and the full scan reads on
    """E.O. 12958: N/A
TAGS: PREF PHUM ML
SUBJECT: CAMPS IN THE NORTH
REF: GAO 12

1. (U) The camps.""",
    # a repeated preamble: the second block is the full scan's
    """E.O. 12958: N/A
TAGS: PGOV ML
SUBJECT: FIRST
E.O. 12958: N/A
TAGS: PREL ML
SUBJECT: SECOND

1. (U) Text.""",
    # REF running on into paragraph 1
    """E.O. 12958: N/A
TAGS: PGOV ML
SUBJECT: WELLS
REF: TIMBUKTU 511 1. (SBU) The governor asked for wells
and pumps.""",
    # a label alone, its value after a blank line; a label-less SUBJECT line after TAGS
    """E.O. 12958: N/A
TAGS: PGOV ML
SUBJECT:

WELLS FOR THE NORTH

1. (U) Text.""",
    """E.O. 12958: DECL: 01/01/2019
TAGS: PGOV ML
GOVERNOR DISCUSSES WELLS AND PUMPS FOR THE NORTH
REF: TIMBUKTU 511

1. (U) Text.""",
    # captions and handling words, then no label and no numbered paragraph: the captions are
    # the text (from the first caption on)
    """SIPDIS
DEPT FOR AF/W

THE GOVERNOR ASKED THE AMBASSADOR FOR WELLS AND PUMPS IN THE NORTH
AND THE AMBASSADOR PROMISED TO ASK.""",
    # a caption line, a page header and the labels under them
    """NOFORN
DEPT FOR AF/W, ALSO FOR INR
PAGE 02 TIMBUKTU 00511 01 OF 02 301200Z
E.O. 12958: DECL: 11/30/2019
TAGS: PGOV ML
SUBJECT: WELLS

1. (C) Text.""",
]


@pytest.mark.parametrize("body", PREAMBLES)
def test_scan_reads_the_same_with_and_without_the_fast_path(body, monkeypatch):
    results = []
    for fast in (True, False):
        monkeypatch.setattr(preamble, "FAST_PATH", fast)
        lines = body.split("\n")
        sc, text_start = preamble._scan(lines, 0)
        results.append((sc.fields, sc.order, sc.captions, sc.handling, text_start, lines))
    assert results[0] == results[1]
    assert results[0][0] or results[0][4] < len(body.split("\n"))  # a field, or the text
