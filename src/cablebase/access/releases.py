"""Redacted releases of cables (issue 5; docs/releases.md).

An archivist *prepares* a release of one version of a cable: paragraphs withheld (by position
in `cable.paragraphs`), the subject withheld, and spans (names of sources...) redacted wherever
they occur.  A second person *reviews* it; then it is *published*: the redacted record is
stored as a new version of the cable, open to every reader (`open_on = RELEASED_ON`), while the
original moves to `cable_versions` intact, readable only by those cleared for it.

The redacted record follows the published cables' conventions (FORMAT.md §4.13,
docs/record.md): a redacted span becomes the Cablegate run `XXXXXXXXXXXX` and is listed in
`redactions`; a withheld paragraph keeps its number and mark and reads `(Paragraph withheld.)`.
The release carries none of the original's source text and none of its parser warnings.
Provenance (release N of cable X, prepared, reviewed and published by whom and when) lives in
the `releases` table: `provenance(store, reference_id)`.

Role checks belong to the callers (web, CLI): `require_archivist(role)`.

Either store (docs/stores.md): the `releases` table is SQL written once against archive/db.py's
`Db`; the new version of the cable is written by the store itself (`Store.put_release`), which
keeps its index and its earlier versions its own way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from cablebase.access import audit
from cablebase.archive.db import Db
from cablebase.archive.sqlite import prepare as prepare_row
from cablebase.record import Cable, Paragraph, Redaction, Source

if TYPE_CHECKING:
    from cablebase.archive.store import Store

__all__ = [
    "PARAGRAPH_WITHHELD",
    "RELEASE_FORM",
    "REDACTED",
    "STATUSES",
    "SUBJECT_WITHHELD",
    "Release",
    "base_of",
    "base_record",
    "ReleaseError",
    "get",
    "list_releases",
    "prepare",
    "provenance",
    "publish",
    "redact_record",
    "render",
    "require_archivist",
    "review",
    "update",
    "withdraw",
]

REDACTED = "X" * 12  # the run Cablegate uses (FORMAT §4.13: 1,991 of ~3,400 runs)
PARAGRAPH_WITHHELD = "(Paragraph withheld.)"
SUBJECT_WITHHELD = "(Subject withheld.)"
RELEASE_FORM = "release"  # Source.form of a published release
STATUSES = ("draft", "reviewed", "published", "withdrawn")
ARCHIVIST_ROLES = ("archivist", "admin")

_XRUN = re.compile(r"[Xx]{4,}")
_SPACE = re.compile(r"\s+")
# Record fields that identify or classify the cable: never rewritten.  A span found in one of
# them makes the release fail (the check after redaction) rather than leak.
_KEEP = frozenset(
    {
        "reference_id",
        "created",
        "created_from",
        "released",
        "classification",
        "header_kind",
        "precedence",
        "info_precedence",
        "declassify_on",
        "subject_portion",
        "portion",
        "role",
        "kind",
        "letter",
        "id",
        "form",
    }
)


class ReleaseError(ValueError):
    """A release action that cannot be done (bad input, wrong state, two-person rule...)."""


@dataclass(slots=True)
class Release:
    id: int
    reference_id: str
    base_version: int  # the version of the cable it redacts
    status: str  # draft | reviewed | published | withdrawn
    withheld: list[int] = field(default_factory=list)  # paragraph positions
    spans: list[str] = field(default_factory=list)
    subject: bool = False  # the subject line is withheld
    note: str | None = None
    prepared_by: str | None = None  # the last to prepare or edit it
    prepared: str | None = None
    reviewed_by: str | None = None
    reviewed: str | None = None
    published_by: str | None = None
    published: str | None = None
    version: int | None = None  # the cable's version that publishing made

    def caption(self) -> str:
        """One line a reader sees: what this release is and who made it."""
        text = f"Release {self.id} of {self.reference_id} (from version {self.base_version})"
        if self.status == "published":
            text += f", version {self.version}, published {self.published} by {self.published_by}"
        else:
            text += f", {self.status}"
        text += f"; prepared by {self.prepared_by}"
        if self.reviewed_by:
            text += f", reviewed by {self.reviewed_by}"
        return text


def require_archivist(role: str | None) -> None:
    """Only archivists and admins prepare, review, publish or withdraw releases."""
    if role not in ARCHIVIST_ROLES:
        raise ReleaseError("releases are prepared and published by archivists and admins only")


# -- the redacted record ----------------------------------------------------------------


def _fold(ch: str) -> str:
    """One character without its diacritics (é -> e), keeping string lengths equal."""
    base = unicodedata.normalize("NFKD", ch)
    for b in base:
        if not unicodedata.combining(b):
            return b
    return ch


def _folded(text: str) -> str:
    return text if text.isascii() else "".join(_fold(c) for c in text)


def _span_patterns(spans: list[str]) -> list[re.Pattern[str]]:
    """Case-, spacing- and diacritic-insensitive patterns: a name written `KANTAO` in the
    subject, `Kantao` in the text or across a joined line break is the same name."""
    pats = []
    for s in spans:
        words = _folded(s).split()
        pats.append(re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE))
    return pats


def _redact(text: str, pats: list[re.Pattern[str]]) -> str:
    """Every occurrence of every span as one X run; overlapping occurrences (`Moussa ag
    Kantao` and `Kantao`) become a single run, so no part of either survives."""
    if not text or not pats:
        return text
    folded = _folded(text)
    hits: list[tuple[int, int]] = []
    for pat in pats:
        hits.extend(m.span() for m in pat.finditer(folded))
    if not hits:
        return text
    hits.sort()
    out: list[str] = []
    last = 0
    start, end = hits[0]
    for s, e in hits[1:]:
        # Overlapping hits, or hits only a space apart (`Moussa ag` `Kantao`), are one run:
        # separate runs would tell how many names stood there.
        if s <= end or not text[end:s].strip(" \t"):
            end = max(end, e)
            continue
        out += [text[last:start], REDACTED]
        last, (start, end) = end, (s, e)
    out += [text[last:start], REDACTED, text[end:]]
    return "".join(out)


def _redact_tree(value: Any, pats: list[re.Pattern[str]], key: str | None = None) -> Any:
    if key in _KEEP:
        return value
    if isinstance(value, str):
        return _redact(value, pats)
    if isinstance(value, list):
        return [_redact_tree(v, pats) for v in value]
    if isinstance(value, dict):
        return {k: _redact_tree(v, pats, k) for k, v in value.items()}
    return value


def _scan_redactions(c: Cable) -> list[Redaction]:
    """Every run of 4 or more X, with `where` as docs/record.md defines it (the grammar's
    order and places, plus captions and signature lines as `body`, addressees as `header`)."""
    found: list[Redaction] = []

    def scan(text: str | None, where: str) -> None:
        if text:
            found.extend(
                Redaction(where=where, length=len(m.group())) for m in _XRUN.finditer(text)
            )

    for r in c.recipients:
        scan(r.name, "header")
        scan(r.office, "header")
    scan(c.post, "banner")
    for line in c.captions:
        scan(line, "body")
    scan(c.subject, "subject")
    for ref in c.references:
        scan(ref.text, "ref")
    if c.classified_by is not None:
        scan(c.classified_by.text, "classified_by")
    for p in c.paragraphs:
        where = f"paragraph:{p.number}" if p.number is not None else "body"
        scan(p.heading, where)
        scan(p.text, where)
    for name in c.signers:
        scan(name, "body")
    return found


def redact_record(
    base: Cable, *, withheld: Iterable[int] = (), spans: Iterable[str] = (), subject: bool = False
) -> Cable:
    """The release of `base`: a new record, `base` untouched.  Raises ReleaseError when a
    span would survive somewhere (a field that identifies the cable cannot be rewritten)."""
    data = base.to_dict()
    data["source"] = None
    data["warnings"] = []  # about parsing the original's text, which the release does not carry
    out = set(withheld)
    had_summary = data.get("summary") is not None
    for i, p in enumerate(data["paragraphs"]):
        if i in out:
            # Number and mark stay (the reader sees that ¶N existed and at what level); the
            # heading goes with the paragraph, as it is the author's words about it.
            p["heading"] = None
            p["text"] = PARAGRAPH_WITHHELD
    if subject and data.get("subject") is not None:
        data["subject"] = SUBJECT_WITHHELD
        if data.get("title") is not None:
            data["title"] = SUBJECT_WITHHELD
    pats = _span_patterns(list(spans))
    data = _redact_tree(data, pats)
    cable = Cable.from_dict(data)
    if out and had_summary:
        # The summary is drawn from the paragraphs: read it again from what is released.
        cable.summary = _summary_of(cable.paragraphs)
    cable.redactions = _scan_redactions(cable)
    try:
        from cablebase.render import body_lines, header_lines

        header = "\n".join(header_lines(cable)) or None
        body = "\n".join(body_lines(cable))
    except Exception:  # a record the renderer cannot lay out: the release carries no text
        header = body = None
    cable.source = Source(form=RELEASE_FORM, header=header, body=body)
    _check_no_spans(cable, pats)
    return cable


def _summary_of(paragraphs: list[Paragraph]) -> str | None:
    try:
        from cablebase.grammar.summary import find_summary

        return find_summary(paragraphs)
    except Exception:  # never let a summary heuristic block a release: clear it instead
        return None


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(field, text) for every string in a record's dict form."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{key}.{k}" if key else k)


def _check_no_spans(cable: Cable, pats: list[re.Pattern[str]]) -> None:
    """The last guard: no span may survive anywhere in the release, source text included."""
    if not pats:
        return
    for where, text in _strings(cable.to_dict()):
        folded = _folded(text)
        if any(pat.search(folded) for pat in pats):
            raise ReleaseError(
                f"a redacted span stays in `{where}`, a field that identifies the cable and "
                "cannot be rewritten: redact another span"
            )


# -- the releases table ---------------------------------------------------------------------

_COLUMNS = (
    "id, reference_id, base_version, status, withheld, spans, subject, note, prepared_by,"
    " prepared, reviewed_by, reviewed, published_by, published, version"
)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _store(store: Any) -> Store:
    # An access-aware Archive holds its store as `.store`; accept either.  The releases
    # table is SQL on the store's connection, as accounts and the audit log are.
    return getattr(store, "store", store)


def _db(store: Any) -> Db:
    return Db.of(_store(store).conn)


def _from_row(row: tuple) -> Release:
    (rid, ref, base, status, withheld, spans, subject, *rest) = row
    return Release(
        rid, ref, base, status, orjson.loads(withheld), orjson.loads(spans), bool(subject), *rest
    )


def get(store: Any, release_id: int) -> Release | None:
    row = (
        _db(store)
        .execute(f"SELECT {_COLUMNS} FROM releases WHERE id = ?", (int(release_id),))
        .fetchone()
    )
    return _from_row(row) if row else None


def list_releases(
    store: Any, *, reference_id: str | None = None, status: str | None = None
) -> list[Release]:
    """Releases, newest first, of one cable and/or in one status."""
    where, params = [], []
    if reference_id:
        where.append("reference_id = ?")
        params.append(reference_id.strip().upper())
    if status:
        if status not in STATUSES:
            raise ReleaseError(f"status: one of {', '.join(STATUSES)}")
        where.append("status = ?")
        params.append(status)
    sql = f"SELECT {_COLUMNS} FROM releases"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = _db(store).execute(sql + " ORDER BY id DESC", params).fetchall()
    return [_from_row(r) for r in rows]


def _audit(db: Db, user: str, action: str, target: str, detail: str) -> None:
    # Called inside the change's transaction: the entry and the change are written together.
    audit.record(db, user, action, target, detail)


def _detail(r: Release) -> str:
    # Counts only: the spans are names of sources, and the audit log is exported.
    parts = [f"release {r.id}", f"base v{r.base_version}"]
    if r.withheld:
        parts.append(f"{len(r.withheld)} paragraph(s) withheld")
    if r.spans:
        parts.append(f"{len(r.spans)} span(s) redacted")
    if r.subject:
        parts.append("subject withheld")
    if r.version is not None:
        parts.append(f"published as v{r.version}")
    return "; ".join(parts)


def _by(by: str) -> str:
    name = (by or "").strip()
    if not name:
        raise ReleaseError("every release action names who does it (by=...)")
    return name


def _current(db: Db, reference_id: str) -> tuple[int, str] | None:
    """(version, content hash) of the stored cable."""
    row = db.execute(
        "SELECT version, source_hash FROM cables WHERE reference_id = ?", (reference_id,)
    ).fetchone()
    return None if row is None else (row[0], row[1])


def base_record(store: Any, reference_id: str, version: int) -> Cable:
    """Version `version` of the cable (the one a release redacts): the current record or an
    earlier one; ReleaseError when it is no longer stored."""
    s = _store(store)
    cur = _current(_db(s), reference_id)
    if cur is not None and cur[0] == version:
        cable = s.get(reference_id)
        if cable is not None:
            return cable
    for number, cable in s.versions(reference_id):
        if number == version:
            return cable
    raise ReleaseError(f"version {version} of {reference_id} is no longer in the archive")


def _clean(
    base: Cable, withheld: Any, spans: Any, subject: bool
) -> tuple[list[int], list[str], bool]:
    """Validated, sorted positions and spans (ReleaseError on anything wrong)."""
    n = len(base.paragraphs)
    positions: set[int] = set()
    for w in withheld or ():
        if isinstance(w, bool) or not isinstance(w, int):
            raise ReleaseError(f"paragraph position {w!r}: an integer")
        if not 0 <= w < n:
            raise ReleaseError(f"paragraph position {w}: the cable has positions 0 to {n - 1}")
        positions.add(w)
    if isinstance(spans, str):
        spans = [spans]
    cleaned: list[str] = []
    seen: set[str] = set()
    everything = [_folded(t) for _, t in _strings(base.to_dict())]
    for sp in spans or ():
        text = _SPACE.sub(" ", str(sp)).strip()
        if len(text) < 2:
            raise ReleaseError(f"span {sp!r}: empty or a single character")
        key = _folded(text).casefold()
        if key in seen:
            continue
        pat = _span_patterns([text])[0]
        if not any(pat.search(t) for t in everything):
            raise ReleaseError(f"span {text!r} does not occur in {base.reference_id}")
        seen.add(key)
        cleaned.append(text)
    if subject and base.subject is None:
        raise ReleaseError(f"{base.reference_id} has no subject line to withhold")
    positions_list = sorted(positions)
    # Fail now, not at review: a span that stays in a field that cannot be rewritten.
    redact_record(base, withheld=positions_list, spans=cleaned, subject=bool(subject))
    return positions_list, cleaned, bool(subject)


# -- actions ------------------------------------------------------------------------------


def prepare(
    store: Any,
    reference_id: str,
    *,
    withheld: Iterable[int] = (),
    spans: Iterable[str] = (),
    subject: bool = False,
    note: str | None = None,
    by: str,
) -> Release:
    """A draft release of the cable's current version."""
    s, db, who = _store(store), _db(store), _by(by)
    ref = (reference_id or "").strip().upper()
    cur = _current(db, ref)
    if cur is None:
        raise ReleaseError(f"{reference_id} is not in the archive")
    base = base_record(s, ref, cur[0])
    positions, cleaned, subj = _clean(base, withheld, spans, subject)
    now = _now()
    with db.transaction():
        new_id = db.insert(
            "INSERT INTO releases (reference_id, base_version, status, withheld, spans, subject,"
            " note, prepared_by, prepared) VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?)",
            (
                ref,
                cur[0],
                orjson.dumps(positions).decode(),
                orjson.dumps(cleaned).decode(),
                int(subj),
                note,
                who,
                now,
            ),
        )
        release = Release(new_id, ref, cur[0], "draft", positions, cleaned, subj, note, who, now)
        _audit(db, who, "release_prepare", ref, _detail(release))
    return release


