"""`PgStore`: an archive in a PostgreSQL database, for the store seam (issue 13).

Where search happens for PostgreSQL: a query's text is parsed (archive/query.py), stemmed and
scoped for its reader (archive/pg/scope.py), compiled (archive/pg/plan.py) and run
(archive/pg/search.py); records arrive by COPY (archive/pg/load.py) into the schema of
archive/pg/schema.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import psycopg

from cablebase.access.policy import Access
from cablebase.archive.api import Hit
from cablebase.archive.pg import schema
from cablebase.archive.pg import search as pg_search
from cablebase.archive.pg.load import Loaded, load
from cablebase.archive.pg.resolve import Resolver
from cablebase.archive.pg.scope import scoped, stemmed
from cablebase.archive.query import Node, parse_query
from cablebase.archive.sqlite import Prepared, prepare
from cablebase.record import Cable


class PgStore:
    """The archive in the database `dsn` names (a libpq connection string or URL); the
    schema is brought up to date on opening."""

    def __init__(self, dsn: str) -> None:
        self.conn = psycopg.connect(dsn, autocommit=True)
        schema.migrate(self.conn)
        self.resolver = Resolver(self.conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> PgStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def put_many(self, cables: Iterable[Cable | Prepared]) -> Loaded:
        return load(self.conn, [c if isinstance(c, Prepared) else prepare(c) for c in cables])

    def count_all(self) -> int:
        return self.conn.execute("SELECT count(*) FROM cables").fetchone()[0]

    def tree(self, query: str | Node, access: Access | None = None) -> Node:
        """The query as compiled for `access` (None: unrestricted): parsed, stemmed, scoped."""
        node = parse_query(query) if isinstance(query, str) else query
        node = stemmed(node, self.resolver.forms)
        return node if access is None else scoped(node, access, self.resolver)

    def search(
        self,
        query: str | Node = "",
        access: Access | None = None,
        *,
        sort: str = "relevance",
        limit: int | None = None,
        offset: int = 0,
    ) -> Iterator[Hit]:
        node = self.tree(query, access)
        return pg_search.search(
            self.conn, node, self.resolver, access, sort=sort, limit=limit, offset=offset
        )

    def count(self, query: str | Node = "", access: Access | None = None) -> int:
        return pg_search.count(self.conn, self.tree(query, access), self.resolver, access)

    def facets(
        self,
        query: str | Node = "",
        access: Access | None = None,
        names: tuple[str, ...] = tuple(pg_search.FACETS),
        top: int | None = 20,
    ) -> dict[str, list[tuple[str, int]]]:
        node = self.tree(query, access)
        return pg_search.facets(self.conn, node, self.resolver, access, names, top)
