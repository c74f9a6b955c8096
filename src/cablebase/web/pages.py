"""The HTML pages: search, cable, telegram, citation graph, browse, stats.

Server-rendered with Jinja2 (autoescaped); charts are inline SVG (web/charts.py), every value passed
through `escape`.  Queries stay bounded so a page renders in a few milliseconds on the full
archive: one page of hits, exact facets from the archive's indexes and facet table;
archive-wide lists (posts, tags, months, stats) cached per archive file and warmed
in a background thread on the first request.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape

from cablebase.access.policy import (
    WITHHELD,
    open_access,
)
from cablebase.archive import browse, people
from cablebase.archive.api import Archive
from cablebase.archive.hints import hints as value_hints
from cablebase.archive.people import person_key
from cablebase.archive.query import (
    FIELDS,
    And,
    Field,
    Node,
    Not,
    Or,
    QueryError,
    Term,
    parse_query,
)
from cablebase.grammar.dtg import MONTH_NAMES
from cablebase.record import Cable
from cablebase.spreadsheet import csv_text
from cablebase.web import auth
from cablebase.web.charts import column_chart, graph_svg, hbar_chart, stacked_chart
from cablebase.web.formats import (
    CLASS_COLOURS,
    CLASS_LEVELS,
    MONTH_KEY,
    class_css,
    fmt_date,
    fmt_month,
)

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
PER_PAGE_CHOICES = (20, 50, 100)
MORE_FACETS = 500  # values listed when a facet's "more" is opened (the rest: /browse)
MAX_PAGE = 10_000_000  # beyond any archive: a larger number is a malformed request (422)
TOP_FACETS = 10
SORTS = {"relevance": "relevance", "-date": "newest first", "date": "oldest first"}

_XRUN = re.compile(r"[Xx]{4,}")
_TAG_OK = re.compile(r"[0-9A-Za-z_]+")
_ID_OK = re.compile(r"[0-9A-Za-z]{1,64}")


# -- caches ------------------------------------------------------------------------------


class _Cache:
    """A small thread-safe LRU map, emptied when the archive file changes."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._stamp: tuple | None = None

    def check(self, stamp: tuple) -> None:
        with self._lock:
            if stamp != self._stamp:
                self._data.clear()
                self._stamp = stamp

    def get(self, key: Any) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


def _state(request: Request) -> _Cache:
    """The app's page cache, checked against the archive's state (its cables and policy;
    not the file's time, which every session and audit entry changes)."""
    app = request.app
    cache = getattr(app.state, "page_cache", None)
    if cache is None:
        cache = app.state.page_cache = _Cache()
    cache.check(auth.state_of(app.state.archives.get()))
    if auth.context(request).policy.mode == "open":
        _warm(request)
    return cache


def _cached(request: Request, key: tuple, compute: Callable[[Archive], Any]) -> Any:
    """A value cached per archive state AND per reader: two viewers share a cached value only
    when they see exactly the same cables (`auth.access_key`)."""
    cache = _state(request)
    full = (auth.access_key(auth.context(request).access), *key)
    value = cache.get(full)
    if value is None:
        value = compute(_archive(request))
        cache.put(full, value)
    return value


# Archive-wide aggregates: computed once per archive state and reader (scans of an index or
# of refs).  Each takes the request's archive (seen through its access) and filters by it.
GLOBAL: dict[str, Callable[[Archive], Any]] = {}


def _warm(request: Request) -> None:
    """On the first request, compute the archive-wide aggregates and the front page's exact
    facets for readers of everything, in a background thread with its own connection, so
    later pages find them cached."""
    app = request.app
    if getattr(app.state, "page_warm", None) is not None:
        return
    lock = getattr(app.state, "page_warm_lock", None)
    if lock is None:
        lock = app.state.page_warm_lock = threading.Lock()
    with lock:
        if getattr(app.state, "page_warm", None) is not None:
            return
        path = app.state.archives.path

        def run() -> None:
            try:
                base = Archive.open(path, readonly=True)
            except Exception:  # the request path reports a broken archive, not this thread
                return
            everything = open_access()
            archive = base.with_access(everything)
            key = auth.access_key(everything)
            cache = app.state.page_cache
            try:
                for name, fn in GLOBAL.items():
                    if cache.get((key, "global", name)) is None:
                        cache.put((key, "global", name), fn(archive))
                if cache.get((key, "summary", "")) is None:
                    cache.put((key, "summary", ""), _summary(archive, archive.parse("")))
            except Exception:
                pass
            finally:
                base.close()

        app.state.page_warm = threading.Thread(target=run, name="pages-warm", daemon=True)
        app.state.page_warm.start()


def _global(request: Request, name: str) -> Any:
    return _cached(request, ("global", name), GLOBAL[name])


# -- browse queries through the reader's access --------------------------------------------
# archive/browse.py filters by the archive's access (the request's archive carries it).

