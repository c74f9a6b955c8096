"""cablebase's own exports ingest back: the same records, field by field (forms/exported.py).

CSV with the `record` column, JSON Lines and JSON come back whole; a CSV of the flat columns
alone, a partial view and anything that is not a record are refused, each with its reason.

Over each store: the archive exported (`generated`, `hand`) and the archives ingested back
(tests/store_fixtures.py `new_archive`, on the same store) are SQLite files or PostgreSQL
databases in turn.
"""

from __future__ import annotations

import io
import itertools
import subprocess
import sys

import orjson
import pytest

from cablebase.access.policy import Access, Policy, Viewer, caveat_bits, parse_rank
from cablebase.archive.api import Archive
from cablebase.archive.export import ExportError, export
from cablebase.archive.ingest import ingest
from cablebase.forms.detect import detect_form
from cablebase.generate import write
from cablebase.parse import iter_cables
from cablebase.record import Cable
from tests.conftest import CABLES_CSV, HTML_TAR
from tests.test_stats import hand_cables, make_archive


def stored(archive: Archive) -> dict[str, dict]:
    ids = [r for (r,) in archive.store.conn.execute("SELECT reference_id FROM cables")]
    return {rid: archive.get(rid).to_dict() for rid in ids}


def assert_same_records(before: Archive, after: Archive) -> None:
    want, got = stored(before), stored(after)
    assert sorted(got) == sorted(want)
    for rid, record in want.items():
        for key, value in record.items():  # field by field: a failure names the field
            assert got[rid][key] == value, (rid, key)


def round_trip(archive: Archive, tmp_path, new, fmt: str, **options) -> tuple[Archive, object]:
    """`archive` exported, then ingested into a new archive on its store (`new`: the
    new_archive factory)."""
    out = tmp_path / f"export.{fmt}"
    n = export(archive, "", fmt, out, **options)
    assert n == len(archive)
    back = new(archive.store.path)
    summary = ingest([out], back, workers=1)
    return Archive.open(back), summary


@pytest.fixture(scope="module")
def generated(module_archive, tmp_path_factory):
    """Generated cables ingested from their cables.csv rendering (sources and all), on each
    store."""
    folder = tmp_path_factory.mktemp("gen")
    write(150, "csv", folder / "gen.csv", seed=11)
    summary = ingest([folder / "gen.csv"], module_archive, workers=1)
    assert summary.added == 150
    with Archive.open(module_archive) as a:
        yield a


@pytest.fixture
def hand(generated, new_archive):
    """A new archive on `generated`'s store, for make_archive's cables."""
    return new_archive(generated.store.path)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_generated_records_come_back_whole(generated, tmp_path, new_archive, fmt):
    options = {"record": True} if fmt == "csv" else {}
    back, summary = round_trip(generated, tmp_path, new_archive, fmt, **options)
    assert (summary.added, summary.quarantined) == (150, 0)
    assert_same_records(generated, back)
    # What is derived from the records (index, facets) is rebuilt too.
    assert back.count("tag:PREL") == generated.count("tag:PREL") > 0
    assert back.facets("")["year"] == generated.facets("")["year"]


def test_csv_with_text_and_record(generated, tmp_path, new_archive):
    back, summary = round_trip(generated, tmp_path, new_archive, "csv", record=True, text=True)
    assert summary.quarantined == 0
    assert_same_records(generated, back)


def test_hand_records_with_awkward_text(hand, tmp_path, new_archive):
    """Quotes, pipes, commas, newlines and a formula-looking subject survive the CSV."""
    cables = hand_cables()
    cables[0].subject = '=HYPERLINK("x") | "QUOTED", SUBJECT'
    cables[1].paragraphs[0].text = 'Line one,\nline two; "quoted"\r\nand | a pipe.'
    a = make_archive(hand, cables)
    back, summary = round_trip(a, tmp_path, new_archive, "csv", record=True)
    assert summary.added == 4
    assert_same_records(a, back)
    assert back.get("09ALPHA1").subject == '=HYPERLINK("x") | "QUOTED", SUBJECT'


