"""The web application: one archive, opened read-only per request thread.

Access control (web/auth.py): each request resolves its viewer and reads through
`archive.with_access(access)`.  Accounts, sessions and releases are written through a separate
writable connection per thread; audit entries through one `AuditWriter` per app.
"""

from __future__ import annotations

import json
import os
import threading
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from cablebase import __version__
from cablebase.archive import budget
from cablebase.archive.api import Archive
from cablebase.archive.store import is_dsn

HERE = Path(__file__).resolve().parent


# `cablebase serve --workers N`: the settings each worker process builds its app from.
SETTINGS_ENV = "CABLEBASE_SERVE_SETTINGS"


def settings_json(archive_path: str | Path, **settings: Any) -> str:
    return json.dumps({"archive": str(archive_path), **settings})


def from_environment() -> FastAPI:
    """The app of one of several server processes (uvicorn imports it by name in each)."""
    settings = json.loads(os.environ[SETTINGS_ENV])
    return create_app(settings.pop("archive"), **settings)


# CPU seconds a request's queries may take: far above any query of a real archive (p99 is
# ~0.1 s on Cablegate's 251,287 cables) and far below what an abusive one would take.
QUERY_BUDGET = 5.0


class ArchivePool:
    """One read-only Archive connection per thread (SQLite connections are not shared)."""

    def __init__(self, path: str | Path) -> None:
        # A SQLite file, or a PostgreSQL database's postgresql:// URL (store.open_store).
        self.path: str | Path = path if is_dsn(path) else Path(path)
        if isinstance(self.path, Path) and not self.path.exists():
            raise FileNotFoundError(f"no archive at {self.path}")
        self._local = threading.local()
        # Every thread's archive, closed with the app; weakly held: the archive of a thread that
        # ended (the server's worker threads come and go) is collected, its connection closed.
        self._made: weakref.WeakSet[Archive] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._epoch = 0  # moves at each close: a thread's older archive is closed

    def close(self) -> None:
        """Close every thread's PostgreSQL archive (the app's shutdown): the server counts
        its connections, and threads of a finished app would otherwise hold theirs.  A thread
        asking again (the app started anew) gets a new one.  (A SQLite connection belongs to
        its thread, which alone may close it: it stays.)"""
        with self._lock:
            made, self._made = list(self._made), weakref.WeakSet()
            self._epoch += 1
        for archive in made:
            archive.close()

    def get(self) -> Archive:
        epoch, archive = getattr(self._local, "archive", (None, None))
        if archive is None or epoch != self._epoch and not archive.sqlite:
            # A database without an archive is an error, never a new one (create=False).
            extra = {"create": False} if is_dsn(self.path) else {}
            archive = Archive.open(self.path, readonly=True, **extra)
            if archive.sqlite:  # the request's queries stop when its budget is spent
                budget.install(archive.conn)
            with self._lock:
                if not archive.sqlite:
                    self._made.add(archive)
                self._local.archive = (self._epoch, archive)
        return archive


def create_app(
    archive_path: str | Path,
    *,
    hasher: Any = None,
    session_ttl: timedelta = timedelta(hours=12),
    secure_cookies: bool = False,
    query_budget: float | None = QUERY_BUDGET,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The reading room over the archive at `archive_path`.

    `hasher`: the argon2 PasswordHasher of accounts (tests pass cheap parameters);
    `session_ttl`: idle lifetime of a web session; `secure_cookies`: mark the session cookie
    Secure (behind HTTPS); `clock`: the accounts' notion of now (tests move it);
    `query_budget`: seconds of CPU time a request's queries may take (archive/budget.py)."""
    from cablebase.access.audit import AuditWriter
    from cablebase.web.auth import SessionCookies, Writers

    pg = is_dsn(archive_path)
    path: str | Path = str(archive_path) if pg else Path(archive_path)
    if not pg and not Path(path).exists():
        raise FileNotFoundError(f"no archive at {path}")
    writers = Writers(path, hasher, clock)
    # Brings the schema up to date before any read-only connection opens (a PostgreSQL
    # database must hold an archive already: create=False).
    writers.any_store()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if app.state.audit is not None:
            app.state.audit.close()
        app.state.archives.close()
        app.state.writers.close()

    app = FastAPI(
        title="cablebase reading room",
        version=__version__,
        description="Search and read diplomatic cables; every page has a JSON twin under /api.",
        docs_url=None,  # served below from the swagger-ui-bundle package: no CDN
        openapi_url="/api/openapi.json",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.archives = ArchivePool(path)
    app.state.writers = writers
    app.state.audit = AuditWriter(path)
    app.state.session_ttl = session_ttl
    app.state.secure_cookies = secure_cookies
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    from cablebase.web.people_pages import person_href

    app.state.templates.env.filters["person_url"] = person_href  # a name -> its person page
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _mount_api_docs(app)

    from cablebase.web import account, admin, api, errors, pages, people_pages
    from cablebase.web.headers import SecurityHeaders

    errors.install(app)
    app.add_middleware(SessionCookies, secure=secure_cookies)
    app.add_middleware(errors.RequestBudget, seconds=query_budget)
    app.add_middleware(SecurityHeaders)  # outermost: on error pages too
    app.include_router(api.router)
    app.include_router(admin.router)
    app.include_router(account.router)
    # Before the pages: /browse/people.json and /browse/posts/X.json are not /browse/{what}.
    app.include_router(people_pages.router)
    from cablebase.web import dispatch_pages

    app.include_router(dispatch_pages.router)  # dispatch: inboxes and status (issue 15)
    from cablebase.web import drafting_pages

    app.include_router(drafting_pages.router)  # the drafting desk (issue 14)
    app.include_router(pages.router)
    return app


DOCS_ASSETS = "/api/docs/assets"


def _mount_api_docs(app: FastAPI) -> None:
    """The OpenAPI page (/api/docs) with Swagger UI's files from the fastapi-offline package
    (Swagger UI 5, which reads OpenAPI 3.1), served here: the page works offline and loads
    nothing from another origin."""
    from importlib import resources

    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    assets = resources.files("fastapi_offline") / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(assets)), name="docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="cablebase API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )
