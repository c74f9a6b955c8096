"""Summary shapes (grammar/summary.py): labels, headings, and the closing marker alone.

Every text here is written for the test, in the shapes real cables take."""

from __future__ import annotations

import pytest

from cablebase.grammar import pages, text
from cablebase.grammar.state import State
from cablebase.grammar.summary import find_summary
from cablebase.grammar.unwrapped import Meta
from cablebase.record import Cable, Paragraph


def _parse(body: str) -> Cable:
    st = State(cable=Cable(post="ZENDA"), meta=Meta())
    lines = pages.strip_page_markers(body.split("\n"), 0, st)
    text.parse_text(lines, 0, st)
    return st.cable


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        # headings in their decorations
        (
            "------- SUMMARY -------\n\n1. (C) The talks ended. End Summary.\n\n2. (C) More.\n\nROE",
            "The talks ended.",
        ),
        ("Summary =======\n\n1. (C) The talks ended.\n\n2. (C) More.\n\nROE", "The talks ended."),
        (
            "SUMMARY\n-------\n\n1. (C) The talks ended. END SUMMARY.\n\nDETAILS\n-------\n\n"
            "2. (C) More.\n\nROE",
            "The talks ended.",
        ),
        (
            "INTRODUCTION AND SUMMARY\n------------------------\n\n1. (C) The talks ended.\n\n"
            "Details\n-------\n\n2. (C) More.\n\nROE",
            "The talks ended.",
        ),
        (
            "SUMMARY/BACKGROUND\n------------------\n\n1. (U) The talks ended.\n\n"
            "Details\n-------\n\n2. (U) More.\n\nROE",
            "The talks ended.",
        ),
    ],
)
def test_summary_headings(body, summary):
    assert _parse(body).summary == summary


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        (
            "1. (C) Summary/Comment: The talks ended. End Summary/Comment.\n\n2. (C) More.\n\nROE",
            "The talks ended.",
        ),
        (
            "1. (C) Summary/Introduction. The talks ended.\n\n2. (C) More. End Summary.\n\nROE",
            "The talks ended.\n\nMore.",
        ),
        # a lower-case portion mark the paragraph reader did not take
        ("1. (sbu) Summary: The talks ended.\n\n2. (sbu) More.\n\nROE", "The talks ended."),
        ("1. (c) SUMMARY: The talks ended.\n\n2. (c) More.\n\nROE", "The talks ended."),
        # the mark after the label, and a damaged mark
        ("1. SUMMARY (U) The talks ended. END SUMMARY.\n\n2. (U) More.\n\nROE", "The talks ended."),
        ("1. (C>  SUMMARY:  The talks ended.\n\n2. (C) More.\n\nROE", "The talks ended."),
        (
            "1. (C) Summary and Action Request. The talks ended. End Summary and Action Request."
            "\n\n2. (C) More.\n\nROE",
            "The talks ended.",
        ),
        # an ampersand for `and`
        (
            "1. (C) Summary & Comment: The talks ended. End Summary & Comment.\n\n2. (C) More."
            "\n\nROE",
            "The talks ended.",
        ),
    ],
)
def test_summary_labels(body, summary):
    assert _parse(body).summary == summary


def test_summary_marked_only_by_its_end():
    c = _parse("1. (C) The talks ended without a deal. END SUMMARY.\n\n2. (C) More.\n\nROE")
    assert c.summary == "The talks ended without a deal."


@pytest.mark.parametrize(
    "body",
    [
        # the label after the paragraph's opening sentence, on the same line
        "1. (C) This is an action request. Summary: The talks ended. End Summary.\n\n"
        "2. (C) More.\n\nROE",
        "1. BEGIN TEXT.  SUMMARY:  THE TALKS ENDED.\n\n2. MORE.\n\nROE",
        "1. (U) See paragraph 5.  Begin summary. The talks ended. End summary.\n\n"
        "2. (U) More.\n\nROE",
        "1. (C) This is an action request.  Summary:  (C) The talks ended.\n\n2. (C) More.\n\nROE",
    ],
)
def test_summary_label_after_the_opening_sentence(body):
    assert _parse(body).summary.lower() == "the talks ended."


def test_summary_word_after_a_sentence_without_a_colon_is_no_label():
    body = "1. (C) The talks ended. Summary of the talks was given to the press.\n\n2. (C) More."
    assert _parse(body + "\n\nROE").summary is None


