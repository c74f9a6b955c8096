"""Form adapters and detection, on small fixtures written for these tests (invented cables)."""

from __future__ import annotations

import pytest

from cablebase import parse_text
from cablebase.forms import NotACable
from cablebase.forms.csv import BadRow, iter_csv
from cablebase.forms.detect import detect_form, is_binary, looks_like_cable, sniff_encoding
from cablebase.forms.fragment import unwrap_fragment
from cablebase.forms.html import unwrap_html
from cablebase.forms.telegram import split_header, unwrap_telegram
from cablebase.forms.text import unwrap_text

NL = "&#x000A;"

# --- a Cablegate page, written in the site's structure ---------------------------------

_HEADER_PRE = NL.join(
    [
        "VZCZCXRO7731",
        "PP RUEHDE RUEHDIR",
        "DE RUEHMS #0217/01 0481122",
        "ZNY SSSSS ZZH",
        "P 171122Z FEB 10",
        "FM AMEMBASSY MUSCAT",
        "TO RUEHC/SECSTATE WASHDC PRIORITY 1180",
        "INFO RUEHDE/AMCONSUL DUBAI PRIORITY 0044",
    ]
)
_BODY_PRE = NL.join(
    [
        "S E C R E T SECTION 01 OF 02 MUSCAT 000217 ",
        " ",
        "NOFORN ",
        "SIPDIS ",
        " ",
        "E.O. 12958: DECL: 02/17/2020 ",
        "TAGS: <a href='/tag/PREL_0.html'>PREL</a> <a href='/tag/MARR_0.html'>MARR</a> "
        "<a href='/tag/MU_0.html'>MU</a>",
        "EFIN, KTFN",
        "SUBJECT: OMAN: PORT OPERATOR WEIGHS R&D DEAL WITH <<PARTNER>> ",
        "FIRM ",
        " ",
        "REF: <a id='parA' href='#parA'>\u00b6</a>A. MUSCAT 199 ",
        "     <a id='parB' href='#parB'>\u00b6</a>B. STATE 12345 ",
        " ",
        "Classified By: Ambassador Pat Doe, reasons 1.4 (b) and (d). ",
        " ",
        "<a id='par1' href='#par1'>\u00b6</a>1. (S/NF) Summary: the operator said "
        "&quot;not yet&quot; &amp; asked for &pounding time. End Summary. ",
        " ",
        "<a id='par2' href='#par2'>\u00b6</a>2. (C) More text.<br>",
        "DOE ",
    ]
)
PAGE = f"""<?xml version='1.0' encoding='utf-8' ?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "x">
<html lang='en' xml:lang='en' xmlns='http://www.w3.org/1999/xhtml'>
<head>
<title>Cable Viewer</title>
</head>
<body>
<div class='main'>
<div class='pane small'>
<div id='browse'>
<h3>Browse latest releases</h3>
<a href='/reldate/2010-11-28_0.html'>2010/11/28</a>
</div>
</div>
<div class='pane big'>
<h3>Viewing cable 10MUSCAT217, OMAN: PORT OPERATOR WEIGHS R&D DEAL WITH <br></h3>
<div>
If you are new to these pages, please read an introduction.
</div>
<table class='cable'>
<tr>
<th>Reference ID</th>
<th>Created</th>
<th>Released</th>
<th>Classification</th>
<th>Origin</th>
</tr>
<tr>
<td>
<a href='/cable/2010/02/10MUSCAT217.html'>10MUSCAT217</a>
</td>
<td>
<a href='/date/2010-02_0.html'>2010-02-17 11:11</a>
</td>
<td>
<a href='/reldate/2011-01-02_0.html'>2011-01-02 21:09</a>
</td>
<td>
<a href='/classification/4_0.html' title='confidential'>SECRET//NOFORN</a>
</td>
<td>
<a href='/origin/77_0.html'>Embassy Muscat</a>
</td>
</tr>
</table>
<code><pre>{_HEADER_PRE}</pre></code>
<code><pre>{_BODY_PRE}</pre></code>
</div>
</div>
</body>
</html>
"""


def test_html_meta_from_table_and_heading() -> None:
    u = unwrap_html(PAGE, path="cable/2010/02/10MUSCAT217.html")
    m = u.meta
    assert u.form == "html"
    assert u.path == "cable/2010/02/10MUSCAT217.html"
    assert m.reference_id == "10MUSCAT217"
    assert m.created == "2010-02-17 11:11"
    assert m.released == "2011-01-02 21:09"
    assert m.classification == "SECRET//NOFORN"  # link text, not title='confidential'
    assert m.origin == "Embassy Muscat"
    assert m.title == "OMAN: PORT OPERATOR WEIGHS R&D DEAL WITH"


