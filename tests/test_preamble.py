"""Preamble rules (FORMAT.md §4.2-4.8) on invented cables in the real format, plus a corpus
sweep over ../shared/corpus (skipped when it is absent)."""

from __future__ import annotations

import csv
import html
import lzma
import re
import tarfile
from pathlib import Path

import pytest

from cablebase.grammar import banner, preamble, preface
from cablebase.grammar.classified_by import parse_classified_by, reasons_from_text
from cablebase.grammar.portion import normalize_portion, split_portion
from cablebase.grammar.state import State
from cablebase.grammar.tags import parse_tags
from cablebase.grammar.unwrapped import Meta
from cablebase.record import Cable


def _st() -> State:
    return State(cable=Cable(), meta=Meta())


def _read(body: str) -> tuple[State, int, list[str]]:
    """preface -> banner -> preamble, as the pipeline runs them (no page-marker pass)."""
    st = _st()
    lines = body.split("\n")
    start = preface.find_banner(lines, st)
    if start < len(lines):
        left = banner.parse_banner(lines[start], st)
        if left is not None:
            lines = [*lines[:start], left, *lines[start + 1 :]] if left else lines
            start += 0 if left else 1
    return st, preamble.parse_preamble(lines, start, st), lines


SEED_STYLE = """S E C R E T SECTION 01 OF 03 TIMBUKTU 000512

SIPDIS

E.O. 12958: DECL: 11/30/2019

TAGS: ASEC ML PGOV PINR

SUBJECT: AMBASSADOR MEETS THE GOVERNOR OF AN INVENTED
PROVINCE ABOUT WELLS

REF: A. A. TIMBUKTU 498

B. B. 2008 TIMBUKTU 217

Classified By: Ambassador Jane Q. Example, Embassy Timbuktu, for reasons 1.4 (b) (d).

#### SUMMARY

1. (S) On November 27 the Ambassador met the governor."""


def test_seed_style_preamble():
    st, start, lines = _read(SEED_STYLE)
    c = st.cable
    assert lines[start] == "#### SUMMARY"
    assert c.post == "TIMBUKTU" and st.banner_serial == "000512"
    assert c.handling == ["SIPDIS"]
    assert c.captions == []
    assert c.eo == "12958"
    assert c.declassify_on == "2019-11-30"
    assert c.declassify_rule is None
    assert c.tags == ["ASEC", "ML", "PGOV", "PINR"]
    assert c.subject == "AMBASSADOR MEETS THE GOVERNOR OF AN INVENTED PROVINCE ABOUT WELLS"
    assert c.subject_portion is None
    assert c.classified_by is not None
    assert c.classified_by.title == "Ambassador"
    assert c.classified_by.name == "Jane Q. Example"
    assert c.classified_by.office == "Embassy Timbuktu"
    assert c.classification_reasons == ["1.4(b)", "1.4(d)"]


HTML_STYLE = """C O N F I D E N T I A L SECTION 01 OF 02 ZENDA 000881

SIPDIS

NOFORN

NSC FOR SENIOR DIRECTOR A. PERSON
PARIS FOR SOMEONE ELSE

E.O. 12958: DECL: 2019/07/28
TAGS: PREL PGOV PHUM ZE
SUBJECT: (C/NF) ZENDA: THE KING SPEAKS
REF: A. ZENDA 754
     B. STATE 123456
Classified By: DCM John Smith for reasons 1.4 (b) and (d).

1. (C/NF) Summary: the king spoke."""


def test_html_style_compact_preamble():
    st, start, lines = _read(HTML_STYLE)
    c = st.cable
    assert lines[start].startswith("1. (C/NF)")
    assert c.handling == ["SIPDIS", "NOFORN"]
    assert c.captions == ["NSC FOR SENIOR DIRECTOR A. PERSON", "PARIS FOR SOMEONE ELSE"]
    assert c.declassify_on == "2019-07-28"
    assert c.tags == ["PREL", "PGOV", "PHUM", "ZE"]
    assert c.subject == "ZENDA: THE KING SPEAKS"
    assert c.subject_portion == "C/NF"
    assert c.classified_by.title == "DCM"
    assert c.classified_by.name == "John Smith"
    assert c.classification_reasons == ["1.4(b)", "1.4(d)"]


def test_ref_block_is_handed_to_refs(monkeypatch):
    seen: dict[str, object] = {}

    def fake(text: str, year: int | None, *_context):
        seen["text"], seen["year"] = text, year
        return []

    from cablebase.grammar import refs

    monkeypatch.setattr(refs, "parse_refs", fake)
    st = _st()
    st.year = 2009
    lines = HTML_STYLE.split("\n")
    banner.parse_banner(lines[0], st)
    preamble.parse_preamble(lines, 1, st)
    assert seen == {"text": "A. ZENDA 754\nB. STATE 123456", "year": 2009}


def test_ref_items_after_blank_lines_seed_style(monkeypatch):
    seen: list[str] = []
    from cablebase.grammar import refs

    monkeypatch.setattr(refs, "parse_refs", lambda text, year, *_: seen.append(text) or [])
    _read(SEED_STYLE)
    assert seen == ["A. A. TIMBUKTU 498\nB. B. 2008 TIMBUKTU 217"]


@pytest.mark.parametrize(
    ("eo_line", "tags_line", "subject_line", "clby_line"),
    [
        ("E.O. 12958: DECL: 11/30/2019", "TAGS: PREL XY", "SUBJECT: A B", "Classified By: X"),
        ("EO 12958 DECL: 11/30/19", "TAGS PREL XY", "Subject: A B", "CLASSIFIED BY: X"),
        ("E.o. 12958: decl: 11/30/2019", "Tags: prel, xy", "SUBJ: A B", "Classified by X"),
        ("E.O 12958: DECL: 11/30/2019", "TAG: PREL XY", "SUBJECT:  A B", "CLASSIFIED BY X"),
        ("E. O. 12958: DECL: 11/30/2019", "TAG PREL, XY", "SUBJECT: A B", "(U) Classified by: X"),
        ("E.O. 12958:DECL:11/30/2019", "TAGS:PREL,XY", "SUBJECT:A B", "Classified By: X"),
    ],
)
def test_label_variants(eo_line, tags_line, subject_line, clby_line):
    body = "\n".join(
        [
            "S E C R E T OSLO 000001",
            "SIPDIS",
            eo_line,
            tags_line,
            subject_line,
            "REFS: OSLO 12",
            clby_line + " for reasons 1.4 (b)",
            "",
            "1. (S) Text.",
        ]
    )
    st, start, _ = _read(body)
    c = st.cable
    assert start == 8
    assert c.eo == "12958"
    assert c.declassify_on == "2019-11-30"
    assert c.tags == ["PREL", "XY"]
    assert c.subject == "A B"
    assert c.classified_by is not None and c.classified_by.name == "X"
    assert c.classification_reasons == ["1.4(b)"]


def test_inline_labels():
    body = "\n".join(
        [
            "C O N F I D E N T I A L OSLO 000002",
            "DEPT FOR EUR/NB E.O. 12958: DECL: 10/29/2018 TAGS: MARR MASS NO",
            "SUBJECT: NORWAY BUYS BOATS REF: OSLO 99 Classified By: PolOff Kari Nordmann, reasons 1.4 (d)",
            "1.(C) Text.",
        ]
    )
    st, start, _ = _read(body)
    c = st.cable
    assert start == 3
    assert c.captions == ["DEPT FOR EUR/NB"]
    assert c.declassify_on == "2018-10-29"
    assert c.tags == ["MARR", "MASS", "NO"]
    assert c.subject == "NORWAY BUYS BOATS"
    assert c.classified_by.title == "PolOff"
    assert c.classified_by.name == "Kari Nordmann"
    assert c.classification_reasons == ["1.4(d)"]


def test_eo_line_with_tags_glued_after_joined_banner():
    body = "S E C R E T TEL AVIV 000687SIPDISE.O. 12958: DECL: 02/14/2016 TAGS: PTER PREL\n\n1. (S) Text."
    st, start, _ = _read(body)
    c = st.cable
    assert start == 2
    assert c.handling == ["SIPDIS"]
    assert c.declassify_on == "2016-02-14"
    assert c.tags == ["PTER", "PREL"]


def test_joined_banner_through_pipeline():
    body = "S E C R E T BOGOTA 000243 SIPDIS NOFORN\n\nE.O. 12958: DECL: 01/01/2020\nTAGS: PTER CO\nSUBJECT: X\n\n1. (S) Y"
    st, start, lines = _read(body)
    assert st.cable.post == "BOGOTA"
    assert st.cable.handling == ["SIPDIS", "NOFORN"]
    assert lines[start] == "1. (S) Y"


LOWER = """C o n f i d e n t i a l section 01 of 02 khartoum 000881

Sipdis

E.o. 12958: decl: 07/28/2019
Tags: asec, pins, su
Subject: gok/goss agree on something invented

Classified by: cda john doe, reasons 1.4 (b) and (d)

1. (c) summary: text."""


def test_lower_cased_body():
    st, start, lines = _read(LOWER)
    c = st.cable
    assert st.banner_classification == "CONFIDENTIAL"
    assert c.post == "KHARTOUM"
    assert c.sections.number == 1 and c.sections.total == 2
    assert c.handling == ["SIPDIS"]
    assert c.declassify_on == "2019-07-28"
    assert c.tags == ["ASEC", "PINS", "SU"]
    assert c.subject == "gok/goss agree on something invented"
    assert c.classified_by.title == "cda"
    assert c.classified_by.name == "john doe"
    assert c.classification_reasons == ["1.4(b)", "1.4(d)"]
    assert lines[start].startswith("1. (c)")


def test_missing_banner():
    body = (
        "SIPDIS\n\nE.O. 12958: DECL: 12/01/2017\nTAGS: PGOV BL\nSUBJECT: BOLIVIA: X\n\n1. (C) Text."
    )
    st, start, lines = _read(body)
    c = st.cable
    assert st.banner_classification is None
    assert any(w.code == "banner.missing" for w in c.warnings)
    assert c.handling == ["SIPDIS"]
    assert c.tags == ["PGOV", "BL"]
    assert c.subject == "BOLIVIA: X"
    assert lines[start] == "1. (C) Text."


def test_weekday_preface_through_pipeline():
    body = "Wednesday, 29 November 2000, 13:59\nC O N F I D E N T I A L HARARE 006600\nSIPDIS\nEO 12958 DECL: 11/29/10\nTAGS PGOV, PREL, ZI\nSUBJECT: A\n1. (C) B"
    st, start, _ = _read(body)
    assert st.weekday_time == "2000-11-29T13:59"
    assert st.cable.declassify_on == "2010-11-29"
    assert st.cable.tags == ["PGOV", "PREL", "ZI"]
    assert start == 6


def test_csv_row_dump_through_pipeline():
    body = "\n".join(
        [
            ">",
            "7/29/2009 14:42",
            "09KAMPALA800",
            "Embassy Kampala",
            "SECRET",
            "",
            "VZCZCXRO0001",
            "FM AMEMBASSY KAMPALA",
            "TAGS: PREL UG",
            "SUBJECT: DUMPED SUBJECT",
            "S E C R E T KAMPALA 000800",
            "",
            "E.O. 12958: DECL: 07/29/2019",
            "TAGS: PREL UG",
            "SUBJECT: THE REAL SUBJECT",
            "",
            "1. (S) Text.",
        ]
    )
    st, start, _ = _read(body)
    assert st.cable.subject == "THE REAL SUBJECT"
    assert any(w.code == "preface.dump" for w in st.cable.warnings)
    assert start == 16


def test_tags_continuation_and_commas():
    body = "UNCLAS SANAA 000221\n\nE.O. 12958: N/A\nTAGS: PTER PREL ASEC\nEAIR, ABLD, SA, UK, YM\nSUBJECT: X\n\n1. (U) Y"
    st, _, _ = _read(body)
    c = st.cable
    assert c.declassify_rule == "N/A"
    assert c.declassify_on is None
    assert c.tags == ["PTER", "PREL", "ASEC", "EAIR", "ABLD", "SA", "UK", "YM"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PGOV PREL KJUS FR KJUS", ["PGOV", "PREL", "KJUS", "FR"]),
        ("RS,JA, ENRG,  QA,", ["RS", "JA", "ENRG", "QA"]),
        ("OVIP (CLINTON, HILLARY) PREL", ["OVIP", "CLINTON, HILLARY", "PREL"]),
        ("mtcre; parm; prel", ["MTCRE", "PARM", "PREL"]),
        ("PREL Organized Crime", ["PREL"]),  # a mixed-case expansion: kept apart (test_tags)
    ],
)
def test_parse_tags(text, expected):
    assert parse_tags(text) == expected


def test_repeated_preamble_uses_first_subject():
    body = "\n".join(
        [
            "S E C R E T ISLAMABAD 003000",
            "E.O. 12958: DECL: 12/01/2019",
            "TAGS: PREL PK",
            "SUBJECT: FIRST SUBJECT",
            "",
            "Tuesday, 01 December 2009, 10:00",
            "S E C R E T ISLAMABAD 003000",
            "E.O. 12958: DECL: 12/01/2019",
            "TAGS: PREL PK",
            "SUBJ: Second Subject",
            "",
            "Classified By: Ambassador A. B. Person, reasons 1.4 (b) and (d)",
            "",
            "1. (S) Text.",
        ]
    )
    st, start, _ = _read(body)
    assert st.cable.subject == "FIRST SUBJECT"
    assert st.cable.tags == ["PREL", "PK"]
    assert st.cable.classification_reasons == ["1.4(b)", "1.4(d)"]
    assert start == 13


