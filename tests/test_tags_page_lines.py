"""A TAGS line as a Cablegate page shows it: the site replaced the commas by spaces, so a
publisher's mixed-case expansion no longer ends at a comma.  Codes after it are still tags,
as the same line with its commas (a cables.csv row) reads them.  Fixture lines written here."""

import pytest

from cablebase.grammar.tags import read_tags


@pytest.mark.parametrize(
    ("page_line", "row_line", "tags", "expansions"),
    [
        # a code after the expansion
        ("PREL PGOV XX Minorities QQQ", "PREL, PGOV, XX, Minorities, QQQ", ["QQQ"], ["Minorities"]),
        # a longer expansion, then a word that is no code but upper case
        ("PREL XX Weekly Summaries ALPHA", "PREL, XX, Weekly Summaries, ALPHA", ["ALPHA"], None),
        # two expansions with a code between them
        ("PGOV XX Old Party ZZZ Rural Vote", "PGOV, XX, Old Party, ZZZ, Rural Vote", ["ZZZ"], None),
    ],
)
def test_codes_after_an_expansion_on_a_page_line(page_line, row_line, tags, expansions):
    page_tags, page_exp = read_tags(page_line)
    row_tags, _ = read_tags(row_line)
    assert page_tags == row_tags
    assert page_tags[-len(tags) :] == tags
    if expansions is not None:
        assert page_exp == expansions


@pytest.mark.parametrize(
    "line",
    [
        "PREL XX Security and Prosperity Partnership",  # small words inside
        "PGOV XX Election March 2004",  # a number inside
    ],
)
def test_an_expansion_runs_on_through_small_words_and_numbers(line):
    tags, expansions = read_tags(line)
    assert tags == ["PREL" if line.startswith("PREL") else "PGOV", "XX"]
    assert expansions == [line.split(" ", 2)[2]]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("KPAO CA TFXX01 TFXX02", ["KPAO", "CA", "TFXX01", "TFXX02"]),
        ("PHUM LH QT48 QT7", ["PHUM", "LH", "QT48", "QT7"]),
        ("PHUM, LH, QT48, QT7", ["PHUM", "LH", "QT48", "QT7"]),  # the row's commas
    ],
)
def test_numbered_codes_run_together_are_each_a_tag(line, expected):
    assert read_tags(line)[0] == expected
