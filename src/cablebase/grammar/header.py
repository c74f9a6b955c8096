"""Transmission header (FORMAT.md §3): VZCZC, prosign + RIs, DE, ZNY, DTG, FM, TO/INFO/XMT."""

from __future__ import annotations

import re

from cablebase.grammar.dtg import PRECEDENCE_LETTERS, Dtg, parse_dtg_line
from cablebase.grammar.header_routes import load_route_names, route_mismatch
from cablebase.grammar.state import State
from cablebase.record import Recipient, Station

# -- line shapes ------------------------------------------------------------------------------

_PLACEHOLDER_RE = re.compile(
    r"partial\s+extract\s+of\s+the\s+original\s+cable|full\s+text\s+of\s+the\s+original\s+cable",
    re.IGNORECASE,
)
# e-mail client exports: Lotus Notes ("From  DB/Inbox"), Outlook ("From:", "Sent:")
_EMAIL_RE = re.compile(r"DB/Inbox|\bFrom:\s|^Sent:\s|^Cable\s+Text:", re.IGNORECASE)
# State printouts: distribution codes, the /000W total, the dashed cut line, old PAGE headers
_PRINTOUT_RE = re.compile(
    r"^(?:(?:ACTION|ORIGIN|INFO)\s+[A-Z]{1,6}-\d\d\b"
    r"|-{5,}\s*[0-9A-F]{6}\s+\d{6}Z\s+/\d+"
    r"|PAGE\s+\d\d\s+\S"
    r"|.*\s/\d{3}\s?[A-Z]$)"
)
_VZCZC_RE = re.compile(r"^VZCZC[A-Z0-9]*")
# the pair is normally ZZ/OO/PP/RR; NN occurs, so accept any doubled letter
_PROSIGN_RE = re.compile(r"^(?P<pair>([A-Z])\2)(?:\s+(?P<ris>[A-Z]{4,8}(?:\s+[A-Z]{4,8})*))?$")
_RI_LINE_RE = re.compile(r"^R[A-Z]{3,7}(?:\s+R[A-Z]{3,7})*$")
_DE_RE = re.compile(
    r"^DE\s+(?P<route>[A-Z]{3,8})\s*#?\s*(?P<serial>\d{1,6})(?:\s*/\s*(?P<part>\d{1,3}))?"
    r"(?:\s+(?P<julian>\d{7}))?"
)
_ZNY_RE = re.compile(r"^ZN[YR]\s+(?P<letters>[A-Z]{2,6})\b")
_FM_RE = re.compile(r"^FM\s+(?P<text>\S.*)$")
_BLOCK_RE = re.compile(r"^(?P<role>TO|INFO|XMT)(?:\s+|\s*/\s*|(?=R[A-Z]{3,7}/)|$)(?P<rest>.*)$")
_DISTRIBUTION_RE = re.compile(r"^[A-Z]{1,6}-\d\d\b")  # INFO LOG-00 ...: office codes, not posts
_STOP_RE = re.compile(r"^(?:BT|NNNN|TAGS\b|SUBJECT\b|SUBJ:|REF:|E\.?\s?O\.?\s+\d)", re.IGNORECASE)
_PAGE_RE = re.compile(r"^PAGE\s+\d+\b")
# The running header of a printout's second or later page: before any FM line it means the
# first page was lost and the lines after it continue the addressee list (INFO, as a rule).
_LATER_PAGE_RE = re.compile(r"^PAGE\s+(?:0?[2-9]|[1-9]\d)\s+[A-Z]")
_CLASS_LINE_RE = re.compile(
    r"^(?:UNCLAS(?:SIFIED)?|(?:LIMITED OFFICIAL USE)|CONFIDENTIAL|(?:TOP )?SECRET|"
    r"C ?O ?N ?F ?I ?D ?E ?N ?T ?I ?A ?L|S ?E ?C ?R ?E ?T)(?:\s+PT[A-Z]\d+)?$"
)
_LOWER_RE = re.compile(r"[a-z]")

# -- addressee lines ---------------------------------------------------------------------------

