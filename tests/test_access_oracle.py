"""The enumerating leak test: every operator and every route, against an oracle archive.

For each reader class (anonymous, UNCLASSIFIED, CONFIDENTIAL, SECRET with and without caveats,
an admin cleared for UNCLASSIFIED only, a reader cleared for everything) a second archive is
built holding only the cables that reader may see (the policy's own decision: the same
policy, the same accounts).  Every answer the archive gives the reader — hits, counts, facets,
scores, ordering, snippets, references, exports, graphs, pages, API documents, errors,
headers — must be *identical* to the answer of that oracle archive: a hidden cable must make
no difference at all, so a hidden cable named by an operator (`citedby:`, `id:`…) or a route
(`/cable/ID`) behaves exactly like one the archive does not hold, and relevance scores do not
count it.

The cases are derived, not sampled: every field of the query language (query.FIELDS) and
every operator of its lexer, each with a value only hidden cables have and one visible ones
have; every route of the web application (its FastAPI routes, the OpenAPI document's and the
pages'), each path parameter filled with hidden, visible and missing values and each query
parameter varied.  The enumerated sets must equal the declared ones, so an operator or route
added without a case fails here.

The policy's per-paragraph judgement is checked on its own terms too: a paragraph whose mark
the reader is not cleared for (its level, and the NOFORN/ORCON written in the mark even when
the caption lacks them) never reaches the reader unless the cable is declassified.

The worlds are built on each store, deliveries included: the library's answers (every
operator, reference, export, page of hits), the command line and every route are compared on
PostgreSQL too, for a sample of the readers there (PG_READERS: each kind of view).
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import argon2
import pytest
from click.testing import CliRunner

from cablebase.access.accounts import Accounts
from cablebase.access.policy import Access, Policy, Viewer, caveat_bits
from cablebase.access.settings import set_policy
from cablebase.archive import query as Q
from cablebase.archive.api import Archive
from cablebase.archive.db import Db
from cablebase.archive.hints import hints
from cablebase.archive.store import Store, Unsupported, is_dsn, open_store
from cablebase.cli import main
from cablebase.record import Cable, ClassifiedBy, Paragraph, Recipient, Reference, Station
from tests.conftest import STORES
from tests.store_fixtures import _copy_strategy

HASHER = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
TODAY = "2026-11-27"
COMMON = "harbourmaster"  # in every cable, repeated a different number of times
RARE = "lighthouse"  # in a few cables of every level
CLASSES = {0: "UNCLASSIFIED", 1: "CONFIDENTIAL", 2: "SECRET", 3: "TOP SECRET"}
MISSING = "09LEAKVILLE999"  # cited, never stored


def rid(i: int) -> str:
    return f"09LEAKVILLE{100 + i}"


def para_token(i: int, j: int) -> str:
    return f"zzpara{100 + i}x{100 + j}q"


def subject_token(i: int) -> str:
    return f"zzsubj{100 + i}q"


def ref_token(i: int) -> str:
    return f"zzreft{100 + i}q"


# -- the world: cables of every shape the policy distinguishes ------------------------------


@dataclass(frozen=True)
class Spec:
    rank: int | None  # None: classification unknown
    caveats: tuple[str, ...]  # in the caption
    subject_mark: str | None
    marks: tuple[str | None, ...]
    cites: tuple[int | str, ...] = ()
    declassify: str | None = None  # a date
    rule: str | None = None  # the E.O. line's rule (25X1 exempts)
    year: int | None = 2009  # None: undated
    origin: str = "Embassy Leakville"
    signer: str = "QUILL"
    rare: bool = False


SPECS = [
    Spec(0, (), "U", ("U", "U"), cites=(6, 2, MISSING), rare=True),  # 0
    Spec(0, (), "SBU", ("SBU", "U"), origin="Consulate Sievetown"),  # 1
    Spec(1, (), "C", ("C", "U"), cites=(7,)),  # 2
    Spec(1, (), "U", ("C/OC", "U"), origin="Consulate Sievetown"),  # 3: ORCON only in a mark
    Spec(2, (), "U", ("S/NF", "S", "U"), cites=(5,)),  # 4: NOFORN only in a mark
    Spec(2, ("NOFORN",), "C", ("S/NF", "C", "U"), cites=(8,)),  # 5
    Spec(2, (), "S", ("S", "S"), cites=(0, 2, 13, MISSING), rare=True, signer="INKWELL"),  # 6
    Spec(3, (), "S", ("TS", "S", "C"), cites=(2, 14), rare=True),  # 7
    Spec(2, ("NODIS",), "S", ("S", "C"), cites=(4,)),  # 8: a whole-message caveat
    Spec(2, (), "S", ("S", "U"), declassify="2001-06-30"),  # 9: declassified
    Spec(2, (), "S", ("S",), declassify="2001-06-30", rule="25X1"),  # 10: exempt
    Spec(None, (), None, (None, "U")),  # 11: classification unknown
    Spec(1, (), "C", ("C",), declassify="2099-01-01", year=None),  # 12: undated
    Spec(  # 13: only for NOFORN readers; its own origin, signer and year
        2,
        ("NOFORN",),
        "S/NF",
        ("S/NF",),
        cites=(6, 0),
        year=2008,
        origin="Embassy Shadowland",
        signer="SHADOWMAN",
        rare=True,
    ),
    Spec(0, (), "U", ("U",), cites=(13, 16)),  # 14
    Spec(1, (), "C", ("U", "C"), origin="Consulate Sievetown", signer="INKWELL"),  # 15
    Spec(2, ("EXDIS",), "S", ("S", "U"), cites=(0, 6), rare=True),  # 16: EXDIS, cites 0
    Spec(2, (), None, ("S/NF", "U")),  # 17: unmarked subject, NOFORN only in a paragraph mark
]


def make_cable(i: int, s: Spec) -> Cable:
    paragraphs = []
    for j, mark in enumerate(s.marks):
        text = f"Paragraph {para_token(i, j)} of cable {i}."
        if j == 0:  # term frequencies differ from cable to cable (for relevance)
            text = f"The {COMMON} spoke. " * (1 + i % 3) + text
            text += f" The {RARE} keeper." * s.rare
            # An inflection only a hidden cable holds: `keeper` (stemmed) must not find
            # anything more, nor score differently, for a reader who may not see it.
            text += " The keepers met." * (i == 13)
        paragraphs.append(Paragraph(number=j + 1, portion=mark, text=text))
    refs = [
        Reference(
            letter="ABCDEF"[k],
            text=f"{ref_token(i)} {rid(t) if isinstance(t, int) else t}",
            kind="cable",
            id=rid(t) if isinstance(t, int) else t,
        )
        for k, t in enumerate(s.cites)
    ]
    created = None if s.year is None else f"{s.year}-{1 + i % 9:02d}-{10 + i:02d}T10:00:00Z"
    post = s.origin.split()[-1].upper()
    # Header lines (searched by from:/to:/sender:/addressee:/info:): the hidden cable 13
    # alone is sent to a collective and carries a person tag of its own.
    info = "SHADOW COLLECTIVE" if i == 13 else f"AMCONSUL {post}"
    return Cable(
        sender=f"AMEMBASSY {post}",
        station=Station(route=f"RUEH{post[:2]}", serial=f"{i:04d}"),
        recipients=[
            Recipient(role="to", route="RUEHC", name="SECSTATE WASHDC"),
            Recipient(role="info", name=info, collective=i == 13),
        ],
        classified_by=ClassifiedBy(text="", name=f"Deputy {s.signer.title()}"),
        reference_id=rid(i),
        created=created,
        origin=s.origin,
        post=s.origin.split()[-1].upper(),
        classification=None if s.rank is None else CLASSES[s.rank],
        handling=[*s.caveats, "SIPDIS"],
        tags=["PREL", f"ZT{100 + i}"] + ["OVIP", "UMBRA, NOCTIS"] * (i == 13),
        subject=f"{s.origin.split()[-1].upper()}: TALKS ON {subject_token(i)} {COMMON}",
        subject_portion=s.subject_mark,
        declassify_on=s.declassify,
        declassify_rule=s.rule,
        references=refs,
        paragraphs=paragraphs,
        signers=[s.signer],
        # Published on two dates: the hidden cable 13 alone on the second.
        released="2011-01-02T00:00:00Z" if i == 13 else "2010-11-28T00:00:00Z" if i % 2 else None,
    )


@dataclass(frozen=True)
class Reader:
    name: str | None  # None: anonymous
    rank: int = 0
    caveats: tuple[str, ...] = ()
    role: str = "reader"


READERS = [
    Reader(None),
    Reader("unclas", 0),
    Reader("conf", 1),
    Reader("secret", 2),
    Reader("noforn", 2, ("NOFORN",)),
    Reader("orcon", 2, ("NOFORN", "ORCON", "NODIS")),
    Reader("admin", 0, (), "admin"),
    Reader("all", 3, ("NOFORN", "NODIS", "EXDIS", "LIMDIS", "STADIS", "ORCON", "PROPIN", "SPECAT")),
]


def viewer(r: Reader) -> Viewer:
    if r.name is None:
        from cablebase.access.policy import ANONYMOUS

        return ANONYMOUS
    return Viewer(r.name, r.role, r.rank, caveat_bits(r.caveats))


def store_world(path: Path | str, indexes: list[int], portions: bool = True) -> None:
    """An archive of the cables `indexes` (in this order: ingest order breaks relevance ties)
    with every reader's account, under a controlled policy (`portions`: partial views), and
    their deliveries."""
    with open_store(path) as store:
        store.put_many([make_cable(i, SPECS[i]) for i in indexes])
        set_policy(store.conn, Policy("controlled", portions))
        accounts = Accounts(store.conn, hasher=HASHER)
        for r in READERS:
            if r.name is not None:
                accounts.add_user(r.name, PASSWORD, r.role, r.rank, r.caveats)
        dispatch_world(store, indexes)


DISPATCHED = 1_600_000_000.0  # when the world's cables were released (a fixed clock)


def dispatch_world(store: Store, indexes: list[int]) -> None:
    """Deliveries of the cables `indexes` (issue 15), on a fixed clock: FLASH, IMMEDIATE and
    ROUTINE ones, some acknowledged, some never delivered (late), the unknown addressees dead
    letters; inboxes, counts and the status page must answer as the oracle's."""
    from dataclasses import replace

    from cablebase.dispatch.outbox import enqueue
    from cablebase.dispatch.queue import Queue
    from cablebase.dispatch.worker import Worker

    precedences = ("FLASH", "IMMEDIATE", None)
    queue = Queue(store.conn, clock=lambda: DISPATCHED + 3600)
    for late in (False, True):
        with Db.of(store.conn).transaction():
            for i in indexes:
                if (i % 5 == 4) == late:
                    cable = replace(make_cable(i, SPECS[i]), precedence=precedences[i % 3])
                    enqueue(store.conn, cable, released=DISPATCHED + i)
        if not late:
            Worker(store, queue=queue).run(until_empty=True, escalate_every=1e9)
    for i in indexes:
        if i % 6 == 0:
            queue.mark(rid(i), "SECSTATE", ack=True, who="all")
    # the FLASH cables left unacknowledged escalate to the roster (the status page lists them)
    later = Queue(store.conn, clock=lambda: DISPATCHED + 99_999)
    later.set_roster("SECSTATE", ["watch officer"])
    later.escalate()


