"""REF shapes of issue 10: labels glued or without colon, real post spellings, years written
in odd places, OCR swaps, page markers, and the year of an item written without one.

Every fixture is an invented REF block in a real layout; expected ids are read off the text
and, for the year of yearless items, off the citing cable's date, post and serial.  The
`known` id lists are written by the tests themselves (no real data).
"""

from __future__ import annotations

import gzip
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cablebase.grammar.refs import Citing, parse_refs
from cablebase.ids import (
    KnownIds,
    canonicalize_id,
    resolve_post,
    serial_bound,
    spelling_for,
    year_of_reference,
)
from cablebase.parse import parse_text


def ids(text: str, year: int, **citing) -> list[str | None]:
    """The ids of the cable items, without any exact id list (the derived tables only)."""
    c = Citing(year=year, **citing)
    return [r.id for r in parse_refs(text, year, c) if r.kind == "cable"]


def known_ids(tmp_path, rows: list[tuple[str, int]]) -> KnownIds:
    path = tmp_path / "ids.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("reference_id,month\n")
        for rid, month in rows:
            f.write(f"{rid},{month}\n")
    return KnownIds(path)


# -- post spellings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("SECTSTATE 4411", 2003, "03STATE4411"),  # a misspelt SECSTATE
        ("BRAZIL 77", 2008, "08BRASILIA77"),  # the country for its capital
        ("BA 1485", 2006, "06BUENOSAIRES1485"),  # Buenos Aires' short form
        ("PORT-OF-SPAIN 12", 2007, "07PORTOFSPAIN12"),
        ("SECDEF 31828", 2007, "07SECDEF31828"),  # no Cablegate post: its own name
        ("USDOC WASHDC 442", 2005, "05USDOC442"),  # the place after an agency dropped
        ("UNCLASS USDA FAS 5512", 2004, "04USDAFAS5512"),  # classification word before it
        ("MADRID SP 903", 2005, "05MADRID903"),  # a country code after the post
        ("08 TGG 0084", 2008, "08TEGUCIGALPA84"),  # Tegucigalpa's abbreviation
        ("09 KL 1013", 2010, "09KUALALUMPUR1013"),  # Kuala Lumpur's
        ("NEW YORK 00516", 2004, "04USUNNEWYORK516"),  # the mission to the UN
    ],
)
def test_real_post_spellings(text, year, expected):
    assert ids(text, year) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A. ZENDA 701 B. INCSR BRAZIL 2008", ["09ZENDA701", None]),  # a report's title
        ("A. HUMAN RIGHTS REPORT EL SALVADOR 1999", [None]),
        ("A. BRAZIL 2008 (06)", ["06BRASILIA2008"]),  # the year written apart: a serial
        ("A. BRASILIA 2008", ["09BRASILIA2008"]),  # the post's own spelling: a serial
        ("A. BRAZIL 1412", ["09BRASILIA1412"]),
    ],
)
def test_year_after_a_country_name_is_no_serial(text, expected):
    assert ids(text, 2009) == expected


def test_unesco_mission_takes_the_spelling_cablegate_used_that_year():
    # One mission: PARISFR in 2008, UNESCOPARISFR most in 2010 (serials.json spellings).
    assert ids("USUNESCO PARIS FR 210", 2008) == ["08PARISFR210"]
    assert ids("USUNESCO PARIS FR 210", 2010) == ["10UNESCOPARISFR210"]


def test_ait_taipei_spelling_by_year():
    # Cablegate spells AIT Taipei TAIPEI only in 2004-2005, both ways from 2006.
    assert ids("AIT TAIPEI 881", 2004) == ["04TAIPEI881"]
    assert ids("AIT TAIPEI 881", 2007) == ["07AITTAIPEI881"]
    assert ids("TAIPEI 881", 2007) == ["07TAIPEI881"]


def test_renamed_post_takes_the_name_of_the_year():
    assert spelling_for("KIEV", 2008) == "KYIV"
    assert spelling_for("KIEV", 2006) == "KIEV"
    assert ids("KIEV 1200", 2008) == ["08KYIV1200"]


def test_family_spelling_whose_id_exists_wins(tmp_path):
    known = known_ids(tmp_path, [("07AITTAIPEI123", 3)])
    c = Citing(year=2007, month=6, known=known)
    assert [r.id for r in parse_refs("TAIPEI 123", 2007, c)] == ["07AITTAIPEI123"]


