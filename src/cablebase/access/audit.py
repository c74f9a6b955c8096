"""The audit log: who did what, when, from where (table `audit`, docs/accounts.md).

`record` writes one entry at once (commands, logins).  The web server writes through an
`AuditWriter`, which queues entries and writes them in batches from a thread of its own so that a
request never waits on the database lock.  Times are ISO 8601 UTC to the second (`...Z`), like
the archive's other tables; entries of the same second keep the order they were made in (id).
"""

from __future__ import annotations

import atexit
import csv
import re
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import orjson

from cablebase.spreadsheet import inert

COLUMNS = ("id", "at", "user", "action", "target", "detail", "address")
_INSERT = "INSERT INTO audit (at, user, action, target, detail, address) VALUES (?, ?, ?, ?, ?, ?)"


def stamp(when: datetime | None = None) -> str:
    """A time as stored: ISO 8601 UTC to the second.  Naive times are taken as UTC."""
    when = when or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    user: str | None
    action: str
    target: str | None
    detail: str | None
    address: str | None

    def as_dict(self) -> dict:
        return asdict(self)


def record(
    conn: sqlite3.Connection,
    user: str | None,
    action: str,
    target: str | None = None,
    detail: str | None = None,
    address: str | None = None,
    *,
    at: datetime | None = None,
) -> None:
    """Write one entry and commit (inside a caller's open transaction, it joins that one)."""
    row = (stamp(at), user, action, target, detail, address)
    if conn.in_transaction:
        conn.execute(_INSERT, row)
    else:
        with conn:
            conn.execute(_INSERT, row)


def _bound(value: str | date | datetime, *, upper: bool) -> tuple[str, str]:
    """(operator, value) comparing `audit.at` with a since/until bound.  A bare date covers its
    whole day: since it from its first second, until it through its last."""
    if isinstance(value, datetime):
        return ("<=" if upper else ">="), stamp(value)
    if isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return ("<=" if upper else ">="), stamp(datetime.fromisoformat(text))
    if upper:
        return "<", (day + timedelta(days=1)).isoformat()
    return ">=", day.isoformat()


# A cable's reference id as it may appear in a target or a query (`id:09bamako512`): two
# digits, at least two letters, then letters and digits ending in a digit.
_CABLE_ID = re.compile(r"\b\d{2}[A-Z]{2,}[A-Z0-9]*?\d+\b", re.IGNORECASE)


def _shown_condition(conn: sqlite3.Connection, access: Any) -> str | None:
    """A condition on `audit` rows true for the entries `access` may read: none naming (in
    its target or detail) a cable id they do not see.  An id the archive does not hold
    counts as unseen too, so that a hidden cable and a missing one look the same.  None
    when the viewer sees every cable."""
    from cablebase.access.policy import sql_visible

    if access is None or access.unrestricted:
        return None
    params: list = []
    cond = sql_visible(access, params)
    seen = {
        rid for (rid,) in conn.execute(f"SELECT c.reference_id FROM cables c WHERE {cond}", params)
    }

    def shown(*texts: object) -> int:
        for text in texts:
            if isinstance(text, str):
                for m in _CABLE_ID.finditer(text):
                    if m.group(0).upper() not in seen:
                        return 0
        return 1

    conn.create_function("cb_audit_shown", 2, shown, deterministic=True)
    return "cb_audit_shown(target, detail)"


def _where(
    user: str | None,
    action: str | None,
    since: str | date | datetime | None,
    until: str | date | datetime | None,
    shown: str | None = None,
) -> tuple[str, list]:
    """The WHERE clause (empty or " WHERE ...") of the filters, and its parameters."""
    where, params = [], []
    if shown is not None:
        where.append(shown)
    if user is not None:
        where.append("user = ?")
        params.append(user)
    if action is not None:
        where.append("action = ?")
        params.append(action)
    if since is not None:
        op, value = _bound(since, upper=False)
        where.append(f"at {op} ?")
        params.append(value)
    if until is not None:
        op, value = _bound(until, upper=True)
        where.append(f"at {op} ?")
        params.append(value)
    return (" WHERE " + " AND ".join(where) if where else ""), params


def entries(
    conn: sqlite3.Connection,
    *,
    user: str | None = None,
    action: str | None = None,
    since: str | date | datetime | None = None,
    until: str | date | datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
    access: Any = None,
) -> Iterator[AuditEntry]:
    """The entries that match, newest first.  `since`/`until`: a date (whole day) or a time.
    `offset` skips that many of them (paging: `offset=(page - 1) * limit`).  `access`: the
    viewer's (policy.Access): entries naming a cable they may not see are left out."""
    where, params = _where(user, action, since, until, _shown_condition(conn, access))
    sql = f"SELECT {', '.join(COLUMNS)} FROM audit{where} ORDER BY at DESC, id DESC"
    if limit is not None or offset:
        # SQLite takes OFFSET only after a LIMIT; -1 is "no limit".
        sql += " LIMIT ? OFFSET ?"
        params += [-1 if limit is None else max(0, int(limit)), max(0, int(offset))]
    for row in conn.execute(sql, params):
        yield AuditEntry(*row)


