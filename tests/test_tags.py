"""TAGS values: labels, codes, free tags, the publisher's expansions (grammar/tags.py).

Every value here is written for the test, in the shapes real TAGS lines take."""

from __future__ import annotations

import pytest

from cablebase import parse_text
from cablebase.grammar.tags import is_code, parse_tags, read_tags


def _telegram(tags_line: str, *, between: str = "") -> str:
    return (
        "UNCLAS ZENDA 000123\n\nSIPDIS\n\nE.O. 12958: N/A\n"
        f"{tags_line}\n{between}SUBJECT: ZENDA: A TEST OF THE TAGS LINE\n\n"
        "1. (U) The embassy reports on a test.\n\nSMITH\n"
    )


@pytest.mark.parametrize(
    "label",
    ["TAGS:", "TAGS;", "TAS:", "TABS:", "TGS:", "TAGES:", "TAG"]  # misspellings seen
    # slips no list names, another separator, a split word, lower case, no label at all
    + ["TAFS:", "TAGA:", "TAGS.", "TAGS -", "TA GS:", "Tags:", "tags;", ""],
)
def test_tags_line_under_eo_with_any_label(label):
    c = parse_text(_telegram(f"{label} PGOV, PREL, ZE"), form="telegram")
    assert c.tags == ["PGOV", "PREL", "ZE"]
    assert c.subject == "ZENDA: A TEST OF THE TAGS LINE"


@pytest.mark.parametrize(
    "line",
    [
        "ZENDA FOR AID",  # a passing line: words, not codes
        "TREASURY FOR OASIA",
        "PE ZE",  # two-letter words alone make no TAGS line
        "REF: STATE 1234",
    ],
)
def test_line_under_eo_that_is_no_tags_line(line):
    c = parse_text(_telegram(f"{line}\nTAGS: PREL ZE"), form="telegram")
    assert c.tags == ["PREL", "ZE"]


def test_codes_on_a_passing_line_give_way_to_the_tags_line_below():
    # a line of codes under E.O. is the TAGS line only when no labelled one follows
    c = parse_text(_telegram("ECON ZE\nTAGS: PREL ZE"), form="telegram")
    assert c.tags == ["PREL", "ZE"]


def test_lower_case_tags_line_without_label():
    text = _telegram("prel, pgov, ze").replace("SUBJECT:", "subject:")
    assert parse_text(text, form="telegram").tags == ["PREL", "PGOV", "ZE"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("- PREL PGOV ZE", ["PREL", "PGOV", "ZE"]),  # `TAGS: - PREL …`
        ("-- PREL, PGOV", ["PREL", "PGOV"]),
        ("PREL - PGOV ZE", ["PREL", "PGOV", "ZE"]),  # a dash between codes
        ("PREL ZE -", ["PREL", "ZE"]),
        ("ZANU-PF PREL ZE", ["ZANU-PF", "PREL", "ZE"]),  # a dash inside a tag stays
    ],
)
def test_stray_dashes_are_no_tags(value, expected):
    assert parse_tags(value) == expected


def test_label_with_lost_t_after_decl():
    text = _telegram("E.O. 12958: DECL: 08/22/2017 AGS: PGOV, PREL, ECON, ZE").replace(
        "E.O. 12958: N/A\n", ""
    )
    assert parse_text(text, form="telegram").tags == ["PGOV", "PREL", "ECON", "ZE"]


