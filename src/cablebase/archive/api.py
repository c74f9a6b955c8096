"""`Archive`: the library the CLI, the HTTP API and the web pages all call."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cablebase.archive.query import Node, parse_query, relevance_match, to_sql
from cablebase.archive.sqlite import SQLiteStore
from cablebase.record import Cable

FACETS = {
    "origin": ("c.origin", ""),
    "classification": ("c.classification", ""),
    "year": ("c.year", ""),
    "month": ("printf('%04d-%02d', c.year, c.month)", ""),
    "tag": ("t.tag", "JOIN tags t ON t.cable_id = c.id"),
    "handling": ("h.caveat", "JOIN handling h ON h.cable_id = c.id"),
}
SORTS = {
    "relevance": "score IS NULL, score, c.created DESC",
    "date": "c.created, c.id",
    "-date": "c.created DESC, c.id DESC",
}


@dataclass(slots=True)
class Hit:
    reference_id: str
    created: str | None
    origin: str | None
    classification: str | None
    subject: str | None
    score: float | None = None
    snippet: str | None = None


@dataclass(slots=True)
class Reference:
    """A link between two cables, seen from one side."""

    reference_id: str  # the other cable
    letter: str | None
    text: str
    in_archive: bool


class Archive:
    """A cable archive. `Archive.open("cables.db")` and then search, get, cites, cited_by."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self.conn = store.conn

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

    def search(
        self,
        query: str | Node = "",
        *,
        sort: str = "relevance",
        limit: int | None = None,
        offset: int = 0,
        snippets: bool = False,
    ) -> Iterator[Hit]:
        """Every cable matching the query, in order; no cap unless `limit` is given."""
        node = parse_query(query) if isinstance(query, str) else query
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        params: list = []
        match = relevance_match(node)
        join, score = "", "NULL"
        if match and sort == "relevance":
            join = (
                "LEFT JOIN (SELECT rowid, bm25(cables_fts, 4.0, 1.0) AS score FROM cables_fts"
                " WHERE cables_fts MATCH ?) r ON r.rowid = c.id"
            )
            params.append(match)
            score = "r.score"
        where = to_sql(node, params)
        order = SORTS[sort] if score != "NULL" else SORTS["-date" if sort == "relevance" else sort]
        sql = (
            f"SELECT c.id, c.reference_id, c.created, c.origin, c.classification, c.subject, {score}"
            f" AS score FROM cables c {join} WHERE {where} ORDER BY {order}"
        )
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        elif offset:
            sql += " LIMIT -1 OFFSET ?"
            params.append(offset)
        cur = self.conn.execute(sql, params)
        while rows := cur.fetchmany(1000):
            hits = {row[0]: Hit(row[1], row[2], row[3], row[4], row[5], row[6]) for row in rows}
            if snippets and match:
                self._add_snippets(hits, match)
            yield from hits.values()

    def _add_snippets(self, hits: dict[int, Hit], match: str) -> None:
        ids = list(hits)
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            "SELECT rowid, snippet(cables_fts, -1, '[', ']', '…', 16) FROM cables_fts"
            f" WHERE cables_fts MATCH ? AND rowid IN ({marks})",
            [match, *ids],
        )
        for rowid, snippet in rows:
            hits[rowid].snippet = snippet

    def count(self, query: str | Node = "") -> int:
        node = parse_query(query) if isinstance(query, str) else query
        params: list = []
        where = to_sql(node, params)
        return self.conn.execute(f"SELECT count(*) FROM cables c WHERE {where}", params).fetchone()[
            0
        ]

    def facets(
        self, query: str | Node = "", names: tuple[str, ...] = tuple(FACETS), top: int = 20
    ) -> dict[str, list[tuple[str, int]]]:
        """Counts of the matching cables by origin, tag, classification, handling, year, month."""
        node = parse_query(query) if isinstance(query, str) else query
        out: dict[str, list[tuple[str, int]]] = {}
        for name in names:
            expr, join = FACETS[name]
            params: list = []
            where = to_sql(node, params)
            order = f"{expr}" if name in ("year", "month") else "n DESC, value"
            limit = "" if name in ("year", "month") else f" LIMIT {int(top)}"
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
