"""Classified By statements: the person, the job title and the reasons (synthetic statements;
names invented, shapes as they occur in real cables)."""

from __future__ import annotations

import pytest

from cablebase.grammar.classified_by import parse_classified_by
from cablebase.grammar.titles import fuzzy_title


def _name(text: str) -> str | None:
    return parse_classified_by(text)[0].name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # misspelt job words
        ("Ambassaor Jo Quill for reasons 1.4 (b and d).", "Jo Quill"),
        ("Amabassador Ria Vell.  Reason 1.4 (B/D)", "Ria Vell"),
        ("AMBSSADOR TOM F. DARR.  REASONS:  1.4 (B) AND (D).", "TOM F. DARR"),
        ("Ambasasdor Cy Brill, Reasons 1.4 (b) and (d)", "Cy Brill"),
        ("Acting P/E Counseor Lu Marsh, reasons 1.4 (b,d)", "Lu Marsh"),
        ("Acting P/E Counsleor Lu Marsh, reasons 1.4 (b,d)", "Lu Marsh"),
        ("ISN/MTR Direcotr Pia Dunn. Reason:  1.4 (B), (D).", "Pia Dunn"),
        ("Charge d'Affaries Di Hult for Reasons 1.4 (b), (d)", "Di Hult"),
        ("Charge d'Afairs (AI) Tod Vale for Reasons 1.4 (b) & (d", "Tod Vale"),
        ("Political Minster Counselor Bo Mell. Reasons 1.4 (b/d).", "Bo Mell"),
        ("ACTIING ECON COUNSELOR JON MACK, REASONS 1.4 (B) an d (D).", "JON MACK"),
        ("U.S. PERMANENT REPRESENATIVE AMBASSADOR SUE RAND FOR REASONS 1.4 B/D", "SUE RAND"),
        ("ACTING E/P CIEF JED ZANE.  REASONS: 1.4(B,D).", "JED ZANE"),
        ("Charge de'Affairs ai. Mae Grace Hoy for reasons 1. 4 (b) and (d)", "Mae Grace Hoy"),
        # job phrases outside any list, read by their head noun
        ("Institutional Affairs Unit Chief Cora Nemm for reasons 1.4 (b) & (d)", "Cora Nemm"),
        ("Glbal Affairs Unit Chief Dan L. Brun for reasons 1.4 (b) and (d).", "Dan L. Brun"),
        ("PRT Salah Ad Din Leader Rik Bolt for reasons 1.4 (b) and (d).", "Rik Bolt"),
        ("Kirkuk PRT Team Leader Hal Keel for reason 1.4 (b) and (d).", "Hal Keel"),
        ("DEFENSE ATTACHE LTC LARS BEEM FOR REASONS 1.4 (B) AND (D).", "LARS BEEM"),
        ("Special Representative for Afghanistan and Pakistan Rey C. Holt", "Rey C. Holt"),
        (
            "DEPUTY ASSISTANT SECRETARY OF STATE FOR CENTRAL ASIA GIL KROE FOR REASONS 1.4 (B)",
            "GIL KROE",
        ),
        ("AMBASSADOR TO SUDAN TIM CARRO. REASON 1.5(D).", "TIM CARRO"),
        ("T U/S Ella O. Tusk for Reasons 1.4 a,b,and d.", "Ella O. Tusk"),
        ("EB A/S E. ANTON WAYE, REASONS 1.5 (B,D).", "E. ANTON WAYE"),
        (
            "ACTING U/S FOR ARMS CONTROL AND INTERNATIONAL SECURITY (T) JON C. RUDD, 1.4 (B)",
            "JON C. RUDD",
        ),
        ("Acting DCM/Tad Osis for reasons 1.4 (b and d)", "Tad Osis"),
        ("DCM Jo Dean Yip (acting) for reasons 1.4 (b) and (d).", "Jo Dean Yip"),
        ("Charge D'Affaires Gus A. Cretz (Releasable to Former NEA A/S Al Murph)", "Gus A. Cretz"),
        (
            "DONALD CAMPO DEPUTY ASSISTANT SECRETARY FOR SOUTH ASIAN AFFAIRS; REASON: 1.5 (B)",
            "DONALD CAMPO",
        ),
        ("EUR/FO ? IAN KELP, REASONS: 1.4 (B) AND (D).", "IAN KELP"),
        # a name is never swallowed as a job word
        ("CDA Damon R. Leader for reasons 1.4 (b) and (d)", "Damon R. Leader"),
        (
            "ROBERT A. POLL, Minister-Counselor for Economics Affa irs, for Reasons 1.4 (b)",
            "ROBERT A. POLL",
        ),
        ("ERIC WONGA, CHARGE D'AFFAIRES, A.I.", "ERIC WONGA"),
        ("Ambassador Victoria Nulls for reasons 1.4 (b)", "Victoria Nulls"),
        ("Ambassador Charles Rivo, reasons 1.4 (b)", "Charles Rivo"),
        # reason words at the end
        ("DCM ROB E. WHITT DUE TO 1,4 (C) AND (D).", "ROB E. WHITT"),
        ("A/LEGATT GARY SHAF FOR RASONS 1.4 (B) AND (D).", "GARY SHAF"),
        ("Amb. Jackie Sand. E.O 12958. Reasons 1.4 (B&D).", "Jackie Sand"),
        ("DCM Hugo Llano - Reasons: 1.4 (b) and (d)", "Hugo Llano"),
        ("ECONOMIC COUNSELOR BOB SILVA FOR 12958 1.4 B, D, AND E", "BOB SILVA"),
        ("Ambassador Ed W. Gnam.  Resons 1.5 (B) and (D)", "Ed W. Gnam"),
        ("AMBASSADOR JON L. WITT II FR REASONS 1.4 (b) AND (d).", "JON L. WITT II"),
        ("CDA Chris Henz nor reasons 1.4 (b) and (d).", "Chris Henz"),
        ("PRM/AFR Dir. Meg McKel-reasons 1.4(b/d)", "Meg McKel"),
        ("CDA: Cal Barkley for reQ#8$UQ8ML#C may choke oQhQG controls, such as", "Cal Barkley"),
        # what stands before an inner label is not the classifier
        (
            "ADANA 222 ADANA 216 ANKARA 6772 Classified by DCM Nan McEl; reasons 1.4 b and d.",
            "Nan McEl",
        ),
        (
            "This message classified by Econ Minister Counselor Will Wein for reasons 1.4 (b)",
            "Will Wein",
        ),
        (
            "1. CLASSIFIED BY NEA ASSISTANT SECRETARY DAVE WELL REASONS: 1.4 (B) AND (D)",
            "DAVE WELL",
        ),
        ("DOS CLASSIFICATION GUIDE BY MARY TOWN", "MARY TOWN"),
        # names cut by the line wrap (the statement's lines joined by a space)
        (
            "Interagency Provincial Affairs Deputy Coordinator Hoyt Y ee for reasons 1.4 (b)",
            "Hoyt Yee",
        ),
        (
            "Deputy Political Counselor Carl O. Blah a, E.O. 12958, reasons 1.4 (b) and (d).",
            "Carl O. Blaha",
        ),
        (
            "Classified by Acting Charge d\\'Affaires, Ambassador Richa rd Hogg, for reasons 1.4(B)",
            "Richard Hogg",
        ),
        ("MINISTER COUNSELOR FOR ECONOMIC AFFAIR S ROB LUKE; REASON 1.4 (B) AND (D).", "ROB LUKE"),
        ("Economic Counselor Tom Gold f or reasons 1.4 b,d.", "Tom Gold"),
        ("USEU polmil officer Jem Brenn for reasons 1.4 (b) a nd (d)", "Jem Brenn"),
        # zeros typed for O stay as written; stray marks dropped
        ("LEE 0. COLD, DIRECTOR, SA/PAB, DEPARTMENT OF STATE. REASON: 1.5(D).", "LEE 0. COLD"),
        ("Deputy Chief of Mission Ken . Johns for reasons 1.4 b and d", "Ken Johns"),
        # no name
        ("SECTION 1.5 (B) AND (D).  NIACT PRECEDENCE BECAUSE OF GOVERNMENT CRISIS", None),
        ("Charge d'Affaires, for reasons 1.4 (b) and (d)", None),
    ],
)
def test_classifier_name(text, name):
    assert _name(text) == name