def test_word_ending_in_tas_is_no_label():
    # `ATLAS:` on a line of its own is not a TAGS label: the tags stay those of the label
    c = parse_text(_telegram("TAGS: PREL ZE", between="ATLAS: MOUNTAINS\n"), form="telegram")
    assert c.tags == ["PREL", "ZE"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # handling words and a repeated label inside the value
        ("ECON ETRD PGOV ZE SIPDIS", ["ECON", "ETRD", "PGOV", "ZE"]),
        ("PREL PGOV TAGS: ECON ZE", ["PREL", "PGOV", "ECON", "ZE"]),
        ("PREL, PGOV, TAGS: ECON", ["PREL", "PGOV", "ECON"]),
        # codes written without spaces
        ("ETRDEINVPGOVZE", ["ETRD", "EINV", "PGOV", "ZE"]),
        ("KCRM KWMN ASEC PHUMZE", ["KCRM", "KWMN", "ASEC", "PHUM", "ZE"]),
        ("PREL PHUM ZE ZEPREL", ["PREL", "PHUM", "ZE"]),
        ("PGOV KDEM PHUMPREL ZE", ["PGOV", "KDEM", "PHUM", "PREL", "ZE"]),
        # two country codes at the end of a glued run
        ("EINVECONSENVZEYR", ["EINV", "ECON", "SENV", "ZE", "YR"]),
        # a misspelt code is not cut into a country code and a short word
        ("POGOV PREL", ["POGOV", "PREL"]),
        # a comma piece made of several codes
        ("PREL PGOV, OAS ZE", ["PREL", "PGOV", "OAS", "ZE"]),
        # a whole value in lower case
        ("prel, pgov, pins, ze", ["PREL", "PGOV", "PINS", "ZE"]),
    ],
)
def test_values(value, expected):
    assert parse_tags(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "ZE GAZA DISENGAGEMENT ISRAELI PALESTINIAN AFFAIRS",
            ["ZE", "GAZA DISENGAGEMENT", "ISRAELI-PALESTINIAN AFFAIRS"],
        ),
        ("PREL PGOV ZE DOMESTIC POLITICS", ["PREL", "PGOV", "ZE", "DOMESTIC POLITICS"]),
        # a run of words that are no codes is one free tag, even when no list knows it
        ("PREL ZE RURITANIAN BORDER TALKS", ["PREL", "ZE", "RURITANIAN BORDER TALKS"]),
        ("ECON ZE ECONOMY AND FINANCE", ["ECON", "ZE", "ECONOMY AND FINANCE"]),
        # short organisation codes side by side stay apart
        ("PREL ZE UNO UNMIK", ["PREL", "ZE", "UNO", "UNMIK"]),
    ],
)
def test_free_tags_stay_whole(value, expected):
    assert parse_tags(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("OVIP BIDEN JOSEPH PREL ECON ZE", ["OVIP", "BIDEN, JOSEPH", "PREL", "ECON", "ZE"]),
        # a surname that looks like a code (RICE, BUSH) is still the name
        ("OVIP RICE CONDOLEEZZA PREL ZE", ["OVIP", "RICE, CONDOLEEZZA", "PREL", "ZE"]),
        ("OVIP BUSH GEORGE PREL", ["OVIP", "BUSH, GEORGE", "PREL"]),
        ("OVIP (CLINTON, HILLARY) PREL", ["OVIP", "CLINTON, HILLARY", "PREL"]),
        ("PREL, OVIP (BIDEN, JOSEPH), US", ["PREL", "OVIP", "BIDEN, JOSEPH", "US"]),
        ("OVIP (MQADHAFI) PREL", ["OVIP", "MQADHAFI", "PREL"]),
        # two visits: OVIP once, each person a tag
        ("OVIP (DOE, JANE) OVIP (ROE, JO)", ["OVIP", "DOE, JANE", "ROE, JO"]),
        # a group after another code, or after nothing; a group of tags (its first a code)
        ("KCRM SP (BERARDUCCI, CHRISTOPHER)", ["KCRM", "SP", "BERARDUCCI, CHRISTOPHER"]),
        (
            "US, (GHONDA,, ANTOINE)(BEMBA JEAN-PIERRE)",
            ["US", "GHONDA, ANTOINE", "BEMBA JEAN-PIERRE"],
        ),
        ("LY(OVIP, RUMSFELD DONALD)", ["LY", "OVIP", "RUMSFELD DONALD"]),
        # a code spelled out with the code in brackets gives the code
        ("FEE TRADE AGREEMENT OF AMERICA (FTAA), PREL", ["FTAA", "PREL"]),
        # a visitor named by one word only
        ("OVIP MZENDAFI PREL ZE", ["OVIP", "MZENDAFI", "PREL", "ZE"]),
    ],
)
def test_visitor_names(value, expected):
    assert parse_tags(value) == expected


