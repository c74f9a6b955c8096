"""The account page: any logged-in user sees their own account, changes their password and
manages their API tokens (docs/accounts.md, "The account page").

The forms are POSTs carrying the session's CSRF token, checked by `auth.check_csrf` like the
admin forms.  Without a login, GET /account redirects to the login page (and back here); a POST
answers 401.  The changes themselves are `Accounts` methods, which write their own audit entries
(`user_passwd`, `sessions_end`, `token_create`, `token_revoke`); checking the current password
goes through `Accounts.authenticate`, so it is throttled and logged like a login.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cablebase.access.accounts import MAX_TOKEN_DAYS
from cablebase.access.policy import ROLES
from cablebase.web import auth
from cablebase.web.pages import _render

router = APIRouter(include_in_schema=False)

Secret = Annotated[str, Form(max_length=2000)]
# What a redirect after a change says: fixed texts, so a crafted link cannot put words here.
DONE = {
    "password": "Your password was changed. Your other sessions were ended.",
    "revoked": "The token was revoked: it no longer works.",
}


def _account_page(
    request: Request,
    ctx: auth.Ctx,
    *,
    error: str | None = None,
    new_token: tuple[str, str] | None = None,
    status: int = 200,
) -> Response:
    tokens = request.app.state.writers.accounts().list_tokens(ctx.name)
    response = _render(
        request,
        "account.html",
        {
            "user": ctx.user,
            "tokens": tokens,
            "csrf": ctx.csrf,
            "error": error,
            "done": DONE.get(request.query_params.get("done", "")),
            "new_token": new_token,
            "max_days": MAX_TOKEN_DAYS,
            "active_page": "account",
        },
        status=status,
    )
    # The page may show a token once; no cache keeps a copy of it (or of the account).
    response.headers["Cache-Control"] = "no-store"
    return response


def _post(request: Request, csrf: str) -> auth.Ctx:
    """A logged-in user's form with the right CSRF token (401 / 403 otherwise)."""
    auth.require(request, *ROLES)
    return auth.check_csrf(request, csrf)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request) -> Response:
    ctx = auth.context(request)
    if not ctx.logged_in:
        return RedirectResponse("/login?next=" + quote("/account", safe="/"), status_code=302)
    return _account_page(request, ctx)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    csrf: Secret = "",
    current: Secret = "",
    new: Secret = "",
    again: Secret = "",
) -> Response:
    """Change the password; every web session of the user ends and this browser gets a new
    one (a fresh session token after a change of credentials).  API tokens stay."""
    from cablebase.access.accounts import AuthError

    ctx = _post(request, csrf)
    if new != again:
        return _account_page(request, ctx, error="The new passwords do not match.", status=400)
    accounts = request.app.state.writers.accounts()
    try:
        user = accounts.authenticate(
            ctx.name, current, address=auth.address(request), via="web password change"
        )
    except AuthError as e:
        if e.reason == "throttled":
            response = _account_page(
                request,
                ctx,
                error=f"Too many wrong passwords: try again in {e.retry_after} s.",
                status=429,
            )
            response.headers["Retry-After"] = str(max(1, e.retry_after))
            return response
        return _account_page(request, ctx, error="The current password is wrong.", status=400)
    try:
        accounts.set_password(user.name, new, by=ctx.name)
    except ValueError as e:  # the model's refusal: too short, too long
        return _account_page(request, ctx, error=f"Not changed: {e}.", status=400)
    # set_password ended every session of the user, this one too: a fresh one for this browser.
    ttl = request.app.state.session_ttl
    token, _csrf = accounts.create_session(user, ttl=ttl)
    response = _see_other("/account?" + urlencode({"done": "password"}))
    response.set_cookie(
        auth.SESSION_COOKIE, token, **auth.cookie_args(request, int(ttl.total_seconds()))
    )
    return response


def _days(text: str) -> timedelta | None:
    """A token's lifetime from the form: empty for none (valid until revoked)."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= MAX_TOKEN_DAYS:
        raise ValueError(f"token lifetime: 1 to {MAX_TOKEN_DAYS} days, or empty for no expiry")
    return timedelta(days=int(text))


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    csrf: Secret = "",
    label: Annotated[str, Form(max_length=200)] = "",
    days: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """A new API token, shown on this response only: the archive keeps just its hash."""
    ctx = _post(request, csrf)
    label = label.strip()
    try:
        token = request.app.state.writers.accounts().create_token(
            ctx.user, label, ttl=_days(days), by=ctx.name
        )
    except ValueError as e:
        return _account_page(request, ctx, error=f"No token made: {e}.", status=400)
    return _account_page(request, ctx, new_token=(label, token))


@router.post("/account/tokens/{label:path}/revoke", response_class=HTMLResponse)
def revoke_token(request: Request, label: str, csrf: Secret = "") -> Response:
    ctx = _post(request, csrf)
    if not request.app.state.writers.accounts().revoke_token(ctx.name, label, by=ctx.name):
        error = f"You have no token labelled {label[:64]!r}."
        return _account_page(request, ctx, error=error, status=404)
    return _see_other("/account?" + urlencode({"done": "revoked"}))