def _load(s: Store, release_id: int) -> Release:
    r = get(s, release_id)
    if r is None:
        raise ReleaseError(f"no release {release_id}")
    return r


def update(
    store: Any,
    release_id: int,
    *,
    withheld: Iterable[int] | None = None,
    spans: Iterable[str] | None = None,
    subject: bool | None = None,
    note: str | None = None,
    by: str,
) -> Release:
    """Edit a draft (None leaves a field as it is).  An edited release is a draft again, to
    be reviewed anew, and its editor counts as its preparer for the two-person rule."""
    s, db, who = _store(store), _db(store), _by(by)
    r = _load(s, release_id)
    if r.status not in ("draft", "reviewed"):
        raise ReleaseError(f"release {r.id} is {r.status}: only drafts can be edited")
    base = base_record(s, r.reference_id, r.base_version)
    positions, cleaned, subj = _clean(
        base,
        r.withheld if withheld is None else withheld,
        r.spans if spans is None else spans,
        r.subject if subject is None else subject,
    )
    r.withheld, r.spans, r.subject = positions, cleaned, subj
    if note is not None:
        r.note = note or None
    r.status, r.prepared_by, r.prepared = "draft", who, _now()
    r.reviewed_by = r.reviewed = None
    with db.transaction():
        db.execute(
            "UPDATE releases SET status = 'draft', withheld = ?, spans = ?, subject = ?,"
            " note = ?, prepared_by = ?, prepared = ?, reviewed_by = NULL, reviewed = NULL"
            " WHERE id = ?",
            (
                orjson.dumps(positions).decode(),
                orjson.dumps(cleaned).decode(),
                int(subj),
                r.note,
                who,
                r.prepared,
                r.id,
            ),
        )
        _audit(db, who, "release_prepare", r.reference_id, _detail(r) + "; edited")
    return r


