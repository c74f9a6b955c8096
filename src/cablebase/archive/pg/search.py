"""`PgSearch`: the `Search` (archive/store.py) of a PostgreSQL archive.

It answers the plans `Archive` builds (already parsed, stemmed, resolved through
`Reader.resolve` and scoped with `Visible` nodes): hits in the orders of docs/search.md,
exact counts, ids, facets, the paragraphs a reader may read, references both ways, and the
stored values the archive resolves words against.  Each `Visible` becomes the reader's
access as a row condition (archive/pg/plan.py); access is applied nowhere else.

Ranking differs by nature: FTS5's bm25 against PostgreSQL's ts_rank, a subject match weighing
four body matches in both; the hits are the same, their relevance order may not be.  Scores
are returned negated (lower is better, as bm25's).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from cablebase.access.policy import (
    WITHHELD,
    Access,
    Requirement,
    Stored,
    paragraph_shown,
    portion_requirement,
)
from cablebase.access.policy import sql_visible as _sql_visible
from cablebase.archive import texts, tiers
from cablebase.archive.pg.fulltext import exact_by_pairs, phrase_pairs, term_query
from cablebase.archive.pg.plan import text_query, where
from cablebase.archive.query import And, Node, Not, Or, Term, conjoin, positive_terms
from cablebase.archive.store import FACETS as FACET_NAMES
from cablebase.archive.store import Reader, facet_sql

SORTS = {  # total orders; undated cables first in date order and last in -date (as SQLite)
    "date": "c.created ASC NULLS FIRST, c.id",
    "-date": "c.created DESC NULLS LAST, c.id DESC",
}
# ts_rank's weights are {D, C, B, A}: the body is D, the subject A (archive/pg/fulltext.py).
RANK = "ts_rank('{0.25, 0, 0, 1}', c.fts, %s::tsquery)"
# The same on the subject's own tsvector (every position A; inline in the row, no TOAST).
SUBJECT_RANK = "ts_rank('{0.25, 0, 0, 1}', c.subject_fts, %s::tsquery)"
FACETS = facet_sql("lpad(c.year::text, 4, '0') || '-' || lpad(c.month::text, 2, '0')")
assert set(FACETS) == set(FACET_NAMES)
CHUNK = 1000
# Relevance of a query with more hits than this is ranked in two tiers (docs/search.md).  A
# tenth of SQLite's bound (sqlite_search.BROAD): ts_rank reads each hit's tsvector from TOAST,
# ~0.65 ms a hit at 1 M cables (a term of 20,000 hits took 13 s), where FTS5's bm25 costs
# 4-8 us.  So on PostgreSQL a query of 2,000-20,000 hits is ranked in tiers, on SQLite not.
BROAD = 2000
# The distinct values of each source (store.VALUE_SOURCES).
_VALUES = {
    "origins": "SELECT DISTINCT origin FROM cables WHERE origin IS NOT NULL",
    "posts": "SELECT DISTINCT post FROM cables WHERE origin IS NULL AND post IS NOT NULL",
    "people": "SELECT DISTINCT name FROM people",
    "recipients": "SELECT DISTINCT name FROM recipients",
    "routes": "SELECT DISTINCT route FROM recipients WHERE route IS NOT NULL",
    # person tags: `CLINTON, HILLARY`; `OVIP (CLINTON, HILLARY)` as older archives stored them
    "person_tags": "SELECT DISTINCT tag FROM tags WHERE strpos(tag, ', ') > 0 OR strpos(tag, '(') > 0",
}


def relevance(
    terms: list, params: list, *, subject: bool = False, required: frozenset = frozenset()
) -> str:
    """A hit's relevance: the sum over the query's positive terms of each one's ts_rank in
    the cable, a term it lacks adding nothing.  Not one ts_rank of the terms' OR, which
    divides by the number of terms: the stemmed forms of a word come from every cable's words,
    so a form only hidden cables hold would lower a visible cable's score (and move it in
    the order), telling a reader that some cable they may not see holds that word (as
    SQLite's bm25 over the reader's own cables, nothing of a hidden cable counts).
    `subject`: ranked on the subject alone, its own tsvector (the first tier of a broad query
    of one term or ORed terms, docs/search.md).  `required`: terms every hit matches (on the
    whole text; required_terms), ranked without a match test."""
    rank, column = (SUBJECT_RANK, "c.subject_fts") if subject else (RANK, "c.fts")
    matched = set() if subject else {term_query(t) for t in required}
    parts = []
    queries: dict = {}
    for t in terms:  # each tsquery once, in the order of the terms (the sum's order)
        queries.setdefault(term_query(t, weights=not subject), t)
    for q, t in queries.items():
        if q is None:  # a term of no token matches nothing: it adds nothing
            continue
        if q in matched or _ranks_only_matches(t, subject):
            parts.append(rank)
            params.append(q)
        else:
            parts.append(f"CASE WHEN {column} @@ %s::tsquery THEN {rank} ELSE 0 END")
            params += [q, q]
    return " + ".join(parts) or "0"


def _ranks_only_matches(term, subject: bool) -> bool:  # term: query.Term
    """Whether ts_rank of the term is 0 exactly in the cables it does not match: one token
    (a word or a prefix), not limited to the subject unless ranked on the subject's own
    tsvector.  ts_rank ignores a query's weight labels and ranks a phrase's words wherever
    they are, so `subject:` terms on the whole text and phrases keep the match test; for the
    others it is a second read of every hit's tsvector for nothing (the hits' tsvectors, read
    from TOAST, are most of a relevance page's cost)."""
    return len(term.tokens) == 1 and (subject or term.column is None)


