"""The PostgreSQL store's fast paths answer exactly as its general ones.

Facets: one statement over the hits found once (pg/search._facet_sql) against the plain form,
one GROUP BY per facet over every hit; pages and counts likewise.  Generated cables and the
search tests' hand-written records, for an unrestricted reader and for restricted ones.
"""

from __future__ import annotations

import pytest

from cablebase.access.policy import Access, Policy, Viewer, caveat_bits
from cablebase.archive.api import Archive
from cablebase.archive.ingest import _parsed
from cablebase.archive.pg.search import FACETS, planned
from cablebase.archive.sqlite import Prepared
from cablebase.generate import generate
from tests.pg_server import url as pg_url
from tests.test_search import HANDWRITTEN

psycopg = pytest.importorskip("psycopg")

TODAY = "2026-11-27"
READERS = {
    "all": None,
    "secret-noforn": Access(
        Policy("controlled", declassify="automatic"),
        Viewer("s", "reader", 2, caveat_bits(["NOFORN"])),
        TODAY,
    ),
    "confidential": Access(Policy("controlled"), Viewer("c", "reader", 1, 0), TODAY),
}
QUERIES = [
    "",
    "the",
    "embassy",
    "minister OR ambassador",
    '"the embassy"',
    "visit*",
    "the -minister",
    "tag:PREL",
    "class:>=confidential",
    "year:2005..2008",
    "the tag:PREL",
    "(embassy OR visit) -tag:PREL",
    "nosuchwordanywhere",
]


