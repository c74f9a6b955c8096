"""`Archive`: the library the CLI, the HTTP API and the web pages all call."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cablebase.archive.query import (
    All,
    And,
    Field,
    Node,
    Not,
    Or,
    field_values,
    fts_expr,
    parse_query,
    patterns,
    relevance_match,
    split_text,
    to_sql,
)
from cablebase.archive.snippets import snippet as make_snippet
from cablebase.archive.snippets import words
from cablebase.archive.sqlite import SQLiteStore, body_text
from cablebase.record import Cable

FACETS = {
    "origin": ("c.origin", ""),
    # From the class_rank index (the rank stands for the normalised classification).
    "classification": (
        "CASE c.class_rank WHEN 0 THEN 'UNCLASSIFIED' WHEN 1 THEN 'CONFIDENTIAL'"
        " WHEN 2 THEN 'SECRET' WHEN 3 THEN 'TOP SECRET' END",
        "",
    ),
    "year": ("c.year", ""),
    # From the (year, month) index, not the rows: cheap for broad queries.
    "month": ("CASE WHEN c.month IS NOT NULL THEN printf('%04d-%02d', c.year, c.month) END", ""),
    "tag": ("t.tag", "JOIN tags t ON t.cable_id = c.id"),
    "handling": ("h.caveat", "JOIN handling h ON h.cable_id = c.id"),
}
# Total orders, so that pages are exact slices of the full list.  Undated cables come first in
# date order and last in -date order (SQLite sorts NULL lowest).
SORTS = {
    "relevance": "score, c.id DESC",
    "date": "c.created, c.id",
    "-date": "c.created DESC, c.id DESC",
}
BM25 = "bm25(cables_fts, 4.0, 1.0)"  # a subject match weighs four body matches
_HIT = "c.id, c.reference_id, c.created, c.origin, c.classification, c.subject"
CHUNK = 1000
# Planning: a query whose hits may exceed SMALL is paged by walking the date index and testing
# rows (stops after the page); smaller ones are collected and sorted.  Free text matching more
# than PROBE rows is tested per row (FTS5 rowid probe) rather than materialised as a set.
SMALL = 3000
PROBE = 40000
FEW_PROBES = 500
_INDEXED = ("class", "year", "from", "to", "origin", "id")  # fields on indexed cables columns


def _indexed(node: Node) -> bool:
    return isinstance(node, Field) and node.name in _INDEXED


@dataclass(slots=True)
class Hit:
    reference_id: str
    created: str | None
    origin: str | None
    classification: str | None
    subject: str | None
    score: float | None = None  # bm25: lower is better; None when not sorted by relevance
    snippet: str | None = None


@dataclass(slots=True)
class Reference:
    """A link between two cables, seen from one side."""

    reference_id: str  # the other cable
    letter: str | None
    text: str
    in_archive: bool


def _contains(tokens: list[str], want: tuple[str, ...], prefix: bool) -> bool:
    """Whether `want` occurs as a run of `tokens` (its last token a prefix if `prefix`)."""
    n, k = len(tokens), len(want)
    for i in range(n - k + 1):
        if tokens[i : i + k - 1] == list(want[:-1]) and (
            tokens[i + k - 1].startswith(want[-1]) if prefix else tokens[i + k - 1] == want[-1]
        ):
            return True
    return False


class Archive:
    """A cable archive. `Archive.open("cables.db")` and then search, get, cites, cited_by."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self.conn = store.conn
        self._origin_key: tuple[int, int] | None = None
        self._origin_tokens: list[tuple[str, list[str]]] = []
        self._post_tokens: list[tuple[str, list[str]]] = []

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False) -> Archive:
        return cls(SQLiteStore(path, readonly=readonly))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self.store.count()

    # -- reading ---------------------------------------------------------------------

    def get(self, reference_id: str) -> Cable | None:
        return self.store.get(reference_id.upper())

    # -- the query language ----------------------------------------------------------

    def parse(self, query: str | Node) -> Node:
        return parse_query(query) if isinstance(query, str) else query

    def where(self, query: str | Node, params: list) -> str:
        """The WHERE condition over `cables c` for a query (origin: resolved exactly)."""
        return to_sql(self.parse(query), params, self._origins)

    def _origins(self, want: tuple[str, ...], prefix: bool) -> tuple[list[str], list[str]]:
        """origin:VALUE -> the stored origins whose words contain VALUE's words, and the
        banner posts that match for cables without an origin.  The distinct values are read
        once per change of the archive (SQLite's data_version and this connection's writes)."""
        key = (self.conn.execute("PRAGMA data_version").fetchone()[0], self.conn.total_changes)
        if key != self._origin_key:
            # Skip from one distinct origin to the next on the origin index (a few hundred
            # seeks instead of a scan of every row).
            self._origin_tokens = [
                (o, words(o))
                for (o,) in self.conn.execute(
                    "WITH RECURSIVE o(v) AS (SELECT min(origin) FROM cables UNION ALL"
                    " SELECT (SELECT min(origin) FROM cables WHERE origin > v) FROM o"
                    " WHERE v IS NOT NULL) SELECT v FROM o WHERE v IS NOT NULL"
                )
            ]
            self._post_tokens = [
                (p, words(p))
                for (p,) in self.conn.execute(
                    "SELECT DISTINCT post FROM cables WHERE origin IS NULL AND post IS NOT NULL"
                )
            ]
            self._origin_key = key
        origins = [o for o, toks in self._origin_tokens if _contains(toks, want, prefix)]
        posts = [p for p, toks in self._post_tokens if _contains(toks, want, prefix)]
        return origins, posts

    def search(
        self,
        query: str | Node = "",
        *,
        sort: str = "relevance",
        limit: int | None = None,
        offset: int = 0,
        snippets: bool = False,
    ) -> Iterator[Hit]:
        """Every cable matching the query, in order; no cap unless `limit` is given.

        sort: "relevance" (bm25 over the free text; date order when the query has none),
        "date" (oldest first) or "-date" (newest first).  `snippets` adds a passage around
        the first match of each hit, matches in [ ]."""
        node = self.parse(query)
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        if limit is not None and limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        params: list = []
        text, rest = split_text(node)
        if sort == "relevance" and text is not None:
            # Rank inside FTS5 (bm25 from the doclists, no row reads); the rest of the
            # query filters the ranked rows.
            params.append(text)
            cond = "1"
            if rest is not None:  # tested on the ranked rows only
                cond = to_sql(rest, params, self._origins, side="filter", text="filter")
            sql = (
                f"SELECT {_HIT}, f.score FROM (SELECT rowid, {BM25} AS score FROM cables_fts"
                " WHERE cables_fts MATCH ?) f JOIN cables c ON c.id = f.rowid"
                f" WHERE {cond} ORDER BY f.score, c.id DESC"
            )
        elif sort == "relevance" and (match := relevance_match(node)) is not None:
            # Free text only under OR/NOT with fields: rank the hits by their positive terms.
            params.append(match)
            where = to_sql(node, params, self._origins)
            sql = (
                f"SELECT {_HIT}, r.score AS score FROM cables c LEFT JOIN (SELECT rowid,"
                f" {BM25} AS score FROM cables_fts WHERE cables_fts MATCH ?) r ON r.rowid = c.id"
                f" WHERE {where} ORDER BY r.score IS NULL, r.score, c.id DESC"
            )
        else:
            order = SORTS["-date" if sort == "relevance" else sort]
            source = "cables c"
            if self._estimate(node) >= SMALL:
                # Many hits: walk the date index in order, test each row, stop after the page.
                source = "cables c INDEXED BY cables_created"
                where = to_sql(
                    node,
                    params,
                    self._origins,
                    side="probe",
                    text="probe" if self._dense_text(node) else "filter",
                )
            else:
                where = self._driven(node, params)
            sql = f"SELECT {_HIT}, NULL FROM {source} WHERE {where} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        elif offset:
            sql += " LIMIT -1 OFFSET ?"
            params.append(offset)
        pats = patterns(node) if snippets else []
        cur = self.conn.execute(sql, params)
        while rows := cur.fetchmany(CHUNK):
            hits = {row[0]: Hit(*row[1:]) for row in rows}
            if snippets:
                self._add_snippets(hits, pats)
            yield from hits.values()

    def _add_snippets(self, hits: dict[int, Hit], pats: list) -> None:
        """Snippets for a page of hits: their paragraphs in one query, matched in Python
        (the FTS table is contentless, so SQLite's snippet() has no text to cut from)."""
        ids = list(hits)
        texts: dict[int, list[tuple[str | None, str]]] = {i: [] for i in ids}
        rows = self.conn.execute(
            "SELECT cable_id, heading, text FROM paragraphs"
            f" WHERE cable_id IN ({','.join('?' * len(ids))}) ORDER BY cable_id, position",
            ids,
        )
        for cid, heading, text in rows:
            texts[cid].append((heading, text))
        for cid, hit in hits.items():
            hit.snippet = make_snippet(hit.subject, body_text(texts[cid]), pats)

    def count(self, query: str | Node = "") -> int:
        """The number of cables matching the query (exact; no cap)."""
        node = self.parse(query)
        params: list = []
        text, rest = split_text(node)
        if isinstance(node, All):
            sql = "SELECT count(*) FROM cables"
        elif text is not None and rest is None:
            # Free text only: count the doclist, no table rows touched.
            sql = "SELECT count(*) FROM cables_fts WHERE cables_fts MATCH ?"
            params.append(text)
        elif isinstance(node, Field) and node.name in ("tag", "handling", "signer", "cites"):
            sql = self._side_count(node, params)
        elif isinstance(node, And):
            sql = f"SELECT count(*) FROM cables c WHERE {self._driven(node, params)}"
        else:
            where = to_sql(node, params, self._origins)
            sql = f"SELECT count(*) FROM cables c WHERE {where}"
        return self.conn.execute(sql, params).fetchone()[0]

    def _side_count(self, f: Field, params: list) -> str:
        """Count a side-table condition on its own index: one row per cable and value."""
        v = field_values(f)
        if f.name == "tag" and v["prefix"]:
            params.extend([v["value"], v["value"][:-1] + chr(ord(v["value"][-1]) + 1)])
            return "SELECT count(DISTINCT cable_id) FROM tags WHERE tag >= ? AND tag < ?"
        params.append(v["value"])
        return {
            "tag": "SELECT count(*) FROM tags WHERE tag = ?",
            "handling": "SELECT count(*) FROM handling WHERE caveat = ?",
            "signer": "SELECT count(DISTINCT cable_id) FROM people WHERE role = 'signer'"
            " AND name = ? COLLATE NOCASE",
            "cites": "SELECT count(DISTINCT cable_id) FROM refs WHERE target = ?",
        }[f.name]

    # -- planning ----------------------------------------------------------------------

    def _driven(self, node: Node, params: list) -> str:
        """The WHERE condition of an AND, written so that SQLite starts from its most
        selective part (an IN set or an index) and probes the other parts per row."""
        if not isinstance(node, And):
            return to_sql(node, params, self._origins)
        text, _ = split_text(node)
        parts = list(node.nodes)
        if text is not None:  # the free text as one part, as to_sql would merge it
            kept = [
                n
                for n in parts
                if fts_expr(n) is None and not (isinstance(n, Not) and fts_expr(n.node) is not None)
            ]
            merged = And(tuple(n for n in parts if n not in kept))
            parts = [merged, *kept]
        # Most selective first; on a tie, a condition on an indexed column of `cables` (the
        # index is read without the rows) before a set.
        ests = [(self._estimate(n, PROBE), not _indexed(n), i) for i, n in enumerate(parts)]
        est, _, best = min(ests)
        sql = [to_sql(parts[best], params, self._origins)]
        for i, n in enumerate(parts):
            if i != best:
                # Probes cost per driving row (~40 us for text, a few us for a side table),
                # a set per member: probes for few rows, sets for many.
                text = "probe" if est < FEW_PROBES else "filter"
                side = "probe" if est < PROBE else "filter"
                sql.append(to_sql(n, params, self._origins, side=side, text=text))
        return "(" + " AND ".join(sql) + ")"

    def _bounded(self, sql: str, params: list, cap: int) -> int:
        """How many rows `sql` yields, counting no further than `cap` (cheap either way)."""
        return self.conn.execute(
            f"SELECT count(*) FROM ({sql} LIMIT {int(cap)})", params
        ).fetchone()[0]

    def _estimate(self, node: Node, cap: int = SMALL) -> int:
        """An upper bound on the hits, saturating at `cap`: decides how a page is fetched."""
        if isinstance(node, All | Not):
            return cap
        if (expr := fts_expr(node)) is not None:
            return self._bounded(
                "SELECT rowid FROM cables_fts WHERE cables_fts MATCH ?", [expr], cap
            )
        if isinstance(node, And):
            return min(self._estimate(n, cap) for n in node.nodes)
        if isinstance(node, Or):
            return min(cap, sum(self._estimate(n, cap) for n in node.nodes))
        assert isinstance(node, Field)
        if node.name == "citedby":
            return 0
        params: list = []
        if node.name in ("tag", "handling", "signer", "cites"):
            sql = self._side_count(node, params).replace("count(DISTINCT cable_id)", "1")
            return self._bounded(sql.replace("count(*)", "1"), params, cap)
        where = to_sql(node, params, self._origins)
        return self._bounded(f"SELECT 1 FROM cables c WHERE {where}", params, cap)

    def _dense_text(self, node: Node) -> bool:
        """Whether the free text of a walked query is better probed per row: it matches a
        large share of the archive (few rows walked per hit) and has no prefix (probing a
        prefix re-expands it every time)."""
        text, _ = split_text(node)
        if text is None or " *" in text:
            return False
        return (
            self._bounded("SELECT rowid FROM cables_fts WHERE cables_fts MATCH ?", [text], PROBE)
            >= PROBE
        )

    def facets(
        self,
        query: str | Node = "",
        names: tuple[str, ...] = tuple(FACETS),
        top: int | None = 20,
    ) -> dict[str, list[tuple[str, int]]]:
        """Counts of the matching cables by origin, tag, classification, handling, year, month.

        Year and month come in calendar order, complete; the others most frequent first (ties
        by value), the first `top` of them (all with top=None).  Unknown values are left out."""
        node = self.parse(query)
        out: dict[str, list[tuple[str, int]]] = {}
        # Many hits: keep the query's sets from driving, so that SQLite scans the facet's own
        # index (origin, year/month, tags) and never reads the cables' rows.
        broad = self._estimate(node) >= SMALL
        for name in names:
            expr, join = FACETS[name]
            params: list = []
            if broad:
                where = to_sql(node, params, self._origins, side="filter", text="filter")
            else:
                where = to_sql(node, params, self._origins)
            if broad and name in ("tag", "handling"):
                # Count on the side table's own index, against the set of matching ids.
                table, col = ("tags", "tag") if name == "tag" else ("handling", "caveat")
                cond = (
                    ""
                    if where == "1"
                    else (f" WHERE x.cable_id IN (SELECT c.id FROM cables c WHERE {where})")
                )
                sql = f"SELECT x.{col} AS value, count(*) AS n FROM {table} x{cond} GROUP BY value"
                sql += " ORDER BY n DESC, value"
                if top is not None:
                    sql += " LIMIT ?"
                    params.append(int(top))
                out[name] = [(str(v), n) for v, n in self.conn.execute(sql, params)]
                continue
            order = "value" if name in ("year", "month") else "n DESC, value"
            limit = ""
            if top is not None and name not in ("year", "month"):
                limit = " LIMIT ?"
                params.append(int(top))
            rows = self.conn.execute(
                f"SELECT {expr} AS value, count(*) AS n FROM cables c {join} WHERE {where}"
                f" AND {expr} IS NOT NULL GROUP BY value ORDER BY {order}{limit}",
                params,
            )
            out[name] = [(str(v), n) for v, n in rows]
        return out

    def cites(self, reference_id: str) -> list[Reference]:
        """The cables this cable's REF block cites, with whether each is in the archive."""
        rows = self.conn.execute(
            "SELECT r.target, r.letter, r.text, EXISTS(SELECT 1 FROM cables t WHERE t.reference_id = r.target)"
            " FROM refs r JOIN cables c ON c.id = r.cable_id"
            " WHERE c.reference_id = ? AND r.target IS NOT NULL ORDER BY r.position",
            (reference_id.upper(),),
        )
        return [Reference(t, letter, text, bool(found)) for t, letter, text, found in rows]

    def cited_by(self, reference_id: str) -> list[Reference]:
        """The archived cables whose REF blocks cite this one."""
        rows = self.conn.execute(
            "SELECT c.reference_id, r.letter, r.text FROM refs r JOIN cables c ON c.id = r.cable_id"
            " WHERE r.target = ? ORDER BY c.created, c.reference_id",
            (reference_id.upper(),),
        )
        return [Reference(src, letter, text, True) for src, letter, text in rows]

    # -- export, graph, statistics (thin wrappers over export.py, graph.py, stats.py) --

    def records(self, query: str | Node = "", *, sort: str = "date") -> Iterator[Cable]:
        """Every whole record matching the query, streamed a chunk at a time."""
        from cablebase.archive.export import records

        return records(self, query, sort=sort)

    def export(self, query: str | Node = "", to: str = "jsonl", out: object = "-", **kw) -> int:
        """Write every hit to `out` (path or stream) as jsonl, csv or parquet; return the count."""
        from cablebase.archive.export import export

        return export(self, query, to, out, **kw)

    def graph(self, query: str | Node = "", to: str = "graphml", out: object = "-", **kw):
        """Write the citation network of the hits as graphml or gexf; return a GraphSummary."""
        from cablebase.archive.graph import graph

        return graph(self, query, to, out, **kw)

    def stats(self, **kw):
        """The archive's statistics (an ArchiveStats; `format_stats` renders it)."""
        from cablebase.archive.stats import stats

        return stats(self, **kw)

    def unresolved(self, limit: int | None = None):
        """The cited cable ids the archive lacks, most cited first."""
        from cablebase.archive.stats import unresolved

        return unresolved(self, limit)
