"""The command line on files that are not archives, damaged archives, a full disk and numbers
out of range: one sentence and a non-zero status, never a traceback, and no file is changed
by a command that only reads."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cablebase.archive.sqlite import SQLiteStore
from cablebase.cli import main
from tests.test_reader_sets import cable

READ_COMMANDS = [
    ["search", "minister"],
    ["search", "minister", "--count"],
    ["show", "09TESTPOST001"],
    ["stats"],
    ["errors"],
    ["export", "", "--to", "jsonl", "-o", "-"],
    ["graph", "", "--to", "graphml", "-o", "-"],
    ["users", "list"],
    ["policy", "show"],
    ["audit"],
    ["release", "list"],
]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    p = tmp_path / "cables.db"
    with SQLiteStore(p) as store:
        store.put_many([cable(i, "UNCLASSIFIED") for i in range(6)])
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return p


def _run(args: list[str], path: Path):
    result = CliRunner().invoke(main, [*args, "--archive", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        result.exception,
    )
    assert "Traceback" not in result.output, (args, result.output)
    return result


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_an_empty_file_is_not_an_archive_and_stays_empty(tmp_path: Path, args) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    result = _run(args, path)
    assert result.exit_code != 0
    assert "empty file, not an archive" in result.output
    assert path.stat().st_size == 0  # no schema written into it


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_file_that_is_not_sqlite(tmp_path: Path, args) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list\n" * 100)
    before = path.read_bytes()
    result = _run(args, path)
    assert result.exit_code != 0
    assert "not an archive" in result.output
    assert path.read_bytes() == before


def test_another_programs_database_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (n INTEGER)")
    conn.commit()
    conn.close()
    from cablebase.generate import write

    source = tmp_path / "some.csv"
    write(3, "csv", source, seed=2)
    before = path.read_bytes()
    for args in (["search", "x"], ["ingest", str(source)]):
        result = _run(args, path)
        assert result.exit_code != 0
        assert "not a cablebase archive" in result.output, (args, result.output)
    assert "not a cablebase archive" in _run(["stats"], path).output
    assert path.read_bytes() == before


def test_a_damaged_archive(archive: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.db"
    shutil.copy(archive, damaged)
    data = bytearray(damaged.read_bytes())
    page = 4096
    for i in range(page, len(data), 7):  # keep the header: every page after it is noise
        data[i] = (data[i] * 31 + 17) % 256
    damaged.write_bytes(bytes(data))
    for args in (["search", "minister"], ["stats"], ["show", "09TESTPOST001"]):
        result = _run(args, damaged)
        assert result.exit_code != 0, args
        assert "damaged" in result.output or "not an archive" in result.output, result.output


def test_a_folder_given_as_archive(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--archive", str(tmp_path)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "extra, ok",
    [
        (["--limit", "-1"], False),
        (["--offset", "-5"], False),
        (["--limit", "0"], True),
        (["--offset", str(10**30)], True),
        (["--limit", str(10**30)], True),
    ],
)
def test_limit_and_offset_out_of_range(archive: Path, extra: list[str], ok: bool) -> None:
    result = _run(["search", "minister", *extra], archive)
    if ok:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 2 and "range" in result.output


def test_huge_offset_finds_nothing_and_huge_limit_everything(archive: Path) -> None:
    assert _run(["search", "minister", "--offset", str(10**30)], archive).stdout == ""
    lines = _run(["search", "minister", "--limit", str(10**30)], archive).output.splitlines()
    assert len([x for x in lines if x.startswith("09TESTPOST")]) == 6


def test_a_full_disk_while_ingesting(tmp_path: Path) -> None:
    """A real full file system (a 1 MB tmpfs); skipped where mounting is not allowed."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        from cablebase.generate import write

        source = tmp_path / "many.csv"
        write(600, "csv", source, seed=5)
        result = _run(["ingest", str(source), "--workers", "1"], mnt / "cables.db")
        assert result.exit_code != 0
        assert "disk is full" in result.output or "No space left" in result.output, result.output
    finally:
        # Lazy: a connection the failed ingest left open must not keep the mount (and
        # pytest's clean-up of old temporary folders then fails on it for ever).
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