@pytest.fixture(scope="module")
def pg(pg_server_dsn, tmp_path_factory):
    import orjson

    from cablebase.archive.pg.store import PgStore
    from cablebase.forms.sources import iter_items

    with psycopg.connect(pg_server_dsn, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS fast_paths WITH (FORCE)")
        conn.execute("CREATE DATABASE fast_paths")
    dsn = pg_server_dsn.replace("dbname=cablebase_test", "dbname=fast_paths")
    records = tmp_path_factory.mktemp("fast") / "records.jsonl"
    cables = [*generate(600, seed=5), *HANDWRITTEN]
    records.write_bytes(b"".join(orjson.dumps(c) + b"\n" for c in cables))
    items = iter_items(records, raw=True)
    prepared = [p for p in _parsed(items, 1) if isinstance(p, Prepared)]
    with PgStore(dsn) as store:
        store.put_many(prepared)
    with Archive.open(pg_url(dsn)) as a:
        yield a


def general_facets(a: Archive, query: str, top: int | None) -> dict:
    """The plain form: one GROUP BY per facet over every hit (the store's former code)."""
    s = a.searcher
    plan = a._scope(a.parse(query))
    out = {}
    for name, (expr, join) in FACETS.items():
        params: list = []
        cond = s._where(plan, a.reader, params)
        calendar = name in ("year", "month")
        order = "value" if calendar else f'n DESC, {expr} COLLATE "C"'
        sql = (
            f"SELECT {expr} AS value, count(*) AS n FROM cables c {join}"
            f" WHERE {cond} AND {expr} IS NOT NULL GROUP BY value ORDER BY {order}"
        )
        if top is not None and not calendar:
            sql += f" LIMIT {int(top)}"
        with planned(s.conn, plan):
            out[name] = [(str(v), n) for v, n in s.conn.execute(sql, params)]
    return out


@pytest.mark.parametrize("reader", list(READERS))
def test_facets_in_one_statement_equal_one_per_facet(pg, reader):
    a = pg if READERS[reader] is None else pg.with_access(READERS[reader])
    nonempty = 0
    for q in QUERIES:
        for top in (None, 3):
            want = general_facets(a, q, top)
            assert a.facets(q, top=top) == want, (q, top)
            nonempty += bool(want["tag"])
        # A subset of the facets, in another order, is that subset of the whole.
        names = ("tag", "year", "classification")
        got = a.facets(q, names=names, top=None)
        assert list(got) == list(names)
        assert got == {n: general_facets(a, q, None)[n] for n in names}
    assert nonempty >= 8  # the queries do hit


RANKED = [
    "the",
    "embassy minister",
    "minister OR ambassador OR visit*",
    '"the embassy" minister',
    '"the embassy"',
    '"of the embassy" -minister',
    "subject:embassy the",
    # Optional phrase and subject terms: ranked where they do not match, unless tested.
    '"the embassy" OR minister',
    "subject:embassy OR minister",
    "visit* -minister",
    "(embassy OR visit) -tag:PREL",
    "the tag:PREL",
]


@pytest.mark.parametrize("reader", ["all", "confidential"])
def test_relevance_without_match_tests_equals_with(pg, reader, monkeypatch):
    """ts_rank is 0 exactly where a word or prefix is absent: ranking those terms without a
    match test gives the same scores, so the same order and pages, as testing every term."""
    from cablebase.archive.pg import search

    a = pg if READERS[reader] is None else pg.with_access(READERS[reader])

    def ranked(q: str, **page) -> list:
        return [(h.reference_id, h.score) for h in a.search(q, **page)]

    fast = {q: (ranked(q), ranked(q, limit=5, offset=2)) for q in RANKED}
    monkeypatch.setattr(search, "_ranks_only_matches", lambda t, subject: False)
    monkeypatch.setattr(search, "required_terms", lambda plan: frozenset())
    for q in RANKED:
        general = ranked(q)
        assert len(general) > 5, q
        assert fast[q] == (general, general[2:7]), q


PHRASED = [
    '"the embassy"',
    '"the embassy" minister',
    '"the embassy" OR visit*',
    '"the embassy" -minister',
    '"the embassy" tag:PREL',
    '"of the embassy"',
    '"of the embassy" -"the minister"',
    '"the embassy said" OR "minister of"',
    '"the emb*" class:>=confidential',
    '-"the embassy" the',
    'subject:"the embassy" OR "the minister"',
]
PAGES = [(5, 0), (7, 3), (50, 0), (20, 40), (3, 10000)]


@pytest.mark.parametrize("reader", ["all", "confidential"])
def test_phrases_walked_in_date_order_equal_the_plain_page(pg, reader, monkeypatch):
    """A page in date order of a query with phrases, its phrases tested on candidates in
    order (pg/search._walked), is the page of the plain statement; so is the second tier of a
    broad relevance page (the bound lowered so that these queries are broad)."""
    from cablebase.archive.pg import search

    a = pg if READERS[reader] is None else pg.with_access(READERS[reader])

    def pages(sort: str) -> list:
        return [
            [h.reference_id for h in a.search(q, sort=sort, limit=limit, offset=offset)]
            for q in PHRASED
            for limit, offset in PAGES
        ]

    monkeypatch.setattr(a.searcher, "broad", 10)
    calls = []
    walk = search.PgSearch._walked
    monkeypatch.setattr(search.PgSearch, "_walked", lambda *args: calls.append(1) or walk(*args))
    walked = {sort: pages(sort) for sort in ("date", "-date", "relevance")}
    # the four queries whose phrases the pair index does not answer alone (three words, a
    # prefix), in both date orders, and a second tier
    assert len(calls) > 2 * 4 * len(PAGES)
    monkeypatch.setattr(search, "rechecked", lambda node: False)  # no walk: the plain statement
    for sort, got in walked.items():
        assert got == pages(sort), sort
    assert sum(map(len, walked["date"])) > 100  # the queries do hit


PAIRED = [  # phrases of two words, longer, with a prefix, negated, ORed, repeated words
    *PHRASED,
    '"embassy"',
    '"the the"',
    '"the embassy" "the minister"',
    '"minister of foreign affairs"',
    '"of the emb*"',
    '"the emb*" -"of the"',
    '-"the embassy" -"of the" minister',
    '"the embassy" OR -tag:PREL',
    'subject:"the embassy" "the minister"',
    'the -("the embassy" OR "of the")',
]


@pytest.mark.parametrize("reader", ["all", "confidential"])
def test_pairs_answer_as_the_tsvector(pg, reader, monkeypatch):
    """Phrases found on the pair index (pg/plan.py) give the counts and the date pages of
    the same phrases tested on every candidate's tsvector (the index of pairs turned off)."""
    from cablebase.archive.pg import plan

    a = pg if READERS[reader] is None else pg.with_access(READERS[reader])

    def answers() -> list:
        return [
            (a.count(q), [h.reference_id for h in a.search(q, sort=sort, limit=20, offset=3)])
            for q in PAIRED
            for sort in ("date", "-date")
        ]

    paired = answers()
    monkeypatch.setattr(plan, "paired", lambda node: False)
    assert paired == answers()
    assert sum(n for n, _ in paired) > 100  # the queries do hit
