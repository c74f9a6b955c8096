"""Text stored once (archive/texts.py, schema migration 7) and ingest's raw items and rows.

The cables here are written by hand: a cables.csv row whose body wraps its paragraphs over
several lines (so the paragraph text differs from the source text), a page with a heading, and
a cable without any source.  What the stores share (the packed text, its paragraphs and source
read back, ingest's workers) runs on both stores (`empty_archive`); the codec, the schema 6
upgrade and the worker batches are SQLite's or the ingest's own.
"""

from __future__ import annotations

import pickle
import sqlite3
import zlib
from pathlib import Path

import pytest

from cablebase.archive import texts
from cablebase.archive.api import Archive
from cablebase.archive.db import Db
from cablebase.archive.ingest import ingest
from cablebase.archive.schema import MIGRATIONS
from cablebase.archive.sqlite import (
    _RECORD,
    SQLiteStore,
    full_json,
    prepare,
    record_jsons,
    row_json,
)
from cablebase.archive.store import open_store
from cablebase.forms.sources import Raw, iter_items
from cablebase.parse import parse_text
from cablebase.record import Cable, Paragraph

ROW = (
    '"1","3/4/2009 15:27","09ZENDA124","Embassy Zenda","CONFIDENTIAL","","",'
    '"C O N F I D E N T I A L ZENDA 000124\n\nE.O. 12958: DECL: 03/04/2019\n'
    "TAGS: PGOV ZE\nSUBJECT: ZENDA: FERRY STRIKE ENDS\n\n"
    "1. (C) The dockworkers of the northern\nharbour ended their strike on\nMarch 2.\n\n"
    '2. (U) The ferries sail again.\n\nRASSENDYLL\n"\n'
)
BAD_ROW = '"2","3/5/2009 10:00","09ZENDA125","Embassy Zenda","UNCLASSIFIED","","","broken\n'


def _no_source() -> Cable:
    return Cable(
        reference_id="09NOSOURCE1",
        subject="PLAIN",
        paragraphs=[
            Paragraph(number=1, heading="BACKGROUND", text="Ünïcode café text."),
            Paragraph(number=None, text=""),
        ],
    )


def test_compressed_values_name_their_dictionary() -> None:
    """A value compressed with the preset dictionary says so (FDICT) and reads back; a value
    compressed without one (the first migration 7 wrote such) reads too."""
    data = b'{"reference_id":"09ZENDA124","recipients":[{"role":"to","route":"RUEHC"}]}'
    z = zlib.compressobj(6, zdict=texts._ZDICT)  # how values were written before zstd
    packed = z.compress(data) + z.flush()
    assert packed[1] & 0x20 and texts.decompress(packed) == data
    assert len(packed) < len(zlib.compress(data))
    assert texts.decompress(zlib.compress(data)) == data
    assert texts.record_json(data.decode()) == data.decode()  # plain JSON: before schema 9


def test_pack_round_trip() -> None:
    for header, body, paras in [
        (None, None, []),
        ("VZCZC", "body\nlines", ["one", "", "café — «two»"]),
    ]:
        assert texts.unpack(texts.pack(header, body, paras)) == (header, body, paras)


def test_prepared_rows_travel_without_the_record() -> None:
    """A worker's Prepared is pickled without the record; the writer rebuilds it from the
    rows exactly (it needs it to merge a cable read again)."""
    for cable in (parse_text(ROW, form="csv"), _no_source()):
        prepared = prepare(cable)
        travelled = pickle.loads(pickle.dumps(prepared))
        assert travelled._cable is None
        assert len(pickle.dumps(prepared)) < len(pickle.dumps(cable)) + 2000
        assert full_json(travelled.cable) == full_json(cable)
        assert travelled.digest == prepared.digest


