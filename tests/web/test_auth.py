"""Logging in and out, sessions, CSRF, throttling, bearer tokens, and every read path of the
reading room through the viewer's access (conftest.py: the ZETA cables and their users)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import (
    PASSWORD,
    Clock,
    cheap_hasher,
    csrf_of,
    login,
)

TTL = timedelta(hours=1)


@pytest.fixture(scope="module")
def access_archive(access_location: Path | str) -> Path | str:
    """The module's archive, on each store in turn (conftest.access_location)."""
    return access_location


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def app(access_archive: Path, clock: Clock):
    from cablebase.web.app import create_app

    return create_app(access_archive, hasher=cheap_hasher(), session_ttl=TTL, clock=clock)


@pytest.fixture
def new_client(app) -> Iterator:
    """A factory of fresh clients (each its own cookie jar) over the module's app."""
    made: list[TestClient] = []

    def make() -> TestClient:
        c = TestClient(app, raise_server_exceptions=False)
        c.__enter__()
        made.append(c)
        return c

    yield make
    for c in made:
        c.__exit__(None, None, None)


def as_user(new_client, name: str) -> TestClient:
    c = new_client()
    r = login(c, name)
    assert r.status_code == 303, r.text
    return c


def set_cookie_headers(r) -> list[str]:
    return r.headers.get_list("set-cookie")


# -- logging in ------------------------------------------------------------------------------


