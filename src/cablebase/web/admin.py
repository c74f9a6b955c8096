"""Logging in and out, the administration pages and the release pages.

Every state-changing request is a POST form carrying a CSRF token: the session's own token
(checked by `auth.check_csrf`), or before a session exists, the login form's double-submit
token (a cookie and a hidden field that must match).  A missing or wrong token is a 403.

Who may use what: /admin/* needs the admin role, /releases* the archivist or admin role.
Without a login those pages answer 401 (with a link to log in), with another role 403.  Their
existence is no secret (the software is public); what they show is.
"""

from __future__ import annotations

import io
import math
import re
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cablebase.access.policy import CAVEATS, RANKS, ROLES, Access, stored
from cablebase.web import auth
from cablebase.web.pages import _render

router = APIRouter(include_in_schema=False)

ADMIN = ("admin",)
ARCHIVISTS = ("archivist", "admin")
AUDIT_PAGE = 100  # entries shown per page of the audit log
_NEXT_OK = re.compile(r"/(?![/\\])[^\s]*")
_ACTION_OK = re.compile(r"[a-z_]{1,40}")
Text = Annotated[str, Form(max_length=2000)]


def _next(url: str | None) -> str:
    """Where to go after logging in: a path on this site only (no open redirect)."""
    if url and len(url) <= 2000 and _NEXT_OK.fullmatch(url):
        return url
    return "/"


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# -- login and logout ----------------------------------------------------------------------


def _login_page(
    request: Request, *, error: str | None = None, status: int = 200, next_url: str = "/"
) -> Response:
    ctx = auth.context(request)
    token = auth.login_csrf(request)
    expired = ctx.expired or request.query_params.get("expired") == "1"
    response = _render(
        request,
        "login.html",
        {
            "login_csrf": token,
            "error": error,
            "expired": expired and not ctx.logged_in,
            "next": next_url,
            "active_page": "login",
        },
        status=status,
    )
    response.set_cookie(auth.LOGIN_CSRF_COOKIE, token, **auth.cookie_args(request, 3600))
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = Query("/", max_length=2000)) -> Response:
    return _login_page(request, next_url=_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form(max_length=400)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    from cablebase.access.accounts import AuthError

    auth.check_login_csrf(request, csrf)
    accounts = request.app.state.writers.accounts()
    target = _next(next)
    try:
        user = accounts.authenticate(name, password, address=auth.address(request), via="web")
    except AuthError as e:
        if e.reason == "throttled":
            minutes = max(1, math.ceil(e.retry_after / 60))
            plural = "s" if minutes != 1 else ""
            response = _login_page(
                request,
                error=f"Too many attempts, try again in {minutes} minute{plural}.",
                status=429,
                next_url=target,
            )
            response.headers["Retry-After"] = str(max(1, e.retry_after))
            return response
        if e.reason == "disabled":
            return _login_page(
                request, error="This account is disabled.", status=403, next_url=target
            )
        # One message for a wrong name and a wrong password alike.
        return _login_page(
            request, error="Wrong user name or password.", status=401, next_url=target
        )
    ctx = auth.context(request)
    if ctx.token and ctx.via == "cookie":  # a new session replaces the old one
        accounts.end_session(ctx.token)
    ttl = request.app.state.session_ttl
    token, _csrf = accounts.create_session(user, ttl=ttl)
    response = _see_other(target)
    response.set_cookie(
        auth.SESSION_COOKIE, token, **auth.cookie_args(request, int(ttl.total_seconds()))
    )
    response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=400)] = "") -> Response:
    ctx = auth.context(request)
    if ctx.logged_in:
        auth.check_csrf(request, csrf)
        request.app.state.writers.accounts().end_session(ctx.token)
    response = _see_other("/")
    response.delete_cookie(
        auth.SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=auth.secure(request),
    )
    return response


# -- users -----------------------------------------------------------------------------------


def _users_page(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    ctx = auth.require(request, *ADMIN)
    accounts = request.app.state.writers.accounts()
    users = accounts.list_users()
    return _render(
        request,
        "admin_users.html",
        {
            "users": users,
            "ranks": RANKS,
            "caveats": CAVEATS,
            "roles": ROLES,
            "error": error,
            "done": request.query_params.get("done"),
            "csrf": ctx.csrf,
            "active_page": "admin",
        },
        status=status,
    )


@router.get("/admin", response_class=HTMLResponse)
def admin_index(request: Request) -> Response:
    auth.require(request, *ADMIN)
    return RedirectResponse("/admin/users", status_code=302)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request) -> Response:
    return _users_page(request)


