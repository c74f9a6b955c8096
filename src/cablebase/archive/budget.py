"""A CPU-time budget for the queries of one request, so that no query (anonymous ones
included) can hold a server thread for long.

SQLite calls a progress handler every few thousand virtual-machine steps; the handler installed
here interrupts the statement once the thread has spent more than the budget of CPU time since
the request began.  The budget lives in a context variable: the web sets it per request
(`within`), and work outside any budget (the CLI, ingest, streamed exports) is never
interrupted.  CPU time rather than wall time: a server under load slows every request down,
and those must not fail for it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from cablebase.archive.query import QueryError

STEPS = 20_000  # VM steps between checks (~1 ms of work)


class QueryTooCostly(QueryError):
    """A query that ran past its budget; answered as a client error, like a malformed one."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"the query ran past its budget of {seconds:g} s of work and was stopped: narrow it"
            " (fewer prefix terms such as word*, or add a field such as year: or tag:)",
            0,
        )


class _Budget:
    __slots__ = ("seconds", "starts", "spent")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.starts: dict[int, float] = {}  # thread -> its CPU time when it began the request
        self.spent = False

    def over(self) -> bool:
        if self.seconds <= 0:
            self.spent = True
            return True
        now = time.thread_time()
        start = self.starts.setdefault(threading.get_ident(), now)
        if now - start > self.seconds:
            self.spent = True
        return self.spent


_CURRENT: ContextVar[_Budget | None] = ContextVar("cablebase_query_budget", default=None)


def install(conn: sqlite3.Connection) -> None:
    """Make `conn`'s statements stop when the current budget (if any) is spent."""
    conn.set_progress_handler(_check, STEPS)


def _check() -> int:
    budget = _CURRENT.get()
    return 1 if budget is not None and budget.over() else 0


@contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """Run the body under a budget of `seconds` of CPU time per thread (None: no budget).
    A statement interrupted for it raises QueryTooCostly."""
    if seconds is None:
        yield
        return
    budget = _Budget(seconds)
    token = _CURRENT.set(budget)
    try:
        yield
    except sqlite3.OperationalError as e:
        if budget.spent and "interrupt" in str(e).lower():
            raise QueryTooCostly(seconds) from None
        raise
    finally:
        _CURRENT.reset(token)


def spent_error(e: BaseException) -> QueryTooCostly | None:
    """The QueryTooCostly that `e` stands for, when it is SQLite's interruption of a statement
    under a spent budget (for handlers that meet the error outside `within`)."""
    budget = _CURRENT.get()
    if (
        isinstance(e, sqlite3.OperationalError)
        and "interrupt" in str(e).lower()
        and budget is not None
        and budget.spent
    ):
        return QueryTooCostly(budget.seconds)
    return None
