"""Export: every hit, whole records, parseable output, flat memory."""

from __future__ import annotations

import csv
import io
import os
import sys
import time
import tracemalloc

import orjson
import pytest

from cablebase.archive.api import Archive
from cablebase.archive.export import ExportError, export, records
from cablebase.archive.query import QueryError
from cablebase.generate import generate
from cablebase.record import Cable
from tests.test_stats import hand_cables, make_archive


@pytest.fixture
def hand(archive_store):  # on SQLite and on PostgreSQL (conftest.archive_store)
    with make_archive(archive_store, hand_cables()) as a:
        yield a


@pytest.fixture(scope="module")
def generated(archive_store):
    with make_archive(archive_store, list(generate(1200, seed=5))) as a:
        yield a


def jsonl_records(data: bytes) -> list[Cable]:
    assert data.endswith(b"\n") or not data
    return [Cable.from_json(line) for line in data.splitlines()]


# -- jsonl ----------------------------------------------------------------------------------


def test_jsonl_round_trip_hand(hand):
    buf = io.BytesIO()
    assert export(hand, "", "jsonl", buf) == 4
    got = jsonl_records(buf.getvalue())
    # Sorted by date by default: BETA (2008-12-30), ALPHA1, ALPHA2, EPSILON.
    assert [c.reference_id for c in got] == ["08BETA7", "09ALPHA1", "09ALPHA2", "10EPSILON4"]
    for c in got:
        assert c == hand.get(c.reference_id)
    alpha = got[1]
    assert alpha.source.header == "HEADER TEXT" and alpha.source.offset == 3
    assert [p.text for p in alpha.paragraphs] == [
        "The minister spoke.",
        'He asked for | pipes, "quotes", commas.',
    ]
    assert len(alpha.warnings) == 2


def test_jsonl_round_trip_generated(generated):
    buf = io.BytesIO()
    n = export(generated, "", "jsonl", buf)
    assert n == len(generated) == 1200
    lines = buf.getvalue().splitlines()
    assert len(lines) == n
    seen = set()
    for line in lines:
        c = Cable.from_json(line)
        stored = generated.get(c.reference_id)
        assert c == stored
        assert line == stored.to_json()  # byte for byte what the record serialises to
        seen.add(c.reference_id)
    assert len(seen) == n


@pytest.mark.parametrize("query", ["tag:PREL", "class:>=secret", "year:2006", "-origin:ankara"])
def test_every_hit_in_search_order(generated, query):
    buf = io.BytesIO()
    n = export(generated, query, "jsonl", buf)
    ids = [orjson.loads(line)["reference_id"] for line in buf.getvalue().splitlines()]
    expected = [h.reference_id for h in generated.search(query, sort="date")]
    assert n == len(ids) == generated.count(query) == len(expected)
    assert ids == expected
    buf = io.BytesIO()
    export(generated, query, "jsonl", buf, sort="-date")
    assert [orjson.loads(x)["reference_id"] for x in buf.getvalue().splitlines()] == ids[::-1]


def test_records_iterator(generated):
    got = list(generated.records("tag:PGOV"))
    assert len(got) == generated.count("tag:PGOV")
    assert all(c == generated.get(c.reference_id) for c in got[:50])
    assert [c.reference_id for c in records(generated, "id:NOSUCH1")] == []


def test_output_targets(hand, tmp_path):
    path = tmp_path / "out.jsonl"
    assert hand.export("", "jsonl", path) == 4
    assert len(path.read_bytes().splitlines()) == 4
    assert hand.export("", "jsonl", str(path)) == 4
    text = io.StringIO()  # a text stream without a binary buffer
    assert export(hand, "", "jsonl", text) == 4
    assert text.getvalue().encode("utf-8") == path.read_bytes()
    raw = io.BytesIO()
    wrapped = io.TextIOWrapper(raw, encoding="utf-8")  # like sys.stdout
    wrapped.write("first line\n")
    export(hand, "", "jsonl", wrapped)
    wrapped.flush()
    assert raw.getvalue() == b"first line\n" + path.read_bytes()


def test_empty_result(hand):
    buf = io.BytesIO()
    assert export(hand, "origin:nowhere", "jsonl", buf) == 0
    assert buf.getvalue() == b""
    text = io.StringIO()
    assert export(hand, "origin:nowhere", "csv", text) == 0
    assert len(list(csv.reader(io.StringIO(text.getvalue())))) == 1  # the header only


def test_errors(hand):
    with pytest.raises(ExportError):
        export(hand, "", "xml", io.BytesIO())
    with pytest.raises(ValueError):
        export(hand, "", "jsonl", io.BytesIO(), sort="relevance")


def test_bad_query_writes_nothing(hand, tmp_path):
    path = tmp_path / "never.jsonl"
    with pytest.raises(QueryError):
        export(hand, 'subject:"unclosed (', "jsonl", path)
    assert not path.exists()


# -- csv -------------------------------------------------------------------------------------


def read_csv(data: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data, newline="")))


