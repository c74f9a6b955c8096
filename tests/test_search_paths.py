"""The SQLite store's choices of plan change what a page costs, never what it holds.

Over one generated archive: the second relevance tier and date-ordered walks give the same
pages whether free text is probed per row or built as a set (sqlite_search._probes_pay
chooses by cost), and text with a class: condition whether the class is tested per id of the
text's doclist or as a set (_class_probes); facets counted in the facet table (of queries
matching most of the archive from the cables that do not match, taken from the whole
archive's counts) equal those counted hit by hit through SQL.  (tests/pg/test_fast_paths.py pins the PostgreSQL store's fast paths.)
"""

from __future__ import annotations

import pytest

from cablebase.archive import sqlite_search
from cablebase.archive.api import Archive
from cablebase.generate import generate

QUERIES = [
    "the",
    "embassy",
    "said OR minister",
    "the -minister",
    "the tag:PREL",
    "(embassy OR visit) -tag:PREL",
    '"the embassy"',
    "-tag:PREL",
    "class:>=confidential",
    "",
    "the class:>=confidential",
    "embassy class:unclassified",
    "said class:<secret tag:PREL",
    "minister class:secret year:>=2005",
]


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    location = tmp_path_factory.mktemp("paths") / "cables.db"
    with Archive.open(location) as a:
        a.store.put_many(generate(400, seed=9))
    return location


def pages(a: Archive, q: str) -> list:
    out = []
    for sort in ("relevance", "-date", "date"):
        for limit, offset in ((10, 0), (7, 12), (50, 300), (None, 0)):
            hits = a.search(q, sort=sort, limit=limit, offset=offset)
            out.append([(h.reference_id, h.score) for h in hits])
    return out


@pytest.mark.parametrize("choice", ["_probes_pay", "_class_probes"])
def test_probes_and_sets_give_the_same_pages(path, monkeypatch, choice):
    """Free text probed along a date walk or built as a set (_probes_pay); class: tested per
    id of a doclist or as a set (_class_probes): the same pages and counts."""
    # Thresholds lowered: two-tier relevance and date walks on a small archive.
    with Archive.open(path, broad=20, small=10) as a:
        monkeypatch.setattr(sqlite_search._Planner, choice, lambda *_: True)
        probed = {q: (pages(a, q), a.count(q)) for q in QUERIES}
        monkeypatch.setattr(sqlite_search._Planner, choice, lambda *_: False)
        for q in QUERIES:
            assert (pages(a, q), a.count(q)) == probed[q], q
        assert a.searcher.two_tiered(a._scope(a.parse("the")), a.reader)


def test_probes_pay_for_dense_text_only(path):
    with Archive.open(path) as a:
        p = a.searcher.at(a.reader)

        def pays(q: str, limit: int | None = 1) -> bool:
            node = p.bind(a._scope(a.parse(q)))
            return p._probes_pay(node, node, limit, 0)

        # On 400 cables, one hit of a word nearly every cable holds: a row or two walked.
        assert pays("the")
        assert not pays("the", limit=50)  # fifty: more probes than the set's members cost
        assert not pays("the", limit=None)  # every hit: one set
        assert not pays("embassy")  # a minority: its set costs less than the walk


def test_facets_of_most_of_the_archive_equal_hit_by_hit(path, monkeypatch):
    """Facets counted in the facet table (many hits: from a byte per cable, or from the
    table's own bitmaps; few hits once the table is in memory: from their ids) equal those
    counted hit by hit through SQL, and so do the counts that follow them."""
    # small=10**9 and no table to count in: every query's facets by SQL over its hits.
    with Archive.open(path, small=10**9) as plain:
        monkeypatch.setattr(sqlite_search._Planner, "_built_columns", lambda self: None)
        want = {
            q: (plain.facets(q, top=None), plain.facets(q, top=3), plain.count(q)) for q in QUERIES
        }
        many = sum(2 * n > len(plain) for _, _, n in want.values())
        assert many >= 3  # the complement's path is taken
    monkeypatch.undo()
    with Archive.open(path, small=10) as fast, Archive.open(path, small=10**9) as few:
        few.facets("")  # the table, in memory: few hits are counted in it
        for a in (fast, few):
            for q in QUERIES:
                got = (a.facets(q, top=None), a.facets(q, top=3), a.count(q))
                assert got == want[q], q
