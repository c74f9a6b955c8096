"""Is this file an archive?  Checked before SQLite opens it, so that a wrong path never turns
into someone's database with our tables written into it, and a damaged file gives a sentence
instead of a traceback.

An archive is a SQLite file whose `user_version` is one of our schema versions and that holds
the `cables` table; a missing or empty file becomes a new archive only where the caller
creates archives (ingest), never on a read.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"


class ArchiveFileError(ValueError):
    """The file cannot be used as an archive; the message says why, for a person."""


def check(path: str | Path, *, create: bool, newest: int) -> None:
    """Raise ArchiveFileError unless `path` is an archive of a schema version up to `newest`
    (or, with `create`, a missing or empty file where a new archive may be made)."""
    p = Path(path)
    if p.is_dir():
        raise ArchiveFileError(f"{p} is a folder, not an archive file")
    if not p.exists():
        if create:
            return
        raise ArchiveFileError(f"no archive at {p} (create one with: cablebase ingest PATH)")
    if not p.is_file():
        raise ArchiveFileError(f"{p} is not a regular file (a device, pipe or socket)")
    size = p.stat().st_size
    if size == 0:
        if create:
            return
        raise ArchiveFileError(f"{p} is an empty file, not an archive")
    try:
        with open(p, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise ArchiveFileError(f"cannot read {p}: {e.strerror or e}") from None
    if head != SQLITE_MAGIC:
        raise ArchiveFileError(f"{p} is not an archive (not a SQLite database file)")
    _check_schema(p, newest)


def _check_schema(p: Path, newest: int) -> None:
    try:
        conn = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise ArchiveFileError(f"cannot open {p}: {e}") from None
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as e:
        raise ArchiveFileError(f"{p} is damaged or not an archive ({e})") from None
    finally:
        conn.close()
    if version == 0 and not tables:
        return  # a SQLite file with nothing in it yet: an archive being created
    if "cables" not in tables or version == 0:
        raise ArchiveFileError(
            f"{p} is a SQLite database but not a cablebase archive (no cables table);"
            " it was left untouched"
        )
    if version > newest:
        raise ArchiveFileError(
            f"{p} is an archive of a newer cablebase (schema {version}; this one reads up to"
            f" {newest}): upgrade cablebase"
        )


def describe_sqlite_error(e: sqlite3.Error, path: str | os.PathLike | None = None) -> str:
    """A sentence for a SQLite failure met while using an archive."""
    text = str(e)
    where = f" ({path})" if path else ""
    low = text.lower()
    if "malformed" in low or "not a database" in low or "file is encrypted" in low:
        return (
            f"the archive file is damaged{where}: {text}. Restore it from a copy, or build it"
            " again with cablebase ingest"
        )
    if "full" in low:
        return (
            f"the disk is full{where}: {text}. Nothing of the failed batch was kept; free some"
            " space and run the command again (ingest resumes where it stopped)"
        )
    if "locked" in low or "busy" in low:
        return f"the archive is busy{where}: another process is writing it; try again"
    if "readonly" in low or "read-only" in low:
        return f"the archive cannot be written{where}: {text}"
    if "disk i/o" in low:
        return f"reading or writing the archive failed{where}: {text}"
    return f"archive error{where}: {text}"
