"""The deliveries table as a priority queue, in the archive (a SQLite file or a PostgreSQL
database: the same SQL through archive/db.py's `Db`, but for the claim).

A worker claims a small batch in one short write transaction: the oldest deliveries of the
highest precedence that are due (queued and past their backoff, or held by a worker whose lease
ran out), marked `sending` under the worker's name and a lease.  It delivers them, then marks
them `delivered` in another short transaction, guarded by its own name: a worker whose lease
was taken over cannot complete a delivery twice.  A failure returns the delivery to the queue
with an exponential backoff, or to the dead letters after MAX_ATTEMPTS.  Batches are small, so
a FLASH released behind any number of ROUTINE deliveries waits for one batch at most.

The claim is where the stores differ: SQLite's write transaction (BEGIN IMMEDIATE) lets one
worker at a time choose; on PostgreSQL the workers choose at once, each locking the rows it
picks with FOR UPDATE SKIP LOCKED, so two workers never pick the same row and neither waits for
the other.  A row's state is checked again under its lock (a row another worker completed
meanwhile no longer matches).

Everything a reader is shown (inboxes, status, late deliveries) is joined to the cables and
filtered by the reader's access (archive.visible_sql): a delivery of a cable the reader may
not see does not exist for them, not even in a count.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cablebase.archive.db import Db
from cablebase.dispatch.addressees import OBJECTIVE

__all__ = ["Item", "Queue"]

MAX_ATTEMPTS = 8
BACKOFF_BASE = 2.0  # seconds before the first retry; doubled at each attempt
BACKOFF_CAP = 600.0
LEASE = 60.0  # seconds a claimed delivery stays with its worker
STATES = ("queued", "sending", "delivered", "dead")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int) -> float:
    return min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1))


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    key: str
    reference_id: str
    addressee: str
    role: str
    precedence: str
    rank: int
    attempts: int


_ITEM = "id, key, reference_id, addressee, role, precedence, rank, attempts"
_DUE = (
    "SELECT id FROM dispatch_deliveries WHERE state IN ('queued', 'sending') AND rank <= ? AND"
    " ((state = 'queued' AND next_at <= ?) OR (state = 'sending' AND lease_until < ?))"
    " ORDER BY rank, released, id LIMIT ?"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Queue:
    def __init__(
        self,
        conn: Any,  # a sqlite3 or psycopg connection, or a Db
        *,
        worker: str | None = None,
        lease: float = LEASE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = Db.of(conn)
        self.worker = worker or worker_name()
        self.lease = lease
        self.clock = clock

    def _write(self):  # noqa: ANN202
        """A short write transaction taken at once (on SQLite BEGIN IMMEDIATE: no upgrade
        deadlock)."""
        return self.db.transaction(immediate=True)

    # -- the worker's side ------------------------------------------------------------------

    def claim(self, limit: int = 16, max_rank: int = 4) -> list[Item]:
        """Up to `limit` due deliveries of rank <= max_rank, highest precedence then oldest
        first, now held by this worker."""
        now = self.clock()
        # PostgreSQL: concurrent claims skip the rows another worker has locked (module doc)
        due = _DUE + (" FOR UPDATE SKIP LOCKED" if self.db.postgres else "")
        with self._write():
            if self.db.postgres:
                # Walk the queue's index in its order (rank, released, id) and stop at `limit`:
                # a queue's row count changes by the second, and on an estimate of a few rows
                # the planner would sort the whole queue at each claim instead.
                self.db.execute("SET LOCAL enable_sort = off")
            rows = self.db.execute(
                "UPDATE dispatch_deliveries SET state = 'sending', worker = ?, lease_until = ?,"
                f" attempts = attempts + 1 WHERE id IN ({due}) RETURNING {_ITEM}",
                (self.worker, now + self.lease, max_rank, now, now, limit),
            ).fetchall()
        return sorted((Item(*r) for r in rows), key=lambda i: (i.rank, i.id))

    def complete(self, items: Iterable[Item]) -> int:
        """Mark `items` delivered, those still held by this worker; how many were."""
        ids = [i.id for i in items]
        if not ids:
            return 0
        marks = ", ".join("?" * len(ids))
        with self._write():
            return self.db.execute(
                "UPDATE dispatch_deliveries SET state = 'delivered', delivered = ?,"
                " lease_until = NULL, error = NULL"
                f" WHERE id IN ({marks}) AND state = 'sending' AND worker = ?",
                (self.clock(), *ids, self.worker),
            ).rowcount

    def fail(self, item: Item, reason: str, *, permanent: bool = False) -> str:
        """Back to the queue after a backoff, or a dead letter; returns the new state."""
        now = self.clock()
        dead = permanent or item.attempts >= MAX_ATTEMPTS
        state = "dead" if dead else "queued"
        with self._write():
            self.db.execute(
                "UPDATE dispatch_deliveries SET state = ?, next_at = ?, error = ?,"
                " lease_until = NULL WHERE id = ? AND state = 'sending' AND worker = ?",
                (state, now + backoff(item.attempts), reason[:500], item.id, self.worker),
            )
        return state

    def recover(self) -> int:
        """Deliveries held by workers of this host that are no longer running (killed): back
        to the queue at once (others' leases run out on their own)."""
        host = socket.gethostname() + ":"
        held = self.db.execute(
            "SELECT DISTINCT worker FROM dispatch_deliveries WHERE state = 'sending'"
        ).fetchall()
        dead = []
        for (w,) in held:
            if w and w.startswith(host) and w[len(host) :].isdigit():
                pid = int(w[len(host) :])
                if pid != os.getpid() and not _alive(pid):
                    dead.append(w)
        n = 0
        with self._write():
            for w in dead:
                n += self.db.execute(
                    "UPDATE dispatch_deliveries SET state = 'queued', next_at = ?,"
                    " lease_until = NULL WHERE state = 'sending' AND worker = ?",
                    (self.clock(), w),
                ).rowcount
        return n

    def escalate(self) -> int:
        """FLASH and NIACT deliveries left unacknowledged past their objective: one alert per
        contact of the addressee's alert roster (one without a contact when it has none)."""
        now = self.clock()
        n = 0
        with self._write():
            rows = self.db.execute(
                "SELECT id, addressee, rank, delivered FROM dispatch_deliveries"
                " WHERE ack_required = 1 AND acked IS NULL AND escalated IS NULL"
                " AND delivered IS NOT NULL"
            ).fetchall()
            for did, addressee, rank, delivered in rows:
                if delivered + OBJECTIVE[rank] > now:
                    continue
                contacts = [
                    c
                    for (c,) in self.db.execute(
                        "SELECT contact FROM dispatch_rosters WHERE addressee = ? ORDER BY contact",
                        (addressee,),
                    )
                ] or [None]
                self.db.executemany(
                    "INSERT INTO dispatch_alerts (delivery_id, contact, raised) VALUES (?, ?, ?)",
                    [(did, c, now) for c in contacts],
                )
                self.db.execute(
                    "UPDATE dispatch_deliveries SET escalated = ? WHERE id = ?", (now, did)
                )
                n += 1
        return n

    # -- operators and readers ----------------------------------------------------------------

    def retry(self, ids: Iterable[int] | None = None) -> int:
        """Dead letters back to the queue (all of them when `ids` is None), attempts reset."""
        now = self.clock()
        with self._write():
            if ids is None:
                return self.db.execute(
                    "UPDATE dispatch_deliveries SET state = 'queued', attempts = 0, next_at = ?"
                    " WHERE state = 'dead'",
                    (now,),
                ).rowcount
            n = 0
            for i in ids:
                n += self.db.execute(
                    "UPDATE dispatch_deliveries SET state = 'queued', attempts = 0, next_at = ?"
                    " WHERE id = ? AND state = 'dead'",
                    (now, i),
                ).rowcount
            return n

    def mark(self, reference_id: str, addressee: str, *, ack: bool, who: str | None) -> bool:
        """Mark a delivered cable read (ack=False) or acknowledged (and read); False when there
        is no such delivery, or it is already so."""
        now = self.clock()
        with self._write():
            if ack:
                cur = self.db.execute(
                    "UPDATE dispatch_deliveries SET acked = ?, acked_by = ?,"
                    " read = coalesce(read, ?) WHERE reference_id = ? AND addressee = ?"
                    " AND state = 'delivered' AND ack_required = 1 AND acked IS NULL",
                    (now, who, now, reference_id.upper(), addressee),
                )
            else:
                cur = self.db.execute(
                    "UPDATE dispatch_deliveries SET read = ? WHERE reference_id = ?"
                    " AND addressee = ? AND state = 'delivered' AND read IS NULL",
                    (now, reference_id.upper(), addressee),
                )
            return cur.rowcount > 0

    def set_roster(self, addressee: str, contacts: list[str]) -> None:
        with self._write():
            self.db.execute("DELETE FROM dispatch_rosters WHERE addressee = ?", (addressee,))
            self.db.executemany(
                "INSERT INTO dispatch_rosters VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(addressee, c) for c in contacts],
            )
