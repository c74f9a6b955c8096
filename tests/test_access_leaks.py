"""Zero leaks: random readers against random cables, on every read path (library, CLI, HTTP).

Hypothesis writes small archives of cables with random classifications, caveats, portion marks,
declassification dates and references, and readers with random clearances and caveats.  Every
portion carries a token of its own; a reader must never meet a token they are not cleared for,
in any answer: search hits, snippets, counts, facets, statistics, reference lists, graphs,
exports, pages, the API, the command line.

The expectations come from the rules as docs/access.md states them, written again here in a
few lines (`Oracle`), not from the policy module.

Every test runs on a SQLite file and on a PostgreSQL database (`fresh`, tests/access_stores.py).
"""

from __future__ import annotations

import re
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import argon2
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cablebase.access.accounts import Accounts
from cablebase.access.policy import Access, Policy, Viewer, caveat_bits
from cablebase.access.settings import set_policy
from cablebase.archive.api import Archive
from cablebase.archive.store import is_dsn, open_store
from cablebase.cli import main
from cablebase.record import Cable, Paragraph, Reference
from tests.access_stores import empty_pg
from tests.conftest import STORES

HASHER = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
CLASSES = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET")
MARK_RANK = {"U": 0, "SBU": 0, "C": 1, "S": 2, "TS": 3}
MARKS = (None, "U", "SBU", "C", "S", "TS", "C/NF", "S/NF", "SBU/NF", "S/REL NATO")
CAVEATS = ("NOFORN", "NODIS", "EXDIS")  # the ones drawn here
WHOLE_MESSAGE = {"NODIS", "EXDIS"}  # carried by every portion
TODAY = "2026-11-27"
COMMON = "harbourmaster"  # in every cable's first paragraph


def rid(i: int) -> str:
    return f"99LEAKPOST{100 + i}"


def para_token(i: int, j: int) -> str:
    return f"zzpara{100 + i}x{100 + j}q"


def subject_token(i: int) -> str:
    return f"zzsubj{100 + i}q"


def ref_token(i: int) -> str:
    return f"zzreft{100 + i}q"


def tag_of(i: int) -> str:
    return f"ZT{100 + i}"


@dataclass
class Spec:
    rank: int | None
    caveats: frozenset[str]
    subject_mark: str | None
    marks: list[str | None]
    declassify: str | None  # None | "past" | "future"
    exempt: bool
    cites: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Reader:
    rank: int
    caveats: frozenset[str]


# -- the rules of docs/access.md, independently -------------------------------------------


class Oracle:
    def __init__(self, specs: list[Spec]) -> None:
        self.specs = specs

    @staticmethod
    def caveats(spec: Spec) -> set[str]:
        """The cable's caveats: its captions' and its portion marks' (an S/NF paragraph
        makes the cable NOFORN)."""
        marked = any(m and "NF" in m.split("/")[1:] for m in [spec.subject_mark, *spec.marks])
        return set(spec.caveats) | ({"NOFORN"} if marked else set())

    @staticmethod
    def portion(spec: Spec, mark: str | None) -> tuple[int | None, set[str]]:
        if mark is None:
            return spec.rank, Oracle.caveats(spec)
        head, *rest = mark.replace(" ", "").split("/")
        cav = {c for c in spec.caveats if c in WHOLE_MESSAGE}
        if "NF" in rest:
            cav.add("NOFORN")
        return MARK_RANK[head], cav

    @staticmethod
    def cleared(r: Reader, rank: int | None, cav: set[str]) -> bool:
        return rank is not None and rank <= r.rank and cav <= r.caveats

    def decision(self, r: Reader, i: int) -> str:
        s = self.specs[i]
        if s.declassify == "past" and not s.exempt:
            return "full"
        if self.cleared(r, s.rank, self.caveats(s)):
            return "full"
        # Listed partially when a caveat-free portion is within the clearance.
        for mark in [s.subject_mark, *s.marks]:
            rank, cav = self.portion(s, mark)
            if rank is not None and not cav and rank <= r.rank:
                return "partial"
        return "none"

    def forbidden(self, r: Reader) -> set[str]:
        """Tokens this reader must never see."""
        out: set[str] = set()
        for i, s in enumerate(self.specs):
            d = self.decision(r, i)
            if d == "full":
                continue
            out.add(ref_token(i))
            if d == "none":
                out.add(tag_of(i))
            for j, mark in enumerate(s.marks):
                if d == "none" or not self.cleared(r, *self.portion(s, mark)):
                    out.add(para_token(i, j))
            if d == "none" or not self.cleared(r, *self.portion(s, s.subject_mark)):
                out.add(subject_token(i))
        return out

    def forbidden_under(self, r: Reader, portions: bool) -> set[str]:
        """`forbidden`, and without portion-level reading every partly readable cable too."""
        out = self.forbidden(r)
        if not portions:
            out |= {
                tok
                for i, s in enumerate(self.specs)
                if self.decision(r, i) == "partial"
                for tok in [tag_of(i), subject_token(i)]
                + [para_token(i, j) for j in range(len(s.marks))]
            }
        return out

    def count(self, r: Reader, *, text: bool) -> int:
        wanted = ("full",) if text else ("full", "partial")
        return sum(self.decision(r, i) in wanted for i in range(len(self.specs)))


