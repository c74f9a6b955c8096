"""archive/db.py: the SQL the two stores share means the same on both (a SQLite file and a
real PostgreSQL database)."""

from __future__ import annotations

import sqlite3

import pytest

from cablebase.archive.db import Db, pg_sql


@pytest.fixture(params=("sqlite", "postgresql"))
def db(request, tmp_path):
    if request.param == "sqlite":
        conn = sqlite3.connect(tmp_path / "t.db")
        key = "INTEGER PRIMARY KEY"
    else:
        psycopg = pytest.importorskip("psycopg")
        conn = psycopg.connect(request.getfixturevalue("pg_dsn"), autocommit=True)
        key = "bigserial PRIMARY KEY"
    conn.execute(f"CREATE TABLE t (id {key}, name text UNIQUE NOT NULL, note text)")
    try:
        yield Db.of(conn)
    finally:
        conn.close()


def test_placeholders_become_psycopg_ones_outside_quotes():
    assert pg_sql("SELECT ? WHERE a LIKE 'x%' AND b = '?'") == (
        "SELECT %s WHERE a LIKE 'x%%' AND b = '?'"
    )
    assert pg_sql('SELECT "a?b", ?, 5 % 2') == 'SELECT "a?b", %s, 5 %% 2'
    assert pg_sql("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', %s"


def test_insert_returns_the_new_id_and_placeholders_bind(db):
    first = db.insert("INSERT INTO t (name, note) VALUES (?, ?)", ("a", "50% off"))
    second = db.insert("INSERT INTO t (name, note) VALUES (?, ?)", ("b", None))
    assert second == first + 1
    assert db.one("SELECT note FROM t WHERE id = ?", (first,)) == "50% off"
    # A literal % beside a placeholder means itself on both engines.
    assert db.execute(
        "SELECT name FROM t WHERE note LIKE '50%' AND id = ?", (first,)
    ).fetchall() == [("a",)]
    assert db.one("SELECT count(*) FROM t") == 2


def test_executemany_and_upsert(db):
    db.executemany(
        "INSERT INTO t (name, note) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET note = excluded.note",
        [("a", "1"), ("b", "2"), ("a", "3")],
    )
    assert db.execute("SELECT name, note FROM t ORDER BY name").fetchall() == [
        ("a", "3"),
        ("b", "2"),
    ]


def test_integrity_error_is_caught_as_one_kind(db):
    db.insert("INSERT INTO t (name) VALUES (?)", ("a",))
    with pytest.raises(Db.IntegrityError):
        db.insert("INSERT INTO t (name) VALUES (?)", ("a",))


def test_missing_table_is_caught_as_one_kind(db):
    with pytest.raises(Db.MissingTable):
        db.execute("SELECT * FROM no_such_table WHERE x = ?", (1,))


def test_transaction_commits_or_rolls_back_as_a_unit(db):
    with db.transaction():
        db.insert("INSERT INTO t (name) VALUES (?)", ("kept",))
    with pytest.raises(RuntimeError), db.transaction():
        db.insert("INSERT INTO t (name) VALUES (?)", ("lost1",))
        db.insert("INSERT INTO t (name) VALUES (?)", ("lost2",))
        assert db.in_transaction
        raise RuntimeError("abandon")
    assert not db.in_transaction
    assert db.execute("SELECT name FROM t").fetchall() == [("kept",)]


def test_nested_transaction_belongs_to_the_outer_unit(db):
    with pytest.raises(RuntimeError), db.transaction():
        db.insert("INSERT INTO t (name) VALUES (?)", ("outer",))
        with db.transaction():
            db.insert("INSERT INTO t (name) VALUES (?)", ("inner",))
        raise RuntimeError("abandon")
    assert db.one("SELECT count(*) FROM t") == 0


def test_of_keeps_a_db():
    conn = sqlite3.connect(":memory:")
    db = Db.of(conn)
    assert Db.of(db) is db and db.kind == "sqlite" and not db.postgres


def test_among_is_one_parameter_for_any_number_of_values(db):
    db.executemany("INSERT INTO t (name) VALUES (?)", [(n,) for n in ("a", "b", "c", "it's")])

    def names(values) -> list[str]:
        params: list = []
        cond = db.among("name", values, params)
        assert len(params) == 1
        return [n for (n,) in db.execute(f"SELECT name FROM t WHERE {cond} ORDER BY name", params)]

    assert names(["c", "a", "zzz"]) == ["a", "c"]
    assert names(["it's"]) == ["it's"]
    assert names([]) == []
    params: list = []  # NOT of an empty list: every row
    cond = db.among("name", [], params)
    assert db.one(f"SELECT count(*) FROM t WHERE NOT ({cond})", params) == 4
    params = []
    ids = db.among("id", [1, 3], params)
    assert db.one(f"SELECT count(*) FROM t WHERE {ids}", params) == 2
