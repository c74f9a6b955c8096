"""Accounts, sessions, tokens, throttling and the audit log, on a real archive with real
(cheap) argon2 hashing: each test on a SQLite file and on a PostgreSQL database
(tests/access_stores.py)."""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from cablebase.access import audit
from cablebase.access.accounts import Accounts, AuthError, User
from cablebase.access.audit import AuditWriter
from cablebase.access.policy import CAVEATS, Access, Policy, Stored, Viewer
from cablebase.archive.db import Db
from cablebase.archive.store import open_store
from tests.access_stores import stored_text

PW = "correct horse battery"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
T0 = datetime(2031, 3, 14, 9, 0, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def store(access_store):
    return access_store


def q(store, sql: str, params=()):
    """A statement in SQLite's placeholders on either store (archive/db.py)."""
    return Db.of(store.conn).execute(sql, params)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def acc(store, clock) -> Accounts:
    return Accounts(store.conn, hasher=FAST, clock=clock)


def actions(conn) -> list[str]:
    return [a for (a,) in Db.of(conn).execute("SELECT action FROM audit ORDER BY id")]


def failure(fn, *args, **kw) -> AuthError:
    with pytest.raises(AuthError) as info:
        fn(*args, **kw)
    return info.value


# -- accounts ------------------------------------------------------------------------


def test_add_and_get_user(acc):
    u = acc.add_user("alice", PW, "archivist", "secret", ["noforn", "NODIS"])
    assert (u.name, u.role, u.rank, u.caveats, u.disabled) == (
        "alice",
        "archivist",
        2,
        ["NOFORN", "NODIS"],
        False,
    )
    assert u.created == "2031-03-14T09:00:00Z"
    assert acc.get_user("ALICE") == u  # names are case-insensitive
    assert acc.get_user("bob") is None
    acc.add_user("bob", PW)
    assert [x.name for x in acc.list_users()] == ["alice", "bob"]
    assert acc.get_user("bob").rank == 0 and acc.get_user("bob").role == "reader"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "alice"}, "exists already"),
        ({"name": "Alice"}, "exists already"),
        ({"password": "short pw"}, "too short"),
        ({"role": "root"}, "role"),
        ({"caveats": ["NOFORN", "SIPDIS"]}, "unknown caveat"),
        ({"clearance": "COSMIC"}, "clearance"),
        ({"clearance": 7}, "clearance"),
        ({"name": "local:eve"}, "user name"),
        ({"name": ""}, "user name"),
    ],
)
def test_add_user_refuses(acc, kwargs, message):
    acc.add_user("alice", PW)
    args = {"name": "carol", "password": PW, **kwargs}
    with pytest.raises(ValueError, match=message):
        acc.add_user(**args)


def test_passwords_are_argon2id_hashes(acc, store):
    acc.add_user("alice", PW)
    (stored,) = q(store, "SELECT password FROM users").fetchone()
    assert stored.startswith("$argon2id$") and PW not in stored


def test_default_hasher_is_argon2id(store):
    acc = Accounts(store.conn)
    assert acc.hasher.type.name == "ID"


def test_grant_and_revoke_change_the_viewer(acc):
    acc.add_user("alice", PW, clearance="C")
    secret_noforn = Stored(rank=2, bits=1 << CAVEATS.index("NOFORN"), open_on=None, floor_rank=None)
    controlled = Policy("controlled", portions=False)

    def decision(user: User) -> str:
        return Access(controlled, user.viewer).decide(secret_noforn)

    assert decision(acc.get_user("alice")) == "none"
    u = acc.grant("alice", clearance="S")
    assert u.viewer == Viewer("alice", "reader", 2, 0)
    assert decision(u) == "none"  # the caveat is still missing
    u = acc.grant("alice", caveats=["NOFORN", "EXDIS"])
    assert u.caveats == ["NOFORN", "EXDIS"] and decision(u) == "full"
    u = acc.revoke("alice", caveats=["NOFORN"])
    assert u.caveats == ["EXDIS"] and decision(u) == "none"
    u = acc.revoke("alice", clearance="UNCLASSIFIED", caveats=["EXDIS"])
    assert (u.rank, u.bits) == (0, 0)
    assert acc.get_user("alice").viewer == Viewer("alice", "reader", 0, 0)


