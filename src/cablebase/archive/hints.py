"""Hints for values that match nothing: `tag:NOTATAG` -> "did you mean tag:NOTA, …?".

A field that names a value the archive holds (a tag, an origin, a handling caveat, a person,
a sender or addressee) and matches no cable the reader can find gets a hint listing the
nearest values (docs/search.md, "Values that match nothing").

Access control: the near values are read from the cables this reader's own search can find
(the same scope as the field's condition: every cable they see, partially read ones included),
never from the whole archive, so a hint names no value that only hidden cables hold, and
whether a value "matches nothing" is the reader's count.  tests/test_access_oracle.py
compares the hints with those of an archive holding only the reader's cables.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cablebase.archive.query import NAME_FIELDS, And, Field, Node, Not, Or, field_values
from cablebase.archive.snippets import words

if TYPE_CHECKING:
    from cablebase.archive.api import Archive

HINTED = ("tag", "origin", "handling", *NAME_FIELDS)  # fields whose values the archive holds
NEAR = 5  # near values listed per hint
CUTOFF = 0.6  # difflib ratio below which a value is not near


@dataclass(frozen=True, slots=True)
class Hint:
    """A value of the query that matches no cable, and the values near it."""

    field: str  # as written: from/to for their name forms
    value: str
    near: tuple[str, ...] = ()  # stored values, nearest first
    position: int = 0  # of the value in the query text
    fields: tuple[str, ...] = field(default=(), compare=False)  # the fields searched

    @property
    def message(self) -> str:
        head = f"no cable matches {self.field}:{_quoted(self.value)}"
        if not self.near:
            return head
        return f"{head}; did you mean " + ", ".join(self.suggestions()) + "?"

    def suggestions(self) -> list[str]:
        """The near values as query terms (`tag:"COUNTER TERRORISM"`)."""
        return [f"{self.field}:{_quoted(v)}" for v in self.near]

    def replaced(self, text: str, value: str) -> str:
        """The query `text` with this hint's field and value replaced by `field:value`."""
        start, end = self.position, self.position + len(self.value)
        if 0 < start <= len(text) and text[start - 1] == '"':  # a quoted value
            close = text.find('"', start)
            start, end = start - 1, (close + 1 if close >= 0 else len(text))
        head = start - len(self.field) - 1
        if head < 0 or text[head:start].lower() != f"{self.field}:":
            return f"{self.field}:{_quoted(value)}"  # not where the hint says: the value alone
        return text[:head] + f"{self.field}:{_quoted(value)}" + text[end:]

    def to_dict(self) -> dict:
        return {
            "field": self.field,
            "value": self.value,
            "near": list(self.near),
            "message": self.message,
        }


def _quoted(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ' ():"') else value


def hints(archive: Archive, query: str | Node) -> list[Hint]:
    """A hint for each value of the query that matches no cable this reader can find.

    Only values the query asks for (not under NOT) of the fields in HINTED, without a `*`.
    `from:NAME`/`to:NAME` are one hint over the fields they search.  Raises QueryError
    as `Archive.search` does for a malformed query."""
    node = archive.parse(query)
    text = query if isinstance(query, str) else None
    groups: dict[int, list[Field]] = {}
    for f in _asked(node):
        if f.name in HINTED and not f.value.endswith("*"):
            groups.setdefault(f.position, []).append(f)
    out = []
    for position, fields in sorted(groups.items()):
        if any(archive.count(f) for f in fields):
            continue
        near = _near(archive, fields)
        name = _written_name(text, position) or fields[0].name
        out.append(
            Hint(name, fields[0].value, tuple(near), position, tuple(f.name for f in fields))
        )
    return out


def _asked(node: Node) -> Iterator[Field]:
    """The fields a query asks for, in order: not those under a NOT."""
    if isinstance(node, Field):
        yield node
    elif isinstance(node, And | Or):
        for n in node.nodes:
            yield from _asked(n)
    elif isinstance(node, Not):
        return


def _written_name(text: str | None, position: int) -> str | None:
    """The field name as the reader wrote it before the value (`from` for from:NAME)."""
    if text is None:
        return None
    before = text[:position].rstrip('"')
    if not before.endswith(":"):
        return None
    start = len(before) - 1
    while start > 0 and before[start - 1].isalpha():
        start -= 1
    return before[start:-1].lower() or None


# -- near values -------------------------------------------------------------------------------


def _key(name: str, value: str) -> str:
    """A value as its field compares it: tags upper-cased with single spaces, names and
    origins as their words."""
    if name in ("tag", "handling"):
        return " ".join(value.upper().replace("_", " ").split())
    return " ".join(words(value))


def _wanted(f: Field) -> str:
    v = field_values(f)
    if "tokens" in v:
        return " ".join(v["tokens"])
    return v["value"]


def _near(archive: Archive, fields: list[Field]) -> list[str]:
    """The stored values nearest the fields' value, among those this reader can find: by
    edit similarity (difflib's ratio) to the whole value or to its run of as many words
    (`bamakko` is near `Embassy Bamako`), a value that contains it whole first."""
    scored: dict[str, float] = {}
    for f in fields:
        want = _wanted(f)
        n = len(want.split())
        keys: dict[str, list[str]] = {}
        for v in _values(archive, f.name):
            keys.setdefault(_key(f.name, v), []).append(v)
        for key, originals in keys.items():
            score = _similarity(want, key, n)
            if score >= CUTOFF:
                for v in originals:
                    scored[v] = max(scored.get(v, 0.0), score)
    ranked = sorted(scored, key=lambda v: (-scored[v], v))
    return ranked[:NEAR]


