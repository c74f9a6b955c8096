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


# -- access control (test_auth.py, test_admin.py) -------------------------------------------
# A copy of the test archive under a controlled policy, plus three cables of post ZETA whose
# marks are known exactly and whose declassification is exempted (25X1), so that only
# clearance decides:
#
#   98ZETA1  SECRET//NOFORN  subject (C); para 1 (U) "meadowlark", para 2 (S/NF) "quokkasecret"
#            naming the source "Moussa Kantao"
#   98ZETA2  TOP SECRET      para 1 (TS) "tsnarwhal"; cites 98ZETA3
#   98ZETA3  UNCLASSIFIED    para 1 (U) "plainwombat"; cites 98ZETA2
#
# Users (password PASSWORD): alice reader CONFIDENTIAL; bob reader SECRET + NOFORN; root admin
# TOP SECRET with every caveat; arch1, arch2 archivists TOP SECRET with every caveat.

PASSWORD = "correct horse battery"
ZETA = ["98ZETA1", "98ZETA2", "98ZETA3"]


def zeta_cables() -> list[Cable]:
    def cable(n: int, cls: str, handling: list[str], paras: list[Paragraph], refs, subject):
        return Cable(
            reference_id=f"98ZETA{n}",
            created=f"1998-05-0{n}T08:00:00Z",
            origin="Embassy Zeta",
            post="ZETA",
            classification=cls,
            handling=handling,
            declassify_on="2008-05-01",
            declassify_rule="25X1",
            tags=["PREL", "ZZ"],
            subject=subject,
            subject_portion="C" if n == 1 else None,
            references=refs,
            paragraphs=paras,
        )

    return [
        cable(
            1,
            "SECRET",
            ["NOFORN"],
            [
                Paragraph(number=1, portion="U", text="The meadowlark season opened early."),
                Paragraph(
                    number=2,
                    portion="S/NF",
                    text="Our source Moussa Kantao reported the quokkasecret plan.",
                ),
            ],
            [],
            "ZETA: HARVEST REPORT",
        ),
        cable(
            2,
            "TOP SECRET",
            [],
            [Paragraph(number=1, portion="TS", text="The tsnarwhal operation proceeds.")],
            [Reference(letter="A", text="ZETA 3", kind="cable", id="98ZETA3")],
            "ZETA: NARWHAL",
        ),
        cable(
            3,
            "UNCLASSIFIED",
            [],
            [Paragraph(number=1, portion="U", text="A plainwombat was seen at the fair.")],
            [Reference(letter="A", text="ZETA 2", kind="cable", id="98ZETA2")],
            "ZETA: FAIR",
        ),
    ]


def cheap_hasher():
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def build_access_archive(web_archive: Path, path: Path) -> Path:
    import shutil

    from cablebase.archive.sqlite import SQLiteStore

    shutil.copy(web_archive, path)
    with SQLiteStore(path) as store:
        store.put_many(zeta_cables())
        add_access(store)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def add_access(store) -> None:
    """The access policy and the users of the access tests, in `store` (either store)."""
    from cablebase.access.accounts import Accounts
    from cablebase.access.policy import Policy
    from cablebase.access.settings import set_policy

    # Dates declassify and the public reads nothing else: what these tests were written
    # for (test_auth tests the defaults: reviewed declassification, a public profile).
    set_policy(store.conn, Policy("controlled", declassify="automatic", public_rank=-1))
    acc = Accounts(store.conn, hasher=cheap_hasher())
    acc.add_user("alice", PASSWORD, "reader", "CONFIDENTIAL")
    acc.add_user("bob", PASSWORD, "reader", "SECRET", ["NOFORN"])
    every = ["NOFORN", "NODIS", "EXDIS", "LIMDIS", "STADIS", "ORCON", "PROPIN", "SPECAT"]
    acc.add_user("root", PASSWORD, "admin", "TOP SECRET", every)
    acc.add_user("arch1", PASSWORD, "archivist", "TOP SECRET", every)
    acc.add_user("arch2", PASSWORD, "archivist", "TOP SECRET", every)


class Clock:
    """A clock the tests move (the accounts' notion of now)."""

    def __init__(self) -> None:
        from datetime import UTC, datetime

        self.now = datetime.now(UTC)

    def __call__(self):
        return self.now

    def advance(self, **kw) -> None:
        from datetime import timedelta

        self.now += timedelta(**kw)


def login(client: TestClient, name: str, password: str = PASSWORD, next_url: str = "/"):
    """Log in through the form (fetching its CSRF token first); the response of the POST."""
    import re

    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf": token, "next": next_url},
        follow_redirects=False,
    )


def csrf_of(html: str) -> str:
    """The session's CSRF token as a page's forms carry it."""
    import re

    m = re.search(
        r'<form class="logout"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]*)"', html
    )
    assert m, "no logout form: not logged in?"
    return m.group(1)
