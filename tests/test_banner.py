"""Banner (FORMAT.md §4.1) and preface (§4.0) rules, on invented lines in the real format."""

from __future__ import annotations

import pytest

from cablebase import parse_text
from cablebase.grammar import banner, preface
from cablebase.grammar.state import State
from cablebase.grammar.unwrapped import Meta
from cablebase.record import Cable, Sections


def _st() -> State:
    return State(cable=Cable(), meta=Meta())


@pytest.mark.parametrize(
    ("line", "level", "post", "serial", "sections"),
    [
        ("S E C R E T SECTION 01 OF 03 BAMAKO 000776", "SECRET", "BAMAKO", "000776", (1, 3)),
        ("C O N F I D E N T I A L ABU DHABI 000123", "CONFIDENTIAL", "ABU DHABI", "000123", None),
        ("UNCLAS PORT AU PRINCE 001002", "UNCLASSIFIED", "PORT AU PRINCE", "001002", None),
        ("UNCLASSIFIED TEHRAN 08980", "UNCLASSIFIED", "TEHRAN", "08980", None),
        ("CONFIDENTIAL LA PAZ 003262", "CONFIDENTIAL", "LA PAZ", "003262", None),
        ("SECRET SECTION 01 of 05 ROME 000097", "SECRET", "ROME", "000097", (1, 5)),
        ("SECRET SECTION 1 OF 2 TEL AVIV 000145", "SECRET", "TEL AVIV", "000145", (1, 2)),
        ("SS E C R E T SECTION 01 OF 02 PARIS 001699", "SECRET", "PARIS", "001699", (1, 2)),
        ("CSE C R E T MOSCOW 000512", "SECRET", "MOSCOW", "000512", None),
        ("E C R E T KABUL 000001", "SECRET", "KABUL", "000001", None),
        ("SE C R E T STATE 068250", "SECRET", "STATE", "068250", None),
        ("UUNCLAS MANAGUA 001002", "UNCLASSIFIED", "MANAGUA", "001002", None),
        ("CC O N F I D E N T I A L MADRID 000779", "CONFIDENTIAL", "MADRID", "000779", None),
        ("C C O N F I D E N T I A L MADRID 000779", "CONFIDENTIAL", "MADRID", "000779", None),
        ("CO N F I D E N T I A L LIMA 000010", "CONFIDENTIAL", "LIMA", "000010", None),
        ("C ONFIDENTIAL QUITO 000020", "CONFIDENTIAL", "QUITO", "000020", None),
        ("O N F I D E N T I A L SANAA 000030", "CONFIDENTIAL", "SANAA", "000030", None),
        ("S e c r e t ankara 000040", "SECRET", "ANKARA", "000040", None),
        (
            "C o n f i d e n t i a l section 01 of 02 khartoum 000881",
            "CONFIDENTIAL",
            "KHARTOUM",
            "000881",
            (1, 2),
        ),
        ("TOP SECRET STATE 000050", "TOP SECRET", "STATE", "000050", None),
        ('"S E C R E T SECTION 01 OF 02 TEL AVIV 000145', "SECRET", "TEL AVIV", "000145", (1, 2)),
        ("T O P S E C R E T STATE 000051", "TOP SECRET", "STATE", "000051", None),
        ("UNCLAS SIFIED ZENDA 000052", "UNCLASSIFIED", "ZENDA", "000052", None),
        ("> [UNCLAS ZENDA 000053", "UNCLASSIFIED", "ZENDA", "000053", None),
    ],
)
def test_banner_variants(line, level, post, serial, sections):
    st = _st()
    assert banner.parse_banner(line, st) == ""
    assert st.banner_classification == level
    assert st.cable.post == post
    assert st.banner_serial == serial
    if sections is None:
        assert st.cable.sections is None
    else:
        assert st.cable.sections == Sections(number=sections[0], total=sections[1])


def test_joined_banner_returns_leftover():
    st = _st()
    assert banner.parse_banner("S E C R E T BOGOTA 000243 SIPDIS NOFORN", st) == "SIPDIS NOFORN"
    assert st.cable.post == "BOGOTA"
    assert st.banner_serial == "000243"


def test_glued_serial_leftover():
    st = _st()
    left = banner.parse_banner("S E C R E T TEL AVIV 000687SIPDISE.O. 12958: DECL: 1/2/2016", st)
    assert st.cable.post == "TEL AVIV"
    assert left == "SIPDISE.O. 12958: DECL: 1/2/2016"


