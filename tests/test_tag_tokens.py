"""Tags as tokens of the full-text index's acl column (schema migration 14, docs/search.md):
an archive of schema 13 gets them when it is next opened, and `text -tag:X` answers alike."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cablebase.access.policy import tag_token
from cablebase.archive.api import Archive
from cablebase.archive.sqlite import SQLiteStore
from cablebase.record import Cable, Paragraph


def _cable(k: int) -> Cable:
    return Cable(
        reference_id=f"09TT{k}",
        created=f"2009-05-{10 + k}T10:00:00Z",
        classification="SECRET" if k % 3 == 0 else "UNCLASSIFIED",
        handling=["NOFORN"] if k % 3 == 0 else [],
        tags=["PREL", "COUNTER TERRORISM"] if k % 2 else ["ECON"],
        subject="TRADE REPORT" if k % 4 == 0 else "REPORT",
        subject_portion="S" if k % 3 == 0 else "U",
        paragraphs=[Paragraph(number=1, portion="U", text=f"trade talks {'stalled ' * k}")],
    )


def _acl(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT reference_id, acl FROM cables"))


def test_schema_13_gains_tag_tokens(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    with SQLiteStore(path) as store:
        store.put_many([_cable(k) for k in range(12)])
    queries = ["trade -tag:ECON", "trade tag:counter_terrorism", "stalled -tag:PREL", "trade"]
    with Archive.open(path, small=2) as a:
        want = {q: [(h.reference_id, h.score) for h in a.search(q, limit=None)] for q in queries}
        counts = {q: a.count(q) for q in queries}
    # Schema 13: the acl column without tag tokens (the index written again so).
    conn = sqlite3.connect(path, isolation_level=None)
    acl = _acl(conn)
    assert all(tag_token("PREL") in acl[f"09TT{k}"] for k in range(1, 12, 2))
    conn.execute("BEGIN")
    for cid, rid in conn.execute("SELECT id, reference_id FROM cables").fetchall():
        c = _cable(int(rid[4:]))
        old = acl[rid]
        bare = " ".join(t for t in old.split() if not t.startswith("tg"))
        body = c.paragraphs[0].text
        conn.execute(
            "INSERT INTO cables_fts (cables_fts, rowid, subject, body, acl)"
            " VALUES ('delete', ?, ?, ?, ?)",
            (cid, c.subject, body, old),
        )
        conn.execute(
            "INSERT INTO cables_fts (rowid, subject, body, acl) VALUES (?, ?, ?, ?)",
            (cid, c.subject, body, bare),
        )
        conn.execute("UPDATE cables SET acl = ? WHERE id = ?", (bare, cid))
    conn.execute("PRAGMA user_version = 13")
    conn.execute("COMMIT")
    assert not any("tg" in v for v in _acl(conn).values())
    conn.close()
    SQLiteStore(path).close()  # migrates
    conn = sqlite3.connect(path)
    assert _acl(conn) == acl
    config = dict(conn.execute("SELECT k, v FROM cables_fts_config"))
    assert config["automerge"] == 16 and config["hashsize"] == 16 << 20
    conn.close()
    with Archive.open(path, small=2) as a:
        for q in queries:
            assert [(h.reference_id, h.score) for h in a.search(q, limit=None)] == want[q], q
            assert a.count(q) == counts[q], q
    # By hand: "trade" in every body; ECON on the evens, PREL and COUNTER TERRORISM on the
    # odds; "stalled" in every body but the first.
    assert counts == {
        "trade -tag:ECON": 6,
        "trade tag:counter_terrorism": 6,
        "stalled -tag:PREL": 5,
        "trade": 12,
    }
