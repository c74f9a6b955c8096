"""Paragraphs, portion marks, headings, summary, quote repair and numbering (FORMAT.md §4.9-4.14)."""

from __future__ import annotations

import csv
import html
import lzma
import re
import tarfile
from pathlib import Path

import pytest

from cablebase.grammar import pages, redactions, text
from cablebase.grammar.quotes import repair_quotes
from cablebase.grammar.state import State
from cablebase.grammar.unwrapped import Meta
from cablebase.record import Cable


def _parse(body: str, post: str | None = "VALLETTA") -> Cable:
    lines = body.split("\n")
    st = State(cable=Cable(post=post), meta=Meta())
    lines = pages.strip_page_markers(lines, 0, st)
    text.parse_text(lines, 0, st)
    redactions.find_redactions(st)
    return st.cable


def _codes(cable: Cable) -> list[str]:
    return [w.code for w in cable.warnings]


WRAPPED = """\
1. (C) Summary: The Maltese government has agreed to host the
regional meeting in March.  Officials expect ten delegations.
End Summary.

2. (SBU) Background:  The meeting was first proposed
in 2008.

-------------------
Preparations So Far
-------------------

3. (C) Ministry staff told us that the venue is ready.  They
listed the remaining tasks:

-- security for the delegations;
-- transport from the airport; and
-- translation services.

4. (C) The Foreign Minister said that the government would
VALLETTA 00000412 002 OF 002

SUBJECT: MALTA TO HOST REGIONAL MEETING
consider a larger role.  He added three points:
A. funding is secured;
B. dates are final.
(a) nothing else
1) one more

//NEXT STEPS//

5.(S//NF) Post will follow up.

6. (U) Comment: Malta's role is welcome. End Comment.

SMITH
"""


def test_hard_wrapped_body():
    c = _parse(WRAPPED)
    nums = [p.number for p in c.paragraphs]
    assert nums == [1, 2, 3, 4, 5, 6]
    assert [p.portion for p in c.paragraphs] == ["C", "SBU", "C", "C", "S/NF", "U"]
    p1, p2, p3, p4, p5, p6 = c.paragraphs
    assert p1.text.startswith("Summary: The Maltese government has agreed to host the regional")
    assert p2.text == "Background:  The meeting was first proposed in 2008."
    assert p3.heading == "Preparations So Far"
    assert p3.text == (
        "Ministry staff told us that the venue is ready.  They listed the remaining tasks:"
        "\n\n-- security for the delegations;\n-- transport from the airport; and"
        "\n-- translation services."
    )
    assert p4.text == (
        "The Foreign Minister said that the government would consider a larger role.  "
        "He added three points:\nA. funding is secured;\nB. dates are final."
        "\n(a) nothing else\n1) one more"
    )
    assert p5.heading == "NEXT STEPS"
    assert p5.text == "Post will follow up."
    assert p6.text == "Comment: Malta's role is welcome. End Comment."
    assert c.signers == ["SMITH"]
    assert c.summary == (
        "The Maltese government has agreed to host the regional meeting in March.  "
        "Officials expect ten delegations."
    )
    assert _codes(c) == []


def test_unwrapped_body_with_headings_and_spurious_break():
    body = (
        "SUMMARY\n\n"
        "1. (S) On May 2 the Ambassador met the President. He spoke about the older\n\n"
        "generation of officers. End Summary.\n\n"
        "THE NORTH\n\n"
        "2. (S) The President said the north is calm BAMAKO 00000776 002 OF 002 for now.\n\n"
        "Comment -------\n\n"
        "3. (S) We agree. BROWN"
    )
    c = _parse(body, post="BAMAKO")
    assert [p.heading for p in c.paragraphs] == ["SUMMARY", "THE NORTH", "Comment"]
    assert c.paragraphs[0].text == (
        "On May 2 the Ambassador met the President. He spoke about the older generation of "
        "officers. End Summary."
    )
    assert c.paragraphs[1].text == "The President said the north is calm for now."
    assert c.paragraphs[2].text == "We agree."
    assert c.signers == ["BROWN"]
    assert c.summary.startswith("On May 2 the Ambassador")
    assert c.summary.endswith("generation of officers.")


