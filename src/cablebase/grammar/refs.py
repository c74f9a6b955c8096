"""REF block (FORMAT.md §4.6): items, their kinds, and canonical cable ids."""

from __future__ import annotations

from cablebase.record import Reference


def parse_refs(text: str, year: int | None) -> list[Reference]:
    """Split the REF text (label removed, lines joined with newlines) into items.
    Cable items get a canonical id via cablebase.ids, using `year` when the item has none."""
    raise NotImplementedError
