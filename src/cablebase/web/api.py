"""The JSON API under /api: search with facets, cable by id, references, stats, streamed export.

Every handler is a sync `def`: FastAPI runs it in its threadpool and `request.app.state.archives`
hands each thread its own read-only connection.  Streams (export, graph) are written by a
dedicated thread with its own connection into a bounded queue, so memory stays flat however
many hits a query has.  Whole-archive aggregates that take seconds on a large archive (facets of
a broad query, the statistics) are computed once per archive state and shared (`Memo`).
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import queue
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from cablebase import __version__
from cablebase.access.policy import Access, open_access
from cablebase.archive import people
from cablebase.archive.api import Archive
from cablebase.archive.hints import hints as value_hints
from cablebase.archive.query import MAX_QUERY
from cablebase.ids import CABLE_ID_RE
from cablebase.render import to_markdown
from cablebase.web import auth, models

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["api"])

MAX_PER_PAGE = 1000
MAX_ID = 40  # characters of a reference id (the longest real ones have about 25)
CABLE_PAGE = "/cable/{}"  # the reading room's page of a cable (web/pages.py)
STREAM_CHUNK = 1 << 16  # bytes per streamed piece
STREAM_QUEUE = 16  # pieces in flight: memory of a stream is bounded by their product

_ERRORS = {
    400: {"model": models.Error, "description": "Malformed query or reference id"},
    422: {"model": models.Error, "description": "Invalid parameters"},
}
_NOT_FOUND = {404: {"model": models.Error, "description": "No such cable in the archive"}}
# For routes whose own media type is not JSON: their errors are still JSON (models.Error).
_JSON_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_TEXT_ERRORS = {
    status: {"description": r["description"], "content": _JSON_ERROR}
    for status, r in (_ERRORS | _NOT_FOUND).items()
}

T = TypeVar("T")


# -- shared results ----------------------------------------------------------------------------


class Memo:
    """Results computed once per archive state and query, shared by every request thread.

    Keyed by the archive's state: by default the file's size and modification time (and its
    WAL's); the app passes `state`, a fingerprint of the cables alone, since the server itself
    writes sessions and audit entries into the file.  Callers key results on the viewer's
    access too (`auth.access_key`).  One computation per key runs at a time; the other
    requests for it wait for its result instead of repeating seconds of work."""

    def __init__(
        self, path: Path, size: int = 256, state: Callable[[], tuple] | None = None
    ) -> None:
        self.path = path
        self.size = size
        self._state = state
        self._lock = threading.Lock()
        self._values: OrderedDict[tuple, Any] = OrderedDict()
        self._running: dict[tuple, threading.Lock] = {}

    def state(self) -> tuple:
        if self._state is not None:
            return self._state()
        out = []
        for p in (self.path, Path(f"{self.path}-wal")):
            try:
                st = os.stat(p)
                out += [st.st_size, st.st_mtime_ns]
            except OSError:
                out += [None, None]
        return tuple(out)

    def get(self, key: tuple, compute: Callable[[], T]) -> T:
        key = (self.state(), *key)
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            running = self._running.setdefault(key, threading.Lock())
        with running:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            try:
                value = compute()
            finally:
                with self._lock:
                    self._running.pop(key, None)
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
            return value


_memo_lock = threading.Lock()


def memo(request: Request) -> Memo:
    state = request.app.state
    m = getattr(state, "api_memo", None)
    if m is None:
        with _memo_lock:
            m = getattr(state, "api_memo", None)
            if m is None:
                pool = state.archives
                m = state.api_memo = Memo(pool.path, state=lambda: auth.state_of(pool.get()))
                # The landing search and the stats page need the two slowest aggregates:
                # start them now in the background rather than on a reader's first click
                # (for readers of everything; other viewers' numbers are computed on demand).
                if auth.policy_of(request).mode == "open":
                    threading.Thread(target=_warm, args=(m,), daemon=True).start()
    return m


def _facets(a: Archive, node) -> dict:  # type: ignore[no-untyped-def]
    """A search's facets: the archive's columns and side tables, then people and addressees."""
    return {**a.facets(node), **people.facets(a, node)}


def _warm(m: Memo) -> None:
    everything = auth.access_key(open_access())
    try:
        with Archive.open(m.path, readonly=True) as base:
            a = base.with_access(open_access())
            m.get(("stats", everything), lambda: _stats(a))
            m.get(("facets", "", everything), lambda: _facets(a, a.parse("")))
    except Exception:  # warming is an optimisation; a failure shows up on the real request
        log.exception("warming the API cache failed")


def archive(request: Request) -> Archive:
    """The request's archive, read through the request's access (web/auth.py)."""
    return auth.archive(request)


def _key(request: Request) -> tuple:
    return auth.access_key(auth.context(request).access)


# -- search --------------------------------------------------------------------------------


def _hit(h: Any) -> models.SearchHit:
    return models.SearchHit(
        reference_id=h.reference_id,
        created=h.created,
        origin=h.origin,
        classification=h.classification,
        subject=h.subject,
        snippet=h.snippet,
        url=CABLE_PAGE.format(h.reference_id),
    )


Q = Annotated[
    str,
    Query(
        max_length=MAX_QUERY,
        description="A query in the archive's language (docs/search.md); empty: every cable.",
    ),
]


@router.get("/search", response_model=models.SearchResult, responses=_ERRORS)
def search(
    request: Request,
    q: Q = "",
    sort: Literal["relevance", "date", "-date"] = "relevance",
    page: Annotated[int, Query(ge=1, description="1-based; any page is reachable")] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50,
    facets: Annotated[bool, Query(description="Include facet counts")] = True,
    snippets: Annotated[bool, Query(description="Include a passage around each match")] = True,
) -> models.SearchResult:
    """One page of the cables matching a query, the exact total, and facet counts."""
    a = archive(request)
    m = memo(request)
    key = _key(request)
    node = a.parse(q)  # a malformed query answers 400 here (QueryError)
    if q.strip():
        auth.audit(request, "search", q, "api")
    total = m.get(("count", q, key), lambda: a.count(node))
    offset = (page - 1) * per_page
    hits: list[models.SearchHit] = []
    if offset < total:  # past the end: an empty page, not an error
        hits = [
            _hit(h)
            for h in a.search(node, sort=sort, limit=per_page, offset=offset, snippets=snippets)
        ]
    counts = None
    if facets:
        counts = models.Facets(**m.get(("facets", q, key), lambda: _facets(a, node)))
    found = [] if total else value_hints(a, q)
    hints = [models.Hint(**h.to_dict()) for h in found]
    return models.SearchResult(
        query=q,
        sort=sort,
        total=total,
        page=page,
        per_page=per_page,
        pages=math.ceil(total / per_page),
        hits=hits,
        facets=counts,
        hints=hints,
    )


# -- one cable ------------------------------------------------------------------------------


def _refid(reference_id: str) -> str:
    """The canonical (upper-case) form of a reference id from a URL, or a 400."""
    rid = reference_id.strip().upper()
    if len(rid) > MAX_ID or not CABLE_ID_RE.match(rid):
        raise HTTPException(
            400,
            f"malformed reference id {reference_id[:MAX_ID]!r}: expected two digits of year,"
            " the post and a serial number, e.g. 09BAMAKO776",
        )
    return rid


def _cable(
    request: Request, reference_id: str, read: str | None = None, version: int | None = None
):
    """The cable as the viewer may see it; a cable they may not see is missing (404).
    `read`: audit the read under this detail.  `version`: that version, if they may read it."""
    rid = _refid(reference_id)
    cable = archive(request).get(rid, version=version)
    if cable is None:
        raise HTTPException(404, f"no cable {rid} in this archive")
    if read:
        auth.audit(request, "read", cable.reference_id or rid, read)
    return cable


@router.get("/cables/{reference_id}", response_model=models.Cable, responses=_ERRORS | _NOT_FOUND)
def cable(
    request: Request,
    reference_id: str,
    version: int | None = Query(
        None,
        ge=1,
        le=2**31,
        description="That version (an original, a published release...); default: the"
        " fullest the caller may read.",
    ),
) -> Response:
    """The whole record of one cable (docs/record.md; schema/cable.schema.json)."""
    # The stored JSON is the record: sent as is (the model documents it, it is not re-checked).
    cable = _cable(request, reference_id, "api", version)
    return Response(cable.to_json(), media_type="application/json")


@router.get(
    "/cables/{reference_id}/references",
    response_model=models.References,
    responses=_ERRORS | _NOT_FOUND,
)
def references(request: Request, reference_id: str) -> models.References:
    """The cables this one cites, the archived cables citing it, and what is missing."""
    c = _cable(request, reference_id)
    a = archive(request)
    rid = c.reference_id or ""
    cites = [models.Link(**_link(r)) for r in a.cites(rid)]
    return models.References(
        reference_id=rid,
        cites=cites,
        cited_by=[models.Link(**_link(r)) for r in a.cited_by(rid)],
        unresolved=[link for link in cites if not link.in_archive],
        other=[
            models.OtherReference(letter=r.letter, text=r.text, kind=r.kind)
            for r in c.references
            if not r.id
        ],
    )


def _link(r: Any) -> dict[str, Any]:
    return {
        "reference_id": r.reference_id,
        "letter": r.letter,
        "text": r.text,
        "in_archive": r.in_archive,
    }


_TEXT = {200: {"content": {"text/plain": {"schema": {"type": "string"}}}}}


@router.get(
    "/cables/{reference_id}/telegram",
    response_class=PlainTextResponse,
    responses=_TEXT_ERRORS | _TEXT,
)
def telegram(request: Request, reference_id: str) -> PlainTextResponse:
    """The cable as its canonical ACP-127 telegram (plain text)."""
    from cablebase.drafting.released import archive_telegram

    cable = _cable(request, reference_id, "api telegram")
    return PlainTextResponse(archive_telegram(request.app.state.archives.get(), cable))


@router.get(
    "/cables/{reference_id}/markdown",
    response_class=PlainTextResponse,
    responses=_TEXT_ERRORS | {200: {"content": {"text/markdown": {"schema": {"type": "string"}}}}},
)
def markdown(request: Request, reference_id: str) -> Response:
    """The cable as a readable markdown page."""
    text = to_markdown(_cable(request, reference_id, "api markdown"))
    return Response(text, media_type="text/markdown; charset=utf-8")


# -- statistics and health ------------------------------------------------------------------


def _stats(a: Archive) -> models.Stats:
    s = a.stats()
    return models.Stats(**{name: getattr(s, name) for name in models.Stats.model_fields})


@router.get("/stats", response_model=models.Stats)
def stats(request: Request) -> models.Stats:
    """Archive statistics: counts by classification, year and month, top posts and tags,
    reference resolution, warnings."""
    a = archive(request)
    return memo(request).get(("stats", _key(request)), lambda: _stats(a))


@router.get("/health", response_model=models.Health)
def health(request: Request) -> models.Health:
    """Whether the server can read its archive, and how many cables it holds."""
    a = archive(request)
    # The number of cables this viewer may see: the archive's size is not everyone's to know.
    n = len(a) if auth.context(request).access.unrestricted else a.count("")
    return models.Health(status="ok", version=__version__, cables=n)


# -- streams --------------------------------------------------------------------------------


class _Cancelled(Exception):
    """The client went away: the writing thread stops."""


class _QueueWriter(io.RawIOBase):
    """A binary stream whose writes go, in pieces of STREAM_CHUNK bytes, into a bounded queue
    (the writer blocks while the queue is full: back pressure from the client)."""

    def __init__(self, q: queue.Queue, stop: threading.Event) -> None:
        super().__init__()
        self.q = q
        self.stop = stop
        self.buf = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.stop.is_set():
            raise _Cancelled
        self.buf += data
        if len(self.buf) >= STREAM_CHUNK:
            self.push()
        return len(data)

    def push(self) -> None:
        if self.buf:
            data = bytes(self.buf)
            self.buf.clear()
            self.put(data)

    def put(self, item: object) -> None:
        while True:
            try:
                self.q.put(item, timeout=0.5)
                return
            except queue.Full:
                if self.stop.is_set():
                    raise _Cancelled from None

    def flush(self) -> None:  # the export flushes at its end; pieces go out when full
        pass


_END = object()


def _stream(
    path: Path, write: Callable[[Archive, _QueueWriter], object], access: Access | None = None
) -> Iterator[bytes]:
    """The bytes `write(archive, out)` writes, produced by a thread with its own connection,
    reading through `access` (every cable when None)."""
    access = access or open_access()
    q: queue.Queue = queue.Queue(STREAM_QUEUE)
    stop = threading.Event()
    out = _QueueWriter(q, stop)

    def run() -> None:
        try:
            with Archive.open(path, readonly=True) as base:
                base.locations = False  # no folder of the server in what a reader is sent
                write(base.with_access(access), out)
            out.push()
            out.put(_END)
        except _Cancelled:
            pass
        except Exception as exc:
            log.exception("stream failed")
            with contextlib.suppress(_Cancelled):
                out.put(exc)

    def pieces() -> Iterator[bytes]:
        thread = threading.Thread(target=run, daemon=True, name="api-stream")
        thread.start()
        try:
            while (item := q.get()) is not _END:
                if isinstance(item, BaseException):
                    raise item  # the response is under way: this cuts it off, visibly short
                yield item
        finally:
            stop.set()

    return pieces()


_SAFE = re.compile(r"[^A-Za-z0-9]+")


def _filename(kind: str, q: str, ext: str) -> str:
    slug = _SAFE.sub("-", q).strip("-")[:60].lower()
    return f"cablebase-{kind}{'-' + slug if slug else ''}.{ext}"


_MEDIA = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}


def _streamed(request: Request, q: str, kind: str, fmt: str, write) -> StreamingResponse:
    a = archive(request)
    ctx = auth.context(request)
    node = a.parse(q)  # a malformed query answers 400 before any byte is sent
    total = memo(request).get(("count", q, _key(request)), lambda: a.count(node))
    auth.audit(request, "export", q, f"{kind} {fmt} {total}")
    return StreamingResponse(
        _stream(request.app.state.archives.path, write, ctx.access),
        media_type=_MEDIA[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(kind, q, fmt)}"',
            "X-Total-Count": str(total),
        },
    )


def _stream_doc(*types: str) -> dict:
    content = {t.split(";")[0]: {"schema": {"type": "string"}} for t in types}
    return {200: {"content": content, "description": "Streamed file"}} | {
        s: r for s, r in _TEXT_ERRORS.items() if s != 404
    }


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses=_stream_doc(_MEDIA["jsonl"], _MEDIA["csv"]),
)
def export(
    request: Request,
    q: Q = "",
    format: Literal["jsonl", "csv"] = "jsonl",
    sort: Literal["date", "-date", "id"] = "date",
    text: Annotated[bool, Query(description="csv: add each cable's text")] = False,
) -> StreamingResponse:
    """Every cable matching the query, streamed: JSON lines (whole records) or CSV rows.
    X-Total-Count gives the number of cables."""
    return _streamed(
        request, q, "export", format, lambda a, out: a.export(q, format, out, sort=sort, text=text)
    )


@router.get(
    "/graph",
    response_class=StreamingResponse,
    responses=_stream_doc(_MEDIA["graphml"], _MEDIA["gexf"]),
)
def graph(
    request: Request,
    q: Q = "",
    format: Literal["graphml", "gexf"] = "graphml",
    unresolved: Annotated[bool, Query(description="Add the cited cables the archive lacks")] = True,
) -> StreamingResponse:
    """The citation network of the query's hits, streamed as GraphML or GEXF (for Gephi)."""
    return _streamed(
        request,
        q,
        "graph",
        format,
        lambda a, out: a.graph(q, format, out, include_unresolved=unresolved),
    )


# -- accounts -------------------------------------------------------------------------------

_AUTH_ERRORS = {
    401: {"model": models.Error, "description": "Wrong name or password, or a bad token"},
    429: {"model": models.Error, "description": "Too many failed logins: see Retry-After"},
}


@router.post("/login", response_model=models.LoginResult, responses=_AUTH_ERRORS | _ERRORS)
def login(request: Request, body: models.LoginRequest) -> models.LoginResult:
    """A session token for `Authorization: Bearer` (API tokens made with `cablebase users
    token` work the same way)."""
    from cablebase.access.accounts import AuthError

    accounts = request.app.state.writers.accounts()
    try:
        user = accounts.authenticate(
            body.name, body.password, address=auth.address(request), via="api"
        )
    except AuthError as e:
        if e.reason == "throttled":
            minutes = max(1, math.ceil(e.retry_after / 60))
            raise HTTPException(
                429,
                f"too many attempts, try again in {minutes} minute{'s' if minutes != 1 else ''}",
                headers={"Retry-After": str(max(1, e.retry_after))},
            ) from None
        # One answer whatever was wrong: no hint whether the name exists.
        raise HTTPException(401, "wrong user name or password") from None
    ttl = request.app.state.session_ttl
    token, _csrf = accounts.create_session(user, ttl=ttl, web=False)  # a bearer, no cookie
    return models.LoginResult(
        token=token, expires_in=int(ttl.total_seconds()), name=user.name, role=user.role
    )


@router.post("/logout", response_model=models.LoggedOut, responses={401: _AUTH_ERRORS[401]})
def logout(request: Request) -> models.LoggedOut:
    """End the bearer's session (API tokens are revoked with `cablebase users`)."""
    ctx = auth.context(request)
    if ctx.via != "bearer":
        raise HTTPException(401, "send the session token as Authorization: Bearer")
    accounts = request.app.state.writers.accounts()
    ended = accounts.api_session(ctx.token) is not None  # an API token is not a session
    accounts.end_session(ctx.token)
    return models.LoggedOut(ended=ended)


@router.get("/me", response_model=models.Me, responses={401: _AUTH_ERRORS[401]})
def me(request: Request) -> models.Me:
    """The caller: name, role, clearance and caveats (anonymous without credentials)."""
    ctx = auth.context(request)
    u = ctx.user
    return models.Me(
        authenticated=u is not None,
        name=u.name if u else None,
        role=u.role if u else None,
        clearance=auth.clearance_name(u.rank) if u else None,
        caveats=list(u.caveats) if u else [],
        policy=ctx.policy.mode,
    )