def _similarity(want: str, key: str, n: int) -> float:
    """How near a stored value is: containing the typed value whole (spaces optional) beats
    any edit similarity; a run of its words counts a little less than the whole value, so
    `PRELL` finds `PREL` before `PGOV. PREL`."""
    squeezed, flat = want.replace(" ", ""), key.replace(" ", "")
    if len(squeezed) >= 4 and squeezed in flat:  # typed a part of it (spaces optional)
        return 1.0 + len(squeezed) / len(flat)
    best = _ratio(want, key)
    kw = key.split()
    if len(kw) > n:
        for i in range(len(kw) - n + 1):
            best = max(best, 0.95 * _ratio(want, " ".join(kw[i : i + n])))
    return best


def _ratio(a: str, b: str) -> float:
    m = difflib.SequenceMatcher(None, a, b)
    if m.real_quick_ratio() < CUTOFF or m.quick_ratio() < CUTOFF:
        return 0.0
    return m.ratio()


# The distinct values of an indexed column, one index seek each (a skip scan): a few hundred
# seeks instead of a scan of every row (recipients hold millions on a whole release).
def _distinct(table: str, column: str, collate: str = "") -> str:
    col = f"{column}{collate}"
    return (
        f"WITH RECURSIVE v(x) AS (SELECT min({col}) FROM {table} UNION ALL"
        f" SELECT (SELECT min({col}) FROM {table} WHERE {col} > x) FROM v WHERE x IS NOT NULL)"
        " SELECT x FROM v WHERE x IS NOT NULL"
    )


def _pg_distinct(table: str, column: str, collate: str, join: str, conds: list[str]) -> str:
    """On PostgreSQL: the distinct values of `y.column` among the rows meeting `conds` (its
    planner hashes them; SQLite's skip scan has no use there); NOCASE as ASCII case folded,
    one written form per folded value."""
    where = " AND ".join([f"y.{column} IS NOT NULL", *conds])
    if collate:
        return (
            f"SELECT DISTINCT ON (lower(y.{column})) y.{column} FROM {table} y{join}"
            f" WHERE {where} ORDER BY lower(y.{column}), y.{column}"
        )
    return f"SELECT DISTINCT y.{column} FROM {table} y{join} WHERE {where}"


# field -> (table, column, collation, roles): where its values are stored
_SOURCES: dict[str, list[tuple[str, str, str, tuple[str, ...]]]] = {
    "tag": [("tags", "tag", "", ())],
    "handling": [("handling", "caveat", "", ())],
}
for _name, (_table, _roles) in NAME_FIELDS.items():
    if _table == "people":
        _SOURCES[_name] = [("people", "name", " COLLATE NOCASE", _roles)]
    else:
        _SOURCES[_name] = [("recipients", "name", "", _roles), ("recipients", "route", "", _roles)]
_SOURCES["person"] = [*_SOURCES["person"], ("tags", "tag", "", ())]

_MEMO: dict[tuple, list[str]] = {}  # (archive file, state, reader, field) -> values
_MEMO_SIZE = 64


def _values(archive: Archive, name: str) -> list[str]:
    """The distinct values of a field among the cables this reader's search can find (the
    cables they see, partially read ones included: the scope of the field's condition).
    Remembered per archive state and reader."""
    path = archive.store.path
    try:  # another archive written at the same path starts its own states
        inode = os.stat(path).st_ino
    except OSError:
        inode = None
    key = (str(path), inode, archive.state(), archive.access_key(), name)
    if key not in _MEMO:
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = _read_values(archive, name)
    return _MEMO[key]


_EVERYTHING = ("1", "TRUE")  # the reader's condition when they see every cable


def _read_values(archive: Archive, name: str) -> list[str]:
    db = archive.db
    seen = archive.visible_sql([], alias="c")
    if name == "origin":
        sql = (
            "SELECT DISTINCT c.origin FROM cables c WHERE c.origin IS NOT NULL AND "
            f"{seen} UNION SELECT DISTINCT c.post FROM cables c WHERE c.origin IS NULL"
            f" AND c.post IS NOT NULL AND {seen}"
        )
        return [v for (v,) in db.execute(sql) if v]
    # A partial view keeps no Classified By line (access/policy._partial): classifiers only
    # from the cables read whole, as classifiedby: finds them (Archive._withheld).
    whole = archive.visible_sql([], text=True, alias="c")
    values: list[str] = []
    for table, column, collate, roles in _SOURCES[name]:
        conds = [f"y.{column} = v.x{collate}"]
        if table == "tags" and name == "person":
            conds.append("(y.tag LIKE '%, %' OR y.tag LIKE '%(%')")  # people.person_tag
        everything = seen in _EVERYTHING and whole in _EVERYTHING
        join = "" if everything else " JOIN cables c ON c.id = y.cable_id"
        shown = [r for r in roles if r != "classified_by"]
        role_conds = (
            [f"y.role IN ({', '.join(repr(r) for r in shown)}) AND {seen}"] if shown else []
        )
        if "classified_by" in roles:
            role_conds.append(f"y.role = 'classified_by' AND {whole}")
        if role_conds:
            conds.append("(" + " OR ".join(f"({c})" for c in role_conds) + ")")
        elif seen not in _EVERYTHING:
            conds.append(seen)
        if db.postgres:
            sql = _pg_distinct(table, column, collate, join, conds[1:])
        else:
            sql = _distinct(table, column, collate).replace(
                "SELECT x FROM v WHERE x IS NOT NULL",
                f"SELECT x FROM v WHERE x IS NOT NULL AND EXISTS (SELECT 1 FROM {table} y{join}"
                f" WHERE {' AND '.join(conds)})",
            )
        found = [v for (v,) in db.execute(sql) if v]
        if table == "tags" and name == "person":  # a person tag is found by the name it carries
            from cablebase.archive.people import person_tag

            found = [n for v in found if (n := person_tag(v))]
        values += found
    return values
