"""Dispatch (issue 15): addressees, the outbox, the priority queue, retries and dead letters,
acknowledgement and escalation, inboxes under access control, the CLI — on each store
(`store` runs every test that uses it on SQLite and on PostgreSQL).

Expected values come from the addressee table's definition (docs/dispatch.md) and the
synthetic cables of tests/dispatch_helpers.py, never from dispatch's own output."""

from __future__ import annotations

import json
from pathlib import Path

import argon2
import pytest
from click.testing import CliRunner

from cablebase.access.accounts import Accounts
from cablebase.access.policy import Access, Policy, Viewer
from cablebase.access.settings import set_policy
from cablebase.archive.api import Archive
from cablebase.archive.db import Db
from cablebase.archive.store import Store, open_store
from cablebase.cli import main
from cablebase.dispatch import views
from cablebase.dispatch.adapters import DeliveryError, DirectoryDrop
from cablebase.dispatch.addressees import expand, table
from cablebase.dispatch.outbox import enqueue, release_and_enqueue
from cablebase.dispatch.queue import MAX_ATTEMPTS, Queue, backoff
from cablebase.dispatch.worker import Worker
from tests.dispatch_helpers import cable

T0 = 1_800_000_000.0


class Clock:
    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def store(empty_archive: str):
    s = open_store(empty_archive)
    yield s
    s.close()