GLOBAL.update(
    posts=browse.posts,
    tags=browse.tags,
    months=browse.months,
    month_class=browse.month_class,
    totals=browse.totals,
    top_posts=browse.top_posts,
    top_tags=browse.top_tags,
    references=browse.references,
)


# -- formatting --------------------------------------------------------------------------


def redacted(text: str | None) -> Markup:
    """Escaped text with X runs (redactions) as styled blocks; newlines kept as <br>."""
    if not text:
        return Markup("")
    out = str(escape(text))
    out = _XRUN.sub(
        lambda m: (
            f'<span class="redacted" role="img" aria-label="redacted, {len(m.group(0))}'
            f' characters" title="redacted ({len(m.group(0))} characters)">{m.group(0)}</span>'
        ),
        out,
    )
    return Markup(out.replace("\n", "<br>\n"))


def paragraph_blocks(text: str) -> list[Markup]:
    """A paragraph's text as blocks: blank lines (\\n\\n) separate them."""
    return [redacted(part) for part in text.split("\n\n") if part.strip()]


def marked(snippet: str | None) -> Markup:
    """A snippet with its match marks as <mark>, HTML-escaped first."""
    if not snippet:
        return Markup("")
    out = str(redacted(snippet))
    return Markup(out.replace(browse.MARK_OPEN, "<mark>").replace(browse.MARK_CLOSE, "</mark>"))


def portion_badges(portion: str | None) -> list[tuple[str, str, str]]:
    """(css class, text, spoken label) badges for a portion mark: its level, then caveats."""
    if not portion:
        return []
    parts = [p.strip() for p in portion.split("/") if p.strip()]
    if not parts:
        return []
    level = parts[0].upper()
    names = {
        "U": ("pm-u", "unclassified"),
        "SBU": ("pm-u", "sensitive but unclassified"),
        "C": ("pm-c", "confidential"),
        "S": ("pm-s", "secret"),
        "TS": ("pm-ts", "top secret"),
    }
    css, label = names.get(level, ("pm-x", level.lower()))
    out = [(f"pm {css}", level, label)]
    for cav in parts[1:]:
        up = cav.upper()
        if up in ("NF", "NOFORN"):
            out.append(("pm pm-nf", "NF", "no foreign nationals"))
        else:
            out.append(("pm pm-cav", up, up.lower()))
    return out


# -- the query ---------------------------------------------------------------------------


def clause(name: str, value: str) -> str | None:
    """The query clause that selects one facet value, or None when the language cannot say it."""
    if name == "tag":
        if _TAG_OK.fullmatch(value):
            return f"tag:{value}"
        # A multi-word tag (COUNTER TERRORISM) as a quoted value; search_page keeps the link
        # only when the archive's query language reads it.
        return f'tag:"{value}"' if '"' not in value and value.strip() else None
    if name == "classification":
        return "class:" + {"TOP SECRET": "ts"}.get(value, value.lower())
    if name == "year":
        return f"year:{value}" if value.isdigit() else None
    if name == "month":
        return f"from:{value} to:{value}" if MONTH_KEY.fullmatch(value) else None
    if name in ("origin", "handling"):
        if '"' in value or not value.strip():
            return None
        v = value if name == "origin" else value.lower()
        return f'{name}:"{v}"' if " " in v else f"{name}:{v}"
    if name in ("person", "addressee"):  # a person's key, an addressee line as written
        v = " ".join(value.lower().split())
        if '"' in v or not v:
            return None
        return f"{name}:{v}" if _TAG_OK.fullmatch(v) else f'{name}:"{v}"'
    return None


def readable_clause(archive: Archive, name: str, value: str) -> str | None:
    """`clause`, kept only when the archive's query language reads it (a quoted multi-word
    value is checked): a facet value or tag is never a link to an error page."""
    c = clause(name, value)
    if c is not None and " " in c:
        try:
            archive.parse(c)
        except QueryError:
            return None
    return c


def add_clause(q: str, node: Node, extra: str) -> str:
    """The query narrowed by `extra` (an OR query is parenthesised first: AND binds tighter)."""
    q = q.strip()
    if not q:
        return extra
    if extra in q.split() or f" {extra}" in f" {q}":
        return q
    # The query as written (the archive's parse may have widened words into ORs of their
    # inflections): only an OR the reader wrote needs the parentheses.
    try:
        written = parse_query(q)
    except QueryError:
        written = node
    if isinstance(written, Or):
        q = f"({q})"
    return f"{q} {extra}"


def has_text(node: Node) -> bool:
    if isinstance(node, Term):
        return True
    if isinstance(node, And | Or):
        return any(has_text(n) for n in node.nodes)
    return False


def search_url(
    q: str,
    sort: str | None = None,
    page: int | None = None,
    per: int | None = None,
    more: str | None = None,
) -> str:
    params: dict[str, Any] = {"q": q}
    if sort and sort != "relevance":
        params["sort"] = sort
    if page and page > 1:
        params["page"] = page
    if per and per != PER_PAGE:
        params["per"] = per
    if more:
        params["more"] = more
    return "/search?" + urlencode(params)