def test_grant_and_revoke_refuse_the_wrong_direction(acc):
    acc.add_user("alice", PW, clearance="S")
    with pytest.raises(ValueError, match="revoke"):
        acc.grant("alice", clearance="C")
    with pytest.raises(ValueError, match="grant"):
        acc.revoke("alice", clearance="TS")
    with pytest.raises(ValueError, match="unknown caveat"):
        acc.grant("alice", caveats=["COSMIC"])
    with pytest.raises(ValueError, match="no user"):
        acc.grant("nobody", clearance=1)
    assert acc.get_user("alice").rank == 2


def test_set_role_and_password(acc):
    acc.add_user("alice", PW)
    assert acc.set_role("alice", "admin").role == "admin"
    with pytest.raises(ValueError):
        acc.set_role("alice", "king")
    with pytest.raises(ValueError, match="too short"):
        acc.set_password("alice", "tiny")
    acc.set_password("alice", "a whole new secret")
    assert failure(acc.authenticate, "alice", PW).reason == "bad_credentials"
    assert acc.authenticate("alice", "a whole new secret").name == "alice"


def test_login_rehashes_weaker_hashes(acc, store, clock):
    acc.add_user("alice", PW)
    stronger = Accounts(
        store.conn, hasher=PasswordHasher(time_cost=2, memory_cost=8, parallelism=1), clock=clock
    )
    stronger.authenticate("alice", PW)
    (hashed,) = q(store, "SELECT password FROM users").fetchone()
    assert "t=2" in hashed
    assert acc.authenticate("alice", PW).name == "alice"  # still verifies


# -- logins and throttling -----------------------------------------------------------


def test_wrong_password_unknown_user_disabled(acc):
    acc.add_user("alice", PW)
    assert acc.authenticate("alice", PW).name == "alice"
    assert acc.authenticate("Alice", PW).name == "alice"
    e = failure(acc.authenticate, "alice", PW + "x")
    assert e.reason == "bad_credentials"
    assert failure(acc.authenticate, "mallory", PW).reason == "bad_credentials"
    assert failure(acc.authenticate, "alice", "").reason == "bad_credentials"
    acc.set_disabled("alice", True)
    assert failure(acc.authenticate, "alice", PW).reason == "disabled"
    # A wrong password says nothing about the account's state.
    assert failure(acc.authenticate, "alice", "guess guess").reason == "bad_credentials"
    acc.set_disabled("alice", False)
    assert acc.authenticate("alice", PW).name == "alice"


def test_throttled_after_five_failures_even_with_the_right_password(acc, clock):
    acc.add_user("alice", PW)
    for _ in range(5):
        assert failure(acc.authenticate, "alice", "wrong password").reason == "bad_credentials"
        clock.advance(minutes=1)
    # Failures at 9:00..9:04; now 9:05: free again when the one of 9:00 ages out, at 9:15.
    e = failure(acc.authenticate, "alice", PW)
    assert (e.reason, e.retry_after) == ("throttled", 600)
    assert acc.failures("alice") == 5
    # Throttled attempts do not prolong the lock.
    for _ in range(10):
        failure(acc.authenticate, "alice", "wrong password")
    clock.advance(minutes=9, seconds=59)
    assert failure(acc.authenticate, "alice", PW).retry_after == 1
    clock.advance(seconds=1)
    assert acc.authenticate("alice", PW).name == "alice"
    assert acc.failures("alice") == 0  # a success clears the name's failures