def test_visitor_in_a_comma_list_as_without_commas():
    assert parse_tags("PREL, OVIP BIDEN JOSEPH, ZE") == ["PREL", "OVIP", "BIDEN, JOSEPH", "ZE"]
    assert parse_tags("PREL, ZE, OVIP MZENDAFI") == ["PREL", "ZE", "OVIP", "MZENDAFI"]
    assert parse_tags("PREL, OVIP, ZE") == ["PREL", "OVIP", "ZE"]


def test_publisher_expansions_kept_apart():
    tags, expansions = read_tags("PGOV, PREL, ECON, ZE, Economic Policy & General Analysis")
    assert tags == ["PGOV", "PREL", "ECON", "ZE"]
    assert expansions == ["Economic Policy & General Analysis"]
    tags, expansions = read_tags("KPAO, OIIP, ZE, Defense Reform (Mil & NATO)")
    assert tags == ["KPAO", "OIIP", "ZE"]
    assert expansions == ["Defense Reform (Mil & NATO)"]


def test_expansion_in_place_of_the_code():
    tags, expansions = read_tags("ETRD, FEE TRADE AGREEMENT OF AMERICA (FTAA), ZE")
    assert tags == ["ETRD", "FTAA", "ZE"]
    assert expansions == ["FEE TRADE AGREEMENT OF AMERICA (FTAA)"]
    # the publisher's mixed-case spelling is in place of the code too; a bracket of words is not
    for value, code in [
        ("ETRD, Fee Trade Agreement of America (FTAA), ZE", ["FTAA"]),
        ("ETRD, Free Trade Area (FTA), ZE", ["FTA"]),
        ("ETRD, Human Rights (General), ZE", []),
        ("ETRD, Trafficking (in persons), ZE", []),
        ("ETRD, Defense Reform (Mil & NATO), ZE", []),
    ]:
        tags, expansions = read_tags(value)
        assert tags == ["ETRD", *code, "ZE"], value
        assert expansions == [value.split(", ")[1]], value


def test_a_value_of_expansions_only_gives_no_tags():
    assert read_tags("War Crimes") == ([], ["War Crimes"])


def test_tags_glued_together_are_dropped_beside_the_tags():
    assert parse_tags("BY MOPS PREL TZ TZBY") == ["BY", "MOPS", "PREL", "TZ"]
    assert parse_tags("PREL, ZE, ZEBY") == ["PREL", "ZE", "ZEBY"]  # BY is no tag here


