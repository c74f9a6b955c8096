"""A released draft as the archive's cable record, and as the telegram the post transmits.

The draft's record (read by the parser from what the drafter wrote) gets what release adds:
the reference id from the post's serial, the DTG and `created` from the release time, the
ACP-127 transmission header (VZCZC line, routing, DE line, security line, precedence letters),
and the SECTION count its transmitted layout gives (render.Paging: pages of at most 20 lines,
at most 5 pages to a section).  `telegram(record)` writes it with that layout; the parser reads
it back as the same record (tests/test_drafting_release.py).
"""

from __future__ import annotations

import copy
import datetime as dt

from cablebase import render
from cablebase.drafting.draft import Draft, Locator, draft_from_text
from cablebase.record import Cable, Station

__all__ = ["PAGING", "paging_of", "released_record", "telegram", "to_form"]

PAGING = render.Paging(page_lines=20, section_pages=5)
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_ORDER = ("FLASH", "NIACT IMMEDIATE", "IMMEDIATE", "PRIORITY", "ROUTINE")
# the DTG line carries a letter: NIACT IMMEDIATE goes as O (IMMEDIATE), the NIACT word stays
# on the addressee's line
_BY_LETTER = {"Z": "FLASH", "O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE"}


def _highest(precedences: list[str | None]) -> str:
    ranked = [p for p in precedences if p in _ORDER]
    best = min(ranked, key=_ORDER.index) if ranked else "ROUTINE"
    return _BY_LETTER[render.PREC_LETTER[best]]


def _own_route(post: str) -> str | None:
    """The post's routing indicator (the DE line's station), from the post table."""
    from cablebase import ids

    routes = ids._table().routes
    found = sorted(r for r, p in routes.items() if p == post and r.startswith("RUEH"))
    return found[0] if found else None


def _numbered(draft: Draft, serial: int, when: dt.datetime) -> Draft:
    """The draft read again with its serial in the banner, on the release day: REF items
    written without a year are dated against the cable's own number and year (the parser
    moves `BAMAKO 754` to last year when the post cannot have reached 754 yet)."""
    if not draft.unnumbered_banner:
        return draft
    line = Locator(draft.lines).banner()
    if line is None:
        return draft
    lines = list(draft.lines)
    lines[line - 1] = f"{lines[line - 1].rstrip()} {serial:06d}"
    again = draft_from_text("\n".join(lines), date=when.date(), undated=True)
    return again if again.cable.post == draft.cable.post else draft


def released_record(draft: Draft, *, post: str, serial: int, when: dt.datetime) -> Cable:
    """The cable `draft` becomes when `post` releases it as `serial` at `when` (UTC)."""
    when = when.astimezone(dt.UTC)
    c = copy.deepcopy(_numbered(draft, serial, when).cable)
    yy = f"{when.year % 100:02d}"
    c.reference_id = f"{yy}{post}{serial}"
    c.created = when.strftime("%Y-%m-%dT%H:%M:00Z")
    c.created_from = "dtg"
    c.dtg = f"{when.day:02d}{when.hour:02d}{when.minute:02d}Z {_MONTHS[when.month - 1]} {yy}"
    action = _highest([r.precedence for r in c.recipients if r.role == "to"])
    info = _highest([r.precedence for r in c.recipients if r.role == "info"])
    c.precedence = action
    has_info = any(r.role == "info" for r in c.recipients)
    c.info_precedence = info if has_info and info != action else None
    c.header_kind = "acp127"
    c.transmission_id = f"VZCZCXRO{serial % 10000:04d}"
    routes = sorted({r.route for r in c.recipients if r.route})
    c.routing = routes[:4] or ["RUEHC"]
    own = _own_route(post)
    if own:
        doy = when.timetuple().tm_yday
        c.station = Station(
            route=own,
            serial=f"{serial % 10000:04d}",
            part=None,
            julian=f"{doy:03d}{when.hour:02d}{when.minute:02d}",
        )
    c.security = render._ZNY.get(c.classification or "UNCLASSIFIED")
    c.released = None
    c.title = None
    c.source = None
    c.warnings = []
    c.sections = None
    return render.paged(c, PAGING)


def telegram(cable: Cable) -> str:
    """The released cable as transmitted: ACP-127 header, letter-spaced banner with its
    SECTION count, pages of at most 20 lines with page markers, one DTG."""
    return render.to_telegram(cable, PAGING)


def to_form(cable: Cable, form: str) -> str:
    """A released cable in any form the renderer writes, with the transmitted layout."""
    return render.to_form(cable, form, PAGING)


def stored_telegram(conn, cable: Cable) -> str:  # type: ignore[no-untyped-def]
    """A stored cable as a telegram, with the page layout it was transmitted with when the
    drafting desk released it: the one rendering of the reading room, the API and `show`."""
    return render.to_telegram(cable, paging_of(conn, cable.reference_id or ""))


def archive_telegram(archive, cable: Cable) -> str:  # type: ignore[no-untyped-def]
    """stored_telegram over any store (the desk's releases are in either store's tables)."""
    return stored_telegram(archive.db, cable)


def paging_of(conn, reference_id: str) -> render.Paging | None:  # type: ignore[no-untyped-def]
    """The layout to render a stored cable with: PAGING for a cable the drafting desk
    released (its SECTION count is that layout's), None (the renderer's default) otherwise.
    For the reading room and `cablebase show`, which render stored records.  `conn`: either
    store's connection, or an archive/db.Db."""
    from cablebase.archive.db import Db

    try:
        row = Db.of(conn).one(
            "SELECT 1 FROM draft_releases WHERE reference_id = ?", (reference_id,)
        )
    except Db.MissingTable:  # an archive from before the desk's tables
        return None
    return PAGING if row else None
