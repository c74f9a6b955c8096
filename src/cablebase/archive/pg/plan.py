"""A query's syntax tree (archive/query.py) compiled to a PostgreSQL WHERE condition over
`cables c`, every value a parameter (%s).

Each node means what it means on SQLite (query._field_sql, docs/search.md); the forms differ
because one planner, PostgreSQL's, chooses how to answer: free text is a tsquery on the GIN
index (archive/pg/fulltext.py), the free text of one AND or OR merged into one tsquery; the
reader's scope (`Visible`) is the access policy's row condition (access/policy.sql_visible)
for the `access` given.  Every condition is two-valued (no SQL NULL), so NOT x is every cable
but those matching x, also where a column is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cablebase.access.policy import Access, sql_visible
from cablebase.archive.pg.fulltext import exact_by_pairs, pairs_query, phrase_pairs, term_query
from cablebase.archive.query import (
    NAME_FIELDS,
    All,
    And,
    Field,
    Node,
    Not,
    Or,
    OriginResolver,
    QueryError,
    Term,
    Visible,
    column_sql,
    field_values,
)

TEXT = "c.fts @@ %s::tsquery"
# `subject:` text, on the subject's own tsvector (inline in the row, its own GIN index;
# archive/pg/schema.py, migration 5): no cable's whole-text tsvector is read from TOAST.
SUBJECT_TEXT = "c.subject_fts @@ %s::tsquery"
# Phrases, on the index of adjacent word pairs (archive/pg/fulltext.pairs; schema.py,
# migrations 6 and 8: an index of the expression, no column): a GIN lookup that reads no
# tsvector.
PAIRS = "cable_pairs(c.fts) @@ %s::tsquery"
_SIDE = {  # side-table fields: the subquery of the ids they match
    "tag": "SELECT cable_id FROM tags WHERE tag = %s",
    "tag*": "SELECT cable_id FROM tags WHERE tag >= %s AND tag < %s",
    "handling": "SELECT cable_id FROM handling WHERE caveat = %s",
    "cites": "SELECT cable_id FROM refs WHERE target = %s",
}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _roles(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{r}'" for r in roles) + ")"


def _upper_bound(prefix: str) -> str:
    """The smallest string above every string starting with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def text_query(node: Node, *, subject: bool = False) -> str | None:
    """One tsquery for a subtree made only of free text (AND, OR, NOT of terms), or None.
    A NOT needs a positive sibling, as in FTS5 (else the GIN index cannot drive it).
    `subject`: for the subject's own tsvector (no weight labels; fulltext.term_query)."""
    if isinstance(node, Term):
        return term_query(node, weights=not subject)
    if isinstance(node, Or):
        parts = [text_query(n, subject=subject) for n in node.nodes]
        return None if None in parts else "(" + " | ".join(parts) + ")"  # type: ignore[arg-type]
    if isinstance(node, And):
        pos = [text_query(n, subject=subject) for n in node.nodes if not isinstance(n, Not)]
        neg = [text_query(n.node, subject=subject) for n in node.nodes if isinstance(n, Not)]
        if not pos or None in pos or None in neg:
            return None
        return "(" + " & ".join([*pos, *(f"!{q}" for q in neg)]) + ")"  # type: ignore[misc]
    return None


def on_subject(node: Node) -> bool:
    """Whether every term of a free-text subtree is limited to the subject (`subject:`): then
    the subject's own tsvector answers it, as exactly as the whole text's weight-A words."""
    return _subject_terms(node, all)


def asks_subject(node: Node) -> bool:
    """Whether some term of the subtree is limited to the subject (`subject:`)."""
    return _subject_terms(node, any)


def _subject_terms(node: Node, quantifier: Callable[[Iterable[bool]], bool]) -> bool:
    """Whether `quantifier` (all or any) of the subtree's terms are limited to the subject."""
    if isinstance(node, Term):
        return node.column == "subject"
    if isinstance(node, Not):
        return _subject_terms(node.node, quantifier)
    if isinstance(node, And | Or):
        return quantifier(_subject_terms(n, quantifier) for n in node.nodes)
    return False