def test_heading_underline_and_paragraph_glued_on_one_line():
    c = _parse("------- SUMMARY ------- 1. (SBU) The director said no. End Summary.\n\nROE")
    assert [(p.number, p.portion, p.heading) for p in c.paragraphs] == [(1, "SBU", "SUMMARY")]
    assert c.paragraphs[0].text == "The director said no. End Summary."
    c = _parse("Comment ------- 4. (C) We agree.\n\nROE")
    assert [(p.number, p.heading, p.text) for p in c.paragraphs] == [(4, "Comment", "We agree.")]


def test_lower_cased_body_marks_and_upper_case_body_lowercase_list():
    lowered = "1. (c) the talks went well.\n\n2. (sbu) the minister agreed.\n\nSmith"
    c = _parse(lowered)
    assert [p.portion for p in c.paragraphs] == ["C", "SBU"]
    mixed = (
        "1. (C) The EU has three options.\n\n"
        "2. (c) notes that the Council may decide on another date.\n\nJONES"
    )
    c = _parse(mixed)
    assert [p.portion for p in c.paragraphs] == ["C", None]
    assert c.paragraphs[1].text.startswith("(c) notes that")


def test_portion_variants():
    body = (
        "1.(S) Glued mark.\n\n"
        "2.. (SBU) Doubled period.\n\n"
        "  3. (C - ENTIRE TEXT) Old marking.\n\n"
        "4. Summary: (C) Mark after the label.\n\n"
        "5. (U.S.) Not a mark.\n\n"
        "6. (C): Colon after the mark.\n\nDOE"
    )
    c = _parse(body)
    assert [p.portion for p in c.paragraphs] == ["S", "SBU", "C", "C", None, "C"]
    assert c.paragraphs[5].text == "Colon after the mark."
    assert c.paragraphs[3].text == "Summary: Mark after the label."
    assert c.paragraphs[4].text == "(U.S.) Not a mark."


def test_text_before_first_paragraph_and_classified_by_trap():
    body = "Thank you for your note.\n\n1. (C) First.\n1.4 (b) is not a paragraph.\n\nROE"
    c = _parse(body)
    assert c.paragraphs[0].number is None
    assert c.paragraphs[0].text == "Thank you for your note."
    assert [p.number for p in c.paragraphs[1:]] == [1]
    assert c.paragraphs[1].text == "First. 1.4 (b) is not a paragraph."


def test_sipdis_lines_removed_and_recorded():
    c = _parse("SIPDIS\n\n1. (C) Text one.\nSIPDIS\ncontinues here.\n\nROE")
    assert "SIPDIS" in c.handling
    assert c.paragraphs[0].text == "Text one. continues here."


def test_numbering_gap_duplicate_restart_warnings():
    body = "1. A.\n\n2. B.\n\n4. D.\n\n4. D again.\n\n2. Restart.\n\nROE"
    c = _parse(body)
    assert [p.number for p in c.paragraphs] == [1, 2, 4, 4, 2]
    assert _codes(c) == ["text.paragraph_gap", "text.paragraph_duplicate", "text.paragraph_restart"]
    c = _parse("2. First kept is two.\n\n3. Three.\n\nROE")
    assert _codes(c) == ["text.paragraph_gap"]


def test_wrapped_number_is_not_a_paragraph():
    c = _parse("1. (C) Imports grew by\n15. percent last year.\n\n2. (C) Next.\n\nROE")
    assert [p.number for p in c.paragraphs] == [1, 2]
    assert c.paragraphs[0].text == "Imports grew by 15. percent last year."


def test_number_after_a_wrapped_line_continues_the_text():
    # docs/record.md: `...as noted in paragraph` / `4. End Summary.` is text, not paragraph 4
    body = (
        "1. (C) Summary: The talks went well, as noted in paragraph\n"
        "4. End Summary.\n\n2. (C) Details follow.\n\nROE"
    )
    c = _parse(body)
    assert [p.number for p in c.paragraphs] == [1, 2]
    assert c.paragraphs[0].text == (
        "Summary: The talks went well, as noted in paragraph 4. End Summary."
    )
    # the next number in sequence after a wrapped line still starts a paragraph
    c = _parse("1. (C) First point without a full stop\n2. (C) Second point.\n\nROE")
    assert [p.number for p in c.paragraphs] == [1, 2]


