"""The access policy: the one place that decides what a viewer may read (docs/access.md).

A cable's *requirement* is its classification rank and every caveat and handling restriction
it states anywhere (captions, portion marks, ENTIRE TEXT statements).  A viewer reads a cable
whole when cleared for both, when the cable is declassified (by an archivist under `reviewed`
declassification; under `automatic`, once its date has passed and no exemption such as 25X1
holds it back) or when it is a published release.  Otherwise an account, where the archive
allows portion-level reading, sees the cable's envelope and only the portions (paragraphs,
subject) whose marks they are cleared for: a *partial* view.  Otherwise the cable does not
exist for them.  Without an account a viewer reads what the policy's public profile allows.

The archive's stores apply the same decision inside their queries: `sql_visible` (a condition
on the `cables` columns written at ingest from `requirement`) and `fts_hidden` (an FTS5
expression over the `acl` column, for queries driven by the full-text index).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from cablebase.access import clock
from cablebase.record import Cable, Paragraph

RANKS = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET")
TOP = len(RANKS) - 1
# Caveats that restrict who reads (bit i of a requirement is CAVEATS[i]).  Other captions
# (SIPDIS, CODEL...) route or describe a cable; they restrict no one.
CAVEATS = ("NOFORN", "NODIS", "EXDIS", "LIMDIS", "STADIS", "ORCON", "PROPIN", "SPECAT")
ALL_CAVEATS = (1 << len(CAVEATS)) - 1
# Handling restrictions of unclassified text (sensitive but unclassified, limited official
# use, for official use only): they keep a cable from the public, never from an account
# (every account holds them, see Viewer), so they are bits after the caveats'.
RESTRICTIONS = ("SBU", "LOU", "FOUO")
RESTRICTED_BITS = sum(1 << (len(CAVEATS) + i) for i in range(len(RESTRICTIONS)))
ALL_BITS = ALL_CAVEATS | RESTRICTED_BITS
_BIT_NAMES = CAVEATS + RESTRICTIONS
# A flag, not a requirement: the cable says its caveats cover its ENTIRE TEXT, so every portion
# carries them (a portion marked (C) in a "SECRET/NOFORN - ENTIRE TEXT" cable is NOFORN too).
ENTIRE_TEXT = 1 << len(_BIT_NAMES)
# Distribution caveats limit the whole message, so every portion carries them; the others are
# written in each portion's own mark (S/NF) and a portion without them is free of them.
_WHOLE_MESSAGE = frozenset({"NODIS", "EXDIS", "LIMDIS", "STADIS", "SPECAT"})
_WHOLE_BITS = sum(1 << i for i, c in enumerate(CAVEATS) if c in _WHOLE_MESSAGE)
# The parts of a portion mark (`S/NF`, `SBU/NOFORN`, `C/NODIS`) that restrict who reads it.
_MARK_PARTS = {c: c for c in _BIT_NAMES}
_MARK_PARTS.update({"NF": "NOFORN", "OC": "ORCON", "PR": "PROPIN", "SENSITIVE": "SBU"})
_PORTION_RANK = {"U": 0, "SBU": 0, "LOU": 0, "FOUO": 0, "C": 1, "S": 2, "TS": 3}
# Handling captions that name a restriction (the parser keeps them as written).
_HANDLING_RESTRICTIONS = {
    "SBU": "SBU",
    "SENSITIVE": "SBU",
    "SENSITIVE BUT UNCLASSIFIED": "SBU",
    "LOU": "LOU",
    "LIMITED OFFICIAL USE": "LOU",
    "FOUO": "FOUO",
    "FOR OFFICIAL USE ONLY": "FOUO",
}
# "SECRET/NOFORN - ENTIRE TEXT.", "(SECRET/NOFORN/WNINTEL/ORCON-ENTIRE TEXT)": the words
# before ENTIRE TEXT, back to the start of the sentence or parenthesis.
_ENTIRE = re.compile(r"([^.()]{0,120}?)[\s/-]*ENTIRE\s+TEXT", re.IGNORECASE)
_ENTIRE_TEXT = re.compile(r"ENTIRE\s+TEXT", re.IGNORECASE)  # where a statement ends
# A declassification rule that keeps a dated cable closed: 25X/50X/75X exemptions, and
# determinations that need a person (OADR, MR).
_EXEMPT = re.compile(r"\b(?:25X\d?|50X\d?|75X\d?|OADR|MR)\b", re.IGNORECASE)
# open_on of a cable the archive itself opened: a published release, or a cable an archivist
# declassified (`reviewed` declassification).  Dates of year 1 sort before every real date.
RELEASED_ON = "0001-01-01"
DECLASSIFIED_ON = "0001-01-02"
MARKED = "0001-12-31"  # the last of the archive's own marks
MODES = ("open", "controlled")
DECLASSIFY = ("reviewed", "automatic")
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


def _bit(name: str) -> int:
    return 1 << _BIT_NAMES.index(name)


def bit_names(bits: int) -> list[str]:
    """The caveats and handling restrictions of a requirement's bits."""
    return [c for i, c in enumerate(_BIT_NAMES) if bits >> i & 1]