def test_redacted_post_kept_as_written():
    st = _st()
    assert banner.parse_banner("C O N F I D E N T I A L XXXXXXXXXXXX 000004", st) == ""
    assert st.cable.post == "XXXXXXXXXXXX"


@pytest.mark.parametrize(
    "line",
    [
        "SIPDIS",
        "CONFIDENTIAL",
        "SECRET//NOFORN",
        "E.O. 12958: DECL: 11/30/2019",
        "SUBJECT: SECRET TALKS WITH THE OPPOSITION",
        "Seven people met 100 officials",
        "",
        "C O N F I D E N T I A L",
        "A CONFIDENTIAL READOUT 123",
        "SECRETARY RICE MET 100 OFFICIALS",
        "CONFIDENTIALSECTION 01 OF 02 ZENDA 000001",
    ],
)
def test_not_a_banner(line):
    st = _st()
    assert banner.parse_banner(line, st) is None
    assert st.banner_classification is None


# -- preface ----------------------------------------------------------------------------


def test_banner_first_line():
    st = _st()
    lines = ["C O N F I D E N T I A L SECTION 01 OF 02 OSLO 000111", "", "SIPDIS"]
    assert preface.find_banner(lines, st) == 0
    assert st.cable.warnings == []


def test_weekday_preface():
    st = _st()
    lines = ["Wednesday, 29 November 2000, 13:59", "S E C R E T HARARE 006000", "SIPDIS"]
    assert preface.find_banner(lines, st) == 1
    assert st.weekday_time == "2000-11-29T13:59"
    assert not any(w.code == "banner.missing" for w in st.cable.warnings)


def test_csv_row_dump_preface():
    st = _st()
    lines = [
        ">",
        "12/16/2009 14:15",
        "09NAIROBI2400",
        "Embassy Nairobi",
        "CONFIDENTIAL",
        "09NAIROBI2300|09STATE120000",
        "VZCZCXRO1234",
        "OO RUEHDE",
        "DE RUEHNR #2400/01 3501415",
        "ZNY CCCCC ZZH",
        "O 161415Z DEC 09",
        "FM AMEMBASSY NAIROBI",
        "TO RUEHC/SECSTATE WASHDC IMMEDIATE 1234",
        "TAGS: PGOV KE",
        "SUBJECT: KENYA: A MADE-UP SUBJECT",
        "REF: NAIROBI 2300",
        "C O N F I D E N T I A L SECTION 01 OF 02 NAIROBI 002400",
        "",
        "SIPDIS",
    ]
    assert preface.find_banner(lines, st) == 16
    assert any(w.code == "preface.dump" for w in st.cable.warnings)


def test_key_value_dump_preface():
    st = _st()
    lines = [
        "ID: 190000",
        "ORIGIN: Embassy Beijing",
        "DATE: 2009-02-05 16:36:00",
        "SOURCE: XXXXXXXXXXXX",
        "CLASSIFICATION: CONFIDENTIAL",
        "MISC:",
        "DESTINATION: VZCZCXRO3981RUEHDE RUEHDIRRUEHKU #0110/01",
        "",
        "C O N F I D E N T I A L BEIJING 000110",
    ]
    assert preface.find_banner(lines, st) == 8
    assert any(w.code == "preface.dump" for w in st.cable.warnings)


def test_glued_cable_dated_prefix_is_cut():
    st = _st()
    lines = ["Cable dated:2005-11-29T14:19:00C O N F I D E N T I A L CAIRO 008000SIPDIS", "x"]
    assert preface.find_banner(lines, st) == 0
    assert lines[0].startswith("C O N F I D E N T I A L CAIRO 008000")
    assert any(w.code == "preface.dump" for w in st.cable.warnings)


def test_editorial_note_preface():
    st = _st()
    lines = ["NOTE - DO NOT PUBLISH - AWAITING LEGAL REVIEW", "", "UNCLAS STATE 000093"]
    assert preface.find_banner(lines, st) == 2
    assert [w.code for w in st.cable.warnings] == ["preface.note"]


