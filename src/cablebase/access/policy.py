"""The access policy: the one place that decides what a viewer may read (docs/access.md).

A cable's *requirement* is its classification rank and its controlled caveats.  A viewer reads
a cable whole when cleared for both, when the cable is declassified (its declassification date
has passed and no exemption such as 25X1 holds it back) or when it is a published release.
Otherwise, where the archive allows portion-level reading, the viewer sees the cable's envelope
and only the portions (paragraphs, subject) whose marks they are cleared for: a *partial* view.
Otherwise the cable does not exist for them.

The archive's stores apply the same decision inside their queries: `sql_visible` (a condition
on the `cables` columns written at ingest from `requirement`) and `fts_hidden` (an FTS5
expression over the `acl` column, for queries driven by the full-text index).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from cablebase.record import Cable, Paragraph

RANKS = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET")
TOP = len(RANKS) - 1
# Caveats that restrict who reads (bit i of a requirement is CAVEATS[i]).  Other captions
# (SIPDIS, CODEL, SENSITIVE...) route or describe a cable; they restrict no one.
CAVEATS = ("NOFORN", "NODIS", "EXDIS", "LIMDIS", "STADIS", "ORCON", "PROPIN", "SPECAT")
ALL_CAVEATS = (1 << len(CAVEATS)) - 1
# Distribution caveats limit the whole message, so every portion carries them; the others are
# written in each portion's own mark (S/NF) and a portion without them is free of them.
_WHOLE_MESSAGE = frozenset({"NODIS", "EXDIS", "LIMDIS", "STADIS", "SPECAT"})
_WHOLE_BITS = sum(1 << i for i, c in enumerate(CAVEATS) if c in _WHOLE_MESSAGE)
_PORTION_CAVEATS = {"NF": "NOFORN", "NOFORN": "NOFORN", "OC": "ORCON", "ORCON": "ORCON"}
_PORTION_CAVEATS.update({"PR": "PROPIN", "PROPIN": "PROPIN"})
_PORTION_RANK = {"U": 0, "SBU": 0, "FOUO": 0, "C": 1, "S": 2, "TS": 3}
# A declassification rule that keeps a dated cable closed: 25X/50X/75X exemptions, and
# determinations that need a person (OADR, MR).
_EXEMPT = re.compile(r"\b(?:25X\d?|50X\d?|75X\d?|OADR|MR)\b", re.IGNORECASE)
RELEASED_ON = "0001-01-01"  # open_on of a published release: open to everyone, always
MODES = ("open", "controlled")
ROLES = ("reader", "archivist", "admin")


def caveat_bits(names: object) -> int:
    """The bits of the controlled caveats among `names` (others are ignored)."""
    bits = 0
    for name in names:  # type: ignore[attr-defined]
        up = str(name).strip().upper()
        if up in CAVEATS:
            bits |= 1 << CAVEATS.index(up)
    return bits


def caveat_names(bits: int) -> list[str]:
    return [c for i, c in enumerate(CAVEATS) if bits >> i & 1]


def rank_of(classification: str | None) -> int | None:
    """UNCLASSIFIED=0 .. TOP SECRET=3, None when unknown."""
    if classification is None:
        return None
    up = classification.strip().upper()
    return RANKS.index(up) if up in RANKS else None


def parse_rank(value: str | int) -> int:
    """A clearance as given on a command line or a form: a name, an abbreviation or 0-3."""
    if isinstance(value, int) or str(value).isdigit():
        n = int(value)
        if 0 <= n <= TOP:
            return n
        raise ValueError(f"clearance {value!r}: 0 to {TOP}")
    key = str(value).strip().upper().replace("_", " ").replace("-", " ")
    short = {"U": 0, "UNCLAS": 0, "C": 1, "S": 2, "TS": 3, "TOPSECRET": 3}
    if key in RANKS:
        return RANKS.index(key)
    if key in short:
        return short[key]
    raise ValueError(f"clearance {value!r}: one of {', '.join(RANKS)}")


@dataclass(frozen=True, slots=True)
class Requirement:
    """What reading a cable (or one of its portions) requires."""

    rank: int | None  # None: unknown classification, treated as above every clearance
    bits: int = 0


def portion_requirement(mark: str | None, cable: Requirement) -> Requirement:
    """The requirement of a portion with this normalised mark (C, S/NF, SBU, U/FOUO...).

    An unmarked portion takes the cable's own requirement (the conservative reading); a marked
    one its own level and caveats, plus the cable's whole-message caveats."""
    if not mark:
        return cable
    head, *rest = mark.upper().replace(" ", "").split("/")
    rank = _PORTION_RANK.get(head)
    if rank is None:
        return cable  # a mark we cannot read: as if unmarked
    bits = cable.bits & _WHOLE_BITS
    for part in rest:
        name = _PORTION_CAVEATS.get(part)
        if name:
            bits |= 1 << CAVEATS.index(name)
    return Requirement(rank, bits)