def test_post_filed_under_its_twin_before_its_own_spelling_existed(tmp_path):
    # Cablegate files USEU Brussels' cables as BRUSSELS until 2006 (USEUBRUSSELS ids start
    # in 2007): a cited id that exists only under the twin spelling takes it
    known = known_ids(tmp_path, [("04BRUSSELS1090", 3), ("08BRUSSELS90", 1), ("10BRUSSELS13", 1)])
    cited = Citing(year=2004, month=5, known=known)
    assert [r.id for r in parse_refs("USEU BRUSSELS 01090", 2004, cited)] == ["04BRUSSELS1090"]
    # nothing known of the twin: the canonical form stays
    assert [r.id for r in parse_refs("USEU BRUSSELS 743", 2004, cited)] == ["04USEUBRUSSELS743"]
    # once the spelling is Cablegate's own, another post's id of that serial is no evidence
    later = Citing(year=2008, month=5, known=known)
    assert [r.id for r in parse_refs("USEU BRUSSELS 90", 2008, later)] == ["08USEUBRUSSELS90"]
    last = Citing(year=2010, month=2, known=known)  # few 2010 ids, yet the spelling is in use
    assert [r.id for r in parse_refs("USEU 13", 2010, last)] == ["10USEUBRUSSELS13"]
    # without the id list nothing moves
    assert ids("USEU BRUSSELS 01090", 2004) == ["04USEUBRUSSELS1090"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("07SECTSTATE4411", "07STATE4411"),
        ("08BRAZIL77", "08BRASILIA77"),
        ("06PORT-OF-SPAIN9", "06PORTOFSPAIN9"),
        ("05MADRIDSP33", "05MADRID33"),
        ("08USDOCWASHDC5", "08USDOC5"),
        ("06SECDEF40", "06SECDEF40"),
        ("04AITTAIPEI7", "04TAIPEI7"),
        ("08KIEV31", "08KYIV31"),
        ("09TEGUCIGALPAA14", "09TEGUCIGALPA14"),  # a doubled letter
        ("05AMEMBASSYLIMA0012", "05LIMA12"),  # station word and zero padding
        ("09AMEMBASSYZENDA3", "09ZENDA3"),  # an unknown post keeps its name
        # damaged Cablegate-style ids: banner, caption, note or doubled year glued in
        ("08SECTON01OF02LIMA12", "08LIMA12"),
        ("0701OF03ZAGREB44", "07ZAGREB44"),
        ("09EFTOLIMA7", "09LIMA7"),
        ("09SIFIEDLIMA5", "09LIMA5"),
        ("07LIMA000160ZFR164", "07LIMA160"),
        ("7777ZAGREB12", "77ZAGREB12"),
    ],
)
def test_canonicalize_id(written, expected):
    assert canonicalize_id(written) == expected


def test_canonicalize_id_rejects_what_is_no_id():
    assert canonicalize_id("STATE") is None
    assert canonicalize_id("") is None
    assert canonicalize_id("2009BAMAKO") is None


def test_resolve_post_suffixes():
    assert resolve_post("SECDEF WASHINGTON DC") == "SECDEF"
    assert resolve_post("THE HAGUE NL") == "THEHAGUE"
    assert resolve_post("ZENDA") is None


# -- years written in odd places ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("(99) ROME 2196", 2001, ["99ROME2196"]),  # year in parentheses before the post
        ("'08 STATE 1234", 2009, ["08STATE1234"]),  # apostrophe year
        ("2005PANAMA2342", 2006, ["05PANAMA2342"]),  # all glued
        ("10-OTTAWA-57", 2010, ["10OTTAWA57"]),  # dashes
        ("A. QUITO 4525-91 B. QUITO 1735", 2006, ["91QUITO4525", "06QUITO1735"]),  # after, dash
        ("A) STATE (01) 201265, B) STATE 02034", 2002, ["01STATE201265", "02STATE2034"]),
        ("A) USDOC 05667 B)HK05511", 2007, ["07USDOC5667", "07HONGKONG5511"]),
    ],
)
def test_year_shapes(text, year, expected):
    assert ids(text, year) == expected


# -- OCR swaps ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("SANTIAG0 123", 2008, ["08SANTIAGO123"]),  # zero for the final O
        ("COTON0U 348", 2008, ["08COTONOU348"]),  # zero inside the name
        ("O4 CHENNAI 123", 2005, ["04CHENNAI123"]),  # letter O in the year
        ("(A) LAGOS O1512, (B) LAGOS 01545", 2002, ["02LAGOS1512", "02LAGOS1545"]),
    ],
)
def test_ocr_swaps(text, year, expected):
    assert ids(text, year) == expected


def test_letter_o_item_is_not_a_zero():
    text = "N. STATE 11 O. STATE 12"
    refs = parse_refs(
        "A. STATE 1 B. STATE 2 C. STATE 3 D. STATE 4 E. STATE 5 F. STATE 6 "
        "G. STATE 7 H. STATE 8 I. STATE 9 J. STATE 10 K. STATE 13 L. STATE 14 "
        "M. STATE 15 " + text,
        2008,
        Citing(year=2008),
    )
    assert [(r.letter, r.id) for r in refs][-2:] == [("N", "08STATE11"), ("O", "08STATE12")]


# -- separators between post and serial ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STATE: 73097", ["08STATE73097"]),
        ("BAGHDAD #3565", ["08BAGHDAD3565"]),
        ("KUWAIT (C)02293", ["08KUWAIT2293"]),
    ],
)
def test_post_serial_separators(text, expected):
    assert ids(text, 2008) == expected


# -- page markers and run-on text ----------------------------------------------------------------


def test_old_printout_page_header_inside_the_block():
    text = "A. STATE 40721\n CONFIDENTIAL\nPAGE 02 ROME 01196 01 OF 02 082030Z  B. ROME 1098"
    refs = parse_refs(text, 2002, Citing(year=2002))
    assert [(r.letter, r.id) for r in refs] == [("A", "02STATE40721"), ("B", "02ROME1098")]


def test_page_marker_split_by_blank_lines():
    text = "A) TRIPOLI 199, B) TRIPOLI 227 TRIPOLI 00000402 \n\n001.2 OF 003 "
    assert ids(text, 2008) == ["08TRIPOLI199", "08TRIPOLI227"]


def test_page_marker_with_two_digit_page_part():
    text = "A. ALGIERS 337\nB. ALGIERS 331\n\nAlgiers 00000370 001.14 of 004"
    assert ids(text, 2009) == ["09ALGIERS337", "09ALGIERS331"]


