"""People and addressees of the archive: the people facet, the addressee facet, the people
index and a person's cables (docs/people.md).

A *person* is a normalised name, its key (`person_key`), taken from three places:

- signers (table people, role signer): the name at the foot of the cable, usually a surname
  alone (CLINTON);
- classifiers (people, role classified_by): the name of the "Classified by" line, usually in
  full (Hillary Clinton, Gene A. Cretz);
- person tags (tags): a TAGS value that is a name, surname first (`CLINTON, HILLARY`, read
  from `OVIP (CLINTON, HILLARY)`; archives ingested before this change keep the bracketed form).

The key is the name in capitals, "SURNAME, GIVEN" turned to "GIVEN SURNAME", a leading
honorific (MR, MRS, MS, DR) and middle initials dropped, so `CLINTON, HILLARY`, `Hillary
Clinton`, `HILLARY R. CLINTON` meet as HILLARY CLINTON.  A surname alone is never merged with a
full name: BURNS signed cables of several Burnses.  The person page says which full names
share the surname instead.

Addressees are the TO and INFO lines as written (SECSTATE WASHDC): offices, not people.

Everything here is counted over the cables the archive's reader sees: the facets over a
query's hits (the archive scopes them), the index and a person's page over the reader's
visible cables, so a name that only hidden cables carry appears nowhere.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from cablebase.archive.db import Db
from cablebase.archive.query import All, Node

if TYPE_CHECKING:
    from cablebase.archive.api import Archive

# Where a person is named, in the order pages list them.
ROLES = ("signer", "classified_by", "tag")
ROLE_CODE = {r: k for k, r in enumerate(ROLES)}
ADDRESSEE_ROLES = ("to", "info")
# What a partial view of a cable shows (access/policy.view): its signers and TAGS, not its
# "Classified by" line.  A classifier counts only in the cables the reader reads whole.
PARTIAL_ROLES = ("signer", "tag")
NAME_FACETS = ("person", "addressee")

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_HONORIFICS = frozenset({"MR", "MRS", "MS", "MISS", "DR"})
_SUFFIXES = frozenset({"JR", "SR", "II", "III", "IV"})


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def person_key(name: str | None) -> str | None:
    """The key of a written name, None when it holds no letter (see the module docstring)."""
    if not name:
        return None
    text = unicodedata.normalize("NFKC", name).upper()
    head, comma, tail = text.partition(",")
    tail_words = _words(tail)
    if comma and tail_words and not set(tail_words) <= _SUFFIXES:
        text = f"{tail} {head}"  # CLINTON, HILLARY -> HILLARY CLINTON
    ws = _words(text)
    while len(ws) > 1 and ws[0] in _HONORIFICS:
        ws.pop(0)
    # Middle initials: `Gene A. Cretz` is Gene Cretz; a first initial stays (N. KHOURY).
    ws = [w for i, w in enumerate(ws) if not (0 < i < len(ws) - 1 and len(w) == 1)]
    if not any(ch.isalpha() for w in ws for ch in w):
        return None
    return " ".join(ws)


def person_tag(tag: str) -> str | None:
    """The name a person tag carries, or None for a tag that names nobody.  A person tag is
    a tag with a comma, surname first (`CLINTON, HILLARY`: grammar/tags.py gives the group of
    `OVIP (CLINTON, HILLARY)` its own tag): codes and free tags never hold one, commas cut a
    TAGS line.  A name without a comma (`MQADHAFI`, `CANAHUATI YACAMAN MIGUEL FELIPE`) is not
    told from a free tag and names nobody.  The bracketed form of archives ingested before
    (`OVIP (CLINTON, HILLARY)`) is read too; a bracket left open counts only with a comma
    between two names (`KCRM SP (BERARDUCCI, CHRISTOPHER`)."""
    _, bracket, inner = tag.partition("(")
    if not bracket:
        head, comma, tail = tag.partition(",")
        named = comma and _has_letter(head) and _has_letter(tail)
        return " ".join(tag.split()) if named else None
    inner, closed, _ = inner.partition(")")
    if not closed:
        head, comma, tail = inner.partition(",")
        if not (comma and _words(head) and _words(tail)):
            return None
    inner = " ".join(inner.split())
    return inner if person_key(inner) else None


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


# -- the table of names, per archive state ------------------------------------------------


@dataclass(slots=True)
class _Table:
    """Every cable's person keys (with the role naming them) and addressees, in memory."""

    state: tuple
    keys: list[str] = field(default_factory=list)  # code -> person key
    code: dict[str, int] = field(default_factory=dict)  # person key -> code
    addressees: list[str] = field(default_factory=list)  # code -> addressee as written
    # Indexed by cable id (lists, so a facet is a few Counter passes in C):
    # ((person code << 2) | role code, ...), each pair once
    persons: list[tuple[int, ...]] = field(default_factory=list)
    person_codes: list[tuple[int, ...]] = field(default_factory=list)  # each person once
    # The same without the classifier, for cables read partially (PARTIAL_ROLES)
    partial_persons: list[tuple[int, ...]] = field(default_factory=list)
    partial_codes: list[tuple[int, ...]] = field(default_factory=list)
    sent_to: list[tuple[int, ...]] = field(default_factory=list)  # addressee codes, each once
    # person key -> role -> the stored values naming them (names; whole tags), from every
    # cable: used to look rows up, never shown as such
    written: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    # Archive.access_key() -> the cables that reader sees partially (_partial_ids)
    partial: dict[tuple, frozenset[int]] = field(default_factory=dict)


