"""The transmission header rule (FORMAT.md §3): kinds, VZCZC/DE/ZNY/DTG/FM/TO/INFO/XMT.

Every header below is invented for these tests in the real layout; expected values are read off
the text. The corpus test at the end runs the rule over every dev-corpus header.
"""

from __future__ import annotations

import collections
import csv
import html
import io
import lzma
import re
import tarfile
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from cablebase.grammar import header as header_mod
from cablebase.grammar import header_routes
from cablebase.grammar.dtg import dtg_iso, expand_year, parse_dtg_line
from cablebase.grammar.header import parse_header
from cablebase.grammar.header_routes import load_route_names, route_mismatch
from cablebase.grammar.state import State
from cablebase.grammar.unwrapped import Meta
from cablebase.record import Cable, Recipient, Station

# A small routing table for the RI/name check, so the tests do not depend on ../shared.
ROUTES = {
    "RUEHC": "DEPT OF STATE WASHINGTON DC",
    "RUEHNM": "AMEMBASSY NIAMEY",
    "RUEHNK": "AMEMBASSY NOUAKCHOTT",
    "RUEHDK": "AMEMBASSY DAKAR",
    "RUEHQT": "AMEMBASSY QUINTO",  # the real table has typos like this one
    "RUEHME": "AMEMBASSY MEXICO CITY",
    "RUEHTC": "AMEMBASSY THE HAGUE",
}


@pytest.fixture(autouse=True)
def _small_route_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(header_mod, "load_route_names", lambda: ROUTES)


def parse(text: str) -> State:
    st = State(cable=Cable(), meta=Meta())
    parse_header(text.split("\n"), st)
    return st


def codes(st: State) -> list[str]:
    return [w.code for w in st.cable.warnings]


# -- ACP-127 ---------------------------------------------------------------------------------

ACP = """VZCZCXRO5521
OO RUEHDK RUEHNM RUEHNK RUEHBJ RUEHCN RUEHGH RUEHHK RUEHSH
RUEHROV RUEHSR RUEHVK
RUEHYG
DE RUEHDK #0412/01 0741422
ZNY SSSSS ZZH
O R 141422Z MAR 08
FM AMEMBASSY DAKAR
TO RUEHC/SECSTATE WASHDC IMMEDIATE 6021
INFO RUEHZK/ECOWAS COLLECTIVE IMMEDIATE
RUEHNM/AMEMBASSY NIAMEY PRIORITY 0233
RUEHNK/AMEMBASSY NOUAKCHOTT 0150
RHEHNSC/NSC WASHDC
RUCJACC/USCINCCENT MACDILL AFB FL//CCJ2/POLAD//
RHMFISS/HQ USAFRICOM STUTTGART GE//J2/J5// PRIORITY
RUEKJCS/SECDEF WASHDC//USDP:ISA/AF// IMMEDIATE 0044
RUEHC/SECSTATE WASHDC//PA
RUEAIIA/CIA WASHINGTON DC// PRIORITY"""


def test_acp127_transmission_lines() -> None:
    st = parse(ACP)
    c = st.cable
    assert c.header_kind == "acp127"
    assert c.partial is False
    assert c.transmission_id == "VZCZCXRO5521"
    # prosign line plus two continuation lines of RIs
    assert c.routing == [
        "RUEHDK",
        "RUEHNM",
        "RUEHNK",
        "RUEHBJ",
        "RUEHCN",
        "RUEHGH",
        "RUEHHK",
        "RUEHSH",
        "RUEHROV",
        "RUEHSR",
        "RUEHVK",
        "RUEHYG",
    ]
    assert c.station == Station(route="RUEHDK", serial="0412", part="01", julian="0741422")
    assert c.security == "ZNY SSSSS ZZH"
    assert st.zny_classification == "SECRET"
    assert c.dtg == "141422Z MAR 08"
    assert (c.precedence, c.info_precedence) == ("IMMEDIATE", "ROUTINE")
    assert c.created == "2008-03-14T14:22:00Z"
    assert c.created_from == "dtg"
    assert c.sender == "AMEMBASSY DAKAR"
    assert c.warnings == []


