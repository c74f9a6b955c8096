"""The facet values of every cable of a SQLite archive, held in memory (one table per archive
state), for counting the facets of broad queries from their hits' ids (archive/sqlite_search.py)."""

from __future__ import annotations

import threading
from array import array
from collections import Counter
from collections.abc import Iterable
from itertools import chain
from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:
    from cablebase.archive.sqlite import SQLiteStore

_CLASSES = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET")  # by class_rank


_SHARED: dict[str, FacetTable] = {}
_SHARED_LOCK = threading.Lock()


def shared_facet_table(store: SQLiteStore, state: tuple[int, ...]) -> FacetTable:
    """Read-only archives of one file (the web server's per-thread connections) share one
    facet table: it is built once, by the first thread that needs it, not once per thread."""
    path = store.path.resolve()
    try:  # a file replaced by another archive (same path, same generation) is another key
        key = (*state, path.stat().st_ino)
    except OSError:
        key = state
    with _SHARED_LOCK:
        cols = _SHARED.get(str(path))
        if cols is None or cols.key != key:
            cols = FacetTable(store.conn, key)
            _SHARED[str(path)] = cols
        return cols


class FacetTable:
    """The facet values of every cable, in memory, for one state of the archive.

    Broad facets (100,000+ hits) are counted here from the hits' ids: a few Counter passes in
    C instead of one SQL GROUP BY per facet over every hit (seconds).  Read from the covering
    indexes (origin, class, year/month, tags, handling), never from the cables' rows."""

    def __init__(self, conn, key: tuple[int, int]) -> None:
        self.key = key
        self.everything: dict[str, list[tuple[str, int]]] | None = None
        self._counted: dict[int, Counter] = {}  # see _whole
        self.by_access: dict[tuple, dict[str, list[tuple[str, int]]]] = {}
        # One read transaction: every statement below sees the same cables, though a writer
        # adds some meanwhile (ids past max(id) would overrun the arrays).
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
        try:
            self._read(conn)
        finally:
            if own:
                conn.execute("COMMIT")

    def _read(self, conn) -> None:
        (top,) = conn.execute("SELECT max(id) FROM cables").fetchone()
        self.size = (top or 0) + 1
        self.origin, self.origins = self._single(
            conn,
            "SELECT origin, json_group_array(id) FROM cables WHERE origin IS NOT NULL"
            " GROUP BY origin",
        )
        self.rank, ranks = self._single(
            conn,
            "SELECT class_rank, json_group_array(id) FROM cables"
            " WHERE class_rank IS NOT NULL GROUP BY class_rank",
        )
        self.classes = [_CLASSES[r] if 0 <= r < 4 else None for r in ranks]
        # year and month as one code per cable: "YYYY" and "YYYY-MM" are both read from it.
        self.ym, yms = self._single(
            conn,
            "SELECT year * 100 + coalesce(month, 0), json_group_array(id) FROM cables"
            " WHERE year IS NOT NULL GROUP BY year, month",
        )
        self.yms = yms
        self.tags, self.tag_names = self._multi(
            conn, "SELECT tag, json_group_array(cable_id) FROM tags GROUP BY tag"
        )
        self.handling, self.caveats = self._multi(
            conn, "SELECT caveat, json_group_array(cable_id) FROM handling GROUP BY caveat"
        )

    def _single(self, conn, sql: str) -> tuple[array, list]:
        codes = array("i", [-1]) * self.size
        values = []
        for value, ids in conn.execute(sql):
            k = len(values)
            values.append(value)
            for i in orjson.loads(ids):
                codes[i] = k
        return codes, values

    def _multi(self, conn, sql: str) -> tuple[list[tuple[int, ...]], list[str]]:
        per: list[tuple[int, ...]] = [()] * self.size
        values = []
        for value, ids in conn.execute(sql):
            k = len(values)
            values.append(value)
            for i in orjson.loads(ids):
                per[i] += (k,)
        shared: dict[tuple[int, ...], tuple[int, ...]] = {}
        return [shared.setdefault(t, t) for t in per], values

    def _whole(self, codes, multi: bool) -> Counter:
        """A copy of the counts of a facet's codes over every cable (one of this table's
        arrays: codes, or tuples of codes when `multi`), counted once per table."""
        known = self._counted.get(id(codes))
        if known is None:
            known = Counter(chain.from_iterable(codes) if multi else codes)
            self._counted[id(codes)] = known
        return known.copy()

    def facets(
        self, ids: Iterable[int] | None, names: tuple[str, ...], minus: Iterable[int] = ()
    ) -> dict[str, list]:
        """Every facet's complete counts for the cables `ids` (None: every cable), less
        those of the cables `minus` (a subset of `ids`)."""
        if ids is not None:
            ids = [i for i in ids if 0 <= i < self.size]
        less = [i for i in minus if 0 <= i < self.size]
        if ids is not None and 2 * len(ids) > self.size:
            # Most of the archive: count the cables that are not hits (fewer), and take them
            # from the whole archive's counts (held per state).  `ids` hold each hit once.
            other = set(range(self.size))
            other.difference_update(ids)
            less.extend(other)
            ids = None

        def count(codes) -> Counter:
            c = self._whole(codes, False) if ids is None else Counter(map(codes.__getitem__, ids))
            c.subtract(Counter(map(codes.__getitem__, less)))  # counted in C, then taken
            c.pop(-1, None)
            return +c

        def ranked(counter: Counter, values: list) -> list[tuple[str, int]]:
            pairs = [(values[k], n) for k, n in counter.items() if values[k] is not None]
            return sorted(((str(v), n) for v, n in pairs), key=lambda p: (-p[1], p[0]))

        def multi(per: list) -> Counter:
            if ids is None:
                c = self._whole(per, True)
            else:
                c = Counter(chain.from_iterable(map(per.__getitem__, ids)))
            c.subtract(Counter(chain.from_iterable(map(per.__getitem__, less))))
            return +c

        out: dict[str, list] = {}
        if "origin" in names:
            out["origin"] = ranked(count(self.origin), self.origins)
        if "classification" in names:
            out["classification"] = ranked(count(self.rank), self.classes)
        if "year" in names or "month" in names:
            ym = count(self.ym)
            years: Counter = Counter()
            months: Counter = Counter()
            for k, n in ym.items():
                code = self.yms[k]
                if code // 100:  # a known year (SQLite's facet skips a NULL year)
                    years[code // 100] += n
                if code % 100:
                    months[f"{code // 100:04d}-{code % 100:02d}"] += n
            out["year"] = [(str(y), n) for y, n in sorted(years.items())]
            out["month"] = sorted(months.items())
        if "tag" in names:
            out["tag"] = ranked(multi(self.tags), self.tag_names)
        if "handling" in names:
            out["handling"] = ranked(multi(self.handling), self.caveats)
        return {n: out[n] for n in names}