def _admin_post(request: Request, csrf: str) -> auth.Ctx:
    auth.require(request, *ADMIN)
    return auth.check_csrf(request, csrf)


def _done(message: str) -> RedirectResponse:
    return _see_other("/admin/users?" + urlencode({"done": message}))


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    csrf: Text = "",
    name: Text = "",
    password: Text = "",
    role: Text = "reader",
    clearance: Text = "UNCLASSIFIED",
    caveats: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    ctx = _admin_post(request, csrf)
    try:
        request.app.state.writers.accounts().add_user(
            name.strip(), password, role, clearance, caveats, by=ctx.name
        )
    except ValueError as e:
        return _users_page(request, error=str(e), status=400)
    return _done(f"added {name.strip()}")


@router.post("/admin/users/{name}/{action}", response_class=HTMLResponse)
def change_user(
    request: Request,
    name: str,
    action: str,
    csrf: Text = "",
    clearance: Text = "",
    caveats: Annotated[list[str], Form()] = [],  # noqa: B006
    role: Text = "",
) -> Response:
    ctx = _admin_post(request, csrf)
    accounts = request.app.state.writers.accounts()
    try:
        if action == "grant":
            accounts.grant(name, clearance=clearance or None, caveats=caveats, by=ctx.name)
        elif action == "revoke":
            accounts.revoke(name, clearance=clearance or None, caveats=caveats, by=ctx.name)
        elif action == "disable":
            if ctx.name and name.casefold() == ctx.name.casefold():
                raise ValueError("you cannot disable your own account")
            accounts.set_disabled(name, True, by=ctx.name)
        elif action == "enable":
            accounts.set_disabled(name, False, by=ctx.name)
        elif action == "role":
            accounts.set_role(name, role, by=ctx.name)
        else:
            raise HTTPException(404, f"no action {action!r} on users")
    except ValueError as e:
        return _users_page(request, error=str(e), status=400)
    return _done(f"{action}: {name}")


# -- the audit log ---------------------------------------------------------------------------


def _filters(user: str, action: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if user.strip():
        out["user"] = user.strip()
    if action.strip():
        if not _ACTION_OK.fullmatch(action.strip()):
            raise HTTPException(422, f"invalid action {action[:40]!r}")
        out["action"] = action.strip()
    return out


def _audit_urls(filters: dict[str, Any], page: int, pages: int) -> dict[str, Any]:
    """The links of the `pager` macro (templates/_macros.html), each keeping the filters."""

    def url(n: int) -> str:
        return "/admin/audit?" + urlencode({**filters, "page": n})

    return {
        "first": url(1),
        "prev": url(page - 1) if page > 1 else None,
        "next": url(page + 1) if page < pages else None,
        "last": url(pages),
        "jump": {"action": "/admin/audit", "hidden": list(filters.items())},
    }


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    user: str = Query("", max_length=200),
    action: str = Query("", max_length=40),
    page: int = Query(1, ge=1, le=1_000_000),
) -> Response:
    from cablebase.access import audit

    ctx = auth.require(request, *ADMIN)
    request.app.state.audit.flush()  # the queued entries of the last moments too
    # No entry naming a cable this admin may not read (their clearance, not their role).
    filters = {**_filters(user, action), "access": ctx.access}
    conn = request.app.state.writers.any_store().conn
    total = audit.count(conn, **filters)
    pages = max(1, math.ceil(total / AUDIT_PAGE))
    page = min(page, pages)  # the log only grows: a page past the end is a stale link
    rows = list(audit.entries(conn, limit=AUDIT_PAGE, offset=(page - 1) * AUDIT_PAGE, **filters))
    kept = _filters(user, action)  # what the links carry
    exports = {
        fmt: "/admin/audit/export?" + urlencode({**kept, "format": fmt}) for fmt in ("csv", "jsonl")
    }
    return _render(
        request,
        "admin_audit.html",
        {
            "entries": rows,
            "user": user,
            "action": action,
            "total": total,
            "page": page,
            "pages": pages,
            "first_entry": (page - 1) * AUDIT_PAGE + 1,
            "page_urls": _audit_urls(kept, page, pages),
            "exports": exports,
            "active_page": "admin",
        },
    )


