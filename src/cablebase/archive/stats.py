"""Archive statistics: what `cablebase stats` prints, computed in SQL written once for both
stores (through `Archive.db`, archive/db.py).

Counts by classification, year and month (per classification, for charts), top origins and
tags, handling caveats, the reference resolution rate and the list of cited cables the archive
lacks, quarantined inputs and parser warnings by code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import orjson

from cablebase.archive.texts import record_json

if TYPE_CHECKING:
    from cablebase.archive.api import Archive

CLASS_ORDER = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET")


@dataclass(slots=True)
class ArchiveStats:
    cables: int = 0
    first: str | None = None  # earliest `created`
    last: str | None = None
    by_classification: dict[str, int] = field(default_factory=dict)
    by_year: dict[str, int] = field(default_factory=dict)  # "2009" -> count (str keys: JSON)
    by_month: dict[str, int] = field(default_factory=dict)  # "2009-12" -> count
    by_month_class: dict[str, dict[str, int]] = field(default_factory=dict)
    top_origins: list[tuple[str, int]] = field(default_factory=list)
    top_tags: list[tuple[str, int]] = field(default_factory=list)
    handling: dict[str, int] = field(default_factory=dict)
    ref_items: int = 0  # every REF item, whatever its kind
    cable_refs: int = 0  # REF items that name a cable (with a canonical id)
    resolved: int = 0  # ... whose cable is in the archive
    unresolved: int = 0
    unresolved_ids: int = 0  # distinct cable ids cited but missing
    resolution_rate: float | None = None  # resolved / cable_refs; None without any
    cables_citing: int = 0  # cables with at least one cable reference
    quarantined: int = 0
    versions: int = 0  # earlier versions kept after a source changed
    warnings: dict[str, int] = field(default_factory=dict)  # code -> count
    cables_with_warnings: int = 0

    @property
    def references(self) -> str:
        """One line on reference resolution, for logs and benchmarks."""
        rate = f"{100 * self.resolution_rate:.1f}%" if self.resolution_rate is not None else "-"
        return (
            f"{self.cable_refs:,} cable references, {self.resolved:,} resolved in the archive"
            f" ({rate}), {self.unresolved_ids:,} distinct cables missing"
        )


@dataclass(slots=True, frozen=True)
class Unresolved:
    """A cable cited in the archive but missing from it."""

    reference_id: str
    citations: int  # REF items citing it
    cables: int  # distinct cables citing it


def _pairs(conn, sql: str, params: tuple = ()) -> list[tuple]:
    return conn.execute(sql, params).fetchall()


def stats(archive: Archive, *, top: int = 20) -> ArchiveStats:
    """Compute the archive's statistics (a few SQL aggregates; no record is loaded), over the
    cables its reader sees (Archive.access): a cable they may not see counts nowhere, and a
    cited cable they may not see counts as unresolved, as if it were not archived."""
    conn = archive.db
    s = ArchiveStats()
    p: list = []
    vis = archive.visible_sql(p)  # seen whole or partially
    w: list = []
    whole = archive.visible_sql(w, text=True)  # seen whole (warnings may quote the text)
    t: list = []
    target_seen = archive.visible_sql(t, alias="t")
    s.cables, s.first, s.last = conn.execute(
        f"SELECT count(*), min(created), max(created) FROM cables c WHERE {vis}", p
    ).fetchone()
    (s.cables_with_warnings,) = conn.execute(
        f"SELECT count(*) FROM cables c WHERE n_warnings > 0 AND {whole}", w
    ).fetchone()
    rank = {c: i for i, c in enumerate(CLASS_ORDER)}
    by_class = _pairs(
        conn,
        f"SELECT coalesce(classification, '?'), count(*) FROM cables c WHERE {vis} GROUP BY 1",
        tuple(p),
    )
    s.by_classification = dict(sorted(by_class, key=lambda kv: (rank.get(kv[0], 9), kv[0])))
    s.by_year = {
        str(y): n
        for y, n in conn.execute(
            f"SELECT year, count(*) FROM cables c WHERE year IS NOT NULL AND {vis}"
            " GROUP BY 1 ORDER BY 1",
            p,
        )
    }
    for year, mon, cls, n in conn.execute(
        "SELECT year, month, coalesce(classification, '?') AS cls, count(*)"
        f" FROM cables c WHERE year IS NOT NULL AND {vis} GROUP BY year, month, cls"
        " ORDER BY year, month",
        p,
    ):
        month = f"{year:04d}-{mon or 0:02d}"  # as SQLite's printf wrote an unknown month
        s.by_month[month] = s.by_month.get(month, 0) + n
        s.by_month_class.setdefault(month, {})[cls] = n
    s.top_origins = _pairs(
        conn,
        f"SELECT origin, count(*) AS n FROM cables c WHERE origin IS NOT NULL AND {vis}"
        " GROUP BY origin ORDER BY n DESC, origin LIMIT ?",
        (*p, top),
    )
    s.top_tags = _pairs(
        conn,
        f"SELECT tag, count(*) AS n FROM tags x JOIN cables c ON c.id = x.cable_id WHERE {vis}"
        " GROUP BY tag ORDER BY n DESC, tag LIMIT ?",
        (*p, top),
    )
    s.handling = dict(
        _pairs(
            conn,
            "SELECT caveat, count(*) AS n FROM handling x JOIN cables c ON c.id = x.cable_id"
            f" WHERE {vis} GROUP BY caveat ORDER BY n DESC, caveat",
            tuple(p),
        )
    )
    # One pass over refs; `found` looks each target up in the reference_id index.
    (s.ref_items, s.cable_refs, s.resolved, s.cables_citing) = conn.execute(
        "SELECT count(*), count(target), coalesce(sum(found), 0),"
        " count(DISTINCT CASE WHEN target IS NOT NULL THEN cable_id END)"
        " FROM (SELECT cable_id, target, CASE WHEN target IS NOT NULL AND EXISTS"
        f"  (SELECT 1 FROM cables t WHERE t.reference_id = r.target AND {target_seen})"
        " THEN 1 ELSE 0 END AS found"
        f" FROM refs r JOIN cables c ON c.id = r.cable_id WHERE {vis}) AS x",
        t + p,
    ).fetchone()
    s.unresolved = s.cable_refs - s.resolved
    s.resolution_rate = s.resolved / s.cable_refs if s.cable_refs else None
    (s.unresolved_ids,) = conn.execute(
        "SELECT count(DISTINCT target) FROM refs r JOIN cables c ON c.id = r.cable_id"
        f" WHERE target IS NOT NULL AND {vis}"
        f" AND NOT EXISTS (SELECT 1 FROM cables t WHERE t.reference_id = r.target AND {target_seen})",
        p + t,
    ).fetchone()
    (s.quarantined,) = conn.execute("SELECT count(*) FROM quarantine").fetchone()
    (s.versions,) = conn.execute("SELECT count(*) FROM cable_versions").fetchone()
    s.warnings = _warnings(conn, whole)
    if not archive.access.unrestricted:
        # Inputs and versions are the archive's own bookkeeping, not a reader's business.
        s.quarantined = s.versions = 0
    return s


def _warnings(conn, whole: str) -> dict[str, int]:  # conn: archive/db.py's Db
    """Parser warnings by code (a warning without one: "?"), most frequent first, over the
    cables read whole (warnings may quote the text); n_warnings > 0 skips the JSON of the
    (many) clean records.  Read in Python: the record is compressed JSON on both stores."""
    counts: dict[str, int] = {}
    for (record,) in conn.execute(
        f"SELECT c.record FROM cables c WHERE c.n_warnings > 0 AND {whole}"
    ):
        for w in orjson.loads(record_json(record)).get("warnings") or ():
            code = w.get("code") if isinstance(w, dict) else None
            code = "?" if code is None else str(code)
            counts[code] = counts.get(code, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def unresolved(archive: Archive, limit: int | None = None) -> Iterator[Unresolved]:
    """The cited cable ids the archive lacks (for its reader: or that they may not see),
    most cited first."""
    p: list = []
    vis = archive.visible_sql(p)
    t: list = []
    target_seen = archive.visible_sql(t, alias="t")
    sql = (
        "SELECT target, count(*) AS n, count(DISTINCT cable_id) FROM refs r"
        f" JOIN cables c ON c.id = r.cable_id WHERE target IS NOT NULL AND {vis}"
        f" AND NOT EXISTS (SELECT 1 FROM cables t WHERE t.reference_id = r.target AND {target_seen})"
        " GROUP BY target ORDER BY n DESC, target"
    )
    params: list = p + t
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    for target, n, cables in archive.db.execute(sql, params):
        yield Unresolved(target, n, cables)


# -- text ----------------------------------------------------------------------------------


def _table(title: str, rows: list[tuple[object, int]], total: int | None = None) -> list[str]:
    if not rows:
        return [f"{title}: none"]
    width = max(len(str(k)) for k, _ in rows)
    nwidth = max(len(f"{n:,}") for _, n in rows)
    lines = [f"{title}:"]
    for k, n in rows:
        share = f"  {100 * n / total:5.1f}%" if total else ""
        lines.append(f"  {str(k):<{width}}  {n:>{nwidth},}{share}")
    return lines


def format_stats(s: ArchiveStats) -> str:
    """A readable text report of the statistics, for the command line."""
    out = [
        f"cables: {s.cables:,}",
        f"dates: {s.first or '-'} .. {s.last or '-'}",
        "",
    ]
    out += _table("classification", list(s.by_classification.items()), s.cables)
    out.append("")
    out += _table("year", list(s.by_year.items()), s.cables)
    out.append("")
    out += _table("top origins", s.top_origins, s.cables)
    out.append("")
    out += _table("top tags", s.top_tags, s.cables)
    out.append("")
    out += _table("handling", list(s.handling.items()), s.cables)
    out.append("")
    rate = f"{100 * s.resolution_rate:.1f}%" if s.resolution_rate is not None else "-"
    out += [
        "references:",
        f"  REF items            {s.ref_items:>12,}",
        f"  cable references     {s.cable_refs:>12,}",
        f"  resolved in archive  {s.resolved:>12,}",
        f"  unresolved           {s.unresolved:>12,}  ({s.unresolved_ids:,} distinct cables missing)",
        f"  resolution rate      {rate:>12}",
        f"  cables citing        {s.cables_citing:>12,}",
        "",
        f"quarantined inputs: {s.quarantined:,}",
        f"earlier versions kept: {s.versions:,}",
        f"cables with warnings: {s.cables_with_warnings:,}",
    ]
    if s.warnings:
        out += _table("warnings by code", list(s.warnings.items()))
    return "\n".join(out) + "\n"
