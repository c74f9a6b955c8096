"""The seam between the archive and its store (archive/store.py, docs/stores.md): `Archive`
asks its store nothing but the `Store` and `Search` protocols' operations, and a plan's
`Visible` is written as SQL only once the store has bound it to its reader.  The sealed
archive is compared over each store (empty_archive: a SQLite file, a PostgreSQL database)."""

from __future__ import annotations

import pytest

from cablebase.access.policy import Access, Policy, Viewer, open_access
from cablebase.access.settings import set_policy
from cablebase.archive.api import Archive
from cablebase.archive.query import And, BoundVisible, Visible, parse_query, to_sql
from cablebase.archive.store import Search, Store, Unsupported, open_store
from cablebase.record import Cable, ClassifiedBy, Paragraph, Reference

TODAY = "2026-11-27"


def _members(protocol: type) -> set[str]:
    names = {n for n, v in vars(protocol).items() if callable(v) and not n.startswith("_")}
    return names | set(getattr(protocol, "__annotations__", {}))


class _Sealed:
    """`inner` with nothing but the members `names` (an AttributeError for the rest); the
    names used are collected in `calls`."""

    def __init__(self, inner: object, names: set[str], calls: set[str]) -> None:
        self._inner, self._names, self._calls = inner, names, calls

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        if name not in self._names:
            raise AttributeError(f"{name}: not an operation of the seam")
        self._calls.add(name)
        if name == "searcher":  # the store's Search, sealed the same way
            return lambda **o: _Sealed(self._inner.searcher(**o), _members(Search), self._calls)
        return getattr(self._inner, name)


def _cable(n: int, classification: str, cites: int | None = None) -> Cable:
    refs = []
    if cites is not None:
        rid = f"09TESTPOST{cites:03d}"
        refs = [Reference(letter="A", text=f"TESTVILLE {cites}", kind="cable", id=rid)]
    return Cable(
        reference_id=f"09TESTPOST{n:03d}",
        created=f"2009-03-{1 + n % 28:02d}T10:00:00Z",
        origin="Embassy Testville",
        classification=classification,
        handling=["SIPDIS"],
        tags=["PREL", "OVIP", "SMITH, JOHN"] if n % 3 == 0 else ["PREL"],
        subject=f"TESTVILLE: MEETINGS NUMBER {n}",
        declassify_on="2034-12-31",
        classified_by=ClassifiedBy(text="Ambassador Jane Jones", name="Jane Jones"),
        references=refs,
        signers=["SMITH"] if n % 2 else ["BROWN"],
        paragraphs=[
            Paragraph(number=1, portion="U", text=f"The minister met the envoy, meeting {n}."),
            Paragraph(number=2, portion="C", text=f"The envoy was candid about item {n}."),
        ],
    )


@pytest.fixture
def path(empty_archive: str) -> str:
    p = empty_archive
    with open_store(p) as store:
        store.put_many([_cable(i, "UNCLASSIFIED", cites=i - 1 if i else None) for i in range(8)])
        store.put_many([_cable(10 + i, "CONFIDENTIAL", cites=i) for i in range(3)])
        store.put_many([_cable(20, "SECRET", cites=10)])
        # A second version of one cable (the first moves to cable_versions).
        store.put_many([_cable(5, "UNCLASSIFIED", cites=11)])
        set_policy(store.conn, Policy("controlled"))
    return p


QUERIES = [
    "",
    "meeting",
    "minister envoy",
    '"met the envoy"',
    "candid",
    "tag:PREL",
    "-tag:PREL",
    "origin:testville",
    "signer:smith",
    "person:smith",
    "person:john smith",
    "classifiedby:jones",
    "cites:09TESTPOST001",
    "citedby:09TESTPOST011",
    "citedby:09TESTPOST020",
    "meeting OR class:secret",
    "envoy class:>=confidential",
    "year:2009 -candid",
]


def _answers(a: Archive) -> list:
    out: list = []
    for q in QUERIES:
        for sort in ("relevance", "date", "-date"):
            out.append(list(a.search(q, sort=sort, snippets=True)))
        out.append(list(a.search(q, limit=2, offset=1)))
        out.append((a.count(q), a.facets(q)))
    for n in (0, 1, 5, 10, 11, 20):
        rid = f"09testpost{n:03d}"
        out.append((a.get(rid), a.decision(rid), a.default_version(rid)))
        out.append((a.cites(rid), a.cited_by(rid), a.versions(rid), a.version_numbers(rid)))
    return out


@pytest.mark.parametrize(
    "access",
    [
        Access(Policy("controlled"), Viewer("r", "reader", 1, 0), TODAY),
        Access(Policy("controlled"), Viewer("r", "reader", 0, 0), TODAY),
        open_access(),
    ],
    ids=["confidential", "unclassified", "everything"],
)
def test_the_archive_asks_its_store_only_through_the_seam(path: str, access: Access) -> None:
    """An Archive over a store that has nothing but the protocols' operations (no SQL
    connection, no SQLite helper) answers every question as over the store itself."""
    calls: set[str] = set()
    real = open_store(path)
    sealed = Archive(_Sealed(real, _members(Store), calls), access=access)  # type: ignore[arg-type]
    try:
        with Archive.open(path, access=access) as plain:
            want = _answers(plain) + [plain.policy]
        got = _answers(sealed) + [sealed.policy]
        assert got == want
        assert any(h for h in got if isinstance(h, list) and h)  # the questions found cables
        # Every operation was asked through the seam, none around it.
        assert {"hits", "count", "facets", "paragraphs", "cites", "cited_by"} <= calls
        assert {"columns", "get", "versions", "words", "values", "policy"} <= calls
        with pytest.raises(Unsupported, match="not supported on this store"):
            sealed.conn  # noqa: B018 - the SQLite connection is not part of the seam
    finally:
        real.close()


def test_a_plans_visible_is_written_as_sql_only_once_bound() -> None:
    """The archive's Visible names no store's condition: compiling an unbound one is an
    error, never a condition that silently lets everything through."""
    for plan in (Visible(True), And((parse_query("meeting tag:PREL"), Visible(False)))):
        with pytest.raises(ValueError, match="bound"):
            to_sql(plan, [])
    assert to_sql(And((parse_query("tag:PREL"), BoundVisible(False, "+c.id < 9"))), []) == (
        "(c.id IN (SELECT cable_id FROM tags WHERE tag = ?) AND +c.id < 9)"
    )