def test_own_page_marker_without_its_page_part():
    text = "08 STATE 74840 TRIPOLI 00000268"
    assert ids(text, 2009, post="TRIPOLI", serial=268) == ["08STATE74840"]
    # another serial, zero-padded to eight digits, is a reference
    assert ids("RECIFE 00000074", 2005, post="RECIFE", serial=78) == ["05RECIFE74"]


def test_ref_run_on_into_the_first_paragraph():
    text = "STATE 00028885 (SBU) This is a response to the request for information on the budget."
    refs = parse_refs(text, 2009, Citing(year=2009))
    assert [(r.text, r.id) for r in refs] == [("STATE 00028885", "09STATE28885")]


# -- the year of an item written without one ----------------------------------------------------


def test_own_post_serial_above_the_citing_serial_is_last_year():
    # 08TRIPOLI870 cannot cite a TRIPOLI serial it has not reached: 1033 is last year's
    assert ids("TRIPOLI 1033", 2008, month=11, post="TRIPOLI", serial=870) == ["07TRIPOLI1033"]
    assert ids("TRIPOLI 833", 2008, month=11, post="TRIPOLI", serial=870) == ["08TRIPOLI833"]


def test_serial_past_what_the_post_reached_by_the_citing_month_is_last_year():
    # STATE reaches serials near 250,000 only late in a year: cited in January, last year's
    assert ids("STATE 250998", 2005, month=1) == ["04STATE250998"]
    assert ids("STATE 4120", 2005, month=1) == ["05STATE4120"]
    # In November the same year's 120,000 has been reached; in March it has not.
    assert ids("STATE 120000", 2008, month=11) == ["08STATE120000"]
    assert ids("STATE 120000", 2008, month=3) == ["07STATE120000"]


def test_without_a_date_the_citing_year_stays():
    assert ids("STATE 250998", 2005) == ["05STATE250998"]


def test_written_year_is_never_moved():
    assert ids("05 STATE 250998", 2005, month=1) == ["05STATE250998"]


def test_serial_last_year_never_reached_keeps_the_citing_year():
    # TRIPOLI never reached 50,000 in a year: no year before can hold it either
    assert year_of_reference("TRIPOLI", 50000, 2008, 1, "TRIPOLI", 870) == 2008


def test_known_id_dated_after_the_citing_cable_means_last_year(tmp_path):
    known = known_ids(tmp_path, [("08ZAGREB371", 2), ("08ZAGREB55", 1)])
    assert year_of_reference("ZAGREB", 371, 2008, 1, known=known) == 2007
    assert year_of_reference("ZAGREB", 55, 2008, 1, known=known) == 2008
    # that last year's id exists says nothing by itself
    known2 = known_ids(tmp_path, [("07ZAGREB12", 5)])
    assert year_of_reference("ZAGREB", 12, 2008, 6, known=known2) == 2008


def test_serial_bound_reads_later_months():
    bound = serial_bound("STATE", 2008, 1)
    assert bound is not None and 10_000 < bound < 40_000
    assert serial_bound("STATE", 2008, 12) is None  # no later month to bound December


# -- labels (whole cables) ----------------------------------------------------------------------

HEAD = """C O N F I D E N T I A L LONDON 001991

SIPDIS

E.O. 12958: DECL: 07/28/2018
TAGS: PGOV PREL UK
"""
CLBY = "\nClassified By: Political Counselor Ann Smith for reasons 1.4 b and d\n\n1. (C) Text.\n"


def _cable_refs(preamble: str) -> tuple[str | None, list[tuple[str | None, str | None]]]:
    c = parse_text(HEAD + preamble + CLBY, form="text", year=2008)
    return c.subject, [(r.letter, r.id) for r in c.references]


def test_ref_glued_to_the_subject():
    subject, refs = _cable_refs(
        "SUBJECT: WHO WOULD BE UK PRIMEREF: A. LONDON 1939  B. LONDON 1704\n"
    )
    assert subject == "WHO WOULD BE UK PRIME"
    assert refs == [("A", "08LONDON1939"), ("B", "08LONDON1704")]


@pytest.mark.parametrize(
    ("line", "subject"),
    [
        # another form of the label glued, or the subject in mixed case
        (
            "SUBJECT: WHO WOULD BE UK PRIMEREFS: A. LONDON 1939  B. LONDON 1704\n",
            "WHO WOULD BE UK PRIME",
        ),
        (
            "SUBJECT: Who Would Be UK PrimeREF: A. London 1939  B. London 1704\n",
            "Who Would Be UK Prime",
        ),
        (
            "SUBJECT: WHO WOULD BE UK PRIMEREFTEL: LONDON 1939, LONDON 1704\n",
            "WHO WOULD BE UK PRIME",
        ),
    ],
)
def test_ref_label_variants_glued_to_the_subject(line, subject):
    got_subject, refs = _cable_refs(line)
    assert got_subject == subject
    assert [r[1] for r in refs] == ["08LONDON1939", "08LONDON1704"]


def test_a_word_ending_in_ref_before_a_colon_is_no_label():
    subject, refs = _cable_refs("SUBJECT: ZENDA DEBATES THE PREF: NO DECISION\n")
    assert subject == "ZENDA DEBATES THE PREF: NO DECISION"
    assert refs == []


