"""The archive store and ingest, on real SQLite files and PostgreSQL databases
(conftest.archive_store): idempotency, versions, quarantine, accounting for every input item,
and resumability after kill -9 at random points."""

from __future__ import annotations

import io
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
from dataclasses import replace
from pathlib import Path

import pytest

from cablebase.archive import texts as stored_texts
from cablebase.archive.api import Archive
from cablebase.archive.ingest import ingest
from cablebase.archive.snippets import words
from cablebase.archive.store import is_dsn
from cablebase.generate import generate, write
from cablebase.render import to_form

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gen")
    write(1500, "csv", folder / "cables.csv", seed=7)
    return folder / "cables.csv"


def _snapshot(location: str | Path) -> dict[str, tuple]:
    """Everything stored per cable, minus where the copy was read from (either store)."""
    with Archive.open(location) as archive:
        db = archive.db
        out = {}
        for cid, refid, digest, record in db.execute(
            "SELECT id, reference_id, source_hash, record FROM cables"
        ).fetchall():
            paragraphs = [row[1:] for row in stored_texts.paragraphs(db, [cid])]
            tags = db.execute(
                "SELECT tag FROM tags WHERE cable_id = ? ORDER BY tag", (cid,)
            ).fetchall()
            refs = db.execute(
                "SELECT position, target FROM refs WHERE cable_id = ? ORDER BY position", (cid,)
            ).fetchall()
            out[refid] = (digest, bytes(record), tuple(paragraphs), tuple(tags), tuple(refs))
        # the full-text index's rows (PostgreSQL's is a column of every cable)
        fts = "cables WHERE fts IS NOT NULL" if db.postgres else "cables_fts"
        out["<fts rows>"] = (db.one(f"SELECT count(*) FROM {fts}"),)
    return out


def test_ingest_is_idempotent_and_accounts_for_everything(archive_store, corpus) -> None:
    db = archive_store([])
    first = ingest([corpus], db, workers=1)
    assert (first.items, first.added, first.quarantined) == (1500, 1500, 0)
    before = _snapshot(db)
    again = ingest([corpus], db, workers=2)
    assert (again.items, again.added, again.updated, again.unchanged) == (1500, 0, 0, 1500)
    assert _snapshot(db) == before


def test_changed_source_updates_and_keeps_previous_version(tmp_path, archive_store) -> None:
    """Over either store (conftest.archive_store): ingest again after the source changed."""
    cable = next(generate(1, seed=3))
    path = tmp_path / "one.txt"
    path.write_text(to_form(cable, "telegram"))
    location = archive_store([])
    ingest([path], location, workers=1)
    path.write_text(to_form(replace(cable, subject="A NEW SUBJECT"), "telegram"))
    summary = ingest([path], location, workers=1)
    assert summary.updated == 1
    with Archive.open(location) as archive:
        assert archive.get(cable.reference_id).subject == "A NEW SUBJECT"
        ((version, old),) = archive.versions(cable.reference_id)
        assert version == 1 and old.subject == cable.subject
        assert archive.version_numbers(cable.reference_id) == [1, 2]
        # The full-text index follows the change: the old subject's words are gone.
        gone = [w for w in words(cable.subject or "") if w not in ("a", "new", "subject")]
        assert gone and all(archive.count(f'subject:"{w}"') == 0 for w in gone)
        assert archive.count('subject:"a new subject"') == 1