@router.get("/admin/audit/export")
def audit_export(
    request: Request,
    user: str = Query("", max_length=200),
    action: str = Query("", max_length=40),
    format: str = Query("csv", pattern="^(csv|jsonl)$"),
) -> Response:
    from cablebase.access import audit

    ctx = auth.require(request, *ADMIN)
    request.app.state.audit.flush()
    filters = {**_filters(user, action), "access": ctx.access}
    out = io.StringIO()
    n = audit.export(request.app.state.writers.any_store().conn, out, format, **filters)
    auth.audit(request, "export", "audit", f"{format} {n}")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    return Response(
        out.getvalue(),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="cablebase-audit-{stamp}.{format}"',
            "X-Total-Count": str(n),
        },
    )


# -- declassification ------------------------------------------------------------------------

DECLASSIFY_LIST = 50  # eligible cables listed on the preview


def _declassify_page(
    request: Request, ctx: auth.Ctx, q: str, *, error: str | None = None, status: int = 200
) -> Response:
    from cablebase.access.declassify import classify, matching

    outcome, error_text = None, error
    if q.strip() and error is None:
        archive = auth.archive(request)
        try:
            outcome = classify(archive.db, matching(archive, q, ctx.access), auth.today(request))
        except ValueError as e:  # a query that does not parse (QueryError), or too costly
            error_text, status = str(e), 400
    return _render(
        request,
        "declassify.html",
        {
            "q": q,
            "outcome": outcome,
            "listed": outcome.eligible[:DECLASSIFY_LIST] if outcome else [],
            "mode": ctx.policy.declassify,
            "csrf": ctx.csrf,
            "error": error_text,
            "done": request.query_params.get("done"),
            "active_page": "releases",
        },
        status=status,
    )


@router.get("/declassify", response_class=HTMLResponse)
def declassify_page(request: Request, q: str = Query("", max_length=2000)) -> Response:
    """Preview: the cables matching a query that this archivist reads whole, sorted into
    eligible (date passed), not yet due, closed (no date, exempted) and already open."""
    ctx = auth.require(request, *ARCHIVISTS)
    return _declassify_page(request, ctx, q)


@router.post("/declassify", response_class=HTMLResponse)
def declassify_run(request: Request, csrf: Text = "", q: Text = "") -> Response:
    """Declassify the eligible cables of the preview (audited per cable)."""
    from cablebase.access.declassify import DeclassifyError, declassify

    ctx = auth.require(request, *ARCHIVISTS)
    auth.check_csrf(request, csrf)
    store = request.app.state.writers.any_store()
    from cablebase.archive.api import Archive

    archive = Archive(store).with_access(ctx.access)
    try:
        out = declassify(
            archive, q, by=ctx.name or "", access=ctx.access, today=auth.today(request)
        )
    except (DeclassifyError, ValueError) as e:
        return _declassify_page(request, ctx, q, error=str(e), status=400)
    return _see_other("/declassify?" + urlencode({"q": q, "done": str(len(out.eligible))}))


# -- releases --------------------------------------------------------------------------------


def _base(store: Any, rid: str, version: int):
    """The version of the cable a release redacts (None when it is gone)."""
    from cablebase.access import releases

    try:
        return releases.base_record(store, rid, version)
    except releases.ReleaseError:
        return None


def _readable(access: Access, cable: Any) -> bool:
    """An archivist prepares or reviews only what they may read whole."""
    return cable is not None and access.decide(stored(cable)) == "full"


def _release_or_404(request: Request, ctx: auth.Ctx, release_id: int):
    from cablebase.access import releases

    store = request.app.state.writers.any_store()
    r = releases.get(store, release_id)
    base = _base(store, r.reference_id, r.base_version) if r else None
    if r is None or not _readable(ctx.access, base):
        raise HTTPException(404, f"No release {release_id}.")
    return store, r, base


@router.get("/releases", response_class=HTMLResponse)
def releases_page(
    request: Request,
    status: str = Query("", pattern="^(|draft|reviewed|published|withdrawn)$"),
    cable: str = Query("", max_length=64),
) -> Response:
    from cablebase.access import releases

    ctx = auth.require(request, *ARCHIVISTS)
    store = request.app.state.writers.any_store()
    rows = releases.list_releases(store, reference_id=cable or None, status=status or None)
    # Releases of cables this archivist may not read whole are not theirs to see.
    shown = [r for r in rows if _readable(ctx.access, _base(store, r.reference_id, r.base_version))]
    return _render(
        request,
        "releases.html",
        {"releases": shown, "status": status, "cable": cable, "active_page": "releases"},
    )