def test_same_cable_same_tags_in_both_forms():
    """A Cablegate page writes the line with spaces; the cables.csv row with commas and the
    publisher's expansion: both give the same tags."""
    page = parse_tags("PREL KWBG ZE GAZA DISENGAGEMENT ISRAELI PALESTINIAN AFFAIRS")
    row = parse_tags(
        "PREL, KWBG, ZE, GAZA DISENGAGEMENT, ISRAELI-PALESTINIAN AFFAIRS, Peace Process Notes"
    )
    assert page == row


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("PREL PGOV ZE\nNATO, UK, CN", ["PREL", "PGOV", "ZE", "NATO", "UK", "CN"]),
        ("PREL ZE\nAU-I, CD, SU", ["PREL", "ZE", "AU-I", "CD", "SU"]),
        ("PREL ZE NATO\nUNMIK", ["PREL", "ZE", "NATO", "UNMIK"]),
        ("prel, pgov, econ,\netra, mnuc", ["PREL", "PGOV", "ECON", "ETRA", "MNUC"]),
        # text run on after the tags is not read as tags
        ("PGOV PREL ECON ZE\nREF ZENDA 1837", ["PGOV", "PREL", "ECON", "ZE"]),
        ("PREL MARR ZE\nDISCUSS BORDER AND OTHER ISSUES, 19 AUGUST 2005", ["PREL", "MARR", "ZE"]),
        ("PGOV PTER ZE\nUBJECT: ZENDA WILL REQUEST", ["PGOV", "PTER", "ZE"]),
        ("ETRD ECON PE\nid: 67870", ["ETRD", "ECON", "PE"]),
        ("PGOV PHUM ZE\n(B) Zenda 215;", ["PGOV", "PHUM", "ZE"]),
        (
            "PREL PGOV MARR\nECON, PHUM, ZE SUBJECT: A TALK",
            ["PREL", "PGOV", "MARR", "ECON", "PHUM", "ZE"],
        ),
    ],
)
def test_later_lines(value, expected):
    assert parse_tags(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # a free tag cut at the line end: its last words on the value's last line
        ("OREP AMGT ZE PORT\nSECURITY", ["OREP", "AMGT", "ZE", "PORT SECURITY"]),
        ("PREL ZE VISA POLICY\nREVIEW BOARD", ["PREL", "ZE", "VISA POLICY REVIEW BOARD"]),
        # … not after a code, nor a comma, nor a person group, nor with a code on the line
        ("PREL PGOV ZE\nSECURITY", ["PREL", "PGOV", "ZE"]),
        ("PREL, PORT,\nSECURITY NOW", ["PREL", "PORT", "SECURITY NOW"]),
        ("OVIP (DOE, JANE)\nSECURITY", ["OVIP", "DOE, JANE"]),
        ("OVIP DOE JANE\nSECURITY", ["OVIP", "DOE, JANE"]),
        ("PREL ZE PORT\nSECURITY ZE", ["PREL", "ZE", "PORT"]),
        # … nor a line of prose under the tags
        ("PREL ZE PORT\nTHE TALKS WENT WELL", ["PREL", "ZE", "PORT"]),
    ],
)
def test_free_tag_cut_at_the_line_end(value, expected):
    assert parse_tags(value) == expected


def test_free_tag_cut_at_the_line_end_in_a_preamble():
    from cablebase.parse import parse_text

    c = parse_text("E.O. 12958: N/A\nTAGS: OREP ZE PORT\nSECURITY\nSUBJECT: PORTS\n\n1. (U) Text.")
    assert c.tags == ["OREP", "ZE", "PORT SECURITY"]
    assert c.subject == "PORTS"


def test_page_marker_inside_tags_is_no_tag():
    assert parse_tags("PREL PGOV\nZENDA 00000402 002 OF 003\nECON") == ["PREL", "PGOV"]
    assert parse_tags("PREL PGOV ZENDA 00000402 001.2 OF 003 ZE") == ["PREL", "PGOV", "ZE"]
    assert parse_tags("PREL, PGOV,\nPAGE 02 ZENDA 01196 01 OF 03 291400Z\nECON") == [
        "PREL",
        "PGOV",
    ]


def test_is_code():
    assert is_code("ZE") and is_code("KPAL") and is_code("PGOV") and is_code("NATO")
    assert not is_code("GAZA") and not is_code("RICE")


def test_printout_page_header_run_into_the_tags():
    value = (
        "PINR, PGOV, PE                 SECRET       PAGE 02        ZENDA  02475  01 OF 03  "
        "251228Z PINR, PE                 SECRET       PAGE 02        ZENDA  02475  02 OF 03  "
        "251229Z PINR, PE"
    )
    assert parse_tags(value) == ["PINR", "PGOV", "PE"]


