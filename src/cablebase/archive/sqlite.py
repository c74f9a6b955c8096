"""The embedded default store: one SQLite file in WAL mode with an FTS5 index.

Every form a cable arrives in is kept as one of its sources (`cable_sources`: form, location,
release date and the source's own record), and the stored record is the merge of its current
sources (archive/merge.py, docs/sources.md).  Writes are idempotent: a source whose content is
already stored changes nothing; a new source, or a changed one at the same location (file,
archive member, csv row), makes a new merged record, and the previous version moves to
`cable_versions`.  Every batch is one transaction, so a killed ingest leaves the file as it was
after the last whole batch.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from cablebase.access.policy import Stored, acl_tokens, indexed_acl, rank_of, stored
from cablebase.archive import archive_file, texts
from cablebase.archive.db import Db, storable
from cablebase.archive.merge import merge, source_record
from cablebase.archive.reader_sets import ReaderSets
from cablebase.archive.schema import MIGRATIONS, migrate
from cablebase.archive.store import SharedStore
from cablebase.archive.texts import body_text
from cablebase.record import Cable

if TYPE_CHECKING:
    from cablebase.archive.sqlite_search import SQLiteSearch

RELEASE_FORM = "release"  # a published redacted release (access/releases.py): not a source


@dataclass(slots=True)
class PutResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    sources: int = 0  # of the updated and unchanged: stored as a further source of a cable

    def __iadd__(self, other: PutResult) -> PutResult:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.sources += other.sources
        return self


@dataclass(slots=True)
class SourceInfo:
    """One source of a cable (a row of `cable_sources`): where it was read and what it said."""

    id: int
    reference_id: str
    form: str
    path: str | None  # file path, or ARCHIVE!MEMBER
    offset: int | None  # csv row
    released: str | None  # WikiLeaks' release date the source states (Cablegate pages)
    digest: str  # content hash of the source's own record
    added: str
    superseded: str | None  # when a newer read of the same location replaced it
    record_json: str | None = None  # None: stored as the cable version with this digest

    @property
    def file(self) -> str | None:
        return self.path.split("!", 1)[0] if self.path else None

    @property
    def member(self) -> str | None:
        return self.path.split("!", 1)[1] if self.path and "!" in self.path else None

    @property
    def location(self) -> tuple[str, str | None, int | None]:
        return (self.form, self.path, self.offset)


def content_hash(record_json: bytes) -> str:
    return hashlib.blake2b(record_json, digest_size=16).hexdigest()


def full_json(cable: Cable) -> bytes:
    """The whole record, without where this copy of it happened to be read (path, offset)."""
    src = cable.source
    if src is None:
        return orjson.dumps(cable)
    # Blank the location in place for the dump (far cheaper than copying the record).
    path, offset = src.path, src.offset
    src.path = src.offset = None
    try:
        return orjson.dumps(cable)
    finally:
        src.path, src.offset = path, offset


# Stand-ins for the paragraphs and the source in `record_jsons`' one dump of the rest: raw
# control bytes, which orjson writes nowhere else (in a string it escapes them).
_PARAGRAPHS_SLOT, _SOURCE_SLOT = orjson.Fragment(b"\x01"), orjson.Fragment(b"\x02")


def record_jsons(cable: Cable) -> tuple[bytes, bytes]:
    """`full_json(cable)` and the uncompressed `row_json(cable)`, byte for byte, with the
    fields they share dumped once: the record's scalars and lists of small dataclasses are
    most of orjson's time (13 of 22 us a generated cable), the paragraphs and source text
    little of it."""
    src, paragraphs = cable.source, cable.paragraphs
    cable.paragraphs, cable.source = _PARAGRAPHS_SLOT, _SOURCE_SLOT
    try:
        rest = orjson.dumps(cable)
    finally:
        cable.paragraphs, cable.source = paragraphs, src
    paragraphs_json = orjson.dumps(paragraphs)
    if src is None:
        full_src = row_src = b"null"
    else:
        path, offset, header, body = src.path, src.offset, src.header, src.body
        src.path = src.offset = None
        try:
            full_src = orjson.dumps(src)
        finally:
            src.path, src.offset = path, offset
        src.header = src.body = None
        try:
            row_src = orjson.dumps(src)
        finally:
            src.header, src.body = header, body
    full = rest.replace(b"\x01", paragraphs_json, 1).replace(b"\x02", full_src, 1)
    row = rest.replace(b"\x01", b"[]", 1).replace(b"\x02", row_src, 1)
    return full, row


def row_json(cable: Cable) -> bytes:
    """The `record` column: the record without paragraphs and source text (stored apart),
    compressed (archive/texts.py)."""
    src, paragraphs = cable.source, cable.paragraphs
    header, body = (src.header, src.body) if src else (None, None)
    cable.paragraphs = []
    if src:
        src.header = src.body = None
    try:
        return texts.compress(orjson.dumps(cable))
    finally:
        cable.paragraphs = paragraphs
        if src:
            src.header, src.body = header, body


class Prepared:
    """A record as the rows that store it, with its content hash (made by an ingest worker).

    Workers send these to the writer, which only adds cable ids and writes: every row, the
    record's JSON, the full-text index's text and the packed text (archive/texts.py) are
    computed where the record was parsed.  The record itself travels only when it was
    prepared in the same process; elsewhere `cable` rebuilds it from the rows (only a cable
    read again from another source needs it, to merge)."""

    __slots__ = (
        "reference_id", "digest", "columns", "acl", "released", "warnings",
        "location", "handling", "tags", "recipients", "refs", "paragraphs", "people",
        "packed", "fts", "indexed", "_cable",
    )  # fmt: skip

    def __init__(self, cable: Cable, *, released: bool = False) -> None:
        """`released`: the record is a published release (open to every reader)."""
        full, row = record_jsons(cable)
        digest = content_hash(full)
        access = stored(cable, released=released)
        self.reference_id = cable.reference_id
        self.digest = digest
        # The access columns are in `columns` (a policy.Stored would cost the writer more to
        # unpickle than all the rows' strings do).
        self.columns = _column_values(cable, digest, texts.compress(row), access)
        self.acl = acl_tokens(access)  # PostgreSQL stores these; SQLite adds tags (indexed)
        self.released = cable.released
        self.warnings = len(cable.warnings)
        src = cable.source
        self.location = (src.form, src.path, src.offset) if src else None
        self.handling = [(h,) for h in cable.handling]
        self.tags = [(t,) for t in cable.tags]
        self.recipients = [
            (i, r.role, r.route, r.name, r.office, r.precedence, r.serial, int(r.collective))
            for i, r in enumerate(cable.recipients)
        ]
        if cable.sender:  # the FM line, searched with the addressees (schema migration 6)
            route = cable.station.route if cable.station else None
            self.recipients.append(
                (-1, "from", route, cable.sender, None, cable.precedence, None, 0)
            )
        self.refs = [(i, r.letter, r.kind, r.text, r.id) for i, r in enumerate(cable.references)]
        self.paragraphs = [
            (i, p.number, p.portion, p.heading) for i, p in enumerate(cable.paragraphs)
        ]
        self.people = [("signer", name, None, None) for name in cable.signers]
        cb = cable.classified_by
        if cb and cb.name:
            self.people.append(("classified_by", cb.name, cb.title, cb.office))
        self.packed = texts.pack(
            src.header if src else None,
            src.body if src else None,
            [p.text for p in cable.paragraphs],
        )
        self.fts = (
            cable.subject or "",
            body_text((p.heading, p.text) for p in cable.paragraphs),
        )
        # SQLite's acl text (`cables.acl` and the index's acl column): the access tokens and
        # the tags' (policy.indexed_acl), made here rather than twice a record in the writer.
        self.indexed = indexed_acl(self.acl, cable.tags)
        self._cable: Cable | None = cable

    def state(self) -> tuple:
        """The rows as one tuple of plain values (str, int, bytes, None, tuples and lists of
        them): what crosses from a worker to the writer, by pickle or marshal (ingest.py).
        The record itself stays behind."""
        return (
            self.reference_id, self.digest, self.columns, self.acl, self.released,
            self.warnings, self.location, self.handling, self.tags, self.recipients,
            self.refs, self.paragraphs, self.people, self.packed, self.fts, self.indexed,
        )  # fmt: skip

    def __reduce__(self) -> tuple:
        # One tuple and a plain function: the writer reads thousands of these a second.
        return from_state, (self.state(),)

    @property
    def source_form(self) -> str | None:
        return self.location[0] if self.location else None

    @property
    def cable(self) -> Cable:
        """The record, as prepared or rebuilt from the rows (as SQLiteStore._load does)."""
        if self._cable is None:
            header, body, paragraph_texts = texts.unpack(self.packed)
            data = orjson.loads(texts.record_json(self.columns[_RECORD]))
            data["paragraphs"] = [
                {"number": n, "portion": p, "heading": h, "text": t}
                for (_, n, p, h), t in zip(self.paragraphs, paragraph_texts, strict=True)
            ]
            if data.get("source") is not None:
                data["source"]["header"], data["source"]["body"] = header, body
            self._cable = Cable.from_dict(data)
        return self._cable


def from_state(state: tuple) -> Prepared:
    """A Prepared from its state() (made in another process): the record is rebuilt from
    the rows only if asked for (Prepared.cable)."""
    p = Prepared.__new__(Prepared)
    (p.reference_id, p.digest, p.columns, p.acl, p.released, p.warnings, p.location,
     p.handling, p.tags, p.recipients, p.refs, p.paragraphs, p.people, p.packed,
     p.fts, p.indexed) = state  # fmt: skip
    p._cable = None
    return p


def prepare(cable: Cable, *, released: bool = False) -> Prepared:
    """`released`: the record is a published release (open to every reader)."""
    return Prepared(cable, released=released)


# Secondary indexes of the cable tables that a bulk load into an empty archive builds after
# the rows are in (SQLiteStore.defer_indexes).  Not deferred: the unique ones (ingest checks
# ids against them), people_cable (a replaced record's rows are deleted by cable id), and
# cables_created and cables_requirement (queries name them: INDEXED BY).  Even those led by a
# value of few kinds and then the cable id (a tag, a caveat, a month, a routing indicator),
# whose new rows go at the end of their value's run, cost more kept up to date than built at
# the end: their pages written again at every commit (writer replay of 240,000 cables, six
# of them kept: +26 us a cable during the load against -18 at the end; docs/benchmarks.md,
# ingest 15).
DEFERRED = (
    "cables_access", "cables_class", "cables_origin", "cables_released", "cables_year_month",
    "handling_caveat", "people_name", "recipients_name", "recipients_route", "refs_target",
    "tags_tag",
)  # fmt: skip


class SQLiteStore(SharedStore):
    """An archive in one SQLite file."""

    def __init__(self, path: str | Path, *, readonly: bool = False, create: bool = True) -> None:
        """Open the archive at `path`; `create`: a missing or empty file becomes a new archive
        (else, and for any file that is not an archive, archive_file.ArchiveFileError)."""
        self.path = Path(path)
        self.readonly = readonly
        archive_file.check(self.path, create=create and not readonly, newest=len(MIGRATIONS))
        if readonly:
            self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        else:
            self.conn = sqlite3.connect(self.path)
            # A new archive gets 16 KiB pages (an existing one keeps its own): a cable's row
            # (its record's JSON, 2-3 KB) and packed text left most of a 4 KiB page unused,
            # a quarter of the file (docs/benchmarks.md, issue 13).
            self.conn.execute("PRAGMA page_size = 16384")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            # Checkpoint the WAL every ~64 MB rather than every 4 MB: index and full-text
            # pages rewritten by several batches are copied to the database once.
            (page,) = self.conn.execute("PRAGMA page_size").fetchone()
            self.conn.execute(f"PRAGMA wal_autocheckpoint = {(64 << 20) // page}")
            migrate(self.conn)
        self.conn.execute("PRAGMA foreign_keys = ON")
        # cables.record is compressed JSON: SQL reads it as record_json(record).
        self.conn.create_function("record_json", 1, texts.record_json, deterministic=True)
        # Writers get a large page cache; readers (one per web request thread) a modest one,
        # and share the OS page cache through memory-mapped reads.
        self.conn.execute(f"PRAGMA cache_size = {-16384 if readonly else -65536}")
        self.conn.execute("PRAGMA mmap_size = 1073741824")
        # Readers' id sets live in TEMP tables (archive/reader_sets.py): in memory.
        self.conn.execute("PRAGMA temp_store = MEMORY")
        self.reader_sets = ReaderSets(self.conn)
        if not readonly:
            self.build_indexes()  # after an ingest killed mid-way through a bulk load

    def close(self) -> None:
        self.conn.close()

    # -- bulk loads ------------------------------------------------------------

    def defer_indexes(self) -> bool:
        """Drop the search indexes of the cable tables (DEFERRED) for a bulk load into an
        empty archive, their SQL kept in `settings`; build_indexes() makes them again, sorted
        in one pass: less CPU than keeping them up to date row by row (random inserts), and
        full pages.  An ingest killed before it built them leaves the key behind: the next
        writer to open the archive builds them (__init__).  Readers meanwhile answer the same,
        by scanning.  False (nothing dropped) when the archive holds cables already."""
        if self.conn.execute("SELECT 1 FROM cables LIMIT 1").fetchone():
            return False
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            marks = ",".join("?" * len(DEFERRED))
            found = self.conn.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})"
                " ORDER BY name",
                DEFERRED,
            ).fetchall()
            known = self.conn.execute(
                "SELECT value FROM settings WHERE key = 'deferred_indexes'"
            ).fetchone()
            sqls = orjson.loads(known[0]) if known else []
            sqls += [sql for _, sql in found]
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES ('deferred_indexes', ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (orjson.dumps(sqls).decode(),),
            )
            for name, _ in found:
                self.conn.execute(f"DROP INDEX {name}")
        return True

    def build_indexes(self, *, at_most: int | None = None) -> bool:
        """Make the indexes defer_indexes() dropped (a no-op when there are none); True while
        some are left to build.  `at_most`: build that many, each in its own transaction (an
        ingest builds them one at a time between its last batches, ingest.py)."""
        row = self.conn.execute(
            "SELECT value FROM settings WHERE key = 'deferred_indexes'"
        ).fetchone()
        if row is None:
            return False
        sqls = orjson.loads(row[0])
        # The sorts spill to temporary files, not memory (this connection's TEMP_STORE): an
        # index of millions of rows sorted in memory would take as much RAM as its size.
        # Changing it drops the connection's TEMP tables: its reader sets start again.  The
        # tables are read through the page cache, not memory-mapped: every page of them
        # mapped counted in the process's memory (977 MiB at 251,287 cables, 155 → 106 MiB
        # for the build alone at 50,000; docs/benchmarks.md).
        (temp_store,) = self.conn.execute("PRAGMA temp_store").fetchone()
        (mmap_size,) = self.conn.execute("PRAGMA mmap_size").fetchone()
        self.conn.execute("PRAGMA temp_store = FILE")
        self.conn.execute("PRAGMA mmap_size = 0")
        try:
            left = [sql for sql in sqls if not self._index_exists(sql)]
            now = left if at_most is None else left[:at_most]
            # All in one transaction, or one a transaction; the key goes with the last index.
            groups = [now] if at_most is None or not now else [[sql] for sql in now]
            for n, group in enumerate(groups, 1):
                with self.conn:
                    self.conn.execute("BEGIN IMMEDIATE")
                    for sql in group:
                        self.conn.execute(
                            sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1)
                        )
                    if n == len(groups) and len(now) == len(left):
                        self.conn.execute("DELETE FROM settings WHERE key = 'deferred_indexes'")
        finally:
            self.conn.execute(f"PRAGMA mmap_size = {mmap_size}")
            self.conn.execute(f"PRAGMA temp_store = {temp_store}")
            self.reader_sets = ReaderSets(self.conn)
        return len(now) < len(left)

    def _index_exists(self, sql: str) -> bool:
        name = sql.split()[2]  # CREATE INDEX name ON ...
        found = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?"
        return self.conn.execute(found, (name,)).fetchone() is not None

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------

    def put_many(self, cables: Iterable[Cable | Prepared]) -> PutResult:
        """Store a batch of records in one transaction.

        New records (the common case) are collected and written with one executemany per
        table; a record that replaces a stored one takes the slower path of its own."""
        batch = [c if isinstance(c, Prepared) else prepare(c) for c in cables]
        # Foreign keys go unchecked while a batch is written: each row's cable id is one this
        # transaction gives or a stored cable's, and nothing here deletes a cable.  Checking
        # them cost ~14 us of the writer's CPU a cable (one lookup per side row; issue 13).
        # (A no-op inside a caller's open transaction, where they stay checked.)
        self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            return self._put_batch(batch)
        finally:
            self.conn.execute("PRAGMA foreign_keys = ON")

    def _put_batch(self, batch: list[Prepared]) -> PutResult:
        result = PutResult()
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")  # ids below are assigned inside this lock
            existing = self._existing([p.reference_id for p in batch if p.reference_id])
            index = _IndexWrites()
            pending = _Pending(index)
            next_id = (self.conn.execute("SELECT max(id) FROM cables").fetchone()[0] or 0) + 1
            now = _now()
            for prepared in batch:
                refid, digest = prepared.reference_id, prepared.digest
                if not refid:
                    raise ValueError("a record without a reference id cannot be stored")
                row = existing.get(refid)
                release = prepared.source_form == RELEASE_FORM
                if row is None:
                    pending.add(next_id, prepared)
                    if not release:
                        # Its record is the cable's version 1: found by digest, not copied.
                        pending.add_source(prepared, now, stored=False)
                    existing[refid] = (next_id, digest, 1)
                    next_id += 1
                    result.added += 1
                    continue
                if row[1] == digest:
                    # The stored record itself: the cable's one source read again (the common
                    # case of a re-run ingest), or the release just published.
                    result.unchanged += 1
                    continue
                pending.write(self.conn)  # the rows below read and replace must be in the tables
                if release:
                    # A release replaces the current version (the sources stay as they were).
                    if self._seen_before(refid, digest):
                        result.unchanged += 1
                        continue
                    existing[refid] = self._replace(prepared, row, index)
                    result.updated += 1
                    continue
                added, new_row = self._add_source(prepared, row, index)
                result.sources += added
                if new_row is None:
                    result.unchanged += 1
                else:
                    existing[refid] = new_row
                    result.updated += 1
            pending.write(self.conn)
            index.write(self.conn)
            if result.added or result.updated:
                self._bump()
        return result

    def write_access(self, cable_id: int, access: Stored) -> bool:
        """Write a cable's access columns (declassification, access/declassify.py) inside the
        caller's transaction; False when nothing changed."""
        return write_access(self.conn, cable_id, access)

    def add_new(self, cable: Cable | Prepared) -> None:
        """Store a record new to the archive inside the caller's open write transaction
        (BEGIN IMMEDIATE held): the drafting desk numbers, stores and dispatches a released
        cable in one transaction.  ValueError when its reference id is already stored."""
        prepared = cable if isinstance(cable, Prepared) else prepare(cable)
        if not prepared.reference_id or self._existing([prepared.reference_id]):
            raise ValueError(f"{prepared.reference_id} is already in the archive (or has no id)")
        index = _IndexWrites()
        pending = _Pending(index)
        next_id = (self.conn.execute("SELECT max(id) FROM cables").fetchone()[0] or 0) + 1
        pending.add(next_id, prepared)
        pending.add_source(prepared, _now(), stored=False)
        pending.write(self.conn)
        index.write(self.conn)
        self._bump()

    def _bump(self) -> None:
        """Count a change of the cables (readers key their caches on `generation`)."""
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES ('generation', '1') ON CONFLICT(key)"
            " DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
        )

    def generation(self) -> int:
        """How many batches changed the cables so far (0 for a new archive)."""
        try:
            row = self.conn.execute(
                "SELECT value FROM settings WHERE key = 'generation'"
            ).fetchone()
        except sqlite3.OperationalError:  # an archive from before schema 2, read-only
            return -1
        return int(row[0]) if row else 0

    def _existing(self, refids: list[str]) -> dict[str, tuple[int, str, int]]:
        found: dict[str, tuple[int, str, int]] = {}
        for i in range(0, len(refids), 500):
            chunk = refids[i : i + 500]
            rows = self.conn.execute(
                "SELECT reference_id, id, source_hash, version FROM cables"
                f" WHERE reference_id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            for refid, cid, digest, version in rows:
                found[refid] = (cid, digest, version)
        return found

    def _replace(
        self, prepared: Prepared, row: tuple[int, str, int], index: _IndexWrites
    ) -> tuple[int, str, int]:
        """Replace a stored record; its previous version moves to cable_versions.  Its
        full-text index entry changes in `index` (written at the end of the transaction)."""
        digest = prepared.digest
        cable_id, old_hash, version = row
        old = self._load(cable_id)
        self.conn.execute(
            "INSERT OR REPLACE INTO cable_versions VALUES (?, ?, ?, ?, ?)",
            (prepared.reference_id, version, old_hash, full_json(old).decode("utf-8"), _now()),
        )
        self._delete_side_rows(cable_id, old, index)
        self.conn.execute(
            f"UPDATE cables SET {', '.join(f'{c} = ?' for c in _COLUMNS)}, version = ? WHERE id = ?",
            (*prepared.columns, version + 1, cable_id),
        )
        # Written after the old row's acl was used to delete its index entry.
        self.conn.execute("UPDATE cables SET acl = ? WHERE id = ?", (prepared.indexed, cable_id))
        pending = _Pending(index)
        pending.add_side_rows(cable_id, prepared)
        pending.write(self.conn)
        return (cable_id, digest, version + 1)

    # -- sources -------------------------------------------------------------------

    def _add_source(
        self, prepared: Prepared, row: tuple[int, str, int], index: _IndexWrites
    ) -> tuple[int, tuple | None]:
        """Store a record as a source of a cable already in the archive and merge again.

        (1 if the source was stored, the cable's new (id, digest, version) or None when its
        record did not change).  A source whose content is stored already changes nothing; one
        read from the location of a current source (same form, path and row) supersedes it."""
        cable, digest = prepared.cable, prepared.digest
        refid = prepared.reference_id
        assert refid is not None
        known = self.sources(refid, superseded=True) or self._adopt(refid, row)
        current = [s for s in known if s.superseded is None]
        if any(s.digest == digest for s in current):
            return 0, None
        src = cable.source
        where = (src.form, src.path, src.offset) if src else ("", None, None)
        now = _now()
        for s in current:
            if s.location == where:
                self.conn.execute(
                    "UPDATE cable_sources SET superseded = ? WHERE id = ?", (now, s.id)
                )
        others = [self._source_record(s) for s in current if s.location != where]
        merged = merge([*(r for r in others if r is not None), cable])
        if any(s.digest == digest for s in known):  # read before, then superseded: current again
            self.conn.execute(
                "UPDATE cable_sources SET superseded = NULL, form = ?, path = ?, offset = ?,"
                " added = ? WHERE reference_id = ? AND digest = ?",
                (*where, now, refid, digest),
            )
        else:
            # The cable's only source is its record from now on: found by digest, not copied.
            pending = _Pending(index)
            pending.add_source(prepared, now, stored=merged is not cable)
            pending.write(self.conn)
        mp = prepared if merged is cable else prepare(merged)
        if mp.digest == row[1]:
            return 1, None
        return 1, self._replace(mp, row, index)

    def _adopt(self, reference_id: str, row: tuple[int, str, int]) -> list[SourceInfo]:
        """The source of a cable stored before sources were kept (schema 3 and earlier): its
        current record, or under a published release the version the release redacted."""
        cable_id, digest, _ = row
        src = self.conn.execute(
            "SELECT form, path, offset FROM sources WHERE cable_id = ?", (cable_id,)
        ).fetchone()
        form, path, offset = src if src else ("", None, None)
        (record,) = self.conn.execute(
            "SELECT record FROM cables WHERE id = ?", (cable_id,)
        ).fetchone()
        if form == RELEASE_FORM:
            form = path = offset = None
            for old_digest, old_record in self.conn.execute(
                "SELECT source_hash, record FROM cable_versions WHERE reference_id = ?"
                " ORDER BY version DESC",
                (reference_id,),
            ):
                old_form = (orjson.loads(old_record).get("source") or {}).get("form")
                if old_form != RELEASE_FORM:
                    form, digest, record = old_form or "", old_digest, old_record
                    break
            if form is None:
                return []
        released = orjson.loads(texts.record_json(record)).get("released")
        self.conn.execute(
            "INSERT OR IGNORE INTO cable_sources (reference_id, form, path, offset, released,"
            " digest, record, added) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
            (reference_id, form, path, offset, released, digest, _now()),
        )
        return self.sources(reference_id, superseded=True)

    def sources(self, reference_id: str, *, superseded: bool = False) -> list[SourceInfo]:
        """The sources of a cable, current ones (or all, with `superseded`) in the order they
        were added.  An archive from before schema 4 has none recorded: []."""
        try:
            rows = self.conn.execute(
                "SELECT id, reference_id, form, path, offset, released, digest, added, superseded,"
                " record FROM cable_sources WHERE reference_id = ?"
                + ("" if superseded else " AND superseded IS NULL")
                + " ORDER BY id",
                (storable(reference_id),),
            ).fetchall()
        except sqlite3.OperationalError:  # read-only archive from before schema 4
            return []
        return [SourceInfo(*r) for r in rows]

    def source_records(self, reference_id: str) -> list[tuple[SourceInfo, Cable]]:
        """Each current source of a cable with its own parsed record."""
        out = []
        for s in self.sources(reference_id):
            record = self._source_record(s)
            if record is not None:
                out.append((s, record))
        return out

    def _source_record(self, s: SourceInfo) -> Cable | None:
        """A source's own record (archive/merge.py's source_record)."""
        return source_record(Db.of(self.conn), s, self._load)

    def _seen_before(self, reference_id: str, digest: str) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM cable_versions WHERE reference_id = ? AND source_hash = ?",
                (reference_id, digest),
            ).fetchone()
            is not None
        )

    def _delete_side_rows(self, cable_id: int, old: Cable, index: _IndexWrites) -> None:
        # A contentless FTS5 row is deleted by giving back the text it indexed.
        (acl,) = self.conn.execute("SELECT acl FROM cables WHERE id = ?", (cable_id,)).fetchone()
        index.delete(
            cable_id,
            (old.subject or "", body_text((p.heading, p.text) for p in old.paragraphs), acl or ""),
        )
        tables = (
            "handling",
            "tags",
            "recipients",
            "refs",
            "paragraphs",
            "people",
            "sources",
            "texts",
        )
        for table in tables:
            self.conn.execute(f"DELETE FROM {table} WHERE cable_id = ?", (cable_id,))

    def quarantine(self, location: str, reason: str) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT INTO quarantine (location, reason, seen) VALUES (?, ?, ?) "
                "ON CONFLICT(location) DO UPDATE SET reason = excluded.reason, seen = excluded.seen",
                (location, reason, _now()),
            )

    # -- reading -------------------------------------------------------------

    def get(self, reference_id: str) -> Cable | None:
        row = self.conn.execute(
            "SELECT id FROM cables WHERE reference_id = ?", (storable(reference_id),)
        ).fetchone()
        return self._load(row[0]) if row else None

    def searcher(self, **options: int) -> SQLiteSearch:
        """How this store answers the archive's plans (archive/sqlite_search.py); `options`
        are its planner thresholds (`broad`, `small`)."""
        from cablebase.archive.sqlite_search import SQLiteSearch

        return SQLiteSearch(self, **options)

    def access_columns(self, cable_id: int) -> Stored:
        """The access columns stored with a cable (policy.Stored)."""
        row = self.conn.execute(
            "SELECT class_rank, caveat_bits, open_on, floor_rank FROM cables WHERE id = ?",
            (cable_id,),
        ).fetchone()
        return Stored(*row)

    def get_many(self, cable_ids: list[int]) -> dict[int, Cable]:
        return {cid: self._load(cid) for cid in cable_ids}

    def _load(self, cable_id: int) -> Cable:
        """Reassemble a record from its row, its paragraphs and its source text."""
        (record,) = self.conn.execute(
            "SELECT record FROM cables WHERE id = ?", (cable_id,)
        ).fetchone()
        data = orjson.loads(texts.record_json(record))
        data["paragraphs"] = [
            {"number": n, "portion": p, "heading": h, "text": t}
            for _, n, p, h, t in texts.paragraphs(self.conn, [cable_id])
        ]
        src = texts.sources(self.conn, [cable_id]).get(cable_id)
        if src:
            data["source"] = dict(
                zip(("form", "path", "offset", "header", "body"), src, strict=True)
            )
        return Cable.from_dict(data)

    def versions(self, reference_id: str) -> list[tuple[int, Cable]]:
        """Earlier versions of a record, oldest first."""
        rows = self.conn.execute(
            "SELECT version, record FROM cable_versions WHERE reference_id = ? ORDER BY version",
            (storable(reference_id),),
        )
        return [(v, Cable.from_json(r)) for v, r in rows]

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM cables").fetchone()[0]

    def reference_ids(self) -> Iterator[str]:
        for (refid,) in self.conn.execute("SELECT reference_id FROM cables ORDER BY id"):
            yield refid

    def quarantined(self) -> list[tuple[str, str, str]]:
        return self.conn.execute(
            "SELECT location, reason, seen FROM quarantine ORDER BY id"
        ).fetchall()