_ROUTE_RE = re.compile(r"^(?P<ri>R[A-Z]{3,7}|ZEN)\s*/(?!/)\s*")
# a damaged RI (`UEHC/SECSTATE WASHDC`, `DJ/AMEMBASSY ...`) before a typical PLA
_BAD_ROUTE_RE = re.compile(
    r"^(?P<ri>[A-Z]{2,8})/(?=(?:AMEMBASSY|AMCONSUL|SECSTATE|USMISSION|SECDEF|USINT|USEU)\b)"
)
# 4-digit serial or range; glued to the name (`WASHDC0000`) or, after a precedence word, of any
# length (`PRIORITY 738`)
_SERIAL_RE = re.compile(
    r"(?:\s+|(?<=[A-Z]))(?P<serial>\d{4}(?:\s?-\s?\d{4})?)$"
    r"|(?:(?<=IMMEDIATE)|(?<=PRIORITY)|(?<=ROUTINE))\s+(?P<short>\d{1,6})$"
)
_PREC_RE = re.compile(r"(?:^|\s+)(?P<prec>NIACT\s+IMMEDIATE|IMMEDIATE|PRIORITY|ROUTINE|FLASH)$")
_PRECEDENCES = ("IMMEDIATE", "PRIORITY", "ROUTINE", "FLASH")
_NAME_OK_RE = re.compile(r"[A-Z].*[A-Z0-9]")  # at least two characters, starting with a letter
_SPACES_RE = re.compile(r"\s\s*")  # (a class first, not a repeat: a fast scan)

_ZNY_LEVELS = {
    "C": "CONFIDENTIAL",
    "S": "SECRET",
    "U": "UNCLASSIFIED",
    "T": "TOP SECRET",
    # EEEEE (EFTO) is left unmapped: those cables are listed as CONFIDENTIAL by Cablegate
}


def parse_header(lines: list[str], st: State) -> None:
    """Fill header_kind, transmission_id, routing, station, security, dtg, precedence,
    info_precedence, sender, recipients, partial; set st.zny_classification; and set
    cable.created (ISO 8601 UTC, created_from="dtg") from the DTG when there is one."""
    cable = st.cable
    ls = _split_run_on(_clean_lines(lines))
    first = next((i for i, s in enumerate(ls) if s), None)
    if first is not None and ls[first].lower() == "null":  # a literal `null` leads some exports
        ls[first] = ""

    placeholder = email = printout = False
    seen_vzczc = seen_dtg = seen_fm = False
    expect_prosign = in_routing = False
    block: str | None = None
    route_names: dict[str, str] | None = None

    for i, s in enumerate(ls):
        if not s:
            continue
        if seen_fm:
            # addressee lines recur from cable to cable: what each line is, is worked out once
            is_placeholder, kind, role, rest = _after_fm(s)
        else:
            is_placeholder = not placeholder and _placeholder(s)
            kind, role, rest = "", None, ""
        if not placeholder and is_placeholder:
            placeholder = True
            continue

        if not seen_fm:
            if not seen_vzczc and _VZCZC_RE.match(s):
                seen_vzczc = expect_prosign = True
                cable.transmission_id = s.split()[0]
                continue
            if expect_prosign:
                expect_prosign = False
                m = _PROSIGN_RE.match(s)
                if m is not None:
                    if m.group("ris"):
                        cable.routing.extend(m.group("ris").split())
                    in_routing = True
                    continue
            if in_routing:
                if _RI_LINE_RE.match(s):
                    cable.routing.extend(s.split())
                    continue
                in_routing = False
            if cable.station is None and s.startswith("DE"):
                m = _DE_RE.match(s)
                if m is not None:
                    cable.station = Station(
                        route=m.group("route"),
                        serial=m.group("serial"),
                        part=m.group("part"),
                        julian=m.group("julian"),
                    )
                    continue
            if cable.security is None and s.startswith("ZN"):
                m = _ZNY_RE.match(s)
                if m is not None:
                    cable.security = s
                    st.zny_classification = _zny_level(m.group("letters"))
                    continue
            if not seen_dtg and s[0] in "ZOPR0123":
                d = parse_dtg_line(s)
                if d is not None:
                    seen_dtg = True
                    _apply_dtg(d, st, f"header:{i + 1}")
                    continue
            if s.startswith("PAGE") and _LATER_PAGE_RE.match(s):
                # a fragment without FM: the addressees after it are read as INFO
                printout = seen_fm = True
                block = "info"
                continue
            if s.startswith("FM"):
                m = _FM_RE.match(s)
                if m is not None:
                    seen_fm = True
                    cable.sender = _ROUTE_RE.sub("", m.group("text").strip(), count=1)
                    continue
            # a TO/INFO block with an addressee before any FM: a header fragment whose top
            # was lost; its addressees are read as after FM
            got = _after_fm(s) if s[0] in "TIX" and not email and _BLOCK_RE.match(s) else None
            if got is None or got[1] != "block" or not got[3]:
                # anything else before FM is preface: e-mail wrappers, printout codes, banners
                if not (seen_vzczc or seen_dtg):
                    if not email and _EMAIL_RE.search(s):
                        email = True
                    elif not printout and _PRINTOUT_RE.match(s):
                        printout = True
                elif not printout and _PRINTOUT_RE.match(s):
                    printout = True
                continue
            seen_fm = True
            is_placeholder, kind, role, rest = got

        # -- after FM: TO / INFO / XMT blocks -----------------------------------------------
        if kind == "block":
            block = role
            if not rest:  # the label alone, or `TO PAGE 02 ...`: a page break cut in
                continue
            s = rest
        elif kind == "stop":
            break
        elif kind == "repeat":
            # a second transmission (a dump or a repeated header): keep the first one only
            st.warn(
                "header.repeated",
                f"second transmission header ignored at {s[:40]!r}",
                f"header:{i + 1}",
            )
            break
        elif kind == "skip":  # page breaks of a printout, a distribution line
            continue
        elif kind == "lower":
            st.warn(
                "header.unparsed_line", f"header line not understood: {s[:80]!r}", f"header:{i + 1}"
            )
            continue
        elif block is None:  # an address line right after FM: the TO label was lost
            st.warn(
                "header.to_missing", f"addressee before any TO line: {s[:80]!r}", f"header:{i + 1}"
            )
            block = "to"
        if route_names is None:
            route_names = load_route_names()
        rcp = _parse_addressee(s, block, st, i, route_names)
        if rcp is not None:
            cable.recipients.append(rcp)

    # -- kind and header-local cross-checks ---------------------------------------------------
    if placeholder:
        kind = "placeholder"
        cable.partial = True
    elif email:
        kind = "email"
    elif seen_vzczc or (cable.station is not None and cable.security is not None):
        kind = "acp127"
    elif printout:
        kind = "printout"
    elif seen_dtg or seen_fm:
        kind = "bare"
    else:
        kind = "none"
        if any(ls):
            st.warn("header.unrecognised", "header text of no known kind", "header")
    cable.header_kind = kind

    if kind == "acp127" and not seen_dtg:
        st.warn("header.dtg_missing", "ACP-127 header without a DTG line", "header")
    # prosign <-> DTG precedence and DE Julian day <-> DTG are checked in crosscheck.py


