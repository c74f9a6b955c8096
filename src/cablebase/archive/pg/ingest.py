"""Ingest into PostgreSQL with the workers writing in parallel (issue 13).

The main process walks the sources and cuts them into raw items, as archive/ingest.py does;
each worker process parses a batch, prepares its rows and loads them itself over its own
connection (archive/pg/load.py: one transaction per batch, safe beside the other workers'),
then answers with counts only.  The main process writes the quarantine and the summary.
Idempotent like the SQLite ingest: running it again over the same inputs changes nothing.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterable

import psycopg

from cablebase.archive.ingest import (
    TASK,
    IngestSummary,
    Progress,
    _location,
    _parse,
    pack_task,
    raw_items,
    unpack_task,
)
from cablebase.archive.pg import schema
from cablebase.archive.pg.load import load
from cablebase.archive.pg.store import connect
from cablebase.archive.sqlite import Prepared
from cablebase.forms.sources import Failure, Limits
from cablebase.processes import pool as worker_pool

_conn: psycopg.Connection | None = None  # the worker's own connection


def _connect(dsn: str) -> None:
    global _conn
    _conn = psycopg.connect(dsn, autocommit=True)


def _work(task: list | tuple) -> tuple[int, int, int, int, int, list[tuple[str, str]]]:
    """Parse and load a batch (ingest.pack_task): (added, updated, unchanged, further
    sources, warnings, quarantined items)."""
    assert _conn is not None
    rows: list[Prepared] = []
    failed: list[tuple[str, str]] = []
    warnings = 0
    for item in unpack_task(task):
        result = _parse(item)
        if isinstance(result, Failure):
            failed.append((_location(result), result.reason))
        elif not result.reference_id:
            _, path, offset = result.location or (None, None, None)
            where = (path or "?") + (f"#row{offset}" if offset is not None else "")
            failed.append((where, "no reference id could be read or derived"))
        else:
            warnings += result.warnings
            rows.append(result)
    done = load(_conn, rows)
    return done.added, done.updated, done.unchanged, done.sources, warnings, failed


def _batches(items: Iterable, size: int) -> Iterable[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    dsn: str,
    *,
    form: str = "auto",
    year: int | None = None,
    workers: int | None = None,
    batch: int = TASK,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> IngestSummary:
    """Read every item under `paths` into the PostgreSQL archive `dsn`."""
    global _conn
    limits = limits if limits is not None else Limits.from_env()
    with connect(dsn) as conn:  # an unreachable server: one sentence (ArchiveFileError)
        schema.migrate(conn)
        summary = IngestSummary()
        start = time.perf_counter()
        items = raw_items(paths, summary, form=form, year=year, limits=limits)

        def add(result: tuple[int, int, int, int, int, list[tuple[str, str]]], n: int) -> None:
            added, updated, unchanged, sources, warnings, failed = result
            summary.items += n
            summary.added += added
            summary.updated += updated
            summary.unchanged += unchanged
            summary.sources += sources
            summary.warnings += warnings
            for location, reason in failed:
                _quarantine(conn, summary, location, reason)
            if progress:
                summary.seconds = time.perf_counter() - start
                progress(summary)

        workers = workers if workers is not None else (os.cpu_count() or 1)
        try:
            if workers <= 1:
                _connect(dsn)
                try:
                    for b in _batches(items, batch):
                        add(_work(b), len(b))
                finally:
                    _conn.close()  # type: ignore[union-attr]
                    _conn = None
            else:
                _parallel(items, dsn, workers, batch, add)
        finally:
            summary.seconds = time.perf_counter() - start
    return summary


def _parallel(items: Iterable, dsn: str, workers: int, batch: int, add) -> None:
    """Batches to a pool of loading workers, a bounded number in flight (reading never runs
    far ahead of loading), results taken in order."""
    pool = worker_pool(workers, initializer=_connect, initargs=(dsn,))
    try:
        in_flight: deque = deque()
        for b in _batches(items, batch):
            in_flight.append((pool.apply_async(_work, (pack_task(b),)), len(b)))
            if len(in_flight) >= 3 * workers:
                task, n = in_flight.popleft()
                add(task.get(), n)
        while in_flight:
            task, n = in_flight.popleft()
            add(task.get(), n)
        pool.close()  # every task answered: the workers finish (their connections close)
    finally:
        pool.terminate()
        pool.join()


def _quarantine(conn, summary: IngestSummary, location: str, reason: str) -> None:
    conn.execute(
        "INSERT INTO quarantine (location, reason, seen) VALUES (%s, %s, %s)"
        " ON CONFLICT (location) DO UPDATE SET reason = excluded.reason, seen = excluded.seen",
        (location, reason, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
    )
    summary.quarantined += 1
    kind = reason.split(":", 1)[0]
    summary.reasons[kind] = summary.reasons.get(kind, 0) + 1
    if len(summary.examples) < 10:
        summary.examples.append(f"{location}: {reason}")
