"""The telegram grammar: one small rule per part of a cable, run in order.

Every form adapter produces an :class:`Unwrapped` (header lines, body lines,
side metadata); :func:`parse_unwrapped` turns it into a :class:`Cable`.  The
rules live one per module, in the order a cable is read (FORMAT.md §6):

    meta -> header -> preface -> banner -> page markers -> preamble
         -> text (paragraphs, signature, summary) -> redactions -> cross-checks
"""

from __future__ import annotations

from cablebase.grammar import (
    banner,
    crosscheck,
    header,
    meta,
    pages,
    preamble,
    preface,
    redactions,
    text,
)
from cablebase.grammar.state import State
from cablebase.grammar.unwrapped import Meta, Unwrapped
from cablebase.record import Cable, Source

__all__ = ["Meta", "Unwrapped", "parse_unwrapped"]


def parse_unwrapped(u: Unwrapped) -> Cable:
    """Run every rule over one unwrapped cable. Never raises on malformed text."""
    cable = Cable(
        source=Source(
            form=u.form,
            path=u.path,
            offset=u.offset,
            header="\n".join(u.header) if u.header is not None else None,
            body="\n".join(u.body),
        )
    )
    st = State(cable=cable, meta=u.meta)
    for code, message in u.notes:
        st.warn(code, message, "source")
    try:
        _run(u, st)
    except Exception as exc:  # a rule bug must not lose the cable: keep what we have
        st.warn("parser.internal_error", f"{type(exc).__name__}: {exc}")
    return cable


def _run(u: Unwrapped, st: State) -> None:
    meta.apply_meta(st)
    if u.header is not None:
        header.parse_header(u.header, st)
    meta.settle_year(st)
    lines = u.body
    start = preface.find_banner(lines, st)
    if start < len(lines) and lines[start].endswith("\\"):
        lines = preface.unescape_dump_lines(lines, start)
    if start < len(lines):
        leftover = banner.parse_banner(lines[start], st)
        if leftover is not None:
            lines = [*lines[:start], leftover, *lines[start + 1 :]] if leftover else lines
            start += 0 if leftover else 1
    raw = lines
    lines = pages.strip_page_markers(lines, start, st)
    text_start = preamble.parse_preamble(lines, start, st, raw)
    text.parse_text(lines, text_start, st)
    if st.cable.subject is None and (u.header or start):  # no SUBJECT line: an e-mail export's
        st.cable.subject = preface.mail_subject([*(u.header or ()), *u.body[:start]])
    redactions.find_redactions(st)
    meta.finish(st)
    crosscheck.run_checks(st)