def _text(node: Node, params: list) -> str:
    """The condition of a free-text subtree (text_query(node) is not None): on the subject's
    tsvector when it asks only the subject, else on the whole text's."""
    if on_subject(node):
        params.append(text_query(node, subject=True))
        return SUBJECT_TEXT
    params.append(text_query(node))
    return TEXT


def paired(node: Node) -> bool:
    """Whether a free-text subtree holds a phrase (not under a NOT) the pair index answers."""
    if isinstance(node, Term):
        return bool(phrase_pairs(node))
    if isinstance(node, And | Or):
        return any(paired(n) for n in node.nodes)
    return False


def where(
    node: Node,
    params: list,
    resolve: OriginResolver,
    access: Access | None = None,
    *,
    loose: bool = False,
    pairs: bool = True,
) -> str:
    """The condition for the tree; values appended to `params`.  `resolve` resolves origin:
    and name fields (archive/pg/resolve.Resolver); `access` is whom `Visible` stands for.

    A phrase with pairs is found on the pair index: a two-word phrase exactly, a longer one
    as all its pairs, tested on the tsvector only in the cables holding them all; `loose`
    leaves that test out (every hit and more: archive/pg/search.py walks the candidates).
    Without `pairs` every phrase is tested on the tsvector, as exactly: the form for rows
    tested one by one, where the index of pairs is no use and computing a row's pairs
    (schema.py's cable_pairs) costs ten times reading its tsvector."""

    def sub(n: Node) -> str:
        return where(n, params, resolve, access, loose=loose, pairs=pairs)

    def has_pairs(n: Node) -> bool:
        return pairs and paired(n)

    if isinstance(node, All):
        return "TRUE"
    if isinstance(node, Term) and text_query(node) is None:
        return "FALSE"  # a term that folds to no token (a lone accent): FTS5 matches nothing
    if text_query(node) is not None and not has_pairs(node) and not _split(node):
        return _text(node, params)
    if isinstance(node, Term):  # a phrase with pairs
        return _phrases([node], params, loose=loose)
    if isinstance(node, Visible):
        if access is None or access.unrestricted:
            return "TRUE"
        cond = sql_visible(access, params, text=node.text)
        return cond.replace("?", "%s")
    if isinstance(node, Field):
        return _field(node, params, resolve)
    if isinstance(node, Not):
        if text_query(node.node) is not None:  # on the tsvector: no pair column read a row
            return f"NOT ({_text(node.node, params)})"
        return f"NOT ({where(node.node, params, resolve, access)})"
    if isinstance(node, And):
        phrases = [n for n in node.nodes if isinstance(n, Term) and has_pairs(n)]
        text = [n for n in node.nodes if text_query(n) is not None and not has_pairs(n)]
        neg = [n for n in node.nodes if isinstance(n, Not) and text_query(n.node) is not None]
        taken = (*phrases, *text, *neg)
        parts = [sub(n) for n in node.nodes if not any(n is t for t in taken)]
        if phrases:
            params.append(pairs_query(phrases))
            parts.append(PAIRS)
        # A longer phrase is tested with the whole text's terms (one tsquery).
        text += [] if loose else [t for t in phrases if not exact_by_pairs(t)]
        # The whole text's terms as one tsquery, the subject's as another (the first tier of
        # a broad query and its second, `… AND NOT subject:…`, read no tsvector from TOAST
        # for their subject part).
        for subject in (False, True):
            pos = [n for n in text if on_subject(n) == subject]
            negs = [n for n in neg if on_subject(n) == subject]
            if pos:
                parts.append(_text(And(tuple(pos + negs)), params))
            elif negs:
                parts.append(f"NOT ({_text(Or(tuple(n.node for n in negs)), params)})")
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"
    if isinstance(node, Or):
        text = [n for n in node.nodes if text_query(n) is not None and not has_pairs(n)]
        parts = [sub(n) for n in node.nodes if not any(n is t for t in text)]
        if text:
            parts.append(_text(Or(tuple(text)), params))
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    raise TypeError(f"not a query node: {node!r}")  # pragma: no cover


