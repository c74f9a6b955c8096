"""Fast paths of the parser read exactly what the general paths read (invented rows and headers).

The cables.csv reader hands a record to the csv module as one string when it can (the
line-by-line read stays for the rest), and the header reads each distinct addressee line once
(its fields and warnings are replayed for the next cable that has it), and what each line after
FM is, once.  A Cablegate page is searched for its heading after the site chrome that pages
share; the preamble finds its label keys with one regex; regexes that need a word run only
when the text holds it (a lower-cased substring test, for ASCII text).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict

import pytest

from cablebase.forms import html
from cablebase.forms.csv import BadRow, _parse_record, _split_plain, iter_csv
from cablebase.grammar import header, preamble
from cablebase.grammar.header import parse_header
from cablebase.grammar.state import State
from cablebase.grammar.unwrapped import Meta
from cablebase.record import Cable

_OPEN = '"7","3/4/2009 9:05","09BAMAKO776","Embassy Bamako","UNCLASSIFIED","","HDR",'


def _line_by_line(text: str) -> list[list[str]]:
    """The csv module fed line by line: the general path, as a reference."""
    reader = csv.reader(io.StringIO(text, newline=""), quotechar='"', escapechar="\\", strict=True)
    return [r for r in reader if r]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (r'"He said \"no\" today."', 'He said "no" today.'),  # backslash-escaped quotes
        ('"A ""quoted"" word."', 'A "quoted" word.'),  # doubled quotes
        ('"It\\\'s done."', "It's done."),  # an escaped apostrophe
        (r'"C:\\TEMP"', "C:\\TEMP"),  # an escaped backslash
        ('"line one\\\nline two"', "line one\nline two"),  # an escaped line break, quoted
        ('"1. Para one.\n\n2. Para two.\n"', "1. Para one.\n\n2. Para two.\n"),
        ('""', ""),
    ],
)
def test_one_string_read_matches_the_line_by_line_read(body: str, expected: str) -> None:
    for end in ("\n", "\r\n", "\n\n\n", ""):
        text = _OPEN + body + end
        row = _parse_record(text)
        assert isinstance(row, list)
        assert row[7] == expected
        assert row[:7] == [
            "7",
            "3/4/2009 9:05",
            "09BAMAKO776",
            "Embassy Bamako",
            "UNCLASSIFIED",
            "",
            "HDR",
        ]
        assert [row] == _line_by_line(text)


def test_escaped_line_break_outside_quotes_reads_as_before() -> None:
    # an unquoted last field with a backslash before its line break: read by the general path,
    # the escaped break kept inside the field
    text = _OPEN + "plain\\\nmore\n"
    assert _parse_record(text) == [*_line_by_line(text)[0][:7], "plain\nmore"]
    assert _line_by_line(text)[0][7] == "plain\nmore"


# Pieces of a field: plain text and the shapes that make a `","` or a quote mean something else.
_PIECES = ["a b", ",", "\n", '\\"', "\\'", '\\"",', '","', '""', '"', "\\\\", "\\", "\\\n", "\r"]


@pytest.mark.parametrize("first", _PIECES)
@pytest.mark.parametrize("second", _PIECES)
@pytest.mark.parametrize("where", [5, 6, 7])  # the references, the header, the body
def test_rows_cut_at_their_separators_read_as_the_csv_module_reads_them(
    first: str, second: str, where: int
) -> None:
    # the cut without the csv module (_split_plain) reads a row only when it reads it exactly
    fields = ["7", "3/4/2009 9:05", "09BAMAKO776", "P", "U", "", "HDR", "body"]
    fields[where] = f"x{first}y{second}"
    for end in ("\n", "\r\n", "", "\n\n"):
        text = '"' + '","'.join(fields) + '"' + end
        plain = _split_plain(text)
        if plain is not None:
            assert [plain] == list(csv.reader((text,), quotechar='"', escapechar="\\", strict=True))
            assert [plain] == _line_by_line(text)
        if first in ("a b", "\\'", '\\"') and second in ("a b", ",", "\n", "\\'") and end == "\n":
            assert plain is not None  # the usual rows take the cut


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (_OPEN + '"body"\n"x","y"\n', "record splits into 2 rows"),  # a second row glued on
        (_OPEN + '"body","extra"\n', "row has 9 fields"),
        ('"7","3/4/2009 9:05","09X1","P","U","","H"\n', "row has 7 fields"),
        (_OPEN + '"body" tail\n', "malformed row"),  # text after a closing quote
        (_OPEN + '"never closed\n', "malformed row"),
    ],
)
def test_bad_rows_keep_their_reasons(text: str, reason: str) -> None:
    got = _parse_record(text)
    assert isinstance(got, str) and got.startswith(reason)
    (item,) = list(iter_csv(io.BytesIO(text.encode())))
    assert isinstance(item, BadRow) and item.reason.startswith(reason)


def _header(lines: list[str]) -> Cable:
    st = State(cable=Cable(), meta=Meta())
    parse_header(lines, st)
    return st.cable


def test_repeated_addressee_lines_are_read_alike_and_kept_apart() -> None:
    bad = "INFO UEHC/AMEMBASSY ROME 0044"  # a damaged routing indicator: one warning
    a = _header(["P 171122Z FEB 10", "FM AMEMBASSY MUSCAT", "TO RUEHC/SECSTATE WASHDC 1180", bad])
    b = _header(
        [
            "P 181122Z FEB 10",
            "FM AMEMBASSY MUSCAT",
            "TO RUEHC/SECSTATE WASHDC 1181",
            "RUEHDE/AMCONSUL DUBAI 0045",
            "RUEHRO/AMEMBASSY ROME 0046",
            bad,
        ]
    )
    ra, rb = a.recipients[-1], b.recipients[-1]
    assert (ra.role, ra.route, ra.name, ra.serial) == ("info", "UEHC", "AMEMBASSY ROME", "0044")
    assert ra == rb and ra is not rb  # each cable gets its own record
    ra.name = "CHANGED"
    assert rb.name == "AMEMBASSY ROME"
    # the warning names the line where each cable has it
    wa = [w.where for w in a.warnings if w.code == "header.route_malformed"]
    wb = [w.where for w in b.warnings if w.code == "header.route_malformed"]
    assert wa == ["header:4"] and wb == ["header:6"]
    # a line that is no addressee gives its warning every time, and no recipient
    for _ in range(2):
        c = _header(["FM AMEMBASSY MUSCAT", "TO RUEHC/SECSTATE WASHDC 1180", "X"])
        assert [r.name for r in c.recipients] == ["SECSTATE WASHDC"]
        assert [w.where for w in c.warnings if w.code == "header.unparsed_line"] == ["header:3"]


def test_heading_is_found_after_a_shared_chrome_as_a_plain_search_finds_it() -> None:
    h3 = html._H3
    chrome = "<html><div>menu " + "x" * 300 + "</div>"
    pages_ = [
        chrome + "<p>a</p>" + h3 + "10ROME1, T</h3>",
        chrome + "<p>b</p>" + h3 + "10ROME2, T</h3>",
        chrome + "<p>b</p>" + h3[:5] + h3 + "10ROME3, T</h3>",  # a cut heading before it
        chrome[:-10] + h3 + "10ROME4, T</h3>",  # the heading inside the shared start's span
        "<html>another site " + h3 + "10ROME5, T</h3>",
        chrome + h3 + "first" + h3 + "second",  # two headings: the first counts
        "no heading at all " + chrome,
        h3 + "at the start",
    ]
    html._chrome[0] = ""
    for _round in range(3):
        for page in pages_ + pages_[::-1]:
            assert html._find_heading(page) == page.find(h3)
    html._chrome[0] = ""


def test_lines_after_fm_are_classified_alike_when_read_again() -> None:
    lines = [
        "R 090540Z MAR 72",
        "FM AMEMBASSY TEHRAN",
        "TO SECSTATE WASHDC 7682",
        "INFO AMEMBASSY ANKARA",
        "PAGE 02 TEHRAN 01381 091000Z",  # a printout page break
        "AMEMBASSY BONN PRIORITY",
        "INFO LOG-00 EUR-12",  # a distribution line, not a block
        "TO PAGE 02 TEHRAN 01381",  # a page break cut in after a label
        "AMCONSUL DHAHRAN",
        "not an addressee",
        "FM AMEMBASSY PARIS",  # a second transmission
        "TO AMEMBASSY ROME",
    ]
    header._AFTER_FM.clear()
    first = _header(lines)
    again = _header(lines)  # every line after FM now read from the table
    for cable in (first, again):
        assert [(r.role, r.name, r.precedence, r.serial) for r in cable.recipients] == [
            ("to", "SECSTATE WASHDC", None, "7682"),
            ("info", "AMEMBASSY ANKARA", None, None),
            ("info", "AMEMBASSY BONN", "PRIORITY", None),
            ("to", "AMCONSUL DHAHRAN", None, None),
        ]
        assert [(w.code, w.where) for w in cable.warnings] == [
            ("header.unparsed_line", "header:10"),
            ("header.repeated", "header:11"),
        ]
    # a placeholder note after FM is seen whether or not the line was read before
    note = ["FM AMEMBASSY ROME", "TO SECSTATE WASHDC", "Partial extract of the original cable"]
    assert _header(note).partial and _header(note).partial


@pytest.mark.parametrize(
    "line",
    [
        "PARTIAL EXTRACT OF THE ORIGINAL CABLE",
        "Full  text of the Original cable",
        "full text of the orİginal cable",  # `İ` matches `i` in any case: the regex decides
        "the original text",
        "FM AMEMBASSY ROME",
        "",
    ],
)
def test_placeholder_test_agrees_with_its_regex(line: str) -> None:
    assert header._placeholder(line) == bool(header._PLACEHOLDER_RE.search(line))


@pytest.mark.parametrize(
    "line",
    [
        "RUEHC/SECSTATE WASHDC IMMEDIATE 2832",
        "SECSTATE WASHDC PRIORITY 738",
        "AMEMBASSY ROME 0046",
        "AMEMBASSY ROME0046",
        "AMEMBASSY ROME 0046-0050",
        "AMEMBASSY PARIS NIACT IMMEDIATE",
        "AMEMBASSY PARIS ROUTINE",
        "AMEMBASSY PARIS",
        "AMEMBASSY PARIS 12",
        "AMEMBASSY PARIS \u0664\u0665\u0666\u0667",  # other decimal digits: `\\d` takes them
    ],
)
def test_addressee_serial_and_precedence_tests_agree_with_their_regexes(line: str) -> None:
    text = line.split("/", 1)[-1]
    m = header._SERIAL_RE.search(text)
    rest = text[: m.start()] if m else text
    p = header._PREC_RE.search(rest)
    got, _warnings = header._read_addressee(line, "to", {})
    assert got is not None
    assert got["serial"] == (
        (m.group("serial") or m.group("short")).replace(" ", "") if m else None
    )
    assert got["precedence"] == (" ".join(p.group("prec").split()) if p else None)


_SERIAL_LINES = [
    "TO RUEHC/SECSTATE WASHDC 1180",
    "RUEHC/SECSTATE WASHDC IMMEDIATE 2832",
    "RUEHRO/AMEMBASSY ROME PRIORITY 123456",  # a longer serial after a precedence word
    "AMEMBASSY ROME 0046-0050",  # a range: the four digits end it
    "AMEMBASSY ROME 0046- 0050",
    "AMEMBASSY ROME0046",  # glued to the name
    "UEHC/AMEMBASSY ROME 0044",  # a damaged routing indicator: a warning
    "RUEHXX/AMEMBASSY NOWHERE 0031",  # no such route
    "RUEHC/ 1234",  # a routing indicator and digits: no serial
    "AMEMBASSY paris1234",  # after a lower-case letter: no serial, the digits stay in the name
    "AMEMBASSY ROME 12345",
    "INFO LOG-00 EUR-12 1234",  # a distribution line
    "PAGE 02 TEHRAN 01381",  # a page break
    "TO PAGE 02 TEHRAN 1381",
    "DE RUEHRO #1234",  # a second transmission
    "R 171600Z MAY 2005",  # a DTG with a four-digit year
    "E.O. 12958 2005",
    "not an addressee 1234",
    "X 1234",
    "12345",
    "1234",
]


def test_lines_ending_in_digits_read_alike_by_their_shape() -> None:
    """A line ending in four digits is read as its shape with 0000 there (once for every
    serial), its digits put back: what the line read as it is gives."""
    route_names = {"RUEHC": "SECSTATE WASHDC", "RUEHRO": "AMEMBASSY ROME"}
    for line in _SERIAL_LINES:
        assert header._after_fm(line) == header._read_after_fm(line), line
        _placeholder, kind, role, rest = header._read_after_fm(line)
        text = rest if kind == "block" else line
        if not text:
            continue
        fields, warnings = header._read_addressee(text, role or "info", route_names)
        for _ in range(2):  # the shape read first, then from the table
            st = State(cable=Cable(), meta=Meta())
            rcp = header._parse_addressee(text, role or "info", st, 4, route_names)
            assert (None if rcp is None else asdict(rcp)) == fields, line
            assert [(w.code, w.message, w.where) for w in st.cable.warnings] == [
                (code, message, "header:5") for code, message in warnings
            ], line
    # the same shape with other digits: each cable its own serial, the rest alike
    a = _header(["FM AMEMBASSY ROME", "TO RUEHC/SECSTATE WASHDC PRIORITY 0417"])
    b = _header(["FM AMEMBASSY ROME", "TO RUEHC/SECSTATE WASHDC PRIORITY 9921"])
    assert [(r.name, r.precedence, r.serial) for r in a.recipients + b.recipients] == [
        ("SECSTATE WASHDC", "PRIORITY", "0417"),
        ("SECSTATE WASHDC", "PRIORITY", "9921"),
    ]


def _labels_by_find(line: str) -> list[tuple[int, int, str]]:
    """The preamble's label hits found with one `str.find` per key: the general path."""
    u = line.upper()
    hits = []
    for key, name, back, rx in preamble._LABEL_AT:
        p = u.find(key)
        while p >= 0:
            if p - back >= 0 and (m := rx.match(line, p - back)) is not None:
                hits.append((m.start(), m.end(), name))
            p = u.find(key, p + 1)
    return sorted(hits)


