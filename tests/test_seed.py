"""The seed (09BAMAKO776 as a markdown copy of its web page) parses to its real fields.

Expected values were read off the seed text and FORMAT.md §1.2.
"""

from __future__ import annotations

from cablebase.parse import parse_text


def test_seed_fields(seed_path) -> None:
    c = parse_text(seed_path.read_text(encoding="utf-8"))
    assert c.source.form in ("markdown", "text")
    assert c.reference_id == "09BAMAKO776"
    assert c.created == "2009-12-01T16:39:00Z"
    assert c.created_from == "dtg"
    assert c.classification == "SECRET"
    assert "SIPDIS" in c.handling
    assert c.transmission_id == "VZCZCXRO4337"
    assert c.routing == ["RUEHPA"]
    assert (c.station.route, c.station.serial, c.station.part, c.station.julian) == (
        "RUEHBP",
        "0776",
        "01",
        "3351639",
    )
    assert c.security == "ZNY SSSSS ZZH"
    assert c.precedence == "IMMEDIATE"
    assert c.sender == "AMEMBASSY BAMAKO"
    assert c.origin == "Embassy Bamako"
    assert [(r.role, r.route, r.name) for r in c.recipients][:3] == [
        ("to", "RUEHC", "SECSTATE WASHDC"),
        ("info", "RUEHZK", "ECOWAS COLLECTIVE"),
        ("info", "RUEHAS", "AMEMBASSY ALGIERS"),
    ]
    assert len(c.recipients) == 11
    to = c.recipients[0]
    assert (to.precedence, to.serial) == ("IMMEDIATE", "0930")
    assert c.recipients[1].collective
    assert c.post == "BAMAKO"
    assert (c.sections.number, c.sections.total) == (1, 3)
    assert c.eo == "12958"
    assert c.declassify_on == "2019-11-30"
    assert c.tags == ["ASEC", "ML", "PGOV", "PINR", "PREL", "PTER"]
    assert c.subject == (
        "AMBASSADOR AND GENERAL WARD MEET WITH MALIAN PRESIDENT AMADOU TOUMANI TOURE"
    )
    assert [(r.letter, r.kind, r.id) for r in c.references] == [
        ("A", "cable", "09BAMAKO754"),
        ("B", "cable", "08BAMAKO217"),
    ]
    assert c.classified_by.name == "Gillian Milovanovic"
    assert c.classified_by.title == "Ambassador"
    assert c.classification_reasons == ["1.4(b)", "1.4(d)"]
    numbers = [p.number for p in c.paragraphs if p.number is not None]
    assert numbers == [*range(1, 13), 15, 16]
    assert [p.portion for p in c.paragraphs if p.number] == ["S"] * 13 + ["U"]
    assert c.paragraphs[0].heading == "SUMMARY"
    assert c.paragraphs[0].text.startswith("On November 27 the Ambassador and Commander")
    # The page marker and the spurious blank lines are gone; split sentences are joined.
    p5 = next(p for p in c.paragraphs if p.number == 5)
    assert "three or four countries working together rather than alone" in p5.text
    p3 = next(p for p in c.paragraphs if p.number == 3)
    assert "the older generation in the military giving way" in p3.text
    assert all("00000776" not in p.text for p in c.paragraphs)
    assert c.signers == ["MILOVANOVIC"]
    assert [r.length for r in c.redactions] == [13, 13]
    assert c.summary and c.summary.startswith("On November 27")


def test_seed_defects_are_warnings(seed_path) -> None:
    c = parse_text(seed_path.read_text(encoding="utf-8"))
    codes = {w.code for w in c.warnings}
    # RUEHNM is Niamey's routing indicator, but the seed writes it before Nouakchott.
    route = [w for w in c.warnings if "RUEHNM" in w.message and "NOUAKCHOTT" in w.message.upper()]
    assert route, c.warnings
    # Paragraphs 13-14 are replaced by two redaction lines: numbering jumps 12 -> 15.
    assert "text.paragraph_gap" in codes
    assert "parser.internal_error" not in codes