def access(r: Reader, portions: bool = True) -> Access:
    return Access(Policy("controlled", portions), viewer(r), TODAY)


@dataclass
class World:
    main: Path | str  # a SQLite file or a PostgreSQL archive's URL
    oracles: dict[Reader, Path | str]  # reader -> the archive of what they see
    seen: dict[Reader, set[int]]
    # Makes the location of a new empty archive of the world's store (name -> location).
    new: Callable[[str], Path | str] = lambda name: Path(name)
    # A copy of a PostgreSQL archive no one is connected to (location -> location), and
    # copies of the world's archives as built, never opened (location -> its copy).
    copy: Callable[[str], str] | None = None
    pristine: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def pg(self) -> bool:
        return is_dsn(self.main)


def build_world(
    tmp: Path,
    portions: bool,
    new: Callable[[str], Path | str] | None = None,
    copy: Callable[[str], str] | None = None,
) -> World:
    """The world in SQLite files under `tmp`, or in the archives `new(name)` makes (and, for
    the commands and routes compared on PostgreSQL, `copy(location)` copies: see fresh())."""
    new = new or (lambda name: tmp / f"{name}.db")
    main_path = new("main")
    store_world(main_path, list(range(len(SPECS))), portions)
    seen: dict[Reader, set[int]] = {}
    oracles: dict[Reader, Path | str] = {}
    with Archive.open(main_path) as a:
        for r in READERS:
            ar = a.with_access(access(r, portions))
            seen[r] = {i for i in range(len(SPECS)) if ar.decision(rid(i)) != "none"}
    for k, r in enumerate(READERS):
        oracles[r] = new(f"oracle{k}")
        store_world(oracles[r], sorted(seen[r]), portions)
    pristine = {}
    sampled = {oracles[r] for r in PG_READERS}
    for path in (main_path, *oracles.values()):  # see fresh()
        if isinstance(path, Path):
            shutil.copy(path, path.with_suffix(".pristine"))
        elif copy is not None and (path == main_path or path in sampled):
            pristine[path] = copy(path)
    return World(main_path, oracles, seen, new, copy, pristine)