# A line after FM: (placeholder note, kind, role, rest).  Kinds: `block` (a TO/INFO/XMT label,
# the role lower-cased; rest: the addressee after it, or "" when nothing to read), `stop`
# (the preamble starts), `repeat` (a second transmission header), `skip` (a printout's page
# break or distribution line), `lower` (not an addressee line), `` (an addressee line).
_Kind = tuple[bool, str, str | None, str]
_AFTER_FM: dict[str, _Kind] = {}


def _after_fm(s: str) -> _Kind:
    tail = s[-4:]
    if len(s) > 4 and tail.isdigit() and tail.isascii():
        # An addressee's serial changes from cable to cable: the line is read in the shape it
        # has with 0000 for its last four digits (no rule here looks at which digits they are;
        # the first character, the DTG's `0` precedence, is never among them) and its own
        # digits are put back into the addressee text, which ends with them.
        got = _after_fm_read(s[:-4] + "0000")
        rest = got[3]
        if rest.endswith("0000"):
            return got[0], got[1], got[2], rest[:-4] + tail
        return got
    return _after_fm_read(s)


def _after_fm_read(s: str) -> _Kind:
    got = _AFTER_FM.get(s)
    if got is None:
        got = _read_after_fm(s)
        if len(_AFTER_FM) >= _ADDRESSEES_MAX:
            _AFTER_FM.clear()
        _AFTER_FM[s] = got
    return got


def _placeholder(s: str) -> bool:
    # both phrases hold `original`; in ASCII text only its own letters match it in any case
    if s.isascii() and "original" not in s.lower():
        return False
    return _PLACEHOLDER_RE.search(s) is not None


