"""How the SQLite store plans a page (archive/sqlite_search.py), on cables written here.

A plan changes what a page costs, never its hits, order, scores or total: each test compares
the plan under test (a low `small` bound, as at full size) with the plan an archive this small
gets by default, and the hits with those read off the cables by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cablebase.access.policy import Access, Policy, Viewer
from cablebase.access.settings import set_policy
from cablebase.archive import sqlite_search
from cablebase.archive.api import Archive
from cablebase.archive.sqlite import SQLiteStore
from cablebase.record import Cable, Paragraph
from tests.sql_trace import traced

HANOI = {3, 11, 17}  # cables of Embassy Hanoi; every other one is of Embassy Paris


def _cable(k: int) -> Cable:
    # Years 1985, 1986, ... one a cable; "enterprises" in every cable but each fifth, more
    # often in some (so that bm25 orders them), and in the subject of a few.
    year = 1985 + k
    body = "state enterprises " * (1 + k % 3) if k % 5 else "nothing of note here"
    return Cable(
        reference_id=f"{year % 100:02d}PLAN{k}",
        created=f"{year}-03-{10 + k % 9}T10:00:00Z",
        classification="UNCLASSIFIED",
        origin="Embassy Hanoi" if k in HANOI else "Embassy Paris",
        tags=["ECON"] if k % 4 == 0 else ["PREL"],
        subject="ENTERPRISES" if k % 7 == 0 else "REPORT",
        subject_portion="U",
        paragraphs=[Paragraph(number=1, portion="U", text=body)],
    )


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "plans.db"
    with SQLiteStore(path) as store:
        store.put_many([_cable(k) for k in range(40)])
    return path


def _page_sql(a: Archive, fn) -> list[str]:
    return [s for s in traced(a, fn)[1] if "bm25(" in s]


def test_selective_column_conditions_beside_text_are_one_id_set(archive: Path) -> None:
    """`enterprises origin:hanoi year:>=1990` by relevance: the doclist's ids are tested
    against one set of the cables of Hanoi since 1990 (its origin index drives), not against
    a set of Hanoi's and another of every cable since 1990."""
    query = "enterprises origin:hanoi year:>=1990"
    # Hanoi's cables are 3 (1988), 11 (1996) and 17 (2002), all with "enterprises".
    want = {"96PLAN11", "02PLAN17"}
    with Archive.open(archive, small=2) as planned, Archive.open(archive) as default:
        got = []
        sql = _page_sql(
            planned, lambda: got.extend(planned.search(query, sort="relevance", limit=50))
        )
        (page,) = sql
        assert page.count("IN (SELECT id FROM cables c WHERE") == 1, page
        assert "c.origin IN ('Embassy Hanoi')" in page and "c.year >= 1990" in page, page
        assert {h.reference_id for h in got} == want
        theirs = list(default.search(query, sort="relevance", limit=50))
        assert [(h.reference_id, h.score) for h in got] == [
            (h.reference_id, h.score) for h in theirs
        ]
        assert planned.count(query) == default.count(query) == 2


def test_broad_column_conditions_keep_a_set_each(archive: Path) -> None:
    """Two broad conditions (each matching most cables): a set each, read from their
    covering indexes, rather than one set whose rows would all be read."""
    query = "enterprises year:>=1986 class:unclassified"
    with Archive.open(archive, small=2) as planned, Archive.open(archive) as default:
        got = []
        (page,) = _page_sql(
            planned, lambda: got.extend(planned.search(query, sort="relevance", limit=50))
        )
        assert page.count("IN (SELECT id FROM cables c WHERE") == 2, page
        theirs = list(default.search(query, sort="relevance", limit=50))
        assert [(h.reference_id, h.score) for h in got] == [
            (h.reference_id, h.score) for h in theirs
        ]
        # Every cable from 1986 on (1..39) but each fifth (5, 10, ..., 35): 32; and 35, whose
        # subject (35 % 7 == 0) says ENTERPRISES: 33.
        assert len(got) == planned.count(query) == 33


