"""Values that match nothing get a hint of the near values the reader can find (archive/hints.py)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cablebase.access.policy import Access, Policy, Viewer, caveat_bits, parse_rank
from cablebase.archive.hints import Hint, hints
from cablebase.cli import main
from tests.test_stats import hand_cables, make_archive


@pytest.fixture
def hand(archive_store):  # on SQLite and on PostgreSQL (conftest.archive_store)
    cables = hand_cables()
    # 10EPSILON4 is SECRET: hidden from a reader cleared for CONFIDENTIAL.
    cables[3].tags = ["ZHIDDENTAG"]
    cables[3].signers = ["HIDDENMAN"]
    with make_archive(archive_store, cables) as a:
        yield a


def confidential(a):
    viewer = Viewer("r", "reader", parse_rank("confidential"), caveat_bits(["noforn"]))
    return a.with_access(Access(Policy("controlled"), viewer))


def messages(a, q: str) -> list[str]:
    return [h.message for h in hints(a, q)]


def test_a_mistyped_tag_lists_the_near_ones(hand):
    assert hand.count("tag:PRELL") == 0
    (h,) = hints(hand, "tag:PRELL")
    assert (h.field, h.value, h.near) == ("tag", "PRELL", ("PREL",))
    assert h.message == "no cable matches tag:PRELL; did you mean tag:PREL?"


def test_names_and_origins(hand):
    # Values of the hand cables: origins Embassy Alpha/Beta/Epsilon, signers SMITH, JONES.
    assert messages(hand, "origin:alpah") == [
        'no cable matches origin:alpah; did you mean origin:"Embassy Alpha"?'
    ]
    assert messages(hand, "signer:smiht") == [
        "no cable matches signer:smiht; did you mean signer:SMITH?"
    ]
    # Nothing near: the hint says so, with no list.
    assert messages(hand, "sender:nobody") == ["no cable matches sender:nobody"]
    assert messages(hand, "origin:nowhere") == ["no cable matches origin:nowhere"]
    assert messages(hand, "tag:NOTATAG") == ["no cable matches tag:NOTATAG"]


def test_from_a_name_is_one_hint_in_the_words_typed(hand):
    # from:NAME searches the FM line and the origin: one hint, named from:
    (h,) = hints(hand, "harbour from:alpah")
    assert h.field == "from" and h.near == ("Embassy Alpha",)
    assert h.replaced("harbour from:alpah", h.near[0]) == 'harbour from:"Embassy Alpha"'


def test_only_values_that_match_nothing(hand):
    assert hints(hand, "tag:PREL") == []
    assert hints(hand, "tag:PREL -tag:NOTHING") == []  # under NOT: not asked for
    assert hints(hand, "tag:PR*") == []  # a prefix is not a value
    assert messages(hand, "tag:PREL OR tag:PRELL") == [
        "no cable matches tag:PRELL; did you mean tag:PREL?"
    ]
    assert hints(hand, "harbour") == []  # free text has no values to list


def test_hints_name_no_value_of_hidden_cables(hand):
    reader = confidential(hand)
    assert reader.count("tag:ZHIDDENTAG") == 0 and hand.count("tag:ZHIDDENTAG") == 1
    # The reader: a value only the hidden cable has matches nothing and lists nothing.
    assert messages(reader, "tag:ZHIDDENTAG") == ["no cable matches tag:ZHIDDENTAG"]
    assert messages(reader, "tag:ZHIDDENTA") == ["no cable matches tag:ZHIDDENTA"]
    assert messages(reader, "signer:hiddenma") == ["no cable matches signer:hiddenma"]
    # A reader who sees it is pointed to it.
    assert hints(hand, "tag:ZHIDDENTA")[0].near == ("ZHIDDENTAG",)
    assert hints(hand, "signer:hiddenma")[0].near == ("HIDDENMAN",)


def test_replaced_keeps_the_rest_of_the_query():
    h = Hint("tag", "counter terrorizm", ("COUNTER TERRORISM",), 10)
    q = 'iran tag:"counter terrorizm" x'
    assert h.replaced(q, "COUNTER TERRORISM") == 'iran tag:"COUNTER TERRORISM" x'


def test_cli_prints_the_hint(hand):
    res = CliRunner().invoke(main, ["search", "tag:PRELL", "--archive", str(hand.store.path)])
    assert res.exit_code == 0
    assert "no cable matches tag:PRELL; did you mean tag:PREL?" in res.output


def test_api_and_page_give_the_hint(hand):
    from fastapi.testclient import TestClient

    from cablebase.web.app import create_app

    with TestClient(create_app(hand.store.path)) as c:
        body = c.get("/api/search", params={"q": "tag:PRELL"}).json()
        assert body["total"] == 0
        assert body["hints"] == [
            {
                "field": "tag",
                "value": "PRELL",
                "near": ["PREL"],
                "message": "no cable matches tag:PRELL; did you mean tag:PREL?",
            }
        ]
        assert c.get("/api/search", params={"q": "tag:PREL"}).json()["hints"] == []
        page = c.get("/search", params={"q": "harbour tag:PRELL"})
        assert page.status_code == 200
        assert "no cable matches tag:PRELL; did you mean" in page.text
        assert 'href="/search?q=harbour+tag%3APREL"' in page.text