def render(store: Any, release_or_id: Release | int) -> Cable:
    """The record the release would publish (a preview), made from its base version."""
    s = _store(store)
    r = release_or_id if isinstance(release_or_id, Release) else _load(s, release_or_id)
    base = base_record(s, r.reference_id, r.base_version)
    if any(not 0 <= w < len(base.paragraphs) for w in r.withheld):
        raise ReleaseError(f"release {r.id}: a withheld position is outside the cable")
    return redact_record(base, withheld=r.withheld, spans=r.spans, subject=r.subject)


def review(store: Any, release_id: int, *, by: str) -> Release:
    """draft -> reviewed, by someone other than its preparer (two-person rule)."""
    s, db, who = _store(store), _db(store), _by(by)
    r = _load(s, release_id)
    if r.status != "draft":
        raise ReleaseError(f"release {r.id} is {r.status}: only a draft can be reviewed")
    if (r.prepared_by or "").casefold() == who.casefold():
        raise ReleaseError(
            f"release {r.id} was prepared by {r.prepared_by}: another archivist must review it"
        )
    render(s, r)  # a release that cannot be made cannot be approved
    r.status, r.reviewed_by, r.reviewed = "reviewed", who, _now()
    with db.transaction():
        db.execute(
            "UPDATE releases SET status = 'reviewed', reviewed_by = ?, reviewed = ?"
            " WHERE id = ? AND status = 'draft'",
            (who, r.reviewed, r.id),
        )
        _audit(db, who, "release_review", r.reference_id, _detail(r))
    return r


