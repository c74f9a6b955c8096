"""Ingest throughput and peak memory at full Cablegate scale.

    python bench/bench_ingest.py [--n 251287] [--workdir DIR] [--keep]

Generates N synthetic cables as one cables.csv (the generator's own text), then ingests it plus
the dev corpus (../shared/corpus, when present) into a fresh SQLite archive with every core,
and prints items/s, wall time, peak RSS of the ingest process tree, and the archive's size.
Then prints the reference resolution rate of the dev corpus alone (its own archive).
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

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
DEV = [CORPUS / "cablegate-html-dev.tar.xz", CORPUS / "cables-dev.csv.xz"]


def _ingest(paths: list[Path], db: Path) -> tuple[float, str]:
    """Run `cablebase ingest` in a child; return wall seconds and its summary line."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "cablebase", "ingest", *map(str, paths), "--archive", str(db)]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stderr.strip().splitlines()[-1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=251_287)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the generated input and archive")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cablebase-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"# {time.strftime('%Y-%m-%d')} · {platform.node()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()}"
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
    inputs = [source] + [p for p in DEV if p.exists()]
    db = work / "bench.db"
    seconds, line = _ingest(inputs, db)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    size = sum(Path(str(db) + s).stat().st_size for s in ("", "-wal") if Path(str(db) + s).exists())
    print(f"ingest: {line}")
    print(
        f"ingest wall time {seconds:.1f} s; largest process peak RSS {peak:,.0f} MiB; "
        f"archive {size / 1e9:.2f} GB"
    )

    if all(p.exists() for p in DEV):
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
