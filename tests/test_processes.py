"""Worker processes: how they start and with which signal handlers (cablebase/processes.py)."""

from __future__ import annotations

import signal
import threading

from cablebase.processes import context, pool


def _handlers() -> tuple[object, object]:
    return signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)


def test_workers_start_with_default_sigterm_and_ignore_sigint():
    """A SIGTERM handler of the caller's (as `dispatch run` installs) is not the workers':
    with it they could not be terminated and a pool's terminate() waited for ever."""
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        p = pool(2)
        try:
            got = p.apply(_handlers)
        finally:
            p.close()
            p.join()
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert got == (signal.SIG_DFL, signal.SIG_IGN)


def test_a_process_running_threads_is_never_forked():
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert context().get_start_method() in ("forkserver", "spawn")
    finally:
        stop.set()
        t.join()
    if threading.active_count() == 1:  # pytest's process may hold threads of earlier tests
        assert context().get_start_method() == "fork"