def test_bad_inputs_are_quarantined_with_reasons(tmp_path, archive_store) -> None:
    good = list(generate(3, seed=11))
    folder = tmp_path / "in"
    folder.mkdir()
    # An archive with a good member, a binary member and a non-cable text.
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in (
            ("good.txt", to_form(good[0], "telegram").encode()),
            ("garbage.bin", bytes(range(256)) * 8),
            ("notes.txt", b"Shopping list: eggs, milk.\n"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (folder / "batch.tar.gz").write_bytes(buf.getvalue())
    # A corrupted archive: the same bytes cut in the middle.
    (folder / "broken.tar.gz").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    # A csv whose last row is truncated.
    rows = to_form(good[1], "csv") + to_form(good[2], "csv")
    (folder / "rows.csv").write_text(rows[: len(rows) - 40])
    (folder / "random.bin").write_bytes(os.urandom(3000))

    location = archive_store([])  # over either store (conftest.archive_store)
    summary = ingest([folder], location, workers=1)
    with Archive.open(location) as archive:
        quarantined = archive.store.quarantined()
        stored = {c.reference_id for c in good if archive.get(c.reference_id) is not None}
    assert good[0].reference_id in stored and good[1].reference_id in stored
    assert summary.items == summary.stored + summary.quarantined
    locations = " ".join(loc for loc, _, _ in quarantined)
    reasons = " ".join(reason for _, reason, _ in quarantined)
    assert "garbage.bin" in locations and "random.bin" in locations
    assert "rows.csv" in locations  # the truncated last row
    assert "broken.tar.gz" in locations
    assert "binary" in reasons
    assert len(quarantined) == summary.quarantined >= 4


def test_exit_status_says_whether_anything_was_lost(tmp_path, archive_store) -> None:
    # 0: every item stored; 1: some quarantined (named in the summary); 2: a usage error.
    good = tmp_path / "good.txt"
    good.write_text(to_form(next(generate(1, seed=5)), "telegram"))
    bad = tmp_path / "x.bin"
    bad.write_bytes(bytes(range(256)) * 2)
    db = archive_store([])

    def run(*args: str) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "cablebase", "ingest", *args, "--archive", db]
        return subprocess.run(cmd, capture_output=True, text=True)

    assert run(str(good)).returncode == 0
    mixed = run(str(good), str(bad))
    assert mixed.returncode == 1
    assert f"{bad}: binary data, not a cable" in mixed.stderr
    assert "1 of 2 items not stored" in mixed.stderr
    assert run(str(bad), "--strict").returncode == 1  # --strict: the old name of the default
    # A mistyped path: a clear error, nothing read, no traceback.
    typo = run(str(good), str(tmp_path / "goood.txt"))
    assert typo.returncode == 2
    assert f"no such file or folder: {tmp_path / 'goood.txt'}" in typo.stderr
    assert "Traceback" not in typo.stderr
    limit = run(str(good), "--max-item-size", "lots")
    assert limit.returncode == 2 and "not a size" in limit.stderr


def test_kill_at_random_points_then_resume(tmp_path, corpus, archive_store) -> None:
    reference = archive_store([])
    ingest([corpus], reference, workers=1)
    expected = _snapshot(reference)

    on_sqlite = not is_dsn(reference)
    db = tmp_path / "killed.db" if on_sqlite else archive_store([])
    cmd = [sys.executable, "-m", "cablebase", "ingest", str(corpus), "--archive", str(db)]
    rnd = random.Random(20261127)
    kills = 0
    for _ in range(40):  # until ten runs were killed mid-way (a loaded machine finishes some)
        if kills >= 10:
            break
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        time.sleep(rnd.uniform(0.3, 2.5))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the ingest and its parsing workers
            kills += 1
        proc.wait()
        if not on_sqlite:  # a transaction per batch: a cable is stored with its text or not
            with Archive.open(db) as a:
                orphans = a.db.one(
                    "SELECT count(*) FROM cables c"
                    " WHERE NOT EXISTS (SELECT 1 FROM texts t WHERE t.cable_id = c.id)"
                )
            assert orphans == 0
            continue
        if db.exists():
            conn = sqlite3.connect(db)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            # Killed before the schema's first transaction committed: an empty file, no tables.
            migrated = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cables'"
            ).fetchone()
            if migrated:
                dupes = conn.execute(
                    "SELECT count(*) - count(DISTINCT reference_id) FROM cables"
                ).fetchone()[0]
                assert dupes == 0
            conn.close()
    assert kills >= 10
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _snapshot(db) == expected