def handling_bits(handling: object) -> int:
    """The caveats and restrictions among a cable's handling captions."""
    bits = caveat_bits(handling)
    for caption in handling:  # type: ignore[attr-defined]
        up = " ".join(str(caption).upper().split())
        name = _HANDLING_RESTRICTIONS.get(up) or _HANDLING_RESTRICTIONS.get(up.split(" ")[0])
        if name:
            bits |= _bit(name)
    return bits


# LIMITED OFFICIAL USE is a control marking of unclassified text (old cables), not a level:
# its cables are UNCLASSIFIED that carry the LOU handling restriction (kept from the public
# profile, read by every account cleared UNCLASSIFIED).
_CONTROL_MARKINGS = {"LIMITED OFFICIAL USE": (0, "LOU")}


def rank_of(classification: str | None) -> int | None:
    """UNCLASSIFIED=0 .. TOP SECRET=3 (LIMITED OFFICIAL USE: 0), None when unknown."""
    if classification is None:
        return None
    up = classification.strip().upper()
    if up in _CONTROL_MARKINGS:
        return _CONTROL_MARKINGS[up][0]
    return RANKS.index(up) if up in RANKS else None


def _marking_bits(classification: str | None) -> int:
    """The handling restriction a control marking in the classification's place carries."""
    marking = _CONTROL_MARKINGS.get((classification or "").strip().upper())
    return _bit(marking[1]) if marking else 0


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
    bits: int = 0  # caveats and restrictions; ENTIRE_TEXT flags a whole-text statement


@lru_cache(maxsize=1024)
def mark_requirement(mark: str | None) -> tuple[int | None, int]:
    """(rank, bits) a normalised portion mark states: `S/NF` (2, NOFORN), `SBU` (0, SBU);
    rank None when the mark's level is not one we read.  Cached: a few marks recur in every
    cable, and ingest asks twice per paragraph."""
    if not mark:
        return None, 0
    head, *rest = mark.upper().replace(" ", "").split("/")
    bits = 0
    for part in (head, *rest):
        name = _MARK_PARTS.get(part)
        if name:
            bits |= _bit(name)
    return _PORTION_RANK.get(head), bits


def portion_requirement(mark: str | None, cable: Requirement) -> Requirement:
    """The requirement of a portion with this normalised mark (C, S/NF, SBU, U/FOUO...).

    An unmarked portion takes the cable's own requirement (the conservative reading); a marked
    one its own level and caveats, plus the cable's whole-message caveats (all of them when
    the cable states them for its entire text)."""
    if not mark:
        return cable
    return Requirement(*_portion(mark, cable.rank, cable.bits))


def _portion(mark: str | None, rank: int | None, bits: int) -> tuple[int | None, int]:
    """portion_requirement's (rank, bits) for a cable's (rank, bits), without making a
    Requirement (stored() asks for every paragraph of every cable ingested)."""
    if not mark:
        return rank, bits
    own, own_bits = mark_requirement(mark)
    if own is None:
        return rank, bits  # a mark we cannot read: as if unmarked
    carried = ALL_BITS if bits & ENTIRE_TEXT else _WHOLE_BITS
    return own, own_bits | bits & carried


def paragraph_shown(decided: dict, viewer: Viewer):
    """shown(cable id, portion mark) -> bool over the cables' decisions, `decided`: cable id ->
    (decision, the cable's Requirement): every paragraph of a cable read whole, those of a
    partially shown cable whose portion the viewer is cleared for, nothing of the others."""

    def shown(cid: int, portion: str | None) -> bool:
        decision, req = decided.get(cid, ("none", Requirement(None)))
        if decision == "full":
            return True
        return decision == "partial" and viewer.cleared(portion_requirement(portion, req))

    return shown