def publish(store: Any, release_id: int, *, by: str) -> Release:
    """reviewed -> published: the redacted record becomes the cable's new version, open to
    every reader; the version it redacts moves to cable_versions intact.  Fails when the
    cable changed since the release was prepared (prepare it again)."""
    s, db, who = _store(store), _db(store), _by(by)
    r = _load(s, release_id)
    if r.status != "reviewed":
        raise ReleaseError(f"release {r.id} is {r.status}: only a reviewed release is published")
    record = render(s, r)
    prepared = prepare_row(record, released=True)
    cur = _current(db, r.reference_id)
    if cur is None:
        raise ReleaseError(f"{r.reference_id} is no longer in the archive")
    if cur[0] != r.base_version and cur[1] != prepared.digest:
        raise ReleaseError(
            f"{r.reference_id} changed since release {r.id} was prepared (version "
            f"{r.base_version}, now {cur[0]}): withdraw it and prepare it again"
        )
    if cur[0] == r.base_version:
        if not s.put_release(prepared):
            raise ReleaseError(
                f"release {r.id} is identical to a version of {r.reference_id} already stored"
            )
        cur = _current(db, r.reference_id)
        if cur is None or cur[1] != prepared.digest:  # another writer got in between
            raise ReleaseError(f"{r.reference_id} changed while release {r.id} was published")
    # else: an earlier run wrote the version and stopped before recording it: finish it.
    r.status, r.published_by, r.published, r.version = "published", who, _now(), cur[0]
    with db.transaction():
        db.execute(
            "UPDATE releases SET status = 'published', published_by = ?, published = ?,"
            " version = ? WHERE id = ?",
            (who, r.published, r.version, r.id),
        )
        _audit(db, who, "release_publish", r.reference_id, _detail(r))
    return r