def test_free_text_never_matches_the_access_tokens(tmp_path: Path) -> None:
    """The index's acl column holds each cable's access tokens (r0, r2, knoforn...) and tag
    tokens (tg and hex): free text matches subjects and bodies only, words shaped like those
    tokens (which keep their column filter) and others (which go without) alike; bm25 is
    that of the filtered phrase."""
    path = tmp_path / "acl.db"
    rows = [
        ("09ACL1", "UNCLASSIFIED", [], "the gate was open and government staff left"),
        ("09ACL2", "SECRET", ["NOFORN"], "government staff met at the gate"),
        ("09ACL3", "UNCLASSIFIED", [], "nothing to report"),
    ]
    with SQLiteStore(path) as store:
        store.put_many(
            [
                Cable(
                    reference_id=rid,
                    created=f"2009-02-0{k + 1}T10:00:00Z",
                    classification=cls,
                    handling=handling,
                    tags=["PREL", "KPAO"],
                    subject="REPORT",
                    subject_portion=cls[0],
                    paragraphs=[Paragraph(number=1, portion=cls[0], text=body)],
                )
                for k, (rid, cls, handling, body) in enumerate(rows)
            ]
        )
    with Archive.open(path) as a:
        conn = a.store.conn
        conn.execute(
            "CREATE VIRTUAL TABLE temp.acl_vocab USING fts5vocab(main, 'cables_fts', 'instance')"
        )
        acl = {t for (t,) in conn.execute("SELECT term FROM temp.acl_vocab WHERE col = 'acl'")}
        assert {"r0", "r2", "knoforn", "tg5052454c", "tg4b50414f"} <= acl, acl
        for word in acl:
            assert a.count(word) == 0, word
        assert [h.reference_id for h in a.search("open")] == ["09ACL1"]
        got = {h.reference_id: h.score for h in a.search("government")}
        want = dict(
            conn.execute(
                "SELECT c.reference_id, bm25(cables_fts, 4.0, 1.0, 0.0) FROM cables_fts f"
                " JOIN cables c ON c.id = f.rowid WHERE cables_fts MATCH ?",
                ['{subject body} : "government"'],
            ).fetchall()
        )
        assert got == want and set(got) == {"09ACL1", "09ACL2"}


def test_broad_text_with_a_negated_tag_probes_the_second_tier(archive: Path, monkeypatch) -> None:
    """`(enterprises OR nothing) -tag:ECON` ranked in two tiers: the second tier (newest
    first) walks the date index and tests each row's text and tag per row when probes pay
    (here made to pay at this size), as for free text alone, instead of building the set of
    every match; the same hits in the same order either way."""
    query = "(enterprises OR nothing) -tag:ECON"
    pages = [(0, 50), (0, 3), (4, 7), (30, 50)]
    with Archive.open(archive, broad=2, small=2) as sets:
        assert sets.searcher.two_tiered(sets.parse(query), sets.reader)
        want = {
            p: [(h.reference_id, h.score) for h in sets.search(query, limit=p[1], offset=p[0])]
            for p in pages
        }
        total = sets.count(query)
    monkeypatch.setattr(sqlite_search, "PROBE_US", 0.001)
    with Archive.open(archive, broad=2, small=2) as probed:
        for offset, limit in pages:
            got: list = []
            log: list[str] = []
            probed.store.conn.set_trace_callback(log.append)
            try:
                got = [
                    (h.reference_id, h.score)
                    for h in probed.search(query, limit=limit, offset=offset)
                ]
            finally:
                probed.store.conn.set_trace_callback(None)
            assert got == want[offset, limit], (offset, limit)
            if offset + limit <= 4:  # the page lies in the first tier (4 subject matches)
                continue
            walks = [s for s in log if s.startswith("SELECT c.") and "cables_created" in s]
            assert walks and all("EXISTS (SELECT 1 FROM cables_fts" in s for s in walks), walks
        assert probed.count(query) == total
    # Every cable but each fifth has "enterprises", the fifths "nothing"; ECON on each fourth:
    # 40 - 10 = 30.
    assert total == 30
    first = [r for r, score in want[0, 50] if score is not None]
    assert len(first) == 4  # subject ENTERPRISES: 7, 21, 35 and 14 (not 0, 28: ECON)


