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
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient

from cablebase.access.accounts import Accounts
from cablebase.archive.store import open_store
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


# -- readers and their requests -----------------------------------------------------------


def credentials(path: Path | str, reader: Reader) -> tuple[str | None, str | None]:
    """(a web session, an API token) of the reader in the archive at `path`."""
    if reader.name is None:
        return None, None
    with open_store(path) as store:
        accounts = Accounts(store.conn, hasher=HASHER)
        return accounts.create_session(reader.name)[0], accounts.create_token(reader.name, "probe")


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