# -- a reference id typed as the query ----------------------------------------------------

# `09BAMAKO776`, `09 bamako 776`, PlusD's `2009BAMAKO00776`, or `BAMAKO 776` without a year:
# a post and a serial, alone in the query.
_TYPED_ID = re.compile(
    r"(\d{2}|(?:19|20)\d{2})?\s*([A-Za-z][A-Za-z.'-]*(?:\s+[A-Za-z.'-]+)*?)\s*-?(\d{1,7})"
)
# Cablegate's years (1966-2010): the years tried for an id typed without one.
_ID_YEARS = [f"{y % 100:02d}" for y in range(2010, 1965, -1)]


def typed_id(q: str) -> tuple[list[str], bool]:
    """The reference ids a query may be, when it is nothing but an id (else []), and whether
    the year was typed.  Without a year every Cablegate year is a candidate, newest first,
    but only for the name of a known post (`harbour 101` is words)."""
    from cablebase.ids import canonicalize_id, resolve_post

    m = _TYPED_ID.fullmatch(q.strip())
    if m is None:
        return [], False
    year, post, serial = m.groups()
    post = post.replace(" ", "").upper()
    if year is None and (
        len(post) < 3 or resolve_post(post) is None or 1940 <= int(serial) <= 2030
    ):  # `paris 2009` is a place and a year, not PARIS 2009 of some year
        return [], False
    out: list[str] = []
    for yy in [year[-2:]] if year else _ID_YEARS:
        compact = f"{yy}{post}{int(serial)}"
        for rid in (compact, canonicalize_id(compact)):
            if rid and rid not in out and _ID_OK.fullmatch(rid):
                out.append(rid)
    return out, year is not None


def find_typed_id(archive: Archive, q: str) -> list[str]:
    """The cables of the archive (as this reader sees it) that a query typed as an id names:
    the first found when the year was typed, every one found when it was not."""
    candidates, with_year = typed_id(q)
    found: list[str] = []
    for rid in candidates:
        if rid not in found and archive.get(rid) is not None:
            found.append(rid)
            if with_year:
                break
    return found


# -- filters: facet values in the query, chips that remove them -----------------------------

# A facet and the query field that filters it.
FACET_FIELD = {
    "classification": "class",
    "origin": "origin",
    "tag": "tag",
    "handling": "handling",
    "year": "year",
    "person": "person",
    "addressee": "addressee",
}
_CLASS_NAMES = {"U": "UNCLASSIFIED", "C": "CONFIDENTIAL", "S": "SECRET", "TS": "TOP SECRET"}


def top_fields(node: Node) -> list[tuple[Field, bool]]:
    """The field conditions that narrow the whole query (its top-level AND), with whether
    each is negated: the filters a reader can see as chips and remove one by one."""
    parts = node.nodes if isinstance(node, And) else (node,)
    out = []
    for n in parts:
        if isinstance(n, Field):
            out.append((n, False))
        elif isinstance(n, Not) and isinstance(n.node, Field):
            out.append((n.node, True))
    return out


def field_span(q: str, f: Field) -> tuple[int, int] | None:
    """Where the clause of `f` stands in `q` (with a leading - or NOT), or None."""
    head = q.rfind(f"{f.name}:", 0, f.position + 1)
    if head < 0:
        head = q.lower().rfind(f"{f.name}:", 0, f.position + 1)
    if head < 0:
        return None
    end = f.position
    if 0 < end <= len(q) and q[end - 1] == '"' and end - 1 > head:  # at the quoted text
        end -= 1
    while end < len(q) and q[end] in "<>=":
        end += 1
    if end < len(q) and q[end] == '"':
        close = q.find('"', end + 1)
        end = len(q) if close < 0 else close + 1
    else:
        while end < len(q) and not q[end].isspace() and q[end] != ")":
            end += 1
    start = head
    before = q[:start].rstrip()
    if start > 0 and q[start - 1] == "-":
        start -= 1
    elif before.endswith("NOT") and (len(before) == 3 or before[-4] in " ("):
        start = len(before) - 3
    return start, end


def without(q: str, span: tuple[int, int]) -> str:
    """The query with one clause cut out, whitespace tidied."""
    return " ".join((q[: span[0]] + " " + q[span[1] :]).split())


def _norm_class(value: str) -> str | None:
    from cablebase.archive.query import CLASS_RANK

    rank = CLASS_RANK.get(value.upper().replace("_", " "))
    return None if rank is None else CLASS_LEVELS[rank]


def selects(name: str, value: str, f: Field) -> bool:
    """Whether the field condition `f` (as typed) selects exactly the facet value."""
    if f.name != FACET_FIELD.get(name) or f.op != "=":
        return False
    typed = f.value.strip().strip('"')
    if name == "classification":
        return _norm_class(typed) == value.upper()
    if name == "origin":
        want, have = typed.upper(), value.upper()
        return want == have or want in have.split()
    if name == "person":  # CLINTON, HILLARY typed selects HILLARY CLINTON
        return person_key(typed) == value
    return " ".join(typed.upper().split()) == " ".join(value.upper().split())