def test_ref_label_with_a_dot():
    subject, refs = _cable_refs("SUBJECT: A VISIT\n\nREF. LONDON 1939\n")
    assert subject == "A VISIT"
    assert refs == [(None, "08LONDON1939")]


def test_mixed_case_ref_label_with_a_dot():
    # `Ref. Brasilia 606` alone below the SUBJECT: a REF, not the SUBJECT's last words
    subject, refs = _cable_refs("SUBJECT:  Zendan Growth Prospects\n\nRef. Brasilia 606\n")
    assert subject == "Zendan Growth Prospects"
    assert refs == [(None, "08BRASILIA606")]
    subject, refs = _cable_refs("SUBJECT: A Survey\n\nRef. State 75561\n")
    assert (subject, refs) == ("A Survey", [(None, "08STATE75561")])
    # a sentence opening with a word after `Ref.` is no item
    subject, refs = _cable_refs("SUBJECT: A Survey\n\nRef. the talks of 2008\n")
    assert refs == []


def test_ref_label_and_bare_letters_without_colon():
    subject, refs = _cable_refs("SUBJECT: A VISIT\n\nREF A WELLINGTON 721 B STATE 5512\n")
    assert subject == "A VISIT"
    assert refs == [("A", "08WELLINGTON721"), ("B", "08STATE5512")]


def test_word_ending_in_ref_is_no_label():
    subject, refs = _cable_refs("SUBJECT: THE CHIEF PREF: continued talks\n")
    assert subject == "THE CHIEF PREF: continued talks"
    assert refs == []


def _first_paragraphs(preamble: str) -> list[tuple[int | None, str | None, str]]:
    c = parse_text(HEAD + preamble, form="text", year=2008)
    return [(p.number, p.portion, p.text[:14]) for p in c.paragraphs]


@pytest.mark.parametrize(
    "ref",
    [
        "REF: VILNIUS 663 1. (SBU) \nThe neutrality of Belarus is a topic.",  # text below
        "REF: STATE 69691 1. (SBU)\n\nThe neutrality of Belarus is a topic.",  # a blank line
        "REF: VILNIUS 663 1. (SBU) The neutrality of Belarus is a topic.",  # a short line
        "REF: A. STATE 1234\n     B. VILNIUS 663 1. (SBU)\nThe neutrality of Belarus is a topic.",
    ],
)
def test_short_ref_line_run_on_into_paragraph_one_keeps_its_number(ref):
    # paragraph 1's number and mark glued to a short REF line belong to the text, not the REF
    got = _first_paragraphs("SUBJECT: A SPAT\n\n" + ref + "\n\n2. (U) More text.\n")
    assert got == [(1, "SBU", "The neutrality"), (2, "U", "More text.")]


def test_exact_years_through_the_parser(tmp_path):
    # 08ZAGREB95 was written in February: a January cable citing `ZAGREB 95` means 2007's
    # (the serial table alone allows 95 by the end of January)
    known = known_ids(tmp_path, [("08ZAGREB95", 2)])
    on = Citing(year=2008, month=1, known=known, exact_years=True)
    off = Citing(year=2008, month=1, known=known)
    assert [r.id for r in parse_refs("ZAGREB 95", 2008, on)] == ["07ZAGREB95"]
    assert [r.id for r in parse_refs("ZAGREB 95", 2008, off)] == ["08ZAGREB95"]


def test_known_ids_file_without_months(tmp_path):
    path = tmp_path / "ids.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("reference_id\n09ZENDA1\n")
    known = KnownIds(path)
    assert known.exists("09ZENDA1") and known.month("09ZENDA1") is None
    assert not known.exists("reference_id")


# -- item layouts --------------------------------------------------------------------------------


def _letters(text: str, year: int, **citing) -> list[tuple[str | None, str, str | None]]:
    refs = parse_refs(text, year, Citing(year=year, **citing))
    return [(r.letter, r.kind, r.id) for r in refs]


def test_bracketed_letters():
    assert _letters("[A] State 188001, 259011, [B] Ottawa 2291", 2005) == [
        ("A", "cable", "05STATE188001"),
        ("A", "cable", "05STATE259011"),
        ("B", "cable", "05OTTAWA2291"),
    ]


def test_letter_repeated_at_a_line_start_is_another_item():
    text = "A) RIGA 366 B) SMITH-JONES EMAIL 05/11/07\nB) RIGA 347"
    assert _letters(text, 2007) == [
        ("A", "cable", "07RIGA366"),
        ("B", "email", None),
        ("B", "cable", "07RIGA347"),
    ]


def test_unlettered_item_before_the_letters():
    text = "08 STATE 9625; A. A)STATE 7078; B. B) SEOUL 1144\nC. C) SINGAPORE 675"
    assert _letters(text, 2009) == [
        (None, "cable", "08STATE9625"),
        ("A", "cable", "09STATE7078"),
        ("B", "cable", "09SEOUL1144"),
        ("C", "cable", "09SINGAPORE675"),
    ]


def test_bare_serial_takes_the_previous_post_or_the_citing_one():
    assert _letters("A. MANILA 2969\nB. 2962 AND PREVIOUS", 2006) == [
        ("A", "cable", "06MANILA2969"),
        ("B", "cable", "06MANILA2962"),
    ]
    assert _letters("A) 6307 B) STATE 285773", 2003, post="ANKARA", serial=6322) == [
        ("A", "cable", "03ANKARA6307"),
        ("B", "cable", "03STATE285773"),
    ]


