"""The outside probe, as tests: every route × every operator × every reader, and every route ×
every parameter × hostile input.

Two sweeps over the oracle world of tests/test_access_oracle.py (its cables, readers and
oracle archives, on each store):

- **Leaks.**  Every route that takes a query (the app's GET routes with a `q` parameter,
  found in its router) is asked every field of the query language (FIELD_CASES, checked
  there against query.FIELDS) and every lexer operator (OPERATOR_CASES, checked against the
  lexer) by every reader; readers of each kind of view also every value of every field,
  malformed and hostile text, and every other parameter moved (sorting, paging, facets,
  formats): see FULL_READERS.  One app serves all the readers in turn, as a server does (its
  caches, memos and connections shared: a cache keyed without its reader shows here, not in
  test_access_oracle.py's app per reader), and every answer (status, headers, body: hits,
  totals, facets, hints, chips, exports, graphs, errors) must equal the answer of the oracle
  archive that holds only what that reader may see.
- **No 5xx, no traceback.**  Every route of the app (its router again), each parameter in
  turn — path, query, form or JSON field, and the query parameters a module reads by hand —
  filled with hostile values (NUL bytes, numbers past any integer, unbalanced quotes and
  parentheses, huge and unicode-odd text, invalid percent-escapes, traversal...); every HTTP
  method on every path; every POST route with bodies of the wrong shape and content type;
  tokens and cookies of every shape: as an anonymous visitor and as a logged-in admin whose
  forms carry a valid CSRF token (its API calls a bearer token).  The audit log must still
  take entries after it all.

A route, a field, an operator or a parameter added later is swept without touching this file
(or fails `test_every_operator_and_parameter_is_probed` until it has values).
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient

from cablebase.access.accounts import Accounts
from cablebase.archive.store import Unsupported, open_store
from cablebase.web.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from tests.test_access_oracle import (
    COMMON,
    FIELD_CASES,
    HASHER,
    MALFORMED,
    MISSING,
    OPERATOR_CASES,
    PG_READERS,
    RARE,
    READERS,
    Reader,
    World,
    assert_clean,
    difference,
    forbidden,
    lexer_kinds,
    make_app,
    normalised,
    rid,
    world,  # noqa: F401  (the fixture: this module's own world, on each store)
)

# -- the routes, from the app ----------------------------------------------------------------


def routes_of(app) -> list[Any]:  # type: ignore[no-untyped-def]
    """Every APIRoute of the app, included routers walked."""
    from fastapi.routing import APIRoute

    def walk(routes):  # type: ignore[no-untyped-def]
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                yield from walk(inner.routes)
            elif isinstance(route, APIRoute):
                yield route

    return list(walk(app.routes))


def query_routes(app) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    """(path, its query parameters) of every GET route that takes a query `q`; one route per
    handler (`/` and `/search` are one page)."""
    out, seen = [], set()
    for route in routes_of(app):
        params = [p.name for p in route.dependant.query_params]
        if "GET" in route.methods and "q" in params and route.endpoint not in seen:
            seen.add(route.endpoint)
            out.append((route.path, params))
    return out


# -- the probe queries -------------------------------------------------------------------------

# Text no query should break: every one must answer as the oracle does (an error, the same
# error: no message may name what the reader may not see) and never 5xx.
HOSTILE_QUERIES = [
    "\x00",
    f"{COMMON}\x00{RARE}",
    f"tag:PREL\x00 citedby:{rid(13)}",
    '"',
    f'"{COMMON}',
    f'{COMMON}"',
    '""',
    '"" OR ""',
    "(",
    ")",
    f"({COMMON}",
    f"{COMMON})",
    ")(",
    "(" * 40 + COMMON + ")" * 40,
    "(" * 3000,
    "NOT " * 40 + COMMON,
    "- " * 30 + COMMON,
    "--" + COMMON,
    "NOT",
    "OR",
    "AND",
    f"{COMMON} OR",
    f"OR {COMMON}",
    f"{COMMON} AND AND {RARE}",
    "*",
    "**",
    f"{COMMON}**",
    f"*{COMMON}",
    '"*"',
    "-",
    ":",
    "::",
    "tag:",
    "tag::PREL",
    "tag:*",
    "id:",
    "id:*",
    "id:**",
    f'id:"{rid(13)}',
    "bogus:x",
    f"bogus:{rid(13)}",
    "TAG:PREL",
    "Tag:zt113",
    "class:>",
    "class:>>secret",
    "class:=secret",
    "class:<=>u",
    "class:banana",
    "handling:banana",
    "date:2009-02-30",
    "date:2009-13",
    "date:0000-00-00",
    "date:99999",
    "date:-2009",
    "date:2009..",
    "date:..",
    "date:2010..2009",
    "date:>=",
    "year:1e9",
    "year:" + "9" * 30,
    "year:-1",
    "month:2009-00",
    "released:garbage",
    "released:9999-99..",
    "from:2009-02-31",
    "to:..",
    "cites:" + "9" * 100,
    "citedby:../../etc/passwd",
    f"citedby:{rid(13).lower()}",
    f"id:{rid(13).lower()}",
    "origin:" + "A" * 300,
    "x" * 2001,
    f"{COMMON} " * 400,
    " OR ".join(["harb*"] * 70),
    " ".join(f"w{i}" for i in range(100)),
    "é",
    "HARBOURMÄSTER",
    "İ",
    "ﬁ",
    "e\u0301",
    f"{COMMON}\u200b",
    "\u202etag:PREL",
    "\ufeffharbourmaster",
    "\uffff",
    "😀",
    "ＴＡＧ：ＰＲＥＬ",
    "日本語",
    "<script>alert(1)</script>",
    "tag:PREL\r\n\tclass:secret",
    # a reference id typed alone opens its cable (web/pages.py typed ids): hidden ones never
    rid(13),
    f"09 leakville {rid(13)[-3:]}",
    f"2009LEAKVILLE00{rid(13)[-3:]}",
    rid(6),
    MISSING,
]


def field_and_operator_queries() -> list[str]:
    """Each field with its first value (one only hidden cables have, for most readers: the
    library's answers to every value are compared in test_access_oracle.py), each operator
    with each of its cases, and the malformed queries."""
    out = [f"{name}:{values[0]}" for name, values in FIELD_CASES.items()]
    out += [q for cases in OPERATOR_CASES.values() for q in cases]
    return list(dict.fromkeys(out + MALFORMED))


# Every other parameter of a query route moved at once from its default (sorting, paging,
# facets, formats), in two ways: formats differ per route, so a route refusing one answers
# with the other (both refusals compared too).
MOVED: list[dict[str, str]] = [
    {
        "sort": "date",
        "page": "2",
        "per": "2",
        "per_page": "2",
        "more": "tag",
        "format": "csv",
        "text": "true",
        "unresolved": "false",
        "facets": "true",
        "snippets": "true",
    },
    {
        "sort": "-date",
        "page": "1",
        "per": "2",
        "per_page": "1",
        "more": "person",
        "format": "gexf",
        "text": "false",
        "unresolved": "true",
        "facets": "false",
        "snippets": "false",
    },
]

# Each field and each operator once (its first value or case).
ONE_EACH = [f"{name}:{values[0]}" for name, values in FIELD_CASES.items()] + [
    cases[0] for cases in OPERATOR_CASES.values()
]

# How much each reader is asked.  Every reader: every route × every field and operator
# (field_and_operator_queries).  One reader of each kind of view (the public profile; partial
# views under caveats; an admin cleared for UNCLASSIFIED only) also each of them with every
# other parameter moved (MOVED, ONE_EACH); the anonymous visitor also every hostile query.
FULL_READERS = PG_READERS
ANONYMOUS = READERS[0]


def route_requests(app, reader: Reader, pg: bool = False) -> list[str]:  # type: ignore[no-untyped-def]
    """Every query route × the probe queries of this reader (see FULL_READERS), at defaults
    and with the other parameters moved (see MOVED).  On PostgreSQL (slower per request) the
    anonymous visitor alone is asked with the parameters moved."""
    full = reader == ANONYMOUS or reader in FULL_READERS and not pg
    queries = field_and_operator_queries()
    asked = queries + (HOSTILE_QUERIES if reader == ANONYMOUS else [])
    urls = []
    for path, params in query_routes(app):
        others = [p for p in params if p != "q"]
        urls += [f"{path}?{urlencode({'q': q})}" for q in asked]
        for q in ONE_EACH if full else ():
            for moved in MOVED:
                extra = {p: moved[p] for p in others}
                if extra:
                    urls.append(f"{path}?{urlencode({'q': q, **extra})}")
    return list(dict.fromkeys(urls))


def test_every_operator_and_parameter_is_probed() -> None:
    import tempfile

    from cablebase.archive import query as Q
    from cablebase.archive.sqlite import SQLiteStore

    assert set(FIELD_CASES) == set(Q.FIELDS)
    assert set(OPERATOR_CASES) == lexer_kinds()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "routes.db"
        SQLiteStore(path).close()
        app = make_app(path)
        routes = query_routes(app)
    paths = {p for p, _ in routes}
    assert {"/search", "/api/search", "/api/export", "/api/graph"} <= paths, paths
    for path, params in routes:
        for p in params:
            assert p == "q" or all(p in moved for moved in MOVED), (
                f"{path}: the parameter {p!r} has no moved value (MOVED)"
            )


def choices(field_info) -> list[str]:  # type: ignore[no-untyped-def]
    """The values a query parameter admits when it admits a few (a Literal, a pattern of
    alternatives, a bool), else []."""
    import typing

    ann = field_info.annotation
    if typing.get_origin(ann) is typing.Literal:
        return [str(a) for a in typing.get_args(ann)]
    if ann is bool:
        return ["true", "false"]
    for m in getattr(field_info, "metadata", []):
        pattern = getattr(m, "pattern", None)
        found = re.fullmatch(r"\^\(([\w|-]*)\)\$", pattern or "")
        if found:
            return found.group(1).split("|")
    return []


def test_every_choice_of_every_parameter_is_probed() -> None:
    """Each value a query parameter admits (a sort order, a format, a status...: from the
    routes' own annotations) is asked by test_access_oracle.py's sweep (QUERY_VALUES) unless
    it is the default: a new choice fails here until it is."""
    import tempfile

    from cablebase.archive.sqlite import SQLiteStore
    from tests.test_access_oracle import QUERY_VALUES

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "routes.db"
        SQLiteStore(path).close()
        app = make_app(path)
    missing = []
    for route in routes_of(app):
        for p in route.dependant.query_params:
            default = p.field_info.default
            for value in choices(p.field_info):
                if value not in QUERY_VALUES.get(p.name, []) and value != str(default).lower():
                    missing.append(f"{route.path} {p.name}={value}")
    assert not missing, missing


# -- readers and their requests -----------------------------------------------------------


def credentials(
    path: Path | str, reader: Reader, label: str = "probe"
) -> tuple[str | None, str | None]:
    """(a web session, an API token labelled `label`: one per test of a world) of the reader
    in the archive at `path`."""
    if reader.name is None:
        return None, None
    with open_store(path) as store:
        accounts = Accounts(store.conn, hasher=HASHER)
        return accounts.create_session(reader.name)[0], accounts.create_token(reader.name, label)


TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"/|site-packages|/src/cablebase")


def asked(  # type: ignore[no-untyped-def]
    client: TestClient, method: str, url: str, session: str | None, token: str | None, **kw: Any
):
    """The answer to one request as the holder of `session` (a web session: pages) and
    `token` (an API token: /api), the client keeping no cookie of earlier answers: never a
    5xx, never a traceback, never a stream cut short."""
    headers = dict(kw.pop("headers", {}))
    client.cookies.clear()
    if url.startswith("/api") and token:
        headers["Authorization"] = f"Bearer {token}"
    elif session:
        client.cookies.set(SESSION_COOKIE, session)
    try:
        res = client.request(method, url, headers=headers, follow_redirects=False, **kw)
    except Exception as exc:  # a streamed answer cut short by a failure
        raise AssertionError(f"{method} {url!r}: {exc!r}") from exc
    assert res.status_code < 500, (method, url, res.status_code, res.text[:300])
    assert not TRACEBACK.search(res.text), (method, url, res.text[:300])
    return res


# -- the leak sweep ----------------------------------------------------------------------------


def test_every_query_route_answers_every_operator_as_the_oracle(world: World) -> None:  # noqa: F811
    """One app over the archive serves every reader in turn, request by request (as a server
    does: its caches, memos and per-thread connections shared), each answer compared with
    the answer of that reader's oracle (an app of its own)."""
    readers = [r for r in READERS if not world.pg or r in PG_READERS]
    main = world.main
    paths = {r: (str(main), str(world.oracles[r])) for r in readers}
    bad = {r: forbidden(r, world.seen[r]) for r in readers}
    mine = {r: credentials(main, r) for r in readers}
    theirs = {r: credentials(world.oracles[r], r) for r in readers}
    app = make_app(main)
    asks = {r: route_requests(app, r, world.pg) for r in readers}
    every = list(dict.fromkeys(u for r in readers for u in asks[r]))
    with contextlib.ExitStack() as stack:
        mc = stack.enter_context(TestClient(app, follow_redirects=False))
        oracles = {
            r: stack.enter_context(TestClient(make_app(world.oracles[r]), follow_redirects=False))
            for r in readers
        }
        wanted = {r: set(urls) for r, urls in asks.items()}
        for url in every:
            for r in readers:
                if url not in wanted[r]:
                    continue
                g = normalised(asked(mc, "GET", url, *mine[r]), paths[r])
                w = normalised(asked(oracles[r], "GET", url, *theirs[r]), paths[r])
                assert g == w, f"GET {url} as {r}: {difference(g, w)}"
                # A page may repeat what the reader typed (the search box, the error).
                assert_clean(g[2], {t for t in bad[r] if t.lower() not in url.lower()}, url)


# -- the hostile-input sweep -------------------------------------------------------------------

# Values every parameter gets in turn (path, query, form and JSON fields alike).
HOSTILE_VALUES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\t\r\n",
    "-1",
    "0",
    "1.5",
    "1e309",
    "NaN",
    str(2**63),
    "9" * 400,
    '"',
    "'",
    "(",
    "x" * 5000,
    "e\u0301\u202e\u200b\ufeff\uffff",
    "😀",
    "<script>x</script>",
    "../../etc/passwd",
    "%?#&=;",
    rid(13),
]
ANONYMOUS_VALUES = ["", "\x00", "-1", str(2**63), '"', "x" * 5000, "😀", rid(13)]
# Escapes written raw into the URL: invalid UTF-8, a lone surrogate, a bad escape, NUL.
RAW_ESCAPES = ["%ff", "%ED%A0%80", "%zz", "%00"]


def form_value(name: str) -> str:
    """A plausible value of a form field, for the fields not being varied."""
    return {"password": "x" * 12, "days": "30", "clearance": "UNCLASSIFIED", "role": "reader"}.get(
        name, "x"
    )


def fill(path: str, values: dict[str, str], raw: bool = False) -> str:
    def one(m: re.Match) -> str:
        name = m.group(1).split(":")[0]
        v = values.get(name, "x")
        return v if raw else quote(v, safe="")

    return re.sub(r"\{([^}]+)\}", one, path)


def body_fields(route) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    """("form", its fields) | ("json", the model's fields, or [] for a bare value) |
    ("none", [])."""
    from fastapi.params import Form

    params = route.dependant.body_params
    if not params:
        return "none", []
    if all(isinstance(p.field_info, Form) for p in params):
        return "form", [p.name for p in params]
    model = params[0].field_info.annotation
    fields = getattr(model, "model_fields", None)
    return "json", list(fields) if fields else []


def hostile_requests(app, values: list[str] = HOSTILE_VALUES) -> Iterator[tuple[str, str, dict]]:  # type: ignore[no-untyped-def]
    """(method, url, request arguments): every route, each of its parameters in turn given
    every hostile value, the others plausible ones; hostile credentials."""
    for route in routes_of(app):
        d = route.dependant
        path_names = [p.name for p in d.path_params]
        query_names = [p.name for p in d.query_params] + read_by_hand(route)
        kind, fields = body_fields(route)
        for method in sorted(route.methods):

            def body(varied: str | None = None, value: str = "", kind=kind, fields=fields):  # type: ignore[no-untyped-def]
                if kind == "form":
                    return {"data": {f: value if f == varied else form_value(f) for f in fields}}
                if kind == "json":
                    if not fields:
                        return {"json": value}
                    return {"json": {f: value if f == varied else "x" for f in fields}}
                return {}

            base = fill(route.path, {})
            for name in path_names:
                for v in values:
                    yield method, fill(route.path, {name: v}), body()
                for v in RAW_ESCAPES:
                    yield method, fill(route.path, {name: v}, raw=True), body()
            for name in query_names:
                for v in values:
                    yield method, f"{base}?{urlencode({name: v})}", body()
                for v in RAW_ESCAPES:
                    yield method, f"{base}?{name}={v}", body()
            for name in fields or ([""] if kind == "json" else []):
                for v in values:
                    yield method, base, body(name or None, v)
            # Bodies of the wrong shape and content type.
            for content, data in BAD_BODIES if method == "POST" else ():
                yield method, base, {"content": data, "headers": {"content-type": content}}
        # Every method on the route's path.
        for method in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            yield method, fill(route.path, {}), {}
        # Credentials no account has: tokens of every shape (the API), session and login
        # cookies of every shape (the pages).
        method, path = sorted(route.methods)[0], fill(route.path, {})
        for value in HOSTILE_CREDENTIALS:
            if path.startswith("/api"):
                header = ("authorization", value)
            else:
                header = ("cookie", f"{SESSION_COOKIE}={value}; {LOGIN_CSRF_COOKIE}={value}")
            # bytes: a header may carry any latin-1 octet
            yield method, path, {"headers": {header[0]: header[1].encode("latin-1")}}


HOSTILE_CREDENTIALS = [
    "Bearer",
    "Bearer ",
    "Bearer " + "x" * 500,
    "Bearer \xe9\x7f",
    "Basic eDp4",
    "bearer a b c",
    '"=;,',
]


def read_by_hand(route) -> list[str]:  # type: ignore[no-untyped-def]
    """Query parameters the route's module reads itself (`request.query_params.get("x")`):
    not in the route's signature, swept like the declared ones."""
    import inspect
    import sys

    source = inspect.getsource(sys.modules[route.endpoint.__module__])
    return sorted(set(re.findall(r'query_params\.get\(\s*"([^"]+)"', source)) - {"q"})


BAD_BODIES = [
    ("application/json", b"{"),
    ("application/json", b"[]"),
    ("application/json", b"null"),
    ("application/json", b'{"a": ' * 200 + b"1" + b"}" * 200),
    ("application/json", b"\xff\xfe"),
    ("application/x-www-form-urlencoded", b"%zz=%ff&csrf=%00"),
    ("application/x-www-form-urlencoded", b"a=" + b"x" * 200_000),
    ("multipart/form-data", b"--x\r\n"),
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\n"),
    ("text/plain", b"name=x"),
    ("text/plain; charset=bogus", b"\xff"),
    ("application/xml", b"<a/>"),
]


def fresh_main(world: World, tmp: Path) -> Path | str:  # noqa: F811
    """A copy of the world's archive as built: this sweep writes (users, drafts,
    declassifications, releases)."""
    if world.pg:
        assert world.copy is not None
        return world.copy(world.pristine[str(world.main)])
    path = tmp / "main.db"
    shutil.copy(world.main.with_suffix(".pristine"), path)
    return path


ADMIN = next(r for r in READERS if r.role == "admin")


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_no_route_answers_hostile_input_with_5xx(
    world: World,  # noqa: F811
    who: str,
    tmp_path: Path,
) -> None:
    path = fresh_main(world, tmp_path)
    app = make_app(path)
    # The anonymous visitor is refused by the same few lines on every route but the reading
    # ones, where the admin's values reach as far: it is given the commonest shapes only.
    requests = list(hostile_requests(app, HOSTILE_VALUES if who == "admin" else ANONYMOUS_VALUES))
    session, token = credentials(path, ADMIN) if who == "admin" else (None, None)
    # Logging out ends the admin's session: those routes go last.
    requests.sort(key=lambda r: "logout" in r[1])
    with TestClient(app, follow_redirects=False) as client:
        csrf = None
        if session:
            page = asked(client, "GET", "/account", session, token)
            m = re.search(r'name="csrf" value="([^"]+)"', page.text)
            csrf = m.group(1) if m else None
            assert csrf, "the admin's session has no CSRF token"
        failures = []
        for method, url, kw in requests:
            if csrf and "data" in kw and "csrf" in kw["data"] and kw["data"]["csrf"] == "x":
                kw = {**kw, "data": {**kw["data"], "csrf": csrf}}
            try:
                asked(client, method, url, session, token, **kw)
            except AssertionError as exc:  # every failure listed, not the first alone
                failures.append(f"{str(exc)[:400]} {str(kw)[:200]}")
        assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:30])
        # The audit log still takes entries: no hostile value stopped its writer.
        marker = "zzauditmarker"
        asked(client, "GET", f"/search?q={marker}", None, None)
        app.state.audit.flush()
    with open_store(path) as store:
        from cablebase.access import audit

        assert any(e.target == marker for e in audit.entries(store.conn, action="search"))


