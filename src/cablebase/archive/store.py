"""The seam between what the archive means and how a store answers it (docs/stores.md).

`Archive` (archive/api.py) decides what a query means: its words stemmed, its name fields
resolved, its scope for the reader (`query.Visible`, the classifier limited to cables read
whole), what a hit and a reference show.  A store answers the resulting plan, a tree of
archive/query.py's nodes, through the two protocols below:

- `Store`: records by reference id (the current version, earlier ones, the access columns),
  the archive's generation, and the `Search` that answers its plans;
- `Search`: the hits of a plan in an order, their count, ids and facets, the paragraphs a
  reader may see, the references of a cable both ways, and the stored values the meaning
  side resolves words against (indexed words for stemming, names for name fields).

The SQLite store answers in archive/sqlite.py (records) and archive/sqlite_search.py (plans).
Each Search call names its `Reader`: who reads (their Access) and at which state of the
archive (`Archive.pinned`).  A store applies the reader's access wherever the plan says
`Visible`, and nowhere else: access is part of the plan, not a filter added afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from cablebase.access.policy import Access, Policy, Stored
    from cablebase.archive.query import Node, OriginResolver
    from cablebase.archive.sqlite import Prepared
    from cablebase.record import Cable

# A hit as a store returns it: (store id, reference_id, created, origin, classification,
# subject as the reader sees it, score or None).  Scores are lower-is-better (bm25).
HitRow = tuple[int, str, str | None, str | None, str | None, str | None, float | None]

# The sorts of `Search.hits` (total orders, so that pages are exact slices of the list):
# "relevance" (docs/search.md), "date" (oldest first, undated first), "-date" (newest first).
SORTS = ("relevance", "date", "-date")
# The facets of `Search.facets`.
FACETS = ("origin", "classification", "year", "month", "tag", "handling")


def facet_sql(month: str) -> dict[str, tuple[str, str]]:
    """Each facet as (SQL value over `cables c`, the join it needs), the same in every store but
    for the month's text ("YYYY-MM"), which each SQL dialect writes its own way."""
    return {
        "origin": ("c.origin", ""),
        # From the class_rank index (the rank stands for the normalised classification).
        "classification": (
            "CASE c.class_rank WHEN 0 THEN 'UNCLASSIFIED' WHEN 1 THEN 'CONFIDENTIAL'"
            " WHEN 2 THEN 'SECRET' WHEN 3 THEN 'TOP SECRET' END",
            "",
        ),
        "year": ("c.year", ""),
        # From the (year, month) index, not the rows: cheap for broad queries.
        "month": (f"CASE WHEN c.month IS NOT NULL THEN {month} END", ""),
        "tag": ("t.tag", "JOIN tags t ON t.cable_id = c.id"),
        "handling": ("h.caveat", "JOIN handling h ON h.cable_id = c.id"),
    }


# The sources of `Search.values`: distinct stored values that name fields resolve against.
VALUE_SOURCES = ("origins", "posts", "people", "recipients", "routes", "person_tags")


@dataclass(frozen=True, slots=True)
class Reader:
    """Who asks a plan, and of which state of the archive."""

    access: Access
    # The archive's generation read once for a request (Archive.pinned), or None: the
    # store's current one at each step.
    pin: tuple[int, ...] | None
    # How a name field's words resolve to stored values (Archive._origins): meaning, asked
    # by the store when it writes a field condition.
    resolve: OriginResolver

    def key(self) -> tuple:
        """Equal for two readers who see exactly the same (for caches of counts and pages)."""
        a = self.access
        if a.unrestricted:
            return ("all",)
        return (a.viewer.rank, a.viewer.bits, a.portions, a.today)


class Search(Protocol):
    """How a store answers the archive's plans (trees of archive/query.py's nodes, scoped to
    their reader by `Archive._scope`)."""

    def hits(
        self, plan: Node, reader: Reader, *, sort: str, limit: int | None, offset: int
    ) -> Iterator[list[HitRow]]:
        """Every hit of the plan in `sort` order (SORTS), `limit` of them (None: all) from
        `offset`, in chunks.  The subject as the reader sees it (withheld unless whole)."""
        ...

    def count(self, plan: Node, reader: Reader) -> int:
        """The exact number of hits."""
        ...

    def ids(self, plan: Node, reader: Reader) -> list[int]:
        """The store ids of every hit, each once, in no particular order."""
        ...

    def facets(
        self, plan: Node, reader: Reader, names: tuple[str, ...], top: int | None
    ) -> dict[str, list[tuple[str, int]]]:
        """The hits counted by each facet of `names` (FACETS): year and month in calendar
        order and complete, the others most frequent first (ties by value), `top` of them."""
        ...

    def paragraphs(self, ids: list[int], reader: Reader) -> dict[int, list[tuple]]:
        """The (heading, text) of the paragraphs of cables `ids` the reader may read."""
        ...

    def cites(self, reference_id: str, reader: Reader) -> list[tuple]:
        """(cited id, letter, text, whether the reader sees the cited cable) of the cable's
        REF block, in order."""
        ...

    def cited_by(self, reference_id: str, reader: Reader) -> list[tuple]:
        """(citing id, letter, text, the citing cable's access columns) of the cables the
        reader sees that cite this one, oldest first."""
        ...

    def words(self, start: str, stop: str) -> list[str]:
        """The indexed words w with start <= w < stop (stemming reads them); possibly also
        words no stored cable holds any more (a form that matches nothing changes no answer)."""
        ...

    def values(self, source: str) -> list[str]:
        """The distinct stored values of a source (VALUE_SOURCES) name fields resolve
        against."""
        ...


