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


# -- trailers and shapes after the name (issue 10) -------------------------------------------


@pytest.mark.parametrize(
    ("lines", "signers"),
    [
        # a classification line, a service note, the end marker and a release stamp after it
        (["Text ends.", "", "ROE", "", "NOTE: NOT PASSED TO ABOVE ADDRESSEE(S)", "NNNN"], ["ROE"]),
        (["Text ends.", "", "ROE", "", "   CONFIDENTIAL", "NNN"], ["ROE"]),
        (
            [
                "Text ends.",
                "ROE",
                "Declassified/Released US Department of State EO Systematic",
                "Review 30 JUN 2005",
            ],
            ["ROE"],
        ),
        (["Text ends.", "", "ROE", "NNNN  2005ZENDA01593 - Classification: SECRET"], ["ROE"]),
        (
            [
                "Text ends.",
                "",
                "Roe",
                "",
                "NNNN",
                "",
                " 2003ZENDA04299 - Classification: SECRET",
                "",
                "v1.6.3",
            ],
            ["ROE"],
        ),
        (["Text ends.", "ROE", "N", "NNNN"], ["ROE"]),
        (["Text ends.", "ROE", "--"], ["ROE"]),
        # a page marker after the name
        (["Text ends.", "", "ROE", "ZENDA 00000402 003 OF 003"], ["ROE"]),
        # a lone dot, dots and commas after the name
        (["Text ends.", "", "ROE", "."], ["ROE"]),
        (["The ship left port. ROE.."], ["ROE"]),
        (["Text ends.", "", "ROE ,  ..."], ["ROE"]),
        # a lower-case echo of the name
        (["Text ends.", "Roe", "roe"], ["ROE"]),
        (["Text ends.", "Wood", "od"], ["WOOD"]),
        # the glued end-of-message marker and what follows it
        (["Talks will go on. ROE NNNN End Cable Text"], ["ROE"]),
        # a closing line of the page's tooling or a service note after the name
        (["Text ends.", "", "ROE", "=======================CABLE END"], ["ROE"]),
        (
            ["Text ends.", "ROE", "SELECT * FROM `cable` WHERE `id` = '1234' ORDER BY `date` ASC"],
            ["ROE"],
        ),
        (["Text ends.", "", "ROE", "MINIMIZE CONSIDERED"], ["ROE"]),
        (["Text ends.", "ROE", "ECON @ EL PAÍS"], ["ROE"]),
        (["Text ends.", "", "ROE", "NOTE: POUCH ADDRESSEES PROTECTED BY IRM/MSO"], ["ROE"]),
        # glued to a date's number, or after a doubled period
        (["The court sits again on March 7.ROE"], ["ROE"]),
        (["Reform will wait. .ROE"], ["ROE"]),
        # the name below an `End Comment` written without its period
        (["He will stay on. End Comment", "LA ROE"], ["LA ROE"]),
        # a metadata dump on its own line after the name, then the start of a second copy
        (
            [
                "2. (U) The ministry has cleared this cable. ROE",
                "",
                "0 03/02/2009 1234 PREL,PGOV,ZE TALKS RESUME IN ZENDA",
                "The talks resumed on Monday in the capital, where the two delegations",
            ],
            ["ROE"],
        ),
    ],
)
def test_trailers_after_the_name(lines, signers):
    assert take_signature(lines).signers == signers


@pytest.mark.parametrize(
    "trailer",
    [
        # a classification line with its caveat, the way banners write it
        ["SECRET//NOFORN"],
        ["C O N F I D E N T I A L // NOFORN"],
        ["CONFIDENTIAL NOFORN"],
        # an end-of-message line in words
        ["END OF MESSAGE"],
        ["END OF MESSAGE.", "NNNN"],
        ["End of telegram"],
    ],
)
def test_caveats_and_end_lines_after_the_name(trailer):
    assert take_signature(["Text ends.", "", "ROE", "", *trailer]).signers == ["ROE"]


