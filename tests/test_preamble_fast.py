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
    ("SUBJECT: THE ESTABLISHMENT OF A TASK FORCE", "keys in the value (TAB, TAS)"),
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
    assert results[0][0]  # some field was read
