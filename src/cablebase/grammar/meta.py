"""Container metadata (FORMAT.md §2, §1.3) and the fields settled once every rule has run."""

from __future__ import annotations

import re
from datetime import datetime

from cablebase.grammar.state import State

# Container classification names: "SECRET//NOFORN", "UNCLASSIFIED//FOR OFFICIAL USE ONLY".
_LEVELS = {
    "UNCLASSIFIED": "UNCLASSIFIED",
    "UNCLAS": "UNCLASSIFIED",
    "LIMITED OFFICIAL USE": "LIMITED OFFICIAL USE",
    "LOU": "LIMITED OFFICIAL USE",
    "CONFIDENTIAL": "CONFIDENTIAL",
    "SECRET": "SECRET",
    "TOP SECRET": "TOP SECRET",
}
_CAVEATS = {"NOFORN": "NOFORN", "NF": "NOFORN", "FOUO": "FOR OFFICIAL USE ONLY"}

_HTML_TIME = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})")
_CSV_TIME = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})")
_REFID = re.compile(r"^(\d{2})([A-Z]+)(\d+)$")

# FM line kinds -> the origin names the containers use (FORMAT.md §2).
_ORIGIN_PREFIX = (
    ("AMEMBASSY ", "Embassy "),
    ("AMCONSUL ", "Consulate "),
    ("USMISSION ", "Mission "),
    ("USINT ", "US Interests Section "),
)


def level_of(name: str | None) -> str | None:
    """Classification level of a container or banner name, or None."""
    if not name:
        return None
    head = name.upper().split("//", 1)[0].strip()
    return _LEVELS.get(head)


def _iso(y: int, mo: int, d: int, h: int, mi: int) -> str | None:
    try:
        datetime(y, mo, d, h, mi)  # validates; strftime is twice the cost of the f-string
    except ValueError:
        return None
    return f"{y}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:00Z"  # %Y: not zero-padded either


def apply_meta(st: State) -> None:
    """Copy what the container states onto the record, before the telegram is read."""
    m, c = st.meta, st.cable
    c.reference_id = m.reference_id.strip() if m.reference_id else None
    c.origin = m.origin.strip() if m.origin else None
    c.title = m.title
    c.listed_references = list(m.references)
    if m.classification:
        level = level_of(m.classification)
        if level is None:
            st.warn("meta.classification_unknown", f"unknown classification {m.classification!r}")
        c.classification = level
        for part in m.classification.upper().split("//")[1:]:
            part = part.strip()
            caveat = _CAVEATS.get(part, part)
            if caveat and caveat not in st.container_caveats:
                st.container_caveats.append(caveat)
    if m.released:
        mt = _HTML_TIME.match(m.released)
        # The Cablegate minute field is corrupt (FORMAT.md §2): keep date and hour only.
        c.released = _iso(*map(int, mt.groups()[:4]), 0) if mt else None
    if m.created:
        if mt := _CSV_TIME.match(m.created):
            mo, d, y, h, mi = map(int, mt.groups())
            st.container_created, st.container_created_from = _iso(y, mo, d, h, mi), "csv"
        elif mt := _HTML_TIME.match(m.created):
            y, mo, d, h, _ = map(int, mt.groups())
            st.container_created, st.container_created_from = _iso(y, mo, d, h, 0), "meta"
        else:
            st.warn("meta.created_unreadable", f"cannot read created time {m.created!r}")


def refid_year(refid: str | None) -> int | None:
    if not refid or not (mt := _REFID.match(refid)):
        return None
    yy = int(mt.group(1))
    return 1900 + yy if yy >= 50 else 2000 + yy


def settle_year(st: State) -> None:
    """The cable's own year, used for REF items that carry none."""
    if st.meta.year:
        st.year = st.meta.year
    elif year := refid_year(st.cable.reference_id):
        st.year = year
    elif st.cable.created:
        st.year = int(st.cable.created[:4])
    elif st.container_created:
        st.year = int(st.container_created[:4])


def origin_from_sender(sender: str) -> str:
    """FM text -> origin name: AMEMBASSY BAMAKO -> Embassy Bamako."""
    s = " ".join(sender.split()).upper()
    if s.startswith("SECSTATE"):
        return "Secretary of State"
    for prefix, name in _ORIGIN_PREFIX:
        if s.startswith(prefix):
            return name + s[len(prefix) :].title()
    return s.title()


def finish(st: State) -> None:
    """Settle the fields that depend on several rules: created, handling, class, origin, id."""
    c = st.cable
    if not c.created:
        if st.weekday_time:
            c.created, c.created_from = st.weekday_time + ":00Z", "weekday"
        elif st.container_created:
            c.created, c.created_from = st.container_created, st.container_created_from
            if st.container_created_from == "meta":
                st.warn(
                    "meta.created_minute_unknown",
                    "no date-time group; the page's Created minute is corrupt, minutes set to 00",
                )
    for caveat in st.container_caveats:
        if caveat not in c.handling:
            c.handling.append(caveat)
    if not c.classification:
        c.classification = st.banner_classification or st.zny_classification
    # LIMITED OFFICIAL USE on the banner or a caption line of a cable whose container says
    # another class (old cables released as UNCLASSIFIED): kept as a marking of its own
    lou = "LIMITED OFFICIAL USE"
    if c.classification == lou:
        if lou in c.handling:
            c.handling.remove(lou)
    elif st.banner_classification == lou and lou not in c.handling:
        c.handling.append(lou)
    if not c.origin and c.sender:
        c.origin = origin_from_sender(c.sender)
    if not c.reference_id and c.post and st.banner_serial and "XXXX" not in c.post.upper():
        year = int(c.created[:4]) if c.created else st.year
        if year:
            from cablebase import ids

            post = ids.resolve_post(c.post) or c.post.upper().replace(" ", "")
            serial = st.banner_serial.lstrip("0") or "0"
            c.reference_id = f"{year % 100:02d}{post}{serial}"