def test_summary_heading_run_onto_the_paragraph_before():
    paragraphs = [
        Paragraph(number=1, text="This is an action request; see paragraph 6. Summary -------"),
        Paragraph(number=2, text="The talks ended. End Summary."),
        Paragraph(number=3, text="More."),
    ]
    assert find_summary(paragraphs) == "The talks ended."
    paragraphs = [
        Paragraph(
            number=1,
            heading="SENSITIVE BUT UNCLASSIFIED - PLEASE PROTECT ACCORDINGLY Summary",
            text="The talks ended. End Summary.",
        ),
        Paragraph(number=2, heading="Details", text="More."),
    ]
    assert find_summary(paragraphs) == "The talks ended."


def test_heading_that_became_a_paragraph():
    paragraphs = [
        Paragraph(number=None, text="------- \\ SUMMARY \\ ------- \\"),
        Paragraph(number=1, text="The talks ended. End summary."),
        Paragraph(number=2, text="More."),
    ]
    assert find_summary(paragraphs) == "The talks ended."


@pytest.mark.parametrize(
    "paragraphs",
    [
        # the word in a sentence is no label
        [
            Paragraph(number=1, text="Summary of the talks was given to the press."),
            Paragraph(number=2, text="More."),
        ],
        [
            Paragraph(number=1, text="This is the Zenda press summary for May 2."),
            Paragraph(number=2, heading="POLITICS", text="More."),
        ],
        # a press report's section heading that ends in Summary is no summary heading
        [Paragraph(number=None, heading="Border Talks Summary", text="A columnist wrote.")],
    ],
)
def test_no_summary(paragraphs):
    assert find_summary(paragraphs) is None


def test_introduction_slash_summary_label():
    c = _parse("1. (C) Introduction/Summary.  The runoff was won.\n\n2. (C) More.\n\nROE")
    assert c.summary == "The runoff was won."


def test_unsplit_numbered_paragraphs_end_the_summary_at_the_blank_line():
    c = _parse("(1)  (SBU) Summary: The talks ended.\n\n(2)  (SBU) More.\n\nROE")
    assert c.summary == "The talks ended."
    c = _parse("(1)  (SBU) Summary: The talks ended.\n\n(2)  (SBU) More.  End Summary\n\nROE")
    assert c.summary == "The talks ended.\n\n(2)  (SBU) More."


def test_summary_heading_with_a_title():
    paragraphs = [
        Paragraph(number=1, heading="Summary/Comment: Almost Showtime", text="Rallies ended."),
        Paragraph(number=2, heading="Polls", text="More."),
    ]
    assert find_summary(paragraphs) == "Rallies ended."


def test_end_marker_repeating_a_double_label():
    c = _parse(
        "1. (C) Introduction/Summary.  The runoff was won.  End Introduction/Summary."
        "\n\n2. (C) More.\n\nROE"
    )
    assert c.summary == "The runoff was won."


def test_label_with_a_semicolon() -> None:
    body = (
        "1. (C) Summary; The envoys met twice and agreed on nothing. End Summary.\n\n2. (C) More."
    )
    assert _parse(body).summary == "The envoys met twice and agreed on nothing."


def test_label_in_a_paragraph_numbered_early_after_a_numbered_contents_list() -> None:
    # ¶1 is a table of contents whose numbered entries read as paragraphs of their own, so
    # the `Summary:` paragraph (numbered 2) stands far down the list of paragraphs.
    entries = "\n".join(f"{n}.    Chapter {n} of the report" for n in range(1, 13))
    body = (
        "1. Contents:\n\nSummary\nPreface\n" + entries + "\n\n"
        "2. Summary:  Trade with Zenda fell again.  Nothing suggests a change.\n\n"
        "3. Preface\n\nThe report follows."
    )
    assert _parse(body).summary == "Trade with Zenda fell again.  Nothing suggests a change."


def test_decorated_heading_glued_after_the_summary_is_left_out() -> None:
    paragraphs = [
        Paragraph(number=1, text="Summary: The board met. -------- Training --------"),
        Paragraph(number=2, text="The courses resume in May."),
    ]
    assert find_summary(paragraphs) == "The board met."


