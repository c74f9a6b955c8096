"""Redacted releases (issue 5): prepare, review, publish, withdraw; nothing withheld leaks.

Every test that holds an archive runs on both stores (tests/access_stores.py): a SQLite file
and a PostgreSQL database."""

from __future__ import annotations

import sqlite3

import argon2
import pytest
from click.testing import CliRunner

from cablebase.access import releases as R
from cablebase.access.accounts import Accounts
from cablebase.access.policy import ANONYMOUS, RELEASED_ON, Access, Policy
from cablebase.archive.db import Db
from cablebase.archive.sqlite import full_json
from cablebase.archive.store import Store, open_store
from cablebase.archive.texts import decompress
from cablebase.cli import main
from cablebase.parse import parse_text
from cablebase.record import Cable, ClassifiedBy, Paragraph, Redaction

CHEAP = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

# An invented SECRET/NOFORN cable in telegram form.  ¶2 names a source (Moussa ag Kantao) and a
# courier; ¶3, under its own heading, says where the weapons went; ¶4 names the source again.
# Exempted from declassification (25X1): closed to anyone not cleared for it.
SECRET_CABLE = """\
VZCZCXRO1234
PP RUEHDE
DE RUEHBP #0512/01 1231045
ZNY SSSSS ZZH
P 031045Z MAY 09
FM AMEMBASSY BAMAKO
TO RUEHC/SECSTATE WASHDC PRIORITY 0456
INFO RUEHDK/AMEMBASSY DAKAR 0123

S E C R E T SECTION 01 OF 01 BAMAKO 000512

NOFORN
SIPDIS

E.O. 12958: DECL: 25X1
TAGS: PGOV PREL ML
SUBJECT: (S) TUAREG ELDER MOUSSA AG KANTAO ON NORTHERN TALKS

REF: BAMAKO 498

Classified By: Ambassador Gillian Milovanovic, Embassy Bamako, for reasons 1.4 (b) (d).

1. (C) Summary: The northern talks stalled this week over the
cantonment of fighters.

2. (S/NF) Tuareg elder Moussa ag Kantao, a longtime embassy contact,
told PolOff on May 2 that the fighters expect new weapons from a
Libyan courier named Bakary Doumbia. End Summary.

MEETING AT TINZAOUATEN
----------------------

3. (S/NF) The courier unloaded two trucks at the Tinzaouaten wells
on April 28.

4. (C) Kantao asked that his name not be shared with the government
in Bamako.

COMMENT
-------

5. (U) The mood in Kidal remains calm despite the stalled talks.

MILOVANOVIC
"""

OTHER_CABLE = """\
UNCLAS SECTION 01 OF 01 DAKAR 000123

SIPDIS

E.O. 12958: N/A
TAGS: PREL SG ML
SUBJECT: SENEGALESE VIEWS ON KIDAL

1. (U) Senegalese officials told us the situation in Kidal is calm.

BERNICAT
"""

RID = "09BAMAKO512"
WITHHELD_WORDS = ("Tinzaouaten", "Doumbia", "courier", "Libyan", "trucks")
SPAN_WORDS = ("Kantao", "Moussa")
KEPT_WORDS = ("cantonment", "Kidal", "government", "stalled")


def _cable(text: str, reference_id: str) -> Cable:
    cable = parse_text(text, form="telegram", reference_id=reference_id)
    cable.reference_id = reference_id
    return cable


@pytest.fixture
def store(access_store):
    """The two cables in a new archive of each store (tests/access_stores.py)."""
    access_store.put_many([_cable(SECRET_CABLE, RID), _cable(OTHER_CABLE, "09DAKAR123")])
    return access_store


@pytest.fixture
def cli_store(store):
    """The store with accounts for the CLI (--user/--by NAME, each with a password of its own)."""
    acc = Accounts(store.conn, hasher=CHEAP)
    for name, role in (("alice", "archivist"), ("bob", "archivist"), ("root", "admin")):
        acc.add_user(name, secret(name), role)
    acc.add_user("rita", secret("rita"), "reader")
    return store


def _db(store: Store) -> Db:
    return Db.of(store.conn)


def _prepare(store: Store, **kw) -> R.Release:
    args = {"withheld": [1, 2], "spans": ["Moussa ag Kantao", "Kantao"], "by": "alice"}
    args.update(kw)
    return R.prepare(store, RID, **args)