def test_html_header_and_body_lines() -> None:
    u = unwrap_html(PAGE)
    assert u.header is not None
    assert u.header[0] == "VZCZCXRO7731"
    assert u.header[-1] == "INFO RUEHDE/AMCONSUL DUBAI PRIORITY 0044"
    assert len(u.header) == 8
    body = u.body
    assert body[0] == "S E C R E T SECTION 01 OF 02 MUSCAT 000217"  # trailing space gone
    assert body[1] == ""
    assert body[5] == "E.O. 12958: DECL: 02/17/2020"
    assert body[6] == "TAGS: PREL MARR MU"  # tag links keep their text
    assert body[7] == "EFIN, KTFN"
    # raw '&' and '<<...>>' are cable text and stay
    assert body[8] == "SUBJECT: OMAN: PORT OPERATOR WEIGHS R&D DEAL WITH <<PARTNER>>"
    assert body[11] == "REF: A. MUSCAT 199"  # paragraph anchors removed with their sign
    assert body[12] == "     B. STATE 12345"
    # well-formed entities decoded; a bare '&pounding' is text, not '£ing'
    assert body[16] == (
        '1. (S/NF) Summary: the operator said "not yet" & asked for &pounding time. End Summary.'
    )
    assert body[18] == "2. (C) More text."
    assert body[-1] == "DOE"
    assert not any("\u00b6" in line or "<a" in line for line in body)


@pytest.mark.parametrize(
    "page, reason",
    [
        ("<html><body><p>hello</p></body></html>", "Viewing cable"),
        (PAGE.replace("<table class='cable'>", "<table>"), "metadata table"),
        (PAGE.replace("<code><pre>", "<code>", 1).replace("</pre></code>", "</code>", 1), "<pre>"),
        (PAGE[: PAGE.index("<td>") + 40], "table"),
    ],
)
def test_html_without_structure_is_not_a_cable(page: str, reason: str) -> None:
    with pytest.raises(NotACable, match=reason):
        unwrap_html(page)


# --- cables.csv rows ---------------------------------------------------------------------

CSV_ROWS = (
    b'"17","3/4/1975 9:05","75ROME3012","Embassy Rome","CONFIDENTIAL",'
    b'"75STATE40011|75ROME2877","O 040905Z MAR 75 \n'
    b'FM AMEMBASSY ROME\nTO SECSTATE WASHDC IMMEDIATE 1234 \n",'
    b'"CONFIDENTIAL ROME 3012 \n \nE.O. 11652: GDS \nTAGS: PFOR, IT \n'
    b'SUBJECT: MINISTER\\\'S \\"FRANK\\" TALK \n \n1. THE MINISTER SAID, \\"WE WILL SEE.\\" \n'
    b'VOLPE \n"\n'
    b'"18","12/28/1966 18:48","66BUENOSAIRES2481","Embassy Buenos Aires","UNCLASSIFIED",'
    b'"","","UNCLASSIFIED BUENOS AIRES 2481 \nSUBJECT: TEST \n1. TEXT.\n"\n'
)


def test_csv_rows_escapes_multiline_and_references() -> None:
    items = list(iter_csv([CSV_ROWS], path="cables.csv"))
    assert len(items) == 2
    first, second = items
    assert not isinstance(first, BadRow) and not isinstance(second, BadRow)
    assert first.form == "csv"
    assert first.offset == 0 and second.offset == 1
    assert first.path == "cables.csv"
    m = first.meta
    assert m.reference_id == "75ROME3012"
    assert m.created == "3/4/1975 9:05"
    assert m.origin == "Embassy Rome"
    assert m.classification == "CONFIDENTIAL"
    assert m.references == ["75STATE40011", "75ROME2877"]
    assert first.header == [
        "O 040905Z MAR 75",
        "FM AMEMBASSY ROME",
        "TO SECSTATE WASHDC IMMEDIATE 1234",
    ]
    assert first.body[4] == 'SUBJECT: MINISTER\'S "FRANK" TALK'
    assert first.body[6] == '1. THE MINISTER SAID, "WE WILL SEE."'
    assert first.body[-1] == "VOLPE"
    # an empty header field is no header
    assert second.header is None
    assert second.meta.references == []
    assert second.meta.created == "12/28/1966 18:48"
    assert second.body == ["UNCLASSIFIED BUENOS AIRES 2481", "SUBJECT: TEST", "1. TEXT."]


