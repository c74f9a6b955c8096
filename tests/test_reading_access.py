"""The reading modules (statistics, browse lists, the citation graph, export, value hints)
under a restricted reader, on SQLite and on PostgreSQL (conftest.archive_store): every answer
equals the answer for a reader of everything over an archive holding only the cables that
reader may see.  Each store splices the reader's access into these modules' SQL its own way
(SQLite: the reader's id set; PostgreSQL: the policy's row condition, values written in), so a
cable left unfiltered, or a parameter misplaced, shows up as a difference."""

from __future__ import annotations

import io

import orjson
import pytest

from cablebase.access.policy import Access, Policy, Viewer, caveat_bits, open_access, stored
from cablebase.archive import browse
from cablebase.archive.api import Archive
from cablebase.archive.hints import hints
from cablebase.archive.stats import stats, unresolved
from cablebase.generate import generate
from tests.test_stats import hand_cables

# Portions off: a cable is read whole or not at all, so the oracle is a plain subset.
READER = Access(
    Policy("controlled", False),
    Viewer("r", "reader", 1, caveat_bits(["noforn"])),  # CONFIDENTIAL, NOFORN
    "2026-11-27",
)


@pytest.fixture(scope="module")
def pair(archive_store):
    """(the archive read by READER, an archive of only what READER sees read by everyone)."""
    cables = list(generate(300, seed=9)) + hand_cables()
    shown = [c for c in cables if READER.decide(stored(c)) == "full"]
    assert 0 < len(shown) < len(cables)
    with (
        Archive.open(archive_store(cables)) as main,
        Archive.open(archive_store(shown)) as oracle,
    ):
        yield main.with_access(READER), oracle.with_access(open_access())


def test_stats_count_only_what_the_reader_sees(pair):
    reader, oracle = pair
    mine, theirs = stats(reader), stats(oracle)
    theirs.quarantined = theirs.versions = 0  # the archive's bookkeeping, not the reader's
    assert mine == theirs
    assert list(unresolved(reader)) == list(unresolved(oracle))


@pytest.mark.parametrize(
    "name", ["posts", "tags", "months", "month_class", "totals", "references", "top_posts"]
)
def test_browse_lists(pair, name):
    reader, oracle = pair
    fn = getattr(browse, name)
    assert fn(reader) == fn(oracle)


def test_browse_by_post_and_month(pair):
    reader, oracle = pair
    for origin, _ in browse.posts(oracle)[:5]:
        assert browse.post_months(reader, origin) == browse.post_months(oracle, origin)
        assert browse.correspondents(reader, origin) == browse.correspondents(oracle, origin)
    for month, _ in browse.months(oracle)[:5]:
        assert browse.month_days(reader, month) == browse.month_days(oracle, month)


def test_a_cables_neighbours_and_graph(pair):
    reader, oracle = pair
    ids = [h.reference_id for h in oracle.search("", sort="date")]
    for rid in ids[::25]:
        assert browse.prev_next(reader, rid) == browse.prev_next(oracle, rid)
        assert browse.neighbourhood(reader, rid) == browse.neighbourhood(oracle, rid)
    assert browse.briefs(reader, ids) == browse.briefs(oracle, ids)
    hidden = [c.reference_id for c in hand_cables() if c.reference_id not in set(ids)]
    assert hidden and browse.briefs(reader, hidden) == {}


@pytest.mark.parametrize("query", ["", "tag:PREL", "class:confidential"])
def test_graph_and_export(pair, query):
    reader, oracle = pair
    for fmt in ("graphml", "gexf"):
        mine, theirs = io.StringIO(), io.StringIO()
        reader.graph(query, fmt, mine)
        oracle.graph(query, fmt, theirs)
        assert mine.getvalue() == theirs.getvalue()
    mine_b, theirs_b = io.BytesIO(), io.BytesIO()
    assert reader.export(query, "jsonl", mine_b) == oracle.export(query, "jsonl", theirs_b)
    lines = [orjson.loads(x) for x in mine_b.getvalue().splitlines()]
    assert lines == [orjson.loads(x) for x in theirs_b.getvalue().splitlines()]


def test_hints_name_only_values_the_reader_sees(pair):
    reader, oracle = pair
    for q in ("tag:PRELL", "origin:bamakko", "signer:quil", "tag:NOTAG"):
        assert [h.message for h in hints(reader, q)] == [h.message for h in hints(oracle, q)]