def open_on(cable: Cable) -> str | None:
    """The date from which the cable is declassified, or None (no date, or exempted)."""
    if not cable.declassify_on:
        return None
    if cable.declassify_rule and _EXEMPT.search(cable.declassify_rule):
        return None
    return cable.declassify_on


@dataclass(frozen=True, slots=True)
class Stored:
    """The access columns the archive stores with each cable (see archive/schema.py)."""

    rank: int | None
    bits: int
    open_on: str | None
    floor_rank: int | None  # lowest rank of a caveat-free portion, None when there is none


def stored(cable: Cable, *, released: bool = False) -> Stored:
    req = Requirement(rank_of(cable.classification), caveat_bits(cable.handling))
    floor: int | None = None
    portions = [cable.subject_portion if cable.subject else None]
    portions += [p.portion for p in cable.paragraphs]
    if cable.subject or cable.paragraphs:
        for mark in portions if cable.subject else portions[1:]:
            pr = portion_requirement(mark, req)
            if pr.rank is not None and pr.bits == 0 and (floor is None or pr.rank < floor):
                floor = pr.rank
    return Stored(req.rank, req.bits, RELEASED_ON if released else open_on(cable), floor)


def acl_tokens(s: Stored, today: str | None = None) -> str:
    """The cable's tokens in the full-text index's `acl` column: rank, caveats, open dates.

    A cable already open when it is written (released, or its declassification date passed)
    carries only `open`: the readers' `fts_hidden` expressions then never meet it, which keeps
    their doclists short (most cables of an old archive are declassified)."""
    today = today or datetime.now(UTC).date().isoformat()
    if s.open_on == RELEASED_ON or (s.open_on and s.open_on <= today):
        return "open"
    toks = ["rx" if s.rank is None else f"r{s.rank}"]
    toks += ["k" + name.lower() for name in caveat_names(s.bits)]
    if s.open_on and len(s.open_on) >= 10:
        y, m, d = s.open_on[:4], s.open_on[5:7], s.open_on[8:10]
        toks += [f"dy{y}", f"dm{y}{m}", f"dd{y}{m}{d}"]
    return " ".join(toks)


# -- viewers ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is reading: an account's name, role and clearance (rank and caveat bits)."""

    name: str | None
    role: str = "reader"
    rank: int = 0
    bits: int = 0

    @property
    def caveats(self) -> list[str]:
        return caveat_names(self.bits)

    def cleared(self, req: Requirement) -> bool:
        return req.rank is not None and req.rank <= self.rank and req.bits & ~self.bits == 0


EVERYONE = Viewer(None, "reader", TOP, ALL_CAVEATS)  # the reader of an open archive
SYSTEM = Viewer("system", "admin", TOP, ALL_CAVEATS)  # maintenance jobs, never a web request
# No account: under a controlled policy, reads only what is declassified or released.
ANONYMOUS = Viewer(None, "reader", -1, 0)


@dataclass(frozen=True, slots=True)
class Policy:
    mode: str = "open"
    portions: bool = True  # controlled: may a viewer read the portions they are cleared for?

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"policy mode: one of {', '.join(MODES)}")


@dataclass(frozen=True, slots=True)
class Access:
    """A viewer under a policy on a day: what every read path consults."""

    policy: Policy
    viewer: Viewer
    today: str = field(default_factory=lambda: datetime.now(UTC).date().isoformat())

    @property
    def unrestricted(self) -> bool:
        """Whether this viewer reads every cable whole (nothing to filter)."""
        return self.policy.mode == "open" or (
            self.viewer.rank >= TOP and self.viewer.bits & ALL_CAVEATS == ALL_CAVEATS
        )

    def declassified(self, opened: str | None) -> bool:
        return opened is not None and opened <= self.today

    def decide(self, s: Stored) -> str:
        """ "full", "partial" or "none" for a cable with these stored access columns."""
        if self.unrestricted or self.declassified(s.open_on):
            return "full"
        if self.viewer.cleared(Requirement(s.rank, s.bits)):
            return "full"
        if self.policy.portions and s.floor_rank is not None and s.floor_rank <= self.viewer.rank:
            return "partial"
        return "none"


def open_access() -> Access:
    return Access(Policy("open"), EVERYONE)


# -- what a viewer sees of one record ---------------------------------------------------

WITHHELD = "[withheld]"


