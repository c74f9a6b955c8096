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
expression once), over the same rows as E, so no phrase's whole doclist is read.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Sequence

import orjson

K1 = 1.2  # FTS5's bm25 parameters
B = 0.75
WEIGHTS = (4.0, 1.0, 0.0)  # subject, body, acl: as api.BM25
BM25 = "bm25(cables_fts, 4.0, 1.0, 0.0)"
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


def sizes(conn: sqlite3.Connection, ids_json: str) -> dict[int, list[int]]:
    """Tokens per column of each listed row (FTS5's docsize table)."""
    return {
        i: varints(sz)
        for i, sz in conn.execute(
            "SELECT id, sz FROM cables_fts_docsize WHERE id IN (SELECT value FROM json_each(?))",
            (ids_json,),
        )
    }


def text_length(columns: Sequence[int]) -> int:
    return sum(columns[:_TEXT_COLUMNS])


def idf(rows: int, hits: int) -> float:
    """FTS5's idf: log((N - n + 0.5) / (n + 0.5)), at least 1e-6."""
    value = math.log((rows - hits + 0.5) / (hits + 0.5)) if rows else 0.0
    return value if value > 0.0 else 1e-6


def frequencies(
    conn: sqlite3.Connection,
    base: str,
    terms: list[str],
    wanted: set[int],
    count: Callable[[str], int],
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """({row: weighted frequency of each term}, {row: tokens per column}) for the rows of
    `wanted` that match the FTS5 expression `base` (whose positive phrases are `terms`).
    `count(expr)`: how many rows of the whole index match an expression."""
    rows, totals = index_totals(conn)
    if not rows:
        return {}, {}
    avgdl = sum(totals) / rows
    found = {
        i: s
        for i, s in conn.execute(
            f"SELECT rowid, {BM25} FROM cables_fts WHERE cables_fts MATCH ?", (base,)
        )
        if i in wanted
    }
    if not found:
        return {}, {}
    length = sizes(conn, orjson.dumps(list(found)).decode())
    out: dict[int, list[int]] = {i: [] for i in found}
    for term in terms:
        if terms == [base]:
            own = found  # the expression is the one phrase
        else:
            own = {i: 0.0 for i in found}
            for i, s in conn.execute(
                f"SELECT rowid, {BM25} FROM cables_fts WHERE cables_fts MATCH ?",
                (f"{term} AND ({base})",),
            ):
                if i in found:
                    own[i] = s - found[i]
        weight = idf(rows, count(term))
        for i, s in own.items():
            k = K1 * (1 - B + B * sum(length.get(i, ())) / avgdl)
            t = -s / weight  # = F (k1 + 1) / (F + K)
            f = t * k / ((K1 + 1) - t) if t < K1 + 1 else 0.0
            out[i].append(max(0, round(f)))
    return out, length


def scores(
    freqs: dict[int, list[int]],
    length: dict[int, list[int]],
    hits: list[int],
    rows: int,
    tokens: int,
) -> dict[int, float]:
    """BM25 of each listed row from its own frequencies and length and the statistics of the
    reader's cables: `rows` of them, `tokens` long together, `hits[k]` holding term k."""
    if not rows:
        return {}
    avgdl = tokens / rows or 1.0
    weights = [idf(rows, n) for n in hits]
    out = {}
    for i, fs in freqs.items():
        k = K1 * (1 - B + B * text_length(length.get(i, ())) / avgdl)
        total = 0.0
        for w, f in zip(weights, fs, strict=True):
            total += w * (f * (K1 + 1)) / (f + k)
        out[i] = -total
    return out
