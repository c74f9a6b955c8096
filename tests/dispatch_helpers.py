"""Synthetic released cables for the dispatch tests and benchmark (written here, not taken
from any archive)."""

from __future__ import annotations

from cablebase.record import Cable, Paragraph, Recipient


def cable(
    n: int,
    *,
    precedence: str | None = "ROUTINE",
    info_precedence: str | None = None,
    to: tuple[str, ...] = ("RUEHC/SECSTATE WASHDC",),
    info: tuple[str, ...] = (),
    xmt: tuple[str, ...] = (),
    collectives: tuple[str, ...] = (),
    classification: str = "UNCLASSIFIED",
    post: str = "BAMAKO",
    subject: str | None = None,
) -> Cable:
    def line(role: str, text: str, collective: bool = False) -> Recipient:
        route, _, name = text.rpartition("/")
        return Recipient(role=role, route=route or None, name=name, collective=collective)

    recipients = [line("to", t) for t in to]
    recipients += [line("info", t) for t in info]
    recipients += [line("info", c, True) for c in collectives]
    recipients += [line("xmt", x) for x in xmt]
    mark = {"UNCLASSIFIED": "U", "CONFIDENTIAL": "C", "SECRET": "S"}[classification]
    return Cable(
        reference_id=f"26{post}{n}",
        created="2026-12-05T10:00:00Z",
        origin=f"Embassy {post.title()}",
        post=post,
        sender=f"AMEMBASSY {post}",
        classification=classification,
        precedence=precedence,
        info_precedence=info_precedence,
        subject=subject or f"DISPATCH TEST NUMBER {n}",
        subject_portion=mark,
        recipients=recipients,
        tags=["PREL", "ML"],
        paragraphs=[Paragraph(number=1, portion=mark, text=f"Test cable {n} for dispatch.")],
    )


# -- kill -9 harness (tests/test_dispatch_kill.py, bench/bench_dispatch.py) ---------------------
# `path`: an archive location, a SQLite file or a PostgreSQL URL.


def aldac_world(path, cables: int, *, released: float | None = None) -> int:  # noqa: ANN001
    """An archive of `cables` ROUTINE cables to ALDAC (each ~250 posts); returns deliveries."""
    from cablebase.archive.store import open_store
    from cablebase.dispatch.outbox import release_and_enqueue

    total = 0
    with open_store(path) as store:
        for i in range(cables):
            c = cable(i, to=(), collectives=("ALDAC",))
            total += release_and_enqueue(store, c, released=released)
    return total


def _db(path):  # noqa: ANN001, ANN202
    """A plain connection to the archive for watching the deliveries (no migration, no lock
    held between statements), as archive/db.py's Db."""
    from cablebase.archive.db import Db
    from cablebase.archive.store import is_dsn

    if is_dsn(str(path)):
        import psycopg

        return Db(psycopg.connect(str(path), autocommit=True))
    import sqlite3

    return Db(sqlite3.connect(path, timeout=30))


def _count(db, where: str) -> int:  # noqa: ANN001
    return db.one(f"SELECT count(*) FROM dispatch_deliveries WHERE {where}")


def dispatcher(path, drop, *extra: str):  # noqa: ANN001, ANN201
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "cablebase", "dispatch", "run", "--archive", str(path)]
    cmd += ["--drop", str(drop), *extra]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_nine(path, drop, kills: int, rng) -> list[int]:  # noqa: ANN001
    """Start the dispatcher and kill -9 it `kills` times, each when the delivered count passes a
    random point of its share of what is left (so that the kills spread over the whole run
    however fast the machine delivers); returns the delivered count at each kill (fewer kills
    when the queue emptied first)."""
    import signal
    import time

    db = _db(path)
    try:
        total = _count(db, "TRUE")
        at = []
        for k in range(kills):
            before = _count(db, "state = 'delivered'")
            share = max(1, (total - before) // (kills - k + 1))
            target = before + rng.randint(1, share)
            proc = dispatcher(path, drop)
            deadline = time.monotonic() + 120
            while _count(db, "state = 'delivered'") < target and time.monotonic() < deadline:
                if proc.poll() is not None:
                    break
                time.sleep(0.001)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            at.append(_count(db, "state = 'delivered'"))
            if _count(db, "state != 'delivered'") == 0:
                break
        return at
    finally:
        db.raw.close()


def exactly_once(path, drop) -> dict:  # noqa: ANN001
    """What a finished run left: every delivery's state, the drop's files and journal."""
    from pathlib import Path

    from cablebase.dispatch.adapters import safe

    db = _db(path)
    try:
        keys = db.execute(
            "SELECT key, addressee, reference_id, state, attempts FROM dispatch_deliveries"
        ).fetchall()
    finally:
        db.raw.close()
    root = Path(drop)
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.txt"))
    journal = (root / "journal.log").read_text().split() if (root / "journal.log").exists() else []
    return {
        "deliveries": len(keys),
        "states": sorted({s for *_, s, _ in keys}),
        "expected_files": sorted(f"{safe(a)}/{safe(r)}.txt" for _, a, r, _, _ in keys),
        "files": files,
        "journal": journal,
        "keys": sorted(k for k, *_ in keys),
        "retried": sum(1 for *_, n in keys if n > 1),
        "leftovers": sorted(p.name for p in root.rglob("*.tmp")),
    }
