"""The outbox: a released cable's deliveries, written in the release's own transaction.

The release code calls `enqueue(conn, cable)` after storing the cable and before committing:
the cable and its deliveries are committed together or not at all, so no released cable lacks
its deliveries and no delivery names an unreleased cable (the transactional-outbox pattern).
`enqueue` never begins or ends a transaction itself.

The drafting desk's release (drafting/desk.py) calls it through RELEASE_HOOKS.
`release_and_enqueue` stores a cable and enqueues it in one transaction without the desk's
clearances and numbering (tests, the benchmark).  Both run on either store (archive/db.py).
"""

from __future__ import annotations

import time
from typing import Any

from cablebase.archive.db import Db
from cablebase.dispatch.addressees import ACK_REQUIRED, OBJECTIVE, Table, expand
from cablebase.record import Cable

__all__ = ["delivery_key", "enqueue", "release_and_enqueue"]


def delivery_key(reference_id: str, addressee: str) -> str:
    """The idempotency key of a delivery: one per addressee per cable, everywhere (the
    table's UNIQUE key, the drop adapter's file name)."""
    return f"{reference_id.upper()}/{addressee}"


def enqueue(
    conn: Any,  # a sqlite3 or psycopg connection, or a Db
    cable: Cable,
    *,
    released: float | None = None,
    table: Table | None = None,
) -> int:
    """Write one delivery per addressee of `cable` on `conn`, inside the caller's transaction;
    return how many were new (enqueueing a cable twice adds nothing).  An addressee that
    resolves to nothing is written as a dead letter with its reason."""
    rid = cable.reference_id
    if not rid:
        raise ValueError("a cable without a reference id cannot be dispatched")
    at = time.time() if released is None else released
    rows = []
    for t in expand(cable, table):
        rank = t.rank
        state, error = ("queued", None) if t.known else ("dead", t.reason)
        rows.append(
            (
                delivery_key(rid, t.key),
                rid.upper(),
                t.key,
                t.role,
                t.precedence,
                rank,
                int(rank in ACK_REQUIRED),
                at,
                at + OBJECTIVE[rank],
                state,
                at,
                error,
            )
        )
    db = Db.of(conn)
    new = 0
    # Rows in chunks of one statement each (RETURNING counts the rows this call added).
    for i in range(0, len(rows), _CHUNK):
        chunk = rows[i : i + _CHUNK]
        values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
        new += len(
            db.execute(
                "INSERT INTO dispatch_deliveries (key, reference_id, addressee, role,"
                " precedence, rank, ack_required, released, deadline, state, next_at, error)"
                f" VALUES {values} ON CONFLICT (key) DO NOTHING RETURNING id",
                [v for row in chunk for v in row],
            ).fetchall()
        )
    return new


_CHUNK = 64  # rows per INSERT: 768 parameters, under any SQLite's limit


def release_and_enqueue(store, cable: Cable, *, released: float | None = None) -> int:  # noqa: ANN001
    """Store `cable` in the archive (either store) and enqueue its deliveries in one
    transaction, as the drafting desk's release does (Desk.release with RELEASE_HOOKS); return
    the number of deliveries.  The cable must be new to the archive (else ValueError)."""
    db = Db.of(store.conn)
    with db.transaction(immediate=True):
        store.add_new(cable)
        return enqueue(db, cable, released=released)