# -- the cable's life: releases, merged forms, drafts, declassification on schedule ----------
#
# tests/access_lifecycle.py builds the world and says, by its own reading of the rules, which
# tokens each reader may meet (`allowed`).  Every route that names a cable, a release or a
# draft is asked about each object of each kind by every reader (each version of the cables
# that have several); every query route is asked each token the reader may not meet and each
# object by `id:`; every page without parameters (lists, statistics, exports) once.  No answer
# may hold a token outside the reader's set, and a hidden object must answer exactly as a
# missing one (status, headers and body, its id aside).

from tests import access_lifecycle as L  # noqa: E402


@pytest.fixture(autouse=True)
def judged_on_the_worlds_day(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The command line judges declassification dates on the wall clock's day: pinned to the
    day the world was built for (L.DAY), so a run crossing midnight UTC does not open the
    cable scheduled for tomorrow halfway through (CI of 2026-12-06 did)."""
    from cablebase.access import clock

    monkeypatch.setattr(clock, "now", L.clock())


@pytest.fixture(scope="module")
def life(archive_store) -> str:  # type: ignore[no-untyped-def]
    location = archive_store([])
    L.build(location)
    return location


def sees_cable(r: Reader, i: int) -> bool:
    """Whether cable i exists for the reader: a release is everyone's; otherwise read whole,
    or (an account) some portion of it is within their clearance."""
    from tests.test_access_oracle import portion_cleared

    s = L.LIFE_SPECS[i]
    if i == L.RELEASED or L.reads_whole(r, i):
        return True
    return r.name is not None and any(
        portion_cleared(r, s, m) for m in (s.subject_mark, *s.marks) if m is not None
    )


def read_whole(reader: Reader, name: str) -> bool:
    i = int(name[-3:]) - 100
    return i == L.RELEASED or L.reads_whole(reader, i)


def hidden_ids(reader: Reader) -> set[str]:
    """The ids of the lifecycle cables the reader may not see that no cable they see cites:
    none may appear anywhere (an inbox, a list, a count naming one tells the existence a 404
    hides); a cited one appears in the citing cable's REF block, as a missing one would."""
    seen = {i for i in L.LIFE_SPECS if sees_cable(reader, i)}
    cited = {c for i in seen for c in L.LIFE_SPECS[i].cites}
    return {rid(i) for i in L.LIFE_SPECS if i not in seen | cited}


def object_routes(app, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The GET routes whose one path parameter is `name`."""
    out = []
    for route in routes_of(app):
        params = [p.name for p in route.dependant.path_params]
        if "GET" in route.methods and params == [name]:
            out.append(route.path)
    return sorted(set(out))


def plain_pages(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Every GET route without path parameters, at its defaults; the query routes also with
    queries that find every cable and every other parameter moved (exports with text,
    snippets, facets, graphs...)."""
    out = []
    for route in routes_of(app):
        if "GET" in route.methods and not route.dependant.path_params:
            out.append(route.path)
    for path, params in query_routes(app):
        # everything; a field every cable has (partly read cables' snippets, facets); text
        for q in ("", "tag:PREL", COMMON):
            for moved in MOVED:
                others = {p: moved[p] for p in params if p != "q"}
                out.append(f"{path}?{urlencode({'q': q, **others})}")
        out.append(f"{path}?{urlencode({'q': ' OR '.join(sorted(L.every_token()))})}")
    return sorted(set(out))


def other_pages(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The GET routes of other path parameters (people, posts, months, the lists' twins,
    inboxes), each filled with the oracle world's values for it (test_access_oracle.py)."""
    from tests.test_access_oracle import PATH_VALUES

    objects = {"reference_id", "draft_id", "release_id"}
    out = []
    for route in routes_of(app):
        names = [p.name for p in route.dependant.path_params]
        if "GET" not in route.methods or not names or objects & set(names):
            continue
        urls = [route.path]
        for name in names:
            urls = [u.replace("{" + name + "}", v) for u in urls for v in PATH_VALUES[name]]
        out += urls
    return sorted(set(out))


SAME_ID = "ZZSAMEID"


def as_missing(text: str, *names: str) -> str:
    for name in names:
        for shape in {name, quote(name), name.lower(), quote(name.lower())}:
            text = text.replace(shape, SAME_ID)
    return text


def digits_hidden(text: str) -> str:
    """Release and draft ids are numbers: a hidden one is compared with a missing one with
    every number out of the way (the id, its versions, the counts of the error page)."""
    return re.sub(r"\d+", "#", text)


LIFE_PG_READERS = set(L.LIFE_READERS)  # every reader on both stores (about 12 s each on PostgreSQL)


@pytest.mark.parametrize("reader", L.LIFE_READERS, ids=lambda r: r.name or "anonymous")
def test_every_lifecycle_object_answers_as_the_oracle(life, reader: Reader) -> None:  # type: ignore[no-untyped-def]
    from tests.test_access_oracle import is_dsn

    if is_dsn(life) and reader not in LIFE_PG_READERS:
        pytest.skip("PostgreSQL asks a reader of each kind (LIFE_PG_READERS)")
    bad = L.every_token() - L.allowed(reader) | hidden_ids(reader)
    app = make_app_at(life, L.clock())
    paths = (str(life),)
    session, token = credentials(life, reader)
    failures: list[str] = []
    missing_answers: dict[str, tuple] = {}

    def get(url: str) -> tuple:
        res = asked(client, "GET", url, session, token)
        if url.startswith("/admin/audit"):  # what readers typed, this sweep's own queries
            return normalised(res, paths)
        found = sorted(
            t for t in bad if t.lower() in res.text.lower() and t.lower() not in url.lower()
        )
        if found:
            failures.append(f"GET {url} as {reader.name}: leaks {found}")
        return normalised(res, paths)

    def same(url: str, missing: str, hidden_ids: tuple[str, ...], fold=lambda t: t) -> None:
        def shown(answer: tuple) -> tuple:  # the id (its length too) out of the way
            status, headers, body = answer
            headers = {h: v for h, v in headers.items() if h != "content-length"}
            return (
                status,
                fold(as_missing(str(headers), *hidden_ids)),
                fold(as_missing(body, *hidden_ids)),
            )

        if missing not in missing_answers:  # asked once, compared with every hidden object
            missing_answers[missing] = get(missing)
        g, w = shown(get(url)), shown(missing_answers[missing])
        if g != w:
            failures.append(
                f"GET {url} as {reader.name} differs from a missing one: {difference(g, w)[:700]}"
            )

    with TestClient(app, follow_redirects=False) as client:
        cable_ids = [*L.LIFE_SPECS, MISSING]
        for path in object_routes(app, "reference_id"):
            for i in cable_ids:
                name = rid(i) if isinstance(i, int) else i
                # versions 1 and 2 of the cables that have two (an original and its release,
                # a form and the merged record); of the others, the current one
                versioned = i in (L.RELEASED, L.MERGED, MISSING)
                for version in ("", "?version=1", "?version=2") if versioned else ("",):
                    url = path.replace("{reference_id}", quote(name)) + version
                    if isinstance(i, int) and not sees_cable(reader, i):
                        missing = path.replace("{reference_id}", MISSING) + version
                        same(url, missing, (name, MISSING))
                    else:
                        status = get(url)[0]
                        if path == "/api/cables/{reference_id}" and not version:
                            assert status == (200 if isinstance(i, int) else 404), (url, reader)
        for kind, ids, missing_id, visible in (
            ("draft_id", L.DRAFTS, L.MISSING_DRAFT, lambda d: L.reads_draft(reader, d)),
            ("release_id", (1, 2, 3), L.MISSING_RELEASE, lambda _: reader == L.ARCHIVIST),
        ):
            for path in object_routes(app, kind):
                for did in ids:
                    for version in ("", "?version=1", "?version=2"):
                        url = path.replace("{" + kind + "}", str(did)) + version
                        if visible(did):
                            status, _, body = get(url)
                            if kind == "draft_id" and path.startswith("/api/") and not version:
                                latest = L.DRAFTS[did].versions[-1][1]
                                assert status == 200 and latest in body, (url, reader)
                        else:
                            missing = path.replace("{" + kind + "}", str(missing_id)) + version
                            same(url, missing, (), digits_hidden)
        for path, _ in query_routes(app):
            for i in L.LIFE_SPECS:
                url = f"{path}?{urlencode({'q': f'id:{rid(i)}'})}"
                if sees_cable(reader, i):
                    get(url)
                else:
                    same(url, f"{path}?{urlencode({'q': f'id:{MISSING}'})}", (rid(i), MISSING))
            for t in sorted(bad):
                same(
                    f"{path}?{urlencode({'q': t})}",
                    f"{path}?{urlencode({'q': 'zzabsentq'})}",
                    (t, "zzabsentq"),
                )
        for url in plain_pages(app) + other_pages(app):
            get(url)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:20])


def make_app_at(path, clock):  # type: ignore[no-untyped-def]
    from cablebase.web.app import create_app

    return create_app(path, hasher=HASHER, clock=clock)


# The actions of the POST routes `.../{action}` (the handlers' own lists), and the form and JSON
# fields that name an object (a cable by id, a query of `id:`).
POST_ACTIONS = {
    "/drafts/{draft_id}/{action}": ["save", "submit", "recall", "clear", "release", "bogus"],
    "/releases/{release_id}/{action}": ["update", "review", "publish", "withdraw", "bogus"],
}
OBJECT_FIELDS = {"cable": "{}", "q": "id:{}"}  # /releases/new, /declassify
POST_VALUES = {
    "addressee": "SECSTATE",
    "office": L.OFFICE,
    "offices": L.OFFICE,
    "withheld": "1",
    "subject": "false",
    "form": "text",
    "body": L.draft_body("UNCLASSIFIED", "zzprobeedit"),
}
# Routes that act only on cables the reader reads whole (releases, declassification): a cable
# read in part is as missing there as a hidden one.
WHOLE_ONLY = ("/releases/new", "/declassify")


def post_requests(app) -> list[tuple[str, str, str, dict]]:  # type: ignore[no-untyped-def]
    """(kind, the object's placeholder "{}" in..., url, request arguments) of every POST route
    naming a cable, draft or release, by a path parameter or a form field (OBJECT_FIELDS)."""
    out = []
    kinds = {"reference_id": "cable", "draft_id": "draft", "release_id": "release"}
    for route in routes_of(app):
        if "POST" not in route.methods:
            continue
        names = [p.name for p in route.dependant.path_params]
        form, fields = body_fields(route)
        named = [n for n in names if n in kinds]
        by_field = [f for f in fields if f in OBJECT_FIELDS]
        if not named and not by_field:
            continue
        kind = kinds[named[0]] if named else "cable"
        paths = [route.path]
        if "action" in names:
            assert route.path in POST_ACTIONS, f"{route.path}: its actions (POST_ACTIONS)"
            paths = [route.path.replace("{action}", a) for a in POST_ACTIONS[route.path]]
        for path in paths:
            for k, v in POST_VALUES.items():
                path = path.replace("{" + k + "}", v)
            if named:
                path = path.replace("{" + named[0] + "}", "{}")
            values = {f: OBJECT_FIELDS.get(f, POST_VALUES.get(f, "x")) for f in fields}
            if form == "form":
                args = {"data": {**values, "csrf": "{csrf}"}}
            elif form == "json":
                args = {"json": {f: ([v] if f == "offices" else v) for f, v in values.items()}}
            else:
                args = {}
            out.append((kind, path, args))
    assert {p for _, p, _ in out} >= {"/releases/new", "/declassify", "/api/drafts/{}"}, out
    return out


@pytest.mark.parametrize("reader", L.LIFE_READERS, ids=lambda r: r.name or "anonymous")
def test_every_write_to_a_hidden_object_answers_as_a_missing_one(life, reader: Reader) -> None:  # type: ignore[no-untyped-def]
    """Every POST route naming a cable, a draft or a release (path or form field, from the
    router), each action, as each reader with a valid CSRF token (pages) or API token
    (/api): about a hidden object exactly as about a missing one (status, headers, body, its
    id aside), changing nothing; no answer holds a token outside the reader's set."""
    import json

    bad = L.every_token() - L.allowed(reader) | hidden_ids(reader)
    app = make_app_at(life, L.clock())
    session, token = credentials(life, reader, "probe-post")
    failures: list[str] = []
    with TestClient(app, follow_redirects=False) as client:
        csrf = ""
        if session:
            page = asked(client, "GET", "/account", session, token)
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]

        def post(path: str, args: dict, name: str) -> tuple:
            fill = lambda v: v.replace("{}", name).replace("{csrf}", csrf)  # noqa: E731
            kw = json.loads(json.dumps(args))
            for part in ("data", "json"):
                if isinstance(kw.get(part), dict):
                    kw[part] = {
                        k: (fill(v) if isinstance(v, str) else [fill(x) for x in v])
                        for k, v in kw[part].items()
                    }
            url = fill(path)
            res = asked(client, "POST", url, session, token, **kw)
            found = sorted(t for t in bad if t.lower() in res.text.lower() and t != name)
            if found:
                failures.append(f"POST {url} as {reader.name}: leaks {found}")
            status, headers, body = normalised(res, (str(life),))
            headers = {h: v for h, v in headers.items() if h != "content-length"}
            return status, str(headers), body

        for kind, path, args in post_requests(app):
            names = objects_of(kind)
            hidden = [n for n in names[:-1] if hidden_from(reader, kind, n)]
            if path in WHOLE_ONLY:  # the release of 50 is everyone's whole: a new one is made
                hidden = [n for n in names[:-1] if not read_whole(reader, n)]
            if not hidden:
                continue
            want = post(path, args, names[-1])
            for name in hidden:
                got = post(path, args, name)
                if kind == "cable":
                    g, w = as_missing(str(got), name), as_missing(str(want), names[-1])
                else:
                    g, w = digits_hidden(str(got)), digits_hidden(str(want))
                if g != w:
                    failures.append(
                        f"POST {path} ({name}) as {reader.name} differs from a missing one:"
                        f" {g[:300]} != {w[:300]}"
                    )

        # A draft checked against the archive: its REF naming a hidden cable reads as one
        # naming a missing cable (the check's findings, as the reader sees the archive).
        def spaced(name: str) -> str:  # 09LEAKVILLE155 -> 09 LEAKVILLE 155, as a REF writes it
            return f"{name[:2]} {name[2:-3]} {name[-3:]}"

        def check(name: str) -> str:
            body = L.draft_body("UNCLASSIFIED", "zzprobecheck")
            body = body.replace("REF: A. BAMAKO 754", f"REF: A. {spaced(name)}")
            assert spaced(name) in body
            answer = str(post("/api/drafts/check", {"json": {"body": body, "form": "text"}}, name))
            return as_missing(answer.replace(spaced(name), SAME_ID), name)

        missing_check = check(MISSING)
        for name in objects_of("cable")[:-1]:
            if hidden_from(reader, "cable", name) and check(name) != missing_check:
                failures.append(f"POST /api/drafts/check citing {name} as {reader.name}")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:20])