def count(
    conn: sqlite3.Connection,
    *,
    user: str | None = None,
    action: str | None = None,
    since: str | date | datetime | None = None,
    until: str | date | datetime | None = None,
    access: Any = None,
) -> int:
    """How many entries match (filters as for `entries`)."""
    where, params = _where(user, action, since, until, _shown_condition(conn, access))
    (n,) = conn.execute(f"SELECT count(*) FROM audit{where}", params).fetchone()
    return n


def _cell(value: object) -> object:
    # Login names are typed by strangers: no formula runs in a spreadsheet.
    return inert(value) if isinstance(value, str) else value


def export(conn: sqlite3.Connection, out: TextIO, fmt: str = "csv", **filters: object) -> int:
    """Write the matching entries (filters as for `entries`) as csv or JSON lines; return how
    many.  csv cells that a spreadsheet would take for a formula get a leading apostrophe."""
    if fmt not in ("csv", "jsonl"):
        raise ValueError("audit export format: csv or jsonl")
    n = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for e in entries(conn, **filters):  # type: ignore[arg-type]
            writer.writerow([_cell(getattr(e, c)) for c in COLUMNS])
            n += 1
    else:
        for e in entries(conn, **filters):  # type: ignore[arg-type]
            out.write(orjson.dumps(e.as_dict()).decode("utf-8") + "\n")
            n += 1
    return n


class AuditWriter:
    """Entries queued by any thread, written in batches (one transaction each) by a daemon
    thread about every `interval` seconds.  `flush` waits until everything queued so far is
    written; `close` writes the rest and stops.  Nothing is lost: a batch that fails to write
    stays queued for the next round, and an entry recorded after `close` is written at once."""

    def __init__(
        self,
        path: str | Path,
        *,
        interval: float = 0.5,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.path = Path(path)
        self.interval = interval
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._pending: list[tuple] = []
        self._waiters: list[threading.Event] = []
        self._wake = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._thread.start()
        atexit.register(self.close)  # a daemon thread dies silently at exit otherwise

    def record(
        self,
        user: str | None,
        action: str,
        target: str | None = None,
        detail: str | None = None,
        address: str | None = None,
    ) -> None:
        row = (stamp(self._clock()), user, action, target, detail, address)
        with self._lock:
            if not self._closed:
                self._pending.append(row)
                return
        if not self._write([row]):  # after close: no thread left to do it
            _lost([row])

    def flush(self, timeout: float | None = 30.0) -> None:
        """Wait until every entry recorded before this call is in the database."""
        done = threading.Event()
        with self._lock:
            if self._closed:
                return
            self._waiters.append(done)
        self._wake.set()
        done.wait(timeout)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True  # from here on record() writes directly: nothing is queued
        self._wake.set()
        self._thread.join()
        atexit.unregister(self.close)

    def __enter__(self) -> AuditWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        conn = self._connect()
        try:
            while True:
                self._wake.wait(self.interval)
                self._wake.clear()
                with self._lock:
                    batch, self._pending = self._pending, []
                    waiters, self._waiters = self._waiters, []
                    closing = self._closed
                if batch and not self._write(batch, conn):
                    with self._lock:  # keep them, in order, ahead of newer entries
                        self._pending[:0] = batch
                        self._waiters[:0] = waiters
                    if closing:
                        self._last_chance(conn)
                        return
                    continue
                for w in waiters:
                    w.set()
                if closing:
                    return
        finally:
            conn.close()

    def _last_chance(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
            waiters, self._waiters = self._waiters, []
        if not self._write(batch, conn, timeout_s=30):
            _lost(batch)
        for w in waiters:
            w.set()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=5.0)
        conn.execute("PRAGMA busy_timeout = 5000")
        return conn

    def _write(
        self, rows: list[tuple], conn: sqlite3.Connection | None = None, timeout_s: int = 5
    ) -> bool:
        own = conn is None
        if conn is None:
            conn = self._connect()
        try:
            conn.execute(f"PRAGMA busy_timeout = {timeout_s * 1000}")
            with conn:
                conn.executemany(_INSERT, rows)
            return True
        except sqlite3.Error as exc:
            print(f"audit: write failed ({exc})", file=sys.stderr)
            return False
        finally:
            if own:
                conn.close()


def _lost(rows: list[tuple]) -> None:
    for row in rows:  # the log must not vanish without a trace
        print("audit: could not write", row, file=sys.stderr)