def _entire_statements(text: str) -> Iterator[re.Match[str]]:
    """What _ENTIRE.finditer(text) finds, without trying _ENTIRE at every position of a long
    paragraph: its lazy 120 characters cost ~120 steps at each one (2-3 ms for a cable that
    says ENTIRE TEXT, most of the access columns' CPU at ingest).  Each search starts where
    the next "ENTIRE TEXT" allows a match to start: at most 120 characters, plus the run of
    spaces, slashes and dashes before it, ahead of it (a match ending at a later one would
    need more than 120 characters before its own run)."""
    pos = 0
    while (end := _ENTIRE_TEXT.search(text, pos)) is not None:
        e = end.start()
        run = e
        while run > pos and (text[run - 1].isspace() or text[run - 1] in "/-"):  # \s as re's
            run -= 1
        m = _ENTIRE.search(text, max(pos, run - 120))
        if m is None:  # cannot happen (an empty group 1 matches at `run`); kept safe
            return
        yield m
        pos = m.end()


def _entire_text_bits(texts: object) -> int:
    """Caveats and restrictions a whole-text statement names ("SECRET/NOFORN - ENTIRE TEXT"),
    with the ENTIRE_TEXT flag; 0 when there is none."""
    bits = 0
    for text in texts:  # type: ignore[attr-defined]
        if not text or "ENTIRE" not in text.upper():
            continue
        for m in _entire_statements(text.upper()):
            words = [w for w in re.split(r"[\s/,-]+", m.group(1)) if w]
            bits |= handling_bits([" ".join(words)]) | ENTIRE_TEXT
            for word in words:  # NOFORN, NF, ORCON, OC, SBU, FOUO...
                if word in _MARK_PARTS:
                    bits |= _bit(_MARK_PARTS[word])
    return bits


def requirement(cable: Cable) -> Requirement:
    """What reading the cable whole requires: its classification, and every caveat or
    restriction it carries anywhere: handling captions, portion marks (a `(S/NF)` paragraph
    makes the cable NOFORN even when no caption says so) and whole-text statements."""
    bits = handling_bits(cable.handling) | _marking_bits(cable.classification)
    marks = [p.portion for p in cable.paragraphs]
    if cable.subject:
        marks.append(cable.subject_portion)
    for mark in marks:
        bits |= mark_requirement(mark)[1]
    # A merged record carries a source's whole-text statement among its handling (merge.py).
    texts = [cable.subject, *cable.handling]
    texts += [t for p in cable.paragraphs for t in (p.heading, p.text)]
    bits |= _entire_text_bits(texts)
    return Requirement(rank_of(cable.classification), bits)


def open_on(cable: Cable) -> str | None:
    """The date from which the cable may be declassified, or None (no date, or exempted)."""
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
    open_on: str | None  # its date, or RELEASED_ON / DECLASSIFIED_ON once the archive opened it
    floor_rank: int | None  # lowest rank of a caveat-free portion, None when there is none


def stored(cable: Cable, *, released: bool = False) -> Stored:
    req = requirement(cable)
    floor: int | None = None
    portions = [cable.subject_portion if cable.subject else None]
    portions += [p.portion for p in cable.paragraphs]
    if cable.subject or cable.paragraphs:
        for mark in portions if cable.subject else portions[1:]:
            rank, bits = _portion(mark, req.rank, req.bits)
            # Restrictions do not count: every account holds them, and the public reads no
            # partial cable (Access.portions).
            free = bits & ALL_CAVEATS == 0
            if rank is not None and free and (floor is None or rank < floor):
                floor = rank
    return Stored(req.rank, req.bits, RELEASED_ON if released else open_on(cable), floor)


def opened_by_archive(open_on: str | None) -> bool:
    """Whether the archive itself opened the cable (a release, or declassified by review)."""
    return open_on is not None and open_on <= MARKED


