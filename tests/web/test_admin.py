"""The administration pages (users, audit log) and the release pages, through the real app
(conftest.py: the ZETA cables and their users)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import (
    PASSWORD,
    add_access,
    cheap_hasher,
    csrf_of,
    login,
    zeta_cables,
)


@pytest.fixture(scope="module")
def admin_archive(access_location: Path | str) -> Path | str:
    """The module's archive, on each store in turn (conftest.access_location)."""
    return access_location


@pytest.fixture(scope="module")
def app(admin_archive: Path):
    from cablebase.web.app import create_app

    return create_app(admin_archive, hasher=cheap_hasher())


def _clients(app) -> Iterator:
    """A factory of clients of `app`, logged in as the user named, closed afterwards."""
    made: list[TestClient] = []

    def make(name: str | None = None) -> TestClient:
        c = TestClient(app, raise_server_exceptions=False)
        c.__enter__()
        made.append(c)
        if name:
            assert login(c, name).status_code == 303
        return c

    yield make
    for c in made:
        c.__exit__(None, None, None)


@pytest.fixture
def new_client(app) -> Iterator:
    yield from _clients(app)


@pytest.fixture(scope="module")
def release_app(archive_store):
    """The ZETA cables and their users on each store (conftest.archive_store): the release
    pages run on SQLite and on PostgreSQL."""
    from cablebase.archive.store import open_store
    from cablebase.web.app import create_app

    location = archive_store(zeta_cables())
    store = open_store(location)
    try:
        add_access(store)
    finally:
        store.close()
    app = create_app(location, hasher=cheap_hasher())
    yield app
    app.state.audit.close()  # its last entries written before the database goes


@pytest.fixture
def release_client(release_app) -> Iterator:
    yield from _clients(release_app)


def token(c: TestClient) -> str:
    return csrf_of(c.get("/").text)


# -- who may use the pages -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/admin/users", "/admin/audit", "/admin/audit/export", "/releases", "/releases/new"]
)
def test_restricted_pages_need_the_right_role(new_client, path, admin_archive):
    anon = new_client()
    r = anon.get(path, follow_redirects=False)
    assert r.status_code == 401 and 'id="error-login"' in r.text
    assert new_client("alice").get(path).status_code == 403
    if path.startswith("/admin"):
        assert new_client("arch1").get(path).status_code == 403
    ok = (200, 404)  # /releases/new: no cable
    assert new_client("root").get(path).status_code in ok


def test_nav_shows_admin_and_release_links_by_role(new_client):
    assert 'href="/admin/users"' not in new_client("alice").get("/").text
    page = new_client("root").get("/").text
    assert 'href="/admin/users"' in page and 'href="/releases"' in page
    page = new_client("arch1").get("/").text
    assert 'href="/admin/users"' not in page and 'href="/releases"' in page


# -- CSRF on every form ----------------------------------------------------------------------

FORMS = [
    "/logout",
    "/admin/users",
    "/admin/users/alice/grant",
    "/admin/users/alice/revoke",
    "/admin/users/alice/disable",
    "/admin/users/alice/enable",
    "/admin/users/alice/role",
    "/releases/new",
    "/releases/1/update",
    "/releases/1/review",
    "/releases/1/publish",
    "/releases/1/withdraw",
]


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize("sent", [None, "wrong"])
def test_every_form_refuses_a_missing_or_wrong_csrf_token(new_client, path, sent):
    c = new_client("root")
    data = {"name": "mallory", "password": PASSWORD, "cable": "98ZETA1", "clearance": "TOP SECRET"}
    if sent is not None:
        data["csrf"] = sent
    r = c.post(path, data=data, follow_redirects=False)
    assert r.status_code == 403, path
    assert c.get("/api/me").json()["name"] == "root"  # nothing happened, still logged in
    me = new_client("root").get("/admin/users").text
    assert "mallory" not in me and 'data-name="alice"' in me


# -- users -----------------------------------------------------------------------------------