def _tagged_reports(path: Path, classes: tuple[str, ...], tags_of, n: int) -> Path:
    """n one-paragraph REPORT cables, 09TR0.., cable k of classes[k % len] with tags_of(k)."""
    with SQLiteStore(path) as store:
        store.put_many(
            [
                Cable(
                    reference_id=f"09TR{k}",
                    created=f"2009-04-{10 + k}T10:00:00Z",
                    classification=classes[k % len(classes)],
                    tags=tags_of(k),
                    subject="REPORT",
                    subject_portion=classes[k % len(classes)][0],
                    paragraphs=[Paragraph(number=1, portion="U", text="a report")],
                )
                for k in range(n)
            ]
        )
    return path


def test_a_tag_with_a_class_is_counted_from_the_tags_ids(tmp_path: Path) -> None:
    """`tag:ECON class:>=confidential`, the tag matching no more cables than the class: its
    ids are streamed from the tags index and each one's class looked up on the (id,
    class_rank) index; the count and hits are those read off the cables."""
    path = _tagged_reports(
        tmp_path / "tc.db",
        ("SECRET", "CONFIDENTIAL", "UNCLASSIFIED"),
        lambda k: ["ECON"] if k % 2 == 0 else ["PREL"],
        12,
    )
    query = "tag:ECON class:>=confidential"
    with Archive.open(path) as a:
        n, log = traced(a, lambda: a.count(query))
        # ECON: 0, 2, 4, 6, 8, 10; of them SECRET (k % 3 == 0) 0, 6 and CONFIDENTIAL 4, 10.
        assert n == 4
        assert any(
            "FROM tags WHERE tag = ?" in s.replace("'ECON'", "?") and "cables_requirement" in s
            for s in log
        ), log
        assert {h.reference_id for h in a.search(query)} == {"09TR0", "09TR4", "09TR6", "09TR10"}
        assert dict(a.facets(query, names=("classification",))["classification"]) == {
            "SECRET": 2,
            "CONFIDENTIAL": 2,
        }


def test_a_tag_with_a_class_is_counted_from_the_facet_bitmaps(tmp_path: Path) -> None:
    """Once the facet table of the archive's state is in memory (any broad facets build it),
    `tag:X class:...` is counted from its bitmaps: no statement; the same counts as the
    indexes give, for each comparison; a reader's count keeps its plan."""
    path = _tagged_reports(
        tmp_path / "tb.db",
        ("SECRET", "CONFIDENTIAL", "UNCLASSIFIED", "TOP SECRET"),
        lambda k: ["ECON"] if k % 2 == 0 else ["PREL", "ECON"] if k % 3 else ["PREL"],
        16,
    )
    queries = [
        f"tag:{tag} class:{op}{c}"
        for tag in ("ECON", "PREL")
        for op in ("", "<", "<=", ">", ">=")
        for c in ("confidential", "secret")
    ] + ["tag:PREL class:>unclassified class:<top_secret", "tag:NONE class:secret"]
    with Archive.open(path) as a:
        want = {q: a.count(q) for q in queries}
        a.facets("")  # the facet table, built
        for q in queries:
            n, log = traced(a, lambda q=q: a.count(q))
            assert n == want[q], q
            # A tag no cable holds has no bitmap: its index says so.
            assert any("tags" in s for s in log) == ("NONE" in q), (q, log)
    # By hand: ECON on 0, 2, ..., 14 and on 1, 5, 7, 11, 13; SECRET on k % 4 == 0.
    assert want["tag:ECON class:secret"] == 4  # 0, 4, 8, 12
    assert want["tag:PREL class:>=secret"] == 4  # 3 (TS), 7 (TS), 11 (TS), 15 (TS)
    assert want["tag:PREL class:<secret"] == 4  # 1, 5, 9, 13 (CONFIDENTIAL)


