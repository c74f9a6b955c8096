"""The in-memory facet table (archive/facet_table.py): frequent tags and caveats are counted
through bitmaps of their cables; every count must equal a plain count of the hits' values."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter

import pytest

from cablebase.archive import facet_table
from cablebase.archive.facet_table import FacetTable


def _archive(size: int, seed: int) -> tuple[sqlite3.Connection, dict[int, list[str]], dict]:
    """A connection holding the tables FacetTable reads: cables 1..size-1 with some ids
    missing (deleted cables), tags from very frequent to single, and caveats."""
    rng = random.Random(seed)
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE cables (id INTEGER PRIMARY KEY, origin TEXT, class_rank INT,"
        " year INT, month INT)"
    )
    conn.execute("CREATE TABLE tags (cable_id INT, tag TEXT)")
    conn.execute("CREATE TABLE handling (cable_id INT, caveat TEXT)")
    tags: dict[int, list[str]] = {}
    caveats: dict[int, list[str]] = {}
    # The last id is held (the arrays' edge); a size that is no multiple of 8.
    ids = [i for i in range(1, size) if i == size - 1 or rng.random() > 0.1]
    for i in ids:
        conn.execute(
            "INSERT INTO cables VALUES (?, ?, ?, ?, ?)",
            (i, f"Embassy {rng.randrange(5)}", rng.randrange(4), 2000 + i % 3, 1 + i % 12),
        )
        # PGOV nearly everywhere, PREL often, T<n> from common to unique.
        held = {t for t, p in (("PGOV", 0.9), ("PREL", 0.4)) if rng.random() < p}
        held.update(f"T{int(rng.expovariate(0.05))}" for _ in range(rng.randrange(4)))
        tags[i] = sorted(held)
        conn.executemany("INSERT INTO tags VALUES (?, ?)", [(i, t) for t in tags[i]])
        caveats[i] = ["SIPDIS"] + (["NOFORN"] if i % 7 == 0 else [])
        conn.executemany("INSERT INTO handling VALUES (?, ?)", [(i, c) for c in caveats[i]])
    return conn, tags, caveats


def _ranked(counter: Counter) -> list[tuple[str, int]]:
    return sorted(((v, n) for v, n in counter.items() if n), key=lambda p: (-p[1], p[0]))


@pytest.mark.parametrize("size", [1001, 4099])
def test_bitmapped_tags_count_exactly(size: int) -> None:
    conn, tags, caveats = _archive(size, seed=size)
    table = FacetTable(conn, (1, 1))
    assert table.size == size
    # The frequent values are held as bitmaps, the rest per cable.
    assert {table.tag_names[k] for k in table.tag_bits} >= {"PGOV", "PREL"}
    assert len(table.tag_bits) < len(table.tag_names)
    rng = random.Random(7)
    held = sorted(tags)
    for share in (0.0, 0.001, 0.05, 0.2, 0.49, 0.51, 0.9, 1.0):
        ids = rng.sample(held, int(share * len(held)))
        if share == 1.0:
            ids += [0, size, size + 9]  # no cable has id 0; ids a writer added since: none
        for query_less in (False, True):
            less = ids[: len(ids) // 3] if query_less else []
            got = table.facets(ids, ("tag", "handling"), less)
            keep = Counter(ids) - Counter(less)
            want_tags = Counter(t for i in keep.elements() if i in tags for t in tags[i])
            want_caveats = Counter(c for i in keep.elements() if i in tags for c in caveats[i])
            assert got["tag"] == _ranked(want_tags)
            assert got["handling"] == _ranked(want_caveats)
    assert table.facets(None, ("tag",))["tag"] == _ranked(
        Counter(t for v in tags.values() for t in v)
    )


def test_bitmap_holds_exactly_the_ids() -> None:
    conn, _, _ = _archive(77, seed=1)
    table = FacetTable(conn, (1, 1))
    for ids in ([], [0], [76], [0, 1, 7, 8, 9, 63, 64, 65, 76], list(range(77))):
        bits = table._bitmap(ids)
        assert {i for i in range(77) if bits >> i & 1} == set(ids)
        assert bits.bit_count() == len(ids)


def test_bitmaps_and_per_hit_counts_agree(monkeypatch) -> None:
    """The same hits (and hits less some) counted with no bitmaps, with every value
    bitmapped, and as shipped: every facet the same."""
    conn, tags, _ = _archive(2003, seed=3)
    hits = random.Random(2).sample(sorted(tags), 900)
    answers = []
    for masked, bitmap_hits in ((0, 10**9), (10**9, 1), (facet_table.MASKED, 1)):
        monkeypatch.setattr(facet_table, "MASKED", masked)
        monkeypatch.setattr(facet_table, "BITMAP_HITS", bitmap_hits)
        table = FacetTable(conn, (1, 1))
        held = len(table.tag_bits)
        assert held == (0 if masked == 0 else len(table.tag_names) if masked > 1000 else held)
        assert sorted(table.rank_bits) == [0, 1, 2, 3]
        names = ("origin", "classification", "year", "month", "tag", "handling")
        answers.append((table.facets(hits, names), table.facets(hits, names, hits[::5])))
    assert answers[0] == answers[1] == answers[2]


def test_hits_as_ids_bytes_or_a_bitmap_count_alike(monkeypatch) -> None:
    """The same hits counted from their ids, from a byte per cable, and from their bitmap
    (`facets_of`), for shares of the archive on both sides of each threshold: every facet
    the same as counted by hand."""
    conn, tags, caveats = _archive(3001, seed=5)
    held = sorted(tags)
    rows = dict((i, (o, r, y, m)) for i, o, r, y, m in conn.execute("SELECT * FROM cables"))
    names = ("origin", "classification", "year", "month", "tag", "handling")
    rng = random.Random(4)
    for share in (0.01, 0.2, 0.34, 0.5, 0.51, 0.8, 1.0):
        hits = rng.sample(held, int(share * len(held)))
        want = {
            "origin": _ranked(Counter(rows[i][0] for i in hits)),
            "classification": _ranked(Counter(facet_table._CLASSES[rows[i][1]] for i in hits)),
            "year": sorted(Counter(str(rows[i][2]) for i in hits).items()),
            "month": sorted(Counter(f"{rows[i][2]}-{rows[i][3]:02d}" for i in hits).items()),
            "tag": _ranked(Counter(t for i in hits for t in tags[i])),
            "handling": _ranked(Counter(c for i in hits for c in caveats[i])),
        }
        got = []
        for byte_hits in (10**9, 1, facet_table.BYTE_HITS):
            monkeypatch.setattr(facet_table, "BYTE_HITS", byte_hits)
            table = FacetTable(conn, (1, 1))
            got.append(table.facets(hits, names))
            flags = table.bitmap_flags(table._bitmap(hits))
            assert flags == table.flags(hits)
            got.append(table.facets_of(flags, names))
        assert all(g == want for g in got), share


def test_the_tables_bitmaps_describe_classes_tags_and_caveats() -> None:
    conn, tags, caveats = _archive(1001, seed=2)
    table = FacetTable(conn, (1, 1))
    ranks = dict(conn.execute("SELECT id, class_rank FROM cables"))
    secret_up = table.rank_bitmap(lambda r: r >= 2)
    assert {i for i in range(1001) if secret_up >> i & 1} == {i for i, r in ranks.items() if r >= 2}
    pgov = table.tag_bitmap("PGOV")
    assert pgov is not None
    assert {i for i in range(1001) if pgov >> i & 1} == {i for i, t in tags.items() if "PGOV" in t}
    noforn = table.caveat_bitmap("NOFORN")
    assert noforn is not None
    assert noforn.bit_count() == sum("NOFORN" in c for c in caveats.values())
    assert table.tag_bitmap("NO SUCH TAG") is None


def test_a_readonly_archive_reads_its_facet_table_outside_the_request_budget(tmp_path) -> None:
    """The web server's (read-only) archives read the facet table by a thread of its own: the
    request asking first does not pay its reading against its CPU budget (archive/budget.py),
    which at 2.5 M cables stopped it (400) and left the table unread for every broad search.
    Here the budget is spent from the start: any long statement of the asking thread would be
    stopped, and the facets of every cable still come back, equal to the unbudgeted ones."""
    from cablebase.archive import budget
    from cablebase.archive.api import Archive
    from cablebase.archive.sqlite import SQLiteStore
    from cablebase.generate import generate

    path = tmp_path / "a.db"
    with SQLiteStore(path) as store:
        store.put_many(list(generate(3000, seed=21)))
    with Archive.open(path) as writer:  # its own table, read by the asking thread, no budget
        expected = writer.facets("", top=None)
    facet_table._SHARED.clear()
    with Archive.open(path, readonly=True) as archive:
        budget.install(archive.conn)
        with budget.within(0.0):
            got = archive.facets("", top=None)
            assert archive.facets("tag:PGOV", top=None)  # a broad tag: the same table
    assert got == expected and sum(n for _, n in got["year"]) == 3000
    assert str(path.resolve()) in facet_table._SHARED