def test_unnumbered_text_stops_after_preamble():
    body = "\n".join(
        [
            "UNCLAS TEHRAN 4789",
            "",
            "E.O. 12958: AS AMENDED; DECLASSIFIED JUNE 21, 2006",
            "TAGS: IR, PTER",
            "SUBJECT: CONTINUING ACTIVITIES",
            "",
            "REF: TEHRAN 3312",
            "",
            "SUMMARY: ACTIVITIES SEEM TO BE INCREASING.",
            "END SUMMARY",
            "",
            "FARLAND",
        ]
    )
    st, start, _ = _read(body)
    assert start == 8
    assert st.cable.declassify_rule == "AS AMENDED; DECLASSIFIED JUNE 21, 2006"
    assert st.cable.subject == "CONTINUING ACTIVITIES"


def test_classified_by_not_confused_with_paragraph_one():
    body = "\n".join(
        [
            "S E C R E T OSLO 000003",
            "E.O. 12958: DECL: 01/01/2019",
            "TAGS: PREL",
            "SUBJECT: X",
            "Classified By: Political Counselor Ola Nordmann, reasons",
            "1.4 (B) and (D).",
            "1. (S) Text.",
        ]
    )
    st, start, _ = _read(body)
    assert start == 6
    assert st.cable.classified_by.title == "Political Counselor"
    assert st.cable.classified_by.name == "Ola Nordmann"
    assert st.cable.classification_reasons == ["1.4(b)", "1.4(d)"]


def test_standalone_sipdis_inside_preamble_removed():
    body = "S E C R E T OSLO 000004\nSIPDIS\nE.O. 12958: DECL: 01/01/2019\nTAGS: PREL\nSIPDIS\nSUBJECT: X\nSIPDIS\n\n1. (S) Y"
    st, start, _ = _read(body)
    assert st.cable.handling == ["SIPDIS"]
    assert st.cable.subject == "X"
    assert st.cable.captions == []
    assert start == 8


def test_classified_by_in_old_paragraph_one():
    body = "C O N F I D E N T I A L ANKARA 012278\n\nE.O. 12958: DECL:11/15/17\nTAGS: PGOV TU\nSUBJECT: X\n\n1.  CLASSIFIED BY POLITICAL COUNSELOR RICHARD ROE,\nEMBASSY ANKARA.  REASON: 1.5(B)(D).\n\n2. (C) Y"
    st, start, _ = _read(body)
    c = st.cable
    assert start == 6
    assert c.declassify_on == "2017-11-15"
    assert c.classified_by.title == "POLITICAL COUNSELOR"
    assert c.classified_by.name == "RICHARD ROE"
    assert c.classified_by.office == "EMBASSY ANKARA"
    assert c.classification_reasons == ["1.5(b)", "1.5(d)"]


def test_subject_stops_at_page_header():
    body = "C O N F I D E N T I A L HARARE 006677\nEO 12958 DECL: 11/29/10\nTAGS PGOV\nSUBJECT: ASSISTANT SECRETARY MEETS\n CONFIDENTIAL\nPAGE 02 HARARE 06677 01 OF 03 291400Z\nREFTEL: HARARE 6584\n1. (C) X"
    st, start, _ = _read(body)
    assert st.cable.subject == "ASSISTANT SECRETARY MEETS"
    assert start == 7


# -- E.O. values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "eo", "on", "rule"),
    [
        ("E.O. 12958: DECL: 11/30/2019", "12958", "2019-11-30", None),
        ("EO 12958 DECL: 11/29/10", "12958", "2010-11-29", None),
        ("E.O. 12958: DECL:11/15/17", "12958", "2017-11-15", None),
        ("E.O. 12958: DECL: 2019/07/28", "12958", "2019-07-28", None),
        ("E.O. 12958: DECL: 1/3/2018", "12958", "2018-01-03", None),
        ("E.O. 12958: DECL: 2018-01-03", "12958", "2018-01-03", None),
        ("E.O. 12958 03/24/2019", "12958", "2019-03-24", None),
        ("E.O. 12958: DNG: CO 01/26/2021", "12958", "2021-01-26", "DNG: CO"),
        ("E.O. 12958: N/A", "12958", None, "N/A"),
        ("E.O. 12958:N/A", "12958", None, "N/A"),
        ("E. O. 12356:  DECL:  OADR", "12356", None, "OADR"),
        ("E.O. 12958: DECL: MR", "12958", None, "MR"),
        ("E.O. 12598: DECL: 12/31/2012", "12598", "2012-12-31", None),
        ("EO 12958 DECLl: 05/05/2015", "12958", "2015-05-05", None),
        ("E.O. 12958: Declassify on: 05/05/2015", "12958", "2015-05-05", None),
        (
            "E.O. 12958: DECL: TEN YEARS AFTER KOREAN UNIFICATION",
            "12958",
            None,
            "TEN YEARS AFTER KOREAN UNIFICATION",
        ),
        (
            "E.O. 12958: DECLASSIFIED BY NARA 09/02/2009",
            "12958",
            None,
            "DECLASSIFIED BY NARA 09/02/2009",
        ),
        ("E.O. 11652: GDS", "11652", None, "GDS"),
        # exemption codes alone, read to their canonical codes
        ("E.O. 12958: DECL: (1.6X1)", "12958", None, "1.6X1"),
        ("E.O. 12958: DECL: X6", "12958", None, "1.6X6"),
        ("E.O. 12958: DECL: 1.6 X 1", "12958", None, "1.6X1"),
        ("E.O. 12958:  DECL: 1.6.X.1", "12958", None, "1.6X1"),
        ("E.O. 12958: DECL: 1.6 (X1, X4, X6)", "12958", None, "1.6X1, 1.6X4, 1.6X6"),
        # dates in rarer shapes
        ("E.O. 12958: DECL: 12-29-13", "12958", "2013-12-29", None),
        ("E.O. 12958: DECL: 06//12/11", "12958", "2011-06-12", None),
        ("E.O. 12958: DECL: 08 OCTOBER 2019", "12958", "2019-10-08", None),
        ("E.O. 12958: DECL: OCTOBER 20, 2005", "12958", "2005-10-20", None),
        ("E.O. 12958: DECL: (12/3/2006)", "12958", "2006-12-03", None),
        ("E.O. 12958: DECL: 07/25/2O13", "12958", "2013-07-25", None),
        ("E.O. 12958: DECL: DECL: 06/09/2016", "12958", "2016-06-09", None),
        ("E.O. 12958: DCL: 03/29/2013", "12958", "2013-03-29", None),
        ("E.O. 12958: DECL: (##)", "12958", None, "(##)"),
        ("E.O. 12958: DECL: 10 YEARS", "12958", None, "10 YEARS"),
        ("E.O. 12958: DECL: X1, X5, X6", "12958", None, "1.6X1, 1.6X5, 1.6X6"),
        ("E.O. 12958: DECL: EXEMPT 1.6 X1 AND X8", "12958", None, "1.6X1, 1.6X8"),
        ("E.O. 12958: DECL: 25X1", "12958", None, "25X1"),
        (
            "E.O. 12958: DECL: 1.6X6: 5 YEARS AFTER CLOSURE OF ICTY",
            "12958",
            None,
            "1.6X6: 5 YEARS AFTER CLOSURE OF ICTY",
        ),
    ],
)
def test_eo_values(line, eo, on, rule):
    st, _, _ = _read(f"S E C R E T OSLO 000005\n{line}\nTAGS: PREL\nSUBJECT: X\n\n1. (S) Y")
    c = st.cable
    assert (c.eo, c.declassify_on, c.declassify_rule) == (eo, on, rule)


def test_eo_invalid_date_warns_and_keeps_text():
    st, _, _ = _read("S E C R E T OSLO 000006\nE.O. 12958: DECL: 13/45/2019\nSUBJECT: X\n\n1. Y")
    c = st.cable
    assert c.declassify_on is None
    assert c.declassify_rule == "13/45/2019"
    assert any(w.code == "eo.bad_date" for w in c.warnings)


# -- Classified By ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        ("CDA A. Person for reasons 1.4 (b) and (d)", ["1.4(b)", "1.4(d)"]),
        ("CDA A. Person, reasons 1.4 (b), (d).", ["1.4(b)", "1.4(d)"]),
        ("CDA A. Person, reasons 1.4 (b)(d)", ["1.4(b)", "1.4(d)"]),
        ("CDA A. Person, reasons 1.4 (b) (d)", ["1.4(b)", "1.4(d)"]),
        ("CDA A. Person, reasons 1.4 (b,d)", ["1.4(b)", "1.4(d)"]),
        ("CDA A. Person, reasons 1.4 (B,C,D)", ["1.4(b)", "1.4(c)", "1.4(d)"]),
        ("CDA A. Person, reasons 1.4 (b/d)", ["1.4(b)", "1.4(d)"]),
        ("CDA A. Person, reasons 1.4 ( b, d)", ["1.4(b)", "1.4(d)"]),
        ("CDA A. Person, reasons 1.4 b&d", ["1.4(b)", "1.4(d)"]),
        ("CDA A. Person, reasons 1.4 B C AND D", ["1.4(b)", "1.4(c)", "1.4(d)"]),
        ("CDA A. Person, reasons 1.4b/d", ["1.4(b)", "1.4(d)"]),
        ("CDA A. Person, reasons 1.4B AND D", ["1.4(b)", "1.4(d)"]),
        ("CDA A. Person, reasons 1.5 (B)(D)", ["1.5(b)", "1.5(d)"]),
        ("CDA A. Person, reaso ns 1. 4 (b)", ["1.4(b)"]),
        ("CDA A. Person, reasons 1.4 (b) a nd (d)", ["1.4(b)", "1.4(d)"]),
        ("CDA A. Person, reasons 1.4,  a/b/c/d", ["1.4(a)", "1.4(b)", "1.4(c)", "1.4(d)"]),
        ("CDA A. Person, reasons 1.4. (b and d)", ["1.4(b)", "1.4(d)"]),
        ("CDA A. Person, reasons 1. 4 (B)", ["1.4(b)"]),
        ("CDA A. Person, reasons 1.4 (d.)", ["1.4(d)"]),
        (
            "CDA A. Person; reasons: E.O. 12958 1.4 (a,b,c,d).",
            ["1.4(a)", "1.4(b)", "1.4(c)", "1.4(d)"],
        ),
        ("CDA A. Person, E.O. 12958, 1.4(D). Embassy Oslo", ["1.4(d)"]),
    ],
)
def test_classified_by_reasons(text, reasons):
    assert reasons_from_text(text) == reasons
    assert parse_classified_by(text)[1] == reasons


def test_reason_letters_without_a_section():
    # no section to scan for in running text; the statement gives the letters alone
    text = "CDA A. Person for reasons b, d"
    assert reasons_from_text(text) == []
    assert parse_classified_by(text)[1] == ["(b)", "(d)"]