def _split(node: Node) -> bool:
    """Whether an AND of free text asks both the whole text and the subject: then its subject
    part is a condition of its own on the subject's tsvector (the And case of where()), not
    weight labels in the whole text's tsquery, which make PostgreSQL test every candidate's
    tsvector, read from TOAST (a broad term's second tier, `term AND NOT subject:term`: 5.7 s
    at 250,000 cables, 700,000 buffers; split, 0.5 s, 33,000)."""
    return isinstance(node, And) and asks_subject(node) and not on_subject(node)


def _phrases(terms: list[Term], params: list, *, loose: bool) -> str:
    """Phrase terms that have pairs, all of them: their pairs on the pair index, and (unless
    `loose`) the longer ones tested on the tsvector of the cables holding the pairs."""
    params.append(pairs_query(terms))
    longer = [] if loose else [t for t in terms if not exact_by_pairs(t)]
    if not longer:
        return PAIRS
    return f"({PAIRS} AND {_text(And(tuple(longer)), params)})"


def _field(f: Field, params: list, resolve: OriginResolver) -> str:
    v = field_values(f)
    name = f.name
    if name == "id":
        if v["prefix"]:
            params.extend([v["value"], _upper_bound(v["value"])])
            return "(c.reference_id >= %s AND c.reference_id < %s)"
        params.append(v["value"])
        return "c.reference_id = %s"
    if name == "origin":
        found, posts = resolve(v["tokens"], v["prefix"])
        params.extend([found, posts])
        return (
            "((c.origin IS NOT NULL AND c.origin = ANY(%s))"
            " OR (c.origin IS NULL AND c.post IS NOT NULL AND c.post = ANY(%s)))"
        )
    if name == "tag" and v["prefix"]:
        params.extend([v["value"], _upper_bound(v["value"])])
        return f"c.id IN ({_SIDE['tag*']})"
    if name in _SIDE:
        params.append(v["value"])
        return f"c.id IN ({_SIDE[name]})"
    if name in NAME_FIELDS:
        return _names(name, resolve(v["tokens"], False, name), params)
    if name == "class" and "marking" in v:
        params.append(v["marking"])
        return (
            "(c.class_rank IS NOT NULL AND c.classification IS NOT NULL"
            " AND c.class_rank = 0 AND c.classification = %s)"
        )
    column = column_sql(f, v, params)
    if column is not None:
        return column.replace("?", "%s")
    if name == "released":
        params.extend(v["range"])
        return "(c.released IS NOT NULL AND c.released >= %s AND c.released < %s)"
    if name == "citedby":
        params.append(v["value"])
        return (
            "c.reference_id IN (SELECT r.target FROM refs r JOIN cables s ON s.id = r.cable_id"
            " WHERE s.reference_id = %s AND r.target IS NOT NULL)"
        )
    raise QueryError(f"unknown field {name!r}", f.position)  # pragma: no cover


def _names(name: str, resolved: tuple[list[str], ...], params: list) -> str:
    """A name field, its value resolved to stored names (and routing indicators, or person
    tags).  People's names compare with ASCII case folded, like SQLite's NOCASE."""
    table, roles = NAME_FIELDS[name]
    if table == "people":
        params.append([n.translate(_ASCII_LOWER) for n in resolved[0]])
        sql = f"SELECT cable_id FROM people WHERE {_roles(roles)} AND lower(name) = ANY(%s)"
        if name == "person":
            params.append(resolved[1])
            sql += " UNION ALL SELECT cable_id FROM tags WHERE tag = ANY(%s)"
        return f"c.id IN ({sql})"
    params.extend(resolved)
    return (
        f"c.id IN (SELECT cable_id FROM recipients WHERE {_roles(roles)} AND name = ANY(%s)"
        f" UNION ALL SELECT cable_id FROM recipients WHERE {_roles(roles)} AND route = ANY(%s))"
    )
