"""Renderer unit tests on a hand-built record; expected text written by hand."""

from __future__ import annotations

import csv
import io

from cablebase import parse_text, render
from cablebase.record import (
    Cable,
    ClassifiedBy,
    Paragraph,
    Recipient,
    Reference,
    Sections,
    Station,
)


def _cable() -> Cable:
    return Cable(
        reference_id="09VELDORA412",
        created="2009-03-04T15:27:00Z",
        created_from="dtg",
        released="2010-12-02T18:00:00Z",
        origin="Embassy Veldora",
        post="VELDORA",
        classification="CONFIDENTIAL",
        handling=["SIPDIS", "NOFORN"],
        title="MINISTER KAMOR ON THE PORT PROJECT",
        header_kind="acp127",
        transmission_id="VZCZCXRO1234",
        routing=["RUEHZZ"],
        station=Station(route="RUEHVD", serial="0412", part="01", julian="0631527"),
        security="ZNY CCCCC ZZH",
        dtg="041527Z MAR 09",
        precedence="PRIORITY",
        sender="AMEMBASSY VELDORA",
        recipients=[
            Recipient(
                role="to",
                route="RUEHC",
                name="SECSTATE WASHDC",
                precedence="PRIORITY",
                serial="1021",
            ),
            Recipient(
                role="info", route="RUEHZZ", name="AMEMBASSY OSTRAVEN", precedence="PRIORITY"
            ),
            Recipient(
                role="info", route="RHEHNSC", name="NSC WASHDC", office="AFR", precedence="PRIORITY"
            ),
        ],
        captions=["DEPT FOR AF/W"],
        eo="12958",
        declassify_on="2019-03-04",
        classified_by=ClassifiedBy(
            text="DCM Lena Farrow, Embassy Veldora, for reasons 1.4 (b) and (d).",
            name="Lena Farrow",
            title="DCM",
            office="Embassy Veldora",
        ),
        classification_reasons=["1.4(b)", "1.4(d)"],
        tags=["PREL", "ECON", "VD"],
        subject="MINISTER KAMOR ON THE PORT PROJECT",
        references=[
            Reference(letter="A", text="VELDORA 377", kind="cable", id="09VELDORA377"),
            Reference(letter="B", text="08 STATE 1200", kind="cable", id="08STATE1200"),
        ],
        listed_references=["09VELDORA377", "08STATE1200"],
        paragraphs=[
            Paragraph(
                number=1, portion="C", heading="SUMMARY", text="The minister wants a quick start."
            ),
            Paragraph(number=2, portion="C/NF", text="He named three firms:\n-- Alpha;\n-- Beta."),
        ],
        signers=["HALDEN"],
    )


EXPECTED_TELEGRAM = """\
VZCZCXRO1234
PP RUEHZZ
DE RUEHVD #0412/01 0631527
ZNY CCCCC ZZH
P 041527Z MAR 09
FM AMEMBASSY VELDORA
TO RUEHC/SECSTATE WASHDC PRIORITY 1021
INFO RUEHZZ/AMEMBASSY OSTRAVEN PRIORITY
RHEHNSC/NSC WASHDC//AFR// PRIORITY

C O N F I D E N T I A L VELDORA 000412

SIPDIS
NOFORN
DEPT FOR AF/W

E.O. 12958: DECL: 03/04/2019
TAGS: PREL ECON VD
SUBJECT: MINISTER KAMOR ON THE PORT PROJECT

REF: A. VELDORA 377
B. 08 STATE 1200

Classified By: DCM Lena Farrow, Embassy Veldora, for reasons 1.4 (b)
and (d).

SUMMARY
-------

1. (C) The minister wants a quick start.

2. (C/NF) He named three firms:
-- Alpha;
-- Beta.

HALDEN
"""


def test_telegram_by_hand():
    assert render.to_telegram(_cable()) == EXPECTED_TELEGRAM
    assert render.render(_cable()) == EXPECTED_TELEGRAM


def test_wrap_keeps_words_and_avoids_structure_starts():
    text = "word " * 13 + "12. next and B. more"
    lines = render.wrap(text, 68)
    assert " ".join(lines) == text.strip() or " ".join(lines) == text
    assert all(len(x) <= 68 for x in lines[:-1])
    assert not any(x.startswith(("12.", "B.")) for x in lines[1:])


def test_sections_banner_and_page_markers():
    c = _cable()
    c.sections = Sections(number=1, total=2)
    c.paragraphs[1].text = "This long paragraph keeps going " * 30 + "until it ends."
    body = render.body_lines(c)
    assert body[0] == "C O N F I D E N T I A L SECTION 01 OF 02 VELDORA 000412"
    markers = [i for i, x in enumerate(body) if x == "VELDORA 00000412 002 OF 002"]
    assert len(markers) == 1
    i = markers[0]
    # the marker splits a sentence: the line before runs on, the line after is lower case
    assert body[i - 1] == "" and body[i + 1] == ""
    assert body[i + 2][:1].islower()
    assert not body[i - 2].endswith(".")