def test_csv_streams_across_any_chunking() -> None:
    whole = [i.meta.reference_id for i in iter_csv([CSV_ROWS])]  # type: ignore[union-attr]
    for size in (1, 7, 64):
        chunks = [CSV_ROWS[i : i + size] for i in range(0, len(CSV_ROWS), size)]
        got = [i.meta.reference_id for i in iter_csv(chunks)]  # type: ignore[union-attr]
        assert got == whole == ["75ROME3012", "66BUENOSAIRES2481"]


def test_csv_broken_row_is_reported_and_reading_goes_on() -> None:
    broken = b'"19","1/2/1980 3:04","80PARIS1","Embassy Paris","SECRET","","no closing quote\n'
    data = CSV_ROWS.replace(b'"18","12/28', broken + b'"18","12/28')
    items = list(iter_csv([data]))
    assert [type(i).__name__ for i in items] == ["Unwrapped", "BadRow", "Unwrapped"]
    bad = items[1]
    assert isinstance(bad, BadRow) and bad.offset == 1
    assert items[2].offset == 2  # type: ignore[union-attr]
    assert items[2].meta.reference_id == "66BUENOSAIRES2481"  # type: ignore[union-attr]


def test_csv_truncated_last_row() -> None:
    items = list(iter_csv([CSV_ROWS[:-30]]))
    assert isinstance(items[0], BadRow) is False
    assert isinstance(items[1], BadRow) and items[1].offset == 1


def test_csv_header_line_skipped_and_latin1_row_noted() -> None:
    head = b"id,date,refid,origin,classification,refs,header,body\n"
    latin = CSV_ROWS.replace(b"MINISTER\\'S", "MINISTER\u00c9S".encode("latin-1"))
    out = list(iter_csv([head + latin]))
    assert len(out) == 2
    first, second = out
    assert first.body[4].startswith("SUBJECT: MINISTER\u00c9S")  # type: ignore[union-attr]
    assert first.notes and first.notes[0][0] == "source.encoding"  # type: ignore[union-attr]
    assert second.notes == []  # type: ignore[union-attr]


def test_csv_garbage_before_first_row() -> None:
    items = list(iter_csv([b"this is not csv\nat all\n" + CSV_ROWS]))
    assert isinstance(items[0], BadRow)
    assert [getattr(i, "offset", None) for i in items[1:]] == [1, 2]


def test_csv_row_with_a_nul_byte_is_reported_alone() -> None:
    # Damage inside one row's body: that row is reported, the rows around it are read.
    damaged = CSV_ROWS.replace(b"VOLPE", b"VOL\x00PE")
    items = list(iter_csv([CSV_ROWS + damaged]))
    assert [type(i).__name__ for i in items] == ["Unwrapped", "Unwrapped", "BadRow", "Unwrapped"]
    bad = items[2]
    assert isinstance(bad, BadRow) and bad.offset == 2
    assert bad.reason.startswith("NUL byte in the row (damaged data)")
    assert items[3].meta.reference_id == "66BUENOSAIRES2481"  # type: ignore[union-attr]


@pytest.mark.parametrize("at", [0, 1, 3, 5, 12, 30])
def test_csv_nul_inside_a_row_opening_loses_only_that_row(at: int) -> None:
    # The NUL hides the row start ("17","3/4/1975 9:05",): the row must still not merge
    # into the row before it.  at=0: just before the opening quote.
    second = CSV_ROWS.replace(b'"17"', b'"16"').replace(b"ROME3012", b"ROME3011")
    data = CSV_ROWS + second
    start = data.index(b'"16","3/4/1975')
    damaged = data[: start + at] + b"\x00" + data[start + at :]
    items = list(iter_csv([damaged]))
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Unwrapped", "Unwrapped", "BadRow", "Unwrapped"], (at, items)
    assert items[2].offset == 2  # type: ignore[union-attr]
    assert items[2].reason.startswith("NUL byte in the row")  # type: ignore[union-attr]
    refs = [i.meta.reference_id for i in items if not isinstance(i, BadRow)]
    assert refs == ["75ROME3012", "66BUENOSAIRES2481", "66BUENOSAIRES2481"]
    # The same damage in the first row, after a header line or not.
    for head in (b"", b"id,date,refid,origin,classification,refs,header,body\n"):
        first = head + CSV_ROWS[:at] + b"\x00" + CSV_ROWS[at:]
        items = list(iter_csv([first]))
        assert [type(i).__name__ for i in items] == ["BadRow", "Unwrapped"], (at, items)
        assert items[0].reason.startswith("NUL byte in the row")  # type: ignore[union-attr]


