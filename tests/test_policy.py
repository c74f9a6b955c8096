"""The access policy's semantics (docs/access.md): requirements drawn from every marking,
the public profile, reviewed declassification.  Cables here are written for the test.  The
archives are SQLite files and PostgreSQL databases (tests/access_stores.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cablebase.access.policy import (
    ANONYMOUS,
    CAVEATS,
    DECLASSIFIED_ON,
    Access,
    Policy,
    Viewer,
    bit_names,
    requirement,
    stored,
    view,
)
from cablebase.access.settings import get_policy, set_policy
from cablebase.archive.api import Archive
from cablebase.archive.store import open_store
from cablebase.record import Cable, Paragraph

TODAY = "2026-12-01"


def cable(rid: str, cls: str, paragraphs: list[tuple[str | None, str]], **kw) -> Cable:
    return Cable(
        reference_id=rid,
        created="2009-03-02T10:00:00Z",
        origin="Embassy Testville",
        post="TESTVILLE",
        classification=cls,
        handling=kw.pop("handling", ["SIPDIS"]),
        tags=["PREL"],
        subject=kw.pop("subject", "TESTVILLE: TALKS"),
        subject_portion=kw.pop("subject_portion", None),
        paragraphs=[
            Paragraph(number=i + 1, portion=mark, text=text)
            for i, (mark, text) in enumerate(paragraphs)
        ],
        **kw,
    )


def names(c: Cable) -> set[str]:
    return set(bit_names(requirement(c).bits))


# -- requirements from every marking ---------------------------------------------------


def test_entire_text_statement_names_the_caveats() -> None:
    # Shapes of the dev corpus: the caption line lacks the caveat, paragraph 1 states it.
    for statement, want in [
        ("SECRET/NOFORN - ENTIRE TEXT.", {"NOFORN"}),
        ("CONFIDENTIAL NOFORN - ENTIRE TEXT.", {"NOFORN"}),
        ("SECRET/NOFORN ENTIRE TEXT.", {"NOFORN"}),
        ("(SECRET/NOFORN/WNINTEL/NO CONTRACT/ORCON-ENTIRE TEXT)", {"NOFORN", "ORCON"}),
        ("SBU/NOFORN -- ENTIRE TEXT.", {"NOFORN", "SBU"}),
        ("LIMITED OFFICIAL USE - ENTIRE TEXT.", {"LOU"}),
        ("CONFIDENTIAL - ENTIRE TEXT.", set()),
    ]:
        c = cable("09TESTVILLE1", "SECRET", [(None, statement), (None, "More text.")])
        assert names(c) == want, statement


def test_entire_text_statements_are_read_within_120_characters() -> None:
    """A statement's caveats are the words up to 120 characters before its dashes and
    spaces (however long that run is), back to a full stop or parenthesis; later statements
    in the same paragraph count too."""
    for statement, want in [
        ("NOFORN " + "X" * 110 + " - ENTIRE TEXT.", {"NOFORN"}),  # NOFORN 117 back: read
        ("NOFORN " + "X" * 116 + " - ENTIRE TEXT.", set()),  # 123 back: only "ORN XX..."
        ("SECRET/NOFORN" + " " * 300 + "-  ENTIRE TEXT.", {"NOFORN"}),  # a long run of spaces
        ("ORCON. " + "WORDS " * 40 + "CONFIDENTIAL ENTIRE TEXT.", set()),  # before a stop
        (
            "WORDS " * 60 + "SECRET/NOFORN - ENTIRE TEXT. MORE. (ORCON ENTIRE TEXT)",
            {"NOFORN", "ORCON"},
        ),
        ("Secret/Noforn - Entire Text.", {"NOFORN"}),
        # TEXTBOOK ends one too (no word boundary): "THE"; then "BOOK S/NF" before the next.
        ("THE ENTIRE TEXTBOOK S/NF ENTIRE TEXTS", {"NOFORN"}),
        ("(S/NF) ENTIRE TEXT", set()),  # the parenthesis ends what is read
    ]:
        c = cable("09TESTVILLE1", "SECRET", [(None, "Intro."), (None, statement)])
        assert names(c) == want, statement


def test_a_long_paragraph_with_a_statement_costs_no_more_than_reading_it() -> None:
    """The statement is looked for only where one ends (ENTIRE TEXT): trying the 120-character
    pattern at every position of a 420 KB paragraph took 1.5 s of CPU (2-3 ms for a generated
    cable's, most of the access columns' cost at ingest)."""
    import time

    text = "WORDS AND MORE WORDS " * 20_000 + "SECRET/NOFORN - ENTIRE TEXT."
    c = cable("09TESTVILLE1", "SECRET", [(None, text)])
    start = time.process_time()
    assert names(c) == {"NOFORN"}
    assert time.process_time() - start < 0.3


def test_portion_marks_add_their_caveats_to_the_cable() -> None:
    c = cable("09TESTVILLE2", "SECRET", [("S", "One."), ("S/NF", "Two."), ("C/OC", "Three.")])
    assert names(c) == {"NOFORN", "ORCON"}
    c = cable("09TESTVILLE3", "UNCLASSIFIED", [("U", "One."), ("SBU", "Two.")])
    assert names(c) == {"SBU"}
    c = cable("09TESTVILLE4", "UNCLASSIFIED", [("U/FOUO", "One.")], handling=["SENSITIVE"])
    assert names(c) == {"FOUO", "SBU"}
    c = cable("09TESTVILLE5", "CONFIDENTIAL", [("C", "One.")], handling=["NOFORN", "SIPDIS"])
    assert names(c) == {"NOFORN"}


@pytest.fixture
def archive(access_store):
    store = access_store
    store.put_many(
        [
            # Caption without NOFORN; paragraph 1 says the whole text is NOFORN.
            cable(
                "92TESTVILLE10",
                "SECRET",
                [(None, "SECRET/NOFORN - ENTIRE TEXT."), (None, "The zzwhole secret.")],
            ),
            # Portion marks only: (S/NF) and (C/OC) among clean portions.
            cable(
                "09TESTVILLE11",
                "SECRET",
                [
                    ("S", "The zzplain harbour."),
                    ("S/NF", "The zznoforn harbour."),
                    ("C/OC", "The zzorcon harbour."),
                ],
            ),
        ]
    )
    set_policy(store.conn, Policy("controlled"))
    with Archive.open(store.path) as a:
        yield a


def reader(a: Archive, rank: int, *caveats: str) -> Archive:
    bits = sum(1 << CAVEATS.index(c) for c in caveats)
    return a.with_access(Access(a.policy, Viewer("r", "reader", rank, bits), TODAY))


def test_entire_text_caveat_withholds_the_cable(archive: Archive) -> None:
    secret = reader(archive, 2)
    assert secret.get("92TESTVILLE10") is None  # no portion is free of NOFORN
    assert secret.count("zzwhole") == 0
    assert secret.count("") == 1
    cleared = reader(archive, 2, "NOFORN")
    assert "zzwhole" in cleared.get("92TESTVILLE10").paragraphs[1].text
    assert cleared.count("zzwhole") == 1


def test_paragraph_caveats_judged_per_paragraph(archive: Archive) -> None:
    secret = reader(archive, 2)
    shown = secret.get("09TESTVILLE11")
    assert shown is not None and shown.partial
    texts = [p.text for p in shown.paragraphs]
    assert "zzplain" in texts[0]
    assert texts[1] == texts[2] == "[withheld]"
    for word in ("zznoforn", "zzorcon"):
        assert secret.count(word) == 0, word
    # Free text finds only cables read whole.
    assert secret.count("zzplain") == 0
    nf = reader(archive, 2, "NOFORN")
    texts = [p.text for p in nf.get("09TESTVILLE11").paragraphs]
    assert "zznoforn" in texts[1] and texts[2] == "[withheld]"
    whole = reader(archive, 2, "NOFORN", "ORCON").get("09TESTVILLE11")
    assert not whole.partial and "zzorcon" in whole.paragraphs[2].text


# -- the public profile ------------------------------------------------------------------


def public_world(store) -> Path | str:
    """The cables of the public profile's tests in `store`, under a controlled policy; the
    archive's location."""
    store.put_many(
        [
            cable("09TESTVILLE20", "UNCLASSIFIED", [(None, "The zzplainu text.")]),
            cable(
                "09TESTVILLE21",
                "UNCLASSIFIED",
                [(None, "The zzsbu text.")],
                handling=["SENSITIVE", "SIPDIS"],
            ),
            cable("09TESTVILLE22", "UNCLASSIFIED", [("U", "Zzuportion."), ("SBU", "Zzsbup.")]),
            cable("09TESTVILLE23", "CONFIDENTIAL", [("C", "The zzconf text.")]),
            # A passed date makes a cable eligible, not declassified (reviewed).
            cable(
                "79TESTVILLE24",
                "SECRET",
                [("S", "The zzold text.")],
                declassify_on="1999-01-01",
            ),
        ]
    )
    set_policy(store.conn, Policy("controlled"))
    return store.path


