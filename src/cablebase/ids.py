"""Reference ids, station names and post-name resolution (FORMAT.md §2, §4.6)."""

from __future__ import annotations


def canonical_id(post: str, number: str, year: int | None) -> str | None:
    """`BAMAKO`, `0754`, 2009 -> `09BAMAKO754`; short/variant post names resolved."""
    raise NotImplementedError