_IIR = (
    "WARNING:  (U) THIS IS AN INFORMATION REPORT, NOT FINALLY\nEVALUATED INTELLIGENCE.\n\n"
    "DOI:  (U) 20041103.\n\nSOURCE:  A. (C)  //6 815 0358// SENIOR HOST NATION OFFICIAL.\n\n"
    "SUMMARY:  (C)  ZENDA WILL SEND A DELEGATION TO THE\nMINISTERIAL.\n\n"
    "TEXT.  1.  (C) THIS IIR RESPONDS TO CITED AHR ON THE\nMINISTERIAL.\n\n"
    "2. (C)  ZENDA SEEKS CONSENSUS.\n"
)


def test_information_report_summary_block_and_text_label() -> None:
    cable = _parse(_IIR)
    assert cable.summary == "ZENDA WILL SEND A DELEGATION TO THE MINISTERIAL."
    numbered = [p for p in cable.paragraphs if p.number is not None]
    assert [(p.number, p.portion) for p in numbered] == [(1, "C"), (2, "C")]
    assert numbered[0].text == "THIS IIR RESPONDS TO CITED AHR ON THE MINISTERIAL."


def test_a_summary_titled_block_without_a_label_mark_is_no_summary() -> None:
    body = "CASE FILES: GFTI-05-9276; HONDURAS\n\nSUMMARY CASE FILE\n\nDEFENDANTS\n\n2. DISTRICT\n"
    assert _parse(body).summary is None


def test_sipdis_glued_to_a_wrapped_line_is_left_out() -> None:
    body = (
        "1. (C) Summary: General Secretary Karat showed he is a talented\n"
        "SIPDIS and skillful leader.  End Summary.\n\n2. (C) More.\n\nROE"
    )
    cable = _parse(body)
    assert cable.summary == "General Secretary Karat showed he is a talented and skillful leader."
    assert "SIPDIS" in cable.handling


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        # a report's first section, labelled or under its own heading inside paragraph 1
        (
            "I. SUMMARY: In 2004, Zenda enforced the drug laws.\n\nLAW ENFORCEMENT\n\nMore.\n\nROE",
            "In 2004, Zenda enforced the drug laws.",
        ),
        (
            "1. (U) The text of the report is below.\n\nZenda\n\nI. Summary\n\n"
            "Zenda is a transit point.\n\nII. Status of Country\n\nMore.\n\nROE",
            "Zenda is a transit point.",
        ),
        (  # its blocks up to the next section's heading
            "1. (U) The text of the report is below.\n\nI. Summary\n\nZenda is a transit"
            " point.\n\nSeizures rose.\n\nII. Status of Country\n\nMore.\n\nROE",
            "Zenda is a transit point.\n\nSeizures rose.",
        ),
        # a lettered incident report
        (
            "A. (U) POST: Zenda.\n\nB. (U) DATE: July 27.\n\nC.  (SBU) SUMMARY: The RSO met the"
            "\npolice.\n\nD. (U) DETAILS: More.\n\nROE",
            "The RSO met the police.",
        ),
        # a copyright notice before the labelled block is not the summary
        (
            "COPYRIGHT 2004. ALL RIGHTS RESERVED.\n\nSummary.  Following is a list of firms."
            "  End summary.\n\nFIRM ONE\n\nROE",
            "Following is a list of firms.",
        ),
    ],
)
def test_summary_in_the_blocks_of_an_unsplit_paragraph(body, summary) -> None:
    assert _parse(body).summary == summary


_NO_SUBJECT = (
    "S E C R E T ZENDA 000732\n\nSIPDIS\n\nE.O. 12958: DECL: 05/07/2018\nTAGS: EPET ECON SA\n\n"
)


@pytest.mark.parametrize(
    "heading",
    ["--------\nSummary\n---------", "Summary\n-------", "SUMMARY"],
)
def test_summary_heading_right_after_a_preamble_without_subject(heading) -> None:
    # the page lost SUBJECT: the heading is the text's, not a preamble caption
    from cablebase.parse import parse_text

    c = parse_text(
        _NO_SUBJECT + heading + "\n\n1. (C) The talks ended.\n\n2. (C) More.\n\nROE\n", form="text"
    )
    assert c.summary == "The talks ended."
    assert c.captions == []
    assert [(p.number, p.portion) for p in c.paragraphs] == [(1, "C"), (2, "C")]