def test_title_keeps_the_misspelling_as_written():
    cb, reasons = parse_classified_by("Ambassaor Jo Quill for reasons 1.4 (b and d).")
    assert (cb.title, cb.name, reasons) == ("Ambassaor", "Jo Quill", ["1.4(b)", "1.4(d)"])


def test_title_with_object_of_its_preposition():
    cb, _ = parse_classified_by("Special Representative for Afghanistan and Pakistan Rey C. Holt")
    assert cb.title == "Special Representative for Afghanistan and Pakistan"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("DTRA Fed Cart and Poloff Stu Proh for reasons 1.4 (b, d).", ["Fed Cart", "Stu Proh"]),
        (
            "Poloff Stu Proh and DTRO Chief Fed Cart for re asons 1.4 (b, d).",
            ["Stu Proh", "Fed Cart"],
        ),
        (
            "AF KARL WYCK, ACTING AND S/CT DAS SHARI VILL ; E.O. 12958 REASON: 1.4 (B) AND (D)",
            ["KARL WYCK", "SHARI VILL"],
        ),
        # a job phrase joined by `and` is one person
        (
            "Minister Counselor for Economic and Political Affairs Wil R. Stew for reasons 1.4(b)",
            ["Wil R. Stew"],
        ),
        ("Ambassador Jo Roe, reasons 1.4 (b)", ["Jo Roe"]),
        ("Charge d'Affaires, for reasons 1.4 (b) and (d)", []),
    ],
)
def test_two_classifiers(text, names):
    cb, _ = parse_classified_by(text)
    assert cb.names == names
    assert cb.name == (names[0] if names else None)