@pytest.mark.parametrize("reader", L.LIFE_READERS, ids=lambda r: r.name or "anonymous")
def test_a_hidden_draft_answers_as_a_missing_one(life, reader: Reader) -> None:  # type: ignore[no-untyped-def]
    """The Python API (and `cablebase draft show N --version V`): every version of every draft
    the reader may not read fails word for word as the same version of a missing draft."""
    from cablebase.drafting.store import DraftError, DraftStore
    from tests.test_access_oracle import viewer

    with open_store(life) as store:
        desk = DraftStore(store.conn, L.Access(L.POLICY, viewer(reader), L.TODAY))
        for did, case in L.DRAFTS.items():
            for version in (None, *range(1, len(case.versions) + 2)):
                try:
                    got = desk.get(did, version)
                except DraftError as e:
                    error = str(e)
                else:
                    assert L.reads_draft(reader, did), (reader, did, version)
                    assert got.body, (reader, did, version)
                    continue
                with pytest.raises(DraftError) as missing:
                    desk.get(L.MISSING_DRAFT, version)
                assert error == str(missing.value).replace(str(L.MISSING_DRAFT), str(did), 1)


HOSTILE_IDS = [
    "X\x00",
    f"{rid(L.RELEASED)}\x00",
    "\x00",
    "9" * 5000,
    "é😀\u202e",
    "\ud800",
    "../../etc/passwd",
    "'; DROP TABLE cables;--",
    "%_*",
    "",
    " ",
]


