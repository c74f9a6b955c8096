"""Text (FORMAT.md §4.9-4.11): paragraphs with portion marks and headings, summary, signature."""

from __future__ import annotations

from cablebase.grammar.state import State


def parse_text(lines: list[str], start: int, st: State) -> None:
    """Fill cable.paragraphs, cable.summary and cable.signers from lines[start:]."""
    raise NotImplementedError