_TABLES: dict[str, _Table] = {}
_BUILDING: dict[tuple, Future] = {}
_LOCK = threading.Lock()


def _table(archive: Archive) -> _Table:
    """The archive's table of names, read once per state of the archive (shared by the
    connections of one file, as the facet columns are).

    A read-only archive (the web server's) has it read by a thread of its own with its own
    connection while the asking thread waits: a few seconds on the full Cablegate, which
    must not count against the CPU budget of the request that happens to ask first
    (archive/budget.py), and which two requests asking at once share.  On PostgreSQL (no
    such budget) the asking thread reads it."""
    db = archive.db
    if db.postgres:
        path, where, state = None, str(archive.store.path), archive.state()
    else:
        path = archive.store.path.resolve()
        try:  # a file replaced by another archive (same path, same generation) is another state
            state = (*archive.state(), path.stat().st_ino)
        except OSError:
            state = archive.state()
        where = str(path)
    with _LOCK:
        found = _TABLES.get(where)
        if found is not None and found.state == state:
            return found
        # A writer's own view (uncommitted rows included), or PostgreSQL's: read right here.
        if path is None or not archive.store.readonly:
            building = None
        elif (building := _BUILDING.get((where, state))) is None:
            building = _BUILDING[where, state] = Future()
            threading.Thread(
                target=_build, args=(path, state, building), name="people-table", daemon=True
            ).start()
    table = _read(db, state) if building is None else building.result()
    with _LOCK:
        _TABLES[where] = table
        _BUILDING.pop((where, state), None)
    return table


def _build(path: Path, state: tuple, done: Future) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            done.set_result(_read(Db(conn), state))
        finally:
            conn.close()
    except BaseException as e:  # the waiting request reports it
        done.set_exception(e)


