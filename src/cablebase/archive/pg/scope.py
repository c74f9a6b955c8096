"""The tree rewrites a query gets before it is compiled, on a PostgreSQL archive: unquoted
words stemmed (Archive._stemmed) and the reader's scope added (Archive._scope, _withheld,
_named; docs/access.md).  The rules are the SQLite Archive's, taken over node for node; they
read the archive only through `Resolver` and `decision`, so they can move above the store
seam unchanged and serve both stores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from cablebase.access.policy import Access, Stored
from cablebase.archive.pg.resolve import Resolver
from cablebase.archive.query import (
    NAMES_CABLE,
    All,
    And,
    Field,
    Node,
    Not,
    Or,
    Term,
    Visible,
    field_values,
    has_text,
    map_fields,
)


def stemmed(node: Node, forms: Callable[[str], tuple[str, ...]]) -> Node:
    """Each unquoted single word (not a prefix) -> the OR of the indexed words with its stem,
    each an exact word (so that stemming twice changes nothing)."""
    if isinstance(node, Term):
        if node.phrase or node.prefix or len(node.tokens) != 1:
            return node
        found = forms(node.tokens[0])
        if len(found) == 1:
            return node
        return Or(tuple(Term(f, phrase=True, column=node.column, tokens=(f,)) for f in found))
    if isinstance(node, Not):
        inner = stemmed(node.node, forms)
        return node if inner is node.node else Not(inner)
    if isinstance(node, And | Or):
        nodes = tuple(stemmed(n, forms) for n in node.nodes)
        if all(a is b for a, b in zip(nodes, node.nodes, strict=True)):
            return node
        return type(node)(nodes)
    return node


def decision(conn, access: Access, reference_id: str) -> str:
    """ "full", "partial" or "none": how `access` sees a cable ("none" if absent)."""
    row = conn.execute(
        "SELECT class_rank, caveat_bits, open_on, floor_rank FROM cables WHERE reference_id = %s",
        (reference_id.upper(),),
    ).fetchone()
    return "none" if row is None else access.decide(Stored(*row))


def _and(*nodes: Node) -> Node:
    parts: list[Node] = []
    for n in nodes:
        parts.extend(n.nodes if isinstance(n, And) else (n,))
    return And(tuple(parts))


def scoped(node: Node, access: Access, resolver: Resolver) -> Node:
    """The query as `access` may ask it: a `Visible` condition added (free text only over the
    cables read whole), classifier names only over cables read whole, a field naming a
    hidden cable's content answering as for a missing cable.  The PostgreSQL compiler writes
    each `Visible` as the access's row condition (plan.where)."""
    if access.unrestricted:
        return node
    conn = resolver.conn

    def named(f: Field) -> Field:
        if NAMES_CABLE.get(f.name) == "content" and (
            decision(conn, access, f.value.rstrip("*")) == "none"
        ):
            return replace(f, value="")
        return f

    def limit(f: Field) -> Node:
        if f.name not in ("classifiedby", "person"):
            return f
        classifier = And((replace(f, name="classifiedby"), Visible(True)))
        if f.name == "classifiedby":
            return classifier
        tags = resolver(field_values(f)["tokens"], False, "person")[1]
        tagged = [Field("tag", "=", t, f.position) for t in tags if not t.endswith("*")]
        return Or((replace(f, name="signer"), *tagged, classifier))

    node = map_fields(map_fields(node, named), limit)
    text = has_text(node)
    cond = Visible(text)
    return cond if isinstance(node, All) else _and(node, cond)
