"""The throwaway PostgreSQL server the PostgreSQL store's tests run against."""

from __future__ import annotations

import psycopg


def test_server_answers_on_loopback(pg_dsn):
    with psycopg.connect(pg_dsn) as conn:
        version = conn.execute("SHOW server_version_num").fetchone()[0]
        address = conn.execute("SELECT inet_server_addr()::text").fetchone()[0]
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()[0]
    assert int(version) >= 130000
    assert address.startswith("127.0.0.1")
    assert tables == 0  # a new database per test


def test_no_binaries_is_unavailable(monkeypatch):
    """Without initdb and pg_ctl the server is Unavailable (the fixture skips on it, or with
    CABLEBASE_REQUIRE_POSTGRES=1 fails)."""
    import pytest

    from tests import pg_server

    monkeypatch.setattr(pg_server, "bin_dir", lambda: None)
    with pytest.raises(pg_server.Unavailable):
        pg_server.start()
    monkeypatch.setenv(pg_server.REQUIRE, "1")
    assert pg_server.required()
    monkeypatch.setenv(pg_server.REQUIRE, "0")
    assert not pg_server.required()


def test_starts_with_a_temporary_folder_closed_to_postgres(monkeypatch, tmp_path):
    """As root, with TMPDIR a folder only root may enter, the cluster still starts (it lives
    where its unprivileged owner can reach it)."""
    import os
    import tempfile

    import pytest

    from tests import pg_server

    if os.geteuid() != 0 or pg_server.bin_dir() is None:
        pytest.skip("only as root, with PostgreSQL's binaries")
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    monkeypatch.setattr(tempfile, "tempdir", str(closed))
    server = pg_server.start()
    try:
        with psycopg.connect(server.dsn) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        server.stop()
    assert not server.root.exists()