def test_throttling_is_per_name(acc):
    acc.add_user("alice", PW)
    acc.add_user("bob", PW)
    for _ in range(5):
        failure(acc.authenticate, "ALICE", "wrong password")
    assert failure(acc.authenticate, "alice", PW).reason == "throttled"
    assert acc.authenticate("bob", PW).name == "bob"


def test_success_clears_failures(acc):
    acc.add_user("alice", PW)
    for _ in range(4):
        failure(acc.authenticate, "alice", "wrong password")
    acc.authenticate("alice", PW)
    for _ in range(4):
        failure(acc.authenticate, "alice", "wrong password")
    assert acc.authenticate("alice", PW).name == "alice"


def test_unknown_names_are_throttled_too(acc):
    for _ in range(5):
        assert failure(acc.authenticate, "ghost", "wrong password").reason == "bad_credentials"
    assert failure(acc.authenticate, "ghost", "wrong password").reason == "throttled"


def test_throttled_per_address(acc, clock):
    acc.add_user("alice", PW)
    for i in range(20):  # a spray over many names, under each name's own limit
        failure(acc.authenticate, f"user{i}", "wrong password", address="203.0.113.9")
    e = failure(acc.authenticate, "alice", PW, address="203.0.113.9")
    assert (e.reason, e.retry_after) == ("throttled", 900)
    assert acc.authenticate("alice", PW, address="198.51.100.1").name == "alice"
    assert acc.authenticate("alice", PW).name == "alice"
    clock.advance(minutes=15)
    assert acc.authenticate("alice", PW, address="203.0.113.9").name == "alice"


def test_set_password_releases_a_throttled_name(acc):
    acc.add_user("alice", PW)
    for _ in range(5):
        failure(acc.authenticate, "alice", "wrong password")
    acc.set_password("alice", "a whole new secret")
    assert acc.authenticate("alice", "a whole new secret").name == "alice"


def test_login_attempts_are_audited(acc, store):
    acc.add_user("alice", PW)
    acc.authenticate("alice", PW, address="192.0.2.1", via="web")
    failure(acc.authenticate, "alice", "wrong password", address="192.0.2.1")
    for _ in range(4):
        failure(acc.authenticate, "alice", "wrong password")
    failure(acc.authenticate, "alice", PW)
    got = [(e.user, e.action, e.address, e.detail) for e in audit.entries(store.conn, user="alice")]
    assert got[-1] == ("alice", "login", "192.0.2.1", "web")
    assert got[-2] == ("alice", "login_failed", "192.0.2.1", None)
    assert got[0] == ("alice", "login_throttled", None, None)
    assert [a for _, a, _, _ in got].count("login_failed") == 5


def test_a_nul_in_a_login_name_is_a_failed_login_on_either_store(acc, store):
    """PostgreSQL's text holds no NUL: a name typed with one (`POST /api/login`) answered
    500 there, its throttle key and audit entry unwritable (found by
    tests/test_access_probe.py).  It is a failed login, counted and audited, on both."""
    acc.add_user("alice", PW)
    for _ in range(5):
        assert failure(acc.authenticate, "ali\x00ce", PW).reason == "bad_credentials"
    assert failure(acc.authenticate, "ali\x00ce", PW).reason == "throttled"
    assert acc.failures("ali\x00ce") == 5 and acc.get_user("ali\x00ce") is None
    assert acc.authenticate("alice", PW).name == "alice"
    (e, *_) = audit.entries(store.conn, action="login_throttled")
    assert e.user == "ali\ufffdce"