def test_csv_overlong_row_is_refused_without_holding_it() -> None:
    # A "row" with no next row start for far longer than a cable: reported as one BadRow
    # (its length only), and the rows after it are read.  The chunks are never all held.
    junk = b'"19","1/2/1980 3:04",' + b"x" * 5000 + b"\n"
    chunks = [CSV_ROWS[:300], CSV_ROWS[300:], *[junk[i : i + 97] for i in range(0, 5097, 97)]]
    chunks.append(CSV_ROWS.replace(b'"17"', b'"20"'))
    items = list(iter_csv(chunks, max_record=1000))
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Unwrapped", "Unwrapped", "BadRow", "Unwrapped", "Unwrapped"]
    bad = items[2]
    assert isinstance(bad, BadRow) and bad.offset == 2
    assert bad.reason.startswith("refused:") and f"{len(junk):,} bytes" in bad.reason


# --- encodings ---------------------------------------------------------------------------

_LINE = "UNCLASSIFIED\nSUBJECT: CAF\u00c9 TALKS\n1. (U) Text.\n"


@pytest.mark.parametrize(
    "data, label, guessed",
    [
        ((_LINE * 20).encode("utf-8"), "UTF-8", False),
        (b"\xef\xbb\xbf" + (_LINE * 20).encode("utf-8"), "UTF-8", False),
        ((_LINE * 20).encode("cp1252"), "UTF-8", False),  # cp1252 is a per-item fallback
        ((_LINE * 20).encode("utf-16"), "UTF-16LE", False),
        (b"\xfe\xff" + (_LINE * 20).encode("utf-16-be"), "UTF-16BE", False),
        ((_LINE * 20).encode("utf-16-le"), "UTF-16LE", True),
        ((_LINE * 20).encode("utf-16-be"), "UTF-16BE", True),
        ((_LINE * 20).encode("utf-32"), "UTF-32LE", False),
        # one NUL, or a run of them, in 8-bit text is damage in text, not binary data
        (
            (_LINE * 20).encode("utf-8")[:300] + b"\x00" + (_LINE * 20).encode("utf-8"),
            "UTF-8",
            False,
        ),
        (b"TAGS: PREL\n" + b"\x00" * 512 + (_LINE * 40).encode("utf-8"), "UTF-8", False),
    ],
)
def test_sniff_encoding(data: bytes, label: str, guessed: bool) -> None:
    enc = sniff_encoding(data)
    assert enc is not None and (enc.label, enc.guessed) == (label, guessed)


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 16,  # every byte value
        bytes(4096),  # zero-filled
        b"\x7fELF\x02\x01\x01" + bytes(range(32)) * 64,  # executable-like
        bytes((i * 7919) % 256 for i in range(4096)),  # scrambled
    ],
)
def test_binary_data_is_binary(data: bytes) -> None:
    assert is_binary(data) and sniff_encoding(data) is None


# --- text / markdown copies --------------------------------------------------------------

MARKDOWN = (
    "\n\n"
    "VZCZCXRO2210  \n"
    "RR RUEHAK RUEHIT  \n"
    "DE RUEHNC #0088/01 0311402  \n"
    "ZNY CCCCC ZZH  \n"
    "R 311402Z JAN 08  \n"
    "FM AMEMBASSY NICOSIA  \n"
    "TO RUEHC/SECSTATE WASHDC 8811  \n"
    "INFO RUEHAK/AMEMBASSY ANKARA 0501\n"
    "\n"
    "C O N F I D E N T I A L SECTION 01 OF 02 NICOSIA 000088\n"
    "\n"
    "SIPDIS\n"
    "\n"
    "E.O. 12958: DECL: 01/31/2018\n"
    "\n"
    "TAGS: [PREL](#) [PGOV](#) [CY](#)\n"
    "\n"
    "SUBJECT: CYPRUS: TALKS ON TALKS  \n"
    "RESUME\n"
    "\n"
    "REF: A. NICOSIA 70\n"
    "\n"
    "[1](#)B. STATE 9911\n"
    "\n"
    "#### SUMMARY\n"
    "\n"
    "[1](#)1. (C) Talks resumed. End Summary.\n"
    "\n"
    "\u00b62. (C) More talks.\n"
    "\n"
    "SMITH"
)