@pytest.mark.parametrize("reader", [READERS[0], L.ARCHIVIST], ids=lambda r: r.name or "anonymous")
def test_every_archive_method_takes_hostile_ids(life, reader: Reader) -> None:  # type: ignore[no-untyped-def]
    """Every reading method of the Python API (and the browse and people functions over it),
    on each store, given ids no cable has: NUL (PostgreSQL's text holds none), a lone
    surrogate (no UTF-8; a command line's invalid bytes), huge, odd unicode, traversal, SQL
    metacharacters: absent (None, [], 0) or a QueryError, never a driver's error."""
    import io

    from cablebase.archive import browse, people
    from cablebase.archive.api import Archive
    from cablebase.archive.query import QueryError

    with Archive.open(life) as main:
        a = main.with_access(L.Access(L.POLICY, L.viewer(reader), L.TODAY))
        for bad in HOSTILE_IDS:
            calls = {
                "get": lambda: a.get(bad),  # noqa: B023 (called at once)
                "get version": lambda: a.get(bad, version=1),  # noqa: B023 (called at once)
                "default_version": lambda: a.default_version(bad),  # noqa: B023 (called at once)
                "version_numbers": lambda: a.version_numbers(bad),  # noqa: B023 (called at once)
                "versions": lambda: a.versions(bad),  # noqa: B023 (called at once)
                "decision": lambda: a.decision(bad),  # noqa: B023 (called at once)
                "cites": lambda: a.cites(bad),  # noqa: B023 (called at once)
                "cited_by": lambda: a.cited_by(bad),  # noqa: B023 (called at once)
                "sources": lambda: a.store.sources(bad),  # noqa: B023 (called at once)
                "neighbourhood": lambda: browse.neighbourhood(a, bad),  # noqa: B023 (called at once)
                "prev_next": lambda: browse.prev_next(a, bad),  # noqa: B023 (called at once)
                "post_months": lambda: browse.post_months(a, bad),  # noqa: B023 (called at once)
                "month_days": lambda: browse.month_days(a, bad),  # noqa: B023 (called at once)
                "correspondents": lambda: browse.correspondents(a, bad),  # noqa: B023 (called at once)
                "person": lambda: people.person(a, bad),  # noqa: B023 (called at once)
                "search": lambda: a.search(bad),  # noqa: B023 (called at once)
                "search id": lambda: a.search(f"id:{bad}"),  # noqa: B023 (called at once)
                "count citedby": lambda: a.count(f"citedby:{bad}"),  # noqa: B023 (called at once)
                "facets": lambda: a.facets(bad),  # noqa: B023 (called at once)
                "export": lambda: a.export(bad, "jsonl", io.BytesIO()),  # noqa: B023 (called at once)
                "graph": lambda: a.graph(bad, "gexf", io.BytesIO()),  # noqa: B023 (called at once)
            }
            for name, call in calls.items():
                try:
                    got = call()
                except (QueryError, Unsupported):
                    continue
                if name in ("get", "get version", "default_version"):
                    assert got is None, (name, bad)
                elif name in ("version_numbers", "versions", "cites", "cited_by", "sources"):
                    assert got == [], (name, bad)
                elif name == "decision":
                    assert got == "none", (name, bad)