def test_public_profile_default(access_store) -> None:
    with Archive.open(public_world(access_store)) as a:
        anon = a.with_access(Access(a.policy, ANONYMOUS, TODAY))
        assert anon.get("09TESTVILLE20") is not None
        for rid in ("09TESTVILLE21", "09TESTVILLE22", "09TESTVILLE23", "79TESTVILLE24"):
            assert anon.get(rid) is None, rid
        assert anon.count("") == 1
        assert anon.count("zzsbu OR zzsbup OR zzuportion OR zzold") == 0
        # Any account reads unclassified text under restrictions.
        u = reader(a, 0)
        assert {h.reference_id for h in u.search("")} == {
            "09TESTVILLE20",
            "09TESTVILLE21",
            "09TESTVILLE22",
        }


def test_public_profile_is_set_by_the_archivist(access_store) -> None:
    path = public_world(access_store)
    with open_store(path) as store:
        set_policy(store.conn, Policy("controlled", public_rank=1, public_restricted=True))
        assert get_policy(store.conn).public_rank == 1
    with Archive.open(path) as a:
        anon = a.with_access(Access(a.policy, ANONYMOUS, TODAY))
        got = {h.reference_id for h in anon.search("")}
        assert got == {"09TESTVILLE20", "09TESTVILLE21", "09TESTVILLE22", "09TESTVILLE23"}
    with open_store(path) as store:
        set_policy(store.conn, Policy("controlled", public_rank=-1))
    with Archive.open(path) as a:
        assert a.with_access(Access(a.policy, ANONYMOUS, TODAY)).count("") == 0


