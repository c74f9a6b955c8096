"""Access control over both stores (docs/stores.md): an empty archive per test, SQLite's or
PostgreSQL's, for the tests of accounts, sessions, the audit log and the policy.

`access_store` is parametrised over tests/conftest.py's STORES: a new SQLite file, or the
module's PostgreSQL database emptied (a database per test would cost more than the test).
A plugin of tests/conftest.py, so every test module has it; its `.path`
is the archive's location, which `open_store` and `AuditWriter` take.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests import pg_server
from tests.conftest import STORES, _databases

# Every table a test may write: emptied before each test (ids start again at 1).
_TABLES = (
    "users, sessions, login_failures, audit, settings, cables, cable_versions, cable_sources,"
    " quarantine, words"
)


@pytest.fixture(scope="module")
def pg_access_dsn(request: pytest.FixtureRequest) -> Iterator[str]:
    """A PostgreSQL database holding an empty archive, for one test module."""
    server = request.getfixturevalue("pg_server_dsn")
    psycopg = pytest.importorskip("psycopg")
    from cablebase.archive.pg.store import PgStore

    name = f"acc{next(_databases)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    dsn = server.replace(f"dbname={pg_server.DATABASE}", f"dbname={name}")
    try:
        PgStore(dsn).close()  # the schema, once
        yield pg_server.url(dsn)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def empty_pg(dsn: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {_TABLES} RESTART IDENTITY CASCADE")


@pytest.fixture(params=STORES)
def access_store(request: pytest.FixtureRequest, tmp_path) -> Iterator[Any]:
    """A writable store of an empty archive: SQLiteStore or PgStore."""
    from cablebase.archive.store import open_store

    if request.param == "sqlite":
        location: Any = tmp_path / "archive.db"
    else:
        location = request.getfixturevalue("pg_access_dsn")
        empty_pg(location)
    store = open_store(location)
    try:
        yield store
    finally:
        store.close()


def stored_text(store: Any) -> bytes:
    """Everything the archive holds, as bytes: the SQLite file (and its journal), or every
    row of every table of the PostgreSQL database as text."""
    from pathlib import Path

    if isinstance(store.path, Path):
        return b"".join(p.read_bytes() for p in store.path.parent.iterdir() if p.is_file())
    conn = store.conn
    tables = [
        t
        for (t,) in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
    ]
    out = []
    for t in tables:
        out += [str(row[0]) for row in conn.execute(f'SELECT x::text FROM "{t}" x')]
    return "\n".join(out).encode()
