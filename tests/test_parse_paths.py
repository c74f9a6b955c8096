"""Fast paths of the parser read exactly what the general paths read (invented rows and headers).

The cables.csv reader hands a record to the csv module as one string when it can (the
line-by-line read stays for the rest), and the header reads each distinct addressee line once
(its fields and warnings are replayed for the next cable that has it).
"""

from __future__ import annotations

import csv
import io

import pytest

from cablebase.forms.csv import BadRow, _parse_record, iter_csv
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