def test_missing_banner_starts_at_sipdis():
    st = _st()
    lines = [
        "",
        "SIPDIS",
        "",
        "E.O. 12958: DECL: 12/01/2017",
        "TAGS: PGOV BL",
        "SUBJECT: BOLIVIA: AN INVENTED SUBJECT",
        "",
        "1. (C) Text.",
        "S E C R E T LA PAZ 003262",
    ]
    assert preface.find_banner(lines, st) == 1
    assert any(w.code == "banner.missing" for w in st.cable.warnings)
    # The bounded scan never takes the banner-like line after the first paragraph.
    assert st.banner_classification is None


def test_missing_banner_starts_at_eo():
    st = _st()
    lines = ["Friday, 04 February 2005, 16:06", "E.O. 12958: DECL: 02/03/2015", "TAGS: PREL"]
    assert preface.find_banner(lines, st) == 1
    assert st.weekday_time == "2005-02-04T16:06"
    assert any(w.code == "banner.missing" for w in st.cable.warnings)


def test_empty_body():
    st = _st()
    assert preface.find_banner([], st) == 0


@pytest.mark.parametrize(
    ("line", "post", "sections", "handling"),
    [
        ("LIMITED OFFICIAL USE ZENDA 01196", "ZENDA", None, []),
        ("LIMITED OFFICIAL USE SECTION 01 OF 02 ZENDA 01196", "ZENDA", (1, 2), []),
        ("L I M I T E D  O F F I C I A L  U S E ZENDA 001196", "ZENDA", None, []),
        ("LOU ZENDA 01196", "ZENDA", None, []),
        ("LIMITED OFFICIAL USE//NOFORN ZENDA 01196", "ZENDA", None, ["NOFORN"]),
    ],
)
def test_limited_official_use_is_a_marking_of_its_own(line, post, sections, handling):
    st = _st()
    assert banner.parse_banner(line, st) == ""
    assert st.banner_classification == "LIMITED OFFICIAL USE"
    assert st.cable.post == post and st.banner_serial.endswith("1196")
    got = st.cable.sections
    assert ((got.number, got.total) if got else None) == sections
    assert st.cable.handling == handling
    assert banner.looks_like_banner(line)


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("SECRET//NOFORN ZENDA 01196", "SECRET"),
        ("S E C R E T //NOFORN SECTION 01 OF 02 ZENDA 001196", "SECRET"),
        ("CONFIDENTIAL//NOFORN ZENDA 01196", "CONFIDENTIAL"),
        ("CONFIDENTIAL / NOFORN ZENDA 01196", "CONFIDENTIAL"),
    ],
)
def test_noforn_caveat_on_the_banner(line, level):
    st = _st()
    assert banner.parse_banner(line, st) == ""
    assert st.banner_classification == level
    assert st.cable.post == "ZENDA" and st.banner_serial.endswith("1196")
    assert st.cable.handling == ["NOFORN"]


def test_class_cell_of_a_dump_before_the_transmission_id_is_no_banner():
    # a tab-separated page dump: the class cell, then the header's first line
    assert not banner.looks_like_banner("SECRET//NOFORN\t\tVZCZCXRO9303")
    assert banner.parse_banner("CONFIDENTIAL\tVZCZCXRO9303", _st()) is None


def test_limited_official_use_record_through_pipeline():
    from cablebase.parse import parse_text

    c = parse_text(
        "LIMITED OFFICIAL USE ZENDA 01196\n\nE.O. 11652: N/A\nTAGS: PFOR\nSUBJECT: A TEST\n\n"
        "1. TEXT.\n",
        form="text",
    )
    assert c.classification == "LIMITED OFFICIAL USE"
    assert c.subject == "A TEST"


# -- an e-mail export's subject ----------------------------------------------------------------


def test_mail_subject_wrapped_with_its_number():
    lines = [
        "From: CBPC, EACTAPP",
        "Sent: Monday, March 02, 2009 10:15 AM",
        "To: EACTZenda",
        "Subject: ZENDA 00000071 P CO 02-MAR-09 RIVER TOLLS RISE? ZENDAN",
        "FERRY OPERATORS PROTEST [8123456]",
        "",
        "CONFIDENTIAL",
    ]
    assert preface.mail_subject(lines) == "RIVER TOLLS RISE? ZENDAN FERRY OPERATORS PROTEST"


@pytest.mark.parametrize(
    "line",
    [
        "Subject: river tolls rise",  # an ordinary SUBJECT line: the preamble reads it
        "Subject: ZENDA 71 P CO 02-MAR-09 TOLLS",  # no eight-digit serial: no export
    ],
)
def test_no_mail_subject(line):
    assert preface.mail_subject(["From: CBPC", line, ""]) is None


