"""Transmission header (FORMAT.md §3): VZCZC, prosign + RIs, DE, ZNY, DTG, FM, TO/INFO/XMT."""

from __future__ import annotations

from cablebase.grammar.state import State


def parse_header(lines: list[str], st: State) -> None:
    """Fill header_kind, transmission_id, routing, station, security, dtg, precedence,
    info_precedence, sender, recipients, partial; set st.zny_classification; and set
    cable.created (ISO 8601 UTC, created_from="dtg") from the DTG when there is one."""
    raise NotImplementedError