def test_audit_writer_is_not_stopped_by_a_nul(store):
    """A search typed with a NUL (`/search?q=%00`) queued an entry PostgreSQL refused: the
    writer kept the batch and retried it for ever, writing no later entry of anyone (the
    log silenced by one anonymous request).  Entries keep the NUL as U+FFFD on both stores."""
    with AuditWriter(store.path, interval=10) as writer:
        writer.record(None, "search", "harbour\x00master", "page 1", "192.0.2.\x00")
        writer.record("alice", "read", "09ROME1")
        writer.flush()
        got = [(e.user, e.action, e.target, e.address) for e in audit.entries(store.conn)]
    assert got == [
        ("alice", "read", "09ROME1", None),
        (None, "search", "harbour\ufffdmaster", "192.0.2.\ufffd"),
    ]
    audit.record(store.conn, "bob\x00", "login_failed", detail="\x00")
    (e, *_) = audit.entries(store.conn)
    assert (e.user, e.detail) == ("bob\ufffd", "\ufffd")


def test_audit_writer_is_not_stopped_by_an_entry_the_database_refuses(store, capfd):
    """An entry the database refuses for what it holds (here a value no driver takes) is
    reported and dropped; the writer went on retrying its batch for ever before, writing no
    later entry of anyone."""
    with AuditWriter(store.path, interval=10) as writer:
        writer.record("alice", "read", "09ROME1")
        writer.record("mallory", "read", object())  # type: ignore[arg-type]
        writer.record("bob", "read", "09ROME2")
        writer.flush(timeout=10)
        writer.record("carol", "read", "09ROME3")
        writer.flush(timeout=10)
        got = [(e.user, e.target) for e in audit.entries(store.conn)]
    assert got == [("carol", "09ROME3"), ("bob", "09ROME2"), ("alice", "09ROME1")]
    assert "could not write" in capfd.readouterr().err


# -- sessions ----------------------------------------------------------------------------


def test_session_roundtrip_and_logout(acc, store):
    u = acc.add_user("alice", PW)
    token, csrf = acc.create_session(u)
    assert token != csrf and len(token) >= 40
    user, got_csrf = acc.session(token)
    assert (user.name, got_csrf) == ("alice", csrf)
    assert acc.session("not a token") is None
    assert acc.session("") is None
    acc.end_session(token)
    assert acc.session(token) is None
    assert "logout" in actions(store.conn)


def test_expired_session_is_rejected_and_deleted(acc, store, clock):
    u = acc.add_user("alice", PW)
    token, _ = acc.create_session(u, ttl=timedelta(hours=1))
    clock.advance(minutes=59)
    assert acc.session(token) is not None
    clock.advance(minutes=61)
    assert acc.session(token) is None
    assert q(store, "SELECT count(*) FROM sessions").fetchone()[0] == 0


def test_session_expiry_slides_with_use(acc, clock):
    u = acc.add_user("alice", PW)
    token, _ = acc.create_session(u, ttl=timedelta(hours=1))
    for _ in range(5):  # five hours in all, never idle for an hour
        clock.advance(minutes=50)
        assert acc.session(token) is not None
    clock.advance(minutes=61)
    assert acc.session(token) is None


def test_disabling_ends_sessions_and_tokens(acc, store):
    u = acc.add_user("alice", PW)
    acc.add_user("bob", PW)
    token, _ = acc.create_session(u)
    api = acc.create_token(u, "laptop")
    bob_session, _ = acc.create_session(acc.get_user("bob"))
    acc.set_disabled("alice", True)
    assert acc.session(token) is None and acc.token_user(api) is None
    assert q(store, "SELECT count(*) FROM sessions").fetchone()[0] == 1
    acc.set_disabled("alice", False)
    assert acc.session(token) is None  # enabling does not bring them back
    assert acc.session(bob_session)[0].name == "bob"


def test_session_of_a_disabled_user_is_refused(acc, store):
    u = acc.add_user("alice", PW)
    token, _ = acc.create_session(u)
    q(store, "UPDATE users SET disabled = 1")  # disabled behind the model's back
    assert acc.session(token) is None


# -- API tokens ----------------------------------------------------------------------------