def rows(store: Store, where: str = "TRUE", args: tuple = ()) -> list[dict]:
    cur = Db.of(store.conn).execute(  # type: ignore[attr-defined]
        f"SELECT * FROM dispatch_deliveries WHERE {where} ORDER BY id", args
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


# -- the addressee table and expansion ---------------------------------------------------------


def test_table_has_posts_offices_and_collectives() -> None:
    tab = table()
    # posts by their reference-id spelling, with the routing book's indicator
    assert tab.addressees["THEHAGUE"].kind == "post"
    assert "RUEHTC" in tab.addressees["THEHAGUE"].routes
    assert tab.addressees["SECSTATE"].kind == "office"
    # the routing book's correction (drafting/reference.py): RUEHPL is Port Louis
    assert tab.by_route["RUEHPL"] == "PORTLOUIS"
    assert tab.by_route["RUEHPO"] == "PARAMARIBO"
    assert set(tab.collectives["ALDAC"]) == set(tab.posts())
    assert len(tab.collectives["EU MEMBER STATES COLLECTIVE"]) == 27


@pytest.mark.parametrize(
    "line, key",
    [
        ("RUEHC/SECSTATE WASHDC", "SECSTATE"),
        ("SECSTATE WASHDC", "SECSTATE"),
        ("AMEMBASSY THE HAGUE", "THEHAGUE"),
        ("RUEHTC/AMEMBASSY THE HAGUE", "THEHAGUE"),
        ("AMCONSUL CALCUTTA", "KOLKATA"),  # a renamed city, under its current name
        ("RUEKJCS/SECDEF WASHDC", "JOINT STAFF WASHINGTON DC"),  # an office by its indicator
    ],
)
def test_lines_resolve(line: str, key: str) -> None:
    got = expand(cable(1, to=(line,)))
    assert [(t.key, t.known) for t in got] == [(key, True)]


def test_collective_with_xmt_excludes_those_posts_and_the_sender() -> None:
    c = cable(1, to=(), collectives=("ALDAC",), xmt=("AMEMBASSY PARIS", "RUEHLO/AMEMBASSY LONDON"))
    keys = {t.key for t in expand(c)}
    posts = set(table().posts())
    assert keys == posts - {"PARIS", "LONDON", "BAMAKO"}  # BAMAKO sent it


def test_xmt_does_not_remove_an_explicit_addressee() -> None:
    c = cable(1, to=("AMEMBASSY PARIS",), collectives=("ALDAC",), xmt=("AMEMBASSY PARIS",))
    got = {t.key: t.role for t in expand(c)}
    assert got["PARIS"] == "action"


def test_addressee_in_several_collectives_is_delivered_once() -> None:
    # Paris, Rome, London... are in both the EU and the NATO collective, and London is also
    # addressed directly for action.
    c = cable(
        1,
        to=("AMEMBASSY LONDON",),
        collectives=("EU MEMBER STATES COLLECTIVE", "NATO MEMBER STATES COLLECTIVE"),
    )
    got = expand(c)
    keys = [t.key for t in got]
    assert len(keys) == len(set(keys))
    eu, nato = (
        set(table().collectives[k])
        for k in ("EU MEMBER STATES COLLECTIVE", "NATO MEMBER STATES COLLECTIVE")
    )
    assert set(keys) == eu | nato
    assert {t.key: t.role for t in got}["LONDON"] == "action"
    assert {t.key: t.role for t in got}["ROME"] == "info"


def test_dual_precedence(store: Store) -> None:
    c = cable(1, precedence="IMMEDIATE", info_precedence="ROUTINE", info=("AMEMBASSY DAKAR",))
    assert release_and_enqueue(store, c, released=T0) == 2
    got = {r["addressee"]: r for r in rows(store)}
    assert (got["SECSTATE"]["role"], got["SECSTATE"]["precedence"]) == ("action", "IMMEDIATE")
    assert (got["DAKAR"]["role"], got["DAKAR"]["precedence"]) == ("info", "ROUTINE")
    # deadlines from the speed-of-service objectives: 30 minutes, 6 hours
    assert got["SECSTATE"]["deadline"] == T0 + 30 * 60
    assert got["DAKAR"]["deadline"] == T0 + 6 * 3600
    assert got["SECSTATE"]["ack_required"] == got["DAKAR"]["ack_required"] == 0


def test_flash_and_niact_need_acknowledgement(store: Store) -> None:
    release_and_enqueue(store, cable(1, precedence="FLASH"), released=T0)
    release_and_enqueue(store, cable(2, precedence="NIACT IMMEDIATE"), released=T0)
    release_and_enqueue(store, cable(3, precedence="PRIORITY"), released=T0)
    got = [(r["precedence"], r["ack_required"], r["deadline"] - T0) for r in rows(store)]
    assert got == [("FLASH", 1, 600), ("NIACT IMMEDIATE", 1, 1800), ("PRIORITY", 0, 3 * 3600)]


def test_unknown_addressee_is_a_dead_letter_with_its_reason(store: Store) -> None:
    c = cable(1, info=("AMCONSUL ATLANTIS",), collectives=("ATLANTIS COLLECTIVE",))
    release_and_enqueue(store, c, released=T0)
    dead = {r["addressee"]: r["error"] for r in rows(store, "state = 'dead'")}
    assert dead == {
        "AMCONSUL ATLANTIS": "unknown addressee: AMCONSUL ATLANTIS",
        "ATLANTIS COLLECTIVE": "unknown collective: ATLANTIS COLLECTIVE",
    }


# -- the outbox ----------------------------------------------------------------------------------


def test_release_and_deliveries_commit_together(store: Store, monkeypatch) -> None:
    import cablebase.dispatch.outbox as outbox

    def broken(*a, **k):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(outbox, "expand", broken)
    with pytest.raises(RuntimeError):
        release_and_enqueue(store, cable(1))
    # neither the cable nor any delivery: the release rolled back whole
    assert store.get("26BAMAKO1") is None
    assert rows(store) == []
    monkeypatch.undo()
    assert release_and_enqueue(store, cable(1)) == 1
    assert store.get("26BAMAKO1") is not None


def test_enqueue_is_idempotent(store: Store) -> None:
    c = cable(1, info=("AMEMBASSY DAKAR",))
    release_and_enqueue(store, c)
    with Db.of(store.conn).transaction():
        assert enqueue(store.conn, c) == 0
    assert len(rows(store)) == 2


# -- the queue -----------------------------------------------------------------------------------


def test_flash_is_claimed_before_a_long_run_of_routine(store: Store) -> None:
    for i in range(300):
        release_and_enqueue(store, cable(i, precedence="ROUTINE"), released=T0 + i)
    release_and_enqueue(store, cable(999, precedence="FLASH"), released=T0 + 1000)
    q = Queue(store.conn, clock=Clock(T0 + 2000))
    first = q.claim(4)
    assert first[0].reference_id == "26BAMAKO999"
    # then ROUTINE by age
    assert [i.reference_id for i in first[1:]] == ["26BAMAKO0", "26BAMAKO1", "26BAMAKO2"]


def test_a_reserved_worker_takes_only_flash_and_niact(store: Store) -> None:
    release_and_enqueue(store, cable(1, precedence="ROUTINE"), released=T0)
    release_and_enqueue(store, cable(2, precedence="IMMEDIATE"), released=T0)
    q = Queue(store.conn, clock=Clock(T0 + 1))
    assert q.claim(10, max_rank=1) == []
    release_and_enqueue(store, cable(3, precedence="NIACT IMMEDIATE"), released=T0)
    assert [i.reference_id for i in q.claim(10, max_rank=1)] == ["26BAMAKO3"]


class Flaky:
    """An adapter failing its first `fails` hand-overs."""

    name = "flaky"

    def __init__(self, fails: int, permanent: bool = False) -> None:
        self.fails = fails
        self.permanent = permanent
        self.made: list[str] = []

    def deliver(self, item, cable, telegram) -> bool:  # noqa: ANN001
        if self.fails:
            self.fails -= 1
            raise DeliveryError("gateway down", permanent=self.permanent)
        self.made.append(item.key)
        return True


def test_retries_back_off_then_deliver(store: Store) -> None:
    release_and_enqueue(store, cable(1), released=T0)
    clock = Clock(T0)
    adapter = Flaky(2)
    w = Worker(store, [adapter], queue=Queue(store.conn, clock=clock))
    assert w.step() == 1
    (r,) = rows(store)
    assert (r["state"], r["attempts"], r["error"]) == ("queued", 1, "gateway down")
    assert r["next_at"] == T0 + backoff(1)
    assert w.step() == 0  # not due before its backoff
    clock.t += backoff(1)
    w.step()
    clock.t += backoff(2)
    w.step()
    (r,) = rows(store)
    assert (r["state"], r["attempts"], r["error"]) == ("delivered", 3, None)
    assert adapter.made == ["26BAMAKO1/SECSTATE"]
    assert backoff(2) == 2 * backoff(1)


def test_dead_letter_after_max_attempts_then_retry(store: Store) -> None:
    release_and_enqueue(store, cable(1), released=T0)
    clock = Clock(T0)
    w = Worker(store, [Flaky(MAX_ATTEMPTS)], queue=Queue(store.conn, clock=clock))
    for _ in range(MAX_ATTEMPTS):
        w.step()
        clock.t += 10_000
    (r,) = rows(store)
    assert (r["state"], r["attempts"], r["error"]) == ("dead", MAX_ATTEMPTS, "gateway down")
    assert Queue(store.conn, clock=clock).retry([r["id"]]) == 1
    w.step()
    assert rows(store)[0]["state"] == "delivered"


def test_a_permanent_failure_is_dead_at_once(store: Store) -> None:
    release_and_enqueue(store, cable(1), released=T0)
    Worker(store, [Flaky(1, permanent=True)], queue=Queue(store.conn, clock=Clock())).step()
    assert [(r["state"], r["attempts"]) for r in rows(store)] == [("dead", 1)]


def test_an_expired_lease_passes_to_another_worker_once(store: Store) -> None:
    release_and_enqueue(store, cable(1), released=T0)
    clock = Clock(T0)
    a = Queue(store.conn, worker="host:a", lease=30, clock=clock)
    b = Queue(store.conn, worker="host:b", lease=30, clock=clock)
    (item,) = a.claim()
    assert b.claim() == []  # held
    clock.t += 31
    (again,) = b.claim()
    assert again.attempts == 2
    assert a.complete([item]) == 0  # the lease passed: a cannot complete it
    assert b.complete([again]) == 1
    assert rows(store)[0]["state"] == "delivered"


# -- acknowledgement and escalation ----------------------------------------------------------------


def test_unacknowledged_flash_escalates_to_the_alert_roster(store: Store) -> None:
    release_and_enqueue(store, cable(1, precedence="FLASH", info=("AMEMBASSY DAKAR",)), released=T0)
    release_and_enqueue(store, cable(2, precedence="FLASH"), released=T0)
    release_and_enqueue(store, cable(3, precedence="ROUTINE"), released=T0)
    clock = Clock(T0 + 5)
    q = Queue(store.conn, clock=clock)
    q.set_roster("SECSTATE", ["opscenter", "watch officer"])
    Worker(store, queue=q).run(until_empty=True)
    assert q.mark("26BAMAKO2", "SECSTATE", ack=True, who="duty") is True
    assert q.mark("26BAMAKO2", "SECSTATE", ack=True, who="duty") is False  # once
    assert q.mark("26BAMAKO3", "SECSTATE", ack=True, who="duty") is False  # no ack needed
    clock.t += 599  # within the 10 minutes
    assert q.escalate() == 0
    clock.t += 2
    assert q.escalate() == 2  # 26BAMAKO1 at SECSTATE and at DAKAR
    alerts = store.conn.execute(
        "SELECT d.reference_id, d.addressee, a.contact FROM dispatch_alerts a"
        " JOIN dispatch_deliveries d ON d.id = a.delivery_id ORDER BY 2, 3"
    ).fetchall()
    assert alerts == [
        ("26BAMAKO1", "DAKAR", None),  # no roster: an alert without a contact
        ("26BAMAKO1", "SECSTATE", "opscenter"),
        ("26BAMAKO1", "SECSTATE", "watch officer"),
    ]
    assert q.escalate() == 0  # escalated once
    with Archive.open(store.path) as a:
        shown = [(x["addressee"], x["contact"]) for x in views.alerts(a)]
    assert shown == [("DAKAR", None), ("SECSTATE", "opscenter"), ("SECSTATE", "watch officer")]
    out = CliRunner().invoke(main, ["dispatch", "status", "--alerts", "--archive", str(store.path)])
    assert "alert FLASH" in out.output and "watch officer" in out.output


# -- the directory drop --------------------------------------------------------------------------


def test_directory_drop_is_idempotent(store: Store, tmp_path: Path) -> None:
    release_and_enqueue(store, cable(1, info=("AMEMBASSY THE HAGUE",)), released=T0)
    drop = DirectoryDrop(tmp_path / "drop")
    w = Worker(store, [drop], queue=Queue(store.conn, clock=Clock(T0)))
    items = w.queue.claim()
    for i in items:
        w.deliver(i)
        w.deliver(i)  # again, as after a crash before completion
    files = sorted(p.relative_to(drop.root).as_posix() for p in drop.root.rglob("*.txt"))
    assert files == ["SECSTATE/26BAMAKO1.txt", "THEHAGUE/26BAMAKO1.txt"]
    assert "SUBJECT: (U) DISPATCH TEST NUMBER 1" in (drop.root / files[0]).read_text()
    journal = (drop.root / "journal.log").read_text().split()
    assert sorted(journal) == ["26BAMAKO1/SECSTATE", "26BAMAKO1/THEHAGUE"]
    assert w.stats.repeated == 2


# -- inboxes ---------------------------------------------------------------------------------------


HASHER = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def test_inbox_order_counts_and_access(store: Store) -> None:
    release_and_enqueue(store, cable(1, precedence="ROUTINE"), released=T0)
    release_and_enqueue(store, cable(2, precedence="ROUTINE"), released=T0 + 10)
    release_and_enqueue(store, cable(3, precedence="FLASH"), released=T0 + 5)
    release_and_enqueue(
        store, cable(4, precedence="FLASH", classification="SECRET"), released=T0 + 20
    )
    clock = Clock(T0 + 30)
    q = Queue(store.conn, clock=clock)
    Worker(store, queue=q).run(until_empty=True)
    q.mark("26BAMAKO1", "SECSTATE", ack=False, who=None)
    with Archive.open(store.path) as a:
        secret = a.with_access(Access(Policy("controlled"), Viewer("s", "reader", 2)))
        box = views.inbox(secret, "secstate washdc")
        # FLASH first (newest first among them: both delivered in one batch), then ROUTINE
        assert [e.reference_id for e in box.entries] == [
            "26BAMAKO4",
            "26BAMAKO3",
            "26BAMAKO2",
            "26BAMAKO1",
        ]
        assert (box.total, box.unread, box.unacknowledged) == (4, 3, 2)
        unclas = a.with_access(Access(Policy("controlled"), Viewer("u", "reader", 0)))
        box = views.inbox(unclas, "SECSTATE")
        assert [e.reference_id for e in box.entries] == ["26BAMAKO3", "26BAMAKO2", "26BAMAKO1"]
        assert (box.total, box.unread, box.unacknowledged) == (3, 2, 1)
        assert views.status(unclas)["by_state"] == {"delivered": 3}


def test_late_deliveries_against_their_objective(store: Store) -> None:
    release_and_enqueue(store, cable(1, precedence="FLASH"), released=T0)
    release_and_enqueue(store, cable(2, precedence="ROUTINE"), released=T0)
    release_and_enqueue(store, cable(3, precedence="PRIORITY"), released=T0)
    clock = Clock(T0 + 3600)  # an hour: FLASH (10 min) is late, ROUTINE (6 h) is not
    q = Queue(store.conn, clock=clock)
    for item in q.claim(2):  # FLASH and PRIORITY delivered; ROUTINE stays queued
        q.complete([item])
    with Archive.open(store.path) as a:
        assert [(e.reference_id, e.state) for e in views.late(a, now=T0 + 3600)] == [
            ("26BAMAKO1", "delivered")
        ]
        # at 7 hours the ROUTINE one, still queued, is an hour late: the latest first
        later = views.late(a, now=T0 + 7 * 3600)
        assert [(e.reference_id, e.state) for e in later] == [
            ("26BAMAKO2", "queued"),
            ("26BAMAKO1", "delivered"),
        ]


# -- the command line ------------------------------------------------------------------------------


def test_cli_run_inbox_ack_status_retry_roster(store: Store, tmp_path: Path) -> None:
    release_and_enqueue(store, cable(1, precedence="FLASH", info=("AMCONSUL ATLANTIS",)))
    release_and_enqueue(store, cable(2, precedence="ROUTINE"))
    path = str(store.path)
    r = CliRunner()
    out = r.invoke(
        main, ["dispatch", "run", "--once", "--archive", path, "--drop", str(tmp_path / "d")]
    )
    assert out.exit_code == 0, out.output
    assert (tmp_path / "d" / "SECSTATE" / "26BAMAKO1.txt").exists()
    out = r.invoke(main, ["inbox", "SECSTATE", "--archive", path])
    assert out.exit_code == 0, out.output
    lines = [ln for ln in out.stdout.splitlines() if ln.strip()]
    assert "FLASH" in lines[0] and "26BAMAKO1" in lines[0] and "ACK PENDING" in lines[0]
    assert "ROUTINE" in lines[1] and "26BAMAKO2" in lines[1]
    assert "2 cables, 2 unread, 1 unacknowledged" in out.stderr
    out = r.invoke(main, ["inbox", "SECSTATE", "--archive", path, "--ack", "26bamako1", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert (data["unread"], data["unacknowledged"]) == (1, 0)
    out = r.invoke(main, ["inbox", "SECSTATE", "--archive", path, "--ack", "26BAMAKO2"])
    assert out.exit_code == 1 and "already acknowledged" in out.output
    out = r.invoke(main, ["dispatch", "status", "--archive", path, "--dead", "--json"])
    st = json.loads(out.stdout)
    assert st["by_state"] == {"delivered": 2, "dead": 1}
    assert st["dead"][0]["error"] == "unknown addressee: AMCONSUL ATLANTIS"
    out = r.invoke(main, ["dispatch", "retry", "--all", "--archive", path])
    assert out.exit_code == 0 and "1 deliveries queued again" in out.output
    out = r.invoke(main, ["dispatch", "roster", "dakar", "duty officer", "--archive", path])
    assert out.stdout.strip() == "duty officer"
    out = r.invoke(main, ["inbox", "SECSTATE", "--archive", str(tmp_path / "none.db")])
    assert out.exit_code != 0 and "Traceback" not in out.output


def test_cli_inbox_hides_what_the_reader_may_not_see(store: Store) -> None:
    release_and_enqueue(store, cable(1, precedence="FLASH", classification="SECRET"))
    release_and_enqueue(store, cable(2, precedence="ROUTINE"))
    Worker(store).run(until_empty=True)
    set_policy(store.conn, Policy("controlled"))
    Accounts(store.conn, hasher=HASHER).add_user("low", "correct horse battery", "reader", 0, ())
    token = Accounts(store.conn, hasher=HASHER).create_token("low", "t")
    r = CliRunner()
    path = str(store.path)
    out = r.invoke(main, ["inbox", "SECSTATE", "--archive", path, "--token", token, "--json"])
    data = json.loads(out.stdout)
    assert [e["reference_id"] for e in data["entries"]] == ["26BAMAKO2"]
    assert (data["total"], data["unacknowledged"]) == (1, 0)
    out = r.invoke(
        main, ["inbox", "SECSTATE", "--archive", path, "--token", token, "--ack", "26BAMAKO1"]
    )
    assert out.exit_code == 1 and "not in the inbox" in out.output


# -- the drafting desk's release ---------------------------------------------------------------


def test_the_desks_release_enqueues_in_its_transaction(empty_archive: str) -> None:
    """Desk.release (issue 14) writes the deliveries through RELEASE_HOOKS: the seed-shaped
    draft of tests/test_drafting.py goes IMMEDIATE to SECSTATE for action and PRIORITY to
    Nouakchott and Niamey for information."""
    from tests.test_drafting_desk import WHEN, World

    world = World(empty_archive)
    did = world.new()
    world.desk("ann").submit(did, ["af/w"])
    world.desk("carl").clear(did, "AF/W")
    world.desk("rita").release(did, when=WHEN)
    got = {(r["addressee"], r["role"], r["precedence"], r["state"]) for r in rows(world.store)}
    assert got == {
        ("SECSTATE", "action", "IMMEDIATE", "queued"),
        ("NOUAKCHOTT", "info", "PRIORITY", "queued"),
        ("NIAMEY", "info", "PRIORITY", "queued"),
    }
    assert {r["reference_id"] for r in rows(world.store)} == {"26BAMAKO1"}


def test_cli_run_with_a_reserved_worker(store: Store) -> None:
    for i in range(3):
        release_and_enqueue(store, cable(i, precedence="ROUTINE", info=("AMEMBASSY DAKAR",)))
    release_and_enqueue(store, cable(9, precedence="FLASH"))
    path = str(store.path)
    r = CliRunner()
    out = r.invoke(
        main, ["dispatch", "run", "--once", "--workers", "1", "--reserve", "1", "--archive", path]
    )
    assert out.exit_code == 1 and "at least one worker" in out.output
    out = r.invoke(
        main, ["dispatch", "run", "--once", "--workers", "2", "--reserve", "1", "--archive", path]
    )
    assert out.exit_code == 0, out.output
    assert {r["state"] for r in rows(store)} == {"delivered"}
    assert len(rows(store)) == 7


def test_several_workers_claim_each_delivery_once(store: Store, tmp_path: Path) -> None:
    """Three worker processes draining one queue at once: each delivery claimed by one of
    them, once (a delivery claimed twice would count two attempts), made once at the drop."""
    from tests.dispatch_helpers import exactly_once

    for i in range(2):
        release_and_enqueue(store, cable(i, to=(), collectives=("ALDAC",)))
    release_and_enqueue(store, cable(9, precedence="FLASH"))
    drop = tmp_path / "drop"
    out = CliRunner().invoke(
        main,
        ["dispatch", "run", "--once", "--workers", "3", "--batch", "4"]
        + ["--archive", str(store.path), "--drop", str(drop)],
    )
    assert out.exit_code == 0, out.output
    got = exactly_once(store.path, drop)
    assert got["deliveries"] == 2 * 252 + 1
    assert got["states"] == ["delivered"]
    assert {r["attempts"] for r in rows(store)} == {1}
    assert got["files"] == got["expected_files"]
    assert sorted(got["journal"]) == got["keys"]


def test_cli_run_without_an_archive_is_one_sentence(empty_archive: str, tmp_path: Path) -> None:
    """A SQLite file that is not there, or a PostgreSQL database holding no archive: one
    sentence from the command, with one worker or several, no traceback."""
    from cablebase.archive.store import is_dsn

    if is_dsn(empty_archive):
        import psycopg

        base, name = empty_archive.rsplit("/", 1)
        with psycopg.connect(empty_archive, autocommit=True) as conn:
            conn.execute("CREATE DATABASE nothing_here_" + name)
        missing = f"{base}/nothing_here_{name}"
    else:
        missing = str(tmp_path / "none.db")
    try:
        for workers in ("1", "2"):
            out = CliRunner().invoke(
                main, ["dispatch", "run", "--once", "--workers", workers, "--archive", missing]
            )
            assert out.exit_code == 1 and "no archive" in out.output, out.output
            assert "Traceback" not in out.output
    finally:
        if is_dsn(empty_archive):
            with psycopg.connect(empty_archive, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE nothing_here_{name} WITH (FORCE)")


def test_inbox_withholds_the_subject_of_a_cable_read_in_part(store: Store) -> None:
    """A SECRET cable with an UNCLASSIFIED paragraph: an UNCLASSIFIED reader (portions read)
    has it in the inbox with its subject withheld; a SECRET reader reads the subject."""
    from cablebase.access.policy import WITHHELD

    c = cable(5, precedence="FLASH", classification="SECRET", subject="THE SECRET SUBJECT")
    c.paragraphs[0].portion = "U"
    release_and_enqueue(store, c, released=T0)
    release_and_enqueue(store, cable(6), released=T0)
    Worker(store, queue=Queue(store.conn, clock=Clock(T0 + 1))).run(until_empty=True)
    policy = Policy("controlled")
    with Archive.open(store.path) as a:
        low = a.with_access(Access(policy, Viewer("u", "reader", 0)))
        got = [(e.reference_id, e.subject) for e in views.inbox(low, "SECSTATE").entries]
        assert got == [("26BAMAKO5", WITHHELD), ("26BAMAKO6", "DISPATCH TEST NUMBER 6")]
        assert views.status(low)["by_state"] == {"delivered": 2}  # read in part: counted
        high = a.with_access(Access(policy, Viewer("s", "reader", 2)))
        got = [(e.reference_id, e.subject) for e in views.inbox(high, "SECSTATE").entries]
        assert got == [("26BAMAKO5", "THE SECRET SUBJECT"), ("26BAMAKO6", "DISPATCH TEST NUMBER 6")]