def test_a_declassification_date_opens_the_cable_on_its_day(life) -> None:  # type: ignore[no-untyped-def]
    """Automatic declassification on the app's clock: the cable dated tomorrow is absent for
    the public today (page, search, counts) and whole from tomorrow on, in the same app (its
    caches are keyed by the day), and closed again if the clock is set back."""
    day = {"now": L.TODAY}
    app = make_app_at(life, lambda: L.clock(day["now"])())
    later = rid(max(L.SCHEDULED))
    token = f"zzpara{100 + max(L.SCHEDULED)}x100q"
    with TestClient(app, follow_redirects=False) as client:
        for now, opened in ((L.TODAY, False), (L.TOMORROW, True), (L.TODAY, False)):
            day["now"] = now
            page = asked(client, "GET", f"/cable/{later}", None, None)
            assert page.status_code == (200 if opened else 404), now
            assert (token in page.text) == opened, now
            found = asked(client, "GET", f"/api/search?q={token}", None, None).json()
            assert found["total"] == int(opened), now
            everything = asked(client, "GET", "/api/search?q=", None, None).json()["total"]
            assert everything == 3 + opened, now  # the release and the cables already open


# -- the command line, every command of its parser --------------------------------------------
#
# The commands are walked from the parser (cablebase.cli.main).  A command that names its
# reader (an identity option: --token) is asked as every reader: its CLI_CASES fill an object
# placeholder with each lifecycle object of its kind and a missing one, and a query
# placeholder with queries finding everything.  A command without one is the archive's
# operator's (who opens the file and reads it all): OPERATOR_COMMANDS says so.  A command
# added later fails test_every_command_is_probed until it is in one table or the other.