def test_unclassified_banner_and_na():
    c = _cable()
    c.classification = "UNCLASSIFIED"
    c.declassify_on = None
    c.declassify_rule = "N/A"
    body = render.body_lines(c)
    assert body[0] == "UNCLAS VELDORA 000412"
    assert "E.O. 12958: N/A" in body


def test_markdown_web_copy_like_the_seed():
    text = render.to_form(_cable(), "markdown")
    assert text.startswith("\n\nVZCZCXRO1234  \nPP RUEHZZ  \n")
    assert "RHEHNSC/NSC WASHDC//AFR// PRIORITY\n\nC O N F I D" in text  # last header line bare
    assert "TAGS: [PREL](#) [ECON](#) [VD](#)" in text
    assert "\n\n[1](#)B. 08 STATE 1200\n\n" in text
    assert "\n\n#### SUMMARY\n\n[1](#)1. (C) The minister wants a quick start.\n\n" in text
    assert "[1](#)2. (C/NF) He named three firms:\n-- Alpha;\n-- Beta.\n\nHALDEN" in text
    assert not text.endswith("\n")
    plain = render.to_form(_cable(), "text")
    assert "](#)" not in plain and "¶" not in plain
    assert "TAGS: PREL ECON VD" in plain


def test_html_page_structure():
    page = render.to_form(_cable(), "html")
    assert "<h3>Viewing cable 09VELDORA412, MINISTER KAMOR ON THE PORT PROJECT</h3>" in page
    # Created minute is the 12-hour clock hour (Cablegate's %H:%I bug): 15:27 -> 15:03
    assert "<a href='/date/2009-03_0.html'>2009-03-04 15:03</a>" in page
    assert "<a href='/reldate/2010-12-02_0.html'>2010-12-02 18:06</a>" in page
    assert "title='secret'>CONFIDENTIAL//NOFORN</a>" in page  # the shifted title attribute
    assert page.count("<pre>") == 2 and "&#x000A;" in page
    pre1, pre2 = page.split("<pre>")[1:]
    assert "\n" not in pre1.split("</pre>")[0] and "\n" not in pre2.split("</pre>")[0]
    assert "TAGS: <a href='/tag/PREL_0.html'>PREL</a> <a href='/tag/ECON_0.html'>ECON</a>" in page
    assert "<a id='par1' href='#par1'>¶</a>1. (C) The minister" in page
    assert "<a id='parB' href='#parB'>¶</a>B. 08 STATE 1200" in page
    assert render.html_path(_cable()) == "cable/2009/03/09VELDORA412.html"


def test_csv_row():
    row_text = render.to_csv_row(_cable(), 7)
    assert row_text.startswith('"7","3/4/2009 15:27","09VELDORA412","Embassy Veldora",')
    assert '"CONFIDENTIAL//NOFORN","09VELDORA377|08STATE1200","VZCZC' in row_text
    c = _cable()
    c.paragraphs[0].text = 'He said "no" to the minister\'s plan.'
    row_text = render.to_csv_row(c, 7)
    assert '\\"no\\"' in row_text and "minister\\'s" in row_text
    rows = list(csv.reader(io.StringIO(row_text), quotechar='"', escapechar="\\"))
    assert len(rows) == 1 and len(rows[0]) == 8
    assert 'He said "no" to the minister\'s plan.' in rows[0][7]


def test_readable_markdown():
    md = render.to_markdown(_cable())
    assert md.startswith("# 09VELDORA412: MINISTER KAMOR ON THE PORT PROJECT")
    assert "**(C/NF)**" in md and "### SUMMARY" in md
    assert "- A. VELDORA 377 → [09VELDORA377](09VELDORA377)" in md


def test_unknown_form():
    import pytest

    with pytest.raises(ValueError):
        render.to_form(_cable(), "pdf")


def test_person_tags_of_a_page_read_back_the_same_in_every_form():
    # a page writes persons without their commas; the record keeps them `SURNAME, GIVEN`, and a
    # rendered TAGS line must not cut them (nor the tags around them) at that comma
    text = (
        "UNCLAS ZENDA 000123\n\nSIPDIS\n\nE.O. 12958: N/A\n"
        "TAGS: CASC PHUM ZE HARTLEY ROBERT VANCE SUSAN OVIP BIDEN JOSEPH\n"
        "SUBJECT: ZENDA: A TEST OF THE TAGS LINE\n\n1. (U) The embassy reports on a test.\n\nSMITH\n"
    )
    c = parse_text(text, form="telegram")
    assert c.tags == [
        "CASC",
        "PHUM",
        "ZE",
        "HARTLEY, ROBERT",
        "VANCE, SUSAN",
        "OVIP",
        "BIDEN, JOSEPH",
    ]
    for form in ("telegram", "text", "markdown", "html", "csv"):
        assert parse_text(render.to_form(c, form)).tags == c.tags, form