def test_acp127_recipients() -> None:
    r = parse(ACP).cable.recipients
    assert [x.role for x in r] == ["to"] + ["info"] * 9
    assert r[0] == Recipient(
        role="to", route="RUEHC", name="SECSTATE WASHDC", precedence="IMMEDIATE", serial="6021"
    )
    assert r[1] == Recipient(
        role="info",
        route="RUEHZK",
        name="ECOWAS COLLECTIVE",
        precedence="IMMEDIATE",
        collective=True,
    )
    assert (r[2].route, r[2].name, r[2].precedence, r[2].serial) == (
        "RUEHNM",
        "AMEMBASSY NIAMEY",
        "PRIORITY",
        "0233",
    )
    assert (r[3].name, r[3].precedence, r[3].serial) == ("AMEMBASSY NOUAKCHOTT", None, "0150")
    assert (r[4].route, r[4].name, r[4].office) == ("RHEHNSC", "NSC WASHDC", None)
    assert (r[5].name, r[5].office) == ("USCINCCENT MACDILL AFB FL", "CCJ2/POLAD")
    assert (r[6].name, r[6].office, r[6].precedence) == (
        "HQ USAFRICOM STUTTGART GE",
        "J2/J5",
        "PRIORITY",
    )
    assert (r[7].name, r[7].office, r[7].precedence, r[7].serial) == (
        "SECDEF WASHDC",
        "USDP:ISA/AF",
        "IMMEDIATE",
        "0044",
    )
    # unbalanced //PA
    assert (r[8].name, r[8].office) == ("SECSTATE WASHDC", "PA")
    # an empty office // before the precedence
    assert (r[9].name, r[9].office, r[9].precedence) == ("CIA WASHINGTON DC", None, "PRIORITY")
    assert not any(x.collective for x in r[2:])


def test_xyz_header_with_blank_line_and_zdk() -> None:
    st = parse(
        "VZCZCXYZ0007\n"
        "RR RUEHWEB\n"
        "\n"
        "DE RUEHLO #2213 2101505\n"
        "ZNY CCCCC ZZH ZUI ZDK RUEHZC SVC 4478\n"
        "R 291505Z JUL 09 ZDK CTG RUEHLO #2210\n"
        "FM AMEMBASSY LONDON\n"
        "TO RUEHC/SECSTATE WASHDC 4415\n"
        "INFO RUEHZL/EUROPEAN POLITICAL COLLECTIVE"
    )
    c = st.cable
    assert c.header_kind == "acp127"
    assert c.transmission_id == "VZCZCXYZ0007"
    assert c.routing == ["RUEHWEB"]
    assert c.station == Station(route="RUEHLO", serial="2213", part=None, julian="2101505")
    assert c.security == "ZNY CCCCC ZZH ZUI ZDK RUEHZC SVC 4478"  # extra signals kept
    assert st.zny_classification == "CONFIDENTIAL"
    assert c.dtg == "291505Z JUL 09"  # without the ZDK operating signal
    assert (c.precedence, c.info_precedence) == ("ROUTINE", None)
    assert c.created == "2009-07-29T15:05:00Z"
    assert [x.name for x in c.recipients] == ["SECSTATE WASHDC", "EUROPEAN POLITICAL COLLECTIVE"]
    assert c.recipients[1].collective is True
    assert c.warnings == []


@pytest.mark.parametrize(
    ("signals_line", "dtg", "prec", "info"),
    [
        ("O 031250Z JUN 03 (CCY ADX1F2A3 MSI4455-632)", "031250Z JUN 03", "IMMEDIATE", None),
        ("P 121530Z NOV 07 ZDS", "121530Z NOV 07", "PRIORITY", None),
        ("R 040920Z FEB 10 ZFD", "040920Z FEB 10", "ROUTINE", None),
        ("O P 220405Z AUG 06", "220405Z AUG 06", "IMMEDIATE", "PRIORITY"),
        ("P R 281848Z DEC 66", "281848Z DEC 66", "PRIORITY", "ROUTINE"),
        ("Z 011200Z JAN 09 ZFF4", "011200Z JAN 09", "FLASH", None),
    ],
)
def test_dtg_forms(signals_line: str, dtg: str, prec: str, info: str | None) -> None:
    c = parse(f"{signals_line}\nFM AMEMBASSY TUNIS\nTO SECSTATE WASHDC 0101").cable
    assert (c.dtg, c.precedence, c.info_precedence) == (dtg, prec, info)
    assert c.header_kind == "bare"


def test_security_letters() -> None:
    for letters, level in [
        ("CCCCC", "CONFIDENTIAL"),
        ("SSSSS", "SECRET"),
        ("UUUUU", "UNCLASSIFIED"),
        ("TTTTT", "TOP SECRET"),
        ("SSSAA", "SECRET"),
        ("EEEEE", None),  # EFTO: no level
    ]:
        st = parse(f"VZCZCXRO0001\nRR RUEHC\nDE RUEHPE #0001 0011200\nZNY {letters} ZZH")
        assert st.zny_classification == level, letters
    st = parse("VZCZCXRO0001\nRR RUEHC\nDE RUEHPE #0001 0011200\nZNR UUUUU ZZH (TAO)")
    assert st.cable.security == "ZNR UUUUU ZZH (TAO)"
    assert st.zny_classification == "UNCLASSIFIED"


