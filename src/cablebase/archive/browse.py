"""Small read-only queries the reading room's pages need and `Archive` does not offer.

Plain functions over an `Archive`, parameterised SQL only, written once for both stores
(through `Archive.db`, archive/db.py), each bounded so that a page stays fast on the full
archive: they walk covering indexes (cables_origin, cables_class, cables_year_month, tags_tag)
or look rows up by key, and never read the record JSON of more than the cables they return.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cablebase.archive.query import Node
from cablebase.archive.snippets import snippet as make_snippet
from cablebase.archive.sqlite import body_text
from cablebase.archive.texts import paragraphs as stored_paragraphs

if TYPE_CHECKING:
    from cablebase.archive.api import Archive, Hit

CLASS_NAMES = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET")
# Private-use characters as snippet marks: unlike "[" and "]" they never occur in cable text,
# so the page can turn them into <mark> without mistaking a bracket of the text for one.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"


@dataclass(slots=True, frozen=True)
class Brief:
    """A cable in a list: enough for a link and a line of context."""

    reference_id: str
    created: str | None
    origin: str | None
    classification: str | None
    subject: str | None


_BRIEF = "c.reference_id, c.created, c.origin, c.classification, c.subject"


def _brief(archive: Archive) -> str:
    """The brief columns, the subject as the archive's reader sees it in lists."""
    return _BRIEF.replace("c.subject", archive.subject_sql())


def _seen(archive: Archive) -> tuple[str, list]:
    """The condition of the cables the archive's reader sees (policy), with its parameters."""
    params: list = []
    return archive.visible_sql(params), params


def _row_of(archive: Archive, reference_id: str) -> tuple | None:
    """The cable's row, None when absent or hidden from the reader (the two alike)."""
    if archive.decision(reference_id) == "none":
        return None
    return archive.db.execute(
        "SELECT id, created, origin, post FROM cables WHERE reference_id = ?",
        (reference_id.upper(),),
    ).fetchone()


def prev_next(archive: Archive, reference_id: str) -> tuple[Brief | None, Brief | None]:
    """The cables just before and after this one from the same post, in date order.

    The post is the cable's origin (walked on the cables_origin index); a cable without an
    origin is matched by its banner post instead.  Undated cables have no neighbours."""
    row = _row_of(archive, reference_id)
    if row is None or row[1] is None:
        return None, None
    cid, created, origin, post = row
    if origin is not None:
        same, key = "c.origin = ?", origin
    elif post is not None:
        same, key = "c.origin IS NULL AND c.post = ?", post
    else:
        return None, None
    conn = archive.db
    seen, p = _seen(archive)
    before = conn.execute(
        f"SELECT {_brief(archive)} FROM cables c WHERE {same} AND c.created IS NOT NULL"
        f" AND (c.created < ? OR (c.created = ? AND c.id < ?)) AND {seen}"
        " ORDER BY c.created DESC, c.id DESC LIMIT 1",
        (key, created, created, cid, *p),
    ).fetchone()
    after = conn.execute(
        f"SELECT {_brief(archive)} FROM cables c WHERE {same}"
        f" AND (c.created > ? OR (c.created = ? AND c.id > ?)) AND {seen}"
        " ORDER BY c.created, c.id LIMIT 1",
        (key, created, created, cid, *p),
    ).fetchone()
    return (Brief(*before) if before else None, Brief(*after) if after else None)


def briefs(archive: Archive, reference_ids: list[str]) -> dict[str, Brief]:
    """Brief rows for the given ids that are in the archive (one query)."""
    if not reference_ids:
        return {}
    db = archive.db
    params: list = []
    among = db.among("c.reference_id", [r.upper() for r in reference_ids], params)
    seen, p = _seen(archive)
    rows = db.execute(
        f"SELECT {_brief(archive)} FROM cables c WHERE {among} AND {seen}", (*params, *p)
    )
    return {r[0]: Brief(*r) for r in rows}


def posts(archive: Archive) -> list[tuple[str, int]]:
    """Every origin with its number of cables, alphabetical (a covering-index scan)."""
    seen, p = _seen(archive)
    return archive.db.execute(
        f"SELECT origin, count(*) FROM cables c WHERE origin IS NOT NULL AND {seen}"
        " GROUP BY origin ORDER BY origin",
        p,
    ).fetchall()