def test_summary_heading_below_a_ref_is_no_part_of_the_item() -> None:
    # the item ends in the page's marker, the heading after a blank line
    from cablebase.parse import parse_text

    c = parse_text(
        _NO_SUBJECT
        + "SUBJECT: TALKS\n\nREF: ZENDA 599 ZENDA 00000873 001.2 OF 003\n\nSUMMARY\n\n"
        + "1. (C) The talks ended.\n\nROE\n",
        form="text",
        year=2008,
    )
    assert [r.text for r in c.references] == ["ZENDA 599"]
    assert c.summary == "The talks ended."


def test_dump_lines_ending_in_a_backslash() -> None:
    # a tab-separated dump ends each line of the telegram with ` \`: no field keeps it
    from cablebase.parse import parse_text

    body = (
        "C O N F I D E N T I A L ZENDA 000800 \\\n \\\nSIPDIS \\\n \\\n"
        "E.O. 12958: DECL: 03/04/2018 \\\nTAGS: PREL PTER \\\n"
        "SUBJECT: FORCES KILL A LEADER, SPURRING \\\nTENSIONS \\\n \\\n"
        "1. (U) Summary: The forces killed a leader in \\\n \\\nSIPDIS \\\n"
        "Ruritania. End Summary. \\\n \\\n2. (U) More text. \\\nROE \\\n"
    )
    c = parse_text(body, form="text", year=2008)
    assert c.subject == "FORCES KILL A LEADER, SPURRING TENSIONS"
    assert c.summary == "The forces killed a leader in Ruritania."
    assert c.paragraphs[-1].text == "More text."
    assert c.signers == ["ROE"]


@pytest.mark.parametrize(
    "closing", ["End comment and summary.", "END COMMENT AND SUMMARY.", "End Comment/Summary"]
)
def test_summary_closed_with_its_comment(closing) -> None:
    # a summary that ends in its comment, closed by one marker for both
    from cablebase.parse import parse_text

    c = parse_text(
        _NO_SUBJECT
        + "SUBJECT: TALKS\n\n1. (C) Summary: The talks ended.  Comment: They failed.  "
        + closing
        + "\n\n2. (C) More.\n\nROE\n",
        form="text",
    )
    assert c.summary == "The talks ended.  Comment: They failed."


@pytest.mark.parametrize("rule", ["- - - -", "- - -", "= = = = ="])
def test_summary_heading_underlined_with_spaced_marks(rule) -> None:
    # `SUMMARY` ⏎ `- - - -`: a rule of spaced dashes is decoration, not the summary's text
    from cablebase.parse import parse_text

    c = parse_text(
        _NO_SUBJECT + "SUBJECT: TALKS\n\nSUMMARY\n" + rule + "\n\n1.  (C) The talks ended.\n"
        "END SUMMARY.\n\n2. (C) More.\n\nROE\n",
        form="text",
    )
    assert c.summary == "The talks ended."


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        # a fragment that opens with the label, no preamble and no numbered paragraph
        (
            "Summary/Comment: The talks ended\nin a draw.  End Summary/Comment.\n",
            "The talks ended in a draw.",
        ),
        (
            "(SBU) SUMMARY AND COMMENT: The talks ended.\nEND SUMMARY AND COMMENT.",
            "The talks ended.",
        ),
        # an old cable without preamble labels: the label under the banner, paragraph 2 after
        (
            "CONFIDENTIAL SECTION 01 OF 02 ZENDA 001234\n\nSUMMARY: THE TALKS ENDED. END SUMMARY."
            "\n\n2. MORE TEXT FOLLOWS HERE.\n\nROE\n",
            "THE TALKS ENDED.",
        ),
    ],
)
def test_summary_label_before_any_preamble_label_starts_the_text(text, summary) -> None:
    from cablebase.parse import parse_text

    c = parse_text(text)
    assert c.summary == summary
    assert c.captions == []


def test_summary_label_above_the_preamble_stays_a_caption() -> None:
    # a line with a summary label followed by E.O./TAGS is no text start: the preamble goes on
    from cablebase.parse import parse_text

    c = parse_text(
        "Summary: see para 2.\nE.O. 12958: N/A\nTAGS: PREL\nSUBJECT: TALKS\n\n1. (U) Text.\n\nROE\n"
    )
    assert c.tags == ["PREL"]
    assert c.subject == "TALKS"


