"""Ingest throughput, CPU split, peak memory and archive size at full Cablegate scale.

    python bench/bench_ingest.py [--n 251287] [--workdir DIR] [--keep] [--no-dev] [--tables]
    python bench/bench_ingest.py --n 50000 --postgresql [URL]    # into PostgreSQL

Generates N synthetic cables as one cables.csv (the generator's own text), then ingests it plus
the dev corpus (../shared/corpus, when present) into a fresh SQLite archive with every core,
and prints items/s, wall time, the CPU seconds of the main (writer) process and of the worker
processes, peak RSS of the largest process, the archive's size against the input's, and (with
--tables) each table's share of the file.  Then prints the reference resolution rate of the dev
corpus alone (its own archive).  With --postgresql the same ingest goes into a PostgreSQL
database (its workers loading in parallel, pg/ingest.py): a throwaway server unless a URL is
given; the size is pg_database_size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from cablebase.archive.store import is_dsn
from generated_archive import (
    INGEST_CHILD,
    archive_bytes,
    throwaway_postgresql,
)  # bench/ is on sys.path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
DEV = [CORPUS / "cablegate-html-dev.tar.xz", CORPUS / "cables-dev.csv.xz"]


def _ingest(
    paths: list[Path], db: Path | str, workers: int | None = None
) -> tuple[float, str, dict]:
    """Run `cablebase ingest` in a child; return wall seconds, its summary line, its rusage.
    `db` is a SQLite file (removed first) or a postgresql:// URL (an empty database)."""
    if is_dsn(db):
        usage = paths[0].with_suffix(".rusage.json")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        usage = db.with_suffix(".rusage.json")
    cmd = [sys.executable, "-c", INGEST_CHILD, str(usage), "ingest", *map(str, paths)]
    cmd += ["--archive", str(db)] + (["--workers", str(workers)] if workers else [])
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: some items quarantined (named in the summary)
        sys.exit(f"ingest failed ({done.returncode}):\n{done.stderr}")
    summary = next(
        (ln for ln in reversed(done.stderr.splitlines()) if " items: " in ln), done.stderr
    )
    return seconds, summary.strip(), json.loads(usage.read_text())


def _tables(db: Path | str) -> list[tuple[str, int]]:
    """Bytes of each table and index (FTS5 shadow tables under their index's name; a
    PostgreSQL table with its indexes and TOAST)."""
    if is_dsn(db):
        import psycopg

        with psycopg.connect(str(db)) as conn:
            return conn.execute(
                "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = 'r'"
                " AND relnamespace = 'public'::regnamespace ORDER BY 2 DESC"
            ).fetchall()
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).fetchall()
    except sqlite3.OperationalError:  # SQLite built without dbstat
        return []
    finally:
        conn.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=251_287)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the generated input and archive")
    ap.add_argument("--no-dev", action="store_true", help="the generated cables only")
    ap.add_argument("--tables", action="store_true", help="print each table's size")
    ap.add_argument(
        "--postgresql",
        nargs="?",
        const="",
        metavar="URL",
        help="ingest into PostgreSQL: the empty database URL, or without one a throwaway server"
        " (the server's own CPU is not in the figures)",
    )
    args = ap.parse_args()
    with ExitStack() as stack:
        run(args, stack)


def run(args: argparse.Namespace, stack: ExitStack) -> None:
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cablebase-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {platform.node()} · "
        f"{os.cpu_count()} cores · Python {platform.python_version()} · SQLite "
        f"{sqlite3.sqlite_version} · load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    source = work / f"generated-{args.n}.csv"
    if not source.exists():
        from cablebase.generate import write

        t = time.perf_counter()
        write(args.n, "csv", source, seed=2026)
        print(
            f"generated {args.n:,} cables in {time.perf_counter() - t:.1f} s "
            f"({source.stat().st_size / 1e6:,.0f} MB csv)"
        )
    dev = [] if args.no_dev else [p for p in DEV if p.exists()]
    inputs = [source, *dev]
    db: Path | str = work / "bench.db"
    if args.postgresql is not None:
        db = args.postgresql or throwaway_postgresql(stack)
    seconds, line, usage = _ingest(inputs, db, args.workers)
    items = int(line.split(" items:", 1)[0].rsplit(" ", 1)[-1].replace(",", ""))
    # The input as ingest reads it: the csv, and the dev corpus's compressed files as they are.
    size_in = sum(p.stat().st_size for p in inputs)
    size = archive_bytes(db)
    peak = max(usage["main_rss"], usage["workers_rss"]) / 1024
    print(f"ingest: {line}")
    print(
        f"ingest wall time {seconds:.1f} s; main process {usage['main_cpu']:.1f} CPU-s "
        f"({usage['main_cpu'] / items * 1e6:,.0f} µs per item), workers "
        f"{usage['workers_cpu']:.1f} CPU-s; peak RSS main {usage['main_rss'] / 1024:,.0f} MiB, "
        f"largest process {peak:,.0f} MiB"
    )
    print(
        f"archive {size / 1e9:.3f} GB for {size_in / 1e9:.3f} GB of input ({size / size_in:.2f}x)"
    )
    if args.tables:
        for name, nbytes in _tables(db):
            if nbytes > size / 200:
                print(f"  {name:<24} {nbytes / 1e6:>9,.1f} MB  {nbytes / size:6.1%}")
    print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    if dev and len(dev) == len(DEV):
        dev_db = work / "dev.db"
        _ingest(DEV, dev_db)
        from cablebase.archive.api import Archive
        from cablebase.archive.stats import stats

        with Archive.open(dev_db) as archive:
            s = stats(archive)
        print(f"dev corpus references: {s.references}")
    if not args.keep:
        for p in work.iterdir():
            p.unlink()
        work.rmdir()


if __name__ == "__main__":
    main()
