"""Relevance for a reader who does not see everything: BM25 over their own cables.

Expected scores are computed here by hand from the cables' words (counted below), with the
formula docs/search.md states (FTS5's bm25: k1 = 1.2, b = 0.75, a subject match weighing
four body matches, idf floored at 1e-6), over the reader's cables only.  SQLite's alone: FTS5's
bm25 over its own index (PostgreSQL ranks with ts_rank, docs/postgresql.md; that no hidden
cable moves a score there is test_access_oracle.py's test_scores_do_not_count_hidden_cables)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from cablebase.access.policy import Access, Policy, Viewer
from cablebase.access.settings import set_policy
from cablebase.archive import ranking
from cablebase.archive.api import Archive
from cablebase.archive.sqlite import SQLiteStore
from cablebase.record import Cable, Paragraph

# (reference id, classification, subject, body): the reader (UNCLASSIFIED) sees the first five.
CABLES = [
    ("09RANKA1", "UNCLASSIFIED", "PORT TALKS", "the pilot saw the pilot boat"),  # 2 + 6 words
    ("09RANKA2", "UNCLASSIFIED", "PILOT SCHEME", "no news today"),  # 2 + 3
    ("09RANKA3", "UNCLASSIFIED", "HARBOUR", "quiet day at sea"),  # 1 + 4
    ("09RANKA4", "UNCLASSIFIED", "WEATHER", "rain and wind"),  # 1 + 3
    ("09RANKA5", "UNCLASSIFIED", "BUDGET", "numbers were late"),  # 1 + 3
    ("09RANKA6", "SECRET", "PILOT PILOT", "pilot pilot pilot pilot pilot pilot boat"),
]
READER = Viewer("u", "reader", 0, 0)


def bm25(freq: int, length: int, rows: int, holding: int, avgdl: float) -> float:
    idf = math.log((rows - holding + 0.5) / (holding + 0.5))
    idf = idf if idf > 0 else 1e-6
    k = 1.2 * (1 - 0.75 + 0.75 * length / avgdl)
    return -idf * freq * 2.2 / (freq + k)


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "rank.db"
    with SQLiteStore(path) as store:
        store.put_many(
            [
                Cable(
                    reference_id=rid,
                    created=f"2009-01-{10 + k}T10:00:00Z",
                    classification=cls,
                    subject=subject,
                    subject_portion=cls[0],
                    paragraphs=[Paragraph(number=1, portion=cls[0], text=body)],
                )
                for k, (rid, cls, subject, body) in enumerate(CABLES)
            ]
        )
        set_policy(store.conn, Policy("controlled", True))
    return path


def test_scores_are_bm25_over_the_readers_cables(archive: Path) -> None:
    # The reader's cables: 5, of 8 + 5 + 5 + 4 + 4 = 26 words; "pilot" in two of them:
    # 09RANKA1 twice in the body (weighted 2), 09RANKA2 once in the subject (weighted 4).
    rows, avgdl = 5, 26 / 5
    want = {
        "09RANKA2": bm25(4, 5, rows, 2, avgdl),
        "09RANKA1": bm25(2, 8, rows, 2, avgdl),
    }
    with Archive.open(archive) as a:
        reader = a.with_access(Access(Policy("controlled", True), READER, "2026-01-01"))
        got = {h.reference_id: h.score for h in reader.search("pilot")}
        assert list(got) == ["09RANKA2", "09RANKA1"]
        for rid, score in want.items():
            assert got[rid] == pytest.approx(score, rel=1e-12), rid
        # The same query ORed with a field: the field's hits are unscored, after the others.
        got = [(h.reference_id, h.score) for h in reader.search("pilot OR id:09RANKA4")]
        assert [r for r, _ in got] == ["09RANKA2", "09RANKA1", "09RANKA4"]
        assert got[0][1] == pytest.approx(want["09RANKA2"], rel=1e-12)
        assert got[2][1] is None


def test_two_terms_add_up(archive: Path) -> None:
    rows, avgdl = 5, 26 / 5
    # "pilot boat": 09RANKA1 alone has both (pilot 2, boat 1 in the body).
    want = bm25(2, 8, rows, 2, avgdl) + bm25(1, 8, rows, 1, avgdl)
    with Archive.open(archive) as a:
        reader = a.with_access(Access(Policy("controlled", True), READER, "2026-01-01"))
        (hit,) = reader.search("pilot boat")
        assert hit.reference_id == "09RANKA1"
        assert hit.score == pytest.approx(want, rel=1e-12)


def test_docsize_lengths_read_every_shape() -> None:
    # Varints: one byte below 128, else 7 bits a byte, high bit set on all but the last.
    assert ranking.lengths(bytes([3, 5, 1])) == (8, 9)
    assert ranking.lengths(bytes([3, 0x81, 0x00, 1])) == (3 + 128, 3 + 128 + 1)
    assert ranking.lengths(bytes([0x81, 0x00, 0x82, 0x01, 0x05])) == (128 + 257, 128 + 257 + 5)
    assert ranking.varints(bytes([0x81, 0x80, 0x00])) == [1 << 14]