class _Pending:
    """Rows of new records, written with one executemany per table.  The records are kept as
    (cable id, Prepared) pairs and their rows made at `write`, table by table: one
    comprehension over the batch per table rather than eight per record."""

    def __init__(self, index: _IndexWrites) -> None:
        self.index = index  # the transaction's full-text index changes, written at its end
        self.new: list[tuple[int, Prepared]] = []  # a `cables` row and side rows each
        self.side: list[tuple[int, Prepared]] = []  # side rows only (a replaced record)
        self.cable_sources: list[tuple] = []

    def add_source(self, p: Prepared, now: str, *, stored: bool) -> None:
        """A source row; `stored`: with its own copy of the record (else it is the version of
        the cable with the same digest)."""
        form, path, offset = p.location or ("", None, None)
        self.cable_sources.append(
            (
                p.reference_id,
                form,
                path,
                offset,
                p.released,
                p.digest,
                full_json(p.cable).decode("utf-8") if stored else None,
                now,
            )
        )

    def add(self, cid: int, p: Prepared) -> None:
        self.new.append((cid, p))

    def add_side_rows(self, cid: int, p: Prepared) -> None:
        """The rows of a prepared record under its cable id (its `cables` row is the caller's):
        tuples made in the worker, with the id put in front (the only work left to the
        writer)."""
        self.side.append((cid, p))

    def write(self, conn: sqlite3.Connection) -> None:
        ex = conn.executemany
        if self.new:
            columns = ", ".join(("id", *_COLUMNS, "acl"))
            marks = ", ".join("?" * (len(_COLUMNS) + 2))
            ex(
                f"INSERT INTO cables ({columns}) VALUES ({marks})",
                [(cid, *p.columns, p.indexed) for cid, p in self.new],
            )
        both = self.new + self.side if self.side else self.new
        for sql, rows in (
            ("INSERT OR IGNORE INTO handling VALUES (?, ?)", attrgetter("handling")),
            ("INSERT OR IGNORE INTO tags VALUES (?, ?)", attrgetter("tags")),
            ("INSERT INTO recipients VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", attrgetter("recipients")),
            ("INSERT INTO refs VALUES (?, ?, ?, ?, ?, ?)", attrgetter("refs")),
            ("INSERT INTO paragraphs VALUES (?, ?, ?, ?, ?)", attrgetter("paragraphs")),
        ):
            # each side table's rows for the whole batch, one statement a table
            ex(sql, [(cid, *r) for cid, p in both for r in rows(p)])
        ex(
            "INSERT INTO sources VALUES (?, ?, ?, ?)",
            [(cid, *p.location) for cid, p in both if p.location],
        )
        ex("INSERT INTO texts VALUES (?, ?)", [(cid, p.packed) for cid, p in both])
        ex(
            "INSERT INTO people VALUES (?, ?, ?, ?, ?)",
            [(cid, *r) for cid, p in both for r in p.people],
        )
        insert = self.index.insert
        for cid, p in both:
            insert(cid, (*p.fts, p.indexed))
        ex(
            "INSERT OR IGNORE INTO cable_sources (reference_id, form, path, offset, released,"
            " digest, record, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            self.cable_sources,
        )
        self.new, self.side, self.cable_sources = [], [], []