def test_page_without_subject_line_takes_the_mail_subject():
    text = (
        "From: CBPC, EACTAPP\nSent: Monday, March 02, 2009 10:15 AM\nTo: EACTZenda\n"
        "Subject: ZENDA 00000071 P CO 02-MAR-09 RIVER TOLLS RISE? ZENDAN\n"
        "FERRY OPERATORS PROTEST [8123456]\n\n"
        "C O N F I D E N T I A L ZENDA 000071\n\nSIPDIS\n\nE.O. 12958: DECL: 03/02/2019\n"
        "TAGS: ECON ZE\n\nCLASSIFIED BY: Ann Smith, Ambassador. REASON: 1.4 (b)\n\n"
        "1. (C) Ferry operators protest the new tolls.\n\nSMITH\n"
    )
    c = parse_text(text)
    assert c.subject == "RIVER TOLLS RISE? ZENDAN FERRY OPERATORS PROTEST"
    with_line = text.replace("TAGS: ECON ZE\n", "TAGS: ECON ZE\nSUBJECT: FERRY TOLLS\n")
    assert parse_text(with_line).subject == "FERRY TOLLS"  # the cable's own line first


@pytest.mark.parametrize(
    ("line", "post", "sections"),
    [
        ("UNCLAS E F T O SECTION 01 OF 07 ZENDA 000654", "ZENDA", (1, 7)),
        ("UNCLAS EFTO ZENDA 002468", "ZENDA", None),
        ("C O N F I D E N T I A L E F T O PORT AU PRINCE 000012", "PORT AU PRINCE", None),
    ],
)
def test_efto_caveat_after_the_class_word(line, post, sections):
    """EFTO (encrypt for transmission only) is a caveat of the marking, not part of the post."""
    st = _st()
    assert banner.parse_banner(line, st) == ""
    assert st.cable.post == post
    assert st.cable.handling == ["EFTO"]
    got = (st.cable.sections.number, st.cable.sections.total) if st.cable.sections else None
    assert got == sections
    assert banner.looks_like_banner(line)


def test_a_post_starting_with_efto_letters_is_kept():
    st = _st()
    assert banner.parse_banner("UNCLAS EFTOVILLE 000001", st) == ""
    assert st.cable.post == "EFTOVILLE" and st.cable.handling == []


@pytest.mark.parametrize(
    ("text", "container", "handling"),
    [
        # a caption line below an UNCLAS banner, the container's class kept
        (
            "UNCLAS ZENDA 0097\n\nLIMITED OFFICIAL USE\n\nE.O. 12356: N/A\n",
            None,
            ["LIMITED OFFICIAL USE"],
        ),
        ("UNCLAS ZENDA 0097\n\nLOU\n\nE.O. 12356: N/A\n", None, ["LIMITED OFFICIAL USE"]),
        # the banner's own class, the container saying UNCLASSIFIED
        (
            "LIMITED OFFICIAL USE ZENDA 02038\n\nE.O. 12356: N/A\n",
            "UNCLASSIFIED",
            ["LIMITED OFFICIAL USE"],
        ),
        # the released class, then the original marking, on the banner
        (
            "UNCLASSIFIED LIMITED OFFICIAL USE SECTION 01 OF 02 ZENDA  02263\n\nE.O. 12356: N/A\n",
            "UNCLASSIFIED",
            ["LIMITED OFFICIAL USE"],
        ),
        # the class itself: no handling word
        ("LIMITED OFFICIAL USE ZENDA 02038\n\nE.O. 12356: N/A\n", None, []),
    ],
)
def test_limited_official_use_kept_beside_the_container_class(text, container, handling):
    from cablebase.parse import parse_text

    body = text + "TAGS: PFOR\nSUBJECT: A TEST\n\n1. TEXT.\n"
    if container is not None:
        # a cables.csv row: the container's class column
        row = f'"1","1/2/1992 10:00","92ZENDA2038","Embassy Zenda","{container}","",""," {body}"\n'
        c = parse_text(row, form="csv")
    else:
        c = parse_text(body, form="text")
    assert c.handling == handling
    if container is None and not handling:
        assert c.classification == "LIMITED OFFICIAL USE"
    if container is not None:
        assert c.classification == container
