"""Fixtures of the web tests: a real archive of generated cables plus a few hand-written ones
whose references are known exactly, and the reading room app over it — on each store: the
archive, the app and the client are parametrised over SQLite and PostgreSQL (the same cables
in a SQLite file and in a PostgreSQL database, each built once per session), so every test of
the reading room runs on both.  A test that cannot run on PostgreSQL yet skips on that
parameter only, with the reason (`pytest.skip` in the test).

The hand-written cables (post ATLANTIS, 1997) cite each other:

    97ATLANTIS100  cites  A. 97ATLANTIS101 (archived)  B. 96ATLANTIS99 (missing)  C. a memo
    97ATLANTIS101  cites  A. 97ATLANTIS102 (archived)
    97ATLANTIS102  cites  nothing
    97ATLANTIS103  cites  (unlettered) 97ATLANTIS101

so 97ATLANTIS101 is cited by 97ATLANTIS100 (letter A) and 97ATLANTIS103 (no letter), and
96ATLANTIS99 is the one unresolved citation.  The word "zymurgical" occurs in 100 and 103 only.
"""

from __future__ import annotations

import contextlib
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


def build_pg_archive(server_dsn: str, folder: Path, name: str, n: int = GENERATED) -> str:
    """build_archive's cables in a new database `name` on the PostgreSQL server: its URL."""
    import psycopg

    from cablebase.archive.ingest import ingest
    from cablebase.archive.pg.store import PgStore
    from cablebase.generate import write
    from tests import pg_server

    with psycopg.connect(server_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    location = pg_server.url(server_dsn.replace(f"dbname={pg_server.DATABASE}", f"dbname={name}"))
    csv_path = folder / "archive.csv"
    write(n, "csv", csv_path, seed=1)
    ingest([csv_path], location, workers=1)
    with PgStore(location) as store:
        store.put_many(hand_cables())
        store.conn.execute("ANALYZE")
    return location


STORES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def web_archive_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test archive as a SQLite file, built once per session: web_archive's SQLite side,
    and the source of the access archives (access_location), which choose their store
    themselves."""
    return build_archive(tmp_path_factory.mktemp("web") / "archive.db")


@pytest.fixture(scope="session", params=STORES)
def web_archive(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path | str]:
    """The test archive, built once per test session and store, read-only after: the path of
    the SQLite file, or the URL of the PostgreSQL database (Archive.open and create_app take
    either).  The PostgreSQL parameter skips without a server (conftest.pg_server_dsn)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("web_archive_file")
        return
    server = request.getfixturevalue("pg_server_dsn")
    pytest.importorskip("psycopg")
    import psycopg

    name = "web_archive"
    location = build_pg_archive(server, tmp_path_factory.mktemp("webpg"), name)
    with psycopg.connect(server, autocommit=True) as conn:
        # A template no one connects to, for copy_archive (PostgreSQL copies a database only
        # while nobody else is connected to it; the apps over web_archive are).
        conn.execute(f"CREATE DATABASE {_TEMPLATE} TEMPLATE {name}")
    _pg_copies[location] = (server, [])
    yield location
    with psycopg.connect(server, autocommit=True) as conn:
        for copy in (*_pg_copies.pop(location)[1], _TEMPLATE, name):
            conn.execute(f"DROP DATABASE IF EXISTS {copy} WITH (FORCE)")


_TEMPLATE = "web_archive_template"
_pg_copies: dict[str, tuple[str, list[str]]] = {}  # web_archive URL -> (server, its copies)
_copy_names = iter(range(1, 1 << 30))


def copy_archive(web_archive: Path | str, folder: Path) -> Path | str:
    """A copy of the test archive to write into, on its store: a SQLite file in `folder`, or
    a new database on the PostgreSQL server (dropped with web_archive); its location."""
    if not on_postgres(web_archive):
        import shutil

        path = folder / "archive.db"
        shutil.copy(web_archive, path)
        return path
    import psycopg

    from tests import pg_server

    server, copies = _pg_copies[str(web_archive)]
    name = f"web_copy{next(_copy_names)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
    copies.append(name)
    return pg_server.url(server.replace(f"dbname={pg_server.DATABASE}", f"dbname={name}"))


def put_cables(location: Path | str, cables: list[Cable]) -> None:
    """Store more cables into an archive (a copy_archive) on either store."""
    from cablebase.archive.store import open_store

    store = open_store(location)
    try:
        store.put_many(cables)
        if not on_postgres(location):
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()


def on_postgres(location: Path | str) -> bool:
    """Whether a test archive's location (web_archive) is a PostgreSQL database."""
    from cablebase.archive.store import is_dsn

    return is_dsn(location)


@pytest.fixture(scope="module")
def app(web_archive: Path | str):
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


def build_access_archive(web_archive: Path | str, path: Path | str) -> Path | str:
    """The access-controlled archive at `path`: a SQLite file (a copy of the web archive), or
    an empty PostgreSQL database (a postgresql:// URL) filled with the web archive's cables;
    the ZETA cables, the policy and the users above added.  Returns `path`."""
    import shutil

    from cablebase.archive.store import is_dsn, open_store

    if not is_dsn(path) and not is_dsn(web_archive):
        shutil.copy(web_archive, path)
    else:
        from cablebase.archive.api import Archive

        with Archive.open(web_archive, readonly=True) as source, open_store(path) as store:
            batch: list[Cable] = []
            for cable in source.records(""):
                batch.append(cable)
                if len(batch) == 500:
                    store.put_many(batch)
                    batch = []
            store.put_many(batch)
    with open_store(path) as store:
        store.put_many(zeta_cables())
        add_access(store)
        if not is_dsn(path):
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def pg_access_template(web_archive_file: Path, pg_server_dsn: str) -> Iterator[str]:
    """A PostgreSQL database built once by build_access_archive, cloned for each test module
    (CREATE DATABASE … TEMPLATE: a file copy, far quicker than storing the cables again)."""
    import psycopg

    from tests import pg_server

    name = "access_template"
    with psycopg.connect(pg_server_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        build_access_archive(web_archive_file, pg_server.url(_named(pg_server_dsn, name)))
        yield name
    finally:
        with psycopg.connect(pg_server_dsn, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _copy_strategy(conn) -> str:  # type: ignore[no-untyped-def]
    from tests.store_fixtures import _copy_strategy

    return _copy_strategy(conn)


def _named(dsn: str, name: str) -> str:
    from tests import pg_server

    return dsn.replace(f"dbname={pg_server.DATABASE}", f"dbname={name}")


_clones = iter(range(1, 1 << 30))


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def access_location(
    request: pytest.FixtureRequest,
    web_archive_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Path | str]:
    """The access-controlled archive of one test module, on each store in turn: a SQLite copy
    (build_access_archive) or a clone of the PostgreSQL template, dropped after the module."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("access") / "archive.db"
        yield build_access_archive(web_archive_file, path)
        return
    with access_clone(request) as location:
        yield location


@contextlib.contextmanager
def access_clone(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new PostgreSQL access-controlled archive (a clone of pg_access_template: what
    build_access_archive makes), dropped when the block ends; its URL."""
    import psycopg

    from tests import pg_server

    server = request.getfixturevalue("pg_server_dsn")
    template = request.getfixturevalue("pg_access_template")
    name = f"access_{next(_clones)}"
    with psycopg.connect(server, autocommit=True) as conn:
        # a file copy: PostgreSQL 15's default writes the copy through the WAL (slower)
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}{_copy_strategy(conn)}")
    try:
        yield pg_server.url(_named(server, name))
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


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
