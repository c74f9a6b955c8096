"""Redactions (FORMAT.md §4.13): X runs in every field, whole-line redactions between paragraphs."""

from __future__ import annotations

from cablebase.grammar import redactions, text
from cablebase.grammar.state import State
from cablebase.grammar.unwrapped import Meta
from cablebase.record import Cable, ClassifiedBy, Redaction, Reference


def test_whole_line_redactions_stand_alone_and_explain_the_gap():
    lines = [
        "12. (S) ATT said he believes the leadership wants to cooperate.",
        "",
        "XXXXXXXXXXXXX",
        "",
        "XXXXXXXXXXXXX",
        "",
        "15. (S) General Ward said the United States will help.",
        "",
        "MILOVANOVIC",
    ]
    st = State(cable=Cable(), meta=Meta())
    text.parse_text(lines, 0, st)
    redactions.find_redactions(st)
    c = st.cable
    numbered = [p for p in c.paragraphs if p.number is not None]
    assert [p.number for p in numbered] == [12, 15]
    assert all("XXXX" not in p.text for p in numbered)
    assert c.redactions == [Redaction(where="body", length=13), Redaction(where="body", length=13)]
    gap = [w for w in c.warnings if w.code == "text.paragraph_gap" and w.where == "paragraph:15"]
    assert len(gap) == 1  # (the snippet also starts at 12, which warns on its own)
    assert "redaction" in gap[0].message
    assert gap[0].where == "paragraph:15"


def test_redactions_in_every_field():
    c = Cable(
        post="XXXXXXXXXXXX",
        subject="BURMA XXXXXXXXXXXX REPORT",
        references=[Reference(letter="A", text="XXXXXXXXXXXX E-MAIL", kind="email")],
        classified_by=ClassifiedBy(text="XXXXXXXXXXXX, reasons 1.4 (b)"),
    )
    st = State(cable=c, meta=Meta())
    text.parse_text(
        [
            "1. (S) A businessmanXXXXXXXXXXXX said (S)xxxxx and [XXXXXXXXXXXX] too.",
            "",
            "2. (C) Nothing here, even with Xerxes and xxx.",
            "",
            "3. (C) The meeting included:",
            "XXXXXXXXXXX",
            "XXXX",
            "",
            "DOE",
        ],
        0,
        st,
    )
    redactions.find_redactions(st)
    assert [(r.where, r.length) for r in c.redactions] == [
        ("banner", 12),
        ("subject", 12),
        ("ref", 12),
        ("classified_by", 12),
        ("paragraph:1", 12),
        ("paragraph:1", 5),
        ("paragraph:1", 12),
        ("paragraph:3", 11),
        ("paragraph:3", 4),
    ]
    # a list of redacted names inside a paragraph stays in that paragraph
    assert c.paragraphs[2].text == "The meeting included: XXXXXXXXXXX XXXX"


def test_find_redactions_is_idempotent():
    c = Cable(subject="XXXXXXXXXXXX")
    st = State(cable=c, meta=Meta())
    redactions.find_redactions(st)
    redactions.find_redactions(st)
    assert c.redactions == [Redaction(where="subject", length=12)]
