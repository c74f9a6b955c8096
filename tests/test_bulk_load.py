"""A bulk load into an empty archive builds its search indexes after the rows are in
(SQLiteStore.defer_indexes / build_indexes): the archive ends with the same indexes, is
searched the same while they are missing (an ingest killed mid-way), and the next writer to
open it builds them.

What a user sees of it runs on both stores (an ingest, finished or stopped, leaves the archive
with every index of a new one); PostgreSQL's load keeps its indexes and commits batch by batch,
so deferring, the killed bulk load's healing, the sort settings and the unmapped reads are
SQLite's alone (a killed PostgreSQL ingest completed by running it again:
tests/pg/test_ingest.py)."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import pytest

from cablebase.archive.api import Archive
from cablebase.archive.ingest import ingest
from cablebase.archive.sqlite import DEFERRED, SQLiteStore
from cablebase.archive.store import is_dsn
from cablebase.generate import generate, write
from tests.test_search import HANDWRITTEN, Brute, _queries


def _indexes(path: Path | str) -> dict[str, str]:
    """index name -> its definition, in a SQLite file or a PostgreSQL database."""
    if is_dsn(path):
        from cablebase.archive.pg.store import connect

        with connect(str(path)) as pg:
            sql = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            return dict(pg.execute(sql).fetchall())
    conn = sqlite3.connect(path)
    try:
        return dict(
            conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall()
        )
    finally:
        conn.close()


def _deferred_key(path: Path | str) -> bool:
    if is_dsn(path):
        return False  # PostgreSQL's load defers nothing
    conn = sqlite3.connect(path)
    try:
        sql = "SELECT 1 FROM settings WHERE key = 'deferred_indexes'"
        return conn.execute(sql).fetchone() is not None
    finally:
        conn.close()


@pytest.fixture(scope="module")
def fresh_indexes(tmp_path_factory) -> dict[str, str]:
    path = tmp_path_factory.mktemp("fresh") / "fresh.db"
    SQLiteStore(path).close()
    indexes = _indexes(path)
    assert set(DEFERRED) <= set(indexes)  # every deferred name is an index of the schema
    return indexes


def test_an_ingest_into_an_empty_archive_ends_with_every_index(
    tmp_path, empty_archive, new_archive
) -> None:
    fresh = _indexes(new_archive(empty_archive))
    assert set(fresh) >= ({"cables_fts"} if is_dsn(empty_archive) else set(DEFERRED))
    csv = tmp_path / "cables.csv"
    write(40, "csv", csv, seed=3)
    db = empty_archive
    summary = ingest([csv], db, workers=1, batch=7)
    assert summary.added == 40
    assert _indexes(db) == fresh and not _deferred_key(db)
    with Archive.open(db) as a:
        assert a.count("") == 40
    if not is_dsn(db):
        # Into an archive with cables: nothing is dropped (its readers keep their indexes).
        with SQLiteStore(db) as store:
            assert store.defer_indexes() is False
        assert _indexes(db) == fresh and not _deferred_key(db)


def test_a_failed_ingest_still_builds_the_indexes(tmp_path, empty_archive, new_archive) -> None:
    """An ingest stopped by an error after its first batch: every index is there, the batch
    it had loaded is whole, and running it again completes the archive."""
    fresh = _indexes(new_archive(empty_archive))
    csv = tmp_path / "cables.csv"
    write(10, "csv", csv, seed=4)
    db = empty_archive

    def stop(summary) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("stopped by the caller")

    with pytest.raises(RuntimeError, match="stopped by the caller"):
        ingest([csv], db, workers=1, batch=3, progress=stop)
    assert _indexes(db) == fresh and not _deferred_key(db)
    with Archive.open(db) as a:
        assert a.count("") == 3
    again = ingest([csv], db, workers=1, batch=3)
    assert (again.added, again.unchanged) == (7, 3)
    with Archive.open(db) as a:
        assert a.count("") == 10


def test_a_killed_bulk_load_is_searched_the_same_then_healed(tmp_path, fresh_indexes) -> None:
    """The state a kill -9 leaves (indexes dropped, rows in, nothing built): every query of
    the search tests gives what the indexed archive gives; a writer's open builds them."""
    cables = list(generate(300, seed=11)) + HANDWRITTEN
    indexed, killed = tmp_path / "indexed.db", tmp_path / "killed.db"
    with SQLiteStore(indexed) as store:
        store.put_many(cables)
    store = SQLiteStore(killed)
    assert store.defer_indexes() is True
    store.put_many(cables)
    store.close()  # as if killed: build_indexes() never ran
    assert not set(DEFERRED) & set(_indexes(killed)) and _deferred_key(killed)

    queries = _queries(Brute(cables))
    with Archive.open(indexed) as a, Archive.open(killed, readonly=True) as b:
        for q in queries:
            assert [h.reference_id for h in b.search(q, sort="date")] == [
                h.reference_id for h in a.search(q, sort="date")
            ], q
            assert b.count(q) == a.count(q), q
    SQLiteStore(killed).close()  # a writer opens it
    assert _indexes(killed) == fresh_indexes and not _deferred_key(killed)