def test_markdown_copy() -> None:
    u = unwrap_text(MARKDOWN, path="copy.md")
    assert u.form == "markdown"
    assert u.header is not None
    assert u.header[0] == "VZCZCXRO2210"
    assert u.header[-1] == "INFO RUEHAK/AMEMBASSY ANKARA 0501"
    assert len(u.header) == 8
    assert u.body[0] == "C O N F I D E N T I A L SECTION 01 OF 02 NICOSIA 000088"
    assert "TAGS: PREL PGOV CY" in u.body
    assert "SUBJECT: CYPRUS: TALKS ON TALKS" in u.body
    assert "B. STATE 9911" in u.body
    assert "SUMMARY" in u.body
    assert "1. (C) Talks resumed. End Summary." in u.body
    assert "2. (C) More talks." in u.body
    assert u.body[-1] == "SMITH"
    assert all(line == line.rstrip() for line in u.body)


def test_plain_text_copy_is_text_form() -> None:
    plain = MARKDOWN.replace("  \n", "\n").replace("[1](#)", "\u00b6").replace("#### ", "")
    plain = plain.replace("[PREL](#) [PGOV](#) [CY](#)", "PREL PGOV CY")
    u = unwrap_text(plain)
    assert u.form == "text"
    assert "1. (C) Talks resumed. End Summary." in u.body
    assert len(u.header or []) == 8


def test_header_split_xyz_form_blank_before_de() -> None:
    lines = [
        "VZCZCXYZ0001",
        "RR RUEHWEB",
        "",
        "DE RUEHGV #0101 0301200",
        "ZNR UUUUU ZZH",
        "R 301200Z JAN 09",
        "FM USMISSION GENEVA",
        "TO SECSTATE WASHDC 0001",
        "",
        "UNCLAS GENEVA 000101",
        "",
        "E.O. 12958: N/A",
    ]
    header, body = split_header(lines)
    assert header == lines[:8]
    assert body == lines[9:]


def test_header_ends_at_banner_without_blank_line() -> None:
    lines = ["R 101010Z MAR 79", "FM AMEMBASSY TEHRAN", "TO SECSTATE WASHDC 3182", "AMEMBASSY BONN"]
    lines += ["C O N F I D E N T I A L TEHRAN 08980", "E.O. 12065: GDS"]
    header, body = split_header(lines)
    assert header == lines[:4]
    assert body[0].startswith("C O N F I D E N T I A L")


def test_no_header() -> None:
    header, body = split_header(["", "UNCLAS ROME 000001", "TAGS: PREL"])
    assert header is None
    assert body == ["UNCLAS ROME 000001", "TAGS: PREL"]


# --- raw telegrams -----------------------------------------------------------------------

TELEGRAM = """VZCZCXRO0450
OO RUEHBW
DE RUEHSQ #0450/01 1221015
ZNY CCCCC ZZH
O 021015Z MAY 09
FM AMEMBASSY SKOPJE
TO RUEHC/SECSTATE WASHDC IMMEDIATE 7001
BT
C O N F I D E N T I A L SKOPJE 000450
SIPDIS
E.O. 12958: DECL: 05/02/2019
TAGS: PGOV, MK
SUBJECT: TEST
1. (C) Text.
JONES
BT
#0450
NNNN
"""


def test_telegram_with_bt_and_nnnn() -> None:
    u = unwrap_telegram(TELEGRAM, path="t.txt", year=2009)
    assert u.form == "telegram"
    assert u.header is not None and u.header[0] == "VZCZCXRO0450"
    assert u.header[-1] == "TO RUEHC/SECSTATE WASHDC IMMEDIATE 7001"
    assert u.body[0] == "C O N F I D E N T I A L SKOPJE 000450"
    assert u.body[-1] == "JONES"
    assert u.meta.year == 2009


def test_telegram_without_framing() -> None:
    text = TELEGRAM.replace("BT\n", "", 1).split("BT\n")[0]
    text = text.replace("7001\nC O N", "7001\n\nC O N") + "NNNN\n"
    u = unwrap_telegram(text)
    assert len(u.header or []) == 7
    assert u.body[0] == "C O N F I D E N T I A L SKOPJE 000450"
    assert u.body[-1] == "JONES"


