"""The ``cablebase`` command line: one module per command group, over the library.

    main.py       the group; parse, generate, demo, serve
    archive.py    ingest, search, show, stats, export, graph, errors, declassify...
    access.py     users, tokens, policy, audit (accounts and access control)
    releases.py   redacted releases: prepare, review, publish
    drafting.py   the drafting desk: draft new|check|submit|clear|release...
    dispatch.py   inbox, dispatch run|status|retry
    identity.py   who runs a command (--user/--token) and the access they read with

The library (archive/, access/, drafting/, dispatch/, web/) imports nothing from here.
"""

from __future__ import annotations

from cablebase.cli.main import main, sample_text

__all__ = ["main", "sample_text"]


def _register() -> None:
    from cablebase.cli import access, archive, dispatch, drafting, releases

    for module in (archive, access, releases, drafting, dispatch):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
