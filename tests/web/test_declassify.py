"""Declassification by review on the web (/declassify): archivists only, CSRF, only the
cables the archivist reads whole, audited; the public reads a declassified cable.  On both
stores (conftest.archive_store)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, cheap_hasher, csrf_of, login


def cable(rid: str, cls: str, decl: str | None, word: str):
    from cablebase.record import Cable, Paragraph

    return Cable(
        reference_id=rid,
        created="1985-03-02T10:00:00Z",
        origin="Embassy Oldtown",
        post="OLDTOWN",
        classification=cls,
        handling=[],
        subject="OLDTOWN: TALKS",
        declassify_on=decl,
        paragraphs=[Paragraph(number=1, portion=None, text=f"The {word} text.")],
    )


@pytest.fixture(scope="module")
def app(archive_store):
    """The reading room over each store (conftest.archive_store), a controlled archive."""
    app = reading_room(archive_store)
    yield app
    app.state.audit.close()  # its last entries written before the database goes


def reading_room(archive_store, **kw):
    from cablebase.access.accounts import Accounts
    from cablebase.access.policy import Policy
    from cablebase.access.settings import set_policy
    from cablebase.archive.store import open_store
    from cablebase.web.app import create_app

    location = archive_store(
        [
            cable("85OLDTOWN1", "SECRET", "1995-03-02", "zzeligible"),
            cable("85OLDTOWN2", "SECRET", "2095-03-02", "zzfuture"),
            cable("85OLDTOWN3", "CONFIDENTIAL", None, "zznodate"),
        ]
    )
    store = open_store(location)
    try:
        set_policy(store.conn, Policy("controlled"))
        acc = Accounts(store.conn, hasher=cheap_hasher())
        acc.add_user("arch", PASSWORD, "archivist", "TOP SECRET")
        acc.add_user("lowarch", PASSWORD, "archivist", "UNCLASSIFIED")
        acc.add_user("reader", PASSWORD, "reader", "TOP SECRET")
    finally:
        store.close()
    return create_app(location, hasher=cheap_hasher(), **kw)


def client(app, name: str | None = None) -> TestClient:
    c = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    if name:
        assert login(c, name).status_code == 303
    return c


def test_declassify_by_review(app) -> None:
    anon = client(app)
    assert anon.get("/cable/85OLDTOWN1").status_code == 404  # eligible, not declassified
    assert client(app, "reader").get("/declassify").status_code == 403
    assert anon.get("/declassify").status_code == 401
    low = client(app, "lowarch").get("/declassify", params={"q": "origin:oldtown"})
    assert low.status_code == 200 and 'id="eligible">0<' in low.text
    assert "85OLDTOWN1" not in low.text  # nothing of what they may not read
    arch = client(app, "arch")
    page = arch.get("/declassify", params={"q": "origin:oldtown"})
    assert 'id="eligible">1<' in page.text and "85OLDTOWN1" in page.text
    assert "not yet due: 1; no date or exempted: 1; already open: 0" in page.text
    no_csrf = arch.post("/declassify", data={"q": "origin:oldtown"})
    assert no_csrf.status_code == 403
    done = arch.post("/declassify", data={"q": "origin:oldtown", "csrf": csrf_of(page.text)})
    assert done.status_code == 303 and "done=1" in done.headers["location"]
    public = anon.get("/cable/85OLDTOWN1")
    assert public.status_code == 200 and "zzeligible" in public.text
    assert anon.get("/cable/85OLDTOWN2").status_code == 404
    again = arch.post("/declassify", data={"q": "origin:oldtown", "csrf": csrf_of(page.text)})
    assert again.status_code == 400 and "no eligible cable" in again.text
    bad = arch.get("/declassify", params={"q": "origin:("})
    assert bad.status_code == 400
    # Audited: each cable, and the batch with its query.
    from cablebase.access import audit

    conn = app.state.writers.any_store().conn
    got = [(e.user, e.target) for e in audit.entries(conn, action="declassify")]
    assert got == [("arch", "85OLDTOWN1")]
    (batch,) = audit.entries(conn, action="declassify_batch")
    assert batch.detail == "1: origin:oldtown"


def test_the_preview_judges_dates_on_the_app_clock(archive_store) -> None:
    """The preview and the run judge declassification dates on the app's clock, as every
    reader's view does (a clock in 2096 finds the cable due in 2095 eligible too)."""
    from datetime import UTC, datetime

    later = reading_room(archive_store, clock=lambda: datetime(2096, 1, 1, tzinfo=UTC))
    try:
        arch = client(later, "arch")
        page = arch.get("/declassify", params={"q": "origin:oldtown"})
        assert 'id="eligible">2<' in page.text and "85OLDTOWN2" in page.text
        assert "not yet due: 0; no date or exempted: 1; already open: 0" in page.text
        form = {"q": "origin:oldtown", "csrf": csrf_of(page.text)}
        done = arch.post("/declassify", data=form)
        assert done.status_code == 303 and "done=2" in done.headers["location"]
    finally:
        later.state.audit.close()
