"""The addressee table (data/addressees.json, built by tools/build_addressees.py) and the
expansion of a cable's TO/INFO/XMT lines into deliveries.

Resolution of one header line, first match wins: a collective (by name or alias, or a line
the parser marked collective); the routing indicator; the post named by a station name
(AMEMBASSY THE HAGUE -> THEHAGUE, with the post table's aliases); an office by name or alias.
A line that resolves to nothing is kept as unknown: dispatch dead-letters it with the reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from cablebase.grammar.header_routes import _city
from cablebase.record import Cable, Recipient

__all__ = ["Addressee", "Table", "Target", "expand", "table"]

# Rank of each precedence: lower is delivered first (ACP 121/127).
RANK = {"FLASH": 0, "NIACT IMMEDIATE": 1, "IMMEDIATE": 2, "PRIORITY": 3, "ROUTINE": 4}
# Speed-of-service objectives, seconds from release to the addressee's inbox.
OBJECTIVE = {0: 600, 1: 1800, 2: 1800, 3: 3 * 3600, 4: 6 * 3600}
ACK_REQUIRED = frozenset({0, 1})  # FLASH and NIACT IMMEDIATE are acknowledged
_LETTER = {"Z": "FLASH", "O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE"}
_SPACES = re.compile(r"\s+")


def precedence_name(value: str | None) -> str:
    """A precedence as the record writes it (or its ACP letter) -> its name; ROUTINE when
    none is given (the default of ACP 127)."""
    v = _SPACES.sub(" ", (value or "").strip().upper())
    if v in RANK:
        return v
    if v in _LETTER:
        return _LETTER[v]
    if "NIACT" in v:
        return "NIACT IMMEDIATE"
    return "ROUTINE"


@dataclass(frozen=True, slots=True)
class Addressee:
    key: str  # THEHAGUE, SECSTATE, JOINT STAFF WASHINGTON DC
    kind: str  # post | office
    name: str
    routes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Target:
    """One delivery to make: an addressee (or an unknown line) with its role and precedence."""

    key: str  # addressee key; for an unknown line, the line as written
    role: str  # action | info
    precedence: str
    known: bool = True
    reason: str | None = None  # why an unknown line is unknown

    @property
    def rank(self) -> int:
        return RANK[self.precedence]


def _norm(name: str) -> str:
    return _SPACES.sub(" ", name.strip().upper())


class Table:
    def __init__(self, data: dict, aliases: dict[str, str]) -> None:
        self.addressees: dict[str, Addressee] = {}
        self.by_route: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        for key, a in data["addressees"].items():
            self.addressees[key] = Addressee(key, a["kind"], a["name"], tuple(a["routes"]))
            for r in a["routes"]:
                self.by_route.setdefault(r, key)
            for n in (key, a["name"], *a.get("aliases", ())):
                if n:
                    self.by_name.setdefault(_norm(n), key)
        self.post_aliases = {k: v for k, v in aliases.items() if v in self.addressees}
        self.collectives: dict[str, tuple[str, ...]] = {}
        self.collective_names: dict[str, str] = {}
        posts = tuple(sorted(k for k, a in self.addressees.items() if a.kind == "post"))
        for key, c in data["collectives"].items():
            members = posts if c["members"] == "*posts" else tuple(c["members"])
            self.collectives[key] = members
            for n in (key, c.get("name", ""), *c.get("aliases", ())):
                if n:
                    self.collective_names[_norm(n)] = key

    def posts(self) -> list[str]:
        return sorted(k for k, a in self.addressees.items() if a.kind == "post")

    def collective(self, r: Recipient) -> str | None:
        name = _norm(r.name)
        if name in self.collective_names:
            return self.collective_names[name]
        bare = re.sub(r"\s+COLLECTIVE$", "", name)
        return self.collective_names.get(bare)

    def resolve(self, r: Recipient) -> str | None:
        """The addressee key of one header line (not a collective), or None."""
        if r.route and r.route.upper() in self.by_route:
            return self.by_route[r.route.upper()]
        name = _norm(r.name)
        city = _city(name)
        if city:
            key = city.replace(" ", "")
            key = self.post_aliases.get(key, key)
            if key in self.addressees:
                return key
        if name in self.by_name:
            return self.by_name[name]
        compact = name.replace(" ", "")
        if compact in self.addressees and self.addressees[compact].kind == "post":
            return compact  # USNATO, USUNNEWYORK written bare
        return self.post_aliases.get(compact)


@lru_cache(maxsize=1)
def table() -> Table:
    files = resources.files("cablebase.data")
    data = json.loads(files.joinpath("addressees.json").read_text("utf-8"))
    aliases = json.loads(files.joinpath("posts.json").read_text("utf-8"))["aliases"]
    return Table(data, aliases)


def expand(cable: Cable, tab: Table | None = None) -> list[Target]:
    """One target per addressee of the cable: TO lines are action, INFO lines info; a
    collective stands for its members less those an XMT line excludes (and less the sending
    post); an addressee reached
    several times (directly, through several collectives) is delivered once, as action if any
    line makes it action, at the highest precedence any line gives it.  Dual precedence: the
    INFO addressees take the cable's info precedence when it has one (ACP 127)."""
    tab = tab or table()
    action = precedence_name(cable.precedence)
    info = precedence_name(cable.info_precedence) if cable.info_precedence else action
    excluded: set[str] = set()
    if cable.sender:  # a collective does not send the originator its own cable
        sender = tab.resolve(Recipient(role="from", name=cable.sender))
        if sender:
            excluded.add(sender)
    for r in cable.recipients:
        if r.role == "xmt":
            key = tab.resolve(r)
            excluded.add(key if key else _norm(r.name))
    best: dict[str, Target] = {}
    order: list[str] = []

    def add(t: Target) -> None:
        old = best.get(t.key)
        if old is None:
            order.append(t.key)
        else:
            role = "action" if "action" in (old.role, t.role) else "info"
            prec = t.precedence if t.rank < old.rank else old.precedence
            t = Target(t.key, role, prec, t.known, t.reason)
        best[t.key] = t

    for r in cable.recipients:
        if r.role not in ("to", "info"):
            continue
        role = "action" if r.role == "to" else "info"
        prec = (
            precedence_name(r.precedence)
            if r.precedence
            else (action if role == "action" else info)
        )
        coll = tab.collective(r)
        if coll is not None:
            for member in tab.collectives[coll]:
                if member not in excluded:
                    add(Target(member, role, prec))
            continue
        key = tab.resolve(r)
        if key is not None:
            add(Target(key, role, prec))
        else:
            line = _norm(f"{r.route + '/' if r.route else ''}{r.name}") or "(empty line)"
            why = "unknown collective" if r.collective else "unknown addressee"
            add(Target(line, role, prec, known=False, reason=f"{why}: {line}"))
    return [best[k] for k in order]
