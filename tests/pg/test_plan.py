"""How the PostgreSQL store has its queries planned (archive/pg/search.py)."""

from __future__ import annotations

from cablebase.archive.api import Archive
from cablebase.archive.pg.plan import where
from cablebase.archive.pg.search import planned, text_driven
from cablebase.archive.pg.store import PgStore
from cablebase.archive.query import parse_query
from tests.pg.test_load import CABLES


def _plan(pg: PgStore, query: str) -> str:
    archive = Archive(pg)
    node = archive._scope(archive.parse(query))
    params: list = []
    cond = where(node, params, archive.reader.resolve, archive.access)
    with planned(pg.conn, node):
        rows = pg.conn.execute(f"EXPLAIN SELECT count(*) FROM cables c WHERE {cond}", params)
        return "\n".join(r[0] for r in rows)


def test_free_text_is_found_through_the_gin_index(pg_dsn):
    """A scan reads (and decompresses) every row's tsvector: 10x the time of the index for
    a frequent word, which the planner does not see (docs/postgresql.md)."""
    with PgStore(pg_dsn) as pg:
        pg.put_many(CABLES)
        pg.conn.execute("ANALYZE cables")
        for query in ("olive", "olive -wine", "oli*"):
            assert "cables_fts" in _plan(pg, query), query
        # a two-word phrase is one lexeme of the pair index (of the expression cable_pairs,
        # migration 8): no cable's tsvector is read or tested
        two = _plan(pg, '"olive oil"')
        assert "cables_pairs" in two and "fts @@" not in two and "cables_fts" not in two
        # a longer one: its pairs, then the phrase tested on the tsvector of those cables
        assert "cables_pairs" in _plan(pg, '"olive oil press"')
        assert "fts @@" in _plan(pg, '"olive oil press"')
        # with another condition the plan may start from its index, never from a scan
        assert "Seq Scan on cables" not in _plan(pg, "olive tag:EAGR")
        # a query free text does not drive is planned as PostgreSQL likes
        assert "Seq Scan on cables" in _plan(pg, "olive OR tag:EAGR")


def test_text_driven():
    for query, driven in (
        ("olive", True),
        ("olive wine", True),
        ("olive tag:EAGR", True),
        ("-olive tag:EAGR", False),
        ("olive OR tag:EAGR", False),
        ("tag:EAGR", False),
        ("", False),
    ):
        assert text_driven(parse_query(query)) is driven, query


def test_the_subject_part_of_free_text_is_asked_of_the_subject_tsvector():
    """An AND of free text asking the whole text and the subject (a broad term's second tier,
    `olive -subject:olive`) asks the subject part of `subject_fts`: weight labels in the
    whole text's tsquery would have every candidate's tsvector read from TOAST and tested."""
    for query, whole, subject in (
        ("olive -subject:olive", "'olive'", "NOT (c.subject_fts @@ %s::tsquery)"),
        ("(olive OR wine) -subject:olive", "('olive' | 'wine')", "NOT (c.subject_fts"),
        ("olive subject:wine", "'olive'", "c.subject_fts @@ %s::tsquery"),
    ):
        params: list = []
        cond = where(parse_query(query), params, lambda *a: ([], []))
        assert "c.fts @@ %s::tsquery" in cond and subject in cond, query
        assert whole in " ".join(params) and ":A" not in " ".join(params), query
    params = []  # an OR keeps one tsquery (an index scan of each would be a BitmapOr)
    assert where(parse_query("olive OR subject:wine"), params, lambda *a: ([], [])) == (
        "c.fts @@ %s::tsquery"
    )
    assert params == ["('olive' | 'wine':A)"]
