"""Parse state shared by the grammar rules while one cable is read."""

from __future__ import annotations

from dataclasses import dataclass, field

from cablebase.grammar.unwrapped import Meta
from cablebase.record import Cable


@dataclass(slots=True, kw_only=True)
class PageMarker:
    post: str  # as written, possibly cut to 10 characters
    serial: str  # 8-digit zero-padded serial as written
    page: str  # "002" or "001.2"
    total: int
    line: int  # body line index where it stood


@dataclass(slots=True, kw_only=True)
class State:
    """The record being built plus facts the cross-checks need but the record does not keep."""

    cable: Cable
    meta: Meta
    year: int | None = None  # the cable's own year, for REF items without one
    banner_classification: str | None = None
    banner_serial: str | None = None  # as written ("000776")
    weekday_time: str | None = None  # "2000-11-29T13:59" from a weekday preface line
    page_markers: list[PageMarker] = field(default_factory=list)
    zny_classification: str | None = None  # level implied by the ZNY letters
    container_caveats: list[str] = field(default_factory=list)  # NOFORN from "SECRET//NOFORN"
    container_created: str | None = None  # ISO time the container states (csv / html meta)
    container_created_from: str | None = None  # csv | meta

    def warn(self, code: str, message: str, where: str | None = None) -> None:
        self.cable.warn(code, message, where)