def test_declassification_reviewed_and_automatic(access_store) -> None:
    path = public_world(access_store)
    with Archive.open(path) as a:
        anon = a.with_access(Access(a.policy, ANONYMOUS, TODAY))
        assert anon.get("79TESTVILLE24") is None and anon.count("zzold") == 0
    with open_store(path) as store:
        set_policy(store.conn, Policy("controlled", declassify="automatic"))
    with Archive.open(path) as a:
        anon = a.with_access(Access(a.policy, ANONYMOUS, TODAY))
        assert anon.get("79TESTVILLE24") is not None and anon.count("zzold") == 1


def test_declassified_mark_opens_in_either_mode() -> None:
    c = cable("79TESTVILLE30", "SECRET", [("S", "Old.")], declassify_on="1999-01-01")
    s = stored(c)
    marked = type(s)(s.rank, s.bits, DECLASSIFIED_ON, s.floor_rank)
    for mode in ("reviewed", "automatic"):
        access = Access(Policy("controlled", declassify=mode), ANONYMOUS, TODAY)
        assert view(c, access, marked)[0] == "full"
    assert view(c, Access(Policy("controlled"), ANONYMOUS, TODAY), s)[0] == "none"


# -- declassification by review (CLI) ----------------------------------------------------


def test_declassify_command_opens_eligible_cables(access_store, monkeypatch) -> None:
    import argon2
    from click.testing import CliRunner

    from cablebase.access.accounts import Accounts
    from cablebase.cli import access as commands
    from cablebase.cli import main

    cheap = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(commands, "HASHER", cheap)
    path = public_world(access_store)
    acc = Accounts(access_store.conn, hasher=cheap)
    acc.add_user("arch", "arch has a password", "archivist", "TOP SECRET")
    acc.add_user("rita", "rita has a password", "reader", "TOP SECRET")

    def run(*args: str, pw: str):
        env = {"CABLEBASE_PASSWORD": pw}
        return CliRunner().invoke(main, ["declassify", *args, "--archive", str(path)], env=env)

    res = run("origin:testville", "--user", "rita", pw="rita has a password")
    assert res.exit_code == 1 and "archivists and admins only" in res.output
    res = run("origin:testville", "--user", "arch", pw="wrong password!")
    assert res.exit_code == 1 and "login failed" in res.output
    res = run("origin:testville", "--user", "arch", "--dry-run", pw="arch has a password")
    assert res.exit_code == 0 and "1 cables would be declassified" in res.output
    res = run("origin:testville", "--user", "arch", pw="arch has a password")
    assert res.exit_code == 0, res.output
    assert "1 cables declassified" in res.output and "no date or exempted 4" in res.output
    with Archive.open(path) as a:
        anon = a.with_access(Access(a.policy, ANONYMOUS, TODAY))
        assert anon.get("79TESTVILLE24") is not None and anon.count("zzold") == 1
        logged = a.db.execute(
            "SELECT \"user\", target FROM audit WHERE action = 'declassify'"
        ).fetchall()
        assert [tuple(row) for row in logged] == [("arch", "79TESTVILLE24")]
    res = run("origin:testville", "--user", "arch", pw="arch has a password")
    assert res.exit_code == 1 and "no eligible cable" in res.output