def view(cable: Cable, access: Access, columns: Stored | None = None) -> tuple[str, Cable | None]:
    """(decision, the record as this viewer may see it): the record itself when read whole,
    a partial copy (withheld portions blanked, nothing derived from them kept) or None.
    `columns` are the access columns the archive stored (they know of published releases);
    without them they are computed from the record."""
    decision = access.decide(columns or stored(cable))
    if decision == "full":
        return decision, cable
    if decision == "none":
        return decision, None
    return decision, _partial(cable, access)


def _partial(cable: Cable, access: Access) -> Cable:
    """The envelope of the cable and the portions the viewer is cleared for.  Built from an
    allow-list: a field added to the record later stays out until it is judged safe here."""
    req = Requirement(rank_of(cable.classification), caveat_bits(cable.handling))
    viewer = access.viewer
    paragraphs: list[Paragraph] = []
    for p in cable.paragraphs:
        if viewer.cleared(portion_requirement(p.portion, req)):
            paragraphs.append(replace(p))
        else:
            paragraphs.append(Paragraph(number=p.number, portion=p.portion, text=WITHHELD))
    subject_ok = cable.subject is not None and viewer.cleared(
        portion_requirement(cable.subject_portion, req)
    )
    shown = Cable(
        reference_id=cable.reference_id,
        created=cable.created,
        created_from=cable.created_from,
        origin=cable.origin,
        post=cable.post,
        classification=cable.classification,
        handling=list(cable.handling),
        header_kind=cable.header_kind,
        dtg=cable.dtg,
        precedence=cable.precedence,
        info_precedence=cable.info_precedence,
        sender=cable.sender,
        recipients=[replace(r) for r in cable.recipients],
        eo=cable.eo,
        declassify_on=cable.declassify_on,
        declassify_rule=cable.declassify_rule,
        tags=list(cable.tags),
        subject=cable.subject if subject_ok else (WITHHELD if cable.subject else None),
        subject_portion=cable.subject_portion,
        title=cable.title if subject_ok else None,
        # Cited ids are routing facts; the lines that name them may quote withheld text.
        references=[replace(r, text=WITHHELD) for r in cable.references],
        paragraphs=paragraphs,
        signers=list(cable.signers),
        partial=True,
    )
    shown.warn("access.withheld", "portions this reader is not cleared for are withheld")
    return shown


def visible_paragraphs(cable: Cable, access: Access) -> list[int]:
    """Positions of the paragraphs this viewer may read (all of them when read whole)."""
    decision = access.decide(stored(cable))
    if decision == "full":
        return list(range(len(cable.paragraphs)))
    if decision == "none":
        return []
    req = Requirement(rank_of(cable.classification), caveat_bits(cable.handling))
    return [
        i
        for i, p in enumerate(cable.paragraphs)
        if access.viewer.cleared(portion_requirement(p.portion, req))
    ]


# -- the same decision inside the store's queries ----------------------------------------


def sql_visible(access: Access, params: list, *, text: bool = False, alias: str = "c") -> str:
    """A condition over `cables c` true for the cables this viewer sees: read whole, or (unless
    `text`: free text matches only what is read whole) partially.  "1" when unrestricted."""
    if access.unrestricted:
        return "1"
    v = access.viewer
    params += [v.rank, ALL_CAVEATS & ~v.bits, access.today]
    cond = (
        "((c.class_rank IS NOT NULL AND c.class_rank <= ? AND (c.caveat_bits & ?) = 0)"
        " OR (c.open_on IS NOT NULL AND c.open_on <= ?)"
    )
    if access.policy.portions and not text:
        params.append(v.rank)
        cond += " OR (c.floor_rank IS NOT NULL AND c.floor_rank <= ?)"
    if not alias.isidentifier():
        raise ValueError(f"bad alias {alias!r}")
    return (cond + ")").replace("c.", alias + ".")


def fts_hidden(access: Access, open_years: list[str]) -> str | None:
    """An FTS5 expression matching the cables this viewer may not read whole, for
    `query NOT (hidden)`; None when unrestricted.  `open_years` are the years of the stored
    declassification dates (the `dy` tokens that exist)."""
    if access.unrestricted:
        return None
    v = access.viewer
    closed = ["rx"] + [f"r{r}" for r in range(v.rank + 1, TOP + 1)]
    closed += ["k" + c.lower() for i, c in enumerate(CAVEATS) if not v.bits >> i & 1]
    y, m, d = access.today[:4], access.today[5:7], access.today[8:10]
    # Cables open when written carry no rank or caveat token; these are the ones whose date
    # came later.
    opened = [f"dy{year}" for year in open_years if year < y]
    opened += [f"dm{y}{mm:02d}" for mm in range(1, int(m))]
    opened += [f"dd{y}{m}{dd:02d}" for dd in range(1, int(d) + 1)]
    if not opened:
        return f"acl : ({' OR '.join(closed)})"
    return f"(acl : ({' OR '.join(closed)}) NOT acl : ({' OR '.join(opened)}))"
