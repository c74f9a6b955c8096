"""Form adapters: one thin reader per published form, all producing `Unwrapped`.

    html.py      Cablegate HTML pages (FORMAT.md §1.1)
    csv.py       rows of the 2011 full-release cables.csv (§1.3)
    text.py      text/markdown copies of cable web pages like the seed (§1.2)
    telegram.py  raw telegram text (header + body)
    fragment.py  a bare body or a fragment (REF block, TAGS line) with optional year / id context
    detect.py    which form a piece of input is
    sources.py   folders, archives (.tar, .tar.gz, .tar.xz, .zip, .xz, .gz) and stdin, streamed
    streams.py   bounded, counted, decompressed and transcoded byte streams for sources.py
    limits.py    what one input may expand to (decompression bombs), and the count against it

An adapter only removes what its container added (markup, escapes, link syntax,
trailing spaces); every telegram quirk is left for the grammar.  Input that is not
a cable of the form at all raises :class:`NotACable`; the streaming layer turns that
into a ``Failure`` item.
"""

from __future__ import annotations


class NotACable(ValueError):
    """The input is not a cable in the requested form (the message says why)."""