def test_login_sets_a_safe_session_cookie_and_identifies_the_user(new_client):
    c = new_client()
    r = login(c, "alice", next_url="/stats")
    assert r.status_code == 303 and r.headers["location"] == "/stats"
    cookie = next(h for h in set_cookie_headers(r) if h.startswith("cb_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie
    me = c.get("/api/me").json()
    assert me == {
        "authenticated": True,
        "name": "alice",
        "role": "reader",
        "clearance": "CONFIDENTIAL",
        "caveats": [],
        "policy": "controlled",
    }
    page = c.get("/").text
    assert 'id="who"' in page and "alice" in page and 'id="login-link"' not in page


def test_login_redirects_only_within_the_site(new_client):
    r = login(new_client(), "alice", next_url="//evil.example/x")
    assert r.headers["location"] == "/"


def test_secure_cookies_when_asked(access_archive):
    from cablebase.web.app import create_app

    app = create_app(access_archive, hasher=cheap_hasher(), secure_cookies=True)
    with TestClient(app, base_url="https://testserver") as c:
        r = login(c, "bob")
        cookie = next(h for h in set_cookie_headers(r) if h.startswith("cb_session="))
        assert "Secure" in cookie


@pytest.mark.parametrize("name", ["alice", "nobody-at-all"])
def test_wrong_password_or_name_is_401_without_a_hint(new_client, name):
    c = new_client()
    r = login(c, name, "not the password")
    assert r.status_code == 401
    assert "Wrong user name or password." in r.text
    assert 'name="password"' in r.text  # the form again
    assert not any(h.startswith("cb_session=") for h in set_cookie_headers(r))
    assert c.get("/api/me").json()["authenticated"] is False


@pytest.mark.parametrize("sent", [None, "", "wrong-token-wrong-token-wrong"])
def test_login_without_the_forms_token_is_403(new_client, sent):
    c = new_client()
    c.get("/login")  # the cookie half of the double submit
    data = {"name": "alice", "password": PASSWORD}
    if sent is not None:
        data["csrf"] = sent
    r = c.post("/login", data=data, follow_redirects=False)
    assert r.status_code == 403
    assert c.get("/api/me").json()["authenticated"] is False


def test_login_token_without_its_cookie_is_403(new_client):
    page = new_client().get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    other = new_client()  # has no cookie
    r = other.post(
        "/login",
        data={"name": "alice", "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert r.status_code == 403


def test_brute_force_is_throttled_with_429(access_archive, clock):
    from cablebase.access.accounts import NAME_FAILURES, Accounts
    from cablebase.archive.store import open_store

    with open_store(access_archive) as store:
        Accounts(store.conn, hasher=cheap_hasher()).add_user("victim", PASSWORD)
    from cablebase.web.app import create_app

    app = create_app(access_archive, hasher=cheap_hasher(), clock=clock)
    with TestClient(app, raise_server_exceptions=False) as c:
        for _ in range(NAME_FAILURES):
            assert login(c, "victim", "guess guess guess").status_code == 401
        r = login(c, "victim", PASSWORD)  # even the right password waits
        assert r.status_code == 429
        assert re.search(r"Too many attempts, try again in \d+ minutes?\.", r.text)
        assert int(r.headers["retry-after"]) > 0
        api = c.post("/api/login", json={"name": "victim", "password": PASSWORD})
        assert api.status_code == 429 and "try again in" in api.json()["error"]
        clock.advance(minutes=16)
        assert login(c, "victim", PASSWORD).status_code == 303


# -- sessions --------------------------------------------------------------------------------


def test_expired_session_is_no_session_and_says_so(new_client, clock):
    c = as_user(new_client, "bob")
    assert c.get("/cable/98ZETA1").status_code == 200
    clock.advance(hours=2)  # past the idle lifetime
    r = c.get("/cable/98ZETA1")
    assert r.status_code == 404  # read as anonymous now
    assert any(h.startswith("cb_session=") and "Max-Age=0" in h for h in set_cookie_headers(r))
    page = new_client()
    page.cookies.set("cb_session", "stale-token-stale-token")
    front = page.get("/")
    assert front.status_code == 200 and 'id="session-expired"' in front.text
    assert "Your session expired" in page.get("/login?expired=1").text


def test_logout_needs_the_csrf_token_and_ends_the_session(new_client):
    c = as_user(new_client, "bob")
    html = c.get("/").text
    token = csrf_of(html)
    old = c.cookies.get("cb_session")
    assert c.post("/logout", follow_redirects=False).status_code == 403
    assert c.post("/logout", data={"csrf": "nope"}, follow_redirects=False).status_code == 403
    assert c.get("/api/me").json()["name"] == "bob"  # still logged in
    r = c.post("/logout", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/api/me").json()["authenticated"] is False
    # The old cookie is dead on the server too.
    again = new_client()
    again.cookies.set("cb_session", old)
    assert again.get("/api/me").json()["authenticated"] is False


# -- bearer tokens -----------------------------------------------------------------------------


def test_api_login_gives_a_bearer_token(new_client):
    c = new_client()
    r = c.post("/api/login", json={"name": "bob", "password": PASSWORD})
    assert r.status_code == 200
    token = r.json()["token"]
    head = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/me", headers=head).json()["name"] == "bob"
    assert c.get("/api/cables/98ZETA1", headers=head).status_code == 200
    assert c.post("/api/logout", headers=head).status_code == 200
    assert c.get("/api/me", headers=head).status_code == 401


def test_api_login_failure_is_401_json(new_client):
    r = new_client().post("/api/login", json={"name": "bob", "password": "wrong wrong wrong"})
    assert (
        r.status_code == 401
        and r.json()
        == {
            "error": "wrong user name or password",
            "position": None,
            "query": None,
            "problems": None,
        }
        or r.json()["error"] == "wrong user name or password"
    )


def test_api_tokens_valid_revoked_and_garbage(new_client, access_archive):
    from cablebase.access.accounts import Accounts
    from cablebase.archive.store import open_store

    with open_store(access_archive) as store:
        acc = Accounts(store.conn, hasher=cheap_hasher())
        token = acc.create_token("bob", "laptop")
    c = new_client()
    head = {"Authorization": f"Bearer {token}"}
    me = c.get("/api/me", headers=head).json()
    assert me["name"] == "bob" and me["clearance"] == "SECRET" and me["caveats"] == ["NOFORN"]
    assert "quokkasecret" in c.get("/api/cables/98ZETA1", headers=head).text
    with open_store(access_archive) as store:
        Accounts(store.conn, hasher=cheap_hasher()).revoke_token("bob", "laptop")
    for bad in (token, "garbage", "", "x" * 5000):
        r = c.get("/api/cables/98ZETA1", headers={"Authorization": f"Bearer {bad}"})
        assert r.status_code == 401, bad
        assert r.json()["error"] == "invalid or expired token"
        assert r.headers["www-authenticate"].startswith("Bearer")
    # No credentials at all: anonymous, not refused.
    me = c.get("/api/me").json()
    assert me["authenticated"] is False and me["clearance"] is None


# -- every path through the viewer's access ----------------------------------------------------


def test_cable_not_for_the_viewer_is_404_like_a_missing_one(new_client):
    alice = as_user(new_client, "alice")
    hidden = alice.get("/api/cables/98ZETA2")
    missing = alice.get("/api/cables/98ZETA9")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"].replace("98ZETA2", "X") == missing.json()["error"].replace(
        "98ZETA9", "X"
    )
    for path in ("/cable/{}", "/cable/{}/telegram", "/cable/{}/graph", "/api/cables/{}/telegram"):
        assert alice.get(path.format("98ZETA2")).status_code == 404, path
    root = as_user(new_client, "root")
    assert "tsnarwhal" in root.get("/cable/98ZETA2").text


def test_partial_view_shows_withheld_paragraphs_with_their_marks(new_client):
    alice = as_user(new_client, "alice")
    html = alice.get("/cable/98ZETA1").text
    assert "meadowlark" in html and "ZETA: HARVEST REPORT" in html  # U paragraph, C subject
    assert "quokkasecret" not in html and "Kantao" not in html
    assert 'id="partial-note"' in html
    withheld = re.search(r'<div class="ptext withheld".*?</div>', html, re.S).group(0)
    assert "Withheld" in withheld and "S/NF" in withheld
    record = alice.get("/api/cables/98ZETA1").json()
    assert record["paragraphs"][1]["text"] == "[withheld]"
    assert "quokkasecret" not in alice.get("/api/cables/98ZETA1/telegram").text
    assert "quokkasecret" not in alice.get("/cable/98ZETA1/telegram").text
    bob = as_user(new_client, "bob")
    assert "quokkasecret" in bob.get("/cable/98ZETA1").text
    assert 'id="partial-note"' not in bob.get("/cable/98ZETA1").text


def test_anonymous_reads_only_declassified_cables(new_client):
    anon = new_client()
    page = anon.get("/")
    assert page.status_code == 200 and 'id="login-link"' in page.text
    assert anon.get("/cable/97ATLANTIS101").status_code == 200  # declassified in 2007
    for rid in ("98ZETA1", "98ZETA2", "98ZETA3"):
        assert anon.get(f"/cable/{rid}").status_code == 404
        assert anon.get(f"/api/cables/{rid}").status_code == 404
    assert anon.get("/api/search", params={"q": "origin:zeta"}).json()["total"] == 0
    assert anon.get("/browse/posts/Embassy Zeta").status_code == 404


def test_search_hits_snippets_and_facets_follow_the_viewer(new_client):
    alice, bob, root = (as_user(new_client, n) for n in ("alice", "bob", "root"))
    for word, who_sees in (
        ("quokkasecret", {"bob", "root"}),
        ("tsnarwhal", {"root"}),
        ("plainwombat", {"alice", "bob", "root"}),
    ):
        for name, c in (("alice", alice), ("bob", bob), ("root", root)):
            api = c.get("/api/search", params={"q": word}).json()
            assert (api["total"] == 1) == (name in who_sees), (word, name)
            page = c.get("/search", params={"q": word}).text
            assert ('href="/cable/98ZETA' in page) == (name in who_sees), (word, name)
    # A query without text: alice sees ZETA1 (partly) and ZETA3, never ZETA2; no snippet of
    # hers shows a withheld paragraph.
    res = alice.get("/api/search", params={"q": "origin:zeta"}).json()
    assert {h["reference_id"] for h in res["hits"]} == {"98ZETA1", "98ZETA3"}
    assert res["total"] == 2
    classes = dict(res["facets"]["classification"])
    assert "TOP SECRET" not in classes
    page = alice.get("/search", params={"q": "origin:zeta"}).text
    assert "quokkasecret" not in page and "Kantao" not in page and "tsnarwhal" not in page
    assert "98ZETA2" not in page
    full = root.get("/api/search", params={"q": "origin:zeta"}).json()
    assert full["total"] == 3 and dict(full["facets"]["classification"])["TOP SECRET"] == 1


def test_cached_counts_are_never_shared_between_viewers(new_client):
    root = as_user(new_client, "root")
    alice = as_user(new_client, "alice")
    anon = new_client()
    for _ in range(2):  # the second round is answered from the caches
        assert "Embassy Zeta" in root.get("/browse/posts").text
        assert "Embassy Zeta" in alice.get("/browse/posts").text
        assert "Embassy Zeta" not in anon.get("/browse/posts").text
        for c in (root, alice, anon):
            seen = c.get("/api/search", params={"facets": "false"}).json()["total"]
            assert c.get("/api/health").json()["cables"] == seen
            assert c.get("/api/stats").json()["cables"] == seen
        a = alice.get("/api/search", params={"q": "tag:ZZ"}).json()["total"]
        r = root.get("/api/search", params={"q": "tag:ZZ"}).json()["total"]
        assert (a, r) == (2, 3)
        assert anon.get("/api/search", params={"q": "tag:ZZ"}).json()["total"] == 0


def test_citations_graph_and_neighbours_hide_what_the_viewer_may_not_see(new_client):
    alice = as_user(new_client, "alice")
    root = as_user(new_client, "root")
    refs = alice.get("/api/cables/98ZETA3/references").json()
    assert refs["cited_by"] == []  # ZETA2 cites it, but alice may not know ZETA2 exists
    assert [link["in_archive"] for link in refs["cites"]] == [False]  # as if missing
    assert [
        x["reference_id"] for x in root.get("/api/cables/98ZETA3/references").json()["cited_by"]
    ] == ["98ZETA2"]
    page = alice.get("/cable/98ZETA3").text
    cited_by = re.search(r'<section class="refs citedby".*?</section>', page, re.S).group(0)
    assert "98ZETA2" not in cited_by
    graph = alice.get("/cable/98ZETA3/graph")
    assert "NARWHAL" not in graph.text and "/cable/98ZETA2" not in graph.text
    # ZETA3 cites ZETA2 (its own reference, drawn to a "missing" node); what ZETA2 cites
    # (ZETA3 back) is ZETA2's secret: one arrow, not two.
    assert graph.text.count('<line class="edge"') == 1
    assert root.get("/cable/98ZETA3/graph").text.count('<line class="edge"') == 2
    # prev/next from the same post skip the hidden cable
    nxt = re.search(
        r'id="next-cable"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*id="next-cable"',
        alice.get("/cable/98ZETA1").text,
    )
    assert nxt is None or "98ZETA2" not in (nxt.group(1) or nxt.group(2))
    assert "98ZETA2" in root.get("/cable/98ZETA1").text


def test_exports_follow_the_viewer(new_client):
    alice = as_user(new_client, "alice")
    root = as_user(new_client, "root")
    a = alice.get("/api/export", params={"q": "origin:zeta", "format": "jsonl"})
    assert a.status_code == 200 and a.headers["x-total-count"] == "2"
    assert "quokkasecret" not in a.text and "tsnarwhal" not in a.text and "NARWHAL" not in a.text
    ids = [json.loads(line)["reference_id"] for line in a.text.splitlines()]
    assert ids == ["98ZETA1", "98ZETA3"]
    r = root.get("/api/export", params={"q": "origin:zeta", "format": "jsonl"})
    assert r.headers["x-total-count"] == "3" and "tsnarwhal" in r.text
    g = alice.get("/api/graph", params={"q": "origin:zeta"})
    assert g.status_code == 200 and "NARWHAL" not in g.text
    h = alice.get("/api/health").json()
    assert h["cables"] == alice.get("/api/search", params={"facets": "false"}).json()["total"]