def _worlds(
    request: pytest.FixtureRequest, tmp: Path, portions: bool, copies: bool
) -> Iterator[World]:
    """A world on the parameter's store: SQLite files, or PostgreSQL databases dropped after
    the module (`copies`: with the pristine copies fresh() takes its copies from)."""
    if request.param == "sqlite":
        yield build_world(tmp, portions)
        return
    import psycopg

    from tests import pg_server
    from tests.conftest import _databases

    server = request.getfixturevalue("pg_server_dsn")
    empty = request.getfixturevalue("_pg_template")  # an empty archive, migrated once
    made: list[str] = []

    def new(name: str, template: str = empty) -> str:
        db = f"oracle_{next(_databases)}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {db} TEMPLATE {template}{_copy_strategy(conn)}")
        made.append(db)
        return pg_server.url(server.replace(f"dbname={pg_server.DATABASE}", f"dbname={db}"))

    def copy(location: str) -> str:  # nobody may be connected to `location` meanwhile
        return new("copy", location.rsplit("/", 1)[-1])

    try:
        yield build_world(tmp, portions, new, copy if copies else None)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            for db in made:
                conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


@pytest.fixture(scope="module", params=STORES)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    yield from _worlds(request, tmp_path_factory.mktemp("oracle"), portions=True, copies=True)


@pytest.fixture(scope="module", params=STORES)
def whole_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The same cables under a policy without partial views (whole cables only)."""
    yield from _worlds(
        request, tmp_path_factory.mktemp("oracle-whole"), portions=False, copies=False
    )


# On PostgreSQL the whole comparison costs about a minute per reader (every field's every
# form, each answer): readers of each kind of view stand for the rest there (the public
# profile, partial views under caveats, an admin cleared for UNCLASSIFIED; whole cables only
# under NODIS).  SQLite compares every reader.
PG_READERS = {READERS[0], READERS[4], READERS[6]}
PG_WHOLE_READERS = {READERS[0], READERS[5]}


def pg_sample(world: World, reader: Reader, sample: set[Reader]) -> None:
    if world.pg and reader not in sample:
        pytest.skip("PostgreSQL compares a sample of the readers (PG_READERS)")


def ask(fn: Callable[..., object], *args: object, **kw: object) -> object:
    """An answer, or "unsupported" from a store that lacks it yet (both sides alike)."""
    try:
        return fn(*args, **kw)
    except Unsupported:
        return "unsupported"


def fresh(world: World, reader: Reader, tmp: Path) -> tuple[Path | str, Path | str]:
    """Copies of the archive and the reader's oracle as built (commands and requests write
    sessions, tokens, audit entries and login throttling: each test starts from the same):
    SQLite files in `tmp`, or PostgreSQL databases made from the world's (dropped with it)."""
    main_copy: Path | str
    oracle_copy: Path | str
    if world.pg:
        assert world.copy is not None
        main_copy = world.copy(world.pristine[str(world.main)])
        oracle_copy = world.copy(world.pristine[str(world.oracles[reader])])
    else:
        main_copy, oracle_copy = tmp / "main.db", tmp / "oracle.db"
        shutil.copy(world.main.with_suffix(".pristine"), main_copy)
        shutil.copy(world.oracles[reader].with_suffix(".pristine"), oracle_copy)
    # Another reader's history in the audit log: reads of every cable each archive holds (an
    # administrator's audit pages must show the oracle's, those of the cables they see).
    from cablebase.access import audit

    for path, held in ((main_copy, range(len(SPECS))), (oracle_copy, sorted(world.seen[reader]))):
        with open_store(path) as store:
            for i in held:
                audit.record(store.conn, "all", "read", rid(i), "page")
    return main_copy, oracle_copy


def test_world_has_every_shape(world: World) -> None:
    """Each limited reader has cables hidden from them, and some seen; the hidden cables are
    named by the visible ones (citations both ways)."""
    for r in READERS[:-1]:
        assert world.seen[r] and len(world.seen[r]) < len(SPECS), r
        hidden = set(range(len(SPECS))) - world.seen[r]
        cited = {t for i in world.seen[r] for t in SPECS[i].cites}
        citing = {i for h in hidden for i in SPECS[h].cites}
        assert cited & hidden and citing & world.seen[r], r
    assert world.seen[READERS[-1]] == set(range(len(SPECS)))


# -- the query language, enumerated -------------------------------------------------------