def _read_after_fm(s: str) -> _Kind:
    placeholder = _placeholder(s)
    m = _BLOCK_RE.match(s)
    if m is not None:
        rest = m.group("rest").strip()
        if _DISTRIBUTION_RE.match(rest):  # a printout distribution line, not a block
            return placeholder, "skip", None, ""
        if _PAGE_RE.match(rest):  # `TO PAGE 02 ...`: a page break cut in
            rest = ""
        elif _BLOCK_RE.match(rest):  # `INFO XMT …`: an empty block, the next label on its line
            got = _read_after_fm(rest)
            return placeholder or got[0], got[1], got[2], got[3]
        return placeholder, "block", m.group("role").lower(), rest
    if _STOP_RE.match(s):
        return placeholder, "stop", None, ""
    if _VZCZC_RE.match(s) or _FM_RE.match(s) or _DE_RE.match(s) or parse_dtg_line(s):
        return placeholder, "repeat", None, ""
    if _PAGE_RE.match(s) or _CLASS_LINE_RE.match(s):
        return placeholder, "skip", None, ""
    if _LOWER_RE.search(s):
        return placeholder, "lower", None, ""
    return placeholder, "", None, ""


# A printout page header with the DTG after it on its line (`PAGE 01 ROME 06823 171702Z
# R 171600Z MAY 74`), and a DTG line carrying FM/TO/INFO (`R 171600Z MAY 74 FM AMEMBASSY …`).
_PAGE_DTG_RE = re.compile(
    r"^(PAGE\s+\d+\s.*?\d{6}Z)\s+(?=(?:[ZOPR0]\s+){1,2}\d{6}Z\s+[A-Za-z]{3}\s+\d{2})"
)
_RUN_ON_RE = re.compile(r"\s+(?=(?:FM|TO|INFO|XMT)\s+[A-Z])")
_DTG_START_RE = re.compile(r"^(?:[ZOPR0]\s+){1,2}\d{6}Z\s+[A-Za-z]{3}\s+\d{2}\b")


def _split_run_on(ls: list[str]) -> list[str]:
    """Lines of a header flattened onto one line, split again."""
    out: list[str] = []
    for s in ls:
        if s.startswith("PAGE"):
            m = _PAGE_DTG_RE.match(s)
            if m is not None:
                out.append(m.group(1))
                s = s[m.end() :]
        if " FM " in s and _DTG_START_RE.match(s):
            out.extend(_RUN_ON_RE.split(s))
            continue
        out.append(s)
    return out


def _clean_lines(lines: list[str]) -> list[str]:
    joined = "\n".join(lines)
    if "\t" in joined or "\ufeff" in joined or "ï»¿" in joined:
        return [_clean(line) for line in lines]
    return list(map(str.strip, lines))  # the common case: nothing to replace


def _clean(line: str) -> str:
    # BOM, markdown hard breaks, tabs: none of them carry meaning in a header line
    # (a BOM read as Latin-1 shows as `ï»¿`)
    return line.replace("\ufeff", "").replace("ï»¿", "").replace("\t", " ").strip()


def _zny_level(letters: str) -> str | None:
    # majority letter: tolerates damage such as SSSAA or UUUAA
    best = max(_ZNY_LEVELS, key=letters.count)
    return _ZNY_LEVELS[best] if letters.count(best) else None


def _apply_dtg(d: Dtg, st: State, where: str) -> None:
    cable = st.cable
    cable.dtg = d.text
    p1 = d.precedence
    if p1 == "0":
        st.warn("header.dtg_precedence_typo", "DTG precedence written as digit 0, read as O", where)
        p1 = "O"
    if p1 is not None:
        cable.precedence = PRECEDENCE_LETTERS.get(p1)
    if d.info_precedence is not None:
        cable.info_precedence = PRECEDENCE_LETTERS.get(d.info_precedence)
    if d.iso is None:
        st.warn("header.dtg_invalid", f"impossible date-time group {d.text!r}", where)
    else:
        cable.created = d.iso
        cable.created_from = "dtg"


