"""The audit log: who did what, when, from where (table `audit`, docs/accounts.md).

`record` writes one entry at once (commands, logins).  The web server writes through an
`AuditWriter`, which queues entries and writes them in batches from a thread of its own so that a
request never waits on the database lock.  The SQL runs on either store (archive/db.py): the
functions take a store's connection (sqlite3 or psycopg) or a `Db`.  Times are ISO 8601 UTC
to the second (`...Z`), like the archive's other tables; entries of the same second keep the
order they were made in (id).
"""

from __future__ import annotations

import atexit
import contextlib
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

from cablebase.archive.db import Db
from cablebase.spreadsheet import inert

COLUMNS = ("id", "at", "user", "action", "target", "detail", "address")
# `user` is a reserved word in PostgreSQL: quoted, as both stores read it.
_SELECT = ", ".join('"user"' if c == "user" else c for c in COLUMNS)
_INSERT = (
    'INSERT INTO audit (at, "user", action, target, detail, address) VALUES (?, ?, ?, ?, ?, ?)'
)


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
    conn: Any,
    user: str | None,
    action: str,
    target: str | None = None,
    detail: str | None = None,
    address: str | None = None,
    *,
    at: datetime | None = None,
) -> None:
    """Write one entry and commit (inside a caller's open transaction, it joins that one)."""
    db = Db.of(conn)
    with db.transaction():  # inside the caller's unit: part of it
        db.execute(_INSERT, (stamp(at), user, action, target, detail, address))


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


def _shown_condition(db: Db, access: Any) -> tuple[str, list] | None:
    """A condition on `audit` rows (and its parameters) true for the entries `access` may
    read: none naming (in its target or detail) a cable id they do not see.  An id the
    archive does not hold counts as unseen too, so that a hidden cable and a missing one look
    the same.  None when the viewer sees every cable."""
    from cablebase.access.policy import sql_visible

    if access is None or access.unrestricted:
        return None
    if db.postgres:
        return _pg_shown(db, access)
    params: list = []
    cond = sql_visible(access, params)
    seen = {
        rid for (rid,) in db.execute(f"SELECT c.reference_id FROM cables c WHERE {cond}", params)
    }

    def shown(*texts: object) -> int:
        return int(_names_only(seen, *texts))

    db.raw.create_function("cb_audit_shown", 2, shown, deterministic=True)
    return "cb_audit_shown(target, detail)", []


def _names_only(seen: set[str], *texts: object) -> bool:
    """Whether every cable id the texts name is in `seen`."""
    for text in texts:
        if isinstance(text, str):
            for m in _CABLE_ID.finditer(text):
                if m.group(0).upper() not in seen:
                    return False
    return True


# _CABLE_ID over ASCII text, as PostgreSQL's regular expressions read it: a match of
# _CABLE_ID starts and ends at a word boundary and holds only word characters, so it is a
# whole word ([A-Za-z0-9_] in ASCII) of that shape.
_PG_CABLE_ID = r"(?<![A-Za-z0-9_])([0-9]{2}[A-Za-z]{2,}[A-Za-z0-9]*[0-9])(?![A-Za-z0-9_])"
_PG_TEXT = "coalesce(target, '') || ' ' || coalesce(detail, '')"


def _pg_shown(db: Db, access: Any) -> tuple[str, list]:
    """cb_audit_shown's meaning on PostgreSQL, which runs no Python in SQL: for entries in
    ASCII (nearly all) a SQL condition, each cable id found by _PG_CABLE_ID looked up among
    the cables the viewer sees; the rest (Unicode folds `ſ` into `S`, and `\\d` takes
    other digits) judged here by _CABLE_ID itself and excluded by id."""
    from cablebase.access.policy import sql_visible

    odd = db.execute(
        f"SELECT id, target, detail FROM audit WHERE octet_length({_PG_TEXT})"
        f" <> char_length({_PG_TEXT})"
    ).fetchall()
    named = {
        m.group(0).upper() for _, *texts in odd for t in texts if t for m in _CABLE_ID.finditer(t)
    }
    seen: set[str] = set()
    if named:
        vis: list = []
        cond = sql_visible(access, vis)
        seen = {
            rid
            for (rid,) in db.execute(
                f"SELECT c.reference_id FROM cables c WHERE c.reference_id = ANY(?) AND {cond}",
                [sorted(named), *vis],
            )
        }
    hidden = [i for i, *texts in odd if not _names_only(seen, *texts)]
    params: list = [_PG_CABLE_ID]
    cond = sql_visible(access, params)
    sql = (
        f"CASE WHEN octet_length({_PG_TEXT}) = char_length({_PG_TEXT}) THEN NOT EXISTS"
        f" (SELECT 1 FROM regexp_matches({_PG_TEXT}, ?, 'g') AS m(w) WHERE NOT EXISTS"
        ' (SELECT 1 FROM cables c WHERE c.reference_id = upper(m.w[1] COLLATE "C")'
        f" AND {cond})) ELSE NOT (id = ANY(?::bigint[])) END"
    )
    return sql, [*params, hidden]


