"""Growth to PlusD scale (issue 13): one archive per store grown step by step, measured at each step.

    nice -n 19 python bench/bench_scale.py --workdir /var/tmp/scale --steps 250000,1000000,2500000
    python bench/bench_scale.py ... --stores sqlite,postgresql:1000000   # PostgreSQL to 1 M only
    python bench/bench_scale.py --workdir /var/tmp/scale --report        # the tables, markdown
    # PostgreSQL in a kept cluster, grown on by a later run (the chunks already whole are reused):
    python bench/bench_scale.py ... --stores postgresql --pg-data /var/tmp/scale/pg --steps 250000,1000000
    python bench/bench_scale.py ... --stores postgresql --pg-data /var/tmp/scale/pg --resume --steps 1000000,2500000

One generator (seed 1, one sequence of reference ids) writes the cables as one cables.csv per
step (rows 1-250,000, then 250,001-1,000,000, ...), ahead of the ingest in its own process, so
no file of the whole collection is ever on disk; each chunk is ingested into every store in turn
(the ingest appends), then deleted.  At each step, for every store: the chunk's ingest (wall
time, CPU of the ingest process and of its workers, peak RSS of the largest ingest process, and
on PostgreSQL the CPU time and peak resident memory of the server's processes), the archive's size on disk,
then bench_search.py's fixed mix over all the stores at once (exact counts compared) and
bench_web.py with --web-workers server processes.  Every figure is appended as a JSON line to
WORKDIR/results.jsonl and printed.

PostgreSQL is a throwaway server of tests/pg_server.py (fsync off: a test server), restarted with
SERVER_SETTINGS (enough connections for several web workers of 40 threads each, and more
shared memory than a test's), its data under /tmp, stopped and removed at the end; the SQLite archive is
WORKDIR/scale.db, removed at the end unless --keep.  Before each ingest the free disk space is
checked against what the step will add (from the bytes per cable measured so far): a store that
would leave less than --min-free GB is not grown further.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from generated_archive import INGEST_CHILD, archive_bytes  # bench/ is on sys.path

BENCH = Path(__file__).resolve().parent
# Bytes per cable before anything is measured (50,000 cables: docs/benchmarks.md), doubled.
GUESS = {"sqlite": 2 * 8_600, "postgresql": 2 * 15_900}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def log(record: dict, results: Path) -> None:
    record = {"utc": time.strftime("%H:%M:%S", time.gmtime()), "load": load(), **record}
    print(json.dumps(record), flush=True)
    with results.open("a") as f:
        f.write(json.dumps(record) + "\n")


# What the throwaway server is restarted with: each web worker process holds one connection per
# request thread (up to 40, anyio's default), so two workers need over 80.
SERVER_SETTINGS = {"max_connections": "200", "shared_buffers": "1GB"}


def postgresql(stack: ExitStack, kept: Path | None = None) -> tuple[str, ServerTree]:
    """The URL of a database on a server of tests/pg_server.py run with SERVER_SETTINGS: a
    throwaway one, stopped and removed when `stack` closes; or, with `kept`, the cluster in that
    folder (made there the first time), stopped and kept, so that a later run grows it on."""
    sys.path.insert(0, str(BENCH.parent))
    from tests import pg_server

    if kept is None:
        server = pg_server.start()
        stack.callback(server.stop)
        restart = "restart"
    else:
        server = pg_server.Server()
        server.root.rmdir()  # the temporary folder it made: the kept one serves instead
        server.root, server.data, server.log = kept, kept / "data", kept / "server.log"
        fresh = not server.data.exists()
        kept.mkdir(parents=True, exist_ok=True)
        if server.owner is not None:
            os.chown(kept, server.owner.pw_uid, server.owner.pw_gid)
        if fresh:
            server._run("initdb", "-D", str(server.data), "-U", pg_server.USER, "--auth=trust",
                        "-E", "UTF8", "--locale=C", "--no-sync")  # fmt: skip
        restart = "start"
        server.started = True  # once pg_ctl below has run
        stack.callback(
            lambda: server._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(server.data))
        )
    options = (
        f"-p {server.port} -h 127.0.0.1 -k {server.root} -c fsync=off"
        " -c synchronous_commit=off -c full_page_writes=off"
    )
    options += "".join(f" -c {k}={v}" for k, v in SERVER_SETTINGS.items())
    server._run("pg_ctl", restart, "-w", "-t", "120", "-D", str(server.data), "-l",
                str(server.log), "-o", options)  # fmt: skip
    if kept is not None and fresh:
        server._run("createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", pg_server.USER,
                    pg_server.DATABASE)  # fmt: skip
    return pg_server.url(server.dsn), ServerTree(server.data)


# -- the generator (its own process) -----------------------------------------------------------


def generate_chunks(workdir: Path, steps: list[int], start: int = 0) -> None:
    """Write chunk-N.csv for each step N (the rows after the previous step), from one generator:
    written as .part and renamed when whole, so the reader never sees half a chunk.  The rows up
    to `start` (an archive resumed) are generated, not written; so is a chunk already whole."""
    from cablebase import render
    from cablebase.generate import generate

    cables = generate(steps[-1], seed=1)
    done = 0
    wanted = [s for s in steps if s > start and not (workdir / f"chunk-{s}.csv").exists()]
    for step in steps:
        if not wanted or step > wanted[-1]:
            break  # nothing more to write: the rest of the sequence is not generated
        if step not in wanted:
            for _ in range(step - done):
                next(cables)
            done = step
            continue
        part = workdir / f"chunk-{step}.csv.part"
        t = time.perf_counter()
        with part.open("w", encoding="utf-8", newline="") as f:
            while done < start:
                done += 1
                next(cables)
            while done < step:
                done += 1
                f.write(render.to_csv_row(next(cables), done))
        part.rename(workdir / f"chunk-{step}.csv")
        cpu = time.process_time()
        print(f"generated rows to {step:,} in {time.perf_counter() - t:.0f} s (CPU so far {cpu:.0f} s)",
              file=sys.stderr, flush=True)  # fmt: skip


def wait_for(path: Path, gen: subprocess.Popen) -> None:
    while not path.exists():
        if gen.poll() not in (None, 0):
            sys.exit(f"the generator failed ({gen.returncode})")
        time.sleep(2)


# -- measuring -----------------------------------------------------------------------------------


def _stat(pid: int) -> list[int]:
    """utime, stime, cutime, cstime of a process, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return [int(x) for x in fields[11:15]]


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        with contextlib.suppress(OSError):
            kids = _children(todo.pop())
            out += kids
            todo += kids
    return out


