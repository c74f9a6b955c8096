"""How a SQLite store counts the hits of a plan exactly, lists their ids, and bounds them
cheaply to choose a plan (archive/sqlite_search.py's `_Planner` is a `Counting`).

Exact counts are planned so that broad parts are counted on their own indexes (FTS5 doclists,
side-table indexes) and never by reading the cables' rows; the same plans list the hits' ids
(for facets, archive/sqlite_facets.py).  The bounds (`_estimate`, `_fts` with a cap) stop
counting at the cap, and FTS5 counts are remembered per archive state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

from cablebase.access.policy import fts_hidden
from cablebase.archive.query import (
    CABLE_FIELDS,
    NAME_FIELDS,
    All,
    And,
    Field,
    Node,
    Not,
    Or,
    Visible,
    field_values,
    fts_expr,
    has_text,
    is_column,
    split_text,
    to_sql,
)
from cablebase.archive.query import conjoin as _and

if TYPE_CHECKING:
    import sqlite3

    from cablebase.access.policy import Access
    from cablebase.archive.sqlite import SQLiteStore
    from cablebase.archive.sqlite_search import SQLiteSearch
    from cablebase.archive.store import Reader

_FTS_IDS = "SELECT rowid FROM cables_fts WHERE cables_fts MATCH ?"
_FTS_AS_IDS = "SELECT rowid AS id FROM cables_fts WHERE cables_fts MATCH ?"
# Free text matching more than PROBE rows is tested per row (FTS5 rowid probe) rather than
# materialised as a set; a part of fewer than FEW_PROBES hits drives and the rest is probed.
PROBE = 40000
FEW_PROBES = 500
# A class condition beside free text is tested per id of the doclist when it matches at least
# this many times the text's matches (`Counting._class_probes`).
CLASS_PROBES = 2
# Conditions on the cables' columns beside free text are one id set when the most selective
# matches at most 1/COLUMN_SET of the broadest (`Counting._one_column_set`).
COLUMN_SET = 8
# Counts of FTS5 expressions remembered per connection and state (a few hundred bytes each;
# a page, its count and its planning ask for several, and readers page through results).
FTS_MEMO = 4096
_INDEXED = ("class", "year", "from", "to", "origin", "id")  # fields on indexed cables columns
_SIDE_FIELDS = ("tag", "handling", "cites", *NAME_FIELDS)


def _or_parts(node: Or) -> list[Node]:
    """The parts of an OR, its free text merged into one part (one FTS5 expression)."""
    text = [n for n in node.nodes if fts_expr(n) is not None]
    rest = [n for n in node.nodes if fts_expr(n) is None]
    if len(text) > 1:
        return [Or(tuple(text)), *rest]
    return text + rest


def _split_columns(node: Node | None) -> tuple[Node | None, Node | None]:
    """(the top-level conditions on the cables' columns, the other conditions) of a rest."""
    parts = node.nodes if isinstance(node, And) else () if node is None else (node,)
    cols = tuple(n for n in parts if is_column(n))
    other = tuple(n for n in parts if n not in cols)

    def one(ns: tuple[Node, ...]) -> Node | None:
        return None if not ns else ns[0] if len(ns) == 1 else And(ns)

    return one(cols), one(other)


def _split_visible(node: Node) -> tuple[Node, Visible | None]:
    """(the query, the reader's Visible condition that `Archive._scope` added to it)."""
    if isinstance(node, Visible):
        return All(), node
    if isinstance(node, And):
        found = [n for n in node.nodes if isinstance(n, Visible)]
        if found:
            rest = tuple(n for n in node.nodes if not isinstance(n, Visible))
            return (rest[0] if len(rest) == 1 else And(rest)), found[0]
    return node, None


def _on_columns(node: Node) -> bool:
    """Whether every condition of a query is on the cables' own columns (no text, no side
    table): testable on reader_sets.ROW_COLUMNS."""
    if isinstance(node, And | Or):
        return all(_on_columns(n) for n in node.nodes)
    if isinstance(node, Not):
        return _on_columns(node.node)
    return isinstance(node, Field) and node.name in CABLE_FIELDS


def _text_less(node: And) -> tuple[Node, Node] | None:
    """(the free text, x) of an AND of free text and one NOT of a field (`(said OR told)
    -tag:BM`), else None: counted as |text| - |text and x| (`Counting._count`)."""
    text = [n for n in node.nodes if fts_expr(n) is not None]
    rest = [n for n in node.nodes if fts_expr(n) is None]
    if not text or len(rest) != 1 or not isinstance(rest[0], Not):
        return None
    if not isinstance(rest[0].node, Field):
        return None
    base = text[0] if len(text) == 1 else And(tuple(text))
    return base, rest[0].node


def _indexed(node: Node) -> bool:
    return isinstance(node, Field) and node.name in _INDEXED


class Counting:
    """The counting half of one reader's planner (`sqlite_search._Planner`, which sets these
    attributes and provides `_state`, `_execute` and `_years`)."""

    s: SQLiteSearch
    reader: Reader
    store: SQLiteStore
    conn: sqlite3.Connection
    access: Access
    small: int

    def _count(self, node: Node) -> int:
        """Exact counts planned so that broad parts are counted on their own indexes (FTS5
        doclists, side-table indexes) and never by reading the cables' rows."""
        params: list = []
        asked, visible = _split_visible(node)
        text, rest = split_text(node)
        if visible is not None and visible.text and text is not None and rest is visible:
            # Free text only: its doclist without the cables the reader may not read whole
            # (acl tokens of the index, policy.fts_hidden), counted inside FTS5.  When the
            # text's own count is known (the planner counted it choosing the plan),
            # only its matches among those cables are counted (cheap: few, or a rare text).
            hidden = fts_hidden(self.access, self._years())
            if (every := self._fts_known(text)) is not None:
                return every - self._fts(f"({text}) AND {hidden}")
            return self._fts(f"({text}) NOT {hidden}")
        if visible is not None and isinstance(asked, Not):
            # |V and not x| = |V| - |V and x|, both counted without reading rows.
            return self._count(visible) - self._count(_and(asked.node, visible))
        if visible is not None and not isinstance(asked, All):
            if (hidden := self._hidden_matches(asked, visible, params)) is not None:
                # Everything matching, less the few matches the reader may not see.
                minus = self._execute(f"SELECT count(*) FROM ({hidden})", params)
                return self._count(asked) - minus.fetchone()[0]
            return self._execute(
                f"SELECT count(*) FROM ({self._ids_sql(node, params)})", params
            ).fetchone()[0]
        if isinstance(node, All):
            sql = "SELECT count(*) FROM cables"
        elif isinstance(node, Visible):  # everything the reader sees: from their id set
            return self.store.reader_sets.count(self.access, self._state()[0], text=node.text)
        elif text is not None and rest is None:
            # Free text only: count the doclist, no table rows touched.
            return self._fts(text)
        elif isinstance(node, Field) and node.name in _SIDE_FIELDS:
            sql = self._side_count(node, params)
        elif isinstance(node, Not) and self.access.unrestricted:
            # Conditions are two-valued: NOT x is exactly the complement of x.
            return self._count(All()) - self._count(node.node)
        elif isinstance(node, Or) and 2 <= len(parts := _or_parts(node)) <= 4:
            # |A or B| = |A| + |B| - |A and B|, each part counted on its own index.
            a, b = parts[0], parts[1] if len(parts) == 2 else Or(tuple(parts[1:]))
            return self._count(a) + self._count(b) - self._count(_and(a, b))
        elif (bits := self._held_bitmap(node, self._built_columns())) is not None:
            return bits.bit_count()
        elif isinstance(node, And) and self.access.unrestricted and (minus := _text_less(node)):
            # |text and not x| = |text| - |text and x|: the doclist counted inside FTS5
            # (~0.03 us a match, and remembered), the matches of x among it tested as a set;
            # testing NOT x on every match costs ~0.15 us a match.
            return self._fts(text) - self._count(_and(*minus))
        elif isinstance(node, And):
            sql = f"SELECT count(*) FROM ({self._and_ids(node, params)})"
        else:
            where = to_sql(node, params, self._origins)
            sql = f"SELECT count(*) FROM cables c WHERE {where}"
        return self._execute(sql, params).fetchone()[0]

    def _hidden_matches(self, asked: Node, visible: Visible, params: list) -> str | None:
        """SELECT of the ids matching `asked` that the reader may not see, tested on the
        hidden cables' own rows (reader_sets.hidden_rows) and on the ids stored since the set
        was built; None unless the reader's hidden set is held, small, and smaller than the
        matches, and `asked` has no free text (a text probe costs ~40 us a cable)."""
        if has_text(asked):
            return None
        generation = self._state()[0]
        sets = self.store.reader_sets
        side = sets.hidden(self.access, generation, text=visible.text)
        if side is None or self._estimate(asked, side[2]) < side[2]:
            return None  # fewer matches than hidden cables: testing the matches costs less
        found = sets.hidden_rows(self.access, generation, text=visible.text)
        if found is None:
            return None
        table, bound = found
        # Probes, so that the hidden rows (and the id range) drive, not a set of the matches.
        where = to_sql(asked, params, self._origins, side="probe", text="probe")
        newer = to_sql(asked, params, self._origins, side="probe", text="probe")
        return (
            f"SELECT c.id FROM {table} c WHERE {where}"
            f" UNION ALL SELECT c.id FROM (SELECT id FROM cables WHERE id >= {int(bound)}) n"
            f" CROSS JOIN cables c ON c.id = n.id WHERE {newer}"
        )

    def _and_ids(self, node: And, params: list) -> str:
        """SELECT c.id of every hit of an AND, each once, for counting: the cheapest of
        three plans (a small part drives and the rows are tested; the free text's doclist
        is iterated and the rest tested as id sets; an index on the cables' columns is
        scanned and the free text tested as a set)."""
        text, rest = split_text(node)
        columns = [n for n in node.nodes if is_column(n)]
        if text is not None and rest is not None and self._class_probes(text, rest):
            # The doclist's ids, a broad class tested per id on its index (the rest as sets).
            params.append(text)
            cond = to_sql(rest, params, self._origins, side="filter", text="filter", cols="probe")
            return f"SELECT c.id FROM ({_FTS_AS_IDS}) c WHERE {cond}"
        if (
            text is not None
            and columns
            and self._estimate(node, FEW_PROBES) >= FEW_PROBES
            and (
                self._fts(text, PROBE) < PROBE or self._estimate(And(tuple(columns)), PROBE) < PROBE
            )
        ):
            # Scan the column's index (SQLite picks it; covering when it holds every column
            # tested) and test the text as a set of at most PROBE ids, rather than building
            # a set of a broad column condition's ids (0.35 us per id).
            where = to_sql(node, params, self._origins, side="filter", text="filter")
            return f"SELECT c.id FROM cables c WHERE {where}"
        cols, sets = _split_columns(split_text(node)[1])
        if (
            text is not None
            and cols is not None
            and sets is not None
            and self._estimate(sets, PROBE) < PROBE
        ):
            # The doclist's ids, narrowed by the (smaller) sets, then the rows of what is
            # left for the column conditions: no set of a broad column condition is built.
            params.append(text)
            narrow = to_sql(sets, params, self._origins, side="filter", text="filter", cols="ids")
            where = to_sql(cols, params, self._origins)
            return (
                f"SELECT c.id FROM (SELECT c.id FROM ({_FTS_AS_IDS}) c WHERE {narrow}) x"
                f" JOIN cables c ON c.id = x.id WHERE {where}"
            )
        if text is None and (stream := self._class_stream(node, params)) is not None:
            return stream
        if (src := self._id_source(node, params)) is not None:
            source, others = src
            cond = "1"
            if others is not None:
                cond = to_sql(
                    others, params, self._origins, side="filter", text="filter", cols="ids"
                )
            return f"SELECT c.id FROM ({source}) c WHERE {cond}"
        return f"SELECT c.id FROM cables c WHERE {self._driven(node, params)}"

    def _class_stream(self, node: And, params: list) -> str | None:
        """SELECT c.id of the hits of `tag:X class:>=Y` (one tag or handling condition and
        class conditions, nothing else) as the side table's ids with the class tested per id
        on the (id, class_rank) index, when the side matches no more cables than the class
        (bounded at PROBE): a lookup per id (~0.25 us) instead of building the side's set
        (~0.35 us a member) and scanning the class's index (`tag:PREL class:>=confidential`, 129,000 and
        138,000 cables: 32 ms against 50).  None for any other AND."""
        sides = [n for n in node.nodes if isinstance(n, Field) and n.name in ("tag", "handling")]
        classes = [n for n in node.nodes if isinstance(n, Field) and n.name == "class"]
        if (
            len(sides) != 1
            or not classes
            or len(sides) + len(classes) != len(node.nodes)
            or any("marking" in field_values(n) for n in classes)
        ):
            return None
        # Bounds at PROBE: when both reach it the stream still costs least (the other plans
        # build the side's set, or read a row per class match).
        if self._estimate(sides[0], PROBE) > min(self._estimate(n, PROBE) for n in classes):
            return None
        source = self._side_count(sides[0], params)
        source = source.replace("count(DISTINCT cable_id)", "DISTINCT cable_id AS id")
        source = source.replace("count(*)", "cable_id AS id")
        rest = classes[0] if len(classes) == 1 else And(tuple(classes))
        cond = to_sql(rest, params, self._origins, cols="probe")
        return f"SELECT c.id FROM ({source}) c WHERE {cond}"

    def _one_column_set(self, rest: Node) -> bool:
        """Whether the conditions on the cables' columns among `rest` are better tested as
        one id set of the cables matching them all than as a set each (query.IDS_OPEN): the
        first reads the rows the most selective one's index yields (~2 us each), the second
        builds every set (~0.35 us a member), so one set pays when the most selective
        matches at most 1/COLUMN_SET of the broadest.  (`enterprises origin:hanoi
        year:>=1990`: 2,000 cables of Hanoi against 200,000 since 1990.)"""
        cols, _ = _split_columns(rest)
        if not isinstance(cols, And):
            return False
        ests = [self._estimate(n, PROBE) for n in cols.nodes]
        return min(ests) < PROBE and COLUMN_SET * min(ests) <= max(ests)

    def _class_probes(self, text: str, rest: Node) -> bool:
        """Whether the class conditions beside free text are tested per id of its doclist
        on the (id, class_rank) index rather than as sets: each matches at least
        CLASS_PROBES times as many cables as the text (a set costs ~0.25 us a member, a
        lookup ~0.5 us an id).  A text of PROBE matches or more is counted exactly
        (remembered): at 2.5 M cables a set of `class:>=confidential` holds 1.5 M ids, a
        second of CPU beside a word of 200,000 matches."""
        parts = rest.nodes if isinstance(rest, And) else (rest,)
        classes = [n for n in parts if isinstance(n, Field) and n.name == "class"]
        if not classes or any("marking" in field_values(n) for n in classes):
            return False
        n = self._fts(text, PROBE)
        if n >= PROBE:
            n = self._fts(text)
        cap = CLASS_PROBES * max(n, 1)
        return all(self._estimate(c, cap) >= cap for c in classes)

    def _id_source(self, node: And, params: list) -> tuple[str, Node | None] | None:
        """For an AND whose every part is broad: (SELECT of the ids of the part to iterate,
        the other parts), so that the others are tested as id sets on that stream of ids.
        None when some part is small (then it drives, see `_driven`), or when no part is a
        free-text or side-table set (conditions on the cables' columns use their indexes)."""
        if self._estimate(node, FEW_PROBES) < FEW_PROBES:
            return None
        text, rest = split_text(node)
        if text is not None:
            # The FTS5 doclist is the cheapest stream of ids: iterate it.
            params.append(text)
            return "SELECT rowid AS id FROM cables_fts WHERE cables_fts MATCH ?", rest
        if any(is_column(n) for n in node.nodes):
            return None  # SQLite scans the column's (covering) index: see count()
        sides = [n for n in node.nodes if isinstance(n, Field) and n.name in _SIDE_FIELDS]
        if not sides:
            return None
        # Iterate the largest set; the smaller ones are built as IN sets.
        driver = max(sides, key=lambda n: self._estimate(n, 4 * PROBE))
        others = tuple(n for n in node.nodes if n is not driver)
        sql = self._side_count(driver, params)
        sql = sql.replace("count(DISTINCT cable_id)", "DISTINCT cable_id AS id")
        sql = sql.replace("count(*)", "cable_id AS id")
        return sql, (others[0] if len(others) == 1 else And(others))

    def _side_count(self, f: Field, params: list) -> str:
        """Count a side-table condition on its own index: one row per cable and value."""
        v = field_values(f)
        if f.name == "tag" and v["prefix"]:
            params.extend([v["value"], v["value"][:-1] + chr(ord(v["value"][-1]) + 1)])
            return "SELECT count(DISTINCT cable_id) FROM tags WHERE tag >= ? AND tag < ?"
        if f.name in NAME_FIELDS:
            inner = to_sql(f, params, self._origins)  # c.id IN (<select of cable_id>)
            return f"SELECT count(DISTINCT cable_id) FROM ({inner[len('c.id IN (') : -1]})"
        params.append(v["value"])
        return {
            "tag": "SELECT count(*) FROM tags WHERE tag = ?",
            "handling": "SELECT count(*) FROM handling WHERE caveat = ?",
            "cites": "SELECT count(DISTINCT cable_id) FROM refs WHERE target = ?",
        }[f.name]

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

    def _fts(self, expr: str, cap: int | None = None) -> int:
        """How many cables match an FTS5 expression, counting no further than `cap` (None:
        exactly).  Remembered per archive state: a phrase of common words costs tens of ms
        per evaluation however early the count stops, and a page plus its count asks for
        the same expression several times."""
        key = self._state()
        if key != self.s.fts_key:
            self.s.fts_memo.clear()
            self.s.fts_key = key
        known = self.s.fts_memo.get(expr)
        if known is not None:
            n, exact = known
            if exact:
                return n if cap is None else min(n, cap)
            if cap is not None and n >= cap:
                return cap
        if cap is None:
            sql = "SELECT count(*) FROM cables_fts WHERE cables_fts MATCH ?"
            n = self._execute(sql, [expr]).fetchone()[0]
        else:
            n = self._bounded(_FTS_IDS, [expr], cap)
        if len(self.s.fts_memo) >= FTS_MEMO:
            self.s.fts_memo.clear()
        self.s.fts_memo[expr] = (n, cap is None or n < cap)
        return n

    def _fts_known(self, expr: str) -> int | None:
        """The exact count of an FTS5 expression if `_fts` remembers it, else None."""
        if self.s.fts_key != self._state():
            return None
        n, exact = self.s.fts_memo.get(expr, (0, False))
        return n if exact else None

    def _bounded(self, sql: str, params: list, cap: int) -> int:
        """How many rows `sql` yields, counting no further than `cap` (cheap either way)."""
        return self._execute(f"SELECT count(*) FROM ({sql} LIMIT {int(cap)})", params).fetchone()[0]

    def _estimate(self, node: Node, cap: int | None = None) -> int:
        """An upper bound on the hits, saturating at `cap`: decides how a page is fetched."""
        if cap is None:
            cap = self.small
        # The reader's id set only removes hits: the rest's bound holds, and is cheaper (see
        # `_walkable` for readers who see a minority of the archive).
        node = _split_visible(node)[0]
        if isinstance(node, All | Not):
            return cap
        if (expr := fts_expr(node)) is not None:
            return self._fts(expr, cap)
        if isinstance(node, And) and all(is_column(n) for n in node.nodes):
            # Conditions on the cables' columns together (from: with to: is a date range).
            params: list = []
            where = to_sql(node, params, self._origins)
            return self._bounded(f"SELECT 1 FROM cables c WHERE {where}", params, cap)
        if isinstance(node, And):
            # The free text as the one expression it is matched as (tighter than its terms').
            text, rest = split_text(node)
            others = () if rest is None else rest.nodes if isinstance(rest, And) else (rest,)
            ests = [self._estimate(n, cap) for n in others]
            return min([self._fts(text, cap)] + ests if text is not None else ests)
        if isinstance(node, Or):
            return min(cap, sum(self._estimate(n, cap) for n in node.nodes))
        assert isinstance(node, Field)
        params: list = []
        if node.name == "citedby":  # at most the references of the one cable named
            params.append(field_values(node)["value"])
            sql = (
                "SELECT 1 FROM refs r JOIN cables s ON s.id = r.cable_id"
                " WHERE s.reference_id = ? AND r.target IS NOT NULL"
            )
            return self._bounded(sql, params, cap)
        if node.name in _SIDE_FIELDS:
            sql = self._side_count(node, params).replace("count(DISTINCT cable_id)", "1")
            return self._bounded(sql.replace("count(*)", "1"), params, cap)
        where = to_sql(node, params, self._origins)
        return self._bounded(f"SELECT 1 FROM cables c WHERE {where}", params, cap)

    def _ids(self, node: Node) -> list[int]:
        """The ids of every hit, in no particular order, each once."""
        params: list = []
        sql = self._ids_sql(node, params)
        # One JSON array instead of a Python tuple per row: several times faster.
        (ids,) = self._execute(f"SELECT json_group_array(id) FROM ({sql})", params).fetchone()
        return orjson.loads(ids)

    def _ids_sql(self, node: Node, params: list) -> str:
        """SELECT of the ids (column `id`) of every hit, each once, planned like a count."""
        rest, visible = _split_visible(node)
        if visible is not None and not isinstance(rest, All):
            if _on_columns(rest) and (
                rows := self.store.reader_sets.shown_rows(
                    self.access, self._state()[0], text=visible.text
                )
            ):
                # A reader who sees a minority of the archive: the conditions tested on the
                # copy of their cables' columns.
                return f"SELECT c.id FROM {rows} c WHERE {to_sql(rest, params, self._origins)}"
            # The reader's id set filters the stream of the rest's ids: it never drives.
            return f"SELECT c.id FROM ({self._ids_sql(rest, params)}) c WHERE {visible.sql}"
        text, rest = split_text(node)
        if isinstance(node, All):
            return "SELECT id FROM cables"
        if text is not None and rest is None:
            params.append(text)
            return "SELECT rowid AS id FROM cables_fts WHERE cables_fts MATCH ?"
        if isinstance(node, Field) and node.name in _SIDE_FIELDS:
            sql = self._side_count(node, params)
            sql = sql.replace("count(DISTINCT cable_id)", "DISTINCT cable_id AS id")
            return sql.replace("count(*)", "cable_id AS id")
        if isinstance(node, Or) and 2 <= len(parts := _or_parts(node)) <= 4:
            return " UNION ".join(f"SELECT id FROM ({self._ids_sql(n, params)})" for n in parts)
        if isinstance(node, And):
            return self._and_ids(node, params)
        return f"SELECT c.id FROM cables c WHERE {to_sql(node, params, self._origins)}"