def test_serial_before_its_post():
    assert ids("870 Ulaanbaatar", 2006) == ["06ULAANBAATAR870"]
    assert ids("A) 377 KATHMANDU, B) 01 KATHMANDU 2383", 2002) == [
        "02KATHMANDU377",
        "01KATHMANDU2383",
    ]


def test_serials_listed_with_slashes():
    text = "A) Kabul 936/935; B) 06 Kabul\n5353/5194 and previous"
    assert ids(text, 2007) == ["07KABUL936", "07KABUL935", "06KABUL5353", "06KABUL5194"]
    # a date and a report number keep their slashes
    assert ids("LEE EMAIL 05/11/07", 2007) == []
    assert ids("TD-314/012345-08", 2008) == []


def test_comma_between_post_and_serial():
    assert ids("PRAGUE 849, PRAGUE, 1228, STATE 148476", 2008) == [
        "08PRAGUE849",
        "08PRAGUE1228",
        "08STATE148476",
    ]


def test_two_digit_year_after_a_padded_serial():
    assert ids("AMMAN 07718 99, AMMAN 05986 00", 2002) == ["99AMMAN7718", "00AMMAN5986"]


def test_cables_word_and_a_year_after_the_second_serial():
    assert ids("COLOMBO CABLES 0266 AND 02259 (2002)", 2003) == ["03COLOMBO266", "02COLOMBO2259"]


def test_own_serial_order_wins_over_a_known_date(tmp_path):
    # 04BOGOTA12846 citing BOGOTA 12512: a lower serial of its own post is this year's, even
    # when the id list dates that id after the citing cable's (mis)stated month
    known = known_ids(tmp_path, [("04BOGOTA12512", 12)])
    assert year_of_reference("BOGOTA", 12512, 2004, 11, "BOGOTA", 12846, known) == 2004
    assert year_of_reference("BOGOTA", 9500, 2004, 9, "BOGOTA", 9000, known) == 2003


def test_whole_cable_settles_year_from_its_own_date_and_serial():
    text = (
        "C O N F I D E N T I A L TRIPOLI 000870\n\nSIPDIS\n\nE.O. 12958: DECL: 01/28/2018\n"
        "TAGS: PGOV LY\nSUBJECT: A VISIT\n\nREF: A. TRIPOLI 1033 B. TRIPOLI 812\n" + CLBY
    )
    c = parse_text(text, form="text", year=2008)
    assert [r.id for r in c.references] == ["07TRIPOLI1033", "08TRIPOLI812"]


def test_an_archive_s_own_ids_as_the_known_list():
    known = KnownIds.of([("08ZAGREB95", 2), ("08ZAGREB12", None)])
    assert known.available and known.exists("08ZAGREB12") and known.month("08ZAGREB95") == 2
    assert not known.exists("08ZAGREB13")
    assert year_of_reference("ZAGREB", 95, 2008, 1, known=known) == 2007


def test_serial_cut_onto_a_line_of_its_own():
    subject, refs = _cable_refs(
        "SUBJECT: A VISIT\n\nRefs: A) Brasilia 1384 B) Rio de Janeiro 765 C) 2003 Sao Paulo\n"
        " \n1186\n"
    )
    assert refs == [("A", "08BRASILIA1384"), ("B", "08RIODEJANEIRO765"), ("C", "03SAOPAULO1186")]


# -- the dev corpus, read in place ------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_references_never_after_the_citing_cable(html_tar):
    """Over the Cablegate pages: no REF is the cable's own page marker, and a cited Cablegate id
    is dated after its citing cable only where the citing cable's own serial orders them (the
    page's date is off) or the item writes that year."""
    import tarfile

    from cablebase.ids import KNOWN_IDS

    if not KNOWN_IDS.available:
        pytest.skip("Cablegate id list not present")
    later: list[tuple[str, str]] = []
    own = 0
    with tarfile.open(html_tar) as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".html"):
                continue
            c = parse_text(tar.extractfile(member).read().decode("utf-8"), form="html")
            if not c.created or not c.reference_id:
                continue
            cited_by = (int(c.created[:4]) % 100, int(c.created[5:7]))
            for r in c.references:
                if r.id == c.reference_id:
                    own += 1
                if not r.id or re.match(r"^\s*\(?\d{2}", r.text):  # a written year stays
                    continue
                month = KNOWN_IDS.month(r.id)
                if month is not None and (int(r.id[:2]), month) > cited_by:
                    later.append((c.reference_id, r.id))
    assert own == 0
    assert len(later) <= 6, later  # 09MOSCOW1108's body is another cable's; dates off in 4


def test_own_banner_and_dumps_after_the_items_are_cut():
    text = (
        "PRAGUE 337 \n \nC..3/10/2005 16:26 C O N F I D E N T I A L PRAGUE 000356 SIPDIS "
        "E.O. 12958: DECL: 03/10/2015 TAGS: MASS PREL"
    )
    refs = parse_refs(text, 2005, Citing(year=2005, post="PRAGUE", serial=356))
    assert [r.id for r in refs] == ["05PRAGUE337"]
    text = (
        "A. LIMA 4516 (06)\nB. LIMA 248 (06)\nid: 109673\ndate: 5/24/2007 17:21\n07LIMA1862 origin"
    )
    refs = parse_refs(text, 2007, Citing(year=2007, post="LIMA", serial=1862))
    assert [(r.letter, r.id) for r in refs] == [("A", "06LIMA4516"), ("B", "06LIMA248")]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            list("ABCOab.():;,-'#[] \n0123456789/")
            + ["STATE", " AND ", "TRIPOLI ", "SANTIAG0", "PAGE 02 ", "00000870", "001.2 OF 003"]
        ),
        max_size=60,
    ).map("".join),
    st.integers(min_value=1966, max_value=2010),
    st.one_of(st.none(), st.integers(min_value=1, max_value=12)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=300_000)),
)
def test_never_raises_with_a_citing_cable(text, year, month, serial):
    citing = Citing(year=year, month=month, post="TRIPOLI", serial=serial, exact_years=True)
    for r in parse_refs(text, year, citing):
        assert r.kind in ("cable", "email", "telcon", "memo", "report", "dtg", "other")
        assert r.id is None or re.match(r"^\d{2}[A-Z]+\d{1,7}$", r.id)