def _children(pid: int) -> list[int]:
    return [
        int(c)
        for t in Path(f"/proc/{pid}/task").iterdir()
        for c in (t / "children").read_text().split()
    ]


class ServerTree:
    """One PostgreSQL server's processes: the postmaster (the first line of the data folder's
    postmaster.pid) and its children, the backends; other servers on the machine not counted."""

    def __init__(self, data: Path) -> None:
        self.data = data

    def postmaster(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def cpu_s(self) -> float:
        """CPU seconds of the server: the postmaster's own and its reaped backends', plus the
        live backends'."""
        pm = self.postmaster()
        total = sum(_stat(pm))
        for kid in _children(pm):
            with contextlib.suppress(OSError):  # ended meanwhile: now in the postmaster's cutime
                total += sum(_stat(kid)[:2])
        return total / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        """Resident memory: RssAnon summed over the processes, plus the largest RssShmem (the
        shared buffers are mapped into every backend: counted once)."""
        anon = shmem = 0
        for pid in [pm := self.postmaster(), *_children(pm)]:
            # 0 for a process that has ended or is ending (a zombie has no memory lines).
            anon += _status_kb(pid, "RssAnon")
            shmem = max(shmem, _status_kb(pid, "RssShmem"))
        return (anon + shmem) / 1024


class Peak:
    """The peak of a gauge, sampled every second in a thread while the block runs."""

    def __init__(self, gauge) -> None:
        self.gauge, self.value, self.stop = gauge, 0.0, threading.Event()

    def __enter__(self) -> Peak:
        def run() -> None:
            while not self.stop.wait(1):
                self.value = max(self.value, self.gauge())

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def ingest(chunk: Path, location: str, usage: Path, server: ServerTree | None) -> dict:
    cmd = [
        sys.executable,
        "-c",
        INGEST_CHILD,
        str(usage),
        "ingest",
        str(chunk),
        "--archive",
        location,
    ]
    t = time.perf_counter()
    cpu = server.cpu_s() if server else 0.0
    with Peak(server.rss_mb if server else lambda: 0.0) as peak:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # ru_maxrss counts the archive's memory-mapped pages (SQLite: mmap_size 1 GiB) with the
        # heap; the largest process's RssAnon is the heap alone.
        with Peak(
            lambda: (
                max(_status_kb(q, "RssAnon") for q in [proc.pid, *_descendants(proc.pid)]) / 1024
            )
        ) as anon:
            _, stderr = proc.communicate()
    seconds = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        sys.exit(f"ingest failed ({proc.returncode}):\n{stderr[-3000:]}")
    summary = next((ln for ln in reversed(stderr.splitlines()) if " items: " in ln), "")
    u = json.loads(usage.read_text())
    out = {
        "ingest_s": round(seconds, 1),
        "main_cpu_s": round(u["main_cpu"], 1),
        "workers_cpu_s": round(u["workers_cpu"], 1),
        "peak_rss_mib": round(max(u["main_rss"], u["workers_rss"]) / 1024),
        "main_rss_mib": round(u["main_rss"] / 1024),
        "peak_anon_mib": round(anon.value),
        "summary": summary.strip(),
    }
    if server:
        out["server_peak_mib"] = round(peak.value)
        out["server_cpu_s"] = round(server.cpu_s() - cpu, 1)
        t = time.perf_counter()
        import psycopg

        with psycopg.connect(location, autocommit=True) as conn:
            conn.execute("ANALYZE")
        out["analyze_s"] = round(time.perf_counter() - t, 1)
    return out


def cables(location: str) -> int:
    from cablebase.archive.api import Archive

    with Archive.open(location) as a:
        return len(a)


def run_bench(script: str, args: list[str], logfile: Path) -> str:
    cmd = [sys.executable, str(BENCH / script), *args]
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    with logfile.open("a") as f:
        f.write(f"\n# {' '.join(cmd)}  ({time.perf_counter() - t:.0f} s, exit {done.returncode})\n")
        f.write(done.stdout + done.stderr[-5000:])
    return done.stdout if done.returncode == 0 else ""


def search(locations: dict[str, str], logfile: Path) -> dict:
    """bench_search.py's mix over every store at once; its summary table's figures per store."""
    args = ["--store", "both" if len(locations) == 2 else next(iter(locations)), "--show", "5"]
    if "sqlite" in locations:
        args += ["--archive", locations["sqlite"]]
    if "postgresql" in locations:
        args += ["--pg", locations["postgresql"]]
    out = run_bench("bench_search.py", args, logfile)
    figures: dict[str, dict] = {}
    names = ("p50_ms", "p95_ms", "p99_ms", "cold_p99_ms")
    for ln in out.splitlines():
        cells = [c.strip() for c in ln.strip("|").split("|")]
        if len(cells) == 8 and cells[0] in locations:  # the summary: wall-clock times
            figures.setdefault(cells[0], {}).update(zip(names, map(float, cells[4:]), strict=True))
        elif len(cells) == 5 and cells[0] in locations:  # CPU times: what compares when loaded
            cpu = zip(("cpu_" + n for n in names), map(float, cells[1:]), strict=True)
            figures.setdefault(cells[0], {}).update(cpu)
    m = re.search(r"differ between the stores: (\d+) of (\d+)", out)
    if m:
        figures["counts_differ"] = f"{m[1]} of {m[2]}"
    return figures


def connections(location: str) -> float:
    """Client connections open on the PostgreSQL server (this gauge's own not counted)."""
    import psycopg

    try:
        with psycopg.connect(location, autocommit=True) as conn:
            (n,) = conn.execute(
                "SELECT count(*) - 1 FROM pg_stat_activity WHERE backend_type = 'client backend'"
            ).fetchone()
        return float(n)
    except psycopg.Error:
        return 0.0


def web(location: str, workers: int, clients: int, seconds: int, logfile: Path) -> dict:
    pg = location.startswith("postgresql://")
    with Peak((lambda: connections(location)) if pg else lambda: 0.0) as peak:
        out = run_bench(
            "bench_web.py",
            ["--archive", location, "--workers", str(workers), "--clients", str(clients),
             "--seconds", str(seconds), "--rounds", "1", "--no-export", "--portable"],
            logfile,
        )  # fmt: skip
    m = re.search(r"load: .*?: ([\d,]+) requests, ([\d,]+) requests/s, (\d+) errors", out)
    if not m:
        return {"web_failed": True}
    warm = re.search(r"warm: .*?\n(?:.*\n)*?\s+all\s+\d+\s+([\d.]+)\s+([\d.]+)", out)
    under = re.search(r"server time p50 ([\d.]+) ms, p95 ([\d.]+) ms", out)
    rss = re.search(r"server RSS (\d+) MB \(RssAnon (\d+) MB", out)
    return {
        "web_workers": workers,
        "requests": int(m[1].replace(",", "")),
        "rps": int(m[2].replace(",", "")),
        "errors": int(m[3]),
        "warm_p50_ms": float(warm[1]) if warm else None,
        "warm_p95_ms": float(warm[2]) if warm else None,
        "load_p50_ms": float(under[1]) if under else None,
        "load_p95_ms": float(under[2]) if under else None,
        "server_rss_mb": int(rss[1]) if rss else None,
        "server_anon_mb": int(rss[2]) if rss else None,
        **({"pg_connections_peak": int(peak.value)} if pg else {}),
    }


# -- the tables ---------------------------------------------------------------------------------


def report(results: Path) -> None:
    """The growth tables (markdown) of a results.jsonl."""
    rows = [json.loads(ln) for ln in results.read_text().splitlines() if ln.strip()]
    ingests = [r for r in rows if "ingest_s" in r]
    print("| store | cables | chunk | ingest s | items/s | CPU ms/cable (main + workers [+ server]) |"
          " peak RSS MiB (ingest (heap) [server]) | on disk GB | bytes/cable | load |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---|---|---:|---:|---|")
    for r in ingests:
        n = r["chunk_rows"]
        parts = [r["main_cpu_s"], r["workers_cpu_s"]] + (
            [r["server_cpu_s"]] if "server_cpu_s" in r else []
        )
        cpu = " + ".join(f"{1000 * c / n:.2f}" for c in parts)
        mem = (
            f"{r['peak_rss_mib']}"
            + (f" (anon {r['peak_anon_mib']})" if "peak_anon_mib" in r else "")
            + (f" [{r['server_peak_mib']}]" if "server_peak_mib" in r else "")
        )
        print(f"| {r['store']} | {r['cables']:,} | {n:,} | {r['ingest_s']:.0f} | {n / r['ingest_s']:.0f}"
              f" | {cpu} | {mem} | {r['bytes'] / 1e9:.2f} | {r['bytes_per_cable']:,} | {r['load']} |")  # fmt: skip
    print("\n| step | store | CPU ms: warm p50 | p95 | p99 | cold p99 | wall ms: warm p50 | p95"
          " | p99 | cold p99 | counts differ | load |")  # fmt: skip
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        for store, f in r.get("search", {}).items():
            if isinstance(f, dict):
                times = [f.get(p + n, "") for p in ("cpu_", "") for n in
                         ("p50_ms", "p95_ms", "p99_ms", "cold_p99_ms")]  # fmt: skip
                print(f"| {r['step']:,} | {store} | " + " | ".join(map(str, times))
                      + f" | {r['search'].get('counts_differ', '')} | {r['load']} |")  # fmt: skip
    print("\n| step | store | workers | requests/s | errors | warm p50/p95 ms | under load p50/p95 ms"
          " | server RSS MB (anon) | PG connections | load |")  # fmt: skip
    print("|---:|---|---:|---:|---:|---|---|---|---:|---|")
    for r in rows:
        if "rps" in r:
            print(f"| {r['step']:,} | {r['store']} | {r['web_workers']} | {r['rps']} | {r['errors']}"
                  f" | {r['warm_p50_ms']} / {r['warm_p95_ms']} | {r['load_p50_ms']} / {r['load_p95_ms']}"
                  f" | {r['server_rss_mb']} ({r['server_anon_mb']}) | {r.get('pg_connections_peak', '')}"
                  f" | {r['load']} |")  # fmt: skip


# -- the run -------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--steps", default="250000,1000000,2500000")
    ap.add_argument(
        "--stores",
        default="sqlite,postgresql",
        help="the stores, each optionally with the last step it grows to: sqlite,postgresql:500000",
    )
    ap.add_argument("--web-workers", default="2", help="server processes, e.g. 1,2")
    ap.add_argument(
        "--web-at",
        default="",
        help="the steps after which bench_web.py runs, e.g. 2500000 (default: every step)",
    )
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--min-free", type=float, default=8.0, help="GB of disk always left free")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument(
        "--pg-data",
        type=Path,
        help="PostgreSQL: the cluster in this folder (made the first time), kept at the end",
    )
    ap.add_argument(
        "--resume",
        action="store_true",
        help="grow the kept archive (WORKDIR/scale.db, or --pg-data's) from its count on",
    )
    ap.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument(
        "--report", action="store_true", help="print the tables of WORKDIR/results.jsonl"
    )
    args = ap.parse_args()
    if args.report:
        report(args.workdir / "results.jsonl")
        return
    steps = [int(s) for s in args.steps.split(",")]
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.generate:
        generate_chunks(args.workdir, steps, args.start)
        return
    last = {}
    for spec in args.stores.split(","):
        name, _, upto = spec.partition(":")
        last[name] = int(upto) if upto else steps[-1]
    stores = list(last)
    results = args.workdir / "results.jsonl"
    logfile = args.workdir / "benches.log"
    log({"start": True, "host": platform.node(), "cores": os.cpu_count(),
         "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
         "nice": os.nice(0), "steps": steps, "stores": stores, "pg_settings": SERVER_SETTINGS},
        results)  # fmt: skip
    # Stopped with SIGTERM (or Ctrl-C), the generator, the server and the archive go too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped (SIGTERM)"))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    start = 0
    one_kept = stores == ["sqlite"] or (stores == ["postgresql"] and args.pg_data)
    if args.resume and not one_kept:
        ap.error("--resume grows one kept archive: --stores sqlite, or postgresql with --pg-data")
    with ExitStack() as stack:
        locations: dict[str, str] = {}
        tree = None
        if "postgresql" in stores:
            locations["postgresql"], tree = postgresql(stack, args.pg_data)
        if args.resume:
            start = cables(locations.get("postgresql") or str(args.workdir / "scale.db"))
            log({"resumed": start}, results)
        gen = subprocess.Popen(
            [sys.executable, __file__, "--generate", "--workdir", str(args.workdir),
             "--steps", args.steps, "--start", str(start)],
        )  # fmt: skip
        stack.callback(lambda: gen.poll() is None and gen.kill())
        if "sqlite" in stores:
            db = args.workdir / "scale.db"
            for s in ("", "-wal", "-shm") if not args.resume else ():
                Path(str(db) + s).unlink(missing_ok=True)
            locations["sqlite"] = str(db)
            if not args.keep:
                stack.callback(
                    lambda: [
                        Path(str(db) + s).unlink(missing_ok=True) for s in ("", "-wal", "-shm")
                    ]
                )
        per_cable = dict(GUESS)
        grown = dict.fromkeys(locations, start)
        previous = start
        for step in (s for s in steps if s > start):
            chunk = args.workdir / f"chunk-{step}.csv"
            wait_for(chunk, gen)
            n = step - previous
            for store, location in list(locations.items()):
                if step > last[store]:
                    log(
                        {"store": store, "step": step, "skipped": f"grows to {last[store]:,} only"},
                        results,
                    )
                    del locations[store]
                    continue
                free = shutil.disk_usage(args.workdir).free / 1e9
                need = n * per_cable[store] / 1e9
                if free - need < args.min_free:
                    log(
                        {
                            "store": store,
                            "step": step,
                            "skipped": f"{free:.1f} GB free, needs ~{need:.1f}",
                        },
                        results,
                    )
                    del locations[store]
                    continue
                server = tree if store == "postgresql" else None
                figures = ingest(chunk, location, args.workdir / f"{store}.rusage.json", server)
                size = archive_bytes(location)
                count = cables(location)
                per_cable[store] = size / count
                grown[store] = step
                log({"store": store, "step": step, "chunk_rows": n, "cables": count,
                     "bytes": size, "bytes_per_cable": round(size / count), **figures,
                     "disk_free_gb": round(shutil.disk_usage(args.workdir).free / 1e9, 1)}, results)  # fmt: skip
            chunk.unlink()
            previous = step
            if not locations:
                break
            log({"step": step, "search": search(locations, logfile)}, results)
            if args.web_at and str(step) not in args.web_at.split(","):
                continue  # the reading room is measured at the chosen steps only
            for store, location in locations.items():
                for w in map(int, args.web_workers.split(",")):
                    log(
                        {
                            "store": store,
                            "step": step,
                            **web(location, w, args.clients, args.seconds, logfile),
                        },
                        results,
                    )
        log({"done": True, "grown": grown}, results)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