@pytest.mark.parametrize(
    ("text", "title", "name", "office"),
    [
        (
            "Ambassador Gillian Example, Embassy Bamako, for reasons 1.4 (b) (d).",
            "Ambassador",
            "Gillian Example",
            "Embassy Bamako",
        ),
        ("Classified by CDA Kevin Roe for reasons 1.4 (b) and (d)", "CDA", "Kevin Roe", None),
        ("A/DCM ABELARDO A. ROE, REASONS 1.4 (B) AND (D)", "A/DCM", "ABELARDO A. ROE", None),
        (
            "Charge d'Affaires a.i. Ann Roe, Embassy X, reasons 1.4 (b)",
            "Charge d'Affaires a.i.",
            "Ann Roe",
            "Embassy X",
        ),
        ("Acting DCM Bo Roe, per 1.4 (d)", "Acting DCM", "Bo Roe", None),
        ("Pol/Econ Chief Cy Roe, Embassy Y, 1.4 (b)", "Pol/Econ Chief", "Cy Roe", "Embassy Y"),
        (
            "Deputy Chief of Mission Di Roe, reason 1.4 (d)",
            "Deputy Chief of Mission",
            "Di Roe",
            None,
        ),
        (
            "Consul General Ed Roe, Consulate Z, reasons 1.4 (b)",
            "Consul General",
            "Ed Roe",
            "Consulate Z",
        ),
        ("Principal Officer Fa Roe for reasons 1.4 (d)", "Principal Officer", "Fa Roe", None),
        ("DAS Gu Roe, EUR, 1.4 (b)", "DAS", "Gu Roe", "EUR"),
        ("PolOff Hu Roe, reasons 1.4 (b)", "PolOff", "Hu Roe", None),
        ("Political Section Chief Io Roe, 1.4 (b)", "Political Section Chief", "Io Roe", None),
        ("Minister Counselor Jo Roe, 1.4 (b)", "Minister Counselor", "Jo Roe", None),
        (
            "Deputy Political Counselor Ka Roe, 1.4 (b)",
            "Deputy Political Counselor",
            "Ka Roe",
            None,
        ),
        ("Economic Counselor Li Roe, 1.4 (b)", "Economic Counselor", "Li Roe", None),
        # docs/record.md: a name followed by its title
        ("Mo Roe, Political Officer, reasons 1.4 (b)", "Political Officer", "Mo Roe", None),
        (
            "Nu A. Roe, Ambassador, U.S. Embassy - Zenda, Dept of State. REASON: 1.4 (b), (d)",
            "Ambassador",
            "Nu A. Roe",
            "U.S. Embassy - Zenda, Dept of State",
        ),
        ("XXXXXXXXXXXX, reasons 1.4 (b)", None, "XXXXXXXXXXXX", None),
        # suffixes stay with the name
        (
            "Ambassador Om M. Roe, Jr., Embassy Zenda, 1.4 (b)",
            "Ambassador",
            "Om M. Roe, Jr.",
            "Embassy Zenda",
        ),
        ("DCM Pa O. Roe, Jr. for Reasons 1.4 (B, D)", "DCM", "Pa O. Roe, Jr.", None),
        (
            "QU ROE, JR., ACTING DIRECTOR, OFFICE OF X. REASON: 1.5(D).",
            "ACTING DIRECTOR",
            "QU ROE, JR.",
            "OFFICE OF X",
        ),
        # title vocabulary of the dev corpus
        ("COM Ra Roe for Reasons 1.4 (b,d)", "COM", "Ra Roe", None),
        ("ESTHOFF SA ROE PER 1.4 (B/D)", "ESTHOFF", "SA ROE", None),
        ("A/CG TE ROE FOR REASONS 1.4(D)", "A/CG", "TE ROE", None),
        ("PolCouns Ul Roe for reason 1.5 (d).", "PolCouns", "Ul Roe", None),
        ("POL/MC Va Roe, for reasons 1.4 (b) and (d).", "POL/MC", "Va Roe", None),
        ("Political M/C Wo Roe, reasons 1.4 (b)", "Political M/C", "Wo Roe", None),
        (
            "A/PolAd A. \u201cXy\u201d Roe. Reasons: 1.4 (b)",
            "A/PolAd",
            "A. \u201cXy\u201d Roe",
            None,
        ),
        ("Minister-Counselor Yu Roe. Reasons: 1.4 (B/D).", "Minister-Counselor", "Yu Roe", None),
        ("CdA Za Roe for reasons 1.4 (b)", "CdA", "Za Roe", None),
        ("P/E Officer Ab Roe, reasons 1.4 (b)", "P/E Officer", "Ab Roe", None),
        ("Acting DCM Bc Roe for reasons 1.4 (B & D).", "Acting DCM", "Bc Roe", None),
        ("Charge Cd Roe for reason 1.5 (d).", "Charge", "Cd Roe", None),
        ("Chargé Cd Roe for reason 1.5 (d).", "Chargé", "Cd Roe", None),
        ("AIT Director De Roe. Reason(s): 1.4 (B/D)", "AIT Director", "De Roe", None),
        ("USEU POLOFF EF ROE, FOR REASONS 1.4 (B) AND (D)", "USEU POLOFF", "EF ROE", None),
        # apostrophe variants of Charge d'Affaires
        ("Charge d\u2019Affaires Fg Roe, reasons 1.4 (b)", "Charge d'Affaires", "Fg Roe", None),
        (
            "Charge d,Affaires a.i. Gh Roe, reasons 1.4(b ) and (d).",
            "Charge d'Affaires a.i.",
            "Gh Roe",
            None,
        ),
        ("CDA, a.i., Hi Roe, Reasons 1.4(b) and (d)", "CDA, a.i.", "Hi Roe", None),
        ("DCM, Ij Roe, reasons 1.4 (b) and (d).", "DCM", "Ij Roe", None),
        ("COM: Jk L. Roe: For reasons 1.4 b/d", "COM", "Jk L. Roe", None),
        ("Roe, Kl, A/DCM, State REASON: 1.4(B), (D)", "A/DCM", "Roe, Kl", "State"),
        ("Pol/Econ Chief Lm Roe for 1.5 b and d.", "Pol/Econ Chief", "Lm Roe", None),
        ("by CDA Mn Roe for reasons 1.4 (b) and (d)", "CDA", "Mn Roe", None),
        ("C0NSUL N0 R0E. REAS0N: 1.5(D)", "C0NSUL", "N0 R0E", None),
    ],
)
def test_classified_by_who(text, title, name, office):
    cb, _ = parse_classified_by(text)
    assert (cb.title, cb.name, cb.office) == (title, name, office)


def test_classified_by_doubled_label_in_preamble():
    body = "S E C R E T OSLO 000007\nE.O. 12958: DECL: 01/01/2019\nSUBJECT: X\nClassified By: Classified by CDA Kevin Roe for reasons 1.4 (b) and (d)\n\n1. Y"
    st, _, _ = _read(body)
    cb = st.cable.classified_by
    assert cb.text == "CDA Kevin Roe for reasons 1.4 (b) and (d)"
    assert (cb.title, cb.name) == ("CDA", "Kevin Roe")


def test_classified_by_u_prefixed_two_lines():
    body = "S E C R E T ANKARA 000008\nE.O. 12958: DECL: 12/21/2029\nTAGS: PREL TU\nSUBJECT: X\n\n(U) Classified by CDA Ro Roe; reasons: E.O. 12958 1.4\n(a,b,c,d).\n\n1. (S/NF) Y"
    st, start, _ = _read(body)
    c = st.cable
    assert c.declassify_on == "2029-12-21"
    assert c.classified_by.name == "Ro Roe"
    assert c.classification_reasons == ["1.4(a)", "1.4(b)", "1.4(c)", "1.4(d)"]
    assert start == 8


# -- edge cases of the dev corpus (docs/record.md) ------------------------------------------


def test_glued_paragraph_is_split_into_its_own_line():
    body = "\n".join(
        [
            "C O N F I D E N T I A L ZENDA 000010",
            "E.O. 12958: DECL: 01/01/2019",
            "TAGS: PREL ZE",
            "SUBJECT: X",
            "Classified By: DCM Al Roe for reasons 1.4 (b) and (d). 1. (C) Summary: The king spoke.",
            "2. (C) More.",
        ]
    )
    st, start, lines = _read(body)
    assert lines[start] == "1. (C) Summary: The king spoke."
    assert lines[start - 1].endswith("1.4 (b) and (d).")
    assert st.cable.classification_reasons == ["1.4(b)", "1.4(d)"]
    assert st.cable.classified_by.text == "DCM Al Roe for reasons 1.4 (b) and (d)."


def test_unnumbered_glued_paragraph_after_reasons():
    body = (
        "C O N F I D E N T I A L ZENDA 000011\nE.O. 12958: DECL: 01/01/2019\nSUBJECT: X\n"
        "Classified By: Ambassador Bo Roe, Reason: 1.4 (b), (d) (S) Ambassador telephoned the king"
        " on the matter of the wells.\nROE"
    )
    st, start, lines = _read(body)
    assert lines[start].startswith("(S) Ambassador telephoned")
    assert st.cable.classification_reasons == ["1.4(b)", "1.4(d)"]


def test_portion_marked_line_after_classified_by_is_text():
    body = "\n".join(
        [
            "C O N F I D E N T I A L ZENDA 000012",
            "E.O. 12958: DECL: 01/01/2019",
            "SUBJECT: X",
            "Classified By: DCM Cy Roe, Jr. for Reasons 1.4 (B, D)",
            "(C) MEA Joint Secretary Ann Other called A/PolCouns June 22 to relay the considered"
            " response of the ministry to the demarche of the embassy.",
            "ROE",
        ]
    )
    st, start, lines = _read(body)
    assert lines[start].startswith("(C) MEA")
    assert st.cable.classification_reasons == ["1.4(b)", "1.4(d)"]
    assert st.cable.classified_by.name == "Cy Roe, Jr."


def test_reason_word_split_across_blank_lines():
    body = "C O N F I D E N T I A L ZENDA 000013\nE.O. 12958: DECL: 01/01/2007\nSUBJECT: X\n\n"
    body += "Classified By: CONSUL GENERAL DI ROE FOR REASONS 1.5 (B) A\n\n\nND (D).\n\n1. (U) Y"
    st, start, lines = _read(body)
    assert st.cable.classification_reasons == ["1.5(b)", "1.5(d)"]
    assert lines[start] == "1. (U) Y"


def test_reason_and_split_by_the_wrap():
    body = "S E C R E T ZENDA 000014\nE.O. 12958: DECL: 01/01/2014\nSUBJECT: X\n\n"
    body += "Classified By: Economic Counselor Ed Roe for reasons 1.4 (b) an\nd (d)\n\n1. (C) Y"
    st, _, _ = _read(body)
    assert st.cable.classification_reasons == ["1.4(b)", "1.4(d)"]
    assert st.cable.classified_by.title == "Economic Counselor"


def test_heading_after_classified_by_is_not_part_of_it():
    body = "S E C R E T ZENDA 000015\nE.O. 12958: DECL: 01/01/2014\nSUBJECT: X\n\n"
    body += (
        "Classified By: CDA Fa Roe for reasons 1.4 (b) and (d)\n-------\nSUMMARY\n-------\n1. (C) Y"
    )
    st, start, lines = _read(body)
    assert st.cable.classified_by.text == "CDA Fa Roe for reasons 1.4 (b) and (d)"
    assert lines[start] == "-------"


def test_sensitive_but_unclassified_is_a_handling_caption():
    body = "\n".join(
        [
            "UNCLAS SECTION 01 OF 03 ZENDA 000016",
            "SIPDIS",
            "SENSITIVE BUT UNCLASSIFIED",
            "DEPT FOR AF/S",
            "SENSITIVE BUT UNCLASSIFIED - PLEASE HANDLE ACCORDINGLY",
            "E.O. 12958: N/A",
            "TAGS: ECON ZE",
            "SUBJECT: X",
            "",
            "1. (U) Y",
        ]
    )
    st, _, _ = _read(body)
    assert st.cable.handling == ["SIPDIS", "SENSITIVE"]
    assert st.cable.captions == ["DEPT FOR AF/S"]


def test_one_line_preamble_with_glued_handling_words():
    body = (
        "Cable dated:2008-05-07T17:53:00C O N F I D E N T I A L SECTION 01 OF 02 ZENDA 000732"
        "SENSITIVE SIPDISNEA FOR DAS A. ROE TREASURY PASS TO B. ROEE.O. 12958: DECL: 05/07/2018"
        "TAGS: EPET ZE\n\n1. (C) Y"
    )
    st, _, _ = _read(body)
    c = st.cable
    assert set(c.handling) == {"SENSITIVE", "SIPDIS"}
    assert c.captions == ["NEA FOR DAS A. ROE TREASURY PASS TO B. ROE"]
    assert c.declassify_on == "2018-05-07"
    assert c.tags == ["EPET", "ZE"]


def test_eo_with_zero_for_the_letter_o():
    body = "UNCLAS SECTION 01 OF 02 USUN NEW YORK 02987\nAMMAN FOR A. ROE\nE.0.12356: N/A\n\n"
    body += "TAGS: PREL, UNSC\n\nSUBJECT: X\n\n1. Y"
    st, _, _ = _read(body)
    c = st.cable
    assert (c.eo, c.declassify_rule) == ("12356", "N/A")
    assert c.captions == ["AMMAN FOR A. ROE"]


def test_subject_stops_at_a_passing_line(monkeypatch):
    from cablebase.grammar import refs

    seen: list[str] = []
    monkeypatch.setattr(refs, "parse_refs", lambda text, year, *_: seen.append(text) or [])
    body = "\n".join(
        [
            "S E C R E T STATE 194000",
            "",
            "LONDON FOR A. ROE",
            "",
            "E.O. 12958: DECL: 09/17/06",
            "TAGS: PTER, AF",
            "SUBJECT: DEMARCHE ON TERRORISM",
            "",
            "ROME FOR B. ROE",
            "",
            "REFS: A)   STATE 48243 B)   STATE 184791",
            "",
            "1. (S) Y",
        ]
    )
    st, _, _ = _read(body)
    assert st.cable.subject == "DEMARCHE ON TERRORISM"
    assert st.cable.captions == ["LONDON FOR A. ROE", "ROME FOR B. ROE"]
    assert seen == ["A)   STATE 48243 B)   STATE 184791"]


def test_double_spaced_subject_still_joins():
    body = "UNCLAS ZENDA 000554\n\nE.O. 12958: N/A\nTAGS: EAIR, ZE\nSUBJECT: ZENDA: RESPONSE TO THE CIVAIR\n"
    body += "\n\nAGREEMENT\n\nREF: A. SECSTATE 124593\n\n1.  (U) Y"
    st, _, _ = _read(body)
    assert st.cable.subject == "ZENDA: RESPONSE TO THE CIVAIR AGREEMENT"


def test_blank_line_inside_a_ref_item(monkeypatch):
    from cablebase.grammar import refs

    seen: list[str] = []
    monkeypatch.setattr(refs, "parse_refs", lambda text, year, *_: seen.append(text) or [])
    body = "UNCLAS ZENDA 002897\n\nE.O. 12958: N/A\nTAGS: ENRG\nSUBJECT: X\n\n"
    body += "REF:  a) 01 ZENDA 2872, b) ZENDA 02207, C)\n\nZENDA 02857\n\n1. (SBU) Y"
    _, start, lines = _read(body)
    assert seen == ["a) 01 ZENDA 2872, b) ZENDA 02207, C)\nZENDA 02857"]
    assert lines[start] == "1. (SBU) Y"


