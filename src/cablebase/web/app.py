"""The web application: one archive, opened read-only per request thread."""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from cablebase import __version__
from cablebase.archive.api import Archive

HERE = Path(__file__).resolve().parent


class ArchivePool:
    """One read-only Archive connection per thread (SQLite connections are not shared)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(f"no archive at {self.path}")
        self._local = threading.local()

    def get(self) -> Archive:
        archive = getattr(self._local, "archive", None)
        if archive is None:
            archive = Archive.open(self.path, readonly=True)
            self._local.archive = archive
        return archive


def create_app(archive_path: str | Path) -> FastAPI:
    """The reading room over the archive at `archive_path`."""
    app = FastAPI(
        title="cablebase reading room",
        version=__version__,
        description="Search and read diplomatic cables; every page has a JSON twin under /api.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    app.state.archives = ArchivePool(archive_path)
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from cablebase.web import api, errors, pages

    errors.install(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    return app
