"""The citation network of a query's hits, as GraphML or GEXF for Gephi, written as a stream.

Nodes: every hit; every archived cable a hit cites (`in_query` false); and, with
`include_unresolved`, every cited id the archive lacks (`in_archive` false).  Edges: one per
citing cable and cited id (source cites target), with the REF letters (`A,C`) and a weight, the
number of REF items behind it.  Every list comes from an SQL cursor and is written as it is read,
so memory does not grow with the size of the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from cablebase.archive.export import Out, _text, where_clause
from cablebase.archive.query import Node

if TYPE_CHECKING:
    from cablebase.archive.api import Archive

FORMATS = ("graphml", "gexf")

# Characters XML 1.0 forbids; cable text from old systems can hold them.
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ATTR = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}

NODE_ATTRS = (
    # name, GraphML type, GEXF type
    ("created", "string", "string"),
    ("origin", "string", "string"),
    ("classification", "string", "string"),
    ("subject", "string", "string"),
    ("in_archive", "boolean", "boolean"),
    ("in_query", "boolean", "boolean"),
)
EDGE_ATTRS = (("letter", "string", "string"),)


@dataclass(slots=True)
class GraphSummary:
    nodes: int = 0
    edges: int = 0


@dataclass(slots=True)
class _Node:
    id: str
    created: str | None = None
    origin: str | None = None
    classification: str | None = None
    subject: str | None = None
    in_archive: bool = True
    in_query: bool = True


def _attr(value: object) -> str:
    """An attribute value, quoted."""
    return '"' + escape(_BAD_XML.sub("", str(value)), _ATTR) + '"'


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- the network, from SQL -----------------------------------------------------------------


def _nodes(archive: Archive, query: str | Node, include_unresolved: bool) -> Iterator[_Node]:
    conn = archive.db
    where, params = where_clause(archive, query)
    hits = f"SELECT c.id FROM cables c WHERE {where}"
    # A cable this reader may not see is drawn as if it were not archived.
    seen: list = []
    visible = archive.visible_sql(seen, alias="t")
    cols = f"t.reference_id, t.created, t.origin, t.classification, {archive.subject_sql('t')}"
    for row in conn.execute(
        f"SELECT {cols} FROM cables t WHERE t.id IN ({hits}) ORDER BY t.created, t.id", params
    ):
        yield _Node(*row)
    # Archived cables the hits cite that are not hits themselves.
    for row in conn.execute(
        f"SELECT {cols} FROM cables t WHERE t.reference_id IN"
        f" (SELECT r.target FROM refs r WHERE r.cable_id IN ({hits}) AND r.target IS NOT NULL)"
        f" AND t.id NOT IN ({hits}) AND {visible} ORDER BY t.created, t.id",
        params + params + seen,
    ):
        yield _Node(*row, in_query=False)
    if include_unresolved:
        for (target,) in conn.execute(
            f"SELECT DISTINCT r.target FROM refs r WHERE r.cable_id IN ({hits})"
            " AND r.target IS NOT NULL"
            f" AND NOT EXISTS (SELECT 1 FROM cables t WHERE t.reference_id = r.target AND {visible})"
            " ORDER BY r.target",
            params + seen,
        ):
            yield _Node(target, in_archive=False, in_query=False)


def _edges(
    archive: Archive, query: str | Node, include_unresolved: bool
) -> Iterator[tuple[str, str, str, int]]:
    """(source, target, letters, weight), one per citing cable and cited id."""
    where, params = where_clause(archive, query)
    seen: list = []
    visible = archive.visible_sql(seen, alias="t")
    resolved = (
        ""
        if include_unresolved
        else f" AND EXISTS (SELECT 1 FROM cables t WHERE t.reference_id = r.target AND {visible})"
    )
    cur = archive.db.execute(
        "SELECT c.id, c.reference_id, r.target, r.letter FROM cables c JOIN refs r ON r.cable_id = c.id"
        f" WHERE {where} AND r.target IS NOT NULL{resolved} ORDER BY c.id, r.target, r.position",
        params + (seen if resolved else []),
    )
    key: tuple[int, str] | None = None
    source = ""
    letters: list[str] = []
    weight = 0
    for cid, refid, target, letter in cur:
        if (cid, target) != key:
            if key is not None:
                yield source, key[1], ",".join(letters), weight
            key, source, letters, weight = (cid, target), refid, [], 0
        weight += 1
        if letter and letter not in letters:
            letters.append(letter)
    if key is not None:
        yield source, key[1], ",".join(letters), weight


# -- writers -------------------------------------------------------------------------------


def _node_values(n: _Node) -> Iterator[tuple[str, Any]]:
    for name, _, _ in NODE_ATTRS:
        v = getattr(n, name)
        if v is not None:
            yield name, v


def _graphml(archive: Archive, query: str | Node, out: Any, unresolved: bool) -> GraphSummary:
    s = GraphSummary()
    w = out.write
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w(
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
        ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    w('  <key id="label" for="node" attr.name="label" attr.type="string"/>\n')
    for name, gtype, _ in NODE_ATTRS:
        w(f'  <key id="{name}" for="node" attr.name="{name}" attr.type="{gtype}"/>\n')
    for name, gtype, _ in EDGE_ATTRS:
        w(f'  <key id="{name}" for="edge" attr.name="{name}" attr.type="{gtype}"/>\n')
    w('  <key id="weight" for="edge" attr.name="weight" attr.type="double"/>\n')
    w('  <graph id="citations" edgedefault="directed">\n')
    for n in _nodes(archive, query, unresolved):
        parts = [f"    <node id={_attr(n.id)}>", f'<data key="label">{_text_value(n.id)}</data>']
        parts += [f'<data key="{k}">{_text_value(_value(v))}</data>' for k, v in _node_values(n)]
        parts.append("</node>\n")
        w("".join(parts))
        s.nodes += 1
    for source, target, letters, weight in _edges(archive, query, unresolved):
        letter = f'<data key="letter">{_text_value(letters)}</data>' if letters else ""
        w(
            f'    <edge id="e{s.edges}" source={_attr(source)} target={_attr(target)}>'
            f'{letter}<data key="weight">{weight}</data></edge>\n'
        )
        s.edges += 1
    w("  </graph>\n</graphml>\n")
    return s


def _gexf(archive: Archive, query: str | Node, out: Any, unresolved: bool) -> GraphSummary:
    s = GraphSummary()
    w = out.write
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w('<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n')
    desc = query if isinstance(query, str) else ""
    w(
        "  <meta><creator>cablebase</creator>"
        f"<description>citation network of: {_text_value(desc)}</description></meta>\n"
    )
    w('  <graph defaultedgetype="directed" mode="static">\n')
    w('    <attributes class="node">\n')
    for name, _, xtype in NODE_ATTRS:
        w(f'      <attribute id="{name}" title="{name}" type="{xtype}"/>\n')
    w('    </attributes>\n    <attributes class="edge">\n')
    for name, _, xtype in EDGE_ATTRS:
        w(f'      <attribute id="{name}" title="{name}" type="{xtype}"/>\n')
    w("    </attributes>\n    <nodes>\n")
    for n in _nodes(archive, query, unresolved):
        values = "".join(
            f'<attvalue for="{k}" value={_attr(_value(v))}/>' for k, v in _node_values(n)
        )
        w(
            f"      <node id={_attr(n.id)} label={_attr(n.id)}><attvalues>{values}</attvalues></node>\n"
        )
        s.nodes += 1
    w("    </nodes>\n    <edges>\n")
    for source, target, letters, weight in _edges(archive, query, unresolved):
        values = (
            f'<attvalues><attvalue for="letter" value={_attr(letters)}/></attvalues>'
            if letters
            else ""
        )
        w(
            f'      <edge id="{s.edges}" source={_attr(source)} target={_attr(target)}'
            f' weight="{weight}">{values}</edge>\n'
        )
        s.edges += 1
    w("    </edges>\n  </graph>\n</gexf>\n")
    return s


def _text_value(value: str) -> str:
    return escape(_BAD_XML.sub("", value))


def graph(
    archive: Archive,
    query: str | Node = "",
    fmt: str = "graphml",
    out: Out = "-",
    *,
    include_unresolved: bool = True,
) -> GraphSummary:
    """Write the citation network of the query's hits to `out` (a path or a stream)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown graph format {fmt!r} (use {', '.join(FORMATS)})")
    where_clause(archive, query)  # a malformed query fails here, before any output exists
    if out == "-":
        import sys

        out = sys.stdout
    write = _graphml if fmt == "graphml" else _gexf
    with _text(out) as f:
        return write(archive, query, f, include_unresolved)