# -- item markers and block ends (issue 10, second pass) ----------------------------------------


def test_post_glued_to_its_serial_by_a_colon():
    assert _letters("A. STATE:98765\n\nB. 11-18-04 SMITH-JONES EMAIL", 2004) == [
        ("A", "cable", "04STATE98765"),
        ("B", "email", None),
    ]
    assert ids("MEETING AT 10:30", 2004) == []  # a time is no serial


def test_lower_case_letters_go_on_after_capital_ones():
    text = "A. STATE 5111\nB. 06 STATE 14444\nC. Kuwait 730\nd. 06 kuwait 4664\ne. State 1612"
    assert _letters(text, 2007) == [
        ("A", "cable", "07STATE5111"),
        ("B", "cable", "06STATE14444"),
        ("C", "cable", "07KUWAIT730"),
        ("D", "cable", "06KUWAIT4664"),
        ("E", "cable", "07STATE1612"),
    ]


def test_spaced_banner_in_any_case_ends_the_block():
    # a copy of the cable's banner after the items, written `S e c r e t` (six letters)
    assert ids("A. 08 STATE 81854\n\n\nS e c r e t lusaka 000412", 2009) == ["08STATE81854"]
    assert ids("A. 08 STATE 81854\nS E C R E T LUSAKA 000412", 2009) == ["08STATE81854"]


def test_escaped_line_end_before_an_old_page_header():
    text = "A. STATE 40721\n CONFIDENTIAL\\nPAGE 02 ROME 01196 01 OF 02 082030Z  B. ROME 1098"
    assert _letters(text, 2002) == [("A", "cable", "02STATE40721"), ("B", "cable", "02ROME1098")]


def test_letter_and_dash():
    assert _letters("A - Kabul 28", 2008) == [("A", "cable", "08KABUL28")]
    assert _letters("A - Kabul 28 B - Kabul 31", 2008) == [
        ("A", "cable", "08KABUL28"),
        ("B", "cable", "08KABUL31"),
    ]


def test_bare_letters_opening_lines():
    # `REF A …` ⏎ `REF B …` with the labels removed: the first item is no cable
    text = "A MINISTER'S LETTER TO THE CROWN PRINCE\nREF B SECSTATE 70118"
    assert _letters(text, 2009) == [("A", "memo", None), ("B", "cable", "09STATE70118")]
    # one line opening with a capital is no list
    assert _letters("A LETTER FROM THE MINISTER OF 12 MAY", 2009) == [(None, "memo", None)]


def test_bare_letter_before_a_mixed_case_post_and_ocr_year():
    assert _letters("A O3 Sanaa 2711", 2004) == [("A", "cable", "03SANAA2711")]


def test_first_letter_written_before_the_label():
    # `A. REF AMMAN 222` ⏎ `B. …`: the REF text starts after item A's letter
    text = "AMMAN 222\n     B. 06 AMMAN 4685\n     C. 06 AMMAN 2145"
    assert _letters(text, 2007) == [
        ("A", "cable", "07AMMAN222"),
        ("B", "cable", "06AMMAN4685"),
        ("C", "cable", "06AMMAN2145"),
    ]
    # items B and C alone after no cable are not given an A
    assert _letters("SEE BELOW\nB. 06 AMMAN 4685", 2007)[0][0] is None


# -- the REF block in the preamble: blank lines inside, captions before it ------------------------


def _refs_before_text(preamble: str) -> tuple[str | None, list[tuple[str | None, str | None]]]:
    """The REF block followed by the numbered text (no Classified By line after it)."""
    c = parse_text(HEAD + preamble + "\n1. (U) Text.\n", form="text", year=2008)
    return c.subject, [(r.letter, r.id) for r in c.references]


def test_ref_block_goes_on_past_blank_lines():
    # an open item glued after a comma, a dashed continuation line, a post name cut before
    # its serial: each followed by a blank line
    _, refs = _refs_before_text(
        "SUBJECT: A VISIT\n\nREFS: A) STATE 1165, B) STATE 2130,C) \n \nSTATE 2034\n"
    )
    assert refs == [("A", "08STATE1165"), ("B", "08STATE2130"), ("C", "08STATE2034")]
    _, refs = _refs_before_text(
        "SUBJECT: A VISIT\n\nRefs: (A) Colombo 2204\n \n-      (B) State 2403\n"
    )
    assert refs == [("A", "08COLOMBO2204"), ("B", "08STATE2403")]
    _, refs = _refs_before_text(
        "SUBJECT: A VISIT\n\nREF: A) LIMA 2605, B) RIO \n \nDE JANEIRO 1291\n"
    )
    assert refs == [("A", "08LIMA2605"), ("B", "08RIODEJANEIRO1291")]


