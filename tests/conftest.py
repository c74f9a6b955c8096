"""Shared test fixtures: where ../shared is, and skipping when it is absent."""

from __future__ import annotations

import multiprocessing
import signal
from pathlib import Path

import pytest

from tests import pg_server

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