def _read(conn: Db, state: tuple) -> _Table:
    t = _Table(state)
    persons: dict[int, set[int]] = {}

    keyed: dict[str | None, str | None] = {}  # the key of each distinct name, once

    def add(cid: int, stored: str, name: str | None, role: str) -> None:
        key = keyed.get(name, "")
        if key == "":
            key = keyed[name] = person_key(name)
        if key is None:
            return
        k = t.code.get(key)
        if k is None:
            k = t.code[key] = len(t.keys)
            t.keys.append(key)
        persons.setdefault(cid, set()).add(k << 2 | ROLE_CODE[role])
        t.written.setdefault(key, {}).setdefault(role, set()).add(stored)

    fresh = not conn.in_transaction
    with conn.transaction():  # one snapshot of the three tables
        if conn.postgres and fresh:  # (a PostgreSQL statement sees its own otherwise)
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for cid, role, name in conn.execute("SELECT cable_id, role, name FROM people"):
            if role in ROLE_CODE:
                add(cid, name, name, role)
        for cid, tag in conn.execute(
            "SELECT cable_id, tag FROM tags WHERE tag LIKE '%(%' OR tag LIKE '%, %'"
        ):
            add(cid, tag, person_tag(tag), "tag")
        names: dict[str, int] = {}
        sent: dict[int, set[int]] = {}
        for cid, name in conn.execute(
            "SELECT cable_id, name FROM recipients WHERE role IN ('to', 'info')"
        ):
            k = names.get(name)
            if k is None:
                k = names[name] = len(t.addressees)
                t.addressees.append(name)
            sent.setdefault(cid, set()).add(k)
    size = max(max(persons, default=0), max(sent, default=0)) + 1
    t.persons, t.person_codes, t.sent_to = [()] * size, [()] * size, [()] * size
    t.partial_persons, t.partial_codes = [()] * size, [()] * size
    shared: dict[tuple[int, ...], tuple[int, ...]] = {}  # one tuple for every equal one

    def one(v: tuple[int, ...]) -> tuple[int, ...]:
        return shared.setdefault(v, v)

    partial = {ROLE_CODE[r] for r in PARTIAL_ROLES}
    for cid, entries in persons.items():
        t.persons[cid] = one(tuple(sorted(entries)))
        codes = sorted({e >> 2 for e in entries})
        t.person_codes[cid] = one(tuple(codes))
        shown = sorted(e for e in entries if e & 3 in partial)
        t.partial_persons[cid] = one(tuple(shown))
        t.partial_codes[cid] = one(tuple(sorted({e >> 2 for e in shown})))
    for cid, entries in sent.items():
        t.sent_to[cid] = shared.setdefault(v := tuple(sorted(entries)), v)
    return t


def _rows(per: list[tuple[int, ...]], ids: Iterable[int]) -> Iterable[int]:
    """The entries of the cables `ids` (an id past the table: a cable stored since names
    nobody yet)."""
    size = len(per)
    return chain.from_iterable(per[i] for i in ids if 0 <= i < size)


def _partial_ids(archive: Archive, table: _Table) -> frozenset[int]:
    """The cables the reader sees only partially (none for a reader of everything), read
    once per reader and state of the archive."""
    if archive.access.unrestricted:
        return frozenset()
    key = archive.access_key()
    found = table.partial.get(key)
    if found is None:
        seen = archive.visible_sql([])
        whole = archive.visible_sql([], text=True)
        found = table.partial[key] = _id_set(archive.db, f"{seen} AND NOT ({whole})")
    return found


def _id_set(db: Db, cond: str) -> frozenset[int]:
    """The ids of the cables `c` meeting `cond`, aggregated into one value (one row to read:
    many times faster than a row per id)."""
    if db.postgres:
        (ids,) = db.execute(f"SELECT array_agg(c.id) FROM cables c WHERE {cond}").fetchone()
        return frozenset(ids or ())
    (ids,) = db.execute(f"SELECT json_group_array(c.id) FROM cables c WHERE {cond}").fetchone()
    return frozenset(orjson.loads(ids))