def test_a_name_number_after_a_blank_line_going_back_continues_the_text():
    # A page set a `¶` break (blank line, number at a line start) before the number of a
    # name cut mid-sentence (`the trawler Zephyr` ⏎⏎ `1. They ...`, `the G7 or G7` ⏎⏎ `1.` for
    # `G7+1`): a number going back, resuming no numbering before it, after running text
    # ending in a name, is the sentence going on.
    cut = "Points: -- The crew of the trawler retook the Marisol and Zephyr"
    cases = {
        # back to 1 inside paragraph 1, and inside paragraph 3; a name with a digit
        f"1. (C) {cut}\n\n1. They sailed home.\n\n2. (C) Details.\n\nROE": [1, 2],
        f"1. (C) One.\n\n2. (C) Two.\n\n3. (C) {cut}\n\n1. They sailed home.\n\n"
        "4. (C) Four.\n\nROE": [1, 2, 3, 4],
        "1. (C) Summary: the talks should reach capitals beyond the G7 or G7\n\n"
        "1. The rest agree.\n\n2. (C) Two.\n\nROE": [1, 2],
        # not after a sentence's end (a numbering slip), a colon (a list), a comma (a
        # resolution's preamble), a title in capitals, a short line, a lower-case word, a
        # number, or table columns
        "1. (C) One.\n\n2. (C) Two ends.\n\n2. (C) Two again.\n\nROE": [1, 2, 2],
        "1. (C) One.\n\n2. (C) The Council adopted the following text of the Chairman:\n\n"
        "1. first\n\n2. second\n\nROE": [1, 2, 1, 2],
        "1. (C) One.\n\n2. (C) Acting under Chapter VII of the Charter of the United Nations,\n\n"
        "1. Decides to renew.\n\nROE": [1, 2, 1],
        "1. (C) One.\n\n2. (C) Text follows.\n\nANNEX I UNDERSTANDINGS RELATING TO THE CEASE-FIRE\n\n"
        "1. Both agree.\n\nROE": [1, 2, 1],
        "1. (C) One.\n\n2. (C) Text.\n\nThe Lead Stories of the Day\n\n1. Elections\n\nROE": [
            1,
            2,
            1,
        ],
        "1. (C) One.\n\n2. (C) The Economic and Financial Dialogue, session one: growth and welfare"
        "\n\n1. We agreed.\n\nROE": [1, 2, 1],
        "1. (C) One.\n\n2. (C) The banks as listed in the references (A) Valletta 0638 and 0118"
        "\n\n1. Banks grew.\n\nROE": [1, 2, 1],
        "1. (C) One.\n\n2. (C) Table.\n\n(US$ million) Approved    In percent    Approved Amount"
        "\n\n1. Oil and Gas 56    2,403.17    32.0\n\nROE": [1, 2, 1],
        # a number resuming the numbering before a list read as paragraphs starts a paragraph
        "1. (C) Contents\n\n1. Part one\n2. Part two\n3. Part three\n\n"
        "2. (C) Summary: Short.\n\nROE": [1, 1, 2, 3, 2],
        # the next number in sequence after a blank line always starts a paragraph
        f"1. (C) {cut}\n\n2. (C) Two.\n\nROE": [1, 2],
    }
    for body, numbers in cases.items():
        c = _parse(body)
        assert [p.number for p in c.paragraphs if p.number is not None] == numbers, body
    c = _parse(next(iter(cases)))
    assert c.paragraphs[0].text == cut + " 1. They sailed home."


def test_four_digit_number_never_starts_a_paragraph():
    c = _parse("1. (U) The plan was adopted in\n\n2006. It has held since.\n\n2. (U) Next.\n\nROE")
    assert [p.number for p in c.paragraphs] == [1, 2]
    assert "2006. It has held since." in c.paragraphs[0].text


def test_mark_written_before_the_number():
    body = (
        "(C) 1. The Embassy obtained a copy.\n\n(C) 2. It says little.\n\n(1) 3. Not a mark.\n\nROE"
    )
    c = _parse(body)
    assert [(p.number, p.portion) for p in c.paragraphs] == [(1, "C"), (2, "C")]
    assert c.paragraphs[0].text == "The Embassy obtained a copy."
    assert c.paragraphs[1].text == "It says little.\n\n(1) 3. Not a mark."


