"""Issue 11's findings on accounts and sessions: a session cookie is no bearer token (nor the
reverse), a new password ends sessions, no admin raises their own clearance, the audit log
shows a viewer no id of a cable they may not see, cookies are HttpOnly, SameSite and (behind
https) Secure."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, cheap_hasher, csrf_of, login


@pytest.fixture(scope="module")
def access_archive(access_location: Path | str) -> Path | str:
    """The module's archive, on each store in turn (conftest.access_location)."""
    return access_location


@pytest.fixture(scope="module")
def app(access_archive: Path):
    from cablebase.web.app import create_app

    return create_app(access_archive, hasher=cheap_hasher())


@pytest.fixture
def new_client(app) -> Iterator:
    made: list[TestClient] = []

    def make(base_url: str = "http://testserver") -> TestClient:
        c = TestClient(app, raise_server_exceptions=False, base_url=base_url)
        c.__enter__()
        made.append(c)
        return c

    yield make
    for c in made:
        c.__exit__(None, None, None)


def logged_in(new_client, name: str) -> TestClient:
    c = new_client()
    assert login(c, name).status_code == 303
    return c


def api_token(new_client, name: str) -> str:
    r = new_client().post("/api/login", json={"name": name, "password": PASSWORD})
    assert r.status_code == 200
    return r.json()["token"]


def test_session_cookie_is_no_bearer_token(new_client) -> None:
    c = logged_in(new_client, "bob")
    cookie = c.cookies.get("cb_session")
    assert c.get("/cable/98ZETA1").status_code == 200  # the cookie works as a cookie
    bare = new_client()
    r = bare.get("/api/cables/98ZETA1", headers={"Authorization": f"Bearer {cookie}"})
    assert r.status_code == 401


def test_bearer_token_is_no_cookie(new_client) -> None:
    token = api_token(new_client, "bob")
    bare = new_client()
    head = {"Authorization": f"Bearer {token}"}
    assert bare.get("/api/cables/98ZETA1", headers=head).status_code == 200
    jar = new_client()
    jar.cookies.set("cb_session", token)
    assert jar.get("/cable/98ZETA1").status_code == 404  # read as anonymous
    assert jar.get("/api/me").json()["authenticated"] is False


