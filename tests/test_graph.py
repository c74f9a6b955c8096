"""Citation graphs: well-formed GraphML and GEXF whose nodes and edges match the archive."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from cablebase.archive.graph import graph
from cablebase.generate import generate
from tests.test_stats import hand_cables, make_archive

GML = "{http://graphml.graphdrawing.org/xmlns}"
GEXF = "{http://www.gexf.net/1.2draft}"


@pytest.fixture
def hand(archive_store):  # on SQLite and on PostgreSQL (conftest.archive_store)
    with make_archive(archive_store, hand_cables()) as a:
        yield a


def read_graphml(data: str) -> tuple[dict[str, dict], list[dict]]:
    root = ET.fromstring(data)
    keys = {k.get("id"): k.get("attr.name") for k in root.iter(f"{GML}key")}
    nodes = {}
    for n in root.iter(f"{GML}node"):
        nodes[n.get("id")] = {keys[d.get("key")]: d.text for d in n.findall(f"{GML}data")}
    edges = []
    for e in root.iter(f"{GML}edge"):
        attrs = {keys[d.get("key")]: d.text for d in e.findall(f"{GML}data")}
        edges.append({"source": e.get("source"), "target": e.get("target"), **attrs})
    return nodes, edges


def read_gexf(data: str) -> tuple[dict[str, dict], list[dict]]:
    root = ET.fromstring(data)
    nodes = {}
    for n in root.iter(f"{GEXF}node"):
        attrs = {v.get("for"): v.get("value") for v in n.iter(f"{GEXF}attvalue")}
        nodes[n.get("id")] = {"label": n.get("label"), **attrs}
    edges = []
    for e in root.iter(f"{GEXF}edge"):
        attrs = {v.get("for"): v.get("value") for v in e.iter(f"{GEXF}attvalue")}
        edges.append(
            {
                "source": e.get("source"),
                "target": e.get("target"),
                "weight": e.get("weight"),
                **attrs,
            }
        )
    return nodes, edges


def render(archive, query: str, fmt: str, **kw) -> tuple[dict, list, object]:
    buf = io.StringIO()
    summary = graph(archive, query, fmt, buf, **kw)
    reader = read_graphml if fmt == "graphml" else read_gexf
    nodes, edges = reader(buf.getvalue())
    return nodes, edges, summary


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_hand_written_network(hand, fmt):
    nodes, edges, summary = render(hand, "", fmt)
    # Four cables plus the three cited ids the archive lacks.
    assert set(nodes) == {
        "09ALPHA1",
        "08BETA7",
        "09ALPHA2",
        "10EPSILON4",
        "09GAMMA3",
        "07DELTA9",
        "07DELTA10",
    }
    assert (summary.nodes, summary.edges) == (7, 7)
    pairs = {(e["source"], e["target"]): e for e in edges}
    assert len(pairs) == len(edges) == 7
    # 09ALPHA2 cites 09ALPHA1 twice (REF A and D): one edge, both letters, weight 2.
    twice = pairs[("09ALPHA2", "09ALPHA1")]
    assert twice["letter"] == "A,D" and float(twice["weight"]) == 2
    assert pairs[("08BETA7", "07DELTA10")]["letter"] == "A"
    assert nodes["09GAMMA3"]["in_archive"] == "false"
    assert nodes["09ALPHA1"]["in_archive"] == "true"
    assert nodes["09ALPHA1"]["classification"] == "SECRET"
    assert nodes["09ALPHA1"]["created"] == "2009-01-05T10:15:00Z"
    assert nodes["09ALPHA1"]["origin"] == "Embassy Alpha"
    # Markup characters survive escaping; the control character XML forbids is dropped.
    assert nodes["10EPSILON4"]["subject"] == 'TRADE & <TARIFFS> "NOW"'


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_query_subgraph(hand, fmt):
    nodes, edges, _ = render(hand, "origin:alpha", fmt)
    # Hits 09ALPHA1 and 09ALPHA2; they cite 08BETA7 (archived, not a hit) and 09GAMMA3 (missing).
    assert set(nodes) == {"09ALPHA1", "09ALPHA2", "08BETA7", "09GAMMA3"}
    assert nodes["08BETA7"]["in_query"] == "false" and nodes["08BETA7"]["in_archive"] == "true"
    assert nodes["09ALPHA1"]["in_query"] == "true"
    assert len(edges) == 5
    nodes, edges, _ = render(hand, "origin:alpha", fmt, include_unresolved=False)
    assert set(nodes) == {"09ALPHA1", "09ALPHA2", "08BETA7"}
    assert {(e["source"], e["target"]) for e in edges} == {
        ("09ALPHA1", "08BETA7"),
        ("09ALPHA2", "09ALPHA1"),
        ("09ALPHA2", "08BETA7"),
    }


def test_no_hits_is_an_empty_valid_graph(hand):
    for fmt in ("graphml", "gexf"):
        nodes, edges, summary = render(hand, "origin:nowhere", fmt)
        assert nodes == {} and edges == [] and summary.nodes == 0


def test_paths_binary_streams_and_wrapper(hand, tmp_path):
    path = tmp_path / "g.graphml"
    s = hand.graph("", "graphml", path)
    assert s.edges == 7
    assert len(read_graphml(path.read_text("utf-8"))[1]) == 7
    buf = io.BytesIO()
    hand.graph("", "gexf", buf)
    assert len(read_gexf(buf.getvalue().decode("utf-8"))[0]) == 7
    with pytest.raises(ValueError):
        graph(hand, "", "dot", io.StringIO())


@pytest.fixture(scope="module")
def generated(archive_store):
    with make_archive(archive_store, list(generate(1500, seed=3))) as a:
        yield a


@pytest.mark.parametrize("query", ["", "tag:PREL", "class:>=confidential", "year:2005..2008"])
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_counts_match_sql(generated, query, fmt):
    nodes, edges, summary = render(generated, query, fmt)
    hits = {h.reference_id for h in generated.search(query)}
    citations = [
        (src, target)
        for src, target in generated.db.execute(
            "SELECT c.reference_id, r.target FROM cables c JOIN refs r ON r.cable_id = c.id"
            " WHERE r.target IS NOT NULL"
        )
        if src in hits
    ]
    conn = generated.db
    archived = {r[0] for r in conn.execute("SELECT reference_id FROM cables")}
    targets = {t for _, t in citations}
    assert set(nodes) == hits | targets
    assert summary.nodes == len(nodes)
    assert {(e["source"], e["target"]) for e in edges} == set(citations)
    assert len(edges) == len(set(citations)) == summary.edges
    assert sum(int(float(e["weight"])) for e in edges) == len(citations)
    for rid, attrs in nodes.items():
        assert attrs["in_archive"] == ("true" if rid in archived else "false")
        assert attrs["in_query"] == ("true" if rid in hits else "false")
    assert any(t in archived for t in targets)  # the generator resolves some references
