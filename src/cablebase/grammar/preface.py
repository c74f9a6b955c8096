"""Lines before the classification banner (FORMAT.md §4.0)."""

from __future__ import annotations

from cablebase.grammar.state import State


def find_banner(lines: list[str], st: State) -> int:
    """Return the index of the banner line, or of the first preamble line when there is
    no banner.  Records the weekday time line (st.weekday_time) and warns about dumps
    and editorial notes that are skipped."""
    raise NotImplementedError