@pytest.mark.parametrize(
    "body",
    [
        # the label and the closing marker in brackets
        "1. (C) [Summary] The talks ended. [End summary]\n\n2. (C) More.\n\nROE",
        "1. (C) [SUMMARY:] The talks ended. [END SUMMARY.]\n\n2. (C) More.\n\nROE",
        "[Summary]\n\n1. (C) The talks ended. [End summary]\n\n2. (C) More.\n\nROE",
        # … and in parentheses
        "1. (C) (SUMMARY) The talks ended. (END SUMMARY)\n\n2. (C) More.\n\nROE",
    ],
)
def test_summary_label_in_brackets(body):
    assert _parse(body).summary == "The talks ended."


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        # the lead-in announces a list set off by a blank line: the items are the summary's
        (
            "1.  (U) Summary.  Following are developments of interest:\n\n"
            "--Mills to Reopen (para. 2)\n--Port Strike Ends (3)\n\n"
            "Mills to Reopen\n---------------\n\n2.  (SBU) The mills reopen.\n\nROE",
            "Following are developments of interest:\n\n--Mills to Reopen (para. 2)\n"
            "--Port Strike Ends (3)",
        ),
        (
            "1. (C) Summary: The minister told us that:\n\n-- the talks go on;\n\n"
            "-- the border stays shut.\n\nBorder\n------\n\n2. (C) More.\n\nROE",
            "The minister told us that:\n\n-- the talks go on;\n\n-- the border stays shut.",
        ),
        # no colon before the blank line: the first block alone, as before
        (
            "1. (C) Summary: The talks ended.\n\n-- a stray dash line\n\nHeading\n-------\n\n"
            "2. (C) More.\n\nROE",
            "The talks ended.",
        ),
    ],
)
def test_summary_lead_in_and_its_list(body, summary):
    assert _parse(body).summary == summary


def test_summary_lead_in_list_then_paragraphs_to_the_end_marker():
    body = (
        "1. (C) Summary: The minister told us that:\n\n-- the talks go on;\n\n"
        "-- the border stays shut.\n\n2. (C) Also present: the deputy. End Summary.\n\n"
        "Border\n------\n\n3. (C) More.\n\nROE"
    )
    assert _parse(body).summary == (
        "The minister told us that:\n\n-- the talks go on;\n\n-- the border stays shut.\n\n"
        "Also present: the deputy."
    )


@pytest.mark.parametrize(
    "preamble_end",
    [
        "SUBJECT: ZENDA TALKS Classified By: Jo Roe for reasons 1.4 (b) ------- Summary -------",
        "Classified By: Jo Roe for reasons 1.4b and d  ------- SUMMARY -------",
        "REF: A. ZENDA 12 Classified By: Jo Roe, reasons 1.4 (d) ======= Summary =======",
    ],
)
def test_summary_heading_glued_to_the_preamble_last_line(preamble_end):
    # a page that joined its lines put the summary heading at the end of the preamble's last
    # line: the first paragraph is under it
    lines = [preamble_end, "1.(C) The talks ended without a date.", "", "2.(C) More.", "", "ROE"]
    st = State(cable=Cable(post="ZENDA"), meta=Meta())
    text.parse_text(lines, 1, st)
    assert st.cable.summary == "The talks ended without a date."


def test_no_summary_heading_at_the_preamble_end():
    lines = ["SUBJECT: ZENDA SUMMARY TALKS", "1.(C) The talks ended.", "", "ROE"]
    st = State(cable=Cable(post="ZENDA"), meta=Meta())
    text.parse_text(lines, 1, st)
    assert st.cable.summary is None


def _media_reaction(title: str, summary: list[str]) -> str:
    """A media reaction: key stories long enough to push the first section past the first
    paragraphs, the section's title, its `Summary:` label on a line of its own, the summary's
    blocks, then the section's `Block Quotes:`."""
    stories = "\n\n".join(f"Paper {k} reported on the talks." for k in range(8))
    blocks = "".join(f"{b}\n\n" for b in summary)
    return (
        "-------------------------\nKey stories in the media:\n-------------------------\n\n"
        f"{stories}\n\n--------\n{title}:\n--------\n\n"
        "                       Summary:\n                       --------\n\n"
        f"{blocks}"
        "Block Quotes:\n-------------\n\nI.  The talks\n\nA columnist wrote more.\n\nROE"
    )