def test_facets_the_facet_bitmaps_describe_fetch_no_ids(tmp_path: Path) -> None:
    """Facets of hits that the facet table's own bitmaps describe (classes, frequent tags and
    caveats, and ANDs of them) are counted without fetching an id, their count after them
    runs no statement, and both equal what the cables give by hand; few hits, the table in
    memory, are counted in it rather than by a GROUP BY per facet."""
    path = _tagged_reports(
        tmp_path / "fb.db",
        ("SECRET", "CONFIDENTIAL", "UNCLASSIFIED", "TOP SECRET"),
        lambda k: ["ECON"] if k % 2 == 0 else ["PREL", "ECON"] if k % 3 else ["PREL"],
        16,
    )
    names = ("classification", "tag")
    # By hand (k = 0..15; class by k % 4: S, C, U, TS; ECON unless k in 3, 9, 15; PREL on
    # the odd k): class:<secret is k % 4 in (1, 2): 1, 2, 5, 6, 9, 10, 13, 14.
    want = {
        "class:<secret": (
            {
                "classification": [("CONFIDENTIAL", 4), ("UNCLASSIFIED", 4)],
                "tag": [("ECON", 7), ("PREL", 4)],
            },
            8,
        ),
        # ECON and SECRET or above: 0, 4, 8, 12 (S); 7, 11 (TS).
        "tag:ECON class:>=secret": (
            {
                "classification": [("SECRET", 4), ("TOP SECRET", 2)],
                "tag": [("ECON", 6), ("PREL", 2)],
            },
            6,
        ),
    }
    with Archive.open(path, small=2) as a:
        a.facets("")  # the facet table, built
        for q, (facets, n) in want.items():  # many hits (more than `small`)
            got, log = traced(a, lambda q=q: a.facets(q, names=names))
            assert got == facets, q
            assert not any("json_group_array" in s or "GROUP BY" in s for s in log), log
            counted, log = traced(a, lambda q=q: a.count(q))
            assert counted == n, q
            assert all("FROM settings" in s for s in log), log  # the state read, no more
    with Archive.open(path) as a:
        a.facets("")  # the facet table, built
        for q, (facets, n) in want.items():  # few hits: their ids, counted in the table
            got, log = traced(a, lambda q=q: a.facets(q, names=names))
            assert got == facets, q
            assert not any("GROUP BY" in s for s in log), log
            assert a.count(q) == n


@pytest.mark.parametrize("guess", [10**9, 1e-9])  # never tried; tried whatever the guess
def test_few_hits_of_broad_parts_are_paged_from_their_ids(
    archive: Path, monkeypatch, guess: float
) -> None:
    """An AND of broad parts likely few together is paged by date from its ids (fetched
    once, at most `small` of them, and counted) instead of walking the date index; hits that
    turn out more than `small` are walked as before.  Every page the same either way."""
    # By hand: "state" in k % 5 != 0 (32 cables), "enterprises" there and in the subjects of
    # 0 and 35 (34); Hanoi's 3, 11 and 17 among both; Paris the other 37; years from 1985.
    want = {
        "enterprises origin:paris": 31,
        "state -origin:hanoi": 29,
        "enterprises year:>=1985": 34,
    }
    pages = [(0, 50), (2, 3), (7, 5)]
    with Archive.open(archive, small=32) as shipped:
        answers = {
            (q, sort, p): [
                h.reference_id for h in shipped.search(q, sort=sort, limit=p[1], offset=p[0])
            ]
            for q in want
            for sort in ("date", "-date")
            for p in pages
        }
        # As shipped: the text's 34 and Paris's 37 of 40 guess 31.45 together (< 32).
        q = "enterprises origin:paris"
        log = traced(shipped, lambda: list(shipped.search(q, sort="date", limit=50)))[1]
        assert not any("cables_created" in s for s in log), log
        n, log = traced(shipped, lambda: shipped.count(q))
        assert n == 31 and all("FROM settings" in s for s in log), log
    monkeypatch.setattr(sqlite_search, "FEW_GUESS", guess)
    with Archive.open(archive, small=32) as other:
        for (q, sort, (offset, limit)), ids in answers.items():
            got = other.search(q, sort=sort, limit=limit, offset=offset)
            assert [h.reference_id for h in got] == ids, (q, sort, offset)
            assert other.count(q) == want[q], q
    assert answers["enterprises origin:paris", "date", (0, 50)][:2] == ["85PLAN0", "86PLAN1"]


