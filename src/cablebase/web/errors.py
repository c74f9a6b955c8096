"""Bad requests get clear 4xx answers, as JSON under /api and as a page elsewhere; never a 500."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from cablebase.archive.query import QueryError


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _answer(request: Request, status: int, message: str, **extra: object) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message, **extra}, status_code=status)
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message, **extra}, status_code=status
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError) -> Response:
        return _answer(request, 400, exc.message, position=exc.position)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
            for e in exc.errors()
        )
        return _answer(request, 422, f"invalid request: {problems}")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return _answer(request, exc.status_code, str(exc.detail))