def required_terms(plan: Node) -> frozenset:
    """The terms every hit of the plan matches: the plan's own term, or the terms of its
    top-level AND.  A phrase's match test in the rank (_ranks_only_matches) is then true
    for every hit: left out, it is a read of each hit's tsvector fewer (PostgreSQL reads it
    from TOAST for each use)."""
    if isinstance(plan, Term):
        return frozenset((plan,))
    if isinstance(plan, And):
        return frozenset(n for n in plan.nodes if isinstance(n, Term))
    return frozenset()


def loosened(node: Node) -> Node:
    """The query with each phrase on the whole text that is not negated and has no pairs
    (archive/pg/fulltext.phrase_pairs) as the AND of its words: every hit of the query and
    more, all found on the GIN index without reading a tsvector (a phrase makes PostgreSQL
    test its positions in every candidate's tsvector).  A phrase with pairs stays (where(…,
    loose=True) finds it by its pairs alone); so does one limited to the subject (its
    tsvector is in the row) and a negated one (loosened, it would take hits out)."""
    if isinstance(node, Term):
        kept = [t for t in node.tokens if t]
        if node.column is not None or len(kept) < 2 or phrase_pairs(node):
            return node
        last = len(kept) - 1
        words = (Term(t, prefix=node.prefix and k == last, tokens=(t,)) for k, t in enumerate(kept))
        return And(tuple(words))
    if isinstance(node, And):
        return conjoin(*(loosened(n) for n in node.nodes))
    if isinstance(node, Or):
        return Or(tuple(loosened(n) for n in node.nodes))
    return node


def rechecked(node: Node) -> bool:
    """Whether the query holds a phrase (not negated) that the pair index alone does not
    answer exactly: each candidate's tsvector must be read to test it."""
    if isinstance(node, Term):
        kept = [t for t in node.tokens if t]
        return node.column is None and len(kept) >= 2 and not exact_by_pairs(node)
    if isinstance(node, And | Or):
        return any(rechecked(n) for n in node.nodes)
    return False


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


def visible_sql(access: Access, params: list, *, text: bool = False, alias: str = "c") -> str:
    """The policy's row condition (access.policy.sql_visible) in PostgreSQL's placeholders."""
    if access.unrestricted:
        return "TRUE"
    return _sql_visible(access, params, text=text, alias=alias).replace("?", "%s")


def _literal(value: object) -> str:
    """A parameter of the policy's condition as an SQL literal (an integer or a date)."""
    if isinstance(value, int):
        return str(int(value))
    return "'" + str(value).replace("'", "''") + "'"


