"""How a SQLite store answers the archive's plans: `SQLiteSearch`, the `Search` of
archive/store.py for archive/sqlite.py's SQLiteStore (docs/stores.md).

A plan is a tree of archive/query.py's nodes that `Archive` has already given its meaning
(words stemmed, scoped to the reader).  Here it is written as SQL over `cables c` and the
FTS5 index, planned by what SQLite does fast: counts and broad parts on their own indexes
(FTS5 doclists, side-table indexes), pages of many hits by walking the date index, bm25
inside FTS5, facets of broad queries from columns held in memory (archive/facet_table.py), and the reader's access
as a test of the id against their id set (archive/reader_sets.py, `query.BoundVisible`).
`_Planner` holds one question's planning (one reader, one state): the pages here, exact
counts and id lists in archive/sqlite_counts.py (`Counting`), facets in
archive/sqlite_facets.py (`Facets`); `SQLiteSearch` the caches shared by every question on one
connection.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import orjson

from cablebase.access.policy import (
    WITHHELD,
    Requirement,
    Stored,
    paragraph_shown,
    tag_token,
)
from cablebase.archive import fts_terms, ranking, tiers
from cablebase.archive.facet_table import FacetTable
from cablebase.archive.page_counts import TOTAL, PageCounts
from cablebase.archive.query import (
    IDS_OPEN,
    And,
    BoundVisible,
    Field,
    Node,
    Not,
    Or,
    Term,
    Visible,
    field_values,
    fts_expr,
    fts_string,
    has_text,
    map_leaves,
    positive_terms,
    relevance_match,
    split_text,
    to_sql,
)
from cablebase.archive.query import conjoin as _and
from cablebase.archive.sqlite_counts import (
    FEW_PROBES,
    FTS_MEMO,
    PROBE,
    _split_columns,
    _split_visible,
)
from cablebase.archive.sqlite_facets import Facets
from cablebase.archive.store import Reader
from cablebase.archive.texts import paragraphs as stored_paragraphs

if TYPE_CHECKING:
    import sqlite3

    from cablebase.archive.sqlite import SQLiteStore

# Total orders, so that pages are exact slices of the full list.  Undated cables come first in
# date order and last in -date order (SQLite sorts NULL lowest).
ORDERS = {
    "relevance": "score, c.id DESC",
    "date": "c.created, c.id",
    "-date": "c.created DESC, c.id DESC",
}
BM25 = "bm25(cables_fts, 4.0, 1.0, 0.0)"  # a subject match weighs four body matches; acl none
_HIT = "c.id, c.reference_id, c.created, c.origin, c.classification, c.subject"
CHUNK = 1000
# Planning: a query whose hits may exceed SMALL is paged by walking the date index and testing
# rows (stops after the page); smaller ones are collected and sorted (PROBE and FEW_PROBES:
# sqlite_counts.py).
SMALL = 3000
# Walking the date index and probing each row's free text costs about PROBE_US per phrase of
# the expression per row walked (a walk of need * rows / matches rows); building the set of
# the text's matches about SET_US per match (measured on 100,000 generated cables: a stemmed
# word's two forms and their subject NOTs, 4 phrases, probed 190 us a row; sets 0.2-0.3 us a
# match).  Probes pay when need * rows / matches * PROBE_US * phrases < matches * SET_US.
PROBE_US = 40
SET_US = 0.25
# A probed walk assumes the matches spread evenly over the dates; words that cluster by date
# (a month's name, a year) can leave the newest rows without a match for a long way.  So the
# walk is bounded to WALK_SLACK times the rows an even spread needs — at worst WALK_SLACK times
# the cost of the set of matches — and the set plan answers when the bound leaves the page short.
WALK_SLACK = 4
# An AND of broad parts is collected by its ids rather than walked when its parts' matches,
# multiplied as if independent, give fewer than SMALL / FEW_GUESS (`_Planner._few_of_broad`).
FEW_GUESS = 1
# Relevance of a query whose hits may exceed BROAD is ranked in two tiers (docs/search.md):
# bm25 over the hits whose subject matches, then the rest by date.  bm25 costs 4-8 us per
# hit, so full bm25 over 100,000+ hits takes a second.
BROAD = 20000
# A prefix of one word in an FTS5 expression (query.fts_string: always column-filtered).
_PREFIX = re.compile(r'(\{subject body\}|subject) : "([^" ]+)" \*')
# A prefix is matched as the OR of its indexed words when it has at most this many: FTS5
# merges a prefix's doclists into memory before yielding a row (`part*`, 176,000 cables:
# 47 ms to count, 43 ms for its first 3,000), an OR streams them (16 ms, 0.7 ms).
PREFIX_WORDS = 64


def _page(sql: str, params: list, limit: int | None, offset: int) -> str:
    if limit is not None:
        params += [limit, offset]
        return sql + " LIMIT ? OFFSET ?"
    if offset:
        params.append(offset)
        return sql + " LIMIT -1 OFFSET ?"
    return sql


def _dense(node: Node) -> bool:
    """Whether the second relevance tier of a query may be tested per row: its free text
    alone matched more than `broad` cables and is single words (probes suit them; a phrase or
    prefix is cheaper as one set), and nothing else is asked but NOTs of fields (`(said OR
    told) -tag:BM`: a NOT leaves the walk about as dense as the text's matches, and its
    field is probed per row on its index too).  Whether probes pay is
    `_Planner._probes_pay`'s to say.  (The reader's id set, if any, is tested per row either
    way.)"""
    text, rest = split_text(_split_visible(node)[0])
    if text is None:
        return False
    others = () if rest is None else rest.nodes if isinstance(rest, And) else (rest,)
    if not all(isinstance(n, Not) and isinstance(n.node, Field) for n in others):
        return False
    return all(len(t.tokens) == 1 and not t.prefix for t in positive_terms(node))


def _tags_as_text(node: Node, broad: Callable[[str], bool]) -> Node:
    """The plan with each tag:X and NOT tag:X (an exact tag) that stands in an AND beside
    positive free text matching many cables (`broad` of its FTS5 expression) made the tag's
    token in the index's acl column (policy.tag_token, schema migration 14): `(said OR told)
    -tag:BM` is then one FTS5 expression, `(...) NOT (acl : "tg424d")`, answered on the
    doclists (no id of the text's tested against the tag's cables), with the same hits.  The
    same tree where nothing changes.

    A tag's phrase changes no score (its column weighs 0), but bm25 walks its doclist once
    to count its rows (a tag of half the archive: ~4 ms), which the old plan does not pay
    for the few matches of a rare word: there the tags table answers as before."""
    if isinstance(node, Not):
        inner = _tags_as_text(node.node, broad)
        return node if inner is node.node else Not(inner)
    if not isinstance(node, And | Or):
        return node
    nodes = tuple(_tags_as_text(n, broad) for n in node.nodes)
    text = [n for n in nodes if not isinstance(n, Not) and fts_expr(n) is not None]
    if isinstance(node, And) and text and any(_tag_term(n) for n in nodes):
        expr = fts_expr(text[0] if len(text) == 1 else And(tuple(text)))
        if expr is not None and broad(expr):
            nodes = tuple(_tag_term(n) or n for n in nodes)
    if all(a is b for a, b in zip(nodes, node.nodes, strict=True)):
        return node
    return type(node)(nodes)


def _tag_term(node: Node) -> Node | None:
    """The tag's token (a Term of column acl) for tag:X of an exact tag, its NOT for NOT
    tag:X; else None."""
    field = node.node if isinstance(node, Not) else node
    if not (isinstance(field, Field) and field.name == "tag"):
        return None
    v = field_values(field)
    if v["prefix"]:
        return None
    term = Term(v["value"], column="acl", tokens=(tag_token(v["value"]),))
    return Not(term) if isinstance(node, Not) else term


def _phrases(expr: str) -> int:
    """The phrases of an FTS5 expression (each a quoted string: fts_string)."""
    return max(1, expr.count('"') // 2)


class SQLiteSearch:
    """The `Search` (archive/store.py) of one SQLite store: answers plans on its connection.

    Holds what outlives one question: counts of FTS5 expressions, the facet columns, the
    readers' text statistics, each for one state of the archive.  Each question is planned
    by a `_Planner` for its reader."""

    def __init__(self, store: SQLiteStore, *, broad: int = BROAD, small: int = SMALL) -> None:
        self.store = store
        self.conn = store.conn
        self.broad = broad  # two-tier relevance above this bound on the hits
        self.small = small  # page by walking the date index above this bound
        self.cols: FacetTable | None = None
        self.fts_key: tuple[int, ...] | None = None
        self.fts_memo: dict[str, tuple[int, bool]] = {}
        self.years_key: tuple[int, ...] | None = None
        self.open_years: list[str] = []
        self.text_stats: dict[tuple, tuple[int, int]] = {}  # see _Planner._reader_text
        self.page_counts = PageCounts()  # totals counted by pages (archive/page_counts.py)
        self._vocab = False
        self.prefix_key: tuple[int, ...] | None = None
        self.prefix_words: dict[tuple[str, str], str | None] = {}

    def at(self, reader: Reader) -> _Planner:
        """The planner of `reader`'s questions."""
        return _Planner(self, reader)

    # -- the Search protocol (archive/store.py) ----------------------------------------

    def hits(
        self, plan: Node, reader: Reader, *, sort: str, limit: int | None, offset: int
    ) -> Iterator[list[tuple]]:
        p = self.at(reader)
        return p.hits(p.bind(plan), sort, limit, offset)

    def count(self, plan: Node, reader: Reader) -> int:
        p = self.at(reader)
        node = p.bind(plan)
        known = self.page_counts.get(p._state(), (reader.key(), node))
        return known if known is not None else p._count(node)

    def ids(self, plan: Node, reader: Reader) -> list[int]:
        p = self.at(reader)
        return p._ids(p.bind(plan))

    def facets(
        self, plan: Node, reader: Reader, names: tuple[str, ...], top: int | None
    ) -> dict[str, list[tuple[str, int]]]:
        p = self.at(reader)
        return p.facets(p.bind(plan), names, top)

    def paragraphs(self, ids: list[int], reader: Reader) -> dict[int, list[tuple]]:
        texts: dict[int, list[tuple]] = {i: [] for i in ids}
        shown = self.at(reader).paragraph_filter(ids)
        for cid, _, portion, heading, text in stored_paragraphs(self.conn, ids):
            if shown is None or shown(cid, portion):
                texts[cid].append((heading, text))
        return texts

    def cites(self, reference_id: str, reader: Reader) -> list[tuple]:
        return self.at(reader).cites(reference_id.upper())

    def cited_by(self, reference_id: str, reader: Reader) -> list[tuple]:
        return self.at(reader).cited_by(reference_id.upper())

    def words(self, start: str, stop: str) -> list[str]:
        if fts_terms.readable(self.conn, "cables_fts"):
            # From the leaf pages' term lists, not fts5vocab's walk of every doclist.
            return fts_terms.indexed_words(self.conn, "cables_fts", start, stop)
        if not self._vocab:
            self.conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.cables_vocab"
                " USING fts5vocab(main, 'cables_fts', 'row')"
            )
            self._vocab = True
        return [
            t
            for (t,) in self.conn.execute(
                "SELECT term FROM temp.cables_vocab WHERE term >= ? AND term < ?",
                (start, stop),
            )
        ]

    def values(self, source: str) -> list[str]:
        return [v for (v,) in self.conn.execute(_VALUES[source])]

    def execute(self, sql: str, params: list, state: tuple[int, ...]) -> sqlite3.Cursor:
        """`sql` run with the prefixes of its FTS5 expressions matched as the OR of their
        indexed words (PREFIX_WORDS) when it ranks nothing: the same rows (the same cables
        hold one of the words), but bm25 scores a prefix as one phrase, so a statement
        that ranks keeps it."""
        if "bm25(" not in sql:
            params = [self.unprefixed(p, state) if isinstance(p, str) else p for p in params]
        return self.conn.execute(sql, params)

    def unprefixed(self, expr: str, state: tuple[int, ...]) -> str:
        """An FTS5 expression with each prefix as the OR of its indexed words, where it
        has at most PREFIX_WORDS (the same matches)."""
        if " *" not in expr:
            return expr
        return _PREFIX.sub(lambda m: self._prefix_words(m, state), expr)

    def _prefix_words(self, m: re.Match, state: tuple[int, ...]) -> str:
        """The OR of the indexed words a prefix match `m` stands for, or the prefix itself
        (too many words, none, or an index not read from its pages)."""
        if state != self.prefix_key or len(self.prefix_words) >= FTS_MEMO:
            self.prefix_words.clear()
            self.prefix_key = state
        columns, prefix = m.groups()
        key = (columns, prefix)
        if key not in self.prefix_words:
            self.prefix_words[key] = None
            if fts_terms.readable(self.conn, "cables_fts"):
                stop = prefix[:-1] + chr(ord(prefix[-1]) + 1)
                found = fts_terms.indexed_words(self.conn, "cables_fts", prefix, stop)
                if 0 < len(found) <= PREFIX_WORDS:
                    ors = " OR ".join('"' + w.replace('"', '""') + '"' for w in found)
                    self.prefix_words[key] = f"{columns} : ({ors})"
        return self.prefix_words[key] or m.group(0)

    # -- SQLite's own (the SQL modules beside the archive: browse, stats, graph...) -------

    def where(self, plan: Node, reader: Reader, params: list) -> str:
        """The WHERE condition over `cables c` for a plan (its values added to `params`)."""
        p = self.at(reader)
        return to_sql(p.bind(plan), params, reader.resolve)

    def visible_sql(self, reader: Reader, *, text: bool = False, alias: str = "c") -> str:
        """The condition on `alias`.id of the cables the reader sees (see _Planner)."""
        return self.at(reader).visible_sql(text=text, alias=alias)

    def subject_sql(self, reader: Reader, alias: str = "c") -> str:
        """The subject column as the reader sees it in lists (see _Planner)."""
        return self.at(reader).subject_sql(alias)

    def paragraph_filter(self, ids: list[int], reader: Reader):  # type: ignore[no-untyped-def]
        """None, or a test (cable id, portion mark) -> whether the reader sees that paragraph."""
        return self.at(reader).paragraph_filter(ids)

    def two_tiered(self, plan: Node, reader: Reader) -> bool:
        """Whether a relevance page of the plan is ranked in two tiers (docs/search.md)."""
        p = self.at(reader)
        return p._broad(p.bind(plan))


# The distinct values of each source (store.VALUE_SOURCES).
_VALUES = {
    # Skip from one distinct origin to the next on the origin index (a few hundred seeks
    # instead of a scan of every row).
    "origins": (
        "WITH RECURSIVE o(v) AS (SELECT min(origin) FROM cables UNION ALL"
        " SELECT (SELECT min(origin) FROM cables WHERE origin > v) FROM o"
        " WHERE v IS NOT NULL) SELECT v FROM o WHERE v IS NOT NULL"
    ),
    "posts": "SELECT DISTINCT post FROM cables WHERE origin IS NULL AND post IS NOT NULL",
    "people": "SELECT DISTINCT name FROM people",
    "recipients": "SELECT DISTINCT name FROM recipients",
    "routes": "SELECT DISTINCT route FROM recipients WHERE route IS NOT NULL",
    # person tags: `CLINTON, HILLARY`; `OVIP (CLINTON, HILLARY)` as older archives stored them
    "person_tags": "SELECT DISTINCT tag FROM tags WHERE tag LIKE '%, %' OR tag LIKE '%(%'",
}


class _Planner(Facets):
    """One reader's questions to one SQLite store, planned (the caches are the store's)."""

    def __init__(self, search: SQLiteSearch, reader: Reader) -> None:
        self.s = search
        self.reader = reader
        self.store = search.store
        self.conn = search.conn
        self.access = reader.access
        self.small = search.small
        self.broad = search.broad
        self._origins = reader.resolve

    def _state(self) -> tuple[int, ...]:
        return self.reader.pin or (self.store.generation(),)

    def _execute(self, sql: str, params: list) -> sqlite3.Cursor:
        """`sql` run with its unranked prefixes as the OR of their words (SQLiteSearch.execute)."""
        return self.s.execute(sql, params, self._state())

    def bind(self, node: Node) -> Node:
        """The plan with each `Visible` bound to this reader's id-set condition, and each tag:X
        or NOT tag:X beside broad free text made part of the text (`_tags_as_text`)."""
        return _tags_as_text(
            map_leaves(node, self._bound), lambda text: self._fts(text, self.small) >= self.small
        )

    def _bound(self, node: Node) -> Node:
        if isinstance(node, Visible) and not isinstance(node, BoundVisible):
            return BoundVisible(node.text, self.visible_sql(text=node.text))
        return node

    def visible_sql(self, *, text: bool = False, alias: str = "c") -> str:
        """The condition over `cables c` (or `alias`) of the cables this reader sees (whole
        or, unless `text`, partially); "1" when they see everything.  A test of the id alone
        (archive/reader_sets.py), so no row is read for it."""
        generation = self._state()[0]
        return self.store.reader_sets.condition(self.access, generation, text=text, alias=alias)

    def subject_sql(self, alias: str = "c") -> str:
        """The subject column of `cables` as this reader sees it in lists: withheld unless
        the cable is read whole (an id test: the access columns are not read)."""
        if self.access.unrestricted:
            return f"{alias}.subject"
        whole = self.visible_sql(text=True, alias=alias)
        return f"CASE WHEN {whole} THEN {alias}.subject ELSE '{WITHHELD}' END"

    @property
    def _hit(self) -> str:
        """The columns of a hit, as this reader sees them."""
        if self.access.unrestricted:
            return _HIT
        return _HIT.replace("c.subject", f"{self.subject_sql()} AS subject")

    def _years(self) -> list[str]:
        """The years of the stored declassification dates (their `dy` tokens exist)."""
        key = self._state()
        if key != self.s.years_key:
            self.s.open_years = [
                y
                for (y,) in self.conn.execute(
                    "SELECT DISTINCT substr(open_on, 1, 4) FROM cables WHERE open_on IS NOT NULL"
                )
            ]
            self.s.years_key = key
        return self.s.open_years

    def hits(self, node: Node, sort: str, limit: int | None, offset: int) -> Iterator[list[tuple]]:
        """The rows of the hits in `sort` order (docs/search.md), `limit` from `offset`."""
        if sort not in ORDERS:
            raise ValueError(f"sort must be one of {', '.join(ORDERS)}")
        if sort == "relevance" and not self.access.unrestricted and relevance_match(node):
            return self._reader_ranked(node, limit, offset)
        if sort == "relevance" and self._broad(node):
            return self._tiered(node, limit, offset)
        if (sort != "relevance" or relevance_match(node) is None) and (
            ids := self._few_of_broad(node)
        ) is not None:
            return self._listed(ids, sort, limit, offset)
        params: list = []
        self.totalled = False
        sql = self._select(node, sort, params, limit, offset, total=limit is not None)
        if self.totalled:
            return self._counted(sql, params, node)
        return self._walked(
            sql, params, limit, lambda p: self._select(node, sort, p, limit, offset, False)
        )

    def _counted(self, sql: str, params: list, node: Node) -> Iterator[list[tuple]]:
        """The chunks of a page whose rows end with the total of the hits (page_counts.TOTAL),
        the total remembered for `SQLiteSearch.count` and cut from the rows."""
        state = self._state()  # before the statement: its snapshot is no older
        first = True
        for rows in self._chunks(sql, params):
            if first:
                self.s.page_counts.put(state, (self.reader.key(), node), rows[0][-1])
                first = False
            yield [r[:-1] for r in rows]

    def _few_of_broad(self, node: Node) -> list[int] | None:
        """The ids of the hits of an AND of broad parts that likely match few cables together
        (`lior handling:noforn`: 6,074 and 24,424 cables, 591 together), each once, their
        number remembered as the count; None when the parts are not all broad, when they
        are not likely few together, or when they are not: then a date page walks the date
        index, testing each row, until it is full.  Few hits, a walk reads many rows for each
        (27 ms for that query's first 50); their ids, evaluated once as the count would, are
        sorted by date on their own rows instead (5 ms), and counted.

        Likely few: free text and other parts whose matches, multiplied as if independent,
        give fewer than SMALL / FEW_GUESS; the text's count is remembered, each other part is
        counted no further than the guess needs (a broad text leaves a small bound).  A
        guess, so the ids are fetched no further than SMALL: hits that turn out more cost
        only those first SMALL.  (ANDs of fields alone keep their plans: their walks probe
        indexes, cheaply, and counting each part for the guess cost more than it saved.)"""
        asked = _split_visible(node)[0]
        if not isinstance(asked, And):
            return None
        text, rest = split_text(asked)
        if text is None or rest is None or self._estimate(node) < self.small:
            return None  # (a small bound is planned as collected already)
        rows = max(ranking.index_totals(self.conn)[0], 1)
        share = self._fts(text, PROBE) / rows
        for n in rest.nodes if isinstance(rest, And) else (rest,):
            # The part is few enough while below cap (the guess: share * matches < bound).
            cap = min(math.ceil(self.small / (FEW_GUESS * max(share, 1 / rows))), PROBE)
            matches = self._estimate(n, cap)
            if matches >= cap:  # too many, or more than PROBE (not counted further)
                return None
            share *= matches / rows
        if share * rows * FEW_GUESS >= self.small:
            return None
        params: list = []
        state = self._state()  # before the statement: its snapshot is no older
        sql = self._ids_sql(node, params)
        (found,) = self._execute(
            f"SELECT json_group_array(id) FROM (SELECT id FROM ({sql}) LIMIT {self.small + 1})",
            params,
        ).fetchone()
        ids = orjson.loads(found)
        if len(ids) > self.small:
            return None
        self.s.page_counts.put(state, (self.reader.key(), node), len(ids))
        return ids

    def _listed(
        self, ids: list[int], sort: str, limit: int | None, offset: int
    ) -> Iterator[list[tuple]]:
        """The rows of the cables `ids` (each once) in the date order of `sort`."""
        params: list = [orjson.dumps(ids).decode()]
        order = ORDERS["-date" if sort == "relevance" else sort]
        sql = _page(
            f"SELECT {self._hit}, NULL FROM cables c WHERE c.id IN (SELECT value FROM"
            f" json_each(?)) ORDER BY {order}",
            params,
            limit,
            offset,
        )
        return self._chunks(sql, params)

    def _chunks(self, sql: str, params: list) -> Iterator[list[tuple]]:
        cur = self._execute(sql, params)
        while rows := cur.fetchmany(CHUNK):
            yield rows

    def _walked(
        self, sql: str, params: list, limit: int | None, unbounded: Callable[[list], str]
    ) -> Iterator[list[tuple]]:
        """The chunks of `sql`; when `_select` bounded its walk (`self.walk_floor`) and the
        bound left the page short, the chunks of the plan `unbounded` writes instead (the
        same hits in the same order: a full page inside the bound is the whole answer)."""
        if not self.walk_floor or limit is None:
            yield from self._chunks(sql, params)
            return
        rows = self._execute(sql, params).fetchall()
        if len(rows) >= limit:
            yield rows
            return
        params = []
        yield from self._chunks(unbounded(params), params)

    def _select(
        self,
        node: Node,
        sort: str,
        params: list,
        limit: int | None = None,
        offset: int = 0,
        dense: bool | None = None,
        total: bool = False,
    ) -> str:
        """The SELECT of the hits in `sort` order, `limit` of them from `offset`.  With
        `total`, a plan that evaluates every hit anyway ends each row with their number
        (page_counts.TOTAL) and sets `self.totalled`."""
        text, rest = split_text(node)
        if text is not None and (rest is None or isinstance(rest, Visible)):
            total = False  # counted from the FTS5 counts planning remembers: no window
        tot = f", {TOTAL} AS total" if total else ""
        self.totalled = total
        self.walk_floor = False
        if sort == "relevance" and text is not None:
            # Rank inside FTS5 (bm25 from the doclists, no row reads).
            params.append(text)
            if rest is None:
                cond = "1"
            elif isinstance(rest, Visible):
                cond = rest.sql  # the reader's id set: a test of the doclist's ids
            elif (few := self._fts(text, self.small)) < self.small:
                # Few matches: test the rest on their rows (probes, or sets for many).
                cond = to_sql(
                    rest,
                    params,
                    self._origins,
                    side="probe",
                    text="probe" if few < FEW_PROBES else "filter",
                )
                return _page(
                    f"SELECT {self._hit}, f.score{tot} FROM (SELECT rowid, {BM25} AS score FROM"
                    " cables_fts WHERE cables_fts MATCH ?) f CROSS JOIN cables c ON c.id = f.rowid"
                    f" WHERE {cond} ORDER BY f.score, c.id DESC",
                    params,
                    limit,
                    offset,
                )
            else:
                cols, sets = _split_columns(rest)
                if cols is not None and sets is not None and self._estimate(sets, PROBE) < PROBE:
                    # The doclist narrowed by the smaller sets, then the rows of what is left
                    # for the column conditions; bm25 only for the hits.
                    narrow = to_sql(
                        sets, params, self._origins, side="filter", text="filter", cols="ids"
                    )
                    where = to_sql(cols, params, self._origins)
                    ranked = _page(
                        f"SELECT x.id, x.score{tot} FROM (SELECT c.id, c.score FROM (SELECT rowid AS"
                        f" id, {BM25} AS score FROM cables_fts WHERE cables_fts MATCH ?) c"
                        f" WHERE {narrow}) x JOIN cables c ON c.id = x.id WHERE {where}"
                        " ORDER BY x.score, x.id DESC",
                        params,
                        limit,
                        offset,
                    )
                    return (
                        f"SELECT {self._hit}, f.score{', f.total' if total else ''} FROM ({ranked}) f"
                        " JOIN cables c ON c.id = f.id ORDER BY f.score, f.id DESC"
                    )
                # Many: the rest as id sets on the doclist's ids (a broad class: tested per
                # id, `_class_probes`), so that bm25 is computed for the hits only and only
                # the page's rows are read.
                cols = "probe" if self._class_probes(text, rest) else "ids"
                if cols == "ids" and self._one_column_set(rest):
                    # Conditions on the cables' columns, one selective: one set of the ids
                    # matching them all (its index drives), not a set of each broad one.
                    together, others = _split_columns(rest)
                    cond = "+" + IDS_OPEN + to_sql(together, params, self._origins) + ")"
                    if others is not None:
                        cond += " AND " + to_sql(
                            others, params, self._origins, side="filter", text="filter", cols="ids"
                        )
                else:
                    cond = to_sql(
                        rest, params, self._origins, side="filter", text="filter", cols=cols
                    )
            ranked = _page(
                f"SELECT c.id, c.score{tot} FROM (SELECT rowid AS id, {BM25} AS score FROM"
                f" cables_fts WHERE cables_fts MATCH ?) c WHERE {cond}"
                " ORDER BY c.score, c.id DESC",
                params,
                limit,
                offset,
            )
            return (
                f"SELECT {self._hit}, f.score{', f.total' if total else ''} FROM ({ranked}) f"
                " JOIN cables c ON c.id = f.id ORDER BY f.score, f.id DESC"
            )
        if sort == "relevance" and (match := relevance_match(node)) is not None:
            # Free text only under OR/NOT with fields: rank the hits by their positive terms.
            params.append(match)
            where = to_sql(node, params, self._origins)
            return _page(
                f"SELECT {self._hit}, r.score AS score{tot} FROM cables c LEFT JOIN (SELECT rowid,"
                f" {BM25} AS score FROM cables_fts WHERE cables_fts MATCH ?) r ON r.rowid = c.id"
                f" WHERE {where} ORDER BY r.score IS NULL, r.score, c.id DESC",
                params,
                limit,
                offset,
            )
        order = ORDERS["-date" if sort == "relevance" else sort]
        source = "cables c"
        if self._walkable(node):
            # Many hits: walk the date index in order, test each row, stop after the page.
            # Column conditions as id sets from their own indexes: the walk reads no rows
            # but the page's.
            source = "cables c INDEXED BY cables_created"
            visible = _split_visible(node)[1]
            if (
                visible is not None
                and (
                    dates := self.store.reader_sets.shown_dates(
                        self.access, self._state()[0], text=visible.text
                    )
                )
                is not None
            ):
                # Walk the dates of the cables the reader sees (a minority of the archive).
                source = f"{dates} v CROSS JOIN cables c ON c.id = v.id"
                order = order.replace("c.", "v.")
            if dense is None:
                dense = self._dense_text(node, limit, offset)
            where = to_sql(
                node,
                params,
                self._origins,
                side="probe",
                text="probe" if dense else "filter",
                cols="walk",
            )
            if dense and source.startswith("cables c ") and limit is not None:
                where = self._walk_bound(node, sort, limit + offset, where, params)
        else:
            where = self._driven(node, params)
        if source != "cables c" or not has_text(node):
            # A walk stops after the page; conditions without text are counted on their
            # indexes cheaply, and their page may stop early on an index's order: no total.
            tot, self.totalled = "", False
        sql = f"SELECT {self._hit}, NULL{tot} FROM {source} WHERE {where} ORDER BY {order}"
        return _page(sql, params, limit, offset)

    def _walk_bound(self, node: Node, sort: str, need: int, where: str, params: list) -> str:
        """`where` bounded to the first WALK_SLACK * need * rows / cap rows of the date walk
        (cap: the matches `_probes_pay` found), and `self.walk_floor` set; `where` unchanged
        when the bound would reach the undated cables or the end."""
        text = split_text(node)[0]
        rows = ranking.index_totals(self.conn)[0]
        cap = self._probe_cap(text, need) if text is not None else 0
        if cap <= 0:
            return where
        walk = WALK_SLACK * need * rows // cap
        if walk >= rows:
            return where
        desc = sort != "date"
        found = self.conn.execute(
            "SELECT created FROM cables INDEXED BY cables_created ORDER BY"
            f" {'created DESC, id DESC' if desc else 'created, id'} LIMIT 1 OFFSET ?",
            (walk,),
        ).fetchone()
        if found is None or found[0] is None:
            return where
        params.append(found[0])
        self.walk_floor = True
        return f"({where}) AND c.created {'>=' if desc else '<='} ?"

    def _walkable(self, node: Node) -> bool:
        """Whether a page in date order is fetched by walking the dates and testing rows
        (many hits, dense along the walk) rather than by collecting and sorting the hits."""
        if self._estimate(node) < self.small:
            return False
        asked, visible = _split_visible(node)
        if (
            visible is not None
            and not has_text(asked)
            and self.store.reader_sets.sees_minority(
                self.access, self._state()[0], text=visible.text
            )
        ):
            # A reader who sees a minority of the archive (often its oldest, declassified
            # part): their matches of a field query (fields such as class: correlate with
            # dates) counted up to the bound, so that a sparse result is collected rather
            # than walked for past thousands of cables.
            params: list = []
            return self._bounded(self._ids_sql(node, params), params, self.small) >= self.small
        return True

    # -- relevance in two tiers (broad queries) ------------------------------------------

    def _broad(self, node: Node) -> bool:
        """Whether a relevance-sorted query is ranked in two tiers: it has positive free
        text and the planner's bound on its hits (`_estimate`) exceeds `self.broad`."""
        if relevance_match(node) is None:
            return False
        if self._estimate(node, self.broad + 1) <= self.broad:
            return False
        # The bound counts hidden cables too: for a reader who does not see everything the
        # choice of tiers must not depend on them (it changes the order), so their hits count.
        return self.access.unrestricted or self._count(node) > self.broad

    def _tiers(self, node: Node) -> tuple[Node, Node]:
        """(hits whose subject matches a positive term, the other hits) of a query."""
        subj = tiers.subject_match(positive_terms(node))
        asked, access = _split_visible(node)
        parts = asked.nodes if isinstance(asked, And) else (asked,)
        texts = [n for n in parts if positive_terms(n)]
        if len(texts) == 1 and tiers.terms_or_term(texts[0]):
            # The query's one positive text is a term or an OR of terms: a subject match of
            # one of them matches it, so the first tier is that match and the query's other
            # conditions, ranked on the subject's phrases alone (`(discuss OR point)
            # -tag:PINS` ranks its hits as `(discuss OR point)` does, at half the cost of
            # bm25 over both sets of phrases).
            others = [n for n in parts if n is not texts[0]]
            top = _and(subj, *others) if others else subj
            return top if access is None else _and(top, access), _and(node, Not(subj))
        return _and(node, subj), _and(node, Not(subj))

    def _tiered(self, node: Node, limit: int | None, offset: int) -> Iterator[list[tuple]]:
        """The rows of a broad relevance page (archive/tiers.py): the subject matches by
        bm25, then the other hits newest first."""
        top, rest = self._tiers(node)

        def first(limit: int | None, offset: int) -> Iterator[list[tuple]]:
            params: list = []
            return self._chunks(self._select(top, "relevance", params, limit, offset), params)

        return tiers.paged(
            first,
            lambda: self._count(top),
            lambda limit, skip: self._newest(node, rest, limit, skip),
            limit,
            offset,
        )

    def _newest(
        self, node: Node, rest: Node, limit: int | None, skip: int
    ) -> Iterator[list[tuple]]:
        """The second tier's rows: the hits of `rest` (of `node`'s) newest first."""
        params: list = []
        dense = _dense(node) and self._probes_pay(node, rest, limit, skip)
        sql = self._select(rest, "-date", params, limit, skip, dense)
        return self._walked(
            sql, params, limit, lambda p: self._select(rest, "-date", p, limit, skip, False)
        )

    # -- relevance for a reader who does not see everything (archive/ranking.py) ----------

    def _reader_ranked(self, node: Node, limit: int | None, offset: int) -> Iterator[list[tuple]]:
        """The rows of a relevance page ranked by BM25 over the reader's own cables (FTS5's
        bm25 counts hidden ones), in the same tiers as `_tiered` when the query is broad."""
        broad = self._broad(node)
        top, rest = self._tiers(node) if broad else (node, None)
        order = self._reader_order(top)

        def first(limit: int | None, offset: int) -> Iterator[list[tuple]]:
            page = order[offset : None if limit is None else offset + limit]
            if not page:
                return
            ids = orjson.dumps([i for i, _ in page]).decode()
            rows = {
                r[0]: r
                for r in self.conn.execute(
                    f"SELECT {self._hit} FROM cables c"
                    " WHERE c.id IN (SELECT value FROM json_each(?))",
                    (ids,),
                )
            }
            yield [(*rows[i], score) for i, score in page if i in rows]

        if rest is None:
            return first(limit, offset)
        return tiers.paged(
            first,
            lambda: len(order),
            lambda limit, skip: self._newest(node, rest, limit, skip),
            limit,
            offset,
        )

    def _reader_order(self, node: Node) -> list[tuple[int, float | None]]:
        """Every hit with its score, best first (ties and unscored hits as `ORDERS`)."""
        ids = self._ids(node)
        terms: dict[str, Term] = {}
        for t in positive_terms(node):
            terms.setdefault(fts_string(t), t)
        base = split_text(node)[0] or " OR ".join(terms)
        rows, tokens = self._reader_text()
        # Each term among the cables the reader reads whole (as Archive._scope scopes text).
        holding = [self._count(_and(t, self.bind(Visible(True)))) for t in terms.values()]
        score = ranking.scores(
            self.conn, base, list(terms), ids, self._fts, (rows, tokens, holding)
        )
        ranked = sorted((s, -i) for i, s in score.items())
        # Hits no term scores (matched by a field beside the text): last, newest first.
        unscored = sorted((i for i in ids if i not in score), reverse=True)
        return [(-i, s) for s, i in ranked] + [(i, None) for i in unscored]

    def _reader_text(self) -> tuple[int, int]:
        """(cables this reader reads whole, their subjects' and texts' tokens together), per
        archive state and reader class: the statistics of `_reader_order`."""
        key = (self._state(), self.reader.key())
        known = self.s.text_stats.get(key)
        if known is not None:
            return known
        generation = self._state()[0]
        sets = self.store.reader_sets
        rows = sets.count(self.access, generation, text=True)
        side = sets.hidden(self.access, generation, text=True)
        if side is None:  # the shown side is held (or no set inside a transaction)
            cond = self.visible_sql(text=True)
            sql = (
                "SELECT d.sz FROM cables_fts_docsize d"
                f" WHERE d.id IN (SELECT c.id FROM cables c WHERE {cond})"
            )
            tokens = 0
        else:  # everything less the hidden side
            table, bound, _ = side
            sql = (
                "SELECT d.sz FROM cables_fts_docsize d"
                f" WHERE d.id IN (SELECT id FROM {table}) OR d.id >= {int(bound)}"
            )
            tokens = sum(ranking.index_totals(self.conn)[1][:2])
        sign = 1 if side is None else -1
        for (sz,) in self.conn.execute(sql):
            tokens += sign * ranking.lengths(sz)[0]
        if len(self.s.text_stats) > 64:
            self.s.text_stats.clear()
        self.s.text_stats[key] = (rows, tokens)
        return rows, tokens

    def paragraph_filter(self, ids: list[int]):  # type: ignore[no-untyped-def]
        """None when this reader reads every listed cable whole; else a test
        (cable id, portion mark) -> whether that paragraph may be shown."""
        if self.access.unrestricted or not ids:
            return None
        marks = ",".join("?" * len(ids))
        whole = self.visible_sql(text=True)
        seen = self.visible_sql()
        partial = []
        decided: dict[int, tuple[str, Requirement]] = {}
        for cid, full, some in self.conn.execute(
            f"SELECT c.id, {whole}, {seen} FROM cables c WHERE c.id IN ({marks})", ids
        ):
            decided[cid] = ("full" if full else "partial" if some else "none", Requirement(None))
            if some and not full:
                partial.append(cid)
        if partial:  # their requirement, for the portions (from its index, not the rows)
            for cid, rank, bits in self.conn.execute(
                "SELECT id, class_rank, caveat_bits FROM cables INDEXED BY cables_requirement"
                f" WHERE id IN ({','.join('?' * len(partial))})",
                partial,
            ):
                decided[cid] = ("partial", Requirement(rank, bits))
        viewer = self.access.viewer
        return paragraph_shown(decided, viewer)

    def _dense_text(self, node: Node, limit: int | None, offset: int) -> bool:
        """Whether the free text of a walked query is better probed per row: it matches a
        large share of the archive (few rows walked per hit, `_probes_pay`) and has no prefix
        but those matched as their words (probing a prefix re-expands it every time)."""
        text, _ = split_text(node)
        if text is None or " *" in self.s.unprefixed(text, self._state()):
            return False
        return self._probes_pay(node, node, limit, offset)

    def _probes_pay(self, node: Node, walked: Node, limit: int | None, offset: int) -> bool:
        """Whether a page of `walked` (whose hits are among `node`'s) costs less by walking
        the date index and probing each row's free text than by building the set of its
        matches (PROBE_US, SET_US): the text of `node` must match at least
        sqrt(need * rows * phrases * PROBE_US / SET_US) cables, counted no further.  Which
        is chosen never changes the hits or their order, only what they cost."""
        text, probed = split_text(node)[0], split_text(walked)[0]
        if limit is None or text is None or probed is None:
            return False
        cap = self._probe_cap(probed, limit + offset)
        return cap > 0 and self._fts(text, cap) >= cap

    def _probe_cap(self, probed: str, need: int) -> int:
        """The matches above which a walk probing `probed` for `need` hits pays (`_probes_pay`)."""
        rows = ranking.index_totals(self.conn)[0]
        phrases = _phrases(self.s.unprefixed(probed, self._state()))
        return math.isqrt(int(need * rows * phrases * PROBE_US / SET_US))

    def cites(self, rid: str) -> list[tuple]:
        """(target, letter, text, whether the reader sees the target) of a REF block."""
        seen = self.visible_sql()
        return self.conn.execute(
            "SELECT r.target, r.letter, r.text, EXISTS(SELECT 1 FROM cables c"
            f" WHERE c.reference_id = r.target AND {seen})"
            " FROM refs r JOIN cables s ON s.id = r.cable_id"
            " WHERE s.reference_id = ? AND r.target IS NOT NULL ORDER BY r.position",
            [rid],
        ).fetchall()

    def cited_by(self, rid: str) -> list[tuple]:
        """(citing id, letter, text, its access columns) of the cables the reader sees
        whose REF blocks cite `rid`."""
        seen = self.visible_sql()
        rows = self.conn.execute(
            "SELECT c.reference_id, r.letter, r.text, c.class_rank, c.caveat_bits, c.open_on,"
            " c.floor_rank FROM refs r JOIN cables c ON c.id = r.cable_id"
            f" WHERE r.target = ? AND {seen} ORDER BY c.created, c.reference_id",
            [rid],
        )
        return [(src, letter, text, Stored(*columns)) for src, letter, text, *columns in rows]