def _where(
    user: str | None,
    action: str | None,
    since: str | date | datetime | None,
    until: str | date | datetime | None,
    shown: tuple[str, list] | None = None,
) -> tuple[str, list]:
    """The WHERE clause (empty or " WHERE ...") of the filters, and its parameters."""
    where, params = [], []
    if shown is not None:
        where.append(shown[0])
        params += shown[1]
    if user is not None:
        where.append('"user" = ?')
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
    conn: Any,
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
    db = Db.of(conn)
    where, params = _where(user, action, since, until, _shown_condition(db, access))
    sql = f"SELECT {_SELECT} FROM audit{where} ORDER BY at DESC, id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(max(0, int(limit)))
    if offset:
        # SQLite takes OFFSET only after a LIMIT; -1 is "no limit" there (ALL on PostgreSQL).
        if limit is None:
            sql += " LIMIT ALL" if db.postgres else " LIMIT -1"
        sql += " OFFSET ?"
        params.append(max(0, int(offset)))
    for row in db.execute(sql, params):
        yield AuditEntry(*row)


def count(
    conn: Any,
    *,
    user: str | None = None,
    action: str | None = None,
    since: str | date | datetime | None = None,
    until: str | date | datetime | None = None,
    access: Any = None,
) -> int:
    """How many entries match (filters as for `entries`)."""
    db = Db.of(conn)
    where, params = _where(user, action, since, until, _shown_condition(db, access))
    return db.one(f"SELECT count(*) FROM audit{where}", params)


def _cell(value: object) -> object:
    # Login names are typed by strangers: no formula runs in a spreadsheet.
    return inert(value) if isinstance(value, str) else value


def export(conn: Any, out: TextIO, fmt: str = "csv", **filters: object) -> int:
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
        path: str | Path,  # the SQLite file, or a PostgreSQL archive's URL
        *,
        interval: float = 0.5,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        from cablebase.archive.store import is_dsn

        self.path: str | Path = str(path) if is_dsn(path) else Path(path)
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
        conn: Db | None = None
        try:
            while True:
                self._wake.wait(self.interval)
                self._wake.clear()
                with self._lock:
                    batch, self._pending = self._pending, []
                    waiters, self._waiters = self._waiters, []
                    closing = self._closed
                if batch and conn is None:
                    conn = self._connect()  # None when the database cannot be reached now
                if batch and (conn is None or not self._write(batch, conn)):
                    with self._lock:  # keep them, in order, ahead of newer entries
                        self._pending[:0] = batch
                        self._waiters[:0] = waiters
                    if closing:
                        self._last_chance(conn)
                        return
                    if conn is not None and conn.postgres:  # a lost connection: a new one
                        self._close(conn)
                        conn = None
                    continue
                for w in waiters:
                    w.set()
                if closing:
                    return
        finally:
            self._close(conn)

    def _last_chance(self, conn: Db | None) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
            waiters, self._waiters = self._waiters, []
        if not self._write(batch, conn, timeout_s=30):
            _lost(batch)
        for w in waiters:
            w.set()

    def _connect(self) -> Db | None:
        """A connection of the writer's own: the SQLite file, or the PostgreSQL database the
        path names (archive/store.py's is_dsn); None (said on stderr) when it cannot be had."""
        from cablebase.archive.store import is_dsn

        try:
            if is_dsn(self.path):
                from cablebase.archive.pg.store import connect

                return Db(connect(str(self.path)))
            conn = sqlite3.connect(self.path, timeout=5.0)
            conn.execute("PRAGMA busy_timeout = 5000")
            return Db(conn)
        except Exception as exc:  # noqa: BLE001 - any failure leaves the entries queued
            print(f"audit: cannot connect ({exc})", file=sys.stderr)
            return None

    @staticmethod
    def _close(conn: Db | None) -> None:
        if conn is not None:
            with contextlib.suppress(Db.Error):
                conn.raw.close()

    def _write(self, rows: list[tuple], conn: Db | None = None, timeout_s: int = 5) -> bool:
        own = conn is None
        if conn is None:
            conn = self._connect()
            if conn is None:
                return False
        try:
            if not conn.postgres:
                conn.execute(f"PRAGMA busy_timeout = {timeout_s * 1000}")
            with conn.transaction():
                conn.executemany(_INSERT, rows)
            return True
        except Db.Refused as exc:  # the database, not the entries: kept, tried again
            print(f"audit: write failed ({exc})", file=sys.stderr)
            return False
        except Db.Error as exc:
            # An entry the database refuses for what it holds would be refused at every
            # try, and hold back every later entry: the others are written one by one.
            print(f"audit: write failed ({exc}); writing entry by entry", file=sys.stderr)
            return self._write_each(rows, conn)
        finally:
            if own:
                self._close(conn)

    @staticmethod
    def _write_each(rows: list[tuple], conn: Db) -> bool:
        """Write `rows` one by one, reporting (_lost) each the database refuses; False when
        it stops taking any, `rows` then holding those not yet written (kept, in order)."""
        while rows:
            try:
                with conn.transaction():
                    conn.execute(_INSERT, rows[0])
            except Db.Refused:
                return False
            except Db.Error as exc:
                print(f"audit: entry refused ({exc})", file=sys.stderr)
                _lost(rows[:1])
            del rows[0]
        return True


def _lost(rows: list[tuple]) -> None:
    for row in rows:  # the log must not vanish without a trace
        print("audit: could not write", row, file=sys.stderr)
