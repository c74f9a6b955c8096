"""Dispatch in the reading room: a post's inbox (with a live update), acknowledgement, and the
status page of deliveries late against their speed-of-service objective.

    GET  /inbox/{addressee}                              the inbox page (polls its JSON twin)
    GET  /api/inbox/{addressee}?page=N                   the inbox as JSON
    POST /inbox/{addressee}/{reference_id}/ack           acknowledge (a session and its CSRF token)
    POST /api/inbox/{addressee}/{reference_id}/ack       acknowledge (a bearer token)
    POST /inbox/{addressee}/{reference_id}/read          mark read (a session and its CSRF token)
    GET  /dispatch                                       status: counts, late deliveries, dead letters
    GET  /api/dispatch                                   the same as JSON

Everything is read through the request's access (web/auth.py): a delivery of a cable the reader
may not see is absent from every list and count, and acknowledging it answers as for a cable
never delivered there.  The live update is a same-origin fetch of the JSON twin every few
seconds (static/inbox.js; the page's policy allows scripts from this origin only).
"""

from __future__ import annotations

from typing import Annotated, get_type_hints
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import create_model

from cablebase.dispatch import views
from cablebase.dispatch.queue import Queue
from cablebase.web import auth
from cablebase.web.models import _Strict
from cablebase.web.pages import MAX_PAGE, _render

router = APIRouter()

MAX_NAME = 120  # characters of an addressee as typed
Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]


# -- the JSON answers, typed (the OpenAPI document lists every field) ----------------------


# The model of one delivery is the library's own record (dispatch.views.Entry), field for field.
InboxEntry = create_model(
    "InboxEntry",
    __base__=_Strict,
    __doc__="One delivery of a cable to an addressee (times in UTC, ISO 8601).",
    **{name: (kind, ...) for name, kind in get_type_hints(views.Entry).items()},
)


class InboxAnswer(_Strict):
    addressee: str
    name: str | None
    total: int
    unread: int
    unacknowledged: int
    page: int
    entries: list[InboxEntry]


class AckAnswer(_Strict):
    addressee: str
    reference_id: str
    acked: bool


class Alert(_Strict):
    reference_id: str
    addressee: str
    precedence: str | None
    contact: str | None
    raised: str | None
    acknowledged: str | None


class DispatchStatus(_Strict):
    by_state: dict[str, int]
    by_precedence: dict[str, dict[str, int]]
    late: list[InboxEntry]
    dead: list[InboxEntry]
    alerts: list[Alert]


def _key(addressee: str) -> str:
    if len(addressee) > MAX_NAME:
        raise HTTPException(404, "No such addressee.")
    return views.normal(addressee)


def _inbox(request: Request, addressee: str, page: int) -> views.Inbox:
    return views.inbox(auth.archive(request), _key(addressee), page)


@router.get(
    "/api/inbox/{addressee}",
    tags=["api"],
    summary="A post's or office's inbox",
    response_model=InboxAnswer,
)
def api_inbox(request: Request, addressee: str, page: Page = 1) -> dict:
    """Delivered cables of one addressee the reader may see: highest precedence first, then
    newest; with the unread and unacknowledged counts."""
    return _inbox(request, addressee, page).to_dict()


@router.get("/inbox/{addressee}", include_in_schema=False)
def inbox_page(request: Request, addressee: str, page: Page = 1) -> Response:
    box = _inbox(request, addressee, page)
    return _render(
        request,
        "inbox.html",
        {"box": box, "csrf": auth.context(request).csrf or "", "title": box.addressee},
    )


def _mark(request: Request, addressee: str, reference_id: str, ack: bool) -> str:
    ctx = auth.context(request)
    key = _key(addressee)
    what = "acknowledge" if ack else "mark read"
    missing = HTTPException(404, f"No cable {reference_id.upper()[:40]} to {what} at {key}.")
    if len(reference_id) > 40 or auth.archive(request).decision(reference_id) == "none":
        raise missing
    conn = request.app.state.writers.any_store().conn  # either store (archive/db.py)
    if not Queue(conn).mark(reference_id, key, ack=ack, who=ctx.name):
        raise missing
    auth.audit(request, "dispatch.ack" if ack else "dispatch.read", reference_id.upper(), key)
    return key


def _ack(request: Request, addressee: str, reference_id: str) -> str:
    return _mark(request, addressee, reference_id, True)


def _form(request: Request, addressee: str, reference_id: str, csrf: str, ack: bool) -> Response:
    ctx = auth.context(request)
    if not ctx.logged_in:
        raise HTTPException(401, "Log in to acknowledge a cable or mark it read.")
    auth.check_csrf(request, csrf)
    key = _mark(request, addressee, reference_id, ack)
    return RedirectResponse(f"/inbox/{quote(key, safe='')}", status_code=303)


Csrf = Annotated[str, Form(max_length=400)]


@router.post("/inbox/{addressee}/{reference_id}/ack", include_in_schema=False)
def ack_form(request: Request, addressee: str, reference_id: str, csrf: Csrf = "") -> Response:
    return _form(request, addressee, reference_id, csrf, True)


@router.post("/inbox/{addressee}/{reference_id}/read", include_in_schema=False)
def read_form(request: Request, addressee: str, reference_id: str, csrf: Csrf = "") -> Response:
    return _form(request, addressee, reference_id, csrf, False)


@router.post(
    "/api/inbox/{addressee}/{reference_id}/ack",
    tags=["api"],
    summary="Acknowledge a FLASH or NIACT cable",
    response_model=AckAnswer,
)
def api_ack(request: Request, addressee: str, reference_id: str) -> dict:
    """Acknowledge a delivered FLASH or NIACT IMMEDIATE cable (an API token is needed)."""
    ctx = auth.context(request)
    if ctx.via != "bearer":
        raise HTTPException(401, "An API token is needed to acknowledge a cable.")
    key = _ack(request, addressee, reference_id)
    return {"addressee": key, "reference_id": reference_id.upper(), "acked": True}


def _status(request: Request) -> dict:
    a = auth.archive(request)
    out = views.status(a)
    out["late"] = [e.to_dict() for e in views.late(a)]
    out["dead"] = [e.to_dict() for e in views.dead(a)]
    out["alerts"] = views.alerts(a)
    return out


@router.get(
    "/api/dispatch",
    tags=["api"],
    summary="Dispatch status and late deliveries",
    response_model=DispatchStatus,
)
def api_status(request: Request) -> dict:
    """Deliveries by state and precedence, those late against their speed-of-service objective
    (FLASH 10 min, IMMEDIATE 30 min, PRIORITY 3 h, ROUTINE 6 h), the dead letters and the
    escalations of unacknowledged FLASH/NIACT cables, of the cables the reader may see."""
    return _status(request)


@router.get("/dispatch", include_in_schema=False)
def status_page(request: Request) -> Response:
    return _render(request, "dispatch_status.html", {"status": _status(request)})
