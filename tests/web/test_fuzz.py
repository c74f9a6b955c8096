"""HTTP fuzzing of every route: no answer is ever a 5xx.

- The JSON API, from its OpenAPI document, with schemathesis: every operation, parameters
  generated from their schemas (and past them).
- Every page and form route, enumerated from the routers (a route added later is fuzzed
  without touching this file), with hypothesis: path, query and form values drawn from ids the
  archive holds (visible, hidden, irregular), numbers past SQLite's integers, negative and
  empty values, and arbitrary text; as an anonymous visitor and as a logged-in admin whose
  forms carry a valid CSRF token.

Both run against a controlled archive (tests/web/conftest.py: the ZETA cables and accounts)
plus the irregular ids, on each store (on PostgreSQL a clone of the access template).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import (
    HAND_IDS,
    ZETA,
    access_clone,
    build_access_archive,
    cheap_hasher,
    hand_cables,
    login,
    on_postgres,
    put_cables,
)
from tests.web.test_robust import ODD_IDS

FUZZ = settings(
    max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def _app(request, web_archive: Path, tmp_path_factory: pytest.TempPathFactory):
    """The app over a new access archive on web_archive's store, with the irregular ids."""
    from cablebase.web.app import create_app

    # ids of the irregular shapes Cablegate has
    odd = [replace(c, reference_id=rid) for c, rid in zip(hand_cables(), ODD_IDS, strict=False)]
    with contextlib.ExitStack() as stack:
        if on_postgres(web_archive):
            path = stack.enter_context(access_clone(request))
        else:
            path = build_access_archive(web_archive, tmp_path_factory.mktemp("fuzz") / "a.db")
        put_cables(path, odd)
        app = create_app(path, hasher=cheap_hasher())
        yield app
        app.state.archives.close()


# Two apps on two copies: the API fuzzer's failed logins must not throttle the pages' admin.
@pytest.fixture(scope="module")
def fuzz_app(request, web_archive: Path, tmp_path_factory: pytest.TempPathFactory):
    yield from _app(request, web_archive, tmp_path_factory)


@pytest.fixture(scope="module")
def pages_app(request, web_archive: Path, tmp_path_factory: pytest.TempPathFactory):
    yield from _app(request, web_archive, tmp_path_factory)


@pytest.fixture
def api_schema(fuzz_app):
    return schemathesis.openapi.from_asgi("/api/openapi.json", fuzz_app)


schema = schemathesis.pytest.from_fixture("api_schema")


def answered(status: int, text: str) -> bool:
    """No 5xx, on either store (every feature is on both: docs/postgresql.md)."""
    return status < 500


@schema.parametrize()
@FUZZ
def test_no_api_operation_answers_5xx(case) -> None:
    response = case.call()
    assert answered(response.status_code, response.text), (
        case.method,
        case.path,
        case.formatted_path,
        response.text,
    )


# -- pages and forms -----------------------------------------------------------------------

IDS = [*HAND_IDS, *ZETA, *ODD_IDS, "99NOWHERE1"]
VALUES = st.one_of(
    st.sampled_from(IDS),
    st.sampled_from(["", "0", "-1", "1", str(2**63), str(2**64 + 3), "9" * 40, "1e309"]),
    st.sampled_from(["PREL", "ATLANTIS", "1997-03", "2009-13", "review", "publish", "disable"]),
    st.sampled_from(['"', "(", "*", "tag:", "class:banana", "citedby:98ZETA2", "%00", "../x"]),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def _routes() -> list:
    """Every page and form route of the app itself (an app over a throwaway archive), so a
    router registered later is fuzzed too; the routes of the OpenAPI document are left to
    schemathesis (test_no_api_operation_answers_5xx), none unfuzzed."""
    import tempfile
    from pathlib import Path

    from fastapi.routing import APIRoute

    from cablebase.archive.sqlite import SQLiteStore
    from cablebase.web.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "routes.db"
        SQLiteStore(path).close()
        app = create_app(path)
        documented = set(app.openapi()["paths"])

        def walk(routes):  # type: ignore[no-untyped-def]
            for route in routes:
                inner = getattr(route, "original_router", None)  # an included router
                if inner is not None:
                    yield from walk(inner.routes)
                elif isinstance(route, APIRoute):
                    yield route

        out = []
        for route in walk(app.routes):
            if route.path in documented and route.include_in_schema:
                continue  # in the OpenAPI document: schemathesis fuzzes it
            for method in sorted(route.methods or ()):
                out.append((method, route))
    assert out, "no routes found"
    paths = {r.path for _, r in out}
    for must in ("/person/{person}", "/drafts/{draft_id}", "/inbox/{addressee}", "/search"):
        assert must in paths, must  # the people, drafting, dispatch and search pages
    return out


ROUTES = _routes()


def _url(route, values: dict[str, str]) -> str:
    from urllib.parse import quote

    def fill(m: re.Match) -> str:
        name = m.group(1).split(":")[0]
        safe = "/" if ":path" in m.group(1) else ""
        return quote(values.get(name) or "x", safe=safe)

    return re.sub(r"\{([^}]+)\}", fill, route.path)


def _params(route, data) -> tuple[dict, dict, dict]:
    d = route.dependant
    path = {p.name: data.draw(VALUES) for p in d.path_params}
    query = {p.name: data.draw(VALUES) for p in d.query_params if data.draw(st.booleans())}
    form = {}
    for p in d.body_params:
        if data.draw(st.integers(0, 4)):
            form[p.name] = data.draw(VALUES)
    return path, query, form


@pytest.fixture(scope="module")
def anonymous(pages_app):
    with TestClient(pages_app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def admin_client(pages_app):
    with TestClient(pages_app, raise_server_exceptions=False) as c:
        assert login(c, "root").status_code == 303
        yield c


def _csrf(client: TestClient) -> str | None:
    m = re.search(r'name="csrf" value="([^"]+)"', client.get("/account").text)
    return m.group(1) if m else None


@pytest.mark.parametrize("method, route", ROUTES, ids=[f"{m} {r.path}" for m, r in ROUTES])
@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_no_page_or_form_answers_5xx(method, route, who, request, web_archive) -> None:
    # web_archive: named so that the test runs over each store (the clients are asked below)
    client: TestClient = request.getfixturevalue(
        "anonymous" if who == "anonymous" else "admin_client"
    )
    csrf = _csrf(client) if who == "admin" else None

    @FUZZ
    @given(data=st.data())
    def run(data) -> None:
        path, query, form = _params(route, data)
        if csrf and "csrf" in form and data.draw(st.booleans()):
            form["csrf"] = csrf
        url = _url(route, path)
        if method == "GET":
            r = client.get(url, params=query, follow_redirects=False)
        else:
            r = client.request(method, url, params=query, data=form, follow_redirects=False)
        assert answered(r.status_code, r.text), (
            method,
            url,
            query,
            form,
            r.status_code,
            r.text[:300],
        )

    run()