def test_token_create_use_revoke(acc, store, clock):
    u = acc.add_user("alice", PW, clearance="S")
    token = acc.create_token(u, "laptop")
    assert token.startswith("cbt_")
    assert acc.token_user(token) == acc.get_user("alice")
    assert acc.token_user(token + "x") is None
    assert acc.session(token) is None  # an API token is not a web session
    web, _ = acc.create_session(u)
    assert acc.token_user(web) is None
    with pytest.raises(ValueError, match="already"):
        acc.create_token(u, "laptop")
    clock.advance(minutes=5)
    acc.token_user(token)
    (listed,) = acc.list_tokens("alice")
    assert listed == {
        "label": "laptop",
        "created": "2031-03-14T09:00:00Z",
        "expires": None,
        "last_used": "2031-03-14T09:05:00Z",
        "expired": False,
    }
    assert acc.revoke_token("alice", "laptop") is True
    assert acc.revoke_token("alice", "laptop") is False
    assert acc.token_user(token) is None
    assert acc.list_tokens("alice") == []
    assert "token_create" in actions(store.conn) and "token_revoke" in actions(store.conn)


def test_token_with_a_lifetime_expires(acc, clock):
    u = acc.add_user("alice", PW)
    token = acc.create_token(u, "ci", ttl=timedelta(days=2))
    clock.advance(days=1)
    assert acc.token_user(token).name == "alice"
    clock.advance(days=1)
    assert acc.token_user(token) is None
    assert acc.list_tokens("alice") == []  # an expired token is deleted when presented
    # Its label may be reused.
    assert acc.token_user(acc.create_token(u, "ci")).name == "alice"


def test_only_hashes_are_stored(store, clock):
    acc = Accounts(store.conn, hasher=FAST, clock=clock)
    u = acc.add_user("alice", PW)
    api = acc.create_token(u, "laptop")
    session, _ = acc.create_session(u)
    assert acc.token_user(api) and acc.session(session)
    data = stored_text(store)  # SQLite: the file and its write-ahead log
    assert b"laptop" in data  # the file was really written
    for secret in (api, api[4:], session, PW):
        assert secret.encode() not in data


# -- the audit log ---------------------------------------------------------------------


def test_every_account_action_is_audited(acc, store):
    u = acc.add_user("alice", PW, by="local:root")
    acc.set_password("alice", "another long one", by="local:root")
    acc.set_role("alice", "admin", by="local:root")
    acc.grant("alice", clearance="TS", caveats=["NOFORN"], by="local:root")
    acc.revoke("alice", caveats=["NOFORN"], by="local:root")
    acc.set_disabled("alice", True, by="local:root")
    acc.set_disabled("alice", False, by="local:root")
    acc.create_token(u, "laptop", by="local:root")
    acc.revoke_token("alice", "laptop", by="local:root")
    assert actions(store.conn) == [
        "user_add",
        "user_passwd",
        "sessions_end",  # a new password ends the user's sessions
        "user_role",
        "user_grant",
        "user_revoke",
        "user_disable",
        "user_enable",
        "token_create",
        "token_revoke",
    ]
    (grant,) = audit.entries(store.conn, action="user_grant")
    assert (grant.user, grant.target, grant.detail) == (
        "local:root",
        "alice",
        "clearance=TOP SECRET caveats=NOFORN",
    )


def _fill(conn) -> None:
    rows = [
        ("2031-01-01T10:00:00Z", "alice", "login"),
        ("2031-01-02T10:00:00Z", "bob", "login_failed"),
        ("2031-01-02T23:59:59Z", "alice", "search"),
        ("2031-01-03T08:00:00Z", "alice", "read"),
    ]
    for at, user, action in rows:
        audit.record(
            conn, user, action, "09ROME1", None, "192.0.2.7", at=datetime.fromisoformat(at)
        )