def _count_persons(
    table: _Table, ids: list[int], partial: frozenset[int], by_role: bool = False
) -> Counter:
    """Person codes (or code-role entries) over the cables `ids`, a partially read cable's
    classifier left out."""
    whole_rows, part_rows = (
        (table.persons, table.partial_persons)
        if by_role
        else (table.person_codes, table.partial_codes)
    )
    if not partial:
        return Counter(_rows(whole_rows, ids))
    counts = Counter(_rows(whole_rows, (i for i in ids if i not in partial)))
    counts.update(_rows(part_rows, (i for i in ids if i in partial)))
    return counts


# -- facets -------------------------------------------------------------------------------


def visible_ids(archive: Archive, node: Node | None = None) -> list[int]:
    """The ids of the hits of `node` (every cable when None) the archive's reader may see."""
    return archive.hit_ids(node if node is not None else All())


def facets(
    archive: Archive, node: Node, names: Iterable[str] = NAME_FACETS, top: int | None = 20
) -> dict[str, list[tuple[str, int]]]:
    """The people and addressee facets of a query's hits: (value, cables), most first, ties
    by value; the first `top` (all with None)."""
    names = [n for n in names if n in NAME_FACETS]
    if not names:
        return {}
    table = _table(archive)
    ids = visible_ids(archive, node)
    out: dict[str, list[tuple[str, int]]] = {}
    if "person" in names:
        counts = _count_persons(table, ids, _partial_ids(archive, table))
        out["person"] = _ranked(counts, table.keys, top)
    if "addressee" in names:
        out["addressee"] = _ranked(Counter(_rows(table.sent_to, ids)), table.addressees, top)
    return out


def _ranked(counts: Counter, values: list[str], top: int | None) -> list[tuple[str, int]]:
    ranked = sorted(((values[k], n) for k, n in counts.items()), key=lambda p: (-p[1], p[0]))
    return ranked if top is None else ranked[:top]


# -- the people index ---------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class PersonCount:
    key: str
    cables: int  # distinct cables naming them in any role
    signer: int
    classified_by: int
    tag: int


def index(archive: Archive) -> list[PersonCount]:
    """Every person of the cables the reader sees, most cables first (ties by name)."""
    table = _table(archive)
    ids = visible_ids(archive)
    partial = _partial_ids(archive, table)
    total = _count_persons(table, ids, partial)
    by_role = _count_persons(table, ids, partial, by_role=True)
    out = [
        PersonCount(
            table.keys[k],
            n,
            by_role[k << 2 | 0],
            by_role[k << 2 | 1],
            by_role[k << 2 | 2],
        )
        for k, n in total.items()
    ]
    out.sort(key=lambda p: (-p.cables, p.key))
    return out


# -- one person ---------------------------------------------------------------------------


@dataclass(slots=True)
class Person:
    key: str
    cables: int = 0  # distinct cables naming them (signed, classified or tagged)
    # role -> (cables, the written names of the visible cables, most frequent first)
    roles: dict[str, tuple[int, list[str]]] = field(default_factory=dict)
    years: list[tuple[str, int]] = field(default_factory=list)  # calendar order
    months: list[tuple[str, int]] = field(default_factory=list)  # YYYY-MM, calendar order
    # Full names ending in this surname (for a surname alone), or the surname alone of this
    # full name, with their cables: maybe the same person, never merged.
    related: list[tuple[str, int]] = field(default_factory=list)
    addressed: int = 0  # cables with a TO/INFO line written as this name


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _role_sql(db: Db, role: str, names: list[str], params: list) -> str:
    """The (cable id, stored value) of the rows naming one of `names` in `role`; people's
    names compare with ASCII case folded (SQLite's NOCASE; on PostgreSQL its lower(name)
    index)."""
    if role == "tag":
        return (
            f"SELECT t.cable_id, t.tag AS name FROM tags t WHERE {db.among('t.tag', names, params)}"
        )
    if db.postgres:
        named = db.among("lower(p.name)", [n.translate(_ASCII_LOWER) for n in names], params)
    else:
        named = db.among("p.name COLLATE NOCASE", names, params)
    return f"SELECT p.cable_id, p.name FROM people p WHERE p.role = '{role}' AND {named}"