def post_months(archive: Archive, origin: str) -> list[tuple[str, int]]:
    """A post's cables per month, YYYY-MM in calendar order."""
    seen, p = _seen(archive)
    return archive.db.execute(
        "SELECT substr(created, 1, 7) AS m, count(*) FROM cables c"
        f" WHERE origin = ? AND created IS NOT NULL AND {seen} GROUP BY m ORDER BY m",
        (origin, *p),
    ).fetchall()


def tags(archive: Archive) -> list[tuple[str, int]]:
    """Every TAGS value with its number of cables, most frequent first."""
    if archive.access.unrestricted:
        return archive.db.execute(
            "SELECT tag, count(*) AS n FROM tags GROUP BY tag ORDER BY n DESC, tag"
        ).fetchall()
    seen, p = _seen(archive)
    return archive.db.execute(
        f"SELECT tag, count(*) AS n FROM tags x JOIN cables c ON c.id = x.cable_id WHERE {seen}"
        " GROUP BY tag ORDER BY n DESC, tag",
        p,
    ).fetchall()


def months(archive: Archive) -> list[tuple[str, int]]:
    """Cables per month, YYYY-MM in calendar order (the year/month index)."""
    seen, p = _seen(archive)
    rows = archive.db.execute(
        "SELECT year, month, count(*) FROM cables c"
        f" WHERE year IS NOT NULL AND month IS NOT NULL AND {seen}"
        " GROUP BY year, month ORDER BY year, month",
        p,
    )
    return [(f"{y:04d}-{m:02d}", n) for y, m, n in rows]


def month_days(archive: Archive, month: str) -> list[tuple[str, int]]:
    """Cables per day in one month (YYYY-MM), on the created index."""
    seen, p = _seen(archive)
    return archive.db.execute(
        "SELECT substr(created, 1, 10) AS d, count(*) FROM cables c"
        f" WHERE created >= ? AND created < ? AND {seen} GROUP BY d ORDER BY d",
        (month, month + "\uffff", *p),
    ).fetchall()


def month_class(archive: Archive) -> dict[str, dict[str, int]]:
    """Cables per month and classification: {"2009-12": {"SECRET": 12, ...}} in calendar order.

    Read from the cables_class index (class_rank, created): no table rows touched."""
    out: dict[str, dict[str, int]] = {}
    seen, p = _seen(archive)
    rows = archive.db.execute(
        "SELECT substr(created, 1, 7) AS m, class_rank, count(*) FROM cables c"
        f" WHERE created IS NOT NULL AND {seen} GROUP BY m, class_rank ORDER BY m, class_rank",
        p,
    )
    for month, rank, n in rows:
        name = CLASS_NAMES[rank] if rank is not None and 0 <= rank < 4 else "UNKNOWN"
        out.setdefault(month, {})[name] = n
    return out


def top_posts(archive: Archive, top: int = 20) -> list[tuple[str, int]]:
    seen, p = _seen(archive)
    return archive.db.execute(
        f"SELECT origin, count(*) AS n FROM cables c WHERE origin IS NOT NULL AND {seen}"
        " GROUP BY origin ORDER BY n DESC, origin LIMIT ?",
        (*p, top),
    ).fetchall()


def top_tags(archive: Archive, top: int = 20) -> list[tuple[str, int]]:
    return tags(archive)[:top]


def totals(archive: Archive) -> dict[str, object]:
    """Counts for the stats page's headline: cables, date range, classifications."""
    conn = archive.db
    seen, p = _seen(archive)
    n, first, last = conn.execute(
        f"SELECT count(*), min(created), max(created) FROM cables c WHERE {seen}", p
    ).fetchone()
    by_class = {
        (CLASS_NAMES[r] if r is not None and 0 <= r < 4 else "UNKNOWN"): k
        for r, k in conn.execute(
            f"SELECT class_rank, count(*) FROM cables c WHERE {seen}"
            " GROUP BY class_rank ORDER BY class_rank",
            p,
        )
    }
    return {"cables": n, "first": first, "last": last, "by_classification": by_class}