def test_entries_filters_and_order(store):
    _fill(store.conn)
    found = list(audit.entries(store.conn))
    assert [e.action for e in found] == ["read", "search", "login_failed", "login"]
    assert [e.action for e in audit.entries(store.conn, user="alice", limit=2)] == [
        "read",
        "search",
    ]
    assert [e.user for e in audit.entries(store.conn, action="login_failed")] == ["bob"]
    assert [e.action for e in audit.entries(store.conn, since="2031-01-02")] == [
        "read",
        "search",
        "login_failed",
    ]
    # A bare date as `until` includes its whole day.
    assert [e.action for e in audit.entries(store.conn, until="2031-01-02")] == [
        "search",
        "login_failed",
        "login",
    ]
    assert [
        e.action for e in audit.entries(store.conn, until=datetime(2031, 1, 2, 12, 0, tzinfo=UTC))
    ] == ["login_failed", "login"]


def test_same_second_keeps_recording_order(store):
    at = datetime(2031, 1, 1, tzinfo=UTC)
    for action in ("first", "second", "third"):
        audit.record(store.conn, "alice", action, at=at)
    assert [e.action for e in audit.entries(store.conn)] == ["third", "second", "first"]


def test_export_csv_and_jsonl(store):
    _fill(store.conn)
    audit.record(
        store.conn, "=HYPERLINK(evil)", "login_failed", at=datetime(2031, 1, 4, tzinfo=UTC)
    )
    out = io.StringIO()
    assert audit.export(store.conn, out, "csv") == 5
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == ["id", "at", "user", "action", "target", "detail", "address"]
    assert rows[0]["user"] == "'=HYPERLINK(evil)"  # no formula for a spreadsheet to run
    assert rows[1] == {
        "id": "4",
        "at": "2031-01-03T08:00:00Z",
        "user": "alice",
        "action": "read",
        "target": "09ROME1",
        "detail": "",
        "address": "192.0.2.7",
    }
    out = io.StringIO()
    assert audit.export(store.conn, out, "jsonl", user="alice") == 3
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [x["action"] for x in lines] == ["read", "search", "login"]
    assert lines[0]["detail"] is None and lines[0]["id"] == 4
    with pytest.raises(ValueError):
        audit.export(store.conn, io.StringIO(), "xml")


def test_audit_writer_loses_nothing_on_close(store):
    path = store.path
    writer = AuditWriter(path, interval=0.05)

    def work(n: int) -> None:
        for i in range(250):
            writer.record(f"user{n}", "read", f"09ROME{i}", address="192.0.2.1")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.close()
    writer.record("late", "read")  # after close: written at once
    with open_store(path) as again:
        conn = Db.of(again.conn)
        assert conn.one("SELECT count(*) FROM audit") == 8 * 250 + 1
        per_user = dict(conn.execute('SELECT "user", count(*) FROM audit GROUP BY "user"'))
        assert per_user == {**{f"user{n}": 250 for n in range(8)}, "late": 1}
        # Each thread's entries keep their order.
        targets = [
            t
            for (t,) in conn.execute(
                "SELECT target FROM audit WHERE \"user\" = 'user3' ORDER BY id"
            )
        ]
        assert targets == [f"09ROME{i}" for i in range(250)]


def test_audit_writer_flush_and_concurrent_reader(store):
    with AuditWriter(store.path, interval=10) as writer:  # the interval never comes: flush does it
        writer.record("alice", "search", detail="q=rome")
        writer.flush()
        (e,) = audit.entries(store.conn)
        assert (e.user, e.action, e.detail) == ("alice", "search", "q=rome")
        writer.record("alice", "read", "09ROME1")
    assert [e.action for e in audit.entries(store.conn)] == ["read", "search"]


def test_session_lookup_on_a_read_only_connection(store, clock):
    acc = Accounts(store.conn, hasher=FAST, clock=clock)
    token, csrf = acc.create_session(acc.add_user("alice", PW))
    clock.advance(minutes=5)  # old enough that the lookup tries to slide the expiry
    with open_store(store.path, readonly=True) as ro:
        user, got = Accounts(ro.conn, hasher=FAST, clock=clock).session(token)
        assert (user.name, got) == ("alice", csrf)