def acl_tokens(s: Stored, today: str | None = None) -> str:
    """The cable's tokens in the full-text index's `acl` column: rank, caveats, open dates.

    A cable the archive opened (a published release, a declassified cable) carries only
    `open`: the readers' `fts_hidden` expressions never meet it.  A declassification date
    alone opens nothing under `reviewed` declassification, so it is written as tokens that
    `automatic` declassification tests against the day.  (`today` is no longer used.)"""
    if opened_by_archive(s.open_on):
        return "open"
    toks = ["rx" if s.rank is None else f"r{s.rank}"]
    toks += ["k" + name.lower() for name in bit_names(s.bits)]
    if s.open_on and len(s.open_on) >= 10:
        y, m, d = s.open_on[:4], s.open_on[5:7], s.open_on[8:10]
        toks += [f"dy{y}", f"dm{y}{m}", f"dd{y}{m}{d}"]
    return " ".join(toks)


def tag_token(tag: str) -> str:
    """A cable's tag as one token of the index's acl column: "tg" and the tag's UTF-8 in hex,
    one token whatever the tag's characters (spaces, commas, accents) and equal exactly when
    the tags are.  `text -tag:X` is then one FTS5 expression (archive/sqlite_search.py)."""
    return "tg" + tag.encode().hex()


def indexed_acl(access: str, tags: Iterable[str]) -> str:
    """The text of a cable's acl column (and of `cables.acl`, which the contentless index is
    deleted with): its access tokens (`acl_tokens`; a tag token among them is dropped) and a
    token of each tag, sorted, so that one set of tags gives one text in whatever order it
    is read."""
    own = [t for t in access.split() if not t.startswith("tg")]
    return " ".join(own + sorted({tag_token(t) for t in tags}))


# Every token `acl_tokens` and `indexed_acl` write has one of these shapes (a caveat's is "k"
# and its name, a tag's "tg" and hex).
_ACL_SHAPE = re.compile(r"open|rx|r[0-9]+|k[a-z0-9_]*|d[ymd][0-9]*|tg[0-9a-f]*")


def may_be_acl_token(token: str) -> bool:
    """Whether a word could be one of the `acl` column's tokens (`acl_tokens`): free text
    of any other word cannot match that column, whatever column filter its FTS5 phrase has
    (archive/query.fts_string).  An empty token is answered True (nothing to reason on)."""
    return not token or _ACL_SHAPE.fullmatch(token) is not None


