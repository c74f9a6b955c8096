"""Drafts kept in the archive (tables `drafts` and `draft_versions`, schema migration 8).

A draft is stored as its drafter wrote it (telegram text, YAML or JSON); each save adds a
version, so the history is kept.  Who may do what:

- open archive: everyone (there are no accounts);
- controlled archive: an account (never the anonymous reader) writes drafts, reads its own, and
  an admin reads any draft it is cleared for; nobody saves a draft above their own clearance.

Every save is audited (`draft.new`, `draft.edit`).  The SQL runs on either store
(archive/db.py's `Db`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cablebase.access import audit
from cablebase.access.policy import Access, requirement
from cablebase.archive.db import Db
from cablebase.drafting.check import load_draft
from cablebase.drafting.draft import Draft

__all__ = ["DraftError", "DraftStore", "StoredDraft"]


class DraftError(Exception):
    """A draft that is absent (for this reader) or may not be saved: one sentence."""


@dataclass(slots=True)
class StoredDraft:
    id: int
    author: str | None
    form: str
    post: str | None
    classification: str | None
    subject: str | None
    state: str
    version: int
    created: str
    updated: str
    body: str = ""

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}  # type: ignore[attr-defined]


_SUFFIX = {"text": "draft.txt", "yaml": "draft.yaml", "json": "draft.json"}
_COLUMNS = "id, author, form, post, classification, subject, state, version, created, updated"


def no_nul(value: str, what: str) -> str:
    """`value` as stored: a NUL character is refused (a draft is text for a telegram, and
    PostgreSQL's text holds no NUL, so both stores answer alike)."""
    if "\x00" in value:
        raise DraftError(f"{what} contains a NUL character: nothing is saved")
    return value


def read(body: str, form: str) -> Draft:
    """The draft a stored body reads as (the form names how it is written)."""
    return load_draft(_SUFFIX.get(form, "draft.txt"), text=body)


class DraftStore:
    def __init__(self, conn: Any, access: Access) -> None:  # a connection or a Db
        self.db = Db.of(conn)
        self.access = access
        self.viewer = access.viewer
        self.controlled = access.policy.mode == "controlled"

    # -- who may --------------------------------------------------------------------------

    def _writer(self) -> str | None:
        if self.controlled and self.viewer.name is None:
            raise DraftError("drafts need an account on a controlled archive (--user or --token)")
        return self.viewer.name

    def _may_save(self, draft: Draft) -> None:
        if not self.controlled:
            return
        req = requirement(draft.cable)
        if req.rank is not None and not self.viewer.cleared(req):
            level = draft.cable.classification or "its marking"
            raise DraftError(f"you are not cleared for {level}: the draft is not saved")

    def _may_read(self, row: StoredDraft, body: str) -> bool:
        if not self.controlled:
            return True
        if self.viewer.name is None:
            return False
        if row.author == self.viewer.name:
            return True
        if self.viewer.role != "admin" and not self._desk_reader(row):
            return False
        return self.viewer.cleared(requirement(read(body, row.form).cable))

    def _desk_reader(self, row: StoredDraft) -> bool:
        """A submitted draft is read by the officers of the offices it waits on and by
        its post's releasers (drafting/desk.py); a draft still being written is not."""
        if row.state == "draft":
            return False
        from cablebase.drafting.desk import RELEASE_UNIT, post_key

        try:
            units = {
                u
                for (u,) in self.db.execute(
                    "SELECT office FROM draft_clearances WHERE draft_id = ?", (row.id,)
                )
            }
            units.add(RELEASE_UNIT.format(post=post_key(row.post or "")))
            marks = ",".join("?" * len(units))
            return bool(
                self.db.execute(
                    f'SELECT 1 FROM desk_members WHERE "user" = ? AND unit IN ({marks})',
                    (self.viewer.name, *units),
                ).fetchone()
            )
        except Db.MissingTable:  # no desk tables yet: nothing submitted
            return False

    # -- writing ----------------------------------------------------------------------------

    def new(self, body: str, form: str) -> StoredDraft:
        author = self._writer()
        no_nul(body, "the draft")
        draft = read(body, form)
        self._may_save(draft)
        now = audit.stamp()
        c = draft.cable
        with self.db.transaction():
            did = self.db.insert(
                "INSERT INTO drafts (author, form, post, classification, subject, state, version,"
                " created, updated) VALUES (?, ?, ?, ?, ?, 'draft', 1, ?, ?)",
                (author, form, c.post, c.classification, c.subject, now, now),
            )
            self._version(did, 1, body, form, author, now)
            audit.record(self.db, author, "draft.new", str(did), detail=form)
        return self.get(did)

    def edit(self, did: int, body: str, form: str) -> StoredDraft:
        author = self._writer()
        current = self.get(did)  # absent or not this reader's: DraftError
        if self.controlled and current.author != author:
            raise DraftError(f"draft {did} is not yours to edit")
        if current.state != "draft":
            raise DraftError(f"draft {did} is {current.state}: recall it before editing")
        no_nul(body, "the draft")
        draft = read(body, form)
        self._may_save(draft)
        now = audit.stamp()
        c = draft.cable
        with self.db.transaction():
            version = current.version + 1
            self._version(did, version, body, form, author, now)
            self.db.execute(
                "UPDATE drafts SET form = ?, post = ?, classification = ?, subject = ?,"
                " version = ?, updated = ? WHERE id = ?",
                (form, c.post, c.classification, c.subject, version, now, did),
            )
            audit.record(self.db, author, "draft.edit", str(did), detail=f"version {version}")
        return self.get(did)

    def _version(self, did: int, version: int, body: str, form: str, who: str | None, now: str):
        self.db.execute(
            "INSERT INTO draft_versions (draft_id, version, body, form, saved_by, saved)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (did, version, body, form, who, now),
        )

    # -- reading ----------------------------------------------------------------------------

    def get(self, did: int, version: int | None = None) -> StoredDraft:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM drafts WHERE id = ?", (did,)).fetchone()
        absent = DraftError(f"no draft {did}" + (f" version {version}" if version else ""))
        if row is None:
            raise absent
        d = StoredDraft(*row)
        got = self.db.execute(
            "SELECT body, form FROM draft_versions WHERE draft_id = ? AND version = ?",
            (did, version or d.version),
        ).fetchone()
        if got is None:
            raise absent
        # a draft this reader may not read is reported as absent (no existence leak); an
        # earlier version only to a reader of the draft as it stands (whose row, subject and
        # classification it answers with)
        current = got
        if version and version != d.version:
            current = self.db.execute(
                "SELECT body, form FROM draft_versions WHERE draft_id = ? AND version = ?",
                (did, d.version),
            ).fetchone()
        if not (self._may_read(d, got[0]) and current and self._may_read(d, current[0])):
            raise absent  # word for word a missing draft's (or version's) answer
        d.body, d.form = got
        if version:
            d.version = version
        return d

    def released_as(self, did: int) -> dict | None:
        """The release of draft `did` (reference id, serial, time, releaser), or None."""
        self.get(did)
        try:
            row = self.db.execute(
                "SELECT reference_id, serial, released, released_by, version"
                " FROM draft_releases WHERE draft_id = ?",
                (did,),
            ).fetchone()
        except Db.MissingTable:  # no desk tables yet: nothing released
            return None
        keys = ("reference_id", "serial", "released", "released_by", "version")
        return dict(zip(keys, row, strict=True)) if row else None

    def versions(self, did: int) -> list[tuple[int, str | None, str]]:
        self.get(did)
        return self.db.execute(
            "SELECT version, saved_by, saved FROM draft_versions WHERE draft_id = ?"
            " ORDER BY version",
            (did,),
        ).fetchall()

    def list(self) -> list[StoredDraft]:
        sql, args = "SELECT id FROM drafts", ()
        if self.controlled and self.viewer.role != "admin":
            # their own, and submitted drafts a desk unit of theirs may read (get() decides)
            sql, args = sql + " WHERE author = ? OR state != 'draft'", (self.viewer.name,)
        out = []
        for (did,) in self.db.execute(sql + " ORDER BY updated DESC, id DESC", args).fetchall():
            try:
                out.append(self.get(did))
            except DraftError:
                continue
        return out
