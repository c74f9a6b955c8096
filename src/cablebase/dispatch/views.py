"""What readers are shown of dispatch: an addressee's inbox, the queue's status, the late
deliveries.  Every query joins the cables and keeps those the reader sees (archive.visible_sql,
the same id test as search): a delivery of a cable hidden from the reader is never shown nor
counted, so an inbox of hidden cables looks exactly like an empty one."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from cablebase.archive.api import Archive
from cablebase.dispatch.addressees import table

__all__ = ["Inbox", "alerts", "dead", "inbox", "late", "status"]

PER_PAGE = 50


def iso(t: float | None) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class Entry:
    reference_id: str
    subject: str | None
    classification: str | None
    addressee: str
    role: str
    precedence: str
    state: str
    released: str | None
    deadline: str | None
    delivered: str | None
    read: str | None
    acked: str | None
    acked_by: str | None
    ack_required: bool
    escalated: str | None
    attempts: int
    error: str | None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class Inbox:
    addressee: str
    name: str | None  # the station name of the addressee table, None if unknown
    total: int
    unread: int
    unacknowledged: int
    page: int
    entries: list[Entry]

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__slots__ if k != "entries"}  # type: ignore[attr-defined]
        d["entries"] = [e.to_dict() for e in self.entries]
        return d


def _select(a: Archive, params: list) -> str:
    """The entry's columns (the subject as the reader sees it: its values, on PostgreSQL,
    appended to `params` first, as the SELECT comes before the WHERE)."""
    return (
        f"SELECT d.reference_id, {a.subject_sql('c', params)}, c.classification, d.addressee,"
        " d.role, d.precedence, d.state, d.released, d.deadline, d.delivered, d.read, d.acked,"
        " d.acked_by, d.ack_required, d.escalated, d.attempts, d.error"
        " FROM dispatch_deliveries d JOIN cables c ON c.reference_id = d.reference_id"
    )


def _entry(row: tuple) -> Entry:
    r = list(row)
    for i in (7, 8, 9, 10, 11, 14):
        r[i] = iso(r[i])
    r[13] = bool(r[13])
    return Entry(*r)


def normal(addressee: str) -> str:
    """An addressee as typed (the hague, AMEMBASSY THE HAGUE, RUEHTC) -> its key; an unknown
    one as typed, upper-cased."""
    from cablebase.record import Recipient

    tab = table()
    raw = " ".join(addressee.upper().split())
    compact = raw.replace(" ", "")
    for key in (raw, compact):
        if key in tab.addressees:
            return key
    route = compact if compact.isalnum() else None
    return tab.resolve(Recipient(role="to", name=raw, route=route)) or raw


def inbox(a: Archive, addressee: str, page: int = 1, per_page: int = PER_PAGE) -> Inbox:
    """The addressee's delivered cables, highest precedence first, newest first within one."""
    key = normal(addressee)
    known = table().addressees.get(key)
    if "\x00" in key:  # no addressee holds one (nor can PostgreSQL's text): an empty inbox
        return Inbox(key, None, 0, 0, 0, page, [])
    db = a.db
    where = "d.addressee = ? AND d.state = 'delivered' AND "
    base = "FROM dispatch_deliveries d JOIN cables c ON c.reference_id = d.reference_id"
    counted = [key]
    where_counted = where + a.visible_sql(counted)
    total, unread, unacked = db.execute(
        "SELECT count(*), coalesce(sum(CASE WHEN d.read IS NULL THEN 1 ELSE 0 END), 0),"
        " coalesce(sum(CASE WHEN d.ack_required = 1 AND d.acked IS NULL THEN 1 ELSE 0 END), 0)"
        f" {base} WHERE {where_counted}",
        counted,
    ).fetchone()
    params: list = []
    select = _select(a, params)
    params.append(key)
    where += a.visible_sql(params)
    rows = db.execute(
        f"{select} WHERE {where}"
        " ORDER BY d.rank, d.delivered DESC, d.released DESC, d.reference_id LIMIT ? OFFSET ?",
        (*params, per_page, (page - 1) * per_page),
    ).fetchall()
    return Inbox(
        key,
        known.name if known else None,
        int(total),
        int(unread),
        int(unacked),
        page,
        [_entry(r) for r in rows],
    )


def status(a: Archive) -> dict:
    """Deliveries by state and precedence, of the cables the reader sees."""
    params: list = []
    visible = a.visible_sql(params)
    rows = a.db.execute(
        "SELECT d.state, d.precedence, count(*) FROM dispatch_deliveries d"
        f" JOIN cables c ON c.reference_id = d.reference_id WHERE {visible}"
        " GROUP BY d.state, d.rank, d.precedence ORDER BY d.rank, d.state",
        params,
    ).fetchall()
    out: dict = {"by_state": {}, "by_precedence": {}}
    for state, prec, n in rows:
        out["by_state"][state] = out["by_state"].get(state, 0) + n
        out["by_precedence"].setdefault(prec, {})[state] = n
    return out


def late(a: Archive, now: float | None = None, limit: int = 500) -> list[Entry]:
    """Deliveries late against their speed-of-service objective: delivered after their
    deadline, or not delivered and past it; the latest first."""
    now = time.time() if now is None else now
    params: list = []
    select = _select(a, params)
    visible = a.visible_sql(params)
    rows = a.db.execute(
        f"{select} WHERE {visible} AND (d.delivered > d.deadline OR"
        " (d.delivered IS NULL AND d.deadline < ?))"
        " ORDER BY coalesce(d.delivered, ?) - d.deadline DESC, d.reference_id, d.addressee"
        " LIMIT ?",
        (*params, now, now, limit),
    ).fetchall()
    return [_entry(r) for r in rows]


def dead(a: Archive, limit: int = 500) -> list[Entry]:
    params: list = []
    select = _select(a, params)
    visible = a.visible_sql(params)
    rows = a.db.execute(
        f"{select} WHERE {visible} AND d.state = 'dead'"
        " ORDER BY d.released DESC, d.reference_id, d.addressee LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [_entry(r) for r in rows]


def alerts(a: Archive, limit: int = 500) -> list[dict]:
    """Escalations: FLASH/NIACT deliveries left unacknowledged past their objective, with the
    roster contact alerted (None: the post has no roster); the latest first."""
    params: list = []
    visible = a.visible_sql(params)
    rows = a.db.execute(
        "SELECT d.reference_id, d.addressee, d.precedence, al.contact, al.raised, d.acked"
        " FROM dispatch_alerts al JOIN dispatch_deliveries d ON d.id = al.delivery_id"
        f" JOIN cables c ON c.reference_id = d.reference_id WHERE {visible}"
        " ORDER BY al.raised DESC, d.reference_id, d.addressee, al.contact NULLS FIRST LIMIT ?",
        (*params, limit),
    ).fetchall()
    keys = ("reference_id", "addressee", "precedence", "contact", "raised", "acknowledged")
    return [dict(zip(keys, (*r[:4], iso(r[4]), iso(r[5])), strict=True)) for r in rows]
