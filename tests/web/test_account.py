"""The account page (password change, API tokens) and the paging of the admin audit log,
through the real app (conftest.py: the ZETA cables and their users)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, cheap_hasher, csrf_of, login

NEW_PASSWORD = "a much newer passphrase"


@pytest.fixture(scope="module")
def account_archive(access_location: Path | str) -> Path | str:
    """The module's archive, on each store in turn (conftest.access_location)."""
    return access_location


@pytest.fixture(scope="module")
def app(account_archive: Path):
    from cablebase.web.app import create_app

    return create_app(account_archive, hasher=cheap_hasher())


@pytest.fixture
def new_client(app) -> Iterator:
    """A factory of fresh clients (each its own cookie jar), logged in as `name` if given."""
    made: list[TestClient] = []

    def make(name: str | None = None, password: str = PASSWORD) -> TestClient:
        c = TestClient(app, raise_server_exceptions=False)
        c.__enter__()
        made.append(c)
        if name:
            assert login(c, name, password).status_code == 303
        return c

    yield make
    for c in made:
        c.__exit__(None, None, None)


def token(c: TestClient) -> str:
    return csrf_of(c.get("/account").text)


def me(c: TestClient, **kw) -> dict:
    return c.get("/api/me", **kw).json()


def bearer(t: str) -> dict:
    return {"headers": {"Authorization": f"Bearer {t}"}}


def audit_rows(archive: Path, **filters) -> list:
    from cablebase.access import audit
    from cablebase.archive.store import open_store

    with open_store(archive) as store:
        return list(audit.entries(store.conn, **filters))