# Free tags run together without commas: cut into tags that cables write apart (the
# vocabulary of data/tag_codes.json), only when every piece is one of them.
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # two free tags side by side
        ("PREL ZE SETTLEMENTS DEMARCHE", ["PREL", "ZE", "SETTLEMENTS", "DEMARCHE"]),
        # a phrase and a free tag, the space between them lost
        ("PGOV ZE MARITIME SECURITYPOLMIL", ["PGOV", "ZE", "MARITIME SECURITY", "POLMIL"]),
        # two phrases of several words each
        (
            "ECON ZE ITALY NATIONAL ELECTIONS ITALIAN POLITICS",
            ["ECON", "ZE", "ITALY NATIONAL ELECTIONS", "ITALIAN POLITICS"],
        ),
        # one unknown word: the run stays one free tag
        ("PREL ZE SETTLEMENTS FREEZE", ["PREL", "ZE", "SETTLEMENTS FREEZE"]),
    ],
)
def test_run_of_free_tags_cut_into_known_tags(value, expected):
    assert parse_tags(value) == expected


def test_run_of_free_tags_in_a_telegram():
    c = parse_text(_telegram("TAGS: MARR PREL ZE LABOR HUMAN RIGHTSPOLMIL"), form="telegram")
    assert c.tags == ["MARR", "PREL", "ZE", "LABOR", "HUMAN RIGHTS", "POLMIL"]


def _with_vocabulary(monkeypatch, *words):
    from cablebase.grammar import tags

    monkeypatch.setattr(tags, "_vocabulary", lambda: {w: w for w in words})
    return tags._segment


def test_segment_prefers_fewest_tags(monkeypatch):
    segment = _with_vocabulary(
        monkeypatch, "RIVER", "TRADE", "RIVER TRADE", "FLOOD", "RELIEF", "FLOOD RELIEF"
    )
    assert segment(["RIVER", "TRADE", "FLOOD", "RELIEF"]) == ["RIVER TRADE", "FLOOD RELIEF"]
    assert segment(["RIVER", "TRADEFLOOD", "RELIEF"]) == ["RIVER TRADE", "FLOOD RELIEF"]
    assert segment(["RIVER", "TRADE"]) is None  # one known tag: nothing to cut
    assert segment(["RIVER", "TRADE", "BARGE"]) is None  # BARGE is unknown


def test_segment_prefers_cuts_at_spaces(monkeypatch):
    segment = _with_vocabulary(monkeypatch, "WATER", "WATER RIGHTS", "WATCH", "RIGHTSWATCH")
    assert segment(["WATER", "RIGHTSWATCH"]) == ["WATER", "RIGHTSWATCH"]