@pytest.mark.parametrize(
    ("lines", "signers"),
    [
        # the web-site notice with the name on the same line
        (
            [
                "Text ends.",
                "Visit Zenda's Classified Website: http://www.state.sgov.gov/p/eur/"
                "zenda/index. cfm ROE",
            ],
            ["ROE"],
        ),
        (
            [
                "Text ends.",
                "Visit Zenda's Classified Website: http://www.intelink.sgov.gov/wiki/"
                "Portal:Zen da Roe",
            ],
            ["ROE"],
        ),
        (
            ["Text ends.", "the Blog at http://www.intelink.gov/communities/state/zen / ROE"],
            ["ROE"],
        ),
        (["Text ends.", "Visit Zenda's Classified Website: XXXXXXXXXXXXROE"], ["ROE"]),
        # the notice on lines of its own, a rule, then the name (any case)
        (
            [
                "Text ends.",
                "----------",
                "Visit Embassy Zenda's Classified Website;",
                "http://www.state.sgov.gov/p/eur/zenda/",
                "----------",
                "ROE",
            ],
            ["ROE"],
        ),
        (["Text ends.", "http://www.state.sgov.gov/p/nea/zenda/", "*********** *", "roe"], ["ROE"]),
    ],
)
def test_name_after_the_web_site_notice(lines, signers):
    assert take_signature(lines).signers == signers


@pytest.mark.parametrize(
    ("lines", "signers"),
    [
        # glued to the last sentence, in an upper-case and a mixed-case text
        (["THE TALKS WILL GO ON IN MAY. ROE"], ["ROE"]),
        (["Both sides are well satisfied with the state of affairs. LU"], ["LU"]),
        (["Text ends.", "", "LU"], ["LU"]),
        # a list of people, the last one's name, then the signer
        (["Cabinet Advisor for Zendan Affairs Ahmed Doe DOBBS"], ["DOBBS"]),
        (["10. (U) Department thanks Posts for their help. MINIMIZE CONSIDERED ROE"], ["ROE"]),
        # drafter above the signer
        (["Text ends.", "", "Doe", "ROE"], ["DOE", "ROE"]),
    ],
)
def test_glued_and_stacked_names(lines, signers):
    assert take_signature(lines).signers == signers


@pytest.mark.parametrize(
    "lines",
    [
        ["TEXT ENDS.", "", "NNN"],  # the end-of-message marker is no signer
        ["Text ends.", "", "AAAA", "NOTE:  POSSIBLE MISSING CAPTION"],
        ["Offices:", "DCM", "DAO", "CONS"],  # a list of office symbols
        ["Text ends.", "PRIORITY USMISSION GENEVA"],
        ["It was agreed with the UK"],  # a country, not a name
        ["Text ends.", "http://www.state.sgov.gov/p/wha/zenda/  along with", "exte"],
        ["The talks were held at NATO"],
    ],
)
def test_no_signer_in_these_shapes(lines):
    assert take_signature(lines).signers == []


def test_lone_name_after_a_ref_block_that_swallowed_the_text():
    lines = [
        "REF: A. STATE 91561 B. ZENDA 1026",
        "",
        "(U) We delivered ref A talking points to the Ministry on",
        "April 11; the Ministry will reply to ref B next week.",
        "",
        "ROE",
    ]
    assert _text_after(lines, 5).signers == ["ROE"]


def test_name_taken_by_the_preamble_with_the_text():
    # a REF block ran on over the text and the name: the name is still the signer
    lines = [
        "REF: STATE 93894",
        "(U) The Minister will not be able to attend the event on",
        "September 26.",
        "ROE",
    ]
    c = _text_after(lines, 4)
    assert c.signers == ["ROE"]


@pytest.mark.parametrize(
    ("lines", "signers"),
    [
        (["Text ends.", "ROE", "1/21/2009"], ["ROE"]),
        (
            [
                "Text ends.",
                "ROE",
                "NOTE BY OC/T:  (#):  OMISSION:  PARA 2 LINE 4.  CORRECTION TO",
                "FOLLOW.",
            ],
            ["ROE"],
        ),
        (["16. (C) XXXXXXXXXXXX. cfm Roe"], ["ROE"]),
    ],
)
def test_more_trailers_and_notices(lines, signers):
    assert take_signature(lines).signers == signers


def test_name_after_the_web_site_line_taken_by_the_preamble():
    lines = [
        "SUBJECT: UK RESPONSE",
        "The UK is discussing this with the EU this week.  Visit Zenda's Classified Website: "
        "XXXXXXXXXXXX",
        "ROE",
    ]
    assert _text_after(lines, 3).signers == ["ROE"]


@pytest.mark.parametrize(
    ("lines", "signers"),
    [
        (["WHALING FLEET THROUGH JANUARY 7.", "-", "ROE"], ["ROE"]),
        (["Text ends.", '"ROE ,,,,"'], ["ROE"]),
        (["Text ends.", "# ROE"], ["ROE"]),
        (
            ["Cleared by PDAS Doe. Visit Zenda's Classified Website: XXXXXXXXXXXX Kingdom LeRoe"],
            ["LEROE"],
        ),
    ],
)
def test_old_separators_quotes_and_address_tails(lines, signers):
    assert take_signature(lines).signers == signers


def test_page_metadata_dump_after_the_name():
    lines = [
        "1. (C) The talks ended. (End text of letter) ROE 0 02/08/2008 5838 PREL,PGOV,ZE "
        "NEW DEVELOPMENTS 1. (C) The talks ended with a long copy of the text that follows "
        + "and goes on "
        * 40
    ]
    assert take_signature(lines).signers == ["ROE"]


@pytest.mark.parametrize(
    "lines",
    [
        ["The visit gave a further boost to the cause. ROE\" D'..."],
        ["Not too far out in front. End comment.", "ROE", "EPET @ EL P"],
    ],
)
def test_scraps_after_the_name(lines):
    assert take_signature(lines).signers == ["ROE"]


@pytest.mark.parametrize(
    ("lines", "signers", "rest"),
    [
        # a quotation (an agreement's text) closed after the name: the quote is not the name's
        (["End text of agreement.", 'ROE"'], ["ROE"], ["End text of agreement."]),
        (["End text of agreement.", "ROE\u201d"], ["ROE"], ["End text of agreement."]),
        # a short surname in mixed case below mixed-case prose
        (
            ["and have no historical national ideology.", "Instead the merchant", "agreed.", "Lu"],
            ["LU"],
            ["and have no historical national ideology.", "Instead the merchant", "agreed."],
        ),
    ],
)
def test_name_closing_a_quotation_and_short_mixed_case_names(lines, signers, rest):
    sig = take_signature(lines)
    assert (sig.signers, sig.lines) == (signers, rest)


def test_a_copy_of_the_routing_header_after_the_name_is_not_text():
    """Some pages repeat the telegram's ACP-127 header after the signature (Paris, 2006-08):
    the name is found above it and the header lines do not end the last paragraph."""
    lines = [
        "independent, and free Zenda.",
        "Please visit Zenda's Classified Website at:",
        "http://www.state.sgov.gov/p/eur/zenda/index.cfm",
        "ROE",
        "VZCZCXRO2010",
        "OO RUEHAG RUEHBC RUEHDE",
        "DE RUEHZZ #0988/01 1441337",
        "ZNY CCCCC ZZH",
        "O 231337Z MAY 08",
        "FM AMEMBASSY ZENDA",
        "TO RUEHC/SECSTATE WASHDC IMMEDIATE 3125",
        "INFO RUEHEE/ARAB LEAGUE COLLECTIVE PRIORITY",
    ]
    c = _text_after(["1. (U) Text of the cable, ending", *lines], 0)
    assert c.signers == ["ROE"]
    assert c.paragraphs[-1].text.endswith("index.cfm")
    assert not any("VZCZC" in p.text or "SECSTATE" in p.text for p in c.paragraphs)


