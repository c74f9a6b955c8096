"""`cablebase users|policy|audit` and the identity of command-line readers (cli_access), on
a SQLite file and on a PostgreSQL database (tests/access_stores.py)."""

from __future__ import annotations

import csv
import io
import json

import click
import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from cablebase.access import audit
from cablebase.access.accounts import Accounts
from cablebase.access.policy import ALL_CAVEATS, EVERYONE, Policy, Viewer
from cablebase.access.settings import set_policy
from cablebase.archive.store import open_store
from cablebase.cli import access as commands
from cablebase.cli import main
from cablebase.cli.identity import cli_access, identity_options

PW = "correct horse battery"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setattr(commands, "HASHER", FAST)
    monkeypatch.setenv("LOGNAME", "tester")  # getpass.getuser() reads it first
    for var in ("CABLEBASE_PASSWORD", "CABLEBASE_TOKEN", "CABLEBASE_ARCHIVE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def db(access_store) -> str:
    """The location of an empty archive (a file's path or a postgresql:// URL)."""
    return str(access_store.path)


def run(db: str, *args: str, input: str | None = None, env: dict | None = None):
    return CliRunner().invoke(main, [*args, "--archive", db], input=input, env=env)


def add(db: str, name: str, *opts: str):
    return run(db, "users", "add", name, *opts, env={"CABLEBASE_PASSWORD": PW})


def log(db: str) -> list[tuple]:
    with open_store(db) as store:
        return [(e.user, e.action, e.target) for e in audit.entries(store.conn)][::-1]


# -- users ------------------------------------------------------------------------------


def test_users_add_and_list(db):
    r = add(db, "alice", "--role", "archivist", "--clearance", "S", "--caveat", "noforn",
            "--caveat", "NODIS")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stdout == "added alice: archivist, SECRET + NOFORN, NODIS\n"
    assert add(db, "bob").stdout == "added bob: reader, UNCLASSIFIED\n"
    r = run(db, "users", "list")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["name", "role", "clearance", "caveats", "disabled", "created"]
    assert lines[1].split()[:5] == ["alice", "archivist", "SECRET", "NOFORN,NODIS", "no"]
    assert lines[2].split()[:5] == ["bob", "reader", "UNCLASSIFIED", "-", "no"]
    assert log(db)[0] == ("local:tester", "user_add", "alice")
    assert log(db)[-1] == ("local:tester", "users_list", None)


def test_users_add_prompts_for_a_confirmed_password(db):
    r = run(db, "users", "add", "carol", input=f"{PW}\n{PW}\n")
    assert r.exit_code == 0, r.output
    assert "added carol" in r.stdout and PW not in r.output
    with open_store(db) as store:
        assert Accounts(store.conn, hasher=FAST).authenticate("carol", PW).name == "carol"
    r = run(db, "users", "add", "dave", input=f"{PW}\nsomething else\n{PW}\n{PW}\n")
    assert r.exit_code == 0 and "do not match" in r.output


@pytest.mark.parametrize(
    "args, password, code, message",
    [
        (("alice",), PW, 1, "exists already"),
        (("eve",), "short", 1, "too short"),
        (("eve", "--clearance", "COSMIC"), PW, 1, "clearance"),
        (("eve", "--caveat", "SIPDIS"), PW, 2, "SIPDIS"),
        (("eve", "--role", "root"), PW, 2, "root"),
        (("local:eve",), PW, 1, "user name"),
    ],
)
def test_users_add_refuses(db, args, password, code, message):
    add(db, "alice")
    r = run(db, "users", "add", *args, env={"CABLEBASE_PASSWORD": password})
    assert r.exit_code == code
    assert message in r.output


def test_commands_need_an_existing_archive(tmp_path):
    missing = str(tmp_path / "nothing.db")
    for args in (["users", "list"], ["policy"], ["audit"]):
        r = run(missing, *args)
        assert r.exit_code == 1 and "no archive at" in r.output
    assert not (tmp_path / "nothing.db").exists()


def test_users_grant_and_revoke(db):
    add(db, "alice", "--clearance", "C")
    r = run(db, "users", "grant", "alice", "--clearance", "TS", "--caveat", "NOFORN")
    assert (r.exit_code, r.stdout) == (0, "alice: TOP SECRET + NOFORN\n")
    r = run(db, "users", "revoke", "alice", "--caveat", "noforn", "--clearance", "secret")
    assert (r.exit_code, r.stdout) == (0, "alice: SECRET\n")
    r = run(db, "users", "grant", "alice", "--clearance", "C")
    assert r.exit_code == 1 and "lower it with revoke" in r.output
    r = run(db, "users", "grant", "alice")
    assert r.exit_code == 2 and "--clearance" in r.output
    r = run(db, "users", "revoke", "nobody", "--caveat", "NODIS")
    assert r.exit_code == 1 and "no user 'nobody'" in r.output
    assert [a for _, a, _ in log(db)] == ["user_add", "user_grant", "user_revoke"]


def test_users_role_passwd_disable_enable(db):
    add(db, "alice")
    r = run(db, "users", "role", "alice", "admin")
    assert (r.exit_code, r.stdout) == (0, "alice: admin\n")
    r = run(db, "users", "passwd", "alice", env={"CABLEBASE_PASSWORD": "a new long password"})
    assert (r.exit_code, r.stdout) == (0, "password of alice changed; 0 sessions ended\n")
    r = run(db, "users", "passwd", "alice", env={"CABLEBASE_PASSWORD": "tiny"})
    assert r.exit_code == 1 and "too short" in r.output
    r = run(db, "users", "passwd", "nobody", env={"CABLEBASE_PASSWORD": "a new long password"})
    assert r.exit_code == 1 and "no user" in r.output
    r = run(db, "users", "disable", "alice")
    assert (r.exit_code, r.stdout) == (0, "alice disabled (sessions ended, tokens revoked)\n")
    assert run(db, "users", "list").stdout.splitlines()[1].split()[4] == "yes"
    r = run(db, "users", "enable", "alice")
    assert (r.exit_code, r.stdout) == (0, "alice enabled\n")
    with open_store(db) as store:
        acc = Accounts(store.conn, hasher=FAST)
        assert acc.authenticate("alice", "a new long password").role == "admin"
    assert [a for _, a, _ in log(db)][:7] == [
        "user_add",
        "user_role",
        "user_passwd",
        "sessions_end",
        "user_disable",
        "users_list",
        "user_enable",
    ]


def test_users_tokens(db):
    add(db, "alice", "--clearance", "S")
    r = run(db, "users", "token", "alice", "laptop", "--days", "30")
    assert r.exit_code == 0
    token = r.stdout.strip()
    assert token.startswith("cbt_") and r.stdout.count("\n") == 1
    assert run(db, "users", "token", "alice", "ci").exit_code == 0
    r = run(db, "users", "token", "alice", "laptop")
    assert r.exit_code == 1 and "already" in r.output
    r = run(db, "users", "token", "alice", "x", "--days", "0")
    assert r.exit_code == 2
    r = run(db, "users", "tokens", "alice")
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["label", "created", "expires", "last_used"]
    assert sorted(line.split()[0] for line in lines[1:]) == ["ci", "laptop"]
    assert "never" in next(line for line in lines if line.startswith("ci"))
    assert token not in r.stdout
    with open_store(db) as store:
        assert Accounts(store.conn).token_user(token).name == "alice"
    r = run(db, "users", "untoken", "alice", "laptop")
    assert (r.exit_code, r.stdout) == (0, "token 'laptop' of alice revoked\n")
    r = run(db, "users", "untoken", "alice", "laptop")
    assert r.exit_code == 1 and "no token labelled 'laptop'" in r.output
    with open_store(db) as store:
        assert Accounts(store.conn).token_user(token) is None


# -- policy -----------------------------------------------------------------------------


def test_policy_show_and_set(db):
    tail = "declassification: reviewed\npublic: UNCLASSIFIED cables without caveats, without"
    tail += " handling restrictions (SBU, LOU, FOUO)\n"
    r = run(db, "policy")
    assert (r.exit_code, r.stdout) == (0, "mode: open\nportions: yes\n" + tail)
    r = run(db, "policy", "set", "controlled", "--no-portions")
    assert (r.exit_code, r.stdout) == (0, "mode: controlled\nportions: no\n" + tail)
    assert run(db, "policy", "show").stdout == "mode: controlled\nportions: no\n" + tail
    r = run(db, "policy", "set", "open")  # portions kept as they were
    assert r.stdout == "mode: open\nportions: no\n" + tail
    assert run(db, "policy", "set", "secret").exit_code == 2
    # The group's --archive reaches its subcommands.
    r = CliRunner().invoke(main, ["policy", "--archive", db, "set", "controlled", "--portions"])
    assert (r.exit_code, r.stdout) == (0, "mode: controlled\nportions: yes\n" + tail)
    r = run(db, "policy", "set", "controlled", "--declassify", "automatic", "--public", "C")
    assert r.stdout.endswith(
        "declassification: automatic\npublic: UNCLASSIFIED to CONFIDENTIAL cables without"
        " caveats, without handling restrictions (SBU, LOU, FOUO)\n"
    )
    r = run(db, "policy", "set", "controlled", "--public", "none")
    assert "public: nothing but declassified and released cables" in r.stdout
    (entry, *_) = [e for e in _entries(db) if e.action == "policy_set"][-3:]
    assert entry.user == "local:tester"
    assert entry.detail == "open/0/reviewed/public=0 -> controlled/1/reviewed/public=0"


def _entries(db: str) -> list:
    with open_store(db) as store:
        return list(audit.entries(store.conn))


# -- audit ------------------------------------------------------------------------------


def test_audit_table_and_filters(db):
    add(db, "alice")
    with open_store(db) as store:
        acc = Accounts(store.conn, hasher=FAST)
        acc.authenticate("alice", PW, address="192.0.2.1")
        with pytest.raises(Exception):  # noqa: B017 - any AuthError
            acc.authenticate("alice", "wrong password", address="192.0.2.1")
    r = run(db, "audit")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["at", "user", "action", "target", "address", "detail"]
    assert [line.split()[2] for line in lines[1:]] == ["login_failed", "login", "user_add"]
    assert lines[1].split()[1] == "alice" and "192.0.2.1" in lines[1]
    r = run(db, "audit", "--user", "alice", "--action", "login")
    assert [line.split()[2] for line in r.stdout.splitlines()[1:]] == ["login"]
    r = run(db, "audit", "--limit", "1")
    assert len(r.stdout.splitlines()) == 2
    assert run(db, "audit", "--since", "2999-01-01").stdout == "no entries\n"
    assert run(db, "audit", "--since", "yesterday").exit_code == 2
    # Looking at the log is itself logged.
    assert _entries(db)[0].action == "audit_view"


def test_audit_export(db, tmp_path):
    add(db, "alice")
    add(db, "bob")
    out = tmp_path / "audit.csv"
    r = run(db, "audit", "--export", "csv", "--out", str(out), "--action", "user_add")
    assert r.exit_code == 0 and "2 entries written" in r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(x["user"], x["action"], x["target"]) for x in rows] == [
        ("local:tester", "user_add", "bob"),
        ("local:tester", "user_add", "alice"),
    ]
    r = run(db, "audit", "--export", "jsonl", "--limit", "2")
    assert r.exit_code == 0
    got = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x["action"] for x in got] == ["audit_export", "user_add"]
    assert set(got[0]) == {"id", "at", "user", "action", "target", "detail", "address"}
    assert run(db, "audit", "--export", "xml").exit_code == 2