# -- the page --------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in_and_back(new_client):
    anon = new_client()
    r = anon.get("/account", follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"] == "/login?next=/account"
    r = login(anon, "alice", next_url="/account")
    assert r.headers["location"] == "/account"
    assert new_client().post("/account/tokens", data={"label": "x"}).status_code == 401


def test_page_shows_the_account_and_the_header_links_to_it(new_client):
    bob = new_client("bob")
    assert 'id="account-link" href="/account"' in bob.get("/").text
    page = bob.get("/account")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert re.search(r'id="profile-name">bob<', page.text)
    assert re.search(r'id="profile-role">reader<', page.text)
    assert re.search(r'id="profile-clearance">SECRET<', page.text)
    assert re.search(r'id="profile-caveats">NOFORN<', page.text)
    assert "No API tokens." in page.text
    assert 'id="account-link"' not in new_client().get("/").text


# -- CSRF ------------------------------------------------------------------------------------

FORMS = ["/account/password", "/account/tokens", "/account/tokens/laptop/revoke"]


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize("sent", [None, "wrong"])
def test_every_form_refuses_a_missing_or_wrong_csrf_token(new_client, account_archive, path, sent):
    arch = new_client("arch1")
    kept = arch.post("/account/tokens", data={"csrf": token(arch), "label": "laptop"})
    assert kept.status_code == 200
    data = {"current": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD, "label": "other"}
    if sent is not None:
        data["csrf"] = sent
    r = arch.post(path, data=data, follow_redirects=False)
    assert r.status_code == 403, path
    assert me(arch)["name"] == "arch1"  # nothing happened, still logged in
    labels = re.findall(r'data-label="([^"]*)"', arch.get("/account").text)
    assert labels == ["laptop"]
    assert login(new_client(), "arch1").status_code == 303  # the password is unchanged
    arch.post("/account/tokens/laptop/revoke", data={"csrf": token(arch)})


# -- the password ----------------------------------------------------------------------------


def change(c: TestClient, current: str, new: str, again: str | None = None, **kw):
    data = {
        "csrf": token(c),
        "current": current,
        "new": new,
        "again": new if again is None else again,
    }
    return c.post("/account/password", data=data, follow_redirects=False, **kw)


def test_password_change_ends_other_sessions_and_keeps_this_one(new_client, account_archive):
    here, elsewhere = new_client("arch2"), new_client("arch2")
    api_session = new_client().post("/api/login", json={"name": "arch2", "password": PASSWORD})
    api_token = api_session.json()["token"]
    old_cookie = here.cookies.get("cb_session")

    r = change(here, PASSWORD, NEW_PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/account?done=password"
    new_cookie = here.cookies.get("cb_session")
    assert new_cookie and new_cookie != old_cookie  # a fresh session for this browser
    page = here.get(r.headers["location"])
    assert "Your password was changed" in page.text
    assert me(here)["name"] == "arch2"
    # Every other session ended: another browser, the old cookie, an API login.
    assert me(elsewhere)["authenticated"] is False
    stale = new_client()
    stale.cookies.set("cb_session", old_cookie)
    assert me(stale)["authenticated"] is False
    assert new_client().get("/api/me", **bearer(api_token)).status_code == 401
    # The old password no longer logs in, the new one does.
    assert login(new_client(), "arch2").status_code == 401
    assert login(new_client(), "arch2", NEW_PASSWORD).status_code == 303

    actions = [(e.action, e.user, e.target) for e in audit_rows(account_archive, limit=20)]
    assert ("user_passwd", "arch2", "arch2") in actions
    assert ("sessions_end", "arch2", "arch2") in actions


def test_wrong_current_password_is_refused(new_client, account_archive):
    alice = new_client("alice")
    r = change(alice, "not my password", NEW_PASSWORD)
    assert r.status_code == 400 and "current password is wrong" in r.text
    assert me(alice)["name"] == "alice"
    assert login(new_client(), "alice").status_code == 303
    failed = audit_rows(account_archive, user="alice", action="login_failed", limit=1)
    assert failed and failed[0].detail == "web password change"


def test_guessing_the_current_password_is_throttled_like_a_login(new_client, account_archive):
    from cablebase.access.accounts import NAME_FAILURES, Accounts
    from cablebase.archive.store import open_store

    with open_store(account_archive) as store:
        Accounts(store.conn, hasher=cheap_hasher()).add_user("dora", PASSWORD)
    dora = new_client("dora")
    for _ in range(NAME_FAILURES):
        assert change(dora, "a wrong guess!", NEW_PASSWORD).status_code == 400
    r = change(dora, PASSWORD, NEW_PASSWORD)  # even the right one, while locked
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert login(new_client(), "dora").status_code == 429  # the login form is locked too
    assert not audit_rows(account_archive, user="dora", action="user_passwd")


def test_mismatched_confirmation_is_refused(new_client):
    alice = new_client("alice")
    r = change(alice, PASSWORD, NEW_PASSWORD, again=NEW_PASSWORD + "!")
    assert r.status_code == 400 and "do not match" in r.text
    assert login(new_client(), "alice").status_code == 303
    assert login(new_client(), "alice", NEW_PASSWORD).status_code == 401


def test_weak_password_is_refused_with_the_models_message(new_client):
    alice = new_client("alice")
    r = change(alice, PASSWORD, "short")
    assert r.status_code == 400 and "password too short: at least 10 characters" in r.text
    assert me(alice)["name"] == "alice"
    assert login(new_client(), "alice").status_code == 303


# -- API tokens ------------------------------------------------------------------------------


def test_token_is_shown_once_works_is_listed_and_revoked(new_client, account_archive):
    bob = new_client("bob")
    r = bob.post("/account/tokens", data={"csrf": token(bob), "label": "my laptop"})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    secret = re.search(r'id="new-token-value">(cbt_[^<]+)<', r.text).group(1)
    assert "cannot be shown again" in r.text

    api = new_client()
    got = me(api, **bearer(secret))
    assert got["name"] == "bob" and got["clearance"] == "SECRET"
    page = bob.get("/account").text
    assert secret not in page  # never again
    row = re.search(r'<tr class="token" data-label="my laptop">.*?</tr>', page, re.S).group(0)
    assert "never" in row  # no expiry asked for

    # A second token with the same label is refused with the model's message.
    again = bob.post("/account/tokens", data={"csrf": token(bob), "label": "my laptop"})
    assert again.status_code == 400 and "has a token labelled" in again.text
    short = bob.post("/account/tokens", data={"csrf": token(bob), "label": "ci", "days": "7"})
    assert short.status_code == 200
    row = re.search(r'<tr class="token" data-label="ci">.*?</tr>', short.text, re.S).group(0)
    assert row.count("never") == 1  # not used yet, but it expires

    revoke = bob.post(
        "/account/tokens/my%20laptop/revoke", data={"csrf": token(bob)}, follow_redirects=False
    )
    assert revoke.status_code == 303
    page = bob.get(revoke.headers["location"]).text
    assert "was revoked" in page and 'data-label="my laptop"' not in page
    assert api.get("/api/me", **bearer(secret)).status_code == 401
    gone = bob.post("/account/tokens/my%20laptop/revoke", data={"csrf": token(bob)})
    assert gone.status_code == 404
    actions = {(e.action, e.detail) for e in audit_rows(account_archive, user="bob")}
    assert {("token_create", "my laptop"), ("token_revoke", "my laptop")} <= actions


def test_token_with_a_slash_in_its_label_can_be_revoked(new_client):
    bob = new_client("bob")
    made = bob.post("/account/tokens", data={"csrf": token(bob), "label": "ci/nightly"})
    secret = re.search(r'id="new-token-value">(cbt_[^<]+)<', made.text).group(1)
    assert 'action="/account/tokens/ci/nightly/revoke"' in made.text
    r = bob.post("/account/tokens/ci/nightly/revoke", data={"csrf": token(bob)})
    assert r.status_code == 200 and 'data-label="ci/nightly"' not in r.text
    assert new_client().get("/api/me", **bearer(secret)).status_code == 401


# -- paging of the audit log -----------------------------------------------------------------


def test_audit_log_pages_keep_the_filters(new_client, account_archive):
    from cablebase.access import audit
    from cablebase.archive.store import open_store

    with open_store(account_archive) as store:
        for i in range(250):  # same second: newest first is highest id first
            audit.record(store.conn, "pager", "paging_test", f"T{i}", str(i))
    root = new_client("root")

    def shown(page: str) -> list[int]:
        return [int(d) for d in re.findall(r"<td>(\d+)</td><td", page)]

    first = root.get("/admin/audit", params={"action": "paging_test"}).text
    assert shown(first) == list(range(249, 149, -1))
    assert re.search(r'id="audit-total">250<', first) and "Page 1 of 3" in first
    assert 'rel="prev"' not in first
    nxt = re.search(r'class="pg-next" href="([^"]+)"', first).group(1)
    assert nxt == "/admin/audit?action=paging_test&amp;page=2"

    second = root.get("/admin/audit", params={"action": "paging_test", "page": 2}).text
    assert shown(second) == list(range(149, 49, -1))
    assert "Entries 101–200 of" in second
    assert 'href="/admin/audit?action=paging_test&amp;page=1" rel="prev"' in second
    assert 'href="/admin/audit?action=paging_test&amp;page=3" rel="next"' in second

    third = root.get("/admin/audit", params={"action": "paging_test", "page": 3}).text
    assert shown(third) == list(range(49, -1, -1))
    assert 'rel="next"' not in third and 'rel="prev"' in third
    # A page past the end shows the last one; a small log has no pager at all.
    past = root.get("/admin/audit", params={"action": "paging_test", "page": 9}).text
    assert shown(past) == shown(third)
    one = root.get("/admin/audit", params={"user": "pager", "action": "paging_test", "page": 1})
    assert "user=pager&amp;action=paging_test&amp;page=2" in one.text
    few = root.get("/admin/audit", params={"user": "root", "action": "login"}).text
    assert 'class="pager"' not in few and 'data-action="login"' in few
    assert root.get("/admin/audit", params={"page": 0}).status_code == 422


def test_audit_entries_offset_and_count(account_archive):
    from cablebase.access import audit
    from cablebase.archive.store import open_store

    with open_store(account_archive) as store:
        conn = store.conn
        for i in range(5):
            audit.record(conn, "counter", "offset_test", None, str(i))
        assert audit.count(conn, action="offset_test") == 5
        assert audit.count(conn, user="counter", action="nothing") == 0
        got = [e.detail for e in audit.entries(conn, action="offset_test", limit=2, offset=1)]
        assert got == ["3", "2"]
        rest = [e.detail for e in audit.entries(conn, action="offset_test", offset=3)]
        assert rest == ["1", "0"]