def _published(store: Store) -> R.Release:
    r = _prepare(store)
    R.review(store, r.id, by="bob")
    return R.publish(store, r.id, by="bob")


def _fts(store: Store, word: str) -> set[int]:
    """The cables the store's full-text index holds `word` for (read from the index itself)."""
    db = _db(store)
    if db.postgres:
        from cablebase.archive.pg.fulltext import quoted

        sql = "SELECT id FROM cables WHERE fts @@ CAST(? AS tsquery)"
        return {r[0] for r in db.execute(sql, (quoted(word.lower()),))}
    rows = db.execute("SELECT rowid FROM cables_fts WHERE cables_fts MATCH ?", (word,))
    return {r[0] for r in rows}


def _cable_id(store: Store, rid: str = RID) -> int:
    return _db(store).one("SELECT id FROM cables WHERE reference_id = ?", (rid,))


def _version(store: Store, rid: str = RID) -> int:
    return _db(store).one("SELECT version FROM cables WHERE reference_id = ?", (rid,))


# -- the fixture reads as intended ---------------------------------------------------------


def test_fixture_cable_parses_as_written(store) -> None:
    c = store.get(RID)
    assert c.classification == "SECRET" and c.declassify_rule == "25X1"
    assert [(p.number, p.portion) for p in c.paragraphs] == [
        (1, "C"), (2, "S/NF"), (3, "S/NF"), (4, "C"), (5, "U"),
    ]  # fmt: skip
    assert c.paragraphs[2].heading == "MEETING AT TINZAOUATEN"
    assert "Doumbia" in c.summary  # the summary runs to End Summary in ¶2
    assert store.columns(RID)[1].open_on is None


# -- the redacted record ------------------------------------------------------------------


def test_preview_follows_the_published_conventions(store) -> None:
    r = _prepare(store)
    c = R.render(store, r.id)
    assert c.subject == "TUAREG ELDER XXXXXXXXXXXX ON NORTHERN TALKS"
    assert c.subject_portion == "S"
    # Withheld paragraphs keep number and mark; their headings go with them.
    assert (c.paragraphs[1].number, c.paragraphs[1].portion) == (2, "S/NF")
    assert c.paragraphs[1].text == R.PARAGRAPH_WITHHELD == "(Paragraph withheld.)"
    assert c.paragraphs[2].heading is None and c.paragraphs[2].text == R.PARAGRAPH_WITHHELD
    assert c.paragraphs[3].text == (
        "XXXXXXXXXXXX asked that his name not be shared with the government in Bamako."
    )
    assert c.paragraphs[4].heading == "COMMENT"
    # The summary ran into ¶2: read again from the released paragraphs.
    assert c.summary == "The northern talks stalled this week over the cantonment of fighters."
    assert c.redactions == [
        Redaction(where="subject", length=12),
        Redaction(where="paragraph:4", length=12),
    ]
    assert c.source.form == R.RELEASE_FORM == "release"
    assert c.source.header.startswith("VZCZCXRO1234\n")
    assert "2. (S/NF) (Paragraph withheld.)" in c.source.body
    assert "SUBJECT: (S) TUAREG ELDER XXXXXXXXXXXX ON NORTHERN TALKS" in c.source.body
    assert c.warnings == []
    # The base version is untouched by a preview.
    assert "Doumbia" in store.get(RID).paragraphs[1].text