# --- fragments ---------------------------------------------------------------------------


def test_fragment_ref_block_with_context() -> None:
    u = unwrap_fragment(
        "\nREF: A. STATE 1234\n     B. ROME 55  \n\n", year=2007, reference_id="07ROME9"
    )
    assert u.form == "fragment"
    assert u.header is None
    assert u.body == ["REF: A. STATE 1234", "     B. ROME 55"]
    assert u.meta.year == 2007
    assert u.meta.reference_id == "07ROME9"


def test_fragment_tags_line() -> None:
    u = unwrap_fragment("TAGS: PREL, PGOV, IZ")
    assert u.body == ["TAGS: PREL, PGOV, IZ"]
    assert u.meta.year is None


def test_fragment_with_escaped_line_breaks() -> None:
    # pasted from a JSON string: `\n` is a line break; `\\n` (an escaped backslash) is not
    u = unwrap_fragment("TAGS: PREL ZE\\nSUBJECT: ZENDA TALKS \nREF: A\\\\nB")
    assert u.body == ["TAGS: PREL ZE", "SUBJECT: ZENDA TALKS", "REF: A\\\\nB"]


@pytest.mark.parametrize("form", ["fragment", "text", "telegram", "auto"])
def test_subject_after_an_escaped_line_break(form: str) -> None:
    c = parse_text("TAGS: PREL ZE\\nSUBJECT: ZENDA TALKS \n\nREF: ZENDA 12", form=form)
    assert (c.subject, c.tags) == ("ZENDA TALKS", ["PREL", "ZE"])


def test_telegram_and_text_with_escaped_line_breaks() -> None:
    text = "FM AMEMBASSY ZENDA\\nTO SECSTATE WASHDC\n\nSUBJECT: RAIN\\n\\n1. It rained.\\\\n"
    for u in (unwrap_telegram(text), unwrap_text(text)):
        assert u.header == ["FM AMEMBASSY ZENDA", "TO SECSTATE WASHDC"]
        assert u.body == ["SUBJECT: RAIN", "", "1. It rained.\\\\n"]


# --- detection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sample, name, form",
    [
        (PAGE, None, "html"),
        (PAGE.encode(), "10MUSCAT217.html", "html"),
        ("<p>x</p>", "page.htm", "html"),
        (CSV_ROWS, None, "csv"),
        (CSV_ROWS.decode("utf-8"), "cables.csv", "csv"),
        (b"id,date\n", "cables.csv.xz", "csv"),
        (b"id,date,refid,origin,class,refs,header,body\n" + CSV_ROWS, None, "csv"),
        (MARKDOWN, None, "markdown"),
        (MARKDOWN.encode(), "seed.txt", "markdown"),
        ("TAGS: PREL", "notes.md", "markdown"),
        (
            MARKDOWN.replace("  \n", "\n")
            .replace("[1](#)", "\u00b6")
            .replace("#### ", "")
            .replace("[PREL](#) [PGOV](#) [CY](#)", "PREL"),
            None,
            "text",
        ),
        (TELEGRAM, None, "telegram"),
        (TELEGRAM.encode(), "cable.txt", "telegram"),
        ("R 101010Z MAR 79\nFM AMEMBASSY TEHRAN\n", None, "telegram"),
        ("UNCLAS ROME 000001\n\nTAGS: PREL\n", None, "fragment"),
        ("REF: A. STATE 1\n", "ref.txt", "fragment"),
        ("", None, "fragment"),
        (b"\x00\x01\xff\xfe", None, "fragment"),
    ],
)
def test_detect_form(sample: bytes | str, name: str | None, form: str) -> None:
    assert detect_form(sample, name) == form


@pytest.mark.parametrize(
    "text, expected",
    [
        ("REF: A. STATE 1234", True),
        ("TAGS: PREL, PGOV", True),
        ("S E C R E T SECTION 01 OF 02 ROME 000001", True),
        ("3. (C) A paragraph.", True),
        ("Classified By: DCM Jo Bloggs, reasons 1.4 (b)", True),
        ("FM AMEMBASSY ROME", True),
        ("Dear Sir, thank you for your letter.", False),
        ("# README\n\nThis folder holds cables.", False),
        ("", False),
    ],
)
def test_looks_like_cable(text: str, expected: bool) -> None:
    assert looks_like_cable(text) is expected
