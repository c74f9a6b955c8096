"""The probe's second world: what a cable's life adds to the archive (tests/test_access_probe.py).

The oracle world (tests/test_access_oracle.py) holds cables as ingested.  This one holds what
happens to them afterwards, each a token per portion so that a leak is a word on a page:

- a **published release** (cable 50: SECRET, its (S/NF) ¶1 withheld, its (U) ¶3's token
  redacted): everyone reads the release; the original stays with those cleared for it, a
  partial view of it with those cleared for some of its portions;
- a **draft release** and a **withdrawn** one (cable 51), whose notes only an archivist who
  reads the cable whole may read;
- a **merged cable** (52) read from two forms whose bodies disagree: the csv form's ¶1 is
  (C/NF), the html form's (the longer, the merged body) (C): the disagreement the cable page
  shows quotes the csv text;
- **declassification on schedule** (53-55: SECRET, declassified yesterday, today, tomorrow,
  under `automatic` declassification, judged on the fixed day TODAY);
- a cable **hidden from accounts** (56: SECRET NOFORN, every portion (S/NF), citing the
  release): only readers holding NOFORN meet it; to the others it is a missing cable, in
  pages, commands, writes (a draft citing it, an acknowledgement) and references alike;
- **drafts** of the drafting desk, with versions of different levels (DRAFTS);
- **deliveries** of every one of these cables (dispatch: FLASH, acknowledged or not, one
  never delivered, dead letters to an unknown addressee, escalations to a roster).

The oracle is an explicit computation, never the code under test: `allowed(reader)` is the set
of tokens the reader may meet, from this module's own reading of docs/access.md,
docs/releases.md and docs/drafting.md.  A hidden object must answer exactly as a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from cablebase.access import releases
from cablebase.access.accounts import Accounts
from cablebase.access.policy import Access, Policy
from cablebase.access.settings import set_policy
from cablebase.archive.store import open_store
from cablebase.drafting.desk import Desk
from cablebase.drafting.store import DraftStore
from cablebase.record import Paragraph, Source
from tests.test_access_oracle import (
    HASHER,
    PASSWORD,
    READERS,
    Reader,
    Spec,
    make_cable,
    para_token,
    portion_cleared,
    ref_token,
    rid,
    subject_token,
    viewer,
)
from tests.test_drafting import BASE

# The day declassification dates are judged on: the real one, as the command line (which
# has no clock of its own) judges them; the app is given it as its clock.
DAY = datetime.now(UTC).date()
TODAY = str(DAY)
YESTERDAY, TOMORROW = str(DAY - timedelta(days=1)), str(DAY + timedelta(days=1))
POLICY = Policy("controlled", True, "automatic")

# An archivist cleared for everything: the one reader of draft releases' notes.
ARCHIVIST = Reader(
    "arch",
    3,
    ("NOFORN", "NODIS", "EXDIS", "LIMDIS", "STADIS", "ORCON", "PROPIN", "SPECAT"),
    "archivist",
)
LIFE_READERS = [*READERS, ARCHIVIST]

RELEASED, DRAFTED, MERGED = 50, 51, 52
NOFORN_ONLY = 56  # every portion (S/NF): hidden from every account without NOFORN
SCHEDULED = {53: YESTERDAY, 54: TODAY, 55: TOMORROW}
LIFE_SPECS = {
    RELEASED: Spec(2, (), "U", ("S/NF", "C", "U"), cites=(51,)),
    DRAFTED: Spec(1, (), "C", ("C", "U"), cites=(50,)),
    MERGED: Spec(1, (), "C", ("C", "U")),
    **{i: Spec(2, (), "S", ("S", "U"), declassify=d) for i, d in SCHEDULED.items()},
    NOFORN_ONLY: Spec(2, ("NOFORN",), "S/NF", ("S/NF", "S/NF"), cites=(RELEASED,)),
}
NOTE, WITHDRAWN_NOTE = "zznote151q", "zznote151w"
MERGE_TOKEN = "zzmerge152q"  # only in the csv form of cable 52, in a (C/NF) paragraph
MISSING_DRAFT = 99
MISSING_RELEASE = 99


@dataclass(frozen=True)
class DraftCase:
    author: str
    versions: tuple[tuple[str, str], ...]  # (classification, token) per version


DRAFTS = {  # draft id -> its versions, in order of creation
    1: DraftCase("conf", (("UNCLASSIFIED", "zzdraft1v1q"), ("CONFIDENTIAL", "zzdraft1v2q"))),
    2: DraftCase("secret", (("SECRET", "zzdraft2q"),)),
    3: DraftCase("unclas", (("UNCLASSIFIED", "zzdraft3q"),)),
}
RANK = {"UNCLASSIFIED": 0, "CONFIDENTIAL": 1, "SECRET": 2}
SUBMITTED, OFFICE, DESK_OFFICERS = 2, "POL", ("noforn", "conf")


def draft_body(classification: str, token: str) -> str:
    spaced = " ".join(classification)
    text = BASE.replace("C O N F I D E N T I A L", spaced)
    mark = classification[0]
    text = text.replace("SUBJECT: (C)", f"SUBJECT: ({mark})").replace("1. (C)", f"1. ({mark})")
    return text.replace("will report further.", f"will report further on {token}.")


def merged_forms() -> tuple:
    """Cable 52 as its Cablegate page (the longer body, the merged one) and its csv row."""
    html = make_cable(MERGED, LIFE_SPECS[MERGED])
    html = replace(html, source=Source(form="html", path="52.html"))
    first = html.paragraphs[0]
    short = Paragraph(number=1, portion="C/NF", text=f"Paragraph {MERGE_TOKEN} of cable 52.")
    csv = replace(
        html,
        source=Source(form="csv", path="cables.csv", offset=52),
        paragraphs=[short, *html.paragraphs[1:]],
        released=None,
    )
    assert len(first.text) > len(short.text)
    return html, csv


def build(location) -> None:  # type: ignore[no-untyped-def]
    """The lifecycle world at `location` (a SQLite file or a PostgreSQL archive's URL)."""
    with open_store(location) as store:
        plain = [i for i in LIFE_SPECS if i != MERGED]
        store.put_many([make_cable(i, LIFE_SPECS[i]) for i in plain])
        html, csv = merged_forms()
        store.put_many([html])
        store.put_many([csv])
        set_policy(store.conn, POLICY)
        accounts = Accounts(store.conn, hasher=HASHER)
        for r in LIFE_READERS:
            if r.name is not None:
                accounts.add_user(r.name, PASSWORD, r.role, r.rank, r.caveats)
        accounts.add_user("arch2", PASSWORD, "archivist", 3, ARCHIVIST.caveats)
        # A published release of 50: ¶1 withheld, ¶3's token redacted.
        r = releases.prepare(
            store, rid(RELEASED), withheld=[0], spans=[para_token(RELEASED, 2)], by="arch"
        )
        releases.review(store, r.id, by="arch2")
        releases.publish(store, r.id, by="arch2")
        # A draft release of 51 and a withdrawn one, each with a note.
        releases.prepare(store, rid(DRAFTED), withheld=[0], note=NOTE, by="arch")
        w = releases.prepare(store, rid(DRAFTED), note=WITHDRAWN_NOTE, by="arch")
        releases.withdraw(store, w.id, by="arch2")
        for did, case in DRAFTS.items():
            author = next(r for r in LIFE_READERS if r.name == case.author)
            desk = DraftStore(store.conn, Access(POLICY, viewer(author), TODAY))
            (cls, token), *later = case.versions
            made = desk.new(draft_body(cls, token), "text")
            assert made.id == did, (made.id, did)
            for cls, token in later:
                desk.edit(did, draft_body(cls, token), "text")
        # The SECRET draft waits on an office whose officers are a SECRET reader and a
        # CONFIDENTIAL one: the first reads it, the second not (docs/drafting.md).
        admin = next(r for r in LIFE_READERS if r.role == "admin")
        access = Access(POLICY, viewer(admin), TODAY)
        for member in DESK_OFFICERS:
            Desk(DraftStore(store.conn, access), store, viewer(admin)).add_member(OFFICE, member)
        author = next(r for r in LIFE_READERS if r.name == DRAFTS[SUBMITTED].author)
        access = Access(POLICY, viewer(author), TODAY)
        Desk(DraftStore(store.conn, access), store, viewer(author)).submit(SUBMITTED, [OFFICE])
        deliver(store)


DISPATCHED = 1_600_000_000.0  # when the cables were released to dispatch (a fixed clock)
UNDELIVERED = max(SCHEDULED)  # its deliveries stay queued: late


def deliver(store) -> None:  # type: ignore[no-untyped-def]
    """Deliveries of every lifecycle cable as FLASH (acknowledgement required): SECSTATE's
    delivered (the declassified-today one acknowledged), the scheduled-tomorrow one's never
    (late), the consulate an unknown addressee (dead letters); the unacknowledged escalated
    to a roster.  Inboxes, counts, late lists and alerts show a cable only to its readers."""
    from cablebase.archive.db import Db
    from cablebase.dispatch.outbox import enqueue
    from cablebase.dispatch.queue import Queue
    from cablebase.dispatch.worker import Worker

    queue = Queue(store.conn, clock=lambda: DISPATCHED + 3600)
    for late in (False, True):
        with Db.of(store.conn).transaction():
            for i, spec in LIFE_SPECS.items():
                if (i == UNDELIVERED) == late:
                    cable = replace(make_cable(i, spec), precedence="FLASH")
                    enqueue(store.conn, cable, released=DISPATCHED + i)
        if not late:
            Worker(store, queue=queue).run(until_empty=True, escalate_every=1e9)
    queue.mark(rid(min(SCHEDULED) + 1), "SECSTATE", ack=True, who="all")
    later = Queue(store.conn, clock=lambda: DISPATCHED + 99_999)
    later.set_roster("SECSTATE", ["watch officer"])
    later.escalate()


def clock(day: str = TODAY):  # type: ignore[no-untyped-def]
    """The app's clock: noon of `day`, UTC."""
    now = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
    return lambda: now


# -- the oracle: what each reader may meet ------------------------------------------------

CAVEAT_OF_MARK = {"NF": "NOFORN", "OC": "ORCON"}


def _whole(r: Reader, s: Spec, marks: tuple[str | None, ...] | None = None) -> bool:
    """Reads the cable whole (docs/access.md): declassified (automatic: its date has passed,
    today included, no exemption), or cleared for its level and every caveat it states
    (captions and portion marks); the public reads only UNCLASSIFIED cables free of them."""
    if s.declassify and s.declassify <= TODAY and not s.rule:
        return True
    caveats = set(s.caveats)
    for m in (s.subject_mark, *(marks or s.marks)):
        caveats |= {CAVEAT_OF_MARK[p] for p in (m or "").split("/")[1:] if p in CAVEAT_OF_MARK}
    rank = -1 if r.name is None else r.rank
    if r.name is None:
        return s.rank == 0 and not caveats
    return s.rank is not None and s.rank <= rank and caveats <= set(r.caveats)


def cable_tokens(i: int, s: Spec) -> set[str]:
    return {para_token(i, j) for j in range(len(s.marks))} | {subject_token(i), ref_token(i)}


def _seen_tokens(r: Reader, i: int, s: Spec) -> set[str]:
    """The tokens of cable i (as ingested) the reader may meet: all when read whole, the
    cleared portions of a partial view (accounts only), nothing else."""
    if _whole(r, s):
        return cable_tokens(i, s)
    if r.name is None:
        return set()
    out = {para_token(i, j) for j, m in enumerate(s.marks) if portion_cleared(r, s, m)}
    if portion_cleared(r, s, s.subject_mark):
        out.add(subject_token(i))
    return out


def reads_whole(r: Reader, i: int) -> bool:
    return _whole(r, LIFE_SPECS[i])


def allowed(r: Reader) -> set[str]:
    """Every lifecycle token this reader may meet."""
    out: set[str] = set()
    for i, s in LIFE_SPECS.items():
        out |= _seen_tokens(r, i, s)
    # The release of 50 is everyone's: its subject, REF lines and ¶2 (¶1 withheld, ¶3's
    # token redacted).
    out |= {subject_token(RELEASED), ref_token(RELEASED), para_token(RELEASED, 1)}
    # The csv form of 52 says its ¶1 is (C/NF): its text is for those cleared for it.
    csv_marks = ("C/NF", *LIFE_SPECS[MERGED].marks[1:])
    if _whole(r, LIFE_SPECS[MERGED], csv_marks):
        out.add(MERGE_TOKEN)
    # Release notes: archivists (and admins) who read the cable whole.
    if r.role in ("archivist", "admin") and reads_whole(r, DRAFTED):
        out |= {NOTE, WITHDRAWN_NOTE}
    for did in DRAFTS:
        if reads_draft(r, did):
            out |= {token for _, token in DRAFTS[did].versions}
    return out


def reads_draft(r: Reader, did: int) -> bool:
    """docs/drafting.md: its author; an admin, or an officer of an office a submitted draft
    waits on, cleared for it (every version read is judged with the current one)."""
    case = DRAFTS[did]
    if r.name == case.author:
        return True
    top = max(RANK[c] for c, _ in case.versions)
    officer = did == SUBMITTED and r.name in DESK_OFFICERS
    return (r.role == "admin" or officer) and top <= r.rank


def every_token() -> set[str]:
    out = {t for i, s in LIFE_SPECS.items() for t in cable_tokens(i, s)}
    out |= {MERGE_TOKEN, NOTE, WITHDRAWN_NOTE}
    return out | {t for case in DRAFTS.values() for _, t in case.versions}
