"""The reading room never answers 5xx and sends nothing it should not: ids of every shape the
archive holds, numbers past SQLite's integers, costly queries, server paths, spreadsheet
formulas, framing by other sites, and a writer changing the archive under the readers.

Every route of the OpenAPI document is fuzzed with schemathesis (tests/web/test_fuzz.py); the
cases here are the findings of an outside probe, each of which failed before its fix.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cablebase.record import Source
from tests.web.conftest import hand_cables, on_postgres

ODD_IDS = ["90STATE255723TOSEC140328", "06SECTION01OF02HARARE628", "06ASTANA", "7575LIBREVILLE1895"]
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(scope="module")
def odd_archive(archive_store) -> str:
    """Hand-written cables, some under ids of the irregular shapes Cablegate really has, one
    with a subject a spreadsheet would run, all read from an absolute path of this machine;
    on SQLite and on PostgreSQL (conftest.archive_store)."""
    cables = hand_cables()
    made = []
    for i, c in enumerate(cables):
        rid = ODD_IDS[i] if i < len(ODD_IDS) else c.reference_id
        subject = FORMULA if i == 1 else c.subject
        source = Source(form="telegram", path=f"/srv/secret-location/in/{rid}.tel")
        made.append(dataclasses.replace(c, reference_id=rid, subject=subject, source=source))
    return archive_store(made)


@pytest.fixture(scope="module")
def odd(odd_archive: str):
    from cablebase.web.app import create_app

    with TestClient(create_app(odd_archive), raise_server_exceptions=False) as c:
        yield c


def test_irregular_ids_are_served(odd: TestClient) -> None:
    # A page of hits holding 90STATE255723TOSEC140328 once failed the response model: a 500.
    r = odd.get("/api/search", params={"q": ""})
    assert r.status_code == 200, r.text
    assert set(ODD_IDS) <= {h["reference_id"] for h in r.json()["hits"]}
    for rid in ODD_IDS:
        assert odd.get(f"/api/cables/{rid}").status_code == 200, rid
        assert odd.get(f"/api/cables/{rid}/references").status_code == 200, rid
        assert odd.get(f"/cable/{rid}").status_code == 200, rid
    assert odd.get("/api/cables/not-an-id").status_code == 400


def test_no_server_path_reaches_a_reader(odd: TestClient) -> None:
    body = odd.get(f"/api/cables/{ODD_IDS[0]}").json()
    assert body["source"]["path"] == f"{ODD_IDS[0]}.tel"
    for url in ("/api/export?format=jsonl", "/api/export?format=csv", f"/cable/{ODD_IDS[0]}"):
        r = odd.get(url)
        assert r.status_code == 200, url
        assert "/srv/secret-location" not in r.text, url
    assert f"{ODD_IDS[0]}.tel" in odd.get("/api/export?format=csv").text


def test_csv_export_cells_never_run_as_formulas(odd: TestClient) -> None:
    text = odd.get("/api/export?format=csv").text
    assert "'" + FORMULA.replace('"', '""') in text
    assert ',"=HYPERLINK' not in text and ",=HYPERLINK" not in text


@pytest.mark.parametrize("url", ["/", "/search?q=x", "/api/search", "/api/docs", "/nowhere"])
def test_no_page_can_be_framed(odd: TestClient, url: str) -> None:
    r = odd.get(url)
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_the_api_docs_page_loads_nothing_from_another_origin(odd: TestClient) -> None:
    html = odd.get("/api/docs").text
    for url in re.findall(r"""(?:src|href|url)\s*[=:(]\s*['"]([^'"]+)['"]""", html):
        assert url.startswith("/"), url
        assert odd.get(url).status_code == 200, url


def test_a_query_with_many_prefixes_is_refused(odd: TestClient) -> None:
    q = " OR ".join(["the*"] * 64)
    for url in ("/api/search", "/search", "/api/export"):
        r = odd.get(url, params={"q": q})
        assert r.status_code == 400, (url, r.status_code)
        assert "prefix" in r.text


def test_a_query_past_its_budget_is_stopped_with_a_4xx(web_archive: Path) -> None:
    from cablebase.web.app import create_app

    if on_postgres(web_archive):
        pytest.skip("the per-request CPU budget is SQLite's progress handler (docs/postgresql.md)")

    # A budget of no time at all: the first check of a statement (every ~20,000 steps of
    # SQLite's machine, which a search over 3,000 cables takes) stops it.
    with TestClient(create_app(web_archive, query_budget=0.0), raise_server_exceptions=False) as c:
        r = c.get("/api/search", params={"q": "the OR minister OR talks"})
        assert r.status_code == 400, r.text
        assert "budget" in r.json()["error"]
        assert c.get("/search", params={"q": "talks"}).status_code == 400


def test_release_numbers_past_sqlite_integers(access_client: TestClient) -> None:
    from tests.web.conftest import login

    login(access_client, "arch1")
    for n in (2**63, 2**64 + 5, 99999999999999999999):
        r = access_client.get(f"/releases/{n}")
        assert r.status_code == 422, (n, r.status_code)
        r = access_client.post(f"/releases/{n}/review", data={"csrf": "x"})
        assert r.status_code < 500, (n, r.status_code)
    assert access_client.get(f"/releases/{2**63 - 1}").status_code == 404


@pytest.fixture(scope="module")
def access_client(access_location):
    from cablebase.web.app import create_app
    from tests.web.conftest import cheap_hasher

    app = create_app(access_location, hasher=cheap_hasher())
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_readers_while_the_archive_is_written(
    request, web_archive: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Requests under a controlled policy while another process's writes change the archive's
    generation: each request reads one generation (Archive.pinned), so no query loses the
    reader's id set it was composed with ("no such table: temp.cb_reader_…" before).  On
    PostgreSQL (a clone of the access template) each statement reads the current state."""
    from tests.web.conftest import access_clone, build_access_archive

    with contextlib.ExitStack() as stack:
        if on_postgres(web_archive):
            path = stack.enter_context(access_clone(request))
        else:
            path = build_access_archive(web_archive, tmp_path_factory.mktemp("race") / "a.db")
        # PostgreSQL takes ~60 ms per cable written one by one here and ~0.4 s per request
        # beside it (2 busy cores): fewer cables there (each statement reads the current
        # state; no id set can be lost).
        _read_while_written(path, 60 if on_postgres(web_archive) else 400)


def _read_while_written(path: Path | str, cables: int) -> None:
    from cablebase.archive.store import open_store
    from cablebase.generate import generate
    from cablebase.web.app import create_app
    from tests.web.conftest import cheap_hasher

    stop = threading.Event()
    written = []

    def writer() -> None:
        with open_store(path) as store:
            for i, cable in enumerate(generate(cables, seed=77)):
                if stop.is_set():
                    break
                store.put_many([cable])  # one generation per cable
                written.append(i)

    app = create_app(path, hasher=cheap_hasher())
    failures: list[tuple[str, int, str]] = []
    queries = ["", "talks", "tag:PREL", "class:secret", "year:2008 minister", "-tag:PGOV"]
    with TestClient(app, raise_server_exceptions=False) as client:
        w = threading.Thread(target=writer)
        w.start()
        try:
            n = 0
            while w.is_alive() and n < 400:
                q = queries[n % len(queries)]
                for url in ("/api/search", "/search"):
                    r = client.get(url, params={"q": q})
                    n += 1
                    if r.status_code != 200:
                        failures.append((url, r.status_code, r.text[:200]))
        finally:
            stop.set()
            w.join()
    assert written, "the writer wrote nothing"
    assert failures == []


def test_openapi_and_pages_answer_json_or_html_errors(odd: TestClient) -> None:
    r = odd.get("/api/search", params={"q": '"unclosed'})
    assert r.status_code == 400 and json.loads(r.text)["position"] is not None