@pytest.mark.parametrize(
    "tail",
    [
        ['"', ","],  # a page's stray quote and comma lines
        ["/", "/", "/"],  # a column of slashes
        ['"\tClassification: UNCLASSIFIED', '"'],
        ["", "=======CABLE ENDS=======", "", "Classified By: DCM Jo Roe, Reasons: 1.4 B..."],
        ["NNNN", "End Cable Text", " XXXXXXXXXXXX"],
        ["", "Track impresión: someone @ Sat Dec 4 19:20:36 2010. Este documento", "ID:\t187536"],
        ["", "F:\\POLITICAL SECTION\\CABLES\\021120 EUROPE.DOC", "UNCLASSIFIED"],
        ["", "NOTE: POUCHED PROTECTED BY SO."],
        ["", "NOTE: (#) OMISSION. CORRECTION TO FOLLOW."],
        ["", "MISSING CLASSIFIED PARAGRAPH", "NNNN"],
        ["", "CONFIDENTIAL", ">", "2003ZAGREB0"],  # a cut cable id
    ],
)
def test_signature_read_past_trailers(tail):
    sig = take_signature(["The talks went well.", "", "NICHOLSON", *tail])
    assert sig.signers == ["NICHOLSON"]
    assert sig.lines == ["The talks went well."]


def test_note_in_the_text_before_the_name_is_kept():
    lines = ["Text ends.", "", "NOTE: the minister left early.", "", "ROE"]
    sig = take_signature(lines)
    assert sig.signers == ["ROE"]
    assert sig.lines == lines[:3]


def test_redaction_line_alone_is_no_signature_and_no_trailer():
    sig = take_signature(["Text ends.", "", "XXXXXXXXXXXX"])
    assert sig.signers == []
    assert sig.lines[-1] == "XXXXXXXXXXXX"


@pytest.mark.parametrize(
    ("last", "signer", "rest"),
    [
        # glued to mixed-case prose with nothing between
        ("The office can help. AMERICAN EMBASSY: (54)(11) 5777-4873  WAYNE", "WAYNE", None),
        ("Jo Roe, Coordinator, EUR/NB RICE", "RICE", "Jo Roe, Coordinator, EUR/NB"),
        ("Ann Poe, Multilateral Trade Office, EEB HENZEL", "HENZEL", None),
        ("Yea: 105 Nay: 104 Abstain/blank/spoiled: 14 EIKENBERRY", "EIKENBERRY", None),
        ("Released in 1974, he joined the underground.  End of Part One LA LIME", "LA LIME", None),
        ("Crime Affairs Officer Ann Poe, ARSO PENNINGTON PENNINGTON", "PENNINGTON", None),
        ("He said he would investigate. We will follow-up with the MFA Scobey", "SCOBEY", None),
        ("Education: Egyptian War College Tueller", "TUELLER", None),
        # glued to the drafters' closing parenthesis
        ("PLEASE RESPOND WITH A RETURN CABLE.", None, None),
        ("(USFCS/JROE/ADOE)GEORGE ARGYROS", "GEORGE ARGYROS", "(USFCS/JROE/ADOE)"),
    ],
)
def test_signer_glued_without_punctuation(last, signer, rest):
    sig = take_signature(["The talks went well.", "", last])
    assert sig.signers == ([signer] if signer else [])
    if rest is not None:
        assert sig.lines[-1] == rest


@pytest.mark.parametrize(
    "last",
    [
        "The delegation then traveled on to Lilongwe and in Blant",  # cut short
        "He praised the work of NATO and the UNHCR",  # codes and acronyms
        "Officials from the FARC met the FARC",  # a word the line already used
        "We will meet again with the de Mello",  # a particle before the word
    ],
)
def test_no_bare_glued_signer(last):
    assert take_signature(["The talks went well.", "", last]).signers == []


def test_upper_case_name_below_a_comma_in_mixed_case_prose():
    lines = ["Experts were Greg Doe (DHS), Mike Roe (LLNL),", "and John Poe (DOE),", "RICE"]
    assert take_signature(lines).signers == ["RICE"]
    # a wrapped upper-case telegram: the word goes on with the sentence
    lines = ["THE TALKS WERE HELD WITH THE MINISTER OF,", "DEFENSE"]
    assert take_signature(lines).signers == []