class Store(Protocol):
    """The records of an archive (archive/sqlite.py: SQLiteStore)."""

    path: Path
    readonly: bool

    def searcher(self, **options: int) -> Search:
        """The Search of this store (`options`: planner thresholds, see Archive.open)."""
        ...

    def generation(self) -> int:
        """Changes whenever the cables do, by any writer."""
        ...

    def get(self, reference_id: str) -> Cable | None: ...

    def versions(self, reference_id: str) -> list[tuple[int, Cable]]: ...

    def columns(self, reference_id: str) -> tuple[int, Stored, int] | None:
        """(store id, access columns, current version) of a cable, None if absent."""
        ...

    def release_base(self, reference_id: str, version: int) -> int | None:
        """The version that the published release stored as `version` redacts."""
        ...

    def policy(self) -> Policy:
        """The archive's access policy (access/settings.py)."""
        ...

    # Writes that keep the store's index and versions its own way (the rest of releases and
    # declassification is SQL over archive/db.py's Db, the same on both stores).

    def put_release(self, prepared: Prepared) -> bool:
        """Store a published release (access/releases.py) as the cable's new version, the
        current one kept in cable_versions; False when it is a version already stored."""
        ...

    def write_access(self, cable_id: int, access: Stored) -> bool:
        """Write a cable's access columns (declassification) inside the caller's transaction,
        the full-text index kept in step; False when nothing changed."""
        ...

    def count(self) -> int: ...

    def close(self) -> None: ...


class SharedStore:
    """The Store methods both stores answer alike: reads with the same SQL (archive/db.py) over
    `self.conn`, and a release stored through the store's own `put_many`."""

    conn: object

    def put_release(self, prepared: Prepared) -> bool:
        """Store a published release (prepared with `released=True`, access/releases.py) as the
        cable's new version: the current one moves to cable_versions, the sources stay as
        they are.  False when it is a version already stored (nothing written)."""
        from cablebase.archive.sqlite import RELEASE_FORM

        if prepared.source_form != RELEASE_FORM:
            raise ValueError("put_release stores a release record (source form 'release')")
        return self.put_many([prepared]).updated > 0

    def columns(self, reference_id: str) -> tuple[int, Stored, int] | None:
        """(id, access columns, current version) of a cable, None if absent."""
        from cablebase.access.policy import Stored
        from cablebase.archive.db import Db

        row = (
            Db.of(self.conn)
            .execute(
                "SELECT id, class_rank, caveat_bits, open_on, floor_rank, version FROM cables"
                " WHERE reference_id = ?",
                (reference_id,),
            )
            .fetchone()
        )
        return None if row is None else (row[0], Stored(*row[1:5]), row[5])

    def release_base(self, reference_id: str, version: int) -> int | None:
        """The version that the published release stored as `version` redacts."""
        from cablebase.access.releases import base_of

        return base_of(self.conn, reference_id, version)

    def policy(self) -> Policy:
        """The archive's access policy (access/settings.py)."""
        from cablebase.access.settings import get_policy

        return get_policy(self.conn)


# Archive locations that name a PostgreSQL database rather than a SQLite file.
PG_SCHEMES = ("postgresql://", "postgres://")


# libpq's other form, `host=… port=… dbname=…`: keywords only, one naming the database or server.
_PG_KEYWORDS = re.compile(r"\s*(?:[a-z_]+=\S*\s+)*[a-z_]+=\S*\s*")
_PG_NAMING = ("dbname=", "host=", "hostaddr=", "service=")
_PG_PASSWORD = re.compile(r"(?<![a-z_])password=\S*")


def is_dsn(location: object) -> bool:
    """Whether an archive location names a PostgreSQL database: a postgresql:// URL or a
    libpq keyword string (never a SQLite file named after one)."""
    if not isinstance(location, str):
        return False
    if location.startswith(PG_SCHEMES):
        return True
    return _PG_KEYWORDS.fullmatch(location) is not None and any(k in location for k in _PG_NAMING)


def shown(location: object) -> str:
    """An archive location as messages show it: a PostgreSQL URL without its password."""
    text = str(location)
    if not is_dsn(text):
        return text
    if not text.startswith(PG_SCHEMES):
        return _PG_PASSWORD.sub("password=***", text)
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(text)
    if parts.password is None:
        return text
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class Unsupported(ValueError):
    """A feature a store does not have yet: one sentence for the user (the CLI and the web
    show it as is; docs/postgresql.md lists what PostgreSQL lacks)."""

    def __init__(self, what: str, store: str = "PostgreSQL") -> None:
        super().__init__(f"{what}: not supported on {store} yet (docs/postgresql.md)")


def open_store(path: str | Path, *, readonly: bool = False, create: bool = True) -> Store:
    """The store of an archive location: a PostgreSQL database for a postgresql:// (or
    postgres://) URL, else a SQLite file (docs/stores.md)."""
    if is_dsn(path):
        from cablebase.archive.pg.store import PgStore

        return PgStore(str(path), readonly=readonly, create=create)
    from cablebase.archive.sqlite import SQLiteStore

    return SQLiteStore(path, readonly=readonly, create=create)