# -- worlds -------------------------------------------------------------------------------

specs_st = st.builds(
    Spec,
    rank=st.sampled_from([None, 0, 1, 1, 2, 2, 3]),
    caveats=st.frozensets(st.sampled_from(CAVEATS), max_size=2),
    subject_mark=st.sampled_from(MARKS),
    marks=st.lists(st.sampled_from(MARKS), min_size=1, max_size=4),
    declassify=st.sampled_from([None, "past", "future"]),
    exempt=st.booleans(),
)
readers_st = st.builds(
    Reader,
    rank=st.integers(min_value=-1, max_value=3),
    caveats=st.frozensets(st.sampled_from(CAVEATS)),
)


def make_cable(i: int, s: Spec, n: int) -> Cable:
    paragraphs = [
        Paragraph(
            number=j + 1,
            portion=mark,
            text=(f"The {COMMON} spoke. " if j == 0 else "")
            + f"Paragraph {para_token(i, j)} of cable {i}.",
        )
        for j, mark in enumerate(s.marks)
    ]
    decl = {"past": "2001-06-30", "future": "2099-01-01", None: None}[s.declassify]
    return Cable(
        reference_id=rid(i),
        created=f"2009-0{1 + i % 9}-1{i % 10}T10:00:00Z",
        origin="Embassy Leakville" if i % 2 else "Consulate Sievetown",
        post="LEAKVILLE" if i % 2 else "SIEVETOWN",
        classification=CLASSES[s.rank] if s.rank is not None else None,
        handling=sorted(s.caveats) + ["SIPDIS"],
        tags=["PREL", tag_of(i)],
        subject=f"LEAKVILLE: TALKS ON {subject_token(i)}",
        subject_portion=s.subject_mark,
        declassify_on=decl,
        declassify_rule="25X1" if s.exempt else None,
        references=[
            Reference(
                letter=string.ascii_uppercase[k],
                text=f"{ref_token(i)} {rid(t)}",
                kind="cable",
                id=rid(t),
            )
            for k, t in enumerate(s.cites)
            if t < n and t != i
        ],
        paragraphs=paragraphs,
        signers=["QUILL"],
    )


@st.composite
def worlds(draw):  # type: ignore[no-untyped-def]
    specs = draw(st.lists(specs_st, min_size=3, max_size=7))
    for s in specs:
        s.cites = draw(st.lists(st.integers(0, len(specs) - 1), max_size=2, unique=True))
    readers = draw(st.lists(readers_st, min_size=1, max_size=3))
    portions = draw(st.booleans())
    return specs, readers, portions


@pytest.fixture(params=STORES)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """Makes the location of a new empty archive, once per Hypothesis example: a new SQLite
    file, or the module's PostgreSQL database emptied (tests/access_stores.py)."""
    if request.param == "sqlite":
        return lambda: str(tmp_path / f"leaks-{uuid.uuid4().hex}.db")
    dsn = request.getfixturevalue("pg_access_dsn")

    def emptied() -> str:
        empty_pg(dsn)
        return dsn

    return emptied