def test_segment_keeps_short_glued_pieces_whole(monkeypatch):
    # a name such as MARILO is no MAR + ILO: a cut inside a word leaves four letters a side
    segment = _with_vocabulary(monkeypatch, "MAR", "ILO", "LAKE", "SHORE")
    assert segment(["MARILO"]) is None
    assert segment(["LAKESHORE"]) == ["LAKE", "SHORE"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # a page writes a person tag without its comma, surname first
        ("CVIS ZE TALBOT MARGARET", ["CVIS", "ZE", "TALBOT, MARGARET"]),
        # several persons in one run, then a free tag
        (
            "CASC ZE HARTLEY ROBERT VANCE SUSAN CONSULAR AFFAIRS",
            ["CASC", "ZE", "HARTLEY, ROBERT", "VANCE, SUSAN", "CONSULAR AFFAIRS"],
        ),
        # after two persons, the last two words are one more, whatever the given name
        (
            "CASC ZE HARTLEY ROBERT VANCE SUSAN OKONKWO ADAEZE",
            ["CASC", "ZE", "HARTLEY, ROBERT", "VANCE, SUSAN", "OKONKWO, ADAEZE"],
        ),
        # a surname shaped like a code (four letters, first letter of a subject code)
        ("PREL ZE CASE MICHAEL", ["PREL", "ZE", "CASE, MICHAEL"]),
        # a place run before a person stays one free tag; an acronym stands alone
        (
            "PREL ZE UPPER ZENDA TALBOT MARGARET ZDF-PF BORDER CROSSINGS",
            ["PREL", "ZE", "UPPER ZENDA", "TALBOT, MARGARET", "ZDF-PF", "BORDER CROSSINGS"],
        ),
    ],
)
def test_person_tags_in_a_run(value, expected):
    assert parse_tags(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # a post's name is no person though its last word is a given name
        ("PREL ZE SANTO DOMINGO", ["PREL", "ZE", "SANTO DOMINGO"]),
        # a code before a given name is still a code
        ("PREL ZE PGOV MARTIN", ["PREL", "ZE", "PGOV", "MARTIN"]),
        # the last pair of words is a person only right after two persons
        (
            "CASC ZE HARTLEY ROBERT BORDER CROSSINGS",
            ["CASC", "ZE", "HARTLEY, ROBERT", "BORDER CROSSINGS"],
        ),
        # short organisation codes side by side are no person (no given name among them)
        ("PREL ZE UNO UNMIK", ["PREL", "ZE", "UNO", "UNMIK"]),
        # a place's or a title's first word before a given name is no surname
        ("PREL ZE LAKE VICTORIA", ["PREL", "ZE", "LAKE VICTORIA"]),
        ("PREL ZE SHEIKH MOHAMMED", ["PREL", "ZE", "SHEIKH MOHAMMED"]),
        ("PREL ZE MINISTER GEORGE", ["PREL", "ZE", "MINISTER GEORGE"]),
    ],
)
def test_no_person_where_there_is_none(value, expected):
    assert parse_tags(value) == expected


def test_person_tags_in_a_telegram():
    c = parse_text(_telegram("TAGS: CASC PHUM ZE HARTLEY ROBERT VANCE SUSAN"), form="telegram")
    assert c.tags == ["CASC", "PHUM", "ZE", "HARTLEY, ROBERT", "VANCE, SUSAN"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # a person group cut at the line end goes on on the next line
        (
            "CVIS, PTER, PREL, ZE (AL\nFARSI, KARIM)\nSUBJECT: X",
            ["CVIS", "PTER", "PREL", "ZE", "AL FARSI, KARIM"],
        ),
        # cut after a hyphen: the name is one word again
        (
            "CVIS, PREL, (AL-\nFARSI, KARIM ET AL)",
            ["CVIS", "PREL", "AL-FARSI, KARIM ET AL"],
        ),
        # an empty group adds nothing
        ("CVIS, PREL, ZE ()", ["CVIS", "PREL", "ZE"]),
        # a period or a dash between codes instead of a comma
        ("PGOV. PREL, ZE", ["PGOV", "PREL", "ZE"]),
        ("MOPS, PTER.ZE", ["MOPS", "PTER", "ZE"]),
        ("PINR, PREL      -", ["PINR", "PREL"]),
        # but a free tag with periods or hyphens stays whole
        ("PREL, U.S.-ZENDA RELATIONS, CHR-1", ["PREL", "U.S.-ZENDA RELATIONS", "CHR-1"]),
        # a value saying there are no tags
        ("N/A", []),
        ("NONE", []),
    ],
)
def test_list_separators_and_cut_groups(value, expected):
    assert parse_tags(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # a country's name of two words is one tag, not two short codes
        ("PREL PGOV COSTA RICA", ["PREL", "PGOV", "COSTA RICA"]),
        ("PREL PGOV EL SALVADOR ES", ["PREL", "PGOV", "EL SALVADOR", "ES"]),
        ("OVIP (ARIAS, OSCAR) COSTA RICA", ["OVIP", "ARIAS, OSCAR", "COSTA RICA"]),
        ("SNAR COSTA RICA OVIP JOHN SMITH", ["SNAR", "COSTA RICA", "OVIP", "JOHN, SMITH"]),
        ("PREL KPAL WEST BANK IS", ["PREL", "KPAL", "WEST BANK", "IS"]),
        # a place inside a longer free tag stays in it; its words are no codes
        ("PREL MIDDLE EAST PEACE", ["PREL", "MIDDLE EAST PEACE"]),
        ("PTER WEST BANK GAZA", ["PTER", "WEST BANK GAZA"]),
        ("ECON SOUTH AFRICA TRADE", ["ECON", "SOUTH AFRICA TRADE"]),
        ("PREL SAN JOSE", ["PREL", "SAN JOSE"]),
        # short organisation codes still stand apart
        ("PREL UNO UNMIK", ["PREL", "UNO", "UNMIK"]),
    ],
)
def test_place_names_of_several_words(value, expected):
    assert parse_tags(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # an acronym that is no subject or country code, a small word, words that are no codes
        ("PHUM KJUS TIP IN ZENDA", ["PHUM", "KJUS", "TIP IN ZENDA"]),
        ("PREL UNHCR TO REFUGEES", ["PREL", "UNHCR TO REFUGEES"]),
        # … a country code after a country code or a subject code stays a country code
        ("CE IN ECONOMICS LTTE", ["CE", "IN", "ECONOMICS LTTE"]),
        ("ECON IN ZENDA", ["ECON", "IN", "ZENDA"]),
        ("PREL TIP IN TU", ["PREL", "TIP", "IN", "TU"]),
        ("PREL TIP IN", ["PREL", "TIP", "IN"]),
    ],
)
def test_acronym_joined_to_words_by_a_small_word(value, expected):
    assert parse_tags(value) == expected


