"""Readers' id sets (archive/reader_sets.py): which side is held, staleness, rebuilding.

The id sets are SQLite's mechanism (TEMP tables of the connection; PostgreSQL writes the
policy's row condition instead): the tests of the sets themselves run on SQLite.  What a
reader sees of it — a cable stored or changed by another writer counts in the next query, as
the policy decides — is store-neutral and runs on both stores (`location`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cablebase.access.policy import Access, Policy, Viewer
from cablebase.access.settings import set_policy
from cablebase.archive.api import Archive
from cablebase.archive.sqlite import SQLiteStore
from cablebase.archive.store import open_store
from cablebase.record import Cable, Paragraph

TODAY = "2026-11-27"


def cable(n: int, classification: str) -> Cable:
    return Cable(
        reference_id=f"09TESTPOST{n:03d}",
        created=f"2009-03-{1 + n % 28:02d}T10:00:00Z",
        origin="Embassy Testville",
        classification=classification,
        handling=["SIPDIS"],
        tags=["PREL"],
        subject=f"TESTVILLE: MEETING NUMBER {n}",
        declassify_on="2034-12-31",
        paragraphs=[Paragraph(number=1, text=f"The minister met the envoy, meeting {n}.")],
    )


def reader(rank: int, bits: int = 0) -> Access:
    return Access(Policy("controlled"), Viewer("r", "reader", rank, bits), TODAY)


def fill(location: Path | str) -> None:
    with open_store(location) as store:
        # 8 unclassified, 3 confidential, 1 secret
        store.put_many([cable(i, "UNCLASSIFIED") for i in range(8)])
        store.put_many([cable(10 + i, "CONFIDENTIAL") for i in range(3)])
        store.put_many([cable(20, "SECRET")])
        set_policy(store.conn, Policy("controlled"))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """The archive in a SQLite file (the tests of the id sets themselves)."""
    fill(tmp_path / "cables.db")
    return tmp_path / "cables.db"


@pytest.fixture
def location(empty_archive: str) -> str:
    """The archive on each store."""
    fill(empty_archive)
    return empty_archive


def test_holds_the_smaller_side(path: Path) -> None:
    with Archive.open(path) as a:
        sets, gen = a.store.reader_sets, a.store.generation()
        # A confidential reader misses 1 of 12: the hidden side is held.
        table, bound, size = sets.hidden(reader(1), gen, text=False)
        assert size == 1 and bound == 13
        # An unclassified reader sees 8 of 12: still the hidden side (4).
        assert sets.hidden(reader(0), gen, text=False)[2] == 4
        # A reader with no clearance sees nothing: the shown side (empty) is held.
        assert sets.hidden(reader(-1), gen, text=False) is None
        assert sets.count(reader(-1), gen) == 0
        assert sets.count(reader(1), gen) == 11
        assert sets.count(reader(0), gen) == 8


def test_a_cable_stored_later_stays_hidden_under_the_old_set(path: Path) -> None:
    with Archive.open(path) as a:
        sets, gen = a.store.reader_sets, a.store.generation()
        old = sets.condition(reader(1), gen, text=False)
        with SQLiteStore(path) as other:  # another writer adds an unclassified cable
            other.put_many([cable(30, "UNCLASSIFIED")])
        ids = {i for (i,) in a.conn.execute(f"SELECT c.id FROM cables c WHERE {old}")}
        (new_id,) = a.conn.execute(
            "SELECT id FROM cables WHERE reference_id = '09TESTPOST030'"
        ).fetchone()
        assert new_id not in ids and len(ids) == 11  # the stale set admits nothing new
        # The next query sees the new generation and a new set admits it.
        b = a.with_access(reader(1))
        assert b.count("") == 12
        assert "09TESTPOST030" in {h.reference_id for h in b.search("tag:PREL")}


def test_the_next_query_counts_what_another_writer_stored(location: str) -> None:
    with Archive.open(location) as a:
        b = a.with_access(reader(1))
        assert b.count("") == 11 and b.count("minister") == 11
        with open_store(location) as other:  # another writer: one cable each side
            other.put_many([cable(30, "UNCLASSIFIED"), cable(31, "SECRET")])
        assert b.count("") == 12 and b.count("minister") == 12
        found = {h.reference_id for h in b.search("tag:PREL", sort="date")}
        assert "09TESTPOST030" in found and "09TESTPOST031" not in found
        assert b.get("09TESTPOST031") is None
        assert a.with_access(reader(2)).count("") == 14


def test_rebuilt_when_a_cable_changes(location: str) -> None:
    with Archive.open(location) as a:
        b = a.with_access(reader(1))
        assert b.get("09TESTPOST003") is not None
        assert b.count("minister") == 11
        a.store.put_many([cable(3, "SECRET")])  # raised to SECRET: a new version
        assert b.get("09TESTPOST003") is None
        assert b.count("minister") == 10
        assert b.count("tag:PREL") == 10
        assert "09TESTPOST003" not in {h.reference_id for h in b.search("", sort="date")}


def test_inside_an_open_transaction_rows_are_tested(path: Path) -> None:
    """No temp table is built inside a caller's transaction (a rollback would take it away
    while the set still names it): the condition on the access columns is used instead."""
    with Archive.open(path) as a:
        a.conn.execute("BEGIN")
        try:
            cond = a.store.reader_sets.condition(reader(1), a.store.generation(), text=False)
            assert "temp." not in cond and "class_rank" in cond
            (n,) = a.conn.execute(f"SELECT count(*) FROM cables c WHERE {cond}").fetchone()
            assert n == 11
        finally:
            a.conn.execute("ROLLBACK")


def test_sets_of_old_generations_are_dropped(path: Path) -> None:
    with Archive.open(path) as a:
        b = a.with_access(reader(1))
        b.count("")
        before = {n for (n,) in a.conn.execute("SELECT name FROM temp.sqlite_master")}
        a.store.put_many([cable(40, "UNCLASSIFIED")])
        b.count("")
        after = {n for (n,) in a.conn.execute("SELECT name FROM temp.sqlite_master")}
        assert before and not (before & after)
