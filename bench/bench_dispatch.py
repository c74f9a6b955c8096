"""Dispatch (issue 15): FLASH latency behind a long ROUTINE queue, sustained throughput, and
the kill -9 acceptance run at full size.

    python bench/bench_dispatch.py                    # 100,000 ROUTINE queued, 10,000 for kill -9
    python bench/bench_dispatch.py --routine 20000 --kill-cables 10    # a quick run
    python bench/bench_dispatch.py --postgresql        # the same on a throwaway PostgreSQL server

1. latency: an archive with ~100,000 ROUTINE deliveries queued (cables to ALDAC, 252 posts
   each); the dispatcher is started (one worker; then two, one reserved for FLASH/NIACT);
   while it works through the ROUTINE backlog, FLASH cables to ALDAC are released one by one
   (each in the release's own transaction, with its deliveries).  A FLASH delivery's latency
   is its `delivered` time less its release time; p50/p99/max over every FLASH delivery.
   The ROUTINE deliveries made meanwhile give the sustained throughput (deliveries/s).
2. kill -9: 40 cables to ALDAC (10,080 deliveries) through the directory drop, the
   dispatcher killed at ten random points (each after it made progress), then run to the end;
   checked: every delivery delivered, one file each, the journal without repeats.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.dispatch_helpers

from cablebase.dispatch.outbox import release_and_enqueue  # noqa: E402
from cablebase.dispatch.worker import connect  # noqa: E402
from tests.dispatch_helpers import (  # noqa: E402
    _db,
    aldac_world,
    cable,
    dispatcher,
    exactly_once,
    kill_nine,
)

# A new, empty archive's location for a name: a SQLite file or a PostgreSQL database.
NewArchive = Callable[[str], str]

PER_CABLE = 252  # ALDAC less the sender


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def delivered(db, where: str) -> int:  # noqa: ANN001
    return db.one(f"SELECT count(*) FROM dispatch_deliveries WHERE {where}")


def latency(
    new: NewArchive, tmp: Path, routine: int, flashes: int, workers: int, reserve: int, batch: int
) -> dict:
    path = new(f"lat_{workers}_{reserve}")
    cables = max(1, routine // PER_CABLE)
    t = time.perf_counter()
    queued = aldac_world(path, cables, released=time.time() - 60)
    built = time.perf_counter() - t
    extra = ["--workers", str(workers), "--reserve", str(reserve), "--batch", str(batch)]
    drop = tmp / f"drop-{workers}-{reserve}"
    import subprocess

    cmd = [sys.executable, "-m", "cablebase", "dispatch", "run", "--archive", str(path), *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    conn = _db(path)
    try:
        while delivered(conn, "state = 'delivered'") == 0:  # the dispatcher has started
            time.sleep(0.01)
        t0, r0 = time.time(), delivered(conn, "state = 'delivered' AND rank = 4")
        with connect(path) as store:  # waits for the write lock on SQLite
            for i in range(flashes):
                c = cable(100_000 + i, precedence="FLASH", to=(), collectives=("ALDAC",))
                release_and_enqueue(store, c, released=time.time())
                time.sleep(0.5)
        while delivered(conn, "rank = 0 AND state != 'delivered'"):
            time.sleep(0.01)
        t1, r1 = time.time(), delivered(conn, "state = 'delivered' AND rank = 4")
        lat = [
            d - r
            for d, r in conn.execute(
                "SELECT delivered, released FROM dispatch_deliveries WHERE rank = 0"
            ).fetchall()
        ]
        left = delivered(conn, "rank = 4 AND state != 'delivered'")
    finally:
        proc.terminate()
        proc.wait()
        conn.raw.close()
    del drop
    return {
        "workers": workers,
        "reserve": reserve,
        "queued": queued,
        "build_s": built,
        "flash_deliveries": len(lat),
        "p50": pct(lat, 50),
        "p99": pct(lat, 99),
        "max": max(lat),
        "routine_per_s": (r1 - r0) / (t1 - t0),
        "routine_left": left,
    }


def kill_run(new: NewArchive, tmp: Path, cables: int, kills: int, seed: int) -> dict:
    path, drop = new("kill"), tmp / "kill-drop"
    total = aldac_world(path, cables)
    t = time.perf_counter()
    at = kill_nine(path, drop, kills, random.Random(seed))
    proc = dispatcher(path, drop, "--once")
    proc.wait()
    wall = time.perf_counter() - t
    got = exactly_once(path, drop)
    ok = (
        got["deliveries"] == total
        and got["states"] == ["delivered"]
        and got["files"] == got["expected_files"]
        and len(got["journal"]) == len(set(got["journal"]))
    )
    return {
        "deliveries": total,
        "kills": len(at),
        "delivered_at_kills": at,
        "retried": got["retried"],
        "files": len(got["files"]),
        "journal": len(got["journal"]),
        "exactly_once": ok,
        "wall_s": wall,
    }


def _new_archives(tmp: Path, stack: ExitStack, postgresql: bool) -> NewArchive:
    """How this run makes its archives: SQLite files in `tmp`, or databases on a throwaway
    PostgreSQL server (bench/generated_archive.py's, stopped with `stack`)."""
    from cablebase.archive.store import open_store

    if not postgresql:

        def new(name: str) -> str:
            open_store(tmp / f"{name}.db").close()
            return str(tmp / f"{name}.db")

        return new
    import psycopg

    from generated_archive import throwaway_postgresql  # bench/ is on sys.path

    server = throwaway_postgresql(stack)

    def new_db(name: str) -> str:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        url = server.rsplit("/", 1)[0] + "/" + name
        open_store(url).close()
        return url

    return new_db


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--routine", type=int, default=100_000)
    ap.add_argument("--flashes", type=int, default=10)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--kill-cables", type=int, default=40)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--skip-kill", action="store_true")
    ap.add_argument(
        "--postgresql", action="store_true", help="on a throwaway PostgreSQL server instead"
    )
    args = ap.parse_args()
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.node()},"
        f" {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as d, ExitStack() as stack:
        tmp = Path(d)
        new = _new_archives(tmp, stack, args.postgresql)
        print(f"# store: {'PostgreSQL' if args.postgresql else 'SQLite'}")
        for workers, reserve in ((1, 0), (2, 1)):
            r = latency(new, tmp, args.routine, args.flashes, workers, reserve, args.batch)
            print(
                f"latency workers={r['workers']} reserve={r['reserve']}: {r['queued']:,} ROUTINE"
                f" queued (built in {r['build_s']:.0f} s); {r['flash_deliveries']} FLASH"
                f" deliveries: p50 {r['p50'] * 1000:.0f} ms, p99 {r['p99'] * 1000:.0f} ms,"
                f" max {r['max'] * 1000:.0f} ms; ROUTINE meanwhile {r['routine_per_s']:,.0f}"
                f" deliveries/s ({r['routine_left']:,} left)",
                flush=True,
            )
        if not args.skip_kill:
            k = kill_run(new, tmp, args.kill_cables, args.kills, args.seed)
            print(
                f"kill -9: {k['deliveries']:,} deliveries, {k['kills']} kills at delivered ="
                f" {k['delivered_at_kills']}; {k['retried']} deliveries claimed again after a kill;"
                f" {k['files']:,} files, {k['journal']:,} journal lines; exactly once:"
                f" {k['exactly_once']}; {k['wall_s']:.0f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
