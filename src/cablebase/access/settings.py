"""The archive's access policy, kept in its `settings` table (either store: archive/db.py)."""

from __future__ import annotations

from typing import Any

from cablebase.access.policy import Policy
from cablebase.archive.db import Db


def get_policy(conn: Any) -> Policy:
    """The archive's policy; `open` until someone sets another.  A key missing from an older
    archive takes the default: reviewed declassification, the public reads UNCLASSIFIED
    cables free of caveats and handling restrictions.  `conn`: a store's connection or Db."""
    db = Db.of(conn)
    try:
        rows = dict(db.execute("SELECT key, value FROM settings WHERE key LIKE 'policy.%'"))
    except Db.MissingTable:  # an archive from before access control: open
        return Policy("open")
    try:
        return Policy(
            rows.get("policy.mode", "open"),
            rows.get("policy.portions", "1") == "1",
            rows.get("policy.declassify", "reviewed"),
            int(rows.get("policy.public_rank", "0")),
            rows.get("policy.public_restricted", "0") == "1",
        )
    except ValueError:  # a value written by hand: the strictest reading, never the loosest
        return Policy("controlled", False, "reviewed", -1, False)


def set_policy(conn: Any, policy: Policy) -> None:
    """Write the policy; readers' id sets and caches are keyed on the archive's generation,
    which moves with it (what a reader sees has changed)."""
    values = [
        ("policy.mode", policy.mode),
        ("policy.portions", "1" if policy.portions else "0"),
        ("policy.declassify", policy.declassify),
        ("policy.public_rank", str(policy.public_rank)),
        ("policy.public_restricted", "1" if policy.public_restricted else "0"),
    ]
    db = Db.of(conn)
    with db.transaction():
        db.executemany(
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            values,
        )
        bump_generation(db)


def bump_generation(conn: Any) -> None:
    """Count a change of what readers see (SQLiteStore._bump and pg/load.py do the same for
    new cables)."""
    Db.of(conn).execute(
        "INSERT INTO settings (key, value) VALUES ('generation', '1') ON CONFLICT(key)"
        " DO UPDATE SET value = CAST(CAST(settings.value AS BIGINT) + 1 AS TEXT)"
    )
