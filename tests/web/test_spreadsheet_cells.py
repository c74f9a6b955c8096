"""No CSV the reading room writes holds a cell a spreadsheet would run as a formula.

Every value that comes from a cable (subject, tags, origin, signers, classifier, addressees)
starts here with a formula character; every GET route of the app that can answer CSV (a
`.{fmt}` or `.csv` path, a `format` parameter) is enumerated from the app itself and asked for
CSV, and every cell of every answer is checked.  A CSV route added later is swept too, and the
test fails when it cannot fill one of its path parameters.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from cablebase.record import ClassifiedBy, Recipient
from cablebase.spreadsheet import FORMULA_START
from tests.test_access_oracle import app_routes
from tests.web.conftest import PASSWORD, cheap_hasher, hand_cables, login

HASHER = cheap_hasher()


def formulas(i: int) -> dict:
    """Fields of a cable, each a formula of its own kind."""
    return {
        "subject": f'=HYPERLINK("http://evil.example/{i}","click")',
        "tags": [f"+TAG{i}", "PREL", f"OVIP (@EVIL, PERSON{i})"],
        "origin": f"-Embassy Formula{i}",
        "signers": [f"@SIGNER{i}"],
        "classified_by": ClassifiedBy(text=f"=Deputy {i}", name=f"=Deputy Evil{i}"),
        "recipients": [Recipient(role="to", name=f"=CMD{i} WASHDC")],
    }


@pytest.fixture(scope="module")
def client(archive_store):
    """The app over the cables, on each store, with an admin logged in (for the audit log's
    CSV)."""
    from cablebase.access.accounts import Accounts
    from cablebase.archive.store import open_store
    from cablebase.web.app import create_app

    cables = [dataclasses.replace(c, **formulas(i)) for i, c in enumerate(hand_cables())]
    location = archive_store(cables)
    with open_store(location) as store:
        Accounts(store.conn, hasher=HASHER).add_user("root", PASSWORD, "admin", 3)
    with TestClient(create_app(location, hasher=HASHER), raise_server_exceptions=False) as c:
        r = login(c, "root")
        assert r.status_code in (302, 303), r.text
        yield c, cables


def csv_urls(app, cables) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Route -> URLs asking it for CSV, for every GET route that can answer CSV."""
    fill = {
        "reference_id": [c.reference_id for c in cables],
        "post": [quote(c.origin) for c in cables],
        "person": [quote(s) for c in cables for s in c.signers],
        "what": ["posts", "tags", "months", "people"],
        "fmt": ["csv"],
    }
    # A `format` parameter the OpenAPI document lists without csv (graphs) answers no CSV.
    formats = {
        path: p["schema"].get("enum", ["csv"])
        for path, ops in app.openapi()["paths"].items()
        for op in ops.values()
        for p in op.get("parameters", [])
        if p["name"] == "format"
    }
    out: dict[str, list[str]] = {}
    for (method, path), params in app_routes(app).items():
        if method != "GET":
            continue
        csv_path = path.endswith((".{fmt}", ".csv"))
        if not csv_path and ("format" not in params or "csv" not in formats.get(path, ["csv"])):
            continue
        urls = [path]
        for name, values in fill.items():
            if "{" + name + "}" in path:
                urls = [u.replace("{" + name + "}", v) for u in urls for v in values]
        assert all("{" not in u for u in urls), f"no values for {path}: add them here"
        query = "" if csv_path else "?format=csv"
        out[path] = [u + query for u in urls]
    return out


def test_no_csv_cell_runs_as_a_formula(client) -> None:  # type: ignore[no-untyped-def]
    c, cables = client
    urls = csv_urls(c.app, cables)
    assert {"/api/export", "/search.csv", "/admin/audit/export"} <= set(urls)
    for path, wanted in urls.items():
        answered = 0
        for url in wanted:
            r = c.get(url)
            assert r.status_code < 500, (url, r.status_code)
            if r.status_code != 200 or "csv" not in r.headers.get("content-type", ""):
                continue
            answered += 1
            for row in csv.reader(io.StringIO(r.text)):
                for cell in row:
                    assert not cell.startswith(FORMULA_START), (url, cell)
        assert answered, f"{path} answered no CSV"
    # The formulas did reach the CSVs, made inert.
    text = c.get("/api/export?format=csv").text
    assert "'=HYPERLINK" in text and "'+TAG0" in text