def test_text_less_a_field_is_counted_as_a_difference(archive: Path) -> None:
    """|text and not x| = |text| - |text and x|: the text's matches counted inside FTS5 and
    those of x among them, rather than NOT x tested on every match; the count is exact."""
    query = "(enterprises OR nothing) -origin:hanoi"
    with Archive.open(archive) as a:
        n, log = traced(a, lambda: a.count(query))
        # Every cable has one of the words; Hanoi's are 3, 11 and 17: 40 - 3.
        assert n == 37
        assert not any(re.search(r"NOT (IN|EXISTS|\()", s) and "c.origin" in s for s in log)
        assert any("c.origin IN" in s and "AND EXISTS (SELECT 1 FROM cables_fts" in s for s in log)
        # "nothing": the fifths 0, 5, ..., 35 (8); none of them of Hanoi.
        assert a.count("nothing -origin:hanoi") == 8


@pytest.mark.parametrize("small", [2, sqlite_search.SMALL])
def test_text_and_a_tag_is_one_fts5_expression(archive: Path, small: int) -> None:
    """`text -tag:X` and `text tag:X`, the text matching many cables (more than `small`,
    made few here), are the text NOT / AND the tag's token in the acl column
    (policy.tag_token): one FTS5 expression, counted and ranked on the doclists, no id
    tested against the tags; beside a rare text the tags table answers.  Either way the
    counts and hits are those read off the cables, the scores those of the text alone."""
    query = "(enterprises OR nothing) -tag:ECON"
    folded = small == 2
    with Archive.open(archive, small=small) as a:
        n, log = traced(a, lambda: a.count(query))
        # Every cable has one of the words; ECON on each fourth (0, 4, ..., 36): 40 - 10.
        assert n == 30
        assert any('NOT (acl : "tg45434f4e")' in s for s in log) == folded, log
        assert any("FROM tags" in s for s in log) != folded, log
        # "enterprises": the 32 non-fifths' bodies and the subjects of 0 and 35 (34); ECON
        # among them: 4, 8, 12, 16, 24, 28, 32, 36 and 0 (9).
        assert a.count("enterprises -tag:ECON") == 34 - 9
        assert a.count("enterprises tag:ECON") == 9
        assert a.count("nothing -tag:PREL") == 8 - 6  # fifths: 0, 5, ..., 35; PREL unless % 4
        # A prefix of a tag, and a tag with no free text beside it, keep the tags table.
        assert a.count("enterprises -tag:EC*") == 34 - 9
        assert a.count("-tag:ECON") == 30
        alone = {h.reference_id: h.score for h in a.search("enterprises", limit=None)}
        econ = {f"{1985 + k}"[-2:] + f"PLAN{k}" for k in range(0, 40, 4)}
        for q, want in (("enterprises -tag:ECON", 25), ("enterprises tag:ECON", 9)):
            for sort in ("relevance", "date"):
                got = [(h.reference_id, h.score) for h in a.search(q, sort=sort, limit=None)]
                assert len(got) == want, (q, sort)
                assert {r for r, _ in got} <= econ if "-" not in q else not econ & dict(got).keys()
                if sort == "relevance":
                    assert all(alone[r] == score for r, score in got), q


