"""Classification banner (FORMAT.md §4.1): <CLASS> [SECTION nn OF nn] <POST> <serial>."""

from __future__ import annotations

from cablebase.grammar.state import State


def parse_banner(line: str, st: State) -> str | None:
    """Parse one banner line.  Returns None when the line is not a banner; otherwise the
    text left over after the banner ("" normally; "SIPDIS NOFORN" for a joined banner).
    Sets st.banner_classification, st.banner_serial, cable.post, cable.sections."""
    raise NotImplementedError
