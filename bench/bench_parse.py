"""Parse throughput per form on one core, and peak memory against corpus size.

    python bench/bench_parse.py [--quick]

Prints one line per measurement, wall clock and CPU time (`time.process_time`: steadier on a
shared machine, though other jobs still slow it through the shared caches), and the load
average at the start.  Figures go to docs/benchmarks.md by hand, with date and machine.
Forms: Cablegate HTML pages and cables.csv rows from ../shared/corpus (decompressed into memory
first, so xz decompression is not counted), plus generated cables rendered as telegram and
markdown text.  Memory: peak RSS of a child process that streams N and 4N cables.
"""

from __future__ import annotations

import argparse
import io
import lzma
import os
import platform
import resource
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
HTML_TAR = CORPUS / "cablegate-html-dev.tar.xz"
CABLES_CSV = CORPUS / "cables-dev.csv.xz"


class _Clock:
    """Wall and CPU time of a block: on a shared machine the CPU figure is the steadier one."""

    def __enter__(self) -> _Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def _rate(label: str, n: int, clock: _Clock) -> None:
    print(
        f"{label:<38} {n:>7,} cables  {clock.wall:7.2f} s  {n / clock.wall:9,.0f} cables/s"
        f"  (CPU {clock.cpu:6.2f} s  {n / clock.cpu:7,.0f}/s)",
        flush=True,
    )


def bench_html(limit: int | None) -> None:
    from cablebase.parse import parse_text

    pages = []
    with tarfile.open(HTML_TAR) as tar:
        for m in tar:
            if m.isfile():
                pages.append(tar.extractfile(m).read().decode("utf-8"))
                if limit and len(pages) >= limit:
                    break
    with _Clock() as clock:
        for page in pages:
            parse_text(page, form="html")
    _rate("html pages (parse, one core)", len(pages), clock)


def bench_csv(limit: int | None) -> None:
    from cablebase.parse import iter_cables

    with lzma.open(CABLES_CSV) as f:
        data = f.read()
    n = 0
    with _Clock() as clock:
        for _ in iter_cables(io.BytesIO(data), form="csv"):
            n += 1
            if limit and n >= limit:
                break
    _rate("cables.csv rows (read+parse, one core)", n, clock)


def bench_generated(n: int) -> None:
    from cablebase.generate import generate
    from cablebase.parse import parse_text
    from cablebase.render import to_form

    cables = list(generate(n, seed=1))
    for form in ("telegram", "markdown", "html", "csv"):
        texts = [to_form(c, form) for c in cables]
        with _Clock() as clock:
            for text in texts:
                parse_text(text, form=form)
        _rate(f"generated {form} (parse, one core)", n, clock)


def _child_peak(n: int) -> int:
    code = (
        "import sys\n"
        "from cablebase.generate import generate\n"
        "from cablebase.render import to_telegram\n"
        "from cablebase.parse import parse_text\n"
        f"for c in generate({n}, seed=2):\n"
        "    parse_text(to_telegram(c))\n"
        # VmHWM belongs to this process image; ru_maxrss would include the forking parent's.
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1])


def bench_memory(n: int) -> None:
    small, large = _child_peak(n), _child_peak(4 * n)
    print(f"peak RSS streaming {n:,} cables:  {small / 1024:7.1f} MiB", flush=True)
    print(f"peak RSS streaming {4 * n:,} cables: {large / 1024:7.1f} MiB", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small samples, for a smoke run")
    args = ap.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M')} · load average {load:.1f} · {platform.node()} · {platform.processor() or platform.machine()}"
        f" · {os.cpu_count()} cores · Python {platform.python_version()}"
    )
    limit = 500 if args.quick else None
    if HTML_TAR.exists():
        bench_html(limit)
        bench_csv(limit)
    else:
        print("../shared/corpus not found: corpus benchmarks skipped")
    bench_generated(300 if args.quick else 3000)
    bench_memory(500 if args.quick else 5000)
    print(
        f"bench process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
