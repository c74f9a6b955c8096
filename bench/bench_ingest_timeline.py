"""An ingest's phases: wall and CPU seconds of the main process and of the workers in each.

    python bench/bench_ingest_timeline.py ARCHIVE.db INPUT... [--workers N] [--every 0.25]

Runs `cablebase ingest` (the cablebase on PYTHONPATH) into a fresh ARCHIVE in a child whose
writer marks its phases (the first parsed item, each commit, the pool's end, the deferred
indexes' build, the exit) and samples the CPU time of the child and of its workers
(/proc, Linux).  Prints each phase's wall seconds, each side's CPU seconds and how many
cores they kept busy: a phase where the main process works alone (the index build at the
end) leaves the other core idle.  On a shared machine only the CPU seconds compare; the
cores' share says which phases are single-threaded.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")

# The child: `cablebase ingest` with marks (time, this process's CPU, what) written to argv[1].
CHILD = """
import os, sys, time
out = open(sys.argv.pop(1), "w", buffering=1)
def mark(what):
    t = os.times()
    out.write(f"{time.time():.4f} {t.user + t.system:.4f} {what}\\n")
mark("start")
from cablebase.archive import ingest, sqlite
parsed, put_many, build = ingest._parsed, sqlite.SQLiteStore.put_many, sqlite.SQLiteStore.build_indexes
def marked_parsed(*args, **kwargs):
    first = True
    for result in parsed(*args, **kwargs):
        if first:
            mark("first result")
            first = False
        yield result
    mark("parsed")
def marked_put_many(self, cables):
    try:
        return put_many(self, cables)
    finally:
        mark("commit")
def marked_build(self, **kwargs):
    mark("build")
    try:
        return build(self, **kwargs)
    finally:
        mark("built")
ingest._parsed = marked_parsed
sqlite.SQLiteStore.put_many = marked_put_many
sqlite.SQLiteStore.build_indexes = marked_build
import atexit
atexit.register(mark, "exit")
from cablebase.cli import main
main(prog_name="cablebase")
"""


def _cpu(pid: int, *, children: bool = False) -> float | None:
    """CPU seconds of a process (with `children`: of its reaped children)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    first = 13 if children else 11  # cutime, cstime / utime, stime (after the state field)
    return (int(fields[first]) + int(fields[first + 1])) / TICK


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("archive", type=Path)
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--every", type=float, default=0.25, help="seconds between samples")
    args = ap.parse_args()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.archive}{suffix}").unlink(missing_ok=True)
    marks_path = Path(tempfile.mkdtemp(prefix="timeline-")) / "marks"
    cmd = [sys.executable, "-c", CHILD, str(marks_path), "ingest", *args.inputs]
    cmd += ["--archive", str(args.archive)]
    cmd += ["--workers", str(args.workers)] if args.workers else []
    child = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, float, float]] = []  # (time, main CPU, workers' CPU)
    workers_seen: dict[int, float] = {}
    while child.poll() is None:
        now = time.time()
        main_cpu = _cpu(child.pid)
        reaped = _cpu(child.pid, children=True)
        if main_cpu is None or reaped is None:
            break
        for pid in _children(child.pid):
            cpu = _cpu(pid)
            if cpu is not None:
                workers_seen[pid] = cpu
        live = sum(cpu for pid, cpu in workers_seen.items() if os.path.exists(f"/proc/{pid}"))
        samples.append((now, main_cpu, max(reaped + live, samples[-1][2] if samples else 0)))
        time.sleep(args.every)
    err = child.stderr.read()
    summary = [ln for ln in err.splitlines() if " items: " in ln]
    print(summary[-1] if summary else err[-2000:])
    marks = []
    for line in marks_path.read_text().splitlines():
        t, cpu, what = line.split(" ", 2)
        marks.append((float(t), float(cpu), what))
    marks_path.unlink()
    marks_path.parent.rmdir()
    builds = [m for m in marks if m[2] in ("build", "built")]
    built = [(b, e) for b, e in zip(builds[::2], builds[1::2], strict=True) if e[0] - b[0] > 0.01]
    keep = [m for m in marks if m[2] in ("start", "first result", "parsed", "exit")]
    if built:
        keep.append((built[0][0][0], built[0][0][1], "first index built"))
    keep.sort()

    def workers_at(t: float) -> float:
        """The workers' CPU at time t, from the samples (linear between two)."""
        before = [s for s in samples if s[0] <= t]
        after = [s for s in samples if s[0] >= t]
        if not before:
            return 0.0
        if not after:
            return samples[-1][2]
        a, b = before[-1], after[0]
        if b[0] == a[0]:
            return a[2]
        return a[2] + (b[2] - a[2]) * (t - a[0]) / (b[0] - a[0])

    print(f"{'phase':<30} {'wall s':>8} {'main CPU':>9} {'workers':>9} {'cores':>6}")
    total = [0.0, 0.0, 0.0]
    for (t0, c0, w0), (t1, c1, w1) in zip(keep, keep[1:], strict=False):
        wall, main_cpu, workers = t1 - t0, c1 - c0, workers_at(t1) - workers_at(t0)
        total = [total[0] + wall, total[1] + main_cpu, total[2] + workers]
        cores = (main_cpu + workers) / wall if wall else 0.0
        print(f"{w0 + ' -> ' + w1:<30} {wall:8.2f} {main_cpu:9.2f} {workers:9.2f} {cores:6.2f}")
    wall, main_cpu, workers = total
    print(
        f"{'all':<30} {wall:8.2f} {main_cpu:9.2f} {workers:9.2f} {(main_cpu + workers) / wall:6.2f}"
    )
    print(
        f"deferred indexes: {len(built)} builds, {sum(e[0] - b[0] for b, e in built):.2f} s wall,"
        f" {sum(e[1] - b[1] for b, e in built):.2f} main CPU-s"
    )


if __name__ == "__main__":
    main()