def chips(q: str, node: Node, sort: str, per: int) -> list[dict[str, Any]]:
    """One removable chip per top-level field condition of the query."""
    out = []
    for f, negated in top_fields(node):
        span = field_span(q, f)
        if span is None:
            continue
        out.append(
            {
                "text": q[span[0] : span[1]],
                "negated": negated,
                "remove": search_url(without(q, span), sort, per=per),
            }
        )
    return out


def facet_values(archive: Archive, node: Node, name: str, top: int | None) -> list:
    """One facet's values for the query's hits, the first `top`."""
    if name in people.NAME_FACETS:
        return people.facets(archive, node, (name,), top).get(name, [])
    return archive.facets(node, names=(name,), top=top).get(name, [])


class Summary:
    """A query's exact total and exact facet counts."""

    __slots__ = ("total", "facets")

    def __init__(self, total: int, facets: dict):
        self.total, self.facets = total, facets


def _summary(archive: Archive, node: Node) -> Summary:
    total = archive.count(node)
    if total == 0:
        return Summary(0, {})
    facets = archive.facets(
        node, names=("origin", "tag", "classification", "handling", "year"), top=TOP_FACETS
    )
    facets.update(people.facets(archive, node, top=TOP_FACETS))
    years = facets.get("year", [])
    if years and int(years[-1][0]) - int(years[0][0]) < 3:
        facets.update(archive.facets(node, names=("month",)))
    return Summary(total, facets)


def histogram(q: str, node: Node, summary: Summary) -> Markup:
    """Hits over time: bars per year, or per month when the hits span three years or less."""
    years = summary.facets.get("year", [])
    if not years:
        return Markup("")
    first, last = int(years[0][0]), int(years[-1][0])
    if last - first < 3 and summary.facets.get("month"):
        counts = dict(summary.facets["month"])
        bars = []
        for y in range(first, last + 1):
            for mo in range(1, 13):
                key = f"{y}-{mo:02d}"
                n = counts.get(key, 0)
                bars.append(
                    (
                        key if mo in (1, 7) else "",
                        n,
                        search_url(add_clause(q, node, f"from:{key} to:{key}")),
                        f"{fmt_month(key)}: {n:,}",
                    )
                )
        # Trim empty months at the ends.
        while bars and not bars[0][1]:
            bars.pop(0)
        while bars and not bars[-1][1]:
            bars.pop()
        return column_chart(bars, label="hits per month", every=1)
    counts = {int(y): n for y, n in years}
    bars = [
        (
            str(y),
            counts.get(y, 0),
            search_url(add_clause(q, node, f"year:{y}")),
            f"{y}: {counts.get(y, 0):,}",
        )
        for y in range(first, last + 1)
    ]
    every = max(1, math.ceil(len(bars) / 12))
    return column_chart(bars, label="hits per year", every=every)


# -- rendering ---------------------------------------------------------------------------


def _render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    env = request.app.state.templates.env
    if not env.globals.get("_pages_ready"):
        env.globals.update(
            _pages_ready=True,
            fmt_date=fmt_date,
            fmt_month=fmt_month,
            redacted=redacted,
            paragraph_blocks=paragraph_blocks,
            marked=marked,
            portion_badges=portion_badges,
            class_css=class_css,
            search_url=search_url,
            clause=clause,
            quote=quote,
            withheld_text=WITHHELD,
        )
    ctx.setdefault("q", "")
    ctx.setdefault("me", auth.context(request))
    return request.app.state.templates.TemplateResponse(request, name, ctx, status_code=status)


def _archive(request: Request) -> Archive:
    """The request's archive, read through the request's access (web/auth.py)."""
    return auth.archive(request)