@pytest.mark.parametrize(
    ("word", "meant"),
    [
        ("Ambassaor", "ambassador"),
        ("AMBASSSADOR", "ambassador"),
        ("Counsleor", "counselor"),
        ("Direcotr", "director"),
        ("Affiars", "affairs"),
        ("Glbal", "global"),
        ("Charles", None),  # a first name two slips from `charge` is not a job word
        ("Gillian", None),
        ("Minter", None),
        ("Leo", None),
        # a transmission garble: `Q` where one to three letters were lost
        ("CooQnator", "coordinator"),
        ("AmbaQador", "ambassador"),
        ("CounQlor", "counselor"),
        ("Iqbal", None),  # a name with a q of its own
        ("Qadri", None),
        ("AQb", None),  # too few letters kept to tell
    ],
)
def test_fuzzy_title(word, meant):
    assert fuzzy_title(word) == meant


@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        # surname first, then the given name and an initial
        ("Roe, Heath M, Ambassador, State, EXEC; REASON: 1.4(D)", "Roe, Heath M", "Ambassador"),
        ("kathy roe, OMS, State, NAS; REASON: 1.4(B)", "kathy roe", ...),  # title not checked
        # a classification derived from a source names no one
        ("Derived from Multiple Sources", None, None),
    ],
)
def test_name_first_statements(text, name, title):
    cb, _ = parse_classified_by(text)
    assert cb.name == name
    if title is not ...:
        assert cb.title == title


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        ("Robert E. Roe for reason 15. (b).", ["1.5(b)"]),
        ("Political Counselor Bo Roe, Reasons 15. (b) and (d).", ["1.5(b)", "1.5(d)"]),
        ("Ambassador Jo Roe, reasons 1.4 (b) and (d)", ["1.4(b)", "1.4(d)"]),
    ],
)
def test_section_number_without_its_point(text, reasons):
    assert parse_classified_by(text)[1] == reasons


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a copy cut off inside the job word: no name
        ("Classified By: AMBASS...", None),
        ("Classified By: Counsel...", None),
        # … or inside a repeated label (`Classified By: Classified by …`)
        ("Classified By: Classifi...", None),
        # cut off inside the name: the name as far as it goes
        ("Classified By: Ambassador Jo Quil...", "Jo Quil"),
    ],
)
def test_statement_cut_short(text, name):
    assert _name(text) == name