def person(archive: Archive, key: str) -> Person | None:
    """A person's cables as the reader sees them, None when no visible cable names them
    (a name only hidden cables carry is as unknown as one no cable carries)."""
    table = _table(archive)
    written = table.written.get(key)
    if not written:
        return None
    found = Person(key)
    cables: dict[int, None] = {}
    for role, rows in _role_rows(archive, written, key).items():
        ids = {cid for cid, _ in rows}
        forms = Counter(name for _, name in rows)
        found.roles[role] = (len(ids), [n for n, _ in sorted(forms.items(), key=_most)])
        cables.update(dict.fromkeys(ids))
    if not cables:
        return None
    found.cables = len(cables)
    db = archive.db
    params: list = []
    among = db.among("id", list(cables), params)
    years: Counter = Counter()
    months: Counter = Counter()
    for y, m in db.execute(
        f"SELECT year, month FROM cables WHERE {among} AND year IS NOT NULL", params
    ):
        years[f"{y:04d}"] += 1
        if m:
            months[f"{y:04d}-{m:02d}"] += 1
    found.years = sorted(years.items())
    found.months = sorted(months.items())
    found.addressed = _addressed(archive, table, key)
    found.related = _related(archive, table, key)
    return found


def _role_rows(
    archive: Archive, written: dict[str, set[str]], key: str
) -> dict[str, list[tuple[int, str]]]:
    """role -> (cable id, the value as stored) of the cables the reader sees that name `key`
    in that role: a classifier in the cables read whole only (PARTIAL_ROLES)."""
    out = {}
    for role in ROLES:
        names = written.get(role)
        if not names:
            continue
        seen = archive.visible_sql([], text=role not in PARTIAL_ROLES)
        params: list = []
        named = _role_sql(archive.db, role, sorted(names), params)
        rows = archive.db.execute(
            f"SELECT x.cable_id, x.name FROM ({named}) x"
            f" JOIN cables c ON c.id = x.cable_id WHERE {seen}",
            params,
        ).fetchall()
        rows = [(cid, name) for cid, name in rows if person_key(_name_of(role, name)) == key]
        if rows:
            out[role] = rows
    return out


def _most(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def _name_of(role: str, written: str) -> str | None:
    return person_tag(written) if role == "tag" else written


def _addressed(archive: Archive, table: _Table, key: str) -> int:
    """Cables a visible TO or INFO line of which is written as this name (rare: cables are
    addressed to offices; the FOR lines of a caption are not read)."""
    names = [a for a in table.addressees if person_key(a) == key]
    if not names:
        return 0
    seen = archive.visible_sql([])
    params: list = []
    named = archive.db.among("r.name", names, params)
    (n,) = archive.db.execute(
        "SELECT count(DISTINCT r.cable_id) FROM recipients r JOIN cables c ON c.id = r.cable_id"
        f" WHERE r.role IN ('to', 'info') AND {named} AND {seen}",
        params,
    ).fetchone()
    return n


def _related(archive: Archive, table: _Table, key: str) -> list[tuple[str, int]]:
    """For a surname alone, the full names ending in it; for a full name, its surname alone:
    each with the reader's number of cables naming it, those they see only."""
    words = key.split()
    if len(words) == 1:
        others = [k for k in table.written if len(k.split()) > 1 and k.split()[-1] == key]
    else:
        others = [words[-1]] if words[-1] in table.written else []
    out = []
    for other in others[:50]:
        p = _count(archive, table, other)
        if p:
            out.append((other, p))
    out.sort(key=_most)
    return out


def _count(archive: Archive, table: _Table, key: str) -> int:
    """The cables the reader sees that name `key` in any role."""
    rows = _role_rows(archive, table.written.get(key, {}), key)
    return len({cid for found in rows.values() for cid, _ in found})
