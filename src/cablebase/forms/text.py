"""Text and markdown copies of cable web pages, like the seed (FORMAT.md §1.2).

The copy is the telegram with a little web rendering on top: leading blank lines,
header lines ending in two spaces (markdown hard breaks), ``[TAG](#)`` links,
``[1](#)`` paragraph anchors, ``¶`` signs and ``#### HEADING`` lines.  Those are
undone here; the header/body split is the telegram one (the first blank line after
the header lines).  The form is ``markdown`` when markdown syntax was seen, else
``text``.
"""

from __future__ import annotations

import re

from cablebase.forms.telegram import frame, unescape_newlines
from cablebase.grammar.unwrapped import Meta, Unwrapped

__all__ = ["is_markdown", "unwrap_text"]

# `[1](#)` paragraph anchors (link text is a number) are dropped; other `[TEXT](#)` keep TEXT.
_ANCHOR_LINK = re.compile(r"\[\d{1,3}\]\(#[^)\s]*\)")
_LINK = re.compile(r"\[([^\]\n]*)\]\(#[^)\s]*\)")
_HEADING = re.compile(r"(?m)^#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_MARKDOWN = re.compile(r"\]\(#[^)\s]*\)|(?m:^#{1,6}[ \t]+\S)|(?m:\S  $)")


def is_markdown(text: str) -> bool:
    """True when the text shows markdown syntax (links to #, ATX headings, hard breaks)."""
    return _MARKDOWN.search(text) is not None


def clean(text: str) -> str:
    """Undo the web rendering of a copy (links, anchors, ¶, ATX headings)."""
    if "](#" in text:
        text = _ANCHOR_LINK.sub("", text)
        text = _LINK.sub(r"\1", text)
    if "#" in text:
        text = _HEADING.sub(r"\1", text)
    if "\u00b6" in text:
        text = text.replace("\u00b6", "")
    return text


def unwrap_text(
    text: str,
    *,
    path: str | None = None,
    offset: int | None = None,
    year: int | None = None,
    reference_id: str | None = None,
) -> Unwrapped:
    """A text/markdown web copy to an Unwrapped cable."""
    text = unescape_newlines(text).replace("\r\n", "\n").replace("\r", "\n")
    form = "markdown" if is_markdown(text) else "text"
    lines = [line.rstrip() for line in clean(text).split("\n")]
    header, body = frame(lines)
    return Unwrapped(
        form=form,
        header=header,
        body=body,
        meta=Meta(year=year, reference_id=reference_id),
        path=path,
        offset=offset,
    )
