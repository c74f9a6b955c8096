"""The Cable record: the one contract between every part of cablebase.

Plain dataclasses with stable JSON names (see docs/record.md and
schema/cable.schema.json).  Nothing downstream re-parses text: every reader,
the renderer, the archive and the web pages work from these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import orjson

# LIMITED OFFICIAL USE: a control marking of its own (old cables), ranked between unclassified
# and confidential where classifications are ordered
CLASSIFICATIONS = ("UNCLASSIFIED", "LIMITED OFFICIAL USE", "CONFIDENTIAL", "SECRET", "TOP SECRET")
PRECEDENCES = ("ROUTINE", "PRIORITY", "IMMEDIATE", "NIACT IMMEDIATE", "FLASH")
REFERENCE_KINDS = ("cable", "email", "telcon", "memo", "report", "dtg", "other")
RECIPIENT_ROLES = ("to", "info", "xmt")
FORMS = ("html", "csv", "text", "markdown", "telegram", "fragment", "release")  # release: access


@dataclass(slots=True, kw_only=True)
class Recipient:
    """One addressee line of the header (TO, INFO or XMT block)."""

    role: str  # to | info | xmt
    route: str | None = None  # routing indicator (RUEHC) or ZEN; None for PLA-only lines
    name: str = ""  # plain-language address (SECSTATE WASHDC)
    office: str | None = None  # office symbol between // // (NSC)
    precedence: str | None = None  # IMMEDIATE | PRIORITY | NIACT IMMEDIATE | ...
    serial: str | None = None  # "0930" or a range "2593-2599"
    collective: bool = False


@dataclass(slots=True, kw_only=True)
class Station:
    """The DE line: originating station and its serial number."""

    route: str  # RUEHBP
    serial: str  # station serial number, as written ("0776")
    part: str | None = None  # the /NN suffix ("01")
    julian: str | None = None  # JJJHHMM as written ("3351639")


@dataclass(slots=True, kw_only=True)
class ClassifiedBy:
    text: str  # the whole statement, lines joined, label removed
    name: str | None = None
    title: str | None = None
    office: str | None = None
    # every person named as classifier, in order (`names[0] == name`): a statement may name
    # two (`Poloff Jo Roe and DTRA Chief Al Doe`)
    names: list[str] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class Reference:
    """One REF item."""

    letter: str | None  # "A", or None for an unlettered item
    text: str  # the item as written, lines joined
    kind: str  # cable | email | telcon | memo | report | dtg | other
    id: str | None = None  # canonical cable id (09BAMAKO754) for kind == cable


@dataclass(slots=True, kw_only=True)
class Paragraph:
    number: int | None  # None for unnumbered text
    portion: str | None = None  # normalised portion mark: C, S/NF, SBU, U//FOUO -> U/FOUO
    heading: str | None = None  # the heading standing just before this paragraph
    text: str = ""


@dataclass(slots=True, kw_only=True)
class Redaction:
    where: str  # subject | ref | classified_by | banner | paragraph:N | body | header
    length: int  # number of X characters in the run


@dataclass(slots=True, kw_only=True)
class Sections:
    number: int
    total: int


@dataclass(slots=True, kw_only=True)
class Source:
    """Where the record came from, and the unwrapped text it was parsed from."""

    form: str  # html | csv | text | markdown | telegram | fragment
    path: str | None = None  # file path, archive member as ARCHIVE!MEMBER, or "-"
    offset: int | None = None  # row number (csv) or byte offset, where meaningful
    header: str | None = None  # transmission header text after unwrapping
    body: str | None = None  # body text after unwrapping


@dataclass(slots=True, kw_only=True)
class Warning:
    code: str  # dotted code, e.g. header.route_mismatch
    message: str
    where: str | None = None


@dataclass(slots=True, kw_only=True)
class Cable:
    reference_id: str | None = None
    created: str | None = None  # ISO 8601 UTC, "2009-12-01T16:39:00Z"
    created_from: str | None = None  # dtg | weekday | meta | csv
    released: str | None = None  # ISO 8601 UTC date-time of publication (HTML only)
    origin: str | None = None  # "Embassy Bamako"
    post: str | None = None  # banner post, "BAMAKO"
    classification: str | None = None  # UNCLASSIFIED | CONFIDENTIAL | SECRET | TOP SECRET
    handling: list[str] = field(default_factory=list)  # SIPDIS, NOFORN, ...
    title: str | None = None  # page title (HTML), usually the first SUBJECT line
    header_kind: str | None = None  # acp127 | bare | printout | placeholder | email | none
    transmission_id: str | None = None  # VZCZCXRO4337
    routing: list[str] = field(default_factory=list)  # RIs of the prosign line
    station: Station | None = None
    security: str | None = None  # the ZNY/ZNR line, "ZNY SSSSS ZZH"
    dtg: str | None = None  # the date-time group as written, "011639Z DEC 09"
    precedence: str | None = None  # action precedence from the DTG
    info_precedence: str | None = None  # second letter of a dual precedence
    sender: str | None = None  # FM line, "AMEMBASSY BAMAKO"
    recipients: list[Recipient] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)  # passing/office lines: "NSC FOR ..."
    eo: str | None = None  # "12958"
    declassify_on: str | None = None  # ISO date
    declassify_rule: str | None = None  # N/A | OADR | MR | 25X1 | free text
    classified_by: ClassifiedBy | None = None
    classification_reasons: list[str] = field(default_factory=list)  # ["1.4(b)", "1.4(d)"]
    tags: list[str] = field(default_factory=list)
    subject: str | None = None
    subject_portion: str | None = None
    references: list[Reference] = field(default_factory=list)
    listed_references: list[str] = field(default_factory=list)  # cables.csv reference column
    summary: str | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    signers: list[str] = field(default_factory=list)
    redactions: list[Redaction] = field(default_factory=list)
    sections: Sections | None = None
    partial: bool = False
    source: Source | None = None
    warnings: list[Warning] = field(default_factory=list)

    # -- convenience -------------------------------------------------------

    def warn(self, code: str, message: str, where: str | None = None) -> None:
        self.warnings.append(Warning(code=code, message=message, where=where))

    def to_dict(self) -> dict[str, Any]:
        # orjson walks dataclasses natively; far faster than dataclasses.asdict's deep copies.
        return orjson.loads(orjson.dumps(self))

    def to_json(self, *, indent: bool = False) -> bytes:
        opts = orjson.OPT_INDENT_2 if indent else 0
        return orjson.dumps(self, option=opts)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cable:
        return _from_dict(cls, data)

    @classmethod
    def from_json(cls, data: bytes | str) -> Cable:
        return cls.from_dict(orjson.loads(data))


_NESTED: dict[str, type] = {
    "recipients": Recipient,
    "station": Station,
    "classified_by": ClassifiedBy,
    "references": Reference,
    "paragraphs": Paragraph,
    "redactions": Redaction,
    "sections": Sections,
    "source": Source,
    "warnings": Warning,
}


def _from_dict(cls: type, data: dict[str, Any]) -> Any:
    known = {f.name for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            continue
        sub = _NESTED.get(key) if cls is Cable else None
        if sub is not None and value is not None:
            if isinstance(value, list):
                value = [sub(**item) for item in value]
            else:
                value = sub(**value)
        kwargs[key] = value
    return cls(**kwargs)


def file_name_of(path: str | None) -> str | None:
    """A source location without the folders of the machine it was read on: what readers of an
    archive served over the network see (`/srv/in/cablegate.tar.xz!cable/2009/12/X.html` ->
    `cablegate.tar.xz!cable/2009/12/X.html`; a member's path inside its archive is kept)."""
    if not path or path == "-":
        return path
    outer, bang, member = path.partition("!")
    name = outer.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return name + bang + member