def test_record_jsons_are_the_full_and_the_row_json() -> None:
    """One dump of the shared fields gives full_json and row_json's JSON byte for byte: with
    a source and without, with empty paragraphs, and with text holding the control bytes
    the dump's stand-ins are (orjson escapes them in strings)."""
    odd = parse_text(ROW.replace("The ferries", "The \x01ferries\x02"), form="csv")
    odd.subject = "\x02 \x01"
    empty = parse_text(ROW, form="csv")
    empty.paragraphs = []
    for cable in (parse_text(ROW, form="csv"), _no_source(), odd, empty):
        before = full_json(cable)
        full, row = record_jsons(cable)
        assert full == before == full_json(cable)  # the record is left as it was
        assert texts.compress(row) == row_json(cable)
        assert texts.decompress(row_json(cable)) == row


def _columns(db: Db, table: str) -> set[str]:
    if db.postgres:
        sql = "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
        return {c for (c,) in db.execute(sql, (table,))}
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def test_paragraphs_read_back_from_the_packed_text(empty_archive: str) -> None:
    cable = parse_text(ROW, form="csv")
    # Read by hand off ROW: the wrapped lines joined, the portion marks apart.
    assert [(p.number, p.portion, p.text) for p in cable.paragraphs] == [
        (1, "C", "The dockworkers of the northern harbour ended their strike on March 2."),
        (2, "U", "The ferries sail again."),
    ]
    with open_store(empty_archive) as store:
        store.put_many([cable, _no_source()])
        assert full_json(store.get("09ZENDA124")) == full_json(cable)
        assert full_json(store.get("09NOSOURCE1")) == full_json(_no_source())
        db = Db.of(store.conn)
        cid = db.one("SELECT id FROM cables WHERE reference_id = '09ZENDA124'")
        form, _, offset, header, body = texts.sources(db, [cid])[cid]
        assert (form, offset, header) == ("csv", 0, None)  # row 0; no ACP-127 header
        assert body is not None and "northern\nharbour" in body
        # No text column left: the text is in `texts` only.
        for table in ("paragraphs", "sources"):
            assert _columns(db, table) >= {"cable_id"}
            assert not _columns(db, table) & {"text", "header", "body"}
    with Archive.open(empty_archive) as a:
        (hit,) = a.search("northern harbour", snippets=True)
        assert hit.reference_id == "09ZENDA124"
        assert "[northern] [harbour]" in hit.snippet  # from the paragraph, not the wrapped source


def _to_schema_6(path: Path) -> None:
    """Rewrite an archive into the shape schema 6 had: text in paragraphs and sources, the
    record's JSON plain."""
    conn = sqlite3.connect(path)
    records = conn.execute("SELECT id, record FROM cables").fetchall()
    conn.executemany(
        "UPDATE cables SET record = ? WHERE id = ?",
        [(texts.record_json(r).decode("utf-8"), cid) for cid, r in records],
    )
    unpacked = {cid: texts.unpack(b) for cid, b in conn.execute("SELECT * FROM texts")}
    paragraphs = conn.execute("SELECT * FROM paragraphs ORDER BY cable_id, position").fetchall()
    sources = conn.execute("SELECT * FROM sources").fetchall()
    conn.executescript(
        """
        DROP TABLE texts; DROP TABLE paragraphs; DROP TABLE sources;
        CREATE TABLE paragraphs (
            id INTEGER PRIMARY KEY, cable_id INTEGER NOT NULL REFERENCES cables(id)
            ON DELETE CASCADE, position INTEGER NOT NULL, number INTEGER, portion TEXT,
            heading TEXT, text TEXT NOT NULL, UNIQUE (cable_id, position));
        CREATE TABLE sources (
            cable_id INTEGER PRIMARY KEY REFERENCES cables(id) ON DELETE CASCADE,
            form TEXT NOT NULL, path TEXT, offset INTEGER, header TEXT, body TEXT);
        PRAGMA user_version = 6;
        """
    )
    conn.executemany(
        "INSERT INTO paragraphs (cable_id, position, number, portion, heading, text)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(c, pos, n, p, h, unpacked[c][2][pos]) for c, pos, n, p, h in paragraphs],
    )
    conn.executemany(
        "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?)",
        [(c, f, p, o, *unpacked[c][:2]) for c, f, p, o in sources],
    )
    conn.commit()
    conn.close()


