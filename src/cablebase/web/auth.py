"""Who is asking: each request's viewer, its `Access`, sessions, CSRF and roles.

A request resolves its viewer once (`context`, kept on `request.state.auth`):

- web pages: the session cookie (`cb_session`); an unknown or expired one counts as no session,
  is cleared from the browser (`SessionCookies`) and the pages say the session expired;
- /api: `Authorization: Bearer <token>` (an API token from `cablebase users token`, or a session
  token from `POST /api/login`); a token that is not valid answers 401 at once.  Without a
  header the session cookie is honoured too, so the page's "JSON record" link works.

Under the `open` policy everyone reads everything and logging in matters only for the admin and
release pages.  Under `controlled` a request without credentials reads as `policy.ANONYMOUS`
(the policy's public profile, and declassified and released cables).  Pages do not redirect to /login: the archive's
open part stays readable without an account, every page offers "Log in", and what a viewer may
not read simply does not exist for them (a 404 like a missing cable).

Every read goes through `archive(request)`, the request's archive seen through its access.
"""

from __future__ import annotations

import hmac
import secrets
import sqlite3
import threading
import weakref
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cablebase.access.policy import ANONYMOUS, EVERYONE, RANKS, Access, Policy, Viewer
from cablebase.archive.api import Archive
from cablebase.archive.sqlite import SQLiteStore
from cablebase.archive.store import is_dsn

SESSION_COOKIE = "cb_session"
LOGIN_CSRF_COOKIE = "cb_login_csrf"  # double-submit token of the login form (before a session)
MAX_SECRET = 200  # characters of a token or CSRF value worth looking at


class Writers:
    """One writable connection per thread for accounts, sessions, the audit log and releases
    (the reading connections stay read-only; connections are never shared across threads)."""

    def __init__(self, path: Path | str, hasher: Any = None, clock: Any = None) -> None:
        self.path = path
        self.hasher = hasher
        self.clock = clock
        self._local = threading.local()
        # Every thread's store, closed with the app; weakly held: the store of a thread that
        # ended (the server's worker threads come and go) is collected, its connection closed.
        self._made: weakref.WeakSet[Any] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._epoch = 0  # moves at each close: a thread's older store is closed

    def close(self) -> None:
        """Close every thread's PostgreSQL store (the app's shutdown): the server counts its
        connections, and threads of a finished app would otherwise hold theirs.  A thread
        asking again (the app started anew) gets a new one.  (A SQLite connection belongs to
        its thread, which alone may close it: it stays.)"""
        with self._lock:
            made, self._made = list(self._made), weakref.WeakSet()
            self._epoch += 1
        for store in made:
            store.close()

    def any_store(self) -> Any:
        """The thread's writable store, SQLite's or PostgreSQL's (archive/store.py): for
        accounts, sessions and the audit log, whose SQL runs on both (archive/db.py)."""
        epoch, store = getattr(self._local, "store", (None, None))
        if store is None or epoch != self._epoch and not isinstance(store, SQLiteStore):
            if is_dsn(self.path):
                from cablebase.archive.pg.store import PgStore

                store = PgStore(str(self.path), create=False)
            else:
                store = SQLiteStore(self.path)
                store.conn.execute("PRAGMA busy_timeout = 10000")
            with self._lock:
                if not isinstance(store, SQLiteStore):
                    self._made.add(store)
                self._local.store = (self._epoch, store)
                self._local.accounts = None
        return store

    def accounts(self):
        from cablebase.access.accounts import Accounts

        store = self.any_store()  # a new one after close: new accounts too
        acc = getattr(self._local, "accounts", None)
        if acc is None:
            kw: dict[str, Any] = {"hasher": self.hasher}
            if self.clock is not None:
                kw["clock"] = self.clock
            acc = Accounts(store.conn, **kw)
            self._local.accounts = acc
        return acc


@dataclass(slots=True)
class Ctx:
    """The resolved identity of one request."""

    policy: Policy
    viewer: Viewer
    access: Access
    user: Any = None  # accounts.User, None when nobody is logged in
    csrf: str | None = None  # the session's CSRF token (web sessions only)
    token: str | None = None  # the session cookie's or bearer token
    via: str | None = None  # "cookie" | "bearer" | None
    expired: bool = False  # a session cookie was sent but is no longer valid

    @property
    def name(self) -> str | None:
        return self.user.name if self.user is not None else None

    @property
    def role(self) -> str | None:
        return self.user.role if self.user is not None else None

    @property
    def logged_in(self) -> bool:
        return self.user is not None

    def has_role(self, *roles: str) -> bool:
        return self.user is not None and self.user.role in roles


