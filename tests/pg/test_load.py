"""The PostgreSQL store's schema, migrations and COPY load (archive/pg)."""

from __future__ import annotations

import threading
from dataclasses import replace

import psycopg
import pytest

from cablebase.archive.api import Archive
from cablebase.archive.pg import schema
from cablebase.archive.pg.load import load, stored_record
from cablebase.archive.pg.store import PgStore, connect
from cablebase.archive.sqlite import prepare
from cablebase.record import Cable, Paragraph

TABLES = ("cables", "texts", "sources", "paragraphs", "handling", "tags", "recipients", "refs")
TABLES += ("people", "words", "cable_versions", "cable_sources")


def cable(refid: str, subject: str, *paragraphs: str, **kw) -> Cable:
    return Cable(
        reference_id=refid,
        created="2009-05-06T07:08:00Z",
        subject=subject,
        paragraphs=[Paragraph(number=i + 1, text=t) for i, t in enumerate(paragraphs)],
        **kw,
    )


CABLES = [
    cable("09ROME100", "Olive harvest", "The harvest was late.", tags=["EAGR", "IT"]),
    cable("09ROME101", "Wine exports", "Exports rose; olive oil fell.", handling=["NOFORN"]),
    cable("09ROME102", "Harvest festival", "A well-known festival.", tags=["SCUL", "SCUL"]),
]


def snapshot(conn) -> dict:
    out = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    out["rows"] = conn.execute(
        "SELECT id, reference_id, source_hash, version, fts::text FROM cables ORDER BY id"
    ).fetchall()
    return out


def test_migrations(pg_dsn):
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        assert schema.version(conn) == 0
        assert schema.migrate(conn) == len(schema.MIGRATIONS)
        assert schema.migrate(conn) == len(schema.MIGRATIONS)  # nothing left to do
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == len(
            schema.MIGRATIONS
        )
        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (99,))
        with pytest.raises(ValueError, match="newer than this cablebase"):
            schema.migrate(conn)


def test_subject_tsvector_of_an_existing_archive(pg_dsn):
    """Migration 5 gives an archive stored before it (at version 4) the subject's own tsvector:
    the subject's words and positions of `fts`, its body's left out; later writes keep it."""
    with connect(pg_dsn) as conn:
        conn.execute("CREATE TABLE schema_version (version integer PRIMARY KEY, applied"
                     " timestamptz NOT NULL DEFAULT now())")  # fmt: skip
        for number, step in enumerate(schema.MIGRATIONS[:4], start=1):
            conn.execute(step)
            conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))
        # cables written before migration 5
        load(conn, [prepare(c) for c in CABLES[:2]])
    with PgStore(pg_dsn) as pg:
        assert schema.version(pg.conn) == len(schema.MIGRATIONS)
        pg.put_many(CABLES)
        pairs = dict(pg.conn.execute("SELECT reference_id, cable_pairs(fts)::text FROM cables"))
        assert pairs["09ROME100"] and pairs["09ROME102"]  # migration 8's index, of either
        rows = dict(pg.conn.execute("SELECT reference_id, subject_fts::text FROM cables"))
        assert rows == {
            "09ROME100": "'harvest':2A 'olive':1A",
            "09ROME101": "'exports':2A 'wine':1A",
            "09ROME102": "'festival':2A 'harvest':1A",
        }
        a = Archive(pg)
        assert [h.reference_id for h in a.search("subject:harvest", sort="date")] == [
            "09ROME100",
            "09ROME102",
        ]
        assert a.count("olive -subject:olive") == 1


def test_load_is_idempotent(pg_dsn):
    with PgStore(pg_dsn) as pg:
        first = pg.put_many(CABLES)
        assert (first.added, first.unchanged, first.updated) == (3, 0, 0)
        before = snapshot(pg.conn)
        again = pg.put_many(CABLES)
        assert (again.added, again.unchanged, again.updated) == (0, 3, 0)
        assert snapshot(pg.conn) == before
        # the repeated tag of 09ROME102 is stored once
        assert before["tags"] == 3
        assert Archive(pg).count("tag:SCUL") == 1
        # the record reads back as it was stored
        (cid,) = pg.conn.execute(
            "SELECT id FROM cables WHERE reference_id = '09ROME101'"
        ).fetchone()
        back = stored_record(pg.conn, cid)
        assert back.subject == "Wine exports"
        assert [p.text for p in back.paragraphs] == ["Exports rose; olive oil fell."]
        assert back.handling == ["NOFORN"]