@pytest.mark.parametrize("title", ["Zenda", "1.  Zenda Border Talks"])
def test_media_reaction_section_summary_label_under_its_title(title):
    quote = 'A columnist wrote in a daily: "The talks will fail."'
    assert _parse(_media_reaction(title, [quote])).summary == quote


def test_a_section_title_ending_in_summary_is_no_summary_heading():
    body = "TRADE SUMMARY\n\n3. Exports rose.\n\n4. Imports fell.\n\nROE"
    assert _parse(body).summary is None


def test_media_reaction_section_summary_runs_to_the_block_quotes():
    blocks = ['A columnist wrote in a daily: "The talks will fail."', 'An editorial said: "No."']
    assert _parse(_media_reaction("Zenda", blocks)).summary == "\n\n".join(blocks)


@pytest.mark.parametrize(
    "body",
    [
        # the heading's line run onto the section's text, section II on its own line
        "1. (U) The text of Zenda's report is below.\nZenda\nI. Summary\n"
        "Zenda is a transit point for narcotics.  Seizures rose.\nII. Status of Country\n"
        "Zenda lies on the coast.\n\nROE",
        # … after a blank line, section II after one too
        "1. (SBU) Zenda's submission for the report:\n\nI. Summary\n"
        "Zenda is a transit point for narcotics.  Seizures rose.\n\nII. Status of Country\n"
        "Zenda lies on the coast.\n\nROE",
        # … underlined, in an unnumbered paragraph, section II a heading of its own
        "This report gives the Embassy's input.\n\nI. Summary\n----------\n"
        "Zenda is a transit point for narcotics.  Seizures rose.\n\nII. Status of Country\n"
        "---------------------\nZenda lies on the coast.\n\nROE",
        # … closed by its marker
        "1. The report follows.\n\nI. Summary\nZenda is a transit point for narcotics.  "
        "Seizures rose.  End Summary.\n\nII. Status of Country\nZenda lies on the coast.\n\nROE",
    ],
)
def test_report_section_one_summary_run_onto_its_heading(body):
    assert _parse(body).summary == "Zenda is a transit point for narcotics.  Seizures rose."


def test_report_section_titled_summary_of_is_no_summary():
    body = (
        "REF: STATE 12\n\nI. Summary of Significant Events\n\nA. Narrative Overview\n\n"
        "- Students filled the streets.\n\n1. All projects were reported.\n\nROE"
    )
    assert _parse(body).summary is None


@pytest.mark.parametrize(
    ("heading", "end"),
    [
        (
            "Introduction, Summary and Action Request",
            "End Introduction, Summary, and Action Request.",
        ),
        ("Introduction, Summary and Comment", "End Introduction, Summary."),
    ],
)
def test_summary_heading_listing_introduction_and_summary(heading, end):
    body = (
        "1.  This is an action message, see paragraph 3.\n\n"
        f"{heading}\n{'-' * len(heading)}\n\n"
        f"2.  (SBU) The Commission has a new directorate.  USEU requests contacts.  {end}\n\n"
        "New Structure\n-------------\n\n3.  (SBU) Within the Commission, more.\n\nROE"
    )
    assert _parse(body).summary == (
        "The Commission has a new directorate.  USEU requests contacts."
    )


def test_begin_summary_heading_at_a_paragraph_end_and_a_list_item_cut_by_a_blank_line():
    # an old double-spaced cable: `BEGIN SUMMARY` closes paragraph 1, paragraph 2 is a lead-in
    # and its list, one item cut mid-sentence by a blank line, then `BEGIN TEXT`
    body = (
        "1.  THIS CABLE TRANSMITS A MEMO.  YOUR COMMENTS ARE WELCOMED.\n\nBEGIN SUMMARY\n\n"
        "2.  THE CONFERENCE CONCLUDED THAT:\n\n--THE TALKS ARE NOT A THREAT.\n\n"
        "--AS AID PROGRAMS, WHICH\n\nONCE HAD AN IMPACT, ARE REDUCED, OTHERS FILL THE GAP.\n\n"
        "BEGIN TEXT\n\n3.  THE CONFERENCE MET IN MAY.\n\nROE"
    )
    assert _parse(body).summary == (
        "THE CONFERENCE CONCLUDED THAT:\n\n--THE TALKS ARE NOT A THREAT.\n\n--AS AID PROGRAMS, "
        "WHICH\n\nONCE HAD AN IMPACT, ARE REDUCED, OTHERS FILL THE GAP."
    )


