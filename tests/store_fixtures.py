"""An empty archive on each store, for the tests of the modules beside the archive that write
their own tables (drafting, dispatch): `empty_archive` is parametrised over SQLite and
PostgreSQL, so the same test body runs on both (docs/postgresql.md, "Tests over both stores").

tests/conftest.py loads this module as a plugin, so every test may name the fixture.  On
PostgreSQL each test gets a new database copied from a template migrated once per session
(CREATE DATABASE … TEMPLATE: much faster than migrating each one); it is dropped after.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import pg_server

STORES = ("sqlite", "postgresql")
_names = itertools.count()


@pytest.fixture(scope="session")
def _pg_template(pg_server_dsn):
    """A database holding a new, empty archive (every migration taken), to copy from."""
    psycopg = pytest.importorskip("psycopg")
    from cablebase.archive.pg.store import PgStore

    name = "cb_empty_archive"
    with psycopg.connect(pg_server_dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    dsn = pg_server_dsn.replace(f"dbname={pg_server.DATABASE}", f"dbname={name}")
    PgStore(dsn).close()
    yield name
    with psycopg.connect(pg_server_dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _copy_strategy(conn) -> str:  # type: ignore[no-untyped-def]
    """Copy the template's files (PostgreSQL 15's default writes them through the WAL: about
    four times slower for a database this small)."""
    return " STRATEGY FILE_COPY" if conn.info.server_version >= 150000 else ""


@contextlib.contextmanager
def _new_archive(request, kind: str, folder: Path) -> Iterator[str]:
    """A new, empty archive of `kind` (its location), dropped when the block ends."""
    if kind == "sqlite":
        from cablebase.archive.sqlite import SQLiteStore

        path = folder / "cables.db"
        SQLiteStore(path).close()
        yield str(path)
        return
    server = request.getfixturevalue("pg_server_dsn")
    template = request.getfixturevalue("_pg_template")
    import psycopg

    name = f"cb_test_{next(_names)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}{_copy_strategy(conn)}")
    try:
        yield pg_server.url(server.replace(f"dbname={pg_server.DATABASE}", f"dbname={name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=STORES)
def empty_archive(request, tmp_path):
    """The location of a new, empty archive of this parameter's kind: a SQLite file's path
    or a PostgreSQL URL (what `--archive` and `Archive.open` take)."""
    with _new_archive(request, request.param, tmp_path) as location:
        yield location


@pytest.fixture(scope="module", params=STORES)
def module_archive(request, tmp_path_factory):
    """empty_archive for one test module (its server fixtures are module-scoped)."""
    with _new_archive(request, request.param, tmp_path_factory.mktemp("archive")) as location:
        yield location


@pytest.fixture
def archive_copies(request, tmp_path):
    """A factory: `copy(location)` is a new archive holding what `location` holds (a copy of
    the SQLite file, or a database made with the PostgreSQL one as its template: nobody may be
    connected to it then); the copies are dropped after the test."""
    from cablebase.archive.store import is_dsn

    made: list[str] = []
    server = None

    def copy(location: str) -> str:
        nonlocal server
        if not is_dsn(location):
            import shutil

            target = tmp_path / f"copy{len(made)}.db"
            shutil.copy(location, target)
            made.append(str(target))
            return str(target)
        import psycopg

        server = request.getfixturevalue("pg_server_dsn")
        source = location.rsplit("/", 1)[1]
        name = f"cb_copy_{next(_names)}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {source}{_copy_strategy(conn)}")
        made.append(name)
        return location.rsplit("/", 1)[0] + "/" + name

    yield copy
    if server is not None:
        import psycopg

        with psycopg.connect(server, autocommit=True) as conn:
            for name in made:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def new_archive(request, tmp_path):
    """A factory: `new(like)` is the location of a new, empty archive on the store of the
    archive `like` (a SQLite file in tmp_path, or a database on the same PostgreSQL server),
    so that a test parametrised over the stores writes its further archives on its own store;
    they are dropped after the test."""
    from cablebase.archive.store import is_dsn

    with contextlib.ExitStack() as made:

        def new(like) -> str:  # type: ignore[no-untyped-def]
            kind = "postgresql" if is_dsn(str(like)) else "sqlite"
            folder = tmp_path / f"new{next(_names)}"
            folder.mkdir()
            return made.enter_context(_new_archive(request, kind, folder))

        yield new