def test_zen_niact_and_serial_ranges() -> None:
    c = parse(
        "VZCZCXRO0911\n"
        "OO RUEHBE\n"
        "DE RUEHC #3511/01 2691912\n"
        "ZNY SSSSS ZZH\n"
        "O 251912Z SEP 08\n"
        "FM SECSTATE WASHDC\n"
        "TO ZEN/AMEMBASSY BELMOPAN NIACT IMMEDIATE 2276-2279\n"
        "ZEN/SECDEF WASHINGTON DC IMMEDIATE\n"
        "RUEHBE/AMEMBASSY BELMOPAN IMMEDIATE 2593-2599\n"
        "XMT AMCONSUL DURBAN\n"
        "AMEMBASSY KOROR"
    ).cable
    r = c.recipients
    assert r[0] == Recipient(
        role="to",
        route="ZEN",
        name="AMEMBASSY BELMOPAN",
        precedence="NIACT IMMEDIATE",
        serial="2276-2279",
    )
    assert (r[1].route, r[1].name, r[1].precedence, r[1].serial) == (
        "ZEN",
        "SECDEF WASHINGTON DC",
        "IMMEDIATE",
        None,
    )
    assert (r[2].route, r[2].serial) == ("RUEHBE", "2593-2599")
    assert [(x.role, x.route, x.name) for x in r[3:]] == [
        ("xmt", None, "AMCONSUL DURBAN"),
        ("xmt", None, "AMEMBASSY KOROR"),
    ]


def test_route_name_mismatch_warns() -> None:
    # RUEHNM is Niamey's RI; the line names Nouakchott (as in the seed)
    st = parse(
        "VZCZCXRO4400\nOO RUEHPA\nDE RUEHBP #0800/01 3400930\nZNY CCCCC ZZH\n"
        "O 060930Z DEC 09\nFM AMEMBASSY BAMAKO\nTO RUEHC/SECSTATE WASHDC IMMEDIATE 0950\n"
        "INFO RUEHNM/AMEMBASSY NIAMEY PRIORITY 0350\n"
        "RUEHNM/AMEMBASSY NOUAKCHOTT PRIORITY 0300\n"
        "RUEHQT/AMEMBASSY QUITO\n"
        "RUEHME/AMEMBASSY  MEXICO\n"
        "RUEHTC/AMCONSUL AMSTERDAM"
    )
    mism = [w for w in st.cable.warnings if w.code == "header.route_mismatch"]
    assert len(mism) == 1
    assert "NOUAKCHOTT" in mism[0].message and "NIAMEY" in mism[0].message
    assert mism[0].where == "header:9"  # 1-based line of the header


def test_damaged_route_and_missing_to() -> None:
    st = parse(
        "P 061820Z FEB 03\nFM SECSTATE WASHDC\nEUROPEAN POLAD COLLECTIVE PRIORITY\n"
        "INFO UEHC/SECSTATE WASHDC 1675\nR\nINFO/RUEHSA/AMEMBASSY PRETORIA 1186\n"
        "TORUEHLO/AMEMBASSY LONDON 0001"
    )
    r = st.cable.recipients
    assert (r[0].role, r[0].name, r[0].precedence, r[0].collective) == (
        "to",
        "EUROPEAN POLAD COLLECTIVE",
        "PRIORITY",
        True,
    )
    assert (r[1].route, r[1].name, r[1].serial) == ("UEHC", "SECSTATE WASHDC", "1675")
    assert (r[2].role, r[2].route, r[2].name) == ("info", "RUEHSA", "AMEMBASSY PRETORIA")
    assert (r[3].role, r[3].route, r[3].serial) == ("to", "RUEHLO", "0001")
    assert len(r) == 4  # the stray "R" is not an addressee
    assert set(codes(st)) == {"header.to_missing", "header.route_malformed", "header.unparsed_line"}


# -- bare, printout, old page header -------------------------------------------------------


