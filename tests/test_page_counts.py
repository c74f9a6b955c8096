"""A page's total counted in the same pass as the page (archive/page_counts.py, SQLite).

The counts expected here are read off the cables written below by hand.  Each test checks the
total answered after a page against that number, against a fresh connection that never saw
the page, and that the count reused the page's pass (no statement touched the index or the
cables): a count that re-evaluated the match would pass the first two and fail the third."""

from __future__ import annotations

from pathlib import Path

import pytest

from cablebase.access.policy import Access, Policy, Viewer
from cablebase.archive.api import Archive
from cablebase.archive.sqlite import SQLiteStore
from cablebase.record import Cable, Paragraph
from tests.sql_trace import traced

# (reference id, classification, tags, subject, body)
CABLES = [
    ("09PCA1", "UNCLASSIFIED", ["PREL"], "PILOT TALKS", "the pilot saw the boat"),
    ("09PCA2", "UNCLASSIFIED", ["PREL", "ECON"], "HARBOUR", "a pilot and a pilot boat"),
    ("09PCA3", "UNCLASSIFIED", ["ECON"], "WEATHER", "rain at the harbour"),
    ("09PCA4", "SECRET", ["PREL"], "PILOT PLAN", "the pilot plan is secret"),
    ("09PCA5", "SECRET", ["ECON"], "BUDGET", "numbers and a pilot"),
    ("09PCA6", "UNCLASSIFIED", ["PGOV"], "ELECTIONS", "no pilot here, only voters"),
    ("09PCA7", "CONFIDENTIAL", ["PREL"], "TALKS", "talks went on late"),
]
READER = Viewer("u", "reader", 0, 0)  # UNCLASSIFIED: sees 09PCA1-3 and 09PCA6

# (query, sort, total for everyone, total for READER), counted by hand from CABLES.
CASES = [
    # "pilot": 09PCA1, 2, 4, 5, 6.
    ("pilot tag:PREL", "relevance", 3, 2),  # 1, 2, 4 | 1, 2
    ("pilot -tag:PREL", "relevance", 2, 1),  # 5, 6 | 6
    ("pilot class:secret", "relevance", 2, 0),  # 4, 5
    ("pilot OR tag:ECON", "relevance", 6, 4),  # 1, 2, 3, 4, 5, 6 | 1, 2, 3, 6
    ("boat tag:ECON", "date", 1, 1),  # 2
    ("pilot -class:secret", "-date", 3, 3),  # 1, 2, 6
]
# Pages that are not counted in their pass: text alone (its count is the FTS5 count planning
# remembers) and fields alone (counted on their indexes; the page may stop early on an
# index's order).  Their counts are counted, and right.
UNCOUNTED = [
    ("pilot", "relevance", 5, 3),  # 1, 2, 4, 5, 6 | 1, 2, 6
    ("pilot", "date", 5, 3),
    ("tag:PREL", "date", 4, 2),  # 1, 2, 4, 7 | 1, 2
    ("tag:PREL -class:secret", "-date", 3, 2),  # 1, 2, 7 | 1, 2
]


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "pc.db"
    with SQLiteStore(path) as store:
        store.put_many([_cable(k, row) for k, row in enumerate(CABLES)])
    return path  # open: Archive.open reads every cable; READER's access is given explicitly


def _cable(k: int, row: tuple) -> Cable:
    rid, cls, tags, subject, body = row
    return Cable(
        reference_id=rid,
        created=f"2009-01-{10 + k}T10:00:00Z",
        classification=cls,
        origin="Embassy Bogota" if k < 2 else "Embassy Paris",
        tags=tags,
        subject=subject,
        subject_portion=cls[0],
        paragraphs=[Paragraph(number=1, portion=cls[0], text=body)],
    )


def _reads_hits(statements: list[str]) -> bool:
    return any("cables_fts" in s or "FROM cables" in s or "tags" in s for s in statements)


@pytest.mark.parametrize(("query", "sort", "everyone", "_"), CASES)
def test_count_after_a_page_is_the_pages_total(archive: Path, query, sort, everyone, _) -> None:
    with Archive.open(archive) as a:
        page = [h.reference_id for h in a.search(query, sort=sort, limit=1)]
        assert page, query
        n, statements = traced(a, lambda: a.count(query))
        assert n == everyone, query
        assert not _reads_hits(statements), (query, statements)
    with Archive.open(archive) as fresh:
        assert fresh.count(query) == everyone, query


@pytest.mark.parametrize(("query", "sort", "everyone", "_"), UNCOUNTED)
def test_pages_of_text_alone_or_fields_alone_carry_no_total(
    archive: Path, query, sort, everyone, _
) -> None:
    with Archive.open(archive) as a:
        _, statements = traced(a, lambda: list(a.search(query, sort=sort, limit=1)))
        assert not any("OVER ()" in s for s in statements), statements
        assert a.count(query) == everyone


def test_few_matches_drive_a_counted_page(archive: Path) -> None:
    """A counted page of few text matches still starts from the FTS5 doclist (the window
    column once led SQLite to scan the cables and probe the index per row: 40x slower)."""
    with Archive.open(archive) as a:
        got, statements = traced(a, lambda: list(a.search("pilot origin:bogota", limit=9)))
        assert {h.reference_id for h in got} == {"09PCA1", "09PCA2"}
        (page,) = [s for s in statements if "OVER ()" in s]
        plan = a.store.conn.execute("EXPLAIN QUERY PLAN " + page).fetchall()
        scans = [detail for *_, detail in plan if detail.startswith(("SCAN", "SEARCH"))]
        assert "VIRTUAL TABLE" in scans[0], plan


@pytest.mark.parametrize(("query", "sort", "everyone", "reader"), CASES + UNCOUNTED)
def test_a_readers_total_never_comes_from_another_readers_page(
    archive: Path, query, sort, everyone, reader
) -> None:
    """The connection and its caches are shared by every reader of the archive: a page read
    by someone who sees every cable must not give its total to a reader who sees fewer
    (hidden cables would show through the count), nor the other way round."""
    with Archive.open(archive) as a:
        mine = a.with_access(Access(Policy("controlled", True), READER, "2026-01-01"))
        list(a.search(query, sort=sort, limit=1))
        assert mine.count(query) == reader, query
        list(mine.search(query, sort=sort, limit=1))
        assert mine.count(query) == reader, query
        assert a.count(query) == everyone, query
        hits = {h.reference_id for h in mine.search(query, sort=sort)}
        assert not hits & {"09PCA4", "09PCA5", "09PCA7"}, query


def test_a_write_after_the_page_is_counted(archive: Path) -> None:
    with Archive.open(archive) as a:
        assert [h.reference_id for h in a.search("pilot tag:PREL", limit=1)]
        a.store.put_many([_cable(20, ("09PCA9", "UNCLASSIFIED", ["PREL"], "PILOT", "a new pilot"))])
        assert a.count("pilot tag:PREL") == 4


def test_a_page_past_the_end_leaves_the_count_to_count(archive: Path) -> None:
    with Archive.open(archive) as a:
        assert list(a.search("pilot tag:PREL", limit=5, offset=10)) == []
        assert a.count("pilot tag:PREL") == 3
