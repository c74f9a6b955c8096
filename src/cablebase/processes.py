"""How cablebase starts worker processes: from a clean server process, never by forking the caller.

Forking a process that runs threads (a web server, an audit writer) or that installed its own
signal handlers copies both into the worker: a lock held by another thread at that moment stays
held for ever, and a SIGTERM handler that only sets a flag makes the worker unkillable, so a pool
that terminates it waits for ever.  The forkserver start method forks each worker from a small
single-threaded server with default signal handlers, and preloads the parser there once so a
worker starts in milliseconds.  Where there is no fork (Windows), spawn.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.context import BaseContext

# Imported once in the fork server: every worker forked from it starts with the parser loaded.
PRELOAD = ["cablebase.archive.ingest"]


def context() -> BaseContext:
    if os.name == "posix" and "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")