def test_a_second_ingest_changes_nothing(generated, tmp_path, new_archive):
    out = tmp_path / "e.jsonl"
    export(generated, "", "jsonl", out)
    again = new_archive(generated.store.path)
    ingest([out], again, workers=1)
    summary = ingest([out], again, workers=1)
    assert (summary.unchanged, summary.added, summary.updated) == (150, 0, 0)


def test_flat_csv_is_refused_with_its_reason(generated, tmp_path, new_archive):
    out = tmp_path / "flat.csv"
    export(generated, "", "csv", out)
    summary = ingest([out], new_archive(generated.store.path), workers=1)
    assert (summary.added, summary.quarantined) == (0, 1)
    (reason,) = summary.examples
    assert "without its `record` column" in reason and "--record" in reason


def test_cli_round_trip_and_refusal(generated, tmp_path, new_archive):
    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "cablebase", *args], capture_output=True, text=True
        )

    src = str(generated.store.path)
    got = cli("export", "*", "--archive", src, "--to", "csv", "--record", "-o", tmp_path / "r.csv")
    assert got.returncode == 0, got.stderr
    back = new_archive(src)
    got = cli("ingest", tmp_path / "r.csv", "--archive", back)
    assert got.returncode == 0 and "150 added" in got.stderr, got.stderr
    assert_same_records(generated, Archive.open(back))
    cli("export", "*", "--archive", src, "--to", "csv", "-o", tmp_path / "flat.csv")
    got = cli("ingest", tmp_path / "flat.csv", "--archive", new_archive(src))
    assert got.returncode == 1 and "--record" in got.stderr


def test_record_column_is_for_csv_only(generated):
    with pytest.raises(ExportError, match="csv"):
        export(generated, "", "jsonl", io.BytesIO(), record=True)


# -- partial views -------------------------------------------------------------------------


def test_partial_views_are_refused(hand, tmp_path, new_archive):
    """A reader cleared for CONFIDENTIAL sees 09ALPHA1 (SECRET, one (S) paragraph) partly:
    its export must not come back as the whole cable."""
    a = make_archive(hand, hand_cables())
    viewer = Viewer("r", "reader", parse_rank("confidential"), caveat_bits(["noforn"]))
    reader = a.with_access(Access(Policy("controlled"), viewer))
    for fmt, options in (("jsonl", {}), ("csv", {"record": True})):
        out = tmp_path / f"partial.{fmt}"
        assert export(reader, "", fmt, out, **options) == 3
        back_location = new_archive(hand)
        summary = ingest([out], back_location, workers=1)
        assert (summary.added, summary.quarantined) == (2, 1)
        (reason,) = summary.examples
        assert "row 1" in reason or "#row1" in reason  # 09ALPHA1 is the second by date
        assert "partial view" in reason
        back = Archive.open(back_location)
        assert back.get("09ALPHA1") is None
        assert back.get("08BETA7") == a.get("08BETA7")


# -- what is not a record ----------------------------------------------------------------------


def test_bad_lines_are_refused_one_by_one(generated, tmp_path, new_archive):
    buf = io.BytesIO()
    export(generated, "", "jsonl", buf)
    lines = buf.getvalue().splitlines()[:3]
    bad = [
        lines[0][:-40],  # cut short, first: the rest is still read line by line
        lines[1],
        b'{"reference_id": "09X1", "paragraphs": 3}',  # not a record
        b'{"reference_id": null}',
        lines[2],
    ]
    (tmp_path / "mixed.jsonl").write_bytes(b"\n".join(bad) + b"\n")
    # a first line over --max-item-size is refused alone too
    huge = b'{"reference_id": "09X2", "subject": "' + b"x" * (len(lines[0]) + 2000) + b'"}'
    (tmp_path / "huge.jsonl").write_bytes(huge + b"\n" + lines[0] + b"\n")
    summary = ingest([tmp_path / "mixed.jsonl"], new_archive(generated.store.path), workers=1)
    assert (summary.added, summary.quarantined) == (2, 3)
    assert "#row0: not a JSON line" in summary.examples[0]
    assert "#row2: not a valid cablebase record: paragraphs" in summary.examples[1]
    assert "#row3: a record without a reference id" in summary.examples[2]
    from cablebase.forms.limits import Limits

    small = Limits.from_env(max_item_size=len(lines[0]) + 1000)
    huge = new_archive(generated.store.path)
    summary = ingest([tmp_path / "huge.jsonl"], huge, workers=1, limits=small)
    assert (summary.added, summary.quarantined) == (1, 1)
    assert "#row0: refused (--max-item-size)" in summary.examples[0]


