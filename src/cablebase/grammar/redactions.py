"""Redactions (FORMAT.md §4.13): X runs in any field, recorded with where they stand."""

from __future__ import annotations

from cablebase.grammar.state import State


def find_redactions(st: State) -> None:
    """Fill cable.redactions by scanning the finished fields; warn on numbering gaps
    filled by whole-line redactions."""
    raise NotImplementedError