def references(archive: Archive) -> dict[str, float | int | None]:
    """Reference resolution: cable references, how many resolve to an archived cable."""
    seen, p = _seen(archive)
    t: list = []
    target_seen = archive.visible_sql(t, alias="t")
    cable_refs, resolved = archive.db.execute(
        "SELECT count(*), coalesce(sum(CASE WHEN EXISTS (SELECT 1 FROM cables t"
        f" WHERE t.reference_id = r.target AND {target_seen}) THEN 1 ELSE 0 END), 0) FROM refs r"
        f" JOIN cables c ON c.id = r.cable_id WHERE target IS NOT NULL AND {seen}",
        (*t, *p),
    ).fetchone()
    rate = resolved / cable_refs if cable_refs else None
    return {"cable_refs": cable_refs, "resolved": resolved, "rate": rate}


# -- search helpers ---------------------------------------------------------------------


def snippets(archive: Archive, hits: list[Hit], query: Node) -> None:
    """Fill `hit.snippet` for one page of hits, matches between MARK_OPEN and MARK_CLOSE."""
    from cablebase.archive.query import patterns

    if not hits:
        return
    pats = patterns(query)
    texts: dict[str, list[tuple[str | None, str]]] = {h.reference_id: [] for h in hits}
    if not archive.sqlite:  # another store: the paragraphs through its Search
        found = {h.reference_id: archive.store.columns(h.reference_id) for h in hits}
        ids = {row[0]: rid for rid, row in found.items() if row is not None}
        for cid, paras in archive.searcher.paragraphs(list(ids), archive.reader).items():
            texts[ids[cid]] = paras
    else:
        _sqlite_texts(archive, texts)
    for h in hits:
        h.snippet = make_snippet(
            h.subject, body_text(texts[h.reference_id]), pats, marks=(MARK_OPEN, MARK_CLOSE)
        )


def _sqlite_texts(archive: Archive, texts: dict[str, list[tuple[str | None, str]]]) -> None:
    """The paragraphs of the cables `texts` names that the reader may see, from SQLite."""
    params: list = []
    among = archive.db.among("reference_id", list(texts), params)
    ids = dict(
        archive.db.execute(f"SELECT id, reference_id FROM cables WHERE {among}", params).fetchall()
    )
    # Only the paragraphs the reader may see (all, for cables they read whole).
    shown = archive.paragraph_filter(sorted(ids))
    for cid, _, portion, heading, text in stored_paragraphs(archive.conn, ids):
        if shown is None or shown(cid, portion):
            texts[ids[cid]].append((heading, text))


@dataclass(slots=True)
class Neighbourhood:
    nodes: dict[str, int]  # reference id -> hops from the centre
    edges: list[tuple[str, str]]  # (citing, cited)
    briefs: dict[str, Brief]  # the nodes that are in the archive
    truncated: bool = False


def neighbourhood(
    archive: Archive, reference_id: str, hops: int = 2, max_nodes: int = 40, per_node: int = 12
) -> Neighbourhood:
    """The cables within `hops` citation links of a cable (cites and cited-by), breadth first,
    at most `max_nodes` nodes and `per_node` links followed from each node."""
    centre = reference_id.upper()
    conn = archive.db
    seen, p = _seen(archive)
    if archive.decision(centre) == "none":
        return Neighbourhood({}, [], {}, False)
    nodes = {centre: 0}
    edges: set[tuple[str, str]] = set()
    frontier = [centre]
    truncated = False
    for depth in range(1, hops + 1):
        nxt: list[str] = []
        for rid in frontier:
            # Only the citations of cables the reader sees (a hidden cited cable is a dead end).
            out = conn.execute(
                "SELECT DISTINCT r.target FROM refs r JOIN cables c ON c.id = r.cable_id"
                f" WHERE c.reference_id = ? AND r.target IS NOT NULL AND {seen} LIMIT ?",
                (rid, *p, per_node + 1),
            ).fetchall()
            inc = conn.execute(
                "SELECT DISTINCT c.reference_id FROM refs r JOIN cables c ON c.id = r.cable_id"
                f" WHERE r.target = ? AND {seen} LIMIT ?",
                (rid, *p, per_node + 1),
            ).fetchall()
            if len(out) > per_node or len(inc) > per_node:
                truncated = True
            links = [(rid, t) for (t,) in out[:per_node]] + [(s, rid) for (s,) in inc[:per_node]]
            for src, dst in links:
                other = dst if src == rid else src
                if other not in nodes:
                    if len(nodes) >= max_nodes:
                        truncated = True
                        continue
                    nodes[other] = depth
                    nxt.append(other)
                edges.add((src, dst))
        frontier = nxt
    # Links between nodes already drawn (e.g. two neighbours citing each other).
    known: list = []
    citing = conn.among("c.reference_id", list(nodes), known)
    cited = conn.among("r.target", list(nodes), known)
    for src, dst in conn.execute(
        "SELECT DISTINCT c.reference_id, r.target FROM refs r JOIN cables c ON c.id = r.cable_id"
        f" WHERE {citing} AND {cited} AND {seen}",
        (*known, *p),
    ):
        edges.add((src, dst))
    edges = {(s, d) for s, d in edges if s in nodes and d in nodes and s != d}
    return Neighbourhood(nodes, sorted(edges), briefs(archive, list(nodes)), truncated)