def test_spans_in_every_field_case_spacing_and_diacritics() -> None:
    base = Cable(
        reference_id="09TESTPOST1",
        classification="CONFIDENTIAL",
        subject="MEETING WITH AMADOU  TOURE",
        classified_by=ClassifiedBy(
            text="Amadou Touré, Political Officer, for reasons 1.4 (d).",
            name="Amadou Touré",
            title="Political Officer",
        ),  # fmt: skip
        captions=["DEPT FOR AMADOU TOURE"],
        paragraphs=[
            Paragraph(number=1, portion="C", heading="TOURE ON TALKS", text="Amadou\nToure said."),
            Paragraph(number=2, portion="C", text="Touré's aide xxxxx agreed."),
        ],
        signers=["TOURE"],
        summary="Amadou Toure said.",
    )
    c = R.redact_record(base, spans=["Amadou Touré", "Touré"])
    assert c.subject == "MEETING WITH XXXXXXXXXXXX"
    assert c.classified_by.text == "XXXXXXXXXXXX, Political Officer, for reasons 1.4 (d)."
    assert c.classified_by.name == "XXXXXXXXXXXX"
    assert c.captions == ["DEPT FOR XXXXXXXXXXXX"]
    assert c.paragraphs[0].heading == "XXXXXXXXXXXX ON TALKS"
    assert c.paragraphs[0].text == "XXXXXXXXXXXX said."
    assert c.paragraphs[1].text == "XXXXXXXXXXXX's aide xxxxx agreed."  # the old run stays
    assert c.signers == ["XXXXXXXXXXXX"] and c.summary == "XXXXXXXXXXXX said."
    assert c.redactions == [
        Redaction(where="body", length=12),  # caption
        Redaction(where="subject", length=12),
        Redaction(where="classified_by", length=12),
        Redaction(where="paragraph:1", length=12),
        Redaction(where="paragraph:1", length=12),
        Redaction(where="paragraph:2", length=12),
        Redaction(where="paragraph:2", length=5),
        Redaction(where="body", length=12),  # signature
    ]
    assert "Tour" not in c.to_json().decode() and "TOUR" not in c.to_json().decode()
    assert base.subject == "MEETING WITH AMADOU  TOURE"  # the base is not modified


def test_withheld_subject(store) -> None:
    r = _prepare(store, subject=True, spans=[])
    c = R.render(store, r)
    assert c.subject == R.SUBJECT_WITHHELD and c.subject_portion == "S"
    assert "KANTAO" not in c.source.body


# -- the flow -------------------------------------------------------------------------------


def test_prepare_review_publish(store) -> None:
    r = _prepare(store, note="source protection")
    assert (r.status, r.base_version, r.withheld, r.subject) == ("draft", 1, [1, 2], False)
    assert R.get(store, r.id) == r
    r = R.review(store, r.id, by="bob")
    assert (r.status, r.reviewed_by) == ("reviewed", "bob") and r.reviewed
    preview = R.render(store, r.id)
    r = R.publish(store, r.id, by="root")
    assert (r.status, r.published_by, r.version) == ("published", "root", 2)
    assert R.get(store, r.id) == r
    current = store.get(RID)
    assert full_json(current) == full_json(preview)
    assert _version(store) == 2
    assert R.provenance(store, RID) == r and R.provenance(store, "09DAKAR123") is None
    assert r.caption().startswith("Release 1 of 09BAMAKO512 (from version 1), version 2,")
    assert [x.id for x in R.list_releases(store, status="published")] == [r.id]
    assert R.list_releases(store, reference_id="09dakar123") == []
    actions = (
        _db(store)
        .execute(
            "SELECT \"user\", action, target, detail FROM audit WHERE action LIKE 'release%'"
            " ORDER BY id"
        )
        .fetchall()
    )
    assert [(u, a, t) for u, a, t, _ in actions] == [
        ("alice", "release_prepare", RID),
        ("bob", "release_review", RID),
        ("root", "release_publish", RID),
    ]
    # The audit log says how much was withheld, never what (it is exported).
    assert all("Kantao" not in d for *_, d in actions)


def test_two_person_rule(store) -> None:
    r = _prepare(store)
    with pytest.raises(R.ReleaseError, match="another archivist"):
        R.review(store, r.id, by="ALICE")  # account names compare without case
    with pytest.raises(R.ReleaseError, match="only a reviewed"):
        R.publish(store, r.id, by="bob")
    R.review(store, r.id, by="bob")
    # Editing a reviewed release makes it a draft again, and its editor its preparer.
    r = R.update(store, r.id, spans=["Moussa ag Kantao", "Kantao", "the government"], by="bob")
    assert (r.status, r.reviewed_by, r.prepared_by) == ("draft", None, "bob")
    with pytest.raises(R.ReleaseError, match="another archivist"):
        R.review(store, r.id, by="bob")
    assert R.review(store, r.id, by="alice").status == "reviewed"
    assert R.render(store, r.id).paragraphs[3].text.endswith("shared with XXXXXXXXXXXX in Bamako.")


