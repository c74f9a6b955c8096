"""Which SQL statements a call runs on a SQLite archive's connection: the planner tests
(test_search_plans.py, test_page_counts.py) assert on the plan a search or count takes."""

from __future__ import annotations

from cablebase.archive.api import Archive


def traced(a: Archive, fn) -> tuple[object, list[str]]:
    """fn()'s answer and every SQL statement it ran on the archive's connection."""
    log: list[str] = []
    a.store.conn.set_trace_callback(log.append)
    try:
        return fn(), log
    finally:
        a.store.conn.set_trace_callback(None)