@pytest.mark.parametrize(
    ("text", "reasons", "name"),
    [
        # no section number at all: the letters alone (docs/record.md)
        ("DCM Al Kay for reasons b, d.", ["(b)", "(d)"], "Al Kay"),
        ("Ambassador Jo Roe for reasons b, d and f", ["(b)", "(d)", "(f)"], "Jo Roe"),
        ("Ambassador Lu Finn, reasons (b, c & d)", ["(b)", "(c)", "(d)"], "Lu Finn"),
        ("DCM Ed Wu; Reasons ( b) and (d)", ["(b)", "(d)"], "Ed Wu"),
        ("CHARGE MO TAM, REASONS E.O. 12958 (B) , (D) .", ["(b)", "(d)"], "MO TAM"),
        ("AMBASSADOR JO BAY, REASON EO 12958 (B, D)", ["(b)", "(d)"], "JO BAY"),
        ("CDA Kim Oda, E.O. 12958 reasons (b) and (d)", ["(b)", "(d)"], "Kim Oda"),
        ("POLOFF AL GREY. REASON: (B) AND (D)", ["(b)", "(d)"], "AL GREY"),
        # a section number cut or mistyped: the letters alone, not a guessed section
        ("Economic Counselor Jo Gar; Reasons 4 (b) and (d).", ["(b)", "(d)"], "Jo Gar"),
        ("CDA MO DRU FOR REASONS 1 (B) AND (D)", ["(b)", "(d)"], "MO DRU"),
        ("A.F. Godd for reasons 104 (b) and (d)", ["(b)", "(d)"], "A.F. Godd"),
        ("Amb. Pat Kin for reasons 1.b and d.", ["(b)", "(d)"], "Pat Kin"),
        # no letters: nothing
        ("CDA Doug Sill, Reasons 1.4...", [], "Doug Sill"),
        ("ACTING CONSUL GENERAL ARNO VEL. REASON:", [], "ARNO VEL"),
        ("Deputy Political Counselor Mark Can for reasons ...", [], "Mark Can"),
    ],
)
def test_reason_letters_without_a_section(text, reasons, name):
    cb, got = parse_classified_by(text)
    assert (got, cb.name) == (reasons, name)


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        # `9(` typed for `(` (the same key), a letter glued to `and`
        ("AMBASSADOR JO ROE, FOR REASONS 1.4 9(b) AND (d)", ["1.4(b)", "1.4(d)"]),
        ("CON CBEAM for 1.5 (band d)", ["1.5(b)", "1.5(d)"]),
        # … only right after the section number
        ("Jo Roe (hand carried) for reasons 1.4 (b)", ["1.4(b)"]),
        ("Jo Roe for reasons 1.4 (b), 9(d) team", ["1.4(b)"]),
    ],
)
def test_typing_slips_in_the_letters(text, reasons):
    assert parse_classified_by(text)[1] == reasons


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a first name cut by a stray space, in capitals or mixed case
        (
            "MINISTER COUNSELOR FOR POLITICAL AFFAIRS WI LLIAM R. ROE, REASON 1.4 (B)",
            "WILLIAM R. ROE",
        ),
        ("Minister Counselor Do nald A. Roe for reasons 1.4 (b) and (d)", "Donald A. Roe"),
        # two given names side by side stay two words
        ("AMBASSADOR AL LEN, REASONS 1.4 (B)", "AL LEN"),
        ("DCM ED WARD ROE, REASON 1.4 (D)", "ED WARD ROE"),
    ],
)
def test_given_name_split_by_a_stray_space(text, name):
    assert _name(text) == name


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        # the section written in parentheses
        ("ROBERT P. ROE, DCM, PER 1(5)(B).", ["1.5(b)"]),
        ("Jo Roe per 1 (5) (b) and (d)", ["1.5(b)", "1.5(d)"]),
        ("Jo Roe, Reason: 1.5 (B)", ["1.5(b)"]),
        # exemption codes stated with the reasons say how long, not why: no reasons
        ("ACTING PRINCIPAL OFFICER JO ROE, REASON 1.6X1.", []),
        ("POLOFF JO ROE, REASON 1.6 (X6)", []),
        ("EAP DAS JO W. ROE. REASON: 1.5(B,C,D)X1, X5", ["1.5(b)", "1.5(c)", "1.5(d)"]),
        ("AMBASSADOR JO ROE.  REASON: 1.5(B) AND (D).  EXEMPTION:  1.6X6.", ["1.5(b)", "1.5(d)"]),
        ("Ambassador Jo Roe, reasons 1.4 (B) and (D), 25X1-human", ["1.4(b)", "1.4(d)"]),
        ("COL JO ROE, DATT, USDAO ZENDA REASON: 1.5(C,D) DECL: X1", ["1.5(c)", "1.5(d)"]),
    ],
)
def test_reasons_read_to_their_meaning(text, reasons):
    assert parse_classified_by(text)[1] == reasons


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        # a derivative classification names its source guide, the letters after it
        ("Derived from DSCG 05-01, b and d", ["(b)", "(d)"]),
        ("DERIVED FROM: DSCG 05-1 B, D", ["(b)", "(d)"]),
        ("Derived from: DSCG 05-1, B,D", ["(b)", "(d)"]),
        ("Derived from DSCG 05-1 (c)", ["(c)"]),
        # a source with no letters: none; the guide's own numbers are no letters
        ("Derived from Multiple Sources", []),
        ("DERIVED FROM: Derived from previous message.", []),
        ("Derived from DSCG 05-01", []),
    ],
)
def test_derived_from_statement(text, reasons):
    cb, got = parse_classified_by(text)
    assert (got, cb.name) == (reasons, None)


