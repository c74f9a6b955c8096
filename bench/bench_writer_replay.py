"""The SQLite writer alone: the workers' answers captured once, written again into fresh archives.

    python bench/bench_writer_replay.py capture CSV N ANSWERS    # parse N rows of CSV once
    python bench/bench_writer_replay.py replay ANSWERS DB [--repeat K] [--batch B] [--split]

`capture` runs the workers' side (`_parse_batch`) in this process over the first N rows of a
cables.csv and keeps each task's answer as the marshal bytes that cross the pool's pipe.
`replay` writes them into a fresh archive the way `_ingest_sqlite` does without the pool
(`_unbatch`, `put_many` in batches, `build_indexes` at the end), K times under new reference
ids (a cable's id gets "~k"), and prints the writer's CPU seconds (this thread's) a cable;
`--split` times each SQL statement apart.  Run base and head back to back on the same answers:
on a shared machine only CPU seconds compare (docs/benchmarks.md, "Ingest, session 14/15").
"""

from __future__ import annotations

import argparse
import collections
import gc
import itertools
import pickle
import sqlite3
import time
from pathlib import Path

from cablebase.archive import ingest
from cablebase.archive import sqlite as store_module
from cablebase.forms.sources import Limits


def capture(csv: str, n: int, out: str) -> None:
    summary = ingest.IngestSummary()
    items = ingest.raw_items([csv], summary, form="auto", year=None, limits=Limits.from_env())
    answers = [
        ingest._parse_batch(ingest.pack_task(batch))
        for batch in ingest._batches(itertools.islice(items, n), ingest.TASK)
    ]
    with open(out, "wb") as f:
        pickle.dump(answers, f)
    print(f"{len(answers)} tasks, {sum(len(a) for a in answers):,} bytes")


def _renamed(results: list, k: int) -> list:
    """The k-th replay's cables under new reference ids (the rest as captured)."""
    if k:
        for p in results:
            if isinstance(p, store_module.Prepared):
                p.reference_id = f"{p.reference_id}~{k}"
                p.columns = (p.reference_id, *p.columns[1:])
    return results


class _TimedConnection:
    """A connection whose executemany, execute and commit add their CPU time to `spent`."""

    def __init__(self, conn: sqlite3.Connection, spent: collections.Counter) -> None:
        self.conn, self.spent = conn, spent

    def executemany(self, sql: str, rows):  # type: ignore[no-untyped-def]
        start = time.thread_time()
        try:
            return self.conn.executemany(sql, rows)
        finally:
            self.spent[sql.split("(")[0][:40]] += time.thread_time() - start

    def execute(self, sql: str, *args):  # type: ignore[no-untyped-def]
        start = time.thread_time()
        try:
            return self.conn.execute(sql, *args)
        finally:
            self.spent["execute: " + sql[:30]] += time.thread_time() - start

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.conn, name)

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self.conn.__enter__()

    def __exit__(self, *exc):  # type: ignore[no-untyped-def]
        start = time.thread_time()
        try:
            return self.conn.__exit__(*exc)
        finally:
            self.spent["commit"] += time.thread_time() - start


def replay(answers_path: str, db: Path, repeat: int, batch: int, split: bool) -> None:
    with open(answers_path, "rb") as f:
        answers = pickle.load(f)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    spent: collections.Counter = collections.Counter()
    gc.disable()
    wall = time.perf_counter()
    start = time.thread_time()
    store = store_module.SQLiteStore(db)
    store.conn.execute("PRAGMA mmap_size = 0")
    store.defer_indexes()
    real = store.conn
    if split:
        store.conn = _TimedConnection(real, spent)  # type: ignore[assignment]
    pending: list = []
    summary = ingest.IngestSummary()
    n = 0
    for k in range(repeat):
        for answer in answers:
            t = time.thread_time()
            results = _renamed(ingest._unbatch(answer), k)
            spent["unbatch"] += time.thread_time() - t
            for p in results:
                n += 1
                pending.append(p)
                if len(pending) >= batch:
                    ingest._flush(store, pending, summary)
                    gc.collect(1)
    ingest._flush(store, pending, summary)
    loaded = time.thread_time()
    loaded_wall = time.perf_counter()
    store.conn = real
    store.build_indexes()
    end = time.thread_time()
    spent["build_indexes"] = end - loaded
    (pages,) = real.execute("PRAGMA page_count").fetchone()
    (free,) = real.execute("PRAGMA freelist_count").fetchone()
    (page_size,) = real.execute("PRAGMA page_size").fetchone()
    (segments,) = real.execute("SELECT count(DISTINCT segid) FROM cables_fts_idx").fetchone()
    store.close()
    total = end - start
    print(
        f"n={n:,} batch={batch} writer {total:.2f} CPU-s = {1e6 * total / n:.0f} us a cable"
        f" (load {1e6 * (loaded - start) / n:.0f}, indexes {1e6 * (end - loaded) / n:.0f});"
        f" wall {loaded_wall - wall:.1f} + {time.perf_counter() - loaded_wall:.1f} s;"
        f" file {pages * page_size / 1e6:,.0f} MB, {free} free pages;"
        f" {segments} index segments"
    )
    if split:
        for what, seconds in spent.most_common():
            print(f"  {1e6 * seconds / n:7.1f} us  {what}")
        print(f"  {1e6 * (total - sum(spent.values())) / n:7.1f} us  (the rest: Python)")


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("capture")
    c.add_argument("csv")
    c.add_argument("n", type=int)
    c.add_argument("answers")
    r = sub.add_parser("replay")
    r.add_argument("answers")
    r.add_argument("db", type=Path)
    r.add_argument("--repeat", type=int, default=1)
    r.add_argument("--batch", type=int, default=ingest.BATCH)
    r.add_argument("--split", action="store_true", help="time each SQL statement")
    args = ap.parse_args()
    if args.command == "capture":
        capture(args.csv, args.n, args.answers)
    else:
        replay(args.answers, args.db, args.repeat, args.batch, args.split)


if __name__ == "__main__":
    main()
