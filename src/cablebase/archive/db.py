"""One face over the two stores' connections, for the SQL they share (docs/stores.md).

Search goes through the store seam (archive/store.py): each store compiles the archive's
plans its own way.  The tables beside the cables — accounts, sessions, the audit log,
settings, releases, and the reading modules' plain queries over `cables`, `tags`, `refs`… —
have the same columns in both stores (archive/schema.py, archive/pg/schema.py), so their SQL
is written once, against `Db`:

- placeholders are `?` (SQLite's); on PostgreSQL they become `%s` and a literal `%` is
  escaped, so `LIKE 'policy.%'` means the same on both;
- `transaction()` is one atomic unit on both (nested: a savepoint on PostgreSQL, the outer
  unit on SQLite);
- `insert()` returns the new row's id (RETURNING on PostgreSQL, lastrowid on SQLite);
- `Db.IntegrityError` / `Db.MissingTable` / `Db.Refused` / `Db.Error` catch either driver's
  error of that kind.

Write SQL both engines read: `ON CONFLICT … DO UPDATE/NOTHING` rather than `INSERT OR …`,
`COALESCE` rather than `IFNULL`, times computed in Python rather than `datetime('now')`.
Where the engines truly differ, branch on `db.kind` in the module that needs it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


_Errors = tuple[type[BaseException], ...]


def _pg_errors() -> tuple[_Errors, _Errors, _Errors, _Errors]:
    try:
        import psycopg
    except ImportError:  # psycopg is a dependency, but SQLite needs none of it
        return (), (), (), ()
    refused = (psycopg.OperationalError, psycopg.errors.ReadOnlySqlTransaction)
    return (psycopg.IntegrityError,), (psycopg.errors.UndefinedTable,), refused, (psycopg.Error,)


_PG_INTEGRITY, _PG_MISSING, _PG_REFUSED, _PG_ERROR = _pg_errors()

# A quoted string or identifier (kept as written), or a `?` placeholder, or a `%`.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|(\?)|(%)")


@functools.lru_cache(maxsize=1024)
def pg_sql(sql: str) -> str:
    """SQLite-style SQL with `?` placeholders as psycopg reads it: `%s` placeholders and `%`
    doubled (psycopg reads `%` everywhere, inside literals too)."""

    def swap(m: re.Match[str]) -> str:
        if m.group(1):
            return "%s"
        if m.group(2):
            return "%%"
        return m.group(0).replace("%", "%%")

    return _TOKENS.sub(swap, sql)


# What neither store's text holds: a NUL (PostgreSQL's text), a lone surrogate (no UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` as both stores take it: a NUL or a lone surrogate (a Python caller's string, a
    command-line argument of invalid UTF-8) is U+FFFD, so that a lookup finds what it would
    (no stored text holds either) instead of failing in the driver."""
    if text.isascii():  # the common case, at C speed (a surrogate is no ASCII)
        return text.replace("\x00", "\ufffd") if "\x00" in text else text
    return _UNSTORABLE.sub("\ufffd", text) if _UNSTORABLE.search(text) else text


def kept(value: Any) -> Any:
    """A parameter as both stores take it (`storable`).  Request values reach the shared
    tables' SQL as typed (a login name, an audited query, an id in a URL): PostgreSQL refused
    a statement with a NUL (a 500; the audit writer retrying its batch for ever)."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, list | tuple):
        return type(value)(kept(v) for v in value)
    return value


class Db:
    """A store's connection with one SQL dialect for the shared tables (module docstring)."""

    IntegrityError: tuple[type[BaseException], ...] = (sqlite3.IntegrityError, *_PG_INTEGRITY)
    MissingTable: tuple[type[BaseException], ...] = (sqlite3.OperationalError, *_PG_MISSING)
    # A write the database would not take now: a read-only connection, a lock held too long,
    # a lost connection (for writes made in passing, which may be skipped).
    Refused: tuple[type[BaseException], ...] = (sqlite3.OperationalError, *_PG_REFUSED)
    # Any error of either driver.
    Error: tuple[type[BaseException], ...] = (sqlite3.Error, *_PG_ERROR)

    __slots__ = ("raw", "kind")

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.kind = SQLITE if isinstance(raw, sqlite3.Connection) else POSTGRESQL

    @classmethod
    def of(cls, conn: Any) -> Db:
        """`conn` as a Db (a Db stays itself): a sqlite3 connection or a psycopg one opened
        in autocommit mode (archive/pg/store.py's)."""
        return conn if isinstance(conn, Db) else cls(conn)

    @property
    def postgres(self) -> bool:
        return self.kind == POSTGRESQL

    def _sql(self, sql: str, params: Sequence[Any] | None) -> tuple[str, Any]:
        if self.kind == SQLITE:
            return sql, kept(params) if params is not None else ()
        if not params:
            return sql, None
        return pg_sql(sql), kept(params)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """Run one statement; the cursor (iterate it, fetchone, fetchall, rowcount)."""
        sql, params = self._sql(sql, params)
        return self.raw.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if self.kind == SQLITE:
            self.raw.executemany(sql, (kept(row) for row in rows))
            return
        with self.raw.cursor() as cur:
            cur.executemany(pg_sql(sql), [kept(row) for row in rows])

    def among(self, expr: str, values: Iterable[Any], params: list) -> str:
        """The condition "`expr` is one of `values`" with one parameter (appended to
        `params`), whatever their number: a JSON array on SQLite, an array on PostgreSQL."""
        if self.kind == SQLITE:
            params.append(json.dumps(list(values)))
            return f"{expr} IN (SELECT value FROM json_each(?))"
        params.append(list(values))
        return f"{expr} = ANY(?)"

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT of one row into a table with an `id` key; the new row's id."""
        if self.kind == SQLITE:
            return self.raw.execute(sql, kept(params)).lastrowid
        return self.raw.execute(pg_sql(sql + " RETURNING id"), kept(params)).fetchone()[0]

    def one(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """The first column of the first row, or None."""
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    @contextlib.contextmanager
    def transaction(self, *, immediate: bool = False) -> Iterator[Db]:
        """One atomic unit: committed at the end, rolled back on an exception.  `immediate`:
        on SQLite the write lock is taken at once (BEGIN IMMEDIATE), for a unit that reads
        then writes while other processes write (a deferred one could not upgrade its lock);
        PostgreSQL locks rows as they are written, so it changes nothing there."""
        if self.kind == SQLITE:
            if self.raw.in_transaction:  # inside the caller's unit: it commits
                yield self
                return
            with self.raw:  # commits, or rolls back on an exception
                # the unit starts here, before any read
                self.raw.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
                yield self
            return
        with self.raw.transaction():
            yield self

    @property
    def in_transaction(self) -> bool:
        if self.kind == SQLITE:
            return self.raw.in_transaction
        import psycopg

        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