def test_original_stays_intact(store) -> None:
    original = full_json(store.get(RID))
    _published(store)
    ((version, cable),) = store.versions(RID)
    assert version == 1 and full_json(cable) == original
    stored = _db(store).one("SELECT record FROM cable_versions WHERE reference_id = ?", (RID,))
    assert stored.encode("utf-8") == original


def test_published_version_has_no_trace_of_what_was_withheld(store) -> None:
    before = {w: _fts(store, w) for w in (*WITHHELD_WORDS, *SPAN_WORDS, *KEPT_WORDS)}
    cid, other = _cable_id(store), _cable_id(store, "09DAKAR123")
    assert all(cid in before[w] for w in before)
    _published(store)
    assert _cable_id(store) == cid
    for word in (*WITHHELD_WORDS, *SPAN_WORDS):
        assert cid not in _fts(store, word), word
    for word in KEPT_WORDS:
        assert cid in _fts(store, word), word
    assert _fts(store, "Kidal") == {cid, other}
    assert cid in _fts(store, "withheld")
    # Every stored row of the current version, in every table (compressed values read out;
    # on PostgreSQL the cable's row holds its full-text vector too).
    dump: list[str] = []
    for table in ("cables", "paragraphs", "sources", "people", "refs", "recipients", "texts"):
        key = "id" if table == "cables" else "cable_id"
        for row in _db(store).execute(f"SELECT * FROM {table} WHERE {key} = ?", (cid,)):
            dump.extend(str(decompress(v) if isinstance(v, bytes) else v) for v in row)
    text = "\n".join(dump).lower()
    assert "xxxxxxxxxxxx" in text and "(paragraph withheld.)" in text
    for word in (*WITHHELD_WORDS, *SPAN_WORDS, "MEETING AT"):
        assert word.lower() not in text, word
    assert "doumbia" not in full_json(store.get(RID)).decode().lower()


def test_release_is_open_to_everyone(store) -> None:
    cid = _cable_id(store)
    closed = Access(Policy("controlled", portions=False), ANONYMOUS)
    assert closed.decide(store.columns(RID)[1]) == "none"
    _published(store)
    assert store.columns(RID)[0] == cid and store.columns(RID)[1].open_on == RELEASED_ON
    assert closed.decide(store.columns(RID)[1]) == "full"
    classification = _db(store).one("SELECT classification FROM cables WHERE id = ?", (cid,))
    assert classification == "SECRET"


def test_reingesting_the_original_does_not_undo_the_release(store) -> None:
    r = _published(store)
    result = store.put_many([_cable(SECRET_CABLE, RID)])
    assert (result.added, result.unchanged) == (0, 1)
    assert R.provenance(store, RID) == r and _version(store) == 2
    assert "Doumbia" not in full_json(store.get(RID)).decode()


def test_publish_fails_when_the_cable_changed(store) -> None:
    r = _prepare(store)
    R.review(store, r.id, by="bob")
    changed = _cable(SECRET_CABLE.replace("remains calm", "is tense"), RID)
    assert store.put_many([changed]).unchanged == 0 and _version(store) == 2
    with pytest.raises(R.ReleaseError, match="prepare it again"):
        R.publish(store, r.id, by="bob")
    assert R.get(store, r.id).status == "reviewed"
    # The preview still shows what was reviewed: made from version 1, now in cable_versions.
    assert "remains calm" in R.render(store, r.id).paragraphs[4].text
    assert "is tense" in store.get(RID).paragraphs[4].text and R.provenance(store, RID) is None
    assert R.withdraw(store, r.id, by="alice").status == "withdrawn"
    again = R.prepare(store, RID, withheld=[1], by="alice")
    assert again.base_version == 2


def test_withdraw(store) -> None:
    r = _prepare(store)
    r = R.withdraw(store, r.id, by="bob")
    assert r.status == "withdrawn" and R.get(store, r.id).status == "withdrawn"
    for action in (R.review, R.publish, R.withdraw):
        with pytest.raises(R.ReleaseError):
            action(store, r.id, by="root")
    with pytest.raises(R.ReleaseError, match="only drafts"):
        R.update(store, r.id, withheld=[1], by="alice")
    published = _published(store)
    with pytest.raises(R.ReleaseError, match="published"):
        R.withdraw(store, published.id, by="root")
    assert _db(store).one("SELECT count(*) FROM audit WHERE action = 'release_withdraw'") == 1


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"withheld": [5]}, "positions 0 to 4"),
        ({"withheld": [-1]}, "positions 0 to 4"),
        ({"withheld": ["1"]}, "an integer"),
        ({"withheld": [True]}, "an integer"),
        ({"spans": ["  "]}, "empty"),
        ({"spans": [""]}, "empty"),
        ({"spans": ["Ouagadougou"]}, "does not occur"),
        ({"spans": ["09BAMAKO498"]}, "cannot be rewritten"),  # only in a cited cable id
        ({"by": " "}, "by="),
    ],
)
def test_bad_input(store, kw, message) -> None:
    args = {"by": "alice", **kw}
    with pytest.raises(ValueError, match=message):
        R.prepare(store, RID, **args)
    assert R.list_releases(store) == []