# -- search ------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = Query("", max_length=2000),
    sort: str = Query("relevance", pattern="^(relevance|date|-date)$"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per: int = Query(PER_PAGE),
    more: str = Query("", max_length=20),
) -> Response:
    started = time.perf_counter()
    archive = _archive(request)
    if per not in PER_PAGE_CHOICES:
        per = min(PER_PAGE_CHOICES, key=lambda n: abs(n - per))
    if more not in FACET_FIELD:
        more = ""
    ctx: dict[str, Any] = {
        "q": q,
        "sort": sort,
        "page": page,
        "sorts": SORTS,
        "per": per,
        "per_urls": {n: search_url(q, sort, per=n) for n in PER_PAGE_CHOICES},
    }
    # A reference id typed alone opens its cable (as WikiLeaks' search does); one typed
    # without its year and found in several years lists them above the results.
    named = find_typed_id(archive, q)
    if len(named) == 1:
        return RedirectResponse(f"/cable/{quote(named[0])}", status_code=302)
    ctx["id_matches"] = named
    try:
        node = archive.parse(q)
    except QueryError as e:
        pos = max(0, min(e.position, len(q)))
        ctx.update(error=e.message, position=pos, before=q[:pos], after=q[pos:])
        return _render(request, "search.html", ctx, status=400)
    if q.strip():
        auth.audit(request, "search", q, f"page {page}")
    summary = _cached(request, ("summary", q.strip()), lambda a: _summary(a, node))
    total = summary.total
    pages = max(1, math.ceil(total / per))
    if page > pages:
        raise HTTPException(
            404, f"There is no page {page:,}: the {total:,} hits of this search fill {pages:,}."
        )
    hits = list(archive.search(node, sort=sort, limit=per, offset=(page - 1) * per))
    browse.snippets(archive, hits, node)
    # Nothing found: each value that matches no cable, with links to the near ones.
    ctx["hints"] = [
        (
            h.message,
            [
                (s, search_url(h.replaced(q, v), sort))
                for s, v in zip(h.suggestions(), h.near, strict=True)
            ],
        )
        for h in ([] if total else value_hints(archive, q))
    ]
    typed = top_fields(node)
    facets = []
    for name, title in (
        ("classification", "Classification"),
        ("origin", "Origin"),
        ("tag", "Tags"),
        ("person", "People"),
        ("addressee", "Addressees"),
        ("handling", "Handling"),
        ("year", "Year"),
    ):
        values = summary.facets.get(name, [])
        listed_all = name == "year" or len(values) < TOP_FACETS
        if name == more and not listed_all:
            values = _cached(
                request,
                ("facet", q.strip(), name),
                lambda a, name=name: facet_values(a, node, name, MORE_FACETS),
            )
        if name == "year":
            values = sorted(values, reverse=True)
        facets.append(
            {
                "name": name,
                "title": title,
                "entries": _facet_entries(archive, q, node, typed, name, values, sort, per),
                "more": None
                if listed_all or name == more
                else search_url(q, sort, per=per, more=name),
                "less": search_url(q, sort, per=per) if name == more and not listed_all else None,
                "capped": name == more and len(values) >= MORE_FACETS,
            }
        )
    export = {fmt: "/api/export?" + urlencode({"q": q, "format": fmt}) for fmt in ("csv", "jsonl")}
    ctx.update(
        node=node,
        hits=hits,
        total=total,
        pages=pages,
        first_hit=(page - 1) * per + 1,
        summary=summary,
        facets=facets,
        chips=chips(q, node, sort, per),
        chart=histogram(q, node, summary),
        export=export,
        text_query=has_text(node),
        page_urls={
            "first": search_url(q, sort, 1, per),
            "prev": search_url(q, sort, page - 1, per) if page > 1 else None,
            "next": search_url(q, sort, page + 1, per) if page < pages else None,
            "last": search_url(q, sort, pages, per),
            "jump": {
                "action": "/search",
                "hidden": [("q", q)]
                + ([("sort", sort)] if sort != "relevance" else [])
                + ([("per", per)] if per != PER_PAGE else []),
            },
        },
        sort_urls={s: search_url(q, s, per=per) for s in SORTS},
        fields=FIELDS,
        elapsed=time.perf_counter() - started,
    )
    return _render(request, "search.html", ctx)


def _facet_entries(
    archive: Archive,
    q: str,
    node: Node,
    typed: list[tuple[Field, bool]],
    name: str,
    values: list[tuple[str, int]],
    sort: str,
    per: int,
) -> list[dict[str, Any]]:
    """A facet's values: each a link narrowing the query, or, when the query already selects
    it (by a facet click or typed by hand), marked active with a link that removes it."""
    entries = []
    for value, n in values:
        c = readable_clause(archive, name, value)
        chosen = next((f for f, neg in typed if not neg and selects(name, value, f)), None)
        span = field_span(q, chosen) if chosen is not None else None
        entries.append(
            {
                "value": value,
                "count": n,
                "href": search_url(add_clause(q, node, c), sort, per=per) if c else None,
                "active": chosen is not None,
                "remove": search_url(without(q, span), sort, per=per) if span else None,
            }
        )
    return entries


# -- a cable -----------------------------------------------------------------------------


def _cable_or_404(request: Request, reference_id: str, version: int | None = None) -> Cable:
    cable = None
    if _ID_OK.fullmatch(reference_id):
        cable = _archive(request).get(reference_id, version=version)
    if cable is None:
        raise HTTPException(404, f"No cable {reference_id!r} in this archive.")
    return cable


def citation(cable: Cable, permalink: str) -> str:
    origin = cable.origin or (cable.post.title() if cable.post else "Unknown post")
    subject = (cable.subject or "(no subject)").rstrip(".")
    return (
        f'{origin}, "{subject}", cable {cable.reference_id}, {fmt_date(cable.created)},'
        f" via cablebase: {permalink}"
    )


# -- .json and .csv twins of the pages (Datasette's convention) -----------------------------
# A page's data at its own address plus .json or .csv: the search and a cable answer with
# the /api's own answer (a redirect, so there is one implementation), the browse lists here.


