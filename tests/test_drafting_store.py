"""Drafts kept in the archive: `cablebase draft new|edit|show|list`, versions, access, audit —
on each store (`db` is a SQLite file or a PostgreSQL database)."""

from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from cablebase.access import audit
from cablebase.access.policy import Policy
from cablebase.access.settings import set_policy
from cablebase.archive.store import open_store
from cablebase.cli import access as commands
from cablebase.cli import main
from tests.test_drafting import BASE

PW = "correct horse battery"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setattr(commands, "HASHER", FAST)
    monkeypatch.setenv("LOGNAME", "tester")
    for var in ("CABLEBASE_PASSWORD", "CABLEBASE_TOKEN", "CABLEBASE_ARCHIVE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def db(empty_archive) -> str:
    return empty_archive


def run(db: str, *args: str, user: str | None = None, input: str | None = None):
    who = ["--user", user] if user else []
    env = {"CABLEBASE_PASSWORD": PW} if user else None
    return CliRunner().invoke(main, ["draft", *args, "--archive", db, *who], input=input, env=env)


def write(tmp_path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_new_edit_show_list_keep_every_version(db, tmp_path):
    r = run(db, "new", write(tmp_path, "a.txt", BASE))
    assert r.exit_code == 0, r.output
    assert r.output.startswith("draft 1 (version 1): 0 errors")
    broken = BASE.replace("2. (U) Embassy", "2. Embassy")
    r = run(db, "edit", "1", write(tmp_path, "b.txt", broken))
    assert r.exit_code == 0 and "draft 1 (version 2): 1 errors" in r.output
    shown = json.loads(run(db, "show", "1", "--json").output)
    assert shown["version"] == 2 and shown["body"] == broken
    assert [v["version"] for v in shown["versions"]] == [1, 2]
    assert json.loads(run(db, "show", "1", "--version", "1", "--json").output)["body"] == BASE
    r = run(db, "show", "1", "--check")
    assert r.exit_code == 1 and "marking.portion-missing" in r.output
    assert run(db, "show", "1", "--version", "1", "--check").exit_code == 0
    (row,) = json.loads(run(db, "list", "--json").output)
    assert (row["id"], row["classification"], row["post"]) == (1, "CONFIDENTIAL", "BAMAKO")
    assert row["subject"] == "MINISTER PREVIEWS THE SUMMIT"


def test_structured_draft_is_stored_as_written(db, tmp_path):
    from tests.test_drafting_structured import YAML

    assert run(db, "new", write(tmp_path, "d.yaml", YAML)).exit_code == 0
    shown = json.loads(run(db, "show", "1", "--json").output)
    assert shown["form"] == "yaml" and shown["body"] == YAML
    assert run(db, "new", write(tmp_path, "bad.yaml", "post: [x\n")).exit_code == 2


def test_missing_draft_and_archive(db, tmp_path):
    r = run(db, "show", "7")
    assert r.exit_code == 1 and "no draft 7" in r.output
    r = run(str(tmp_path / "none.db"), "list")
    assert r.exit_code == 1 and "no archive" in r.output


def test_controlled_archive_drafts_belong_to_their_author(db, tmp_path):
    r = CliRunner().invoke
    for name, opts in (("ann", ["--clearance", "C"]), ("bob", ["--clearance", "S"]),
                       ("boss", ["--role", "admin", "--clearance", "S"]),
                       ("low", ["--clearance", "U"])):  # fmt: skip
        out = r(
            main, ["users", "add", name, *opts, "--archive", db], env={"CABLEBASE_PASSWORD": PW}
        )
        assert out.exit_code == 0, out.output
    with open_store(db) as store:
        set_policy(store.conn, Policy("controlled"))
    path = write(tmp_path, "a.txt", BASE)
    # no account: no drafts
    refused = run(db, "new", path)
    assert refused.exit_code == 1 and "need an account" in refused.output
    assert run(db, "new", path, user="ann").exit_code == 0
    # above one's clearance: not saved
    low = run(db, "new", path, user="low")
    assert low.exit_code == 1 and "not cleared for CONFIDENTIAL" in low.output
    # another reader neither sees nor edits it; it is "absent" to them
    assert "no draft 1" in run(db, "show", "1", user="bob").output
    assert json.loads(run(db, "list", "--json", user="bob").output) == []
    assert "no draft 1" in run(db, "edit", "1", path, user="bob").output
    # an admin cleared for it reads it, but does not edit another's draft
    assert run(db, "show", "1", user="boss").exit_code == 0
    assert "not yours" in run(db, "edit", "1", path, user="boss").output
    assert run(db, "edit", "1", path, user="ann").exit_code == 0
    with open_store(db) as store:
        entries = [(e.user, e.action, e.target) for e in audit.entries(store.conn)]
    assert ("ann", "draft.new", "1") in entries and ("ann", "draft.edit", "1") in entries


def test_check_resolves_refs_against_the_archive(db, tmp_path):
    """`draft check --archive`: REF A (BAMAKO 754 of last year) resolves once the archive
    holds 25BAMAKO754, on either store."""
    from tests.dispatch_helpers import cable

    path = write(tmp_path, "a.txt", BASE)

    def check():
        return CliRunner().invoke(
            main, ["draft", "check", path, "--date", "2026-06-01", "--archive", db]
        )

    r = check()
    assert r.exit_code == 0 and "REF A 25BAMAKO754 is not in the archive" in r.output
    ref = cable(754)
    ref.reference_id = "25BAMAKO754"
    with open_store(db) as store:
        store.put_many([ref])
    r = check()
    assert r.exit_code == 0 and "refs.resolve" not in r.output


def test_an_earlier_version_only_to_a_reader_of_the_draft_as_it_stands(db):
    """A version is read with the draft's row (its subject, classification, post): a reader
    cleared for version 1 but not for the draft as it stands read the later version's
    SECRET subject through `get(id, version=1)` (found by the session-12 probe)."""
    from cablebase.access.accounts import Accounts
    from cablebase.access.policy import Access
    from cablebase.drafting.store import DraftError, DraftStore

    secret = (
        BASE.replace("C O N F I D E N T I A L", "S E C R E T")
        .replace("(C) MINISTER PREVIEWS THE SUMMIT", "(S) MINISTER NAMES THE SOURCE")
        .replace("1. (C)", "1. (S)")
    )
    policy = Policy("controlled")
    with open_store(db) as store:
        set_policy(store.conn, policy)
        acc = Accounts(store.conn, hasher=FAST)
        ann = acc.add_user("ann", PW, "reader", 2)
        boss = acc.add_user("boss", PW, "admin", 1)  # reads drafts cleared for CONFIDENTIAL
        mine = DraftStore(store.conn, Access(policy, ann.viewer))
        did = mine.new(BASE, "text").id
        theirs = DraftStore(store.conn, Access(policy, boss.viewer))
        assert theirs.get(did).subject == "MINISTER PREVIEWS THE SUMMIT"
        mine.edit(did, secret, "text")
        for version in (None, 1, 2):
            # word for word a missing draft's answer (session 13: "no draft 1" for a hidden
            # draft's version 1, "no draft 1 version 1" for a missing one, was an oracle)
            said = f"no draft {did}" + (f" version {version}" if version else "")
            with pytest.raises(DraftError, match=f"^{said}$"):
                theirs.get(did, version)
        assert theirs.list() == []
        assert mine.get(did, 1).body == BASE  # the author reads every version
