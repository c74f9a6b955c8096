"""The indexed words of an FTS5 table read from its leaf pages (archive/fts_terms.py), against
SQLite's own fts5vocab, and prefixes matched as the OR of their words (sqlite_search)."""

from __future__ import annotations

import random
import sqlite3
import string
from pathlib import Path

import pytest

from cablebase.archive import fts_terms, sqlite_search
from cablebase.archive.api import Archive
from cablebase.archive.sqlite import SQLiteStore
from cablebase.record import Cable, Paragraph
from tests.sql_trace import traced


def _vocab(conn: sqlite3.Connection, start: str, stop: str) -> list[str]:
    return [
        t
        for (t,) in conn.execute(
            "SELECT term FROM temp.v WHERE term >= ? AND term < ?", (start, stop)
        )
    ]


def _ranges() -> list[tuple[str, str]]:
    starts = ["", "a", "co", "con", "th", "zz", "0", "9", "é", "part", "partz", "\x7f"]
    out = [(s, s[:-1] + chr(ord(s[-1]) + 1) if s else "a") for s in starts]
    return [*out, ("", "\U0010ffff"), ("b", "b")]


@pytest.fixture()
def index(tmp_path: Path) -> sqlite3.Connection:
    """An FTS5 table of many small flushes (many segments, terms split over pages), some
    rows deleted, with words no other row holds."""
    path = tmp_path / "fts.db"
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(a, b, content='',"
        " tokenize='unicode61 remove_diacritics 2')"
    )
    conn.execute("INSERT INTO t (t, rank) VALUES ('pgsz', 64)")  # small pages: many of them
    conn.execute("INSERT INTO t (t, rank) VALUES ('automerge', 0)")  # keep the segments
    rng = random.Random(7)
    words = [
        "".join(rng.choices(string.ascii_lowercase[:6], k=rng.randint(1, 9))) for _ in range(400)
    ]
    words += ["café", "naïve", "2010", "x1y2", "part", "partial", "parties", "party"]
    rows = {}
    for rowid in range(1, 301):
        a = " ".join(rng.choices(words, k=3))
        b = " ".join(rng.choices(words, k=rng.randint(5, 60)))
        if rowid % 7 == 1:
            b += f" gone{rowid}"  # a word only rows deleted below hold
        rows[rowid] = (a, b)
        conn.execute("INSERT INTO t (rowid, a, b) VALUES (?, ?, ?)", (rowid, a, b))
        if rowid % 25 == 0:
            conn.commit()  # a segment per commit
    conn.commit()
    conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, 't', 'row')")
    for rowid in range(1, 301, 7):
        a, b = rows[rowid]
        conn.execute("INSERT INTO t (t, rowid, a, b) VALUES ('delete', ?, ?, ?)", (rowid, a, b))
    conn.commit()
    return conn


def test_the_pages_hold_every_word_of_fts5vocab(index: sqlite3.Connection) -> None:
    """Every word fts5vocab lists, in its order; beyond them at most words whose rows were
    all deleted since the last merge (they match nothing)."""
    assert fts_terms.readable(index, "t")
    for start, stop in _ranges():
        got = fts_terms.indexed_words(index, "t", start, stop)
        want = _vocab(index, start, stop)
        assert got == sorted(got, key=lambda w: w.encode())
        assert set(want) <= set(got), (start, stop)
        if stop == "\U0010ffff":
            assert any(w.startswith("gone") for w in got)  # still on the pages
        for extra in set(got) - set(want):
            (n,) = index.execute(
                "SELECT count(*) FROM t WHERE t MATCH ?", (f'"{extra}"',)
            ).fetchone()
            assert n == 0, extra


def test_after_a_merge_the_pages_hold_exactly_fts5vocab(index: sqlite3.Connection) -> None:
    index.execute("INSERT INTO t (t) VALUES ('optimize')")
    index.commit()
    for start, stop in _ranges():
        assert fts_terms.indexed_words(index, "t", start, stop) == _vocab(index, start, stop)


def test_words_not_on_pages_yet_are_read_from_fts5vocab(index: sqlite3.Connection) -> None:
    """Inside a write transaction FTS5 holds new words in memory: not readable from pages."""
    index.execute("BEGIN")
    index.execute("INSERT INTO t (rowid, a, b) VALUES (1000, 'zebra', 'zebras')")
    assert not fts_terms.readable(index, "t")
    index.rollback()
    assert fts_terms.readable(index, "t")


def _cable(k: int) -> Cable:
    words = ["part", "partial", "parties", "party", "partner", "other", "words"]
    body = " ".join(words[(k + i) % len(words)] for i in range(k % 4 + 1))
    return Cable(
        reference_id=f"10PREF{k}",
        created=f"2010-01-{1 + k % 28:02d}T10:00:00Z",
        classification="UNCLASSIFIED",
        origin="Embassy Paris",
        tags=["PREL"],
        subject="PARTY LINE" if k % 5 == 0 else "REPORT",
        subject_portion="U",
        paragraphs=[Paragraph(number=1, portion="U", text=body)],
    )


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "prefix.db"
    with SQLiteStore(path) as store:
        store.put_many([_cable(k) for k in range(60)])
    return path


def _answers(a: Archive, query: str) -> list:
    out = [a.count(query)]
    for sort in ("relevance", "date", "-date"):
        out.append([(h.reference_id, h.score) for h in a.search(query, sort=sort, limit=7)])
    return out


@pytest.mark.parametrize("query", ["part*", "subject:part*", "part* -partial", "part* tag:PREL"])
def test_a_prefix_as_the_or_of_its_words_changes_no_answer(
    archive: Path, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same count, hits, order and scores with the prefix matched as its words (each
    statement that ranks keeps the prefix: bm25 scores a prefix as one phrase) as without."""
    with Archive.open(archive) as a:
        expanded, sql = traced(a, lambda: _answers(a, query))
        assert not any("bm25(" in s and '"part" OR' in s for s in sql)
        if ":" not in query:
            assert any('("part" OR "partial"' in s for s in sql)
    monkeypatch.setattr(sqlite_search, "PREFIX_WORDS", 0)
    with Archive.open(archive) as a:
        assert _answers(a, query) == expanded