def _twin(url: str) -> Response:
    return RedirectResponse(url, status_code=307)


@router.get("/search.json", include_in_schema=False)
def search_json(
    q: str = Query("", max_length=2000),
    sort: str = Query("relevance", pattern="^(relevance|date|-date)$"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per: int = Query(PER_PAGE, ge=1, le=100),
) -> Response:
    params = {"q": q, "sort": sort, "page": page, "per_page": per}
    return _twin("/api/search?" + urlencode(params))


@router.get("/search.csv", include_in_schema=False)
def search_csv(q: str = Query("", max_length=2000)) -> Response:
    """Every hit of the search (not one page): the export."""
    return _twin("/api/export?" + urlencode({"q": q, "format": "csv"}))


@router.get("/cable/{reference_id}.json", include_in_schema=False)
def cable_json(reference_id: str) -> Response:
    if not _ID_OK.fullmatch(reference_id):
        raise HTTPException(404, f"No cable {reference_id!r} in this archive.")
    return _twin(f"/api/cables/{quote(reference_id.upper())}")


@router.get("/cable/{reference_id}.csv", include_in_schema=False)
def cable_csv(reference_id: str) -> Response:
    if not _ID_OK.fullmatch(reference_id):
        raise HTTPException(404, f"No cable {reference_id!r} in this archive.")
    q = f"id:{reference_id.upper()}"
    return _twin("/api/export?" + urlencode({"q": q, "format": "csv"}))


@router.get("/stats.json", include_in_schema=False)
def stats_json() -> Response:
    return _twin("/api/stats")


_BROWSE_TWINS = {
    "posts": ("origin", "cables"),
    "tags": ("tag", "cables"),
    "months": ("month", "cables"),
}


@router.get("/browse/{what}.{fmt}", include_in_schema=False)
def browse_twin(request: Request, what: str, fmt: str) -> Response:
    """The posts, tags or months lists, with their counts, as JSON or CSV."""
    from fastapi.responses import JSONResponse

    if what not in _BROWSE_TWINS or fmt not in ("json", "csv"):
        raise HTTPException(404, f"No page /browse/{what}.{fmt}: try posts, tags or months.")
    key, count = _BROWSE_TWINS[what]
    rows = [{key: value, count: n} for value, n in _global(request, what)]
    if fmt == "json":
        return JSONResponse(rows)
    return Response(
        csv_text([key, count], rows),  # posts and tags come from the cables: cells made inert
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{what}.csv"'},
    )


@router.get("/cable/{reference_id}", response_class=HTMLResponse)
def cable_page(
    request: Request, reference_id: str, version: int | None = Query(None, ge=1, le=2**31)
) -> Response:
    cable = _cable_or_404(request, reference_id, version)
    rid = cable.reference_id or reference_id.upper()
    if reference_id != rid:  # one canonical address per cable
        query = f"?version={version}" if version else ""
        return RedirectResponse(f"/cable/{quote(rid)}{query}", status_code=301)
    auth.audit(request, "read", rid, "page")
    archive = _archive(request)
    cites = {r.reference_id: r for r in archive.cites(rid)}
    refs = []
    for ref in cable.references:
        found = cites.get(ref.id) if ref.id else None
        refs.append(
            {
                "letter": ref.letter,
                "text": ref.text,
                "kind": ref.kind,
                "id": ref.id,
                "in_archive": bool(found and found.in_archive),
            }
        )
    numbers = archive.version_numbers(rid)
    shown = version or archive.default_version(rid)
    cited_by_all = archive.cited_by(rid)
    cited_by = cited_by_all[:200]
    cited_briefs = browse.briefs(archive, list({r.reference_id for r in cited_by}))
    prev, nxt = browse.prev_next(archive, rid)
    permalink = str(request.base_url).rstrip("/") + f"/cable/{quote(rid)}"
    to = [r for r in cable.recipients if r.role == "to"]
    info = [r for r in cable.recipients if r.role != "to"]
    ctx = {
        "cable": cable,
        "rid": rid,
        "refs": refs,
        "cited_by": cited_by,
        "cited_by_total": len(cited_by_all),
        "cited_briefs": cited_briefs,
        "prev": prev,
        "next": nxt,
        "permalink": permalink,
        "citation": citation(cable, permalink),
        "to": to,
        "info": info,
        "unresolved": [r for r in refs if r["id"] and not r["in_archive"]],
        "tag_links": [(t, readable_clause(archive, "tag", t)) for t in cable.tags],
        "partial_view": archive.decision(rid) == "partial",
        "provenance": _provenance(archive, rid, shown),
        # The versions this reader may read (an original and its release...), and the one shown.
        "versions": numbers,
        "version": shown,
        # Every form the cable was read from, and where they disagree (archive/merge.py).
        "sources": _sources(archive, rid),
        "disagree": [w for w in cable.warnings if w.code == "merge.disagree"],
    }
    return _render(request, "cable.html", ctx)


def _sources(archive: Archive, rid: str) -> list[Any]:
    """The cable's sources, without the folders of the server unless the archive shows them."""
    from dataclasses import replace

    from cablebase.record import file_name_of

    found = archive.store.sources(rid)
    if archive.locations:
        return found
    return [replace(s, path=file_name_of(s.path), record_json=None) for s in found]


def _provenance(archive: Archive, rid: str, shown: int | None = None) -> Any:
    """The published release the version shown is, if it is one."""
    from cablebase.access import releases

    try:
        found = releases.provenance(archive, rid)
    except Exception:  # an archive without the releases table: an original
        return None
    return found if found is not None and shown in (None, found.version) else None


@router.get("/cable/{reference_id}/telegram", response_class=HTMLResponse)
def telegram_page(request: Request, reference_id: str) -> Response:
    from cablebase.drafting.released import archive_telegram

    cable = _cable_or_404(request, reference_id)
    auth.audit(request, "read", cable.reference_id, "telegram")
    try:
        text = archive_telegram(request.app.state.archives.get(), cable)
    except Exception as e:  # a record the renderer cannot lay out still gets a page
        text = f"(the telegram could not be rendered: {type(e).__name__})"
    return _render(
        request, "telegram.html", {"cable": cable, "rid": cable.reference_id, "text": text}
    )


@router.get("/cable/{reference_id}/graph", response_class=HTMLResponse)
def graph_page(request: Request, reference_id: str, hops: int = Query(2, ge=1, le=2)) -> Response:
    cable = _cable_or_404(request, reference_id)
    rid = cable.reference_id or reference_id.upper()
    hood = browse.neighbourhood(_archive(request), rid, hops=hops)
    missing = sorted(r for r in hood.nodes if r not in hood.briefs)
    ctx = {
        "cable": cable,
        "rid": rid,
        "hood": hood,
        "hops": hops,
        "svg": graph_svg(hood, rid),
        "archived": [hood.briefs[r] for r in hood.nodes if r in hood.briefs and r != rid],
        "missing": missing,
    }
    return _render(request, "graph.html", ctx)


# -- browse ------------------------------------------------------------------------------


@router.get("/browse", response_class=HTMLResponse)
def browse_index() -> Response:
    return RedirectResponse("/browse/posts", status_code=302)


@router.get("/browse/posts", response_class=HTMLResponse)
def browse_posts(request: Request) -> Response:
    rows = _global(request, "posts")
    groups: dict[str, list[tuple[str, int]]] = {}
    for origin, n in rows:
        kind = origin.split(" ", 1)[0] if " " in origin else "Other"
        groups.setdefault(kind, []).append((origin, n))
    ordered = sorted(groups.items(), key=lambda kv: (-sum(n for _, n in kv[1]), kv[0]))
    return _render(request, "browse_posts.html", {"groups": ordered, "count": len(rows)})


@router.get("/browse/posts/{post}", response_class=HTMLResponse)
def browse_post(request: Request, post: str) -> Response:
    known = dict(_global(request, "posts"))
    if post not in known:
        raise HTTPException(404, f"No post {post!r} in this archive.")
    archive = _archive(request)
    months = browse.post_months(archive, post)
    by_year: dict[str, int] = {}
    for m, n in months:
        by_year[m[:4]] = by_year.get(m[:4], 0) + n
    c = clause("origin", post)
    bars = [
        (y, n, search_url(f"{c} year:{y}", "-date") if c else None, f"{y}: {n:,}")
        for y, n in (
            (str(k), by_year.get(str(k), 0))
            for k in (range(int(min(by_year)), int(max(by_year)) + 1) if by_year else ())
        )
    ]
    latest = list(archive.search(c, sort="-date", limit=25)) if c else []
    top_tags = archive.facets(c, names=("tag",), top=15).get("tag", []) if c else []
    ctx = {
        "post": post,
        # The post's subjects at a glance: its most frequent TAGS, each a search of them.
        "top_tags": [
            (
                t,
                n,
                search_url(f"{c} {tc}", "-date")
                if (tc := readable_clause(archive, "tag", t))
                else None,
            )
            for t, n in top_tags
        ],
        "count": known[post],
        "chart": column_chart(
            bars, label=f"cables per year from {post}", every=max(1, len(bars) // 12)
        ),
        "latest": latest,
        "search": search_url(c, "-date") if c else None,
        "q": c or "",
    }
    from cablebase.web.people_pages import post_context  # its correspondents

    ctx.update(post_context(request, post))
    return _render(request, "browse_post.html", ctx)


@router.get("/browse/tags", response_class=HTMLResponse)
def browse_tags(
    request: Request, order: str = Query("count", pattern="^(count|name)$")
) -> Response:
    rows = _global(request, "tags")
    if order == "name":
        rows = sorted(rows)
    top = rows[0][1] if rows else 1
    items = [
        {
            "tag": t,
            "count": n,
            "href": search_url(c) if (c := clause("tag", t)) else None,
            "weight": 1 + round(3 * math.log1p(n) / math.log1p(max(top, 1)), 1) if top else 1,
        }
        for t, n in (sorted(rows, key=lambda r: -r[1]) if order == "count" else rows)
    ]
    return _render(request, "browse_tags.html", {"items": items, "order": order})


@router.get("/browse/months", response_class=HTMLResponse)
def browse_months(request: Request) -> Response:
    rows = _global(request, "months")
    years: dict[str, list[int]] = {}
    for ym, n in rows:
        years.setdefault(ym[:4], [0] * 12)[int(ym[5:7]) - 1] = n
    top = max((n for _, n in rows), default=1)
    return _render(
        request,
        "browse_months.html",
        {"years": sorted(years.items(), reverse=True), "top": top, "months": MONTH_NAMES},
    )


@router.get("/browse/months/{month}", response_class=HTMLResponse)
def browse_month(request: Request, month: str, page: int = Query(1, ge=1, le=MAX_PAGE)) -> Response:
    if not MONTH_KEY.fullmatch(month):
        raise HTTPException(404, f"{month!r} is not a month: use YYYY-MM, e.g. 2009-12.")
    archive = _archive(request)
    days = browse.month_days(archive, month)
    total = sum(n for _, n in days)
    pages = max(1, math.ceil(total / 50))
    if page > pages:
        raise HTTPException(404, f"There is no page {page:,}: {fmt_month(month)} has {pages:,}.")
    q = f"from:{month} to:{month}"
    counts = dict(days)
    y, m = int(month[:4]), int(month[5:])
    ndays = (datetime(y + (m == 12), m % 12 + 1, 1) - datetime(y, m, 1)).days
    bars = []
    for d in range(1, ndays + 1):
        key = f"{month}-{d:02d}"
        n = counts.get(key, 0)
        bars.append(
            (
                str(d) if d in (1, 10, 20) else "",
                n,
                search_url(f"from:{key} to:{key}", "date"),
                f"{fmt_date(key + 'T00:00')}: {n:,}",
            )
        )
    hits = list(archive.search(q, sort="date", limit=50, offset=(page - 1) * 50)) if total else []
    ctx = {
        "month": month,
        "label": fmt_month(month),
        "total": total,
        "chart": column_chart(bars, label=f"cables per day in {fmt_month(month)}"),
        "hits": hits,
        "page": page,
        "pages": pages,
        "search": search_url(q, "date"),
        "prev_month": f"{y - (m == 1)}-{(m - 2) % 12 + 1:02d}",
        "next_month": f"{y + (m == 12)}-{m % 12 + 1:02d}",
    }
    return _render(request, "browse_month.html", ctx)


# -- stats -------------------------------------------------------------------------------


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request) -> Response:
    totals = _global(request, "totals")
    by_month = _global(request, "month_class")
    months = list(by_month)
    # A continuous axis: months without cables are gaps, not skipped.
    if months:
        y0, m0 = int(months[0][:4]), int(months[0][5:7])
        y1, m1 = int(months[-1][:4]), int(months[-1][5:7])
        months = [f"{k // 12}-{k % 12 + 1:02d}" for k in range(y0 * 12 + m0 - 1, y1 * 12 + m1)]
    # Decades of sparse early cables squeeze the busy years: draw from the first month holding
    # at least 1% of the peak, and say how many earlier cables are left out.
    peak = max((sum(v.values()) for v in by_month.values()), default=0)
    start = 0
    while start < len(months) and sum(by_month.get(months[start], {}).values()) * 100 < peak:
        start += 1
    start = max(0, min(start, len(months) - 1))
    early = sum(sum(by_month.get(m, {}).values()) for m in months[:start])
    shown = months[start:]
    posts = [(o, n, f"/browse/posts/{quote(o, safe='')}") for o, n in _global(request, "top_posts")]
    tags = [
        (t, n, search_url(c) if (c := clause("tag", t)) else None)
        for t, n in _global(request, "top_tags")
    ]
    ctx = {
        "totals": totals,
        "chart": stacked_chart(shown, by_month),
        "early": early,
        "shown_from": shown[0] if shown else None,
        "posts_chart": hbar_chart(posts, label="top posts by number of cables"),
        "tags_chart": hbar_chart(tags, label="top tags by number of cables"),
        # A scan of every REF item: never computed on the request path (the warm-up thread
        # fills it); until then the page says so instead of waiting.
        "refs": _refs_stats(request),
        "colours": [(c, CLASS_COLOURS[c]) for c in CLASS_LEVELS],
    }
    return _render(request, "stats.html", ctx)


def _refs_stats(request: Request) -> Any:
    access = auth.context(request).access
    if access.unrestricted:
        return _state(request).get((auth.access_key(access), "global", "references"))
    return _global(request, "references")  # a reader's own numbers: computed on demand


@router.get("/about", response_class=HTMLResponse)
def about_page(request: Request) -> Response:
    return _render(request, "about.html", {"fields": FIELDS})