def test_a_sentence_ending_in_a_capitalised_word_is_no_bare_glued_signer():
    assert (
        take_signature(["Text.", "", "This cable was cleared by Embassy Brasilia."]).signers == []
    )
    assert take_signature(["Text.", "", "He met the Finance Minister and the MOD."]).signers == []


@pytest.mark.parametrize(
    ("body", "signers"),
    [
        # two signers written with a slash, in mixed case or capitals
        ("14.  (U) The mission will report developments.\n\nStimpson/Allen", ["STIMPSON", "ALLEN"]),
        ("14.  (U) THE MISSION WILL REPORT.\n\nSTIMPSON/ALLEN", ["STIMPSON", "ALLEN"]),
        # office symbols, titles and routing lines are no signers
        ("2. (U) Text ends here.\n\nEUR/SE", []),
        ("2. (U) Text ends here.\n\nPolOff/Econ", []),
        ("2. (U) Text ends here.\n\nRHBVAKS/COMUSNAVCENT", []),
        # names typed in lower case: below a closing's first name, the end of a comment, or
        # the web-site notice whose address a stray space cut
        ("You have set a high standard.\n\nBest,\n\nJeff\nclinton", ["JEFF", "CLINTON"]),
        ('with compassion and humanity." END COMMENT\ncurran', ["CURRAN"]),
        (
            "Visit Zenda's Classified Website:\nhttp://www.state.sgov.gov/p/eur/zenda/index. cfm\ntuttle",
            ["TUTTLE"],
        ),
        # a word cut off after the address, inside the sentence, is no name
        ("on the SIPRNET at\nhttp://www.state.sgov.gov/p/wha/zenda/  along with\nexte", []),
        ("the talks went well and\nthanks", []),
    ],
)
def test_slashed_and_lower_case_signers(body, signers):
    assert take_signature(body.split("\n")).signers == signers


@pytest.mark.parametrize(
    ("body", "signers"),
    [
        ("2. (U) Text ends here.\n\nWI LLIAM STEWART", ["WILLIAM STEWART"]),  # a stray space
        ("2. (U) Text ends here.\n\nAL LEN", ["AL LEN"]),  # two given names stay two words
        ("2. (U) Text ends here.\n\nVAN VOORST", ["VAN VOORST"]),
    ],
)
def test_given_name_split_by_a_stray_space_in_the_signature(body, signers):
    assert take_signature(body.split("\n")).signers == signers


@pytest.mark.parametrize(
    ("last", "signers", "rest"),
    [
        # a mixed-case name opening with its particle, glued after the last sentence: one name
        ("The talks ended. Van Voorst", ["VAN VOORST"], "The talks ended."),
        ("The talks ended. de la Pena", ["DE LA PENA"], "The talks ended."),
        ("The talks ended. St. John", ["ST. JOHN"], "The talks ended."),
        # upper-case particle and compound surnames stay one signer
        ("The talks ended. MC CARTHY", ["MC CARTHY"], "The talks ended."),
        ("The talks ended. O'NEILL", ["O'NEILL"], "The talks ended."),
        ("The talks ended. HINSON-JONES", ["HINSON-JONES"], "The talks ended."),
        # a particle inside the prose is no name
        ("We met him in San Pedro de Macoris.", [], "We met him in San Pedro de Macoris."),
    ],
)
def test_glued_particle_names(last, signers, rest):
    sig = take_signature(["1. Text.", "", last])
    assert sig.signers == signers
    assert sig.lines[-1] == rest


@pytest.mark.parametrize(
    ("line", "signers"),
    [
        ("SMITH/JONES", ["SMITH", "JONES"]),  # two signers with a slash, upper case
        ("SCHMIDT/BROWN", ["SCHMIDT", "BROWN"]),  # a name of few vowels is still a name
        ("RHBVAKS/COMUSNAVCENT", []),  # routing indicators
        ("DE LA PENA", ["DE LA PENA"]),
        ("ST. JOHN", ["ST. JOHN"]),
    ],
)
def test_signer_lines_one_or_two(line, signers):
    assert take_signature(["Text ends here.", "", line]).signers == signers


