"""The indexed words of an FTS5 table in a range, read from the leaf pages' term lists.

Stemming (archive/stems.py) looks up the indexed words that could share a word's stem: every
word from the stem less two letters (`coming` -> every word from `co`).  SQLite's `fts5vocab`
answers that by walking each word's whole doclist to count its rows: 180 ms for `co` at
250,000 cables (`could`, `country`...), the cost of a query's first use of a common word.
The words themselves sit in the term lists of the index's leaf pages, whose first terms
the `%_idx` table indexes: the pages holding a range are a few, read without their doclists
(~10 ms for `co`).

The page layout is FTS5's on-disk format 4 (sqlite/ext/fts5/fts5_index.c, "leaf pages"):
a 4-byte header whose second 16-bit field is the offset of the page's footer; the footer, a
varint per term started on the page (its offset, each a delta from the previous); each term
its length and bytes when first on the page, else (bytes shared with the previous term,
length of the rest, the rest).  Keys of the main index start with the byte `0`.

A term stays on a segment's pages until a merge drops the cables deleted since, so the list
may name a word no stored cable holds any more (as PostgreSQL's words table may, archive/pg):
stemming then adds a form that matches nothing, which changes no hit, count or score.
"""

from __future__ import annotations

import sqlite3

FORMAT = "4"  # the FTS5 index format whose pages this reads
_MAIN = b"0"  # key prefix of the main index (prefix indexes use 1, 2, ...)
_PAGE_BITS = 37  # a leaf page's row id in %_data: segment id << 37 | page number


def indexed_words(conn: sqlite3.Connection, table: str, start: str, stop: str) -> list[str]:
    """The words w of FTS5 table `table` with start <= w < stop, sorted as SQLite compares
    them (bytes of UTF-8).  One statement, so one snapshot of the index."""
    lo, hi = _MAIN + start.encode(), _MAIN + stop.encode()
    # Per segment: the page holding `lo` (its last first-term at or before it), and every
    # page whose first term falls inside the range.
    rows = conn.execute(
        f'WITH segments(segid) AS (SELECT DISTINCT segid FROM "{table}_idx"),'
        f" pages(segid, pgno) AS ("
        f' SELECT s.segid, (SELECT i.pgno FROM "{table}_idx" i WHERE i.segid = s.segid'
        f" AND i.term <= ?1 ORDER BY i.term DESC LIMIT 1) FROM segments s"
        f' UNION SELECT segid, pgno FROM "{table}_idx" WHERE term > ?1 AND term < ?2)'
        f' SELECT d.block FROM pages p JOIN "{table}_data" d'
        f" ON d.id = (p.segid << {_PAGE_BITS}) + (p.pgno >> 1) WHERE p.pgno IS NOT NULL",
        (lo, hi),
    )
    found = {t for (block,) in rows for t in page_terms(block) if lo <= t < hi}
    return [t[len(_MAIN) :].decode() for t in sorted(found)]


def page_terms(block: bytes) -> list[bytes]:
    """The terms started on one leaf page, in order."""
    footer = int.from_bytes(block[2:4], "big")
    offsets = []
    at, i = 0, footer
    while i < len(block):
        delta, i = _varint(block, i)
        at += delta
        offsets.append(at)
    terms: list[bytes] = []
    prev = b""
    for n, at in enumerate(offsets):
        shared = 0
        if n:
            shared, at = _varint(block, at)
        size, at = _varint(block, at)
        prev = prev[:shared] + block[at : at + size]
        terms.append(prev)
    return terms


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    """SQLite's varint at buf[i] (7 bits a byte, big-endian; the ninth byte whole) and the
    offset after it."""
    value = 0
    for _ in range(8):
        b = buf[i]
        i += 1
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            return value, i
    return (value << 8) | buf[i], i + 1


def readable(conn: sqlite3.Connection, table: str) -> bool:
    """Whether `table`'s pages are in the format read here and all written (a transaction
    open on this connection may hold terms in FTS5's memory, not on pages yet)."""
    if conn.in_transaction:
        return False
    try:
        row = conn.execute(f"SELECT v FROM \"{table}_config\" WHERE k = 'version'").fetchone()
    except sqlite3.Error:
        return False
    return row is not None and str(row[0]) == FORMAT