# Every field: values only hidden cables have (for most readers) and values visible ones have.
FIELD_CASES: dict[str, list[str]] = {
    "id": [rid(13), rid(6), rid(0), MISSING, "09LEAKVILLE11*", "09leakville10*"],
    "origin": ["shadowland", "leakville", '"consulate sievetown"', "shadow*"],
    "tag": ["ZT113", "ZT106", "PREL", "zt11*", '"UMBRA, NOCTIS"', "ovip*"],
    "class": [
        "secret",
        "top_secret",
        "unclassified",
        ">=confidential",
        "<secret",
        "<=c",
        ">u",
        "lou",
    ],
    "handling": ["nodis", "noforn", "sipdis", "orcon"],
    "subject": [subject_token(13), subject_token(0), "talks", '"talks on"', "zzsubj11*"],
    "signer": ["shadowman", "quill", "inkwell"],
    "classifiedby": ["shadowman", '"deputy quill"', "deputy", "deputyinkwell"],
    "person": ["shadowman", "quill", "umbra", '"umbra noctis"', "deputy"],
    "sender": ["shadowland", '"amembassy leakville"', "ruehsh", "amembassy"],
    "addressee": ["secstate", '"shadow collective"', "shadowcollective", "sievetown"],
    "info": ["collective", "amconsul", "secstate", "ruehc"],
    "from": ["2009-05", "2008", "2009-03-15", "shadowland", "leakville", "ruehsh"],
    "to": ["2008-12", "2009-03-15", "2009", "shadow_collective", "secstate"],
    "date": ["2008", "2008-05-23", "2009-03..2009-06", ">=2009-05", "<2009", "..2008-06"],
    "month": ["2008-05", "2009-01..2009-04", ">2008-05", "<=2009-02"],
    "year": ["2008", "2009", "2008..2009", ">=2009", "<2009"],
    "cites": [rid(6), rid(13), rid(2), MISSING, rid(7)],
    "citedby": [rid(6), rid(13), rid(0), rid(7), rid(4), MISSING],
    "released": ["2010-11", "2011-01-02", "2010..2011"],
}
# Every lexer token kind and keyword, each with queries that use it.
OPERATOR_CASES: dict[str, list[str]] = {
    "word": [COMMON, RARE, para_token(13, 0), para_token(4, 0), "keeper", "keepers"],
    "phrase": [f'"the {COMMON}"', f'"{RARE} keeper"', f'"{COMMON} spoke"*'],
    "field": ["tag:PREL", f"citedby:{rid(6)} {COMMON}"],
    "lparen": [f"({RARE} OR tag:ZT113) -class:u"],
    "rparen": [f"(citedby:{rid(6)} OR {RARE})"],
    "minus": [f"-{RARE}", f"{COMMON} -citedby:{rid(13)}", f"-cites:{rid(6)}"],
    "AND": [f"{COMMON} AND {RARE}", f"citedby:{rid(13)} AND {COMMON}"],
    "&&": [f"{RARE} && tag:PREL"],
    "OR": [f"{RARE} OR spoke", f"citedby:{rid(6)} OR citedby:{rid(0)}"],
    "||": [f"{RARE} || {para_token(6, 0)}"],
    "NOT": [f"NOT {RARE}", f"NOT citedby:{rid(6)}", f"{COMMON} NOT {RARE}"],
    "*": ["harbour*", "zzpara11*", "lightho*"],
}
FORMS = ("{}", f"{COMMON} {{}}", f"{RARE} OR {{}}", "-{}")


def lexer_kinds() -> set[str]:
    """The token kinds and keywords of query.py's lexer."""
    groups = {g for g in Q._TOKEN.groupindex if g not in ("space",)}
    top = {g for g in groups if not re.fullmatch(r"p(text|end|star)|f(name|op|val)", g)}
    return top | set(Q.KEYWORDS) | {"*"}


def test_every_operator_and_field_has_a_case() -> None:
    assert set(FIELD_CASES) == set(Q.FIELDS), "a field of query.py without a leak case"
    assert set(OPERATOR_CASES) == lexer_kinds(), "an operator of query.py without a leak case"
    assert set(Q.NAMES_CABLE) <= set(Q.FIELDS)


def queries() -> list[str]:
    out = [""]
    for name, values in FIELD_CASES.items():
        for v in values:
            out += [form.format(f"{name}:{v}") for form in FORMS]
    for cases in OPERATOR_CASES.values():
        out += cases
    return out


def hits(a: Archive, q: str, **kw) -> list[tuple]:
    return [
        (h.reference_id, h.created, h.origin, h.classification, h.subject, h.score, h.snippet)
        for h in a.search(q, **kw)
    ]


def answers(a: Archive, q: str, full: bool) -> Iterator[tuple[str, object]]:
    """Every answer of the library to a query (`full`: the costlier ones too)."""
    yield "relevance", hits(a, q, snippets=True)
    yield "date", hits(a, q, sort="date")
    yield "count", a.count(q)
    yield "facets", a.facets(q, top=None)
    # values that match nothing, with the near values (archive/hints.py): from visible cables
    yield "hints", ask(lambda: [h.to_dict() for h in hints(a, q)])
    if full:
        yield "-date", hits(a, q, sort="-date", snippets=True)
        yield "page", hits(a, q, limit=2, offset=1)
        yield "records", [c.reference_id for c in a.records(q)]


def per_cable(a: Archive) -> Iterator[tuple[str, object]]:
    for i in [*range(len(SPECS)), MISSING]:
        r = rid(i) if isinstance(i, int) else i
        yield f"get {r}", a.get(r)
        yield f"decision {r}", a.decision(r)
        yield f"cites {r}", a.cites(r)
        yield f"cited_by {r}", a.cited_by(r)
        yield f"versions {r}", a.versions(r)
        from cablebase.archive.browse import neighbourhood, prev_next

        yield f"neighbourhood {r}", ask(neighbourhood, a, r)
        yield f"prev_next {r}", ask(prev_next, a, r)


def graph_text(a: Archive, q: str, fmt: str) -> str:
    out = io.BytesIO()
    a.graph(q, fmt, out)
    return out.getvalue().decode()


def whole_archive(a: Archive, q: str) -> Iterator[tuple[str, object]]:
    from cablebase.archive import browse

    # Every export shape (a CSV without text loads records without their paragraphs).
    for fmt, text in (("jsonl", False), ("csv", True), ("csv", False)):
        out = io.BytesIO()
        a.export(q, fmt, out, text=text) if fmt == "csv" else a.export(q, fmt, out)
        yield f"export {fmt} text={text}", out.getvalue().decode()
    for fmt in ("graphml", "gexf"):
        yield f"graph {fmt}", ask(graph_text, a, q, fmt)
    if q == "":
        yield "stats", ask(a.stats)
        yield "unresolved", ask(lambda: list(a.unresolved()))
        for name in ("posts", "tags", "months", "month_class", "totals", "references"):
            yield name, ask(getattr(browse, name), a)
        yield "post_months", ask(browse.post_months, a, "Embassy Leakville")
        yield "month_days", ask(browse.month_days, a, "2009-05")
        from cablebase.archive import people

        yield "people", ask(people.index, a)
        for key in ("SHADOWMAN", "DEPUTY SHADOWMAN", "NOCTIS UMBRA", "QUILL", "INKWELL"):
            yield f"person {key}", ask(people.person, a, key)
        for origin in ("Embassy Leakville", "Embassy Shadowland", "Consulate Sievetown"):
            yield f"correspondents {origin}", ask(browse.correspondents, a, origin)
    yield "name facets", people_facets(a, q)


