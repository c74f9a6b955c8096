"""Ingest into PostgreSQL with the workers loading in parallel (archive/pg/ingest.py)."""

from __future__ import annotations

import psycopg
import pytest

from cablebase import render
from cablebase.archive.api import Archive
from cablebase.archive.ingest import ingest as sqlite_ingest
from cablebase.archive.pg.ingest import ingest
from cablebase.archive.pg.store import PgStore
from cablebase.generate import generate, member_name
from tests.pg.test_load import snapshot


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("pg-ingest")
    # Distinct cables (one generated sequence) as Cablegate pages and telegrams: a cable read
    # from two sources is merged by the SQLite store, not yet by this one (docs/postgresql.md).
    for i, c in enumerate(generate(200, seed=31)):
        form = "html" if i % 2 else "telegram"
        path = root / "in" / member_name(c, form)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render.to_form(c, form))
    (root / "in" / "junk.txt").write_text("nothing here is a cable\n")
    (root / "in" / "empty.html").write_text("")
    return root


@pytest.mark.parametrize("workers", [1, 2])
def test_ingest_stores_what_the_sqlite_ingest_stores(inputs, pg_dsn, workers):
    sqlite = sqlite_ingest([inputs / "in"], inputs / f"archive{workers}.db", workers=1)
    first = ingest([inputs / "in"], pg_dsn, workers=workers)
    assert (first.items, first.added, first.quarantined) == (
        sqlite.items,
        sqlite.added,
        sqlite.quarantined,
    )
    assert first.quarantined >= 1  # the junk file at least
    with psycopg.connect(pg_dsn) as conn:
        before = snapshot(conn)
        quarantined = conn.execute("SELECT location, reason FROM quarantine ORDER BY 1").fetchall()
    with Archive.open(inputs / f"archive{workers}.db") as archive:
        assert sorted((loc, why) for loc, why, _ in archive.store.quarantined()) == quarantined
        with PgStore(pg_dsn) as pg:
            assert pg.count() == len(archive)
            for q in ("", "embassy", "tag:PREL", "class:>=c", "released:2010"):
                assert Archive(pg).count(q) == archive.count(q), q
    again = ingest([inputs / "in"], pg_dsn, workers=workers)
    assert (again.added, again.updated, again.unchanged) == (0, 0, first.added)
    with psycopg.connect(pg_dsn) as conn:
        assert snapshot(conn) == before


def test_ingest_killed_midway_is_completed_by_running_it_again(inputs, pg_dsn):
    """kill -9 of an ingest between its batches' transactions: the cables of finished
    batches are whole, the batch in flight is not there at all, and the same ingest run
    again completes the archive (as one uninterrupted run would have made it)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    # Each batch's load held 50 ms after its commit, so the kill lands mid-run on any machine.
    code = (
        "import sys, time; import cablebase.archive.pg.ingest as I; load = I.load;"
        " I.load = lambda conn, rows: (load(conn, rows), time.sleep(0.05))[0];"
        " I.ingest([sys.argv[1]], sys.argv[2], workers=1, batch=5)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", code, str(inputs / "in"), pg_dsn], env=env)
    try:
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            deadline = time.monotonic() + 60
            stored = 0
            while stored < 20 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
                if conn.execute("SELECT to_regclass('cables')").fetchone()[0]:
                    stored = conn.execute("SELECT count(*) FROM cables").fetchone()[0]
            assert proc.poll() is None, "the ingest finished before it could be killed"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(30)
            partial = snapshot(conn)
            assert 0 < partial["cables"] < 200
            assert partial["texts"] == partial["cables"] == partial["cable_sources"]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    again = ingest([inputs / "in"], pg_dsn, workers=2)
    assert again.added + again.unchanged == 200 and again.unchanged >= partial["cables"]
    with psycopg.connect(pg_dsn) as conn:
        done = snapshot(conn)
    assert done["cables"] == done["texts"] == done["cable_sources"] == 200