def test_indexes_built_one_at_a_time_and_the_rest_by_the_next_writer(
    tmp_path, fresh_indexes
) -> None:
    """build_indexes(at_most=1) builds one deferred index a transaction and says whether any
    is left; the key goes with the last.  Killed part-way, the next writer builds the rest."""
    cables = list(generate(30, seed=9))
    db = tmp_path / "a.db"
    store = SQLiteStore(db)
    assert store.defer_indexes() is True
    store.put_many(cables)
    left = [store.build_indexes(at_most=1) for _ in range(3)]
    assert left == [True, True, True]
    assert len(set(DEFERRED) & set(_indexes(db))) == 3 and _deferred_key(db)
    store.close()  # as if killed between two builds
    SQLiteStore(db).close()  # a writer opens it
    assert _indexes(db) == fresh_indexes and not _deferred_key(db)

    store = SQLiteStore(tmp_path / "b.db")
    assert store.defer_indexes() is True
    store.put_many(cables)
    built = []
    while store.build_indexes(at_most=1):
        built.append(len(set(DEFERRED) & set(_indexes(tmp_path / "b.db"))))
    assert built == list(range(1, len(DEFERRED)))
    assert store.build_indexes(at_most=1) is False and store.build_indexes() is False
    store.close()
    assert _indexes(tmp_path / "b.db") == fresh_indexes and not _deferred_key(tmp_path / "b.db")


def test_an_ingest_builds_its_indexes_between_its_last_batches(
    tmp_path, fresh_indexes, monkeypatch
) -> None:
    """Once TAIL of the input is read, an ingest into an empty archive builds one deferred
    index after each batch (the workers parse meanwhile); batches after that keep the built
    ones up to date, and the archive ends as any other."""
    from cablebase.archive import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "TAIL", 0.0)  # from the first batch on
    csv = tmp_path / "cables.csv"
    write(40, "csv", csv, seed=3)
    store = SQLiteStore(tmp_path / "a.db")
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        assert ingest([csv], store, workers=1, batch=3).added == 40
    finally:
        store.conn.set_trace_callback(None)
        store.close()
    # a batch's cables are one executemany (a statement traced per row): runs of one kind
    wanted = ("CREATE INDEX", "INSERT INTO cables ")
    order = [
        k for k, _ in itertools.groupby(s.split()[0] for s in statements if s.startswith(wanted))
    ]
    first = order.index("CREATE")
    assert order.count("CREATE") == len(DEFERRED)
    # one index after each batch (of 3 cables), then the batches left
    assert order[first : first + 4] == ["CREATE", "INSERT", "CREATE", "INSERT"]
    assert order[-1] == "INSERT"
    assert _indexes(tmp_path / "a.db") == fresh_indexes
    assert not _deferred_key(tmp_path / "a.db")
    with Archive.open(tmp_path / "a.db") as a:
        assert a.count("") == 40


def test_ingest_runs_the_garbage_collector_once_per_batch(tmp_path) -> None:
    """The collector is paused during an ingest and run once per batch of items (not every
    700 allocations); the caller's setting is put back, on or off, after an error too."""
    import gc

    from cablebase.archive.ingest import _parse_batch
    from cablebase.forms.sources import iter_items

    csv = tmp_path / "cables.csv"
    write(30, "csv", csv, seed=5)
    raw = list(iter_items(csv, raw=True))[:5]
    gc.collect()
    seen: list[int] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(record)
    try:
        ingest([csv], tmp_path / "a.db", workers=1, batch=10)
        _parse_batch(raw)
    finally:
        gc.callbacks.remove(record)
    assert gc.isenabled()
    assert seen.count(1) >= 4 and 0 not in seen  # three batches of ten, one task; nothing else

    def stop(summary) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("stopped")

    gc.disable()
    try:
        with pytest.raises(RuntimeError):
            ingest([csv], tmp_path / "b.db", workers=1, batch=10, progress=stop)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(RuntimeError):
        ingest([csv], tmp_path / "c.db", workers=1, batch=10, progress=stop)
    assert gc.isenabled()


def test_indexes_are_sorted_on_disk_and_reader_sets_still_work(tmp_path) -> None:
    """build_indexes() sorts with temporary files (an index of millions of rows sorted in
    memory took as much RAM as its size) and reads the tables unmapped (each mapped page
    counted in the process's memory), then puts both settings back; the connection's reader
    sets (TEMP tables, dropped by the switch) are made again on demand."""
    cables = list(generate(30, seed=8))
    db = tmp_path / "a.db"
    store = SQLiteStore(db)
    with Archive(store) as archive:
        before = archive.count("tag:PGOV OR class:secret")
        assert store.defer_indexes() is True
        store.put_many(cables)
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        store.build_indexes()
        store.conn.set_trace_callback(None)
        wanted = ("PRAGMA temp_store =", "PRAGMA mmap_size =", "CREATE INDEX")
        pragmas = [s for s in statements if s.startswith(wanted)]
        assert pragmas[:2] == ["PRAGMA temp_store = FILE", "PRAGMA mmap_size = 0"]
        assert pragmas[-2:] == ["PRAGMA mmap_size = 1073741824", "PRAGMA temp_store = 2"]
        assert len(pragmas) == len(DEFERRED) + 4
        assert store.conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
        assert store.conn.execute("PRAGMA mmap_size").fetchone()[0] == 1073741824
        assert archive.count("tag:PGOV OR class:secret") > before == 0
        assert _indexes(db).keys() >= set(DEFERRED)


