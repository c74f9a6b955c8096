"""Pydantic response models of the /api: they make the OpenAPI schema complete and exact.

`Cable` and its parts mirror `src/cablebase/schema/cable.schema.json` field for field (every
key present, null where unknown); tests/web/test_api.py checks the two stay in step.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cablebase.ids import CABLE_ID_PATTERN

# A cable's own id is any id a published cable carries; the ids the parser resolves REFs to are
# always the regular form.
REFID_PATTERN = r"^\d{2}[A-Z]+\d+$"
ISO_TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"


class _Strict(BaseModel):
    # additionalProperties: false in the schema, as in cable.schema.json
    model_config = ConfigDict(extra="forbid")


# -- errors ----------------------------------------------------------------------------------


class Problem(_Strict):
    param: str = Field(description="The parameter at fault (query, path), or 'request'.")
    message: str


class Error(BaseModel):
    """Every 4xx/5xx answer under /api."""

    error: str = Field(description="What went wrong, readable by a person.")
    position: int | None = Field(
        None, description="For a malformed query: the 0-based offset of the fault."
    )
    query: str | None = Field(None, description="For a malformed query: the query as sent.")
    problems: list[Problem] | None = Field(
        None, description="For invalid parameters: one entry per parameter."
    )


# -- search ----------------------------------------------------------------------------------

FacetCounts = list[tuple[str, int]]


class Facets(_Strict):
    """Counts of the matching cables per value: [value, count] pairs.

    Year and month in calendar order, complete; the others most frequent first (top 20)."""

    origin: FacetCounts
    tag: FacetCounts
    classification: FacetCounts
    handling: FacetCounts
    year: FacetCounts
    month: FacetCounts
    person: FacetCounts = Field(
        default_factory=list,
        description="People (signers, classifiers of cables read whole, person tags) by their "
        "key (docs/people.md); search them with person:",
    )
    addressee: FacetCounts = Field(
        default_factory=list, description="TO and INFO addressees; search them with addressee:"
    )


class SearchHit(_Strict):
    reference_id: str = Field(pattern=CABLE_ID_PATTERN)
    created: str | None = Field(pattern=ISO_TIME_PATTERN)
    origin: str | None
    classification: str | None
    subject: str | None
    snippet: str | None = Field(
        description="A passage around the first match, matches in [ ]; null without snippets."
    )
    url: str = Field(description="The cable's page in the reading room.")


class Hint(_Strict):
    """A value of the query that matches no cable, and the nearest values (docs/search.md)."""

    field: str = Field(description="The field as written (tag, origin, from, ...).")
    value: str
    near: list[str] = Field(description="Values of cables the caller can find, nearest first.")
    message: str = Field(description="The hint as a sentence.")


class SearchResult(_Strict):
    query: str
    sort: Literal["relevance", "date", "-date"]
    total: int = Field(ge=0, description="Every matching cable (exact, no cap).")
    page: int = Field(ge=1)
    per_page: int = Field(ge=1)
    pages: int = Field(ge=0, description="Pages of per_page hits that hold all of them.")
    hits: list[SearchHit]
    facets: Facets | None = Field(description="Null when facets=false.")
    hints: list[Hint] = Field(
        default_factory=list,
        description="When nothing matches: each value that matches no cable, with near ones.",
    )


# -- the cable record (cable.schema.json) ----------------------------------------------------


class Recipient(_Strict):
    role: Literal["to", "info", "xmt"]
    route: str | None
    name: str
    office: str | None
    precedence: str | None
    serial: str | None = Field(pattern=r"^\d+(-\d+)?$")
    collective: bool


class Station(_Strict):
    route: str
    serial: str
    part: str | None
    julian: str | None


class ClassifiedBy(_Strict):
    text: str
    name: str | None
    title: str | None
    office: str | None
    names: list[str] = []  # every classifier named (older records lack it)


class Reference(_Strict):
    letter: str | None
    text: str
    kind: Literal["cable", "email", "telcon", "memo", "report", "dtg", "other"]
    id: str | None = Field(pattern=REFID_PATTERN)


class Paragraph(_Strict):
    number: int | None = Field(ge=0)
    portion: str | None
    heading: str | None
    text: str


class Redaction(_Strict):
    where: str
    length: int = Field(ge=1)


class Sections(_Strict):
    number: int = Field(ge=0)
    total: int = Field(ge=0)


class Source(_Strict):
    form: Literal["html", "csv", "text", "markdown", "telegram", "fragment"]
    path: str | None
    offset: int | None
    header: str | None
    body: str | None


class CableWarning(_Strict):
    code: str = Field(pattern=r"^[a-z_]+(\.[a-z_0-9]+)+$")
    message: str
    where: str | None


class Cable(_Strict):
    """One cable, the whole record (docs/record.md)."""

    reference_id: str | None = Field(pattern=CABLE_ID_PATTERN)
    created: str | None = Field(pattern=ISO_TIME_PATTERN)
    created_from: Literal["dtg", "weekday", "meta", "csv"] | None
    released: str | None = Field(pattern=ISO_TIME_PATTERN)
    origin: str | None
    post: str | None
    classification: (
        Literal["UNCLASSIFIED", "LIMITED OFFICIAL USE", "CONFIDENTIAL", "SECRET", "TOP SECRET"]
        | None
    )
    handling: list[str]
    title: str | None
    header_kind: Literal["acp127", "bare", "printout", "placeholder", "email", "none"] | None
    transmission_id: str | None
    routing: list[str]
    station: Station | None
    security: str | None
    dtg: str | None
    precedence: str | None
    info_precedence: str | None
    sender: str | None
    recipients: list[Recipient]
    captions: list[str]
    eo: str | None
    declassify_on: str | None = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    declassify_rule: str | None
    classified_by: ClassifiedBy | None
    classification_reasons: list[str]
    tags: list[str]
    subject: str | None
    subject_portion: str | None
    references: list[Reference]
    listed_references: list[str]
    summary: str | None
    paragraphs: list[Paragraph]
    signers: list[str]
    redactions: list[Redaction]
    sections: Sections | None
    partial: bool
    source: Source | None
    warnings: list[CableWarning]


# -- references ------------------------------------------------------------------------------


class Link(_Strict):
    """A citation between two cables, seen from one side."""

    reference_id: str = Field(description="The other cable.")
    letter: str | None = Field(description="The REF item's letter (A, B, ...), if any.")
    text: str = Field(description="The REF item as written.")
    in_archive: bool = Field(description="Whether the other cable is in this archive.")


class OtherReference(_Strict):
    """A REF item that names no cable (a memo, an e-mail, a telcon, ...)."""

    letter: str | None
    text: str
    kind: str


class References(_Strict):
    reference_id: str
    cites: list[Link] = Field(description="Cables this cable's REF block cites, in order.")
    cited_by: list[Link] = Field(description="Archived cables whose REF blocks cite this one.")
    unresolved: list[Link] = Field(description="The cited cables the archive lacks.")
    other: list[OtherReference] = Field(description="REF items that are not cables.")


# -- statistics ------------------------------------------------------------------------------


class Stats(_Strict):
    cables: int
    first: str | None = Field(description="The earliest `created`.")
    last: str | None
    by_classification: dict[str, int]
    by_year: dict[str, int]
    by_month: dict[str, int] = Field(description='"2009-12" -> cables')
    by_month_class: dict[str, dict[str, int]] = Field(
        description='"2009-12" -> classification -> cables'
    )
    top_origins: list[tuple[str, int]]
    top_tags: list[tuple[str, int]]
    handling: dict[str, int]
    ref_items: int = Field(description="Every REF item, whatever its kind.")
    cable_refs: int = Field(description="REF items that name a cable.")
    resolved: int = Field(description="... whose cable is in the archive.")
    unresolved: int
    unresolved_ids: int = Field(description="Distinct cable ids cited but missing.")
    resolution_rate: float | None
    cables_citing: int
    quarantined: int
    versions: int
    warnings: dict[str, int] = Field(description="Parser warning code -> count.")
    cables_with_warnings: int


class Health(_Strict):
    status: Literal["ok"]
    version: str
    cables: int


# -- accounts --------------------------------------------------------------------------------


class LoginRequest(_Strict):
    name: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class LoginResult(_Strict):
    token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds the session lasts without use.")
    name: str
    role: Literal["reader", "archivist", "admin"]


class LoggedOut(_Strict):
    ended: bool = Field(description="Whether a session was ended (API tokens are not).")


class Me(_Strict):
    """Who the API takes the caller for."""

    authenticated: bool
    name: str | None
    role: Literal["reader", "archivist", "admin"] | None
    clearance: Literal["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"] | None = Field(
        description="Null without an account."
    )
    caveats: list[str]
    policy: Literal["open", "controlled"]