def visible_literal(access: Access, *, text: bool = False, alias: str = "c") -> str:
    """The policy's row condition with its values written in (clearance ranks, caveat bits,
    today's date): a condition that takes no parameter, as SQLite's id test (the modules
    beside the archive splice it into statements of their own)."""
    if access.unrestricted:
        return "TRUE"
    params: list = []
    cond = _sql_visible(access, params, text=text, alias=alias)
    parts = cond.split("?")
    return parts[0] + "".join(_literal(v) + rest for v, rest in zip(params, parts[1:], strict=True))


# The facets of the side tables, counted over the hits' ids (`h`, see _facet_sql).
_SIDE_FACETS = {
    "tag": "SELECT t.tag AS value, count(*) AS n FROM h JOIN tags t ON t.cable_id = h.id"
    " GROUP BY t.tag",
    "handling": "SELECT x.caveat AS value, count(*) AS n FROM h JOIN handling x"
    " ON x.cable_id = h.id GROUP BY x.caveat",
}


def _facet_sql(names: tuple[str, ...], cond: str) -> tuple[str, list[str]]:
    """(one statement of rows (facet number, value as text, count) for the facets `names` of
    the cables matching `cond`, the facet name of each number).  The facets on the cables'
    own columns are one GROUPING SETS pass over the hits; a side table's is a join."""
    on_row = [n for n in names if n not in _SIDE_FACETS]
    labels = [*on_row, *(n for n in names if n in _SIDE_FACETS)]
    parts = []
    if on_row:
        columns = ", ".join(f"({FACETS[n][0]}) AS f_{n}" for n in on_row)
        # GROUPING(x) is 0 in the rows of x's set: the row's facet number.
        which = " + ".join(f"{k} * (1 - GROUPING(f_{n}))" for k, n in enumerate(on_row))
        value = (
            "CASE "
            + " ".join(f"WHEN GROUPING(f_{n}) = 0 THEN f_{n}::text" for n in on_row)
            + " END"
        )
        sets = ", ".join(f"(f_{n})" for n in on_row)
        parts.append(
            f"SELECT {which} AS facet, {value} AS value, count(*) AS n"
            f" FROM (SELECT {columns} FROM h c) x GROUP BY GROUPING SETS ({sets})"
        )
    for k, name in enumerate(labels[len(on_row) :], start=len(on_row)):
        parts.append(f"SELECT {k} AS facet, s.value, s.n FROM ({_SIDE_FACETS[name]}) s")
    hits = f"SELECT c.id, c.origin, c.class_rank, c.year, c.month FROM cables c WHERE {cond}"
    return f"WITH h AS MATERIALIZED ({hits}) " + " UNION ALL ".join(parts), labels


