"""Dispatch in the reading room (issue 15): the inbox page and its JSON twin, marking read and
acknowledging (a session's form with its CSRF token, an API token), the status page; what a
reader not cleared for a cable gets (nothing: as for a cable never delivered) — on each store."""

from __future__ import annotations

import argon2
import pytest
from fastapi.testclient import TestClient

from cablebase.access.accounts import Accounts
from cablebase.access.policy import Policy
from cablebase.access.settings import set_policy
from cablebase.archive.store import open_store
from cablebase.dispatch.outbox import release_and_enqueue
from cablebase.dispatch.worker import Worker
from cablebase.web.app import create_app
from cablebase.web.auth import SESSION_COOKIE
from tests.dispatch_helpers import cable

HASHER = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PW = "correct horse battery"


@pytest.fixture
def site(empty_archive: str):
    path = empty_archive
    with open_store(path) as store:
        release_and_enqueue(store, cable(1, precedence="ROUTINE"))
        release_and_enqueue(store, cable(2, precedence="FLASH", classification="SECRET"))
        release_and_enqueue(store, cable(3, precedence="NIACT IMMEDIATE"))
        Worker(store).run(until_empty=True)
        set_policy(store.conn, Policy("controlled"))
        acc = Accounts(store.conn, hasher=HASHER)
        acc.add_user("high", PW, "reader", 2, ())
        acc.add_user("low", PW, "reader", 0, ())
        logins = {}
        for name in ("high", "low"):
            session, csrf = acc.create_session(name)
            logins[name] = (session, csrf, acc.create_token(name, "t"))
    app = create_app(path, hasher=HASHER)
    yield TestClient(app, follow_redirects=False), logins
    app.state.audit.close()  # its last entries written before the archive goes


def as_user(client: TestClient, logins, name: str) -> str:
    session, csrf, _ = logins[name]
    client.cookies.set(SESSION_COOKIE, session)
    return csrf


def test_inbox_page_and_twin_in_precedence_order(site) -> None:
    client, logins = site
    as_user(client, logins, "high")
    data = client.get("/api/inbox/secstate").json()
    assert [e["reference_id"] for e in data["entries"]] == ["26BAMAKO2", "26BAMAKO3", "26BAMAKO1"]
    assert (data["total"], data["unread"], data["unacknowledged"]) == (3, 3, 2)
    page = client.get("/inbox/SECSTATE")
    assert page.status_code == 200
    assert (
        page.text.index("26BAMAKO2") < page.text.index("26BAMAKO3") < page.text.index("26BAMAKO1")
    )
    assert page.text.count('class="ack"') == 2 and page.text.count('class="mark-read"') == 1


def test_a_reader_not_cleared_sees_no_trace(site) -> None:
    client, logins = site
    csrf = as_user(client, logins, "low")
    data = client.get("/api/inbox/SECSTATE").json()
    assert [e["reference_id"] for e in data["entries"]] == ["26BAMAKO3", "26BAMAKO1"]
    assert (data["total"], data["unacknowledged"]) == (2, 1)
    hidden = client.post("/inbox/SECSTATE/26BAMAKO2/ack", data={"csrf": csrf})
    never = client.post("/inbox/SECSTATE/26BAMAKO9/ack", data={"csrf": csrf})
    assert hidden.status_code == never.status_code == 404
    assert hidden.text.replace("26BAMAKO2", "X") == never.text.replace("26BAMAKO9", "X")
    assert client.get("/api/dispatch").json()["by_state"] == {"delivered": 2}
    # the cleared reader's acknowledgement is still to be made
    as_user(client, logins, "high")
    assert client.get("/api/inbox/SECSTATE").json()["unacknowledged"] == 2


def test_acknowledge_and_mark_read(site) -> None:
    client, logins = site
    csrf = as_user(client, logins, "high")
    assert client.post("/inbox/SECSTATE/26BAMAKO2/ack", data={}).status_code == 403  # no CSRF
    r = client.post("/inbox/SECSTATE/26BAMAKO2/ack", data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/inbox/SECSTATE"
    r = client.post("/inbox/SECSTATE/26BAMAKO1/read", data={"csrf": csrf})
    assert r.status_code == 303
    assert client.post("/inbox/SECSTATE/26BAMAKO1/read", data={"csrf": csrf}).status_code == 404
    data = client.get("/api/inbox/SECSTATE").json()
    assert (data["unread"], data["unacknowledged"]) == (1, 1)
    first = data["entries"][0]
    assert (first["reference_id"], first["acked_by"]) == ("26BAMAKO2", "high")
    # the API: a token, not the session cookie
    assert client.post("/api/inbox/SECSTATE/26BAMAKO3/ack").status_code == 401
    client.cookies.clear()
    token = logins["high"][2]
    r = client.post(
        "/api/inbox/SECSTATE/26BAMAKO3/ack", headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 200 and r.json()["acked"] is True
    as_user(client, logins, "high")
    assert client.get("/api/inbox/SECSTATE").json()["unacknowledged"] == 0


def test_anonymous_cannot_acknowledge(site) -> None:
    client, _ = site
    assert client.post("/inbox/SECSTATE/26BAMAKO3/ack", data={}).status_code == 401
    page = client.get("/inbox/SECSTATE")
    assert page.status_code == 200 and 'class="ack"' not in page.text


def test_status_page_lists_late_deliveries(empty_archive: str) -> None:
    path = empty_archive
    with open_store(path) as store:
        import time

        release_and_enqueue(store, cable(1, precedence="FLASH"), released=time.time() - 3600)
        release_and_enqueue(store, cable(2, precedence="ROUTINE"), released=time.time() - 3600)
    app = create_app(path, hasher=HASHER)
    client = TestClient(app)
    page = client.get("/dispatch")
    assert page.status_code == 200
    late = page.text[page.text.index('id="dispatch-late"') :]
    late = late[: late.index("</table>")]
    assert "26BAMAKO1" in late and "26BAMAKO2" not in late  # FLASH (10 min) late, ROUTINE not
    assert client.get("/api/dispatch").json()["late"][0]["state"] == "queued"
    app.state.audit.close()


def test_threads_that_end_leave_no_connection_open(site) -> None:
    """The app's connections are per thread; a thread that ends (a server's worker threads
    come and go) must not keep its connection: PostgreSQL counts them (max_connections)."""
    client, logins = site
    location = client.app.state.archives.path
    if not isinstance(location, str):
        pytest.skip("a SQLite connection is a file handle of its thread, not a server's slot")
    import gc

    import psycopg

    token = logins["high"][2]
    plain = TestClient(client.app)  # not entered: each request runs on threads of its own
    for _ in range(50):
        r = plain.get("/api/inbox/SECSTATE", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
    gc.collect()
    with psycopg.connect(location, autocommit=True) as conn:
        open_ = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid != pg_backend_pid()"
        ).fetchone()[0]
    assert open_ <= 4, open_