def test_one_json_record_and_a_list(generated, tmp_path, new_archive):
    rid = next(iter(stored(generated)))
    record = generated.get(rid)
    (tmp_path / "one.json").write_bytes(record.to_json(indent=True))  # `show --json`
    two = [record.to_dict(), generated.get(sorted(stored(generated))[-1]).to_dict()]
    (tmp_path / "two.json").write_bytes(orjson.dumps(two, option=orjson.OPT_INDENT_2))
    back = new_archive(generated.store.path)
    summary = ingest([tmp_path / "one.json", tmp_path / "two.json"], back, workers=1)
    assert (summary.added, summary.unchanged, summary.quarantined) == (2, 1, 0)
    assert Archive.open(back).get(rid) == record


def test_detect_form():
    assert detect_form(b"reference_id,created,origin,post,classification,handling\n") == "export"
    assert detect_form(b'\xef\xbb\xbf{"reference_id":"09X1","created":null}\n') == "export"
    assert detect_form(b'{\n  "reference_id": "09X1"\n}') == "export"
    assert detect_form(b'[{"reference_id": "09X1"}]') == "export"
    # cables.csv rows and other CSV/JSON are not exports
    assert detect_form(b'"1","12/1/2009 16:39","09BAMAKO776","Embassy Bamako",') == "csv"
    assert detect_form(b"id,created,origin\n", "x.csv") == "csv"
    assert detect_form(b'{"id": 3}') != "export"


# -- real cables ---------------------------------------------------------------------------------


@pytest.mark.corpus
def test_real_cables_come_back_whole(hand, tmp_path, new_archive):
    """A sample of the dev corpus (both forms, read in place) exported and ingested back."""
    sample: list[Cable] = []
    for path in (HTML_TAR, CABLES_CSV):
        if not path.exists():
            pytest.skip(f"{path} not present (../shared is only on CI and developer machines)")
        got = (c for c in iter_cables(path) if isinstance(c, Cable) and c.reference_id)
        sample += itertools.islice(got, 120)
    a = make_archive(hand, sample)
    for fmt, options in (("csv", {"record": True}), ("jsonl", {})):
        back, summary = round_trip(a, tmp_path, new_archive, fmt, **options)
        assert summary.quarantined == 0, summary.examples
        assert_same_records(a, back)


def test_exports_inside_archives_from_stdin_and_by_iter_cables(generated, tmp_path, new_archive):
    import tarfile

    out = tmp_path / "e.jsonl"
    export(generated, "", "jsonl", out)
    with tarfile.open(tmp_path / "e.tar.gz", "w:gz") as tf:
        tf.add(out, arcname="exports/e.jsonl")
    tar = new_archive(generated.store.path)
    summary = ingest([tmp_path / "e.tar.gz"], tar, workers=1)
    assert (summary.added, summary.quarantined) == (150, 0)
    assert_same_records(generated, Archive.open(tar))
    # The parsing API gives the records as they are, not parsed again.
    got = [c for c in iter_cables(out) if isinstance(c, Cable)]
    assert len(got) == 150 and got[0] == generated.get(got[0].reference_id)
    # stdin, with --form export forced
    res = subprocess.run(
        [sys.executable, "-m", "cablebase", "ingest", "-", "--form", "export", "--archive"]
        + [str(stdin := new_archive(generated.store.path))],
        input=out.read_bytes(),
        capture_output=True,
    )
    assert res.returncode == 0, res.stderr
    assert_same_records(generated, Archive.open(stdin))