def build(location: str, specs: list[Spec], readers: list[Reader], portions: bool):
    path = location
    with open_store(path) as store:
        store.put_many([make_cable(i, s, len(specs)) for i, s in enumerate(specs)])
        set_policy(store.conn, Policy("controlled", portions, "automatic"))
        accounts = Accounts(store.conn, hasher=HASHER)
        tokens = []
        for k, r in enumerate(readers):
            name = f"reader{k}"
            accounts.add_user(
                name,
                "correct horse battery",
                clearance=max(r.rank, 0),
                caveats=sorted(r.caveats),
            )
            tokens.append(accounts.create_token(name, "leaks"))
    return path, tokens


def viewer(r: Reader) -> Viewer:
    return Viewer("x", "reader", r.rank, caveat_bits(r.caveats))


def assert_clean(text: str, forbidden: set[str], where: str) -> None:
    found = sorted(t for t in forbidden if t.lower() in text.lower())
    assert not found, f"{where} leaks {found}"


QUERIES = [
    "",
    COMMON,
    "tag:PREL",
    "origin:leakville",
    "class:>=secret",
    f"{COMMON} OR tag:PREL",
    f"NOT {COMMON}",
    "handling:noforn",
    "year:2009",
]


def library_text(a: Archive, specs: list[Spec]) -> str:
    """Everything the library's read paths answer, as one text."""
    import io

    parts: list[str] = []
    for q in QUERIES:
        parts += [repr(h) for h in a.search(q, snippets=True)]
        parts += [repr(h) for h in a.search(q, sort="date", snippets=True)]
        parts.append(repr(a.count(q)))
        parts.append(repr(a.facets(q, top=None)))
    for i in range(len(specs)):
        parts.append(repr(a.get(rid(i))))
        parts.append(repr(a.cites(rid(i))))
        parts.append(repr(a.cited_by(rid(i))))
        parts.append(repr(a.versions(rid(i))))
    parts.append(repr(a.stats()))
    parts.append(repr(list(a.unresolved())))
    # Every export shape: the CSV without text loads records without their paragraphs,
    # whose portion marks still decide what the envelope shows.
    for fmt, text in (("jsonl", False), ("csv", True), ("csv", False)):
        out = io.BytesIO()
        a.export("", fmt, out, text=text) if fmt == "csv" else a.export("", fmt, out)
        parts.append(out.getvalue().decode())
    out = io.BytesIO()
    a.graph("", "graphml", out)
    parts.append(out.getvalue().decode())
    return "\n".join(parts)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_library_never_leaks(fresh, world) -> None:  # type: ignore[no-untyped-def]
    specs, readers, portions = world
    path, _ = build(fresh(), specs, readers, portions)
    oracle = Oracle(specs)
    # Default planner thresholds, and thresholds so low that every query takes the plans of
    # broad queries (date-index walks, two-tier relevance, per-row probes of the text):
    # SQLite's planner; PostgreSQL's has no such thresholds.
    plans = ({}, {"small": 2, "broad": 2}) if not is_dsn(path) else ({},)
    for plan in plans:
        check_library(path, specs, readers, portions, oracle, plan)


def check_library(path, specs, readers, portions, oracle, plan) -> None:  # type: ignore[no-untyped-def]
    with Archive.open(path, **plan) as archive:
        for r in readers:
            a = archive.with_access(
                Access(Policy("controlled", portions, "automatic"), viewer(r), TODAY)
            )
            forbidden = oracle.forbidden_under(r, portions)
            assert_clean(library_text(a, specs), forbidden, f"library {r}")
            # Every secret token searched for finds nothing, counted or listed.
            for tok in forbidden:
                if tok.startswith("zz"):
                    assert a.count(tok) == 0, tok
                    assert list(a.search(tok)) == [], tok
            # A cable hidden from the reader cites nothing for them (as a missing one).
            for i in range(len(specs)):
                if (
                    oracle.decision(r, i) == "none"
                    or not portions
                    and oracle.decision(r, i) != "full"
                ):
                    assert a.count(f"citedby:{rid(i)}") == 0, (i, r)
                    assert list(a.search(f"citedby:{rid(i)}")) == [], (i, r)
            # Counts are exact for what the reader may see, no more, no less.
            want_text = oracle.count(r, text=True)
            assert a.count(COMMON) == want_text
            partial = oracle.count(r, text=False) if portions else want_text
            assert a.count("tag:PREL") == partial
            assert a.count("") == partial
            assert sum(n for _, n in a.facets("", top=None)["tag"] if _ == "PREL") == partial
            # Hit lists are exactly what the reader sees, in every sort order (each order
            # has its own plans): no hidden cable listed, none missing.
            for q, text in (("", False), ("tag:PREL", False), (COMMON, True)):
                wanted = ("full",) if text or not portions else ("full", "partial")
                want = {rid(i) for i in range(len(specs)) if oracle.decision(r, i) in wanted}
                for sort in ("relevance", "date", "-date"):
                    hits = list(a.search(q, sort=sort))
                    got = [h.reference_id for h in hits]
                    assert sorted(got) == sorted(want), (q, sort, r, plan)
                    if sort != "relevance":  # and in date order (undated first, oldest first)
                        dates = [h.created or "" for h in hits]
                        assert dates == sorted(dates, reverse=sort == "-date"), (q, sort)