def people_facets(a: Archive, q: str) -> object:
    from cablebase.archive import people

    try:
        return people.facets(a, a.parse(q), top=None)
    except Q.QueryError as e:
        return str(e)
    except Unsupported:
        return "unsupported"


MALFORMED = [f"citedby:{rid(13)} (", "bogus:field", f"cites:{rid(13)}*", 'id:"', "class:secretish"]


def library(a: Archive, qs: list[str], full: bool) -> Iterator[tuple[str, object]]:
    for q in qs:
        for name, value in answers(a, q, full):
            yield f"{name} {q!r}", value
    for q in MALFORMED:  # errors: the same message, the same position
        try:
            yield f"error {q!r}", a.count(q)
        except Q.QueryError as exc:
            yield f"error {q!r}", (str(exc), exc.position)
    yield from per_cable(a)
    for q in ("", f"citedby:{rid(6)}", f"cites:{rid(13)}", f"id:{rid(13)}", RARE):
        for name, value in whole_archive(a, q):
            yield f"{name} {q!r}", value


def compare(got: Iterator[tuple[str, object]], want: Iterator[tuple[str, object]], who) -> None:
    for (name, g), (_, w) in zip(got, want, strict=True):
        assert g == w, f"{who}: {name}\n  archive: {g!r}\n  oracle:  {w!r}"


# The archive under two sets of planner thresholds: the defaults, and thresholds so low that
# every query takes the plans of broad queries (date-index walks, two-tier relevance, probes).
PLANS = ({}, {"small": 2, "broad": 2})


@pytest.mark.parametrize("plan", PLANS, ids=["default-plans", "broad-plans"])
@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.name or "anonymous")
def test_library_answers_as_the_oracle(world: World, reader: Reader, plan: dict) -> None:
    if plan and world.pg:
        pytest.skip("SQLite's planner thresholds: PostgreSQL's planner has none")
    pg_sample(world, reader, PG_READERS)
    qs = queries()
    with (
        Archive.open(world.main, **plan) as main_a,
        Archive.open(world.oracles[reader], **plan) as oracle_a,
    ):
        a = main_a.with_access(access(reader))
        o = oracle_a.with_access(access(reader))
        compare(library(a, qs, not plan), library(o, qs, not plan), reader)


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.name or "anonymous")
def test_library_without_portions(whole_world: World, reader: Reader) -> None:
    """Under a policy of whole cables only, partly readable cables are hidden too."""
    pg_sample(whole_world, reader, PG_WHOLE_READERS)
    qs = queries()
    with Archive.open(whole_world.main) as m, Archive.open(whole_world.oracles[reader]) as o:
        a, b = m.with_access(access(reader, False)), o.with_access(access(reader, False))
        compare(library(a, qs, False), library(b, qs, False), reader)


def test_scores_do_not_count_hidden_cables(world: World) -> None:
    """The side channel the oracle comparison closes, stated on its own: adding cables the
    reader may not see that contain the query's words changes no score."""
    reader = READERS[1]
    with Archive.open(world.main) as main_a, Archive.open(world.oracles[reader]) as oracle_a:
        a, o = main_a.with_access(access(reader)), oracle_a.with_access(access(reader))
        for q in (COMMON, RARE, f"{COMMON} {RARE}", f"{RARE} OR tag:PREL"):
            got = [(h.reference_id, h.score) for h in a.search(q)]
            assert any(s is not None for _, s in got), q
            assert got == [(h.reference_id, h.score) for h in o.search(q)], q


# -- the per-paragraph judgement, on its own terms ----------------------------------------

PORTION_RANK = {"U": 0, "SBU": 0, "C": 1, "S": 2, "TS": 3}
PORTION_CAVEATS = {"NF": "NOFORN", "OC": "ORCON"}
WHOLE_MESSAGE = {"NODIS", "EXDIS", "LIMDIS", "STADIS", "SPECAT"}


def portion_cleared(r: Reader, s: Spec, mark: str | None) -> bool:
    """docs/access.md: a marked portion needs its own level and the caveats written in its
    mark, plus the cable's whole-message caveats; an unmarked one the cable's requirement:
    its caption's caveats and every caveat a portion mark states."""
    if mark is None:
        rank, cav = s.rank, set(s.caveats)
        for m in (s.subject_mark, *s.marks):
            cav |= {PORTION_CAVEATS[p] for p in (m or "").split("/")[1:] if p in PORTION_CAVEATS}
    else:
        head, *rest = mark.split("/")
        rank = PORTION_RANK[head]
        cav = {c for c in s.caveats if c in WHOLE_MESSAGE}
        cav |= {PORTION_CAVEATS[p] for p in rest if p in PORTION_CAVEATS}
    # Anonymous: at most what an UNCLASSIFIED reader without caveats reads (the public profile
    # is the policy's to decide, never more than that).
    return rank is not None and rank <= r.rank and cav <= set(r.caveats)


def forbidden(r: Reader, seen: set[int]) -> set[str]:
    """Tokens the reader must never meet: everything of a cable hidden from them; of the
    others, the portions they are not cleared for, unless the cable is declassified."""
    out: set[str] = set()
    for i, s in enumerate(SPECS):
        if i not in seen:
            out |= {para_token(i, j) for j in range(len(s.marks))}
            out |= {subject_token(i), ref_token(i), f"ZT{100 + i}"}
            continue
        if s.declassify and s.declassify < TODAY and not s.rule:
            continue
        if r.rank >= 3 and len(r.caveats) == 8:
            continue
        for j, mark in enumerate(s.marks):
            if not portion_cleared(r, s, mark):
                out.add(para_token(i, j))
        if not portion_cleared(r, s, s.subject_mark):
            out.add(subject_token(i))
        if not all(portion_cleared(r, s, m) for m in (s.subject_mark, *s.marks)):
            out.add(ref_token(i))  # the REF lines of a cable not read whole
    return out


def assert_clean(text: str, bad: set[str], where: str) -> None:
    found = sorted(t for t in bad if t.lower() in text.lower())
    assert not found, f"{where} leaks {found}"


