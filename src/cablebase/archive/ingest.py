"""Ingest: every input item of some paths into the archive, parsed on all cores.

The main process walks the sources (reading archives in place) and cuts them into items, each
its raw bytes (forms.sources.Raw); worker processes decode and unwrap them, run the telegram
grammar and turn each record into the rows that store it (sqlite.Prepared); the main process
only adds cable ids and writes them.  Writes go in batches, one transaction each, and are
idempotent (a record whose content is already stored changes nothing), so an ingest killed at
any moment is completed by running it again, with no duplicates.  A cable read again from
another form or file is kept as a further source and the stored record is their merge
(archive/merge.py).  Every input item ends up
counted: stored (added, updated or unchanged) or quarantined with its location and reason.
"""

from __future__ import annotations

import gc
import marshal
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from cablebase.archive.sqlite import Prepared, PutResult, SQLiteStore, from_state, prepare
from cablebase.archive.store import is_dsn
from cablebase.forms.exported import Exported
from cablebase.forms.sources import Failure, Limits, Raw, input_size, iter_items
from cablebase.grammar import parse_unwrapped
from cablebase.grammar.unwrapped import Unwrapped
from cablebase.processes import pool as worker_pool

# Items per write transaction.  Each is one segment of the full-text index (its 16 MB of
# schema migration 13 hold a batch's postings): 2,000 rather than 1,000 is half as many
# segments to merge (FTS-only replay of 250,000 cables: 125 -> 115 us a cable; issue 13).
BATCH = 2000
# Items per task sent to a worker: 256 rather than 64 took 13 % off the writer's CPU per item
# (fewer messages for the pool's threads to pass on; docs/benchmarks.md).
TASK = 256
# Tasks in flight per worker: sent and not yet written.  Answered ones wait here while the
# writer commits a batch (2,000 items: several tasks' worth), so with 3 a worker sometimes
# found no task left to start; 5 keep them busy (~4 MB each: input and rows).
AHEAD = 5
SWITCH = 0.0005  # seconds: the main thread's turns at the interpreter lock while a pool runs
EXAMPLES = 10  # quarantined items named in the summary (all are in `cablebase errors`)
# Share of the input read after which a bulk load builds its deferred indexes (SQLiteStore.
# defer_indexes), one between two write batches, rather than all after its last batch: each
# build takes the writer's core while the workers parse the tasks in flight on the other,
# where after the load that core idled (9 CPU-s at 251,287 cables).  The rows written after
# an index is built keep it up to date, a few per cent of them (docs/benchmarks.md).
TAIL = 0.9


@dataclass(slots=True)
class IngestSummary:
    items: int = 0  # every input item seen: cables and failures
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    sources: int = 0  # of the updated and unchanged: a further source of a stored cable
    warnings: int = 0
    seconds: float = 0.0
    bytes_read: int = 0  # of the input files, for progress
    bytes_total: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # quarantine reason kind -> count
    examples: list[str] = field(default_factory=list)  # the first quarantined: "where: why"

    @property
    def stored(self) -> int:
        return self.added + self.updated + self.unchanged

    @property
    def eta(self) -> float | None:
        """Seconds left, estimated from the share of input bytes read so far."""
        if not self.bytes_total or not self.bytes_read or not self.seconds:
            return None
        done = min(self.bytes_read / self.bytes_total, 1.0)
        return self.seconds * (1 - done) / done

    def line(self) -> str:
        rate = self.items / self.seconds if self.seconds else 0.0
        return (
            f"{self.items:,} items: {self.added:,} added, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged, {self.quarantined:,} quarantined, "
            f"{self.sources:,} further sources of stored cables "
            f"({self.warnings:,} warnings) in {self.seconds:.1f} s, {rate:,.0f} items/s"
        )


Progress = Callable[[IngestSummary], None]


def _parse(item: Raw | Unwrapped | Exported | Failure) -> Prepared | Failure:
    """Read and parse one item and make its rows: all of it runs in the worker processes."""
    if isinstance(item, Raw):
        try:
            item = item.read()
        except Exception as exc:  # Raw.read reports what it knows; this guards the rest
            return Failure(
                item.location, f"adapter error: {type(exc).__name__}: {exc}", item.offset
            )
    if isinstance(item, Failure):
        return item
    if isinstance(item, Exported):  # a record of cablebase's own export: stored as it is
        return prepare(item.cable)
    try:
        return prepare(parse_unwrapped(item))
    except Exception as exc:  # parse_unwrapped keeps rule errors; this guards the rest
        return Failure(item.path or "?", f"parser error: {type(exc).__name__}: {exc}", item.offset)