def test_ref_item_holding_its_year_alone_before_a_blank_line():
    _, refs = _refs_before_text(
        "SUBJECT: A VISIT\n \nREF:  (A) STATE 19851, (B) 05 Riga 415, (C) 05 \n \nRiga 431 \n"
    )
    assert refs == [("A", "08STATE19851"), ("B", "05RIGA415"), ("C", "05RIGA431")]


def test_ref_without_colon_before_an_ocr_year():
    subject, refs = _refs_before_text("SUBJECT: A VISIT\n\nREF A O7 Sanaa 2716\n")
    assert subject == "A VISIT"
    assert refs == [("A", "07SANAA2716")]


def test_ref_after_several_addressing_caption_lines():
    preamble = (
        "SUBJECT: OPEN POSITIONS FOR THE SUMMER CYCLE.\n \n"
        "ALSO FOR USOECD, UNESCO, ROME ALSO PASS\n"
        "VATICAN AND USDOC/USFCS\n \n"
        "FOR ADMINISTRATIVE OFFICERS AT OVERSEAS POSTS: THIS TELEGRAM\n"
        "SHOULD BE BROUGHT TO THE ATTENTION OF ALL\n"
        "EMPLOYEES OF THE FOREIGN AFFAIRS AGENCIES\n"
        "(AS DEFINED BY THE ACT OF 1980).\n \n"
        "REF: A) 07 STATE 16278; B) 07 STATE 12659\n"
    )
    subject, refs = _refs_before_text(preamble)
    assert subject == "OPEN POSITIONS FOR THE SUMMER CYCLE."
    assert refs == [("A", "07STATE16278"), ("B", "07STATE12659")]


def test_banner_like_line_after_the_ref_label_is_a_copy():
    # a fragment opening with its REF block, a spaced banner copy after it: REF is the
    # preamble, the later line no banner
    c = parse_text("REF: A. 08 STATE 81854\n\n\nS e c r e t lusaka 000412\n", year=2009)
    assert [(r.letter, r.id) for r in c.references] == [("A", "08STATE81854")]


def test_reference_id_written_whole_is_canonicalised():
    assert _letters("A. 08HALIF1234 B. 09BAMAKO776", 2009) == [
        ("A", "cable", "08HALIFAX1234"),  # the post cut short
        ("B", "cable", "09BAMAKO776"),
    ]
    assert ids("2008KUALALUMP1234 AND PREVIOUS", 2009) == ["08KUALALUMPUR1234"]


def test_post_one_letter_off_in_an_item():
    assert ids("06 ANOI 582", 2006) == ["06HANOI582"]  # a letter dropped from a short name
    assert ids("NDJAENA 423", 2009) == ["09NDJAMENA423"]  # a misspelling Cablegate holds


def test_sbu_notice_after_the_last_item_is_not_part_of_it():
    text = (
        "A 09 ZENDA 074 REF B 08 ZENDA 784 Sensitive but Unclassified. Please handle accordingly."
    )
    refs = parse_refs(text, 2009, Citing(year=2009))
    assert [(r.letter, r.text) for r in refs] == [("A", "09 ZENDA 074"), ("B", "08 ZENDA 784")]
    text = "STATE 92528 (U) THIS CABLE IS SENSITIVE BUT UNCLASSIFIED AND NOT FOR INTERNET USE."
    assert [r.text for r in parse_refs(text, 2004, Citing(year=2004))] == ["STATE 92528"]


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        # `POST TWX NNNN DATED ddhhmmZMONyy`: the serial after TWX, the year from the DTG
        ("TEGUCIGALPA TWX 01379 DATED 171658ZJUN04", 2004, ["04TEGUCIGALPA1379"]),
        (
            "A. TEGUCIGALPA TWX 00987 DATED 252248ZAPR03 B. BOGOTA TWX 07868 DATED 091639ZAUG04",
            2004,
            ["03TEGUCIGALPA987", "04BOGOTA7868"],
        ),
        # a four-digit year after a dash, as the two-digit one (`QUITO 4525-91`)
        ("A. CARACAS 3161-2003, B. CARACAS 2032-2003", 2004, ["03CARACAS3161", "03CARACAS2032"]),
        ("QUITO 4525-91", 1992, ["91QUITO4525"]),
        # a slash still lists serials, four digits too
        ("WARSAW 2016/2015", 2003, ["03WARSAW2016", "03WARSAW2015"]),
    ],
)
def test_serial_after_twx_and_years_after_the_serial(text, year, expected):
    assert ids(text, year) == expected


# -- a country written for its post ------------------------------------------------------------


def _country_refs(text: str, known: KnownIds | None) -> list[tuple[str, str | None]]:
    c = Citing(year=2008, month=6, post="TEGUCIGALPA", serial=900, known=known, exact_years=True)
    return [(r.kind, r.id) for r in parse_refs(text, 2008, c)]


