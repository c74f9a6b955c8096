"""The archive's access policy, kept in its `settings` table."""

from __future__ import annotations

import sqlite3

from cablebase.access.policy import Policy


def get_policy(conn: sqlite3.Connection) -> Policy:
    """The archive's policy; `open` until someone sets another."""
    try:
        rows = dict(conn.execute("SELECT key, value FROM settings WHERE key LIKE 'policy.%'"))
    except sqlite3.OperationalError:  # an archive from before access control: open
        return Policy("open")
    return Policy(rows.get("policy.mode", "open"), rows.get("policy.portions", "1") == "1")


def set_policy(conn: sqlite3.Connection, policy: Policy) -> None:
    with conn:
        conn.executemany(
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [("policy.mode", policy.mode), ("policy.portions", "1" if policy.portions else "0")],
        )