def withdraw(store: Any, release_id: int, *, by: str) -> Release:
    """draft or reviewed -> withdrawn (a published version stays: publish another release)."""
    s, db, who = _store(store), _db(store), _by(by)
    r = _load(s, release_id)
    if r.status not in ("draft", "reviewed"):
        raise ReleaseError(f"release {r.id} is {r.status}: only drafts can be withdrawn")
    r.status = "withdrawn"
    with db.transaction():
        db.execute("UPDATE releases SET status = 'withdrawn' WHERE id = ?", (r.id,))
        _audit(db, who, "release_withdraw", r.reference_id, _detail(r))
    return r


def base_of(conn: Any, reference_id: str, version: int) -> int | None:
    """The version that the published release stored as `version` of the cable redacts
    (`conn`: either store's connection, or a Db)."""
    row = (
        Db.of(conn)
        .execute(
            "SELECT base_version FROM releases WHERE reference_id = ? AND version = ?"
            " AND status = 'published' ORDER BY id DESC LIMIT 1",
            (reference_id, version),
        )
        .fetchone()
    )
    return row[0] if row else None


def provenance(store: Any, reference_id: str) -> Release | None:
    """The published release that the cable's current version is, or None (an original)."""
    ref = (reference_id or "").strip().upper()
    row = (
        _db(store)
        .execute(
            f"SELECT {', '.join('r.' + c.strip() for c in _COLUMNS.split(','))}"
            " FROM releases r JOIN cables c ON c.reference_id = r.reference_id"
            " AND c.version = r.version WHERE r.reference_id = ? AND r.status = 'published'"
            " ORDER BY r.id DESC LIMIT 1",
            (ref,),
        )
        .fetchone()
    )
    return _from_row(row) if row else None