def test_unknown_cable_and_release(store) -> None:
    with pytest.raises(R.ReleaseError, match="not in the archive"):
        R.prepare(store, "09NOWHERE1", by="alice")
    assert R.get(store, 99) is None
    with pytest.raises(R.ReleaseError, match="no release 99"):
        R.review(store, 99, by="bob")
    with pytest.raises(R.ReleaseError):
        R.list_releases(store, status="pending")


def test_require_archivist() -> None:
    R.require_archivist("archivist")
    R.require_archivist("admin")
    for role in ("reader", None, ""):
        with pytest.raises(R.ReleaseError):
            R.require_archivist(role)


def test_spans_are_case_insensitive_and_deduplicated(store) -> None:
    r = _prepare(store, withheld=[], spans=["kantao", "KANTAO", " Moussa   ag "])
    assert r.spans == ["kantao", "Moussa ag"]
    c = R.render(store, r)
    assert c.subject == "TUAREG ELDER XXXXXXXXXXXX ON NORTHERN TALKS"  # one merged run
    assert c.paragraphs[1].text.startswith("Tuareg elder XXXXXXXXXXXX, a longtime")


# -- commands -------------------------------------------------------------------------------


def secret(name: str) -> str:
    return f"{name} has a password"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch) -> None:
    from cablebase.cli import access as commands

    monkeypatch.setattr(commands, "HASHER", CHEAP)


def _run(store: Store, *args: str, password: str | None = None):
    """A release command; the acting account (--by NAME) types its own password unless
    `password` says otherwise."""
    by = args[args.index("--by") + 1] if "--by" in args else None
    env = {"CABLEBASE_PASSWORD": password or secret(by or "")}
    return CliRunner().invoke(main, ["release", *args, "--archive", str(store.path)], env=env)


def test_commands_authenticate_the_acting_archivist(cli_store) -> None:
    store = cli_store
    """A name alone is no proof: alice cannot review her own draft as bob."""
    assert _run(store, "prepare", RID, "--withhold", "2", "--by", "alice").exit_code == 0
    res = _run(store, "review", "1", "--by", "bob", password=secret("alice"))
    assert res.exit_code == 1 and "login failed for bob" in res.output
    assert R.get(store, 1).status == "draft"
    res = _run(store, "review", "1")
    assert res.exit_code == 1 and "--user NAME" in res.output
    token = Accounts(store.conn, hasher=CHEAP).create_token("bob", "cli")
    res = CliRunner().invoke(
        main,
        ["release", "review", "1", "--archive", str(store.path)],
        env={"CABLEBASE_TOKEN": token},
    )
    assert res.exit_code == 0, res.output
    assert R.get(store, 1).reviewed_by == "bob"