def test_cut_short_copy_is_read_from_the_full_copy():
    body = "\n".join(
        [
            "S E C R E T ZENDA 000567",
            "",
            "SIPDIS",
            "",
            "E.O. 12958: DECL: 09/18/2019",
            "TAGS: PREL ZE",
            "SUBJECT: ZENDA: A SUBJECT CUT SHORT BY THE PAGE FOR",
            "E...",
            "",
            '225926,9/18/2009 15:03,09ZENDA567,"Embassy Zenda",SECRET,,"VZCZCXYZ0015',
            "FM AMEMBASSY ZENDA",
            "TO RUEHC/SECSTATE WASHDC IMMEDIATE 3280",
            '","S E C R E T ZENDA',
            "000567",
            "SIPDIS",
            "E.O. 12958: DECL: 09/18/2019",
            "TAGS: PREL ZE",
            "SUBJECT: ZENDA: A SUBJECT CUT SHORT BY THE PAGE FOR",
            'EXTENDING THE ""GOOD"" THINGS',
            "Classified By: Political Counselor Gu Roe",
            "for reasons 1.5 (b,d).",
            "1. (S/NF) SUMMARY: Y",
        ]
    )
    st, start, lines = _read(body)
    c = st.cable
    assert lines[start] == "1. (S/NF) SUMMARY: Y"
    assert c.subject == 'ZENDA: A SUBJECT CUT SHORT BY THE PAGE FOR EXTENDING THE "GOOD" THINGS'
    assert c.classified_by.name == "Gu Roe"
    assert c.classification_reasons == ["1.5(b)", "1.5(d)"]
    assert any(w.code == "preamble.cut_short" for w in c.warnings)


@pytest.mark.parametrize(
    "label",
    [
        "Classjfied By:",
        "Classfied By:",
        "Classified ByDCM",
        '"Classified By:',
        "ZENDAClassified By:",
    ],
)
def test_classified_by_label_variants(label):
    body = "S E C R E T ZENDA 000017\nE.O. 12958: DECL: 01/01/2019\nSUBJECT: X\n\n"
    body += f"{label} Hi Roe, reasons 1.4 (b)\n\n1. (S) Y"
    st, _, _ = _read(body)
    assert st.cable.classification_reasons == ["1.4(b)"]


def test_classified_by_in_second_paragraph():
    body = "S E C R E T STATE 000018\nE.O. 12958: DECL: 01/01/2019\nSUBJECT: X\n\n"
    body += (
        "1. (U) This is an action request.\n\n2. (U) Classified by Acting DAS Ja Roe, Reasons 1.4\n"
    )
    body += "(b) and (d).\n3. (U) Y"
    st, _, _ = _read(body)
    assert st.cable.classified_by.name == "Ja Roe"
    assert st.cable.classification_reasons == ["1.4(b)", "1.4(d)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "KWBG, ECON, IS, GAZA DISENGAGEMENT, ISRAELI-PALESTINIAN AFFAIRS",
            ["KWBG", "ECON", "IS", "GAZA DISENGAGEMENT", "ISRAELI-PALESTINIAN AFFAIRS"],
        ),
        ("PREL PGOV PHUM, VT", ["PREL", "PGOV", "PHUM", "VT"]),  # codes only: split
        ("PREL PGOV\nEAIR, ABLD, SA", ["PREL", "PGOV", "EAIR", "ABLD", "SA"]),  # per line
        ("PREL, OVIP (RICE, CONDOLEEZZA), US", ["PREL", "OVIP", "RICE, CONDOLEEZZA", "US"]),
    ],
)
def test_parse_tags_comma_lines(text, expected):
    assert parse_tags(text) == expected


# -- portion marks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(C)", "C"),
        ("(S//NF)", "S/NF"),
        ("(U//FOUO)", "U/FOUO"),
        ("( C )", "C"),
        ("(S/NOFORN)", "S/NF"),
        ("(C N/F)", "C/NF"),
        ("(c)", "C"),
        ("(SBU)", "SBU"),
        ("(C - ENTIRE TEXT)", "C"),
        ("S/NF", "S/NF"),
        ("(U.S.)", None),
        ("(Iran)", None),
        ("(a)", None),
        ("(1)", None),
        # a release caveat glued to its country code (DoD reports): REL CAN
        ("(C/RELCAN)", "C/REL CAN"),
        ("(S//RELGBR)", "S/REL GBR"),
        ("(C/RELAX)", None),
    ],
)
def test_normalize_portion(raw, expected):
    assert normalize_portion(raw) == expected


def test_split_portion():
    assert split_portion("(S) FOO BAR") == ("S", "FOO BAR")
    assert split_portion("(U.S.) FOO") == (None, "(U.S.) FOO")


