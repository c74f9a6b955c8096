"""The drafting desk's pages and API (web/drafting_pages.py): compose with the rules' findings
at their lines, save, submit, clear, release; who sees what; CSRF; bearer-only API writes —
on each store (`app` and the oracle run over SQLite and PostgreSQL: tests/store_fixtures.py)."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_drafting import BASE
from tests.web.conftest import PASSWORD, cheap_hasher, csrf_of, login

# The seed-like draft, its REF A marked NOTAL (this archive holds no BAMAKO 754): no finding
GOOD = BASE.replace("A. BAMAKO 754", "A. BAMAKO 754 (NOTAL)")
# ... with its SUBJECT unmarked: one error (subject.unmarked) on line 12, with a fix
BROKEN = GOOD.replace("SUBJECT: (C) MINISTER", "SUBJECT: MINISTER")
SUBJECT_LINE = 12
SECRET_WORD = "MINISTER PREVIEWS THE SUMMIT"


def year2() -> str:
    return f"{dt.datetime.now(dt.UTC).year % 100:02d}"


def archived(serial: int, level: str):  # type: ignore[no-untyped-def]
    """A cable of 2009 from Bamako a draft may cite (754: above every account's clearance)."""
    from cablebase.record import Cable, Paragraph

    return Cable(
        reference_id=f"09BAMAKO{serial}",
        created="2009-06-01T10:00:00Z",
        origin="Embassy Bamako",
        post="BAMAKO",
        classification=level,
        subject=f"ARCHIVED {serial}",
        paragraphs=[Paragraph(number=1, portion=None, text=f"Archived cable {serial}.")],
    )


def build(path: str) -> str:
    """A controlled archive: ann drafts at Bamako, carl clears for AF/W, rita releases for
    Bamako, eve is a reader cleared as high as the rest but on no desk, boss the admin."""
    from cablebase.access.accounts import Accounts
    from cablebase.access.policy import Access, Policy
    from cablebase.access.settings import get_policy, set_policy
    from cablebase.archive.store import open_store
    from cablebase.drafting.desk import Desk
    from cablebase.drafting.store import DraftStore

    with open_store(path) as store:
        store.put_many([archived(754, "TOP SECRET"), archived(755, "UNCLASSIFIED")])
        set_policy(store.conn, Policy("controlled"))
        acc = Accounts(store.conn, hasher=cheap_hasher())
        users = {
            name: acc.add_user(name, PASSWORD, role, "SECRET")
            for name, role in (
                ("ann", "reader"),
                ("carl", "reader"),
                ("rita", "reader"),
                ("eve", "reader"),
                ("boss", "admin"),
            )
        }
        viewer = users["boss"].viewer
        admin = Desk(DraftStore(store.conn, Access(get_policy(store.conn), viewer)), store, viewer)
        admin.add_member("AF/W", "carl")
        admin.add_member("release:BAMAKO", "rita")
        if not admin.db.postgres:
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def app(empty_archive: str):
    from cablebase.web.app import create_app

    app = create_app(build(empty_archive), hasher=cheap_hasher())
    yield app
    app.state.audit.close()  # its last entries written before the archive goes


def client_as(app, name: str | None) -> TestClient:
    c = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    if name:
        assert login(c, name).status_code == 303
    return c


def token_of(app, name: str) -> dict[str, str]:
    from cablebase.access.accounts import Accounts
    from cablebase.archive.store import open_store

    with open_store(app.state.archives.path) as store:
        token = Accounts(store.conn, hasher=cheap_hasher()).create_token(name, "desk")
    return {"Authorization": f"Bearer {token}"}


def csrf(c: TestClient) -> str:
    return csrf_of(c.get("/drafts").text)


def new_draft(c: TestClient, body: str = BROKEN) -> int:
    r = c.post("/drafts/new", data={"csrf": csrf(c), "body": body, "form": "text"})
    assert r.status_code == 303, r.text[:500]
    return int(r.headers["location"].rsplit("/", 1)[1])


def findings_on_page(html: str) -> list[tuple[str, str, str]]:
    """(line, rule, severity) of each finding the page lists."""
    return re.findall(r'<li class="finding (\w+)" data-line="(\d*)" data-rule="([\w.]+)"', html)


def same_id(text: str) -> str:
    """An answer with the draft's number put aside (compare an absent draft's answer)."""
    return re.sub(r"(no draft |drafts/|drafts%2F)\d+", r"\1N", text)


def test_anonymous_visitors_get_the_login_page(app) -> None:
    c = client_as(app, None)
    for url in ("/drafts", "/drafts/new", "/drafts/queue", "/drafts/1"):
        r = c.get(url)
        assert r.status_code == 302 and r.headers["location"].startswith("/login?next=/drafts")
    assert c.post("/drafts/new", data={"body": GOOD}).status_code == 401
    assert c.post("/drafts/1/submit", data={}).status_code == 401
    assert c.get("/api/drafts").status_code == 401
    assert c.post("/api/drafts/check", json={"body": GOOD}).status_code == 401
    assert "/drafts" not in c.get("/").text.split("<main")[0]  # no header link


def test_compose_shows_the_error_at_its_line_and_the_live_check_agrees(app) -> None:
    c = client_as(app, "ann")
    assert 'id="drafts-link"' in c.get("/").text
    page = c.get("/drafts/new")
    assert page.status_code == 200 and 'src="/static/draft.js"' in page.text
    did = new_draft(c)
    html = c.get(f"/drafts/{did}").text
    assert findings_on_page(html) == [("error", str(SUBJECT_LINE), "subject.unmarked")]
    assert "fix: <code>mark it, e.g. SUBJECT: (U)" in html
    # the live check: the same finding from the JSON endpoint, on the session cookie
    live = c.post("/api/drafts/check", json={"body": BROKEN, "form": "text"}).json()
    assert live["errors"] == 1
    assert [(f["line"], f["rule"], f["fix"] is not None) for f in live["findings"]] == [
        (SUBJECT_LINE, "subject.unmarked", True)
    ]
    assert c.post("/api/drafts/check", json={"body": GOOD}).json() == {
        "errors": 0,
        "warnings": 0,
        "findings": [],
    }
    # a structured draft that does not read: one finding at the line it names
    bad = c.post("/api/drafts/check", json={"body": '{\n  "post": ,\n}', "form": "json"}).json()
    assert bad["findings"][0]["rule"] == "draft.unreadable" and bad["findings"][0]["line"] == 2
    # submit refuses while the error is open, and says why
    r = c.post(f"/drafts/{did}/submit", data={"csrf": csrf(c), "offices": "AF/W"})
    assert r.status_code == 409 and "subject.unmarked" in r.text
    # save the fix: version 2, no finding
    r = c.post(f"/drafts/{did}/save", data={"csrf": csrf(c), "body": GOOD, "form": "text"})
    assert r.status_code == 303
    html = c.get(r.headers["location"]).text
    assert findings_on_page(html) == [] and "version 2 of 2" in html
    assert "Saved as a new version." in html


def test_submit_clear_release_through_the_pages(app) -> None:
    ann, carl, rita, eve = (client_as(app, n) for n in ("ann", "carl", "rita", "eve"))
    did = new_draft(ann, GOOD)
    # a draft being written is its author's alone
    assert carl.get(f"/drafts/{did}").status_code == 404
    r = ann.post(f"/drafts/{did}/submit", data={"csrf": csrf(ann), "offices": "af/w"})
    assert r.status_code == 303
    html = ann.get(f"/drafts/{did}").text
    assert 'data-office="AF/W"' in html and 'id="draft-body"' not in html  # frozen
    # eve (no desk of hers) sees nothing of it: the same 404 as a draft that does not exist
    for url in (f"/drafts/{did}", f"/api/drafts/{did}"):
        got, none = eve.get(url), eve.get(url.replace(str(did), "999"))
        assert got.status_code == none.status_code == 404
        assert SECRET_WORD not in got.text
        assert same_id(got.text) == same_id(none.text)
    assert SECRET_WORD not in eve.get("/drafts").text + eve.get("/drafts/queue").text
    # rita cannot release before AF/W cleared; ann cannot clear her own draft
    r = ann.post(f"/drafts/{did}/clear", data={"csrf": csrf(ann), "office": "AF/W"})
    assert r.status_code == 409 and "another officer clears it" in r.text
    # carl's queue: one draft, a button for his office
    queue = carl.get("/drafts/queue").text
    assert f'data-id="{did}"' in queue and "Clear for AF/W" in queue
    r = carl.post(f"/drafts/{did}/clear?from=queue", data={"csrf": csrf(carl), "office": "AF/W"})
    assert r.status_code == 303 and r.headers["location"] == "/drafts/queue"
    assert f'data-id="{did}"' not in carl.get("/drafts/queue").text
    # the drafter may not release (no self-release at Bamako)
    assert 'id="draft-release"' not in ann.get(f"/drafts/{did}").text
    assert f'data-id="{did}"' in rita.get("/drafts/queue").text
    r = rita.post(f"/drafts/{did}/release", data={"csrf": csrf(rita)})
    assert r.status_code == 303
    html = rita.get(r.headers["location"]).text
    rid = f"{year2()}BAMAKO1"
    assert f'id="released-id" href="/cable/{rid}"' in html
    assert re.search(r'id="released-serial">1<', html)
    dtg = re.search(r'id="released-dtg">(\d{6}Z [A-Z]{3} \d\d)<', html)
    assert dtg, html[:2000]
    assert "C O N F I D E N T I A L" in html and dtg.group(1) in html  # the telegram
    # the stored cable: its page, its telegram, found by search
    assert rita.get(f"/cable/{rid}").status_code == 200
    assert "MINISTER PREVIEWS" in rita.get(f"/cable/{rid}/telegram").text
    assert rid in rita.get("/search?q=" + "minister previews summit").text
    # released twice: refused, no second serial
    r = rita.post(f"/drafts/{did}/release", data={"csrf": csrf(rita)})
    assert r.status_code == 409 and "already released" in r.text


def test_the_live_check_resolves_refs_only_among_cables_the_reader_may_see(app) -> None:
    """REF items resolve against the archive as the drafter reads it: a cable above their
    clearance is reported exactly like one the archive does not hold."""
    c = client_as(app, "ann")

    def check(ref: str) -> list[dict]:
        body = GOOD.replace("A. BAMAKO 754 (NOTAL)", f"A. {ref}")
        return c.post("/api/drafts/check", json={"body": body}).json()["findings"]

    assert check("09 BAMAKO 755") == []  # visible: resolves
    hidden, missing = check("09 BAMAKO 754"), check("09 BAMAKO 999")
    assert [f["rule"] for f in hidden] == ["refs.resolve"]
    assert json.dumps(hidden).replace("754", "N") == json.dumps(missing).replace("999", "N")


def test_a_structured_draft_is_composed_as_fields(app) -> None:
    """A YAML draft through the same form: each finding names its field and its line in the
    YAML text."""
    from tests.test_drafting_structured import YAML

    body = YAML.replace("  - BAMAKO 754\n", "  - BAMAKO 754 (NOTAL)\n").replace(
        "tags: [PREL, PGOV, ML]", "tags: [PREL, PGOV, ML, ZZZZ]"
    )
    line = body.splitlines().index("tags: [PREL, PGOV, ML, ZZZZ]") + 1
    c = client_as(app, "ann")
    live = c.post("/api/drafts/check", json={"body": body, "form": "yaml"}).json()
    tags = [f for f in live["findings"] if f["rule"].startswith("tags.")]
    assert tags and tags[0]["line"] == line and tags[0]["field"].startswith("tags")
    r = c.post("/drafts/new", data={"csrf": csrf(c), "body": body, "form": "yaml"})
    assert r.status_code == 303
    html = c.get(r.headers["location"]).text
    assert (str(line), tags[0]["rule"]) in {(n, rule) for _, n, rule in findings_on_page(html)}
    assert f'<code class="field">[{tags[0]["field"]}]</code>' in html
    assert '<option value="yaml" selected>' in html


def test_the_reading_room_shows_a_released_cable_as_transmitted(app) -> None:
    """A released cable longer than a page reads on /cable/ID/telegram as the draft page's
    telegram: pages of at most 20 lines with their markers (drafting/released.py)."""
    import html as html_lib

    long = GOOD.replace(
        "2. (U) Embassy will report further.",
        "\n\n".join(f"{n}. (U) Embassy paragraph {n} of the long cable." for n in range(2, 30)),
    )
    c = TestClient(app, raise_server_exceptions=False)
    ann, carl, rita = (token_of(app, n) for n in ("ann", "carl", "rita"))
    did = c.post("/api/drafts", json={"body": long}, headers=ann).json()["draft"]["id"]
    c.post(f"/api/drafts/{did}/submit", json={"offices": ["AF/W"]}, headers=ann)
    c.post(f"/api/drafts/{did}/clear", json={"office": "AF/W"}, headers=carl)
    rid = c.post(f"/api/drafts/{did}/release", headers=rita).json()["release"]["reference_id"]
    rc = client_as(app, "rita")

    def pre(page: str, pre_id: str) -> str:
        m = re.search(rf'<pre class="telegram" id="{pre_id}">(.*?)</pre>', page, re.S)
        assert m, pre_id
        return html_lib.unescape(m.group(1))

    sent = pre(rc.get(f"/drafts/{did}").text, "released-telegram")
    assert re.search(r"BAMAKO 0+\d+ 001\.2 OF 0", sent)  # page 2's marker: the layout matters
    assert pre(rc.get(f"/cable/{rid}/telegram").text, "telegram") == sent
    # The API and `cablebase show` render the same stored cable the same way.
    assert c.get(f"/api/cables/{rid}/telegram", headers=rita).text.strip() == sent.strip()
    from click.testing import CliRunner

    from cablebase.cli import main

    path = app.state.archives.get().store.path
    token = rita["Authorization"].split()[-1]
    shown = CliRunner().invoke(main, ["show", rid, "--archive", str(path), "--token", token])
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(sent.strip()), shown.output[:300]


def test_forms_need_the_csrf_token(app) -> None:
    ann = client_as(app, "ann")
    did = new_draft(ann, GOOD)
    assert ann.post("/drafts/new", data={"body": GOOD}).status_code == 403
    for action in ("save", "submit", "recall", "clear", "release"):
        r = ann.post(f"/drafts/{did}/{action}", data={"body": GOOD, "csrf": "wrong"})
        assert r.status_code == 403, action
    assert ann.get(f"/drafts/{did}").text.count("version 1 of 1") == 1
    assert ann.post(f"/drafts/{did}/bogus", data={"csrf": csrf(ann)}).status_code == 404


def test_the_api_walks_the_same_desk_with_bearer_tokens(app) -> None:
    c = TestClient(app, raise_server_exceptions=False)
    ann, carl, rita, eve = (token_of(app, n) for n in ("ann", "carl", "rita", "eve"))
    r = c.post("/api/drafts", json={"body": BROKEN}, headers=ann)
    assert r.status_code == 200
    doc = r.json()
    did = doc["draft"]["id"]
    assert doc["check"]["findings"][0]["line"] == SUBJECT_LINE and doc["may"]["submit"]
    r = c.post(f"/api/drafts/{did}/submit", json={"offices": ["AF/W"]}, headers=ann)
    assert r.status_code == 409 and "subject.unmarked" in r.json()["error"]
    assert c.post(f"/api/drafts/{did}", json={"body": GOOD}, headers=ann).status_code == 200
    assert c.post(f"/api/drafts/{did}", json={"body": GOOD}, headers=carl).status_code == 404
    doc = c.post(f"/api/drafts/{did}/submit", json={"offices": ["AF/W"]}, headers=ann).json()
    assert doc["draft"]["state"] == "submitted" and doc["draft"]["version"] == 2
    assert c.get(f"/api/drafts/{did}", headers=eve).status_code == 404
    assert [d["id"] for d in c.get("/api/drafts/queue", headers=carl).json()] == [did]
    assert c.get("/api/drafts/queue", headers=eve).json() == []
    doc = c.post(f"/api/drafts/{did}/clear", json={"office": "AF/W"}, headers=carl).json()
    assert doc["draft"]["state"] == "cleared" and doc["offices"][0]["cleared_by"] == "carl"
    r = c.post(f"/api/drafts/{did}/release", headers=ann)
    assert r.status_code == 409 and "does not release for BAMAKO" in r.json()["error"]
    doc = c.post(f"/api/drafts/{did}/release", headers=rita).json()
    rid = f"{year2()}BAMAKO1"
    assert doc["release"]["reference_id"] == rid and doc["release"]["serial"] == 1
    assert doc["cable_url"] == f"/cable/{rid}" and doc["release"]["dtg"]
    assert c.get(f"/api/cables/{rid}", headers=rita).json()["dtg"] == doc["release"]["dtg"]


def test_api_writes_refuse_the_browser_cookie_alone(app) -> None:
    ann = client_as(app, "ann")
    r = ann.post("/api/drafts", json={"body": GOOD})
    assert r.status_code == 401 and "token" in r.json()["error"]
    assert ann.get("/api/drafts").status_code == 200  # reading is fine


def test_openapi_documents_the_desk(app) -> None:
    paths = TestClient(app).get("/api/openapi.json").json()["paths"]
    for p in ("/api/drafts/check", "/api/drafts", "/api/drafts/{draft_id}/release"):
        assert p in paths
    assert "/drafts/{draft_id}" not in paths  # pages are not API


VALUES = st.one_of(
    st.sampled_from(["", "0", "-1", "1", "2", str(2**63), "9" * 40, "x", "AF/W", "%00"]),
    st.sampled_from(["save", "submit", "recall", "clear", "release", "../x", "text", "yaml"]),
    st.text(max_size=40),
)


@pytest.mark.parametrize("who", [None, "ann", "carl"])
def test_no_desk_route_answers_5xx(app, who) -> None:
    c = client_as(app, who)
    token = csrf(c) if who else ""
    if who == "ann":
        new_draft(c, GOOD)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(a=VALUES, b=VALUES, body=VALUES, form=VALUES, real=st.booleans())
    def run(a, b, body, form, real) -> None:
        a, b = quote(a, safe=""), quote(b, safe="")
        data = {"csrf": token if real else a, "body": body, "form": form, "office": b}
        for method, url in (
            ("GET", f"/drafts/{a}"),
            ("POST", f"/drafts/{a}/{b}"),
            ("POST", "/drafts/new"),
            ("POST", "/api/drafts/check"),
            ("GET", f"/api/drafts/{a}"),
        ):
            if method == "GET":
                r = c.get(url)
            elif url.startswith("/api"):
                r = c.post(url, json={"body": body, "form": form})
            else:
                r = c.post(url, data=data)
            assert r.status_code < 500, (method, url, data, r.text[:300])

    run()


# -- the oracle: a reader's answers equal those of an archive holding only their drafts -------

SECRET_DRAFT = GOOD.replace("C O N F I D E N T I A L", "S E C R E T").replace("1. (C)", "1. (S)")
# Who may read which draft, from the rules as docs/drafting.md states them (not from the
# code): its author; an admin cleared for it; once submitted, the officers of the offices it
# waits on and the releasers of its post, when cleared for it.
VISIBLE = {
    "ann": {1, 2, 3, 4},  # the author of every draft
    "carl": {3, 4},  # AF/W, CONFIDENTIAL: not 1 (being written), not 2 (SECRET)
    "rita": {2, 3, 4},  # releases for Bamako, SECRET: every submitted draft
    "eve": set(),  # SECRET, on no desk
    "dora": set(),  # AF/W but UNCLASSIFIED
    "boss": {1, 3, 4},  # admin cleared for CONFIDENTIAL
    None: set(),
}


def oracle_world(path: str) -> str:
    """Drafts 1-4 by ann: 1 CONFIDENTIAL being written; 2 SECRET and 3 CONFIDENTIAL waiting on
    AF/W; 4 CONFIDENTIAL cleared by carl."""
    from cablebase.access.accounts import Accounts
    from cablebase.access.policy import Access, Policy
    from cablebase.access.settings import get_policy, set_policy
    from cablebase.archive.store import open_store
    from cablebase.drafting.desk import Desk
    from cablebase.drafting.store import DraftStore

    with open_store(path) as store:
        set_policy(store.conn, Policy("controlled"))
        acc = Accounts(store.conn, hasher=cheap_hasher())
        users = {
            name: acc.add_user(name, PASSWORD, role, level)
            for name, role, level in (
                ("ann", "reader", "SECRET"),
                ("carl", "reader", "CONFIDENTIAL"),
                ("rita", "reader", "SECRET"),
                ("eve", "reader", "SECRET"),
                ("dora", "reader", "UNCLASSIFIED"),
                ("boss", "admin", "CONFIDENTIAL"),
            )
        }

        def desk(name: str) -> Desk:
            v = users[name].viewer
            return Desk(DraftStore(store.conn, Access(get_policy(store.conn), v)), store, v)

        desk("boss").add_member("AF/W", "carl")
        desk("boss").add_member("AF/W", "dora")
        desk("boss").add_member("release:BAMAKO", "rita")
        ann = desk("ann")
        for body in (GOOD, SECRET_DRAFT, GOOD, GOOD):
            ann.store.new(body, "text")
        for did in (2, 3, 4):
            ann.submit(did, ["AF/W"])
        desk("carl").clear(4, "AF/W")
    return path


def only_drafts(main: str, keep: set[int], copy) -> str:  # type: ignore[no-untyped-def]
    from cablebase.archive.db import Db
    from cablebase.archive.store import open_store

    path = copy(main)
    with open_store(path) as store:
        db = Db.of(store.conn)
        with db.transaction():
            for table, key in (
                ("draft_clearances", "draft_id"),
                ("draft_submissions", "draft_id"),
                ("draft_versions", "draft_id"),
                ("drafts", "id"),
            ):
                db.execute(
                    f"DELETE FROM {table} WHERE {key} NOT IN"
                    f" ({','.join('?' * len(keep)) or 'NULL'})",
                    sorted(keep),
                )
    return path


def desk_answers(path: str, name: str | None) -> list[tuple]:
    from cablebase.access.accounts import Accounts
    from cablebase.archive.store import open_store
    from cablebase.web.app import create_app
    from cablebase.web.auth import SESSION_COOKIE

    headers = {}
    c = TestClient(create_app(path, hasher=cheap_hasher()), follow_redirects=False)
    if name:
        with open_store(path) as store:
            accounts = Accounts(store.conn, hasher=cheap_hasher())
            c.cookies.set(SESSION_COOKIE, accounts.create_session(name)[0])
            headers = {"Authorization": f"Bearer {accounts.create_token(name, 'oracle')}"}
    ids = [1, 2, 3, 4, 99]
    out = []
    with c:
        for url in ["/drafts", "/drafts/queue", "/drafts/new", *(f"/drafts/{i}" for i in ids)]:
            out.append(("GET", url, c.get(url)))
        for url in ["/api/drafts", "/api/drafts/queue", *(f"/api/drafts/{i}" for i in ids)]:
            out.append(("GET", url, c.get(url, headers=headers)))
        for i in ids:
            url = f"/api/drafts/{i}/clear"
            out.append(("POST", url, c.post(url, json={"office": "XX"}, headers=headers)))
            url = f"/drafts/{i}/release"
            out.append(("POST", url, c.post(url, data={"csrf": "wrong"})))
    return [
        (m, u, r.status_code, re.sub(r'name="csrf" value="[^"]*"', "", r.text)) for m, u, r in out
    ]


@pytest.mark.parametrize("name", list(VISIBLE), ids=lambda n: n or "anonymous")
def test_every_desk_answer_is_the_oracles(
    empty_archive: str, archive_copies, name: str | None
) -> None:
    main = oracle_world(empty_archive)
    oracle = only_drafts(main, VISIBLE[name], archive_copies)
    got, want = desk_answers(main, name), desk_answers(oracle, name)
    for g, w in zip(got, want, strict=True):
        assert g == w, f"{g[0]} {g[1]} as {name}: {g[2]} vs oracle {w[2]}"
    # the oracle itself: the reader does see what the table says, and the rest is absent
    shown = {u: status for m, u, status, _ in got if m == "GET"}
    seen = {i for i in (1, 2, 3, 4) if shown[f"/api/drafts/{i}"] == 200}
    assert seen == VISIBLE[name]


def test_a_nul_character_is_refused_alike_on_each_store(app) -> None:
    """PostgreSQL's text holds no NUL: a draft, an office or an addressee carrying one is
    refused (or, for a lookup, matches nothing) on both stores, never a 500."""
    c = client_as(app, "ann")
    r = c.post("/drafts/new", data={"csrf": csrf(c), "body": GOOD + "\x00", "form": "text"})
    assert r.status_code == 400 and "NUL character" in r.text
    did = new_draft(c, GOOD)
    r = c.post(f"/drafts/{did}/save", data={"csrf": csrf(c), "body": "\x00" + GOOD})
    assert r.status_code == 409 and "NUL character" in r.text
    r = c.post(f"/drafts/{did}/submit", data={"csrf": csrf(c), "offices": "AF/W \x00"})
    assert r.status_code == 409 and "NUL character" in r.text
    shown = c.get(f"/api/drafts/{did}").json()["draft"]
    assert (shown["state"], shown["version"]) == ("draft", 1)  # nothing saved
    inbox = c.get("/api/inbox/SEC%00STATE")
    assert inbox.status_code == 200 and inbox.json()["total"] == 0