def test_bare_pla_only() -> None:
    c = parse(
        "R 130458Z AUG 79\n"
        "FM AMEMBASSY TEHRAN\n"
        "TO SECSTATE WASHDC 3182\n"
        "INFO AMEMBASSY KABUL\n"
        "USCINCEUR VAIHINGEN GE//ECJ2//\n"
        "JCS//J5//WASHDC\n"
        "SECSTATE WASHDC0000"
    ).cable
    assert c.header_kind == "bare"
    assert c.created == "1979-08-13T04:58:00Z"
    assert c.transmission_id is None and c.station is None and c.security is None
    r = c.recipients
    assert [(x.role, x.route, x.name, x.office, x.serial) for x in r] == [
        ("to", None, "SECSTATE WASHDC", None, "3182"),
        ("info", None, "AMEMBASSY KABUL", None, None),
        ("info", None, "USCINCEUR VAIHINGEN GE", "ECJ2", None),
        ("info", None, "JCS WASHDC", "J5", None),
        ("info", None, "SECSTATE WASHDC", None, "0000"),
    ]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # a header fragment whose top (DTG, FM) was lost: its TO and INFO blocks are addressees
        ("INFO AMCONSUL PERTH", [("info", None, "AMCONSUL PERTH", None)]),
        (
            "TO AMEMBASSY LUSAKA IMMEDIATE\nINFO RUEHHR/AMEMBASSY HARARE 0412\nRUEKJCS/SECDEF WASHDC",
            [
                ("to", None, "AMEMBASSY LUSAKA", None),
                ("info", "RUEHHR", "AMEMBASSY HARARE", "0412"),
                ("info", "RUEKJCS", "SECDEF WASHDC", None),
            ],
        ),
        ("INFO RUEHLO/AMEMBASSY LONDON 0077", [("info", "RUEHLO", "AMEMBASSY LONDON", "0077")]),
        # an empty block: the next label on its line starts the next block
        ("INFO XMT AMCONSUL CEBU", [("xmt", None, "AMCONSUL CEBU", None)]),
        (
            "FM AMEMBASSY MANILA\nTO SECSTATE WASHDC\nINFO XMT AMCONSUL CEBU\nAMCONSUL DAVAO",
            [
                ("to", None, "SECSTATE WASHDC", None),
                ("xmt", None, "AMCONSUL CEBU", None),
                ("xmt", None, "AMCONSUL DAVAO", None),
            ],
        ),
        # a printout's distribution line before FM stays office routing
        ("INFO  LOG-00   EEB-00   /000W", []),
    ],
)
def test_blocks_without_fm(text: str, want: list) -> None:
    c = parse(text).cable
    assert [(x.role, x.route, x.name, x.serial) for x in c.recipients] == want


PRINTOUT = """TED4417
ACTION NEA-00

INFO  LOG-00   EEB-00   AF-00    AID-00   CIAE-00  DODE-00  DS-00
      EUR-00   H-00     TEDE-00  INR-00   IO-00    L-00     SAS-00
        /000W
                  ------------------4C21D0  151412Z /38
P 151405Z OCT 08
FM AMEMBASSY ROME
TO SECSTATE WASHDC PRIORITY 0611
INFO AMEMBASSY TRIPOLI PRIORITY
NSC WASHDC PRIORITY
                       UNCLASSIFIED

PAGE 02        ROME   01234  151412Z
DEPT OF JUSTICE WASHDC
SECRET SERVICE WASHDC"""


def test_state_printout_distribution_codes_are_not_addressees() -> None:
    c = parse(PRINTOUT).cable
    assert c.header_kind == "printout"
    assert c.dtg == "151405Z OCT 08"
    assert c.precedence == "PRIORITY"
    assert c.sender == "AMEMBASSY ROME"
    assert [(x.role, x.name, x.precedence, x.serial) for x in c.recipients] == [
        ("to", "SECSTATE WASHDC", "PRIORITY", "0611"),
        ("info", "AMEMBASSY TRIPOLI", "PRIORITY", None),
        ("info", "NSC WASHDC", "PRIORITY", None),
        ("info", "DEPT OF JUSTICE WASHDC", None, None),  # after the page break
        ("info", "SECRET SERVICE WASHDC", None, None),  # not a classification footer
    ]
    assert all(x.route is None for x in c.recipients)
    assert c.warnings == []


def test_old_page_header() -> None:
    c = parse(
        "CONFIDENTIAL\n"
        "PAGE 01        CAPE T  00097  01 OF 03  182017Z\n"
        "ACTION AF-01\n"
        "INFO  LOG-00   ADS-00   INR-10   /011 W\n"
        "O 182012Z JAN 90\n"
        "FM AMCONSUL CAPE TOWN\n"
        "TO SECSTATE WASHDC IMMEDIATE 0412"
    ).cable
    assert c.header_kind == "printout"
    assert c.created == "1990-01-18T20:12:00Z"
    assert [x.name for x in c.recipients] == ["SECSTATE WASHDC"]


# -- placeholder, e-mail, null, none --------------------------------------------------------

PLACEHOLDER = (
    "This record is a partial extract of the original cable. "
    "The full text of the original cable is not available."
)


def test_placeholder_alone() -> None:
    c = parse(PLACEHOLDER).cable
    assert c.header_kind == "placeholder"
    assert c.partial is True
    assert c.dtg is None and c.created is None and c.recipients == []
    assert c.warnings == []


def test_placeholder_with_bare_mixed_case_dtg() -> None:
    c = parse(f"{PLACEHOLDER}\n\n201247Z Jan 04\n").cable
    assert c.header_kind == "placeholder"
    assert c.partial is True
    assert c.dtg == "201247Z Jan 04"
    assert c.precedence is None
    assert c.created == "2004-01-20T12:47:00Z"
    assert c.created_from == "dtg"


