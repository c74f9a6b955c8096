"""Clearance and release: drafter -> clearing offices -> releaser (docs/drafting.md).

A stored draft (store.py) goes through these states:

    draft --submit--> submitted --clear (each office)--> cleared --release--> released
      ^                  |
      +------recall------+   (the drafter takes it back; clearances given are dropped)

- **submit** (its author; on an open archive the submitter becomes its author): names the
  offices that must clear (or takes those the draft lists).  A draft with errors other than
  missing clearances is not submitted.  The submitted version is frozen: edits need a recall.
- **clear** (a member of the office, never the drafter): one office at a time.
- **release** (a member of the post's releasing unit `release:POST`): refused while an office
  has not cleared or the draft has an error (checked again with the offices that cleared), and
  refused to the drafter unless the post allows self-release.  The post's next serial for the
  year is taken in the transaction that records the release (gapless and unique under
  concurrent releases: SQLite's BEGIN IMMEDIATE serialises them, on PostgreSQL the counter's
  row stays locked until the release commits or rolls back), the DTG is the release time,
  and the cable (rendered with the transmitted page layout, render.Paging) is stored in the
  archive in that same transaction, with whatever RELEASE_HOOKS write (dispatch's outbox).

Every step is audited (`draft.submit`, `draft.clear`, `draft.recall`, `draft.release`, and the
administration of units and posts).  Who acts is an authenticated account (`actor`): the
two-person rules need to know who is who.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cablebase.access import audit
from cablebase.access.policy import Viewer, requirement
from cablebase.archive.db import Db
from cablebase.dispatch.outbox import enqueue
from cablebase.drafting.draft import Draft
from cablebase.drafting.rules import Context, Finding
from cablebase.drafting.store import DraftError, StoredDraft, no_nul, read
from cablebase.record import Cable

__all__ = [
    "Desk",
    "Release",
    "ReleaseHook",
    "RELEASE_HOOKS",
    "RELEASE_UNIT",
]

RELEASE_UNIT = "release:{post}"  # the unit whose members release a post's cables
_SELF_RELEASE = "drafting.self_release.{post}"  # settings key: '1' lets a drafter release

# Called inside the release's transaction with the released record (e.g. an outbox of
# deliveries written atomically with the number): (db, cable) -> None, db an archive/db.Db.
ReleaseHook = Callable[[Any, Cable], None]
RELEASE_HOOKS: list[ReleaseHook] = [enqueue]  # dispatch's outbox (issue 15, docs/dispatch.md)


@dataclass(slots=True)
class Release:
    draft_id: int
    version: int
    reference_id: str
    post: str
    year: int
    serial: int
    released_by: str
    released: str

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}  # type: ignore[attr-defined]


def unit_name(unit: str) -> str:
    """An office in upper case (AF/W); a post's releasing unit as release:POSTKEY."""
    unit = no_nul(unit, "the office").strip()
    if unit.lower().startswith("release:"):
        return RELEASE_UNIT.format(post=post_key(unit.split(":", 1)[1]))
    return unit.upper()


def post_key(post: str) -> str:
    """The post as a reference id spells it (`PORT AU PRINCE` -> PORTAUPRINCE)."""
    from cablebase.ids import resolve_post

    return resolve_post(post) or "".join(ch for ch in post.upper() if ch.isalnum())


