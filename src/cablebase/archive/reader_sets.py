"""What a reader sees, as a set of cable ids held in a TEMP table of the connection.

A query tests `c.id` against the set (an in-memory b-tree: a fraction of a microsecond per
test, no row read) instead of testing each hit's access columns (one read of the cable's row
per hit: for broad queries, most of the query's time).  The set is built once per reader
class, archive generation and connection from the covering index on the access columns, and
holds whichever side is smaller: the hidden ids (most readers of most archives) or the shown
ones.

Staleness is safe by construction: a hidden-side set only admits ids below the archive's
next id at build time, so a cable stored after the set was built is not shown until the next
query notices the new generation and builds again.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from cablebase.access.policy import Access
from cablebase.access.policy import sql_visible as row_condition

KEEP = 8  # sets per connection (reader classes in use at once: a web server's few roles)
# The columns of `cables` that query conditions test per row (query.to_sql's row forms).
ROW_COLUMNS = "c.id, c.reference_id, c.created, c.year, c.origin, c.post, c.class_rank"
HIDDEN_ROWS = 20000  # hidden sets up to this size get their rows copied on demand (~100 B each)
SHOWN_ROWS = 150000  # and shown sets up to this size (a minority reader's column queries)


class ReaderSets:
    """The reader-class id sets of one SQLite connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._sets: OrderedDict[tuple, _Set] = OrderedDict()
        self._stale: list[str] = []  # tables to drop once no statement reads them
        self._serial = 0

    def condition(self, access: Access, generation: int, *, text: bool, alias: str = "c") -> str:
        """A condition on `alias`.id alone, true for the cables `access` sees (read whole,
        or partially too unless `text`).  Falls back to testing the rows (`row_condition`)
        inside a caller's open transaction, where a temp table could be rolled back under
        the set's feet."""
        if access.unrestricted:
            return "1"
        if not alias.isidentifier():
            raise ValueError(f"bad alias {alias!r}")
        key = _key(access, generation, text)
        found = self._sets.get(key)
        if found is None:
            if self.conn.in_transaction:
                params: list = []
                sql = row_condition(access, params, text=text, alias=alias)
                return _inline(sql, params)
            found = self._build(access, key, text)
        self._sets.move_to_end(key)
        return found.sql.replace("+c.id", f"+{alias}.id")

    def count(self, access: Access, generation: int, *, text: bool = False) -> int:
        """How many cables `access` sees (without reading the table's rows)."""
        s = self._set(access, generation, text)
        if s is None:  # inside a transaction: count the rows the condition admits
            cond = self.condition(access, generation, text=text)
            return self.conn.execute(f"SELECT count(*) FROM cables c WHERE {cond}").fetchone()[0]
        if s.shown:
            return s.size
        (total,) = self.conn.execute("SELECT count(*) FROM cables").fetchone()
        (newer,) = self.conn.execute(
            "SELECT count(*) FROM cables WHERE id >= ?", (s.bound,)
        ).fetchone()
        return total - newer - s.size

    def sees_minority(self, access: Access, generation: int, *, text: bool) -> bool:
        """Whether the set holds the shown side: `access` sees less than half the archive."""
        s = self._set(access, generation, text)
        return s is not None and s.shown

    def hidden(self, access: Access, generation: int, *, text: bool) -> tuple[str, int, int] | None:
        """(temp table, bound, size) of the ids hidden from `access` below `bound` (every
        id from `bound` on is hidden too), or None when the set holds the shown side."""
        s = self._set(access, generation, text)
        if s is None or s.shown:
            return None
        return f"temp.{s.name}", s.bound, s.size

    def hidden_rows(self, access: Access, generation: int, *, text: bool) -> tuple[str, int] | None:
        """(temp table, bound): the cables hidden from `access` below `bound` with the columns
        query conditions test (ROW_COLUMNS), so that the matches among them are found without
        reading the archive's rows; every id from `bound` on is hidden too.  None when the
        set holds the shown side or more than HIDDEN_ROWS cables."""
        s = self._set(access, generation, text)
        if s is None or s.shown or s.size > HIDDEN_ROWS:
            return None
        rows = self._rows(s)
        return None if rows is None else (rows, s.bound)

    def shown_rows(self, access: Access, generation: int, *, text: bool) -> str | None:
        """A temp table of the cables `access` sees with the columns query conditions test
        (ROW_COLUMNS), for a reader who sees a minority of the archive: their matches of a
        condition on those columns are found there without reading the archive's rows.
        None when the set holds the hidden side or more than SHOWN_ROWS cables."""
        s = self._set(access, generation, text)
        if s is None or not s.shown or s.size > SHOWN_ROWS:
            return None
        return self._rows(s)

    def _rows(self, s: _Set) -> str | None:
        """The set's cables with ROW_COLUMNS, copied on first use."""
        if s.rows is None:
            if self.conn.in_transaction:  # see condition()
                return None
            rows = f"{s.name}_rows"
            with self._transaction():
                self.conn.execute(
                    f"CREATE TEMP TABLE {rows} AS SELECT {ROW_COLUMNS} FROM temp.{s.name} h"
                    " CROSS JOIN cables c ON c.id = h.id"
                )
            s.rows = rows
        return f"temp.{s.rows}"

    def shown_dates(self, access: Access, generation: int, *, text: bool) -> str | None:
        """A temp table (created, id) of the cables `access` sees, indexed in date order, for
        walking their dates instead of the archive's: a reader who sees a minority of the
        archive, often its oldest (declassified) part, would otherwise walk past thousands
        of hidden cables per hit.  None when the set holds the hidden side."""
        s = self._set(access, generation, text)
        if s is None or not s.shown:
            return None
        if s.dates is None:
            if self.conn.in_transaction:  # see condition()
                return None
            dates = f"{s.name}_dates"
            with self._transaction():
                # From the date index (covering: created and the rowid), no row is read.
                self.conn.execute(
                    f"CREATE TEMP TABLE {dates} AS SELECT c.created, c.id FROM cables c"
                    f" INDEXED BY cables_created WHERE {s.sql}"
                )
                self.conn.execute(f"CREATE INDEX temp.{dates}_order ON {dates}(created, id)")
            s.dates = dates
        return f"temp.{s.dates}"

    def _set(self, access: Access, generation: int, text: bool) -> _Set | None:
        """The reader's set, built if need be (None inside a caller's transaction)."""
        self.condition(access, generation, text=text)
        return self._sets.get(_key(access, generation, text))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction of this module's own (never inside a caller's: see condition)."""
        self.conn.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _build(self, access: Access, key: tuple, text: bool) -> _Set:
        self._drop_stale(key[0])
        params: list = []
        cond = f"coalesce(({row_condition(access, params, text=text)}), 0)"
        total, top = self.conn.execute("SELECT count(*), max(id) FROM cables").fetchone()
        self._serial += 1
        name = f"cb_reader_{id(self) & 0xFFFFFF:x}_{self._serial}"
        # From the covering index cables_access: no row is read.  The hidden side first (the
        # smaller for most readers); the shown side instead when it turns out smaller.
        fill = f"INSERT INTO temp.{name} SELECT id FROM cables c WHERE "
        with self._transaction():
            self.conn.execute(f"CREATE TEMP TABLE {name} (id INTEGER PRIMARY KEY)")
            self.conn.execute(fill + f"NOT {cond}", params)
            (size,) = self.conn.execute(f"SELECT count(*) FROM temp.{name}").fetchone()
            want_shown = size > total - size
            if want_shown:
                self.conn.execute(f"DELETE FROM temp.{name}")
                self.conn.execute(fill + cond, params)
                (size,) = self.conn.execute(f"SELECT count(*) FROM temp.{name}").fetchone()
        # Unary plus: the set filters, it never drives a plan (SQLite would otherwise take
        # `c.id < bound` for a range of the table to scan).
        if want_shown:
            sql = f"+c.id IN temp.{name}"
        else:
            bound = (top or 0) + 1
            sql = f"(+c.id < {bound} AND +c.id NOT IN temp.{name})"
        built = _Set(name, sql, shown=want_shown, size=size, bound=(top or 0) + 1)
        self._sets[key] = built
        while len(self._sets) > KEEP:
            _, old = self._sets.popitem(last=False)
            self._stale += old.tables()
        return built

    def _drop_stale(self, generation: int) -> None:
        """Drop the sets of older generations and those evicted (a table still read by an
        open statement stays until the next build)."""
        for key in [k for k in self._sets if k[0] != generation]:
            self._stale += self._sets.pop(key).tables()
        kept = []
        for name in self._stale:
            try:
                self.conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
            except sqlite3.OperationalError:  # locked by a pending statement
                kept.append(name)
        self._stale = kept


class _Set:
    __slots__ = ("name", "sql", "shown", "size", "bound", "rows", "dates")

    def __init__(self, name: str, sql: str, *, shown: bool, size: int, bound: int) -> None:
        self.name, self.sql, self.shown, self.size, self.bound = name, sql, shown, size, bound
        self.rows: str | None = None  # the hidden cables' rows (hidden_rows), once copied
        self.dates: str | None = None  # the shown cables' dates (shown_dates), once copied

    def tables(self) -> list[str]:
        return [t for t in (self.name, self.rows, self.dates) if t]


def _key(access: Access, generation: int, text: bool) -> tuple:
    v = access.viewer
    portions = access.portions and not text
    return (generation, v.rank, v.bits, portions, access.today, text)


def _inline(sql: str, params: list) -> str:
    """The row condition with its values written in (they are integers and an ISO date,
    checked here): the id-set condition it stands in for takes no parameters."""
    out = sql
    for p in params:
        if isinstance(p, int):
            value = str(int(p))
        elif isinstance(p, str) and len(p) == 10 and p.replace("-", "").isdigit():
            value = f"'{p}'"
        else:
            raise ValueError(f"unexpected access value {p!r}")
        out = out.replace("?", value, 1)
    return out
