"""`PgStore`: an archive in a PostgreSQL database behind the store seam (archive/store.py,
docs/stores.md, docs/postgresql.md).

`Archive` keeps the meaning (parsing, stemming, name resolution, the reader's scope); this
store holds the records and answers plans through `PgSearch` (archive/pg/search.py).  Records
arrive by COPY (archive/pg/load.py) into the schema of archive/pg/schema.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import psycopg

from cablebase.access.policy import Stored, acl_tokens
from cablebase.archive.archive_file import ArchiveFileError
from cablebase.archive.db import storable
from cablebase.archive.pg import schema
from cablebase.archive.pg.load import load, source_record, sources, stored_record
from cablebase.archive.pg.search import PgSearch
from cablebase.archive.sqlite import Prepared, PutResult, SourceInfo, prepare
from cablebase.archive.store import SharedStore
from cablebase.record import Cable


def connect(dsn: str) -> psycopg.Connection:
    """An autocommit connection; an unreachable server or a refused login is one sentence."""
    try:
        return psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    except psycopg.Error as e:
        lines = [line.strip() for line in str(e).splitlines() if line.strip()]
        reason = lines[0] if lines else type(e).__name__
        raise ArchiveFileError(f"cannot reach the PostgreSQL archive: {reason}") from None


class PgStore(SharedStore):
    """The archive in the database `dsn` names (a libpq connection string or URL).  The
    schema is brought up to date on opening; with `create=False` a database holding no
    archive is an error rather than a new archive; `readonly` opens read-only
    transactions."""

    label = "PostgreSQL"  # how messages name this store (store.Unsupported)

    def __init__(self, dsn: str, *, readonly: bool = False, create: bool = True) -> None:
        self.path = dsn  # the archive's location (Store.path)
        self.readonly = readonly
        self.conn = connect(dsn)
        try:
            if not create and schema.version(self.conn) == 0:
                raise ArchiveFileError(
                    "no archive in this PostgreSQL database"
                    " (create one with: cablebase ingest PATH --archive postgresql://…)"
                )
            schema.migrate(self.conn)
            # A bitmap of a broad term's or pair's hits stays exact (a row per hit) within
            # work_mem; past it PostgreSQL keeps whole pages and rechecks every row on them,
            # which for the word pairs (an expression index, schema migration 8) recomputes
            # each row's pairs.  64 MB holds the pages of ~2.5 M cables exactly; it is
            # memory a query may take, not memory held.
            self.conn.execute("SET work_mem = '64MB'")
            if readonly:
                self.conn.execute("SET default_transaction_read_only = on")
        except BaseException:
            self.conn.close()
            raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> PgStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the Store protocol (archive/store.py) ------------------------------------------

    def searcher(self, **options: int) -> PgSearch:
        """The Search of this store: `broad` bounds one-tier relevance as on SQLite; SQLite's
        other threshold (`small`) has no counterpart here: PostgreSQL's planner chooses."""
        return PgSearch(self, **{k: v for k, v in options.items() if k == "broad"})

    def generation(self) -> int:
        row = self.conn.execute("SELECT value FROM settings WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def _id(self, reference_id: str) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM cables WHERE reference_id = %s", (storable(reference_id),)
        ).fetchone()
        return row[0] if row else None

    def get(self, reference_id: str) -> Cable | None:
        cid = self._id(reference_id)
        return None if cid is None else stored_record(self.conn, cid)

    def versions(self, reference_id: str) -> list[tuple[int, Cable]]:
        """Earlier versions of a record, oldest first."""
        rows = self.conn.execute(
            "SELECT version, record FROM cable_versions WHERE reference_id = %s ORDER BY version",
            (storable(reference_id),),
        )
        return [(v, Cable.from_json(r)) for v, r in rows]

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM cables").fetchone()[0]

    # -- beside the protocol: what `cablebase show` and `errors` read -----------------------

    def sources(self, reference_id: str, *, superseded: bool = False) -> list[SourceInfo]:
        """The sources of a cable, current ones (or all, with `superseded`), oldest first."""
        return sources(self.conn, storable(reference_id), superseded=superseded)

    def source_records(self, reference_id: str) -> list[tuple[SourceInfo, Cable]]:
        """Each current source of a cable with its own parsed record."""
        found = ((s, self._source_record(s)) for s in self.sources(reference_id))
        return [(s, record) for s, record in found if record is not None]

    def _source_record(self, s: SourceInfo) -> Cable | None:
        """A source's own record (as SQLiteStore's)."""
        return source_record(self.conn, s)

    def quarantined(self) -> list[tuple[str, str, str]]:
        return self.conn.execute(
            "SELECT location, reason, seen FROM quarantine ORDER BY id"
        ).fetchall()

    def records(self, ids: list[int]) -> Iterator[tuple[int, Cable]]:
        """(store id, whole record) of the cables `ids` still stored, in their order."""
        for cid in ids:
            if self.conn.execute("SELECT 1 FROM cables WHERE id = %s", (cid,)).fetchone():
                yield cid, stored_record(self.conn, cid)

    # -- writes ------------------------------------------------------------------------

    def put_many(self, cables: Iterable[Cable | Prepared]) -> PutResult:
        if self.readonly:
            raise ArchiveFileError("the archive was opened read-only")
        return load(self.conn, [c if isinstance(c, Prepared) else prepare(c) for c in cables])

    def write_access(self, cable_id: int, access: Stored) -> bool:
        """Write a cable's access columns (declassification, access/declassify.py) inside the
        caller's transaction; False when nothing changed.  The full-text vector holds no
        access tokens here (plans test the columns), so it stays as it is."""
        acl = acl_tokens(access)
        cur = self.conn.execute(
            "UPDATE cables SET caveat_bits = %s, open_on = %s, floor_rank = %s, acl = %s"
            " WHERE id = %s AND (caveat_bits, open_on, floor_rank, acl)"
            " IS DISTINCT FROM (%s, %s, %s, %s)",
            (access.bits, access.open_on, access.floor_rank, acl, cable_id)
            + (access.bits, access.open_on, access.floor_rank, acl),
        )
        return cur.rowcount > 0

    def add_new(self, cable: Cable | Prepared) -> None:
        """Store a record new to the archive inside the caller's open transaction (as
        SQLiteStore.add_new): the drafting desk numbers, stores and dispatches a released
        cable in one transaction.  ValueError when its reference id is already stored."""
        if self.readonly:
            raise ArchiveFileError("the archive was opened read-only")
        prepared = cable if isinstance(cable, Prepared) else prepare(cable)
        if not prepared.reference_id or self._id(prepared.reference_id) is not None:
            raise ValueError(f"{prepared.reference_id} is already in the archive (or has no id)")
        if load(self.conn, [prepared]).added != 1:  # stored meanwhile by another transaction
            raise ValueError(f"{prepared.reference_id} is already in the archive")
