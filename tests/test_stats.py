"""Archive statistics against counts made in Python from the records that were stored."""

from __future__ import annotations

from collections import Counter

import orjson
import pytest

from cablebase.archive.api import Archive
from cablebase.archive.stats import ArchiveStats, format_stats, stats, unresolved
from cablebase.generate import generate
from cablebase.record import Cable, Paragraph, Reference, Source, Warning


def hand_cables() -> list[Cable]:
    """Four invented cables whose references cross, with two targets the archive lacks."""

    def ref(letter: str | None, text: str, rid: str | None, kind: str = "cable") -> Reference:
        return Reference(letter=letter, text=text, kind=kind, id=rid)

    return [
        Cable(
            reference_id="09ALPHA1",
            created="2009-01-05T10:15:00Z",
            origin="Embassy Alpha",
            post="ALPHA",
            classification="SECRET",
            handling=["SIPDIS", "NOFORN"],
            tags=["PGOV", "PREL"],
            subject="ALPHA MINISTER ON THE HARBOUR TREATY",
            references=[
                ref("A", "08 BETA 7", "08BETA7"),
                ref("B", "GAMMA 3", "09GAMMA3"),
                ref("C", "EMAIL OF JANUARY 3", None, "email"),
            ],
            paragraphs=[
                Paragraph(number=1, portion="S", heading="SUMMARY", text="The minister spoke."),
                Paragraph(number=2, portion="C", text='He asked for | pipes, "quotes", commas.'),
            ],
            signers=["SMITH"],
            source=Source(
                form="csv", path="cables.csv", offset=3, header="HEADER TEXT", body="BODY TEXT"
            ),
            warnings=[
                Warning(code="header.route_mismatch", message="route differs", where="header"),
                Warning(code="text.paragraph_gap", message="2 after 4", where="paragraph:2"),
            ],
        ),
        Cable(
            reference_id="08BETA7",
            created="2008-12-30T08:00:00Z",
            origin="Embassy Beta",
            post="BETA",
            classification="CONFIDENTIAL",
            handling=["SIPDIS"],
            tags=["PREL"],
            subject="BETA ELECTION NOTES",
            # "DELTA 9 AND DELTA 10": one REF item naming two cables, both under letter A.
            references=[
                ref("A", "DELTA 9 AND 10", "07DELTA9"),
                ref("A", "DELTA 9 AND 10", "07DELTA10"),
            ],
            paragraphs=[Paragraph(number=1, text="Turnout was high.")],
            warnings=[Warning(code="text.paragraph_gap", message="gap")],
        ),
        Cable(
            reference_id="09ALPHA2",
            created="2009-01-20T12:00:00Z",
            origin="Embassy Alpha",
            post="ALPHA",
            classification="UNCLASSIFIED",
            tags=["PGOV"],
            subject="FOLLOW-UP ON THE HARBOUR TREATY",
            references=[
                ref("A", "ALPHA 1", "09ALPHA1"),
                ref("B", "08 BETA 7", "08BETA7"),
                ref("C", "GAMMA 3", "09GAMMA3"),
                ref("D", "ALPHA 1 PARA 2", "09ALPHA1"),
            ],
            paragraphs=[Paragraph(number=None, text="Unnumbered opening text.")],
            signers=["SMITH", "JONES"],
        ),
        Cable(
            reference_id="10EPSILON4",
            created="2010-02-01T00:00:00Z",
            origin="Embassy Epsilon",
            post="EPSILON",
            classification="SECRET",
            subject='TRADE & <TARIFFS> "NOW"\x07',
            paragraphs=[Paragraph(number=1, text="Nothing cited.")],
        ),
    ]


def make_archive(where, cables: list[Cable], quarantine: int = 0) -> Archive:
    """An archive of `cables`, with `quarantine` quarantined inputs: `where` is
    conftest.archive_store (the archive on its parameter's store: the test runs on SQLite and
    on PostgreSQL) or the path of a SQLite file."""
    if callable(where):
        archive = Archive.open(where(cables))
    else:
        archive = Archive.open(where)
        archive.store.put_many(cables)
    for i in range(quarantine):
        archive.db.execute(
            "INSERT INTO quarantine (location, reason, seen) VALUES (?, ?, ?)",
            (f"bad.tar!member{i}", "not a cable", "2024-01-01T00:00:00Z"),
        )
    return archive


@pytest.fixture
def hand(archive_store):
    with make_archive(archive_store, hand_cables(), quarantine=1) as a:
        yield a