@pytest.mark.parametrize("label", ["ACTION SUMMARY:", "Action Summary:"])
def test_action_summary_label_is_a_summary_label(label):
    body = (
        f"1.  {label}  THIS TELEGRAM ANNOUNCES A GRANT.  POSTS MAY APPLY.  END OF SUMMARY.\n\n"
        "2.  THE PROGRAM RUNS TWO YEARS.\n\nROE"
    )
    assert _parse(body).summary == "THIS TELEGRAM ANNOUNCES A GRANT.  POSTS MAY APPLY."


def test_introduction_label_closed_by_end_summary_is_the_summary():
    body = (
        "This cable is sensitive but unclassified.\n\n"
        "1.  (SBU) Introduction:  The market is busy.\n\n"
        "2.  (SBU) The rules are new.  End Summary.\n\n"
        "The Players\n-----------\n\n3.  (SBU) The first player is large.\n\nROE"
    )
    assert _parse(body).summary == "The market is busy.\n\nThe rules are new."


def test_introduction_label_without_end_summary_is_no_summary():
    body = (
        "1.  (SBU) Introduction:  The market is busy.\n\n"
        "2.  (SBU) The rules are new.\n\n3.  (SBU) The first player is large.\n\nROE"
    )
    assert _parse(body).summary is None


def test_stray_end_comment_closing_a_summary_is_no_part_of_it():
    body = (
        "1. (C) Summary: The minister met the press.  He was clear minded.  End comment.\n\n"
        "2. (C) The meeting was long.\n\nROE"
    )
    assert _parse(body).summary == "The minister met the press.  He was clear minded."
    # a comment inside the summary keeps its closing
    body = (
        "1. (C) Summary: The minister met the press.  Comment: He was clear.  End comment.\n\n"
        "2. (C) The meeting was long.\n\nROE"
    )
    assert _parse(body).summary.endswith("He was clear.  End comment.")


@pytest.mark.parametrize(
    ("first", "summary"),
    [
        ("(c) The visit went well.", "The visit went well."),
        ("(sbu) The visit went well.", "The visit went well."),
        ("(S//REL China) The visit went well.", "The visit went well."),
        ("(C/REL NATO and AUS) Summary: The visit went well.", "The visit went well."),
        ("()  Summary:  The visit went well.", "The visit went well."),
        ("(1) (C) The visit went well.", "The visit went well."),
        # brackets that are no portion mark stay
        ("(Zenda) is a country at peace.", "(Zenda) is a country at peace."),
        ("(1) The visit went well.", "(1) The visit went well."),
    ],
)
def test_portion_mark_left_at_the_summary_start_is_dropped(first, summary):
    body = f"SUMMARY\n-------\n\n1. {first}  End Summary.\n\n2. (C) More.\n\nROE"
    assert _parse(body).summary == summary


@pytest.mark.parametrize(
    "heading",
    ["Summary, Comment and Recommendation", "Summary, Comment, and Recommendations"],
)
def test_heading_listing_the_summary_first_with_others(heading):
    body = (
        f"{'-' * len(heading)}\n{heading}\n{'-' * len(heading)}\n\n"
        "1. (SBU) The report is out.\n\n2. (S) It names Zenda.\n\n"
        "3. (SBU) Recommendation: none.  End Summary, Comment, and Recommendation.\n\n"
        "Details\n-------\n\n4. (SBU) The report runs long.\n\nROE"
    )
    assert _parse(body).summary == (
        "The report is out.\n\nIt names Zenda.\n\nRecommendation: none."
    )


def test_portion_marked_title_glued_to_the_summary_end():
    body = (
        "1. (SBU) Summary: The envoy met five ambassadors. (SBU) Meeting with Zenda's "
        "Ambassador (7 May)\n\n2. (C) The envoy opened the meeting.\n\nROE"
    )
    assert _parse(body).summary == "The envoy met five ambassadors."


