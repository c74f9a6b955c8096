"""Page markers (FORMAT.md §4.12): own-line, inline, running SUBJECT headers, printouts."""

from __future__ import annotations

import pytest

from cablebase.grammar.pages import remove_markers, strip_page_markers
from cablebase.grammar.state import State
from cablebase.grammar.unwrapped import Meta
from cablebase.record import Cable


def _state(post: str | None = "OSLO") -> State:
    return State(cable=Cable(post=post), meta=Meta())


def test_own_line_marker_splitting_a_sentence_is_joined():
    lines = [
        "C O N F I D E N T I A L SECTION 01 OF 02 OSLO 000123",
        "",
        "1. (C) The minister said the talks would continue through",
        "",
        "OSLO 00000123 002 OF 002",
        "",
        "",
        "the spring, and that no date had been fixed.",
    ]
    st = _state()
    out = strip_page_markers(lines, 1, st)
    assert out[0] == lines[0]
    assert out[1:] == [
        "",
        "1. (C) The minister said the talks would continue through the spring, "
        "and that no date had been fixed.",
    ]
    assert len(st.page_markers) == 1
    pm = st.page_markers[0]
    assert (pm.post, pm.serial, pm.page, pm.total, pm.line) == ("OSLO", "00000123", "002", 2, 4)


def test_marker_variants_mixed_case_subpart_and_cut_post():
    lines = [
        "banner",
        "text ends here.",
        "Kiev 00001261 002.2 of 004",
        "New sentence starts.",
        "BUENOS AIR 00000456 003 OF 004",
        "More text.",
    ]
    st = _state("BUENOS AIRES")
    out = strip_page_markers(lines, 1, st)
    assert out == ["banner", "text ends here.", "New sentence starts.", "More text."]
    assert [m.page for m in st.page_markers] == ["002.2", "003"]
    assert [m.post for m in st.page_markers] == ["Kiev", "BUENOS AIR"]


def test_marker_between_sentences_with_blank_lines_keeps_one_break():
    lines = ["b", "First paragraph ends.", "", "LIMA 00000001 002 OF 002", "", "Next one."]
    out = strip_page_markers(lines, 1, _state("LIMA"))
    assert out == ["b", "First paragraph ends.", "", "Next one."]


def test_upper_case_continuation_after_mid_sentence_break_stays_adjacent():
    lines = [
        "b",
        "He met with the",
        "",
        "ROME 00000002 002 OF 003",
        "",
        "",
        "Prime Minister today.",
    ]
    out = strip_page_markers(lines, 1, _state("ROME"))
    assert out == ["b", "He met with the", "Prime Minister today."]


@pytest.mark.parametrize(
    "after",
    [
        "Country Conditions",
        "Classified By: Ambassador Roe for reasons 1.4 (b) and (d).",
        "THIS MESS...",
    ],
)
def test_first_page_marker_set_off_by_a_blank_line_ends_the_block_above(after):
    # the first page's marker below the SUBJECT: the next block does not rejoin it
    lines = ["b", "SUBJECT: FRAUD SUMMARY - (ROME)", "ROME 00000379  001.2 OF 004", "", after]
    out = strip_page_markers(lines, 1, _state("ROME"))
    assert out == ["b", "SUBJECT: FRAUD SUMMARY - (ROME)", "", after]


@pytest.mark.parametrize("tail", [[""], ["", " ", ""]])
def test_first_page_marker_ending_the_text(tail):
    # the marker is the text's last line, blank lines after it: nothing rejoins, nothing breaks
    lines = ["b", "SUBJECT: WHEAT PRICES AND", "THE HARVEST", "LIMA 00000412  001.2 OF 003", *tail]
    out = strip_page_markers(lines, 1, _state("LIMA"))
    assert out[:3] == ["b", "SUBJECT: WHEAT PRICES AND", "THE HARVEST"]
    assert not any(x.strip() for x in out[3:])


def test_cancellation_note_after_the_first_page_marker_still_rejoins():
    # the note carries the SUBJECT's wrapped end (subject.py reads it out)
    note = "////ZFR CANCEL THIS MESSAGE.  NEW MESSAGE SENT OUT UNDER MRN QUARTERLY UPDATE"
    lines = ["b", "SUBJECT: THE ECONOMY", "", "ROME 00000017  001.6 OF 004", "", note]
    out = strip_page_markers(lines, 1, _state("ROME"))
    assert out == ["b", "SUBJECT: THE ECONOMY", note]


def test_inline_marker_in_unwrapped_text():
    lines = [
        "banner",
        "4. (SBU) The bill would change BRASILIA 00001378 003.2 OF 003 the current legislation.",
    ]
    st = _state("BRASILIA")
    out = strip_page_markers(lines, 1, st)
    assert out[1] == "4. (SBU) The bill would change the current legislation."
    assert st.page_markers[0].page == "003.2"