# -- corpus sweep ---------------------------------------------------------------------------

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
CORPUS = SHARED / "corpus"
_PRE = re.compile(r"<pre>(.*?)</pre>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _html_bodies():
    with tarfile.open(CORPUS / "cablegate-html-dev.tar.xz") as tar:
        for m in tar:
            if not (m.isfile() and m.name.endswith(".html")):
                continue
            page = tar.extractfile(m).read().decode("utf-8", "replace")
            pres = _PRE.findall(page)
            if len(pres) < 2:
                continue
            text = html.unescape(_TAG.sub("", pres[1])).replace("¶", "")
            yield m.name, text


def _csv_bodies():
    csv.field_size_limit(1 << 30)
    with lzma.open(CORPUS / "cables-dev.csv.xz", "rt", encoding="utf-8", errors="replace") as f:
        for i, row in enumerate(csv.reader(f, quotechar='"', escapechar="\\")):
            if len(row) >= 8:
                yield f"row {i}", row[7]


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("form", ["html", "csv"])
def test_corpus_sweep(form, capsys):
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus not present")
    source = _html_bodies() if form == "html" else _csv_bodies()
    counts = dict.fromkeys(("banner", "eo", "tags", "subject", "classified_by", "reasons"), 0)
    n = 0
    for name, text in source:
        body = [line.rstrip() for line in text.split("\n")]
        try:
            st, start, lines = _read("\n".join(body))
        except Exception as exc:  # pragma: no cover - reported with the cable's name
            raise AssertionError(f"{name}: {type(exc).__name__}: {exc}") from exc
        assert 0 <= start <= len(lines)
        c = st.cable
        n += 1
        counts["banner"] += st.banner_classification is not None
        counts["eo"] += c.eo is not None or c.declassify_rule is not None
        counts["tags"] += bool(c.tags)
        counts["subject"] += c.subject is not None
        counts["classified_by"] += c.classified_by is not None
        counts["reasons"] += bool(c.classification_reasons)
    assert n > 0
    with capsys.disabled():
        shares = ", ".join(f"{k} {v}/{n} ({v / n:.1%})" for k, v in counts.items())
        print(f"\n{form}: {shares}")
    assert counts["banner"] / n > 0.98
    assert counts["tags"] / n > 0.98
    assert counts["subject"] / n > 0.95


# -- issue 10: preamble shapes (synthetic cables) ----------------------------------------


def _text(body: str):
    from cablebase.parse import parse_text

    return parse_text(body, form="text")


def test_correction_note_is_not_a_classified_by_statement():
    c = _text(
        "C O N F I D E N T I A L ZENDA 004462\n\n"
        "- - C O R R E C T E D  C O P Y - - CLASSIFIED BY LINE ADDED\n\n"
        "E.O. 12958: DECL: 08/24/05\nTAGS: PREL, XX\nSUBJECT: A SUBJECT\n\n"
        "CLASSIFIED BY DCM JROE PER 1.5 (B) AND (D)\n\n\n1.  (C) TEXT.\n"
    )
    assert c.classified_by.name == "JROE"
    assert c.classification_reasons == ["1.5(b)", "1.5(d)"]


def test_correction_note_in_parentheses_and_statement_glued_to_subject():
    c = _text(
        "C O N F I D E N T I A L ZENDA 002347\n\nSIPDIS\n\n"
        "C O R R E C T E D  C O P Y (ADDED CLASSIFIED BY LINE)\n\n"
        "E.O. 12958: DECL: 10/15/2019\nTAGS: MARR PREL\n"
        "SUBJECT: HOST NATION SURVEY: PLAN TO\n"
        "HOMEPORT A TENDER  Classified By: Political Counselor Ann Roe, for reasons 1.4 b and d\n\n"
        "1. (C) Text.\n"
    )
    assert c.subject == "HOST NATION SURVEY: PLAN TO HOMEPORT A TENDER"
    assert c.classified_by.name == "Ann Roe"


def test_inner_label_and_name_cut_by_a_blank_line():
    c = _text(
        "C O N F I D E N T I A L ZENDA 001745\n\nE.O. 12958: DECL: 12/15/2014\nTAGS: XX\n"
        "SUBJECT: A SUBJECT\n\n"
        "Classified By: This message has been classified by Labor Officer\nPatric\n\n"
        "k Del Roe.  Reasons 1.4 (b) and (d).\n\n\n\n1. (C) Text.\n"
    )
    assert c.classified_by.name == "Patrick Del Roe"
    assert c.classified_by.title == "Labor Officer"


@pytest.mark.parametrize(
    "subject_lines",
    [
        "DISCUSS ZENDA AND OTHER ISSUES, 19 AUGUST 2005\n",  # no label at all
        "UBJECT: DISCUSS ZENDA AND OTHER ISSUES, 19 AUGUST 2005\n",
        "SUBJECT DISCUSS ZENDA AND OTHER ISSUES, 19 AUGUST 2005\n",
        "SUBJECT: SUBJECT: DISCUSS ZENDA AND OTHER ISSUES, 19 AUGUST 2005\n",
    ],
)
def test_subject_label_missing_or_misspelt(subject_lines):
    c = _text(
        "C O N F I D E N T I A L ZENDA 002231\n\nE.O. 12958: DECL: 08/19/2015\n"
        "TAGS: PREL MARR BR UNSC US\n" + subject_lines + "REF: STATE 149277\n\n"
        "Classified By: AMBASSADOR JON ROE. REASONS: 1.4(B)(D).\n\n1. (C) Text.\n"
    )
    assert c.subject == "DISCUSS ZENDA AND OTHER ISSUES, 19 AUGUST 2005"
    assert c.classified_by.name == "JON ROE"


@pytest.mark.parametrize(
    "label",
    # one slip past the known forms, another separator, mixed case
    ["SUBJET:", "SUJBECT:", "SBUJECT:", "SUBECT:", "SUBJECT;", "SUBJECT.", "Subject -", "SUBJ."],
)
@pytest.mark.parametrize("after", ["REF: STATE 149277\n\n", "\n"])
def test_subject_label_misspelt_past_the_known_forms(label, after):
    """With a REF below it or straight before the text, the SUBJECT is read without the
    label, however it is misspelt."""
    c = _text(
        "C O N F I D E N T I A L ZENDA 002231\n\nE.O. 12958: DECL: 08/19/2015\n"
        f"TAGS: PREL MARR BR\n{label} DISCUSS ZENDA AND OTHER\nISSUES, 19 AUGUST 2005\n"
        + after
        + "Classified By: AMBASSADOR JON ROE. REASONS: 1.4(B)(D).\n\n1. (C) Text.\n"
    )
    assert c.subject == "DISCUSS ZENDA AND OTHER ISSUES, 19 AUGUST 2005"
    assert c.tags == ["PREL", "MARR", "BR"]
    assert c.classified_by.name == "JON ROE"


def test_unlabelled_subject_right_before_paragraph_one():
    c = _text(
        "UNCLAS SECTION 01 OF 03 ZENDA 002315\n\nSIPDIS\n\nE.O. 12958: N/A\n\nTAGS: EAIR BR\n\n"
        "ZENDA: DELAYS IN AIRPORTS AS CONTROLLERS SLOW DOWN\n\n1. (SBU) Summary: Flights were late.\n"
    )
    assert c.subject == "ZENDA: DELAYS IN AIRPORTS AS CONTROLLERS SLOW DOWN"


@pytest.mark.parametrize(
    "line",
    [
        "NOT FOR INTERNET DISTRIBUTION",
        "FOR THE AMBASSADOR FROM THE SECRETARY",
        "EYES ONLY FOR THE AMBASSADOR",
        "Zenda: delays in airports",  # not in capitals: no subject line
    ],
)
def test_caption_right_before_paragraph_one_is_no_subject(line):
    c = _text(
        "UNCLAS ZENDA 002315\n\nSIPDIS\n\nE.O. 12958: N/A\n\nTAGS: EAIR BR\n\n"
        f"{line}\n\n1. (SBU) Flights were late.\n"
    )
    assert c.subject is None


def test_a_word_two_slips_from_subject_is_no_label():
    c = _text(
        "C O N F I D E N T I A L ZENDA 002231\n\nE.O. 12958: DECL: 08/19/2015\n"
        "TAGS: PREL MARR BR\nSUSPECT: JON DOE\nSUBJECT: A TEST\n\n1. (C) Text.\n"
    )
    assert c.subject == "A TEST"


def test_unlabelled_subject_on_a_line_with_ref_and_classified_by():
    c = _text(
        "S E C R E T SECTION 01 OF 02 ZENDA 000678\n\nNOFORN\nSIPDIS\n\n"
        "E.O. 12958: DECL:  8/20/2019\nTAGS: PREL PGOV PHUM LY\n"
        "FOUNDATION LAYS OUT GOALS, BUT HEIR TO REMAIN OUTSIDE OF POLITICS REF: A. ZENDA 487 "
        "CLASSIFIED BY: Jo Roe, Charge d'Affaires, U.S. Embassy Zenda. REASON: 1.4 (b), (d)\n\n"
        "1.(S/NF) Summary. Text.\n"
    )
    assert c.subject == "FOUNDATION LAYS OUT GOALS, BUT HEIR TO REMAIN OUTSIDE OF POLITICS"
    assert c.classified_by.name == "Jo Roe"


def test_tags_continuation_is_not_taken_for_a_subject():
    c = _text(
        "UNCLAS ZENDA 000001\n\nE.O. 12958: N/A\nTAGS OVIP (ROE, JO), PREL, AS, PK,\n"
        "RS,JA, KS, ASEAN\nSUBJECT: A MEETING\n\n1. Text.\n"
    )
    assert c.subject == "A MEETING"


def test_subject_ends_at_a_code_and_an_sbu_note_before_ref():
    c = _text(
        "UNCLAS SECTION 01 OF 07 ZENDA 005670\n\nSIPDIS\nSENSITIVE\n\nE.O. 12958: N/A\n"
        "TAGS: ECON, EFIN\nSUBJECT: Economic Forecast for Zenda: Slow Growth and\n"
        "High Deficits Continue\nT-IA-F-03-37\nThis cable is sensitive but unclassified.  Not/not\n"
        "for Internet distribution.\n\nREF: Berlin 2415\n\n1. (SBU)  Summary: Text.\n"
    )
    assert c.subject == "Economic Forecast for Zenda: Slow Growth and High Deficits Continue"
    assert [r.text for r in c.references] == ["Berlin 2415"]


@pytest.mark.parametrize(
    ("subject_block", "subject"),
    [
        # a heading put on the subject's line, its rule on the next
        (
            "SUBJECT:  More than Wine:  Ambassador Talks Development Summary\n"
            "-------- 1.  Ambassador visited the center.\n",
            "More than Wine: Ambassador Talks Development",
        ),
        (
            "SUBJECT:  DAILY SUMMARY OF PRESS 03/15/06\n  INDEX:\n(1) Poll\n",
            "DAILY SUMMARY OF PRESS 03/15/06",
        ),
        (
            "SUBJECT: X MEETS ENERGY FIRMS IN RIO Ref(s): A) 08 RIO DE JAN 138 Sensitive But "
            "Unclassified - Please handle accordingly.\n",
            "X MEETS ENERGY FIRMS IN RIO",
        ),
        (
            "SUBJECT: X MEETS ENERGY FIRMS SENSITIVE BUT UNCLASSIFIED, PLEASE TREAT ACCORDINGLY\n",
            "X MEETS ENERGY FIRMS",
        ),
        (
            "SUBJECT: SCANDAL UPDATE, WEEK OF 05-09 DECEMBER REF.: ZENDA 03150 AND PREVIOUS\n",
            "SCANDAL UPDATE, WEEK OF 05-09 DECEMBER",
        ),
        ("SUBJECT: Zenda Growth Prospects Ref. Zenda 606\n", "Zenda Growth Prospects"),
        ("SUBJECT: PRESIDENT TO VISIT ZENDA REF 02 PARAMARIBO 1169\n", "PRESIDENT TO VISIT ZENDA"),
        (
            "SUBJECT: CHIEF CONFIRMS VISIT ENTIRE TEXT SENSITIVE BUT UNCLASSIFIED/NOFORN; PLEASE "
            "PROTECT ACCORDINGLY.\n",
            "CHIEF CONFIRMS VISIT",
        ),
        (
            "SUBJECT: Zenda: Dialogue December 14 SENSITIVE BUT UNCLASSIFIED\n",
            "Zenda: Dialogue December 14",
        ),
        # the dash or colon that joined the notice to the SUBJECT goes with it
        (
            "SUBJECT: X MEETS ENERGY FIRMS - SENSITIVE BUT UNCLASSIFIED, PLEASE TREAT ACCORDINGLY\n",
            "X MEETS ENERGY FIRMS",
        ),
        ("SUBJECT: X MEETS ENERGY FIRMS: THIS IS AN ACTION REQUEST\n", "X MEETS ENERGY FIRMS"),
        # paragraph 1, a press summary's index, a repeated banner run on
        (
            "SUBJECT: TOUGH DAY IN THE COUNCIL 1.(SBU) Summary. All Members called\n",
            "TOUGH DAY IN THE COUNCIL",
        ),
        ("SUBJECT: PRESIDENT SAYS NO PEACE l.SUMMARY: ON DECEMBER 14\n", "PRESIDENT SAYS NO PEACE"),
        (
            "SUBJECT: MORNING PRESS HIGHLIGHTS 06/26/09 Index: 1) Schedule\n",
            "MORNING PRESS HIGHLIGHTS 06/26/09",
        ),
        ("SUBJECT: CONSUMER PRICE INDEX: UP\n", "CONSUMER PRICE INDEX: UP"),
        (
            "SUBJECT: CITY TO FUND SHELTER UNCLAS SECTION 01 OF 03 ZENDA 000329 SIPDIS\n",
            "CITY TO FUND SHELTER",
        ),
        # REF inside a subject without a cable number after it stays
        (
            "SUBJECT: SAUDIS ON IRAN REF UPCOMING NAM FM MEETING\n",
            "SAUDIS ON IRAN REF UPCOMING NAM FM MEETING",
        ),
        # the last word pushed past a blank line
        (
            "SUBJECT: ZENDA MOVING TOWARDS RETURN OF CATEGORY ONE\n\nREFUGEES\n\n",
            "ZENDA MOVING TOWARDS RETURN OF CATEGORY ONE REFUGEES",
        ),
        # double-spaced: the second line alone before paragraph 1
        (
            "SUBJECT: (U) The Secretary's March 24, 2009\n\nConversation with the Zenda Prime Minister\n\n",
            "The Secretary's March 24, 2009 Conversation with the Zenda Prime Minister",
        ),
    ],
)
def test_subject_run_on_and_broken_shapes(subject_block, subject):
    c = _text(
        "UNCLAS ZENDA 000858\n\nSIPDIS\n\nE.O. 12958: N/A\nTAGS: PREL AR\n"
        + subject_block
        + "\n1.  Text of the first paragraph.\n"
    )
    assert c.subject == subject


@pytest.mark.parametrize(
    ("body", "name", "reasons"),
    [
        # among unnumbered lines before paragraph 1 (an INR note)
        (
            "SUBJECT: A VIEWPOINT\n\nNSC FOR ROE\n\nTHE FOLLOWING INR VIEWPOINT IS PROVIDED.\n\n"
            "(U) CLASSIFIED BY JO ROE, OFFICE DIRECTOR INR/EAP.\nREASON: 1.5 (D)\n\n1. (C) TEXT.\n",
            "JO ROE",
            ["1.5(d)"],
        ),
        # old paragraph 1 with its class line
        (
            "SUBJECT:  THE LAST DEFENDER\n\n1. CONFIDENTIAL - ENTIRE TEXT.  CLASSIFIED BY:\n"
            "CHRIS W.S. ROE, AMBASSADOR.  REASON: 1.5 (D) .\n\n2. SUMMARY: TEXT.\n",
            "CHRIS W.S. ROE",
            ["1.5(d)"],
        ),
        # the words in the other order, or the class word left out
        (
            "SUBJECT:  THE LAST DEFENDER\n\n1. ENTIRE TEXT CONFIDENTIAL.  CLASSIFIED BY\n"
            "AMBASSADOR CHRIS ROE.  REASON: 1.5 (D).\n\n2. TEXT.\n",
            "CHRIS ROE",
            ["1.5(d)"],
        ),
        (
            "SUBJECT:  THE LAST DEFENDER\n\n1. (C) Entire text.  Classified by Ambassador Chris\n"
            "Roe; reasons 1.4 (b) and (d).\n\n2. (C) Text.\n",
            "Chris Roe",
            ["1.4(b)", "1.4(d)"],
        ),
        (
            "SUBJECT:  THE LAST DEFENDER\n\n1. ENTIRE TEXT IS SECRET - CLASSIFIED BY DCM CHRIS ROE,\n"
            "REASON 1.5 (B).\n\n2. TEXT.\n",
            "CHRIS ROE",
            ["1.5(b)"],
        ),
        # at the end of a DoD-style cable
        (
            "SUBJECT: SCENE-SETTER FOR VISIT\n\n1. (C) TEXT OF THE CABLE.\n\n"
            "CLASSIFIED BY: COL DAVE ROE, DATT, USDAO ZENDA\nREASON: 1.5(C,D)\nDECL: X1\n",
            "DAVE ROE",
            ["1.5(c)", "1.5(d)"],
        ),
    ],
)
def test_classified_by_outside_the_preamble(body, name, reasons):
    c = _text(
        "C O N F I D E N T I A L ZENDA 000001\n\nE.O. 12958: DECL: 7/31/11\nTAGS: CH\n" + body
    )
    assert c.classified_by.name == name
    assert c.classification_reasons == reasons


def test_classified_by_before_the_eo_line():
    c = _text(
        "C O N F I D E N T I A L  ZENDA 000093\n\n"
        "Classified By: Ambassador Cliff Roe.  Reason 1.5 (b) (d)\n\n"
        "DEPARTMENT FOR WHA, M, T\n\nE.O. 12958: DECL: 01/08/2018\nTAGS: MNUC NPT PARM PREL\n"
        "SUBJECT: ZENDA'S SUBMARINE AMBITIONS\n\n1. (U) This is an action request - see para 9.\n"
    )
    assert c.subject == "ZENDA'S SUBMARINE AMBITIONS"
    assert c.eo == "12958"
    assert c.classified_by.name == "Cliff Roe"
    assert "DEPARTMENT FOR WHA, M, T" in c.captions


def test_classified_by_in_paragraph_one_after_its_class_word():
    c = _text(
        "C O N F I D E N T I A L ZENDA 001030\n\nE.O. 12958:  DECL: 4/2/07\nTAGS:  PGOV, IR\n"
        "SUBJECT: A SERIES.\n\nREF: A) ZENDA 770\n\n\n"
        "1.   CONFIDENTIAL.  CLASSIFIED BY CONS TOM H. ROE\nFOR REASONS 1.5.(B) AND (D).\n\n"
        "2.  (C) SUMMARY:  TEXT.\n"
    )
    assert (c.classified_by.title, c.classified_by.name) == ("CONS", "TOM H. ROE")
    assert c.classification_reasons == ["1.5(b)", "1.5(d)"]


def test_damaged_ref_label_ends_the_subject(monkeypatch):
    seen: list[str] = []
    from cablebase.grammar import refs

    monkeypatch.setattr(refs, "parse_refs", lambda text, year, *_: seen.append(text) or [])
    c = _text(
        "C O N F I D E N T I A L SECTION 01 OF 03 ZENDA 000402\n\nSIPDIS\n\n"
        "E.O. 12958: DECL:  5/13/2018\nTAGS: PGOV PREL\n"
        "SUBJECT: POLITICAL-ECONOMIC REFORM, ZENDA-STYLE\n"
        "Q: A) ZENDA 199, B) ZENDA 227\n\n"
        "CLASSIFIED BY: Jo Roe, CDA, U.S. Embassy - Zenda, Dept of State. REASON: 1.4 (b), (d)\n\n"
        "1. (C) Summary: Text.\n"
    )
    assert c.subject == "POLITICAL-ECONOMIC REFORM, ZENDA-STYLE"
    assert seen == ["A) ZENDA 199, B) ZENDA 227"]
    assert c.classified_by.name == "Jo Roe"


@pytest.mark.parametrize(
    ("after_subject", "subject"),
    [
        # a caption in capitals after a blank line is not the SUBJECT's second line
        ("\nNOT FOR INTERNET DISTRIBUTION\n", "A TRIP SETS HIGH HOPES FOR LUCRATIVE CONTRACTS"),
        (
            "\nZENDA 000362 SIPDIS E.O. 12958: DECL: 5/2/2019 TAGS: PREL LY\n",
            "A TRIP SETS HIGH HOPES FOR LUCRATIVE CONTRACTS",
        ),
        # a heading after the page marker
        (
            "\nZENDA 00000005 001.2 OF 003\n\n\nIntroduction\n------------\n",
            "A TRIP SETS HIGH HOPES FOR LUCRATIVE CONTRACTS",
        ),
    ],
)
def test_subject_not_continued_by_captions(after_subject, subject):
    c = _text(
        "UNCLAS ZENDA 000362\n\nE.O. 12958: N/A\nTAGS: PREL\n"
        "SUBJECT: A TRIP SETS HIGH HOPES FOR\nLUCRATIVE CONTRACTS\n"
        + after_subject
        + "\n1. (SBU) Summary: Having achieved the effect.\n"
    )
    assert c.subject == subject


def test_text_after_tags_is_not_a_bare_subject():
    c = _text(
        "C O N F I D E N T I A L ZENDA 002759\n\nE.O. 12958: DECL: 1/1/2018\nTAGS: PGOV RS\n"
        "Summary: As Deputy Head of the Administration, Roe cloaked himself in secrecy.\n\n"
        "1. (C) Text.\n"
    )
    assert c.subject is None


def test_classified_by_label_holding_a_ref_list_gives_way_to_the_next():
    c = _text(
        "C O N F I D E N T I A L ZENDA 007671\n\nE.O. 12958: DECL: 1/1/2015\nTAGS: PREL\n"
        "SUBJECT: A SUBJECT\n\nClassified By: ADANA 222\nADANA 216\nZENDA 6772\n\n"
        "Classified by DCM Nan McEl; reasons 1.4 b and d.\n\n1. (C) Text.\n"
    )
    assert c.classified_by.name == "Nan McEl"
    assert c.classification_reasons == ["1.4(b)", "1.4(d)"]


def test_ref_lines_without_colon_whose_first_item_is_not_a_cable():
    # `REF A <a letter's description>` then `REF B <cable>` after Classified By: the REF block
    # was not read at all (the label needed a post and serial after the letter).
    from cablebase.parse import parse_text

    c = parse_text(
        "S E C R E T ZENDA 000754\n\nSIPDIS\n\nE.O. 12958: DECL: 07/21/2019\nTAGS: PREL ZE\n"
        "SUBJECT: (S) HARBOUR TALKS\n\n"
        "CLASSIFIED BY CHARGE D'AFFAIRES ADA QUILL FOR REASONS 1.4 B\nAND D.\n\n"
        "REF A SECRETARY'S LETTER TO THE MINISTER ON HELICOPTERS\nREF B SECSTATE 76108\n\n\n"
        "1. (S) Summary: the talks opened.\n",
        form="text",
        year=2009,
    )
    assert "09STATE76108" in [r.id for r in c.references]
    assert c.classified_by.name == "ADA QUILL"


def test_text_without_any_preamble_label_is_text() -> None:
    # An old unnumbered cable (or a piece of one): no E.O., TAGS, SUBJECT or Classified By
    # label and no numbered paragraph.  Its lines are the text, not captions.
    from cablebase import parse_text

    cable = parse_text(
        "THE MINISTER REPEATED THAT THE BORDER TALKS WOULD GO ON\n"
        "AFTER THE HOLIDAY.\n\nHENTZAU\n\nCONFIDENTIAL\n",
        form="fragment",
    )
    assert cable.signers == ["HENTZAU"]
    assert cable.captions == []
    assert cable.paragraphs and cable.paragraphs[0].text.startswith("THE MINISTER REPEATED")


@pytest.mark.parametrize(
    ("pieces", "subject"),
    [
        # the note between the SUBJECT's two lines, repeated with the wrapped end per page
        (
            [
                "TALKS IN ZENDA --",
                "////ZFR CANCEL THIS MESSAGE. NEW MESSAGE SENT OUT UNDER MRN SECOND ROUND",
                "////ZFR CANCEL THIS MESSAGE. NEW MESSAGE SENT OUT UNDER MRN 1234 SECOND ROUND",
            ],
            "TALKS IN ZENDA -- SECOND ROUND",
        ),
        # a note closed by a rule: what follows is the text's heading, not the SUBJECT
        (
            [
                "TALKS IN ZENDA",
                "////ZFR CANCEL THIS MESSAGE. WILL BE RESENT WITH NEW MRN//// Ports",
            ],
            "TALKS IN ZENDA",
        ),
        (["TALKS IN ZENDA ///// ZFR ///////// CABLE CANCELED -WILL BE RESENT"], "TALKS IN ZENDA"),
    ],
)
def test_subject_stops_at_a_cancellation_note(pieces, subject):
    from cablebase.grammar.subject import parse_subject

    assert parse_subject(pieces) == (None, subject)


def test_paragraph_glued_to_a_one_line_preamble_is_text() -> None:
    from cablebase import parse_text

    body = (
        "E.O. 12958: N/A TAGS: PREL ZE SUBJECT: TALKS IN ZENDA RESUME AFTER THE HOLIDAY "
        "1.(SBU) Summary. The delegations met again on Monday and agreed to meet weekly. "
        "End Summary. 2. (SBU) The talks will go on."
    )
    cable = parse_text(body, form="fragment")
    assert cable.subject == "TALKS IN ZENDA RESUME AFTER THE HOLIDAY"
    assert cable.summary == "The delegations met again on Monday and agreed to meet weekly."
    # a REF line with the text glued after its item; the text's own `reftel:` is no label
    cable = parse_text(
        "SUBJECT: TALKS IN ZENDA REF: STATE 12345 (SBU) This answers the questions of "
        "reftel: the talks go on.",
        form="fragment",
        year=2009,
    )
    assert [r.id for r in cable.references] == ["09STATE12345"]
    assert cable.paragraphs and cable.paragraphs[0].text.startswith("(SBU) This answers")


def test_portion_mark_leading_a_one_line_subject_stays_in_the_subject() -> None:
    from cablebase import parse_text

    body = "TAGS: PREL ZE SUBJECT: (U) Talks in Zenda resume after the long holiday " + "x" * 60
    cable = parse_text(body, form="fragment")
    assert cable.subject_portion == "U"
    assert cable.subject.startswith("Talks in Zenda resume")


def test_routing_lines_of_a_page_cut_before_its_preamble_stay_captions() -> None:
    from cablebase import parse_text

    cable = parse_text(
        "STATE FOR EUR/ZEN, EUR/RPM\nSTATE PASS TO USAID FOR AID/ZEN\nUSMISSION ZENDA FOR POL\n ...",
        form="fragment",
    )
    assert cable.paragraphs == []
    assert cable.captions[:2] == ["STATE FOR EUR/ZEN, EUR/RPM", "STATE PASS TO USAID FOR AID/ZEN"]


@pytest.mark.parametrize(
    ("body", "subject"),
    [
        # a short wrapped line ends the SUBJECT; the text follows without a blank line
        (
            "SUBJECT:  ZENDA PRESIDENT WRITES TO THE CHAIR OF THE\nLEAGUE COUNCIL\n"
            "FOLLOWING IS A LETTER FROM THE PRESIDENT OF ZENDA TO THE\nCHAIR.  BEGIN TEXT:\n",
            "ZENDA PRESIDENT WRITES TO THE CHAIR OF THE LEAGUE COUNCIL",
        ),
        # … but a short last line of a date or a code goes on the SUBJECT
        (
            "SUBJECT: MEDIA REACTION REPORT - BORDER TALKS\nTARIFFS ZENDA\nZENDA - MONDAY, MAY 3, 2004\n",
            "MEDIA REACTION REPORT - BORDER TALKS TARIFFS ZENDA ZENDA - MONDAY, MAY 3, 2004",
        ),
        # a lettered item or a mixed-case heading of the text, joined on by a page marker's removal
        (
            "SUBJECT: FRAUD SUMMARY---ZENDA (MAY-JUNE 2009)\n"
            "A.   CONSULATE ZENDA CONDITIONS - There is some fraud.\n",
            "FRAUD SUMMARY---ZENDA (MAY-JUNE 2009)",
        ),
        (
            "SUBJECT: ZENDA WEEKLY ECON UPDATE - MAY\n12-16\nTable of Contents:\nECON: Growth slows\n",
            "ZENDA WEEKLY ECON UPDATE - MAY 12-16",
        ),
    ],
)
def test_subject_end_without_a_blank_line(body, subject):
    from cablebase import parse_text

    assert parse_text(body, form="fragment").subject == subject


# -- the REF block's extent (issue 10) ---------------------------------------------------------


def _ref_text(monkeypatch, body: str) -> tuple[list[str], str]:
    """(the REF texts handed to parse_refs, the line where the text starts)."""
    from cablebase.grammar import refs

    seen: list[str] = []
    monkeypatch.setattr(refs, "parse_refs", lambda text, year, *_: seen.append(text) or [])
    _, start, lines = _read(body)
    return seen, lines[start] if start < len(lines) else ""


_HEAD = "UNCLAS ZENDA 001139\n\nSIPDIS\n\nE.O. 12958: N/A\nTAGS: AMGT\nSUBJECT: X\n\n"


@pytest.mark.parametrize(
    ("ref", "want"),
    [
        # an item whose letter is glued to its cable, after a blank line
        (
            "REF:  (A) ORDER #38885.\n\n      (B)STATE 264368. CURRENT FAX: 386-1",
            "(A) ORDER #38885.\n(B)STATE 264368. CURRENT FAX: 386-1",
        ),
        # a wrap cut by a blank line inside an open parenthesis
        (
            "REF:  A) ZENDA 00374 (Lunch with Minister\n\nCollenette)\n     B) ZENDA 00385",
            "A) ZENDA 00374 (Lunch with Minister\nCollenette)\nB) ZENDA 00385",
        ),
        # … after a word that needs what follows
        (
            "REF: GUIDE: USDOC 18479, DATED\n\n9/17/92, USDOC 19897, DATED 10/8/92, USDOC 01079, DATED 1/25/93.",
            "GUIDE: USDOC 18479, DATED\n9/17/92, USDOC 19897, DATED 10/8/92, USDOC 01079, DATED 1/25/93.",
        ),
        # … before a line carrying further items inline
        (
            "REF: (A) STATE 156430, (B) E-MAIL COMUNICATION\n\nBETWEEN POST AND DOJ OCT 2001, (C) ZENDA\n02487 JUL 00",
            "(A) STATE 156430, (B) E-MAIL COMUNICATION\nBETWEEN POST AND DOJ OCT 2001, (C) ZENDA\n02487 JUL 00",
        ),
    ],
)
def test_ref_block_goes_on_after_a_blank_line(monkeypatch, ref, want):
    seen, first = _ref_text(monkeypatch, _HEAD + ref + "\n\n1.  ORDER NUMBER 38885 IS ACCEPTED.")
    assert seen == [want]
    assert first == "1.  ORDER NUMBER 38885 IS ACCEPTED."


@pytest.mark.parametrize(
    ("after_ref", "first"),
    [
        (
            "\n(U)  PolOff delivered the points on May 7.",
            "(U)  PolOff delivered the points on May 7.",
        ),
        (
            "\nU) PolOffs delivered reftel points on October 30.",
            "U) PolOffs delivered reftel points on October 30.",
        ),
        (
            "\n\n (u) Embassy Zenda MEPI officer is Jill Roe.",
            "(u) Embassy Zenda MEPI officer is Jill Roe.",
        ),
        (
            "\nI. SUMMARY: In 2004, Zenda continued its efforts.",
            "I. SUMMARY: In 2004, Zenda continued its efforts.",
        ),
        (
            "\n(U)  During a 6/14 meeting PolOff delivered it.",
            "(U)  During a 6/14 meeting PolOff delivered it.",
        ),
        (
            "\n(U) This cable is business-sensitive. Please protect it.",
            "(U) This cable is business-sensitive. Please protect it.",
        ),
        ("\n(C) The Minister said no.", "(C) The Minister said no."),  # no item B before it
        # a mark before words that cite no cable, whatever their case (issue 10)
        ("\n(u)  ROYG has provided no names.", "(u)  ROYG has provided no names."),
        ("\n(U) DCM and POL Intern delivered it.", "(U) DCM and POL Intern delivered it."),
        ("\n(U)  On May 7, PolOff delivered it.", "(U)  On May 7, PolOff delivered it."),
        ("\n (U)  1.  Poloff delivered the points.", "(U)  1.  Poloff delivered the points."),
        # a sentence right after the serial, no blank line between
        (
            "\nMoney laundered in Zenda is mostly from the drug trade.",
            "Money laundered in Zenda is mostly from the drug trade.",
        ),
    ],
)
def test_unnumbered_text_after_the_ref_is_not_an_item(monkeypatch, after_ref, first):
    seen, got = _ref_text(monkeypatch, _HEAD + "REF: STATE 114649" + after_ref)
    assert seen == ["STATE 114649"]
    assert got.strip() == first


_PROSE = (
    "Zenda remains one of the closest partners of the United States in the\n"
    "region.  Its police and border agencies work with us every day to stop\n"
    "smuggling across the long and open northern frontier, and the courts\n"
    "have sentenced eleven traffickers this year.\n"
)


@pytest.mark.parametrize(
    ("ref", "block", "first"),
    [
        # a lettered paragraph citing nothing and running on as prose after the REF
        ("REF: STATE 301352\n\nA)  " + _PROSE, "STATE 301352", "A)  Zenda remains"),
        ("REF:  Zenda 00926\n\nA.  Name of Speaker: " + _PROSE, "Zenda 00926", "A.  Name of"),
        # a roman heading after items A-F, the whole paragraph on one line (a web page)
        (
            "REF: A. STATE 114420 B. ZENDA 2738 C. ZENDA 2710\n\n I. Key Objectives (SBU) "
            + " ".join(_PROSE.split()),
            "A. STATE 114420 B. ZENDA 2738 C. ZENDA 2710",
            "I. Key Objectives",
        ),
    ],
)
def test_lettered_text_after_the_ref_is_not_an_item(monkeypatch, ref, block, first):
    seen, got = _ref_text(monkeypatch, _HEAD + ref + "\n1. More text.")
    assert seen == [block]
    assert got.strip().startswith(first)


@pytest.mark.parametrize(
    "item",
    [
        # short items that cite no cable stay in the block
        "B. Embassy Zenda letter to the Foreign Ministry dated May 5, 2008",
        # … and so does a long one that cites a cable
        "B. LONDON 2710, which reported that " + " ".join(_PROSE.split()),
        # … or an email, however long its note
        "B. Email from the desk officer to Poloff, " + " ".join(_PROSE.split()),
    ],
)
def test_lettered_item_after_a_blank_line_stays_an_item(monkeypatch, item):
    seen, got = _ref_text(monkeypatch, _HEAD + "REF: A. STATE 1\n\n" + item + "\n\n1. Text.")
    assert seen == ["A. STATE 1\n" + item]
    assert got == "1. Text."


@pytest.mark.parametrize(
    ("ref", "want"),
    [
        # an item of another kind keeps its mark; a note in capitals is no sentence
        ("REF: A. 08 ZENDA 1362\nB. 12/12/08 (U) EMAIL FROM POLOFF ROE TO USUN", None),
        ("REF: STATE 1234\nEmbassy Zenda email of March 3", None),
        ("REF: A) STATE 1\nB) STATE 2\n(C) STATE 3", None),
    ],
)
def test_items_after_a_serial_stay_items(monkeypatch, ref, want):
    seen, first = _ref_text(monkeypatch, _HEAD + ref + "\n\n1. X")
    assert seen == [ref.split(" ", 1)[1]]
    assert first == "1. X"


def test_text_after_a_mark_ending_the_ref_line_is_text(monkeypatch):
    """`REF: STATE 86108 (SBU)` ⏎ `Poloff delivered …`: the mark (or paragraph 1's number and
    mark) ends the REF line and the text follows on the next line; paragraph 1's number and
    mark open the text (the paragraph keeps them), a mark alone is left to the REF reader."""
    for tail, want in (("(SBU)", "Poloff delivered"), ("1. (SBU)", "1. (SBU)")):
        seen, first = _ref_text(
            monkeypatch,
            _HEAD + f"REF: STATE 86108 {tail}\nPoloff delivered the points to the MFA on May 2.",
        )
        assert first.startswith(want)
        assert seen[0].startswith("STATE 86108")


@pytest.mark.parametrize(
    ("line", "refs_text", "text"),
    [
        (
            "REF: SECSTATE 102414 We delivered points in reftel to the MFA Deputy Director for "
            "Zendan Affairs on September 25.",
            "SECSTATE 102414",
            "We delivered points",
        ),
        (
            "REF: STATE 93894 (U) Zendan Foreign Minister Rudolf Rassendyll will not be able to "
            "attend the UNGA event on September 26.",
            "STATE 93894",
            "(U) Zendan Foreign",
        ),
        (
            "REF: A) STATE 138248, B) ROE-DOE E-MAIL 11/21/2007 Per reftel, Post requests that "
            "Zenda be added to the list of invitees for the March 2008 conference.",
            "A) STATE 138248, B) ROE-DOE E-MAIL 11/21/2007",
            "Per reftel, Post",
        ),
        (
            "REF: 08 STATE 74840 ZENDA 00000269 001.2 OF 003 1.The following responses are keyed "
            "to reftel and to the questions of the Department.",
            "08 STATE 74840 ZENDA 00000269 001.2 OF 003",
            "1.The following",
        ),
    ],
)
def test_text_run_on_a_one_line_ref_is_text(monkeypatch, line, refs_text, text):
    """A page that puts paragraph 1 on the REF's own line, with or without a mark (issue 10)."""
    seen, first = _ref_text(monkeypatch, _HEAD + line)
    assert seen == [refs_text]
    assert first.startswith(text)


def test_portion_letter_after_item_b_is_item_c(monkeypatch):
    seen, first = _ref_text(
        monkeypatch, _HEAD + "REF: A) STATE 1\nB) STATE 2\n(C) Embassy Zenda email of May 5\n\n1. X"
    )
    assert seen == ["A) STATE 1\nB) STATE 2\n(C) Embassy Zenda email of May 5"]
    assert first == "1. X"


@pytest.mark.parametrize(
    "line",
    [
        "REF: A. ZENDA 1494 B. ZENDA 1544 1. Summary. The Forum was held in June in Zenda, with many guests from many lands.",
        "REF: 09 State 124006  ZENDA 00000092  001.3 OF 012   1.  In response to reftel, the following is the statement.",
    ],
)
def test_paragraph_one_glued_after_a_one_line_ref(monkeypatch, line):
    seen, first = _ref_text(monkeypatch, _HEAD + line)
    assert len(seen) == 1 and "1." not in seen[0].replace("001.3", "")
    assert first.startswith("1.") and first.split(None, 1)[1][:2] in ("Su", "In")


def test_numbered_ref_items_are_not_paragraph_one(monkeypatch):
    seen, _ = _ref_text(
        monkeypatch, _HEAD + "REF: 1. STATE 123 2. Lima 456 (the minister's note)\n\n1. X"
    )
    assert seen == ["1. STATE 123 2. Lima 456 (the minister's note)"]


def test_lone_number_ending_a_caption_before_tags():
    """`IPSP: … IFC113` ⏎ `2.` ⏎ `TAGS:`: the wrapped tail of a caption, not paragraph 2."""
    body = "\n".join(
        [
            "C O N F I D E N T I A L SECTION 01 OF 02 ZENDA 003001",
            "",
            "SIPDIS",
            "",
            "SERIAL:  (U)  IIR 6 815 0004 05.",
            "",
            "IPSP:  (U) IFC2310; IFC1131; IFC113",
            "2.",
            "",
            "TAGS: PARM",
            "SUBJECT: IIR 6 815 0004 05/ZENDAN ARMY RESERVE UNITS",
            "CONDUCT TRAINING (U)",
            "",
            "1.  (U)  ELEMENTS OF THE GUARDS TRAINED.",
        ]
    )
    st, start, lines = _read(body)
    assert st.cable.tags == ["PARM"]
    assert st.cable.subject == "IIR 6 815 0004 05/ZENDAN ARMY RESERVE UNITS CONDUCT TRAINING"
    assert st.cable.subject_portion == "U"  # the SUBJECT's mark, written at its end
    assert st.cable.captions[-1] == "IPSP:  (U) IFC2310; IFC1131; IFC1132."
    assert lines[start].startswith("1.  (U)  ELEMENTS")


def test_a_number_alone_before_text_is_a_paragraph():
    body = _HEAD + "REF: STATE 1\n\n2.\n\n(U) THE TEXT OF PARAGRAPH TWO."
    _, start, lines = _read(body)
    assert lines[start] == "2."


def test_dea_case_cross_reference_ends_the_subject():
    body = "\n".join(
        [
            "UNCLAS ZENDA 000654",
            "",
            "E.O. 12958: N/A",
            "TAGS: N/A",
            "SUBJECT: APPREHENSION OF TWO FUGITIVES; GFTI-04-9154; ZENDA",
            "CCX: ROE, TEDDY, KY-04-0004/WGA2L",
            "REF: A. TELCON OF 2-18-04",
            "",
            "1. (SBU) On March 10 the fugitives were caught.",
        ]
    )
    st, _, _ = _read(body)
    assert st.cable.subject == "APPREHENSION OF TWO FUGITIVES; GFTI-04-9154; ZENDA"
    assert "CCX: ROE, TEDDY, KY-04-0004/WGA2L" in st.cable.captions
    assert st.cable.references and st.cable.references[0].kind == "telcon"


def test_sbu_notice_after_the_ref_stays_out_of_the_text(monkeypatch):
    seen, first = _ref_text(
        monkeypatch,
        _HEAD
        + "REF: STATE 1\n(U) Sensitive but unclassified.  Please protect accordingly.\n\n1. X",
    )
    assert first == "1. X"


def test_paragraph_number_and_mark_at_a_subject_end_are_cut():
    """`SUBJECT: … Conflict 1. (SBU)` ⏎ `Summary: …`: paragraph 1's number and mark were put on
    the SUBJECT line, its text on the next."""
    from cablebase.grammar.subject import parse_subject

    assert parse_subject(["TFGG01 Zendan Media on the Conflict 1. (SBU)"]) == (
        None,
        "TFGG01 Zendan Media on the Conflict",
    )


@pytest.mark.parametrize(
    ("pieces", "want"),
    [
        (
            ["ZENDAN FIRM SELLING ENGINES TO", "A DEALER (S)"],
            ("S", "ZENDAN FIRM SELLING ENGINES TO A DEALER"),
        ),
        (["Demarche on Zenda's Candidature (U)"], ("U", "Demarche on Zenda's Candidature")),
        (
            ["CANADIAN ATTITUDES TOWARD THE MINISTERIAL (DMA) (U)"],
            ("U", "CANADIAN ATTITUDES TOWARD THE MINISTERIAL (DMA)"),
        ),
        (["zendan merchant supplies entities (s)"], ("S", "zendan merchant supplies entities")),
        (["FIRM'S IRANIAN TIES (S//REL CANADA)"], ("S/REL CANADA", "FIRM'S IRANIAN TIES")),
        (["(C) TALKS GO ON (C)"], ("C", "TALKS GO ON")),
        # a parenthesis that is no mark stays
        (
            ["POST DIFFERENTIAL RECLASSIFICATIONS (PART A)"],
            (None, "POST DIFFERENTIAL RECLASSIFICATIONS (PART A)"),
        ),
        (
            ["UN/ZENDA: STATEMENT TO COUNCIL (FULL TEXT)"],
            (None, "UN/ZENDA: STATEMENT TO COUNCIL (FULL TEXT)"),
        ),
    ],
)
def test_portion_mark_at_a_subject_end_is_its_mark(pieces, want):
    """`SUBJECT: … FROM CHINA (S)`: the mark written at the end instead of the start (issue 10)."""
    from cablebase.grammar.subject import parse_subject

    assert parse_subject(pieces) == want


def test_information_report_text_label_with_a_glued_release_mark():
    from cablebase.parse import parse_text

    body = (
        "C O N F I D E N T I A L ZENDA 003080\n\nSERIAL:  (U)  IIR 6 815 0006 05.\n\n"
        "TAGS: PARM\nSUBJECT: IIR 6 815 0006 05/ZENDA TO EXTEND A MANDATE (U)\n\n"
        "SUMMARY: (U) THE CABINET HAS APPROVED AN EXTENSION.\n\n"
        "TEXT:  1. (C/RELCAN) ON 20041104 THE CABINET APPROVED THE EXTENSION.\n\n"
        "2. (U) THE GROUP HAS BEEN WORKING WELL.\n\n"
        "COMMENTS: 1. (C/NF) FIELD COMMENTS. THE GROUP IS VIEWED WELL.\n\n"
        "2. (U) SOURCES REMAIN AVAILABLE FOR FURTHER EXPLOITATION.\n\nCOLL:  (U) AB; AC; AH.\n"
    )
    c = parse_text(body, form="text")
    numbered = [(p.number, p.portion, p.text[:6]) for p in c.paragraphs if p.number]
    # the field comments are numbered from 1 again under their own label
    assert numbered == [
        (1, "C/REL CAN", "ON 200"),
        (2, "U", "THE GR"),
        (1, "C/NF", "FIELD "),
        (2, "U", "SOURCE"),
    ]


def test_cut_page_marker_of_a_preview_is_no_text():
    # a page holding only the cable's preview: its marker cut by `...` is no SUBJECT or text
    from cablebase.parse import parse_text

    body = (
        "C O N F I D E N T I A L ZENDA 001144\n\nSIPDIS\n\nE.O. 12958: DECL: 10/07/2019\n"
        "TAGS: PGOV PREL IT\nSUBJECT: ZENDA: COURT REJECTS LAW GRANTING\nIMMUNITY TO OFFICIALS\n\n"
        "ZENDA 00001144  001.2 OF 00...\n"
    )
    c = parse_text(body, form="text")
    assert c.subject == "ZENDA: COURT REJECTS LAW GRANTING IMMUNITY TO OFFICIALS"
    c = parse_text(
        body.replace("SUBJECT", "\n\nSUBJECT")
        + "\n1. (C) Text.\n\nZENDA 00001144  001.2 OF 0...\n",
        form="text",
    )
    assert [p.text for p in c.paragraphs] == ["Text."]


def test_subject_colon_typed_twice():
    from cablebase.parse import parse_text

    body = "UNCLAS ZENDA 003108\n\nE.O. 12958: N/A\nTAGS: ECON MX\nSUBJECT: : ZENDANS DIFFER\n\n1. Text.\n"
    assert parse_text(body, form="text").subject == "ZENDANS DIFFER"


@pytest.mark.parametrize(
    ("tail", "subject"),
    [
        # on a line of its own right after a two-line SUBJECT
        (
            "SUBJECT: SCENESETTER FOR THE INVENTED WORKING\nGROUP, FEBRUARY 1\n"
            "DERIVED FROM: DSCG 05-1 B, D\n",
            "SCENESETTER FOR THE INVENTED WORKING GROUP, FEBRUARY 1",
        ),
        # glued to the end of the SUBJECT line
        (
            "SUBJECT: REBEL GROUPS MERGE IN AN OASIS Derived from: DSCG 05-1, B,D\n",
            "REBEL GROUPS MERGE IN AN OASIS",
        ),
    ],
)
def test_derived_from_label_is_the_classification_statement(tail, subject):
    body = (
        "C O N F I D E N T I A L TIMBUKTU 000062\n\nSIPDIS\n\nE.O. 12958: DECL: 1/24/2020\n\n"
        f"TAGS: PREL ML\n\n{tail}\n1. (C) Officials met on January 17.\n"
    )
    st, _start, _lines = _read(body)
    cable = st.cable
    assert cable.subject == subject
    assert cable.classified_by is not None and cable.classified_by.name is None
    assert cable.classified_by.text.upper().startswith("DERIVED FROM: DSCG 05-1")
    assert cable.classification_reasons == ["(b)", "(d)"]


def test_ref_run_into_the_page_dump_is_read_from_the_full_copy():
    # the page's first copy: REF runs into the dump's cited ids and telegram header
    body = "\n".join(
        [
            "C O N F I D E N T I A L SECTION 01 OF 02 ZENDA 000290",
            "",
            "SIPDIS",
            "",
            "E.O. 12958: DECL: 02/10/2019",
            "TAGS: PREL ZE",
            "SUBJECT: BRIDGE REOPENED, TOLLS RAISED",
            "",
            "REF: A. ZENDA 181|09ZENDA257 VZCZCXRO5203OO RUEHROVDE RUEHZZ #0290/01 0490950ZNY "
            "CCCCC ZZHO 180950Z FEB 09FM AMEMBASSY ZENDATO RUEHC/SECSTATE WASHDC IMMEDIATE",
            "C O N F I D E N T I A L SECTION 01 OF 02 ZENDA 000290 SIPDIS E.O. 12958: DECL: "
            "02/10/2019 TAGS: PREL ZE",
            "",
            "SUBJECT:",
            "",
            "BRIDGE REOPENED, TOLLS RAISED REF: A. ZENDA 181 B. ZENDA 257 C. 2008 ZENDA 2480 "
            "Classified By: DCM Gu Roe per 1.4 (b) and (d).",
            "1. (C) Summary: The bridge is open. End Summary.",
        ]
    )
    st, start, lines = _read(body)
    c = st.cable
    assert [r.text for r in c.references] == ["ZENDA 181", "ZENDA 257", "2008 ZENDA 2480"]
    assert [r.letter for r in c.references] == ["A", "B", "C"]
    assert c.classified_by.name == "Gu Roe"
    assert lines[start].startswith("1. (C) Summary")


@pytest.mark.parametrize(
    ("subject_lines", "subject"),
    [
        # a blank line stands before every line opening with REF in both forms
        (
            [
                "SUBJECT: MINISTRY CONCERNED ABOUT RETURN OF THE HIGHLAND",
                "",
                "REFUGEES FROM ELSBERG",
            ],
            "MINISTRY CONCERNED ABOUT RETURN OF THE HIGHLAND REFUGEES FROM ELSBERG",
        ),
        (
            [
                "SUBJECT:  ZENDA: FORMER AMBASSADORS DISCUSS COUNCIL",
                "",
                "REFORM, TRADE WITH MINISTRY.",
            ],
            "ZENDA: FORMER AMBASSADORS DISCUSS COUNCIL REFORM, TRADE WITH MINISTRY.",
        ),
        # a wrapped end opening with a word no heading opens with, pushed past the width
        (
            ["SUBJECT: KING'S ADDRESS DWELLS ON DUTY, HONOR, RESPONSIBILITY", "", "", "AND MERCY"],
            "KING'S ADDRESS DWELLS ON DUTY, HONOR, RESPONSIBILITY AND MERCY",
        ),
        # a short SUBJECT line was not wrapped: `AND …` below it is not its end
        (["SUBJECT: KING SPEAKS", "", "AND THEN SOME"], "KING SPEAKS"),
        # REF labels stay labels
        (
            ["SUBJECT: KING SPEAKS ON THE HARVEST AND THE COMING WINTER", "", "REFTEL: ZENDA 12"],
            None,
        ),
    ],
)
def test_subject_end_pushed_past_a_blank_line(subject_lines, subject):
    body = "\n".join(
        ["UNCLAS ZENDA 001731", "", "E.O. 12958: N/A", "TAGS: PREF, ZE", *subject_lines, ""]
        + ["1. (U) The returns began on Monday.", "", "ROE", ""]
    )
    c = _text(body)
    if subject is None:
        assert c.subject == "KING SPEAKS ON THE HARVEST AND THE COMING WINTER"
        assert [r.text for r in c.references] == ["ZENDA 12"]
    else:
        assert c.subject == subject


@pytest.mark.parametrize(
    ("ref_line", "texts"),
    [
        (
            "REFERENCE:  (A) 98 ZENDA 04122; (B) STRELSAU 01368",
            ["98 ZENDA 04122", "STRELSAU 01368"],
        ),
        ("Reference:  ZENDA 6833", ["ZENDA 6833"]),
        ("REFERENCES: ZENDA 451", ["ZENDA 451"]),
    ],
)
def test_reference_spelled_out_is_the_ref_label(ref_line, texts):
    body = "\n".join(
        ["UNCLAS ZENDA 000839", "", "E.O. 12958: N/A", "TAGS: KPAO, ZE"]
        + [
            "SUBJECT:  TRAINING SHOULD CONTINUE",
            "",
            ref_line,
            "",
            "1. (U) Summary: Yes.",
            "",
            "ROE",
        ]
    )
    c = _text(body)
    assert c.subject == "TRAINING SHOULD CONTINUE"
    assert [r.text for r in c.references] == texts


def test_reference_label_glued_to_a_mixed_case_subject():
    body = "\n".join(
        ["UNCLAS ZENDA 000868", "", "E.O. 12958: N/A", "TAGS: PGOV, ZE"]
        + ["SUBJECT: Local Elections in Zenda:  A", "        Shift to the Left", ""]
        + ["REFERENCE:  Zenda 811", "", "1.  (U) Summary: The vote.", "", "ROE"]
    )
    c = _text(body)
    assert c.subject == "Local Elections in Zenda: A Shift to the Left"
    assert [r.text for r in c.references] == ["Zenda 811"]


def test_summary_label_after_tags_when_the_page_lost_the_subject():
    # a page's joined copy ends at its TAGS line: the SUBJECT and Classified By are lost, and
    # the unnumbered `Summary:` paragraph that follows is the text, not a caption
    body = (
        "S E C R E T ZENDA 000123\n\nSIPDIS\n\nE.O. 12958: DECL: 09/05/2018\nTAGS: PREL ZE\n\n"
        "Summary: The minister keeps to himself.  Some see him as a puppet-master.  "
        "End summary.\n\nA Dark Force\n------------\n\n2. (C) A close aide of the president.\n\n"
        "ROE"
    )
    st, at, lines = _read(body)
    assert lines[at].startswith("Summary: The minister")
    assert st.cable.subject is None


@pytest.mark.parametrize(
    ("pieces", "old", "subject"),
    [
        # an old printout's continuation marks: a dash, the text aligned under the SUBJECT's
        (
            ["ZENDA PRESIDENTS", "-         MEET TO IRON OUT DIFFERENCES"],
            False,
            "ZENDA PRESIDENTS MEET TO IRON OUT DIFFERENCES",
        ),
        (
            ["ZENDA PRESIDENTS", "-        MEET ON B-H;", "-        EXPLAIN THE TALKS"],
            False,
            "ZENDA PRESIDENTS MEET ON B-H; EXPLAIN THE TALKS",
        ),
        (
            ["RIGHTS ABUSES IN BOSNIA-", "-         HERCEGOVINA - CASE OF S.M."],
            False,
            "RIGHTS ABUSES IN BOSNIA-HERCEGOVINA - CASE OF S.M.",
        ),
        # a dash alone on its line: the printout's blank line
        (["ZENDA UPDATE, NOVEMBER 25, 1991", "-"], True, "ZENDA UPDATE, NOVEMBER 25, 1991"),
        # in a cable of that era a dash and one space is the mark too
        (
            ["AIR ZENDA - THE DO IT YOURSELF", "- AIRLINE"],
            True,
            "AIR ZENDA - THE DO IT YOURSELF AIRLINE",
        ),
        # later, a dash and one space is the SUBJECT's own, and a dash in the text stays
        (["MONTHLY REPORTING CABLE", "- JUNE 2004"], False, "MONTHLY REPORTING CABLE - JUNE 2004"),
        (
            ["ZENDA - A REVIEW OF THE", "TALKS -- ROUND TWO"],
            False,
            "ZENDA - A REVIEW OF THE TALKS -- ROUND TWO",
        ),
    ],
)
def test_subject_printout_continuation_marks(pieces, old, subject):
    from cablebase.grammar.subject import parse_subject

    assert parse_subject(pieces, old_printout=old) == (None, subject)


def test_old_printout_subject_marks_read_in_a_cable():
    cable = _text(
        "UNCLAS ZENDA 02243\n\nE.O. 12356:  DECL:  N/A\nTAGS: PGOV, PREL\n"
        "SUBJECT:  ZENDA PRESIDENTS\n-         MEET TO IRON OUT DIFFERENCES\n"
        "REF: (A) ZENDA 2226\n-    (B) ZENDA 2224\n\n1.  THE TWO LEADERS MET.\n\nROE\n"
    )
    assert cable.subject == "ZENDA PRESIDENTS MEET TO IRON OUT DIFFERENCES"
    assert [r.letter for r in cable.references] == ["A", "B"]


def test_classified_by_label_broken_over_a_blank_line_after_the_subject():
    # a page ran the SUBJECT, a page marker and `CLASSIFIED` together and put `BY:` below
    cable = _text(
        "CONFIDENTIAL ZENDA 000939\n\nE.O. 12958: DECL: 11/25/2019\nTAGS: PGOV PREL\n"
        "SUBJECT: ROADS OF ZENDA ZENDA 00000939 001.2 OF 003 CLASSIFIED\n\n"
        "BY: Jane Q. Roe, Ambassador, Embassy Zenda. REASON: 1.4 (b), (d)\n\n"
        "1.(C) The roads are bad.\n\nROE\n"
    )
    assert cable.subject == "ROADS OF ZENDA"
    assert cable.classified_by is not None and cable.classified_by.names == ["Jane Q. Roe"]
    assert cable.classification_reasons == ["1.4(b)", "1.4(d)"]
    # a SUBJECT that ends in the word with no `BY:` below keeps it
    cable = _text(
        "CONFIDENTIAL ZENDA 000940\n\nE.O. 12958: DECL: 11/25/2019\nTAGS: PGOV\n"
        "SUBJECT: ZENDA PAPERS DECLASSIFIED\n\n1.(C) The papers are out.\n\nROE\n"
    )
    assert cable.subject == "ZENDA PAPERS DECLASSIFIED"


def test_paragraph_one_numbered_with_the_letter_l_after_a_page_break():
    # `l.SUMMARY:` (the letter l for 1) right after a page break under the SUBJECT: neither
    # a lower-case continuation of the SUBJECT nor lost
    cable = _text(
        "UNCLAS SECTION 01 OF 02 ZENDA 005177\n\nE.O. 12958: DECL: N/A\nTAGS: PGOV\n"
        "SUBJECT:  ZENDA SPEAKER SAYS NO PEACE WITHOUT\n          U.S. ASSISTANCE\n\n\n"
        "                       UNCLASSIFIED\n\n"
        "PAGE 02        ZENDA  05177  01 OF 02  181254Z\n"
        "l.SUMMARY:  ON DECEMBER 14 THE AMBASSADOR PAID A\nCOURTESY CALL ON THE SPEAKER.\n"
        "END SUMMARY.\n\n2.  THE CALL WENT WELL.\n\nFINN\n"
    )
    assert cable.subject == "ZENDA SPEAKER SAYS NO PEACE WITHOUT U.S. ASSISTANCE"
    assert cable.summary == "ON DECEMBER 14 THE AMBASSADOR PAID A COURTESY CALL ON THE SPEAKER."


def test_tags_from_a_later_sections_preamble_when_the_first_gave_none():
    # the publisher replaced the first section's TAGS value with its category; the second
    # section repeats the cable's own line
    body = (
        "UNCLAS SECTION 01 OF 02 ZENDA 005177\n\nE.O. 12958: DECL: N/A\nTAGS: War Crimes\n"
        "SUBJECT:  ZENDA SPEAKER SAYS NO PEACE\n\n1.  THE AMBASSADOR MET THE SPEAKER.\n\n"
        "UNCLAS SECTION 02 OF 02 ZENDA 005177\n\nE.O. 12958: DECL: N/A\nTAGS: PGOV HR\n"
        "SUBJECT:  ZENDA SPEAKER SAYS NO PEACE\n\n2.  MORE.\n\nFINN\n"
    )
    assert _text(body).tags == ["PGOV", "HR"]
    # a TAGS line quoted in the text, with no preamble around it, is not read
    body = (
        "UNCLAS ZENDA 005178\n\nE.O. 12958: N/A\nTAGS: War Crimes\nSUBJECT:  ZENDA TALKS\n\n"
        "1.  THE REPORT READ:\nTAGS: PGOV HR\nAND WAS FILED.\n\nFINN\n"
    )
    assert _text(body).tags == []


def test_cut_short_copy_keeps_its_second_tags_line_the_full_copy_lost():
    # the page's first copy is cut short (`Zendan...`); its full copy runs the preamble onto
    # one line and keeps only the TAGS line's first line
    cable = _text(
        "C O N F I D E N T I A L SECTION 01 OF 03 STATE 023860\n\nSIPDIS\n\n"
        "E.O. 12958: DECL: 02/17/2029\nTAGS: MARR PREL NATO AF\nRS, GG, UP\n"
        "SUBJECT: (U) Secretary's March 9, 2009\nConversation with Zendan...\n\n"
        "C O N F I D E N T I A L SECTION 01 OF 03 STATE 023860 SIPDIS E.O. 12958: DECL: "
        "02/17/2029 TAGS: MARR PREL NATO AF\nConversation with Zendan Foreign Minister Rassendyll\n"
        "1. (U) Classified by Assistant Secretary Jane Roe for reasons 1.4 (b) and (d).\n"
        "2. (U) March 9, 2009, Washington.\n\nCLINTON\n"
    )
    assert cable.tags == ["MARR", "PREL", "NATO", "AF", "RS", "GG", "UP"]