class PgSearch:
    """Answers plans on one PostgreSQL connection (conn: psycopg.Connection)."""

    def __init__(self, store, *, broad: int = BROAD) -> None:  # store: pg.store.PgStore
        self.store = store
        self.conn = store.conn
        self.broad = broad  # two-tier relevance above this many hits (docs/search.md)

    def _where(self, plan: Node, reader: Reader, params: list) -> str:
        return where(plan, params, reader.resolve, reader.access)

    def hits(
        self, plan: Node, reader: Reader, *, sort: str, limit: int | None, offset: int
    ) -> Iterator[list[tuple]]:
        """The hits in `sort` order ("relevance": ts_rank over the positive free text, newest
        first without any, in two tiers when broad; "date"; "-date"), `limit` of them from
        `offset`."""
        if sort not in ("relevance", *SORTS):
            raise ValueError(f"sort must be one of relevance, {', '.join(SORTS)}")
        terms = positive_terms(plan) if sort == "relevance" else []
        if terms and self._broad(plan, reader):
            return self._tiered(plan, reader, terms, limit, offset)
        return self._page(plan, reader, terms, sort, limit, offset)

    def _page(
        self,
        plan: Node,
        reader: Reader,
        terms: list[Term],
        sort: str,
        limit: int | None,
        offset: int,
        *,
        on_subject: bool = False,
    ) -> Iterator[list[tuple]]:
        """The hits ranked by ts_rank over `terms` (none: in `sort` order, "-date" for
        relevance; `on_subject`: ts_rank on the subject alone), `limit` of them from
        `offset`."""
        params: list = []
        columns = self._columns(reader, params)
        if terms:
            ranked = relevance(terms, params, subject=on_subject, required=required_terms(plan))
            score, order = f"-({ranked})", "score, c.id DESC"
        else:
            score, order = "NULL::real", SORTS["-date" if sort == "relevance" else sort]
            if limit is not None and rechecked(plan):
                return self._walked(plan, reader, order, limit, offset)
        cond = self._where(plan, reader, params)
        sql = f"SELECT {columns}, {score} AS score FROM cables c WHERE {cond} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit)
        if offset:
            sql += " OFFSET %s"
            params.append(offset)
        return self._chunks(plan, sql, params)

    def _columns(self, reader: Reader, params: list) -> str:
        """A hit's columns but its score (its subject withheld from a reader who may not
        read the cable whole)."""
        access = reader.access
        if access.unrestricted:
            subject = "c.subject"
        else:
            subject = f"CASE WHEN {visible_sql(access, params, text=True)} THEN c.subject"
            subject += f" ELSE '{WITHHELD}' END"
        return f"c.id, c.reference_id, c.created, c.origin, c.classification, {subject}"

    def _walked(
        self, plan: Node, reader: Reader, order: str, limit: int, offset: int
    ) -> Iterator[list[tuple]]:
        """A page in date order of a query with phrases, its phrases tested only on the
        candidates the page needs.  The GIN indexes alone answer the query with each phrase as
        its pairs or the AND of its words (`loosened`: every hit and more, no tsvector read); those
        candidates' ids are sorted by `order` and read through a server-side cursor, and the
        whole query is tested on them in that order, in growing batches, until `offset +
        limit` hits are found.  PostgreSQL itself would test each phrase on every candidate
        (reading each one's tsvector from TOAST, ~0.65 ms a cable at 1 M) before sorting.  The
        same rows, in the same order."""
        params: list = []
        cond = where(loosened(plan), params, reader.resolve, reader.access, loose=True)
        exact: list = []
        test = where(plan, exact, reader.resolve, reader.access, pairs=False)  # row by row
        # Each candidate by its key, not by the GIN index (which would test all of them).
        tested = (
            "SELECT c.id FROM unnest(%s::bigint[]) AS b(id)"
            " CROSS JOIN LATERAL (SELECT c.* FROM cables c WHERE c.id = b.id OFFSET 0) c"
            f" WHERE {test}"
        )
        need, found, step = offset + limit, [], max(64, 2 * (offset + limit))
        with planned(self.conn, plan):
            cursor = self.conn.cursor(name="walked_candidates")
            try:
                cursor.execute(f"SELECT c.id FROM cables c WHERE {cond} ORDER BY {order}", params)
                while len(found) < need:
                    batch = [i for (i,) in cursor.fetchmany(step)]
                    if not batch:
                        break
                    step *= 2
                    hit = {i for (i,) in self.conn.execute(tested, [batch, *exact])}
                    found += [i for i in batch if i in hit]
            finally:
                cursor.close()
        page = found[offset:need]
        if not page:
            return
        params = []
        columns = self._columns(reader, params)
        rows = {
            r[0]: r
            for r in self.conn.execute(
                f"SELECT {columns}, NULL::real AS score FROM cables c WHERE c.id = ANY(%s)",
                [*params, page],
            )
        }
        yield [rows[i] for i in page]

    # -- relevance in two tiers (docs/search.md), as on SQLite --------------------------------

    def two_tiered(self, plan: Node, reader: Reader) -> bool:
        """Whether a relevance page of the plan is ranked in two tiers (docs/search.md)."""
        return bool(positive_terms(plan)) and self._broad(plan, reader)

    def _broad(self, plan: Node, reader: Reader) -> bool:
        """Whether the hits the reader may see exceed `self.broad` (counted no further): ts_rank
        reads every hit's tsvector, seconds for 100,000 hits.  Only what the reader sees
        counts, so that hidden cables never change the order they are shown."""
        params: list = []
        cond = self._where(plan, reader, params)
        with planned(self.conn, plan):
            sql = f"SELECT count(*) FROM (SELECT 1 FROM cables c WHERE {cond} LIMIT %s) x"
            return self.conn.execute(sql, [*params, self.broad + 1]).fetchone()[0] > self.broad

    def _tiered(
        self, plan: Node, reader: Reader, terms: list[Term], limit: int | None, offset: int
    ) -> Iterator[list[tuple]]:
        """The rows of a broad relevance page: first the hits whose subject matches a
        positive term, by ts_rank; then every other hit, newest first.  One total order, so
        that pages are exact slices of the full list.  When the query's one positive text is
        a term or ORed terms (tiers.first_tier), the first tier is ranked on the subject's
        terms alone, on the subject's own tsvector: no hit's whole text is read."""
        top, on_subject = tiers.first_tier(plan, terms)
        rest = conjoin(plan, Not(tiers.subject_match(terms)))
        ranked = list(dict.fromkeys(replace(t, column="subject") for t in terms))
        if not on_subject:
            ranked = terms
        return tiers.paged(
            lambda limit, offset: self._page(
                top, reader, ranked, "relevance", limit, offset, on_subject=on_subject
            ),
            lambda: self.count(top, reader),
            lambda limit, skip: self._page(rest, reader, [], "-date", limit, skip),
            limit,
            offset,
        )

    def _chunks(self, plan: Node, sql: str, params: list) -> Iterator[list[tuple]]:
        with planned(self.conn, plan):
            rows = self.conn.execute(sql, params).fetchall()
        for i in range(0, len(rows), CHUNK):
            yield rows[i : i + CHUNK]

    def count(self, plan: Node, reader: Reader) -> int:
        params: list = []
        cond = self._where(plan, reader, params)
        with planned(self.conn, plan):
            sql = f"SELECT count(*) FROM cables c WHERE {cond}"
            return self.conn.execute(sql, params).fetchone()[0]

    def ids(self, plan: Node, reader: Reader) -> list[int]:
        params: list = []
        cond = self._where(plan, reader, params)
        with planned(self.conn, plan):
            return [
                i for (i,) in self.conn.execute(f"SELECT c.id FROM cables c WHERE {cond}", params)
            ]

    def facets(
        self, plan: Node, reader: Reader, names: tuple[str, ...], top: int | None
    ) -> dict[str, list[tuple[str, int]]]:
        """Counts of the hits by each facet: year and month in calendar order and complete,
        the others most frequent first (ties by value), the first `top`.  Unknown values are
        left out.  One statement: the hits' facet columns are found once (a materialised
        CTE), and every facet is counted over them, so that the query's condition (a broad
        word's bitmap, a phrase's recheck of every candidate) is evaluated once, not once
        per facet."""
        for name in names:
            if name not in FACETS:
                raise ValueError(f"facets are {', '.join(FACETS)}")
        params: list = []
        cond = self._where(plan, reader, params)
        sql, labels = _facet_sql(names, cond)
        counted: dict[str, list[tuple[str, int]]] = {n: [] for n in names}
        with planned(self.conn, plan):
            for facet, value, n in self.conn.execute(sql, params):
                if value is not None:  # unknown values are left out
                    counted[labels[facet]].append((value, n))
        out: dict[str, list[tuple[str, int]]] = {}
        for name in names:
            found = counted[name]
            if name == "year":  # calendar order (years as numbers)
                found.sort(key=lambda p: int(p[0]))
            elif name == "month":  # 'YYYY-MM'
                found.sort()
            else:  # most frequent first, ties by value in byte order (COLLATE "C")
                found.sort(key=lambda p: (-p[1], p[0]))
                if top is not None:
                    del found[int(top) :]
            out[name] = found
        return out

    def paragraphs(self, ids: list[int], reader: Reader) -> dict[int, list[tuple]]:
        """The (heading, text) of the paragraphs the reader may read: every paragraph of a
        cable read whole, the cleared portions of one read partially (access.policy)."""
        out: dict[int, list[tuple]] = {i: [] for i in ids}
        if not ids:
            return out
        access = reader.access
        decided: dict[int, tuple[str, Requirement]] = {}
        for cid, rank, bits, open_on, floor in self.conn.execute(
            "SELECT id, class_rank, caveat_bits, open_on, floor_rank FROM cables"
            " WHERE id = ANY(%s)",
            (ids,),
        ):
            decision = access.decide(Stored(rank, bits, open_on, floor))
            decided[cid] = (decision, Requirement(rank, bits))
        packed = dict(
            self.conn.execute("SELECT cable_id, packed FROM texts WHERE cable_id = ANY(%s)", (ids,))
        )
        marks: dict[int, list[tuple]] = {}
        for cid, portion, heading in self.conn.execute(
            "SELECT cable_id, portion, heading FROM paragraphs WHERE cable_id = ANY(%s)"
            " ORDER BY cable_id, position",
            (ids,),
        ):
            marks.setdefault(cid, []).append((portion, heading))
        for cid, blob in packed.items():
            decision, req = decided.get(cid, ("none", Requirement(None)))
            if decision == "none":
                continue
            paras = texts.unpack(bytes(blob))[2]
            out[cid] = [
                (heading, text)
                for (portion, heading), text in zip(marks.get(cid, []), paras, strict=True)
                if decision == "full" or access.viewer.cleared(portion_requirement(portion, req))
            ]
        return out

    def cites(self, reference_id: str, reader: Reader) -> list[tuple]:
        params: list = []
        seen = visible_sql(reader.access, params)
        return self.conn.execute(
            "SELECT r.target, r.letter, r.text, EXISTS(SELECT 1 FROM cables c"
            f" WHERE c.reference_id = r.target AND {seen})"
            " FROM refs r JOIN cables s ON s.id = r.cable_id"
            " WHERE s.reference_id = %s AND r.target IS NOT NULL ORDER BY r.position",
            [*params, reference_id.upper()],
        ).fetchall()

    def cited_by(self, reference_id: str, reader: Reader) -> list[tuple]:
        params: list = [reference_id.upper()]
        seen = visible_sql(reader.access, params)
        rows = self.conn.execute(
            "SELECT c.reference_id, r.letter, r.text, c.class_rank, c.caveat_bits, c.open_on,"
            " c.floor_rank FROM refs r JOIN cables c ON c.id = r.cable_id"
            f" WHERE r.target = %s AND {seen} ORDER BY c.created, c.reference_id",
            params,
        )
        return [(src, letter, text, Stored(*columns)) for src, letter, text, *columns in rows]

    # -- for the SQL modules beside the archive (Archive.visible_sql, …; archive/db.py) ----

    def where(self, plan: Node, reader: Reader, params: list) -> str:
        """The WHERE condition over `cables c` for a plan, with `?` placeholders (archive/db.py
        turns them back into psycopg's), its values appended to `params`."""
        return self._where(plan, reader, params).replace("%s", "?")

    def visible_sql(self, reader: Reader, *, text: bool = False, alias: str = "c") -> str:
        return visible_literal(reader.access, text=text, alias=alias)

    def subject_sql(self, reader: Reader, alias: str = "c") -> str:
        if reader.access.unrestricted:
            return f"{alias}.subject"
        whole = visible_literal(reader.access, text=True, alias=alias)
        return f"CASE WHEN {whole} THEN {alias}.subject ELSE '{WITHHELD}' END"

    def paragraph_filter(self, ids: list[int], reader: Reader):  # type: ignore[no-untyped-def]
        """None when the reader reads every listed cable whole; else a test (cable id,
        portion mark) -> whether that paragraph may be shown (access.policy decides)."""
        access = reader.access
        if access.unrestricted or not ids:
            return None
        decided: dict[int, tuple[str, Requirement]] = {}
        for cid, rank, bits, open_on, floor in self.conn.execute(
            "SELECT id, class_rank, caveat_bits, open_on, floor_rank FROM cables"
            " WHERE id = ANY(%s)",
            (list(ids),),
        ):
            decision = access.decide(Stored(rank, bits, open_on, floor))
            decided[cid] = (decision, Requirement(rank, bits))
        viewer = access.viewer
        return paragraph_shown(decided, viewer)

    def words(self, start: str, stop: str) -> list[str]:
        return [
            w
            for (w,) in self.conn.execute(
                "SELECT word FROM words WHERE word >= %s AND word < %s ORDER BY word",
                (start, stop),
            )
        ]

    def values(self, source: str) -> list[str]:
        return [v for (v,) in self.conn.execute(_VALUES[source])]
