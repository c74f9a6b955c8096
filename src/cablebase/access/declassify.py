"""Declassification by review, and the access columns written again (docs/access.md).

Under `reviewed` declassification (the default) a passed declassification date makes a cable
*eligible*; an archivist declassifies eligible cables in bulk, by query.  A declassified
cable's `open_on` becomes `policy.DECLASSIFIED_ON` and its `acl` tokens `open`, so every
reader, the public included, reads it whole under either mode.  Each cable is written to the
audit log (`declassify`, the cable as target), and the batch once more (`declassify_batch`,
the query as detail).

`recompute` derives every cable's access columns again from its record (a migration of the
SQLite store runs it when the rules change), keeping the marks the archive set itself (releases,
declassified).

Either store (docs/stores.md): the reads are SQL written once against archive/db.py's `Db`;
the access columns are written by the store (`write_access`), which keeps its index in step.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from cablebase.access import audit, clock
from cablebase.access.policy import (
    DECLASSIFIED_ON,
    SYSTEM,
    Access,
    Stored,
    opened_by_archive,
    stored,
)
from cablebase.access.settings import bump_generation
from cablebase.archive.db import Db
from cablebase.archive.schema import stored_record

MAX_BATCH = 100000  # cables one declassify command may open (a query matching more is refused)


class DeclassifyError(Exception):
    """A declassification that cannot be done (nothing eligible, too broad a query...)."""


@dataclass(slots=True)
class Outcome:
    eligible: list[str]  # matching cables whose date has passed (declassified unless dry run)
    not_yet: int  # matching cables whose date has not come
    closed: int  # matching cables with no date or an exemption (25X1, OADR...)
    already: int  # matching cables already open (released or declassified)


def classify(conn: Any, ids: list[str], today: str | None = None) -> Outcome:
    """Sort the cables (reference ids) into eligible, not yet, closed and already open.
    `conn`: either store's connection, or a Db (`Archive.db`)."""
    db = Db.of(conn)
    day = today or clock.today()
    out = Outcome([], 0, 0, 0)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        rows = db.execute(
            "SELECT reference_id, open_on FROM cables"
            f" WHERE reference_id IN ({','.join('?' * len(chunk))}) ORDER BY id",
            chunk,
        )
        for rid, opened in rows:
            if opened_by_archive(opened):
                out.already += 1
            elif opened is None:
                out.closed += 1
            elif opened <= day:
                out.eligible.append(rid)
            else:
                out.not_yet += 1
    return out


def matching(archive, query: str, access: Access | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """The cables matching `query` that `access` reads whole (an archivist declassifies only
    what they may read, and learns nothing of the rest); every cable when None."""
    reader = archive.with_access(access or Access(archive.policy, SYSTEM))
    ids = [hit.reference_id for hit in reader.search(query, sort="date")]
    if access is None or access.unrestricted:
        return ids
    return [rid for rid in ids if reader.decision(rid) == "full"]


def declassify(
    archive,  # type: ignore[no-untyped-def]
    query: str,
    *,
    by: str,
    access: Access | None = None,
    dry_run: bool = False,
    today: str | None = None,
) -> Outcome:
    """Declassify the eligible cables matching `query` among those `access` (the acting
    archivist's) reads whole.  `archive`: an Archive on a writable store.  Nothing matching
    is eligible: DeclassifyError."""
    ids = matching(archive, query, access)
    if len(ids) > MAX_BATCH:
        raise DeclassifyError(f"the query matches {len(ids):,} cables: at most {MAX_BATCH:,}")
    out = classify(archive.db, ids, today)
    if not out.eligible:
        raise DeclassifyError(
            f"no eligible cable among the {len(ids):,} matching (declassification date not yet"
            f" passed: {out.not_yet:,}; no date or exempted: {out.closed:,}; already open:"
            f" {out.already:,})"
        )
    if not dry_run:
        _open(archive.store, out.eligible, by, query)
    return out


def _open(store: Any, reference_ids: list[str], by: str, query: str) -> None:
    """Open the cables, each audited, in one transaction (`store`: either store)."""
    db = Db.of(store.conn)
    with db.transaction():
        for rid in reference_ids:
            found = store.columns(rid)
            if found is None:
                continue
            cid, s, _ = found
            store.write_access(cid, Stored(s.rank, s.bits, DECLASSIFIED_ON, s.floor_rank))
            audit.record(db, by, "declassify", rid)
        audit.record(db, by, "declassify_batch", None, detail=f"{len(reference_ids)}: {query}")
        bump_generation(db)


def recompute(conn: sqlite3.Connection) -> int:
    """Derive every cable's access columns again from its record; return how many changed.
    Runs inside the caller's transaction (a migration of the SQLite store's)."""
    from cablebase.archive.sqlite import write_access

    changed = 0
    ids = [cid for (cid,) in conn.execute("SELECT id FROM cables ORDER BY id")]
    for cid in ids:
        record, opened = conn.execute(
            "SELECT record, open_on FROM cables WHERE id = ?", (cid,)
        ).fetchone()
        s = stored(stored_record(conn, cid, record))
        if opened_by_archive(opened):  # a release or a declassification stays open
            s = Stored(s.rank, s.bits, opened, s.floor_rank)
        changed += write_access(conn, cid, s)
    if changed:
        bump_generation(conn)
    return changed