def test_archives_of_schema_6_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    cable = parse_text(ROW, form="csv")
    with SQLiteStore(path) as store:
        store.put_many([cable, _no_source()])
    _to_schema_6(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM paragraphs WHERE text <> ''").fetchone()[0] == 3
        assert conn.execute("SELECT typeof(record) FROM cables").fetchall() == [("text",)] * 2
    # Read-only (the reading room), it is read as it is: nothing upgraded.
    with Archive.open(path, readonly=True, create=False) as a:
        assert full_json(a.store.get("09ZENDA124")) == full_json(cable)
        (hit,) = a.search("ferries", snippets=True)
        assert "[ferries]" in hit.snippet
        assert a.conn.execute("PRAGMA user_version").fetchone()[0] == 6
    with SQLiteStore(path) as store:
        version = store.conn.execute("PRAGMA user_version").fetchone()[0]
        assert version == len(MIGRATIONS) >= 9
        kinds = store.conn.execute("SELECT typeof(record) FROM cables").fetchall()
        assert kinds == [("blob",)] * 2
        assert store.conn.execute(
            "SELECT json_extract(record_json(record), '$.subject') FROM cables ORDER BY id"
        ).fetchall() == [("ZENDA: FERRY STRIKE ENDS",), ("PLAIN",)]
        assert full_json(store.get("09ZENDA124")) == full_json(cable)
        assert full_json(store.get("09NOSOURCE1")) == full_json(_no_source())
        # A cable read again after the upgrade: the same record, nothing changes.
        assert store.put_many([parse_text(ROW, form="csv")]).unchanged == 1
    with Archive.open(path) as a:
        assert a.count("ferries") == 1 and a.count("ünïcode") == 1


def test_raw_items_read_as_the_items_themselves(tmp_path: Path) -> None:
    """iter_items(raw=True) hands out bytes; reading them gives what iter_items gives."""
    csv = tmp_path / "cables.csv"
    csv.write_text(ROW + BAD_ROW + ROW.replace('"1",', '"3",').replace("124", "126"))
    page = tmp_path / "page.txt"
    page.write_text(ROW.split(',"', 7)[-1].rstrip('"\n').replace("000124", "000127"))
    for path in (csv, page):
        plain = list(iter_items(path, year=2009))
        raw = list(iter_items(path, year=2009, raw=True))
        assert all(isinstance(r, Raw) for r in raw)
        read = [pickle.loads(pickle.dumps(r)).read() for r in raw]
        assert [repr(x) for x in read] == [repr(x) for x in plain]
    assert sum(1 for r in iter_items(csv) if type(r).__name__ == "Failure") == 1


def test_ingest_writes_what_the_workers_prepared(
    tmp_path: Path, empty_archive, new_archive
) -> None:
    """Two workers, raw rows in, rows out: the same archive as one process makes (on
    PostgreSQL the workers load their batches themselves)."""
    csv = tmp_path / "cables.csv"
    rows = "".join(
        ROW.replace('"1",', f'"{i}",')
        .replace("000124", f"000{i:03d}")
        .replace("09ZENDA124", f"09ZENDA{i}")
        for i in range(200, 260)
    )
    csv.write_text(rows + BAD_ROW)
    one, two = empty_archive, new_archive(empty_archive)
    s1 = ingest([csv], one, workers=1)
    s2 = ingest([csv], two, workers=2)
    assert (s1.added, s1.quarantined) == (s2.added, s2.quarantined) == (60, 1)
    with open_store(one) as a, open_store(two) as b:
        refids = [r for (r,) in a.conn.execute("SELECT reference_id FROM cables")]
        assert len(refids) == 60
        for refid in refids:
            assert full_json(a.get(refid)) == full_json(b.get(refid))
    assert ingest([csv], two, workers=2).unchanged == 60


def test_tasks_grow_so_small_inputs_reach_every_worker() -> None:
    from cablebase.archive.ingest import TASK, _batches

    assert [len(b) for b in _batches(range(100), 64)] == [16, 32, 52]
    sizes = [len(b) for b in _batches(range(5000), TASK)]
    assert sizes[:5] == [16, 32, 64, 128, 256] and max(sizes) == TASK and sum(sizes) == 5000


def test_csv_rows_travel_to_workers_as_their_shared_fields(tmp_path: Path) -> None:
    """A batch of one cables.csv's rows crosses to a worker as the fields the rows share and
    their (row index, bytes) pairs, and is read back as the same Raw items; a batch of
    anything else (documents, rows of two files, failures) crosses as it is."""

    from cablebase.archive.ingest import pack_task, unpack_task
    from cablebase.forms.sources import Failure
    from cablebase.generate import write

    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    write(5, "csv", one, seed=3)
    write(3, "csv", two, seed=4)
    rows = list(iter_items(one, raw=True))
    assert len(rows) == 5 and all(isinstance(r, Raw) and r.offset is not None for r in rows)
    packed = pack_task(rows)
    assert isinstance(packed, tuple)
    assert unpack_task(pickle.loads(pickle.dumps(packed))) == rows
    mixed = [*rows, *iter_items(two, raw=True)]
    failed = [*rows, Failure("x.csv", "broken", 7)]
    documents = [Raw(b"text", "a.txt", "a.txt", "auto", None, None)]
    for batch in (mixed, failed, documents):
        assert pack_task(batch) is batch
        assert unpack_task(pickle.loads(pickle.dumps(pack_task(batch)))) == batch


def test_worker_batches_travel_as_marshal_bytes(tmp_path: Path, monkeypatch) -> None:
    """A task's rows and failures cross to the writer as marshal bytes and come back as the
    same Prepared and Failure values a worker made; a value marshal cannot write sends the
    batch as objects instead."""
    from cablebase.archive import ingest as ingest_module
    from cablebase.archive.ingest import _parse, _parse_batch, _unbatch
    from cablebase.forms.sources import Failure

    csv = tmp_path / "cables.csv"
    csv.write_text(ROW + BAD_ROW + ROW.replace('"1",', '"3",').replace("124", "126"))
    raw = list(iter_items(csv, year=2009, raw=True))
    sent = _parse_batch(raw)
    assert isinstance(sent, bytes)
    back = _unbatch(pickle.loads(pickle.dumps(sent)))
    direct = [_parse(r) for r in raw]
    assert [type(x).__name__ for x in back] == ["Prepared", "Failure", "Prepared"]
    for got, made in zip(back, direct, strict=True):
        if isinstance(made, Failure):
            assert got == made and got.offset == 1
            continue
        assert got._cable is None and got.state() == made.state()
        assert full_json(got.cable) == full_json(made.cable)

    class Odd(str):  # a str subclass: marshal refuses it
        pass

    def odd(item):  # type: ignore[no-untyped-def]
        prepared = _parse(item)
        prepared.reference_id = Odd(prepared.reference_id)
        return prepared

    monkeypatch.setattr(ingest_module, "_parse", odd)
    sent = _parse_batch(raw[:1])
    assert isinstance(sent, list)
    assert [p.state() for p in _unbatch(sent)] == [direct[0].state()]


def _zlib(value: bytes) -> bytes:
    """A stored value as the archive wrote it before zstd: zlib level 6 with the preset
    dictionary."""
    z = zlib.compressobj(6, zdict=texts._ZDICT)
    return z.compress(texts.decompress(value)) + z.flush()


def test_new_values_are_zstd_frames_naming_their_dictionary() -> None:
    """Text and record each compress with their own trained dictionary, named in the frame;
    a frame naming a dictionary this version does not know is an error, not a wrong text."""
    import zstandard

    record = b'{"reference_id":"09ZENDA124","recipients":[{"role":"to","route":"RUEHC"}]}'
    packed = texts.pack("VZCZC", "body", ["one"])
    value = texts.compress(record)
    assert packed[:4] == value[:4] == b"\x28\xb5\x2f\xfd"  # the zstd magic number
    ids = {zstandard.get_frame_parameters(v).dict_id for v in (packed, value)}
    assert ids == {0x43420001, 0x43420002}
    assert texts.decompress(value) == record
    # A whole cable's record and text: smaller than zlib with its preset dictionary.
    prepared = prepare(parse_text(ROW, form="csv"))
    for stored in (prepared.packed, prepared.columns[_RECORD]):
        assert stored[:4] == b"\x28\xb5\x2f\xfd" and len(stored) < len(_zlib(stored))
    unknown = zstandard.ZstdCompressor(
        dict_data=zstandard.train_dictionary(
            2048,
            [record.replace(b"124", str(i).encode()) * 3 for i in range(200)],
            dict_id=99999,
        )
    ).compress(record)
    with pytest.raises(ValueError, match="99999"):
        texts.decompress(unknown)
    # A frame without a dictionary reads too (zstd's own default).
    assert texts.decompress(zstandard.ZstdCompressor().compress(record)) == record


def test_archives_written_with_zlib_read_the_same(tmp_path: Path) -> None:
    """An archive of the version before zstd (every text and record a zlib value) answers
    byte for byte as the same archive written now, and a cable read again changes nothing."""
    new, old = tmp_path / "new.db", tmp_path / "old.db"
    cables = [parse_text(ROW, form="csv"), _no_source()]
    for path in (new, old):
        with SQLiteStore(path) as store:
            store.put_many(cables)
    with sqlite3.connect(old) as conn:
        for table, key, column in (("texts", "cable_id", "packed"), ("cables", "id", "record")):
            rows = conn.execute(f"SELECT {key}, {column} FROM {table}").fetchall()
            conn.executemany(
                f"UPDATE {table} SET {column} = ? WHERE {key} = ?",
                [(_zlib(v), k) for k, v in rows],
            )
        assert {v[:1] for (v,) in conn.execute("SELECT packed FROM texts")} == {b"\x78"}
    answers = []
    for path in (new, old):
        with Archive.open(path, readonly=True, create=False) as a:
            hits = a.search("northern harbour", snippets=True)
            answers.append(
                (
                    [full_json(a.store.get(c.reference_id)) for c in cables],
                    [(h.reference_id, h.snippet) for h in hits],
                    a.conn.execute(
                        "SELECT json_extract(record_json(record), '$.subject') FROM cables"
                        " ORDER BY id"
                    ).fetchall(),
                )
            )
    assert answers[0] == answers[1]
    assert answers[0][0] == [full_json(c) for c in cables]
    with SQLiteStore(old) as store:
        assert store.put_many([parse_text(ROW, form="csv")]).unchanged == 1


def test_values_are_written_fast_and_level_6_values_still_read() -> None:
    """New values are zstd's level 3 with 2^14-entry tables (a third of level 6's CPU at
    ingest, issue 13), within 2 % of level 3's own size; values an archive stored at level 6
    (sessions 8-9) read the same, text and record alike: no setting is in the frame but the
    dictionary."""
    import zstandard

    prepared = prepare(parse_text(ROW, form="csv"))
    for kind, stored in (("texts", prepared.packed), ("records", prepared.columns[_RECORD])):
        data = texts.decompress(stored)
        params = zstandard.ZstdCompressionParameters(
            strategy=zstandard.STRATEGY_DFAST, window_log=17, hash_log=14, chain_log=14,
            search_log=1, min_match=5, write_content_size=True, write_dict_id=True,
        )  # fmt: skip
        fast = zstandard.ZstdCompressor(compression_params=params, dict_data=texts._ZSTD[kind])
        assert stored == fast.compress(data)
        level3 = zstandard.ZstdCompressor(level=3, dict_data=texts._ZSTD[kind]).compress(data)
        assert len(stored) <= 1.02 * len(level3)
        level6 = zstandard.ZstdCompressor(level=6, dict_data=texts._ZSTD[kind]).compress(data)
        assert level6 != stored and texts.decompress(level6) == data
    header, body, paragraphs = texts.unpack(prepared.packed)
    assert body and "northern harbour" in " ".join(paragraphs).lower()