# -- what a partial view withholds, no operator reads -------------------------------------


def view_world(world: World, reader: Reader, tmp: Path) -> Path:
    """An archive holding each cable the reader sees *as they see it*: whole, or the partial
    view (access/policy.view: no Classified By line, withheld portions blanked...)."""
    path = world.new("views") if world.pg else tmp / "views.db"
    with Archive.open(world.main) as main_a:
        a = main_a.with_access(access(reader))
        views = [a.get(rid(i)) for i in sorted(world.seen[reader])]
    with open_store(path) as store:
        store.put_many([v for v in views if v is not None])
        set_policy(store.conn, Policy("controlled", True))
    return path


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.name or "anonymous")
def test_no_operator_reads_what_a_partial_view_withholds(
    world: World, reader: Reader, tmp_path: Path
) -> None:
    """Every field and operator matches a partly read cable only through what the reader's
    view of it shows: `classifiedby:` and `person:` must not find a cable by the Classified By
    line the view leaves out (a reader could learn the classifier by trying names)."""
    with Archive.open(world.main) as m:
        decisions = {m.with_access(access(reader)).decision(rid(i)) for i in world.seen[reader]}
    if "partial" not in decisions:
        pytest.skip("this reader reads every cable they see whole")
    with Archive.open(world.main) as m, Archive.open(view_world(world, reader, tmp_path)) as o:
        a, b = m.with_access(access(reader)), o.with_access(access(reader))
        for q in queries():
            got = sorted(h.reference_id for h in a.search(q, sort="date"))
            want = sorted(h.reference_id for h in b.search(q, sort="date"))
            assert got == want, f"{q!r} as {reader}"
            assert a.count(q) == b.count(q), f"{q!r} as {reader}"
            assert a.facets(q, top=None) == b.facets(q, top=None), f"facets {q!r} as {reader}"
            got_hints = ask(lambda a=a, q=q: [h.to_dict() for h in hints(a, q)])
            want_hints = ask(lambda b=b, q=q: [h.to_dict() for h in hints(b, q)])
            assert got_hints == want_hints, f"hints {q!r} as {reader}"
        # Exports, graphs, statistics, browse lists, people and correspondents.
        compare(whole_archive(a, ""), whole_archive(b, ""), reader)


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.name or "anonymous")
def test_no_paragraph_beyond_its_mark(world: World, reader: Reader) -> None:
    """(S/NF) and (C/OC) paragraphs of cables whose caption lacks the caveat, and every other
    portion, reach only readers cleared for their mark: on every library read path."""
    bad = forbidden(reader, world.seen[reader])
    with Archive.open(world.main) as main_a:
        a = main_a.with_access(access(reader))
        qs = ["", COMMON, RARE, "tag:PREL", *(para_token(i, 0) for i in range(len(SPECS)))]
        for name, value in library(a, qs, True):
            assert_clean(repr(value), bad, f"{name} as {reader}")


# -- the command line -----------------------------------------------------------------------

CLI_QUERIES = [
    f"citedby:{rid(6)}",
    f"citedby:{rid(13)}",
    f"cites:{rid(6)}",
    f"id:{rid(13)}",
    COMMON,
    f"{RARE} OR tag:ZT113",
]
CLI_COMMANDS: list[Callable[[str], list[str]]] = [
    lambda q: ["search", q, "--json"],
    lambda q: ["search", q, "--json", "--facets", "--sort", "date"],
    lambda q: ["search", q, "--count"],
    lambda q: ["export", q, "--to", "csv", "--text"],
    lambda q: ["graph", q],
]


def cli_token(path: Path | str, name: str) -> str:
    with open_store(path) as store:
        return Accounts(store.conn, hasher=HASHER).create_token(name, "cli")


@pytest.mark.parametrize("reader", READERS[:5], ids=lambda r: r.name or "anonymous")
def test_cli_answers_as_the_oracle(world: World, reader: Reader, tmp_path: Path) -> None:
    pg_sample(world, reader, PG_READERS)
    runner = CliRunner()
    outs = []
    for path in fresh(world, reader, tmp_path):
        who = [] if reader.name is None else ["--token", cli_token(path, reader.name)]
        got = []
        for q in CLI_QUERIES:
            for cmd in CLI_COMMANDS:
                res = runner.invoke(main, [*cmd(q), "--archive", str(path), *who])
                got.append((cmd(q), res.exit_code, res.output))
        for i in (6, 13, 0, 4):
            res = runner.invoke(main, ["show", rid(i), "--archive", str(path), *who])
            got.append((["show", rid(i)], res.exit_code, res.output))
        outs.append(got)
    bad = forbidden(reader, world.seen[reader])
    for g, w in zip(*outs, strict=True):
        assert g == w, f"cablebase {' '.join(g[0])} as {reader}"
        assert_clean(g[2], {t for t in bad if t.lower() not in " ".join(g[0]).lower()}, g[0])


# -- the reading room: every route, from the app ---------------------------------------------