def test_commands(cli_store) -> None:
    store = cli_store
    spans = ["--redact", "Moussa ag Kantao", "--redact", "Kantao", "--note", "protect source"]
    res = _run(store, "prepare", RID, "--withhold", "2", "--withhold", "3", *spans, "--by", "alice")
    assert res.exit_code == 0, res.output
    assert "release 1: draft of 09BAMAKO512 version 1" in res.output
    assert R.get(store, 1).withheld == [1, 2]  # ¶2 and ¶3 are positions 1 and 2

    res = _run(store, "show", "1", "--by", "bob")
    assert res.exit_code == 0, res.output
    assert (
        "withheld: ¶2 (position 1)" in res.output
        and "2. (S/NF) (Paragraph withheld.)" in res.output
    )
    assert "Doumbia" not in res.output and "Tinzaouaten" not in res.output
    res = _run(store, "show", "1", "--telegram", "--by", "bob")
    assert res.output.startswith("VZCZCXRO1234\n") and "XXXXXXXXXXXX" in res.output
    assert "Kantao" not in res.output.replace("'Kantao'", "")

    res = _run(store, "review", "1", "--by", "alice")
    assert res.exit_code == 1 and "another archivist must review it" in res.output
    for who, why in (
        ("rita", "archivists and admins only"),
        ("nobody", "wrong user name or password"),
    ):
        res = _run(store, "review", "1", "--by", who)
        assert res.exit_code == 1 and why in res.output
    assert _run(store, "review", "1", "--by", "bob").exit_code == 0
    res = _run(store, "publish", "1", "--by", "root")
    assert res.exit_code == 0, res.output
    assert "version 2, published" in res.output
    res = _run(store, "list", "--status", "published", "--by", "bob")
    assert res.output.split()[:4] == ["1", "published", RID, "v1"]

    assert _run(store, "prepare", "09DAKAR123", "--subject", "--by", "bob").exit_code == 0
    res = _run(store, "edit", "2", "--redact", "Kidal", "--by", "alice")
    assert res.exit_code == 0, res.output
    assert R.get(store, 2).spans == ["Kidal"] and R.get(store, 2).subject is True
    assert _run(store, "withdraw", "2", "--by", "bob").exit_code == 0
    res = _run(store, "list", "--by", "bob")
    assert [line.split()[1] for line in res.output.splitlines()] == ["withdrawn", "published"]
    res = _run(store, "prepare", RID, "--withhold", "9", "--by", "alice")
    assert res.exit_code == 1 and "no paragraph 9" in res.output


def test_commands_need_an_archive(tmp_path) -> None:
    res = CliRunner().invoke(main, ["release", "list", "--archive", str(tmp_path / "none.db")])
    assert res.exit_code == 1 and "no archive" in res.output
    assert not (tmp_path / "none.db").exists()


def test_commands_need_an_archive_on_postgresql_too(pg_dsn) -> None:
    """A PostgreSQL database without an archive is one sentence, and stays without one."""
    import psycopg

    from tests import pg_server

    url = pg_server.url(pg_dsn)
    res = CliRunner().invoke(main, ["release", "list", "--by", "alice", "--archive", url])
    assert res.exit_code == 1 and "no archive in this PostgreSQL database" in res.output
    assert "Traceback" not in res.output
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT to_regclass('releases')").fetchone() == (None,)


def test_release_rows_are_plain_sql(store) -> None:
    """The releases table reads without cablebase: plain columns, JSON lists."""
    r = _prepare(store)
    if _db(store).postgres:
        import psycopg

        conn = psycopg.connect(store.path)
        sql = "SELECT withheld, spans, status FROM releases WHERE id = %s"
    else:
        conn = sqlite3.connect(store.path)
        sql = "SELECT withheld, spans, status FROM releases WHERE id = ?"
    row = conn.execute(sql, (r.id,)).fetchone()
    assert tuple(row) == ("[1,2]", '["Moussa ag Kantao","Kantao"]', "draft")
    conn.close()


def test_release_adds_a_version_and_takes_none_away(store) -> None:
    """Publishing a redacted release: the public reads it; a reader cleared for the original
    still reads the original; every version is reachable by number by those allowed."""
    from cablebase.access.policy import Viewer
    from cablebase.access.settings import set_policy
    from cablebase.archive.api import Archive

    set_policy(store.conn, Policy("controlled"))
    _published(store)
    with Archive.open(store.path) as a:
        anon = a.with_access(Access(a.policy, ANONYMOUS))
        cleared = a.with_access(Access(a.policy, Viewer("ann", "reader", 2, 1)))  # S + NOFORN
        assert anon.version_numbers(RID) == [2]
        assert cleared.version_numbers(RID) == [1, 2]
        public = anon.get(RID)
        assert "Doumbia" not in full_json(
            public
        ).decode() and "XXXXXXXXXXXX" in public.subject + "".join(p.text for p in public.paragraphs)
        original = cleared.get(RID)
        assert original.paragraphs[1].text != "(Paragraph withheld.)"
        assert "Kantao" in " ".join(p.text for p in original.paragraphs)
        assert cleared.get(RID, version=1) == original
        assert "Kantao" not in " ".join(p.text for p in cleared.get(RID, version=2).paragraphs)
        assert anon.get(RID, version=1) is None and anon.get(RID, version=7) is None