def test_placeholder_with_printed_distribution() -> None:
    c = parse(
        f"{PLACEHOLDER}\n\n071015Z Mar 01\n\n"
        "                           UNCLASSIFIED     PTQ1234\n\n"
        "PAGE 01        HARARE  01234  071020Z\n"
        "ACTION AF-00\n\n"
        "INFO  LOG-00   NP-00    AID-00     /000W\n"
        "                  ------------------1B2C3D  071021Z /38\n"
        "FM AMEMBASSY HARARE\n"
        "TO SECSTATE WASHDC 5512\n"
        "INFO SOUTHERN AFRICAN DEVELOPMENT COMMUNITY"
    ).cable
    assert c.header_kind == "placeholder"
    assert c.partial is True
    assert c.created == "2001-03-07T10:15:00Z"
    assert c.sender == "AMEMBASSY HARARE"
    assert [(x.role, x.name) for x in c.recipients] == [
        ("to", "SECSTATE WASHDC"),
        ("info", "SOUTHERN AFRICAN DEVELOPMENT COMMUNITY"),
    ]


EMAIL = """null
Jane Q Sample  04/12/2007 03:14:15 PM  From  DB/Inbox:  Search Results

Cable
Text:


C O N F I D E N T I A L        MUSCAT 00417

SIPDIS
CXMUSCAT:
    ACTION: POL
    INFO:   AMB DCM ECON

DISSEMINATION: POL
CHARGE: PROG

APPROVED: AMB:XYZ
DRAFTED: POL:ABC

VZCZCMUI417
PP RUEHC RUEHZM
DE RUEHMS #0417/01 0921130
ZNY CCCCC ZZH
P 021130Z APR 07
FM AMEMBASSY MUSCAT
TO RUEHC/SECSTATE WASHDC PRIORITY 8001
INFO RUEHZM/GCC COLLECTIVE"""


def test_email_export_with_null_line() -> None:
    st = parse(EMAIL)
    c = st.cable
    assert c.header_kind == "email"
    assert c.transmission_id == "VZCZCMUI417"
    assert c.routing == ["RUEHC", "RUEHZM"]
    assert c.station == Station(route="RUEHMS", serial="0417", part="01", julian="0921130")
    assert c.created == "2007-04-02T11:30:00Z"
    # the CX block's ACTION/INFO lines are office routing, not addressees
    assert [(x.role, x.name) for x in c.recipients] == [
        ("to", "SECSTATE WASHDC"),
        ("info", "GCC COLLECTIVE"),
    ]


def test_outlook_export() -> None:
    c = parse(
        "From: CBPC, EACTAPP\nSent: Monday, May 04, 2009 3:05 PM\nTo: EACTSomewhere\n"
        "Subject: SOMEWHERE 00000123 R UN 04-MAY-09 A SUBJECT\n\nUNCLAS\n\n"
        "VZCZCXRO0100\nRR RUEHXX\nDE RUEHXX #0123 1241400\nZNR UUUUU ZZH\n"
        "R 041400Z MAY 09\nFM AMEMBASSY SOMEWHERE\nTO RUEHC/SECSTATE WASHDC 0777"
    ).cable
    assert c.header_kind == "email"
    assert c.sender == "AMEMBASSY SOMEWHERE"
    assert [x.name for x in c.recipients] == ["SECSTATE WASHDC"]


@pytest.mark.parametrize("text", ["", "\n\n", "null", "   \n null \n"])
def test_no_header(text: str) -> None:
    st = parse(text)
    assert st.cable.header_kind == "none"
    assert st.cable.warnings == []


def test_garbage_lines() -> None:
    st = parse("lorem ipsum\n%%%% ////\n1234567\nZNX\nDE\nFM\nTO")
    assert st.cable.header_kind == "none"
    assert codes(st) == ["header.unrecognised"]


def test_impossible_dtg() -> None:
    st = parse("O 301200Z FEB 09\nFM AMEMBASSY OSLO\nTO SECSTATE WASHDC 0001")
    c = st.cable
    assert c.dtg == "301200Z FEB 09"
    assert c.created is None and c.created_from is None
    assert "header.dtg_invalid" in codes(st)


def test_dtg_does_not_override_on_bad_date_but_does_on_good() -> None:
    st = State(cable=Cable(created="2009-02-28T12:00:00Z", created_from="meta"), meta=Meta())
    parse_header(["O 301200Z FEB 09"], st)
    assert (st.cable.created, st.cable.created_from) == ("2009-02-28T12:00:00Z", "meta")
    parse_header(["O 281259Z FEB 09"], st)
    assert (st.cable.created, st.cable.created_from) == ("2009-02-28T12:59:00Z", "dtg")


