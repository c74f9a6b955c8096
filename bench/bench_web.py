"""Reading-room server benchmark (issue 4: p95 server time <= 50 ms; 50 clients for 60 s, no errors).

    python bench/bench_web.py                          # builds 251,287 generated cables (minutes)
    python bench/bench_web.py --n 50000                # a moderate run
    python bench/bench_web.py --archive FILE.db        # reuse an archive (built if missing)
    python bench/bench_web.py --archive FILE.db --clients 50 --seconds 60
    python bench/bench_web.py --archive postgresql://me@host/db --workers 2   # 2 server processes

With --portable the mix leaves out the statistics, browse lists and graph pages (the mix
bench_scale.py compared both stores with while PostgreSQL lacked them; every store serves
the whole mix now).

Uvicorn serves the app in a subprocess on 127.0.0.1 only.  Each response carries a
`Server-Timing: app;dur=MS` header, added by a wrapper around the app in that subprocess: the
time from the request reaching the app to the response starting (pages and JSON are rendered
whole before they start, so this is their server time; streams are timed to their first byte).

Phases:
  1. cold: every URL of the fixed mix once, in order (the first answers after the server starts)
  2. warm: the mix --rounds times, one client: p50/p95/max server time per kind of URL
  3. load: --clients concurrent clients (asyncio + httpx, one connection each) for --seconds,
     walking the mix in random order: requests/s, errors, server time under load
  4. export: one streamed JSON-lines export of every cable, counting lines and watching the
     server's resident memory (skipped with --no-export)

Trust (issue 11): --controlled serves a copy of the archive under a controlled policy, the
clients reading as anonymous visitors and as readers of every clearance (API tokens);
--ingest-during N ingests N more generated cables into the served archive while the load runs
(a write batch at a time: the readers see the archive change under them).  The server's
anonymous memory (RssAnon: heap, not the mapped archive file) is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote, urlencode

from generated_archive import build  # bench/ is on sys.path when run as a script

FULL = 251_287
HOST = "127.0.0.1"  # loopback only


# -- the server (run in the subprocess) --------------------------------------------------------


def timed(app):
    """The ASGI app with a Server-Timing header on every response."""

    async def wrapper(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        start = time.perf_counter()

        async def timed_send(message):
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - start) * 1000
                headers = list(message.get("headers", []))
                headers.append((b"server-timing", f"app;dur={ms:.3f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        return await app(scope, receive, timed_send)

    return wrapper


def rss_anon_mb(pid: int) -> float:
    """Anonymous resident memory (heap and stacks; not the memory-mapped archive pages),
    summed over the server's processes."""
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("RssAnon:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024 if total else float("nan")


READERS = (  # name, clearance, caveats: one client in len(READERS)+1 reads anonymously
    ("bench-u", "UNCLASSIFIED", ()),
    ("bench-c", "CONFIDENTIAL", ()),
    ("bench-s", "SECRET", ("NOFORN",)),
)


def controlled_copy(archive: Path, workdir: Path) -> tuple[Path, list[str | None]]:
    """A copy of the archive under a controlled policy with one account per READERS entry;
    the API tokens of those accounts, and None for an anonymous visitor."""
    import shutil

    from argon2 import PasswordHasher

    from cablebase.access.accounts import Accounts
    from cablebase.access.policy import Policy
    from cablebase.access.settings import set_policy
    from cablebase.archive.sqlite import SQLiteStore

    copy = workdir / "controlled.db"
    shutil.copy(archive, copy)
    tokens: list[str | None] = [None]
    with SQLiteStore(copy) as store:
        set_policy(store.conn, Policy("controlled"))
        acc = Accounts(store.conn, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        for name, clearance, caveats in READERS:
            acc.add_user(name, "bench password 123", "reader", clearance, caveats)
            tokens.append(acc.create_token(name, "bench"))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return copy, tokens


def ingest_during(archive: Path | str, n: int, workdir: Path) -> subprocess.Popen:
    """`cablebase ingest` of N more generated cables into the served archive, started now."""
    from cablebase.generate import write

    source = workdir / "more.csv"
    write(n, "csv", source, seed=99)
    return subprocess.Popen(
        [sys.executable, "-m", "cablebase", "ingest", str(source), "--archive", str(archive)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def factory():
    """The timed app over $BENCH_WEB_ARCHIVE: what each of several uvicorn workers imports."""
    from cablebase.web.app import create_app

    return timed(create_app(os.environ["BENCH_WEB_ARCHIVE"]))


def serve(archive: str, port: int, workers: int = 1) -> None:
    import uvicorn

    os.environ["BENCH_WEB_ARCHIVE"] = archive
    common = dict(
        host=HOST,
        port=port,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=30,  # idle pooled client connections must not race a server close
    )
    if workers == 1:
        uvicorn.run(factory(), **common)
    else:  # several processes on one socket: uvicorn imports the app by name in each
        uvicorn.run("bench_web:factory", factory=True, workers=workers,
                    app_dir=str(Path(__file__).parent), **common)  # fmt: skip


# -- setup -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(archive: Path | str, port: int, workers: int = 1) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            str(archive),
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],  # fmt: skip
        stdin=subprocess.DEVNULL,
    )
    import httpx

    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(f"http://{HOST}:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not come up in 60 s")


def tree(pid: int) -> list[int]:
    """The process and its descendants (several uvicorn workers are the server's children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for t in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in t.read_text().split()]
    return out


def rss_mb(pid: int) -> float:
    """VmRSS summed over the server's processes."""
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024 if total else float("nan")


def mix(
    base: str,
    archive: Path | str,
    rng: random.Random,
    token: str | None = None,
    portable: bool = False,
) -> list[tuple[str, str]]:
    """The fixed mix: (kind, path) for API and page URLs, drawn from the archive itself
    (its stats read as `token`'s reader: under a controlled policy, the most cleared one).
    `portable`: without statistics, browse lists and graph pages (bench_scale.py's earlier
    mix), the tags and origins taken from the search facets."""
    import httpx

    from cablebase.access.policy import open_access
    from cablebase.archive.api import Archive

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if portable:
        with Archive.open(archive, readonly=True, access=open_access()) as a:
            facets = a.facets("", names=("tag", "origin"), top=10)
        tags = [t for t, _ in facets["tag"][:10]]
        origins = [o for o, _ in facets["origin"][:10]]
        months: list[str] = []
    else:
        stats = httpx.get(f"{base}/api/stats", timeout=600, headers=headers).json()
        tags = [t for t, _ in stats["top_tags"][:10]]
        origins = [o for o, _ in stats["top_origins"][:10]]
        months = list(stats["by_month"])
    with Archive.open(archive, readonly=True, access=open_access()) as a:
        n = len(a)
        offsets = [rng.randrange(n) for _ in range(40)]
        hits = [next(iter(a.search("", sort="date", limit=1, offset=o))) for o in offsets]
    ids = [h.reference_id for h in hits]
    candidates = sorted(
        {
            w
            for h in hits
            for w in (h.subject or "").lower().replace(":", " ").replace(",", " ").split()
            if w.isalpha() and len(w) > 4
        }
    )
    # Real searches are mostly selective (names, places, topics): most words of the mix match
    # under 5% of the archive; one broad word (over half of it) is kept, ranked by relevance.
    with Archive.open(archive, readonly=True, access=open_access()) as a:
        share = {w: a.count(w) / n for w in candidates}
    narrow = [w for w in candidates if 0 < share[w] < 0.05]
    broad = [w for w in candidates if share[w] > 0.5]
    words = rng.sample(narrow, min(8, len(narrow)))
    while len(words) < 8:
        words.append(rng.choice(candidates))
    queries = (
        [""]
        + [f"tag:{t}" for t in tags[:4]]
        + [f'origin:"{o.split()[-1]}"' for o in origins[:3]]
        + words
        + [f"{words[0]} {words[1]}", f"{words[2]} OR {words[3]}", f"tag:{tags[0]} {words[4]}"]
        + ["class:secret year:2009", "year:2008..2009 -tag:PGOV", f"cites:{ids[0]}"]
        + rng.sample(broad, min(1, len(broad)))
    )
    with Archive.open(archive, readonly=True, access=open_access()) as a:
        deep = {q for q in queries if a.count(q) > 5 * 50}  # page 5 exists
    out: list[tuple[str, str]] = []
    for i, q in enumerate(queries):
        qs = urlencode({"q": q})
        out.append(("api search", f"/api/search?{qs}"))
        out.append(("page search", f"/search?{qs}"))
        if q in deep:
            out.append(("api search deep", f"/api/search?{qs}&page=5&facets=false"))
            out.append(("page search deep", f"/search?{qs}&page=5"))
        if i % 4 == 0:
            out.append(("api search by date", f"/api/search?{qs}&sort=-date&facets=false"))
    for rid in ids:
        out.append(("api cable", f"/api/cables/{rid}"))
        out.append(("api references", f"/api/cables/{rid}/references"))
        out.append(("page cable", f"/cable/{rid}"))
    for rid in ids[:10]:
        out.append(("api telegram", f"/api/cables/{rid}/telegram"))
        out.append(("page telegram", f"/cable/{rid}/telegram"))
        if not portable:
            out.append(("page graph", f"/cable/{rid}/graph"))
    out += [("api health", "/api/health"), ("page home", "/")]
    if portable:
        return out
    out += [
        ("api stats", "/api/stats"),
        ("page stats", "/stats"),
        ("page browse", "/browse/posts"),
        ("page browse", "/browse/tags"),
        ("page browse", "/browse/months"),
    ]
    for o in origins[:3]:
        out.append(("page browse", f"/browse/posts/{quote(o)}"))
    for m in rng.sample(months, min(3, len(months))):
        out.append(("page browse", f"/browse/months/{m}"))
    return out


def server_ms(response) -> float:
    timing = response.headers.get("server-timing", "")
    try:
        return float(timing.split("dur=")[1])
    except (IndexError, ValueError):
        return float("nan")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]


def table(rows: dict[str, list[float]], title: str) -> None:
    print(f"\n{title}")
    print(f"  {'kind':<20} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    every: list[float] = []
    for kind in sorted(rows):
        v = rows[kind]
        every += v
        print(f"  {kind:<20} {len(v):>6} {pct(v, 50):>8.1f} {pct(v, 95):>8.1f} {max(v):>8.1f}")
    print(
        f"  {'all':<20} {len(every):>6} {pct(every, 50):>8.1f} {pct(every, 95):>8.1f}"
        f" {max(every):>8.1f}"
    )


# -- phases ------------------------------------------------------------------------------------


def sequential(
    base: str, urls: list[tuple[str, str]], rounds: int, token: str | None = None
) -> tuple[dict, dict, list]:
    import httpx

    server: dict[str, list[float]] = defaultdict(list)
    client: dict[str, list[float]] = defaultdict(list)
    bad: list[tuple[str, int]] = []
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(base_url=base, timeout=120, headers=headers) as c:
        for _ in range(rounds):
            for kind, url in urls:
                t = time.perf_counter()
                r = c.get(url)
                client[kind].append((time.perf_counter() - t) * 1000)
                server[kind].append(server_ms(r))
                if r.status_code != 200:
                    bad.append((url, r.status_code))
    return server, client, bad


async def load(
    base: str,
    urls: list[tuple[str, str]],
    clients: int,
    seconds: float,
    seed: int,
    tokens: list[str | None] = (None,),
):
    import httpx

    stop = time.perf_counter() + seconds
    server: list[float] = []
    client: list[float] = []
    statuses: dict[int, int] = defaultdict(int)
    errors: list[str] = []

    async def one(i: int, c: httpx.AsyncClient) -> None:
        rng = random.Random(seed + i)
        order = urls[:]
        token = tokens[i % len(tokens)]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        while time.perf_counter() < stop:
            rng.shuffle(order)
            for _, url in order:
                if time.perf_counter() >= stop:
                    return
                t = time.perf_counter()
                try:
                    r = await c.get(url, headers=headers)
                except httpx.HTTPError as exc:
                    errors.append(f"{url}: {type(exc).__name__}")
                    continue
                client.append((time.perf_counter() - t) * 1000)
                server.append(server_ms(r))
                statuses[r.status_code] += 1
                if r.status_code != 200 and not (len(tokens) > 1 and r.status_code == 404):
                    # (under access control a cable hidden from the reader is a 404, rightly)
                    errors.append(f"{url}: HTTP {r.status_code}")

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as c:
        t = time.perf_counter()
        await asyncio.gather(*(one(i, c) for i in range(clients)))
        elapsed = time.perf_counter() - t
    return server, client, dict(statuses), errors, elapsed


def export_phase(base: str, pid: int, q: str) -> None:
    import httpx

    peak = [rss_mb(pid)]
    before = peak[0]
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], rss_mb(pid))

    threading.Thread(target=watch, daemon=True).start()
    lines = size = 0
    t = time.perf_counter()
    with httpx.stream(
        "GET", f"{base}/api/export?{urlencode({'q': q, 'format': 'jsonl'})}", timeout=600
    ) as r:
        total = int(r.headers.get("x-total-count", -1))
        for chunk in r.iter_bytes():
            lines += chunk.count(b"\n")
            size += len(chunk)
    elapsed = time.perf_counter() - t
    done.set()
    print(
        f"\nexport of {q!r}: {lines:,} lines (X-Total-Count {total:,}, {'equal' if lines == total else 'DIFFERENT'}),"
        f" {size / 1e6:,.0f} MB in {elapsed:.1f} s ({lines / elapsed:,.0f} cables/s);"
        f" server RSS {before:.0f} MB before, {peak[0]:.0f} MB peak"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--archive",
        help="archive to serve: a SQLite file (built here if missing) or a postgresql:// URL",
    )
    ap.add_argument("--workers", type=int, default=1, help="server processes (uvicorn workers)")
    ap.add_argument(
        "--portable",
        action="store_true",
        help="the mix without stats, browse lists and graph pages (bench_scale.py's mix)",
    )
    ap.add_argument("--n", type=int, default=FULL, help="generated cables when building")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--export-query", default="", help="the query whose hits are exported")
    ap.add_argument("--controlled", action="store_true", help="serve under a controlled policy")
    ap.add_argument(
        "--ingest-during", type=int, default=0, metavar="N", help="ingest N cables during load"
    )
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.workers)
        return
    if args.clients > 200 or args.seconds > 600:
        raise SystemExit("keep it bounded: at most 200 clients for at most 600 s")

    tmp = None
    from cablebase.archive.store import is_dsn

    archive = args.archive if args.archive is None or is_dsn(args.archive) else Path(args.archive)
    if archive is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench-web-")
        archive = Path(tmp.name) / f"g{args.n}.db"
    if not is_dsn(archive) and not archive.exists():
        build(archive, args.n)
    work = tempfile.TemporaryDirectory(prefix="bench-web-work-")
    tokens: list[str | None] = [None]
    if args.controlled:
        if is_dsn(archive):
            raise SystemExit(
                "--controlled needs a SQLite archive (PostgreSQL reads under the open policy)"
            )
        archive, tokens = controlled_copy(archive, Path(work.name))
        print(f"controlled copy: {archive}; readers: anonymous + {len(tokens) - 1} accounts")

    port = free_port()
    base = f"http://{HOST}:{port}"
    t = time.perf_counter()
    proc = start_server(archive, port, args.workers)
    try:
        print(
            f"server up in {time.perf_counter() - t:.1f} s on {base} (pid {proc.pid},"
            f" {args.workers} worker process{'es' if args.workers > 1 else ''})"
        )
        t = time.perf_counter()
        portable = args.portable
        urls = mix(base, archive, random.Random(args.seed), tokens[-1], portable)
        from cablebase.access.policy import open_access
        from cablebase.archive.api import Archive

        with Archive.open(archive, readonly=True, access=open_access()) as a:
            n = len(a)
        print(
            f"archive: {archive} ({n:,} cables); mix: {len(urls)} URLs"
            f" (setup {time.perf_counter() - t:.1f} s, includes the first /api/stats)"
        )

        cold_server, _, bad = sequential(base, urls, 1, tokens[-1])
        table(cold_server, "cold: each URL once after start, server time")
        server, client, bad2 = sequential(base, urls, args.rounds, tokens[-1])
        table(server, f"warm: the mix x{args.rounds}, one client, server time")
        every = [v for vs in client.values() for v in vs]
        print(f"  client round trip: p50 {pct(every, 50):.1f} ms, p95 {pct(every, 95):.1f} ms")
        for url, status in sorted(set(bad + bad2)):
            print(f"  NOT 200: {status} {url}")

        writer = None
        if args.ingest_during:
            writer = ingest_during(archive, args.ingest_during, Path(work.name))
            print(f"\ningest of {args.ingest_during:,} cables started (pid {writer.pid})")
        s, c, statuses, errors, elapsed = asyncio.run(
            load(base, urls, args.clients, args.seconds, args.seed, tokens)
        )
        if writer is not None:
            still = writer.poll() is None
            _, err = writer.communicate()
            print(
                f"ingest {'ran through the whole load' if still else 'ended during the load'};"
                f" exit {writer.returncode}; {err.decode().strip().splitlines()[-1:]}"
            )
        print(
            f"\nload: {args.clients} clients for {elapsed:.1f} s: {len(s):,} requests,"
            f" {len(s) / elapsed:,.0f} requests/s, {len(errors)} errors, statuses {statuses}"
        )
        print(
            f"  server time p50 {pct(s, 50):.1f} ms, p95 {pct(s, 95):.1f} ms, max {max(s):.1f} ms;"
            f" client round trip p50 {pct(c, 50):.1f} ms, p95 {pct(c, 95):.1f} ms"
        )
        for e in sorted(set(errors))[:20]:
            print(f"  error: {e}")
        print(
            f"  server RSS {rss_mb(proc.pid):.0f} MB"
            f" (RssAnon {rss_anon_mb(proc.pid):.0f} MB; the rest is the mapped archive)"
        )

        if not args.no_export:
            export_phase(base, proc.pid, args.export_query)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if tmp is not None:
            tmp.cleanup()
        work.cleanup()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
