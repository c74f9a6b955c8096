"""Telegram preamble (FORMAT.md §4.2-4.8): captions, E.O., TAGS, SUBJECT, REF, Classified By."""

from __future__ import annotations

from cablebase.grammar.state import State


def parse_preamble(lines: list[str], start: int, st: State) -> int:
    """Read the preamble from `start`; return the index of the first text line
    (the first numbered paragraph, or the first line after the preamble)."""
    raise NotImplementedError
