"""Cross-checks between the layers of a cable (FORMAT.md §5).

Each check compares two independent statements of one fact.  A disagreement is
never "fixed": it becomes a warning with a `check.*` code, so a reader can see
that the record came from damaged, retransmitted or mismatched text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from cablebase.grammar.meta import level_of, refid_year
from cablebase.grammar.state import State

_RANK = {"UNCLASSIFIED": 0, "CONFIDENTIAL": 1, "SECRET": 2, "TOP SECRET": 3}
_PORTION_LEVEL = {
    "U": "UNCLASSIFIED",
    "SBU": "UNCLASSIFIED",
    "C": "CONFIDENTIAL",
    "S": "SECRET",
    "TS": "TOP SECRET",
}
_PROSIGN_PRECEDENCE = {"ZZ": "FLASH", "OO": "IMMEDIATE", "PP": "PRIORITY", "RR": "ROUTINE"}
_PROSIGN = re.compile(r"^(ZZ|OO|PP|RR)\s+R[A-Z]{3,}", re.M)
_REFID = re.compile(r"^(\d{2})([A-Z]+?)(\d+)$")
_PATH_MONTH = re.compile(r"(?:^|[/!])cable/(\d{4})/(\d{2})/")


def _portion_level(portion: str) -> str | None:
    head = portion.split("/", 1)[0]
    return _PORTION_LEVEL.get(head)


def check_refid_year(st: State) -> None:
    c = st.cable
    year = refid_year(c.reference_id)
    if year and c.created and int(c.created[:4]) != year:
        st.warn(
            "check.refid_year",
            f"reference id {c.reference_id} says {year}, created is {c.created[:10]}",
        )


def check_path_month(st: State) -> None:
    c = st.cable
    path = c.source.path if c.source else None
    if not path or not c.created or not (m := _PATH_MONTH.search(path)):
        return
    if (m.group(1), m.group(2)) != (c.created[:4], c.created[5:7]):
        st.warn(
            "check.path_month",
            f"file path month {m.group(1)}-{m.group(2)} vs created {c.created[:7]}",
        )


def check_station_serial(st: State) -> None:
    c = st.cable
    if not c.station or not c.reference_id or not (m := _REFID.match(c.reference_id)):
        return
    try:
        ssn, serial = int(c.station.serial), int(m.group(3))
    except ValueError:
        return
    if ssn != serial % 10000:
        st.warn(
            "check.station_serial", f"DE serial #{c.station.serial} is not the id's serial {serial}"
        )


def check_dtg_vs_container(st: State) -> None:
    c = st.cable
    if c.created_from != "dtg" or not st.container_created:
        return
    if c.created[:10] != st.container_created[:10]:
        st.warn(
            "check.dtg_vs_created",
            f"DTG date {c.created[:10]} differs from the stated creation date {st.container_created[:10]}",
        )


def check_weekday_time(st: State) -> None:
    c = st.cable
    if c.created_from == "dtg" and st.weekday_time and st.weekday_time[:16] != c.created[:16]:
        st.warn(
            "check.weekday_time",
            f"weekday line {st.weekday_time} differs from DTG {c.created[:16]}",
        )


def check_julian_day(st: State) -> None:
    c = st.cable
    if c.created_from != "dtg" or not c.station or not c.station.julian:
        return
    jjj = c.station.julian[:3]
    if not jjj.isdigit():
        return
    when = date.fromisoformat(c.created[:10])
    day = when.toordinal() - date(when.year, 1, 1).toordinal() + 1  # timetuple(): twice the cost
    if int(jjj) != day:
        st.warn("check.julian_day", f"DE day {jjj} is not the DTG's day of the year {day:03d}")


def check_prosign(st: State) -> None:
    c = st.cable
    header = c.source.header if c.source else None
    if not header or not c.precedence or not (m := _PROSIGN.search(header)):
        return
    expected = _PROSIGN_PRECEDENCE[m.group(1)]
    if expected != c.precedence and not (
        expected == "IMMEDIATE" and c.precedence == "NIACT IMMEDIATE"
    ):
        st.warn(
            "check.prosign_precedence", f"prosign {m.group(1)} vs DTG precedence {c.precedence}"
        )


def check_zny(st: State) -> None:
    c = st.cable
    if st.zny_classification and c.classification and st.zny_classification != c.classification:
        st.warn(
            "check.zny_classification",
            f"security line says {st.zny_classification}, cable is {c.classification}",
        )


def check_banner_level(st: State) -> None:
    c = st.cable
    if (
        st.banner_classification
        and c.classification
        and st.banner_classification != c.classification
    ):
        st.warn(
            "check.banner_classification",
            f"banner says {st.banner_classification}, cable is {c.classification}",
        )


def check_banner_refid(st: State) -> None:
    c = st.cable
    if not c.post or not st.banner_serial or not c.reference_id:
        return
    m = _REFID.match(c.reference_id)
    if not m:
        return
    post = c.post.upper().replace(" ", "")
    serial = st.banner_serial.lstrip("0")
    id_serial = m.group(3)
    # Posts are often spelled differently in the banner (RPO DUBAI vs DUBAI): compare loosely.
    same_post = (
        post in c.reference_id.upper() or m.group(2).endswith(post) or post.endswith(m.group(2))
    )
    if serial != id_serial.lstrip("0") or not same_post:
        st.warn(
            "check.banner_refid",
            f"banner {c.post} {st.banner_serial} does not match {c.reference_id}: the body may belong to another cable",
        )


def check_page_markers(st: State) -> None:
    c = st.cable
    for pm in st.page_markers:
        if st.banner_serial and pm.serial.lstrip("0") != st.banner_serial.lstrip("0"):
            st.warn(
                "check.page_serial", f"page marker serial {pm.serial} vs banner {st.banner_serial}"
            )
            break
    if st.page_markers and c.sections:
        totals = {pm.total for pm in st.page_markers}
        if totals != {c.sections.total}:
            st.warn(
                "check.page_total",
                f"page markers count {sorted(totals)} pages, banner says {c.sections.total} sections",
            )


def check_portions(st: State) -> None:
    c = st.cable
    levels = [lv for p in c.paragraphs if p.portion and (lv := _portion_level(p.portion))]
    level = level_of(c.classification)
    if not levels or not level:
        return
    highest = max(levels, key=_RANK.__getitem__)
    if highest != level:
        st.warn(
            "check.portion_classification",
            f"highest paragraph mark is {highest}, cable is {level}",
        )


CHECKS: tuple[Callable[[State], None], ...] = (
    check_refid_year,
    check_path_month,
    check_station_serial,
    check_dtg_vs_container,
    check_weekday_time,
    check_julian_day,
    check_prosign,
    check_zny,
    check_banner_level,
    check_banner_refid,
    check_page_markers,
    check_portions,
)


def run_checks(st: State) -> None:
    for check in CHECKS:
        check(st)
