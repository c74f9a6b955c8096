"""What every form adapter hands to the telegram grammar."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True, kw_only=True)
class Meta:
    """Side metadata a container carries outside the telegram text (all optional, as written)."""

    reference_id: str | None = None
    created: str | None = (
        None  # as written by the container ("2009-12-01 16:04", "12/1/2009 16:39")
    )
    released: str | None = None
    classification: str | None = None  # "SECRET//NOFORN"
    origin: str | None = None  # "Embassy Bamako"
    title: str | None = None
    references: list[str] = field(default_factory=list)  # cables.csv reference column
    year: int | None = None  # year hint for fragments (--year)


@dataclass(slots=True, kw_only=True)
class Unwrapped:
    """A cable taken out of its container: header lines, body lines, side metadata.

    Lines have their container artefacts removed (HTML tags and entities, markdown
    links, paragraph signs) and trailing white space stripped; nothing else is changed.
    """

    form: str
    header: list[str] | None
    body: list[str]
    meta: Meta = field(default_factory=Meta)
    path: str | None = None
    offset: int | None = None
    # (warning code, message) the container or decoding adds: "source.encoding", ...
    notes: list[tuple[str, str]] = field(default_factory=list)
