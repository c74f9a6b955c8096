"""Search latency over a fixed mix of 200 realistic queries (issue 3: p50 <= 20 ms, p99 <= 100 ms).

    python bench/bench_search.py                      # builds 251,287 generated cables (minutes)
    python bench/bench_search.py --n 20000            # a quick run
    python bench/bench_search.py --archive FILE.db    # reuse an archive (built if missing)
    python bench/bench_search.py --n 50000 --store both    # SQLite and PostgreSQL side by side
    python bench/bench_search.py --store postgresql --pg postgresql://me@host/db

Each query is one user action: the first page of 50 hits with snippets plus the total count
(or, for the facet kind, the facet counts plus the total).  The mix is drawn with a fixed seed
from the archive's own vocabulary and metadata (through `Archive`, so every store holding the
same cables gets the same mix), most of it selective the way real searches are (names, places,
topics), some of it broad.  The whole mix runs twice; the second (warm) pass is the figure; the
first (cold) pass is printed too.  PostgreSQL, without --pg, is a throwaway server
(tests/pg_server.py: fsync off, shared_buffers 64 MB) holding the same generated cables,
ingested with its workers loading in parallel.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import ExitStack
from pathlib import Path

from cablebase.archive.api import Archive
from cablebase.archive.snippets import words
from cablebase.archive.store import is_dsn
from cablebase.archive.texts import body_text
from generated_archive import (  # bench/ is on sys.path when run as a script
    archive_bytes,
    generate,
    ingest_into,
    throwaway_postgresql,
)

FULL = 251_287


def sample_cables(a: Archive, rng: random.Random, sample: int = 1500) -> list:
    """A seeded sample of whole records, drawn from the sorted reference ids: through `Archive`
    only, so that every store holding the same cables yields the same sample (store ids differ:
    PostgreSQL's ingest loads in parallel)."""
    rids = sorted(h.reference_id for h in a.search("", sort="date"))
    return [a.get(rid) for rid in rng.sample(rids, min(sample, len(rids)))]


def vocabulary(cables: list) -> tuple[dict, dict]:
    """Document frequencies (share of cables) of words and word pairs in the sampled cables."""
    df: Counter = Counter()
    pairs: Counter = Counter()
    for c in cables:
        text = body_text((p.heading, p.text) for p in c.paragraphs)
        toks = words((c.subject or "") + "\n" + text)
        df.update({t for t in toks if t.isalpha() and len(t) > 3})
        pairs.update(
            {(x, y) for x, y in zip(toks, toks[1:], strict=False) if x.isalpha() and y.isalpha()}
        )
    n = len(cables)
    return {w: c / n for w, c in df.items()}, {p: c / n for p, c in pairs.items()}


def band(share: dict, lo: float, hi: float) -> list:
    return sorted((k for k, v in share.items() if lo <= v < hi), key=str)


def top(counter: Counter, n: int) -> list:
    """The n most frequent, ties by value (a total order: the same on every store)."""
    return [k for k, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def make_mix(a: Archive, seed: int = 3) -> list[tuple[str, str, str]]:
    """(kind, query, sort) x 200, drawn from what `Archive` answers (facets, records): the same
    mix for any store holding the same cables."""
    rng = random.Random(seed)
    cables = sample_cables(a, rng)
    share, pshare = vocabulary(cables)
    rare = band(share, 0.0, 0.01)
    mid = band(share, 0.01, 0.1)
    common = band(share, 0.1, 0.5)
    broad = band(share, 0.5, 1.01)
    phrases = band(pshare, 0.005, 0.3)
    facets = a.facets("", names=("tag", "origin", "year"), top=None)
    tags = [t for t, _ in facets["tag"][:60]]
    places = [o.split()[-1].lower() for o, _ in facets["origin"][:80]]
    years = sorted(int(y) for y, _ in facets["year"] if int(y) >= 1985)
    signers = top(Counter(s for c in cables for s in c.signers), 50)
    citing = {(c.reference_id, r.id) for c in cables for r in c.references if r.id}
    refids = sorted({rid for rid, _ in citing})
    targets = sorted({t for _, t in citing})
    handling = ["noforn", "sipdis", "fouo", "exdis", "nodis"]
    classes = ["class:secret", "class:>=confidential", "class:unclassified", "class:<secret"]
    pick = rng.choice

    def term() -> str:
        r = rng.random()
        pool = rare if r < 0.5 else mid if r < 0.8 else common if r < 0.95 else broad
        return pick(pool or mid or common)

    def sort() -> str:
        return pick(["relevance", "relevance", "-date", "date"])

    def field() -> str:
        kind = rng.randrange(8)
        if kind == 0:
            return f"tag:{pick(tags)}"
        if kind == 1:
            return f"origin:{pick(places)}"
        if kind == 2:
            return pick(classes)
        if kind == 3:
            y = pick(years)
            return pick([f"year:{y}", f"year:{y}..{y + 2}", f"from:{y}-03 to:{y}-09"])
        if kind == 4:
            return f"handling:{pick(handling)}"
        if kind == 5:
            return f"signer:{pick(signers)}" if signers else f"tag:{pick(tags)}"
        if kind == 6:
            return f"tag:{pick(tags)} class:>=confidential"
        return f"origin:{pick(places)} year:>={pick(years)}"

    mix: list[tuple[str, str, str]] = []
    for _ in range(40):
        mix.append(("term", term(), sort()))
    for _ in range(20):
        mix.append(("and", f"{term()} {term()}", sort()))
    for _ in range(20):
        x, y = pick(phrases)
        mix.append(("phrase", f'"{x} {y}"', sort()))
    for _ in range(15):
        w = pick(mid or rare)
        mix.append(("prefix", f"{w[: max(4, len(w) - 3)]}*", sort()))
    for _ in range(30):
        mix.append(("field", field(), pick(["-date", "-date", "date", "relevance"])))
    for _ in range(35):
        mix.append(("text+field", f"{term()} {field()}", sort()))
    for _ in range(20):
        r = rng.randrange(3)
        if r == 0:
            q = f"{term()} OR {term()}"
        elif r == 1:
            q = f"{term()} -{term()}"
        else:
            q = f"({term()} OR {term()}) -tag:{pick(tags)}"
        mix.append(("boolean", q, sort()))
    for _ in range(10):
        q = pick([field(), term(), f"{term()} {field()}"])
        mix.append(("facets", q, "-date"))
    for _ in range(10):
        r = rng.randrange(3)
        q = (
            f"id:{pick(refids)}"
            if r == 0
            else f"cites:{pick(targets)}"
            if r == 1
            else f"citedby:{pick(refids)}"
        )
        mix.append(("refs", q, "-date"))
    assert len(mix) == 200
    return mix


# What a query costs: wall time, or with --cpu this thread's CPU time (on a shared machine the
# wall time of a query mostly measures the other processes; its CPU time does not).
CLOCK = time.perf_counter


# CPU milliseconds of each query timed, per archive, whatever CLOCK is: this thread's CPU time
# (SQLite runs in it), plus on PostgreSQL the CPU time of the connection's server process when
# the server runs on this machine (/proc/PID/schedstat, in nanoseconds).  On a loaded machine
# these, not the wall times, are what compares.
CPU_MS: dict[int, list[float]] = defaultdict(list)
_BACKEND: dict[int, Path | None] = {}


def cpu_now(a: Archive) -> float:
    """Seconds of CPU spent so far on `a`'s queries by this thread and its server backend."""
    key = id(a)
    if key not in _BACKEND:
        _BACKEND[key] = None
        if not a.sqlite:
            (pid,) = a.store.conn.execute("SELECT pg_backend_pid()").fetchone()
            path = Path(f"/proc/{pid}/schedstat")
            _BACKEND[key] = path if path.exists() else None
    backend = _BACKEND[key]
    server = int(backend.read_text().split()[0]) / 1e9 if backend else 0.0
    return time.thread_time() + server


def run_one(a: Archive, kind: str, query: str, sort: str) -> float:
    return timed(a, kind, query, sort)[0]


def timed(a: Archive, kind: str, query: str, sort: str) -> tuple[float, int]:
    """The query's milliseconds and its exact count (its CPU milliseconds into CPU_MS)."""
    t, cpu = CLOCK(), cpu_now(a)
    if kind == "facets":
        a.facets(query)
    else:
        for _ in a.search(query, sort=sort, limit=50, snippets=True):
            pass
    n = a.count(query)
    ms = (CLOCK() - t) * 1000
    CPU_MS[id(a)].append((cpu_now(a) - cpu) * 1000)
    return ms, n


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def report(label: str, times: dict[str, list[float]]) -> None:
    print(f"\n{label}")
    print(f"{'kind':<12} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    everything = [t for ts in times.values() for t in ts]
    for kind, ts in [*times.items(), ("overall", everything)]:
        print(
            f"{kind:<12} {len(ts):>4} {pct(ts, 50):>8.1f} {pct(ts, 95):>8.1f}"
            f" {pct(ts, 99):>8.1f} {max(ts):>8.1f}"
        )


def compare(a: Archive, mix: list[tuple[str, str, str]], reader: str, show: int, passes: int):
    """The mix unfiltered and as `reader` (controlled policy), query by query in turn so that
    both runs see the same machine.  The first pass is cold; each query's warm figure is the
    median of the later passes (one slow moment of a shared machine moves a percentile of 200
    queries by tens of percent).  The reader has an archive instance (connection and caches)
    of their own: no count one run remembered helps the other."""
    from statistics import median

    from cablebase.access.policy import (
        ANONYMOUS,
        Access,
        Policy,
        Viewer,
        caveat_bits,
        parse_rank,
    )

    rank, *caveats = reader.split(",")
    if rank == "anonymous":  # no account: declassified and released cables only
        viewer = ANONYMOUS
    else:
        viewer = Viewer("bench", "reader", parse_rank(rank), caveat_bits(caveats))
    own = Archive.open(a.store.path, readonly=True)
    filtered = own.with_access(Access(Policy("controlled"), viewer))
    seen = filtered.count("")
    print(f"reader {reader}: sees {seen:,} of {len(a):,} cables", file=sys.stderr)
    runs: list[list[tuple[float, float]]] = []
    for _ in range(passes):
        runs.append(
            [(run_one(a, *q), run_one(filtered, *q)) for q in mix]  # query by query in turn
        )
    warm = [
        (median(r[i][0] for r in runs[1:]), median(r[i][1] for r in runs[1:]))
        for i in range(len(mix))
    ]
    for label, times in (
        ("cold (first pass)", runs[0]),
        (f"warm (median of passes 2-{passes})", warm),
    ):
        plain: dict[str, list[float]] = defaultdict(list)
        policed: dict[str, list[float]] = defaultdict(list)
        for (kind, _, _), (x, y) in zip(mix, times, strict=True):
            plain[kind].append(x)
            policed[kind].append(y)
        report(f"{label}: open (no filter)", plain)
        report(f"{label}: as {reader}", policed)
        xs, ys = [t[0] for t in times], [t[1] for t in times]
        for p in (50, 95, 99):
            x, y = pct(xs, p), pct(ys, p)
            print(f"  p{p}: {x:.1f} ms -> {y:.1f} ms ({100 * (y - x) / x:+.0f}%)")
        print(
            f"  total: {sum(xs):.0f} ms -> {sum(ys):.0f} ms"
            f" ({100 * (sum(ys) - sum(xs)) / sum(xs):+.0f}%)"
        )
    print("\nlargest policy costs (warm):")
    worst = sorted(zip(warm, mix, strict=True), key=lambda w: w[0][0] - w[0][1])
    for (x, y), (kind, query, sort) in worst[:show]:
        print(f"  {x:8.1f} -> {y:8.1f} ms  {kind:<11} {sort:<9} {query}")


def has_archive(location: str | Path) -> bool:
    if not is_dsn(location):
        return Path(location).exists()
    try:
        with Archive.open(location) as a:
            return len(a) > 0
    except Exception:  # no archive in that database yet: build it
        return False


def prepare(locations: dict[str, str | Path], n: int) -> dict[str, float]:
    """Build every missing archive from one generated csv; the ingest seconds of each built.
    A PostgreSQL archive is ANALYZEd after its ingest (autovacuum would, in its own time)."""
    seconds: dict[str, float] = {}
    missing = {name: loc for name, loc in locations.items() if not has_archive(loc)}
    if not missing:
        return seconds
    csv_path = Path(tempfile.gettempdir()) / f"cablebase-bench-{n}.csv"
    generate(csv_path, n)
    try:
        for name, location in missing.items():
            seconds[name] = ingest_into(csv_path, location)
            if is_dsn(location):
                import psycopg

                with psycopg.connect(str(location), autocommit=True) as conn:
                    conn.execute("ANALYZE")
    finally:
        csv_path.unlink()
    return seconds


def side_by_side(archives: dict[str, Archive], mix: list, show: int) -> dict[str, dict]:
    """Run the mix twice over every store, query by query in turn (so that the stores share the
    machine's slow moments); report each pass per store; return each store's figures."""
    runs = {name: ([], []) for name in archives}  # (cold, warm) of each store
    differ = []
    for p, label in enumerate(("cold (first pass)", "warm (second pass)")):
        for q in mix:
            counts = {}
            for name, a in archives.items():
                ms, counts[name] = timed(a, *q)
                runs[name][p].append(ms)
            if len(set(counts.values())) > 1:
                differ.append((q, counts))
        for name in archives:
            times: dict[str, list[float]] = defaultdict(list)
            for (kind, _, _), ms in zip(mix, runs[name][p], strict=True):
                times[kind].append(ms)
            report(f"{name}: {label}", times)
    if len(archives) > 1:
        print(
            f"\nqueries whose exact counts differ between the stores: {len(differ)} of {2 * len(mix)}"
        )
        for (kind, query, sort), counts in differ[:show]:
            print(f"  {kind:<11} {sort:<9} {query}  {counts}")
    print(
        "\nCPU time of each query (this thread, plus the PostgreSQL server process of its connection"
    )
    print("when the server runs here): what compares on a loaded machine")
    print("| store | CPU ms: warm p50 | p95 | p99 | cold p99 |")
    for name, a in archives.items():
        spent = CPU_MS[id(a)][-2 * len(mix) :]
        cold, warm = spent[: len(mix)], spent[len(mix) :]
        print(
            f"| {name} | {pct(warm, 50):.1f} | {pct(warm, 95):.1f} | {pct(warm, 99):.1f} | {pct(cold, 99):.1f} |"
        )
    figures = {}
    for name, (cold, warm) in runs.items():
        print(f"\nslowest (warm), {name}:")
        for ms, (kind, query, sort) in sorted(zip(warm, mix, strict=True), reverse=True)[:show]:
            print(f"  {ms:8.1f} ms  {kind:<11} {sort:<9} {query}")
        figures[name] = {
            "p50": pct(warm, 50),
            "p95": pct(warm, 95),
            "p99": pct(warm, 99),
            "cold p99": pct(cold, 99),
        }
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=FULL, help="generated cables (default 251,287)")
    ap.add_argument("--archive", type=Path, help="SQLite archive file to reuse (built if missing)")
    ap.add_argument(
        "--store",
        choices=("sqlite", "postgresql", "both"),
        default="sqlite",
        help="the store(s) to measure; both: the same cables and mix, query by query in turn",
    )
    ap.add_argument(
        "--pg",
        metavar="URL",
        help="PostgreSQL archive to reuse (built if empty); default a throwaway server",
    )
    ap.add_argument("--show", type=int, default=10, help="print the slowest N queries")
    ap.add_argument(
        "--cpu",
        action="store_true",
        help="time each query by the CPU time of its thread, not the wall clock (a loaded machine;"
        " on PostgreSQL the server's work is not in it)",
    )
    ap.add_argument(
        "--reader",
        default=None,
        metavar="RANK[,CAVEAT...]",
        help="SQLite only: also run the mix as this reader under a controlled policy (e.g. secret,"
        " confidential,noforn or anonymous), alternating query by query with the unfiltered run, and print"
        " the policy's overhead (issue 5: at most 20%%)",
    )
    ap.add_argument(
        "--passes",
        type=int,
        default=4,
        help="with --reader: passes over the mix (the first cold, the median of the rest warm)",
    )
    args = ap.parse_args()
    if args.reader and args.store != "sqlite":
        ap.error("--reader needs the SQLite store (PostgreSQL reads under the open policy)")
    if args.cpu:
        global CLOCK
        CLOCK = time.thread_time
    load = os.getloadavg()
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {os.cpu_count()} cores"
        f" · load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    with ExitStack() as stack:
        locations: dict[str, str | Path] = {}
        if args.store in ("sqlite", "both"):
            locations["sqlite"] = args.archive or (
                Path(tempfile.gettempdir()) / f"cablebase-bench-{args.n}.db"
            )
        if args.store in ("postgresql", "both"):
            locations["postgresql"] = args.pg or throwaway_postgresql(stack)
        ingest_s = prepare(locations, args.n)
        archives = {name: stack.enter_context(Archive.open(loc)) for name, loc in locations.items()}
        mixes = {}
        for name, a in archives.items():
            print(f"{name}: {len(a):,} cables", file=sys.stderr)
            mixes[name] = make_mix(a)
        mix = next(iter(mixes.values()))
        for name, other in mixes.items():
            if other != mix:  # the stores disagree on what they hold: no comparison
                sys.exit(f"the mix drawn from {name} differs from the first store's")
        if args.reader:
            compare(archives["sqlite"], mix, args.reader, args.show, args.passes)
            return
        figures = side_by_side(archives, mix, args.show)
        load = os.getloadavg()
        print(f"\nload after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        print("\n| store | cables | ingest s | on disk MB | warm p50 ms | p95 | p99 | cold p99 |")
        print("|---|---|---|---|---|---|---|---|")
        for name, f in figures.items():
            built = f"{ingest_s[name]:.0f}" if name in ingest_s else "(reused)"
            print(
                f"| {name} | {len(archives[name]):,} | {built} | {archive_bytes(locations[name]) / 1e6:,.0f}"
                f" | {f['p50']:.1f} | {f['p95']:.1f} | {f['p99']:.1f} | {f['cold p99']:.1f} |"
            )


if __name__ == "__main__":
    main()