OPERATOR_COMMANDS = {
    ("demo",): "builds a demo archive",
    ("dispatch", "retry"): "the operator's queue",
    ("dispatch", "roster"): "the operator's rosters",
    ("dispatch", "run"): "the operator's worker",
    ("dispatch", "send"): "the operator's queue",
    ("draft", "check"): "checks a file; its --archive resolves REF items as the public",
    ("draft", "rules"): "the rules, no archive",
    ("errors",): "ingest errors, read with the file",
    ("generate",): "no archive",
    ("ingest",): "writes the file",
    ("parse",): "no archive",
    ("policy", "set"): "the operator's policy",
    ("policy", "show"): "the operator's policy",
    ("serve",): "starts the server (its routes are probed above)",
    **{
        ("users", c): "the operator's accounts"
        for c in (
            "add",
            "disable",
            "enable",
            "grant",
            "list",
            "passwd",
            "revoke",
            "role",
            "token",
            "tokens",
            "untoken",
        )
    },
}

DRAFT_FILE = "{draft-file}"  # replaced by a draft's text in a file
VERSIONS = ([], ["--version", "1"], ["--version", "2"])


@dataclass(frozen=True)
class CliCase:
    """One shape of a command: `args` with "{}" (an object of `kind`: cable, draft,
    release; None: no object) and "{q}" (each of the queries finding everything).
    `writes`: asked of hidden objects only (a visible one would change the world; a hidden
    one must fail as a missing one, changing nothing)."""

    kind: str | None
    args: tuple[str, ...]
    writes: bool = False


def _cases(kind: str | None, *shapes: list[str], writes: bool = False) -> list[CliCase]:
    return [CliCase(kind, tuple(s), writes) for s in shapes]