def test_known_phrase_with_its_ampersand_lost():
    # a page that dropped the `&` of two free tags run together: each is still cut out whole,
    # in the spelling the cable (and its csv row) gives
    assert parse_tags("PGOV ZE POLITICS FOREIGN POLICY POL FOREIGN POL") == [
        "PGOV",
        "ZE",
        "POLITICS & FOREIGN POLICY",
        "POL & FOREIGN POL",
    ]
    assert parse_tags("PGOV ZE POLITICS & FOREIGN POLICY") == [
        "PGOV",
        "ZE",
        "POLITICS & FOREIGN POLICY",
    ]


@pytest.mark.parametrize(
    ("page", "row"),
    [
        # the site linked each word of a page's TAGS line and dropped the marks between them
        ("PREL YM ECON COM ENERGY", "PREL, YM, ECON/COM, ENERGY"),
        ("TBIO ENVIRONMENT S T YM", "TBIO, ENVIRONMENT/S&T, YM"),
        ("PREL MZ HIV AIDS PEPFAR", "PREL, MZ, HIV/AIDS/PEPFAR"),
        ("PREL U S ISRAEL RELATIONS IS", "PREL, U.S.-ISRAEL RELATIONS, IS"),
        # a numbered tag: a number alone is no tag
        ("PREL UNHRC 1 CA PHUM", "PREL, UNHRC-1, CA, PHUM"),
        ("IZ PREL UNCHR 1 GT", "IZ, PREL, UNCHR-1, GT"),
        # the publisher's expansion holding an acronym: no code of the cable's
        ("PGOV PREL HR Defense Reform Mil NATO", "PGOV, PREL, HR, Defense Reform (Mil & NATO)"),
        ("BF SNAR Narcotics OPBAT", "BF, SNAR, Narcotics - OPBAT"),
        (
            "ETRD BR Fee Trade Agreement of America FTAA",
            "ETRD, BR, Fee Trade Agreement of America (FTAA)",
        ),
    ],
)
def test_a_page_line_gives_the_rows_tags(page, row):
    assert read_tags(page) == read_tags(row)