def policy_of(request: Request) -> Policy:
    return request.app.state.archives.get().policy


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return ""  # some other scheme: not a token we accept
    return value.strip()


def _invalid_token() -> HTTPException:
    return HTTPException(
        401,
        "invalid or expired token",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def context(request: Request) -> Ctx:
    """The request's identity, resolved once (it touches the database: call it from a
    sync handler, which runs in the threadpool)."""
    got = getattr(request.state, "auth", None)
    if got is not None:
        return got
    policy = policy_of(request)
    writers = request.app.state.writers
    # Fetched when credentials come (most requests carry none).
    accounts = _Lazy(writers.accounts)
    user, csrf, token, via, expired = None, None, None, None, False
    bearer = _bearer(request) if request.url.path.startswith("/api") else None
    if bearer is not None:
        if not bearer or len(bearer) > MAX_SECRET:
            raise _invalid_token()
        # An API token or an API session (POST /api/login); never a browser's session
        # cookie, whose theft must not open the API without the CSRF checks of the forms.
        user = accounts.token_user(bearer) or accounts.api_session(bearer)
        if user is None or user.disabled:
            raise _invalid_token()
        token, via = bearer, "bearer"
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            # A web session only: an API token or API session is no cookie.
            found = accounts.session(cookie) if len(cookie) <= MAX_SECRET else None
            if found is None or found[0].disabled:
                expired = True
                request.state.clear_session = True
            else:
                user, csrf = found
                token, via = cookie, "cookie"
    if policy.mode == "open":
        viewer = EVERYONE if user is None else user.viewer
    else:
        viewer = ANONYMOUS if user is None else user.viewer
    # The day declassification dates are judged on: the app's clock when it has one (tests
    # move it), so a date passing changes the answers at the same moment everywhere.
    day = today(request)
    access = Access(policy, viewer) if day is None else Access(policy, viewer, day)
    ctx = Ctx(policy, viewer, access, user, csrf, token, via, expired)
    request.state.auth = ctx
    return ctx


def today(request: Any) -> str | None:
    """The app clock's day (None: the wall clock's), for what judges dates outside Access."""
    clock = request.app.state.writers.clock
    return None if clock is None else _day(clock())


def _day(now: Any) -> str:
    """The UTC day of a clock's reading (an aware or naive UTC datetime)."""
    if getattr(now, "tzinfo", None) is not None:
        now = now.astimezone(UTC)
    return now.date().isoformat()


# What cached counts depend on.  Not the file's size and time: the server itself writes
# sessions and audit entries into the archive at every request.  New cables raise max(id), a
# replaced record (re-ingest, a published or withdrawn release) adds a row to cable_versions.
_STATE = (
    "SELECT (SELECT max(id) FROM cables), (SELECT max(rowid) FROM cable_versions),"
    " (SELECT max(rowid) FROM quarantine),"
    " (SELECT count(*) FROM releases WHERE status IN ('published', 'withdrawn')),"
    " (SELECT group_concat(key || '=' || value) FROM settings)"
)


class _Lazy:
    """An object made on first use (`make()`), its attributes then passed through."""

    def __init__(self, make: Any) -> None:
        self._make, self._made = make, None

    def __getattr__(self, name: str) -> Any:
        if self._made is None:
            self._made = self._make()
        return getattr(self._made, name)


def state_of(archive: Archive) -> tuple:
    """archive_state for an archive over any store: SQLite's fingerprint, or elsewhere its
    generation (moved by every change of the cables and the policy), the policy and the
    releases published or withdrawn."""
    if archive.sqlite:
        return archive_state(archive.conn)
    releases = archive.db.one(
        "SELECT count(*) FROM releases WHERE status IN ('published', 'withdrawn')"
    )
    return (archive.store.generation(), archive.policy, releases)


def archive_state(conn: sqlite3.Connection) -> tuple:
    """A fingerprint of the archive's cables and policy, cheap enough for every request."""
    try:
        return tuple(conn.execute(_STATE).fetchone())
    except sqlite3.OperationalError:  # an archive without the access tables (read-only copy)
        return tuple(
            conn.execute(
                "SELECT max(id), (SELECT count(*) FROM cable_versions) FROM cables"
            ).fetchone()
        )


def archive(request: Request) -> Archive:
    """The request thread's archive, seen through the request's access, at one generation of
    the archive for the whole request (Archive.pinned: a write during the request cannot drop
    the id set its queries use)."""
    pinned = getattr(request.state, "archive", None)
    if pinned is None:
        pinned = request.app.state.archives.get().pinned()
        pinned.locations = False  # no folder of the server in what a reader is sent
        request.state.archive = pinned
    return pinned.with_access(context(request).access)


def access_key(access: Access) -> tuple:
    """What a cached result depends on: viewers with equal keys see the same cables."""
    if access.unrestricted:
        return ("all",)
    v = access.viewer
    return (v.rank, v.bits, access.portions, access.today)


def address(request: Request) -> str | None:
    return request.client.host if request.client else None


def audit(request: Request, action: str, target: str | None = None, detail: str | None = None):
    """One audit entry for this request (queued; written by the app's AuditWriter)."""
    writer = getattr(request.app.state, "audit", None)
    if writer is None:
        return
    ctx = getattr(request.state, "auth", None)
    writer.record(ctx.name if ctx else None, action, target, detail, address(request))


# -- roles and CSRF ----------------------------------------------------------------------


def require(request: Request, *roles: str) -> Ctx:
    """The context of a logged-in user with one of `roles`: 401 without a login, 403 with
    another role (the pages exist for everyone; only their use is restricted)."""
    ctx = context(request)
    if not ctx.logged_in:
        raise HTTPException(401, "Log in to use this page.")
    if not ctx.has_role(*roles):
        raise HTTPException(403, "Your account may not use this page.")
    return ctx


def check_csrf(request: Request, sent: str | None) -> Ctx:
    """403 unless the form carries the session's CSRF token."""
    ctx = context(request)
    if not (ctx.csrf and sent and len(sent) <= MAX_SECRET):
        raise HTTPException(403, "The form's security token is missing: reload the page.")
    if not hmac.compare_digest(ctx.csrf.encode(), sent.encode()):
        raise HTTPException(403, "The form's security token is wrong: reload the page.")
    return ctx


def login_csrf(request: Request) -> str:
    """The login form's token: the cookie's when it has one, else a new one."""
    sent = request.cookies.get(LOGIN_CSRF_COOKIE)
    if sent and 20 <= len(sent) <= MAX_SECRET:
        return sent
    return secrets.token_urlsafe(24)


def check_login_csrf(request: Request, sent: str | None) -> None:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not (cookie and sent and len(sent) <= MAX_SECRET):
        raise HTTPException(403, "The form's security token is missing: reload the page.")
    if not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise HTTPException(403, "The form's security token is wrong: reload the page.")


def clearance_name(rank: int) -> str | None:
    return RANKS[rank] if 0 <= rank < len(RANKS) else None


# -- the session cookie ------------------------------------------------------------------


def secure(request: Request) -> bool:
    """Whether cookies are marked Secure: `cablebase serve --secure-cookies`, or a request
    that came over https (directly, or through a proxy uvicorn trusts for its headers)."""
    return bool(request.app.state.secure_cookies) or request.url.scheme == "https"


def cookie_args(request: Request, max_age: int | None) -> dict[str, Any]:
    """Cookies no script reads (HttpOnly), not sent on cross-site POSTs (SameSite=Lax)."""
    return {
        "max_age": max_age,
        "path": "/",
        "httponly": True,
        "samesite": "lax",
        "secure": secure(request),
    }


class SessionCookies:
    """Clears the session cookie of a response when the request's session turned out invalid
    (set by `context`); pure ASGI, so streamed responses pass untouched."""

    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app = app
        self.secure = secure
        self.header = f"{SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                state = scope.get("state") or {}
                if state.get("clear_session"):
                    headers = list(message.get("headers", []))
                    # The response may already set a new session (a fresh login): keep that.
                    if not any(
                        k.lower() == b"set-cookie" and v.startswith(SESSION_COOKIE.encode() + b"=")
                        for k, v in headers
                    ):
                        https = self.secure or scope.get("scheme") == "https"
                        headers.append(
                            (b"set-cookie", self.header + (b"; Secure" if https else b""))
                        )
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, wrapped)