@pytest.mark.parametrize(
    "line",
    [
        "E.O. 12958: DECL: 05/06/2019 TAGS: PGOV PREL SUBJECT: TALKS REF: A. ROME 1",
        "TAGSUBJECT: GLUED",  # overlapping keys: TAG, AGS, SUBJ, UBJECT
        "SUBJECT:TAGS: PREL",
        "TAS: PREL, TGS: X, AGS: Y",
        "EO 12356 N/A SUBJ: REFTEL REF: STATE 1 REF 02 PARAMARIBO 1169",
        "(U) Classified By: Ambassador, reasons 1.4 (b) and (d)",
        "CLASSCLASSIFIED BY: X",
        "E.0.12356 DECL: OADR",
        "no label here at all",
    ],
)
def test_label_keys_found_by_one_regex_as_by_one_find_per_key(line: str) -> None:
    u = line.upper()
    hits = []
    k = preamble._KEYS.search(u)
    while k is not None:
        for name, back, rx in preamble._AT_KEY[k.group()]:
            if k.start() - back >= 0 and (m := rx.match(line, k.start() - back)) is not None:
                hits.append((m.start(), m.end(), name))
        k = preamble._KEYS.search(u, k.start() + 1)
    assert sorted(hits) == _labels_by_find(line)


def test_classified_by_in_paragraph_one_is_found_in_any_case() -> None:
    for word in ("CLASSIFIED", "Classified", "cLaSsIfIeD", "Claſſified"):  # `ſ` matches `s`
        lines = ["", "1. " + word + " by Ambassador X. Reason: 1.5 (b).", "", "2. Text."]
        assert preamble._clby_in_first_paragraph(lines, 0) == [
            word + " by Ambassador X. Reason: 1.5 (b)."
        ]
    assert preamble._clby_in_first_paragraph(["1. Text.", "", "2. More."], 0) is None