def test_show_takes_a_version(store) -> None:
    _published(store)

    def show(*args: str):
        return CliRunner().invoke(main, ["show", RID, *args, "--archive", str(store.path)])

    res = show()
    assert res.exit_code == 0 and "Kantao" in res.output
    assert "-- versions: 1 (shown), 2; --version N shows one --" in res.output
    res = show("--version", "2")
    assert res.exit_code == 0 and "Kantao" not in res.output and "XXXXXXXXXXXX" in res.output
    assert "versions: 1, 2 (shown)" in res.output
    res = show("--version", "5")
    assert res.exit_code == 1 and "has no version 5 for you (versions: 1, 2)" in res.output


def test_release_ids_beyond_sqlite_integers_are_usage_errors(cli_store) -> None:
    store = cli_store
    for command in ("show", "review", "publish", "withdraw"):
        res = _run(store, command, str(2**63), "--by", "bob")
        assert res.exit_code == 2 and "Traceback" not in res.output, command
    res = _run(store, "show", str(2**63 - 1), "--by", "bob")
    assert res.exit_code == 1 and "no release" in res.output


def test_commands_see_only_releases_of_cables_the_archivist_reads(cli_store) -> None:
    store = cli_store
    """Under a controlled policy an archivist cleared below the cable neither prepares it nor
    sees its releases: they answer as for a cable or release that does not exist."""
    from cablebase.access.settings import set_policy

    set_policy(store.conn, Policy("controlled"))
    acc = Accounts(store.conn, hasher=CHEAP)
    acc.add_user("carl", secret("carl"), "archivist", "TOP SECRET", ["NOFORN"])
    acc.add_user("uma", secret("uma"), "archivist", "UNCLASSIFIED")
    assert _run(store, "prepare", RID, "--withhold", "2", "--by", "carl").exit_code == 0
    res = _run(store, "prepare", RID, "--withhold", "2", "--by", "uma")
    assert res.exit_code == 1 and f"{RID} is not in the archive" in res.output
    for args in (("show", "1"), ("review", "1"), ("withdraw", "1")):
        res = _run(store, *args, "--by", "uma")
        assert res.exit_code == 1 and "no release 1" in res.output, args
    assert _run(store, "list", "--by", "uma").stdout.strip() == ""
    assert RID in _run(store, "list", "--by", "carl").output
    assert R.get(store, 1).status == "draft"


def test_a_release_reads_and_exports_alike_from_both_stores(tmp_path, pg_dsn) -> None:
    """The same cables and the same release on SQLite and on PostgreSQL: the published
    version, the original kept, `show` of each version and every export are the same bytes."""
    from tests import pg_server

    def cli(*args: str) -> bytes:
        res = CliRunner().invoke(main, [*args, "--archive", location])
        assert res.exit_code == 0, res.output
        return res.stdout_bytes

    seen = []
    for location in (str(tmp_path / "archive.db"), pg_server.url(pg_dsn)):
        with open_store(location) as s:
            s.put_many([_cable(SECRET_CABLE, RID), _cable(OTHER_CABLE, "09DAKAR123")])
            _published(s)
            kept = [(v, full_json(c)) for v, c in s.versions(RID)]
            current = full_json(s.get(RID))
        shown = [cli("show", RID, "--json", "--version", v) for v in ("1", "2")]
        exports = [
            cli("export", "*", "--to", "jsonl"),
            cli("export", "*", "--to", "csv", "--text", "--record"),
            cli("export", "withheld", "--to", "csv"),  # found by the release's new words
        ]
        seen.append((current, kept, shown, exports))
    sqlite_side, pg_side = seen
    assert sqlite_side == pg_side
    current, kept, shown, exports = sqlite_side
    assert b"XXXXXXXXXXXX" in current and b"Doumbia" not in current
    assert [v for v, _ in kept] == [1] and b"Doumbia" in kept[0][1]
    assert b"Doumbia" in shown[0] and b"Doumbia" not in shown[1]
    for text in exports[:2]:
        assert b"(Paragraph withheld.)" in text and b"Doumbia" not in text
    assert RID.encode() in exports[2] and b"09DAKAR123" not in exports[2]
