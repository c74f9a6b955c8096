"""The header of a draft: its post, addressees, routing indicators, precedence, collectives."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cablebase.drafting.draft import Draft
from cablebase.drafting.reference import posts_and_cities, route_table
from cablebase.drafting.rules import Context, Hit, rule
from cablebase.grammar.header_routes import _city, route_mismatch

PRECEDENCES = ("ROUTINE", "PRIORITY", "IMMEDIATE", "NIACT IMMEDIATE", "FLASH")
_RANK = {p: i for i, p in enumerate(PRECEDENCES)}
_RI = re.compile(r"^R[A-Z]{3,6}$")
# Worldwide collectives and the office whose clearance they need (see docs/drafting.md).
COLLECTIVE_CLEARANCES = {
    "ALDAC": ("S/ES-O", "S/S-O"),
    "ALL DIPLOMATIC AND CONSULAR POSTS": ("S/ES-O", "S/S-O"),
}
# What a drafter writes for NIACT's justification in paragraph 1 (5 FAH-2 H-421.2b).
_NIACT_WHY = re.compile(
    r"\bNIACT\b|\bNIGHT\s+ACTION\b|\bURGENT|\bACTION\s+REQUEST|\bIMMEDIATE(?:LY)?\s+ACTION"
    r"|\bBEFORE\b|\bBY\s+(?:COB|OPENING|NOON|MORNING|\d)|\bDEADLINE\b|\bTONIGHT\b|\bTIME[- ]SENSITIVE",
    re.I,
)


@rule(
    "post.missing",
    "error",
    "The draft names its post (FM line or banner).",
    "5 FAH-2 H-232 (originating organisation's address)",
)
def post_missing(d: Draft, ctx: Context) -> Iterator[Hit]:
    if not d.cable.sender and not d.cable.post:
        yield Hit("no FM line and no post on the banner", 1)


@rule(
    "addressee.missing",
    "error",
    "The draft has at least one action (TO) addressee.",
    "5 FAH-2 H-233 (action and information addressees)",
)
def addressee_missing(d: Draft, ctx: Context) -> Iterator[Hit]:
    if d.cable.header_kind in (None, "none", "placeholder"):
        # a real cable published without its header is no draft without addressees
        if not d.cable.recipients and d.form != "cable" and d.cable.sender is None:
            yield Hit("no FM/TO lines: the draft names no addressee", 1)
        return
    if not any(r.role == "to" for r in d.cable.recipients):
        yield Hit("no TO addressee", d.locate.first(r"^\s*(?:FM|FROM)\b"))


def _known_city(city: str) -> bool:
    """A known post, allowing words after the city (`BELFAST POUCH`, `NICOSIA NIACT …`)."""
    words = re.findall(r"[A-Z][A-Z.'-]*", city)
    known = posts_and_cities()
    return any("".join(words[:n]) in known for n in range(len(words), 0, -1))


@rule(
    "addressee.exists",
    "warning",
    "Each addressee is a known station: a well-formed routing indicator, and a post that exists.",
    "5 FAH-2 H-231 (PLADs and RIs of ACP 117); ACP 127 (routing indicators)",
    # the routing book (2010) and the post table (Cablegate ids) describe the network of the
    # 2000s; older cables address posts closed since (Bilbao, Douala, Medan)
    since="2003-01-01",
)
def addressee_exists(d: Draft, ctx: Context) -> Iterator[Hit]:
    for r in d.cable.recipients:
        line = d.locate.addressee(r.route, r.name)
        if r.route and r.route != "ZEN" and not _RI.match(r.route):
            yield Hit(f"{r.route} is not a routing indicator", line, severity="error")
            continue
        city = _city(" ".join(r.name.upper().split()))
        if city and not _known_city(city):
            yield Hit(f"{r.name}: no post {city.title()} is known", line)


@rule(
    "addressee.route",
    "error",
    "Each routing indicator is the one of the station named beside it.",
    "ACP 117 (routing indicator book); ACP 127 (routing); 5 FAH-2 H-231",
)
def addressee_route(d: Draft, ctx: Context) -> Iterator[Hit]:
    table = route_table()
    if not table:
        return
    by_name = {v: k for k, v in table.items()}
    for r in d.cable.recipients:
        if not r.route or r.route == "ZEN" or not r.name:
            continue
        expected = route_mismatch(r.route, r.name, table)
        if expected is None:
            continue
        name = " ".join(r.name.upper().split())
        right = by_name.get(name)
        yield Hit(
            f"{r.route} is {expected} in the routing book, but the line names {name}",
            d.locate.addressee(r.route, r.name),
            fix=f"{right}/{name}" if right else None,
        )


def _precedences(d: Draft) -> list[tuple[int | None, str, str | None]]:
    """(line, who, precedence) for every addressee; declared values of a structured draft."""
    out = []
    for r in d.cable.recipients:
        out.append((d.locate.addressee(r.route, r.name), r.name, r.precedence))
    return out


@rule(
    "precedence.valid",
    "error",
    "Each addressee has a precedence among FLASH, NIACT IMMEDIATE, IMMEDIATE, PRIORITY, ROUTINE.",
    "5 FAH-2 H-421; 5 FAH-1 H-232.4; ACP 121/127 (precedence)",
)
def precedence_valid(d: Draft, ctx: Context) -> Iterator[Hit]:
    if d.declared_precedences is not None:
        for path, value in d.declared_precedences:
            if value.upper() not in _RANK:
                yield Hit(
                    f"precedence {value!r} is not one of {', '.join(PRECEDENCES)}", field=path
                )
        return
    if d.cable.header_kind != "bare" or d.cable.dtg:
        return  # a transmitted cable's precedence is on its DTG line (the parser checks it)
    for line, who, prec in _precedences(d):
        if prec is None:
            yield Hit(
                f"{who}: no precedence (FLASH, NIACT IMMEDIATE, IMMEDIATE, PRIORITY, ROUTINE)",
                line,
            )


@rule(
    "precedence.info",
    "warning",
    "No information addressee has a higher precedence than the action addressees.",
    "ACP 121 / ACP 127 (info precedence equal to or lower than action precedence)",
)
def precedence_info(d: Draft, ctx: Context) -> Iterator[Hit]:
    action = [
        _RANK[r.precedence] for r in d.cable.recipients if r.role == "to" and r.precedence in _RANK
    ]
    if not action:
        return
    top = max(action)
    for r in d.cable.recipients:
        if r.role == "info" and r.precedence in _RANK and _RANK[r.precedence] > top:
            yield Hit(
                f"INFO {r.name} is {r.precedence}, above the action precedence {PRECEDENCES[top]}",
                d.locate.addressee(r.route, r.name),
            )


@rule(
    "precedence.niact",
    "error",
    "A NIACT IMMEDIATE cable justifies NIACT in paragraph 1.",
    "5 FAH-2 H-421.2b; 5 FAH-1 H-232.4",
)
def precedence_niact(d: Draft, ctx: Context) -> Iterator[Hit]:
    niact = [r for r in d.cable.recipients if r.precedence == "NIACT IMMEDIATE"]
    if not niact and d.cable.precedence != "NIACT IMMEDIATE":
        return
    texts = [p for p in d.cable.paragraphs if p.text.strip() and "ENTIRE TEXT" not in p.text]
    first = texts[0] if texts else None
    if first is not None and _NIACT_WHY.search(first.text):
        return
    line = d.locate.paragraph(first.number, first.text) if first else None
    yield Hit(
        "NIACT IMMEDIATE without a justification in paragraph 1",
        line,
        fix="open paragraph 1 with why it needs action tonight (e.g. 'NIACT: reply needed by …')",
    )


@rule(
    "collective.clearance",
    "error",
    "A cable to a worldwide collective (ALDAC) is cleared by the office the rules name.",
    "5 FAH-1 H-210 (Executive Secretariat guidelines); see docs/drafting.md",
)
def collective_clearance(d: Draft, ctx: Context) -> Iterator[Hit]:
    for r in d.cable.recipients:
        name = " ".join(r.name.upper().split())
        key = next((k for k in COLLECTIVE_CLEARANCES if name.startswith(k)), None)
        if key is None:
            continue
        offices = COLLECTIVE_CLEARANCES[key]
        line = d.locate.addressee(r.route, r.name)
        if d.clearances is None:
            yield Hit(
                f"{name} needs clearance by {offices[0]}; the draft lists no clearances",
                line,
                severity="info",
            )
        elif not any(o in c for c in d.clearances for o in offices):
            yield Hit(f"{name} needs clearance by {offices[0]}", line)
        return