@pytest.mark.parametrize(
    ("first", "summary"),
    [
        # a label with its stop, the points on the same line
        (
            "1.(C) Key Points: -- Zenda closed its border. -- Ruritania protested.",
            "-- Zenda closed its border. -- Ruritania protested.",
        ),
        ("1. KEY POINTS -- (C) Zenda closed its border.", "-- (C) Zenda closed its border."),
        ("1. (C) Key Issues: -- Zenda closed its border.", "-- Zenda closed its border."),
        # the label on a line of its own, the points under it, some set off by blank lines
        (
            "1. KEY POINTS\n\n-- (C) Zenda closed its border.\n\n-- (C) Ruritania protested.",
            "-- (C) Zenda closed its border.\n\n-- (C) Ruritania protested.",
        ),
        ("1. (S/NF) Key points:\n-- Zenda closed its border.", "-- Zenda closed its border."),
        # the page ran the label onto the first point
        ("1. Key Points Zenda closed its border.", "Zenda closed its border."),
        # a lead-in sentence is the summary's first words
        (
            "1. Key points at the June 7 press briefing were:\n\n-- Zenda closed its border.",
            "Key points at the June 7 press briefing were:\n\n-- Zenda closed its border.",
        ),
        # the closing marker, and what follows it, are no part of the points
        (
            "1. (C) Key points:\n-- Zenda closed its border.\nEnd key points.",
            "-- Zenda closed its border.",
        ),
    ],
)
def test_key_points_opening_paragraph_one_are_the_summary(first, summary):
    body = f"{first}\n\n2. (C) Comment: Zenda wants talks.\n\nROE"
    assert _parse(body).summary == summary


def test_key_points_only_in_paragraph_one():
    body = "1. (C) The talks ended.\n\n2. (C) Key points: -- Zenda closed its border.\n\nROE"
    assert _parse(body).summary is None


def test_a_summary_label_wins_over_key_points():
    body = (
        "1. Key Points\n-- (C) Zenda closed its border.\n\n"
        "2. (C) Summary: The border is shut.  End Summary.\n\nROE"
    )
    assert _parse(body).summary == "The border is shut."


@pytest.mark.parametrize(
    "glued",
    [
        "------- Border Talks -------",  # the rules on both sides
        "BORDER TALKS --------------",  # the page lost the rule before the title
        "------------------- -------- Border Talks: Zenda-Ruritania ------------------- --------",
        "------------ Talks Resume, But... ------------ -",  # a wrapped rule, a title with stops
    ],
)
def test_decorated_title_glued_to_the_summary_end(glued):
    body = f"1. (C) Summary: The border is shut. {glued}\n\n2. (C) The envoy met.\n\nROE"
    assert _parse(body).summary == "The border is shut."


@pytest.mark.parametrize(
    ("tail", "summary"),
    [
        ("\nBORDER TALKS", "The border is shut."),  # an upper-case title on the last line
        (" XXXXXXXXXXXX", "The border is shut. XXXXXXXXXXXX"),  # a redaction is text
    ],
)
def test_upper_case_title_after_a_mixed_case_summary(tail, summary):
    body = f"1. (C) Summary: The border is shut.{tail}\n\n2. (C) The envoy met.\n\nROE"
    assert _parse(body).summary == summary


def test_key_points_closed_by_end_summary():
    body = "1. (C) Key Points: -- Zenda closed its border.  End Summary.\n\n2. (C) More.\n\nROE"
    assert _parse(body).summary == "-- Zenda closed its border."


@pytest.mark.parametrize("lead", ["1- ", "1 - ", "1-- ", "2 -- "])
def test_label_after_a_number_written_with_a_hyphen(lead: str) -> None:
    # `1- SUMMARY: …` (a pre-2000 post wrote its numbers so): the number and label stay out
    paragraphs = [
        Paragraph(number=None, text=f"{lead}SUMMARY: THE FAIR OPENED LATE. END SUMMARY"),
        Paragraph(number=2, text="THE REST."),
    ]
    assert find_summary(paragraphs) == "THE FAIR OPENED LATE."


def test_a_hyphenated_number_in_prose_is_no_label() -> None:
    paragraphs = [Paragraph(number=1, text="1-2 summary pages were lost in transit.")]
    assert find_summary(paragraphs) is None
