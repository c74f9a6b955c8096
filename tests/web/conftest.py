"""Fixtures of the web tests: a real SQLite archive of generated cables plus a few hand-written
ones whose references are known exactly, and the reading room app over it.

The hand-written cables (post ATLANTIS, 1997) cite each other:

    97ATLANTIS100  cites  A. 97ATLANTIS101 (archived)  B. 96ATLANTIS99 (missing)  C. a memo
    97ATLANTIS101  cites  A. 97ATLANTIS102 (archived)
    97ATLANTIS102  cites  nothing
    97ATLANTIS103  cites  (unlettered) 97ATLANTIS101

so 97ATLANTIS101 is cited by 97ATLANTIS100 (letter A) and 97ATLANTIS103 (no letter), and
96ATLANTIS99 is the one unresolved citation.  The word "zymurgical" occurs in 100 and 103 only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cablebase.record import (
    Cable,
    ClassifiedBy,
    Paragraph,
    Recipient,
    Redaction,
    Reference,
    Source,
    Station,
)

GENERATED = 3000  # generated cables in the test archive (seed 1)
UNIQUE_WORD = "zymurgical"


def _cable(serial: int, day: int, refs: list[Reference], text: str, **kw) -> Cable:
    rid = f"97ATLANTIS{serial}"
    return Cable(
        reference_id=rid,
        created=f"1997-03-{day:02d}T09:30:00Z",
        created_from="dtg",
        origin="Embassy Atlantis",
        post="ATLANTIS",
        classification=kw.pop("classification", "CONFIDENTIAL"),
        handling=kw.pop("handling", ["SIPDIS"]),
        header_kind="acp127",
        transmission_id="VZCZCXRO0001",
        routing=["RUEHAT"],
        station=Station(route="RUEHAT", serial=f"{serial:04d}", part="01", julian="0690930"),
        security="ZNY CCCCC ZZH",
        dtg=f"{day:02d}0930Z MAR 97",
        precedence="PRIORITY",
        sender="AMEMBASSY ATLANTIS",
        recipients=[
            Recipient(
                role="to", route="RUEHC", name="SECSTATE WASHDC", precedence="PRIORITY", serial="1"
            )
        ],
        eo="12958",
        declassify_on="2007-03-01",
        classified_by=ClassifiedBy(
            text="Ambassador Ada Quill, Embassy Atlantis, for reasons 1.5 (b) and (d).",
            name="Ada Quill",
            title="Ambassador",
            office="Embassy Atlantis",
        ),
        classification_reasons=["1.5(b)", "1.5(d)"],
        tags=["PREL", "PGOV", "AT"],
        subject=kw.pop("subject", f"ATLANTIS: HARBOUR TALKS, ROUND {serial - 99}"),
        references=refs,
        paragraphs=[
            Paragraph(number=1, portion="C", heading="SUMMARY", text=text),
            Paragraph(number=2, portion="U", text="Comment: talks resume next week. End comment."),
        ],
        signers=["QUILL"],
        source=Source(form="telegram", path=f"hand/{rid}.tel"),
        **kw,
    )


def hand_cables() -> list[Cable]:
    """The four hand-written cables (see the module docstring)."""
    return [
        _cable(
            100,
            10,
            [
                Reference(letter="A", text="ATLANTIS 101", kind="cable", id="97ATLANTIS101"),
                Reference(letter="B", text="96 ATLANTIS 99", kind="cable", id="96ATLANTIS99"),
                Reference(letter="C", text="MEMO OF CONVERSATION, 3 MARCH 1997", kind="memo"),
            ],
            f"The harbour master gave a {UNIQUE_WORD} toast to the visiting delegation.",
            classification="SECRET",
            handling=["SIPDIS", "NOFORN"],
            redactions=[Redaction(where="paragraph:2", length=6)],
        ),
        _cable(
            101,
            5,
            [Reference(letter="A", text="ATLANTIS 102", kind="cable", id="97ATLANTIS102")],
            "The port authority agreed to a second round of talks on berth fees.",
        ),
        _cable(102, 1, [], "The first round of harbour talks opened in good spirits."),
        _cable(
            103,
            12,
            [Reference(letter=None, text="ATLANTIS 101", kind="cable", id="97ATLANTIS101")],
            f"A {UNIQUE_WORD} society of brewers asked for port access.",
            subject="ATLANTIS: BREWERS SEEK PORT ACCESS",
        ),
    ]


HAND_IDS = [c.reference_id for c in hand_cables()]
TOTAL = GENERATED + len(HAND_IDS)


def build_archive(path: Path, n: int = GENERATED) -> Path:
    """Generated cables (csv form, parsed by the real pipeline) plus the hand-written ones."""
    from cablebase.archive.ingest import ingest
    from cablebase.archive.sqlite import SQLiteStore
    from cablebase.generate import write

    csv_path = path.with_suffix(".csv")
    write(n, "csv", csv_path, seed=1)
    ingest([csv_path], path, workers=1)
    with SQLiteStore(path) as store:
        store.put_many(hand_cables())
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def web_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The path of the test archive (built once per test session, opened read-only after)."""
    return build_archive(tmp_path_factory.mktemp("web") / "archive.db")


@pytest.fixture(scope="module")
def app(web_archive: Path):
    from cablebase.web.app import create_app

    return create_app(web_archive)


@pytest.fixture(scope="module")
def client(app) -> Iterator[TestClient]:
    # Server errors come back as 500 responses (not raised) so tests can assert on them.
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