@pytest.mark.parametrize(
    ("text", "rows", "want"),
    [
        # the country's one post holds the cited id: that post's id
        (
            "A. EL SALVADOR 2226 (ALL NOTAL)",
            [("08SANSALVADOR2226", 5)],
            [("cable", "08SANSALVADOR2226")],
        ),
        ("A. 07 EL SALVADOR 1717", [("07SANSALVADOR1717", 5)], [("cable", "07SANSALVADOR1717")]),
        # of a country's two posts, the one whose id exists
        ("NETHERLANDS 512", [("08THEHAGUE512", 3)], [("cable", "08THEHAGUE512")]),
        # both exist, or none: unsure, the written form is kept as a cable item without an id
        ("NETHERLANDS 512", [("08THEHAGUE512", 3), ("08AMSTERDAM512", 3)], [("cable", None)]),
        ("A. EL SALVADOR 2226", [("08TEGUCIGALPA2226", 5)], [("cable", None)]),
        # no id list: unsure
        ("A. EL SALVADOR 2226", None, [("cable", None)]),
    ],
)
def test_country_written_for_its_post(text, rows, want):
    known = KnownIds.of(rows) if rows is not None else None
    assert _country_refs(text, known) == want


def test_a_post_named_like_its_country_stays_the_post():
    known = KnownIds.of([("08MEXICO77", 1), ("08MONTERREY77", 1)])
    assert _country_refs("MEXICO 77", known) == [("cable", "08MEXICO77")]


def test_a_country_in_mixed_case_prose_is_no_post():
    known = KnownIds.of([("08PORTAUPRINCE1", 1), ("08BRASILIA1428", 1)])
    got = _country_refs("BRASILIA 1428 Brazil Launches High-Energy Effort on Haiti 1", known)
    assert got == [("cable", "08BRASILIA1428")]


# -- a range of serials --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # every serial from the first to the last, then a serial after AND
        (
            "A. NEW DELHI 6773-6776 AND 6816",
            [
                "04NEWDELHI6773",
                "04NEWDELHI6774",
                "04NEWDELHI6775",
                "04NEWDELHI6776",
                "04NEWDELHI6816",
            ],
        ),
        ("STATE 123456 - 123457", ["04STATE123456", "04STATE123457"]),
        # a year after the dash stays a year, whether above the serial or below it
        ("CARACAS 3161-2003", ["03CARACAS3161"]),
        ("CARACAS 1746-2003", ["03CARACAS1746"]),
        ("QUITO 4525-91", ["91QUITO4525"]),
        # the last serial written by its last digits only
        (
            "NEW DELHI 6773-79",
            ["04NEWDELHI" + str(n) for n in range(6773, 6780)],
        ),
        (
            "STATE 123456-60 AND 123470",
            ["04STATE" + str(n) for n in (*range(123456, 123461), 123470)],
        ),
        ("ROME 1234-05", ["04ROME1234"]),  # no range: 05 is below 34
        # two digits more than nine serials on are a year, nine or fewer the run's end
        ("LIMA 2281-95", ["95LIMA2281"]),
        ("LIMA 2281-90", ["04LIMA" + str(n) for n in range(2281, 2291)]),
        ("REF: A. LIMA 3310-97 B. LIMA 1977-93", ["97LIMA3310", "93LIMA1977"]),
        # not a range: a last serial below the first, or too far after it
        ("ROME 6779-6773", ["04ROME6779"]),
        ("ROME 1200-1300", ["04ROME1200"]),
    ],
)
def test_serial_range(text, want):
    assert ids(text, 2004) == want


@pytest.mark.parametrize(
    "block",
    [
        "REF: a) Lima 2736, b) Lima \n \n4964 c) Lima 5178 d) Lima 5692 \n",
        "Refs:  (A) Lima 02736  (B) Lima \n \n04964  (C) Lima 05178  (D) Lima 5692\n",
        "REF: A. LIMA 2736 B. LIMA \n\n4964, C. LIMA 5178 D. LIMA 5692\n",
    ],
)
def test_serial_cut_from_its_post_by_a_blank_line_with_items_after_it(block):
    # a double-spaced copy cut an item between post and serial; the next items follow it
    c = parse_text("SUBJECT: TALKS\n\n" + block + " \n1.  (U)  Text here.", year=2004)
    assert [r.id for r in c.references] == [
        "04LIMA2736",
        "04LIMA4964",
        "04LIMA5178",
        "04LIMA5692",
    ]
    assert [p.number for p in c.paragraphs] == [1]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # a letter glued after a word opens an item when the item opens with its date
        (
            "A) MARCH 3 EMBASSY E-MAIL B) APRIL 2 BRIEFING MEMO C) MAY 9 CONFERENCE CALL",
            [("A", "email"), ("B", "memo"), ("C", "telcon")],
        ),
        ("A. Sept. 4 Smith email B. Oct 12 telcon", [("A", "email"), ("B", "telcon")]),
        # an initial before a word that is neither a date nor a post stays in its item
        ("A. LETTER FROM JOHN B. SMITH", [("A", "memo")]),
    ],
)
def test_glued_letter_before_a_dated_item(text, kinds):
    got = [(r.letter, r.kind) for r in parse_refs(text, 2004, Citing(year=2004))]
    assert got == kinds


@pytest.mark.parametrize(
    "text",
    [
        # item A's letter garbled or left out, B after the first item's `;`
        "Q NAIROBI 08622; B) NAIROBI 10999\n-     C) NAIROBI 10793",
        "NAIROBI 08622; B) NAIROBI 10999; C) NAIROBI 10793",
        # … or opening the next line
        "NAIROBI 08622\nB) NAIROBI 10999\nC) NAIROBI 10793",
    ],
)
def test_letters_from_b_after_an_unlettered_first_item(text):
    got = [(r.letter, r.id) for r in parse_refs(text, 1990, Citing(year=1990))]
    assert got == [("A", "90NAIROBI8622"), ("B", "90NAIROBI10999"), ("C", "90NAIROBI10793")]
