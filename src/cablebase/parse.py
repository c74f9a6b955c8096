"""The public parsing API: text, files, folders, archives and streams to Cable records.

    >>> from cablebase import parse_text, iter_cables
    >>> cable = parse_text(open("09BAMAKO776.html").read())
    >>> for item in iter_cables("cablegate.tar.xz"):
    ...     if isinstance(item, Failure):
    ...         print(item)          # location: reason
    ...     else:
    ...         print(item.reference_id, item.subject)

Forms: ``auto`` (detected per document) or one of ``html``, ``csv``, ``text``,
``markdown``, ``telegram``, ``fragment``.  A damaged cable gives a record with
warnings; input that is not a cable at all gives a :class:`Failure` from the
iterators, and a record with a ``source.not_a_cable`` warning from :func:`parse_text`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO

from cablebase.forms import NotACable
from cablebase.forms.exported import Exported
from cablebase.forms.fragment import unwrap_fragment
from cablebase.forms.sources import Failure, iter_items, unwrap
from cablebase.grammar import parse_unwrapped
from cablebase.record import Cable

__all__ = ["Failure", "NotACable", "iter_cables", "parse_file", "parse_text", "parse_unwrapped"]


def parse_text(
    text: str,
    *,
    form: str = "auto",
    year: int | None = None,
    reference_id: str | None = None,
) -> Cable:
    """Parse one cable given as text. Never raises on the text's content.

    ``form`` is ``auto`` (detected from the text) or the form the text is in.
    ``year`` and ``reference_id`` give context a fragment lacks (the year for REF
    items without one; the cable's id); a container's own values win over them.

    Text that is not a cable in that form (no page structure, no valid csv row,
    nothing of a telegram) still gives a record: the text is read as a fragment
    (HTML and csv input: an empty body) and the record carries a
    ``source.not_a_cable`` warning with the reason.  An unknown ``form`` name
    raises ValueError.
    """
    try:
        u = unwrap(text, form=form, year=year, reference_id=reference_id)
    except NotACable as exc:
        chosen = form if form != "auto" else "fragment"
        lines = [] if chosen in ("html", "csv") else text.split("\n")
        u = unwrap_fragment("\n".join(lines), year=year, reference_id=reference_id)
        u.form = chosen
        u.notes.append(("source.not_a_cable", str(exc)))
    return parse_unwrapped(u)


def iter_cables(
    source: str | os.PathLike[str] | IO[bytes] | IO[str],
    *,
    form: str = "auto",
    year: int | None = None,
) -> Iterator[Cable | Failure]:
    """Parse every cable in a source, streaming, in input order.

    ``source`` is a file, a folder (recursive), an archive (``.tar``, ``.tar.gz``,
    ``.tgz``, ``.tar.xz``, ``.zip``), a compressed file (``.gz``, ``.xz``), ``"-"``
    for stdin, or an open binary file object.  A cables.csv yields one cable per row.
    Yields a :class:`~cablebase.record.Cable` or a :class:`Failure` (location and
    reason) for every item; never raises on bad input.
    """
    for item in iter_items(source, form=form, year=year):
        if isinstance(item, Failure):
            yield item
        else:  # a record of cablebase's own export is already parsed
            yield item.cable if isinstance(item, Exported) else parse_unwrapped(item)


def parse_file(
    path: str | os.PathLike[str],
    *,
    form: str = "auto",
    year: int | None = None,
) -> Iterator[Cable | Failure]:
    """Parse the cables in one file (or folder or archive) at ``path``: see :func:`iter_cables`."""
    return iter_cables(os.fspath(path), form=form, year=year)
