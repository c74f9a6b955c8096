"""The facets of a plan's hits on a SQLite store (archive/sqlite_search.py's `_Planner` is a
`Facets`): from the facet table held in memory (archive/facet_table.py) for broad queries —
its bitmaps when they describe the hits, else a byte per hit —, from SQL over the few hits'
ids otherwise.  Facets come with their total, remembered for the count (page_counts.py).
"""

from __future__ import annotations

from operator import eq, ge, gt, le, lt

import orjson

from cablebase.archive.facet_table import FacetTable, built_facet_table, shared_facet_table
from cablebase.archive.query import All, And, Field, Node, Visible, field_values
from cablebase.archive.sqlite_counts import Counting, _split_visible
from cablebase.archive.store import facet_sql

FACET_SQL = facet_sql("printf('%04d-%02d', c.year, c.month)")

# A class condition's comparison, as query.to_sql writes it (`c.class_rank op ?`).
_COMPARE = {"=": eq, "<": lt, "<=": le, ">": gt, ">=": ge}


class Facets(Counting):
    """The facets half of one reader's planner (`sqlite_search._Planner`); it counts and
    lists ids as a `Counting`."""

    def facets(
        self, node: Node, names: tuple[str, ...], top: int | None
    ) -> dict[str, list[tuple[str, int]]]:
        """The facets `names` of the hits (store.Search.facets)."""
        if isinstance(node, Visible):
            # Everything this reader sees (the empty query, scoped): computed once per
            # archive state and access.
            cols = self._columns()
            key = self.reader.key()
            full = cols.by_access.get(key)
            if full is None:
                full = cols.by_access[key] = cols.facets(self._ids(node), tuple(FACET_SQL))
            return self._top(full, names, top)
        if isinstance(node, All):
            cols = self._columns()
            if cols.everything is None:
                cols.everything = cols.facets(None, tuple(FACET_SQL))
            return self._top(cols.everything, names, top)
        if self._estimate(node) >= self.small:
            # Many hits: count them against the facet columns held in memory (one archive
            # state); the whole archive's counts are computed once per state.
            cols = self._columns()
            if (bits := self._held_bitmap(node, cols)) is not None:
                # Hits the table's own bitmaps describe (`class:<secret`): no id fetched.
                self._remember_count(node, bits.bit_count())
                return self._top(cols.facets_of(cols.bitmap_flags(bits), names), names, top)
            asked, visible = _split_visible(node)
            params: list = []
            if (
                visible is not None
                and (hidden := self._hidden_matches(asked, visible, params)) is not None
            ):
                # The facets of everything matching, less those of the few matches the
                # reader may not see: no filter over every hit's id.
                (minus,) = self._execute(
                    f"SELECT json_group_array(id) FROM ({hidden})", params
                ).fetchone()
                ids, less = self._ids(asked), orjson.loads(minus)
                self._remember_count(node, len(ids) - len(less))
                return self._top(cols.facets(ids, names, less), names, top)
            ids = self._ids(node)
            self._remember_count(node, len(ids))
            return self._top(cols.facets(ids, names), names, top)
        ids = self._ids(node)
        self._remember_count(node, len(ids))
        if (cols := self._built_columns()) is not None:
            # Few hits, the facet table in memory: their values looked up in it.
            return self._top(cols.facets(ids, names), names, top)
        # Few hits: each facet over their ids.
        listed = orjson.dumps(ids).decode()
        out: dict[str, list[tuple[str, int]]] = {}
        for name in names:
            expr, join = FACET_SQL[name]
            params: list = [listed]
            order = "value" if name in ("year", "month") else "n DESC, value"
            limit = ""
            if top is not None and name not in ("year", "month"):
                limit = " LIMIT ?"
                params.append(int(top))
            rows = self._execute(
                f"SELECT {expr} AS value, count(*) AS n FROM cables c {join}"
                f" WHERE c.id IN (SELECT value FROM json_each(?)) AND {expr} IS NOT NULL"
                f" GROUP BY value ORDER BY {order}{limit}",
                params,
            )
            out[name] = [(str(v), n) for v, n in rows]
        return out

    @staticmethod
    def _top(
        full: dict[str, list[tuple[str, int]]], names: tuple[str, ...], top: int | None
    ) -> dict[str, list[tuple[str, int]]]:
        """The facets `names` of complete counts, the first `top` of each but year and month."""
        return {
            n: full[n] if top is None or n in ("year", "month") else full[n][:top] for n in names
        }

    def _remember_count(self, node: Node, n: int) -> None:
        """Remember the number of hits that facets counted, for `SQLiteSearch.count` (facets
        come with their total, as a page does: page_counts.py)."""
        self.s.page_counts.put(self._state(), (self.reader.key(), node), n)

    def _built_columns(self) -> FacetTable | None:
        """The facet table of this state if one is in memory already, else None (building
        one costs far more than any count it could answer)."""
        if self.store.readonly:
            return built_facet_table(self.store, self._state())
        cols = self.s.cols
        return cols if cols is not None and cols.key == self._state() else None

    def _held_bitmap(self, node: Node, cols: FacetTable | None) -> int | None:
        """The bitmap of the hits of `node` from the facet table `cols`, when the table's own
        bitmaps describe them: class conditions, exact tags and caveats held as bitmaps (a
        value of at least 1/MASKED of the cables), and ANDs of those; no reader's condition.
        Else None.  (`class:<secret`, 225,000 cables: no id fetched; `tag:PGOV
        class:>=confidential`: the tag's ids each tested on the class index took 36 ms.)"""
        if cols is None:
            return None
        if isinstance(node, And):
            bits = -1  # every bit: the AND's identity
            for n in node.nodes:
                part = self._held_bitmap(n, cols)
                if part is None:
                    return None
                bits &= part
            return bits
        if not isinstance(node, Field):
            return None
        v = field_values(node)
        if node.name == "class" and "rank" in v:
            compare, rank = _COMPARE[node.op], v["rank"]
            return cols.rank_bitmap(lambda r: r is not None and compare(r, rank))
        if node.name == "tag" and not v["prefix"]:
            return cols.tag_bitmap(v["value"])
        if node.name == "handling":
            return cols.caveat_bitmap(v["value"])
        return None

    def _columns(self) -> FacetTable:
        if self.store.readonly:
            return shared_facet_table(self.store, self._state())
        key = self._state()
        if self.s.cols is None or self.s.cols.key != key:
            self.s.cols = FacetTable(self.conn, key)
        return self.s.cols