def test_no_duplicate_of_crosscheck_warnings() -> None:
    # prosign vs DTG precedence and DE day vs DTG are crosscheck.py's; the header stays quiet
    st = parse(
        "VZCZCXRO0001\nPP RUEHC\nDE RUEHPE #0001/01 2001200\nZNY CCCCC ZZH\n"
        "O 011200Z JAN 09\nFM AMEMBASSY LIMA\nTO RUEHC/SECSTATE WASHDC 0001"
    )
    assert codes(st) == []


def test_digit_zero_precedence_and_markdown_breaks() -> None:
    st = parse("0 241208Z OCT 79  \nFM AMEMBASSY TEHRAN  \nTO RUEHC/SECSTATE WASHDC IMMEDIATE 4442")
    c = st.cable
    assert c.precedence == "IMMEDIATE"
    assert c.sender == "AMEMBASSY TEHRAN"
    assert c.recipients[0].serial == "4442"
    assert codes(st) == ["header.dtg_precedence_typo"]


def test_second_transmission_is_not_read_as_addressees() -> None:
    st = parse(
        "R 010101Z JAN 05\nFM AMEMBASSY A\nTO SECSTATE WASHDC 0001\n"
        "VZCZCXRO0002\nRR RUEHC\nDE RUEHXX #0002 0010202"
    )
    assert [x.name for x in st.cable.recipients] == ["SECSTATE WASHDC"]
    assert "header.repeated" in codes(st)


@settings(max_examples=200, deadline=None)
@given(hst.lists(hst.text(max_size=80), max_size=30))
def test_never_raises(lines: list[str]) -> None:
    st = State(cable=Cable(), meta=Meta())
    parse_header(lines, st)
    assert st.cable.header_kind in {"acp127", "bare", "printout", "placeholder", "email", "none"}


@settings(max_examples=200, deadline=None)
@given(hst.integers(0, 60), hst.integers(0, len(ACP)))
def test_never_raises_on_damaged_headers(cut: int, at: int) -> None:
    text = ACP[:at] + ACP[at + cut :]
    st = parse(text)
    assert st.cable.header_kind in KINDS


# -- DTG helpers -------------------------------------------------------------------------------


def test_year_pivot() -> None:
    assert [expand_year(y) for y in ("49", "50", "66", "99", "00", "09", "1979")] == [
        2049,
        1950,
        1966,
        1999,
        2000,
        2009,
        1979,
    ]


def test_dtg_iso_validation() -> None:
    assert dtg_iso("29", "23", "59", "FEB", "08") == "2008-02-29T23:59:00Z"
    assert dtg_iso("29", "12", "00", "FEB", "09") is None
    assert dtg_iso("31", "12", "00", "APR", "09") is None
    assert dtg_iso("01", "24", "00", "MAY", "09") is None
    assert dtg_iso("01", "12", "60", "MAY", "09") is None
    assert dtg_iso("00", "12", "00", "MAY", "09") is None
    assert dtg_iso("01", "12", "00", "XYZ", "09") is None


def test_parse_dtg_line_rejects_non_dtgs() -> None:
    for line in (
        "------------------EE9C66  240653Z /38",
        "PAGE 01 CAPE T 00097 01 OF 03 182017Z",
        "O 011639Z FOO 09",
        "SUBJECT: 011639Z DEC 09",
    ):
        assert parse_dtg_line(line) is None, line
    d = parse_dtg_line("O R 011639Z DEC 09 ZDK CTG RUEHDO #3763")
    assert d is not None
    assert (d.text, d.precedence, d.info_precedence, d.signals, d.iso) == (
        "011639Z DEC 09",
        "O",
        "R",
        "ZDK CTG RUEHDO #3763",
        "2009-12-01T16:39:00Z",
    )


# -- route table -----------------------------------------------------------------------------


def test_route_mismatch_rules() -> None:
    assert route_mismatch("RUEHNM", "AMEMBASSY NOUAKCHOTT", ROUTES) == "AMEMBASSY NIAMEY"
    assert route_mismatch("RUEHNM", "AMEMBASSY  NIAMEY", ROUTES) is None  # spaces normalised
    assert route_mismatch("RUEHNM", "amembassy niamey", ROUTES) is None
    assert route_mismatch("RUEHQT", "AMEMBASSY QUITO", ROUTES) is None  # typo in the table
    assert route_mismatch("RUEHME", "AMEMBASSY MEXICO", ROUTES) is None  # MEXICO / MEXICO CITY
    assert route_mismatch("RUEHC", "SECSTATE WASHDC", ROUTES) is None  # not a post name
    assert route_mismatch("RUEHXX", "AMEMBASSY ANYWHERE", ROUTES) is None  # unknown RI
    assert route_mismatch("RUEHTC", "AMCONSUL AMSTERDAM", ROUTES) is None  # via its embassy
    assert route_mismatch("RUEHDK", "AMEMBASSY BANJUL", ROUTES) == "AMEMBASSY DAKAR"