# -- cli_access and identity_options -----------------------------------------------------


@pytest.fixture
def controlled(db):
    store = open_store(db)
    acc = Accounts(store.conn, hasher=FAST)
    acc.add_user("alice", PW, clearance="S", caveats=["NOFORN"])
    set_policy(store.conn, Policy("controlled"))
    yield store
    store.close()


def test_cli_access_open_asks_nothing(db):
    with open_store(db) as store:
        access = cli_access(store.conn, user="alice", token="bogus")  # not even checked
        assert access.policy == Policy("open") and access.viewer == EVERYONE


def test_cli_access_controlled(controlled, monkeypatch):
    conn = controlled.conn
    # Without an account: the policy's public profile (UNCLASSIFIED, no restrictions).
    public = cli_access(conn, user=None, token=None)
    assert public.viewer == public.policy.public_viewer() == Viewer(None, "reader", 0, 0)
    alice = Viewer("alice", "reader", 2, 1)
    a = cli_access(conn, user="alice", token=None, password=PW, hasher=FAST)
    assert a.viewer == alice and a.policy.mode == "controlled"
    monkeypatch.setenv("CABLEBASE_PASSWORD", PW)
    assert cli_access(conn, user="alice", token=None, hasher=FAST).viewer == alice
    token = Accounts(conn).create_token("alice", "cli")
    assert cli_access(conn, user=None, token=token).viewer == alice
    logins = [(e.user, e.action, e.detail) for e in audit.entries(conn, action="login")]
    assert logins == [
        ("alice", "login", "cli token"),
        ("alice", "login", "cli"),
        ("alice", "login", "cli"),
    ]