def test_join_fast_paths_agree_with_the_careful_loop():
    from cablebase.grammar.paragraphs import join_lines, join_stripped

    cases = [
        ["one", "two", "three."],
        ["", "one", "two", ""],
        ["Text ends here.", "", "New block.", "", "", "more"],
        ["Text runs on", "", "and continues."],
        ["Intro:", "-- first", "-- second"],
        ["Rare among", "-- rarer still -- and so on."],
        ["lead", "o option", "of course"],
        ["one"],
        [],
    ]
    for lines in cases:
        slow = join_lines([*lines, "", "o"])  # a list line forces the careful loop
        fast = join_stripped([*lines, "", "o"])
        assert fast == slow
    assert join_stripped(["one", "two"]) == "one two"
    assert join_stripped(["Ends mid", "", "sentence here."]) == "Ends mid sentence here."
    assert join_stripped(["Ends.", "", "Next."]) == "Ends.\n\nNext."


def test_end_summary_search_matches_the_plain_regex():
    import random

    from cablebase.grammar.summary import _END, _find_end

    rnd = random.Random(7)
    parts = [
        "end",
        "End",
        "END",
        " ",
        "  ",
        "(",
        ")",
        "summary",
        "Summary",
        "of",
        "x",
        ".",
        "blend",
    ]
    for _ in range(5000):
        s = "".join(rnd.choice(parts) for _ in range(rnd.randint(1, 12)))
        a, b = _END.search(s), _find_end(s)
        assert (a and a.span()) == (b and b.span()), s


def test_body_case_on_ascii_and_other_text():
    from cablebase.grammar.paragraphs import body_case

    assert body_case(["THE MINISTER SAID THE TALKS WILL GO ON AS PLANNED NEXT WEEK."]) == (
        True,
        False,
    )
    assert body_case(["the minister said the talks will go on as planned next week."]) == (
        False,
        True,
    )
    assert body_case(["The Minister said the GOM talks will go on as planned."]) == (False, False)
    assert body_case(["THE MINISTER’S TALKS WILL GO ON AS PLANNED NEXT WEEK."]) == (True, False)


def test_summary_variants():
    c = _parse("1. (C) SUMMARY AND COMMENT: Short one.  END SUMMARY AND COMMENT.\n\nROE")
    assert c.summary == "Short one."
    c = _parse("1. (C) Summary. Spans.\n\n2. (C) Still summary. (End Summary)\n\n3. (C) No.\n\nROE")
    assert c.summary == "Spans.\n\nStill summary."
    c = _parse("1. (C) BEGIN SUMMARY: Started. END SUMMARY.\n\nROE")
    assert c.summary == "Started."
    c = _parse("1. (C) SUMMARY: No end marker here.\n\n2. (C) Other.\n\nROE")
    assert c.summary == "No end marker here."
    c = _parse("1. (C) Nothing like it.\n\nROE")
    assert c.summary is None


def test_quote_repair_in_paragraph_text_only():
    body = (
        "1. (C) Zapatero,s aide said &we,re working on it.8  Sales rose 1,5 percent "
        "at the G8 meeting, said AT&T.\n\nROE"
    )
    c = _parse(body)
    assert c.paragraphs[0].text == (
        "Zapatero's aide said \"we're working on it.\"  Sales rose 1,5 percent at the G8 "
        "meeting, said AT&T."
    )
    assert _codes(c) == ["text.quotes_repaired"]
    assert "4 " in c.warnings[0].message


def test_repair_quotes_function():
    assert repair_quotes("decades,8 and a,d") == ('decades," and a,d', 1)
    assert repair_quotes("I,ll say don,t") == ("I'll say don't", 2)
    assert repair_quotes("&foo8 and &bar8") == ('"foo" and "bar"', 4)
    assert repair_quotes("version 2.8 and B-8 jets") == ("version 2.8 and B-8 jets", 0)


# -- corpus -----------------------------------------------------------------------------

_SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
_PRE = re.compile(r"<pre>(.*?)</pre>", re.S)
_TAG = re.compile(r"<[^>]+>")
_PARA = re.compile(r"^\s*\d{1,3}\.(?!\d)")
_LABEL = re.compile(r"^\s*(?:SUBJ|REF|CLASSIFIED BY|TAGS|E\.?O)", re.I)


def _bodies():
    tar = _SHARED / "cablegate-html-dev.tar.xz"
    with tarfile.open(tar) as t:
        for m in t:
            if not m.isfile():
                continue
            page = t.extractfile(m).read().decode("utf-8", "replace")
            pres = _PRE.findall(page)
            if len(pres) < 2:
                continue
            body = html.unescape(_TAG.sub("", pres[1])).replace("\u00b6", "")
            yield "html", [x.rstrip() for x in body.split("\n")]
    csv.field_size_limit(1 << 30)
    with lzma.open(_SHARED / "cables-dev.csv.xz", "rt", encoding="utf-8", errors="replace") as f:
        for row in csv.reader(f, quotechar='"', escapechar="\\"):
            if len(row) >= 8:
                yield "csv", [x.rstrip() for x in row[7].split("\n")]


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_text_rules_never_raise():
    if not _SHARED.exists():
        pytest.skip("../shared/corpus is missing")
    counts: dict[str, list[int]] = {"html": [0, 0, 0, 0], "csv": [0, 0, 0, 0]}
    for form, lines in _bodies():
        st = State(cable=Cable(), meta=Meta())
        lines = pages.strip_page_markers(lines, 1 if lines else 0, st)
        start = next((k for k, x in enumerate(lines) if _PARA.match(x)), None)
        if start is None:  # no numbered paragraph: start after the last preamble label
            start = 1 + max((k for k, x in enumerate(lines[:40]) if _LABEL.match(x)), default=0)
        text.parse_text(lines, start, st)
        redactions.find_redactions(st)
        c = st.cable
        n = counts[form]
        n[0] += 1
        n[1] += any(p.number is not None for p in c.paragraphs)
        n[2] += bool(c.signers)
        n[3] += c.summary is not None
    for form, (total, paras, signed, summ) in counts.items():
        assert total > 0
        print(
            f"{form}: {total} cables, paragraphs {paras / total:.1%}, "
            f"signer {signed / total:.1%}, summary {summ / total:.1%}"
        )
        assert paras / total > 0.85
        assert signed / total > 0.80


@pytest.mark.parametrize(
    ("lines", "want"),
    [
        # a word's hyphen at a line's end: the word goes on without a space
        (["The plan is non-", "compliant with U.S.-", "Russian rules."],
         "The plan is non-compliant with U.S.-Russian rules."),
        (["Dates are 2004-", "2005."], "Dates are 2004-2005."),
        # a dash keeps its space, and so does a hyphen left hanging before `and`
        (["The plan -", "the new one -- failed--", "again."],
         "The plan - the new one -- failed-- again."),
        (["Both pro-", "and anti-American views."], "Both pro- and anti-American views."),
        # inside a list the same holds
        (["Items:", "- one is non-", "compliant", "- two"], "Items:\n- one is non-compliant\n- two"),
    ],
)  # fmt: skip
def test_hyphen_at_line_end(lines, want):
    from cablebase.grammar.paragraphs import join_lines

    assert join_lines(lines) == want


def test_hyphen_at_line_end_in_subject():
    from cablebase.grammar.subject import parse_subject

    assert parse_subject(["U.S.-", "RUSSIAN TALKS ON NON-", "PROLIFERATION - A REVIEW"]) == (
        None,
        "U.S.-RUSSIAN TALKS ON NON-PROLIFERATION - A REVIEW",
    )


def test_sipdis_set_off_by_a_blank_line_inside_a_sentence():
    # the marker's blank line goes with it; a blank line before a new sentence stays
    c = _parse(
        "1. (C) The operation in\n\nSIPDIS\nEcuador ended.\n\n2. (C) Two.\n\nSIPDIS\nNext.\n\nROE"
    )
    assert c.paragraphs[0].text == "The operation in Ecuador ended."
    assert c.paragraphs[1].text == "Two.\n\nNext."