def test_load_route_names_absent(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("CABLEBASE_ROUTE2NAME", str(tmp_path / "missing.csv"))
    load_route_names.cache_clear()
    try:
        assert load_route_names() == {}
    finally:
        load_route_names.cache_clear()


def test_load_route_names_file(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    path = tmp_path / "r2n.csv"
    path.write_text('RUEHAA,AMEMBASSY  ALPHA\nRUEHAA,SECOND WINS NOT\nRUEHBB\nRXX,"A, B"\n')
    monkeypatch.setenv("CABLEBASE_ROUTE2NAME", str(path))
    load_route_names.cache_clear()
    try:
        assert load_route_names() == {"RUEHAA": "AMEMBASSY ALPHA", "RXX": "A, B"}
    finally:
        load_route_names.cache_clear()


def test_shared_route_table_seed_case(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import SHARED, need

    need(SHARED / "reference" / "route2name.csv")
    monkeypatch.delenv("CABLEBASE_ROUTE2NAME", raising=False)
    header_routes.load_route_names.cache_clear()
    table = header_routes.load_route_names()
    assert table["RUEHNM"] == "AMEMBASSY NIAMEY"
    assert table["RUEHBP"] == "AMEMBASSY BAMAKO"
    assert route_mismatch("RUEHNM", "AMEMBASSY NOUAKCHOTT", table) == "AMEMBASSY NIAMEY"


def test_seed_header(seed_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(header_mod, "load_route_names", header_routes.load_route_names)
    text = seed_path.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(text) if line.strip())
    end = next(i for i in range(start, len(text)) if not text[i].strip())
    st = State(cable=Cable(), meta=Meta())
    parse_header(text[start:end], st)
    c = st.cable
    assert c.transmission_id == "VZCZCXRO4337"
    assert c.created == "2009-12-01T16:39:00Z"
    assert c.recipients[0].name == "SECSTATE WASHDC"
    assert len([x for x in c.recipients if x.role == "info"]) == 10
    mism = [w for w in c.warnings if w.code == "header.route_mismatch"]
    assert len(mism) == 1 and "NOUAKCHOTT" in mism[0].message


# -- corpus ---------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_PRE = re.compile(r"<pre>(.*?)</pre>", re.S)
_CREATED = re.compile(r"href='/date/[^']*'>(\d{4}-\d\d-\d\d)")
KINDS = {"acp127", "bare", "printout", "placeholder", "email", "none"}


def _html_headers(path):
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".html"):
                continue
            page = tf.extractfile(m).read().decode("utf-8", "replace")
            pres = _PRE.findall(page)
            text = html.unescape(_TAG.sub("", pres[0])) if pres else ""
            created = _CREATED.search(page)
            yield m.name, [x.rstrip() for x in text.split("\n")], created and created.group(1)


def _csv_headers(path):
    csv.field_size_limit(1 << 30)
    with lzma.open(path, "rb") as raw:
        f = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
        for row in csv.reader(f, quotechar='"', escapechar="\\"):
            if len(row) >= 8:
                yield row[2], [x.rstrip() for x in row[6].split("\n")]


def _run(headers: list[list[str]]) -> tuple[list[State], float]:
    states = []
    t0 = time.perf_counter()
    for lines in headers:
        st = State(cable=Cable(), meta=Meta())
        parse_header(lines, st)
        states.append(st)
    return states, time.perf_counter() - t0


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_html_headers(html_tar, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(header_mod, "load_route_names", header_routes.load_route_names)
    pages = list(_html_headers(html_tar))
    states, secs = _run([p[1] for p in pages])
    kinds = collections.Counter(st.cable.header_kind for st in states)
    n = len(states)
    print(f"\nHTML headers: {n} in {secs:.2f}s = {n / secs:,.0f} headers/s; kinds {dict(kinds)}")
    assert n > 5000
    assert set(kinds) <= KINDS
    assert not any(w.code == "parser.internal_error" for st in states for w in st.cable.warnings)
    # FORMAT.md §3.1: ACP-127 dominant (1120/1295), then placeholders, bare, printouts, e-mail
    assert kinds["acp127"] / n > 0.80
    assert 0.04 < kinds["placeholder"] / n < 0.15
    assert kinds["bare"] > 50 and kinds["printout"] > 10 and kinds["email"] >= 2
    assert kinds["none"] == 0
    # every ACP-127 header yields its transmission lines and addressees
    acp = [st.cable for st in states if st.cable.header_kind == "acp127"]
    assert all(c.transmission_id and c.station and c.security and c.dtg for c in acp)
    assert sum(1 for c in acp if c.sender and c.recipients) / len(acp) > 0.995
    # DTG date = metadata created date (FORMAT.md §5: 1213/1213)
    pairs = [
        (st.cable.created, p[2])
        for st, p in zip(states, pages, strict=True)
        if st.cable.created and p[2]
    ]
    agree = sum(1 for created, meta in pairs if created[:10] == meta)
    assert agree / len(pairs) > 0.99
    # the warnings stay rare on real headers
    warned = sum(1 for st in states if st.cable.warnings)
    assert warned / n < 0.01
    assert n / secs > 2000  # loose: shared CI machines are noisy


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_csv_headers(cables_csv, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(header_mod, "load_route_names", header_routes.load_route_names)
    rows = list(_csv_headers(cables_csv))
    states, secs = _run([r[1] for r in rows])
    kinds = collections.Counter(st.cable.header_kind for st in states)
    n = len(states)
    print(f"\ncsv headers: {n} in {secs:.2f}s = {n / secs:,.0f} headers/s; kinds {dict(kinds)}")
    assert n > 10000
    assert set(kinds) <= KINDS
    # the dev csv sample is mostly older cables: partial extracts, then bare DTG/FM/TO headers
    assert kinds["placeholder"] > kinds["bare"] > kinds["printout"] > 0
    with_dtg = [st.cable for st in states if st.cable.header_kind in ("bare", "printout", "acp127")]
    assert sum(1 for c in with_dtg if c.created) / len(with_dtg) > 0.99
    assert n / secs > 2000  # loose: shared CI machines are noisy


def test_later_page_fragment_without_fm_gives_info_addressees() -> None:
    st = parse(
        "This record is a partial extract of the original cable. The full text of the original"
        " cable is not available.\n\n131455Z Mar 92\n\n                       UNCLASSIFIED\n\n"
        "PAGE 02        ZENDA  00395  01 OF 03  131455Z\nAMEMBASSY ROME\nAMEMBASSY THE HAGUE\n"
        "USMISSION USNATO 1538\nWHITE HOUSE WASHDC 0229"
    )
    c = st.cable
    assert c.sender is None
    assert [(r.role, r.name, r.serial) for r in c.recipients] == [
        ("info", "AMEMBASSY ROME", None),
        ("info", "AMEMBASSY THE HAGUE", None),
        ("info", "USMISSION USNATO", "1538"),
        ("info", "WHITE HOUSE WASHDC", "0229"),
    ]


def test_first_page_header_does_not_start_addressees() -> None:
    st = parse(
        "PAGE 01        ZENDA  03009  01 OF 06  151359Z\nACTION EUR-01\n\n"
        "INFO  LOG-00   ADS-00\n        /053W\n"
        "R 151359Z MAR 91\nFM AMEMBASSY ZENDA\nTO SECSTATE WASHDC 4243\nINFO AMEMBASSY BONN"
    )
    c = st.cable
    assert c.dtg == "151359Z MAR 91"
    assert [(r.role, r.name) for r in c.recipients] == [
        ("to", "SECSTATE WASHDC"),
        ("info", "AMEMBASSY BONN"),
    ]


def test_bom_read_as_latin1_before_the_dtg() -> None:
    st = parse("\u00ef\u00bb\u00bfR 231726Z JUN 04\nFM SECSTATE WASHDC\nTO AMEMBASSY ZENDA")
    assert st.cable.dtg == "231726Z JUN 04"
    assert st.cable.sender == "SECSTATE WASHDC"


@pytest.mark.parametrize(
    "text",
    [
        # the DTG on the printout's page header line
        "PAGE 01 ZENDA 06823 171702Z R 171600Z MAY 74\nFM AMEMBASSY ZENDA\n"
        "TO SECSTATE WASHDC 5842\nINFO AMEMBASSY PARIS",
        # DTG, FM, TO and INFO flattened onto one line
        "PAGE 01 ZENDA 06823 171702Z\n"
        "R 171600Z MAY 74 FM AMEMBASSY ZENDA TO SECSTATE WASHDC 5842 INFO AMEMBASSY PARIS",
    ],
)
def test_dtg_inside_a_page_one_printout_header(text: str) -> None:
    c = parse(text).cable
    assert c.header_kind == "printout"
    assert c.dtg == "171600Z MAY 74"
    assert c.precedence == "ROUTINE"
    assert c.sender == "AMEMBASSY ZENDA"
    assert [(r.role, r.name, r.serial) for r in c.recipients] == [
        ("to", "SECSTATE WASHDC", "5842"),
        ("info", "AMEMBASSY PARIS", None),
    ]
