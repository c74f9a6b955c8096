"""Page markers (FORMAT.md §4.12): removed, recorded in st.page_markers, sentences rejoined."""

from __future__ import annotations

from cablebase.grammar.state import State


def strip_page_markers(lines: list[str], start: int, st: State) -> list[str]:
    """Return the lines with page markers (own-line and inline) and their running
    SUBJECT headers removed, text around them rejoined.  Lines before `start` are kept
    as they are.  Indices before `start` must not move."""
    raise NotImplementedError
