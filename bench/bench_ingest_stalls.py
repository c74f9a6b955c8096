"""How often an ingest's processes wait on each other (Linux): a measure a shared machine
does not distort the way it does wall time.

    python bench/bench_ingest_stalls.py INPUT.csv ARCHIVE.db [ingest options...]

Runs `cablebase ingest` (the cablebase on PYTHONPATH) into a fresh ARCHIVE and samples, every
5 ms, the state of its main thread and of each worker (/proc/PID/stat) and, when one is
blocked, where in the kernel (/proc/PID/wchan: `anon_pipe_write` is a worker sending its rows,
`anon_pipe_read` one waiting for a task).  Prints the share of samples in each state over the
middle 80 % of the run (the start and the end, where workers must wait, left out).  A worker
that is runnable (R) but waiting for a core counts as busy: on a loaded machine the blocked
share (S) still says whether the pipeline itself made it wait.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import time


def _field(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def _state(pid: int, tid: int | None = None) -> str | None:
    stat = _field(f"/proc/{pid}/task/{tid or pid}/stat")
    return stat.rsplit(")", 1)[1].split()[0] if stat else None


def _children(pid: int) -> list[int]:
    found = _field(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in found.split()] if found else []


def _shares(counter: collections.Counter) -> str:
    total = sum(counter.values()) or 1
    return ", ".join(f"{k} {n / total:.1%}" for k, n in counter.most_common())


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    source, db, *options = sys.argv[1:]
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    start = time.perf_counter()
    cmd = [sys.executable, "-m", "cablebase", "ingest", source, "--archive", db, *options]
    child = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    samples = []  # (seconds, main thread's state, [(worker state, wchan or "")])
    while child.poll() is None:
        workers = []
        for pid in _children(child.pid):
            state = _state(pid)
            if state:
                wchan = (_field(f"/proc/{pid}/wchan") or "") if state == "S" else ""
                workers.append((state, wchan))
        samples.append((time.perf_counter() - start, _state(child.pid), workers))
        time.sleep(0.005)
    summary = [ln for ln in child.stderr.read().splitlines() if " items: " in ln]
    print(summary[-1] if summary else "no summary", f"(wall {time.perf_counter() - start:.1f} s)")
    busy = [s for s in samples if s[2]]
    if not busy:
        return
    first, last = busy[0][0], busy[-1][0]
    middle = [s for s in busy if first + 0.1 * (last - first) < s[0] < last - 0.1 * (last - first)]
    workers = collections.Counter(state for s in middle for state, _ in s[2])
    wchans = collections.Counter(w for s in middle for state, w in s[2] if state == "S")
    print(f"workers, middle 80 %: {_shares(workers)}")
    print(f"  blocked in: {_shares(wchans)}")
    print(f"main thread, middle 80 %: {_shares(collections.Counter(s[1] for s in middle))}")


if __name__ == "__main__":
    main()