def _location(f: Failure) -> str:
    return f"{f.location}#row{f.offset}" if f.offset is not None else f.location


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused (the caller's setting put back after), to be run
    once per batch instead (gc.collect(1)) on what the batch allocated.  Left on, it walks
    the young objects every 700 allocations, and a batch allocates tens of thousands (parse
    trees, rows) that make no cycles: 4-6 % of a worker's CPU and of the writer's
    (docs/benchmarks.md)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def pack_task(batch: list[Raw | Unwrapped | Exported | Failure]) -> list | tuple:
    """A batch as it crosses to a worker.  The rows of one cables.csv go as the fields they
    share and their (row index, bytes) pairs: pickled in half the main process's time of the
    Raw objects, and read back in about half the worker's.  Any other batch goes as it is."""
    first = batch[0]
    if type(first) is not Raw or first.offset is None:
        return batch
    shared = (first.location, first.name, first.form, first.year, first.note)
    rows = []
    for r in batch:
        if type(r) is not Raw or r.offset is None:
            return batch
        if (r.location, r.name, r.form, r.year, r.note) != shared:
            return batch
        rows.append((r.offset, r.data))
    return (*shared, rows)


def unpack_task(task: list | tuple) -> list[Raw | Unwrapped | Exported | Failure]:
    """The batch pack_task packed."""
    if isinstance(task, list):
        return task
    location, name, form, year, note, rows = task
    return [Raw(data, location, name, form, year, note, offset) for offset, data in rows]


def _parse_batch(task: list | tuple) -> bytes | list:
    """A task's results (pack_task) as marshal bytes: each record's rows as a tuple
    (Prepared.state), each failure as a list [location, reason, offset].  The writer reads
    these back 40 % faster than it unpickles the same objects, and the worker writes them
    60 % faster (docs/benchmarks.md).  A value marshal cannot write (a str subclass, say)
    sends the batch as objects, pickled as before (a Prepared pickles as its state)."""
    with _gc_paused():
        # Each record is let go as soon as its rows are made: the next one's parse reuses its
        # memory, still in the cache (a task's peak 16 -> 11 MB), and marshal writes the rows'
        # values, no longer shared with a record, without its table of shared objects
        # (docs/benchmarks.md, ingest workers, session 16).
        values = [
            r.state() if isinstance(r, Prepared) else [r.location, r.reason, r.offset]
            for r in map(_parse, unpack_task(task))
        ]
        try:
            data: bytes | list = marshal.dumps(values)
        except ValueError:
            return [Failure(*v) if isinstance(v, list) else from_state(v) for v in values]
        del values
        gc.collect(1)
    return data


def _unbatch(result: bytes | list) -> list[Prepared | Failure]:
    """What _parse_batch sent, as objects again."""
    if not isinstance(result, bytes):
        return result
    return [
        Failure(*value) if isinstance(value, list) else from_state(value)
        for value in marshal.loads(result)
    ]


def _batches(items: Iterable[Raw | Unwrapped | Exported | Failure], size: int) -> Iterator[list]:
    """Lists of up to `size` items, the first ones smaller (16, 32, ...): a small input is
    still spread over every worker."""
    batch: list = []
    step = min(16, size)
    for item in items:
        batch.append(item)
        if len(batch) >= step:
            yield batch
            batch = []
            step = min(2 * step, size)
    if batch:
        yield batch


def _parsed(
    items: Iterable[Raw | Unwrapped | Exported | Failure], workers: int
) -> Iterator[Prepared | Failure]:
    """Parse in worker processes, in input order, with a bounded number of batches in flight:
    reading never runs ahead of parsing, so memory stays flat whatever the input's size."""
    if workers <= 1:
        yield from map(_parse, items)
        return
    pool = worker_pool(workers)
    # The pool's threads pass the tasks and results on between this thread's spells of work;
    # a shorter switch interval hands them the interpreter lock sooner (else up to 5 ms
    # a message while a worker waits to send).  Put back after.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH)
    try:
        in_flight: deque = deque()
        for batch in _batches(items, TASK):
            in_flight.append(pool.apply_async(_parse_batch, (pack_task(batch),)))
            if len(in_flight) >= AHEAD * workers:
                yield from _unbatch(in_flight.popleft().get())
        while in_flight:
            yield from _unbatch(in_flight.popleft().get())
        pool.close()  # every task answered: let the workers finish rather than kill them
    finally:
        pool.terminate()  # a no-op after close(); kills the workers on an error or early stop
        pool.join()
        sys.setswitchinterval(switch)


def raw_items(
    paths: Iterable[str | os.PathLike[str]],
    summary: IngestSummary,
    *,
    form: str,
    year: int | None,
    limits: Limits,
) -> Iterator[Raw | Unwrapped | Exported | Failure]:
    """Every input item under `paths` as raw bytes for the workers, the bytes read counted
    into `summary` (its total set first, for progress) — the same for every store."""
    paths = list(paths)
    summary.bytes_total = sum(input_size(p) for p in paths if os.fspath(p) != "-")

    def on_read(n: int) -> None:
        summary.bytes_read += n

    return chain.from_iterable(
        iter_items(p, form=form, year=year, on_read=on_read, limits=limits, raw=True) for p in paths
    )


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    archive: str | os.PathLike[str] | SQLiteStore,
    *,
    form: str = "auto",
    year: int | None = None,
    workers: int | None = None,
    batch: int | None = None,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> IngestSummary:
    """Read every item under `paths` into the archive; return what happened to each.

    ``limits`` bound what each input may expand to (default: Limits.from_env()).  ``batch``:
    items per write transaction (default BATCH on SQLite, TASK per worker on PostgreSQL).
    """
    limits = limits if limits is not None else Limits.from_env()
    if is_dsn(archive):  # a PostgreSQL archive: its workers load in parallel (pg/ingest.py)
        from cablebase.archive.pg.ingest import ingest as pg_ingest

        return pg_ingest(
            paths, str(archive), form=form, year=year, workers=workers, progress=progress,
            limits=limits, batch=batch or TASK,
        )  # fmt: skip
    with _gc_paused():
        return _ingest_sqlite(
            paths, archive, form=form, year=year, workers=workers, batch=batch or BATCH,
            progress=progress, limits=limits,
        )  # fmt: skip


def _ingest_sqlite(
    paths: Iterable[str | os.PathLike[str]],
    archive: str | os.PathLike[str] | SQLiteStore,
    *,
    form: str,
    year: int | None,
    workers: int | None,
    batch: int,
    progress: Progress | None,
    limits: Limits,
) -> IngestSummary:
    store = archive if isinstance(archive, SQLiteStore) else SQLiteStore(Path(archive))
    summary = IngestSummary()
    start = time.perf_counter()
    items = raw_items(paths, summary, form=form, year=year, limits=limits)
    pending: list[Prepared] = []
    workers = workers if workers is not None else (os.cpu_count() or 1)
    # The load reads the file through the page cache, not memory-mapped: the pages it reads
    # (the full-text index's segments as they merge, the tables' last pages) are written
    # anyway, and every mapped page counted in the process's memory (922 MiB at 251,287
    # cables, docs/benchmarks.md).  The connection's setting is put back after.
    (mmap_size,) = store.conn.execute("PRAGMA mmap_size").fetchone()
    store.conn.execute("PRAGMA mmap_size = 0")
    try:
        # An empty archive: its search indexes built near the end (TAIL).
        deferred = store.defer_indexes() and summary.bytes_total > 0
        for result in _parsed(items, workers):
            summary.items += 1
            if isinstance(result, Failure):
                _quarantine(store, summary, _location(result), result.reason)
                continue
            if not result.reference_id:
                _, path, offset = result.location or (None, None, None)
                where = path or "?"
                if offset is not None:
                    where = f"{where}#row{offset}"
                _quarantine(store, summary, where, "no reference id could be read or derived")
            else:
                summary.warnings += result.warnings
                pending.append(result)
                if len(pending) >= batch:
                    _flush(store, pending, summary)
                    # Paused (_gc_paused): it runs once per batch instead, after the batch's
                    # rows are written and freed (while they were held it walked them all:
                    # 13 µs per item).
                    gc.collect(1)
                    if deferred and summary.bytes_read >= TAIL * summary.bytes_total:
                        deferred = store.build_indexes(at_most=1)
                    if progress:
                        summary.seconds = time.perf_counter() - start
                        progress(summary)
        _flush(store, pending, summary)
    except BaseException:
        # The indexes too if possible; if not, the next writer to open the archive builds them
        # (and the error the user sees is the first one).
        with suppress(Exception):
            store.build_indexes()
        raise
    else:
        store.build_indexes()
    finally:
        summary.seconds = time.perf_counter() - start
        if isinstance(archive, SQLiteStore):
            store.conn.execute(f"PRAGMA mmap_size = {mmap_size}")
        else:
            store.close()
    if progress:
        progress(summary)
    return summary


def _flush(store: SQLiteStore, pending: list[Prepared], summary: IngestSummary) -> None:
    if not pending:
        return
    result: PutResult = store.put_many(pending)
    summary.added += result.added
    summary.updated += result.updated
    summary.unchanged += result.unchanged
    summary.sources += result.sources
    pending.clear()


def _quarantine(store: SQLiteStore, summary: IngestSummary, location: str, reason: str) -> None:
    store.quarantine(location, reason)
    summary.quarantined += 1
    kind = reason.split(":", 1)[0]
    summary.reasons[kind] = summary.reasons.get(kind, 0) + 1
    if len(summary.examples) < EXAMPLES:
        summary.examples.append(f"{location}: {reason}")
