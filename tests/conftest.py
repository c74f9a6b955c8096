"""Shared test fixtures: where ../shared is, and skipping when it is absent."""

from __future__ import annotations

import multiprocessing
import signal
from pathlib import Path

import pytest

from tests import pg_server

# access_store / pg_access_dsn: access-control tests over both stores; empty_archive: a new
# archive on each store (drafting, dispatch).
pytest_plugins = ["tests.access_stores", "tests.store_fixtures"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
CORPUS = SHARED / "corpus"
HTML_TAR = CORPUS / "cablegate-html-dev.tar.xz"
CABLES_CSV = CORPUS / "cables-dev.csv.xz"
SEED = SHARED / "seed" / "000_a14579bc8f05333a.txt"


def need(path: Path) -> Path:
    """Skip the calling test when a file from ../shared is missing (a user's fresh clone)."""
    if not path.exists():
        pytest.skip(f"{path} not present (../shared is only on CI and developer machines)")
    return path


@pytest.fixture
def html_tar() -> Path:
    return need(HTML_TAR)


@pytest.fixture
def cables_csv() -> Path:
    return need(CABLES_CSV)


@pytest.fixture
def seed_path() -> Path:
    return need(SEED)


@pytest.fixture(autouse=True)
def _leaves_no_worker_or_signal_handler():
    """A test leaves no worker process running and the signal handlers as it found them.

    A SIGTERM handler left behind by one in-process CLI test made every later forked pool
    worker unkillable, and CI hung for ever after its last test (session 6)."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    yield
    changed = [s.name for s, h in handlers.items() if signal.getsignal(s) is not h]
    for s, h in handlers.items():
        signal.signal(s, h)
    left = multiprocessing.active_children()
    for p in left:
        p.kill()
        p.join(5)
    assert not changed, f"signal handlers left changed: {changed}"
    assert not left, f"worker processes left running: {left}"


@pytest.fixture(scope="session")
def pg_server_dsn():
    """The DSN of a throwaway PostgreSQL server for the whole session (tests/pg_server.py).
    Skips without PostgreSQL's binaries, unless CABLEBASE_REQUIRE_POSTGRES=1 (then fails)."""
    try:
        server = pg_server.start()
    except pg_server.Unavailable as e:
        if pg_server.required():
            pytest.fail(f"{pg_server.REQUIRE}=1 and no PostgreSQL server: {e}")
        pytest.skip(f"no PostgreSQL server: {e}")
    try:
        yield server.dsn
    finally:
        server.stop()


_databases = iter(range(1, 1 << 30))


@pytest.fixture
def pg_dsn(pg_server_dsn):
    """A new empty database on the session's server, dropped after the test."""
    psycopg = pytest.importorskip("psycopg")
    name = f"t{next(_databases)}"
    with psycopg.connect(pg_server_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield pg_server_dsn.replace(f"dbname={pg_server.DATABASE}", f"dbname={name}")
    finally:
        with psycopg.connect(pg_server_dsn, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


STORES = ("sqlite", "postgresql")


@pytest.fixture(scope="module", params=STORES)
def archive_store(request, tmp_path_factory):
    """A factory over each store (docs/stores.md): `archive_store(cables)` stores the records
    in a new archive of this parameter's kind — a SQLite file, or a database on the session's
    PostgreSQL server — and returns its location, which `Archive.open` takes; the test then
    runs once per store.  The PostgreSQL parameter skips without a server (pg_server_dsn)."""
    kind = request.param
    made: list[str] = []
    if kind == "sqlite":
        from cablebase.archive.sqlite import SQLiteStore

        def make(cables) -> str:
            path = tmp_path_factory.mktemp("archive") / "archive.db"
            with SQLiteStore(path) as store:
                for i in range(0, len(cables), 500):
                    store.put_many(cables[i : i + 500])
            return str(path)

        yield make
        return
    server = request.getfixturevalue("pg_server_dsn")
    psycopg = pytest.importorskip("psycopg")
    from cablebase.archive.pg.store import PgStore

    def make(cables) -> str:  # type: ignore[no-redef]
        name = f"a{next(_databases)}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        made.append(name)
        dsn = server.replace(f"dbname={pg_server.DATABASE}", f"dbname={name}")
        with PgStore(dsn) as store:
            for i in range(0, len(cables), 500):
                store.put_many(cables[i : i + 500])
        return pg_server.url(dsn)

    try:
        yield make
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            for name in made:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def store_ids(archive) -> dict[str, int]:
    """reference id -> store id of every cable of an archive over either store (ties of the
    hit orders break on it)."""
    return dict(archive.store.conn.execute("SELECT reference_id, id FROM cables").fetchall())