def test_cli_access_bad_credentials(controlled):
    conn = controlled.conn
    with pytest.raises(click.ClickException, match="wrong user name or password"):
        cli_access(conn, user="alice", token=None, password="wrong password", hasher=FAST)
    with pytest.raises(click.ClickException, match="wrong user name or password"):
        cli_access(conn, user="nobody", token=None, password=PW, hasher=FAST)
    with pytest.raises(click.ClickException, match="token is not valid"):
        cli_access(conn, user=None, token="cbt_forged")
    for _ in range(4):
        with pytest.raises(click.ClickException):
            cli_access(conn, user="alice", token=None, password="wrong password", hasher=FAST)
    with pytest.raises(
        click.ClickException, match=r"too many failed logins for alice; try again in \d+ s"
    ):
        cli_access(conn, user="alice", token=None, password=PW, hasher=FAST)
    Accounts(conn).set_disabled("alice", True)
    Accounts(conn).set_password("alice", PW)  # releases the throttle
    with pytest.raises(click.ClickException, match="alice is disabled"):
        cli_access(conn, user="alice", token=None, password=PW, hasher=FAST)
    failed = [e.detail for e in audit.entries(conn, action="login_failed")]
    assert "cli token" in failed and "cli disabled" in failed


def _reader(db: str):
    @click.command()
    @identity_options
    def read(user, token):  # type: ignore[no-untyped-def]
        with open_store(db) as store:
            v = cli_access(store.conn, user=user, token=token, hasher=FAST).viewer
        click.echo(f"{v.name} {v.rank} {v.bits & ALL_CAVEATS}")

    return read