def test_inline_marker_without_known_post_uses_capitalised_words():
    lines = ["banner", "5. (C) They said that NEW DELHI 00009527 004 OF 005 the plan works."]
    st = _state(None)
    out = strip_page_markers(lines, 1, st)
    assert out[1] == "5. (C) They said that the plan works."
    assert st.page_markers[0].post == "NEW DELHI"


def test_marker_at_line_start_with_text_joins_previous_line():
    lines = [
        "b",
        "11. (C) Opponents contend that the drafters failed to study",
        "NEW DELHI 00009527  004 OF 005  the effect of similar programs.",
    ]
    out = strip_page_markers(lines, 1, _state("NEW DELHI"))
    assert out == [
        "b",
        "11. (C) Opponents contend that the drafters failed to study the effect of similar "
        "programs.",
    ]


def test_running_subject_header_removed_but_first_subject_kept():
    lines = [
        "S E C R E T SECTION 01 OF 02 PARIS 000741",
        "PARIS 00000741 001.2 OF 002",
        "SUBJECT: FRANCE AND GERMANY DISCUSS THE NEW",
        "NUCLEAR FUEL BANK",
        "",
        "1. (S) Officials of both countries say that",
        "",
        "PARIS 00000741 002 OF 002",
        "",
        "SUBJECT: FRANCE AND GERMANY DISCUSS THE NEW",
        "",
        "the bank will open next year.",
    ]
    st = _state("PARIS")
    out = strip_page_markers(lines, 1, st)
    assert out == [
        lines[0],
        "SUBJECT: FRANCE AND GERMANY DISCUSS THE NEW",
        "NUCLEAR FUEL BANK",
        "",
        "1. (S) Officials of both countries say that the bank will open next year.",
    ]
    assert len(st.page_markers) == 2


def test_running_subject_header_with_glued_next_paragraph_keeps_the_words():
    lines = [
        "banner",
        "SUBJECT: NUCLEAR TALKS WITH FRANCE AND GERMANY",
        "",
        "1. (C) First paragraph.",
        "",
        "STATE 00082013 002 OF 003",
        "",
        "SUBJECT: NUCLEAR TALKS WITH FRANCE AND GERMA credit for our initiatives was given.",
    ]
    out = strip_page_markers(lines, 1, _state("STATE"))
    assert out[-1] == "credit for our initiatives was given."
    assert "SUBJECT: NUCLEAR TALKS WITH FRANCE AND GERMANY" in out


def test_lines_before_start_untouched():
    lines = ["OSLO 00000123 002 OF 002", "banner", "text.", "OSLO 00000123 002 OF 002", "more."]
    out = strip_page_markers(lines, 2, _state())
    assert out[:2] == lines[:2]
    assert out[2:] == ["text.", "more."]


def test_no_marker_returns_equal_copy():
    lines = ["banner", "1. (C) Nothing to see here, 12345678 people of 2009."]
    out = strip_page_markers(lines, 1, _state())
    assert out == lines


def test_old_printout_page_header_and_classification_line():
    lines = [
        "CONFIDENTIAL SECTION 01 OF 02 HARARE 06677",
        "2. (C) THE MINISTER SAID THE",
        "                       CONFIDENTIAL",
        "",
        "PAGE 02        HARARE  06677  01 OF 02  291400Z",
        "GOVERNMENT WOULD ACT.",
        "3. (C) NEXT. REF: HARARE 5346  CONFIDENTIAL",
        "PAGE 03 HARARE 06677 01 OF 02 291400Z THAT IS ALL.",
    ]
    out = strip_page_markers(lines, 1, _state("HARARE"))
    assert out == [
        lines[0],
        "2. (C) THE MINISTER SAID THE",
        "GOVERNMENT WOULD ACT.",
        "3. (C) NEXT. REF: HARARE 5346",
        "THAT IS ALL.",
    ]


def test_ends_sentence_tells_a_corrupt_quote_from_a_decimal() -> None:
    from cablebase.grammar.pages import ends_sentence

    assert ends_sentence("we will not accept it.8")  # closing quote written as 8
    assert ends_sentence('he said "no."')
    assert not ends_sentence("inflation would ease to 6.8")  # a number, mid-sentence
    assert not ends_sentence("the budget rose by 10.8")
    assert ends_sentence("They agreed.")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("PAGE 02 ZENDA 01196 01 OF 03 291400Z", ""),
        ("A. ZENDA 1196 B. STATE 12 ZENDA 00000402 001.2 OF 003", "A. ZENDA 1196 B. STATE 12"),
        ("THE TALKS\nZENDA 00000402 002 OF 003\nWENT ON", "THE TALKS\n\nWENT ON"),
        ("TALKS TEL AVIV 00001234 002 OF 003 WENT ON", "TALKS WENT ON"),
        ("PE  SECRET  PAGE 02  ZENDA 02475 01 OF 03 251228Z PINR", "PE PINR"),
        ("NO MARKER HERE, 12 OF 13 ITEMS", "NO MARKER HERE, 12 OF 13 ITEMS"),
    ],
)
def test_remove_markers_from_a_field_value(value, expected):
    assert remove_markers(value) == expected