def test_section_banner_after_a_printout_page_one_is_found_in_any_case() -> None:
    from cablebase.grammar.pages import _Stripper
    from cablebase.grammar.state import State

    for word in ("SECTION", "Section", "ſection"):  # `ſ` matches `s`
        lines = ["PAGE 01", "ACTION EUR-00", f"SECRET {word} 02 OF 02 ROME 01196", "TEXT"]
        st = State(cable=Cable(), meta=Meta())
        stripper = _Stripper(lines, 0, st, set(), {0})
        # found: the banner and the lines after it that repeat the cable's first lines go
        assert stripper._skip_section_header(1) == 4
    st = State(cable=Cable(), meta=Meta())
    stripper = _Stripper(["PAGE 01", "ACTION EUR-00", "TEXT"], 0, st, set(), {0})
    assert stripper._skip_section_header(1) == 1  # no banner: nothing skipped


# Searched regexes rewritten to start with one character or class, or with a lookahead for
# their first characters: (the module's pattern, the pattern as it was).
_REWRITTEN = [
    ("cablebase.grammar.banner", "_HAS_SERIAL", r"\d{3}", 0),
    ("cablebase.grammar.refs", "_EIGHT_DIGITS", r"\d{8}", 0),
    ("cablebase.grammar.refs", "_COLON_GLUED", r"(?<=[A-Za-z]):(?=\d)", 0),
    ("cablebase.grammar.refs", "_NON_LETTER", r"[^A-Za-z]+", 0),
    ("cablebase.grammar.refs", "_EMAIL", r"\b(?:E-?\s?MAILS?\b|EMAIL)", re.I),
    ("cablebase.grammar.classified_by", "_SECTION", r"(?<![\d.])1\.([456])(?!\d)", 0),
    ("cablebase.grammar.classified_by", "_RAW_SECTION", r"(?<![\d.])1\s?[.,:]\s?[456](?!\d)", 0),
    (
        "cablebase.grammar.classified_by",
        "_INNER_LABEL",
        r"\bclass[a-z]{2,4}d\s+by\b|\bguide\s+by\b",
        re.I,
    ),
    (
        "cablebase.grammar.classified_by",
        "_AFFAIRES",
        r"\b([dD])[eE]?\s?\\?[’‘`´',]\s?(?=[Aa][Ff])",
        0,
    ),
    ("cablebase.grammar.classified_by", "_AND", r"\s+(?:and|AND|&)\s+", 0),
    (
        "cablebase.grammar.pages",
        "_CLASS_TAIL",
        r"\s{2,}(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)\s*$",
        0,
    ),
    ("cablebase.grammar.redactions", "_XRUN", r"[Xx]{4,}", 0),
    ("cablebase.ids", "_NOT_LETTER", r"[^A-Z]+", 0),
    ("cablebase.grammar.header", "_SPACES_RE", r"\s+", 0),
]
_TEXTS = [
    "REF: A. STATE 00012345 B. ROME:1234 C) 05-ROME-1234; TELCON, E-MAIL OF 3/4",
    "Classified By: Charge d'Affaires a.i. John Smith, reasons 1.4 (b) and (d), 1.5(b)",
    "CLASSIFIED BY POLOFF X XXXXXXXXXXXX, REASON 1. 4 (B), AND (D); guide by 12958",
    "ROME 00001196  002 OF 003   SECRET",
    "text  CONFIDENTIAL",
    "ſection ſ xXxX xxxx XXXXX 1.45 11.4 a1.4 E-Mail email e mails Kelvin K",
    "",
]


@pytest.mark.parametrize(("module", "name", "before", "flags"), _REWRITTEN)
def test_rewritten_regexes_find_what_they_found(
    module: str, name: str, before: str, flags: int
) -> None:
    import importlib
    import random

    now = getattr(importlib.import_module(module), name)
    old = re.compile(before, flags)
    rng = random.Random(7)
    alphabet = "aAdDeErRxX1456.:,;()/- \t\n'’ZQ0"
    texts = _TEXTS + ["".join(rng.choice(alphabet) for _ in range(40)) for _ in range(300)]
    for text in texts:
        assert [m.span() for m in now.finditer(text)] == [m.span() for m in old.finditer(text)]
        assert now.sub("#", text) == old.sub("#", text)