def test_store_writes_access_columns_only_when_they_change(access_store) -> None:
    """`write_access` (declassification's write, either store): the columns and what a reader
    finds change together, once the caller counts the change (bump_generation); a write that
    changes nothing says so (False)."""
    from cablebase.access.settings import bump_generation
    from cablebase.archive.db import Db

    rid = "79TESTVILLE40"
    access_store.put_many(
        [cable(rid, "SECRET", [("S", "The zzwritten text.")], declassify_on="1999-01-01")]
    )
    cid, s, _ = access_store.columns(rid)
    anon = Archive(access_store).with_access(Access(Policy("controlled"), ANONYMOUS, TODAY))
    assert anon.count("zzwritten") == 0
    opened = type(s)(s.rank, s.bits, DECLASSIFIED_ON, s.floor_rank)
    unfloored = type(s)(s.rank, s.bits, DECLASSIFIED_ON, None)
    with Db.of(access_store.conn).transaction() as db:
        assert access_store.write_access(cid, s) is False
        assert access_store.write_access(cid, opened) is True
        assert access_store.write_access(cid, opened) is False
        assert access_store.write_access(cid, unfloored) is True
        assert access_store.write_access(cid, unfloored) is False
        bump_generation(db)
    assert access_store.columns(rid) == (cid, unfloored, 1)
    assert anon.count("zzwritten") == 1 and anon.get(rid) is not None


def test_limited_official_use_is_unclassified_text_under_a_restriction(access_store) -> None:
    """A cable whose banner is LIMITED OFFICIAL USE (old cables; a marking, not a level) is read
    by every account, kept from the public profile, and found by class:lou; it was once
    ranked nowhere, so no reader but an unrestricted one could read it."""
    lou = cable("75TESTVILLE30", "LIMITED OFFICIAL USE", [(None, "The zzloutext minister.")])
    assert requirement(lou).rank == 0 and names(lou) == {"LOU"}
    store = access_store
    path = store.path
    store.put_many([lou, cable("75TESTVILLE31", "SECRET", [(None, "zzloutext too.")])])
    set_policy(store.conn, Policy("controlled"))
    with Archive.open(path) as a:
        anon = a.with_access(Access(a.policy, ANONYMOUS, TODAY))
        assert anon.get("75TESTVILLE30") is None and anon.count("zzloutext") == 0
        u = reader(a, 0)
        assert u.get("75TESTVILLE30").classification == "LIMITED OFFICIAL USE"
        assert [h.reference_id for h in u.search("zzloutext")] == ["75TESTVILLE30"]
        assert u.count("class:lou") == 1 and u.count("class:<=confidential") == 1
        assert u.count("class:secret") == 0