# -- viewers ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is reading: an account's name, role and clearance (rank and caveat bits).

    A named viewer (an account) holds the handling restrictions (SBU, LOU, FOUO) whatever its
    caveats: they keep unclassified text from the public only."""

    name: str | None
    role: str = "reader"
    rank: int = 0
    bits: int = 0

    def __post_init__(self) -> None:
        if self.name is not None:
            object.__setattr__(self, "bits", self.bits | RESTRICTED_BITS)

    @property
    def caveats(self) -> list[str]:
        return caveat_names(self.bits)

    def cleared(self, req: Requirement) -> bool:
        need = req.bits & ALL_BITS
        return req.rank is not None and req.rank <= self.rank and need & ~self.bits == 0


EVERYONE = Viewer(None, "reader", TOP, ALL_BITS)  # the reader of an open archive
SYSTEM = Viewer("system", "admin", TOP, ALL_BITS)  # maintenance jobs, never a web request
# No account: under a controlled policy, reads what the policy's public profile allows and
# what is declassified or released (Access replaces it with Policy.public_viewer()).
ANONYMOUS = Viewer(None, "reader", -1, 0)


@dataclass(frozen=True, slots=True)
class Policy:
    """The archive's policy (docs/access.md has it as a table).

    `mode`: open (everyone reads everything) or controlled.  Under controlled:
    `portions`: may a viewer read the portions they are cleared for?
    `declassify`: reviewed (a passed date makes a cable eligible; an archivist declassifies)
    or automatic (a passed date opens it);
    `public_rank`, `public_restricted`: the public profile, what a visitor without an account
    reads: cables up to this level (-1: none) free of caveats, and, if set, of handling
    restrictions (SBU, LOU, FOUO) too."""

    mode: str = "open"
    portions: bool = True
    declassify: str = "reviewed"
    public_rank: int = 0
    public_restricted: bool = False

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"policy mode: one of {', '.join(MODES)}")
        if self.declassify not in DECLASSIFY:
            raise ValueError(f"declassification: one of {', '.join(DECLASSIFY)}")
        if not -1 <= self.public_rank <= TOP:
            raise ValueError(f"public level: -1 (none) to {TOP}")

    def public_viewer(self) -> Viewer:
        return Viewer(
            None, "reader", self.public_rank, RESTRICTED_BITS if self.public_restricted else 0
        )

    def describe_public(self) -> str:
        if self.public_rank < 0:
            return "nothing but declassified and released cables"
        level = RANKS[self.public_rank]
        levels = level if self.public_rank == 0 else f"{RANKS[0]} to {level}"
        rest = "" if self.public_restricted else ", without handling restrictions (SBU, LOU, FOUO)"
        return f"{levels} cables without caveats{rest}"


@dataclass(frozen=True, slots=True)
class Access:
    """A viewer under a policy on a day: what every read path consults.

    Under a controlled policy ANONYMOUS stands for the policy's public profile, and an
    account reads at least what the public reads.  `today` is the day declassification
    dates are judged on; under `reviewed` declassification no date opens a cable, only the
    archive's own marks do, so it is MARKED (readers' caches key on it)."""

    policy: Policy
    viewer: Viewer
    today: str = field(default_factory=lambda: clock.today())

    def __post_init__(self) -> None:
        p, v = self.policy, self.viewer
        if p.mode != "controlled":
            return
        if v == ANONYMOUS:
            object.__setattr__(self, "viewer", p.public_viewer())
        elif v.name is not None and 0 <= v.rank < p.public_rank:
            object.__setattr__(self, "viewer", replace(v, rank=p.public_rank))
        if p.declassify == "reviewed":
            object.__setattr__(self, "today", MARKED)

    @property
    def unrestricted(self) -> bool:
        """Whether this viewer reads every cable whole (nothing to filter)."""
        return self.policy.mode == "open" or (
            self.viewer.rank >= TOP and self.viewer.bits & ALL_BITS == ALL_BITS
        )

    def declassified(self, opened: str | None) -> bool:
        return opened is not None and opened <= self.today

    def decide(self, s: Stored) -> str:
        """ "full", "partial" or "none" for a cable with these stored access columns."""
        if self.unrestricted or self.declassified(s.open_on):
            return "full"
        v = self.viewer
        if v.cleared(Requirement(s.rank, s.bits)):
            return "full"
        if self.portions and s.floor_rank is not None and s.floor_rank <= v.rank:
            return "partial"
        return "none"

    @property
    def portions(self) -> bool:
        """Whether this viewer may read the cleared portions of a cable they cannot read
        whole: under a policy that allows it, an account; the public reads whole cables only
        (a partial view would tell them that a classified cable exists)."""
        return self.policy.portions and self.viewer.name is not None


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
    req = requirement(cable)
    if columns is not None:
        # The stored caveats were computed from the whole record at ingest; the record in
        # hand may lack its paragraphs (an export without text), whose portion marks add
        # caveats (an (S/NF) paragraph makes an unmarked subject NOFORN).
        req = Requirement(req.rank, req.bits | columns.bits)
    return decision, _partial(cable, access, req)


def _partial(cable: Cable, access: Access, req: Requirement) -> Cable:
    """The envelope of the cable and the portions the viewer is cleared for.  Built from an
    allow-list: a field added to the record later stays out until it is judged safe here.
    `req` is what reading the cable whole requires (`requirement`)."""
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
        released=cable.released,  # WikiLeaks' publication date: nothing of the text
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
    req = requirement(cable)
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
    params += [v.rank, ALL_BITS & ~v.bits, access.today]
    cond = (
        "((c.class_rank IS NOT NULL AND c.class_rank <= ? AND (c.caveat_bits & ?) = 0)"
        " OR (c.open_on IS NOT NULL AND c.open_on <= ?)"
    )
    if access.portions and not text:
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
    closed += ["k" + c.lower() for i, c in enumerate(_BIT_NAMES) if not v.bits >> i & 1]
    if access.today <= MARKED:  # reviewed declassification: no date opens a cable
        return f"acl : ({' OR '.join(closed)})"
    y, m, d = access.today[:4], access.today[5:7], access.today[8:10]
    # Cables open when written carry no rank or caveat token; these are the ones whose date
    # came later.
    opened = [f"dy{year}" for year in open_years if year < y]
    opened += [f"dm{y}{mm:02d}" for mm in range(1, int(m))]
    opened += [f"dd{y}{m}{dd:02d}" for dd in range(1, int(d) + 1)]
    if not opened:
        return f"acl : ({' OR '.join(closed)})"
    return f"(acl : ({' OR '.join(closed)}) NOT acl : ({' OR '.join(opened)}))"
