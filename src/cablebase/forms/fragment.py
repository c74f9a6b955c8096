"""A bare body, or a fragment of one (a REF block, a TAGS line, a few paragraphs).

There is no header and no container metadata; the caller may give the context
a fragment lacks: the ``year`` (for REF items without one) and the
``reference_id``.
"""

from __future__ import annotations

from cablebase.forms.telegram import unescape_newlines
from cablebase.grammar.unwrapped import Meta, Unwrapped

__all__ = ["unwrap_fragment"]


def unwrap_fragment(
    text: str,
    *,
    year: int | None = None,
    reference_id: str | None = None,
    path: str | None = None,
    offset: int | None = None,
) -> Unwrapped:
    """Body-only text to an Unwrapped cable (header None, trailing white space stripped)."""
    text = unescape_newlines(text)
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    start = 0
    while start < len(lines) and not lines[start]:
        start += 1
    end = len(lines)
    while end > start and not lines[end - 1]:
        end -= 1
    return Unwrapped(
        form="fragment",
        header=None,
        body=lines[start:end],
        meta=Meta(year=year, reference_id=reference_id),
        path=path,
        offset=offset,
    )