# Addressee lines recur from cable to cable (half of them in the dev corpus): each distinct
# (line, role) is read once; its fields and warnings are kept and replayed.
_Read = tuple[dict[str, object] | None, tuple[tuple[str, str], ...]]
_ADDRESSEES: dict[tuple[str, str], _Read] = {}
_ADDRESSEES_MAX = 50_000
_addressees_for: list[dict[str, str] | None] = [None]  # the route table the entries were read with


def _parse_addressee(
    text: str, role: str, st: State, i: int, route_names: dict[str, str]
) -> Recipient | None:
    """`[RI/]PLA[//OFFICE//][ PRECEDENCE][ SERIAL]` -> Recipient (header line index i)."""
    if _addressees_for[0] is not route_names:
        _ADDRESSEES.clear()
        _addressees_for[0] = route_names
    tail = text[-4:]
    if len(text) > 4 and tail.isdigit() and tail.isascii():
        # the serial changes from cable to cable: read the line's shape with 0000 for its last
        # four digits; when they are read as (the end of) the serial, nothing else depends on
        # which digits they are (no rule looks at them), and the serial gets its own back
        fields, warnings = _addressee(text[:-4] + "0000", role, route_names)
        if fields is not None and fields["serial"] is not None:
            for code, message in warnings:
                st.warn(code, message, f"header:{i + 1}")
            rcp = Recipient(**fields)  # type: ignore[arg-type]
            rcp.serial = rcp.serial[:-4] + tail  # type: ignore[index]
            return rcp
    fields, warnings = _addressee(text, role, route_names)
    for code, message in warnings:
        st.warn(code, message, f"header:{i + 1}")
    return None if fields is None else Recipient(**fields)  # type: ignore[arg-type]


def _addressee(text: str, role: str, route_names: dict[str, str]) -> _Read:
    key = (text, role)
    got = _ADDRESSEES.get(key)
    if got is None:
        got = _read_addressee(text, role, route_names)
        if len(_ADDRESSEES) >= _ADDRESSEES_MAX:
            _ADDRESSEES.clear()
        _ADDRESSEES[key] = got
    return got


def _read_addressee(text: str, role: str, route_names: dict[str, str]) -> _Read:
    """The Recipient's fields (None: not an addressee) and the warnings, without `where`."""
    warnings: list[tuple[str, str]] = []
    route: str | None = None
    m = _ROUTE_RE.match(text)
    if m is not None:
        route = m.group("ri")
        text = text[m.end() :]
    else:
        m = _BAD_ROUTE_RE.match(text)
        if m is not None:
            route = m.group("ri")
            text = text[m.end() :]
            warnings.append(("header.route_malformed", f"routing indicator {route!r} is malformed"))

    serial = precedence = office = None
    # both regexes end at the line's end: a serial needs a digit there, a precedence its word
    m = _SERIAL_RE.search(text) if text[-1:].isdecimal() else None
    if m is not None:
        serial = (m.group("serial") or m.group("short")).replace(" ", "")
        text = text[: m.start()]
    m = _PREC_RE.search(text) if text.endswith(_PRECEDENCES) else None
    if m is not None:
        precedence = _SPACES_RE.sub(" ", m.group("prec"))
        text = text[: m.start()]
    k = text.find("//")
    if k >= 0:
        j = text.rfind("//")
        if j > k:  # //A//B// is one office path; JCS//J5//WASHDC keeps WASHDC in the name
            office, after = text[k + 2 : j], text[j + 2 :].strip(" /")
        else:  # unbalanced //PA
            office, after = text[k + 2 :], ""
        office = office.strip(" /") or None
        text = text[:k] + (" " + after if after else "")
    name = text.strip(" /")
    if route is None and (len(name) < 3 or not _NAME_OK_RE.search(name)):
        warnings.append(("header.unparsed_line", f"addressee line not understood: {text[:80]!r}"))
        return None, tuple(warnings)
    if not name:
        warnings.append(
            ("header.addressee_incomplete", f"routing indicator {route} without a name")
        )
    fields = {
        "role": role,
        "route": route,
        "name": name,
        "office": office,
        "precedence": precedence,
        "serial": serial,
        "collective": "COLLECTIVE" in name.upper(),
    }
    if route and route != "ZEN" and name and route_names:
        expected = route_mismatch(route, name, route_names)
        if expected is not None:
            warnings.append(
                (
                    "header.route_mismatch",
                    f"{route} is {expected} in route2name, but the line names {name}",
                )
            )
    return fields, tuple(warnings)