def _new_page(
    request: Request, ctx: auth.Ctx, rid: str, *, error: str | None = None, status: int = 200
) -> Response:
    store = request.app.state.writers.any_store()
    cable = store.get(rid) if re.fullmatch(r"[0-9A-Za-z]{1,64}", rid or "") else None
    if not _readable(ctx.access, cable):
        raise HTTPException(404, f"No cable {rid!r} in this archive.")
    return _render(
        request,
        "release_new.html",
        {
            "cable": cable,
            "rid": cable.reference_id,
            "csrf": ctx.csrf,
            "error": error,
            "active_page": "releases",
        },
        status=status,
    )


@router.get("/releases/new", response_class=HTMLResponse)
def release_new(request: Request, cable: str = Query("", max_length=64)) -> Response:
    ctx = auth.require(request, *ARCHIVISTS)
    return _new_page(request, ctx, cable.strip().upper())


def _spans(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@router.post("/releases/new", response_class=HTMLResponse)
def release_create(
    request: Request,
    csrf: Text = "",
    cable: Text = "",
    withheld: Annotated[list[int], Form()] = [],  # noqa: B006
    spans: Text = "",
    subject: Annotated[bool, Form()] = False,
    note: Text = "",
) -> Response:
    from cablebase.access import releases

    ctx = auth.require(request, *ARCHIVISTS)
    auth.check_csrf(request, csrf)
    rid = cable.strip().upper()
    store = request.app.state.writers.any_store()
    if not _readable(ctx.access, store.get(rid) if rid else None):
        raise HTTPException(404, f"No cable {rid!r} in this archive.")
    try:
        r = releases.prepare(
            store,
            rid,
            withheld=withheld,
            spans=_spans(spans),
            subject=subject,
            note=note.strip() or None,
            by=ctx.name,
        )
    except releases.ReleaseError as e:
        return _new_page(request, ctx, rid, error=str(e), status=400)
    return _see_other(f"/releases/{r.id}")


def _release_page(
    request: Request, ctx: auth.Ctx, release_id: int, *, error: str | None = None, status: int = 200
) -> Response:
    from cablebase.access import releases

    store, r, base = _release_or_404(request, ctx, release_id)
    try:
        preview = releases.render(store, r)
    except releases.ReleaseError as e:
        preview, error = None, error or str(e)
    return _render(
        request,
        "release.html",
        {
            "release": r,
            "base": base,
            "preview": preview,
            "csrf": ctx.csrf,
            "error": error,
            "done": request.query_params.get("done"),
            "can_review": r.status == "draft"
            and (r.prepared_by or "").casefold() != (ctx.name or "").casefold(),
            "active_page": "releases",
        },
        status=status,
    )


# A release number as SQLite stores it: a larger one is no release (422), not an overflow (500).
ReleaseId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/releases/{release_id}", response_class=HTMLResponse)
def release_page(request: Request, release_id: ReleaseId) -> Response:
    ctx = auth.require(request, *ARCHIVISTS)
    return _release_page(request, ctx, release_id)


@router.post("/releases/{release_id}/{action}", response_class=HTMLResponse)
def release_action(
    request: Request,
    release_id: ReleaseId,
    action: str,
    csrf: Text = "",
    withheld: Annotated[list[int], Form()] = [],  # noqa: B006
    spans: Text = "",
    subject: Annotated[bool, Form()] = False,
    note: Text = "",
) -> Response:
    from cablebase.access import releases

    ctx = auth.require(request, *ARCHIVISTS)
    auth.check_csrf(request, csrf)
    store, r, _base_cable = _release_or_404(request, ctx, release_id)
    try:
        if action == "update":
            releases.update(
                store,
                r.id,
                withheld=withheld,
                spans=_spans(spans),
                subject=subject,
                note=note.strip(),
                by=ctx.name,
            )
        elif action == "review":
            releases.review(store, r.id, by=ctx.name)
        elif action == "publish":
            releases.publish(store, r.id, by=ctx.name)
        elif action == "withdraw":
            releases.withdraw(store, r.id, by=ctx.name)
        else:
            raise HTTPException(404, f"no action {action!r} on releases")
    except releases.ReleaseError as e:
        return _release_page(request, ctx, release_id, error=str(e), status=409)
    return _see_other(f"/releases/{r.id}?" + urlencode({"done": action}))


def login_url(request: Request) -> str:
    """The login page, returning here afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(here, safe="")