@pytest.mark.parametrize(
    "text",
    [
        # cables standing where the classifier's name does: no person
        "Classified By: REF A. ZENDA 498",
        "CLASSIFIED BY: ADANA 222 ADANA 216",
        "CLASSIFIED BY: A. STATE 1234, B. STATE 1235",
        "Classified by: Reftel",
        "CLASSIFIED BY REFS A AND B",
    ],
)
def test_cables_in_place_of_the_classifier_give_no_name(text):
    cb, _ = parse_classified_by(text)
    assert (cb.name, cb.names) == (None, [])


def test_a_cable_cited_after_the_name_leaves_the_name():
    cb, _ = parse_classified_by("Classified By: Political Officer Jo Roe, USUN 1234")
    assert cb.names == ["Jo Roe"]
    cb, _ = parse_classified_by("Classified By: Refugee Coordinator Jo Roe, reasons 1.4 (b)")
    assert cb.names == ["Jo Roe"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Provincial Affairs Deputy CooQnator Hal Y ee for reasons 1.4 (b) and (d)", "Hal Yee"),
        ("A/DCM Dan O,Hara for reason 1.4(d).", "Dan O'Hara"),
        ("POLOFF JON O,DELL, REASONS 1.4 (B)", "JON O'DELL"),
    ],
)
def test_garbled_title_and_comma_for_an_apostrophe(text, name):
    assert _name(text) == name