class _IndexWrites:
    """The full-text index's changes in one write transaction, made in rowid order at its end.

    FTS5 writes its in-memory postings out as a segment whenever a change names a rowid at or
    below the last one it took.  A record replaced amid a batch's new ones (a further source of
    a stored cable: a lower id) cut the batch's segment into one piece per replacement, and
    the index merged the pieces over and over: the dev corpus's 1,324 further sources after
    251,287 generated cables rewrote the whole index once more (490 MB of free pages left in
    a 2.6 GB file; docs/benchmarks.md, session 18).  Held here, a transaction's changes come
    down to one delete of each replaced row's text as the index holds it and one insert of its
    last text, in rowid order: one segment a batch."""

    def __init__(self) -> None:
        self.old: dict[int, tuple[str, str, str]] = {}  # rowid -> the text the index holds
        self.new: dict[int, tuple[str, str, str]] = {}  # rowid -> the text it will hold

    def delete(self, rowid: int, text: tuple[str, str, str]) -> None:
        """`text` (subject, body, acl): what the index holds for the row, unless this
        transaction already changed it (then the text found at its start is kept)."""
        if rowid in self.new:  # inserted in this transaction: the insert is withdrawn
            del self.new[rowid]
        else:
            self.old.setdefault(rowid, text)

    def insert(self, rowid: int, text: tuple[str, str, str]) -> None:
        self.new[rowid] = text

    def write(self, conn: sqlite3.Connection) -> None:
        old, new = self.old, self.new
        rows: list[tuple] = []
        for rowid in sorted(old.keys() | new.keys()) if old else sorted(new):
            if rowid in old:  # the FTS5 command column: 'delete', or NULL for an insert
                rows.append(("delete", rowid, *old[rowid]))
            if rowid in new:
                rows.append((None, rowid, *new[rowid]))
        conn.executemany(
            "INSERT INTO cables_fts (cables_fts, rowid, subject, body, acl) VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        self.old, self.new = {}, {}


_COLUMNS = (
    "reference_id",
    "created",
    "year",
    "month",
    "origin",
    "post",
    "classification",
    "class_rank",
    "precedence",
    "subject",
    "eo",
    "declassify_on",
    "declassify_rule",
    "partial",
    "n_paragraphs",
    "n_warnings",
    "source_form",
    "source_path",
    "source_hash",
    "record",
    "caveat_bits",
    "open_on",
    "floor_rank",
    "released",
)
_RECORD = _COLUMNS.index("record")


def _column_values(c: Cable, digest: str, row: bytes, access: Stored) -> tuple:
    created = c.created
    return (
        c.reference_id,
        created,
        int(created[:4]) if created else None,
        int(created[5:7]) if created else None,
        c.origin,
        c.post,
        c.classification,
        rank_of(c.classification),  # the policy's rank (LIMITED OFFICIAL USE: 0)
        c.precedence,
        c.subject,
        c.eo,
        c.declassify_on,
        c.declassify_rule,
        int(c.partial),
        len(c.paragraphs),
        len(c.warnings),
        c.source.form if c.source else None,
        c.source.path if c.source else None,
        digest,
        row,
        access.bits,
        access.open_on,
        access.floor_rank,
        c.released,
    )


def write_access(conn: sqlite3.Connection, cid: int, s: Stored) -> bool:
    """Write a cable's access columns and its acl tokens (with its tags', policy.indexed_acl)
    in the full-text index (a declassification, or a migration deriving them again); False
    when nothing changed."""
    from cablebase.archive.schema import stored_paragraphs

    old = conn.execute(
        "SELECT caveat_bits, open_on, floor_rank, acl, subject FROM cables WHERE id = ?", (cid,)
    ).fetchone()
    tags = [t for (t,) in conn.execute("SELECT tag FROM tags WHERE cable_id = ?", (cid,))]
    acl = indexed_acl(acl_tokens(s), tags)
    if old[:4] == (s.bits, s.open_on, s.floor_rank, acl):
        return False
    conn.execute(
        "UPDATE cables SET caveat_bits = ?, open_on = ?, floor_rank = ?, acl = ? WHERE id = ?",
        (s.bits, s.open_on, s.floor_rank, acl, cid),
    )
    if old[3] != acl:  # the contentless index: delete with the text it indexed, insert again
        body = body_text((h, t) for _, _, h, t in stored_paragraphs(conn, cid))
        subject = old[4] or ""
        conn.execute(
            "INSERT INTO cables_fts (cables_fts, rowid, subject, body, acl)"
            " VALUES ('delete', ?, ?, ?, ?)",
            (cid, subject, body, old[3] or ""),
        )
        conn.execute(
            "INSERT INTO cables_fts (rowid, subject, body, acl) VALUES (?, ?, ?, ?)",
            (cid, subject, body, acl),
        )
    return True


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
