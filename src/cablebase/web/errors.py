"""Bad requests get clear 4xx answers, as JSON under /api and as a page elsewhere; never a 500.

Every JSON answer is `{"error": message, ...}` (models.Error): a malformed query adds its
`position` and the `query`; invalid parameters add `problems`, one per parameter.  An unexpected
exception is logged with its traceback and answered with a plain 500 that does not show it.
"""

from __future__ import annotations

import logging
import sqlite3

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cablebase.archive import budget
from cablebase.archive.query import QueryError
from cablebase.archive.store import Unsupported

log = logging.getLogger("cablebase.web")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _answer(request: Request, status: int, message: str, **extra: object) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message, **extra}, status_code=status)
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message, **extra}, status_code=status
    )


def _problems(exc: RequestValidationError) -> list[dict[str, str]]:
    out = []
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ())]
        # ("query", "page") -> "page"; a body or unnamed location stays readable
        param = ".".join(loc[1:]) or (loc[0] if loc else "request")
        out.append({"param": param, "message": str(e.get("msg", "invalid"))})
    return out


def install(app: FastAPI) -> None:
    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError) -> Response:
        q = request.query_params.get("q")
        if isinstance(exc, budget.QueryTooCostly):
            return _answer(request, 400, exc.message, query=q)
        return _answer(
            request,
            400,
            f"malformed query: {exc.message} (at position {exc.position})",
            position=exc.position,
            query=q,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = _problems(exc)
        message = "invalid request: " + "; ".join(f"{p['param']}: {p['message']}" for p in problems)
        if _wants_json(request):
            return _answer(request, 422, message, problems=problems)
        return _answer(request, 422, message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        response = _answer(request, exc.status_code, str(exc.detail))
        if exc.headers:  # e.g. Allow on a 405
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Unsupported)
    async def unsupported(request: Request, exc: Unsupported) -> Response:
        return _answer(request, 501, str(exc))

    @app.exception_handler(sqlite3.OperationalError)
    async def database_error(request: Request, exc: sqlite3.OperationalError) -> Response:
        if (costly := budget.spent_error(exc)) is not None:
            return _answer(request, 400, costly.message, query=request.query_params.get("q"))
        text = str(exc).lower()
        if "locked" in text or "busy" in text:  # a writer holds the file a moment too long
            response = _answer(request, 503, "the archive is busy; try again in a moment")
            response.headers["Retry-After"] = "1"
            return response
        return _unexpected(request, exc)

    app.add_middleware(CatchAll)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Reached only for a failure outside CatchAll (in another middleware).
        return _unexpected(request, exc)


def _unexpected(request: Request, exc: BaseException) -> Response:
    # Logged here with the traceback; the client learns only that it was our fault.
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    message = "internal error: the server could not answer this request"
    try:
        return _answer(request, 500, message)
    except Exception:  # the error page itself failed
        return PlainTextResponse(message, status_code=500)


class CatchAll:
    """Answers an unexpected exception with a 500 and does not re-raise it.

    Starlette's own handler for Exception sends the 500 and then re-raises, after which the
    server drops the connection: a keep-alive client can lose the answer.  Here the exception
    ends with the answer, unless the response had already started (a stream cut short)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                raise
            await _unexpected(Request(scope), exc)(scope, receive, send)


class RequestBudget:
    """Every request runs under a budget of CPU time for its queries (archive/budget.py): a
    query past it is stopped and answered 400, so no request can hold a thread for long."""

    def __init__(self, app: ASGIApp, seconds: float | None) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.seconds is None:
            await self.app(scope, receive, send)
            return
        with budget.within(self.seconds):
            await self.app(scope, receive, send)