def expected_from(cables: list[Cable]) -> dict:
    """The statistics counted in Python from the records themselves."""
    ids = {c.reference_id for c in cables}
    cable_refs = [r.id for c in cables for r in c.references if r.id]
    return {
        "cables": len(cables),
        "class": Counter(c.classification for c in cables),
        "year": Counter(c.created[:4] for c in cables),
        "month": Counter(c.created[:7] for c in cables),
        "month_class": Counter((c.created[:7], c.classification) for c in cables),
        "origin": Counter(c.origin for c in cables),
        "tag": Counter(t for c in cables for t in dict.fromkeys(c.tags)),
        "handling": Counter(h for c in cables for h in dict.fromkeys(c.handling)),
        "ref_items": sum(len(c.references) for c in cables),
        "cable_refs": len(cable_refs),
        "resolved": sum(1 for r in cable_refs if r in ids),
        "missing": Counter(r for r in cable_refs if r not in ids),
        "missing_cables": Counter(
            r for c in cables for r in {x.id for x in c.references if x.id} if r not in ids
        ),
        "warnings": Counter(w.code for c in cables for w in c.warnings),
        "citing": sum(1 for c in cables if any(r.id for r in c.references)),
    }


def check(s: ArchiveStats, e: dict, archive: Archive) -> None:
    assert s.cables == e["cables"]
    assert s.by_classification == dict(e["class"])
    assert s.by_year == dict(e["year"])
    assert s.by_month == dict(e["month"])
    flat = {(m, c): n for m, per in s.by_month_class.items() for c, n in per.items()}
    assert flat == dict(e["month_class"])
    assert list(s.by_month) == sorted(s.by_month)
    assert s.handling == dict(e["handling"])
    assert s.ref_items == e["ref_items"]
    assert s.cable_refs == e["cable_refs"]
    assert s.resolved == e["resolved"]
    assert s.unresolved == e["cable_refs"] - e["resolved"]
    assert s.unresolved_ids == len(e["missing"])
    assert s.cables_citing == e["citing"]
    assert s.warnings == dict(e["warnings"])
    missing = list(unresolved(archive))
    assert {(u.reference_id, u.citations, u.cables) for u in missing} == {
        (rid, n, e["missing_cables"][rid]) for rid, n in e["missing"].items()
    }
    counts = [u.citations for u in missing]
    assert counts == sorted(counts, reverse=True)


def test_hand_written_archive(hand):
    s = stats(hand)
    check(s, expected_from(hand_cables()), hand)
    # Read off the four records by hand: 8 cable references, 4 of them to stored cables.
    assert (s.ref_items, s.cable_refs, s.resolved, s.unresolved) == (9, 8, 4, 4)
    assert s.resolution_rate == 0.5
    assert s.unresolved_ids == 3  # 09GAMMA3 (twice), 07DELTA9, 07DELTA10
    assert s.top_origins[0] == ("Embassy Alpha", 2)
    assert s.top_tags == [("PGOV", 2), ("PREL", 2)]
    assert s.quarantined == 1
    assert s.cables_with_warnings == 2
    assert (s.first, s.last) == ("2008-12-30T08:00:00Z", "2010-02-01T00:00:00Z")
    assert list(s.by_classification) == ["UNCLASSIFIED", "CONFIDENTIAL", "SECRET"]
    first = next(unresolved(hand))
    assert (first.reference_id, first.citations, first.cables) == ("09GAMMA3", 2, 2)
    assert [u.reference_id for u in unresolved(hand, limit=1)] == ["09GAMMA3"]


def test_archive_methods_and_text(hand):
    s = hand.stats()
    assert s.cables == 4
    assert len(list(hand.unresolved())) == 3
    text = format_stats(s)
    assert "cables: 4" in text
    assert "resolution rate" in text and "50.0%" in text
    assert "header.route_mismatch" in text
    assert "quarantined inputs: 1" in text
    assert "8 cable references, 4 resolved in the archive (50.0%), 3 distinct" in s.references
    # The CLI's --json prints the dataclass with orjson as it is.
    data = orjson.loads(orjson.dumps(s))
    assert data["resolution_rate"] == 0.5 and data["by_year"] == {"2008": 1, "2009": 2, "2010": 1}


def test_empty_archive(archive_store):
    with Archive.open(archive_store([])) as a:
        s = stats(a)
        assert s.cables == 0 and s.resolution_rate is None and s.warnings == {}
        assert list(unresolved(a)) == []
        assert "cables: 0" in format_stats(s)


def test_generated_archive(archive_store):
    cables = list(generate(1500, seed=7))
    with make_archive(archive_store, cables) as a:
        s = stats(a, top=5)
        check(s, expected_from(cables), a)
        e = expected_from(cables)
        assert s.top_tags == sorted(e["tag"].items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        assert s.top_origins == sorted(e["origin"].items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        assert 0 < s.resolution_rate < 1
