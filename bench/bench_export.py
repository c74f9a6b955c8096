"""Export throughput and memory: 100,000 hits of a generated archive to jsonl, csv and parquet.

    python bench/bench_export.py [--n 100000] [--archive /tmp/bench-export.db]

Builds the archive from generated cables (reused when the file already holds n cables), then
runs each export in a child process and prints records/s and that child's peak RSS.  Output
goes to a temporary file, so the figures include writing it.  Figures go to
docs/benchmarks.md by hand, with date and machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def build(path: Path, n: int) -> None:
    from cablebase.archive.sqlite import SQLiteStore
    from cablebase.generate import generate

    if path.exists():
        with SQLiteStore(path) as store:
            if store.count() == n:
                print(f"reusing {path} ({n:,} cables)", flush=True)
                return
        path.unlink()
    start = time.perf_counter()
    with SQLiteStore(path) as store:
        batch = []
        for cable in generate(n, seed=2024):
            batch.append(cable)
            if len(batch) == 5000:
                store.put_many(batch)
                batch = []
        store.put_many(batch)
    print(f"built {path} with {n:,} cables in {time.perf_counter() - start:.0f} s", flush=True)


def peak_rss_mib() -> float:
    """This process's own peak RSS.  VmHWM, where Linux has it: ru_maxrss survives fork and
    exec, so a child started by a big parent would report the parent's peak."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(archive: str, fmt: str, text: bool, out: str) -> None:
    """One export, in its own process so its peak RSS is its own."""
    from cablebase.archive.api import Archive
    from cablebase.archive.export import export

    with Archive.open(archive, readonly=True) as a:
        start = time.perf_counter()
        n = export(a, "", fmt, out, text=text)
        seconds = time.perf_counter() - start
    peak = peak_rss_mib()
    size = os.path.getsize(out) / 1e6
    label = fmt + (" +text" if text else "")
    print(
        f"{label:<14} {n:>8,} records {seconds:7.2f} s {n / seconds:9,.0f} records/s"
        f"  peak RSS {peak:6.0f} MiB  output {size:7.0f} MB",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--archive", type=Path, default=Path(tempfile.gettempdir()) / "bench-export.db")
    ap.add_argument("--child", nargs=3, metavar=("FMT", "TEXT", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        fmt, text, out = args.child
        child(str(args.archive), fmt, text == "1", out)
        return
    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}")
    build(args.archive, args.n)
    runs = [("jsonl", False), ("csv", False), ("csv", True)]
    try:
        import pyarrow  # noqa: F401

        runs += [("parquet", False), ("parquet", True)]
    except ImportError:
        print("parquet: skipped (pyarrow not installed)")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, text in runs:
            out = Path(tmp) / f"export-{fmt}{'-text' if text else ''}.{fmt}"
            cmd = [sys.executable, __file__, "--archive", str(args.archive)]
            subprocess.run([*cmd, "--child", fmt, "1" if text else "0", str(out)], check=True)
            out.unlink()


if __name__ == "__main__":
    main()
