"""How cablebase starts worker processes, and what a worker starts with.

Forking a process that runs threads (a web server, an audit writer) copies its locks in
whatever state the other threads held them, so a worker can wait for ever on one; the fork
server forks each worker from a small single-threaded server instead (the parser preloaded
there once).  A process with no other thread is forked directly: as safe, faster to start,
and a script that calls the library needs no `if __name__ == "__main__":` guard.  Either
way a worker starts with the default SIGTERM (a handler the caller installed, copied by fork,
made workers unkillable and a pool's terminate() wait for ever) and ignores SIGINT (Ctrl-C is
the parent's to handle: it stops the pool, and no worker prints a traceback).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from multiprocessing.context import BaseContext
from multiprocessing.pool import Pool

try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None  # type: ignore[assignment]

# Bytes a pool's pipes hold (Linux; its default unprivileged limit, fs/pipe-max-size) rather
# than 64 KiB: an ingest task's results (~2.4 MB) cross in a few writes, not ~40 that each
# wait for the parent's result thread to read (and so to get the interpreter lock).  Ingest
# workers sampled blocked 2.8-3.8 % of their time, most of it sending (docs/benchmarks.md).
PIPE_BYTES = 1 << 20

# Imported once in the fork server: every worker forked from it starts with the parser loaded.
PRELOAD = ["cablebase.archive.ingest"]


def context() -> BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if os.name == "posix" and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if os.name == "posix" and "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def worker_started(initializer: Callable[..., object] | None = None, *initargs: object) -> None:
    """A pool worker's first act: the signal handlers a worker needs, then `initializer`."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*initargs)


def pool(
    workers: int, initializer: Callable[..., object] | None = None, initargs: tuple = ()
) -> Pool:
    """A pool of `workers` processes started as above, its pipes widened (PIPE_BYTES)."""
    made = context().Pool(workers, initializer=worker_started, initargs=(initializer, *initargs))
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl else None
    for queue in (getattr(made, "_inqueue", None), getattr(made, "_outqueue", None)):
        reader = getattr(queue, "_reader", None)
        if setsize is None or reader is None:
            continue
        with contextlib.suppress(OSError):  # a smaller limit, or not a pipe: as it was
            fcntl.fcntl(reader.fileno(), setsize, PIPE_BYTES)
    return made
