"""The outbox: a released cable's deliveries, written in the release's own transaction.

The release code calls `enqueue(conn, cable)` after storing the cable and before committing:
the cable and its deliveries are committed together or not at all, so no released cable lacks
its deliveries and no delivery names an unreleased cable (the transactional-outbox pattern).
`enqueue` never begins or ends a transaction itself.

The drafting desk's release (drafting/desk.py) calls it through RELEASE_HOOKS.
`release_and_enqueue` stores a cable and enqueues it in one transaction without the desk's
clearances and numbering (tests, the benchmark).
"""

from __future__ import annotations

import sqlite3
import time

from cablebase.dispatch.addressees import ACK_REQUIRED, OBJECTIVE, Table, expand
from cablebase.record import Cable

__all__ = ["delivery_key", "enqueue", "release_and_enqueue"]


def delivery_key(reference_id: str, addressee: str) -> str:
    """The idempotency key of a delivery: one per addressee per cable, everywhere (the
    table's UNIQUE key, the drop adapter's file name)."""
    return f"{reference_id.upper()}/{addressee}"


def enqueue(
    conn: sqlite3.Connection,
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
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO dispatch_deliveries (key, reference_id, addressee, role,"
        " precedence, rank, ack_required, released, deadline, state, next_at, error)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return conn.total_changes - before


def release_and_enqueue(store, cable: Cable, *, released: float | None = None) -> int:  # noqa: ANN001
    """Store `cable` in the archive (a SQLiteStore) and enqueue its deliveries in one
    transaction, as the drafting desk's release does (Desk.release with RELEASE_HOOKS); return
    the number of deliveries.  The cable must be new to the archive (else ValueError)."""
    conn = store.conn
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        store.add_new(cable)
        return enqueue(conn, cable, released=released)