CLI_CASES: dict[tuple[str, ...], list[CliCase]] = {
    ("show",): _cases("cable", ["{}"], ["{}", "--json"], ["{}", "--markdown"])
    + _cases("versioned", *(["{}", *v, "--json"] for v in VERSIONS[1:]))
    + _cases("versioned", ["{}", "--version", "2"]),
    ("search",): _cases(None, ["{q}", "--json", "--facets"], ["{q}", "--count"])
    + _cases(None, ["{q}", "--sort", "date", "--limit", "2", "--offset", "1"])
    # (cites: reads the citing cables' REF blocks, which name hidden cables too)
    + _cases("cable", ["id:{}", "--json"], ["citedby:{}", "--count"]),
    ("export",): _cases(None, *(["{q}", "--to", f, "--text"] for f in ("jsonl", "csv", "parquet")))
    + _cases(None, ["{q}", "--to", "parquet", "--record"], ["{q}", "--to", "csv", "--record"])
    + _cases("cable", ["id:{}", "--to", "parquet", "--text"]),
    ("graph",): _cases(None, ["{q}"], ["{q}", "--to", "gexf", "--no-unresolved"])
    + _cases("cable", ["citedby:{}"]),
    ("stats",): _cases(None, [], ["--json"]),
    ("inbox",): _cases(None, ["SECSTATE", "--json"], ["SECSTATE"], ["LEAKVILLE", "--json"])
    + _cases("cable", ["SECSTATE", "--ack", "{}"], ["SECSTATE", "--read", "{}"], writes=True),
    ("dispatch", "status"): _cases(None, ["--json", "--late", "--dead", "--alerts"], ["--late"]),
    ("audit",): _cases(None, [], ["--export", "jsonl"]),
    ("declassify",): _cases(None, ["{q}", "--dry-run"])
    + _cases("cable", ["id:{}", "--dry-run"])
    + _cases("cable", ["id:{}"], writes=True),
    ("draft", "show"): _cases("draft", *(["{}", "--json", *v] for v in VERSIONS))
    + _cases("draft", ["{}", "--check"]),
    ("draft", "list"): _cases(None, ["--json"]),
    ("draft", "queue"): _cases(None, ["--json"]),
    ("draft", "desk"): _cases(None, ["list"]),
    ("draft", "new"): [],  # makes a draft of the reader's own: no one else's to meet
    ("draft", "edit"): _cases("draft", ["{}", DRAFT_FILE], writes=True),
    ("draft", "submit"): _cases("draft", ["{}", "--office", L.OFFICE], writes=True),
    ("draft", "recall"): _cases("draft", ["{}"], writes=True),
    ("draft", "clear"): _cases("draft", ["{}", L.OFFICE], writes=True),
    ("draft", "release"): _cases("draft", ["{}"], writes=True),
    ("release", "list"): _cases(None, [], ["--status", "published"])
    + _cases("cable", ["--cable", "{}"]),
    ("release", "show"): _cases("release", ["{}"], ["{}", "--telegram"]),
    ("release", "prepare"): _cases("cable", ["{}", "--withhold", "1"], writes=True),
    **{
        ("release", action): _cases("release", ["{}"], writes=True)
        for action in ("edit", "review", "publish", "withdraw")
    },
}


def cli_tree() -> dict[tuple[str, ...], Any]:
    """Every command of the parser, by its path of names."""
    import click

    from cablebase.cli import main

    def walk(cmd, path):  # type: ignore[no-untyped-def]
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                yield from walk(sub, (*path, name))
        else:
            yield path, cmd

    return dict(walk(main, ()))


def names_its_reader(command) -> bool:  # type: ignore[no-untyped-def]
    return any(p.name == "token" for p in command.params)


def test_every_command_is_probed() -> None:
    tree = cli_tree()
    readers = {path for path, cmd in tree.items() if names_its_reader(cmd)}
    assert readers == set(CLI_CASES), (
        f"commands naming a reader without CLI_CASES: {sorted(readers - set(CLI_CASES))};"
        f" CLI_CASES of no such command: {sorted(set(CLI_CASES) - readers)}"
    )
    assert set(tree) - readers == set(OPERATOR_COMMANDS), (
        f"unclassified commands: {sorted(set(tree) - readers - set(OPERATOR_COMMANDS))}"
    )


def objects_of(kind: str | None) -> list[str]:
    """The lifecycle objects of a kind, and a missing one last."""
    if kind == "cable":
        return [*(rid(i) for i in L.LIFE_SPECS), MISSING]
    if kind == "versioned":  # the cables with two versions
        return [rid(L.RELEASED), rid(L.MERGED), MISSING]
    if kind == "draft":
        return [*map(str, L.DRAFTS), str(L.MISSING_DRAFT)]
    if kind == "release":
        return ["1", "2", "3", str(L.MISSING_RELEASE)]
    return [""]


def hidden_from(reader: Reader, kind: str | None, name: str) -> bool:
    if kind in ("cable", "versioned") and name != MISSING:
        return not sees_cable(reader, int(name[-3:]) - 100)
    if kind == "draft" and name != str(L.MISSING_DRAFT):
        return not L.reads_draft(reader, int(name))
    if kind == "release" and name != str(L.MISSING_RELEASE):
        return reader != L.ARCHIVIST
    return False


def cli_queries() -> list[str]:
    """Queries finding everything: none, and every token of the world."""
    return ["", " OR ".join(sorted(L.every_token()))]


def decoded(path: Path) -> str:
    """A command's --out file as text: parquet decoded (its values searched like any
    output), anything else as written."""
    import json

    data = path.read_bytes()
    if data[:4] == b"PAR1":
        import pyarrow.parquet as pq

        return json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False)
    return data.decode("utf-8", "replace")