def test_changed_cable_is_replaced_and_its_version_kept(pg_dsn):
    with PgStore(pg_dsn) as pg:
        pg.put_many(CABLES)
        changed = replace(CABLES[0], subject="Olive blight")
        done = pg.put_many([changed])
        assert (done.added, done.unchanged, done.updated) == (0, 0, 1)
        assert Archive(pg).count('subject:"olive blight"') == 1
        assert Archive(pg).count("subject:harvest") == 1  # only 09ROME102 now
        version, old = pg.conn.execute(
            "SELECT version, record FROM cable_versions WHERE reference_id = '09ROME100'"
        ).fetchone()
        assert version == 1 and "Olive harvest" in old
        assert pg.conn.execute(
            "SELECT version FROM cables WHERE reference_id = '09ROME100'"
        ).fetchone() == (2,)
        assert pg.conn.execute("SELECT count(*) FROM tags").fetchone()[0] == 3


def test_the_source_read_last_is_the_current_one(pg_dsn):
    """A cable read back as it was before a change is changed back (a new version), while
    its current source read again changes nothing: only the source a replacement came from
    stays current."""
    with PgStore(pg_dsn) as pg:
        first, changed = CABLES[0], replace(CABLES[0], subject="Olive blight")
        pg.put_many([first])
        assert pg.put_many([changed]).updated == 1
        assert pg.put_many([changed]).unchanged == 1
        assert pg.put_many([first]).updated == 1
        assert pg.get("09ROME100").subject == "Olive harvest"
        assert [v for v, _ in pg.versions("09ROME100")] == [1, 2]
        current = [s.digest for s in pg.sources("09ROME100")]
        assert current == [prepare(first).digest]
        assert len(pg.sources("09ROME100", superseded=True)) == 2


def test_full_text_keeps_the_sqlite_meaning(pg_dsn):
    with PgStore(pg_dsn) as pg:
        pg.put_many(CABLES)
        # the subject's last word and the body's first are not a phrase (separate columns)
        assert Archive(pg).count('"harvest the"') == 0
        assert Archive(pg).count('"harvest was"') == 1
        # subject: reads the subject only; free text both
        assert Archive(pg).count("subject:exports") == 1 and Archive(pg).count("subject:olive") == 1
        assert Archive(pg).count("olive") == 2
        # a hyphenated word is the phrase of its parts, as FTS5 tokenises it
        assert Archive(pg).count("well-known") == 1 and Archive(pg).count('"well known"') == 1
        assert Archive(pg).count("known") == 1
        # stemming: harvest finds harvest only; exports finds exports (no other form stored)
        assert Archive(pg).count("festivals") == 1  # stemmed to the stored "festival"
        assert Archive(pg).count('"festivals"') == 0  # quoted: exact


def test_parallel_loads_of_overlapping_batches(pg_dsn):
    """Loads from several connections at once (ingest's workers writing in parallel): each
    cable stored once, whatever the interleaving."""
    batches = [[prepare(c) for c in CABLES], [prepare(c) for c in reversed(CABLES)]] * 3
    with PgStore(pg_dsn):
        pass  # the schema
    errors: list[BaseException] = []

    def run(batch):
        try:
            with psycopg.connect(pg_dsn, autocommit=True) as conn:
                load(conn, batch)
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM cables").fetchone()[0] == 3
        assert conn.execute("SELECT count(*) FROM texts").fetchone()[0] == 3
        assert conn.execute("SELECT count(*) FROM cable_sources").fetchone()[0] == 3


def test_a_cable_twice_in_one_batch(pg_dsn):
    """The first copy is stored with its own rows; a later different copy replaces it (the
    rows of one copy are never stored under the other's columns)."""
    first = CABLES[0]
    second = replace(first, subject="Olive blight", tags=["EAGR"])
    with PgStore(pg_dsn) as pg:
        done = pg.put_many([first, CABLES[1], second, first])
        assert (done.added, done.updated, done.unchanged) == (2, 2, 0)
        row = pg.conn.execute(
            "SELECT subject, version FROM cables WHERE reference_id = '09ROME100'"
        ).fetchone()
        assert row == ("Olive harvest", 3)  # first, then second, then first again
        assert Archive(pg).count("tag:IT") == 1 and Archive(pg).count("subject:blight") == 0
        assert pg.conn.execute("SELECT count(*) FROM cable_versions").fetchone()[0] == 2


def test_many_copies_in_one_batch_keep_columns_and_rows_together(pg_dsn):
    """One differing copy then many equal ones: stored columns and side rows always belong
    to the same copy (loading once picked the row to insert among the copies by a sort that
    keeps no order, and stored the first copy's side rows under it)."""
    first = CABLES[0]
    second = replace(first, subject="Olive blight", tags=["EAGR"])
    with PgStore(pg_dsn) as pg:
        done = pg.put_many([second] + [first] * 50)
        assert (done.added, done.updated, done.unchanged) == (1, 1, 49)
        assert pg.conn.execute(
            "SELECT subject, version FROM cables WHERE reference_id = '09ROME100'"
        ).fetchone() == ("Olive harvest", 2)
        assert Archive(pg).count("tag:IT") == 1 and Archive(pg).count("tag:EAGR") == 1
