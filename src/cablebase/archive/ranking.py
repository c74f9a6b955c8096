"""BM25 within a reader's own cables (docs/search.md, "Relevance under access control").

FTS5's `bm25()` takes its statistics — the number of rows, the average row length and how
many rows hold each phrase — from the whole index, hidden cables included: a reader could
watch a score move when a cable they may not see is added.  So for a reader who does not see
everything, scores are recomputed here from statistics over the cables that reader reads
whole (the only ones free text matches for them), and from what belongs to the hit alone: how
often each term occurs in it and its length.

FTS5 offers a row's term frequencies only through `bm25()` itself, so they are read back
from it: for one phrase p, bm25 = -idf(p) * F (k1 + 1) / (F + K), where F (the weighted
frequency, 4 x subject + body) is an integer and K depends on the row's length and the
index's average length, both known; F is solved for and rounded.  Several phrases: the
score of `p AND (E)` less that of `E` is p's own term (FTS5 scores each phrase of an
expression once), over the same rows as E; when E is the phrases ORed, each phrase's own
score is read on its own.  bm25 is evaluated for the hits only (the reader's matches).
The scores depend on nothing but the reader's cables, so they are exactly those an archive
holding only those cables would give (tests/test_access_oracle.py).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable

import orjson

K1 = 1.2  # FTS5's bm25 parameters
B = 0.75
BM25 = "bm25(cables_fts, 4.0, 1.0, 0.0)"  # subject, body, acl weights: as api.BM25
_TEXT_COLUMNS = 2  # subject and body: a hit's length leaves out its access tokens


def varints(blob: bytes) -> list[int]:
    """The SQLite varints of an FTS5 record (docsize rows, the averages record)."""
    out: list[int] = []
    i, n = 0, len(blob)
    while i < n:
        v = 0
        for k in range(9):
            c = blob[i]
            i += 1
            if k == 8:
                v = (v << 8) | c
                break
            v = (v << 7) | (c & 0x7F)
            if not c & 0x80:
                break
        out.append(v)
    return out


def index_totals(conn: sqlite3.Connection) -> tuple[int, list[int]]:
    """(rows, tokens per column) of the whole index: what FTS5's bm25 averages over."""
    row = conn.execute("SELECT block FROM cables_fts_data WHERE id = 1").fetchone()
    if row is None or not row[0]:
        return 0, []
    values = varints(row[0])
    return values[0], values[1:]


def lengths(sz: bytes) -> tuple[int, int]:
    """(subject and body tokens, tokens of every column) of a docsize record (subject, body
    and acl sizes)."""
    n = len(sz)
    # The usual shapes, read directly: every size one byte, or the body's two.
    if n == 3 and sz[0] < 128 and sz[1] < 128:
        text = sz[0] + sz[1]
        return text, text + sz[2]
    if n == 4 and sz[0] < 128 and sz[1] >= 128 and sz[2] < 128:
        text = sz[0] + ((sz[1] & 0x7F) << 7 | sz[2])
        return text, text + sz[3]
    values = varints(sz)
    return sum(values[:_TEXT_COLUMNS]), sum(values)


def idf(rows: int, hits: int) -> float:
    """FTS5's idf: log((N - n + 0.5) / (n + 0.5)), at least 1e-6.  (n can exceed N for a
    moment when a writer adds cables between the two counts: that is the floor too.)"""
    ratio = (rows - hits + 0.5) / (hits + 0.5) if rows else 0.0
    value = math.log(ratio) if ratio > 0.0 else 0.0
    return value if value > 0.0 else 1e-6


# The scores and sizes of the rows listed (a JSON array): the unary + keeps the list from
# driving the FTS5 query (one lookup per id, each recomputing bm25's statistics), so the
# doclist is read once and bm25 is computed for the listed rows only.
_ROWS = (
    f"SELECT c.id, c.s, d.sz FROM (SELECT rowid AS id, {BM25} AS s FROM cables_fts"
    " WHERE cables_fts MATCH ?) c JOIN cables_fts_docsize d ON d.id = c.id"
    " WHERE +c.id IN (SELECT value FROM json_each(?))"
)
_SCORES = (
    f"SELECT c.id, c.s FROM (SELECT rowid AS id, {BM25} AS s FROM cables_fts"
    " WHERE cables_fts MATCH ?) c WHERE +c.id IN (SELECT value FROM json_each(?))"
)


def scores(
    conn: sqlite3.Connection,
    base: str,
    terms: list[str],
    wanted: list[int],
    count: Callable[[str], int],
    reader: tuple[int, int, list[int]],
) -> dict[int, float]:
    """The BM25 score of each row of `wanted` that matches the FTS5 expression `base` (whose
    positive phrases are `terms`), with the statistics of the reader's cables: `reader` is
    (how many, their tokens together, how many hold each term).  `count(expr)`: how many rows
    of the whole index match an expression (FTS5's own statistics, to read bm25 back)."""
    rows, totals = index_totals(conn)
    n, tokens, holding = reader
    if not rows or not n:
        return {}
    avgdl = sum(totals) / rows
    mine = tokens / n or 1.0
    a, b = K1 * (1 - B), K1 * B
    top = K1 + 1
    listed = orjson.dumps(wanted).decode()
    size: dict[int, tuple[float, float]] = {}  # K of the index's bm25 and K over the reader's
    total: dict[int, float] = {}
    found: dict[int, float] = {}
    # The expression is the terms ORed (or the one term): each term's own matches are rows.
    apart = base.strip("()") == " OR ".join(terms)
    if not apart:
        for i, s, sz in conn.execute(_ROWS, (base, listed)):
            t, every = lengths(sz)
            found[i] = s
            size[i] = (a + b * every / avgdl, a + b * t / mine)
    for term, held in zip(terms, holding, strict=True):
        index_idf, weight = idf(rows, count(term)), idf(n, held)
        if apart:  # the term's own score, read on its own
            own = []
            for i, s, sz in conn.execute(_ROWS, (term, listed)):
                if i not in size:
                    t, every = lengths(sz)
                    size[i] = (a + b * every / avgdl, a + b * t / mine)
                own.append((i, s))
        else:  # the score of `term AND (base)` less that of `base`
            own = [
                (i, s - found[i])
                for i, s in conn.execute(_SCORES, (f"{term} AND ({base})", listed))
            ]
        for i, s in own:
            k_index, k_mine = size[i]
            x = -s / index_idf  # = F (k1 + 1) / (F + K)
            f = round(x * k_index / (top - x)) if 0.0 < x < top else 0
            total[i] = total.get(i, 0.0) + (weight * (f * top) / (f + k_mine) if f > 0 else 0.0)
    for i in found:
        total.setdefault(i, 0.0)
    return {i: -v for i, v in total.items()}