def test_identity_options_prompt_and_token_env(controlled, db):
    read = _reader(db)
    r = CliRunner().invoke(read, ["--user", "alice"], input=PW + "\n")
    assert r.exit_code == 0 and r.stdout == "alice 2 1\n"
    assert "Password for alice" in r.output and PW not in r.output
    r = CliRunner().invoke(read, ["--user", "alice"], input="not it at all\n")
    assert r.exit_code == 1 and "login failed for alice" in r.output
    token = Accounts(controlled.conn).create_token("alice", "env")
    r = CliRunner().invoke(read, [], env={"CABLEBASE_TOKEN": token})
    assert (r.exit_code, r.stdout) == (0, "alice 2 1\n")
    r = CliRunner().invoke(read, [], env={"CABLEBASE_TOKEN": "cbt_nope"})
    assert r.exit_code == 1 and "token is not valid" in r.output
    r = CliRunner().invoke(read, [])
    assert (r.exit_code, r.stdout) == (0, "None 0 0\n")
    assert "CABLEBASE_TOKEN" in CliRunner().invoke(read, ["--help"]).output


def test_audit_as_an_admin_shows_no_cable_they_may_not_see(controlled, db):
    from cablebase.record import Cable, Paragraph

    def cable(rid: str, cls: str) -> Cable:
        p = [Paragraph(number=1, portion=None, text="Text.")]
        return Cable(reference_id=rid, classification=cls, handling=[], paragraphs=p)

    controlled.put_many([cable("09SECRETPOST1", "SECRET"), cable("09PLAINPOST2", "UNCLASSIFIED")])
    acc = Accounts(controlled.conn, hasher=FAST)
    acc.add_user("uadmin", PW, "admin", "U")
    for target in ("09SECRETPOST1", "09PLAINPOST2", "id:09secretpost1 OR x"):
        audit.record(controlled.conn, "alice", "read", target)
    whole = run(db, "audit", "--action", "read")
    assert whole.stdout.count("09SECRETPOST1") + whole.stdout.count("09secretpost1") == 2
    r = run(db, "audit", "--action", "read", "--as", "uadmin", env={"CABLEBASE_PASSWORD": PW})
    assert r.exit_code == 0, r.output
    assert "09PLAINPOST2" in r.stdout and "secretpost1" not in r.stdout.lower()
    r = run(db, "audit", "--export", "jsonl", "--as", "uadmin", env={"CABLEBASE_PASSWORD": PW})
    assert "09PLAINPOST2" in r.stdout and "secretpost1" not in r.stdout.lower()
    r = run(db, "audit", "--as", "alice", env={"CABLEBASE_PASSWORD": PW})
    assert r.exit_code == 1 and "only an admin" in r.output


def test_serve_secure_cookies_flag(db, monkeypatch):
    import uvicorn

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.setdefault("app", app))
    assert run(db, "serve", "--secure-cookies").exit_code == 0
    assert served.pop("app").state.secure_cookies is True
    assert run(db, "serve").exit_code == 0
    assert served.pop("app").state.secure_cookies is False