def test_admin_adds_grants_revokes_and_disables(new_client):
    root = new_client("root")
    t = token(root)
    r = root.post(
        "/admin/users",
        data={
            "csrf": t,
            "name": "carol",
            "password": PASSWORD,
            "role": "reader",
            "clearance": "CONFIDENTIAL",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = root.get(r.headers["location"]).text
    row = re.search(r'<tr id="user-carol".*?</tr>', page, re.S).group(0)
    assert "CONFIDENTIAL" in row and "reader" in row
    # A bad user is a 400 with the form again.
    bad = root.post("/admin/users", data={"csrf": t, "name": "dave", "password": "short"})
    assert bad.status_code == 400 and "password too short" in bad.text

    carol = new_client("carol")
    assert carol.get("/cable/98ZETA1").status_code == 200  # partial: the U paragraph
    assert "quokkasecret" not in carol.get("/cable/98ZETA1").text
    grant = root.post(
        "/admin/users/carol/grant",
        data={"csrf": t, "clearance": "SECRET", "caveats": ["NOFORN"]},
        follow_redirects=False,
    )
    assert grant.status_code == 303
    assert "quokkasecret" in carol.get("/cable/98ZETA1").text  # at once, same session
    me = carol.get("/api/me").json()
    assert me["clearance"] == "SECRET" and me["caveats"] == ["NOFORN"]
    root.post("/admin/users/carol/revoke", data={"csrf": t, "caveats": ["NOFORN"]})
    assert "quokkasecret" not in carol.get("/cable/98ZETA1").text
    assert carol.get("/api/me").json()["caveats"] == []
    root.post("/admin/users/carol/disable", data={"csrf": t})
    assert carol.get("/api/me").json()["authenticated"] is False  # the session ended
    r = login(new_client(), "carol")
    assert r.status_code == 403 and "disabled" in r.text
    root.post("/admin/users/carol/enable", data={"csrf": t})
    assert login(new_client(), "carol").status_code == 303


# -- the audit log ---------------------------------------------------------------------------


def test_audit_records_logins_reads_searches_and_exports(new_client):
    bob = new_client("bob")
    bob.get("/cable/98ZETA1")
    bob.get("/api/cables/98ZETA3", headers={})
    bob.get("/cable/98ZETA1/telegram")
    bob.get("/search", params={"q": "meadowlark"})
    bob.get("/api/search", params={"q": "plainwombat"})
    bob.get("/api/export", params={"q": "origin:zeta", "format": "csv"})
    new_client().get("/cable/97ATLANTIS101")  # anonymous
    login(new_client(), "bob", "wrong password!")

    root = new_client("root")
    page = root.get("/admin/audit", params={"user": "bob"}).text
    actions = re.findall(r'<tr class="entry" data-action="([^"]+)"', page)
    assert {"login", "read", "search", "export", "login_failed"} <= set(actions)
    assert actions[0] == "login_failed"  # newest first
    reads = root.get("/admin/audit", params={"action": "read"}).text
    assert "98ZETA1" in reads and "98ZETA3" in reads and "97ATLANTIS101" in reads

    r = root.get("/admin/audit/export", params={"user": "bob", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and all(row["user"] == "bob" for row in rows)
    got = {(row["action"], row["target"]) for row in rows}
    assert ("search", "meadowlark") in got and ("search", "plainwombat") in got
    assert ("read", "98ZETA1") in got and ("export", "origin:zeta") in got
    j = root.get("/admin/audit/export", params={"action": "search", "format": "jsonl"})
    lines = [json.loads(x) for x in j.text.splitlines()]
    assert lines and {x["action"] for x in lines} == {"search"}


# -- releases --------------------------------------------------------------------------------


def test_release_through_the_pages_by_two_archivists(release_client):
    new_client = release_client
    arch1, arch2, anon = new_client("arch1"), new_client("arch2"), new_client()
    assert anon.get("/cable/98ZETA1").status_code == 404  # closed before the release
    form = arch1.get("/releases/new", params={"cable": "98ZETA1"})
    assert form.status_code == 200 and "quokkasecret" in form.text
    assert 'name="withheld" value="1"' in form.text
    t1 = token(arch1)
    r = arch1.post(
        "/releases/new",
        data={"csrf": t1, "cable": "98ZETA1", "withheld": ["1"], "spans": "Kantao\n", "note": "x"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    url = r.headers["location"]
    rid = int(url.rsplit("/", 1)[1])
    page = arch1.get(url).text
    assert "(Paragraph withheld.)" in page and "meadowlark" in page
    assert 'id="release-review"' not in page  # the preparer may not review
    # The two-person rule holds on the server too.
    own = arch1.post(f"/releases/{rid}/review", data={"csrf": t1})
    assert own.status_code == 409 and "another archivist" in own.text
    t2 = token(arch2)
    assert 'id="release-review"' in arch2.get(url).text
    r = arch2.post(f"/releases/{rid}/review", data={"csrf": t2}, follow_redirects=False)
    assert r.status_code == 303
    r = arch2.post(f"/releases/{rid}/publish", data={"csrf": t2}, follow_redirects=False)
    assert r.status_code == 303
    assert 'data-status="published"' in arch2.get(url).text
    listing = arch1.get("/releases", params={"status": "published"}).text
    assert f'data-id="{rid}"' in listing

    # Everyone reads the release now; the withheld paragraph and the span stay out.
    html = anon.get("/cable/98ZETA1").text
    assert "meadowlark" in html and "(Paragraph withheld.)" in html
    assert "quokkasecret" not in html and "Kantao" not in html
    assert 'id="release-note"' in html and "arch2" in html
    api = anon.get("/api/cables/98ZETA1").json()
    assert api["paragraphs"][1]["text"] == "(Paragraph withheld.)"
    assert anon.get("/api/search", params={"q": "quokkasecret"}).json()["total"] == 0
    assert anon.get("/api/search", params={"q": "meadowlark"}).json()["total"] == 1


def test_releases_are_refused_to_readers_and_to_anonymous_posts(release_client):
    new_client = release_client
    alice = new_client("alice")
    t = token(alice)
    assert alice.post("/releases/new", data={"csrf": t, "cable": "98ZETA3"}).status_code == 403
    assert new_client().post("/releases/new", data={"cable": "98ZETA3"}).status_code == 401


def test_release_adds_a_version_readers_of_the_original_keep_it(release_app, release_client):
    from cablebase.access import releases

    store = release_app.state.writers.any_store()
    if releases.provenance(store, "98ZETA1") is None:
        r = releases.prepare(store, "98ZETA1", withheld=[1], by="arch1")
        releases.review(store, r.id, by="arch2")
        releases.publish(store, r.id, by="arch2")
    anon, bob = release_client(), release_client("bob")
    public = anon.get("/cable/98ZETA1")
    assert public.status_code == 200 and "quokkasecret" not in public.text
    assert 'id="release-note"' in public.text and 'id="versions"' not in public.text
    page = bob.get("/cable/98ZETA1")  # SECRET + NOFORN: the original, whole
    assert "quokkasecret" in page.text and 'id="release-note"' not in page.text
    assert '<a href="/cable/98ZETA1?version=2">2</a>' in page.text
    v2 = bob.get("/cable/98ZETA1", params={"version": 2})
    assert "quokkasecret" not in v2.text and 'id="release-note"' in v2.text
    assert "quokkasecret" in bob.get("/cable/98ZETA1", params={"version": 1}).text
    assert anon.get("/cable/98ZETA1", params={"version": 1}).status_code == 404
    api = bob.get("/api/cables/98ZETA1").json()
    assert "quokkasecret" in api["paragraphs"][1]["text"]
    api2 = bob.get("/api/cables/98ZETA1", params={"version": 2}).json()
    assert "quokkasecret" not in api2["paragraphs"][1]["text"]
    assert anon.get("/api/cables/98ZETA1", params={"version": 1}).status_code == 404
    assert anon.get("/api/cables/98ZETA1", params={"version": 0}).status_code == 422
