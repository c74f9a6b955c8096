"""The drafting desk in the reading room (issue 14): compose with live checks, the clearance
queue, release; and the same as JSON under /api.  Everything goes through the library
(drafting/store.py, drafting/desk.py, drafting/check.py): no rule and no permission is decided
here.

    GET  /drafts                       the drafts this account may read, and what waits on it
    GET  /drafts/queue                 the clearance and release queue (clear / release buttons)
    GET  /drafts/new                   compose a new draft
    POST /drafts/new                   save it (version 1)
    GET  /drafts/{id}                  the draft: compose (its author, while a draft), offices,
                                       findings, release (serial, DTG, the stored cable)
    POST /drafts/{id}/{action}         save | submit | recall | clear | release (CSRF token)
    POST /api/drafts/check             the rules' findings on a text (the page's live check)
    GET  /api/drafts, /api/drafts/queue, /api/drafts/{id}
    POST /api/drafts, /api/drafts/{id}, /api/drafts/{id}/submit|recall|clear|release (a token)

Who may: the desk needs an account (a visitor without one gets the login page, and 401 under
/api).  A draft the account may not read (store.py: its author, the offices it waits on, its
post's releasers, an admin cleared for it) answers 404 exactly like a draft that does not
exist.  The page's forms carry the session's CSRF token; the API's writes need a bearer token
(a browser's cookie alone opens no write under /api), while the live check, which writes
nothing, takes the session cookie too.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from cablebase.drafting.check import StructuredError, check
from cablebase.drafting.desk import RELEASE_UNIT, Desk, post_key
from cablebase.drafting.rules import Context, Finding
from cablebase.drafting.store import DraftError, DraftStore, StoredDraft, read
from cablebase.web import auth, models
from cablebase.web.pages import _render

router = APIRouter()

MAX_BODY = 200_000  # characters of a draft (a long cable is ~60,000)
FORMS = ("text", "yaml", "json")
DraftId = Annotated[int, Path(ge=1, le=2**62)]
Csrf = Annotated[str, Form(max_length=400)]
Body = Annotated[str, Form(max_length=MAX_BODY)]
Short = Annotated[str, Form(max_length=400)]


# -- the library, as this request's account ---------------------------------------------------


def _ctx(request: Request) -> auth.Ctx:
    ctx = auth.context(request)
    if not ctx.logged_in:
        raise HTTPException(401, "Log in to use the drafting desk.")
    return ctx


def _desk(request: Request, ctx: auth.Ctx) -> Desk:
    writer = request.app.state.writers.any_store()  # either store (archive/db.py)
    return Desk(DraftStore(writer.conn, ctx.access), writer, ctx.viewer)


def _resolve(request: Request):  # type: ignore[no-untyped-def]
    """REF items resolve against the archive as this reader sees it (a withheld cable is
    absent)."""
    archive = auth.archive(request)
    return lambda rid: archive.get(rid) is not None


def _status(e: DraftError) -> int:
    return 404 if str(e).startswith("no draft") else 409


def _form_of(form: str, body: str) -> str:
    if form in FORMS:
        return form
    return "json" if body.lstrip().startswith("{") else "text"


def findings_of(request: Request, body: str, form: str, offices: list[str] | None = None) -> dict:
    """The rules' findings on a text, as the CLI's `draft check --json` gives them; a structured
    text that does not read is one finding (`draft.unreadable`) at the line it names."""
    try:
        draft = read(body, form)
    except StructuredError as e:
        f = Finding("draft.unreadable", "error", str(e), line=_line_of(str(e)))
        return {"errors": 1, "warnings": 0, "findings": [f.to_dict()]}
    if offices is not None:
        draft.clearances = offices
    found = check(draft, Context(resolve=_resolve(request)))
    return {
        "errors": sum(f.severity == "error" for f in found),
        "warnings": sum(f.severity == "warning" for f in found),
        "findings": [f.to_dict() for f in found],
    }


def _line_of(message: str) -> int | None:
    import re

    m = re.search(r"\bline (\d+)", message)
    return int(m.group(1)) if m else None


def _draft_view(request: Request, desk: Desk, d: StoredDraft) -> dict[str, Any]:
    """Everything the page and the JSON show of a draft the account may read."""
    offices = desk.offices(d.id)
    units = {u for u, who in desk.members() if who == desk.actor.name}
    release = desk.store.released_as(d.id)
    if release:  # the DTG the release gave, from the stored cable (as this reader reads it)
        cable = auth.archive(request).get(release["reference_id"])
        release["dtg"] = cable.dtg if cable is not None else None
    pending = [o for o, by, _ in offices if not by]
    submitted = d.state in ("submitted", "cleared")
    # offices the draft waits on: those cleared, else those it lists (what submit will take)
    listed = [o for o, _, _ in offices] if submitted else None
    return {
        "draft": d.to_dict(),
        "versions": [
            {"version": v, "saved_by": who, "saved": at} for v, who, at in desk.store.versions(d.id)
        ],
        "offices": [{"office": o, "cleared_by": by, "cleared": at} for o, by, at in offices],
        "check": findings_of(request, d.body, d.form, listed),
        "release": release,
        "may": {
            "edit": d.state == "draft" and d.author == desk.actor.name,
            "submit": d.state == "draft" and d.author == desk.actor.name,
            "recall": submitted and d.author == desk.actor.name,
            "clear": [o for o in pending if o in units and d.author != desk.actor.name]
            if d.state == "submitted"
            else [],
            "release": d.state == "cleared"
            and RELEASE_UNIT.format(post=post_key(d.post or "")) in units,
        },
    }


def _summary(d: StoredDraft) -> dict[str, Any]:
    keep = ("id", "author", "post", "classification", "subject", "state", "version", "updated")
    return {k: getattr(d, k) for k in keep}


def _queue(desk: Desk) -> list[dict[str, Any]]:
    units = {u for u, who in desk.members() if who == desk.actor.name}
    out = []
    for d in desk.queue():
        offices = desk.offices(d.id)
        out.append(
            _summary(d)
            | {
                "offices": [
                    {"office": o, "cleared_by": by, "cleared": at} for o, by, at in offices
                ],
                "yours": [o for o, by, _ in offices if not by and o in units],
            }
        )
    return out


# -- pages ------------------------------------------------------------------------------------


def _login(request: Request) -> RedirectResponse:
    here = request.url.path
    return RedirectResponse("/login?next=" + quote(here, safe="/"), status_code=302)


def _page(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    ctx.setdefault("active_page", "drafts")
    response = _render(request, name, ctx, status=status)
    response.headers["Cache-Control"] = "no-store"  # a draft is no page for a shared cache
    return response


@router.get("/drafts", include_in_schema=False)
def drafts_page(request: Request) -> Response:
    ctx = auth.context(request)
    if not ctx.logged_in:
        return _login(request)
    desk = _desk(request, ctx)
    return _page(
        request,
        "draft_list.html",
        {"drafts": [_summary(d) for d in desk.store.list()], "queue": _queue(desk)},
    )


@router.get("/drafts/queue", include_in_schema=False)
def queue_page(request: Request) -> Response:
    ctx = auth.context(request)
    if not ctx.logged_in:
        return _login(request)
    return _page(
        request, "draft_queue.html", {"queue": _queue(_desk(request, ctx)), "csrf": ctx.csrf}
    )


def _compose(
    request: Request,
    ctx: auth.Ctx,
    *,
    body: str = "",
    form: str = "text",
    error: str | None = None,
    status: int = 200,
) -> Response:
    return _page(
        request,
        "draft_compose.html",
        {
            "view": None,
            "body": body,
            "form": form,
            "forms": FORMS,
            "check": findings_of(request, body, form) if body.strip() else None,
            "csrf": ctx.csrf,
            "error": error,
        },
        status=status,
    )


@router.get("/drafts/new", include_in_schema=False)
def new_page(request: Request) -> Response:
    ctx = auth.context(request)
    if not ctx.logged_in:
        return _login(request)
    return _compose(request, ctx)


@router.post("/drafts/new", include_in_schema=False)
def new_form(
    request: Request, csrf: Csrf = "", body: Body = "", form: Annotated[str, Form()] = "text"
) -> Response:
    ctx = _ctx(request)
    auth.check_csrf(request, csrf)
    form = _form_of(form, body)
    if not body.strip():
        return _compose(request, ctx, form=form, error="The draft is empty.", status=400)
    try:
        d = _desk(request, ctx).store.new(body, form)
    except (DraftError, StructuredError) as e:
        return _compose(request, ctx, body=body, form=form, error=str(e), status=400)
    return RedirectResponse(f"/drafts/{d.id}", status_code=303)


def _draft_page(
    request: Request,
    ctx: auth.Ctx,
    draft_id: int,
    *,
    error: str | None = None,
    done: str | None = None,
    body: str | None = None,
    status: int = 200,
) -> Response:
    desk = _desk(request, ctx)
    try:
        d = desk.store.get(draft_id)
    except DraftError as e:
        raise HTTPException(404, str(e)) from None
    view = _draft_view(request, desk, d)
    telegram_text = None
    if view["release"]:
        from cablebase.drafting.released import telegram

        cable = auth.archive(request).get(view["release"]["reference_id"])
        telegram_text = telegram(cable) if cable is not None else None
    text = d.body if body is None else body
    return _page(
        request,
        "draft_compose.html",
        {
            "view": view,
            "d": d,
            "body": text,
            "form": d.form,
            "forms": FORMS,
            "check": view["check"] if body is None else findings_of(request, text, d.form),
            "csrf": ctx.csrf,
            "error": error,
            "done": done or DONE.get(request.query_params.get("done", "")),
            "telegram": telegram_text,
        },
        status=status,
    )


# What a redirect after an action says: fixed texts, so a crafted link cannot put words here.
DONE = {
    "save": "Saved as a new version.",
    "submit": "Submitted for clearance.",
    "recall": "Recalled: it is a draft again.",
    "clear": "Cleared.",
    "release": "Released.",
}


@router.get("/drafts/{draft_id}", include_in_schema=False)
def draft_page(request: Request, draft_id: DraftId) -> Response:
    ctx = auth.context(request)
    if not ctx.logged_in:
        return _login(request)
    return _draft_page(request, ctx, draft_id)


def _offices(text: str) -> list[str] | None:
    """Offices typed in a field (commas or spaces); empty: those the draft lists."""
    names = [o for o in text.replace(",", " ").split() if o]
    return names or None


@router.post("/drafts/{draft_id}/{action}", include_in_schema=False)
def draft_action(
    request: Request,
    draft_id: DraftId,
    action: str,
    csrf: Csrf = "",
    body: Body = "",
    form: Annotated[str, Form(max_length=10)] = "",
    offices: Short = "",
    office: Short = "",
) -> Response:
    ctx = _ctx(request)
    auth.check_csrf(request, csrf)
    if action not in DONE:
        raise HTTPException(404, f"no action {action[:40]!r} on drafts")
    desk = _desk(request, ctx)
    try:
        if action == "save":
            current = desk.store.get(draft_id)
            desk.store.edit(draft_id, body, _form_of(form or current.form, body))
        elif action == "submit":
            desk.submit(draft_id, _offices(offices), resolve=_resolve(request))
        elif action == "recall":
            desk.recall(draft_id)
        elif action == "clear":
            desk.clear(draft_id, office)
        else:
            desk.release(draft_id, resolve=_resolve(request))
    except DraftError as e:
        if _status(e) == 404:
            raise HTTPException(404, str(e)) from None
        keep = body if action == "save" else None
        return _draft_page(request, ctx, draft_id, error=str(e), body=keep, status=409)
    except StructuredError as e:
        return _draft_page(request, ctx, draft_id, error=str(e), body=body, status=400)
    if action == "clear" and request.query_params.get("from") == "queue":
        return RedirectResponse("/drafts/queue", status_code=303)
    return RedirectResponse(f"/drafts/{draft_id}?done={action}", status_code=303)


# -- the JSON API -------------------------------------------------------------------------------


class DraftText(BaseModel):
    body: str = Field(max_length=MAX_BODY, description="The draft as written.")
    form: Literal["text", "yaml", "json"] = Field(
        "text", description="Telegram text, or a structured draft (docs/drafting.md)."
    )


class FindingModel(BaseModel):
    rule: str = Field(description="The rule's id (docs/drafting.md), or draft.unreadable.")
    severity: Literal["error", "warning", "info"]
    line: int | None = Field(description="The line of the draft the finding concerns.")
    field: str | None = Field(description="A structured draft's field (tags[2]).")
    message: str
    fix: str | None = Field(description="A proposed fix, where one is safe to propose.")


class CheckResult(BaseModel):
    errors: int
    warnings: int
    findings: list[FindingModel]


class DraftSummary(BaseModel):
    id: int
    author: str | None
    post: str | None
    classification: str | None
    subject: str | None
    state: Literal["draft", "submitted", "cleared", "released"]
    version: int
    updated: str


class OfficeState(BaseModel):
    office: str
    cleared_by: str | None
    cleared: str | None


class QueuedDraft(DraftSummary):
    offices: list[OfficeState]


class DraftList(BaseModel):
    drafts: list[DraftSummary]
    queue: list[QueuedDraft] = Field(description="Drafts waiting on the caller: clear, release.")


class StoredDraftModel(DraftSummary):
    form: Literal["text", "yaml", "json"]
    created: str
    body: str


class VersionModel(BaseModel):
    version: int
    saved_by: str | None
    saved: str


class ReleaseModel(BaseModel):
    reference_id: str
    serial: int
    released: str
    released_by: str
    version: int
    dtg: str | None = Field(description="The date-time group the release gave the cable.")


class Allowed(BaseModel):
    edit: bool
    submit: bool
    recall: bool
    clear: list[str] = Field(description="Offices the caller may clear it for.")
    release: bool


class DraftDocument(BaseModel):
    draft: StoredDraftModel
    versions: list[VersionModel]
    offices: list[OfficeState]
    check: CheckResult
    release: ReleaseModel | None
    may: Allowed = Field(description="What the caller may do with it now.")
    cable_url: str | None = Field(description="The released cable's page.")
    telegram_url: str | None = Field(description="The released cable as a telegram.")


class SubmitRequest(BaseModel):
    offices: list[Annotated[str, Field(max_length=64)]] | None = Field(
        None, max_length=50, description="Offices that must clear; default: those it lists."
    )


class ClearRequest(BaseModel):
    office: str = Field(max_length=64)


_ERRS = {
    401: {"model": models.Error, "description": "No account, or not a bearer token"},
    404: {"model": models.Error, "description": "No such draft (or not the caller's to read)"},
    409: {"model": models.Error, "description": "The desk refuses the step (the reason)"},
    422: {"model": models.Error, "description": "Invalid parameters"},
}


def _writer(request: Request) -> auth.Ctx:
    """The API's writes: an account's bearer token (never the browser's cookie alone)."""
    ctx = auth.context(request)
    if ctx.via != "bearer":
        raise HTTPException(401, "An API token is needed (Authorization: Bearer).")
    return ctx


def _document(request: Request, desk: Desk, did: int) -> dict:
    try:
        d = desk.store.get(did)
    except DraftError as e:
        raise HTTPException(404, str(e)) from None
    view = _draft_view(request, desk, d)
    rid = view["release"]["reference_id"] if view["release"] else None
    return view | {
        "cable_url": f"/cable/{rid}" if rid else None,
        "telegram_url": f"/cable/{rid}/telegram" if rid else None,
    }


def _api(call):  # type: ignore[no-untyped-def]
    try:
        return call()
    except DraftError as e:
        raise HTTPException(_status(e), str(e)) from None
    except StructuredError as e:
        raise HTTPException(409, f"the draft does not read: {e}") from None


@router.post(
    "/api/drafts/check", tags=["api"], response_model=CheckResult, responses=_ERRS, summary=None
)
def api_check(request: Request, text: DraftText) -> dict:
    """The rules' findings on a draft (nothing is stored): the compose page's live check.
    Each finding names its rule, severity, line and, where safe, a proposed fix."""
    _ctx(request)
    return findings_of(request, text.body, text.form)


@router.get("/api/drafts", tags=["api"], response_model=DraftList, responses=_ERRS)
def api_list(request: Request) -> dict:
    """The drafts the caller may read, latest first, and those waiting on them."""
    desk = _desk(request, _ctx(request))
    return {"drafts": [_summary(d) for d in desk.store.list()], "queue": _queue(desk)}


@router.get("/api/drafts/queue", tags=["api"], response_model=list[QueuedDraft], responses=_ERRS)
def api_queue(request: Request) -> list:
    """Drafts waiting on the caller: to clear for their offices, to release for their posts."""
    return _queue(_desk(request, _ctx(request)))


@router.post("/api/drafts", tags=["api"], response_model=DraftDocument, responses=_ERRS)
def api_new(request: Request, text: DraftText) -> dict:
    """Store a new draft (version 1); it is stored with its errors (the drafter is writing)."""
    desk = _desk(request, _writer(request))
    d = _api(lambda: desk.store.new(text.body, text.form))
    return _document(request, desk, d.id)


@router.get("/api/drafts/{draft_id}", tags=["api"], response_model=DraftDocument, responses=_ERRS)
def api_draft(request: Request, draft_id: DraftId) -> dict:
    """One draft: its text, versions, offices, findings, and its release."""
    return _document(request, _desk(request, _ctx(request)), draft_id)


@router.post("/api/drafts/{draft_id}", tags=["api"], response_model=DraftDocument, responses=_ERRS)
def api_save(request: Request, draft_id: DraftId, text: DraftText) -> dict:
    """Save the next version of the caller's draft (the earlier versions are kept)."""
    desk = _desk(request, _writer(request))
    _api(lambda: desk.store.edit(draft_id, text.body, text.form))
    return _document(request, desk, draft_id)


@router.post(
    "/api/drafts/{draft_id}/submit", tags=["api"], response_model=DraftDocument, responses=_ERRS
)
def api_submit(request: Request, draft_id: DraftId, sub: SubmitRequest) -> dict:
    """Submit for clearance (refused while it has errors); no office: cleared at once."""
    desk = _desk(request, _writer(request))
    _api(lambda: desk.submit(draft_id, sub.offices, resolve=_resolve(request)))
    return _document(request, desk, draft_id)


@router.post(
    "/api/drafts/{draft_id}/recall", tags=["api"], response_model=DraftDocument, responses=_ERRS
)
def api_recall(request: Request, draft_id: DraftId) -> dict:
    """Take a submitted draft back to edit it (the clearances given are dropped)."""
    desk = _desk(request, _writer(request))
    _api(lambda: desk.recall(draft_id))
    return _document(request, desk, draft_id)


@router.post(
    "/api/drafts/{draft_id}/clear", tags=["api"], response_model=DraftDocument, responses=_ERRS
)
def api_clear(request: Request, draft_id: DraftId, req: ClearRequest) -> dict:
    """Clear a submitted draft for one office the caller belongs to (never the drafter)."""
    desk = _desk(request, _writer(request))
    _api(lambda: desk.clear(draft_id, req.office))
    return _document(request, desk, draft_id)


@router.post(
    "/api/drafts/{draft_id}/release", tags=["api"], response_model=DraftDocument, responses=_ERRS
)
def api_release(request: Request, draft_id: DraftId) -> dict:
    """Release a cleared draft: the post's next serial, the DTG of now, stored as a cable
    (`cable_url`); refused with open errors, missing clearances, or to its own drafter
    unless the post allows self-release."""
    desk = _desk(request, _writer(request))
    _api(lambda: desk.release(draft_id, resolve=_resolve(request)))
    return _document(request, desk, draft_id)
