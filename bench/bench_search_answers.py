"""The fixed search mix's answers and CPU times over one archive, to compare two versions of
the code: a speed-up must not change any page, order, score, snippet, count or facet.

    PYTHONPATH=OLD/src python bench/bench_search_answers.py ARCHIVE before.json
    PYTHONPATH=NEW/src python bench/bench_search_answers.py ARCHIVE after.json
    python bench/bench_search_answers.py --compare before.json after.json

ARCHIVE is a SQLite file or a postgresql:// URL holding cables already (bench_search.py
builds them).  The mix is bench_search.py's (200 user actions drawn from the archive); each
runs twice, a cold pass then a warm one, timed by CPU (this thread, plus on PostgreSQL the
backend's own, bench_search.cpu_now); the warm pass's answers are written with the times.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import bench_search as B  # bench/ is on sys.path when run as a script
from cablebase.archive.api import Archive


def answer(a: Archive, kind: str, query: str, sort: str) -> dict:
    if kind == "facets":
        shown: object = a.facets(query)
    else:
        hits = a.search(query, sort=sort, limit=50, snippets=True)
        shown = [(h.reference_id, h.score, h.snippet) for h in hits]
    return {"q": [kind, query, sort], "shown": shown, "count": a.count(query)}


def run(location: str, out: str, show: int) -> None:
    load = os.getloadavg()
    with Archive.open(location) as a:
        mix = B.make_mix(a)
        cpu: dict[str, list[float]] = {"cold": [], "warm": []}
        wall: dict[str, list[float]] = {"cold": [], "warm": []}
        answers = []
        for label in ("cold", "warm"):
            for q in mix:
                start, t = B.cpu_now(a), time.perf_counter()
                got = answer(a, *q)
                wall[label].append((time.perf_counter() - t) * 1000)
                cpu[label].append((B.cpu_now(a) - start) * 1000)
                if label == "warm":
                    answers.append(got)
    after = os.getloadavg()
    with open(out, "w") as f:
        json.dump(
            {"mix": mix, "answers": answers, "cpu_ms": cpu, "wall_ms": wall, "load": [load, after]},
            f,
        )
    warm, cold = cpu["warm"], cpu["cold"]
    print(
        f"CPU ms: warm p50 {B.pct(warm, 50):.1f} p95 {B.pct(warm, 95):.1f}"
        f" p99 {B.pct(warm, 99):.1f} max {max(warm):.1f}; cold p99 {B.pct(cold, 99):.1f}"
        f" (load {load[0]:.1f} -> {after[0]:.1f})"
    )
    print(
        f"wall ms: warm p50 {B.pct(wall['warm'], 50):.1f} p99 {B.pct(wall['warm'], 99):.1f};"
        f" cold p99 {B.pct(wall['cold'], 99):.1f}"
    )
    for ms, (kind, query, sort), c in sorted(zip(warm, mix, cold, strict=True), reverse=True)[
        :show
    ]:
        print(f"  {ms:7.1f} (cold {c:7.1f})  {kind:<11} {sort:<9} {query}")


def compare(before: str, after: str) -> int:
    with open(before) as f:
        a = json.load(f)
    with open(after) as f:
        b = json.load(f)
    if a["mix"] != b["mix"]:
        print("the two runs drew different mixes (different archives?)")
        return 2
    differ = [(x, y) for x, y in zip(a["answers"], b["answers"], strict=True) if x != y]
    for x, y in differ[:5]:
        print("differs:", x["q"], x["count"], y["count"])
    print(f"{len(differ)} of {len(a['answers'])} answers differ")
    return 1 if differ else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs=2, metavar=("ARCHIVE|BEFORE", "OUT|AFTER"))
    ap.add_argument("--compare", action="store_true", help="compare two answer files")
    ap.add_argument("--show", type=int, default=15, help="print the slowest N (warm)")
    args = ap.parse_args()
    if args.compare:
        sys.exit(compare(*args.paths))
    run(args.paths[0], args.paths[1], args.show)


if __name__ == "__main__":
    main()