def _clustered(k: int) -> Cable:
    # One cable a year from 1985; "october" only in the ten oldest (a word that clusters by
    # date, as month names and years do), "enterprises" in all of them.
    year = 1985 + k
    body = "state enterprises in october" if k < 10 else "state enterprises"
    return Cable(
        reference_id=f"{year % 100:02d}WALK{k}",
        created=f"{year}-03-10T10:00:00Z",
        classification="UNCLASSIFIED",
        origin="Embassy Paris",
        subject="REPORT",
        subject_portion="U",
        paragraphs=[Paragraph(number=1, portion="U", text=body)],
    )


@pytest.mark.parametrize(
    ("query", "sort", "want", "fell_back"),
    [
        # The ten matches are the oldest cables: the walk from the newest, bounded to the
        # rows an even spread would need, finds three, so the set of matches answers.
        ("october", "-date", ["94WALK9", "93WALK8", "92WALK7", "91WALK6", "90WALK5"], True),
        # From the oldest they come at once: the bounded walk is the answer.
        ("october", "date", ["85WALK0", "86WALK1", "87WALK2", "88WALK3", "89WALK4"], False),
        (
            "enterprises",
            "-date",
            ["24WALK39", "23WALK38", "22WALK37", "21WALK36", "20WALK35"],
            False,
        ),
    ],
)
def test_a_probed_walk_is_bounded_and_a_short_page_takes_the_set(
    tmp_path: Path, monkeypatch, query: str, sort: str, want: list[str], fell_back: bool
) -> None:
    """A walk that probes each row's text stops after WALK_SLACK times the rows an even
    spread of the matches needs; when that leaves the page short (matches clustered at the
    other end of the dates) the page comes from the set of the matches: the same hits."""
    path = tmp_path / "walk.db"
    with SQLiteStore(path) as store:
        store.put_many([_clustered(k) for k in range(40)])
    monkeypatch.setattr(sqlite_search, "PROBE_US", 0.05)  # probes pay at this size
    monkeypatch.setattr(sqlite_search, "WALK_SLACK", 1)
    with Archive.open(path, small=2) as a:
        hits, log = traced(a, lambda: [h.reference_id for h in a.search(query, sort=sort, limit=5)])
    assert hits == want
    walks = [s for s in log if s.startswith("SELECT c.") and "cables_created" in s]
    bound = r"\) AND c\.created (>=|<=) '\d{4}-03-10T10:00:00Z' ORDER BY"
    assert "EXISTS (SELECT 1 FROM cables_fts" in walks[0], walks
    assert re.search(bound, walks[0]), walks
    if fell_back:
        assert len(walks) == 2 and "EXISTS" not in walks[1] and "c.created >=" not in walks[1]
    else:
        assert len(walks) == 1


def test_a_readers_second_tier_walk_is_bounded_too(tmp_path: Path, monkeypatch) -> None:
    """The second tier of a broad relevance page for a reader who does not see everything
    (bm25 over their own cables, archive/ranking.py) is walked under the same bound, and a
    short page taken from the set of matches: the five newest of the ten oldest cables."""
    path = tmp_path / "walk.db"
    with SQLiteStore(path) as store:
        store.put_many([_clustered(k) for k in range(40)])
        set_policy(store.conn, Policy("controlled", True))
    monkeypatch.setattr(sqlite_search, "PROBE_US", 0.05)
    monkeypatch.setattr(sqlite_search, "WALK_SLACK", 1)
    with Archive.open(path, small=2, broad=2) as a:
        reader = a.with_access(Access(Policy("controlled", True), Viewer("u", "r", 0, 0), "2026"))
        hits, log = traced(a, lambda: [h.reference_id for h in reader.search("october", limit=5)])
    assert hits == ["94WALK9", "93WALK8", "92WALK7", "91WALK6", "90WALK5"]
    walks = [s for s in log if s.startswith("SELECT c.") and "cables_created" in s]
    assert len(walks) == 2 and "EXISTS (SELECT 1 FROM cables_fts" in walks[0], walks