def test_cli_passwd_ends_sessions(new_client, access_archive: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from cablebase.cli import access as commands
    from cablebase.cli import main

    c = logged_in(new_client, "alice")
    token = api_token(new_client, "alice")
    assert c.get("/api/me").json()["authenticated"] is True
    monkeypatch.setattr(commands, "HASHER", cheap_hasher())
    r = CliRunner().invoke(
        main,
        ["users", "passwd", "alice", "--archive", str(access_archive)],
        env={"CABLEBASE_PASSWORD": PASSWORD},
    )
    assert r.exit_code == 0, r.output
    assert "2 sessions ended" in r.output
    assert c.get("/api/me").json()["authenticated"] is False
    head = {"Authorization": f"Bearer {token}"}
    assert new_client().get("/api/me", headers=head).status_code == 401


def test_admin_cannot_change_their_own_clearance_or_role(new_client, access_archive) -> None:
    from cablebase.access.accounts import Accounts
    from cablebase.archive.store import open_store

    with open_store(access_archive) as store:
        acc = Accounts(store.conn, hasher=cheap_hasher())
        if acc.get_user("lowadmin") is None:
            acc.add_user("lowadmin", PASSWORD, "admin", "UNCLASSIFIED")
    c = logged_in(new_client, "lowadmin")
    t = csrf_of(c.get("/admin/users").text)
    for action, data in [
        ("grant", {"clearance": "TOP SECRET", "caveats": ["NOFORN"]}),
        ("revoke", {"clearance": "UNCLASSIFIED"}),
        ("role", {"role": "reader"}),
    ]:
        r = c.post(f"/admin/users/lowadmin/{action}", data={"csrf": t, **data})
        assert r.status_code == 400 and "your own" in r.text, action
    me = c.get("/api/me").json()
    assert me["clearance"] == "UNCLASSIFIED" and me["caveats"] == [] and me["role"] == "admin"
    assert "quokkasecret" not in c.get("/cable/98ZETA1").text  # the (S/NF) paragraph
    # Nor through another account: no clearance or caveat they do not hold themselves.
    r = c.post(
        "/admin/users",
        data={"csrf": t, "name": "puppet", "password": PASSWORD, "clearance": "TOP SECRET"},
    )
    assert r.status_code == 400 and "do not hold yourself" in r.text
    r = c.post("/admin/users/alice/grant", data={"csrf": t, "caveats": ["NOFORN"]})
    assert r.status_code == 400 and "do not hold yourself" in r.text
    # Another admin may.
    root = logged_in(new_client, "root")
    rt = csrf_of(root.get("/admin/users").text)
    r = root.post(
        "/admin/users/lowadmin/grant",
        data={"csrf": rt, "clearance": "CONFIDENTIAL"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    root.post("/admin/users/lowadmin/revoke", data={"csrf": rt, "clearance": "UNCLASSIFIED"})


def test_audit_log_shows_no_id_the_viewer_may_not_see(new_client, access_archive) -> None:
    from cablebase.access.accounts import Accounts
    from cablebase.archive.store import open_store

    with open_store(access_archive) as store:
        acc = Accounts(store.conn, hasher=cheap_hasher())
        if acc.get_user("lowadmin") is None:
            acc.add_user("lowadmin", PASSWORD, "admin", "UNCLASSIFIED")
    root = logged_in(new_client, "root")
    assert root.get("/cable/98ZETA2").status_code == 200  # TOP SECRET: lowadmin sees no part
    bob = logged_in(new_client, "bob")
    bob.get("/search", params={"q": "id:98zeta2 OR plainwombat"})  # its id in a query
    bob.get("/cable/98ZETA3")  # UNCLASSIFIED
    low = logged_in(new_client, "lowadmin")
    pages = [
        low.get("/admin/audit").text,
        low.get("/admin/audit/export", params={"format": "csv"}).text,
        low.get("/admin/audit/export", params={"format": "jsonl"}).text,
    ]
    for page in pages:
        assert "98ZETA2" not in page.upper()
        assert "98ZETA3" in page
    full = root.get("/admin/audit").text
    assert "98ZETA2" in full and "id:98zeta2" in full
    # The count of entries is that of the entries this viewer is shown (the first page holds
    # all of them or a full page), not of the whole log.
    shown = len(re.findall(r'<tr class="entry"', pages[0]))
    total = int(re.search(r'<span id="audit-total">([\d,]+)</span>', pages[0])[1].replace(",", ""))
    whole = int(re.search(r'<span id="audit-total">([\d,]+)</span>', full)[1].replace(",", ""))
    assert shown == min(total, 100) and total < whole


@pytest.mark.parametrize("base", ["http://testserver", "https://testserver"])
def test_cookies_httponly_samesite_and_secure_behind_https(new_client, base) -> None:
    c = new_client(base)
    r = login(c, "alice")
    cookies = r.headers.get_list("set-cookie")
    session = next(h for h in cookies if h.startswith("cb_session="))
    assert "HttpOnly" in session and "samesite=lax" in session.lower()
    assert ("Secure" in session) == base.startswith("https")
    form = c.get("/login")
    login_csrf = next(h for h in form.headers.get_list("set-cookie") if "cb_login_csrf" in h)
    assert "HttpOnly" in login_csrf and ("Secure" in login_csrf) == base.startswith("https")


def test_secure_cookies_option(access_archive: Path) -> None:
    from cablebase.web.app import create_app

    app = create_app(access_archive, hasher=cheap_hasher(), secure_cookies=True)
    with TestClient(app, raise_server_exceptions=False) as c:  # plain http: a proxy's https
        form = c.get("/login")
        cookie = next(h for h in form.headers.get_list("set-cookie") if "cb_login_csrf" in h)
        assert "Secure" in cookie and "HttpOnly" in cookie