# Values of path parameters: hidden, visible and missing cables, posts, months...
PATH_VALUES: dict[str, list[str]] = {
    "reference_id": [rid(13), rid(6), rid(4), rid(0), rid(2), MISSING, "not-an-id"],
    "post": [quote("Embassy Shadowland"), quote("Embassy Leakville"), "SHADOWLAND"],
    "month": ["2008-05", "2009-05", "2009-13"],
    "release_id": ["1", "99"],
    "name": ["noforn", "nobody"],
    "action": ["disable", "revoke"],
    "label": ["nothing"],
    "what": ["posts", "tags", "months", "nothing"],  # /browse/{what}.{fmt}: the lists' twins
    # /person/{person}: signers, classifiers, a person tag of the hidden cable 13 alone, a
    # name spelled otherwise (redirected), nobody
    "person": [
        "SHADOWMAN",
        quote("DEPUTY SHADOWMAN"),
        quote("NOCTIS UMBRA"),
        quote("UMBRA, NOCTIS"),
        "QUILL",
        quote("DEPUTY INKWELL"),
        "INKWELL",
        "nobody",
    ],
    "fmt": ["json", "csv", "xml"],
    # /inbox/{addressee} (issue 15): the office every cable goes to, typed two ways, an
    # unknown addressee (dead letters), nobody
    "addressee": ["SECSTATE", quote("secstate washdc"), "LEAKVILLE", "nobody"],
    # /drafts/{draft_id} (issue 14): the world holds no draft (a draft is no cable): every
    # reader gets the same "no draft" as the oracle, an anonymous one the login page
    "draft_id": ["1", "99", "x"],
}
ORACLE_QUERIES = [
    "",
    f"citedby:{rid(6)}",
    f"citedby:{rid(13)}",
    f"cites:{rid(13)}",
    f"id:{rid(13)}",
    "origin:shadowland",
    "signer:shadowman",
    "person:umbra",
    "from:shadowland",
    "to:shadowcollective",
    "tag:ZT106",
    COMMON,
    RARE,
    f"{RARE} OR tag:PREL",
    "year:2008",
    "handling:nodis",
    "bad:field",
]
# Values of query parameters, each varied in turn (the others at their defaults).
QUERY_VALUES: dict[str, list[str]] = {
    "q": ORACLE_QUERIES,
    "sort": ["date", "-date", "relevance", "id", "bogus"],
    "page": ["2", "0"],
    "per_page": ["2"],
    "per": ["2", "0"],
    "more": ["origin", "tag", "handling", "person", "addressee", "bogus"],
    "facets": ["false"],
    "snippets": ["false"],
    "format": ["csv", "gexf", "jsonl", "graphml"],
    "text": ["true"],
    "unresolved": ["false"],
    "hops": ["1", "2"],
    "order": ["name"],
    "user": ["noforn"],
    "action": ["read"],
    "since": ["2000-01-01"],
    "cable": [rid(13), rid(4), rid(0), MISSING],
    "status": ["draft", "reviewed", "published", "withdrawn", "bogus"],
    "next": [f"/cable/{rid(13)}"],
    "version": ["1", "2", "0"],  # a cable's versions (issue 11); none here has two
}
# Every route of the app, declared: (method, path).  A route added without a case fails
# test_every_route_has_a_case.  POST routes are asked with a form lacking its CSRF token
# (and for logins, wrong credentials): their refusals must match the oracle's too.
ROUTES = {
    ("GET", "/api/search"),
    ("GET", "/api/cables/{reference_id}"),
    ("GET", "/api/cables/{reference_id}/references"),
    ("GET", "/api/cables/{reference_id}/telegram"),
    ("GET", "/api/cables/{reference_id}/markdown"),
    ("GET", "/api/stats"),
    ("GET", "/api/health"),
    ("GET", "/api/docs"),
    ("GET", "/api/export"),
    ("GET", "/api/graph"),
    ("POST", "/api/login"),
    ("POST", "/api/logout"),
    ("GET", "/api/me"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/admin"),
    ("GET", "/admin/users"),
    ("POST", "/admin/users"),
    ("POST", "/admin/users/{name}/{action}"),
    ("GET", "/admin/audit"),
    ("GET", "/admin/audit/export"),
    ("GET", "/releases"),
    ("GET", "/declassify"),
    ("POST", "/declassify"),
    ("GET", "/releases/new"),
    ("POST", "/releases/new"),
    ("GET", "/releases/{release_id}"),
    ("POST", "/releases/{release_id}/{action}"),
    ("GET", "/account"),
    ("POST", "/account/password"),
    ("POST", "/account/tokens"),
    ("POST", "/account/tokens/{label}/revoke"),
    ("GET", "/"),
    ("GET", "/search"),
    ("GET", "/cable/{reference_id}"),
    ("GET", "/cable/{reference_id}/telegram"),
    ("GET", "/cable/{reference_id}/graph"),
    ("GET", "/browse"),
    ("GET", "/browse/posts"),
    ("GET", "/browse/posts/{post}"),
    ("GET", "/browse/tags"),
    ("GET", "/browse/months"),
    ("GET", "/browse/months/{month}"),
    ("GET", "/stats"),
    ("GET", "/about"),
    # the .json/.csv twins of pages (Datasette's convention)
    ("GET", "/search.json"),
    ("GET", "/search.csv"),
    ("GET", "/cable/{reference_id}.json"),
    ("GET", "/cable/{reference_id}.csv"),
    ("GET", "/browse/{what}.{fmt}"),
    ("GET", "/stats.json"),
    # people and posts (web/people_pages.py), with their twins
    ("GET", "/browse/people"),
    ("GET", "/browse/people.{fmt}"),
    ("GET", "/person/{person}"),
    ("GET", "/person/{person}.{fmt}"),
    ("GET", "/browse/posts/{post}.{fmt}"),
    # dispatch (web/dispatch_pages.py): inboxes, acknowledgement, status
    ("GET", "/inbox/{addressee}"),
    ("GET", "/api/inbox/{addressee}"),
    ("POST", "/inbox/{addressee}/{reference_id}/ack"),
    ("POST", "/inbox/{addressee}/{reference_id}/read"),
    ("POST", "/api/inbox/{addressee}/{reference_id}/ack"),
    ("GET", "/dispatch"),
    ("GET", "/api/dispatch"),
    # the drafting desk (web/drafting_pages.py): compose, queue, release, and the API
    ("GET", "/drafts"),
    ("GET", "/drafts/queue"),
    ("GET", "/drafts/new"),
    ("POST", "/drafts/new"),
    ("GET", "/drafts/{draft_id}"),
    ("POST", "/drafts/{draft_id}/{action}"),
    ("POST", "/api/drafts/check"),
    ("GET", "/api/drafts"),
    ("GET", "/api/drafts/queue"),
    ("POST", "/api/drafts"),
    ("GET", "/api/drafts/{draft_id}"),
    ("POST", "/api/drafts/{draft_id}"),
    ("POST", "/api/drafts/{draft_id}/submit"),
    ("POST", "/api/drafts/{draft_id}/recall"),
    ("POST", "/api/drafts/{draft_id}/clear"),
    ("POST", "/api/drafts/{draft_id}/release"),
}


def app_routes(app) -> dict[tuple[str, str], list[str]]:  # type: ignore[no-untyped-def]
    """(method, path) -> the names of its query parameters, for every route of the app."""
    from fastapi.routing import APIRoute

    def walk(routes):  # type: ignore[no-untyped-def]
        for route in routes:
            inner = getattr(route, "original_router", None)  # an included router
            if inner is not None:
                yield from walk(inner.routes)
            elif isinstance(route, APIRoute):
                yield route

    out = {}
    for route in walk(app.routes):
        path = route.path.replace(":path}", "}")
        params = [p.name for p in route.dependant.query_params]
        for method in route.methods:
            out[(method, path)] = params
    return out


def make_app(path: Path | str):  # type: ignore[no-untyped-def]
    from cablebase.web.app import create_app

    return create_app(path, hasher=HASHER)


def test_every_route_has_a_case(world: World) -> None:
    app = make_app(world.main)
    routes = app_routes(app)
    assert set(routes) == ROUTES, "a route without a leak case (or a case without a route)"
    params = {p for ps in routes.values() for p in ps}
    assert params <= set(QUERY_VALUES), (
        f"query parameters without values: {params - set(QUERY_VALUES)}"
    )
    documented = app.openapi()["paths"]
    for path, ops in documented.items():
        for method, op in ops.items():
            assert (method.upper(), path) in ROUTES, (method, path)
            for p in op.get("parameters", []):
                values = PATH_VALUES if p["in"] == "path" else QUERY_VALUES
                assert p["name"] in values, (path, p["name"])


def requests_of(routes: dict[tuple[str, str], list[str]]) -> list[tuple[str, str]]:
    """(method, url) for every route: each path parameter filled with each of its values, each
    query parameter varied in turn."""
    out = []
    for (method, path), params in sorted(routes.items()):
        paths = [path]
        for name, values in PATH_VALUES.items():
            if "{" + name + "}" in path:
                paths = [p.replace("{" + name + "}", v) for p in paths for v in values]
        for p in paths:
            out.append((method, p))
            if method != "GET":
                continue
            for name in params:
                assert name in QUERY_VALUES, f"no values for the parameter {name!r} of {path}"
                for v in QUERY_VALUES[name]:
                    out.append((method, f"{p}?{name}={quote(v)}"))
                    if name == "q" and "page" in params:
                        out.append((method, f"{p}?q={quote(v)}&sort=date&per_page=2&page=2"))
    return out


# Parts of an answer that differ between any two archives or sessions, whatever they hold.
_VOLATILE = [
    (re.compile(r'name="csrf" value="[^"]*"'), 'name="csrf" value=""'),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?"), "<time>"),
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?"), "<time>"),
    (re.compile(r"\b\d{8}-\d{6}\b"), "<time>"),  # in file names
    # Audit entries' serial numbers (the oracle's log holds fewer entries of other readers).
    (re.compile(r"(?m)^\d+,(?=<time>)"), "<id>,"),
    (re.compile(r'"id":\s*\d+'), '"id": <id>'),
]
# Headers that differ between any two servers or sessions (the rest are compared).
VOLATILE_HEADERS = {"date", "set-cookie", "server"}


def normalised(res, paths: tuple[str, str]) -> tuple:  # type: ignore[no-untyped-def]
    def fixed(text: str) -> str:
        for path in paths:
            text = text.replace(path, "<archive>")
        for pattern, repl in _VOLATILE:
            text = pattern.sub(repl, text)
        return text

    headers = {h: fixed(v) for h, v in res.headers.items() if h not in VOLATILE_HEADERS}
    return res.status_code, headers, fixed(res.text)


def difference(got: tuple, want: tuple) -> str:
    """Where an answer differs from the oracle's: status, a header, or the body's first
    differing passage."""
    if got[:2] != want[:2]:
        return f"archive {got[:2]}, oracle {want[:2]}"
    a, b = got[2], want[2]
    k = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"archive ...{a[max(0, k - 200) : k + 200]!r}... oracle ...{b[max(0, k - 200) : k + 200]!r}..."


def http_answers(path: Path | str, reader: Reader, urls: list[tuple[str, str]]) -> list[tuple]:
    from fastapi.testclient import TestClient

    from cablebase.web.auth import SESSION_COOKIE

    session = token = None
    if reader.name is not None:
        with open_store(path) as store:
            accounts = Accounts(store.conn, hasher=HASHER)
            session = accounts.create_session(reader.name)[0]
            token = accounts.create_token(reader.name, "oracle")
    out = []
    with TestClient(make_app(path), follow_redirects=False) as client:
        for method, url in urls:
            client.cookies.clear()
            headers = {}
            if url.startswith("/api") and token:
                headers["Authorization"] = f"Bearer {token}"
            elif session:
                client.cookies.set(SESSION_COOKIE, session)
            if method == "GET":
                res = client.get(url, headers=headers)
            else:
                data = {"name": "nobody", "password": "wrong password!"}
                if url == "/api/login":
                    res = client.post(url, json=data, headers=headers)
                else:
                    res = client.post(url, data=data, headers=headers)
            assert res.status_code < 500, (method, url, res.status_code)
            out.append(((method, url), res))
    return out


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.name or "anonymous")
def test_http_answers_as_the_oracle(world: World, reader: Reader, tmp_path: Path) -> None:
    pg_sample(world, reader, PG_READERS)
    urls = requests_of(app_routes(make_app(world.main)))
    # Fresh copies: accounts, sessions and login throttling start from the same state.
    main_copy, oracle_copy = fresh(world, reader, tmp_path)
    paths = (str(main_copy), str(oracle_copy))
    got = http_answers(main_copy, reader, urls)
    want = http_answers(oracle_copy, reader, urls)
    bad = forbidden(reader, world.seen[reader])
    asked = " ".join(url for _, url in urls).lower()
    for (where, g), (_, w) in zip(got, want, strict=True):
        gn, wn = normalised(g, paths), normalised(w, paths)
        assert gn == wn, f"{where} as {reader}: {difference(gn, wn)}"
        # A page may repeat what the reader asked (a search box, their own audit entries).
        assert_clean(g.text, {t for t in bad if t.lower() not in asked}, f"{where}")


def test_json_of_api_search_has_no_hidden_counts(world: World) -> None:
    """A smoke check of the oracle itself: citedby: of a hidden cable answers as a missing one."""
    from fastapi.testclient import TestClient

    with TestClient(make_app(world.main)) as client:
        hidden = client.get(f"/api/search?q=citedby:{rid(13)}").json()
        missing = client.get(f"/api/search?q=citedby:{MISSING}").json()
    assert hidden["total"] == missing["total"] == 0
    assert json.dumps(hidden["facets"]) == json.dumps(missing["facets"])
