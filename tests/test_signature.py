"""Signature and trailers (FORMAT.md §4.11)."""

from __future__ import annotations

import pytest

from cablebase.grammar import text
from cablebase.grammar.signature import take_signature
from cablebase.grammar.state import State
from cablebase.grammar.unwrapped import Meta
from cablebase.record import Cable


@pytest.mark.parametrize(
    ("lines", "signers", "rest"),
    [
        (["Text ends.", "", "MILOVANOVIC"], ["MILOVANOVIC"], ["Text ends."]),
        (["Text ends.", "", "MILOVANOVIC", "", "MILOVANOVIC"], ["MILOVANOVIC"], ["Text ends."]),
        (["Text ends.", "PARDEW PARDEW"], ["PARDEW"], ["Text ends."]),
        (["Text ends.", "MANZANARES ."], ["MANZANARES"], ["Text ends."]),
        (["Text ends.", "TIMKEN JR"], ["TIMKEN JR"], ["Text ends."]),
        (["Text ends.", "Beyrle"], ["BEYRLE"], ["Text ends."]),
        (["Text ends.", "van Voorst"], ["VAN VOORST"], ["Text ends."]),
        (
            ["We stand ready to help on this issue. DANILOVICH"],
            ["DANILOVICH"],
            ["We stand ready to help on this issue."],
        ),
        (["Oil flows into Europe. Edelman"], ["EDELMAN"], ["Oil flows into Europe."]),
        (["END TEXT. CLINTON"], ["CLINTON"], ["END TEXT."]),
        (["Text.", "CLINTON UNQUOTE CLINTON"], ["CLINTON"], ["Text.", "CLINTON UNQUOTE"]),
        (["Text ends.", "RICE", "NNNN"], ["RICE"], ["Text ends."]),
        (["Text ends.", "RICE", "", "CONFIDENTIAL", ">"], ["RICE"], ["Text ends."]),
        (["Text ends.", "WOOD", "2004CARACA02200 - CONFIDENTIAL"], ["WOOD"], ["Text ends."]),
        (["Text ends.", "ORTEGA", "DANIEL ORTEGA AN..."], ["ORTEGA"], ["Text ends."]),
        (["It was clear.8 KURTZ"], ["KURTZ"], ["It was clear.8"]),
    ],
)
def test_signature_forms(lines, signers, rest):
    sig = take_signature(lines)
    assert sig.signers == signers
    assert sig.lines == rest
    assert not sig.truncated


@pytest.mark.parametrize(
    "lines",
    [
        ["Post will continue to monitor these developments and report a"],
        ["The talks were held at the Ministry of", "Defense"],
        ["Text.", "END COMMENT"],
        ["Text.", "XXXXXXXXXXXX"],
        ["Text ends in a full sentence."],
    ],
)
def test_no_signature(lines):
    assert take_signature(lines).signers == []


def test_truncated_text_warns_and_signed_text_does_not():
    st = State(cable=Cable(), meta=Meta())
    text.parse_text(["1. (C) Post will continue to monitor and report a"], 0, st)
    assert st.cable.signers == []
    assert [w.code for w in st.cable.warnings] == ["text.truncated"]
    st = State(cable=Cable(), meta=Meta())
    text.parse_text(["1. (C) Post will report.", "", "Smith"], 0, st)
    assert st.cable.signers == ["SMITH"]
    assert st.cable.paragraphs[-1].text == "Post will report."
    assert st.cable.warnings == []


def test_glued_signature_removed_from_last_paragraph():
    st = State(cable=Cable(), meta=Meta())
    text.parse_text(["1. (C) One.", "", "2. (U) General Ward cleared this message. WARD"], 0, st)
    assert st.cable.signers == ["WARD"]
    assert st.cable.paragraphs[-1].text == "General Ward cleared this message."


@pytest.mark.parametrize(
    "lines",
    [
        ["Point of contact is RSO Jane Roe, telephone 555-0100. Regards."],
        ["The Ambassador will raise it again next week.", "", "Thanks"],
        ["We look forward to your reply.", "Sincerely,"],
        ["Please advise. Best"],
    ],
)
def test_closing_word_is_not_a_signer(lines):
    assert take_signature(lines).signers == []


def _text_after(lines: list[str], start: int) -> Cable:
    st = State(cable=Cable(), meta=Meta())
    text.parse_text(lines, start, st)
    return st.cable


def test_signature_glued_to_a_preamble_line_that_swallowed_the_text():
    # the paragraph was glued to the Classified By reason line and went with it
    lines = [
        "SUBJECT: FISHING TALKS DELIVERED",
        "",
        "Classified By: Jane Q. Doe, Ambassador, Embassy Valletta,",
        "REASON: 1.4 (b), (d) (C) The Ambassador called the Minister of Fisheries on "
        "Tuesday and delivered the points; he agreed to table them at the next "
        "meeting of the council. DOE",
    ]
    c = _text_after(lines, 4)
    assert c.signers == ["DOE"]
    assert c.paragraphs == []


def test_lone_name_after_a_preamble_line_that_swallowed_the_text():
    lines = [
        "Classified By: DCM John Roe for reasons 1.4 (b, d)",
        "(C) The Foreign Minister told the Ambassador on Monday that the",
        "government would support the resolution at the next session.",
        "ROE",
    ]
    c = _text_after(lines, 3)
    assert c.signers == ["ROE"]
    assert c.paragraphs == []


def test_short_preamble_line_is_not_read_for_a_signature():
    # a TAGS line is not prose: no name is taken from it
    c = _text_after(["TAGS: PREL PGOV", "SUBJECT: TALKS. SMITH"], 2)
    assert c.signers == []