def test_ingest_reads_the_archive_unmapped(tmp_path) -> None:
    """An ingest reads the file through SQLite's page cache, not memory-mapped (each mapped
    page counted in the process's memory: 922 MiB at 251,287 cables); a store the caller
    passed gets its setting back."""
    csv = tmp_path / "cables.csv"
    write(12, "csv", csv, seed=6)
    store = SQLiteStore(tmp_path / "a.db")
    during: list[int] = []

    def look(summary) -> None:  # type: ignore[no-untyped-def]
        during.append(store.conn.execute("PRAGMA mmap_size").fetchone()[0])

    try:
        assert ingest([csv], store, workers=1, batch=5, progress=look).added == 12
        assert set(during[:-1]) == {0}  # each batch; the last call comes after the load
        assert store.conn.execute("PRAGMA mmap_size").fetchone()[0] == 1073741824
    finally:
        store.close()


def test_a_batch_is_written_unchecked_and_foreign_keys_are_checked_again(tmp_path) -> None:
    # put_many writes without foreign-key checks (its rows' cable ids are its own); after it,
    # the connection checks them again: a side row of a cable that does not exist is refused.
    with SQLiteStore(tmp_path / "a.db") as store:
        store.put_many(list(generate(3, seed=5)))
        assert store.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        with pytest.raises(sqlite3.IntegrityError), store.conn:
            store.conn.execute("INSERT INTO tags VALUES (999, 'PREL')")


def _fts_config(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT k, v FROM cables_fts_config").fetchall())
    finally:
        conn.close()


def test_full_text_index_settings_for_bulk_loads(tmp_path):
    """The full-text index of a new archive merges 16 segments at a time and holds 16 MB of
    new postings (one segment per ingest batch: schema migrations 12 and 13); an archive of
    schema 12 gets the second when it is next opened for writing, its cables searched alike."""
    path = tmp_path / "a.db"
    csv = tmp_path / "g.csv"
    write(40, "csv", csv, seed=13)
    ingest([csv], path, workers=1)
    assert _fts_config(path) == {"version": 4, "automerge": 16, "hashsize": 16 << 20}
    with Archive.open(path) as archive:
        before = [h.reference_id for h in archive.search("embassy")]
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM cables_fts_config WHERE k = 'hashsize'")
    conn.execute("PRAGMA user_version = 12")
    conn.commit()
    conn.close()
    SQLiteStore(path).close()
    assert _fts_config(path)["hashsize"] == 16 << 20
    with Archive.open(path) as archive:
        assert [h.reference_id for h in archive.search("embassy")] == before
        assert before


def _segments(path: Path) -> int:
    """The full-text index's segments (FTS5's %_idx table has rows for each one's terms)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(DISTINCT segid) FROM cables_fts_idx").fetchone()[0]
    finally:
        conn.close()


def test_further_sources_amid_new_cables_write_one_index_segment_a_batch(tmp_path) -> None:
    """Cables read again from their pages amid new ones (the page of a stored cable: its
    record merged and replaced, at its lower cable id) change the full-text index in rowid
    order at the end of the batch: the batch is one segment, not one per replacement (which
    made the index merge itself again and again), and every query finds what an archive
    holding the same records from the start finds."""
    csv, pages = tmp_path / "g.csv", tmp_path / "pages"
    write(150, "csv", csv, seed=17)
    write(200, "html", pages, seed=17)  # the same 150 cables' pages, then 50 new ones
    path = tmp_path / "a.db"
    ingest([csv], path, workers=1)
    assert _segments(path) == 1
    summary = ingest([pages], path, workers=1)
    assert (summary.added, summary.updated) == (50, 150), summary.line()
    assert _segments(path) == 2  # one a batch: the csv's, the pages'

    with SQLiteStore(path) as store:
        ids = store.conn.execute("SELECT reference_id FROM cables ORDER BY id").fetchall()
        records = [store.get(rid) for (rid,) in ids]
        store.conn.execute("INSERT INTO cables_fts (cables_fts) VALUES ('integrity-check')")
    again = tmp_path / "again.db"
    with SQLiteStore(again) as store:
        store.put_many(records)
    queries = _queries(Brute(records))
    with Archive.open(path) as a, Archive.open(again) as b:
        for q in queries:
            assert [h.reference_id for h in a.search(q, sort="date")] == [
                h.reference_id for h in b.search(q, sort="date")
            ], q
            assert a.count(q) == b.count(q), q