def test_csv_hand(hand):
    buf = io.StringIO()
    assert export(hand, "", "csv", buf, text=True) == 4
    rows = {r["reference_id"]: r for r in read_csv(buf.getvalue())}
    assert len(rows) == 4
    a = rows["09ALPHA1"]
    assert a["created"] == "2009-01-05T10:15:00Z"
    assert a["classification"] == "SECRET"
    assert a["handling"] == "SIPDIS|NOFORN"
    assert a["tags"] == "PGOV|PREL"
    assert a["references"] == "08BETA7|09GAMMA3"  # the e-mail item has no cable id
    assert a["signers"] == "SMITH"
    assert a["n_paragraphs"] == "2" and a["n_warnings"] == "2"
    assert a["source_form"] == "csv" and a["source_path"] == "cables.csv"
    assert (
        a["text"]
        == 'SUMMARY\n\n1. The minister spoke.\n\n2. He asked for | pipes, "quotes", commas.'
    )
    c = rows["09ALPHA2"]
    assert c["references"] == "09ALPHA1|08BETA7|09GAMMA3"  # each cited cable once
    assert c["signers"] == "SMITH|JONES"
    assert c["handling"] == "" and c["text"] == "Unnumbered opening text."
    assert rows["08BETA7"]["references"] == "07DELTA9|07DELTA10"
    assert rows["10EPSILON4"]["subject"] == 'TRADE & <TARIFFS> "NOW"\x07'


def test_csv_generated(generated, tmp_path):
    path = tmp_path / "out.csv"
    n = export(generated, "class:>=confidential", "csv", path)
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert "text" not in rows[0]
    assert n == len(rows) == generated.count("class:>=confidential")
    for row in rows[:200]:
        c = generated.get(row["reference_id"])
        assert row["subject"] == (c.subject or "")
        assert row["tags"] == "|".join(c.tags)
        assert row["handling"] == "|".join(c.handling)
        assert row["n_paragraphs"] == str(len(c.paragraphs))
        assert row["classification"] in ("CONFIDENTIAL", "SECRET", "TOP SECRET")
    # A binary stream gets the same UTF-8 bytes as the file.
    raw = io.BytesIO()
    export(generated, "class:>=confidential", "csv", raw)
    assert raw.getvalue() == path.read_bytes()


# -- parquet ---------------------------------------------------------------------------------


def test_parquet(hand, generated, tmp_path):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "out.parquet"
    assert export(hand, "", "parquet", path, text=True) == 4
    t = pq.read_table(path).to_pylist()
    by_id = {r["reference_id"]: r for r in t}
    a = by_id["09ALPHA1"]
    assert a["handling"] == ["SIPDIS", "NOFORN"]
    assert a["references"] == ["08BETA7", "09GAMMA3"]
    assert a["created"].isoformat() == "2009-01-05T10:15:00+00:00"
    assert a["text"].startswith("SUMMARY\n\n1. The minister spoke.")
    assert a["partial"] is False and a["n_warnings"] == 2
    buf = io.BytesIO()
    n = export(generated, "", "parquet", buf)
    buf.seek(0)
    table = pq.read_table(buf)
    assert n == table.num_rows == len(generated)
    assert table.column("reference_id").to_pylist() == [
        h.reference_id for h in generated.search("", sort="date")
    ]
    assert "text" not in table.column_names
    empty = tmp_path / "empty.parquet"
    assert export(hand, "origin:nowhere", "parquet", empty) == 0
    assert pq.read_table(empty).num_rows == 0


def test_parquet_without_pyarrow(hand, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # makes `import pyarrow` fail
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ExportError, match="pyarrow"):
        export(hand, "", "parquet", io.BytesIO())


# -- flat memory and speed -------------------------------------------------------------------


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """SQLite's: the flat memory and the speed measured are the SQLite store's batched reads."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    with Archive.open(path) as a:
        batch: list[Cable] = []
        for c in generate(20_000, seed=11):
            batch.append(c)
            if len(batch) == 2000:
                a.store.put_many(batch)
                batch = []
        a.store.put_many(batch)
        yield a


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_flat_memory(big, fmt):
    # The first ~5,000 cables by date, then all 20,000: the peak must not grow with N.
    (cut,) = big.conn.execute(
        "SELECT substr(created, 1, 10) FROM cables ORDER BY created LIMIT 1 OFFSET 4999"
    ).fetchone()
    small_query = f"to:{cut}"
    n_small = big.count(small_query)
    assert 4000 <= n_small <= 6000
    counts = {}

    def run(query):
        def go():
            counts[query] = export(big, query, fmt, os.devnull, text=True)

        return go

    peak_small = _peak(run(small_query))
    peak_all = _peak(run(""))
    assert counts == {small_query: n_small, "": 20_000}
    assert peak_all < 1.5 * peak_small + 2_000_000
    assert peak_all < 40_000_000


@pytest.mark.slow
def test_jsonl_speed(big):
    export(big, "", "jsonl", os.devnull)  # warm the page cache
    # CPU time of this thread (SQLite runs in it too): on a shared machine the wall clock
    # measures the other processes as much as the export.
    start = time.thread_time()
    n = export(big, "", "jsonl", os.devnull)
    rate = n / (time.thread_time() - start)
    assert rate > 2500  # the target is 5,000/s; half of it leaves room for a loaded machine