# -- the command line ------------------------------------------------------------------------

CLI_READS = [
    ["search", ""],
    ["search", COMMON, "--facets"],
    ["search", "tag:PREL", "--json", "--facets"],
    ["search", "", "--count"],
    ["stats"],
    ["stats", "--json"],
    ["export", ""],
    ["export", "", "--to", "csv", "--text"],
    ["export", "", "--to", "csv"],
    ["graph", ""],
]


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_cli_never_leaks(fresh, world) -> None:  # type: ignore[no-untyped-def]
    specs, readers, portions = world
    path, tokens = build(fresh(), specs, readers, portions)
    oracle = Oracle(specs)
    runner = CliRunner()
    for r, token in zip(readers, tokens, strict=True):
        r = Reader(max(r.rank, 0), r.caveats)  # accounts hold clearances 0-3
        forbidden = oracle.forbidden_under(r, portions)
        commands = [*CLI_READS, *(["show", rid(i)] for i in range(len(specs)))]
        commands += [["show", rid(i), "--json"] for i in range(len(specs))]
        for args in commands:
            result = runner.invoke(main, [*args, "--archive", str(path), "--token", token])
            out = result.output
            assert_clean(out, forbidden, f"cablebase {' '.join(args)} as {r}")
            if args[0] == "show" and oracle.decision(r, int(args[1][-3:]) - 100) == "none":
                assert result.exit_code != 0
        count = runner.invoke(
            main, ["search", "", "--count", "--archive", str(path), "--token", token]
        )
        want = oracle.count(r, text=False) if portions else oracle.count(r, text=True)
        assert int(count.output.strip().splitlines()[-1]) == want


def test_tokens_do_not_collide() -> None:
    toks = [para_token(i, j) for i in range(10) for j in range(5)]
    toks += [subject_token(i) for i in range(10)] + [ref_token(i) for i in range(10)]
    for a in toks:
        assert sum(bool(re.search(re.escape(a), b)) for b in toks) == 1


def test_an_export_without_text_keeps_caveats_of_paragraph_marks(fresh) -> None:
    """An unmarked subject takes the cable's caveats, and an (S/NF) paragraph makes the cable
    NOFORN: a CSV export that does not load the paragraphs must still withhold the subject
    from a TOP SECRET reader without NOFORN (it did not: found by test_http_never_leaks)."""
    import io

    spec = Spec(2, frozenset(), None, ["S/NF", "U"], None, False)
    reader = Reader(3, frozenset())
    oracle = Oracle([spec])
    assert oracle.decision(reader, 0) == "partial"
    assert subject_token(0) in oracle.forbidden(reader)
    path, _ = build(fresh(), [spec], [reader], True)
    with Archive.open(path) as archive:
        a = archive.with_access(
            Access(Policy("controlled", True, "automatic"), viewer(reader), TODAY)
        )
        for text in (False, True):
            out = io.BytesIO()
            assert a.export("", "csv", out, text=text) == 1
            assert_clean(out.getvalue().decode(), oracle.forbidden(reader), f"csv text={text}")
            assert "withheld" in out.getvalue().decode().lower()


@pytest.mark.parametrize("rank", [0, 1, 2, 3])
def test_oracle_agrees_on_a_cable_read_whole(rank: int) -> None:
    s = Spec(rank, frozenset(), "U", ["C"], None, False)
    assert Oracle([s]).decision(Reader(rank, frozenset()), 0) == "full"


# -- the reading room and its API ------------------------------------------------------------