@pytest.mark.parametrize("reader", L.LIFE_READERS, ids=lambda r: r.name or "anonymous")
def test_every_command_keeps_to_the_reader(life, reader: Reader, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Every command naming its reader (from the parser, CLI_CASES) over the lifecycle
    world: no output (an --out file too, parquet decoded) holds a token outside the reader's
    set, none is a traceback; a command about a hidden cable, draft or release answers as
    about a missing one (its id aside), and a write to one fails as to a missing one."""
    from click.testing import CliRunner

    from cablebase.cli import main
    from tests.test_access_oracle import cli_token, is_dsn

    if is_dsn(life) and reader not in LIFE_PG_READERS:
        pytest.skip("PostgreSQL asks a reader of each kind (LIFE_PG_READERS)")
    bad = L.every_token() - L.allowed(reader) | hidden_ids(reader)
    who = [] if reader.name is None else ["--token", cli_token(life, reader.name)]
    draft_file = tmp_path / "draft.txt"
    draft_file.write_text(L.draft_body("UNCLASSIFIED", "zzprobeedit"))
    out_file = tmp_path / "out"
    runner = CliRunner()

    def run(path: tuple[str, ...], args: list[str]) -> tuple[int, str]:
        args = [str(draft_file) if a == DRAFT_FILE else a for a in args]
        out = ["--out", str(out_file)] if path in (("export",), ("graph",)) else []
        out_file.unlink(missing_ok=True)
        res = runner.invoke(main, [*path, *args, *out, "--archive", str(life), *who])
        text = res.output + (decoded(out_file) if out_file.exists() else "")
        where = " ".join((*path, *args))
        assert "Traceback" not in text and res.exit_code in (0, 1, 2), (where, text[:500])
        if path != ("audit",):  # the audit log holds what readers typed: this test's queries
            assert_clean(text, {t for t in bad if t not in where}, where)
        return res.exit_code, text

    asked = 0
    for path, cases in CLI_CASES.items():
        for case in cases:
            if case.kind is None:
                for q in cli_queries() if "{q}" in case.args else [""]:
                    run(path, [a.replace("{q}", q) for a in case.args])
                    asked += 1
                continue
            names = objects_of(case.kind)
            missing_answer = None
            for name in reversed(names):  # the missing object first
                hidden = hidden_from(reader, case.kind, name)
                is_missing = name == names[-1]
                if case.writes and not (hidden or is_missing):
                    continue
                code, text = run(path, [a.replace("{}", name) for a in case.args])
                asked += 1
                if is_missing:
                    missing_answer = (code, text)
                elif hidden:
                    assert missing_answer is not None
                    if case.kind in ("draft", "release"):  # numbers: all out of the way
                        got, want = (code, digits_hidden(text)), digits_hidden(missing_answer[1])
                    else:
                        got, want = (
                            (code, as_missing(text, name)),
                            as_missing(missing_answer[1], names[-1]),
                        )
                    want = (missing_answer[0], want)
                    assert got == want, (path, case.args, name, reader, got, want)
    assert asked > 100, asked


# -- every command, every parameter, hostile values -----------------------------------------

# Values each parameter of each command gets in turn (a command line's invalid UTF-8 arrives
# as a lone surrogate).
HOSTILE_ARGS = ["", "\x00", "a\x00b", "\udcff", "-1", "9" * 400, '"(', "x" * 5000, "../../etc"]
# The other parameters' values, by name (a valid object each, so the hostile one goes deep).
PLAUSIBLE_ARGS = {
    "query": "tag:PREL",
    "reference_id": rid(L.RELEASED),
    "draft_id": "1",
    "release_id": "1",
    "post": "SECSTATE",
    "name": "conf",
    "label": "probe",
    "office": L.OFFICE,
    "offices": L.OFFICE,
    "unit": L.OFFICE,
    "value": "conf",
    "action": "list",
    "mode": "controlled",
    "role": "reader",
    "clearance": "SECRET",
    "ids": "1",
    "contacts": "watch officer",
}
# Not run: they build archives or files of any size asked (their numbers are work, not
# input), or serve.
UNRUN_COMMANDS = {("serve",), ("demo",), ("generate",)}
FIXED_ARGS = {("dispatch", "run"): ["--once"]}


def hostile_cli_calls(tree, draft_file: str) -> Iterator[tuple[tuple[str, ...], list[str]]]:  # type: ignore[no-untyped-def]
    """(command, its arguments): each parameter that takes a value (arguments and options,
    the archive's and the reader's aside) given each hostile value, the others plausible."""
    import click

    for path, cmd in tree.items():
        if path in UNRUN_COMMANDS:
            continue
        params = [
            p
            for p in cmd.params
            if p.name not in ("archive_path", "token", "user", "by", "as_user")
            and not (isinstance(p, click.Option) and p.is_flag)
        ]

        def plausible(p):  # type: ignore[no-untyped-def]
            if p.name == "path":
                return draft_file
            if isinstance(p.type, click.Choice):
                return p.type.choices[0]
            return PLAUSIBLE_ARGS.get(p.name or "", "1" if p.type.name == "integer" else "x")

        for varied in params:
            for value in HOSTILE_ARGS:
                args: list[str] = []
                for p in params:
                    v = value if p is varied else plausible(p)
                    if isinstance(p, click.Argument):
                        args.append(v)
                    elif p is varied or p.required:
                        args += [p.opts[0], v]
                yield path, [*args, *FIXED_ARGS.get(path, [])]


# The archive and the reader, hostile (the other arguments plausible): every command with
# each archive location, every command naming its reader with each token, and with a name
# and each password ($CABLEBASE_PASSWORD holds what the environment gave: a lone surrogate
# for invalid UTF-8).
HOSTILE_ARCHIVES = ["", "\x00", "\udcff", "postgresql://\x00", "postgresql://x@127.0.0.1:1/x"]
HOSTILE_SECRETS = ["", "\x00", "\udcff", "\ud800", "x" * 5000]


def identity_calls(tree, draft_file: str) -> Iterator[tuple[tuple[str, ...], list[str], dict]]:  # type: ignore[no-untyped-def]
    """(command, its arguments, the environment): hostile archives and credentials."""
    first = {}
    for path, args in hostile_cli_calls(tree, draft_file):
        first.setdefault(path, args)  # plausible but for the first parameter's ""
    for path, cmd in tree.items():
        if path in UNRUN_COMMANDS:
            continue
        args = [a if a != "" else "x" for a in first.get(path, [*FIXED_ARGS.get(path, [])])]
        for where in HOSTILE_ARCHIVES:
            yield path, [*args, "--archive", where], {}
        if not names_its_reader(cmd):
            continue
        user = next(p.opts[0] for p in cmd.params if p.name in ("user", "by", "as_user"))
        for secret in HOSTILE_SECRETS:
            yield path, [*args, "--token", secret], {}
            if secret in ("", "\udcff", "x" * 5000):  # what an environment can hold
                yield path, [*args, user, "conf"], {"CABLEBASE_PASSWORD": secret}
        yield path, [*args, user, "\udcff\x00"], {"CABLEBASE_PASSWORD": "x"}


@pytest.fixture(scope="module")
def hostile_life(archive_store) -> str:  # type: ignore[no-untyped-def]
    """A lifecycle world of its own: the hostile commands write (accounts, drafts...)."""
    location = archive_store([])
    L.build(location)
    return location


def test_every_command_takes_hostile_arguments(hostile_life, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every command of the parser (cli_tree), each of its parameters given each hostile
    value (NUL, a lone surrogate, 400 digits, unbalanced quotes, 5,000 characters,
    traversal), run by an archivist cleared for everything (the deepest reach); every command
    with hostile archives, tokens, names and passwords: a message and a status of 0, 1 or 2,
    never a traceback nor an internal error."""
    from click.testing import CliRunner

    from cablebase.cli import main
    from tests.test_access_oracle import cli_token

    token = cli_token(hostile_life, L.ARCHIVIST.name or "")
    monkeypatch.chdir(tmp_path)  # the files the commands write (--out VALUE) land here
    draft_file = tmp_path / "draft.txt"
    draft_file.write_text(L.draft_body("UNCLASSIFIED", "zzprobehostile"))
    runner = CliRunner()
    failures = []
    tree = cli_tree()
    calls = [(p, a, None) for p, a in hostile_cli_calls(tree, str(draft_file))]
    calls += list(identity_calls(tree, str(draft_file)))
    for path, args, env in calls:
        cmd = tree[path]
        if env is None:  # the archive and an archivist's token
            who = ["--token", token] if names_its_reader(cmd) else []
            here = [] if path == ("parse",) else ["--archive", str(hostile_life)]
            args, env = [*args, *here, *who], {}
        res = runner.invoke(main, [*path, *args], input="x" * 12 + "\n" + "x" * 12 + "\n", env=env)
        text = res.output
        if res.exception and not isinstance(res.exception, SystemExit):
            text += f" {type(res.exception).__name__}: {res.exception}"
        if (
            res.exit_code not in (0, 1, 2)
            or "Traceback" in text
            or "internal error" in text
            or (res.exception and not isinstance(res.exception, SystemExit))
        ):
            failures.append(f"{' '.join(path)} {[a[:40] for a in args]!r}: {text[:300]!r}")
    assert len(calls) > 500, len(calls)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:30])
