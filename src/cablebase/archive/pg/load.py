"""Bulk load of prepared records (sqlite.Prepared, made by ingest's workers) into PostgreSQL
with COPY.

Idempotent and safe from several processes at once: the cables' rows go through a staging
table into `cables` with ON CONFLICT (reference_id) DO NOTHING, and only the cables that
insert made get side rows; a cable already stored with the same content hash is unchanged.
A record of a cable already stored is one more source of it, as on SQLite (archive/sqlite.py,
docs/sources.md): kept in cable_sources (superseding an earlier read of the same location),
and the stored record becomes the merge of the cable's current sources (archive/merge.py),
its previous version kept in cable_versions.  One batch is one transaction; the cable's row
is locked while its sources are merged (two workers reading two sources of it take turns).
A published release (source form `release`, access/releases.py) replaces the record
but is no source: the sources stay, and reading the original again changes nothing, as on
SQLite.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cablebase.archive import texts
from cablebase.archive.merge import merge
from cablebase.archive.pg.fulltext import tsvector
from cablebase.archive.sqlite import (
    _COLUMNS,
    RELEASE_FORM,
    Prepared,
    PutResult,
    SourceInfo,
    full_json,
    prepare,
)
from cablebase.record import Cable

_SIDE = {  # table -> its columns after cable_id, as Prepared holds its rows
    "handling": ("caveat",),
    "tags": ("tag",),
    "recipients": (
        "position", "role", "route", "name", "office", "precedence", "serial", "collective",
    ),
    "refs": ("position", "letter", "kind", "text", "target"),
    "paragraphs": ("position", "number", "portion", "heading"),
    "people": ("role", "name", "title", "office"),
}  # fmt: skip
_COLS = (*_COLUMNS, "acl", "fts")  # the pairs: computed by the server (cable_pairs)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _q(name: str) -> str:
    return f'"{name}"' if name == "offset" else name


def load(conn, batch: list[Prepared]) -> PutResult:
    """Store a batch of prepared records in one transaction (conn: psycopg.Connection); the
    counts as the SQLite store's put_many gives them (a further source of a stored cable
    counted in `sources`)."""
    result = PutResult()
    if not batch:
        return result
    # A cable twice in one batch: its first copy is inserted, the later ones compared with it.
    firsts: dict[str, Prepared] = {}
    for p in batch:
        firsts.setdefault(p.reference_id, p)
    staged = list(firsts.values())
    vectors = {p.reference_id: tsvector(*p.fts) for p in staged}
    with conn.transaction():
        cols = ", ".join(_COLS)
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS stage_cables ON COMMIT DELETE ROWS"
            f" AS SELECT {cols} FROM cables WITH NO DATA"
        )
        with conn.cursor().copy(f"COPY stage_cables ({cols}) FROM STDIN") as copy:
            for p in staged:
                indexed = vectors[p.reference_id]
                copy.write_row((*p.columns, p.acl, indexed.fts))
        # In reference id order: two batches with cables in common lock them alike.
        inserted = dict(
            conn.execute(
                f"INSERT INTO cables ({cols}) SELECT {cols} FROM stage_cables"
                " ORDER BY reference_id"
                " ON CONFLICT (reference_id) DO NOTHING RETURNING reference_id, id"
            ).fetchall()
        )
        new = [(inserted[p.reference_id], p, vectors[p.reference_id].words) for p in staged
               if p.reference_id in inserted]  # fmt: skip
        done = {id(p) for _, p, _ in new}
        rest = [p for p in batch if id(p) not in done]
        _side_rows(conn, new, sources=True)
        result.added = len(new)
        for p in sorted(rest, key=lambda p: p.reference_id):  # lock order as the insert's
            replaced, further = _replace(conn, p)
            result.sources += further
            if replaced:
                result.updated += 1
            else:
                result.unchanged += 1
        if result.added or result.updated:
            conn.execute(
                "INSERT INTO settings VALUES ('generation', '1') ON CONFLICT (key)"
                " DO UPDATE SET value = (settings.value::bigint + 1)::text"
            )
    return result


def _side_rows(conn, rows: list[tuple[int, Prepared, set[str]]], *, sources: bool) -> None:
    """COPY the side rows of cables stored under the given ids, and their words."""
    cur = conn.cursor()
    for table, columns in _SIDE.items():
        names = ", ".join(_q(c) for c in ("cable_id", *columns))
        with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for cid, p, _ in rows:
                found = getattr(p, table)
                if table in ("handling", "tags"):  # a record may repeat one (SQLite ignores it)
                    found = dict.fromkeys(found)
                for row in found:
                    copy.write_row((cid, *row))
    with cur.copy('COPY sources (cable_id, form, path, "offset") FROM STDIN') as copy:
        for cid, p, _ in rows:
            if p.location:
                copy.write_row((cid, *p.location))
    with cur.copy("COPY texts (cable_id, packed) FROM STDIN") as copy:
        for cid, p, _ in rows:
            copy.write_row((cid, p.packed))
    if sources:
        now = _now()
        with cur.copy(
            'COPY cable_sources (reference_id, form, path, "offset", released, digest, added)'
            " FROM STDIN"
        ) as copy:
            for _, p, _ in rows:
                if p.source_form == RELEASE_FORM:
                    continue
                form, path, offset = p.location or ("", None, None)
                copy.write_row((p.reference_id, form, path, offset, p.released, p.digest, now))
    found = sorted(set().union(*(w for _, _, w in rows))) if rows else []
    if found:
        # Sorted: concurrent loads insert shared words in one order (no deadlock).
        conn.execute("INSERT INTO words SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING", (found,))


_SOURCE = (
    'SELECT id, reference_id, form, path, "offset", released, digest, added, superseded,'
    " record FROM cable_sources WHERE reference_id = %s"
)


def sources(conn, reference_id: str, *, superseded: bool = False) -> list[SourceInfo]:
    """The sources of a cable, current ones (or all, with `superseded`), oldest first."""
    sql = _SOURCE + ("" if superseded else " AND superseded IS NULL") + " ORDER BY id"
    return [SourceInfo(*r) for r in conn.execute(sql, (reference_id,)).fetchall()]


def source_record(conn, s: SourceInfo) -> Cable | None:
    """A source's own record (archive/merge.py's source_record, on this connection)."""
    from cablebase.archive import merge
    from cablebase.archive.db import Db

    return merge.source_record(Db.of(conn), s, lambda cid: stored_record(conn, cid))


def _add_source(conn, p: Prepared) -> Prepared | None:
    """Keep `p` as a source of its cable (its row locked by the caller) and merge again: the
    record to store, or None when this source is stored already (archive/sqlite.py's
    _add_source, the same rule)."""
    refid, digest = p.reference_id, p.digest
    known = sources(conn, refid, superseded=True)
    current = [s for s in known if s.superseded is None]
    if any(s.digest == digest for s in current):
        return None
    where = p.location or ("", None, None)
    now = _now()
    for s in current:  # a new read of a current source's location supersedes it
        if s.location == where:
            conn.execute("UPDATE cable_sources SET superseded = %s WHERE id = %s", (now, s.id))
    cable = p.cable
    others = [source_record(conn, s) for s in current if s.location != where]
    merged = merge([*(r for r in others if r is not None), cable])
    if any(s.digest == digest for s in known):  # read before, then superseded: current again
        conn.execute(
            'UPDATE cable_sources SET superseded = NULL, form = %s, path = %s, "offset" = %s,'
            " added = %s WHERE reference_id = %s AND digest = %s",
            (*where, now, refid, digest),
        )
    else:  # its own record kept unless it is the stored one (found by digest)
        own = full_json(cable).decode("utf-8") if merged is not cable else None
        conn.execute(
            'INSERT INTO cable_sources (reference_id, form, path, "offset", released, digest,'
            " record, added) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (refid, *where, p.released, digest, own, now),
        )
    return p if merged is cable else prepare(merged)


def _replace(conn, p: Prepared) -> tuple[bool, int]:
    """A cable already stored: a further source of it, merged (a published release replaces
    the record as it is).  (whether the stored record changed, 1 when `p` was kept as a
    further source of it)."""
    row = conn.execute(
        "SELECT id, source_hash, version FROM cables WHERE reference_id = %s FOR UPDATE",
        (p.reference_id,),
    ).fetchone()
    cid, digest, version = row
    if digest == p.digest:
        return False, 0
    further = 0
    release = p.source_form == RELEASE_FORM
    if release:  # published before (its record is an earlier version): nothing to do
        seen = "SELECT 1 FROM cable_versions WHERE reference_id = %s AND source_hash = %s"
        if conn.execute(seen, (p.reference_id, p.digest)).fetchone():
            return False, 0
    else:
        found = _add_source(conn, p)
        if found is None:
            return False, 0
        further = 1
        if found.digest == digest:
            return False, further
        p = found
    old = stored_record(conn, cid)
    conn.execute(
        "INSERT INTO cable_versions VALUES (%s, %s, %s, %s, %s)"
        " ON CONFLICT (reference_id, version) DO NOTHING",
        (p.reference_id, version, digest, full_json(old).decode("utf-8"), _now()),
    )
    for table in (*_SIDE, "sources", "texts"):
        conn.execute(f"DELETE FROM {table} WHERE cable_id = %s", (cid,))
    indexed = tsvector(*p.fts)
    sets = ", ".join(f"{c} = %s" for c in _COLS)
    conn.execute(
        f"UPDATE cables SET {sets}, version = %s WHERE id = %s",
        (*p.columns, p.acl, indexed.fts, version + 1, cid),
    )
    _side_rows(conn, [(cid, p, indexed.words)], sources=False)
    return True, further


def stored_record(conn, cid: int):  # -> Cable
    """The record of cable `cid`, reassembled from its row, paragraphs and packed text."""
    import orjson

    from cablebase.record import Cable

    record, packed = conn.execute(
        "SELECT c.record, t.packed FROM cables c LEFT JOIN texts t ON t.cable_id = c.id"
        " WHERE c.id = %s",
        (cid,),
    ).fetchone()
    data = orjson.loads(texts.record_json(bytes(record)))
    header, body, paragraph_texts = texts.unpack(bytes(packed)) if packed else (None, None, [])
    rows = conn.execute(
        "SELECT number, portion, heading FROM paragraphs WHERE cable_id = %s ORDER BY position",
        (cid,),
    ).fetchall()
    data["paragraphs"] = [
        {"number": n, "portion": po, "heading": h, "text": t}
        for (n, po, h), t in zip(rows, paragraph_texts, strict=True)
    ]
    src = conn.execute(
        'SELECT form, path, "offset" FROM sources WHERE cable_id = %s', (cid,)
    ).fetchone()
    if src is not None:
        data["source"] = dict(
            zip(("form", "path", "offset", "header", "body"), (*src, header, body), strict=True)
        )
    return Cable.from_dict(data)
