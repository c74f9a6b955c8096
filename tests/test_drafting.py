"""The drafting rules: each rule fires on a draft that breaks it and not on one that keeps it.

Every draft here is synthetic, written for the test from the rule's text: a clean CONFIDENTIAL
draft (BASE) that no rule objects to, and per rule one edit that breaks it and, where the rule
has an exception, one edit that keeps it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from cablebase.drafting import RULES, Context, check, draft_from_text
from cablebase.drafting.reference import available

DAY = dt.date(2026, 6, 1)

BASE = """\
FM AMEMBASSY BAMAKO
TO RUEHC/SECSTATE WASHDC IMMEDIATE
INFO RUEHNK/AMEMBASSY NOUAKCHOTT PRIORITY
RUEHNM/AMEMBASSY NIAMEY PRIORITY

C O N F I D E N T I A L BAMAKO

SIPDIS

E.O. 13526: DECL: 05/31/2036
TAGS: PREL, PGOV, ML
SUBJECT: (C) MINISTER PREVIEWS THE SUMMIT

REF: A. BAMAKO 754
     B. STATE 12345 (NOTAL)

Classified By: Ambassador Jane Doe, Embassy Bamako, for reasons 1.4 (b) and (d).

1. (C) SUMMARY: The Foreign Minister told the Ambassador on May 30 that the summit will go
ahead. END SUMMARY.

2. (U) Embassy will report further.

