"""Shared by the benchmarks: an archive of N generated cables, built through the real ingest."""

from __future__ import annotations

import sys
import time
from pathlib import Path


def build(path: Path, n: int) -> None:
    """Write N generated cables as one cables.csv next to `path`, ingest it, remove the csv."""
    from cablebase.archive.ingest import ingest
    from cablebase.generate import write

    csv_path = path.with_suffix(".csv")
    t = time.perf_counter()
    write(n, "csv", csv_path, seed=1)
    print(f"wrote {n:,} generated cables in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    summary = ingest([csv_path], path)
    print(summary.line(), file=sys.stderr)
    csv_path.unlink()