def test_a_known_expansions_acronym_in_upper_case_is_the_cables_code():
    # only the publisher's mixed-case spelling is dropped: the cable's own codes stay
    assert parse_tags("PGOV PREL PSOE") == ["PGOV", "PREL", "PSOE"]
    assert parse_tags("PREL NATO MARR") == ["PREL", "NATO", "MARR"]
    assert parse_tags("INCSR BRAZIL 2008 PREL") == ["INCSR BRAZIL 2008", "PREL"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # the group on the line under a comma, or under a last code without one
        (
            "CVIS, KVPR, PTER, PREL,\n(OSTRANDER, MILO ET AL)",
            ["CVIS", "KVPR", "PTER", "PREL", "OSTRANDER, MILO ET AL"],
        ),
        (
            "CVIS, PINR, PREL, SP\n(VALDES ORTUNO, JUAN)",
            ["CVIS", "PINR", "PREL", "SP", "VALDES ORTUNO, JUAN"],
        ),
        (
            "CVIS, PREL, SP\n(KARRAS, DIMITRI AKA: DIMA ET AL)",
            ["CVIS", "PREL", "SP", "KARRAS, DIMITRI AKA: DIMA ET AL"],
        ),
        # a portion mark or a bracketed note is no person
        ("PREL, SP\n(U)", ["PREL", "SP"]),
        ("PREL SP\n(NOTAL)", ["PREL", "SP"]),
        ("PREL, SP\n(BOTH NOTAL) AS SENT", ["PREL", "SP"]),
    ],
)
def test_person_group_carried_to_the_next_line(value, expected):
    assert parse_tags(value) == expected


def test_person_group_line_between_tags_and_subject():
    cable = parse_text(
        "UNCLAS ZENDA 001234\n\nE.O. 12958: N/A\n"
        "TAGS: CVIS, KVPR, PTER, ASEC, CMGT, PINR, PREL, SP\n"
        "(OSTRANDER VALE, MILO ANDRES)\nSUBJECT:  VISAS VIPER SUBMISSION\n\n"
        "1.  POST WISHES TO SUBMIT THE FOLLOWING NAME.\n\nRASSENDYLL\n"
    )
    assert cable.tags[-2:] == ["SP", "OSTRANDER VALE, MILO ANDRES"]
    assert cable.subject == "VISAS VIPER SUBMISSION"


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        (
            "SP (OST-\nRANDER, MILO AKA: VALE-RANDER, MILO)",
            ["SP", "OST-RANDER, MILO AKA: VALE-RANDER, MILO"],
        ),
        (
            "(OST\nRANDER, MILO ANDRES, AKA ABU MILO ET AL)",
            ["OST RANDER, MILO ANDRES, AKA ABU MILO ET AL"],
        ),
        ("SP (OST\nRANDER, MILO)", ["SP", "OST RANDER, MILO"]),
    ],
)
def test_person_group_cut_at_the_tags_line_end_in_a_cable(group, expected):
    # the group opens on the TAGS line and closes on the next one, a line of words that
    # must not pass for a SUBJECT without its label
    cable = parse_text(
        "UNCLAS ZENDA 001234\n\nE.O. 12958: N/A\n"
        f"TAGS: CVIS, KVPR, PREL, {group}\nSUBJECT:  VISAS VIPER SUBMISSION\n\n"
        "1.  POST WISHES TO SUBMIT THE FOLLOWING NAMES.\n\nRASSENDYLL\n"
    )
    assert cable.tags == ["CVIS", "KVPR", "PREL", *expected]
    assert cable.subject == "VISAS VIPER SUBMISSION"


def test_shifted_comma_typed_for_a_comma():
    assert parse_tags("EPET, EFIN, PGOV, VE, ECON< VE") == ["EPET", "EFIN", "PGOV", "VE", "ECON"]


@pytest.mark.parametrize(
    "value",
    [
        "SNAR, PHUM, CO, TAGS: MASS",  # the label repeated inside the value
        "SNAR PHUM CO TAGS MASS",  # … as a page links it, its colon and commas gone
        "SNAR, PHUM, CO, TAGS, MASS",
    ],
)
def test_repeated_tags_label_is_no_tag(value):
    assert read_tags(value)[0] == ["SNAR", "PHUM", "CO", "MASS"]
