"""Clearance and release (drafting/desk.py): drafter -> offices -> releaser, numbering, audit —
on each store (`world` runs on SQLite and on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from cablebase.access import audit
from cablebase.access.accounts import Accounts
from cablebase.access.policy import Access, Policy
from cablebase.access.settings import get_policy, set_policy
from cablebase.archive.api import Archive
from cablebase.archive.store import open_store
from cablebase.cli import main
from cablebase.drafting.desk import Desk
from cablebase.drafting.released import PAGING, paging_of
from cablebase.drafting.store import DraftError, DraftStore
from tests.test_drafting import BASE
from tests.test_drafting_store import FAST, PW, _env, write  # noqa: F401 (fixture)

WHEN = dt.datetime(2026, 6, 2, 14, 5, tzinfo=dt.UTC)
DAY = WHEN.date()


class World:
    """An archive with accounts: ann drafts at Bamako, carl clears for AF/W, rita releases
    for Bamako, boss is the admin."""

    def __init__(self, location, mode: str = "controlled") -> None:
        self.store = open_store(location)
        accounts = Accounts(self.store.conn, hasher=FAST)
        self.users = {
            name: accounts.add_user(name, PW, role=role, clearance="S")
            for name, role in (("ann", "reader"), ("carl", "reader"), ("rita", "reader"),
                               ("boss", "admin"), ("dan", "reader"))
        }  # fmt: skip
        set_policy(self.store.conn, Policy(mode))
        admin = self.desk("boss")
        admin.add_member("AF/W", "carl")
        admin.add_member("release:BAMAKO", "rita")

    def desk(self, name: str) -> Desk:
        viewer = self.users[name].viewer
        access = Access(get_policy(self.store.conn), viewer)
        return Desk(DraftStore(self.store.conn, access), self.store, viewer)

    def new(self, body: str = BASE, who: str = "ann") -> int:
        return self.desk(who).store.new(body, "text").id


@pytest.fixture
def world(empty_archive):
    w = World(empty_archive)
    yield w
    w.store.close()


def test_submit_clear_release_numbers_and_stores_the_cable(world):
    did = world.new()
    ann, carl, rita = world.desk("ann"), world.desk("carl"), world.desk("rita")
    assert ann.submit(did, ["af/w"]).state == "submitted"
    # the submitted version is frozen
    with pytest.raises(DraftError, match="recall it"):
        ann.store.edit(did, BASE, "text")
    assert [d.id for d in carl.queue()] == [did]
    assert carl.clear(did, "AF/W").state == "cleared"
    assert [d.id for d in rita.queue()] == [did]
    r = rita.release(did, when=WHEN)
    assert (r.reference_id, r.serial, r.released) == ("26BAMAKO1", 1, "2026-06-02T14:05:00Z")
    cable = world.store.get("26BAMAKO1")
    assert cable is not None
    assert paging_of(world.store.conn, "26BAMAKO1") is PAGING
    assert paging_of(world.store.conn, "26BAMAKO2") is None
    assert cable.dtg == "021405Z JUN 26" and cable.created == "2026-06-02T14:05:00Z"
    assert (
        cable.classification == "CONFIDENTIAL" and cable.subject == "MINISTER PREVIEWS THE SUMMIT"
    )
    assert cable.precedence == "IMMEDIATE" and cable.info_precedence == "PRIORITY"
    # the draft's history is kept; its state is released
    d = ann.store.get(did)
    assert d.state == "released" and ann.store.versions(did)[0][0] == 1
    # searchable and under access control: rita (cleared S) finds it, the public does not
    archive = Archive(world.store, access=Access(get_policy(world.store.conn), rita.actor))
    assert [h.reference_id for h in archive.search("summit")] == ["26BAMAKO1"]
    anonymous = Archive(world.store)
    assert anonymous.get("26BAMAKO1") is None
    # every step audited, in order
    actions = [
        (e.user, e.action, e.target)
        for e in sorted(audit.entries(world.store.conn), key=lambda e: e.id)
        if e.action.startswith("draft.")
    ]
    assert actions == [
        ("ann", "draft.new", str(did)),
        ("ann", "draft.submit", str(did)),
        ("carl", "draft.clear", str(did)),
        ("rita", "draft.release", str(did)),
    ]


def test_the_two_person_rules(world):
    did = world.new()
    ann, carl, rita, dan = (world.desk(n) for n in ("ann", "carl", "rita", "dan"))
    with pytest.raises(DraftError, match="no draft"):  # a draft being written is the drafter's
        carl.submit(did, ["AF/W"])
    with pytest.raises(DraftError, match="only its author submits"):  # an admin reads it
        world.desk("boss").submit(did, ["AF/W"])
    ann.submit(did, ["AF/W"])
    # not cleared yet: no release
    with pytest.raises(DraftError, match="waiting on AF/W"):
        rita.release(did, when=WHEN)
    # the drafter does not clear her own draft, a non-member clears for no office
    world.desk("boss").add_member("AF/W", "ann")
    with pytest.raises(DraftError, match="another officer"):
        ann.clear(did, "AF/W")
    with pytest.raises(DraftError):  # dan is no member: the draft is not even his to see
        dan.clear(did, "AF/W")
    with pytest.raises(DraftError, match="does not wait on EB"):
        carl.clear(did, "EB")
    carl.clear(did, "AF/W")
    with pytest.raises(DraftError, match="does not release for BAMAKO"):
        carl.release(did, when=WHEN)
    # a drafter who is also a releaser: only where the post allows self-release
    world.desk("boss").add_member("release:BAMAKO", "ann")
    with pytest.raises(DraftError, match="does not allow self-release"):
        ann.release(did, when=WHEN)
    with pytest.raises(DraftError, match="only an admin"):
        ann.set_self_release("BAMAKO", True)
    world.desk("boss").set_self_release("BAMAKO", True)
    assert ann.release(did, when=WHEN).reference_id == "26BAMAKO1"
    with pytest.raises(DraftError, match="already released"):
        rita.release(did, when=WHEN)


def test_no_release_with_open_errors(world):
    # with errors: not submitted
    broken = world.new(BASE.replace("2. (U) Embassy", "2. Embassy"))
    with pytest.raises(DraftError, match="marking.portion-missing"):
        world.desk("ann").submit(broken, [])
    # a draft that was right when cleared, released after its declassification date has
    # passed: the release day judges it
    did = world.new(BASE.replace("DECL: 05/31/2036", "DECL: 06/30/2027"))
    world.desk("ann").submit(did, [])  # no office to wait on: cleared at once
    with pytest.raises(DraftError, match="decl.date"):
        world.desk("rita").release(did, when=dt.datetime(2027, 7, 1, tzinfo=dt.UTC))
    assert world.desk("rita").release(did, when=WHEN).serial == 1


def test_a_collective_needs_its_clearance_office(world):
    aldac = BASE.replace(
        "TO RUEHC/SECSTATE WASHDC IMMEDIATE",
        "TO ALL DIPLOMATIC AND CONSULAR POSTS COLLECTIVE IMMEDIATE",
    )
    did = world.new(aldac)
    with pytest.raises(DraftError, match="collective.clearance"):
        world.desk("ann").submit(did, ["AF/W"])
    world.desk("boss").add_member("S/ES-O", "dan")
    world.desk("ann").submit(did, ["AF/W", "S/ES-O"])
    world.desk("carl").clear(did, "AF/W")
    with pytest.raises(DraftError, match="waiting on S/ES-O"):
        world.desk("rita").release(did, when=WHEN)
    world.desk("dan").clear(did, "S/ES-O")
    assert world.desk("rita").release(did, when=WHEN).reference_id == "26BAMAKO1"


def test_serials_per_post_and_year(world):
    world.desk("boss").add_member("release:NIAMEY", "rita")
    niamey = (
        BASE.replace("AMEMBASSY BAMAKO", "AMEMBASSY NIAMEY")
        .replace("L BAMAKO", "L NIAMEY")
        .replace("ML", "NG")
        .replace("Embassy Bamako", "Embassy Niamey")
    )
    got = []
    for body, when in ((BASE, WHEN), (BASE, WHEN), (niamey, WHEN), (BASE, WHEN),
                       (BASE, dt.datetime(2027, 1, 2, tzinfo=dt.UTC))):  # fmt: skip
        did = world.new(body)
        world.desk("ann").submit(did, [])
        got.append(world.desk("rita").release(did, when=when).reference_id)
    assert got == ["26BAMAKO1", "26BAMAKO2", "26NIAMEY1", "26BAMAKO3", "27BAMAKO1"]


def test_recall_drops_clearances_and_allows_editing(world):
    did = world.new()
    ann = world.desk("ann")
    ann.submit(did, ["AF/W"])
    world.desk("carl").clear(did, "AF/W")
    with pytest.raises(DraftError, match="only its author recalls"):
        world.desk("carl").recall(did)
    assert ann.recall(did).state == "draft"
    assert ann.store.edit(did, BASE.replace("further", "again"), "text").version == 2
    ann.submit(did, ["AF/W"])
    assert ann.offices(did) == [("AF/W", None, None)]


def _cli(db, *args, user):
    return CliRunner().invoke(
        main, ["draft", *args, "--archive", db, "--user", user], env={"CABLEBASE_PASSWORD": PW}
    )


def test_cli_submit_clear_release(empty_archive, tmp_path):
    db = empty_archive
    World(db).store.close()
    assert _cli(db, "new", write(tmp_path, "a.txt", BASE), user="ann").exit_code == 0
    r = _cli(db, "submit", "1", "--office", "AF/W", user="ann")
    assert r.exit_code == 0 and "waiting on AF/W" in r.output
    r = _cli(db, "clear", "1", "AF/W", user="ann")
    assert r.exit_code == 1 and "another officer" in r.output
    queue = json.loads(_cli(db, "queue", "--json", user="carl").output)
    assert [q["id"] for q in queue] == [1]
    assert "ready for release" in _cli(db, "clear", "1", "af/w", user="carl").output
    r = _cli(db, "release", "1", "--telegram", user="rita")
    assert r.exit_code == 0, r.output
    year = dt.datetime.now(dt.UTC).year % 100
    assert f"released as {year}BAMAKO1" in r.output
    assert "C O N F I D E N T I A L BAMAKO 000001" in r.output
    # without a name, no step
    shown = json.loads(_cli(db, "show", "1", "--json", user="ann").output)
    assert shown["state"] == "released"
    assert shown["release"]["reference_id"] == f"{year}BAMAKO1" and shown["release"]["serial"] == 1
    r = CliRunner().invoke(main, ["draft", "release", "1", "--archive", db])
    assert r.exit_code == 1 and "name who acts" in r.output
    r = _cli(db, "desk", "add", "EB", "carl", user="ann")
    assert r.exit_code == 1 and "only an admin" in r.output


def test_a_failed_release_takes_no_number(world):
    from cablebase.drafting import desk as desk_module

    did = world.new()
    world.desk("ann").submit(did, [])

    def broken(conn, cable):
        raise RuntimeError("outbox full")

    desk_module.RELEASE_HOOKS.append(broken)
    try:
        with pytest.raises(RuntimeError):
            world.desk("rita").release(did, when=WHEN)
    finally:
        desk_module.RELEASE_HOOKS.remove(broken)
    # the number, the release row and the state went back with the transaction
    assert world.store.conn.execute("SELECT count(*) FROM post_serials").fetchone() == (0,)
    assert world.desk("ann").store.get(did).state == "cleared"
    seen = []
    desk_module.RELEASE_HOOKS.append(lambda conn, cable: seen.append(cable.reference_id))
    try:
        assert world.desk("rita").release(did, when=WHEN).serial == 1
    finally:
        desk_module.RELEASE_HOOKS.pop()
    assert seen == ["26BAMAKO1"]


def test_a_cable_that_cannot_be_stored_is_not_released(world, monkeypatch):
    import sqlite3

    did = world.new()
    world.desk("ann").submit(did, [])
    rita = world.desk("rita")

    def full(cable):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(rita.archive_store, "add_new", full)
    with pytest.raises(DraftError, match="not released: storing 26BAMAKO1 failed"):
        rita.release(did, when=WHEN)
    monkeypatch.undo()
    # number, release row and state rolled back with the cable
    assert world.store.conn.execute("SELECT count(*) FROM draft_releases").fetchone() == (0,)
    assert world.store.conn.execute("SELECT count(*) FROM post_serials").fetchone() == (0,)
    again = world.desk("rita").release(did, when=WHEN)
    assert again.reference_id == "26BAMAKO1"
    assert world.store.get("26BAMAKO1").dtg == "021405Z JUN 26"
    with pytest.raises(DraftError, match="already released"):
        world.desk("rita").release(did)


def test_a_structured_draft_is_released_like_a_text_one(world):
    from tests.test_drafting_structured import YAML

    did = world.desk("ann").store.new(YAML + "clearances: [AF/W]\n", "yaml").id
    world.desk("ann").submit(did)  # the offices the draft lists
    assert world.desk("ann").offices(did) == [("AF/W", None, None)]
    world.desk("carl").clear(did, "AF/W")
    r = world.desk("rita").release(did, when=WHEN)
    cable = world.store.get(r.reference_id)
    assert cable.subject == "MINISTER PREVIEWS THE SUMMIT" and cable.subject_portion == "C"
    assert [(p.number, p.portion) for p in cable.paragraphs] == [(1, "C"), (2, "U")]
    # REF BAMAKO 754 without a year, in Bamako's cable number 1 of 2026: last year's 754
    assert (r.reference_id, cable.references[0].id) == ("26BAMAKO1", "25BAMAKO754")
