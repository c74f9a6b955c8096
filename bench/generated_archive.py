"""Shared by the benchmarks: an archive of N generated cables, built through the real ingest."""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from pathlib import Path


def generate(csv_path: Path, n: int) -> None:
    """Write N generated cables (seed 1) as one cables.csv."""
    from cablebase.generate import write

    t = time.perf_counter()
    write(n, "csv", csv_path, seed=1)
    print(f"wrote {n:,} generated cables in {time.perf_counter() - t:.0f} s", file=sys.stderr)


def ingest_into(csv_path: Path, location: str | Path) -> float:
    """Ingest the csv into an archive (a SQLite file or a postgresql:// URL, which ingests with
    its workers loading in parallel); return the wall seconds of the ingest."""
    from cablebase.archive.ingest import ingest

    t = time.perf_counter()
    summary = ingest([csv_path], location)
    seconds = time.perf_counter() - t
    print(summary.line(), file=sys.stderr)
    return seconds


def build(path: Path, n: int) -> float:
    """Write N generated cables as one cables.csv next to `path`, ingest it, remove the csv;
    return the ingest's wall seconds."""
    csv_path = path.with_suffix(".csv")
    generate(csv_path, n)
    try:
        return ingest_into(csv_path, path)
    finally:
        csv_path.unlink()


def archive_bytes(location: str | Path) -> int:
    """The archive on disk: the SQLite file (and its WAL), or the PostgreSQL database."""
    from cablebase.archive.store import is_dsn

    if is_dsn(location):
        import psycopg

        with psycopg.connect(str(location)) as conn:
            (size,) = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        return size
    files = [Path(str(location) + s) for s in ("", "-wal")]
    return sum(f.stat().st_size for f in files if f.exists())


def throwaway_postgresql(stack: ExitStack) -> str:
    """The URL of a new database on a throwaway PostgreSQL server (tests/pg_server.py: fsync
    off, shared_buffers 64 MB), stopped and removed when `stack` closes."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests import pg_server

    server = pg_server.start()
    stack.callback(server.stop)
    return pg_server.url(server.dsn)


# `cablebase ingest` run in a child (bench_ingest.py, bench_scale.py), writing the child's own
# CPU time (the main process: reading, dispatching, writing) and its reaped workers' to the
# file named by argv[1].
INGEST_CHILD = """
import atexit, json, resource, sys
out = sys.argv.pop(1)
def report():
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    with open(out, "w") as f:
        json.dump({"main_cpu": me.ru_utime + me.ru_stime, "main_rss": me.ru_maxrss,
                   "workers_cpu": kids.ru_utime + kids.ru_stime, "workers_rss": kids.ru_maxrss}, f)
atexit.register(report)
from cablebase.cli import main
main(prog_name="cablebase")
"""