@pytest.mark.parametrize(
    ("line", "signers"),
    [
        ("CDA Griffiths", ["GRIFFITHS"]),  # the signer's title before the name
        ("AMBASSADOR SMITH", ["SMITH"]),
        ("MOORE LEADER", ["MOORE LEADER"]),  # a title word after a name is no title
    ],
)
def test_signer_title_before_the_name(line, signers):
    assert take_signature(["Text ends here.", "", line]).signers == signers


@pytest.mark.parametrize(
    ("lines", "signers"),
    [
        # the wrapped end of the last sentence: one word with its full stop under a long line
        (["3. WE WOULD BE GRATEFUL FOR THE MINISTRY'S", "HELP."], []),
        (["10. (U) This cable has been cleared by the visiting", "Delegation."], []),
        # a finished sentence, a blank line or a web-site notice before the name: a signer
        (["3. WE WOULD BE GRATEFUL FOR THE MINISTRY'S HELP.", "SMITH."], ["SMITH"]),
        (["3. WE WOULD BE GRATEFUL FOR THE MINISTRY'S", "", "SMITH."], ["SMITH"]),
        (["Visit our Classified Website: XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "JONES."], ["JONES"]),
        # a short line is a signature block's, not wrapped prose
        (["FOR THE AMBASSADOR", "JONES."], ["JONES"]),
    ],
)
def test_one_word_sentence_end_is_no_signer(lines, signers):
    assert take_signature(lines).signers == signers


@pytest.mark.parametrize(
    ("last", "signers", "rest"),
    [
        # a name glued to the sentence's stop without a space, in either case of prose
        ("1. We support these efforts.NICHOLSON", ["NICHOLSON"], "1. We support these efforts."),
        ("1. WE SUPPORT THESE EFFORTS.NICHOLSON", ["NICHOLSON"], "1. WE SUPPORT THESE EFFORTS."),
        # an abbreviation's stop is no sentence end
        ("1. THE TALKS WITH THE U.S.ARMY", [], "1. THE TALKS WITH THE U.S.ARMY"),
        ("1. HE MET MR.SMITH", [], "1. HE MET MR.SMITH"),
    ],
)
def test_name_glued_to_the_stop_without_a_space(last, signers, rest):
    sig = take_signature([last])
    assert sig.signers == signers
    assert sig.lines[-1] == rest


@pytest.mark.parametrize("redacted", ["", "XXXXXXXXXXXX "])
def test_page_metadata_dump_after_the_name_with_a_copy_of_the_text_below(redacted):
    # the dump glued after the name; the page's copy of the text runs on below it
    lines = [
        "1. (C) The talks began.",
        "",
        f"7. (C) The talks ended. End comment. {redacted}ROE 0 12/28/2007 5319 PREL,PGOV,ZE "
        "A SUBJECT LINE",
        "",
        "1. (C) The talks began, a copy of the first paragraph.",
    ]
    sig = take_signature(lines)
    assert sig.signers == ["ROE"]
    assert sig.lines[-1].rstrip().endswith("End comment." + (" XXXXXXXXXXXX" if redacted else ""))


@pytest.mark.parametrize(
    "trailer",
    [
        ["AAAA", "NOTE:  POSSIBLE MISSING ADM AID OR AIDAC CAPTI", "NNNN"],  # a relay's filler
        ["UNCLASSIFIED1", "SIPDIS", "         UNCLASSIFIED", "          UNCLASSIFIED", "ED"],
        ["CONFIDENTIAL", "AL"],  # the classification line's cut end
        ["SIPDIS"],
    ],
)
def test_relay_trailers_after_the_name(trailer):
    sig = take_signature(["3. The talks ended.", "ROE", *trailer])
    assert sig.signers == ["ROE"]
    assert sig.lines == ["3. The talks ended."]


def test_a_short_name_after_a_classification_line_that_does_not_end_in_it():
    # `ED` is the cut end of `UNCLASSIFIED`; `LEE` is no end of `CONFIDENTIAL`
    sig = take_signature(["3. The talks ended.", "CONFIDENTIAL", "LEE"])
    assert sig.signers == ["LEE"]