def http_urls(n: int) -> list[str]:
    """Every GET route of the app (enumerated from its routers, so that a route added later
    is swept too), with each cable, post and month filled in and each query asked."""
    from urllib.parse import quote

    from cablebase.web import account, admin, api, pages

    fill = {
        "reference_id": [rid(i) for i in range(n)],
        "post": [quote("Embassy Leakville"), quote("Consulate Sievetown")],
        "month": [f"2009-0{m}" for m in range(1, 10)],
        "release_id": ["1"],
        "what": ["posts", "tags", "months"],
        "fmt": ["json", "csv"],
    }
    queried = {"/search", "/api/search", "/api/export", "/api/graph", "/", "/search.csv"}
    urls: list[str] = []
    for router in (api.router, admin.router, account.router, pages.router):
        for route in router.routes:
            if "GET" not in getattr(route, "methods", ()):
                continue
            paths = [route.path]
            for name, values in fill.items():
                if "{" + name + "}" in route.path:
                    paths = [p.replace("{" + name + "}", v) for p in paths for v in values]
            assert all("{" not in p for p in paths), f"no values for {route.path}: add them"
            for p in paths:
                urls.append(p)
                if p in queried:
                    urls += [f"{p}?q={quote(q)}" for q in QUERIES if q]
    urls += ["/api/export?format=csv&text=true", "/api/graph?format=gexf", "/search?sort=date"]
    return urls


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_http_never_leaks(fresh, world) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from cablebase.web.app import create_app
    from cablebase.web.auth import SESSION_COOKIE

    specs, readers, portions = world
    path, tokens = build(fresh(), specs, readers, portions)
    oracle = Oracle(specs)
    urls = http_urls(len(specs))
    with open_store(path) as store:
        accounts = Accounts(store.conn, hasher=HASHER)
        sessions = [accounts.create_session(f"reader{k}")[0] for k in range(len(readers))]
    app = create_app(path, hasher=HASHER)
    with TestClient(app) as client:
        for k, r in enumerate(readers):
            r = Reader(max(r.rank, 0), r.caveats)
            forbidden = oracle.forbidden_under(r, portions)
            client.cookies.clear()
            for url in urls:
                # Pages with the session cookie, the API with the bearer token.
                if url.startswith("/api"):
                    client.cookies.clear()
                    got = client.get(url, headers={"Authorization": f"Bearer {tokens[k]}"})
                else:
                    client.cookies.set(SESSION_COOKIE, sessions[k])
                    got = client.get(url)
                # No server error, on either store (PostgreSQL once answered 501 for some).
                assert got.status_code < 500, (url, got.status_code)
                assert_clean(got.text, forbidden, f"GET {url} as {r}")
            # The counts the API gives are exactly the reader's.
            got = client.get(
                "/api/search?q=tag:PREL&per_page=1",
                headers={"Authorization": f"Bearer {tokens[k]}"},
            ).json()
            want = oracle.count(r, text=False) if portions else oracle.count(r, text=True)
            assert got["total"] == want


def test_a_hidden_cables_word_forms_change_no_score(fresh) -> None:
    """A stemmed word searches every indexed form of its stem, forms only hidden cables hold
    included; a form no visible cable holds must not move a visible cable's score (on
    PostgreSQL one ts_rank over the forms' OR divided by their number did: found by
    test_access_oracle.py)."""
    seen = Cable(
        reference_id="09SCOREPOST1",
        created="2009-01-01T10:00:00Z",
        classification="UNCLASSIFIED",
        handling=[],
        paragraphs=[Paragraph(number=1, portion="U", text="The lighthouse keeper spoke.")],
    )
    hidden = Cable(
        reference_id="09SCOREPOST2",
        created="2009-01-02T10:00:00Z",
        classification="TOP SECRET",
        handling=[],
        paragraphs=[Paragraph(number=1, portion="TS", text="The keepers and keeping met.")],
    )
    path = fresh()
    reader = Access(Policy("controlled", True, "automatic"), viewer(Reader(0, frozenset())), TODAY)

    def scores() -> list[tuple]:
        with Archive.open(path) as a:
            return [(h.reference_id, h.score) for h in a.with_access(reader).search("keeper")]

    with open_store(path) as store:
        store.put_many([seen])
        set_policy(store.conn, Policy("controlled", True, "automatic"))
    alone = scores()
    assert [rid for rid, _ in alone] == ["09SCOREPOST1"] and alone[0][1] is not None
    with open_store(path) as store:
        store.put_many([hidden])
    assert scores() == alone
