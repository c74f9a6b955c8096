"""Search, exact counts and facets on a PostgreSQL archive, for a query already parsed,
stemmed and scoped (archive/pg/scope.py): what the SQLite Archive's search, count and facets
return, in the same orders (docs/search.md).

Ranking differs by nature: FTS5's bm25 against PostgreSQL's ts_rank, a subject match weighing
four body matches in both; the hits are the same, their relevance order may not be.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cablebase.access.policy import WITHHELD, Access, sql_visible
from cablebase.archive.api import Hit
from cablebase.archive.pg.fulltext import term_query
from cablebase.archive.pg.plan import text_query, where
from cablebase.archive.pg.resolve import Resolver
from cablebase.archive.query import And, Node, Not, positive_terms

SORTS = {  # total orders; undated cables first in date order and last in -date (as SQLite)
    "date": "c.created ASC NULLS FIRST, c.id",
    "-date": "c.created DESC NULLS LAST, c.id DESC",
}
# ts_rank's weights are {D, C, B, A}: the body is D, the subject A (archive/pg/fulltext.py).
RANK = "ts_rank('{0.25, 0, 0, 1}', c.fts, %s::tsquery)"
FACETS = {  # name -> (value, join), as api.FACETS
    "origin": ("c.origin", ""),
    "classification": (
        "CASE c.class_rank WHEN 0 THEN 'UNCLASSIFIED' WHEN 1 THEN 'CONFIDENTIAL'"
        " WHEN 2 THEN 'SECRET' WHEN 3 THEN 'TOP SECRET' END",
        "",
    ),
    "year": ("c.year", ""),
    "month": (
        "CASE WHEN c.month IS NOT NULL THEN"
        " lpad(c.year::text, 4, '0') || '-' || lpad(c.month::text, 2, '0') END",
        "",
    ),
    "tag": ("t.tag", "JOIN tags t ON t.cable_id = c.id"),
    "handling": ("h.caveat", "JOIN handling h ON h.cable_id = c.id"),
}
CHUNK = 1000


def text_driven(node: Node) -> bool:
    """Whether every hit must match free text that the GIN index can find (the query's text,
    or a positive text part of its top-level AND)."""
    if text_query(node) is not None:
        return True
    return isinstance(node, And) and any(
        not isinstance(n, Not) and text_query(n) is not None for n in node.nodes
    )


@contextmanager
def planned(conn, node: Node):
    """A transaction for a query's statements, steered to the GIN index when free text drives
    it: the planner, not counting the cost of decompressing each row's tsvector, scans the
    table for a frequent word (measured on 10,000 cables: a count by the index 7 ms, by a
    scan 75 ms)."""
    with conn.transaction():
        if text_driven(node):
            conn.execute("SET LOCAL enable_seqscan = off")
        yield


def _hit_columns(access: Access | None, params: list) -> str:
    """The columns of a hit as the reader sees them: the subject withheld unless the cable
    is read whole."""
    if access is None or access.unrestricted:
        return "c.reference_id, c.created, c.origin, c.classification, c.subject"
    whole = sql_visible(access, params, text=True).replace("?", "%s")
    return (
        "c.reference_id, c.created, c.origin, c.classification,"
        f" CASE WHEN {whole} THEN c.subject ELSE '{WITHHELD}' END"
    )


def search(
    conn,
    node: Node,
    resolver: Resolver,
    access: Access | None = None,
    *,
    sort: str = "relevance",
    limit: int | None = None,
    offset: int = 0,
) -> Iterator[Hit]:
    """The hits in `sort` order ("relevance": ts_rank over the positive free text, newest
    first without any; "date"; "-date"), `limit` of them from `offset`."""
    if sort not in ("relevance", *SORTS):
        raise ValueError(f"sort must be one of relevance, {', '.join(SORTS)}")
    if limit is not None and limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    params: list = []
    columns = _hit_columns(access, params)
    terms = positive_terms(node) if sort == "relevance" else []
    if terms:
        params.append(" | ".join(term_query(t) for t in terms))
        score, order = RANK, "score DESC, c.id DESC"
    else:
        score, order = "NULL::real", SORTS["-date" if sort == "relevance" else sort]
    cond = where(node, params, resolver, access)
    sql = f"SELECT {columns}, {score} AS score FROM cables c WHERE {cond} ORDER BY {order}"
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    if offset:
        sql += " OFFSET %s"
        params.append(offset)
    if limit is not None:  # a page: planned as the count is, read whole
        with planned(conn, node):
            rows = conn.execute(sql, params).fetchall()
        yield from (Hit(*row) for row in rows)
        return
    with conn.cursor() as cur:  # every hit (exports): streamed, as the planner chooses
        cur.execute(sql, params)
        while rows := cur.fetchmany(CHUNK):
            yield from (Hit(*row) for row in rows)


def count(conn, node: Node, resolver: Resolver, access: Access | None = None) -> int:
    """The exact number of hits."""
    params: list = []
    cond = where(node, params, resolver, access)
    with planned(conn, node):
        return conn.execute(f"SELECT count(*) FROM cables c WHERE {cond}", params).fetchone()[0]


def facets(
    conn,
    node: Node,
    resolver: Resolver,
    access: Access | None = None,
    names: tuple[str, ...] = tuple(FACETS),
    top: int | None = 20,
) -> dict[str, list[tuple[str, int]]]:
    """Counts of the hits by origin, classification, year, month, tag and handling: year
    and month in calendar order and complete, the others most frequent first (ties by value),
    the first `top`.  Unknown values are left out."""
    out: dict[str, list[tuple[str, int]]] = {}
    for name in names:
        if name not in FACETS:
            raise ValueError(f"facets are {', '.join(FACETS)}")
        expr, join = FACETS[name]
        params: list = []
        cond = where(node, params, resolver, access)
        calendar = name in ("year", "month")
        order = "value" if calendar else f'n DESC, {expr} COLLATE "C"'
        sql = (
            f"SELECT {expr} AS value, count(*) AS n FROM cables c {join}"
            f" WHERE {cond} AND {expr} IS NOT NULL GROUP BY value ORDER BY {order}"
        )
        if top is not None and not calendar:
            sql += " LIMIT %s"
            params.append(int(top))
        with planned(conn, node):
            out[name] = [(str(v), n) for v, n in conn.execute(sql, params)]
    return out