# -- a post's correspondents -----------------------------------------------------------------


@dataclass(slots=True)
class Correspondents:
    """Whom a post writes to and who writes to it, from the addressee lines of the cables the
    reader sees.  The post's own names are the FM lines of its cables (AMEMBASSY BAMAKO)."""

    names: list[str]  # the post's FM names, most used first
    sends_to: list[tuple[str, int, str | None]]  # (TO/INFO line, cables, its post or None)
    receives_from: list[tuple[str, int]]  # (origin, cables addressed to the post's names)
    received_by_year: list[tuple[str, int]]  # cables of other posts addressed to it, per year


def correspondents(archive: Archive, origin: str, top: int = 15) -> Correspondents:
    """The TO/INFO lines of a post's cables, and the posts whose cables name it in theirs,
    most cables first (ties by name), over the cables the reader sees only (a hidden cable's
    FM line names nothing here)."""
    conn = archive.db
    seen, p = _seen(archive)
    names = [
        n
        for n, _ in conn.execute(
            "SELECT r.name, count(*) AS n FROM cables c JOIN recipients r ON r.cable_id = c.id"
            f" WHERE c.origin = ? AND r.role = 'from' AND {seen}"
            " GROUP BY r.name ORDER BY n DESC, r.name",
            (origin, *p),
        )
    ]
    own: list = []
    its_name = conn.among("r.name", names, own)
    # Its own name among its addressees (a copy to itself) is no correspondent.
    sends = conn.execute(
        "SELECT r.name, count(DISTINCT c.id) AS n FROM cables c"
        " JOIN recipients r ON r.cable_id = c.id AND r.role IN ('to', 'info')"
        f" WHERE c.origin = ? AND NOT ({its_name})"
        f" AND {seen} GROUP BY r.name ORDER BY n DESC, r.name LIMIT ?",
        (origin, *own, *p, top),
    ).fetchall()
    # The post of each addressee: the origin whose cables most often carry it as their FM line.
    posts: dict[str, str] = {}
    sent: list = []
    sent_to = conn.among("r.name", [n for n, _ in sends], sent)
    for name, post, _ in conn.execute(
        "SELECT r.name, c.origin, count(*) AS n FROM recipients r JOIN cables c"
        f" ON c.id = r.cable_id WHERE r.role = 'from' AND {sent_to}"
        f" AND c.origin IS NOT NULL AND {seen} GROUP BY r.name, c.origin ORDER BY n",
        (*sent, *p),
    ):
        posts[name] = post  # ascending: the most frequent comes last and stays
    receives = conn.execute(
        "SELECT c.origin, count(DISTINCT c.id) AS n FROM recipients r JOIN cables c"
        f" ON c.id = r.cable_id WHERE r.role IN ('to', 'info') AND {its_name}"
        " AND c.origin IS NOT NULL"
        f" AND c.origin != ? AND {seen} GROUP BY c.origin ORDER BY n DESC, c.origin LIMIT ?",
        (*own, origin, *p, top),
    ).fetchall()
    by_year = conn.execute(
        "SELECT c.year, count(DISTINCT c.id) FROM recipients r JOIN cables c"
        f" ON c.id = r.cable_id WHERE r.role IN ('to', 'info') AND {its_name}"
        " AND c.year IS NOT NULL"
        f" AND (c.origin IS NULL OR c.origin != ?) AND {seen} GROUP BY c.year ORDER BY c.year",
        (*own, origin, *p),
    ).fetchall()
    return Correspondents(
        names,
        [(n, k, posts.get(n)) for n, k in sends],
        [(o, k) for o, k in receives],
        [(str(y), k) for y, k in by_year],
    )