DOE
"""


def findings(text: str, *, day: dt.date = DAY, resolve=None):
    return check(draft_from_text(text, date=day), Context(resolve=resolve))


def fired(text: str, **kw) -> set[str]:
    return {f.rule for f in findings(text, **kw) if f.severity != "info"}


def edit(*pairs: tuple[str, str]) -> str:
    text = BASE
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_base_draft_is_clean():
    assert findings(BASE) == []


LONG = "\n\n".join(
    f"{n}. (C) " + " ".join(["The minister described the regional plan in detail."] * 30)
    for n in range(3, 20)
)

# rule id -> (edits that break the rule, edits that keep it although they look close)
CASES = {
    "marking.banner-missing": ([("C O N F I D E N T I A L BAMAKO", "")], None),
    "marking.banner": (
        [("C O N F I D E N T I A L BAMAKO", "S E C R E T BAMAKO")],
        [("C O N F I D E N T I A L BAMAKO", "S E C R E T BAMAKO"), ("2. (U)", "2. (S)")],
    ),
    "marking.portion-missing": (
        [("2. (U) Embassy", "2. Embassy")],
        [("1. (C) SUMMARY", "1. CONFIDENTIAL - ENTIRE TEXT.\n\n3. SUMMARY"), ("2. (U) ", "4. ")],
    ),
    "subject.missing": ([("SUBJECT: (C) MINISTER PREVIEWS THE SUMMIT", "")], None),
    "subject.unmarked": (
        [("SUBJECT: (C) MINISTER", "SUBJECT: MINISTER")],
        [("SUBJECT: (C) MINISTER", "SUBJECT: (U) MINISTER")],
    ),
    "paragraphs.single-numbered": (
        [("\n2. (U) Embassy will report further.\n", "")],
        [("\n2. (U) Embassy will report further.\n", ""), ("1. (C) SUMMARY", "(C) SUMMARY")],
    ),
    "summary.required": (
        [("1. (C) SUMMARY: ", "1. (C) "), (" END SUMMARY.", ""), ("DOE\n", LONG + "\n\nDOE\n")],
        [("DOE\n", LONG + "\n\nDOE\n")],
    ),
    "signer.missing": ([("\nDOE\n", "\n")], None),
    "eo.missing": ([("E.O. 13526: DECL: 05/31/2036\n", "")], None),
    "eo.in-force": (
        [("E.O. 13526", "E.O. 12958")],
        None,
    ),
    "decl.missing": ([("E.O. 13526: DECL: 05/31/2036", "E.O. 13526")], None),
    "decl.date": (
        [("DECL: 05/31/2036", "DECL: 05/31/2026")],
        [("DECL: 05/31/2036", "DECL: 25X1")],
    ),
    "decl.exemption": (
        [("DECL: 05/31/2036", "DECL: X1")],
        [("DECL: 05/31/2036", "DECL: 50X1-HUM")],
    ),
    "reasons.missing": ([(", for reasons 1.4 (b) and (d).", ".")], None),
    "reasons.valid": (
        [("1.4 (b) and (d)", "1.5 (b) and (d)")],
        [("1.4 (b) and (d)", "1.4 (h)")],
    ),
    "classified-by.missing": (
        [
            (
                "Classified By: Ambassador Jane Doe, Embassy Bamako, for reasons 1.4 (b) and (d).\n",
                "",
            )
        ],
        None,
    ),
    "classified-by.complete": (
        [("Ambassador Jane Doe, Embassy Bamako", "Embassy Bamako")],
        [("Ambassador Jane Doe", "Political Officer Jane Doe")],
    ),
    "tags.missing": ([("TAGS: PREL, PGOV, ML\n", "")], None),
    "tags.known": (
        [("TAGS: PREL, PGOV, ML", "TAGS: PREL, PGOV, ML, QQQQ")],
        [
            ("TAGS: PREL, PGOV, ML", "TAGS: PREL, PGOV, ML, NATO, OVIP (DOE, JANE)"),
            ("TAGS: PREL, PGOV, ML", "TAGS: PREL, PGOV, ML, OVIP (WWARD)"),
        ],
    ),
    "tags.subject": ([("TAGS: PREL, PGOV, ML", "TAGS: KDEM, ML, NATO")], [("PREL, PGOV", "EAID")]),
    "tags.geographic": ([("TAGS: PREL, PGOV, ML", "TAGS: PREL, PGOV")], [(", ML", ", XA")]),
    "post.missing": (
        [("FM AMEMBASSY BAMAKO\n", ""), ("C O N F I D E N T I A L BAMAKO", "CONFIDENTIAL")],
        None,
    ),
    "addressee.missing": ([("TO RUEHC/SECSTATE WASHDC IMMEDIATE\nINFO ", "INFO ")], None),
    "addressee.exists": (
        [("AMEMBASSY NIAMEY", "AMEMBASSY ATLANTIS")],
        [("RUEHNM/AMEMBASSY NIAMEY PRIORITY", "AMCONSUL LAGOS PRIORITY")],
    ),
    "addressee.route": (
        [("RUEHNK/AMEMBASSY NOUAKCHOTT", "RUEHNM/AMEMBASSY NOUAKCHOTT")],
        None,
    ),
    "precedence.valid": ([("NIAMEY PRIORITY", "NIAMEY")], None),
    "precedence.info": (
        [("NOUAKCHOTT PRIORITY", "NOUAKCHOTT FLASH")],
        [("NOUAKCHOTT PRIORITY", "NOUAKCHOTT IMMEDIATE")],
    ),
    "precedence.niact": (
        [("WASHDC IMMEDIATE", "WASHDC NIACT IMMEDIATE")],
        [
            ("WASHDC IMMEDIATE", "WASHDC NIACT IMMEDIATE"),
            ("SUMMARY: The", "SUMMARY: NIACT because the Department must reply before 0800. The"),
        ],
    ),
    "collective.clearance": (
        [("RUEHNM/AMEMBASSY NIAMEY PRIORITY", "ALDAC PRIORITY\nCLEARED: AF/W")],
        [("RUEHNM/AMEMBASSY NIAMEY PRIORITY", "ALDAC PRIORITY\nCLEARED: AF/W, S/ES-O")],
    ),
    "captions.level": (
        [("C O N F I D E N T I A L", "UNCLASSIFIED"), ("SIPDIS", "NOFORN"), ("(C)", "(U)")],
        [("C O N F I D E N T I A L", "UNCLASSIFIED"), ("SIPDIS", "NOFORN"), ("(C)", "(SBU)")],
    ),
}


def test_every_rule_has_a_case():
    assert {r.id for r in RULES} - set(CASES) == {"refs.resolve"}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_on_a_breaking_draft(rule_id):
    if rule_id.startswith(("addressee.route", "addressee.exists")) and not available()["routes"]:
        pytest.skip("../shared routing book absent")
    if rule_id.startswith("tags.") and not available()["tags"]:
        pytest.skip("../shared TAGS lists absent")
    breaking, keeping = CASES[rule_id]
    assert rule_id in fired(edit(*breaking))
    if keeping is not None:
        assert rule_id not in fired(edit(*keeping))


def test_findings_carry_line_and_fix():
    text = edit(("RUEHNK/AMEMBASSY NOUAKCHOTT", "RUEHNM/AMEMBASSY NOUAKCHOTT"))
    if not available()["routes"]:
        pytest.skip("../shared routing book absent")
    (f,) = [f for f in findings(text) if f.rule == "addressee.route"]
    assert f.line == 3 and f.severity == "error"
    assert f.fix == "RUEHNK/AMEMBASSY NOUAKCHOTT"


def test_subparagraph_marks_count_for_the_banner():
    # `A. (C) …` inside a (U) paragraph: the banner CONFIDENTIAL is the highest mark
    text = edit(("1. (C) SUMMARY", "1. (U) SUMMARY"), ("SUBJECT: (C)", "SUBJECT: (U)"))
    assert "marking.banner" in fired(text)
    sub = text.replace("2. (U) Embassy will report further.", "2. (U) Details:\nA. (C) The plan.")
    assert "marking.banner" not in fired(sub)


def test_body_text_is_no_clearance():
    text = BASE.replace("FM AMEMBASSY BAMAKO", "FM SECSTATE WASHDC").replace(
        "TO RUEHC/SECSTATE WASHDC IMMEDIATE", "TO ALDAC IMMEDIATE"
    )
    text = text.replace(
        "2. (U) Embassy", "2. (U) Clearance is needed. Approved by the Minister. Embassy"
    )
    (f,) = [f for f in findings(text) if f.rule == "collective.clearance"]
    assert f.severity == "info"


def test_a_summary_under_another_label_counts():
    long = edit(
        ("1. (C) SUMMARY: ", "1. (C) "), (" END SUMMARY.", ""), ("DOE\n", LONG + "\n\nDOE\n")
    )
    assert "summary.required" in fired(long)
    assert "summary.required" not in fired(long.replace("1. (C) The", "1. (C) Key Points: The"))


def test_only_a_banner_line_above_the_preamble_is_numbered():
    # no banner at all: a body line that starts with a level word is no banner
    text = edit(
        ("C O N F I D E N T I A L BAMAKO", ""), ("DOE\n", "SECRET MEETINGS CONTINUE\n\nDOE\n")
    )
    d = draft_from_text(text, date=DAY)
    assert d.cable.classification is None and not d.unnumbered_banner
    assert "marking.banner-missing" in fired(text)


def test_routing_book_corrections():
    """The 2010 routing book gives RUEHPL to Paramaribo; the cables (and Paramaribo's own
    RUEHPO) say it is Port Louis: the correction wins."""
    if not available()["routes"]:
        pytest.skip("../shared routing book absent")
    port_louis = edit(("RUEHNM/AMEMBASSY NIAMEY", "RUEHPL/AMEMBASSY PORT LOUIS"))
    assert "addressee.route" not in fired(port_louis)
    wrong = edit(("RUEHNM/AMEMBASSY NIAMEY", "RUEHPL/AMEMBASSY PARAMARIBO"))
    assert "addressee.route" in fired(wrong)


def test_portion_missing_names_the_paragraph_line():
    (f,) = [
        f for f in findings(edit(("2. (U) Embassy", "2. Embassy"))) if f.rule.startswith("marking")
    ]
    assert f.rule == "marking.portion-missing" and f.line == 22


def test_refs_resolve_against_an_archive():
    known = {"25BAMAKO754"}
    assert "refs.resolve" not in fired(BASE, resolve=known.__contains__)
    (f,) = [f for f in findings(BASE, resolve=set().__contains__) if f.rule == "refs.resolve"]
    # REF B is NOTAL: only REF A must resolve
    assert "REF A" in f.message and f.line == 14


def test_a_cable_is_judged_by_the_rules_of_its_own_day():
    # before 22 September 2003 the reasons were 1.5(a)-(g), and X1-X8 were valid exemptions
    old = edit(("1.4 (b) and (d)", "1.5 (b) and (d)"), ("E.O. 13526", "E.O. 12958"))
    old = old.replace("DECL: 05/31/2036", "DECL: X1")
    assert not {"reasons.valid", "decl.exemption", "eo.in-force"} & fired(
        old, day=dt.date(2001, 5, 2)
    )
    later = fired(old, day=dt.date(2005, 5, 2))
    assert {"reasons.valid", "decl.exemption"} <= later and "eo.in-force" not in later
    assert "eo.in-force" in fired(old, day=dt.date(2011, 5, 2))


def test_clearances_come_from_the_drafting_block():
    # a Department telegram to ALDAC, with its drafting block as cables.csv keeps it
    text = BASE.replace("FM AMEMBASSY BAMAKO", "FM SECSTATE WASHDC").replace(
        "TO RUEHC/SECSTATE WASHDC IMMEDIATE", "TO ALDAC IMMEDIATE"
    )
    block = "DRAFTED BY: AF/W:JDOE -- 05/30/26\nAPPROVED BY: AF:RROE\nAF/W:JDOE  {}\n"
    assert "collective.clearance" in fired(block.format("EB:KLEE") + text)
    assert "collective.clearance" not in fired(block.format("S/ES-O:MSMITH") + text)
    # no drafting block at all: the draft does not say, which is only noted
    (f,) = [f for f in findings(text) if f.rule == "collective.clearance"]
    assert f.severity == "info"


def test_oadr_is_no_longer_an_instruction():
    text = edit(("DECL: 05/31/2036", "DECL: OADR"))
    assert "decl.exemption" in fired(text)
    assert "decl.exemption" not in fired(
        text.replace("E.O. 13526", "E.O. 12356"), day=dt.date(1990, 1, 2)
    )


def test_declassification_more_than_25_years_out_needs_an_exemption():
    far = edit(("DECL: 05/31/2036", "DECL: 06/01/2056"))
    assert "decl.date" in fired(far)
    assert "decl.date" not in fired(far.replace("06/01/2056", "05/01/2051"))
    assert "decl.date" not in fired(far.replace("06/01/2056", "06/01/2056 25X6"))