class Desk:
    """The desk as `actor` sees it.  `store` is the DraftStore of the same archive (its
    access decides which drafts the actor may read); `archive_store` the store (either
    kind) the released cable goes into."""

    def __init__(self, store, archive_store, actor: Viewer) -> None:  # type: ignore[no-untyped-def]
        self.store = store
        self.db: Db = store.db
        self.archive_store = archive_store
        self.actor = actor
        if not actor.name:
            raise DraftError("the drafting desk needs an account (--user or --token)")
        # SQLite: a release waits its turn for the write lock (concurrent releases at a post);
        # PostgreSQL waits on the locked rows themselves
        if not self.db.postgres and self.db.one("PRAGMA busy_timeout") < 60_000:
            self.db.execute("PRAGMA busy_timeout = 60000")

    # -- units, posts -------------------------------------------------------------------

    def _admin(self) -> None:
        if self.actor.role != "admin":
            raise DraftError("only an admin names clearing offices, releasers and post settings")

    def add_member(self, unit: str, user: str) -> None:
        self._admin()
        unit, user = unit_name(unit), no_nul(user, "the account name").strip()
        if not unit or not user:
            raise DraftError("a unit and an account name are needed")
        if not self.db.execute("SELECT 1 FROM users WHERE name = ?", (user,)).fetchone():
            raise DraftError(f"no account {user}")
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO desk_members VALUES (?, ?) ON CONFLICT DO NOTHING", (unit, user)
            )
            audit.record(self.db, self.actor.name, "desk.member_add", unit, detail=user)

    def remove_member(self, unit: str, user: str) -> bool:
        self._admin()
        with self.db.transaction():
            cur = self.db.execute(
                'DELETE FROM desk_members WHERE unit = ? AND "user" = ?',
                (unit_name(unit), no_nul(user, "the account name")),
            )
            audit.record(self.db, self.actor.name, "desk.member_remove", unit, detail=user)
        return cur.rowcount > 0

    def members(self, unit: str | None = None) -> list[tuple[str, str]]:
        sql, args = 'SELECT unit, "user" FROM desk_members', ()
        if unit:
            sql, args = sql + " WHERE unit = ?", (unit_name(unit),)
        return self.db.execute(sql + ' ORDER BY unit, "user"', args).fetchall()

    def _member(self, unit: str) -> bool:
        return bool(
            self.db.execute(
                'SELECT 1 FROM desk_members WHERE unit = ? AND "user" = ?',
                (unit_name(unit), self.actor.name),
            ).fetchone()
        )

    def set_self_release(self, post: str, allowed: bool) -> None:
        self._admin()
        key = _SELF_RELEASE.format(post=post_key(post))
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, "1" if allowed else "0"),
            )
            audit.record(
                self.db, self.actor.name, "desk.self_release", post_key(post), str(allowed)
            )

    def self_release(self, post: str) -> bool:
        row = self.db.execute(
            "SELECT value FROM settings WHERE key = ?", (_SELF_RELEASE.format(post=post_key(post)),)
        ).fetchone()
        return bool(row and row[0] == "1")

    # -- the workflow -------------------------------------------------------------------

    def _draft(self, did: int) -> StoredDraft:
        return self.store.get(did)  # DraftError (absent) for a draft the actor may not read

    def _cleared_for(self, d: StoredDraft) -> None:
        """The actor reads the whole draft (clearing or releasing a text one may not read
        is no clearance)."""
        if self.store.controlled and not self.actor.cleared(
            requirement(read(d.body, d.form).cable)
        ):
            raise DraftError(f"no draft {d.id}")

    def offices(self, did: int) -> list[tuple[str, str | None, str | None]]:
        """(office, cleared by, when) of a submitted draft."""
        self._draft(did)
        return self.db.execute(
            "SELECT office, cleared_by, cleared FROM draft_clearances WHERE draft_id = ?"
            " ORDER BY office",
            (did,),
        ).fetchall()

    def cleared_offices(self, did: int) -> list[str]:
        return [o for o, by, _ in self.offices(did) if by]

    def findings(
        self,
        d: StoredDraft | Draft,
        clearances: list[str],
        resolve: Callable[[str], bool] | None = None,
        on: dt.date | None = None,
    ) -> list[Finding]:
        """The draft checked with the offices that clear it, judged on day `on` (the
        release day: a declassification date that has passed meanwhile is an error)."""
        from cablebase.drafting.check import check

        draft = read(d.body, d.form) if isinstance(d, StoredDraft) else copy.copy(d)
        draft.clearances = clearances
        if on is not None:
            draft.date = on
        return check(draft, Context(resolve=resolve))

    def submit(
        self,
        did: int,
        offices: list[str] | None = None,
        *,
        resolve: Callable[[str], bool] | None = None,
    ) -> StoredDraft:
        d = self._draft(did)
        if d.state != "draft":
            raise DraftError(f"draft {did} is {d.state}: only a draft is submitted")
        if d.author and d.author != self.actor.name:
            raise DraftError(f"draft {did} is {d.author}'s: only its author submits it")
        draft = read(d.body, d.form)
        wanted = offices if offices is not None else (draft.clearances or [])
        wanted = [no_nul(o, "the office").strip().upper() for o in wanted]
        wanted = list(dict.fromkeys(o for o in wanted if o))
        errors = [f for f in self.findings(d, wanted, resolve) if f.severity == "error"]
        if errors:
            first = errors[0]
            raise DraftError(
                f"draft {did} has {len(errors)} error(s): fix them before submitting"
                f" (first: {first.rule}: {first.message})"
            )
        now = audit.stamp()
        state = "submitted" if wanted else "cleared"
        with self.db.transaction():
            self.db.execute(
                "UPDATE drafts SET state = ?, author = COALESCE(author, ?), updated = ?"
                " WHERE id = ? AND state = 'draft'",
                (state, self.actor.name, now, did),
            )
            self.db.execute(
                "INSERT INTO draft_submissions VALUES (?, ?, ?, ?) ON CONFLICT (draft_id)"
                " DO UPDATE SET version = excluded.version, submitted_by = excluded.submitted_by,"
                " submitted = excluded.submitted",
                (did, d.version, self.actor.name, now),
            )
            self.db.execute("DELETE FROM draft_clearances WHERE draft_id = ?", (did,))
            self.db.executemany(
                "INSERT INTO draft_clearances (draft_id, office) VALUES (?, ?)",
                [(did, o) for o in wanted],
            )
            audit.record(
                self.db,
                self.actor.name,
                "draft.submit",
                str(did),
                detail=f"version {d.version}; offices: {', '.join(wanted) or 'none'}",
            )
        return self._draft(did)

    def recall(self, did: int) -> StoredDraft:
        d = self._draft(did)
        if d.state not in ("submitted", "cleared"):
            raise DraftError(f"draft {did} is {d.state}: only a submitted draft is recalled")
        if d.author != self.actor.name:
            raise DraftError(f"draft {did} is {d.author}'s: only its author recalls it")
        with self.db.transaction():
            self.db.execute(
                "UPDATE drafts SET state = 'draft', updated = ? WHERE id = ?",
                (audit.stamp(), did),
            )
            self.db.execute("DELETE FROM draft_clearances WHERE draft_id = ?", (did,))
            self.db.execute("DELETE FROM draft_submissions WHERE draft_id = ?", (did,))
            audit.record(self.db, self.actor.name, "draft.recall", str(did))
        return self._draft(did)

    def clear(self, did: int, office: str) -> StoredDraft:
        d = self._draft(did)
        office = office.strip().upper()
        if d.state != "submitted":
            raise DraftError(f"draft {did} is {d.state}: only a submitted draft is cleared")
        if d.author == self.actor.name:
            raise DraftError(f"draft {did} is yours: another officer clears it")
        pending = {o: by for o, by, _ in self.offices(did)}
        if office not in pending:
            raise DraftError(
                f"draft {did} does not wait on {office} (offices: {', '.join(pending)})"
            )
        if pending[office]:
            raise DraftError(f"{office} already cleared draft {did} ({pending[office]})")
        if not self._member(office):
            raise DraftError(f"{self.actor.name} does not clear for {office}")
        self._cleared_for(d)
        now = audit.stamp()
        with self.db.transaction():
            self.db.execute(
                "UPDATE draft_clearances SET cleared_by = ?, cleared = ?"
                " WHERE draft_id = ? AND office = ? AND cleared_by IS NULL",
                (self.actor.name, now, did, office),
            )
            left = self.db.execute(
                "SELECT count(*) FROM draft_clearances WHERE draft_id = ? AND cleared_by IS NULL",
                (did,),
            ).fetchone()[0]
            if not left:
                self.db.execute(
                    "UPDATE drafts SET state = 'cleared', updated = ? WHERE id = ?", (now, did)
                )
            audit.record(self.db, self.actor.name, "draft.clear", str(did), detail=office)
        return self._draft(did)

    def release(
        self,
        did: int,
        *,
        when: dt.datetime | None = None,
        resolve: Callable[[str], bool] | None = None,
    ) -> Release:
        """Number, date, render and store the cleared draft `did` (see the module's doc)."""
        from cablebase.drafting.released import released_record

        d = self._draft(did)
        if d.state == "released":
            raise DraftError(
                f"draft {did} is already released ({self.release_of(did).reference_id})"
            )
        if d.state != "cleared":
            missing = [o for o, by, _ in self.offices(did) if not by]
            why = f"waiting on {', '.join(missing)}" if missing else "not submitted"
            raise DraftError(f"draft {did} is {d.state} ({why}): it cannot be released")
        submitted = self.db.execute(
            "SELECT version FROM draft_submissions WHERE draft_id = ?", (did,)
        ).fetchone()
        if submitted is None or submitted[0] != d.version:
            raise DraftError(f"draft {did} changed since it was submitted: submit it again")
        post = post_key(d.post or "")
        if not d.post:
            raise DraftError(f"draft {did} names no post")
        if not self._member(RELEASE_UNIT.format(post=post)):
            raise DraftError(f"{self.actor.name} does not release for {post}")
        if d.author == self.actor.name and not self.self_release(post):
            raise DraftError(f"draft {did} is yours and {post} does not allow self-release")
        self._cleared_for(d)
        at = (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(second=0, microsecond=0)
        draft = read(d.body, d.form)
        found = self.findings(draft, self.cleared_offices(did), resolve, on=at.date())
        errors = [f for f in found if f.severity == "error"]
        if errors:
            raise DraftError(
                f"draft {did} has {len(errors)} error(s): {errors[0].rule}: {errors[0].message}"
            )
        db = self.db
        # the number and the release in one transaction: a writer that waits here sees the
        # counter as the one before it left it (no gap, no duplicate)
        try:
            with db.transaction(immediate=True):
                # the draft's row first: a concurrent release of the same draft waits on it
                # (PostgreSQL's row lock; SQLite's write lock), then finds it released
                if (
                    db.execute(
                        "UPDATE drafts SET state = 'released', updated = ?"
                        " WHERE id = ? AND state = 'cleared'",
                        (audit.stamp(), did),
                    ).rowcount
                    != 1
                ):
                    raise DraftError(f"draft {did} was released or changed meanwhile")
                serial = db.one(
                    "INSERT INTO post_serials (post, year, last) VALUES (?, ?, 1)"
                    " ON CONFLICT (post, year) DO UPDATE SET last = post_serials.last + 1"
                    " RETURNING last",
                    (post, at.year),
                )
                cable = released_record(draft, post=post, serial=serial, when=at)
                rid = cable.reference_id or ""
                try:
                    self.archive_store.add_new(cable)
                except (*Db.Error, OSError, ValueError) as e:
                    raise DraftError(
                        f"draft {did} is not released: storing {rid} failed ({e})"
                    ) from None
                stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
                db.execute(
                    "INSERT INTO draft_releases (draft_id, version, reference_id, post, year,"
                    " serial, released_by, released) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (did, d.version, rid, post, at.year, serial, self.actor.name, stamp),
                )
                for hook in RELEASE_HOOKS:
                    hook(db, cable)
                audit.record(
                    db, self.actor.name, "draft.release", str(did), detail=f"{rid} ({cable.dtg})"
                )
        except Db.Refused as e:  # busy past the timeout, a read-only file or database...
            raise DraftError(f"draft {did} is not released: {e}") from None
        return self.release_of(did)

    def release_of(self, did: int) -> Release:
        self._draft(did)
        row = self.db.execute(
            "SELECT draft_id, version, reference_id, post, year, serial, released_by, released"
            " FROM draft_releases WHERE draft_id = ?",
            (did,),
        ).fetchone()
        if row is None:
            raise DraftError(f"draft {did} is not released")
        return Release(*row)

    def queue(self) -> list[StoredDraft]:
        """Drafts waiting on this actor: offices they clear that have not cleared, and
        cleared drafts of posts they release for."""
        units = {u for u, who in self.members() if who == self.actor.name}
        out = []
        for d in self.store.list():
            if d.state == "submitted" and d.author != self.actor.name:
                pending = {o for o, by, _ in self.offices(d.id) if not by}
                if pending & units:
                    out.append(d)
            elif d.state == "cleared" and RELEASE_UNIT.format(post=post_key(d.post or "")) in units:
                out.append(d)
        return out
